//! The audit log's JSON API: `GET /api/audit?item=&user=&from=&to=&limit=&cursor=`, the
//! admin's only (anyone else: 403).

use crate::AppState;
use crate::audit::{self, views::AuditPage, views::entry_views};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::paging::page_request;
use axum::Json;
use axum::extract::{RawQuery, State};
use dealerdesk_domain::audit::AuditQueryDraft;
use serde::Deserialize;

/// The search's own parameters (paging is read by the kernel).
#[derive(Deserialize, Default)]
pub(crate) struct SearchQuery {
    item: Option<String>,
    user: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Reads the search's parameters from the query string.
pub(crate) fn search_draft(raw: Option<&str>) -> Result<AuditQueryDraft, AppError> {
    let q: SearchQuery = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
    Ok(AuditQueryDraft {
        item: q.item,
        user: q.user,
        from: q.from,
        to: q.to,
    })
}

/// `GET /api/audit`
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(("item" = Option<String>, Query, description = "`kind:id`: `ticket:DD-1001`, `lead:<id>`, `wish:<id>`, `user:<id>`, `settings:platform`, `customer:<id>`, `lead_network:<network>`."), ("user" = Option<String>, Query, description = "The id of the person who made the changes."), ("from" = Option<String>, Query, description = "A date (`2026-03-01`, from the start of that Moscow day) or an RFC 3339 instant."), ("to" = Option<String>, Query, description = "A date (through the end of that Moscow day) or an RFC 3339 instant (exclusive). Without item and user the log is read back from here (or now) to `from` (or a year before)."), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, 50 by default."), ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page.")), responses((status = 200, description = "`{items, next_cursor}`, newest first.", body = AuditPage), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn search(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<AuditPage>, AppError> {
    // The role before the query, so a non-admin learns nothing from a validation message.
    if !dealerdesk_domain::audit::may_search(caller.actor.role) {
        return Err(dealerdesk_domain::audit::AuditError::NotAdmin.into());
    }
    let page = page_request(query.as_deref())?;
    let draft = search_draft(query.as_deref())?;
    let found = audit::search(&state, &caller.actor, &draft, &page).await?;
    Ok(Json(AuditPage {
        items: entry_views(&state, &found.items).await?,
        next_cursor: found.next_cursor,
    }))
}
