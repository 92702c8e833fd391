//! Tables taken away as files: CSV for anything that reads text, XLSX for Excel with typed
//! cells — numbers are numbers, dates are date cells, money has a ruble format — so a sum or
//! a filter by date works without converting anything.
//!
//! A [`Sheet`] is the table (typed columns, rows of [`Cell`]s); [`csv`] and [`xlsx`] write it;
//! [`download`] answers with the file. Times are given already in the zone the reader works
//! in (the portal's Moscow time): neither format carries a zone.
//!
//! The CSV is what Russian Excel opens with a double click: UTF-8 with a BOM (without it
//! Excel reads Cyrillic as cp1251), `;` between fields (the comma is the decimal mark),
//! decimal commas, dates as `ДД.ММ.ГГГГ`, CRLF line ends. A text that a spreadsheet would
//! take for a formula (`=`, `@`, or `+`/`-` followed by more than digits) is prefixed with
//! `'` so opening a file never runs what a website's visitor typed into a form.

use crate::kernel::error::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, XlsxError};

/// The most rows one export holds; a larger selection is refused (narrow the filter)
/// rather than cut short without a word.
pub const MAX_ROWS: usize = 20_000;

/// Excel's limit for one cell's text.
const XLSX_TEXT: usize = 32_767;

/// What a column holds, which decides its cell type and format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text, left as typed (names, phones, codes).
    Text,
    /// A count or measure: a number cell.
    Number,
    /// Rubles: a number cell with the format `# ##0,00 ₽`.
    Money,
    /// A day: a date cell `ДД.ММ.ГГГГ`.
    Date,
    /// A moment: a date cell `ДД.ММ.ГГГГ ЧЧ:ММ`.
    DateTime,
}

/// A column: its Russian header, what it holds and its width in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header, e.g. «Дата создания (МСК)».
    pub header: String,
    /// What the column holds.
    pub kind: Kind,
    /// The width in characters in the XLSX.
    pub width: u16,
}

impl Column {
    /// A column of `kind` titled `header`, `width` characters wide.
    pub fn new(header: &str, kind: Kind, width: u16) -> Column {
        Column {
            header: header.to_owned(),
            kind,
            width,
        }
    }
}

/// One cell's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A number (money too: the column's kind formats it).
    Number(Decimal),
    /// A day.
    Date(NaiveDate),
    /// A moment, in the reader's zone.
    DateTime(NaiveDateTime),
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Cell {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

/// A table to take away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name in the XLSX (Excel keeps 31 characters of it).
    pub name: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, a cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// A file format for an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `text/csv`.
    Csv,
    /// Office Open XML spreadsheet.
    Xlsx,
}

