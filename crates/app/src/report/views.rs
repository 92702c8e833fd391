//! What a report looks like outside: the JSON of the API, the sheet of the CSV and XLSX
//! files, and the charts with their tables on the page — all from the one
//! [`Report`] model.

use crate::kernel::time;
use crate::report::chart::{self, ChartData, Figure, Series};
use crate::report::export::{Cell, Column as SheetColumn, Kind, Sheet};
use crate::report::{AnswerList, Computed};
use chrono::NaiveDate;
use dealerdesk_domain::Quarter;
use dealerdesk_domain::report::{
    ChartKind, Column, GroupBy, Period, Report, ReportName, Row, Summary, ValueKind, Values,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The templates of the report pages.
pub fn add_templates(env: &mut crate::kernel::templates::Sources) {
    for (name, source) in [
        (
            "report/list.html",
            include_str!("../../templates/report/list.html"),
        ),
        (
            "report/report.html",
            include_str!("../../templates/report/report.html"),
        ),
    ] {
        crate::kernel::templates::add(env, name, source);
    }
}

/// A period: its days and its words.
#[derive(Serialize, ToSchema)]
pub struct PeriodView {
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The last day (inclusive), `YYYY-MM-DD`.
    pub to: String,
    /// «Ноябрь 2026», «IV квартал 2026 г.», «05.10.2026 – 20.10.2026».
    pub label: String,
}

impl PeriodView {
    fn new(p: &Period) -> Self {
        PeriodView {
            from: p.from.to_string(),
            to: p.to.to_string(),
            label: p.label(),
        }
    }
}

/// A value column.
#[derive(Serialize, ToSchema)]
pub struct ColumnView {
    /// The key of the column's values in each row.
    pub code: String,
    /// The Russian header.
    pub label: String,
    /// `count`, `money`, `hours`, `percent`, `minutes` or `score`.
    pub kind: String,
}

/// A row: the period's value of each column, the compared period's beside it and the
/// change in percent.
#[derive(Serialize, ToSchema)]
pub struct RowView {
    /// The group's stable key (a category code, a dealer id, `2026-11`, `2026-Q4`;
    /// `total` for the totals).
    pub key: String,
    /// The group's Russian name.
    pub label: String,
    /// Column code → the period's value.
    pub values: BTreeMap<String, f64>,
    /// Column code → the compared period's value; `null` without a comparison.
    pub compare: Option<BTreeMap<String, f64>>,
    /// Column code → the change in percent (`null` from a zero); empty without a
    /// comparison.
    pub change: BTreeMap<String, Option<f64>>,
}

fn numbers(values: &Values) -> BTreeMap<String, f64> {
    values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_f64().unwrap_or(0.0)))
        .collect()
}

impl RowView {
    fn new(row: &Row) -> Self {
        RowView {
            key: row.key.clone(),
            label: row.label.clone(),
            values: numbers(&row.values),
            compare: row.compare.as_ref().map(numbers),
            change: row
                .change
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.and_then(|d| d.to_f64())))
                .collect(),
        }
    }
}

/// A figure of the whole period that no row has (`lead_processing_time`'s mean time to the
/// first contact): the same in every grouping, shown once beside the table.
#[derive(Serialize, ToSchema)]
pub struct SummaryView {
    /// The figure's code, e.g. `mean_minutes`.
    pub code: String,
    /// Its Russian words.
    pub label: String,
    /// `count`, `money`, `hours`, `percent`, `minutes` or `score`.
    pub kind: String,
    /// The period's value.
    pub value: f64,
    /// The compared period's value; `null` without a comparison.
    pub compare: Option<f64>,
    /// The change in percent; `null` without a comparison or from a zero.
    pub change: Option<f64>,
}

impl SummaryView {
    fn new(s: &Summary) -> Self {
        SummaryView {
            code: s.column.code.to_owned(),
            label: s.column.label.to_owned(),
            kind: s.column.kind.code().to_owned(),
            value: s.value.to_f64().unwrap_or(0.0),
            compare: s.compare.and_then(|d| d.to_f64()),
            change: s.change.and_then(|d| d.to_f64()),
        }
    }
}

