//! How the inbox looks on the outside.

use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_store::InboxEntry;
use serde::Serialize;
use utoipa::ToSchema;

/// Adds the inbox page.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "notifications.html",
        include_str!("../../templates/notifications.html"),
    );
}

/// One notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    /// A short Russian title.
    pub title: String,
    /// The portal path it leads to (`/tickets/<id>`, `/wishes/<id>`, `/leads/<id>`).
    pub link: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// Moscow time, as the portal shows it.
    pub at_local: String,
    pub read: bool,
}

impl NotificationView {
    pub fn new(entry: &InboxEntry) -> Self {
        NotificationView {
            id: entry.id.clone(),
            title: entry.title.clone(),
            link: entry.link.clone(),
            at: utc(entry.at),
            at_local: local(entry.at),
            read: entry.read,
        }
    }
}

/// A page of the inbox and the unread count.
#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// Unread notifications in the whole inbox.
    pub unread: u64,
}

/// What marking read answers.
#[derive(Serialize, ToSchema)]
pub struct ReadView {
    /// How many were marked now (0 when already read).
    pub marked: u64,
    /// Unread notifications left.
    pub unread: u64,
}
