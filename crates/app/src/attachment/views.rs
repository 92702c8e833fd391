//! How a file looks on the outside: its description and its download.

use crate::attachment::percent_encode;
use crate::kernel::time::utc;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::{Attachment, AttachmentId, UserId};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// A file's description as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    #[schema(value_type = String)]
    pub id: AttachmentId,
    pub name: String,
    pub content_type: &'static str,
    /// Bytes.
    pub size: u64,
    #[schema(value_type = String)]
    pub uploaded_by: UserId,
    pub uploader_role: &'static str,
    /// RFC 3339 UTC.
    pub at: String,
    /// Where the API serves the file.
    pub url: String,
}

impl AttachmentView {
    /// The file's description.
    pub fn new(a: &Attachment) -> Self {
        AttachmentView {
            id: a.id.clone(),
            name: a.name.clone(),
            content_type: a.kind.content_type(),
            size: a.size,
            uploaded_by: a.uploaded_by.clone(),
            uploader_role: a.uploader_role.code(),
            at: utc(a.at),
            url: format!("/api/tickets/{}/attachments/{}", a.ticket_id, a.id),
        }
    }
}

/// A file's description as JSON (the portal adds its words to it).
pub fn attachment_json(a: &Attachment) -> Value {
    serde_json::to_value(AttachmentView::new(a)).unwrap_or_default()
}

/// `attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<exact name>`: every browser
/// gets the Cyrillic name, and old clients still a usable one. Always `attachment`, never
/// inline, so nothing uploaded is ever rendered by the portal's origin.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(name)
    )
}

/// The file as a download: its type, `attachment` disposition, never sniffed or cached.
pub fn file_response(meta: &Attachment, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(meta.kind.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&meta.name)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