/// A chart of the page: which column, drawn how.
#[derive(Serialize, ToSchema)]
pub struct ChartView {
    /// Unique on the page, e.g. `ticket_survey-ticket_handling`.
    pub id: String,
    pub title: String,
    /// `bars` or `line`.
    pub kind: String,
    /// The column drawn.
    pub column: String,
}

/// `GET /api/reports/{report}`: the report.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    /// The report's code, e.g. `tickets`.
    pub report: String,
    /// Its Russian title.
    pub title: String,
    /// What it counts.
    pub about: String,
    /// The grouping's code and words.
    pub group_by: String,
    pub group_by_label: String,
    pub period: PeriodView,
    /// The compared period; `null` without one.
    pub compare: Option<PeriodView>,
    /// The columns of the grouping's rows (a column some grouping has no use for is not
    /// listed, and its rows carry no value for it).
    pub columns: Vec<ColumnView>,
    pub rows: Vec<RowView>,
    /// The totals row (`key` = `total`).
    pub totals: RowView,
    /// The report's figures of the whole period, not of any row (empty for most reports).
    pub summary: Vec<SummaryView>,
    /// The charts the page draws over the rows.
    pub charts: Vec<ChartView>,
    /// `lead_survey` only: the customers' answers themselves, beside the counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<LeadSurveyAnswersView>,
}

/// One customer's survey answer (SPEC §4.5).
#[derive(Serialize, ToSchema)]
pub struct LeadSurveyAnswerView {
    /// When the customer answered, RFC 3339 UTC.
    pub answered_at: String,
    /// The same in Moscow time, `ДД.ММ.ГГГГ ЧЧ:ММ`.
    pub answered_at_local: String,
    /// The lead; its card is `/leads/{lead_id}`.
    pub lead_id: String,
    pub lead_href: String,
    /// The lead as people name it: its type and the day it arrived, «Тест-драйв, 02.03.2026».
    pub lead_label: String,
    pub dealer_id: String,
    /// The dealer's name.
    pub dealer: String,
    /// The observer (regional representative); `null` for a lead without one.
    pub observer_id: Option<String>,
    pub observer: Option<String>,
    /// `no_contact`, `unhappy` or `happy`.
    pub answer: String,
    /// The answer's Russian words.
    pub answer_label: String,
    /// Whether the answer alerted the observer («Дилер не связался», «…не устраивает»).
    pub negative: bool,
    /// The customer's comment, if any.
    pub comment: Option<String>,
}

/// `lead_survey`'s answers: to the leads of the period (as its counts), newest first.
#[derive(Serialize, ToSchema)]
pub struct LeadSurveyAnswersView {
    pub rows: Vec<LeadSurveyAnswerView>,
    /// `true` when older answers were left out: the listing stops at `limit` answers of
    /// the whole network (the counts stay exact); a shorter period lists them all.
    pub left_out: bool,
    pub limit: usize,
}

impl LeadSurveyAnswersView {
    pub fn new(list: &AnswerList) -> Self {
        LeadSurveyAnswersView {
            rows: list
                .answers
                .iter()
                .map(|a| LeadSurveyAnswerView {
                    answered_at: time::utc(a.row.answered_at),
                    answered_at_local: time::local(a.row.answered_at),
                    lead_id: a.row.lead.to_string(),
                    lead_href: format!("/leads/{}", a.row.lead),
                    lead_label: format!(
                        "{}, {}",
                        a.row.kind.label(),
                        a.row.arrived_on.format("%d.%m.%Y")
                    ),
                    dealer_id: a.row.dealer.to_string(),
                    dealer: a.dealer.clone(),
                    observer_id: a.row.observer.as_ref().map(ToString::to_string),
                    observer: a.observer.clone(),
                    answer: a.row.answer.code().to_owned(),
                    answer_label: a.row.answer.label().to_owned(),
                    negative: a.row.answer.is_negative(),
                    comment: a.row.comment.clone(),
                })
                .collect(),
            left_out: list.left_out,
            limit: list.limit,
        }
    }
}

