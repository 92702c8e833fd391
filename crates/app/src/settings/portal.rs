//! The admin's settings page (`/admin/settings`): the working days of auto-acceptance with
//! a form to change them, and the history of changes. Admin only; everyone else gets the
//! 403 page.

use crate::AppState;
use crate::calendar::ensure_admin;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::settings::{self, api::view};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::SettingsDraft;
use dealerdesk_domain::settings::AUTO_ACCEPT_DAYS_RANGE;
use minijinja::context;

async fn page(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    saved: bool,
    error: Option<&AppError>,
    typed: Option<&str>,
) -> Response {
    match view(state, &caller.principal.actor).await {
        Ok(v) => render(
            state,
            status,
            "admin_settings.html",
            context! {
                me => caller.layout(),
                settings => serde_value(&v),
                typed => typed,
                min_days => AUTO_ACCEPT_DAYS_RANGE.start(),
                max_days => AUTO_ACCEPT_DAYS_RANGE.end(),
                saved => saved,
                error => error.map(AppError::message_ru),
            },
        ),
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /admin/settings`
pub async fn settings_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let saved = query.as_deref() == Some("saved=1");
    page(&state, &caller, StatusCode::OK, saved, None, None).await
}

/// `POST /admin/settings`
pub async fn save_settings(
    State(state): State<AppState>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let actor = &caller.principal.actor;
    if let Err(e) = ensure_admin(actor) {
        return error_page(&state, Some(&caller), &e);
    }
    let typed = fields.get("auto_accept_days").cloned();
    let result = async {
        let version = fields
            .get("version")
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| AppError::bad_request("bad_form", "Форма заполнена некорректно."))?;
        let draft = SettingsDraft {
            auto_accept_days: typed.clone(),
        };
        settings::change(&state, actor, &draft, version).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/admin/settings?saved=1").into_response(),
        Err(e) => {
            page(
                &state,
                &caller,
                e.status(),
                false,
                Some(&e),
                typed.as_deref(),
            )
            .await
        }
    }
}
