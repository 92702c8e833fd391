//! The portal's notification inbox (issue 8): every notice the outbox delivers to people
//! of the platform also lands in each recipient's inbox, for every role. The header shows
//! the unread count (one read, `PortalCaller`); `/notifications` lists the entries with a
//! link to what they are about; each user reads and marks only their own inbox (another
//! user's entry is a 404, as one that does not exist).
//!
//! What an entry says is derived in one place, [`headline`]: the title is the notice's
//! e-mail subject (each notice kind already has a short Russian one), the link follows from
//! its parameters (the lead, the wish or the ticket it is about).

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::ids::{PathId, is_ulid};
use dealerdesk_domain::{Actor, Notice, UserId};
use dealerdesk_store::{InboxEntry, InboxRepo, Page, PageRequest};
use minijinja::Environment;
use sha2::{Digest, Sha256};

/// The id of one inbox entry: a ULID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationId(pub String);

impl PathId for NotificationId {
    fn parse(raw: &str) -> Option<Self> {
        is_ulid(raw).then(|| NotificationId(raw.to_string()))
    }
}

impl std::fmt::Display for NotificationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an inbox entry shows of a notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headline {
    /// A short Russian title: the notice's e-mail subject.
    pub title: String,
    /// A portal path.
    pub link: String,
}

/// The one place that says what a notice looks like in the inbox. An unknown notice kind
/// is an error (the notice is then retried like a letter that failed, not shown empty).
pub fn headline(env: &Environment<'static>, notice: &Notice) -> Result<Headline, String> {
    let title = env
        .get_template(&format!("email/{}.subject", notice.template))
        .and_then(|t| t.render(&notice.params))
        .map_err(|e| format!("template {}.subject: {e}", notice.template))?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Headline {
        title,
        link: link(notice),
    })
}

/// Where a notice leads: the lead, the wish or the ticket it names (a cost notice to the
/// ticket's cost block); a cost reminder to the finished tickets; anything else to the inbox.
pub fn link(notice: &Notice) -> String {
    let param = |name: &str| {
        notice
            .params
            .get(name)
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric()))
    };
    let cost = notice.template.starts_with("cost");
    if let Some(id) = param("lead_id") {
        format!("/leads/{id}")
    } else if let Some(id) = param("wish_id") {
        format!("/wishes/{id}")
    } else if let Some(id) = param("ticket_id") {
        if cost {
            format!("/tickets/{id}#cost")
        } else {
            format!("/tickets/{id}")
        }
    } else if cost {
        "/tickets?state=done".to_string()
    } else if notice.template.starts_with("document") {
        "/documents".to_string()
    } else {
        "/notifications".to_string()
    }
}

/// The id of `notice`'s entry in `user`'s inbox: a ULID with the notice's time and a
/// random part derived from the notice's key and the user, so a repeated delivery writes
/// the same entry (and the store keeps it once).
pub fn entry_id(notice: &Notice, user: &UserId) -> String {
    let digest = Sha256::digest(format!("{}\n{}", notice.key, user).as_bytes());
    let mut random = [0u8; 16];
    random.copy_from_slice(&digest[..16]);
    let millis = u64::try_from(notice.created_at.timestamp_millis()).unwrap_or(0);
    ulid::Ulid::from_parts(millis, u128::from_be_bytes(random)).to_string()
}

/// Puts `notice` in each user's inbox (once per user, however often it is delivered).
pub async fn deliver(
    state: &AppState,
    notice: &Notice,
    users: &[UserId],
) -> Result<Result<(), String>, AppError> {
    if users.is_empty() {
        return Ok(Ok(()));
    }
    let headline = match headline(state.templates.get(), notice) {
        Ok(h) => h,
        Err(e) => return Ok(Err(e)),
    };
    for user in users {
        let entry = InboxEntry {
            id: entry_id(notice, user),
            notice_key: notice.key.clone(),
            title: headline.title.clone(),
            link: headline.link.clone(),
            at: notice.created_at,
            read: false,
        };
        state.store.deliver_to_inbox(user, &entry).await?;
    }
    Ok(Ok(()))
}

/// A page of the caller's inbox, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<InboxEntry>, AppError> {
    Ok(state.store.inbox_page(&actor.user_id, page).await?)
}

/// How many of the caller's entries are unread.
pub async fn unread(state: &AppState, actor: &Actor) -> Result<u64, AppError> {
    Ok(state.store.unread_count(&actor.user_id).await?)
}

/// Marks one of the caller's entries read and returns it; someone else's is a 404.
pub async fn read(
    state: &AppState,
    actor: &Actor,
    id: &NotificationId,
) -> Result<InboxEntry, AppError> {
    let now = state.clock.now();
    state
        .store
        .mark_read(&actor.user_id, &id.0, now)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Marks every entry of the caller's read; returns how many were unread.
pub async fn read_all(state: &AppState, actor: &Actor) -> Result<u64, AppError> {
    let now = state.clock.now();
    Ok(state.store.mark_all_read(&actor.user_id, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use dealerdesk_domain::Audience;

    fn notice(template: &str) -> Notice {
        Notice::new(
            "ticket:01T:v2",
            template,
            Audience::Address {
                email: "x@example.ru".into(),
            },
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
        )
    }

    #[test]
    fn a_notice_links_to_what_it_is_about() {
        let t = notice("ticket_moved").with("ticket_id", "01T");
        assert_eq!(link(&t), "/tickets/01T");
        let c = notice("cost_step").with("ticket_id", "01T");
        assert_eq!(link(&c), "/tickets/01T#cost");
        assert_eq!(link(&notice("cost_reminder")), "/tickets?state=done");
        let w = notice("wish_status").with("wish_id", "01W");
        assert_eq!(link(&w), "/wishes/01W");
        let l = notice("lead_new")
            .with("lead_id", "01L")
            .with("ticket_id", "x");
        assert_eq!(link(&l), "/leads/01L");
        let odd = notice("ticket_moved").with("ticket_id", "../admin");
        assert_eq!(
            link(&odd),
            "/notifications",
            "never a path out of a parameter"
        );
    }

    #[test]
    fn an_entrys_id_is_the_same_for_the_same_notice_and_user_only() {
        let n = notice("ticket_moved");
        let a = entry_id(&n, &UserId::new("u1"));
        assert!(is_ulid(&a));
        assert_eq!(a, entry_id(&n, &UserId::new("u1")));
        assert_ne!(a, entry_id(&n, &UserId::new("u2")));
        let other = Notice {
            key: "ticket:01T:v3".into(),
            ..n.clone()
        };
        assert_ne!(a, entry_id(&other, &UserId::new("u1")));
        assert_eq!(
            ulid::Ulid::from_string(&a).unwrap().timestamp_ms(),
            n.created_at.timestamp_millis() as u64
        );
    }

    #[test]
    fn the_title_is_the_notices_subject_on_one_line() {
        let env = crate::kernel::templates::environment(&[crate::outbox::mail::add_templates]);
        let n = notice("wish_status")
            .with("wish_id", "01W")
            .with("title", "Фильтр по цвету")
            .with("status_label", "Принято в работу");
        let h = headline(&env, &n).unwrap();
        assert_eq!(h.title, "Пожелание «Фильтр по цвету»: Принято в работу");
        assert_eq!(h.link, "/wishes/01W");
        assert!(headline(&env, &notice("nope")).is_err());
    }
}
