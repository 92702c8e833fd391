//! Comments on tickets: use case, JSON API, the portal form, and the card's
//! "comments and files" block (`ticket_comments.html`).
//!
//! Who writes: the ticket's dealer, and the platform side — specialists, admins and the
//! dealer's account manager (see [`dealerdesk_domain::comment`] for why the account
//! manager may write). Whoever sees the ticket may read its comments. A comment is its own
//! item and never changes the ticket's version, so it cannot make anyone's move a 409.

use crate::AppState;
use crate::api::ApiCaller;
use crate::error::AppError;
use crate::portal::{PortalCaller, error_page, form};
use crate::usecases;
use crate::views::{local, utc};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::{Actor, Attachment, Comment, CommentId, Ticket, TicketId, UserId};
use dealerdesk_store::{TicketNotes, TicketNotesRepo};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// `author` comments on ticket `id`: 403 for roles without tickets, 404 for a ticket the
/// author may not see, then the domain's rules.
pub async fn add(state: &AppState, author: &Actor, id: &TicketId, text: &str) -> Result<Comment, AppError> {
    let (ticket, _) = usecases::ticket_card(state, author, id).await?;
    let comment = Comment::write(
        CommentId::new(ulid::Ulid::new().to_string()),
        &ticket,
        author,
        text,
        state.clock.now(),
    )?;
    let mut notices = comment.notices(&ticket);
    let names = usecases::user_names(state, std::slice::from_ref(&author.user_id)).await?;
    let name = names.get(&author.user_id).cloned().unwrap_or_default();
    for n in &mut notices {
        n.params.insert("author".into(), name.clone());
    }
    state.store.add_comment(&comment, &notices).await?;
    tracing::info!(ticket = %ticket.id, comment = %comment.id, "comment added");
    Ok(comment)
}

/// A ticket's comments and files, for a caller who has been shown the ticket.
pub async fn notes(state: &AppState, ticket: &Ticket) -> Result<TicketNotes, AppError> {
    Ok(state.store.ticket_notes(&ticket.id).await?)
}

/// A comment as the API returns it.
pub fn comment_json(c: &Comment) -> Value {
    json!({
        "id": c.id,
        "author_id": c.author_id,
        "author_role": c.author_role.code(),
        "author_role_label": c.author_role.label(),
        "side": match c.side() {
            dealerdesk_domain::Side::Dealer => "dealer",
            dealerdesk_domain::Side::Platform => "platform",
        },
        "text": c.text,
        "at": utc(c.at),
    })
}

/// A file's description as the API returns it.
pub fn attachment_json(a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "content_type": a.kind.content_type(),
        "size": a.size,
        "uploaded_by": a.uploaded_by,
        "uploader_role": a.uploader_role.code(),
        "at": utc(a.at),
        "url": format!("/api/tickets/{}/attachments/{}", a.ticket_id, a.id),
    })
}

/// Adds `comments` and `attachments` to a ticket card's JSON.
pub fn add_to_card(body: &mut Value, notes: &TicketNotes) {
    body["comments"] = notes.comments.iter().map(comment_json).collect();
    body["attachments"] = notes.attachments.iter().map(attachment_json).collect();
}

/// A size for people: «1,2 МБ», «340 КБ», «12 Б».
fn human_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{:.1} МБ", bytes as f64 / MB as f64).replace('.', ",")
    } else if bytes >= KB {
        format!("{} КБ", bytes.div_ceil(KB))
    } else {
        format!("{bytes} Б")
    }
}

/// The card's block: comments with their authors' names and local times, files with
/// portal download links, and whether the viewer may write and upload.
pub async fn card_block(state: &AppState, actor: &Actor, ticket: &Ticket) -> Result<Value, AppError> {
    let notes = notes(state, ticket).await?;
    let people: Vec<UserId> = notes
        .comments
        .iter()
        .map(|c| c.author_id.clone())
        .chain(notes.attachments.iter().map(|a| a.uploaded_by.clone()))
        .collect();
    let names: HashMap<UserId, String> = usecases::user_names(state, &people).await?;
    let who = |id: &UserId, role: dealerdesk_domain::Role| {
        let name = names.get(id).cloned().unwrap_or_else(|| id.to_string());
        format!("{name} ({})", role.label())
    };
    let comments: Vec<_> = notes
        .comments
        .iter()
        .map(|c| {
            let mut v = comment_json(c);
            v["who"] = who(&c.author_id, c.author_role).into();
            v["at_local"] = local(c.at).into();
            v
        })
        .collect();
    let attachments: Vec<_> = notes
        .attachments
        .iter()
        .map(|a| {
            let mut v = attachment_json(a);
            v["who"] = who(&a.uploaded_by, a.uploader_role).into();
            v["at_local"] = local(a.at).into();
            v["size_label"] = human_size(a.size).into();
            v
        })
        .collect();
    // The same probe the use case makes, so the form shows only to people who may use it.
    let may_write = Comment::write(CommentId::new("probe"), ticket, actor, "probe", ticket.created_at).is_ok();
    Ok(json!({
        "comments": comments,
        "attachments": attachments,
        "may_write": may_write,
        "max_size_label": "5 МБ",
        "accept": crate::attachments::ACCEPT,
    }))
}

#[derive(Deserialize)]
struct CommentBody {
    text: String,
}

/// `POST /api/tickets/{id}/comments` `{text}` → 201 with the comment.
pub async fn api_create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let body: CommentBody = crate::api::parse_json(&body)?;
    let comment = add(&state, &caller.actor, &TicketId::new(id), &body.text).await?;
    Ok((StatusCode::CREATED, Json(comment_json(&comment))).into_response())
}

/// `POST /tickets/{id}/comments`: the card's comment form.
pub async fn portal_create(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = form(&body);
    if let Err(e) = caller.principal.check_csrf(fields.get("csrf").map(String::as_str)) {
        return error_page(&state, Some(&caller), &e);
    }
    let id = TicketId::new(id);
    let text = fields.get("text").map(String::as_str).unwrap_or("");
    match add(&state, &caller.principal.actor, &id, text).await {
        Ok(comment) => Redirect::to(&format!("/tickets/{id}#comment-{}", comment.id)).into_response(),
        Err(e @ (AppError::Comment(_) | AppError::Domain(_))) => {
            crate::portal::ticket_page(&state, &caller, &id, e.status(), Some(&e), "").await
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_russian_file_manager() {
        assert_eq!(human_size(12), "12 Б");
        assert_eq!(human_size(2048), "2 КБ");
        assert_eq!(human_size(1_258_291), "1,2 МБ");
    }
}
