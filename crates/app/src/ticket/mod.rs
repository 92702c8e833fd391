//! Tickets: filing, listing, the card, lifecycle moves, the specialist queue, the SLA's
//! views and the `sla_watch` / `auto_accept` jobs. Use cases here authorise, apply the
//! domain rule and store; handlers call exactly one of these.
//!
//! Time and cost, comments and files are features of their own that act on a ticket: they
//! use [`visible_ticket`] and [`act_with`] from here, and the card (`api.rs`, `portal.rs`,
//! `views.rs`) composes their views. Nothing of theirs imports the card back.

pub mod api;
pub mod jobs;
pub mod portal;
pub mod queue;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::visibility::ensure_visible;
use dealerdesk_domain::kernel::Area;
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::{
    Action, Actor, HistoryEvent, State, Status, Ticket, TicketDraft, TicketId,
};
use dealerdesk_store::{
    CreateOutcome, DirectoryRepo, Filed, Filing, IdempotencyKey, IdempotentResult, Page,
    PageRequest, TicketRepo,
};

/// A digest of what a request asked for: its route and its fields, each ended by a NUL
/// (which no field can hold), so different requests never share one.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part.as_bytes());
        digest.update([0u8]);
    }
    hex::encode(digest.finalize())
}

fn idempotency_key(
    actor: &Actor,
    key: Option<&str>,
    fingerprint: impl FnOnce() -> String,
) -> Result<Option<IdempotencyKey>, AppError> {
    let Some(key) = key else { return Ok(None) };
    let valid = !key.is_empty() && key.len() <= 100 && key.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(AppError::bad_request(
            "bad_idempotency_key",
            "Ключ идемпотентности: от 1 до 100 печатных ASCII-символов.",
        ));
    }
    Ok(Some(IdempotencyKey {
        user_id: actor.user_id.clone(),
        key: key.to_string(),
        fingerprint: fingerprint(),
    }))
}

/// The answer to a retried request: what the first one did, if the retry asks the same;
/// a key reused for a different request is refused (422), never answered with the first.
async fn replayed(
    state: &AppState,
    actor: &Actor,
    key: &IdempotencyKey,
    first: IdempotentResult,
) -> Result<Ticket, AppError> {
    if first.fingerprint != key.fingerprint {
        return Err(AppError::Refused(Refusal::new(
            RefusalKind::Invalid,
            "idempotency_key_reused",
            "Этот ключ идемпотентности уже использован для другого запроса.",
        )));
    }
    visible_ticket(state, actor, &first.ticket).await
}

/// A dealer files a ticket. With an idempotency key, a retry returns the first ticket
/// and `true` — before a ticket number is taken, so a retry never skips one.
pub async fn file_ticket(
    state: &AppState,
    actor: &Actor,
    draft: &TicketDraft,
    idempotency: Option<&str>,
) -> Result<(Ticket, bool), AppError> {
    let dealer = actor
        .filing_dealer()
        .ok_or_else(AppError::forbidden)?
        .clone();
    let idempotency = idempotency_key(actor, idempotency, || {
        let field = |f: &Option<String>| f.clone().unwrap_or_default();
        fingerprint(
            [
                "POST /api/tickets".to_string(),
                field(&draft.title),
                field(&draft.text),
                field(&draft.category),
                field(&draft.criticality),
                field(&draft.billing),
            ]
            .iter()
            .map(String::as_str),
        )
    })?;
    if let Some(key) = &idempotency
        && let Some(first) = state
            .store
            .idempotent_result(key, state.clock.now())
            .await?
    {
        return Ok((replayed(state, actor, key, first).await?, true));
    }
    let new = draft.validate()?;
    let calendar = crate::calendar::load(state).await?;
    let id = TicketId::new(ulid::Ulid::new().to_string());
    let now = state.clock.now();
    let filed = state
        .store
        .create_ticket(idempotency.as_ref(), |number| {
            let (ticket, event) = Ticket::file(
                id.clone(),
                number,
                dealer.clone(),
                actor,
                new.clone(),
                &calendar,
                now,
            );
            let notices = ticket.notices(&event);
            Filing {
                ticket,
                event,
                notices,
            }
        })
        .await?;
    match filed {
        Filed::Created(ticket) => {
            tracing::info!(ticket = %ticket.id, number = ticket.number, "ticket filed");
            Ok((*ticket, false))
        }
        // A concurrent request with the same key won the race.
        Filed::Replayed(first) => {
            let key = idempotency.as_ref().ok_or_else(AppError::not_found)?;
            Ok((replayed(state, actor, key, first).await?, true))
        }
    }
}

/// The ticket, if the caller may see it: 403 for roles without tickets, 404 for one that
/// does not exist or is another dealer's.
pub async fn visible_ticket(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
) -> Result<Ticket, AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::forbidden());
    }
    let ticket = state
        .store
        .ticket(id)
        .await?
        // A deleted ticket is found only in the admin's deleted list (SPEC §4.7).
        .filter(|t| t.deleted.is_none())
        .ok_or_else(AppError::not_found)?;
    ensure_visible(state, actor, Area::Tickets, &ticket.dealer_id).await?;
    Ok(ticket)
}

