//! The card's upload form and the portal's download link.

use crate::AppState;
use crate::attachment::views::file_response;
use crate::attachment::{self, body_error, no_file, read_multipart, refuse_declared_length};
use crate::kernel::caller::PortalCaller;
use crate::kernel::card::CardRefusal;
use crate::kernel::ids::{IdPath, IdPath2};
use crate::kernel::templates::error_page;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::kernel::RefusalKind;
use dealerdesk_domain::{AttachmentId, TicketId};

/// `POST /tickets/{id}/attachments`: the card's upload form (multipart, CSRF field first).
pub async fn portal_upload(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(id): IdPath<TicketId>,
    request: Request,
) -> Response {
    let result = async {
        refuse_declared_length(request.headers())?;
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| body_error(e.status()))?;
        let form = read_multipart(multipart).await?;
        caller
            .principal
            .check_csrf(form.fields.get("csrf").map(String::as_str))?;
        let (declared, name, bytes) = form.file.ok_or_else(no_file)?;
        attachment::upload(
            &state,
            &caller.principal.actor,
            &id,
            declared.as_deref(),
            &name,
            bytes,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/tickets/{id}#files")).into_response(),
        // Who may not see or touch the ticket gets the error page, not the card.
        Err(e)
            if matches!(
                e.kind(),
                Some(RefusalKind::Forbidden | RefusalKind::NotFound)
            ) =>
        {
            error_page(&state, Some(&caller), &e)
        }
        Err(e) => CardRefusal::new(caller, id, e, "").into_response(),
    }
}

/// `GET /tickets/{id}/attachments/{att}`: the portal's download link (cookie session).
pub async fn portal_download(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath2(id, att): IdPath2<TicketId, AttachmentId>,
) -> Response {
    match attachment::download(&state, &caller.principal.actor, &id, &att).await {
        Ok((meta, bytes)) => file_response(&meta, bytes),
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}
