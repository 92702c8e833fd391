//! The audit log (SPEC §4.7): the admin's search of every change (`GET /api/audit`, the
//! portal's «Журнал изменений» at `/admin/audit`) and the «История изменений» of one item,
//! which the ticket, wish and lead cards show to whoever may see the item.
//!
//! The entries are written by the store's kernel with each change (see
//! `dealerdesk_store::AuditStamp`); this feature only reads them.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use dealerdesk_domain::Actor;
use dealerdesk_domain::audit::{AuditEntry, AuditError, AuditItem, AuditQueryDraft, may_search};
use dealerdesk_store::{AuditRepo, Page, PageRequest};

/// The admin's search: authenticate (done by the caller), the role, then the query.
pub async fn search(
    state: &AppState,
    actor: &Actor,
    draft: &AuditQueryDraft,
    page: &PageRequest,
) -> Result<Page<AuditEntry>, AppError> {
    if !may_search(actor.role) {
        return Err(AuditError::NotAdmin.into());
    }
    let query = draft.validate()?;
    Ok(state
        .store
        .audit_page(&query, page, state.clock.now())
        .await?)
}

/// One item's changes, newest first. The caller has already shown that the actor sees the
/// item (its card's own check), so this reads without another.
pub async fn item_history(state: &AppState, item: &AuditItem) -> Result<Vec<AuditEntry>, AppError> {
    let mut entries = state.store.item_audit(item).await?;
    entries.reverse();
    Ok(entries)
}
