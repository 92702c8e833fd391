//! The dashboard's JSON API.

use crate::AppState;
use crate::dashboard::{self, views::DashboardView};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;

/// `?dealer=` for staff.
#[derive(Deserialize)]
pub struct DashboardQuery {
    dealer: Option<String>,
}

/// `GET /api/dashboard?dealer=`: the dealer's (or its accountant's) dashboard figures; the
/// dealer's account manager and admins name the dealer.
#[utoipa::path(get, path = "/api/dashboard", tag = "dashboard", params(("dealer" = Option<String>, Query, description = "The dealer (staff only; a dealer or accountant gets its own).")), responses((status = 200, description = "The quarter's costs, the package, open tickets, wishes, the survey banner.", body = DashboardView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_dashboard(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<DashboardQuery>,
) -> Result<Json<DashboardView>, AppError> {
    let d = dashboard::dashboard(
        &state,
        &caller.actor,
        query.dealer.as_deref(),
        state.clock.now(),
    )
    .await?;
    Ok(Json(DashboardView::new(&d, &state.settings.kb_url)))
}
