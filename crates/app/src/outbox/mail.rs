//! E-mail: rendering notices with minijinja and delivering them through a port — SES in
//! AWS, a local mailbox folder on a laptop (shown at `/dev/mail`).

use crate::kernel::error::AppError;
use chrono::{DateTime, Utc};
use dealerdesk_domain::Notice;
use minijinja::Environment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Every e-mail kind: each has `email/<kind>.subject`, `email/<kind>.txt` and
/// `email/<kind>.html` under `templates/`.
pub const EMAIL_KINDS: &[(&str, &str, &str, &str)] = &[
    (
        "ticket_created",
        include_str!("../../templates/email/ticket_created.subject"),
        include_str!("../../templates/email/ticket_created.txt"),
        include_str!("../../templates/email/ticket_created.html"),
    ),
    (
        "ticket_moved",
        include_str!("../../templates/email/ticket_moved.subject"),
        include_str!("../../templates/email/ticket_moved.txt"),
        include_str!("../../templates/email/ticket_moved.html"),
    ),
    // The SLA watch (SPEC §2.3, §5): 80 % of the reaction time to the specialist team, a
    // breach to the specialist team and to the dealer's account manager.
    (
        "sla_warning",
        include_str!("../../templates/email/sla_warning.subject"),
        include_str!("../../templates/email/sla_warning.txt"),
        include_str!("../../templates/email/sla_warning.html"),
    ),
    (
        "sla_breach",
        include_str!("../../templates/email/sla_breach.subject"),
        include_str!("../../templates/email/sla_breach.txt"),
        include_str!("../../templates/email/sla_breach.html"),
    ),
    (
        "sla_breach_team",
        include_str!("../../templates/email/sla_breach_team.subject"),
        include_str!("../../templates/email/sla_breach_team.txt"),
        include_str!("../../templates/email/sla_breach_team.html"),
    ),
    (
        "cost_step",
        include_str!("../../templates/email/cost_step.subject"),
        include_str!("../../templates/email/cost_step.txt"),
        include_str!("../../templates/email/cost_step.html"),
    ),
    (
        "document_issued",
        include_str!("../../templates/email/document_issued.subject"),
        include_str!("../../templates/email/document_issued.txt"),
        include_str!("../../templates/email/document_issued.html"),
    ),
    (
        "cost_reminder",
        include_str!("../../templates/email/cost_reminder.subject"),
        include_str!("../../templates/email/cost_reminder.txt"),
        include_str!("../../templates/email/cost_reminder.html"),
    ),
    (
        "ticket_comment",
        include_str!("../../templates/email/ticket_comment.subject"),
        include_str!("../../templates/email/ticket_comment.txt"),
        include_str!("../../templates/email/ticket_comment.html"),
    ),
    (
        "wish_status",
        include_str!("../../templates/email/wish_status.subject"),
        include_str!("../../templates/email/wish_status.txt"),
        include_str!("../../templates/email/wish_status.html"),
    ),
    (
        "wish_task",
        include_str!("../../templates/email/wish_task.subject"),
        include_str!("../../templates/email/wish_task.txt"),
        include_str!("../../templates/email/wish_task.html"),
    ),
    // A lead's transfer (SPEC §4.3): the dealer it leaves, the dealer it joins, the observer.
    (
        "lead_transferred_away",
        include_str!("../../templates/email/lead_transferred_away.subject"),
        include_str!("../../templates/email/lead_transferred_away.txt"),
        include_str!("../../templates/email/lead_transferred_away.html"),
    ),
    (
        "lead_transferred_in",
        include_str!("../../templates/email/lead_transferred_in.subject"),
        include_str!("../../templates/email/lead_transferred_in.txt"),
        include_str!("../../templates/email/lead_transferred_in.html"),
    ),
    (
        "lead_transferred_observer",
        include_str!("../../templates/email/lead_transferred_observer.subject"),
        include_str!("../../templates/email/lead_transferred_observer.txt"),
        include_str!("../../templates/email/lead_transferred_observer.html"),
    ),
    // Lead intake (SPEC §4.1): the dealer's new lead, the customer's confirmation.
    (
        "lead_new",
        include_str!("../../templates/email/lead_new.subject"),
        include_str!("../../templates/email/lead_new.txt"),
        include_str!("../../templates/email/lead_new.html"),
    ),
    (
        "lead_confirmation",
        include_str!("../../templates/email/lead_confirmation.subject"),
        include_str!("../../templates/email/lead_confirmation.txt"),
        include_str!("../../templates/email/lead_confirmation.html"),
    ),
    // The customer survey (SPEC §4.5): the invitation to the customer, a negative answer to
    // the observer.
    (
        "lead_survey",
        include_str!("../../templates/email/lead_survey.subject"),
        include_str!("../../templates/email/lead_survey.txt"),
        include_str!("../../templates/email/lead_survey.html"),
    ),
    (
        "lead_survey_negative",
        include_str!("../../templates/email/lead_survey_negative.subject"),
        include_str!("../../templates/email/lead_survey_negative.txt"),
        include_str!("../../templates/email/lead_survey_negative.html"),
    ),
    // The dealer's accountant: the invitation with the link that sets the password.
    (
        "accountant_invite",
        include_str!("../../templates/email/accountant_invite.subject"),
        include_str!("../../templates/email/accountant_invite.txt"),
        include_str!("../../templates/email/accountant_invite.html"),
    ),
    // The quarterly survey (SPEC §2.9): the invitation to the dealer, a low score's task to
    // the account manager.
    (
        "dealer_survey",
        include_str!("../../templates/email/dealer_survey.subject"),
        include_str!("../../templates/email/dealer_survey.txt"),
        include_str!("../../templates/email/dealer_survey.html"),
    ),
    (
        "survey_task",
        include_str!("../../templates/email/survey_task.subject"),
        include_str!("../../templates/email/survey_task.txt"),
        include_str!("../../templates/email/survey_task.html"),
    ),
];

