//! Names for display: people in a history, dealers in a list.

use crate::AppState;
use crate::kernel::error::AppError;
use dealerdesk_domain::{DealerId, UserId};
use dealerdesk_store::{DirectoryRepo, UserRepo};
use std::collections::HashMap;

/// Names of the people in a history, for display.
pub async fn user_names(
    state: &AppState,
    ids: &[UserId],
) -> Result<HashMap<UserId, String>, AppError> {
    let mut names = HashMap::new();
    for id in ids {
        if !names.contains_key(id)
            && let Some(user) = state.store.user(id).await?
        {
            names.insert(id.clone(), user.name);
        }
    }
    Ok(names)
}

/// Dealer names by id, for lists that span dealers.
pub async fn dealer_names(state: &AppState) -> Result<HashMap<DealerId, String>, AppError> {
    Ok(state
        .store
        .dealers()
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// One dealer's name (its id when the dealer is unknown).
pub async fn dealer_name(state: &AppState, dealer: &DealerId) -> Result<String, AppError> {
    Ok(state
        .store
        .dealer(dealer)
        .await?
        .map(|d| d.name)
        .unwrap_or_else(|| dealer.to_string()))
}
