//! `GET /dev/mail`: the local mailbox.

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::templates::{self, error_page, render};
use crate::kernel::time::local;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use std::collections::HashMap;

/// Adds the mailbox page (`dev_mail.html`).
pub fn add_templates(env: &mut minijinja::Environment<'static>) {
    templates::add(
        env,
        "dev_mail.html",
        include_str!("../../templates/dev_mail.html"),
    );
}

/// `GET /dev/mail`: the local mailbox, newest first. Exists only when mail goes to a local
/// folder (never in AWS), so testers can read what the platform sent.
pub async fn dev_mail(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Some(dir) = state.mailer.mailbox() else {
        return error_page(&state, None, &AppError::not_found());
    };
    let to_filter =
        serde_urlencoded::from_str::<HashMap<String, String>>(query.as_deref().unwrap_or(""))
            .ok()
            .and_then(|q| q.get("to").cloned())
            .filter(|t| !t.is_empty());
    let mails: Vec<_> = crate::outbox::mail::read_mailbox(dir)
        .into_iter()
        .filter(|m| {
            to_filter
                .as_ref()
                .is_none_or(|t| m.email.to.iter().any(|a| a == t))
        })
        .map(|m| {
            context! {
                key => m.key,
                at_local => local(m.at),
                to => m.email.to.join(", "),
                subject => m.email.subject,
                text => m.email.text,
            }
        })
        .collect();
    render(
        &state,
        StatusCode::OK,
        "dev_mail.html",
        context! { mails => mails, to => to_filter },
    )
}
