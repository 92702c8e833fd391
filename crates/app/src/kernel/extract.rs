//! Typed request bodies: a JSON body read with our own error, and a portal form whose CSRF
//! token is checked before the handler runs.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::templates::error_page;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
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

/// A JSON request body of type `T`; anything unreadable is the API's 400 envelope.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse_json(&bytes)
            .map(JsonBody)
            .map_err(IntoResponse::into_response)
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
