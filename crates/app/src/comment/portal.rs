//! `POST /tickets/{id}/comments`: the card's comment form.

use crate::AppState;
use crate::comment;
use crate::kernel::card::CardRefusal;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::templates::error_page;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::TicketId;

/// `POST /tickets/{id}/comments`: the card's comment form.
pub async fn portal_create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PortalForm { caller, fields }: PortalForm,
) -> Response {
    let id = TicketId::new(id);
    let text = fields.get("text").map(String::as_str).unwrap_or("");
    match comment::add(&state, &caller.principal.actor, &id, text).await {
        Ok(comment) => {
            Redirect::to(&format!("/tickets/{id}#comment-{}", comment.id)).into_response()
        }
        Err(e @ (AppError::Comment(_) | AppError::Domain(_))) => {
            CardRefusal::new(caller, id, e, "").into_response()
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}
