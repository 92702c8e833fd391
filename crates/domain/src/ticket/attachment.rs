//! Files attached to a ticket (SPEC §2.1): what is accepted and how it is checked.
//!
//! Limits:
//! - at most [`MAX_ATTACHMENT_BYTES`] (5 MB): a request to a Lambda behind API Gateway
//!   cannot carry more, so the limit is the same everywhere and a file accepted locally is
//!   never refused in AWS for its size;
//! - only the kinds of [`FileKind`]: screenshots and photos, PDF, plain text and CSV,
//!   Word and Excel documents, ZIP archives. Nothing executable, nothing a browser would
//!   run if it were ever shown inline (HTML, SVG).
//!
//! The declared type is not trusted: the first bytes of an image, a PDF or a ZIP-based
//! file must be what the type says ([`check`]), so a renamed program is refused.
//! Text has no signature; it is refused when it holds NUL bytes, which no text file does.
//! Text is not required to be UTF-8: CSV exported by Excel in Russia is often Windows-1251.

use crate::access::Actor;
use crate::ids::{AttachmentId, TicketId, UserId};
use crate::kernel::{Refusal, RefusalKind, Refuse};
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The largest file accepted, in bytes (5 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// The longest file name kept, in characters.
pub const FILE_NAME_MAX: usize = 200;

/// A kind of file the platform accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Png,
    Jpeg,
    Gif,
    Webp,
    Pdf,
    Text,
    Csv,
    Docx,
    Xlsx,
    Zip,
}

impl FileKind {
    /// Every accepted kind.
    pub const ALL: [FileKind; 10] = [
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Pdf,
        FileKind::Text,
        FileKind::Csv,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Zip,
    ];

    /// The media type the file is stored and served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
            FileKind::Text => "text/plain",
            FileKind::Csv => "text/csv",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Zip => "application/zip",
        }
    }

    /// The usual file name extensions, the first one preferred.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::Pdf => &["pdf"],
            FileKind::Text => &["txt", "log"],
            FileKind::Csv => &["csv"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Zip => &["zip"],
        }
    }

    /// The kind of a declared media type (parameters such as `charset` ignored). Besides
    /// the standard names it knows what browsers actually send: `image/jpg`,
    /// `application/x-zip-compressed` (Windows) and `application/csv`.
    pub fn from_content_type(declared: &str) -> Option<FileKind> {
        let essence = declared
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let kind = match essence.as_str() {
            "image/jpg" | "image/pjpeg" => FileKind::Jpeg,
            "application/x-zip-compressed" | "application/x-zip" => FileKind::Zip,
            "application/csv" | "text/comma-separated-values" => FileKind::Csv,
            other => {
                return FileKind::ALL
                    .into_iter()
                    .find(|k| k.content_type() == other);
            }
        };
        Some(kind)
    }

    /// The kind a file name's extension suggests.
    pub fn from_file_name(name: &str) -> Option<FileKind> {
        let (_, ext) = name.rsplit_once('.')?;
        let ext = ext.to_ascii_lowercase();
        FileKind::ALL
            .into_iter()
            .find(|k| k.extensions().contains(&ext.as_str()))
    }

    /// Whether `bytes` begin the way this kind of file must.
    pub fn matches(self, bytes: &[u8]) -> bool {
        match self {
            FileKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            FileKind::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            FileKind::Gif => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            FileKind::Webp => {
                bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP"
            }
            FileKind::Pdf => bytes.starts_with(b"%PDF-"),
            // A document is a ZIP archive with a local file header first.
            FileKind::Docx | FileKind::Xlsx => bytes.starts_with(b"PK\x03\x04"),
            // An archive may also be empty (only the end-of-directory record).
            FileKind::Zip => bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"),
            FileKind::Text | FileKind::Csv => !bytes.contains(&0),
        }
    }

    /// The Russian name for messages.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Png => "изображение PNG",
            FileKind::Jpeg => "изображение JPEG",
            FileKind::Gif => "изображение GIF",
            FileKind::Webp => "изображение WebP",
            FileKind::Pdf => "документ PDF",
            FileKind::Text => "текстовый файл",
            FileKind::Csv => "таблица CSV",
            FileKind::Docx => "документ Word (DOCX)",
            FileKind::Xlsx => "таблица Excel (XLSX)",
            FileKind::Zip => "архив ZIP",
        }
    }
}

/// Why a file is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// Over [`MAX_ATTACHMENT_BYTES`].
    #[error("file of {size} bytes is over the limit")]
    TooLarge { size: usize },
    /// No bytes at all.
    #[error("empty file")]
    Empty,
    /// A type that is not accepted (or none that can be told).
    #[error("type {declared:?} is not accepted")]
    UnsupportedType { declared: String },
    /// The bytes are not what the declared type says.
    #[error("content is not {kind:?}")]
    ContentMismatch { kind: FileKind },
    /// No usable file name.
    #[error("bad file name")]
    BadName,
}

