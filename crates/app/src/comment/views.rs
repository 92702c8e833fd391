//! How comments look on the outside, and the card's "comments and files" block.

use crate::AppState;
use crate::attachment::views::attachment_json;
use crate::comment::notes;
use crate::kernel::error::AppError;
use crate::kernel::names::user_names;
use crate::kernel::templates;
use crate::kernel::time::{local, utc};
use dealerdesk_domain::{Actor, Comment, CommentId, Ticket, UserId};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Adds the card's "comments and files" block (`ticket_comments.html`).
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    templates::add(
        env,
        "ticket_comments.html",
        include_str!("../../templates/ticket_comments.html"),
    );
}

/// A comment as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct CommentView {
    #[schema(value_type = String)]
    pub id: CommentId,
    #[schema(value_type = String)]
    pub author_id: UserId,
    pub author_role: &'static str,
    pub author_role_label: &'static str,
    /// `dealer` or `platform`.
    pub side: &'static str,
    pub text: String,
    /// RFC 3339 UTC.
    pub at: String,
}

impl CommentView {
    /// The comment's fields.
    pub fn new(c: &Comment) -> Self {
        CommentView {
            id: c.id.clone(),
            author_id: c.author_id.clone(),
            author_role: c.author_role.code(),
            author_role_label: c.author_role.label(),
            side: match c.side() {
                dealerdesk_domain::Side::Dealer => "dealer",
                dealerdesk_domain::Side::Platform => "platform",
            },
            text: c.text.clone(),
            at: utc(c.at),
        }
    }
}

/// A comment as JSON (the portal adds its words to it).
pub fn comment_json(c: &Comment) -> Value {
    serde_json::to_value(CommentView::new(c)).unwrap_or_default()
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
pub async fn card_block(
    state: &AppState,
    actor: &Actor,
    ticket: &Ticket,
) -> Result<Value, AppError> {
    let notes = notes(state, ticket).await?;
    let people: Vec<UserId> = notes
        .comments
        .iter()
        .map(|c| c.author_id.clone())
        .chain(notes.attachments.iter().map(|a| a.uploaded_by.clone()))
        .collect();
    let names: HashMap<UserId, String> = user_names(state, &people).await?;
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
    let may_write = Comment::write(
        CommentId::new("probe"),
        ticket,
        actor,
        "probe",
        ticket.created_at,
    )
    .is_ok();
    Ok(json!({
        "comments": comments,
        "attachments": attachments,
        "may_write": may_write,
        "max_size_label": "5 МБ",
        "accept": crate::attachment::ACCEPT,
    }))
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