impl Format {
    /// Parses a `format=` value; `None` for anything but `csv` and `xlsx`.
    pub fn from_code(code: &str) -> Option<Format> {
        match code {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The file's media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// `1234.5` → `1234,5`: the decimal comma Russian spreadsheets read as a number.
fn decimal_text(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

/// Whether a spreadsheet would take `text` for a formula. A phone (`+7…`) or a negative
/// number is left alone: digits after the sign cannot compute anything.
fn looks_like_formula(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.all(|c| c.is_ascii_digit() || c == ' '),
        _ => false,
    }
}

fn csv_field(text: &str) -> String {
    let text = if looks_like_formula(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv_cell(cell: &Cell, kind: Kind) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => csv_field(text),
        Cell::Number(value) if kind == Kind::Money => {
            let kopecks = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            format!("{kopecks:.2}").replace('.', ",")
        }
        Cell::Number(value) => decimal_text(*value),
        Cell::Date(day) => day.format("%d.%m.%Y").to_string(),
        Cell::DateTime(at) => at.format("%d.%m.%Y %H:%M").to_string(),
    }
}

/// The sheet as CSV bytes (UTF-8 with BOM, `;`, CRLF).
pub fn csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = sheet.columns.iter().map(|c| csv_field(&c.header)).collect();
    out.push_str(&header.join(";"));
    out.push_str("\r\n");
    for row in &sheet.rows {
        let fields: Vec<String> = sheet
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                row.get(i)
                    .map(|cell| csv_cell(cell, column.kind))
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn excel_date(day: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year =
        u16::try_from(day.year()).map_err(|_| XlsxError::DateTimeRangeError(day.to_string()))?;
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8)
}

fn excel_datetime(at: NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    excel_date(at.date())?.and_hms(at.hour() as u16, at.minute() as u8, at.second())
}

/// A sheet name Excel accepts: none of `[]:*?/\`, at most 31 characters, not empty.
fn sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "Лист1".to_owned()
    } else {
        cleaned
    }
}

fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    let money = CellFormat::new().set_num_format("#,##0.00\\ \"₽\"");
    let date = CellFormat::new().set_num_format("dd.mm.yyyy");
    let datetime = CellFormat::new().set_num_format("dd.mm.yyyy hh:mm");
    let plain = CellFormat::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet_name(&sheet.name))?;
        for (c, column) in sheet.columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            worksheet.write_string_with_format(0, c, &column.header, &bold)?;
            worksheet.set_column_width(c, column.width)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, (cell, column)) in row.iter().zip(&sheet.columns).enumerate() {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                match cell {
                    Cell::Empty => {}
                    Cell::Text(text) => {
                        let text: String = text.chars().take(XLSX_TEXT).collect();
                        worksheet.write_string_with_format(r, c, text, &plain)?;
                    }
                    Cell::Number(value) => {
                        let number = value.to_f64().unwrap_or_default();
                        let format = if column.kind == Kind::Money {
                            &money
                        } else {
                            &plain
                        };
                        worksheet.write_number_with_format(r, c, number, format)?;
                    }
                    Cell::Date(day) => {
                        worksheet.write_datetime_with_format(r, c, excel_date(*day)?, &date)?;
                    }
                    Cell::DateTime(at) => {
                        worksheet.write_datetime_with_format(
                            r,
                            c,
                            excel_datetime(*at)?,
                            &datetime,
                        )?;
                    }
                }
            }
        }
        if let Some(last) = sheet.columns.len().checked_sub(1) {
            let last_col = u16::try_from(last).map_err(|_| XlsxError::RowColumnLimitError)?;
            let last_row =
                u32::try_from(sheet.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
            worksheet.set_freeze_panes(1, 0)?;
            worksheet.autofilter(0, 0, last_row, last_col)?;
        }
    }
    workbook.save_to_buffer()
}

/// A file that could not be put together: the detail goes to the log, the caller gets the
/// generic «try again» of an unavailable service.
fn failed(detail: String) -> AppError {
    AppError::Backend {
        refusal: Refusal::new(
            RefusalKind::Unavailable,
            "export_failed",
            "Файл выгрузки не удалось собрать. Попробуйте ещё раз.",
        ),
        detail,
    }
}

/// The sheet as an XLSX workbook of one worksheet: a bold header row frozen at the top with
/// a filter, typed cells below.
pub fn xlsx(sheet: &Sheet) -> Result<Vec<u8>, AppError> {
    xlsx_all(std::slice::from_ref(sheet))
}

/// The sheets as one XLSX workbook, a worksheet each, in order.
pub fn xlsx_all(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    write_xlsx(sheets).map_err(|e| failed(format!("xlsx export: {e}")))
}

/// The sheets as one CSV: each table with its header, an empty line between them (CSV has
/// no worksheets; a spreadsheet opens the tables one under the other).
pub fn csv_all(sheets: &[Sheet]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let mut bytes = csv(sheet);
        if i > 0 {
            out.extend_from_slice(b"\r\n");
            bytes.drain(..'\u{feff}'.len_utf8());
        }
        out.append(&mut bytes);
    }
    out
}

/// The answer with the file: its media type, `Content-Disposition: attachment` with the
/// name in UTF-8 (RFC 6266/5987, so «Заявки.xlsx» keeps its Cyrillic), and no caching —
/// the file holds personal data.
pub fn download(sheet: &Sheet, format: Format, file_stem: &str) -> Result<Response, AppError> {
    download_all(std::slice::from_ref(sheet), format, file_stem)
}