/// Adds the e-mail templates to a function's templates.
pub fn add_templates(sources: &mut crate::kernel::templates::Sources) {
    use crate::kernel::templates::add;
    add(
        sources,
        "email/base.html",
        include_str!("../../templates/email/base.html"),
    );
    for (kind, subject, text, html) in EMAIL_KINDS {
        for (suffix, source) in [("subject", *subject), ("txt", *text), ("html", *html)] {
            add(sources, &format!("email/{kind}.{suffix}"), source);
        }
    }
}

/// A rendered message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders a notice for its recipients; an unknown kind or a template error is an error
/// (the notice is then kept as failed, not lost).
pub fn render(
    env: &Environment<'static>,
    notice: &Notice,
    to: Vec<String>,
    base_url: &str,
) -> Result<Email, String> {
    let mut ctx: std::collections::BTreeMap<String, String> = notice.params.clone();
    ctx.insert(
        "base_url".into(),
        base_url.trim_end_matches('/').to_string(),
    );
    let one = |suffix: &str| -> Result<String, String> {
        env.get_template(&format!("email/{}.{suffix}", notice.template))
            .and_then(|t| t.render(&ctx))
            .map_err(|e| format!("template {}.{suffix}: {e}", notice.template))
    };
    Ok(Email {
        to,
        subject: one("subject")?.trim().replace('\n', " "),
        text: one("txt")?,
        html: one("html")?,
    })
}

/// One message in the local mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMail {
    pub key: String,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub email: Email,
}

/// Where e-mail goes.
#[derive(Clone, Debug)]
pub enum Mailer {
    /// Files in a folder, one per notice (named by its key, so a repeated delivery
    /// overwrites rather than duplicates).
    Mailbox(PathBuf),
    /// Amazon SES.
    Ses {
        client: aws_sdk_sesv2::Client,
        from: String,
    },
    /// None: a Lambda function whose `main` does not name the mail port
    /// ([`crate::Ports::mail`]); a delivery is refused (the notice stays pending).
    Absent,
}