/// The tickets the caller may see, newest first.
pub async fn list_tickets(
    state: &AppState,
    actor: &Actor,
    filter: Option<State>,
    page: &PageRequest,
) -> Result<Page<Ticket>, AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::forbidden());
    }
    if actor.sees_all_tickets() {
        return Ok(state.store.all_tickets(filter, page).await?);
    }
    if let Some(dealer) = actor
        .dealer_id
        .as_ref()
        .filter(|_| actor.role == dealerdesk_domain::Role::Dealer)
    {
        return Ok(state.store.dealer_tickets(dealer, filter, page).await?);
    }
    // An account manager: the first page of each of their dealers, merged. Managers look
    // after a handful of dealers, so one merged page is what the portal shows.
    let mut items = Vec::new();
    let first_page = PageRequest {
        limit: page.limit,
        cursor: None,
    };
    for dealer in state.store.dealers().await? {
        if dealer.account_manager_id.as_ref() == Some(&actor.user_id) {
            items.extend(
                state
                    .store
                    .dealer_tickets(&dealer.id, filter, &first_page)
                    .await?
                    .items,
            );
        }
    }
    items.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    items.truncate(page.limit.clamp(1, 100) as usize);
    Ok(Page {
        items,
        next_cursor: None,
    })
}

/// One ticket with its history.
pub async fn ticket_card(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
) -> Result<(Ticket, Vec<HistoryEvent>), AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::forbidden());
    }
    let (ticket, history) = state
        .store
        .ticket_with_history(id)
        .await?
        .filter(|(t, _)| t.deleted.is_none())
        .ok_or_else(AppError::not_found)?;
    ensure_visible(state, actor, Area::Tickets, &ticket.dealer_id).await?;
    Ok((ticket, history))
}

/// What the card says about auto-acceptance: empty unless the ticket is under review (so
/// other cards read neither the calendar nor the settings).
pub async fn auto_accept_part(
    state: &AppState,
    ticket: &Ticket,
) -> Result<views::AutoAcceptPart, AppError> {
    if ticket.status != Status::InReview {
        return Ok(views::AutoAcceptPart::default());
    }
    let calendar = crate::calendar::load(state).await?;
    let days = crate::settings::current(state).await?.auto_accept_days;
    Ok(views::AutoAcceptPart::new(ticket, &calendar, days))
}

/// A move someone asks for on a ticket, against the version they saw.
#[derive(Clone, Copy, Debug)]
pub struct Move<'a> {
    pub id: &'a TicketId,
    pub action: Action,
    pub comment: Option<&'a str>,
    /// `send_estimate` only: the work estimate, minutes.
    pub estimate_minutes: Option<i64>,
    pub seen_version: u64,
    /// A client's `Idempotency-Key`: a retry of a move whose answer was lost is answered
    /// with the ticket as it is, not a 409.
    pub idempotency_key: Option<&'a str>,
}

impl Move<'_> {
    fn fingerprint(&self) -> String {
        let estimate = self
            .estimate_minutes
            .map(|m| m.to_string())
            .unwrap_or_default();
        let version = self.seen_version.to_string();
        fingerprint([
            "POST /api/tickets/{id}/actions",
            self.id.as_str(),
            self.action.code(),
            self.comment.unwrap_or_default(),
            &estimate,
            &version,
        ])
    }
}

/// A move on a ticket; `true` when it was a retry, answered with the ticket as it is.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    m: &Move<'_>,
) -> Result<(Ticket, bool), AppError> {
    act_with(state, actor, m, |_| Ok(())).await
}

/// [`act`], with `prepare` completing the moved ticket before it is stored (the amount of
/// an estimate); an error from it refuses the move and nothing is written.
pub async fn act_with(
    state: &AppState,
    actor: &Actor,
    m: &Move<'_>,
    prepare: impl FnOnce(&mut Ticket) -> Result<(), AppError>,
) -> Result<(Ticket, bool), AppError> {
    let key = idempotency_key(actor, m.idempotency_key, || m.fingerprint())?;
    if let Some(key) = &key
        && let Some(first) = state
            .store
            .idempotent_result(key, state.clock.now())
            .await?
    {
        return Ok((replayed(state, actor, key, first).await?, true));
    }
    let ticket = visible_ticket(state, actor, m.id).await?;
    if ticket.version != m.seen_version {
        return Err(AppError::stale(dealerdesk_store::Entity::Ticket));
    }
    let calendar = crate::calendar::load(state).await?;
    let (mut moved, event) =
        ticket.apply(actor, m.action, m.comment, &calendar, state.clock.now())?;
    prepare(&mut moved)?;
    let mut notices = moved.notices(&event);
    // The dealer reads in the e-mail when the system will accept the result.
    if moved.status == Status::InReview {
        let days = crate::settings::current(state).await?.auto_accept_days;
        if let (Some(note), Some(first)) =
            (moved.auto_accept_note(&calendar, days), notices.first_mut())
        {
            first.params.insert("auto_accept".into(), note);
        }
    }
    match &key {
        None => {
            state
                .store
                .save_move(&ticket, &moved, &event, &notices)
                .await?
        }
        Some(key) => {
            let saved = state
                .store
                .save_move_once(&ticket, &moved, &event, &notices, key)
                .await?;
            if let CreateOutcome::Replayed(first) = saved {
                return Ok((replayed(state, actor, key, first).await?, true));
            }
        }
    }
    tracing::info!(ticket = %moved.id, action = m.action.code(), to = moved.status.code(), "ticket moved");
    Ok((moved, false))
}
