//! What a caller asks of a report: the period (two inclusive dates in the platform's zone —
//! the portal's Moscow time — which the store turns into UTC months and days), the period
//! compared with it, the grouping, the file format and one dealer. [`ReportDraft`] is the
//! query string as typed; [`ReportDraft::validate`] checks it against the report and says
//! which field is wrong, in Russian.

use super::ReportName;
use crate::error::ValidationError;
use crate::kernel::FieldError;
use crate::ticket::cost::state::Quarter;
use crate::{DealerId, coded_enum};
use chrono::{Datelike, Months, NaiveDate};
use serde::Deserialize;

/// The longest period a report covers: three years. A page reads a few items per month,
/// so this bounds what one request may cost.
pub const MAX_PERIOD_MONTHS: u32 = 36;

/// The earliest and latest dates a query may name (nothing was filed before, and a
/// far-future date is a typo).
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

coded_enum! {
    /// How a report's rows are grouped.
    pub enum GroupBy {
        /// A row per ticket category.
        Category = "category" / "по категориям",
        /// A row per criticality.
        Criticality = "criticality" / "по критичности",
        /// A row per ticket status.
        Status = "status" / "по статусам",
        /// A row per dealer.
        Dealer = "dealer" / "по дилерам",
        /// A row per month of the period.
        Month = "month" / "по месяцам",
        /// A row per quarter of the period.
        Quarter = "quarter" / "по кварталам",
        /// A row per dealer's city.
        City = "city" / "по городам",
        /// A row per dealer's region.
        Region = "region" / "по регионам",
        /// A row per dealer's federal district.
        District = "district" / "по федеральным округам",
        /// A row per lead type.
        Type = "type" / "по типам заявок",
        /// A row per refusal reason.
        Reason = "reason" / "по причинам",
        /// A row per stretch of processing time (a histogram).
        Bucket = "bucket" / "по времени обработки",
        /// A row per weekday and hour (a heat map).
        WeekdayHour = "weekday_hour" / "по дням недели и часам",
        /// A row per regional representative.
        Representative = "representative" / "по региональным представителям",
        /// A row per survey answer.
        Answer = "answer" / "по ответам",
    }
}

impl GroupBy {
    /// Whether the rows are stretches of time: a compared period's rows then stand beside
    /// the rows in the same place (its first month beside the first month), not by key.
    pub fn is_time(self) -> bool {
        matches!(self, GroupBy::Month | GroupBy::Quarter)
    }
}

coded_enum! {
    /// What the report is answered as.
    pub enum ReportFormat {
        /// The report as JSON.
        Json = "json" / "JSON",
        /// A CSV file (UTF-8 with BOM, `;`).
        Csv = "csv" / "CSV",
        /// An Excel workbook with typed cells.
        Xlsx = "xlsx" / "XLSX",
    }
}

coded_enum! {
    /// The periods the report pages offer with one click.
    pub enum Preset {
        /// This calendar month against the previous one.
        Month = "month" / "Этот месяц и прошлый",
        /// This quarter against the same quarter a year before.
        Quarter = "quarter" / "Этот квартал и тот же квартал год назад",
    }
}

impl Preset {
    /// The period and the one compared with it, for `today`.
    pub fn periods(self, today: NaiveDate) -> (Period, Period) {
        match self {
            Preset::Month => {
                let this = Period::month_of(today);
                let last = Period::month_of(this.from - chrono::Duration::days(1));
                (this, last)
            }
            Preset::Quarter => {
                let this = Period::quarter(Quarter::of(today));
                let quarter = Quarter::of(today);
                let year_ago = Quarter::new(quarter.year() - 1, quarter.q()).unwrap_or(quarter);
                (this, Period::quarter(year_ago))
            }
        }
    }
}

/// Two inclusive dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
}

/// A month's code as the store keys it: `2026-11`.
pub fn month_code(year: i32, month: u32) -> String {
    format!("{year:04}-{month:02}")
}

impl Period {
    /// The calendar month `day` falls in.
    pub fn month_of(day: NaiveDate) -> Period {
        let from = day.with_day(1).unwrap_or(day);
        let to = (from + Months::new(1)) - chrono::Duration::days(1);
        Period { from, to }
    }

