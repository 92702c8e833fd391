//! The JSON API. Each handler parses, calls one use case, renders.

use crate::AppState;
use crate::auth::{self, Principal};
use crate::error::AppError;
use crate::usecases;
use crate::views::{event_json, ticket_json, utc};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::Json;
use dealerdesk_domain::{Action, State as TicketState, TicketDraft, TicketId};
use dealerdesk_store::PageRequest;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

/// The caller of an API request, authenticated by its bearer token.
pub struct ApiCaller(pub Principal);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = auth::bearer_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        Ok(ApiCaller(usecases::authenticate(state, token).await?))
    }
}

/// Parses a JSON body with our own error instead of axum's plain-text rejection.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        tracing::debug!(error = %e, "bad json body");
        AppError::bad_request(
            "bad_json",
            "Тело запроса должно быть JSON-объектом с полями нужных типов.",
        )
    })
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

/// `POST /api/session`
pub async fn create_session(State(state): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let LoginBody { email, password } = parse_json(&body)?;
    let outcome = usecases::login(&state, &email, &password).await?;
    let cookie = auth::set_cookie(
        auth::SESSION_COOKIE,
        &outcome.token,
        state.settings.session_hours * 3600,
        state.settings.cookie_secure,
    );
    let body = json!({
        "token": outcome.token,
        "expires_at": utc(outcome.session.expires_at),
        "user": {
            "id": outcome.user.id,
            "email": outcome.user.email,
            "name": outcome.user.name,
            "role": outcome.user.role.code(),
            "dealer_id": outcome.user.dealer_id,
        }
    });
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `DELETE /api/session`
pub async fn delete_session(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, AppError> {
    let token = auth::bearer_token(&headers).ok_or(AppError::Unauthenticated)?;
    usecases::logout(&state, token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/tickets`
pub async fn create_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let draft: TicketDraft = parse_json(&body)?;
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| {
            AppError::bad_request("bad_idempotency_key", "Ключ идемпотентности: только ASCII-символы.")
        })?),
    };
    let (ticket, replayed) = usecases::file_ticket(&state, &caller.actor, &draft, key).await?;
    let mut response = (StatusCode::CREATED, Json(ticket_json(&ticket, state.clock.now()))).into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// Reads `state`, `limit` and `cursor` of a listing.
pub fn parse_list_query(raw: Option<&str>) -> Result<(Option<TicketState>, PageRequest), AppError> {
    let q: ListQuery = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| {
        AppError::bad_request("bad_query", "Некорректные параметры запроса.")
    })?;
    let filter = match q.state.as_deref() {
        None | Some("") | Some("all") => None,
        Some(code) => Some(TicketState::from_code(code).ok_or_else(|| {
            AppError::bad_request(
                "bad_state",
                "Состояние может быть: new, approval, in_progress, review, done.",
            )
        })?),
    };
    let limit = match q.limit.as_deref() {
        None | Some("") => 50,
        Some(n) => match n.parse::<u32>() {
            Ok(n @ 1..=100) => n,
            _ => {
                return Err(AppError::bad_request(
                    "bad_limit",
                    "Размер страницы — число от 1 до 100.",
                ));
            }
        },
    };
    Ok((
        filter,
        PageRequest {
            limit,
            cursor: q.cursor.filter(|c| !c.is_empty()),
        },
    ))
}

/// `GET /api/tickets`
pub async fn list_tickets(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<serde_json::Value>, AppError> {
    let (filter, page) = parse_list_query(query.as_deref())?;
    let page = match crate::queue::parse_view(query.as_deref())? {
        Some(crate::queue::View::Queue) => {
            crate::queue::list(&state, &caller.actor, filter, &page).await?
        }
        _ => usecases::list_tickets(&state, &caller.actor, filter, &page).await?,
    };
    let now = state.clock.now();
    Ok(Json(json!({
        "items": page.items.iter().map(|t| ticket_json(t, now)).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    })))
}

/// `GET /api/tickets/{id}`
pub async fn get_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let (ticket, history) = usecases::ticket_card(&state, &caller.actor, &TicketId::new(id)).await?;
    let mut body = ticket_json(&ticket, state.clock.now());
    body["history"] = history.iter().map(event_json).collect();
    body["available_actions"] = ticket
        .available_actions(&caller.actor)
        .into_iter()
        .map(Action::code)
        .collect();
    crate::costs::add_to_card(&state, &caller.actor, &ticket, &history, &mut body).await?;
    crate::comments::add_to_card(&mut body, &crate::comments::notes(&state, &ticket).await?);
    Ok(Json(body))
}

#[derive(Deserialize)]
struct ActionBody {
    action: String,
    comment: Option<String>,
    /// Required for `send_estimate`: the work estimate, minutes.
    estimate_minutes: Option<i64>,
    version: u64,
}

/// `POST /api/tickets/{id}/actions`
pub async fn act_on_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<serde_json::Value>, AppError> {
    let body: ActionBody = parse_json(&body)?;
    let action = Action::from_code(&body.action)
        .filter(|a| *a != Action::AutoAccept)
        .ok_or_else(|| {
            AppError::bad_request(
                "unknown_action",
                "Неизвестное действие. Допустимы: take, ask_info, answer, send_estimate, approve_estimate, reject_estimate, send_for_review, accept, return, declare_impossible.",
            )
        })?;
    let ticket = crate::costs::act(
        &state,
        &caller.actor,
        &TicketId::new(id),
        action,
        body.comment.as_deref(),
        body.estimate_minutes,
        body.version,
    )
    .await?;
    Ok(Json(ticket_json(&ticket, state.clock.now())))
}

/// Unknown API paths answer in JSON too.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_defaults_to_fifty_of_every_state() {
        let (filter, page) = parse_list_query(None).unwrap();
        assert_eq!(filter, None);
        assert_eq!(page.limit, 50);
    }

    #[test]
    fn a_listing_reads_state_limit_and_cursor() {
        let (filter, page) = parse_list_query(Some("state=review&limit=10&cursor=abc")).unwrap();
        assert_eq!(filter, Some(TicketState::Review));
        assert_eq!(page.limit, 10);
        assert_eq!(page.cursor.as_deref(), Some("abc"));
    }

    #[test]
    fn bad_listing_parameters_are_400s() {
        for q in ["state=closed", "limit=0", "limit=101", "limit=x"] {
            let err = parse_list_query(Some(q)).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST, "{q}");
        }
    }
}