/// The answers as a sheet: the answer time a Moscow date-time cell, the lead, dealer,
/// observer, answer and comment as text.
pub fn answers_sheet(list: &AnswerList) -> Sheet {
    let text = |t: &str| Cell::Text(t.to_owned());
    let rows = list
        .answers
        .iter()
        .map(|a| {
            vec![
                Cell::DateTime(
                    a.row
                        .answered_at
                        .with_timezone(&time::DISPLAY_TZ)
                        .naive_local(),
                ),
                text(a.row.lead.as_str()),
                text(&a.dealer),
                Cell::from(a.observer.clone()),
                text(a.row.answer.label()),
                Cell::from(a.row.comment.clone()),
            ]
        })
        .collect();
    Sheet {
        name: "Ответы клиентов".to_owned(),
        columns: vec![
            SheetColumn::new("Ответ получен (МСК)", Kind::DateTime, 18),
            SheetColumn::new("Заявка", Kind::Text, 28),
            SheetColumn::new("Дилер", Kind::Text, 28),
            SheetColumn::new("Наблюдатель", Kind::Text, 24),
            SheetColumn::new("Ответ клиента", Kind::Text, 40),
            SheetColumn::new("Комментарий", Kind::Text, 60),
        ],
        rows,
    }
}

/// The report's figures of the whole period as a sheet of their own, a row per figure —
/// the value, and with a comparison the compared value and the change; `None` for a
/// report without them.
pub fn summary_sheet(r: &Report) -> Option<Sheet> {
    if r.summary.is_empty() {
        return None;
    }
    let mut columns = vec![
        SheetColumn::new("Показатель", Kind::Text, 36),
        SheetColumn::new(&r.period.label(), Kind::Number, 18),
    ];
    if let Some(compare) = &r.compare {
        columns.push(SheetColumn::new(&compare.label(), Kind::Number, 18));
        columns.push(SheetColumn::new("Изменение, %", Kind::Number, 14));
    }
    let rows = r
        .summary
        .iter()
        .map(|s| {
            let mut cells = vec![Cell::Text(s.column.label.to_owned()), Cell::Number(s.value)];
            if r.compare.is_some() {
                cells.push(s.compare.map_or(Cell::Empty, Cell::Number));
                cells.push(s.change.map_or(Cell::Empty, Cell::Number));
            }
            cells
        })
        .collect();
    Some(Sheet {
        name: "Сводка".to_owned(),
        columns,
        rows,
    })
}

/// The sheets of a computed report's file: the figures, the figures of the whole period
/// (`lead_processing_time`'s mean), and `lead_survey`'s answers.
pub fn sheets(computed: &Computed) -> Vec<Sheet> {
    let mut out = vec![sheet(&computed.report)];
    out.extend(summary_sheet(&computed.report));
    if let Some(list) = &computed.answers {
        out.push(answers_sheet(list));
    }
    out
}

impl ReportView {
    /// The computed report with, for `lead_survey`, its answers.
    pub fn of(computed: &Computed) -> Self {
        let mut view = ReportView::new(&computed.report);
        view.answers = computed.answers.as_ref().map(LeadSurveyAnswersView::new);
        view
    }

    pub fn new(r: &Report) -> Self {
        let spec = r.spec();
        ReportView {
            report: r.name.code().to_owned(),
            title: r.name.label().to_owned(),
            about: spec.about.to_owned(),
            group_by: r.group_by.code().to_owned(),
            group_by_label: r.group_by.label().to_owned(),
            period: PeriodView::new(&r.period),
            compare: r.compare.as_ref().map(PeriodView::new),
            columns: r
                .columns
                .iter()
                .map(|c| ColumnView {
                    code: c.code.to_owned(),
                    label: c.label.to_owned(),
                    kind: c.kind.code().to_owned(),
                })
                .collect(),
            rows: r.rows.iter().map(RowView::new).collect(),
            totals: RowView::new(&r.totals),
            summary: r.summary.iter().map(SummaryView::new).collect(),
            charts: charts_of(r)
                .into_iter()
                .map(|(id, title, kind, column)| ChartView {
                    id,
                    title,
                    kind: match kind {
                        ChartKind::Bars => "bars",
                        ChartKind::Line => "line",
                        ChartKind::HeatMap => "heat_map",
                    }
                    .to_owned(),
                    column: column.code.to_owned(),
                })
                .collect(),
            answers: None,
        }
    }
}

