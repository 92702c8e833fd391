//! The ticket's side of the SLA (SPEC §2.3) and of auto-acceptance (SPEC §2.4): what the
//! SLA watch tells whom, when a result left in review is accepted by the system, and a
//! recount of the due time after an admin edits the calendar.
//!
//! Kept out of `ticket.rs` so that the lifecycle and the scheduled rules read separately;
//! the clock itself is `sla::SlaClock`, which every move already updates.

use crate::calendar::WorkingCalendar;
use crate::notice::{Audience, Notice};
use crate::role::Role;
use crate::ticket::Ticket;
use crate::ticket::catalog::Billing;
use crate::ticket::comment::{Comment, Side};
use crate::ticket::lifecycle::{Action, Party, Status, next_status};
use crate::ticket::sla::reaction_time;
use chrono::{DateTime, SecondsFormat, Utc};

/// Working days a result may wait in «Результат на проверке» before the system accepts it
/// (SPEC §2.4: «3 рабочих дня»; a setting).
pub const DEFAULT_AUTO_ACCEPT_DAYS: u32 = 3;

/// `12.05.2026 11:30 (МСК)`: an instant on the platform's wall clock, for e-mails.
fn local(calendar: &WorkingCalendar, at: DateTime<Utc>) -> String {
    format!(
        "{} (МСК)",
        at.with_timezone(&calendar.tz()).format("%d.%m.%Y %H:%M")
    )
}

/// What a specialist can do to react to a ticket in `status`, for the SLA e-mails: a
/// comment to the dealer, or one of the moves that exist from that status — so a ticket
/// back «В стадии решения» is never asked to be «Взять в работу». Empty while no reaction
/// can be owed (the ticket waits on the dealer or is finished).
pub fn reaction_hint(status: Status, billing: Billing) -> String {
    if status.waits_on_dealer() || status.is_done() {
        return String::new();
    }
    let moves: Vec<String> = Action::ALL
        .into_iter()
        .filter(|a| a.party() == Party::Platform && next_status(status, *a, billing).is_ok())
        .map(|a| format!("«{}»", a.label()))
        .collect();
    format!(
        "ответьте дилеру комментарием в обращении или выберите действие: {}",
        moves.join(", ")
    )
}

impl Ticket {
    /// The ticket still needs the platform or the dealer: not resolved, not impossible.
    pub fn is_open(&self) -> bool {
        !self.status.is_done()
    }

    /// The key of this period's 80 % warning: one per ticket and reaction period, so the
    /// outbox stores it once however often the watch runs.
    pub fn sla_warning_key(&self) -> String {
        format!("sla-warning:{}:{}", self.id, self.period_stamp())
    }

    /// The key of this period's breach report to the account manager (see
    /// [`Ticket::sla_warning_key`]).
    pub fn sla_breach_key(&self) -> String {
        format!("sla-breach:{}:{}", self.id, self.period_stamp())
    }

    /// The key of this period's breach report to the specialist team.
    pub fn sla_breach_team_key(&self) -> String {
        format!("sla-breach-team:{}:{}", self.id, self.period_stamp())
    }

