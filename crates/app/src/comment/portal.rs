//! `POST /tickets/{id}/comments`: the card's comment form.

use crate::AppState;
use crate::comment;
use crate::kernel::card::CardRefusal;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::error_page;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::TicketId;
use dealerdesk_domain::kernel::RefusalKind;

/// `POST /tickets/{id}/comments`: the card's comment form.
pub async fn portal_create(
    State(state): State<AppState>,
    IdPath(id): IdPath<TicketId>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let text = fields.get("text").map(String::as_str).unwrap_or("");
    match comment::add(&state, &caller.principal.actor, &id, text).await {
        Ok(comment) => {
            Redirect::to(&format!("/tickets/{id}#comment-{}", comment.id)).into_response()
        }
        // The comment's own refusals (its text, or a role that reads but may not write:
        // the ticket itself refuses only roles without tickets) come back on the card.
        Err(e)
            if e.code() == "validation_failed"
                || (e.kind() == Some(RefusalKind::Forbidden)
                    && caller.principal.actor.reads_tickets()) =>
        {
            CardRefusal::new(caller, id, e, "").into_response()
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}
