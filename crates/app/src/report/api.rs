//! The reports' JSON API: `GET /api/reports/{report}`.

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::report::export::{Format, download_all};
use crate::report::views::{ReportView, file_stem, sheets};
use crate::report::{self, Computed, ReportName};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::report::{ReportDraft, ReportFormat};

/// The query string as a draft; a string that is no query at all (a field twice, broken
/// escapes) is a 400.
pub fn draft_of(query: Option<&str>) -> Result<ReportDraft, AppError> {
    serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Некорректные параметры запроса."))
}

/// The report answered in its format: JSON, or the same model as a CSV or XLSX download
/// (`lead_survey`'s answers as a second table: a second worksheet, or after an empty line).
pub fn answer(computed: &Computed) -> Result<Response, AppError> {
    let report = &computed.report;
    let file = match computed.query.format {
        ReportFormat::Json => return Ok(Json(ReportView::of(computed)).into_response()),
        ReportFormat::Csv => Format::Csv,
        ReportFormat::Xlsx => Format::Xlsx,
    };
    download_all(&sheets(computed), file, &file_stem(report))
}

/// `GET /api/reports/{report}?from=&to=&compare_from=&compare_to=&group_by=&dealer=&format=`
#[utoipa::path(get, path = "/api/reports/{report}", tag = "reports", params(
    ("report" = String, Path, description = "The report: `tickets`, `ticket_sla`, `ticket_costs`, `ticket_survey`, `leads`, `lead_refusals`, `lead_conversion`, `lead_processing_time`, `lead_overdue`, `lead_survey`. A report the caller may not open is a 404, like an unknown one."),
    ("from" = Option<String>, Query, description = "The period's first day, `YYYY-MM-DD` (Moscow); by default the first day of the month of `to`, or of this month."),
    ("to" = Option<String>, Query, description = "The period's last day, inclusive, `YYYY-MM-DD` (Moscow); by default today, or the end of this month. At most 36 months from `from`."),
    ("compare_from" = Option<String>, Query, description = "The compared period's first day (with `compare_to`)."),
    ("compare_to" = Option<String>, Query, description = "The compared period's last day, inclusive (with `compare_from`)."),
    ("preset" = Option<String>, Query, description = "`month` (this month against the last) or `quarter` (this quarter against the same quarter a year ago): fills the period and the comparison not given."),
    ("group_by" = Option<String>, Query, description = "One of the report's groupings — `tickets`: `category`, `criticality`, `status`, `dealer`, `month`; `ticket_sla`: `month`, `criticality`, `dealer`; `ticket_costs`: `quarter`, `dealer`; `ticket_survey`: `quarter`; `leads`: `dealer`, `city`, `region`, `district`, `type`; `lead_conversion`: `dealer`, `city`, `region`, `district`; `lead_refusals`: `reason`; `lead_processing_time`: `bucket`, `weekday_hour`; `lead_overdue`: `representative`; `lead_survey`: `answer` —; by default its first."),
    ("dealer" = Option<String>, Query, description = "Only this dealer (a dealer outside the caller's scope is a 404)."),
    ("format" = Option<String>, Query, description = "`json` (default), `csv` (UTF-8 with BOM, `;`) or `xlsx` (typed cells): the same rows as a file.")
), responses(
    (status = 200, description = "The report: `{report, title, group_by, period, compare, columns: [{code, label, kind}], rows: [{key, label, values, compare, change}], totals, summary: [{code, label, kind, value, compare, change}] (figures of the whole period: `lead_processing_time`'s `mean_minutes`), charts}`, and for `lead_survey` also `answers: {rows: [{answered_at, lead_id, dealer, observer, answer, comment, …}], left_out, limit}`; with `format` the same as a file (`Content-Disposition: attachment`; `lead_survey`'s answers as a second worksheet, or a second table in the CSV).", content((ReportView = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    (status = "4XX", description = "Refused: the `error` envelope (422 names the field at fault).", body = crate::openapi::ErrorEnvelope),
    (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)
))]
pub async fn api_report(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let name = ReportName::from_code(&name).ok_or_else(AppError::not_found)?;
    let draft = draft_of(query.as_deref())?;
    let computed = report::run(&state, &caller.actor, name, &draft).await?;
    answer(&computed)
}