impl AttachmentError {
    /// The message shown to people.
    pub fn message_ru(&self) -> String {
        match self {
            AttachmentError::TooLarge { .. } => {
                "Файл слишком большой: можно прикрепить файл размером до 5 МБ.".to_string()
            }
            AttachmentError::Empty => "Файл пустой.".to_string(),
            AttachmentError::UnsupportedType { .. } => {
                "Такой тип файла прикрепить нельзя. Допустимы изображения (PNG, JPEG, GIF, WebP), PDF, TXT, CSV, DOCX, XLSX и ZIP."
                    .to_string()
            }
            AttachmentError::ContentMismatch { kind } => format!(
                "Содержимое файла не соответствует его типу: это не {}.",
                kind.label()
            ),
            AttachmentError::BadName => "Укажите имя файла.".to_string(),
        }
    }
}

/// Cleans a file name a client sent: only the last path component (old browsers send
/// `C:\Users\…\scan.pdf`), no control characters or quotes, at most [`FILE_NAME_MAX`]
/// characters keeping the extension.
pub fn clean_file_name(raw: &str) -> Result<String, AttachmentError> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return Err(AttachmentError::BadName);
    }
    if cleaned.chars().count() <= FILE_NAME_MAX {
        return Ok(cleaned.to_string());
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (cleaned, None),
    };
    let keep = FILE_NAME_MAX - ext.map(|e| e.chars().count() + 1).unwrap_or(0);
    let stem: String = stem.chars().take(keep).collect();
    Ok(match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    })
}

/// Checks an uploaded file: its size, its kind (from the declared type, or from the name
/// when the client declared none or `application/octet-stream`) and that the bytes match
/// the kind. Returns the kind to store it as.
pub fn check(
    declared: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> Result<FileKind, AttachmentError> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge { size: bytes.len() });
    }
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    let declared = declared.map(str::trim).filter(|d| !d.is_empty());
    let generic = declared.is_none_or(|d| {
        d.split(';')
            .next()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("application/octet-stream"))
    });
    let kind = if generic {
        FileKind::from_file_name(name)
    } else {
        declared.and_then(FileKind::from_content_type)
    };
    let kind = kind.ok_or_else(|| AttachmentError::UnsupportedType {
        declared: declared.unwrap_or("").to_string(),
    })?;
    // Excel on Windows declares CSV as `application/vnd.ms-excel`; that type is refused
    // above, but a `.csv` sent as text is fine: text and CSV differ only by name.
    if kind.matches(bytes) {
        Ok(kind)
    } else {
        Err(AttachmentError::ContentMismatch { kind })
    }
}

/// A stored file's description; the bytes live in the blob store under `blob_key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub ticket_id: TicketId,
    /// The cleaned file name, shown and offered on download.
    pub name: String,
    pub kind: FileKind,
    pub size: u64,
    /// Where the bytes are in the blob store.
    pub blob_key: String,
    pub uploaded_by: UserId,
    pub uploader_role: Role,
    pub at: DateTime<Utc>,
}

impl Attachment {
    /// The blob key of a ticket's file: one folder per ticket, so a ticket's files can be
    /// listed or removed together.
    pub fn blob_key_for(ticket: &TicketId, id: &AttachmentId) -> String {
        format!("tickets/{ticket}/{id}")
    }

    /// The description of a checked file `uploader` attaches to `ticket`.
    pub fn new(
        id: AttachmentId,
        ticket: &TicketId,
        uploader: &Actor,
        name: String,
        kind: FileKind,
        size: usize,
        now: DateTime<Utc>,
    ) -> Attachment {
        Attachment {
            blob_key: Attachment::blob_key_for(ticket, &id),
            id,
            ticket_id: ticket.clone(),
            name,
            kind,
            size: size as u64,
            uploaded_by: uploader.user_id.clone(),
            uploader_role: uploader.role,
            at: now,
        }
    }
}

