//! How the audit log looks: the API's entries and the portal's tables.

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::names::user_names;
use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_domain::UserId;
use dealerdesk_domain::audit::{AuditEntry, AuditItem, FieldChange, field_label};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// Shown for the platform's own changes (a scheduled job, the SLA watch).
const PLATFORM: &str = "Система";

/// One field's change.
#[derive(Serialize, ToSchema)]
pub struct FieldChangeView {
    /// The field's path in the item (`status`, `data.contact.outcome`).
    pub field: String,
    /// Its Russian name, or the path when it has none.
    pub field_label: String,
    /// Before the change; null where the field was absent. Personal data masked.
    pub old: Option<String>,
    /// After the change; null where the field was removed. Personal data masked.
    pub new: Option<String>,
}

impl FieldChangeView {
    fn new(c: &FieldChange) -> Self {
        FieldChangeView {
            field: c.field.clone(),
            field_label: field_label(&c.field)
                .map(str::to_string)
                .unwrap_or_else(|| c.field.clone()),
            old: c.old.clone(),
            new: c.new.clone(),
        }
    }
}

/// One change of an item: who, when, what.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryView {
    /// `kind:id` (`ticket:DD-1001`).
    pub item: String,
    /// `ticket`, `lead`, `wish`, `user`, `settings`, `customer`, `lead_network`.
    pub item_kind: &'static str,
    pub item_kind_label: &'static str,
    pub item_id: String,
    /// The item's version this change produced.
    pub version: u64,
    /// RFC 3339 UTC.
    pub at: String,
    /// `02.12.2026 14:20`, Moscow time.
    pub at_local: String,
    /// Null for the platform itself.
    #[schema(value_type = Option<String>)]
    pub by: Option<UserId>,
    /// The person's name; «Система» for the platform.
    pub by_name: String,
    pub changes: Vec<FieldChangeView>,
}

impl AuditEntryView {
    /// The entry with the person's name from `names`.
    pub fn new(e: &AuditEntry, names: &HashMap<UserId, String>) -> Self {
        AuditEntryView {
            item: e.item.code(),
            item_kind: e.item.kind.code(),
            item_kind_label: e.item.kind.label(),
            item_id: e.item.id.clone(),
            version: e.version,
            at: utc(e.at),
            at_local: local(e.at),
            by: e.by.clone(),
            by_name: match &e.by {
                Some(id) => names.get(id).cloned().unwrap_or_else(|| id.to_string()),
                None => PLATFORM.to_string(),
            },
            changes: e.changes.iter().map(FieldChangeView::new).collect(),
        }
    }
}

/// A page of the log: `{items, next_cursor}`, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryView>,
    /// Pass as `cursor` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

/// Entries with their people's names.
pub async fn entry_views(
    state: &AppState,
    entries: &[AuditEntry],
) -> Result<Vec<AuditEntryView>, AppError> {
    let people: Vec<UserId> = entries.iter().filter_map(|e| e.by.clone()).collect();
    let names = user_names(state, &people).await?;
    Ok(entries
        .iter()
        .map(|e| AuditEntryView::new(e, &names))
        .collect())
}

/// The «История изменений» block of an item's card, newest first. Call it only after the
/// card has checked that the actor sees the item.
pub async fn card_block(
    state: &AppState,
    item: &AuditItem,
) -> Result<Vec<AuditEntryView>, AppError> {
    let entries = crate::audit::item_history(state, item).await?;
    entry_views(state, &entries).await
}

/// Adds the log's page and the cards' block.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "audit/admin_audit.html",
        include_str!("../../templates/audit/admin_audit.html"),
    );
    templates::add(
        env,
        "audit/history.html",
        include_str!("../../templates/audit/history.html"),
    );
}
