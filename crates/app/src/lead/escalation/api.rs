//! The escalation area's JSON API.
//!
//! - `GET /api/dealers/{id}/hours` — the dealer's working hours for leads;
//! - `PUT /api/dealers/{id}/hours` — `{"tz": "Asia/Vladivostok", "week": {"mon": {"open":
//!   "09:00", "close": "20:00"}, …, "sun": null}, "shortened_by_minutes": 60}`;
//!   a weekday missing or `null` is closed. Answers as `GET`.
//!
//! Admins and the dealer's account manager only: any other role is 403, another manager's
//! dealer 404.

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::kernel::visibility::ensure_area;
use crate::lead::escalation::{self, views::DealerHoursView};
use axum::Json;
use axum::extract::State;
use dealerdesk_domain::kernel::{Area, FieldError, Refusal, RefusalKind};
use dealerdesk_domain::lead::{DealerHoursDraft, weekday_codes};
use dealerdesk_domain::DealerId;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// `GET /api/dealers/{id}/hours`
#[utoipa::path(get, path = "/api/dealers/{id}/hours", tag = "leads", params(("id" = String, Path, description = "The dealer")), responses((status = 200, description = "The dealer's working hours for leads.", body = DealerHoursView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_hours(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
) -> Result<Json<DealerHoursView>, AppError> {
    let hours = escalation::hours(&state, &caller.actor, &dealer).await?;
    Ok(Json(DealerHoursView::new(&hours)))
}

/// One weekday's hours in a change.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DayBody {
    /// `ЧЧ:ММ`.
    open: Option<String>,
    /// `ЧЧ:ММ`.
    close: Option<String>,
}

/// A dealer's new hours.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct HoursBody {
    /// An IANA zone, Kaliningrad to Kamchatka.
    tz: Option<String>,
    /// `mon` … `sun`; a day missing or `null` is closed.
    #[schema(value_type = Object)]
    week: Option<BTreeMap<String, Option<DayBody>>>,
    /// Minutes a pre-holiday day closes early (default 60).
    #[schema(value_type = u32)]
    shortened_by_minutes: Option<Value>,
}

/// The body as the domain's draft; an unknown weekday is the `week` field's fault.
fn draft_of(body: HoursBody) -> Result<DealerHoursDraft, AppError> {
    let codes = weekday_codes();
    let mut draft = DealerHoursDraft {
        tz: body.tz,
        shortened_by_minutes: body.shortened_by_minutes.and_then(|v| match v {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }),
        ..DealerHoursDraft::default()
    };
    for (day, hours) in body.week.unwrap_or_default() {
        let Some(i) = codes.iter().position(|c| *c == day) else {
            let message = "Дни недели в поле week: mon, tue, wed, thu, fri, sat, sun.";
            return Err(AppError::Refused(
                Refusal::new(RefusalKind::Invalid, "validation_failed", message).with_fields(
                    vec![FieldError {
                        field: "week",
                        message: message.to_string(),
                    }],
                ),
            ));
        };
        if let Some(DayBody { open, close }) = hours {
            draft.week[i] = (open, close);
        }
    }
    Ok(draft)
}

/// `PUT /api/dealers/{id}/hours`
#[utoipa::path(put, path = "/api/dealers/{id}/hours", tag = "leads", params(("id" = String, Path, description = "The dealer")), request_body = HoursBody, responses((status = 200, description = "The dealer's hours after the change.", body = DealerHoursView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn put_hours(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
    JsonBody(body): JsonBody<HoursBody>,
) -> Result<Json<DealerHoursView>, AppError> {
    ensure_area(&caller.actor, Area::DealerHours)?;
    let draft = draft_of(body)?;
    let hours = escalation::change_hours(&state, &caller.actor, &dealer, &draft).await?;
    Ok(Json(DealerHoursView::new(&hours)))
}
