//! The wishes' JSON API.

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use crate::kernel::paging::page_request;
use crate::kernel::visibility::ensure_area;
use crate::wish::views::{WishCard, WishEventView, WishPage, WishView};
use crate::wish::{self, DecisionInput};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::{WishActionKind, WishDraft, WishId};
use serde::Deserialize;

/// `POST /api/wishes` `{title, text}`
#[utoipa::path(post, path = "/api/wishes", tag = "wishes", request_body(content = Object, description = "`{title, text}`."), responses((status = 201, description = "The wish.", body = WishView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    JsonBody(draft): JsonBody<WishDraft>,
) -> Result<Response, AppError> {
    let wish = wish::submit(&state, &caller.actor, &draft).await?;
    Ok((StatusCode::CREATED, Json(WishView::new(&wish))).into_response())
}

/// `GET /api/wishes` (`limit`, `cursor`)
#[utoipa::path(get, path = "/api/wishes", tag = "wishes", params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, 50 by default."), ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page.")), responses((status = 200, description = "`{items, next_cursor}`.", body = WishPage), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<WishPage>, AppError> {
    ensure_area(&caller.actor, Area::Wishes)?;
    let page = page_request(query.as_deref())?;
    let page = wish::list(&state, &caller.actor, &page).await?;
    Ok(Json(WishPage {
        items: page.items.iter().map(WishView::new).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// `GET /api/wishes/{id}`: the wish, its history and the caller's decisions.
#[utoipa::path(get, path = "/api/wishes/{id}", tag = "wishes", params(("id" = String, Path, description = "The wish id.")), responses((status = 200, description = "The wish, its history and the caller's available actions.", body = WishCard), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<WishId>,
) -> Result<Json<WishCard>, AppError> {
    let (wish, history) = wish::card(&state, &caller.actor, &id).await?;
    Ok(Json(WishCard {
        wish: WishView::new(&wish),
        history: history.iter().map(WishEventView::new).collect(),
        available_actions: wish
            .wish
            .available_actions(caller.actor.role)
            .into_iter()
            .map(WishActionKind::code)
            .collect(),
    }))
}

/// A move with its data, against the version seen.
#[derive(Deserialize)]
pub struct ActionBody {
    version: u64,
    #[serde(flatten)]
    input: DecisionInput,
}

/// `POST /api/wishes/{id}/actions`
/// `{action, version, note?, reason?, sprint?, planned_from?, planned_to?}`
#[utoipa::path(post, path = "/api/wishes/{id}/actions", tag = "wishes", request_body(content = Object, description = "`{action, version, note?, reason?, sprint?, planned_from?, planned_to?}`."), params(("id" = String, Path, description = "The wish id.")), responses((status = 200, description = "The wish.", body = WishView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_act(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<WishId>,
    JsonBody(body): JsonBody<ActionBody>,
) -> Result<Json<WishView>, AppError> {
    let wish = wish::decide(&state, &caller.actor, &id, &body.input, body.version).await?;
    Ok(Json(WishView::new(&wish)))
}