    /// A whole quarter.
    pub fn quarter(quarter: Quarter) -> Period {
        Period {
            from: quarter.first_day(),
            to: quarter.last_day(),
        }
    }

    /// Whether `day` is in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The months the period touches, oldest first, as `(year, month)`.
    pub fn months(&self) -> Vec<(i32, u32)> {
        let mut out = Vec::new();
        let mut at = self.from.with_day(1).unwrap_or(self.from);
        while at <= self.to {
            out.push((at.year(), at.month()));
            at = at + Months::new(1);
        }
        out
    }

    /// The quarters the period touches, oldest first.
    pub fn quarters(&self) -> Vec<Quarter> {
        let mut out = vec![Quarter::of(self.from)];
        let last = Quarter::of(self.to);
        while let Some(&q) = out.last() {
            if q >= last {
                break;
            }
            out.push(q.next());
        }
        out
    }

    /// «01.11.2026 – 30.11.2026»; a whole month reads «Ноябрь 2026», a whole quarter
    /// «IV квартал 2026 г.».
    pub fn label(&self) -> String {
        if *self == Period::month_of(self.from) {
            return month_label(self.from.year(), self.from.month());
        }
        let quarter = Quarter::of(self.from);
        if *self == Period::quarter(quarter) {
            return quarter.label();
        }
        format!(
            "{} – {}",
            self.from.format("%d.%m.%Y"),
            self.to.format("%d.%m.%Y")
        )
    }

    /// The months from the first to the last day, counting both (November to January is 3).
    fn month_span(&self) -> i64 {
        i64::from(self.to.year() - self.from.year()) * 12 + i64::from(self.to.month())
            - i64::from(self.from.month())
            + 1
    }
}

/// «Ноябрь 2026».
pub fn month_label(year: i32, month: u32) -> String {
    format!("{} {year}", crate::calendar::month_name(month))
}

/// The query string as typed: every field optional text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ReportDraft {
    pub from: Option<String>,
    pub to: Option<String>,
    pub compare_from: Option<String>,
    pub compare_to: Option<String>,
    pub group_by: Option<String>,
    pub format: Option<String>,
    pub dealer: Option<String>,
    pub preset: Option<String>,
}

/// A checked query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportQuery {
    /// The period reported.
    pub period: Period,
    /// The period compared with it, if any.
    pub compare: Option<Period>,
    /// How the rows are grouped (one the report takes).
    pub group_by: GroupBy,
    /// JSON, CSV or XLSX.
    pub format: ReportFormat,
    /// Only this dealer (staff narrowing a report; the scope decides whether they may).
    pub dealer: Option<DealerId>,
}

fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ReportDraft {
    /// The draft of a preset's period and comparison, as the pages link it.
    pub fn of_preset(preset: Preset) -> ReportDraft {
        ReportDraft {
            preset: Some(preset.code().to_owned()),
            ..ReportDraft::default()
        }
    }

    /// Checks the draft for `report` on `today` (the platform's date): the period defaults
    /// to the current month, the grouping to the report's first, the format to JSON; a
    /// preset fills the period and the comparison that are not typed.
    pub fn validate(
        &self,
        report: ReportName,
        today: NaiveDate,
    ) -> Result<ReportQuery, ValidationError> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: String| {
            errors.push(FieldError { field, message });
        };
        let preset = match present(&self.preset) {
            None => None,
            Some(code) => match Preset::from_code(code) {
                Some(p) => Some(p.periods(today)),
                None => {
                    bad(
                        "preset",
                        "Готовый период — month (этот месяц и прошлый) или quarter (этот \
                         квартал и тот же квартал год назад)."
                            .into(),
                    );
                    None
                }
            },
        };
        let mut date = |field: &'static str, raw: &Option<String>| match present(raw) {
            None => None,
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) => Some(d),
                Ok(_) => {
                    bad(field, format!("Дата — с {FIRST_YEAR} по {LAST_YEAR} год."));
                    None
                }
                Err(_) => {
                    bad(
                        field,
                        "Дата в формате ГГГГ-ММ-ДД, например 2026-11-01.".into(),
                    );
                    None
                }
            },
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        let compare_from = date("compare_from", &self.compare_from);
        let compare_to = date("compare_to", &self.compare_to);
        let typed = |raw: &Option<String>| present(raw).is_some();
        let period = match (from, to) {
            (Some(from), Some(to)) => Some(Period { from, to }),
            (Some(from), None) if !typed(&self.to) => Some(Period {
                from,
                to: today.max(from),
            }),
            (None, Some(to)) if !typed(&self.from) => Some(Period {
                from: to.with_day(1).unwrap_or(to),
                to,
            }),
            (None, None) if !typed(&self.from) && !typed(&self.to) => Some(
                preset
                    .map(|(p, _)| p)
                    .unwrap_or_else(|| Period::month_of(today)),
            ),
            _ => None,
        };
        let compare = match (compare_from, compare_to) {
            (Some(from), Some(to)) => Some(Period { from, to }),
            (None, None) if !typed(&self.compare_from) && !typed(&self.compare_to) => {
                preset.map(|(_, c)| c)
            }
            (Some(_), None) if !typed(&self.compare_to) => {
                bad(
                    "compare_to",
                    "Укажите и конец периода сравнения (compare_to).".into(),
                );
                None
            }
            (None, Some(_)) if !typed(&self.compare_from) => {
                bad(
                    "compare_from",
                    "Укажите и начало периода сравнения (compare_from).".into(),
                );
                None
            }
            _ => None,
        };
        for (p, to_field) in [(period, "to"), (compare, "compare_to")] {
            let Some(p) = p else { continue };
            if p.from > p.to {
                bad(to_field, "Конец периода раньше его начала.".into());
            } else if p.month_span() > i64::from(MAX_PERIOD_MONTHS) {
                bad(
                    to_field,
                    format!(
                        "Период — не больше трёх лет ({MAX_PERIOD_MONTHS} месяцев): \
                         сократите его."
                    ),
                );
            }
        }
        let spec = report.spec();
        let group_by = match present(&self.group_by) {
            None => spec.group_by.first().copied(),
            Some(code) => match GroupBy::from_code(code).filter(|g| spec.group_by.contains(g)) {
                Some(g) => Some(g),
                None => {
                    let allowed: Vec<String> = spec
                        .group_by
                        .iter()
                        .map(|g| format!("{} ({})", g.label(), g.code()))
                        .collect();
                    bad(
                        "group_by",
                        format!(
                            "Отчёт «{}» группируется только {}.",
                            report.label(),
                            allowed.join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let format = match present(&self.format) {
            None => Some(ReportFormat::Json),
            Some(code) => ReportFormat::from_code(code).or_else(|| {
                bad("format", "Формат — json, csv или xlsx.".into());
                None
            }),
        };
        let dealer = match present(&self.dealer) {
            None => None,
            Some(id) if id.chars().count() <= 64 && !id.chars().any(char::is_control) => {
                Some(DealerId::new(id))
            }
            Some(_) => {
                bad("dealer", "Дилер указан некорректно.".into());
                None
            }
        };
        match (period, group_by, format) {
            (Some(period), Some(group_by), Some(format)) if errors.is_empty() => Ok(ReportQuery {
                period,
                compare,
                group_by,
                format,
                dealer,
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn draft(pairs: &[(&str, &str)]) -> ReportDraft {
        let mut d = ReportDraft::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "from" => d.from = v,
                "to" => d.to = v,
                "compare_from" => d.compare_from = v,
                "compare_to" => d.compare_to = v,
                "group_by" => d.group_by = v,
                "format" => d.format = v,
                "dealer" => d.dealer = v,
                "preset" => d.preset = v,
                other => panic!("no field {other}"),
            }
        }
        d
    }

    fn fields(e: ValidationError) -> Vec<&'static str> {
        e.errors.iter().map(|f| f.field).collect()
    }

    const TODAY: (i32, u32, u32) = (2026, 12, 3);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn no_query_is_this_month_by_the_reports_first_grouping_as_json() {
        let q = ReportDraft::default()
            .validate(ReportName::TicketSurvey, today())
            .expect("valid");
        assert_eq!(q.period, Period::month_of(today()));
        assert_eq!(q.period.to, day(2026, 12, 31));
        assert_eq!(q.compare, None);
        assert_eq!(q.group_by, GroupBy::Quarter);
        assert_eq!(q.format, ReportFormat::Json);
    }

    #[test]
    fn this_month_against_the_last_one() {
        let q = draft(&[("preset", "month")])
            .validate(ReportName::TicketSurvey, today())
            .expect("valid");
        assert_eq!(
            q.period,
            Period {
                from: day(2026, 12, 1),
                to: day(2026, 12, 31)
            }
        );
        assert_eq!(
            q.compare,
            Some(Period {
                from: day(2026, 11, 1),
                to: day(2026, 11, 30)
            })
        );
    }

    #[test]
    fn this_quarter_against_the_same_quarter_a_year_ago() {
        let (this, ago) = Preset::Quarter.periods(day(2026, 2, 14));
        assert_eq!((this.from, this.to), (day(2026, 1, 1), day(2026, 3, 31)));
        assert_eq!((ago.from, ago.to), (day(2025, 1, 1), day(2025, 3, 31)));
        assert_eq!(this.label(), "I квартал 2026 г.");
    }

    #[test]
    fn typed_dates_win_over_the_preset() {
        let q = draft(&[
            ("preset", "month"),
            ("from", "2026-10-05"),
            ("to", "2026-10-20"),
        ])
        .validate(ReportName::TicketSurvey, today())
        .expect("valid");
        assert_eq!(q.period.from, day(2026, 10, 5));
        assert_eq!(q.period.label(), "05.10.2026 – 20.10.2026");
        assert_eq!(q.compare.map(|c| c.from), Some(day(2026, 11, 1)));
    }

    #[test]
    fn from_after_to_is_refused_on_to() {
        let e = draft(&[("from", "2026-11-10"), ("to", "2026-11-01")])
            .validate(ReportName::TicketSurvey, today())
            .expect_err("refused");
        assert_eq!(fields(e), vec!["to"]);
    }

    #[test]
    fn a_period_over_three_years_is_refused() {
        let e = draft(&[("from", "2023-01-01"), ("to", "2026-01-31")])
            .validate(ReportName::TicketSurvey, today())
            .expect_err("refused");
        assert_eq!(fields(e), vec!["to"]);
        draft(&[("from", "2023-01-01"), ("to", "2025-12-31")])
            .validate(ReportName::TicketSurvey, today())
            .expect("exactly three years is fine");
    }

    #[test]
    fn a_grouping_the_report_does_not_take_is_refused_naming_the_ones_it_does() {
        let e = draft(&[("group_by", "status")])
            .validate(ReportName::TicketSurvey, today())
            .expect_err("refused");
        assert_eq!(e.errors[0].field, "group_by");
        assert!(e.errors[0].message.contains("по кварталам (quarter)"));
        let e = draft(&[("group_by", "colour")])
            .validate(ReportName::TicketSurvey, today())
            .expect_err("refused");
        assert_eq!(fields(e), vec!["group_by"]);
    }

    #[test]
    fn bad_dates_formats_and_half_comparisons_name_their_fields() {
        let e = draft(&[
            ("from", "01.11.2026"),
            ("compare_from", "2026-10-01"),
            ("format", "pdf"),
            ("preset", "week"),
        ])
        .validate(ReportName::TicketSurvey, today())
        .expect_err("refused");
        assert_eq!(fields(e), vec!["preset", "from", "compare_to", "format"]);
        let e = draft(&[("to", "1999-12-31")])
            .validate(ReportName::TicketSurvey, today())
            .expect_err("refused");
        assert_eq!(fields(e), vec!["to"]);
    }

    #[test]
    fn a_period_knows_its_months_and_quarters() {
        let p = Period {
            from: day(2026, 11, 15),
            to: day(2027, 2, 1),
        };
        assert_eq!(
            p.months(),
            vec![(2026, 11), (2026, 12), (2027, 1), (2027, 2)]
        );
        assert_eq!(
            p.quarters(),
            vec![
                Quarter::new(2026, 4).expect("q"),
                Quarter::new(2027, 1).expect("q")
            ]
        );
        assert!(p.contains(day(2026, 12, 31)));
        assert!(!p.contains(day(2027, 2, 2)));
        assert_eq!(Period::month_of(day(2026, 2, 10)).to, day(2026, 2, 28));
        assert_eq!(Period::month_of(day(2026, 11, 3)).label(), "Ноябрь 2026");
        assert_eq!(month_code(2026, 3), "2026-03");
    }
}
