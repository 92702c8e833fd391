//! The escalation area's portal pages: «Часы работы» of a dealer (`/dealers/{id}/hours`),
//! for admins and the dealer's account manager.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::kernel::visibility::ensure_area;
use crate::lead::escalation::{self, views};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::DealerId;
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::lead::{DealerHoursDraft, weekday_codes};
use minijinja::context;

/// What the form shows again after a refusal: the values as typed.
fn typed_rows(draft: &DealerHoursDraft) -> serde_json::Value {
    let codes = weekday_codes();
    let week: serde_json::Map<_, _> = draft
        .week
        .iter()
        .enumerate()
        .map(|(i, (open, close))| {
            (
                codes[i].to_string(),
                serde_json::json!({"open": open, "close": close}),
            )
        })
        .collect();
    serde_json::json!({
        "tz": draft.tz,
        "week": week,
        "shortened_by_minutes": draft.shortened_by_minutes,
    })
}

async fn page(
    state: &AppState,
    caller: &PortalCaller,
    dealer: &DealerId,
    status: StatusCode,
    saved: bool,
    error: Option<&AppError>,
    typed: Option<&DealerHoursDraft>,
) -> Response {
    match escalation::hours(state, caller.actor(), dealer).await {
        Ok(h) => {
            let view = views::DealerHoursView::new(&h);
            let shown = typed.cloned().unwrap_or_else(|| DealerHoursDraft::of(&h.hours));
            let fields: Vec<&str> = error
                .map(|e| e.field_errors().into_iter().map(|(f, _)| f).collect())
                .unwrap_or_default();
            render(
                state,
                status,
                "lead/escalation/hours.html",
                context! {
                    me => caller.layout(),
                    hours => serde_value(&view),
                    typed => typed_rows(&shown),
                    zones => serde_value(views::zone_options()),
                    saved => saved,
                    error => error.map(AppError::message_ru),
                    bad_fields => fields,
                },
            )
        }
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /dealers/{id}/hours`
pub async fn hours_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(dealer): IdPath<DealerId>,
    RawQuery(query): RawQuery,
) -> Response {
    let saved = query.as_deref() == Some("saved=1");
    page(&state, &caller, &dealer, StatusCode::OK, saved, None, None).await
}

/// `POST /dealers/{id}/hours`
pub async fn save_hours(
    State(state): State<AppState>,
    IdPath(dealer): IdPath<DealerId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    if let Err(e) = ensure_area(caller.actor(), Area::DealerHours) {
        return error_page(&state, Some(caller), &e);
    }
    let codes = weekday_codes();
    let mut draft = DealerHoursDraft {
        tz: form.get("tz"),
        shortened_by_minutes: form.get("shortened_by_minutes"),
        ..DealerHoursDraft::default()
    };
    for (i, code) in codes.iter().enumerate() {
        // A day with neither time is closed.
        draft.week[i] = (
            form.get(&format!("week.{code}.open")),
            form.get(&format!("week.{code}.close")),
        );
    }
    match escalation::change_hours(&state, caller.actor(), &dealer, &draft).await {
        Ok(_) => Redirect::to(&format!("/dealers/{dealer}/hours?saved=1")).into_response(),
        Err(e) => {
            page(
                &state,
                caller,
                &dealer,
                e.status(),
                false,
                Some(&e),
                Some(&draft),
            )
            .await
        }
    }
}
