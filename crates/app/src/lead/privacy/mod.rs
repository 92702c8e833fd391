//! Personal data (152-ФЗ): a customer's request to withdraw consent or be forgotten. The
//! platform operator (the `admin` role, nobody else) anonymises the customer: the personal
//! fields of the profile and of every lead of the person are replaced (the domain's
//! `privacy.rs`), the stored history scrubbed of personal texts, the identity claims
//! released — while the leads' key properties, statuses and stamped times stay for the
//! network's statistics. Each lead gets a history line naming who did it, and the survey
//! never goes to an anonymised customer (its due marker is removed, and the job and the
//! page check again).

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::ids::is_ulid;
use chrono::{DateTime, Utc};
use dealerdesk_domain::lead::{CustomerId, CustomerProfile, Lead, LeadHistoryEntry};
use dealerdesk_domain::{Actor, Role};
use dealerdesk_store::{CustomerRepo, CustomerWrite, LeadErasure, LeadRepo, LeadSurveyRepo};

/// A customer id from the path: a ULID, or a 404 before any store call.
pub fn customer_id(raw: &str) -> Result<CustomerId, AppError> {
    if is_ulid(raw) {
        Ok(CustomerId::new(raw))
    } else {
        Err(AppError::not_found())
    }
}

/// Only the platform operator anonymises (every other role: 403).
fn check_admin(actor: &Actor) -> Result<(), AppError> {
    match actor.role {
        Role::Admin => Ok(()),
        _ => Err(AppError::forbidden()),
    }
}

/// The profile, for the admin's confirmation page.
pub async fn profile(
    state: &AppState,
    actor: &Actor,
    id: &CustomerId,
) -> Result<CustomerProfile, AppError> {
    check_admin(actor)?;
    state
        .store
        .customer(id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Anonymises the customer `id` and every lead of theirs (see the module's documentation).
/// Anonymising twice changes nothing and answers the same; a change made meanwhile is a
/// 409 (nothing written), after which the admin simply tries again.
pub async fn anonymise(
    state: &AppState,
    actor: &Actor,
    id: &CustomerId,
    now: DateTime<Utc>,
) -> Result<(CustomerProfile, usize), AppError> {
    let before = profile(state, actor, id).await?;
    let mut leads: Vec<(Lead, Lead, Vec<LeadHistoryEntry>)> = Vec::new();
    for lead_id in before.leads() {
        let Some(lead) = state.store.lead(lead_id).await? else {
            continue;
        };
        let (after, mut history) = lead.anonymise(now);
        for entry in &mut history {
            entry.by = Some(actor.user_id.clone());
        }
        leads.push((lead, after, history));
    }
    // The identity claims this profile holds (a phone or e-mail it only lists may be
    // another profile's claim, flagged for a merge: that one stays).
    let mut released = Vec::new();
    for identity in before.identity_keys() {
        if state.store.customer_by_key(&identity).await?.as_ref() == Some(id) {
            released.push(identity);
        }
    }
    let after = before.anonymise(now);
    let erasures: Vec<LeadErasure<'_>> = leads
        .iter()
        .map(|(before, after, history)| LeadErasure {
            lead: after,
            expected_version: before.version(),
            history,
        })
        .collect();
    state
        .store
        .anonymise_customer(
            CustomerWrite {
                profile: &after,
                expected_version: before.version(),
                new_claims: Vec::new(),
            },
            &released,
            &erasures,
        )
        .await?;
    tracing::info!(customer = %id, by = %actor.user_id, leads = erasures.len(), "customer anonymised (152-ФЗ)");
    Ok((after, erasures.len()))
}
