//! The specialist queue (SPEC §2.3): every open ticket, SLA already breached first, then
//! paid before free, then earliest due; ties by ticket number.
//!
//! The order depends on "now" (a due time passing makes a ticket breached), so it is not an
//! index order: the open tickets are read from their sparse index in one Query and sorted
//! here. Pages are offsets into that order.

use crate::AppState;
use crate::kernel::error::AppError;
use dealerdesk_domain::{Actor, State, Ticket};
use dealerdesk_store::{MAX_PAGE_LIMIT, Page, PageRequest, QueueRepo, StoreError};
use serde::Deserialize;

/// Which listing `GET /api/tickets` (and the portal's list) shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Open tickets in queue order (specialists and admins).
    Queue,
    /// Every visible ticket, newest first.
    All,
}

#[derive(Deserialize, Default)]
struct ViewQuery {
    view: Option<String>,
}

/// Reads the `view` parameter of a listing: `queue`, `all`, or absent (`None`).
pub fn parse_view(raw: Option<&str>) -> Result<Option<View>, AppError> {
    let q: ViewQuery = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))?;
    match q.view.as_deref() {
        None | Some("") => Ok(None),
        Some("queue") => Ok(Some(View::Queue)),
        Some("all") => Ok(Some(View::All)),
        Some(_) => Err(AppError::bad_request(
            "bad_view",
            "Вид списка может быть: queue (очередь) или all (все обращения).",
        )),
    }
}

/// Sorts tickets into queue order at `now`.
pub fn sort(tickets: &mut [Ticket], now: chrono::DateTime<chrono::Utc>) {
    tickets.sort_by_key(|t| (t.sla.queue_key(now, t.billing), t.number));
}

/// The queue, optionally of one state, one page at a time. Specialists and admins only:
/// everyone else is refused (403), dealers included — their list is their own tickets.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: Option<State>,
    page: &PageRequest,
) -> Result<Page<Ticket>, AppError> {
    if !actor.sees_all_tickets() {
        return Err(AppError::forbidden());
    }
    let offset = match page.cursor.as_deref() {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| AppError::from(StoreError::BadCursor))?,
    };
    let limit = page.limit.clamp(1, MAX_PAGE_LIMIT) as usize;
    let mut tickets: Vec<Ticket> = state
        .store
        .open_tickets()
        .await?
        .into_iter()
        .filter(|t| filter.is_none_or(|s| t.status.state() == s))
        .collect();
    sort(&mut tickets, state.clock.now());
    let total = tickets.len();
    let items: Vec<Ticket> = tickets.into_iter().skip(offset).take(limit).collect();
    let end = offset.saturating_add(items.len());
    Ok(Page {
        items,
        next_cursor: (end < total).then(|| end.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_is_queue_all_or_absent() {
        assert_eq!(parse_view(None).unwrap(), None);
        assert_eq!(
            parse_view(Some("state=new&view=queue")).unwrap(),
            Some(View::Queue)
        );
        assert_eq!(parse_view(Some("view=all")).unwrap(), Some(View::All));
        assert_eq!(
            parse_view(Some("view=mine")).unwrap_err().code(),
            "bad_view"
        );
    }
}
