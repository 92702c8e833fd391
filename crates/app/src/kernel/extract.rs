//! Typed request bodies: a JSON body read with our own error, and a portal form whose CSRF
//! token is checked before the handler runs.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::templates::error_page;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Parses a JSON body with our own error instead of axum's plain-text rejection.
pub fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| {
        tracing::debug!(error = %e, "bad json body");
        AppError::bad_request(
            "bad_json",
            "Тело запроса должно быть JSON-объектом с полями нужных типов.",
        )
    })
}

/// What a body that could not be read answers: 413 when it is over the route's limit, 400
/// otherwise — in the API's envelope.
pub fn unreadable_body(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::Refused(Refusal::new(
            RefusalKind::TooLarge,
            "body_too_large",
            "Тело запроса слишком большое.",
        ))
    } else {
        AppError::bad_request("bad_body", "Не удалось прочитать тело запроса.")
    }
}

/// A request body as bytes; a body that cannot be read (or is over the route's limit) is
/// the API's envelope, not axum's plain text.
pub struct Body(pub Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        Bytes::from_request(request, state)
            .await
            .map(Body)
            .map_err(|e| unreadable_body(e.status()))
    }
}

/// Whether a `Content-Type` says JSON (`application/json`, `application/…+json`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A JSON request body of type `T`. A body declared as something else is a 415, an
/// unreadable or mistyped one a 400 — always in the API's envelope. A body without a
/// `Content-Type` is read as JSON.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let declared = request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().map(is_json).unwrap_or(false));
        if declared == Some(false) {
            return Err(AppError::Refused(Refusal::new(
                RefusalKind::UnsupportedType,
                "unsupported_media_type",
                "Тело запроса должно быть JSON (Content-Type: application/json).",
            )));
        }
        let Body(bytes) = Body::from_request(request, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// A URL-encoded form's fields (a malformed form reads as empty).
pub fn form(body: &Bytes) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// A portal form posted by the logged-in caller with the session's CSRF token; a missing or
/// wrong token is the error page, before the handler runs.
pub struct PortalForm {
    pub caller: PortalCaller,
    pub fields: HashMap<String, String>,
}

impl PortalForm {
    /// A field's value, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned().filter(|v| !v.is_empty())
    }
}

impl FromRequest<AppState> for PortalForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let caller = PortalCaller::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let fields = form(&bytes);
        if let Err(e) = caller
            .principal
            .check_csrf(fields.get("csrf").map(String::as_str))
        {
            return Err(error_page(state, Some(&caller), &e));
        }
        Ok(PortalForm { caller, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_json_whatever_its_parameters() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
