//! Files attached to tickets: upload (raw body for the API, a multipart form for the
//! portal), download, and the checks of [`dealerdesk_domain::attachment`].
//!
//! The bytes go to the blob port ([`crate::blobs::Blobs`]) first and the description to the
//! ticket's partition second: a description never points at bytes that are not there. A
//! failure in between leaves an unreferenced blob, which is harmless.
//!
//! Access is the ticket's: whoever sees the ticket may download its files, another dealer
//! gets a 404. Uploading is for the two sides of the conversation (the ticket's dealer, the
//! platform), like commenting.

pub mod api;
pub mod portal;
pub mod routes;
pub mod views;

pub use routes::routes;

use crate::AppState;
use crate::kernel::error::AppError;
use crate::ticket;
use axum::extract::Multipart;
use axum::http::{HeaderMap, StatusCode, header};
use dealerdesk_domain::attachment::{self, clean_file_name};
use dealerdesk_domain::{
    Actor, Attachment, AttachmentError, AttachmentId, MAX_ATTACHMENT_BYTES, Side, TicketId,
};
use dealerdesk_store::TicketNotesRepo;

/// The file types offered by the portal's file picker.
pub const ACCEPT: &str = ".png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.csv,.docx,.xlsx,.zip";

/// The body limit of an upload route: the largest file plus room for a multipart form's
/// boundaries and small fields. A bigger body is refused while it is read, as a 413.
pub const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// The header carrying the file's name on a raw upload (percent-encoded UTF-8).
pub const FILE_NAME_HEADER: &str = "x-file-name";

/// `uploader` attaches a file to ticket `id`.
pub async fn upload(
    state: &AppState,
    uploader: &Actor,
    id: &TicketId,
    declared: Option<&str>,
    raw_name: &str,
    bytes: Vec<u8>,
) -> Result<Attachment, AppError> {
    let (ticket, _) = ticket::ticket_card(state, uploader, id).await?;
    let may = match Side::of(uploader.role) {
        Some(Side::Dealer) => uploader.is_staff_of(&ticket.dealer_id),
        Some(Side::Platform) => true,
        None => false,
    };
    if !may {
        return Err(AppError::forbidden());
    }
    let name = clean_file_name(raw_name)?;
    let kind = attachment::check(declared, &name, &bytes)?;
    let size = bytes.len();
    let meta = Attachment::new(
        AttachmentId::new(ulid::Ulid::new().to_string()),
        &ticket.id,
        uploader,
        name,
        kind,
        size,
        state.clock.now(),
    );
    state
        .blobs
        .put(&meta.blob_key, kind.content_type(), bytes)
        .await?;
    state.store.add_attachment(&meta, &[]).await?;
    tracing::info!(ticket = %ticket.id, attachment = %meta.id, size, kind = kind.content_type(), "file attached");
    Ok(meta)
}

/// A file of ticket `id` and its bytes, for someone who sees the ticket.
pub async fn download(
    state: &AppState,
    actor: &Actor,
    id: &TicketId,
    attachment: &AttachmentId,
) -> Result<(Attachment, Vec<u8>), AppError> {
    let (ticket, _) = ticket::ticket_card(state, actor, id).await?;
    let meta = state
        .store
        .attachment(&ticket.id, attachment)
        .await?
        .ok_or_else(AppError::not_found)?;
    match state.blobs.get(&meta.blob_key).await? {
        Some(bytes) => Ok((meta, bytes)),
        None => {
            tracing::error!(attachment = %meta.id, key = %meta.blob_key, "described file has no bytes");
            Err(AppError::not_found())
        }
    }
}

/// 413 before reading a body that says it is too big.
pub(crate) fn refuse_declared_length(headers: &HeaderMap) -> Result<(), AppError> {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match length {
        Some(size) if size > UPLOAD_BODY_LIMIT => Err(AttachmentError::TooLarge { size }.into()),
        _ => Ok(()),
    }
}

/// A body rejected while reading: too big is the file's 413, anything else a 400.
pub(crate) fn body_error(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AttachmentError::TooLarge {
            size: UPLOAD_BODY_LIMIT + 1,
        }
        .into()
    } else {
        AppError::bad_request("bad_upload", "Не удалось прочитать файл из запроса.")
    }
}

/// A file from a multipart form: its field `file`, plus the form's other text fields.
pub(crate) struct FormUpload {
    pub(crate) fields: std::collections::HashMap<String, String>,
    pub(crate) file: Option<(Option<String>, String, Vec<u8>)>,
}

pub(crate) async fn read_multipart(mut multipart: Multipart) -> Result<FormUpload, AppError> {
    let mut upload = FormUpload {
        fields: Default::default(),
        file: None,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(upload),
            Err(e) => return Err(body_error(e.status())),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let content_type = field.content_type().map(str::to_string);
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| body_error(e.status()))?;
            // A form submitted without choosing a file sends an empty, nameless part.
            if !(file_name.is_empty() && bytes.is_empty()) {
                upload.file = Some((content_type, file_name, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(|e| body_error(e.status()))?;
            upload.fields.insert(name, text);
        }
    }
}

pub(crate) fn no_file() -> AppError {
    AppError::bad_request("no_file", "Выберите файл.")
}

/// Decodes `%XX` escapes into UTF-8; `None` for a broken escape or invalid UTF-8.
pub(crate) fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// RFC 5987 `attr-char`s stay, everything else is `%XX`.
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachment::views::content_disposition;

    #[test]
    fn file_names_travel_percent_encoded_both_ways() {
        let name = "Скрин «главной» 1.png";
        let encoded = percent_encode(name);
        assert!(encoded.is_ascii());
        assert_eq!(percent_decode(&encoded).as_deref(), Some(name));
        assert_eq!(percent_decode("plain.txt").as_deref(), Some("plain.txt"));
        assert_eq!(percent_decode("bad%zz"), None);
        assert_eq!(percent_decode("cut%D0"), None, "half a UTF-8 character");
    }

    #[test]
    fn the_download_header_carries_the_exact_name_and_an_ascii_stand_in() {
        assert_eq!(
            content_disposition("Счёт \"1\".pdf"),
            "attachment; filename=\"____ _1_.pdf\"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%221%22.pdf"
        );
    }
}
