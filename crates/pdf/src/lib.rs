//! DealerDesk's billing documents as PDF: the invoice («Счёт на оплату») and the act, drawn
//! as a УПД («Универсальный передаточный документ», status 1 under VAT, status 2 without).
//!
//! [`render`] is a pure function of a [`Document`]: the same document always gives the same
//! bytes (no creation date, no random ids), so a stored PDF can be rendered again and
//! compared. The text is set in DejaVu Sans, embedded as a subset with a ToUnicode map, so
//! Cyrillic prints the same everywhere and can be selected, searched and extracted.
//!
//! The crate knows nothing about storage or HTTP; the bill run renders and stores, the portal
//! serves the stored bytes.

mod font;
mod format;
mod invoice;
mod layout;
mod parts;
mod upd;
mod writer;

use dealerdesk_domain::billing::document::{ActForm, Document, DocumentKind};

/// Why a document could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    /// A character the embedded font lacks (outside Latin, Cyrillic and the document
    /// punctuation); printing it as an empty box would corrupt a legal name unseen.
    #[error("Знак «{0}» не печатается в документе: замените его в реквизитах или строках")]
    MissingGlyph(char),
    /// A document with nothing to bill.
    #[error("В документе нет ни одной строки")]
    NoLines,
    /// The built-in font could not be read or cut down (a broken build, not bad input).
    #[error("Шрифт документа не читается")]
    Font,
    /// More pages or bytes than a PDF can number.
    #[error("Документ слишком велик для PDF")]
    TooLarge,
}

/// Draws `document` as a PDF: an invoice on portrait A4, an act as a landscape УПД.
/// Long tables continue on further pages under a repeated header.
pub fn render(document: &Document) -> Result<Vec<u8>, PdfError> {
    if document.lines.is_empty() {
        return Err(PdfError::NoLines);
    }
    let fonts = font::Fonts::load()?;
    let pages = match (document.kind, document.act_form()) {
        (DocumentKind::Invoice, _) => invoice::layout(&fonts, document),
        (DocumentKind::Act, ActForm::Upd { status }) => upd::layout(&fonts, document, status),
    };
    writer::write(&fonts, &pages, &title(document))
}

/// The document's title as it heads the PDF and names it in a reader's window: «Счёт на
/// оплату № 2026-0042 от 31 декабря 2026 г.»; for an act, the УПД's «Счёт-фактура № …»
/// (status 1) or «Акт выполненных работ (оказанных услуг) № …» (status 2).
pub fn title(document: &Document) -> String {
    let date = format::date_in_words(document.date);
    let number = &document.number;
    match (document.kind, document.act_form()) {
        (DocumentKind::Invoice, _) => format!("Счёт на оплату № {number} от {date}"),
        (DocumentKind::Act, ActForm::Upd { status: 1 }) => {
            format!("Счёт-фактура № {number} от {date}")
        }
        (DocumentKind::Act, ActForm::Upd { .. }) => {
            format!("Акт выполненных работ (оказанных услуг) № {number} от {date}")
        }
    }
}
