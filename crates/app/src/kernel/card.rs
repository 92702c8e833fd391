//! A refused form on the ticket card. Time and cost, comments and files have their forms on
//! the ticket's card, which belongs to the ticket feature. Instead of importing the card back,
//! their handlers answer a [`CardRefusal`]; the ticket feature's layer
//! (`ticket::portal::show_refused_card`, mounted by `routes.rs`) shows the card again with
//! the error and the words the person typed.

use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::TicketId;
use std::sync::Arc;

/// The card of `ticket`, to be shown again with `error` and the typed `comment`.
#[derive(Clone)]
pub struct CardRefusal {
    pub caller: PortalCaller,
    pub ticket: TicketId,
    pub error: Arc<AppError>,
    pub comment: String,
}

impl CardRefusal {
    /// The card of `ticket` again, with `error`.
    pub fn new(caller: PortalCaller, ticket: TicketId, error: AppError, comment: &str) -> Self {
        CardRefusal {
            caller,
            ticket,
            error: Arc::new(error),
            comment: comment.to_string(),
        }
    }
}

impl IntoResponse for CardRefusal {
    fn into_response(self) -> Response {
        let mut response = self.error.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}