impl Mailer {
    /// From the environment: `DEALERDESK_MAIL` = `ses` (with `DEALERDESK_MAIL_FROM`) or
    /// `mailbox` (with `DEALERDESK_MAILBOX_DIR`, default `default_dir`).
    pub async fn from_env(default_dir: &Path) -> Result<Mailer, AppError> {
        match std::env::var("DEALERDESK_MAIL")
            .unwrap_or_default()
            .as_str()
        {
            "" | "mailbox" => Ok(Mailer::Mailbox(
                std::env::var_os("DEALERDESK_MAILBOX_DIR")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| default_dir.to_path_buf()),
            )),
            "ses" => {
                let from = std::env::var("DEALERDESK_MAIL_FROM")
                    .ok()
                    .filter(|f| !f.is_empty())
                    .ok_or_else(|| {
                        AppError::Config("DEALERDESK_MAIL=ses needs DEALERDESK_MAIL_FROM".into())
                    })?;
                Ok(Mailer::Ses {
                    client: aws_sdk_sesv2::Client::new(
                        &dealerdesk_store::aws::sdk_config("SESV2")
                            .map_err(|e| AppError::Config(e.to_string()))?,
                    ),
                    from,
                })
            }
            other => Err(AppError::Config(format!(
                "DEALERDESK_MAIL must be ses or mailbox, not {other:?}"
            ))),
        }
    }

    /// The local mailbox folder, when mail goes there.
    pub fn mailbox(&self) -> Option<&Path> {
        match self {
            Mailer::Mailbox(dir) => Some(dir),
            Mailer::Ses { .. } | Mailer::Absent => None,
        }
    }

    /// Sends one message. Errors are strings: they are stored on the notice for people.
    pub async fn deliver(&self, key: &str, email: &Email, at: DateTime<Utc>) -> Result<(), String> {
        match self {
            Mailer::Absent => {
                Err("this function has no mail port (its main does not name Ports::mail)".into())
            }
            Mailer::Mailbox(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("mailbox {}: {e}", dir.display()))?;
                let stored = StoredMail {
                    key: key.to_string(),
                    at,
                    email: email.clone(),
                };
                let json = serde_json::to_vec_pretty(&stored).map_err(|e| e.to_string())?;
                let name = mailbox_file_name(key);
                let tmp = dir.join(format!(".{name}.tmp"));
                std::fs::write(&tmp, json).map_err(|e| format!("mailbox write: {e}"))?;
                std::fs::rename(&tmp, dir.join(name)).map_err(|e| format!("mailbox rename: {e}"))
            }
            Mailer::Ses { client, from } => {
                use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
                let content = |data: &str| {
                    Content::builder()
                        .data(data)
                        .charset("UTF-8")
                        .build()
                        .map_err(|e| e.to_string())
                };
                let message = Message::builder()
                    .subject(content(&email.subject)?)
                    .body(
                        Body::builder()
                            .text(content(&email.text)?)
                            .html(content(&email.html)?)
                            .build(),
                    )
                    .build();
                client
                    .send_email()
                    .from_email_address(from)
                    .destination(
                        Destination::builder()
                            .set_to_addresses(Some(email.to.clone()))
                            .build(),
                    )
                    .content(EmailContent::builder().simple(message).build())
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("SES: {}", aws_sdk_sesv2::error::DisplayErrorContext(e)))
            }
        }
    }
}

fn mailbox_file_name(key: &str) -> String {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // The hash keeps two keys that differ only in replaced characters apart.
    let digest = crate::kernel::auth::token_hash(key);
    format!("{safe}-{}.json", &digest[..12])
}

/// Every message in a mailbox folder, newest first. Unreadable files are skipped with a log
/// line: the mailbox is a development aid, not a record.
pub fn read_mailbox(dir: &Path) -> Vec<StoredMail> {
    read_mailbox_page(dir, None, 0, usize::MAX).mails
}

/// One page of a mailbox folder.
#[derive(Debug)]
pub struct MailboxPage {
    /// The page's letters, newest first.
    pub mails: Vec<StoredMail>,
    /// Whether letters older than this page exist.
    pub more: bool,
}

