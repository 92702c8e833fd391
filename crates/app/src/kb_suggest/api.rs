//! The suggestions' JSON API.

use crate::AppState;
use crate::kb_suggest::{self, views::SuggestionView, views::SuggestionsView};
use crate::kernel::auth::{self, Principal};
use crate::kernel::caller::authenticate;
use crate::kernel::error::AppError;
use axum::Json;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use serde::Deserialize;

/// The caller by bearer token or, for the portal's form script, by the session cookie.
/// Only a read, so the cookie needs no CSRF token.
pub struct ReadCaller(pub Principal);

impl FromRequestParts<AppState> for ReadCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = auth::bearer_token(&parts.headers)
            .or_else(|| auth::cookie(&parts.headers, auth::SESSION_COOKIE))
            .ok_or_else(AppError::unauthenticated)?;
        Ok(ReadCaller(authenticate(state, token).await?))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuggestQuery {
    q: Option<String>,
}

/// `GET /api/kb/suggest?q=…`
#[utoipa::path(get, path = "/api/kb/suggest", tag = "kb", params(("q" = Option<String>, Query, description = "What the dealer has typed (title and text); at most 1000 characters. Absent or fewer than 3 letters: no suggestions.")), responses((status = 200, description = "`{items: [{slug, title, section, url, open_url, snippet: [{text, mark}]}]}`, best first.", body = SuggestionsView), (status = "4XX", description = "Refused: the `error` envelope (422 naming the limit for a too long `q`).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_suggest(
    State(state): State<AppState>,
    ReadCaller(caller): ReadCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<SuggestionsView>, AppError> {
    let q: SuggestQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
    let found =
        kb_suggest::suggestions(&state, &caller.actor, q.q.as_deref().unwrap_or("")).await?;
    Ok(Json(SuggestionsView {
        items: found.iter().map(SuggestionView::new).collect(),
    }))
}
