//! `GET /dev/mail`: the local mailbox.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::templates::{self, error_page, render};
use crate::kernel::time::local;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use dealerdesk_domain::Role;
use minijinja::context;
use std::collections::HashMap;

/// Adds the mailbox page (`dev_mail.html`).
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "dev_mail.html",
        include_str!("../../templates/dev_mail.html"),
    );
}

/// Letters on one page of `/dev/mail`.
const MAILS_PER_PAGE: usize = 50;

/// `GET /dev/mail[?to=…][&page=N]`: the local mailbox, newest first, a page at a time. Exists
/// only when mail goes to a local folder (never in AWS), and only the admin reads it: the
/// letters hold every address and ticket of the network.
pub async fn dev_mail(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(dir) = state.mailer.mailbox() else {
        return error_page(&state, Some(&caller), &AppError::not_found());
    };
    if caller.principal.actor.role != Role::Admin {
        return error_page(&state, Some(&caller), &AppError::forbidden());
    }
    let query =
        serde_urlencoded::from_str::<HashMap<String, String>>(query.as_deref().unwrap_or(""))
            .unwrap_or_default();
    let to_filter = query.get("to").cloned().filter(|t| !t.is_empty());
    let page = query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let found = crate::outbox::mail::read_mailbox_page(
        dir,
        to_filter.as_deref(),
        (page - 1) * MAILS_PER_PAGE,
        MAILS_PER_PAGE,
    );
    let mails: Vec<_> = found
        .mails
        .into_iter()
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
    let link = |page: usize| {
        let mut params = vec![("page", page.to_string())];
        if let Some(to) = &to_filter {
            params.push(("to", to.clone()));
        }
        format!(
            "/dev/mail?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    };
    render(
        &state,
        StatusCode::OK,
        "dev_mail.html",
        context! {
            me => caller.layout(),
            mails => mails,
            newer => (page > 1).then(|| link(page - 1)),
            older => found.more.then(|| link(page + 1)),
            to => to_filter,
            page => page,
        },
    )
}