/// `limit` letters after the first `skip` (newest first), only those to `to` when given.
///
/// Files are ordered by their write time (a directory listing, no reads), and only as many are
/// opened as the page needs — with a `to` filter, until the page is full — so a page costs
/// about `limit` file reads however big the folder grows.
pub fn read_mailbox_page(dir: &Path, to: Option<&str>, skip: usize, limit: usize) -> MailboxPage {
    let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .map(|e| {
                    let modified = e
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or(std::time::UNIX_EPOCH);
                    (modified, e.path())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort_by(|a, b| b.cmp(a));
    let mut matching = files.iter().filter_map(|(_, path)| {
        let parsed = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<StoredMail>(&bytes).ok());
        if parsed.is_none() {
            tracing::warn!(file = %path.display(), "unreadable mailbox file");
        }
        parsed.filter(|m| to.is_none_or(|t| m.email.to.iter().any(|a| a == t)))
    });
    let mut mails: Vec<StoredMail> = matching.by_ref().skip(skip).take(limit).collect();
    let more = matching.next().is_some();
    // Letters written in one second keep the order of the time they are about.
    mails.sort_by(|a, b| b.at.cmp(&a.at).then(b.key.cmp(&a.key)));
    MailboxPage { mails, more }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use dealerdesk_domain::Audience;

    fn notice() -> Notice {
        Notice::new(
            "ticket:t1:v2",
            "ticket_moved",
            Audience::Address {
                email: "x@example.ru".into(),
            },
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
        )
        .with("ticket_id", "t1")
        .with("number", "DD-1001")
        .with("title", "Новость <b>")
        .with("state_label", "На согласовании")
        .with("status_label", "Недостаточно информации")
        .with("action_label", "Запросить информацию")
        .with("comment", "Какой раздел?")
    }

    fn env() -> Environment<'static> {
        crate::kernel::templates::environment(&[add_templates])
    }

    #[test]
    fn a_move_renders_in_russian_as_text_and_escaped_html() {
        let email = render(
            &env(),
            &notice(),
            vec!["x@example.ru".into()],
            "http://127.0.0.1:8080/",
        )
        .unwrap();
        assert!(email.subject.contains("DD-1001"), "{}", email.subject);
        assert!(email.text.contains("Недостаточно информации"));
        assert!(email.text.contains("Какой раздел?"));
        assert!(email.text.contains("http://127.0.0.1:8080/tickets/t1"));
        assert!(email.html.contains("Новость &lt;b&gt;"), "HTML is escaped");
    }

    #[test]
    fn the_sla_watch_notices_render_in_russian() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 24, 0).unwrap();
        for (kind, subject) in [
            ("sla_warning", "80 %"),
            ("sla_breach", "нарушен срок реакции"),
            ("sla_breach_team", "отреагируйте сейчас"),
        ] {
            let n = Notice::new(
                format!("{kind}:t1:x"),
                kind,
                Audience::Address {
                    email: "x@example.ru".into(),
                },
                at,
            )
            .with("ticket_id", "t1")
            .with("number", "DD-1001")
            .with("title", "Новость <b>")
            .with("dealer_name", "Автоцентр Север")
            .with("criticality_label", "Высокая")
            .with("billing_label", "Платно")
            .with("reaction_label", "3 рабочих часа")
            .with("started_local", "02.03.2026 09:00 (МСК)")
            .with("due_local", "02.03.2026 12:00 (МСК)")
            .with("status_label", "Принято к рассмотрению")
            .with(
                "reaction_hint",
                "ответьте дилеру комментарием в обращении или выберите действие: «Взять в работу»",
            );
            let email = render(&env(), &n, vec!["x@example.ru".into()], "http://h").unwrap();
            assert!(
                email.subject.contains("DD-1001") && email.subject.contains(subject),
                "{}",
                email.subject
            );
            assert!(
                email.text.contains("02.03.2026 12:00 (МСК)"),
                "{}",
                email.text
            );
            assert!(email.text.contains("http://h/tickets/t1"));
            assert!(email.html.contains("Новость &lt;b&gt;"));
        }
    }

    #[test]
    fn cost_notices_render_in_russian() {
        let at = Utc.with_ymd_and_hms(2026, 3, 19, 9, 0, 0).unwrap();
        let step = Notice::new(
            "cost:t1:v9",
            "cost_step",
            Audience::Address {
                email: "x@example.ru".into(),
            },
            at,
        )
        .with("ticket_id", "t1")
        .with("number", "DD-1001")
        .with("title", "Новость")
        .with("action_label", "Запросить детализацию")
        .with("cost", "590 ₽")
        .with("minutes", "10 мин")
        .with("cost_state_label", "Запрошена детализация")
        .with("comment", "Почему 10 минут?")
        .with("detail", "");
        let email = render(&env(), &step, vec![], "http://h").unwrap();
        assert_eq!(
            email.subject,
            "DD-1001: Запросить детализацию — стоимость 590 ₽"
        );
        assert!(email.text.contains("Почему 10 минут?"));
        assert!(email.text.contains("запрошена детализация"));
        assert!(email.text.contains("http://h/tickets/t1#cost"));
        assert!(email.html.contains("Открыть детализацию"));

        let reminder = Notice::new(
            "cost-reminder:d1:2026-03-19",
            "cost_reminder",
            Audience::Address {
                email: "x@example.ru".into(),
            },
            at,
        )
        .with("count", "2")
        .with("total", "1 180 ₽")
        .with("deadline", "26.03.2026")
        .with("deadline_text", "до 26.03 включительно")
        .with("quarter_label", "I квартал 2026 г.")
        .with(
            "tickets",
            "DD-1001 «Новость» — 590 ₽\nDD-1002 «Акция» — 590 ₽",
        );
        let email = render(&env(), &reminder, vec![], "http://h").unwrap();
        assert!(
            email.subject.contains("до 26.03 включительно"),
            "{}",
            email.subject
        );
        assert!(email.text.contains("до 26.03 включительно (до 23:59 МСК)"));
        assert!(email.text.contains("DD-1002 «Акция»"));
        assert!(email.text.contains("I квартал 2026 г."));
    }

    #[test]
    fn an_unknown_kind_is_an_error_not_an_empty_mail() {
        let mut n = notice();
        n.template = "nope".into();
        assert!(render(&env(), &n, vec![], "x").is_err());
    }

    #[tokio::test]
    async fn the_mailbox_keeps_one_file_per_notice() {
        let dir = std::env::temp_dir().join(format!("dd-mail-{}", ulid::Ulid::new()));
        let mailer = Mailer::Mailbox(dir.clone());
        let email = render(&env(), &notice(), vec!["x@example.ru".into()], "http://h").unwrap();
        let at = Utc::now();
        mailer.deliver("ticket:t1:v2", &email, at).await.unwrap();
        mailer.deliver("ticket:t1:v2", &email, at).await.unwrap();
        let mails = read_mailbox(&dir);
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].email, email);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn the_mailbox_pages_newest_first_and_filters_by_recipient() {
        let dir = std::env::temp_dir().join(format!("dd-mail-{}", ulid::Ulid::new()));
        let mailer = Mailer::Mailbox(dir.clone());
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        for i in 0..5 {
            let to = if i % 2 == 0 {
                "even@example.ru"
            } else {
                "odd@example.ru"
            };
            let email = render(&env(), &notice(), vec![to.into()], "http://h").unwrap();
            mailer
                .deliver(
                    &format!("n{i}"),
                    &email,
                    start + chrono::Duration::minutes(i),
                )
                .await
                .unwrap();
            // Distinct write times, as letters sent one after another have.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let keys =
            |page: &MailboxPage| page.mails.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
        let first = read_mailbox_page(&dir, None, 0, 2);
        assert_eq!(keys(&first), ["n4", "n3"]);
        assert!(first.more);
        let last = read_mailbox_page(&dir, None, 4, 2);
        assert_eq!(keys(&last), ["n0"]);
        assert!(!last.more);
        let even = read_mailbox_page(&dir, Some("even@example.ru"), 1, 5);
        assert_eq!(keys(&even), ["n2", "n0"]);
        assert!(!even.more);
        let _ = std::fs::remove_dir_all(dir);
    }
}
