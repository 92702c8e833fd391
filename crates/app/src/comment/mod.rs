//! Comments on tickets: the use case, the JSON API, the portal form, and the card's
//! "comments and files" block (`ticket_comments.html`, in `views.rs`).
//!
//! Who writes: the ticket's dealer, and the platform side — specialists, admins and the
//! dealer's account manager (see [`dealerdesk_domain::comment`] for why the account
//! manager may write). Whoever sees the ticket may read its comments. A comment is its own
//! item and leaves the ticket's version alone, so it cannot make anyone's move a 409 —
//! except a comment that changes the ticket (`Ticket::changed_by_comment`): a specialist's
//! or admin's comment while a reaction is owed is the SLA reaction (SPEC §2.3), and on a
//! result under review the dealer's remark stops auto-acceptance and the platform's reply
//! starts it again (`dealerdesk_domain::ticket::review`).

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
    id_of_ticket: &TicketId,
    text: &str,
) -> Result<Comment, AppError> {
    let id = CommentId::new(ulid::Ulid::new().to_string());
    let names = user_names(state, std::slice::from_ref(&author.user_id)).await?;
    let name = names.get(&author.user_id).cloned().unwrap_or_default();
    // A comment that changes the ticket (the SLA reaction, the review countdown) is written
    // with it; if someone moved the ticket meanwhile (perhaps that move was the reaction),
    // the comment must not be lost for it: it is decided again on the fresh ticket.
    let mut attempts = 0;
    loop {
        let (ticket, _) = ticket::ticket_card(state, author, id_of_ticket).await?;
        let comment = Comment::write(id.clone(), &ticket, author, text, state.clock.now())?;
        let mut notices = comment.notices(&ticket);
        for n in &mut notices {
            n.params.insert("author".into(), name.clone());
        }
        let saved = match ticket.changed_by_comment(&comment) {
            None => state.store.add_comment(&comment, &notices).await,
            Some(changed) => {
                state
                    .store
                    .add_comment_changing(&comment, &ticket, &changed, &notices)
                    .await
            }
        };
        match saved {
            Ok(()) => {
                tracing::info!(ticket = %ticket.id, comment = %comment.id, "comment added");
                return Ok(comment);
            }
            Err(StoreError::Conflict { .. }) if attempts < MAX_ATTEMPTS => attempts += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

/// How often a comment that changes its ticket re-reads a ticket that changed under it before
/// it gives up with the 409 (each retry follows someone else's successful write).
const MAX_ATTEMPTS: u32 = 3;

/// A ticket's comments and files, for a caller who has been shown the ticket.
pub async fn notes(state: &AppState, ticket: &Ticket) -> Result<TicketNotes, AppError> {
    Ok(state.store.ticket_notes(&ticket.id).await?)
}