impl Refuse for AttachmentError {
    fn refusal(&self) -> Refusal {
        let (kind, code) = match self {
            AttachmentError::TooLarge { .. } => (RefusalKind::TooLarge, "attachment_too_large"),
            AttachmentError::UnsupportedType { .. } => {
                (RefusalKind::UnsupportedType, "unsupported_file_type")
            }
            AttachmentError::ContentMismatch { .. } => {
                (RefusalKind::UnsupportedType, "file_content_mismatch")
            }
            AttachmentError::Empty => (RefusalKind::Invalid, "empty_file"),
            AttachmentError::BadName => (RefusalKind::Invalid, "bad_file_name"),
        };
        Refusal::new(kind, code, self.message_ru())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    const ZIP: &[u8] = b"PK\x03\x04\x14\0\0\0\x08\0";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0";

    #[test]
    fn accepted_kinds_are_told_by_their_declared_type() {
        assert_eq!(check(Some("image/png"), "a.png", PNG), Ok(FileKind::Png));
        assert_eq!(
            check(Some("application/pdf"), "a.pdf", PDF),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            check(
                Some("text/plain; charset=utf-8"),
                "log.txt",
                "ошибка 500".as_bytes()
            ),
            Ok(FileKind::Text)
        );
        assert_eq!(
            check(
                Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                "прайс.xlsx",
                ZIP
            ),
            Ok(FileKind::Xlsx)
        );
        assert_eq!(
            check(Some("application/x-zip-compressed"), "a.zip", ZIP),
            Ok(FileKind::Zip)
        );
        assert_eq!(
            check(Some("image/webp"), "a.webp", b"RIFF\x10\0\0\0WEBPVP8 "),
            Ok(FileKind::Webp)
        );
        assert_eq!(
            check(Some("image/gif"), "a.gif", b"GIF89a\x01\0"),
            Ok(FileKind::Gif)
        );
        assert_eq!(
            check(Some("image/jpg"), "a.jpg", &[0xFF, 0xD8, 0xFF, 0xE0]),
            Ok(FileKind::Jpeg)
        );
    }

    #[test]
    fn without_a_useful_type_the_name_decides() {
        assert_eq!(check(None, "скрин.PNG", PNG), Ok(FileKind::Png));
        assert_eq!(
            check(
                Some("application/octet-stream"),
                "выгрузка.csv",
                b"a;b\n1;2\n"
            ),
            Ok(FileKind::Csv)
        );
        assert_eq!(
            check(None, "program.exe", EXE),
            Err(AttachmentError::UnsupportedType {
                declared: String::new()
            })
        );
    }

    #[test]
    fn other_types_are_refused() {
        for declared in [
            "text/html",
            "image/svg+xml",
            "application/x-msdownload",
            "application/vnd.ms-excel",
        ] {
            let err = check(Some(declared), "x", b"<svg/>").unwrap_err();
            assert!(
                matches!(err, AttachmentError::UnsupportedType { .. }),
                "{declared}"
            );
            assert!(
                err.message_ru()
                    .starts_with("Такой тип файла прикрепить нельзя.")
            );
        }
    }

    #[test]
    fn the_bytes_must_match_the_declared_type() {
        let err = check(Some("image/png"), "photo.png", EXE).unwrap_err();
        assert_eq!(
            err,
            AttachmentError::ContentMismatch {
                kind: FileKind::Png
            }
        );
        assert_eq!(
            err.message_ru(),
            "Содержимое файла не соответствует его типу: это не изображение PNG."
        );
        assert!(check(Some("application/pdf"), "a.pdf", PNG).is_err());
        assert!(
            check(
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                "a.docx",
                PDF
            )
            .is_err()
        );
        assert!(
            check(Some("text/plain"), "a.txt", EXE).is_err(),
            "binary is not text"
        );
    }

    #[test]
    fn size_is_limited_to_five_megabytes_and_empty_files_are_refused() {
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        let err = check(Some("text/plain"), "a.txt", &big).unwrap_err();
        assert_eq!(
            err,
            AttachmentError::TooLarge {
                size: MAX_ATTACHMENT_BYTES + 1
            }
        );
        assert!(err.message_ru().contains("до 5 МБ"));
        let exact = vec![b'a'; MAX_ATTACHMENT_BYTES];
        assert_eq!(
            check(Some("text/plain"), "a.txt", &exact),
            Ok(FileKind::Text)
        );
        assert_eq!(
            check(Some("text/plain"), "a.txt", b""),
            Err(AttachmentError::Empty)
        );
    }

    #[test]
    fn file_names_keep_only_the_last_component_without_control_characters() {
        assert_eq!(
            clean_file_name(r"C:\Users\Ирина\Скрин 1.png").unwrap(),
            "Скрин 1.png"
        );
        assert_eq!(clean_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_file_name("a\"b\r\n.txt").unwrap(), "ab.txt");
        assert_eq!(clean_file_name("..."), Err(AttachmentError::BadName));
        assert_eq!(clean_file_name("  "), Err(AttachmentError::BadName));
        let long = format!("{}.pdf", "я".repeat(300));
        let cleaned = clean_file_name(&long).unwrap();
        assert_eq!(cleaned.chars().count(), FILE_NAME_MAX);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn file_refusals_match_the_app_table() {
        use crate::kernel::{RefusalKind as K, Refuse};
        let cases = [
            (
                AttachmentError::TooLarge { size: 6 << 20 },
                K::TooLarge,
                "attachment_too_large",
            ),
            (
                AttachmentError::UnsupportedType {
                    declared: "application/x-msdownload".into(),
                },
                K::UnsupportedType,
                "unsupported_file_type",
            ),
            (
                AttachmentError::ContentMismatch {
                    kind: FileKind::Pdf,
                },
                K::UnsupportedType,
                "file_content_mismatch",
            ),
            (AttachmentError::Empty, K::Invalid, "empty_file"),
            (AttachmentError::BadName, K::Invalid, "bad_file_name"),
        ];
        for (e, kind, code) in cases {
            let r = e.refusal();
            assert_eq!(
                (r.kind, r.code, r.message.clone()),
                (kind, code, e.message_ru()),
                "{e:?}"
            );
            assert!(r.fields.is_empty());
        }
        assert!(
            AttachmentError::TooLarge { size: 1 }
                .refusal()
                .message
                .contains("5 МБ")
        );
    }
}