/// The group column's header for a grouping.
pub fn group_header(group_by: GroupBy) -> &'static str {
    match group_by {
        GroupBy::Category => "Категория",
        GroupBy::Criticality => "Критичность",
        GroupBy::Status => "Статус",
        GroupBy::Dealer => "Дилер",
        GroupBy::Month => "Месяц",
        GroupBy::Quarter => "Квартал",
        GroupBy::City => "Город",
        GroupBy::Region => "Регион",
        GroupBy::District => "Федеральный округ",
        GroupBy::Type => "Тип заявки",
        GroupBy::Reason => "Причина",
        GroupBy::Bucket => "Время до контакта",
        GroupBy::WeekdayHour => "День и час",
        GroupBy::Representative => "Региональный представитель",
        GroupBy::Answer => "Ответ клиента",
    }
}

/// The charts of a report: id, title, how, which column.
fn charts_of(r: &Report) -> Vec<(String, String, ChartKind, Column)> {
    // A heat map draws weekday × hour rows, and only those rows: bars of 168 slots say
    // nothing.
    let hours = r.group_by == GroupBy::WeekdayHour;
    r.spec()
        .charts
        .iter()
        .filter(|c| (c.kind == ChartKind::HeatMap) == hours)
        .filter_map(|c| {
            let column = r.columns.iter().copied().find(|col| col.code == c.column)?;
            Some((
                format!("{}-{}", r.name.code(), column.code),
                format!("{} {}", column.label, r.group_by.label()),
                c.kind,
                column,
            ))
        })
        .collect()
}

fn value(values: &Values, code: &str) -> Decimal {
    values.get(code).copied().unwrap_or(Decimal::ZERO)
}

/// The page's charts, each with the table of its numbers.
pub fn figures(r: &Report) -> Vec<Figure> {
    charts_of(r)
        .into_iter()
        .map(|(id, title, kind, column)| {
            let mut series = vec![Series {
                name: r.period.label(),
                values: r
                    .rows
                    .iter()
                    .map(|row| value(&row.values, column.code))
                    .collect(),
            }];
            if let Some(compare) = &r.compare {
                series.push(Series {
                    name: compare.label(),
                    values: r
                        .rows
                        .iter()
                        .map(|row| {
                            row.compare
                                .as_ref()
                                .map(|c| value(c, column.code))
                                .unwrap_or(Decimal::ZERO)
                        })
                        .collect(),
                });
            }
            let data = ChartData {
                id,
                title,
                categories: r.rows.iter().map(|row| row.label.clone()).collect(),
                series,
            };
            match kind {
                ChartKind::Bars => chart::grouped_bars(&data),
                ChartKind::Line => chart::line(&data),
                ChartKind::HeatMap => chart::heat_map(&data.id, &data.title, &slots(r, column)),
            }
        })
        .collect()
}

/// The rows keyed `<weekday 1–7>:<hour>` as the heat map's grid, Monday first.
fn slots(r: &Report, column: Column) -> [[Decimal; 24]; 7] {
    let mut grid = [[Decimal::ZERO; 24]; 7];
    for row in &r.rows {
        let Some((day, hour)) = row.key.split_once(':') else {
            continue;
        };
        if let (Ok(day), Ok(hour)) = (day.parse::<usize>(), hour.parse::<usize>())
            && let Some(cell) = grid
                .get_mut(day.wrapping_sub(1))
                .and_then(|d| d.get_mut(hour))
        {
            *cell = value(&row.values, column.code);
        }
    }
    grid
}