    fn period_stamp(&self) -> String {
        self.sla
            .started_at
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// What the SLA watch does to this ticket at `now` (SPEC §2.3, §5): once 80 % of the
    /// reaction time has passed without a reaction, the specialist team is warned; once
    /// the due time has passed, both the specialist team (who must react now) and the
    /// dealer's account manager (who answers to the dealer) are told of the breach. Each
    /// reaction period warns and reports once; a restart opens a new period.
    ///
    /// Returns the ticket with the sent notices marked on its clock (next version) and the
    /// notices, to be stored in one transaction conditional on the version read; `None`
    /// when nothing is owed. A second run finds the marks and returns `None`, and the
    /// notice keys are per period, so each notice goes out once.
    pub fn sla_watch(
        &self,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Option<(Ticket, Vec<Notice>)> {
        if !self.is_open() {
            return None;
        }
        let mut sla = self.sla;
        let mut notices = Vec::new();
        if sla.needs_warning(now) {
            sla.warning_sent = true;
            notices.push(self.sla_notice(
                self.sla_warning_key(),
                "sla_warning",
                Audience::Role {
                    role: Role::Specialist,
                },
                calendar,
                now,
            ));
        }
        if sla.needs_breach_report(now) {
            sla.breach_reported = true;
            notices.push(self.sla_notice(
                self.sla_breach_team_key(),
                "sla_breach_team",
                Audience::Role {
                    role: Role::Specialist,
                },
                calendar,
                now,
            ));
            notices.push(self.sla_notice(
                self.sla_breach_key(),
                "sla_breach",
                Audience::AccountManagerOf {
                    dealer_id: self.dealer_id.clone(),
                },
                calendar,
                now,
            ));
        }
        if notices.is_empty() {
            return None;
        }
        let marked = Ticket {
            sla,
            version: self.version + 1,
            ..self.clone()
        };
        Some((marked, notices))
    }

    fn sla_notice(
        &self,
        key: String,
        template: &str,
        audience: Audience,
        calendar: &WorkingCalendar,
        now: DateTime<Utc>,
    ) -> Notice {
        let due = self
            .sla
            .due_at
            .map(|d| local(calendar, d))
            .unwrap_or_default();
        Notice::new(key, template, audience, now)
            .with("ticket_id", self.id.as_str())
            .with("number", self.display_number())
            .with("title", self.title.clone())
            .with("dealer_id", self.dealer_id.as_str())
            .with("criticality_label", self.criticality.label())
            .with("billing_label", self.billing.label())
            .with("reaction_label", reaction_time(self.criticality).label())
            .with("started_local", local(calendar, self.sla.started_at))
            .with("due_local", due)
            .with("status_label", self.status.label())
            .with("reaction_hint", reaction_hint(self.status, self.billing))
    }

    /// `comment` as the SLA sees it (SPEC §2.3: the reaction is the specialist's first
    /// visible response, a status move or a comment to the dealer): a comment written by
    /// someone who works tickets while a reaction is owed is that reaction. Returns the
    /// ticket with its clock stopped (next version), to be stored with the comment in one
    /// transaction; `None` when the comment changes nothing (the dealer's own words, the
    /// account manager's, or no reaction owed), so it stays a record of its own.
    ///
    /// Only specialists and admins count, as only they can make the platform's moves: the
    /// account manager speaks for the dealer's account, not for the support team the SLA
    /// measures.
    pub fn react_by_comment(&self, comment: &Comment) -> Option<Ticket> {
        let by_support = comment.side() == Side::Platform && comment.author_role.works_tickets();
        if !by_support || !self.sla.is_running() {
            return None;
        }
        Some(Ticket {
            sla: self.sla.react(comment.at),
            updated_at: comment.at,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// When the system accepts this ticket's result: `days` working days after its review
    /// countdown started (see `ticket::review`); `None` unless the ticket is in «Результат
    /// на проверке» with the countdown running.
    pub fn auto_accept_at(&self, calendar: &WorkingCalendar, days: u32) -> Option<DateTime<Utc>> {
        self.review_deadline(calendar, days)
    }

    /// Whether the auto-accept job should accept this ticket at `now`.
    pub fn is_auto_accept_due(
        &self,
        calendar: &WorkingCalendar,
        days: u32,
        now: DateTime<Utc>,
    ) -> bool {
        self.auto_accept_at(calendar, days)
            .is_some_and(|at| now >= at)
    }

    /// The ticket with its running reaction period counted again in a changed calendar
    /// (next version), or `None` when the due time does not move.
    pub fn recount_sla(&self, calendar: &WorkingCalendar) -> Option<Ticket> {
        let sla = self.sla.recount(calendar, self.criticality);
        (sla != self.sla).then(|| Ticket {
            sla,
            version: self.version + 1,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Actor;
    use crate::calendar::DayKind;
    use crate::ids::{DealerId, TicketId, UserId};
    use crate::ticket::TicketDraft;
    use crate::ticket::lifecycle::{Action, Resume, Status};
    use chrono::{Duration, NaiveDate};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::platform_default()
    }

    fn dealer() -> Actor {
        Actor {
            user_id: UserId::new("user-d1"),
            role: Role::Dealer,
            dealer_id: Some(DealerId::new("d1")),
        }
    }

    fn specialist() -> Actor {
        Actor {
            user_id: UserId::new("spec"),
            role: Role::Specialist,
            dealer_id: None,
        }
    }

    fn file(criticality: &str, at: &str) -> Ticket {
        let new = TicketDraft {
            title: Some("Разместить новость".into()),
            text: Some("Новость об акции".into()),
            category: Some("individual_news".into()),
            criticality: Some(criticality.into()),
            billing: None,
        }
        .validate()
        .unwrap();
        Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &dealer(),
            new,
            &cal(),
            utc(at),
        )
        .0
    }

    fn act(t: &Ticket, who: &Actor, action: Action, at: &str) -> Ticket {
        t.apply(who, action, Some("комментарий"), &cal(), utc(at))
            .unwrap()
            .0
    }

    // --- the clock on the ticket ---

    #[test]
    fn a_friday_evening_high_ticket_is_due_monday_late_morning() {
        // Fri 14.03.2025 17:30 MSK: 30 min on Friday, 2 h 30 on Monday → Mon 11:30 MSK.
        let t = file("high", "2025-03-14T14:30:00Z");
        assert_eq!(t.sla.started_at, utc("2025-03-14T14:30:00Z"));
        assert_eq!(t.sla.due_at, Some(utc("2025-03-17T08:30:00Z")));
        assert_eq!(t.sla.warn_at, Some(utc("2025-03-17T07:54:00Z")));
        assert!(!t.sla.paused && !t.sla.breached);
        assert_eq!(t.status_since, t.created_at);
    }

    #[test]
    fn a_ticket_filed_before_the_may_holidays_is_due_after_them() {
        // Fri 08.05.2026 is a shortened day (closes 17:00); 09.05 is Victory Day and Monday
        // 11.05 the day off moved from it. 16:30 MSK, high: 30 min, then Tue 12.05 09:00 + 2 h 30.
        let t = file("high", "2026-05-08T13:30:00Z");
        assert_eq!(t.sla.due_at, Some(utc("2026-05-12T08:30:00Z")));
    }

    #[test]
    fn the_clock_pauses_on_need_info_and_restarts_from_the_dealers_answer() {
        // Mon 10.03.2025 10:00 MSK, high → due 13:00. Asked at 10:30 (on time): paused.
        let t = file("high", "2025-03-10T07:00:00Z");
        let asked = act(&t, &specialist(), Action::AskInfo, "2025-03-10T07:30:00Z");
        assert!(asked.sla.paused && asked.sla.due_at.is_none() && !asked.sla.breached);
        assert_eq!(asked.status_since, utc("2025-03-10T07:30:00Z"));
        // Waiting on the dealer past the old due time is never a breach.
        assert!(!asked.sla.is_breached(utc("2025-03-10T15:00:00Z")));
        // Answered at 17:00 MSK: 1 h that evening, 2 h on Tuesday → Tue 11:00 MSK.
        let answered = act(&asked, &dealer(), Action::Answer, "2025-03-10T14:00:00Z");
        assert!(!answered.sla.paused);
        assert_eq!(answered.sla.started_at, utc("2025-03-10T14:00:00Z"));
        assert_eq!(answered.sla.due_at, Some(utc("2025-03-11T08:00:00Z")));
        assert_eq!(answered.status, Status::Accepted);
    }

    #[test]
    fn a_late_reaction_stays_breached_to_the_end() {
        let t = file("high", "2025-03-10T07:00:00Z");
        // Due 13:00 MSK, taken at 14:00 MSK: late.
        let taken = act(&t, &specialist(), Action::Take, "2025-03-10T11:00:00Z");
        assert!(taken.sla.breached);
        let review = act(
            &taken,
            &specialist(),
            Action::SendForReview,
            "2025-03-10T12:00:00Z",
        );
        assert!(review.sla.paused);
        let (done, _) = review
            .auto_accept(&cal(), utc("2025-03-13T12:00:00Z"))
            .unwrap();
        assert!(done.sla.breached, "late stays late in reports");
        assert!(!done.sla.is_running() && !done.sla.paused);
    }

    // --- the SLA watch ---

    #[test]
    fn the_watch_warns_the_team_at_80_percent_and_tells_the_manager_of_a_breach_once_each() {
        // Mon 10.03.2025 10:00 MSK, high: warning 12:24, due 13:00 MSK.
        let t = file("high", "2025-03-10T07:00:00Z");
        let c = cal();
        assert!(
            t.sla_watch(&c, utc("2025-03-10T09:23:59Z")).is_none(),
            "not before 80 %"
        );

        let (warned, notices) = t.sla_watch(&c, utc("2025-03-10T09:24:00Z")).unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].key, "sla-warning:t1:2025-03-10T07:00:00.000Z");
        assert_eq!(notices[0].template, "sla_warning");
        assert_eq!(
            notices[0].audience,
            Audience::Role {
                role: Role::Specialist
            }
        );
        assert_eq!(notices[0].params["due_local"], "10.03.2025 13:00 (МСК)");
        assert_eq!(notices[0].params["reaction_label"], "3 рабочих часа");
        assert!(warned.sla.warning_sent && !warned.sla.breach_reported);
        assert_eq!(warned.version, t.version + 1);
        assert!(
            warned.sla_watch(&c, utc("2025-03-10T09:50:00Z")).is_none(),
            "warned once"
        );

        let (reported, notices) = warned.sla_watch(&c, utc("2025-03-10T10:00:01Z")).unwrap();
        assert_eq!(notices.len(), 2, "the team and the account manager");
        assert_eq!(
            notices[0].key,
            "sla-breach-team:t1:2025-03-10T07:00:00.000Z"
        );
        assert_eq!(notices[0].template, "sla_breach_team");
        assert_eq!(
            notices[0].audience,
            Audience::Role {
                role: Role::Specialist
            }
        );
        assert_eq!(notices[1].key, "sla-breach:t1:2025-03-10T07:00:00.000Z");
        assert_eq!(notices[1].template, "sla_breach");
        assert_eq!(
            notices[1].audience,
            Audience::AccountManagerOf {
                dealer_id: DealerId::new("d1")
            }
        );
        assert!(reported.sla.breach_reported);
        assert!(
            reported
                .sla_watch(&c, utc("2025-03-12T10:00:00Z"))
                .is_none(),
            "reported once"
        );
        assert_eq!(reported.sla.next_watch_at(), None);
    }

    #[test]
    fn a_watch_that_first_runs_after_the_due_time_sends_both_notices_in_one_go() {
        let t = file("high", "2025-03-10T07:00:00Z");
        let (marked, notices) = t.sla_watch(&cal(), utc("2025-03-11T07:00:00Z")).unwrap();
        let templates: Vec<_> = notices.iter().map(|n| n.template.as_str()).collect();
        assert_eq!(templates, ["sla_warning", "sla_breach_team", "sla_breach"]);
        assert!(marked.sla.warning_sent && marked.sla.breach_reported);
        assert_eq!(marked.version, t.version + 1, "one change, one version");
    }

    #[test]
    fn a_reaction_in_time_leaves_the_watch_nothing_to_do_and_a_new_period_warns_again() {
        let c = cal();
        let t = file("high", "2025-03-10T07:00:00Z");
        let (warned, _) = t.sla_watch(&c, utc("2025-03-10T09:30:00Z")).unwrap();
        let asked = act(
            &warned,
            &specialist(),
            Action::AskInfo,
            "2025-03-10T09:40:00Z",
        );
        assert!(asked.sla_watch(&c, utc("2025-03-11T09:00:00Z")).is_none());
        // The dealer answers: a new period, with new keys, warns again.
        let answered = act(&asked, &dealer(), Action::Answer, "2025-03-11T07:00:00Z");
        assert!(!answered.sla.warning_sent);
        let (_, notices) = answered.sla_watch(&c, utc("2025-03-11T09:30:00Z")).unwrap();
        assert_eq!(notices[0].key, "sla-warning:t1:2025-03-11T07:00:00.000Z");
    }

    #[test]
    fn the_next_watch_instant_walks_from_warning_to_due_to_nothing() {
        let c = cal();
        let t = file("high", "2025-03-10T07:00:00Z");
        assert_eq!(t.sla.next_watch_at(), Some(utc("2025-03-10T09:24:00Z")));
        let (warned, _) = t.sla_watch(&c, utc("2025-03-10T09:24:00Z")).unwrap();
        assert_eq!(
            warned.sla.next_watch_at(),
            Some(utc("2025-03-10T10:00:00Z"))
        );
        let taken = act(&t, &specialist(), Action::Take, "2025-03-10T07:10:00Z");
        assert_eq!(taken.sla.next_watch_at(), None);
    }

    #[test]
    fn a_breach_tells_the_team_and_the_manager_once_per_period_and_a_restart_opens_a_new_one() {
        let c = cal();
        // Mon 10.03.2025 10:00 MSK high, due 13:00; nobody reacts until 14:00 MSK.
        let t = file("high", "2025-03-10T07:00:00Z");
        let (late, first) = t.sla_watch(&c, utc("2025-03-10T10:30:00Z")).unwrap();
        let keys: Vec<_> = first.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "sla-warning:t1:2025-03-10T07:00:00.000Z",
                "sla-breach-team:t1:2025-03-10T07:00:00.000Z",
                "sla-breach:t1:2025-03-10T07:00:00.000Z",
            ]
        );
        assert!(late.sla_watch(&c, utc("2025-03-10T14:00:00Z")).is_none());
        // Taken late, the result is returned Tue 11.03 10:00 MSK: a new period (due 13:00)
        // with its own warning and its own breach, to both again.
        let taken = act(&late, &specialist(), Action::Take, "2025-03-10T11:00:00Z");
        let review = act(
            &taken,
            &specialist(),
            Action::SendForReview,
            "2025-03-10T12:00:00Z",
        );
        let returned = act(&review, &dealer(), Action::Return, "2025-03-11T07:00:00Z");
        assert!(returned.sla.breached, "the first period stays late");
        let (_, second) = returned.sla_watch(&c, utc("2025-03-11T10:00:01Z")).unwrap();
        let second: Vec<_> = second
            .iter()
            .map(|n| (n.template.as_str(), n.key.as_str()))
            .collect();
        assert_eq!(
            second,
            [
                ("sla_warning", "sla-warning:t1:2025-03-11T07:00:00.000Z"),
                (
                    "sla_breach_team",
                    "sla-breach-team:t1:2025-03-11T07:00:00.000Z"
                ),
                ("sla_breach", "sla-breach:t1:2025-03-11T07:00:00.000Z"),
            ]
        );
    }

    #[test]
    fn the_e_mails_name_only_moves_that_exist_for_the_status() {
        let c = cal();
        let t = file("medium", "2025-03-10T07:00:00Z");
        let (_, notices) = t.sla_watch(&c, utc("2025-03-11T07:00:00Z")).unwrap();
        let hint = &notices[0].params["reaction_hint"];
        assert!(hint.contains("комментарием"), "{hint}");
        assert!(hint.contains("«Взять в работу»"), "{hint}");
        // Back «В стадии решения» after a return: taking it is impossible from there.
        let taken = act(&t, &specialist(), Action::Take, "2025-03-10T07:10:00Z");
        let review = act(
            &taken,
            &specialist(),
            Action::SendForReview,
            "2025-03-10T08:00:00Z",
        );
        let returned = act(&review, &dealer(), Action::Return, "2025-03-10T09:00:00Z");
        let (_, notices) = returned.sla_watch(&c, utc("2025-03-12T09:00:00Z")).unwrap();
        assert_eq!(notices.len(), 3);
        for n in &notices {
            let hint = &n.params["reaction_hint"];
            assert!(!hint.contains("Взять в работу"), "{}: {hint}", n.template);
            assert!(hint.contains("«Отправить на проверку»"), "{hint}");
            assert!(hint.contains("«Запросить информацию»"), "{hint}");
        }
        assert_eq!(
            reaction_hint(Status::InProgress, Billing::Free),
            "ответьте дилеру комментарием в обращении или выберите действие: \
             «Запросить информацию», «Отправить на проверку», «Невозможно решить»"
        );
        assert_eq!(reaction_hint(Status::InReview, Billing::Paid), "");
    }

    fn comment_by(t: &Ticket, role: Role, at: &str) -> Comment {
        let author = match role {
            Role::Dealer => dealer(),
            role => Actor {
                user_id: UserId::new(format!("user-{}", role.code())),
                role,
                dealer_id: None,
            },
        };
        Comment::write(
            crate::ids::CommentId::new(format!("c-{at}")),
            t,
            &author,
            "Смотрим, вернёмся с ответом.",
            utc(at),
        )
        .unwrap()
    }

    #[test]
    fn after_a_return_a_specialists_comment_is_the_reaction() {
        let c = cal();
        // A medium ticket, taken, sent for review, returned Mon 10.03.2025 12:00 MSK:
        // «В стадии решения», a reaction is owed by 20:00 → Tue 11.03 11:00 MSK.
        let t = file("medium", "2025-03-10T06:00:00Z");
        let taken = act(&t, &specialist(), Action::Take, "2025-03-10T06:10:00Z");
        let review = act(
            &taken,
            &specialist(),
            Action::SendForReview,
            "2025-03-10T07:00:00Z",
        );
        let returned = act(&review, &dealer(), Action::Return, "2025-03-10T09:00:00Z");
        assert_eq!(returned.status, Status::InProgress);
        assert_eq!(returned.sla.due_at, Some(utc("2025-03-11T08:00:00Z")));
        // The specialist answers with a comment at 15:00 MSK: on time, the clock stops,
        // the ticket stays «В стадии решения» and the watch has nothing to send.
        let reacted = returned
            .react_by_comment(&comment_by(
                &returned,
                Role::Specialist,
                "2025-03-10T12:00:00Z",
            ))
            .expect("a reaction");
        assert_eq!(reacted.status, Status::InProgress);
        assert!(!reacted.sla.is_running() && !reacted.sla.breached);
        assert_eq!(reacted.sla.reacted_at, Some(utc("2025-03-10T12:00:00Z")));
        assert_eq!(reacted.version, returned.version + 1);
        assert!(reacted.sla_watch(&c, utc("2025-03-12T09:00:00Z")).is_none());
        // A second comment owes nothing and changes nothing.
        assert!(
            reacted
                .react_by_comment(&comment_by(&reacted, Role::Admin, "2025-03-10T12:30:00Z"))
                .is_none()
        );
    }

    #[test]
    fn a_late_comment_is_a_late_reaction_and_others_words_are_none() {
        let t = file("high", "2025-03-10T07:00:00Z");
        // The dealer's own comment and the account manager's do not answer the SLA.
        for role in [Role::Dealer, Role::AccountManager] {
            assert!(
                t.react_by_comment(&comment_by(&t, role, "2025-03-10T08:00:00Z"))
                    .is_none(),
                "{role:?}"
            );
        }
        // Due 13:00 MSK; the admin comments at 14:00 MSK: late, breached for good.
        let late = t
            .react_by_comment(&comment_by(&t, Role::Admin, "2025-03-10T11:00:00Z"))
            .unwrap();
        assert!(late.sla.breached && !late.sla.is_running());
    }

    // --- auto-acceptance ---

    fn in_review_at(at: &str) -> Ticket {
        let t = file("medium", "2025-03-03T07:00:00Z");
        let t = act(&t, &specialist(), Action::Take, "2025-03-03T07:10:00Z");
        act(&t, &specialist(), Action::SendForReview, at)
    }

    #[test]
    fn a_result_in_review_is_accepted_after_three_working_days_and_not_before() {
        let c = cal();
        // Sent for review Mon 10.03.2025 10:00 MSK → accepted from Thu 13.03 10:00 MSK.
        let t = in_review_at("2025-03-10T07:00:00Z");
        assert_eq!(t.auto_accept_at(&c, 3), Some(utc("2025-03-13T07:00:00Z")));
        // Two working days and 23 hours: Thu 09:00 MSK — not yet.
        let early = utc("2025-03-10T07:00:00Z") + Duration::days(2) + Duration::hours(23);
        assert!(!t.is_auto_accept_due(&c, 3, early));
        assert!(t.is_auto_accept_due(&c, 3, utc("2025-03-13T07:00:00Z")));
        let (done, event) = t.auto_accept(&c, utc("2025-03-13T07:00:00Z")).unwrap();
        assert_eq!(done.status, Status::Resolved);
        assert_eq!(event.action, Some(Action::AutoAccept));
        assert_eq!(event.actor_id, None);
        assert!(event.comment.as_deref().unwrap().contains("автоматически"));
        // The dealer hears of it.
        let notices = done.notices(&event);
        assert_eq!(
            notices[0].audience,
            Audience::DealerStaff {
                dealer_id: DealerId::new("d1")
            }
        );
        assert_eq!(notices[0].params["action_label"], "Принято автоматически");
    }

    #[test]
    fn auto_acceptance_counts_working_days_across_a_weekend_and_a_holiday() {
        let c = cal();
        // Thu 06.03.2025 15:00 MSK: Fri 07.03 (1, shortened), 08.03 holiday, Sunday,
        // Mon 10.03 (2), Tue 11.03 (3) → Tue 11.03 15:00 MSK; five calendar days.
        let t = in_review_at("2025-03-06T12:00:00Z");
        assert_eq!(t.auto_accept_at(&c, 3), Some(utc("2025-03-11T12:00:00Z")));
        assert!(!t.is_auto_accept_due(&c, 3, utc("2025-03-10T12:00:00Z")));
        assert!(t.is_auto_accept_due(&c, 3, utc("2025-03-11T12:00:00Z")));
    }

    #[test]
    fn only_a_ticket_in_review_is_ever_auto_accepted() {
        let c = cal();
        let t = file("low", "2025-03-03T07:00:00Z");
        assert_eq!(t.auto_accept_at(&c, 3), None);
        assert!(!t.is_auto_accept_due(&c, 3, utc("2030-01-01T00:00:00Z")));
        let asked = act(&t, &specialist(), Action::AskInfo, "2025-03-03T08:00:00Z");
        assert_eq!(asked.status, Status::NeedInfo(Resume::Accepted));
        assert_eq!(asked.auto_accept_at(&c, 3), None);
    }

    // --- a calendar edit ---

    #[test]
    fn a_day_made_non_working_moves_a_running_due_time() {
        // Mon 10.03.2025 17:00 MSK, high: 1 h Monday, 2 h Tuesday → Tue 11:00 MSK.
        let t = file("high", "2025-03-10T14:00:00Z");
        assert_eq!(t.sla.due_at, Some(utc("2025-03-11T08:00:00Z")));
        let mut year = cal().year(2025).into_owned();
        year.set_day(
            NaiveDate::from_ymd_opt(2025, 3, 11).unwrap(),
            DayKind::NonWorking,
        )
        .unwrap();
        let mut edited = cal();
        edited.set_year(year);
        let moved = t.recount_sla(&edited).unwrap();
        assert_eq!(moved.sla.due_at, Some(utc("2025-03-12T08:00:00Z")));
        assert_eq!(moved.version, t.version + 1);
        assert!(moved.recount_sla(&edited).is_none(), "nothing moves twice");
        // A paused clock has nothing to move.
        let asked = act(&t, &specialist(), Action::AskInfo, "2025-03-10T14:10:00Z");
        assert!(asked.recount_sla(&edited).is_none());
    }
}
