//! The invitation page: an invited accountant sets a password, once, and logs in.

use crate::AppState;
use crate::accountant;
use crate::kernel::error::AppError;
use crate::kernel::extract::form;
use crate::kernel::names::dealer_name;
use crate::kernel::templates::render;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use std::collections::BTreeMap;

fn refused_page(state: &AppState, error: &AppError) -> Response {
    if error.status().is_server_error() {
        tracing::error!(error = %error, "invitation page failed");
    }
    render(
        state,
        error.status(),
        "accountant/refused.html",
        context! { message => error.message_ru() },
    )
}

async fn form_page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    error: Option<&AppError>,
) -> Response {
    let user = match accountant::invited(state, token, state.clock.now()).await {
        Ok(user) => user,
        Err(e) => return refused_page(state, &e),
    };
    let dealer = match &user.dealer_id {
        Some(d) => dealer_name(state, d).await.unwrap_or_default(),
        None => String::new(),
    };
    let field_errors: BTreeMap<&str, String> = error
        .map(|e| e.field_errors().into_iter().collect())
        .unwrap_or_default();
    render(
        state,
        status,
        "accountant/invite.html",
        context! {
            token => token,
            name => user.name,
            email => user.email,
            dealer_name => dealer,
            error => error.map(AppError::message_ru),
            field_errors => field_errors,
        },
    )
}

/// `GET /invite/{token}`: the password form. Changes nothing.
pub async fn page(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    match path {
        Ok(Path(token)) => form_page(&state, &token, StatusCode::OK, None).await,
        Err(_) => refused_page(&state, &accountant::invited_link_refusal()),
    }
}

/// `POST /invite/{token}`: sets the password once, then sends to the login page.
pub async fn submit(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let Ok(Path(token)) = path else {
        return refused_page(&state, &accountant::invited_link_refusal());
    };
    let fields = form(&body);
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or_default();
    match accountant::accept(&state, &token, get("password"), get("repeat")).await {
        Ok(_) => Redirect::to("/login?invited=1").into_response(),
        Err(e) if e.code() == "validation_failed" => {
            form_page(&state, &token, e.status(), Some(&e)).await
        }
        Err(e) => refused_page(&state, &e),
    }
}
