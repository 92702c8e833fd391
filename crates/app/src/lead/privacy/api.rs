//! The anonymisation's JSON API.

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::ids::IdPath;
use crate::lead::privacy::{self, views::AnonymisedView, views::CustomerPrivacyView};
use axum::Json;
use axum::extract::State;

/// `POST /api/customers/{id}/anonymise`: the customer's personal data and those of all
/// their leads are replaced (152-ФЗ); admin only.
#[utoipa::path(post, path = "/api/customers/{id}/anonymise", tag = "leads", params(("id" = String, Path, description = "The customer profile id.")), responses((status = 200, description = "The anonymised profile and how many leads were anonymised.", body = AnonymisedView), (status = "4XX", description = "Refused: the `error` envelope (403 for every role but admin).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn anonymise_customer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<String>,
) -> Result<Json<AnonymisedView>, AppError> {
    let id = privacy::customer_id(&id)?;
    let (profile, leads) =
        privacy::anonymise(&state, &caller.actor, &id, state.clock.now()).await?;
    Ok(Json(AnonymisedView {
        customer: CustomerPrivacyView::new(&profile),
        leads_anonymised: leads,
    }))
}
