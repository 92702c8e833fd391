//! The settings' JSON API, the admin's only (anyone else: 403 before the body is read).
//!
//! - `GET /api/admin/settings` — `{"auto_accept_days": 3, "version": 0, "history": [...]}`;
//! - `PUT /api/admin/settings` — `{"auto_accept_days": 5, "version": 0}`, the version the
//!   admin saw; a stale one is 409. Answers as `GET`.

use crate::AppState;
use crate::calendar::ensure_admin;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::names::user_names;
use crate::settings::{self, views::SettingsView};
use axum::Json;
use axum::extract::State;
use dealerdesk_domain::{Actor, SettingsDraft};
use serde::Deserialize;
use serde_json::Value;

/// The settings and their history with the authors' names.
pub(crate) async fn view(state: &AppState, actor: &Actor) -> Result<SettingsView, AppError> {
    let (current, history) = settings::with_history(state, actor).await?;
    let people: Vec<_> = history.iter().map(|c| c.actor_id.clone()).collect();
    let names = user_names(state, &people).await?;
    Ok(SettingsView::new(&current, &history, &names))
}

/// `GET /api/admin/settings`
#[utoipa::path(get, path = "/api/admin/settings", tag = "settings", responses((status = 200, description = "The settings and their history, newest change first.", body = SettingsView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<SettingsView>, AppError> {
    Ok(Json(view(&state, &caller.actor).await?))
}

/// A change of the settings, against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SettingsBody {
    /// Working days, 1–30.
    #[schema(value_type = u32)]
    auto_accept_days: Option<Value>,
    /// The `version` of the settings the admin saw.
    version: Option<u64>,
}

/// `PUT /api/admin/settings`
#[utoipa::path(put, path = "/api/admin/settings", tag = "settings", request_body = SettingsBody, responses((status = 200, description = "The settings and their history after the change.", body = SettingsView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    JsonBody(body): JsonBody<SettingsBody>,
) -> Result<Json<SettingsView>, AppError> {
    ensure_admin(&caller.actor)?;
    let version = body.version.ok_or_else(|| {
        AppError::bad_request(
            "version_required",
            "Укажите версию настроек, которую вы видели (поле version): так чужое изменение не потеряется.",
        )
    })?;
    // A number or numeric text; anything else is the domain's message about the field.
    let raw = body.auto_accept_days.and_then(|v| match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    });
    let draft = SettingsDraft {
        auto_accept_days: raw,
    };
    settings::change(&state, &caller.actor, &draft, version).await?;
    Ok(Json(view(&state, &caller.actor).await?))
}
