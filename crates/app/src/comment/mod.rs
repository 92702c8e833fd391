//! Comments on tickets: the use case, the JSON API, the portal form, and the card's
//! "comments and files" block (`ticket_comments.html`, in `views.rs`).
//!
//! Who writes: the ticket's dealer, and the platform side — specialists, admins and the
//! dealer's account manager (see [`dealerdesk_domain::comment`] for why the account
//! manager may write). Whoever sees the ticket may read its comments. A comment is its own
//! item and does not change the ticket's version, so it cannot make anyone's move a 409 —
//! except a specialist's or admin's comment while a reaction is owed, which is the SLA
//! reaction and stops the ticket's clock in the same write (SPEC §2.3).

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::names::user_names;
use crate::ticket;
use dealerdesk_domain::{Actor, Comment, CommentId, Ticket, TicketId};
use dealerdesk_store::{StoreError, TicketNotes, TicketNotesRepo};

/// `author` comments on ticket `id`: 403 for roles without tickets, 404 for a ticket the
/// author may not see, then the domain's rules.
pub async fn add(
    state: &AppState,
    author: &Actor,
    id: &TicketId,
    text: &str,
) -> Result<Comment, AppError> {
    let (mut ticket, _) = ticket::ticket_card(state, author, id).await?;
    let comment = Comment::write(
        CommentId::new(ulid::Ulid::new().to_string()),
        &ticket,
        author,
        text,
        state.clock.now(),
    )?;
    let mut notices = comment.notices(&ticket);
    let names = user_names(state, std::slice::from_ref(&author.user_id)).await?;
    let name = names.get(&author.user_id).cloned().unwrap_or_default();
    for n in &mut notices {
        n.params.insert("author".into(), name.clone());
    }
    let mut attempts = 0;
    loop {
        // A support comment while a reaction is owed is that reaction (SPEC §2.3): it
        // stops the clock in the same write. Anything else stays a record of its own.
        let Some(reacted) = ticket.react_by_comment(&comment) else {
            state.store.add_comment(&comment, &notices).await?;
            break;
        };
        match state
            .store
            .add_reacting_comment(&comment, &reacted, ticket.version, &notices)
            .await
        {
            Ok(()) => {
                tracing::info!(ticket = %ticket.id, late = reacted.sla.breached, "comment was the SLA reaction");
                break;
            }
            // The ticket moved meanwhile (perhaps that move was the reaction): the comment
            // must not be lost for it, so read the ticket again and decide again.
            Err(StoreError::Conflict { .. }) if attempts < MAX_ATTEMPTS => {
                attempts += 1;
                ticket = ticket::ticket_card(state, author, id).await?.0;
            }
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(ticket = %ticket.id, comment = %comment.id, "comment added");
    Ok(comment)
}

/// How often a reacting comment re-reads a ticket that changed under it before it gives
/// up with the 409 (each retry follows someone else's successful write).
const MAX_ATTEMPTS: u32 = 3;

/// A ticket's comments and files, for a caller who has been shown the ticket.
pub async fn notes(state: &AppState, ticket: &Ticket) -> Result<TicketNotes, AppError> {
    Ok(state.store.ticket_notes(&ticket.id).await?)
}
