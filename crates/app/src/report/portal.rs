//! The reports' pages: «Отчёты» (the reports the viewer may open) and a report's page — the
//! period, comparison, grouping and dealer as a GET form (no script), the ready periods as
//! links, the charts each with its table of numbers, the whole table and the downloads.

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::templates::{error_page, render, serde_value};
use crate::report::api::{answer, draft_of};
use crate::report::views::{ReportView, figures, group_header, list_entry, printed};
use crate::report::{self, Computed, ReportName};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use dealerdesk_domain::report::{Preset, ReportDraft, ReportFormat, Row, reports_of};
use minijinja::{Value, context};

/// `GET /reports`: the reports the viewer may open; a role with none gets 403.
pub async fn list_page(State(state): State<AppState>, caller: PortalCaller) -> Response {
    let reports = reports_of(caller.actor());
    if reports.is_empty() {
        return error_page(&state, Some(&caller), &AppError::forbidden());
    }
    let entries: Vec<Value> = reports.into_iter().map(list_entry).collect();
    render(
        &state,
        StatusCode::OK,
        "report/list.html",
        context! { me => caller.layout(), reports => entries },
    )
}

/// The link to this page (or its file) with `draft`'s fields.
fn href(name: ReportName, draft: &ReportDraft, format: Option<&str>) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (key, value) in [
        ("from", &draft.from),
        ("to", &draft.to),
        ("compare_from", &draft.compare_from),
        ("compare_to", &draft.compare_to),
        ("preset", &draft.preset),
        ("group_by", &draft.group_by),
        ("dealer", &draft.dealer),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            pairs.push((key, v));
        }
    }
    if let Some(f) = format {
        pairs.push(("format", f));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() {
        format!("/reports/{}", name.code())
    } else {
        format!("/reports/{}?{query}", name.code())
    }
}

/// A row's printed cells: per column the value, and with a comparison the compared value
/// and the change.
fn printed_row(computed: &Computed, row: &Row) -> Value {
    let report = &computed.report;
    let cells: Vec<Value> = report
        .columns
        .iter()
        .map(|c| {
            let value = row.values.get(c.code).copied().unwrap_or_default();
            let compare = row
                .compare
                .as_ref()
                .map(|v| printed(v.get(c.code).copied().unwrap_or_default(), c.kind));
            let change = row
                .change
                .get(c.code)
                .copied()
                .flatten()
                .map(printed_change);
            context! {
                value => printed(value, c.kind),
                compare => compare,
                change => change.unwrap_or_else(|| "—".to_owned()),
            }
        })
        .collect();
    context! { label => row.label.clone(), cells => cells }
}

/// The report's figures of the whole period as the line above its table prints them:
/// «Среднее время до контакта, мин: 33», with a comparison the compared value and the change.
fn printed_summary(computed: &Computed) -> Vec<Value> {
    computed
        .report
        .summary
        .iter()
        .map(|s| {
            context! {
                label => s.column.label,
                value => printed(s.value, s.column.kind),
                compare => s.compare.map(|v| printed(v, s.column.kind)),
                change => s.change.map(printed_change).unwrap_or_else(|| "—".to_owned()),
            }
        })
        .collect()
}

/// A change in percent as printed: «+12,5 %», «−3 %», «0 %».
fn printed_change(d: rust_decimal::Decimal) -> String {
    let sign = if d.is_sign_positive() && !d.is_zero() {
        "+"
    } else {
        ""
    };
    format!("{sign}{}\u{a0}%", crate::report::chart::number(d))
}

/// `GET /reports/{report}`: the report's page, or with `format=csv|xlsx` its file.
pub async fn report_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(name) =
        ReportName::from_code(&name).filter(|n| reports_of(caller.actor()).contains(n))
    else {
        return error_page(&state, Some(&caller), &AppError::not_found());
    };
    let draft = match draft_of(query.as_deref()) {
        Ok(d) => d,
        Err(e) => return error_page(&state, Some(&caller), &e),
    };
    let computed = report::run(&state, caller.actor(), name, &draft).await;
    let computed = match computed {
        Ok(c) if c.query.format != ReportFormat::Json => {
            return answer(&c).unwrap_or_else(|e| error_page(&state, Some(&caller), &e));
        }
        Ok(c) => Ok(c),
        Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => Err(e),
        Err(e) => return error_page(&state, Some(&caller), &e),
    };
    let spec = name.spec();
    let groupings: Vec<Value> = spec
        .group_by
        .iter()
        .map(|g| context! { code => g.code(), label => group_header(*g) })
        .collect();
    let presets: Vec<Value> = Preset::ALL
        .into_iter()
        .map(|p| {
            let mut d = ReportDraft::of_preset(p);
            d.group_by = draft.group_by.clone();
            d.dealer = draft.dealer.clone();
            context! { label => p.label(), href => href(name, &d, None) }
        })
        .collect();
    let base = context! {
        me => caller.layout(),
        name => name.code(),
        title => name.label(),
        about => spec.about,
        groupings => groupings,
        presets => presets,
    };
    let ctx = match &computed {
        Ok(c) => {
            let report = &c.report;
            let mut values = draft.clone();
            values.from = Some(c.query.period.from.to_string());
            values.to = Some(c.query.period.to.to_string());
            values.compare_from = c.query.compare.map(|p| p.from.to_string());
            values.compare_to = c.query.compare.map(|p| p.to.to_string());
            values.group_by = Some(c.query.group_by.code().to_owned());
            values.preset = None;
            let charts: Vec<Value> = figures(report)
                .into_iter()
                .map(|f| context! { svg => Value::from_safe_string(f.svg), table => Value::from_safe_string(f.table) })
                .collect();
            let dealers: Vec<Value> = c
                .choosable
                .iter()
                .map(|(id, name)| context! { id => id.as_str(), name => name })
                .collect();
            context! {
                report => serde_value(ReportView::of(c)),
                group_label => group_header(report.group_by),
                charts => charts,
                rows => report.rows.iter().map(|r| printed_row(c, r)).collect::<Vec<_>>(),
                totals => printed_row(c, &report.totals),
                summary => printed_summary(c),
                dealers => dealers,
                values => serde_value(FormValues::of(&values)),
                csv => href(name, &values, Some("csv")),
                xlsx => href(name, &values, Some("xlsx")),
                errors => std::collections::BTreeMap::<String, String>::new(),
                ..base
            }
        }
        Err(e) => {
            let fields: std::collections::BTreeMap<&str, String> =
                e.field_errors().into_iter().collect();
            context! {
                error => e.message_ru(),
                errors => fields,
                values => serde_value(FormValues::of(&draft)),
                ..base
            }
        }
    };
    let status = match &computed {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status(),
    };
    render(&state, status, "report/report.html", ctx)
}

/// The form's fields as typed (or as the report settled them).
#[derive(serde::Serialize)]
struct FormValues {
    from: String,
    to: String,
    compare_from: String,
    compare_to: String,
    group_by: String,
    dealer: String,
}

impl FormValues {
    fn of(d: &ReportDraft) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        FormValues {
            from: text(&d.from),
            to: text(&d.to),
            compare_from: text(&d.compare_from),
            compare_to: text(&d.compare_to),
            group_by: text(&d.group_by),
            dealer: text(&d.dealer),
        }
    }
}
