//! `/notifications` «Уведомления»: the caller's inbox, newest first, with «Открыть» (marks
//! the entry read and follows its link) and «Отметить все прочитанными».

use crate::AppState;
use crate::inbox::views::NotificationView;
use crate::inbox::{self, NotificationId};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::paging::page_request;
use crate::kernel::templates::{error_page, render, serde_value};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

/// `GET /notifications[?cursor=…]`
pub async fn portal_list(
    State(state): State<AppState>,
    caller: PortalCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let actor = caller.actor();
    let result = async {
        let mut page = page_request(query.as_deref())?;
        page.limit = page.limit.min(50);
        let found = inbox::list(&state, actor, &page).await?;
        let items: Vec<_> = found.items.iter().map(NotificationView::new).collect();
        Ok::<_, AppError>(context! {
            me => caller.layout(),
            items => serde_value(&items),
            older => found.next_cursor.map(|c| format!("/notifications?cursor={c}")),
            first_page => page.cursor.is_none(),
        })
    }
    .await;
    match result {
        Ok(ctx) => render(&state, StatusCode::OK, "notifications.html", ctx),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `POST /notifications/{id}/read`: marks the entry read and opens what it is about.
pub async fn portal_read(
    State(state): State<AppState>,
    IdPath(id): IdPath<NotificationId>,
    PortalForm { caller, .. }: PortalForm,
) -> Response {
    match inbox::read(&state, caller.actor(), &id).await {
        // The link was written by the inbox itself (`inbox::link`): always a portal path.
        Ok(entry) if entry.link.starts_with('/') && !entry.link.starts_with("//") => {
            Redirect::to(&entry.link).into_response()
        }
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `POST /notifications/read-all`
pub async fn portal_read_all(
    State(state): State<AppState>,
    PortalForm { caller, .. }: PortalForm,
) -> Response {
    match inbox::read_all(&state, caller.actor()).await {
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}