/// [`download`] of several tables in one file ([`csv_all`], [`xlsx_all`]).
pub fn download_all(
    sheets: &[Sheet],
    format: Format,
    file_stem: &str,
) -> Result<Response, AppError> {
    let body = match format {
        Format::Csv => csv_all(sheets),
        Format::Xlsx => xlsx_all(sheets)?,
    };
    let file = format!("{file_stem}.{}", format.extension());
    let ascii: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition)
            .map_err(|e| failed(format!("content-disposition: {e}")))?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn sheet() -> Sheet {
        Sheet {
            name: "Заявки".into(),
            columns: vec![
                Column::new("Клиент", Kind::Text, 20),
                Column::new("Количество", Kind::Number, 10),
                Column::new("Цена, ₽", Kind::Money, 12),
                Column::new("День", Kind::Date, 12),
                Column::new("Создана (МСК)", Kind::DateTime, 16),
            ],
            rows: vec![
                vec![
                    Cell::Text("Иван; \"Ваня\"".into()),
                    Cell::Number(dec!(1.5)),
                    Cell::Number(dec!(1234567.5)),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
                    Cell::DateTime(
                        NaiveDate::from_ymd_opt(2026, 12, 31)
                            .unwrap()
                            .and_hms_opt(9, 5, 0)
                            .unwrap(),
                    ),
                ],
                vec![
                    Cell::Text("=HYPERLINK(\"http://x\")".into()),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_is_utf8_with_bom_semicolons_and_russian_numbers() {
        let text = String::from_utf8(csv(&sheet())).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Клиент;Количество;Цена, ₽;День;Создана (МСК)");
        assert_eq!(
            lines[1],
            "\"Иван; \"\"Ваня\"\"\";1,5;1234567,50;31.12.2026;31.12.2026 09:05"
        );
        assert_eq!(lines[3], "", "every line ends with CRLF");
    }

    #[test]
    fn csv_defuses_formulas_but_keeps_phones() {
        let text = String::from_utf8(csv(&sheet())).unwrap();
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://x\"\")\";;;;"),
            "{text}"
        );
        assert!(looks_like_formula("@SUM(A1)"));
        assert!(looks_like_formula("-1+2"));
        assert!(!looks_like_formula("+79161234567"));
        assert!(!looks_like_formula("-15"));
        assert!(!looks_like_formula("Иван"));
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = xlsx(&sheet()).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
    }

    #[test]
    fn several_tables_are_one_csv_with_one_bom_and_an_empty_line_between() {
        let mut second = sheet();
        second.name = "Ответы".into();
        let text = String::from_utf8(csv_all(&[sheet(), second])).unwrap();
        assert_eq!(text.matches('\u{feff}').count(), 1);
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[3], "", "an empty line after the first table");
        assert_eq!(lines[4], "Клиент;Количество;Цена, ₽;День;Создана (МСК)");
    }

    #[test]
    fn sheet_names_are_made_acceptable_to_excel() {
        assert_eq!(sheet_name("Заявки: 2026/12"), "Заявки  2026 12");
        assert_eq!(sheet_name("???"), "Лист1");
        assert_eq!(sheet_name(&"я".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn the_download_names_the_file_in_utf8_and_is_not_cached() {
        let response = download(&sheet(), Format::Xlsx, "Заявки 2026-12-31").unwrap();
        let headers = response.headers();
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"_______2026-12-31.xlsx\""));
        assert!(
            disposition.contains(
                "filename*=UTF-8''%D0%97%D0%B0%D1%8F%D0%B2%D0%BA%D0%B8%202026-12-31.xlsx"
            )
        );
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }

    #[test]
    fn formats_are_read_from_their_codes() {
        assert_eq!(Format::from_code("csv"), Some(Format::Csv));
        assert_eq!(Format::from_code("xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::from_code("pdf"), None);
    }
}
