//! The one visibility check: the actor's scope in an area ([`Actor::scope`]) admits the
//! item's owner or not. A closed area is a 403; an item outside the scope is a 404, so its
//! existence does not leak. The dealer's account manager is looked up only when the scope
//! needs it.

use crate::AppState;
use crate::kernel::error::AppError;
use dealerdesk_domain::kernel::{Area, Owner};
use dealerdesk_domain::{Actor, DealerId};
use dealerdesk_store::{DealerRecord, DirectoryRepo};

/// 403 when `area` is closed to `actor`, before anything is read.
pub fn ensure_area(actor: &Actor, area: Area) -> Result<(), AppError> {
    if actor.scope(area).is_open() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// The dealers `actor` reaches in `area`, by name: the directory cut by the actor's scope
/// (every dealer, an account manager's own, a dealer itself); 403 when the area is closed
/// to the actor, before anything is read. The one place the pages that list dealers to act
/// on (hours, subscriptions, survey results) take their list from.
pub async fn dealers_in_area(
    state: &AppState,
    actor: &Actor,
    area: Area,
) -> Result<Vec<DealerRecord>, AppError> {
    ensure_area(actor, area)?;
    let scope = actor.scope(area);
    let mut dealers: Vec<DealerRecord> = state
        .store
        .dealers()
        .await?
        .into_iter()
        .filter(|d| {
            scope.admits(&Owner {
                dealer: &d.id,
                account_manager: d.account_manager_id.as_ref(),
            })
        })
        .collect();
    dealers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(dealers)
}

/// Refuses an actor without `area` (403) and hides an item of a dealer outside their scope
/// (404).
pub async fn ensure_visible(
    state: &AppState,
    actor: &Actor,
    area: Area,
    dealer: &DealerId,
) -> Result<(), AppError> {
    let scope = actor.scope(area);
    if !scope.is_open() {
        return Err(AppError::forbidden());
    }
    let manager = if scope.needs_account_manager() {
        state
            .store
            .dealer(dealer)
            .await?
            .and_then(|d| d.account_manager_id)
    } else {
        None
    };
    let owner = Owner {
        dealer,
        account_manager: manager.as_ref(),
    };
    if scope.admits(&owner) {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}

/// [`ensure_visible`] for a dealer already read: its account manager is on the record, so
/// the check costs no second read.
pub fn ensure_dealer_visible(
    actor: &Actor,
    area: Area,
    dealer: &DealerRecord,
) -> Result<(), AppError> {
    let scope = actor.scope(area);
    if !scope.is_open() {
        return Err(AppError::forbidden());
    }
    let owner = Owner {
        dealer: &dealer.id,
        account_manager: dealer.account_manager_id.as_ref(),
    };
    if scope.admits(&owner) {
        Ok(())
    } else {
        Err(AppError::not_found())
    }
}
