//! Use cases: authorise, apply the domain rule, store. Handlers call exactly one of these.

use crate::AppState;
use crate::auth::{self, Principal};
use crate::error::AppError;
use dealerdesk_domain::{
    Action, Actor, DealerId, HistoryEvent, State, Ticket, TicketDraft, TicketId, UserId,
};
use dealerdesk_store::{
    CreateOutcome, DirectoryRepo, IdempotencyKey, Page, PageRequest, SessionRecord, SessionRepo,
    TicketRepo, UserRecord, UserRepo,
};

/// A successful login.
#[derive(Debug)]
pub struct LoginOutcome {
    /// The bearer token / cookie value; shown once, never stored.
    pub token: String,
    pub session: SessionRecord,
    pub user: UserRecord,
}

/// A hash no password matches: verified against when the e-mail is unknown, so that
/// "no such user" and "wrong password" take the same time.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0L1Fq6dX8Q2pQ0m7m8kq3n0bH4wq3Zr0u5Wmp3sX5yQ";

/// Normalises an e-mail for lookup.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Checks credentials and opens a session.
pub async fn login(state: &AppState, email: &str, password: &str) -> Result<LoginOutcome, AppError> {
    let email = normalise_email(email);
    if email.is_empty() || password.is_empty() {
        return Err(AppError::bad_request(
            "credentials_required",
            "Укажите e-mail и пароль.",
        ));
    }
    let user = state.store.user_by_email(&email).await?;
    let Some(user) = user else {
        auth::verify_password(password, DUMMY_HASH);
        return Err(AppError::BadCredentials);
    };
    if !auth::verify_password(password, &user.password_hash) {
        return Err(AppError::BadCredentials);
    }
    let now = state.clock.now();
    let token = auth::new_token();
    let session = SessionRecord {
        token_hash: auth::token_hash(&token),
        user_id: user.id.clone(),
        role: user.role,
        dealer_id: user.dealer_id.clone(),
        csrf: auth::new_token(),
        created_at: now,
        expires_at: now + chrono::Duration::hours(state.settings.session_hours),
    };
    state.store.put_session(&session).await?;
    tracing::info!(user = %user.id, role = user.role.code(), "login");
    Ok(LoginOutcome {
        token,
        session,
        user,
    })
}

/// Ends a session (unknown tokens are fine: logging out twice is not an error).
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    state.store.delete_session(&auth::token_hash(token)).await?;
    Ok(())
}

/// Finds the live session of a token.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Principal, AppError> {
    let session = state
        .store
        .session(&auth::token_hash(token), state.clock.now())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Principal {
        actor: Actor {
            user_id: session.user_id.clone(),
            role: session.role,
            dealer_id: session.dealer_id.clone(),
        },
        session,
    })
}

fn idempotency_key(actor: &Actor, key: Option<&str>) -> Result<Option<IdempotencyKey>, AppError> {
    let Some(key) = key else { return Ok(None) };
    let valid = !key.is_empty()
        && key.len() <= 100
        && key.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(AppError::bad_request(
            "bad_idempotency_key",
            "Ключ идемпотентности: от 1 до 100 печатных ASCII-символов.",
        ));
    }
    Ok(Some(IdempotencyKey {
        user_id: actor.user_id.clone(),
        key: key.to_string(),
    }))
}

/// A dealer files a ticket. With an idempotency key, a retry returns the first ticket
/// and `true`.
pub async fn file_ticket(
    state: &AppState,
    actor: &Actor,
    draft: &TicketDraft,
    idempotency: Option<&str>,
) -> Result<(Ticket, bool), AppError> {
    let dealer = actor.filing_dealer().ok_or(AppError::Forbidden)?.clone();
    let idempotency = idempotency_key(actor, idempotency)?;
    let new = draft.validate()?;
    let number = state.store.next_ticket_number().await?;
    let id = TicketId::new(ulid::Ulid::new().to_string());
    let (ticket, event) = Ticket::file(id, number, dealer, actor, new, state.clock.now());
    let notices = ticket.notices(&event);
    match state
        .store
        .create_ticket(&ticket, &event, idempotency.as_ref(), &notices)
        .await?
    {
        CreateOutcome::Created => {
            tracing::info!(ticket = %ticket.id, number = ticket.number, "ticket filed");
            Ok((ticket, false))
        }
        CreateOutcome::Replayed(first) => {
            let first = state.store.ticket(&first).await?.ok_or(AppError::NotFound)?;
            Ok((first, true))
        }
    }
}

/// Who looks after a dealer (only asked when an account manager is the caller).
async fn account_manager_of(state: &AppState, dealer: &DealerId) -> Result<Option<UserId>, AppError> {
    Ok(state
        .store
        .dealer(dealer)
        .await?
        .and_then(|d| d.account_manager_id))
}

/// Refuses roles without tickets (403) and hides other dealers' tickets (404).
async fn ensure_visible(state: &AppState, actor: &Actor, ticket: &Ticket) -> Result<(), AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::Forbidden);
    }
    let manager = match actor.role {
        dealerdesk_domain::Role::AccountManager => account_manager_of(state, &ticket.dealer_id).await?,
        _ => None,
    };
    if actor.can_view_ticket_of(&ticket.dealer_id, manager.as_ref()) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The tickets the caller may see, newest first.
pub async fn list_tickets(
    state: &AppState,
    actor: &Actor,
    filter: Option<State>,
    page: &PageRequest,
) -> Result<Page<Ticket>, AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::Forbidden);
    }
    if actor.sees_all_tickets() {
        return Ok(state.store.all_tickets(filter, page).await?);
    }
    if let Some(dealer) = actor.dealer_id.as_ref().filter(|_| actor.role == dealerdesk_domain::Role::Dealer) {
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
            items.extend(state.store.dealer_tickets(&dealer.id, filter, &first_page).await?.items);
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
        return Err(AppError::Forbidden);
    }
    let (ticket, history) = state
        .store
        .ticket_with_history(id)
        .await?
        .ok_or(AppError::NotFound)?;
    ensure_visible(state, actor, &ticket).await?;
    Ok((ticket, history))
}

/// A move on a ticket, made against the version the caller saw.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    action: Action,
    comment: Option<&str>,
    seen_version: u64,
) -> Result<Ticket, AppError> {
    if !actor.reads_tickets() {
        return Err(AppError::Forbidden);
    }
    let ticket = state.store.ticket(id).await?.ok_or(AppError::NotFound)?;
    ensure_visible(state, actor, &ticket).await?;
    if ticket.version != seen_version {
        return Err(AppError::VersionConflict);
    }
    let (moved, event) = ticket.apply(actor, action, comment, state.clock.now())?;
    state
        .store
        .save_move(&moved, seen_version, &event, &moved.notices(&event))
        .await?;
    tracing::info!(ticket = %moved.id, action = action.code(), to = moved.status.code(), "ticket moved");
    Ok(moved)
}

/// Names of the people in a history, for display.
pub async fn user_names(
    state: &AppState,
    ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, String>, AppError> {
    let mut names = std::collections::HashMap::new();
    for id in ids {
        if !names.contains_key(id)
            && let Some(user) = state.store.user(id).await?
        {
            names.insert(id.clone(), user.name);
        }
    }
    Ok(names)
}

/// Dealer names by id, for lists that span dealers.
pub async fn dealer_names(
    state: &AppState,
) -> Result<std::collections::HashMap<DealerId, String>, AppError> {
    Ok(state
        .store
        .dealers()
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}
