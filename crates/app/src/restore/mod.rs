//! Soft delete and restore of leads and tickets (SPEC §4.7): the head office and the admin
//! delete and restore leads, the admin tickets; the same roles list what is deleted. Each
//! step is a new version of the item, stored with its audit entry (and, for a lead, its
//! history line); nothing of the item is removed, so a restore brings it back with its
//! history intact.
//!
//! The order of checks is the product's: the caller (by the extractor), the role (403),
//! the item (404), the version seen (409), then the rule (409 when already deleted / not
//! deleted).

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use dealerdesk_domain::audit::{Deletable, DeletionError, may_delete, next_deletion};
use dealerdesk_domain::lead::{Lead, LeadId};
use dealerdesk_domain::{Actor, Ticket, TicketId};
use dealerdesk_store::{Entity, LeadRepo, Page, PageRequest, RestoreRepo, TicketRepo};

/// Refuses a role that does not delete and restore `what`.
pub fn ensure_may(actor: &Actor, what: Deletable) -> Result<(), AppError> {
    if may_delete(actor.role, what) {
        Ok(())
    } else {
        Err(DeletionError::NotAllowed(what).into())
    }
}

/// A page of the deleted leads (the head office, the admin).
pub async fn deleted_leads(
    state: &AppState,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<Lead>, AppError> {
    ensure_may(actor, Deletable::Lead)?;
    Ok(state.store.deleted_leads(page).await?)
}

/// A page of the deleted tickets (the admin).
pub async fn deleted_tickets(
    state: &AppState,
    actor: &Actor,
    page: &PageRequest,
) -> Result<Page<Ticket>, AppError> {
    ensure_may(actor, Deletable::Ticket)?;
    Ok(state.store.deleted_tickets(page).await?)
}

/// One lead, deleted or not, for those who delete and restore leads.
pub async fn lead(state: &AppState, actor: &Actor, id: &LeadId) -> Result<Lead, AppError> {
    ensure_may(actor, Deletable::Lead)?;
    state.store.lead(id).await?.ok_or_else(AppError::not_found)
}

/// One ticket, deleted or not, for the admin.
pub async fn ticket(state: &AppState, actor: &Actor, id: &TicketId) -> Result<Ticket, AppError> {
    ensure_may(actor, Deletable::Ticket)?;
    state
        .store
        .ticket(id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Deletes (`delete`) or restores a lead the caller saw at `version`.
pub async fn move_lead(
    state: &AppState,
    actor: &Actor,
    id: &LeadId,
    version: u64,
    delete: bool,
) -> Result<Lead, AppError> {
    let lead = lead(state, actor, id).await?;
    lead.check_version(version)?;
    let now = state.clock.now();
    let (next, history) = if delete {
        lead.delete(actor, now)?
    } else {
        lead.restore(actor, now)?
    };
    // The lead's own save: a restored lead's escalation, if still owed, is due again.
    crate::lead::save_change(state, &lead, &next, &history, &[]).await?;
    tracing::info!(lead = %id, delete, by = %actor.user_id, "lead deletion moved");
    Ok(next)
}

/// Deletes (`delete`) or restores a ticket the admin saw at `version`.
pub async fn move_ticket(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    version: u64,
    delete: bool,
) -> Result<Ticket, AppError> {
    let ticket = ticket(state, actor, id).await?;
    if ticket.version != version {
        return Err(AppError::stale(Entity::Ticket));
    }
    let now = state.clock.now();
    let deleted = next_deletion(
        Deletable::Ticket,
        ticket.deleted.as_ref(),
        actor.role,
        &actor.user_id,
        delete,
        now,
    )?;
    let next = Ticket {
        deleted,
        version: ticket.version + 1,
        updated_at: now,
        ..ticket.clone()
    };
    state
        .store
        .save_ticket_deletion(&ticket, &next, &actor.user_id, now)
        .await?;
    tracing::info!(ticket = %id, delete, by = %actor.user_id, "ticket deletion moved");
    Ok(next)
}