/// A number as the page prints it in a column of `kind`: «12 345,5», «30 000 ₽», «12,5 %».
pub fn printed(value: Decimal, kind: ValueKind) -> String {
    let n = chart::number(value);
    match kind {
        ValueKind::Money => format!("{n}\u{a0}₽"),
        ValueKind::Percent => format!("{n}\u{a0}%"),
        ValueKind::Count | ValueKind::Hours | ValueKind::Minutes | ValueKind::Score => n,
    }
}

fn kind_of(kind: ValueKind) -> Kind {
    match kind {
        ValueKind::Money => Kind::Money,
        ValueKind::Count
        | ValueKind::Hours
        | ValueKind::Percent
        | ValueKind::Minutes
        | ValueKind::Score => Kind::Number,
    }
}

/// The days a row of time covers within the period: a month (`2026-11`) or a quarter
/// (`2026-Q4`) cut to the period.
fn row_days(key: &str, period: &Period) -> Option<(NaiveDate, NaiveDate)> {
    let whole = if let Some(q) = Quarter::from_code(key) {
        Period::quarter(q)
    } else {
        let first = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
        Period::month_of(first)
    };
    Some((whole.from.max(period.from), whole.to.min(period.to)))
}

/// The report as a sheet: the group column (and, for rows of time, the days they cover as
/// date cells), then per value column the period's value — with a comparison also the
/// compared period's and the change in percent —, the totals last.
pub fn sheet(r: &Report) -> Sheet {
    let time = r.group_by.is_time();
    let mut columns = vec![SheetColumn::new(group_header(r.group_by), Kind::Text, 28)];
    if time {
        columns.push(SheetColumn::new("С", Kind::Date, 12));
        columns.push(SheetColumn::new("По", Kind::Date, 12));
    }
    for c in &r.columns {
        match &r.compare {
            None => columns.push(SheetColumn::new(c.label, kind_of(c.kind), 16)),
            Some(compare) => {
                columns.push(SheetColumn::new(
                    &format!("{} — {}", c.label, r.period.label()),
                    kind_of(c.kind),
                    18,
                ));
                columns.push(SheetColumn::new(
                    &format!("{} — {}", c.label, compare.label()),
                    kind_of(c.kind),
                    18,
                ));
                columns.push(SheetColumn::new(
                    &format!("{}: изменение, %", c.label),
                    Kind::Number,
                    14,
                ));
            }
        }
    }
    let line = |row: &Row, days: Option<(NaiveDate, NaiveDate)>| {
        let mut cells = vec![Cell::Text(row.label.clone())];
        if time {
            match days {
                Some((from, to)) => {
                    cells.push(Cell::Date(from));
                    cells.push(Cell::Date(to));
                }
                None => {
                    cells.push(Cell::Date(r.period.from));
                    cells.push(Cell::Date(r.period.to));
                }
            }
        }
        for c in &r.columns {
            cells.push(Cell::Number(value(&row.values, c.code)));
            if r.compare.is_some() {
                cells.push(Cell::Number(
                    row.compare
                        .as_ref()
                        .map(|v| value(v, c.code))
                        .unwrap_or(Decimal::ZERO),
                ));
                cells.push(match row.change.get(c.code).copied().flatten() {
                    Some(change) => Cell::Number(change),
                    None => Cell::Empty,
                });
            }
        }
        cells
    };
    let mut rows: Vec<Vec<Cell>> = r
        .rows
        .iter()
        .map(|row| line(row, row_days(&row.key, &r.period)))
        .collect();
    rows.push(line(&r.totals, None));
    Sheet {
        name: r.name.label().to_owned(),
        columns,
        rows,
    }
}

/// The file's name without its extension: the report and its period.
pub fn file_stem(r: &Report) -> String {
    format!(
        "{} {} – {}",
        r.name.label(),
        r.period.from.format("%d.%m.%Y"),
        r.period.to.format("%d.%m.%Y")
    )
}

/// The reports the list shows: code, title, what it counts.
pub fn list_entry(name: ReportName) -> minijinja::Value {
    minijinja::context! {
        code => name.code(),
        title => name.label(),
        about => name.spec().about,
    }
}
