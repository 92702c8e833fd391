//! Processing control (SPEC §4.4): each dealer's working hours for leads (edited by admins
//! and the dealer's account manager), the network's routing rules and representatives'
//! assignments (edited by the brand head office), the escalation job and the
//! representative's live view of overdue leads.

pub mod api;
pub mod jobs;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::visibility::ensure_visible;
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::lead::{DealerHours, DealerHoursDraft};
use dealerdesk_domain::{Actor, DealerId};
use dealerdesk_store::{DealerRecord, DirectoryRepo, LeadNetworkRepo};

/// The hours a dealer works until someone sets them: Monday to Friday 09:00–18:00 in the
/// dealer's time zone (Moscow when the directory's zone is not a Russian one).
pub fn default_hours(dealer: &DealerRecord) -> DealerHours {
    DealerHours::default_for(&dealer.timezone)
}

/// The hours the escalation clock of `dealer` counts in: the saved ones, else the default
/// in the dealer's zone (Moscow for a dealer not in the directory).
pub async fn hours_in_force(state: &AppState, dealer: &DealerId) -> Result<DealerHours, AppError> {
    if let Some(hours) = state.store.dealer_hours(dealer).await? {
        return Ok(hours);
    }
    Ok(match state.store.dealer(dealer).await? {
        Some(record) => default_hours(&record),
        None => DealerHours::default_for(""),
    })
}

/// One dealer's hours as an editor sees them.
#[derive(Clone, Debug)]
pub struct HoursOfDealer {
    pub dealer: DealerRecord,
    pub hours: DealerHours,
    /// Whether the hours were ever saved (otherwise they are the default).
    pub saved: bool,
}

/// The dealer, if the actor may edit its hours: 403 for a role that never may, 404 for a
/// dealer outside the actor's scope or unknown.
async fn editable_dealer(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<DealerRecord, AppError> {
    ensure_visible(state, actor, Area::DealerHours, dealer).await?;
    state
        .store
        .dealer(dealer)
        .await?
        .ok_or_else(AppError::not_found)
}

/// The dealer's hours for an admin or its account manager.
pub async fn hours(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
) -> Result<HoursOfDealer, AppError> {
    let record = editable_dealer(state, actor, dealer).await?;
    Ok(match state.store.dealer_hours(dealer).await? {
        Some(hours) => HoursOfDealer {
            dealer: record,
            hours,
            saved: true,
        },
        None => HoursOfDealer {
            hours: default_hours(&record),
            dealer: record,
            saved: false,
        },
    })
}

/// An admin or the dealer's account manager sets the dealer's hours, checked field by
/// field first; the escalation clock of leads counts in them from then on.
pub async fn change_hours(
    state: &AppState,
    actor: &Actor,
    dealer: &DealerId,
    draft: &DealerHoursDraft,
) -> Result<HoursOfDealer, AppError> {
    let current = hours(state, actor, dealer).await?;
    let next = draft.validate()?;
    if current.saved && next == current.hours {
        return Ok(current);
    }
    state
        .store
        .put_dealer_hours(dealer, &next, state.clock.now(), Some(&actor.user_id))
        .await?;
    tracing::info!(dealer = %dealer, by = %actor.user_id, "dealer hours changed");
    Ok(HoursOfDealer {
        hours: next,
        saved: true,
        dealer: current.dealer,
    })
}
