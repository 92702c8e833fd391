//! The accountants' JSON API: invite, list, revoke.

use crate::AppState;
use crate::accountant::views::{AccountantList, AccountantView};
use crate::accountant::{self, InviteDraft};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::{IdPath, IdPath2};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::{DealerId, UserId};

/// `POST /api/dealers/{id}/accountants` `{email, name}`
#[utoipa::path(post, path = "/api/dealers/{id}/accountants", tag = "accountants", request_body(content = Object, description = "`{email, name}`."), params(("id" = String, Path, description = "The dealer.")), responses((status = 201, description = "The invited accountant; the invitation is e-mailed.", body = AccountantView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_invite(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
    JsonBody(draft): JsonBody<InviteDraft>,
) -> Result<Response, AppError> {
    let a = accountant::invite(&state, &caller.actor, &dealer, &draft).await?;
    Ok((StatusCode::CREATED, Json(AccountantView::new(&a))).into_response())
}

/// `GET /api/dealers/{id}/accountants`
#[utoipa::path(get, path = "/api/dealers/{id}/accountants", tag = "accountants", params(("id" = String, Path, description = "The dealer.")), responses((status = 200, description = "`{items}`: the dealer's accountants.", body = AccountantList), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(dealer): IdPath<DealerId>,
) -> Result<Json<AccountantList>, AppError> {
    let items = accountant::list(&state, &caller.actor, &dealer).await?;
    Ok(Json(AccountantList {
        items: items.iter().map(AccountantView::new).collect(),
    }))
}

/// `DELETE /api/dealers/{id}/accountants/{user}`
#[utoipa::path(delete, path = "/api/dealers/{id}/accountants/{user}", tag = "accountants", params(("id" = String, Path, description = "The dealer."), ("user" = String, Path, description = "The accountant.")), responses((status = 204, description = "Revoked: the account is gone and its sessions end."), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_revoke(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath2(dealer, user): IdPath2<DealerId, UserId>,
) -> Result<StatusCode, AppError> {
    accountant::revoke(&state, &caller.actor, &dealer, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
