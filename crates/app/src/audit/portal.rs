//! The admin's «Журнал изменений» (`/admin/audit`): filters by item, person and period,
//! the changes newest first, a link to the next page. Everyone else gets the 403 page.

use crate::AppState;
use crate::audit::{self, api::search_draft, views::entry_views};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::paging::page_request;
use crate::kernel::templates::{error_page, render, serde_value};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

/// `GET /admin/audit`
pub async fn audit_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let actor = &caller.principal.actor;
    if !dealerdesk_domain::audit::may_search(actor.role) {
        let e: AppError = dealerdesk_domain::audit::AuditError::NotAdmin.into();
        return error_page(&state, Some(&caller), &e);
    }
    let draft = match search_draft(query.as_deref()) {
        Ok(d) => d,
        Err(e) => return error_page(&state, Some(&caller), &e),
    };
    let found = async {
        let page = page_request(query.as_deref())?;
        let found = audit::search(&state, actor, &draft, &page).await?;
        let items = entry_views(&state, &found.items).await?;
        Ok::<_, AppError>((items, found.next_cursor))
    }
    .await;
    let filters = context! {
        item => draft.item.clone().unwrap_or_default(),
        user => draft.user.clone().unwrap_or_default(),
        from => draft.from.clone().unwrap_or_default(),
        to => draft.to.clone().unwrap_or_default(),
    };
    match found {
        Ok((items, next_cursor)) => {
            let next = next_cursor.map(|c| {
                let mut q = form_urlencoded_pairs(&draft);
                q.push(("cursor".to_string(), c));
                serde_urlencoded::to_string(q).unwrap_or_default()
            });
            render(
                &state,
                StatusCode::OK,
                "audit/admin_audit.html",
                context! {
                    me => caller.layout(),
                    filters => filters,
                    entries => serde_value(&items),
                    next => next,
                },
            )
        }
        // A bad filter is shown on the page with the filters as typed.
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => render(
            &state,
            e.status(),
            "audit/admin_audit.html",
            context! {
                me => caller.layout(),
                filters => filters,
                entries => Vec::<()>::new(),
                error => e.message_ru(),
            },
        ),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// The filters as query pairs, for the next page's link.
fn form_urlencoded_pairs(d: &dealerdesk_domain::audit::AuditQueryDraft) -> Vec<(String, String)> {
    [
        ("item", &d.item),
        ("user", &d.user),
        ("from", &d.from),
        ("to", &d.to),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        v.as_ref()
            .filter(|v| !v.is_empty())
            .map(|v| (k.to_string(), v.clone()))
    })
    .collect()
}
