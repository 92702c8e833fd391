//! How deletion looks: the API's answer to a delete or a restore, and the portal's pages.

use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_domain::audit::Deletion;
use serde::Serialize;
use utoipa::ToSchema;

/// An item after a delete or a restore.
#[derive(Serialize, ToSchema)]
pub struct DeletionView {
    /// The lead's or ticket's id.
    pub id: String,
    /// Its version now: send it with the next change.
    pub version: u64,
    /// Whether it is deleted now.
    pub deleted: bool,
    /// When it was deleted (RFC 3339 UTC); null when live.
    pub deleted_at: Option<String>,
    /// Moscow time, `02.12.2026 14:20`; null when live.
    pub deleted_at_local: Option<String>,
    /// Who deleted it; null when live.
    pub deleted_by: Option<String>,
}

impl DeletionView {
    /// The item `id` at `version` with its deletion state.
    pub fn new(id: &str, version: u64, deleted: Option<&Deletion>) -> Self {
        DeletionView {
            id: id.to_string(),
            version,
            deleted: deleted.is_some(),
            deleted_at: deleted.map(|d| utc(d.at)),
            deleted_at_local: deleted.map(|d| local(d.at)),
            deleted_by: deleted.map(|d| d.by.to_string()),
        }
    }
}

/// Adds the deleted lists and the confirmation page.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "restore/deleted.html",
        include_str!("../../templates/restore/deleted.html"),
    );
    templates::add(
        env,
        "restore/confirm.html",
        include_str!("../../templates/restore/confirm.html"),
    );
}
