//! The platform's settings the admin changes at run time (SPEC §2.4: the working days of
//! auto-acceptance, «настройка администратора»), stored in the table with their history:
//! the use cases, the JSON API (`/api/admin/settings`) and the portal page
//! (`/admin/settings`).
//!
//! The settings are read where they are used (the auto-accept job, the card of a ticket
//! under review, the e-mail that sends a result for review), never cached: a Lambda that
//! kept a copy would accept on last week's number after the admin's change.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::calendar::ensure_admin;
use crate::kernel::error::AppError;
use dealerdesk_domain::{Actor, PlatformSettings, SettingChange, SettingsDraft};
use dealerdesk_store::SettingsRepo;

/// The settings in force (the defaults of SPEC on a fresh table).
pub async fn current(state: &AppState) -> Result<PlatformSettings, AppError> {
    Ok(state.store.settings().await?)
}

/// The settings and their history, oldest change first, for the admin.
pub async fn with_history(
    state: &AppState,
    actor: &Actor,
) -> Result<(PlatformSettings, Vec<SettingChange>), AppError> {
    ensure_admin(actor)?;
    let settings = state.store.settings().await?;
    let history = state.store.settings_history().await?;
    Ok((settings, history))
}

/// The admin changes the settings against the version they saw (a stale one is 409);
/// every changed value is recorded with who, when, old → new.
pub async fn change(
    state: &AppState,
    actor: &Actor,
    draft: &SettingsDraft,
    seen_version: u64,
) -> Result<PlatformSettings, AppError> {
    ensure_admin(actor)?;
    let settings = state.store.settings().await?;
    if settings.version != seen_version {
        return Err(AppError::stale(dealerdesk_store::Entity::Settings));
    }
    let (next, changes) = settings.change(actor, draft, state.clock.now())?;
    if changes.is_empty() {
        return Ok(settings);
    }
    state
        .store
        .save_settings(&settings, &next, &changes)
        .await?;
    tracing::info!(
        auto_accept_days = next.auto_accept_days,
        version = next.version,
        "settings changed"
    );
    Ok(next)
}
