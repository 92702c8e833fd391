//! The portal's login form and logout.

use crate::AppState;
use crate::kernel::address::ClientIp;
use crate::kernel::auth;
use crate::kernel::error::AppError;
use crate::kernel::extract::{PortalForm, form};
use crate::kernel::templates::{error_page, render};
use crate::session;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

fn login_page(
    state: &AppState,
    status: StatusCode,
    email: &str,
    error: Option<String>,
) -> Response {
    let csrf = auth::new_token();
    let mut response = render(
        state,
        status,
        "login.html",
        context! { csrf => csrf.clone(), email => email, error => error },
    );
    let cookie = auth::set_cookie(
        auth::LOGIN_CSRF_COOKIE,
        &csrf,
        3600,
        state.settings.cookie_secure,
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /login`
pub async fn login_form(State(state): State<AppState>) -> Response {
    login_page(&state, StatusCode::OK, "", None)
}

/// `POST /login`
pub async fn login_submit(
    State(state): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    let email = fields.get("email").map(String::as_str).unwrap_or("");
    let csrf_ok = match (
        auth::cookie(&headers, auth::LOGIN_CSRF_COOKIE),
        fields.get("csrf"),
    ) {
        (Some(cookie), Some(submitted)) => auth::secrets_equal(cookie, submitted),
        _ => false,
    };
    if !csrf_ok {
        let e = AppError::csrf();
        return login_page(&state, e.status(), email, Some(e.message_ru()));
    }
    let password = fields.get("password").map(String::as_str).unwrap_or("");
    match session::login(&state, email, password, client).await {
        Ok(outcome) => {
            let mut response = Redirect::to("/").into_response();
            let cookies = [
                auth::set_cookie(
                    auth::SESSION_COOKIE,
                    &outcome.token,
                    state.settings.session_hours * 3600,
                    state.settings.cookie_secure,
                ),
                auth::set_cookie(
                    auth::LOGIN_CSRF_COOKIE,
                    "gone",
                    0,
                    state.settings.cookie_secure,
                ),
            ];
            for cookie in cookies {
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(e) => login_page(&state, e.status(), email, Some(e.message_ru())),
    }
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    PortalForm { caller, .. }: PortalForm,
) -> Response {
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE)
        && let Err(e) = session::logout(&state, token).await
    {
        return error_page(&state, Some(&caller), &e);
    }
    let mut response = Redirect::to("/login").into_response();
    let cookie = auth::set_cookie(
        auth::SESSION_COOKIE,
        "gone",
        0,
        state.settings.cookie_secure,
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
