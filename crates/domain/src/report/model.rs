//! What every report answers: columns, rows and totals, each value beside the value of the
//! compared period and the change between them. A report computes [`Figures`] per period
//! (a [`Line`] per group and the total); [`assemble`] sets the two periods side by side.

use super::query::{GroupBy, Period};
use super::{ReportName, ReportSpec};
use crate::coded_enum;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

coded_enum! {
    /// What a column's numbers are, which decides how they are printed and exported.
    pub enum ValueKind {
        /// A count of things.
        Count = "count" / "Количество",
        /// Rubles.
        Money = "money" / "Рубли",
        /// Hours (with a fraction).
        Hours = "hours" / "Часы",
        /// A share in percent (12.5 is 12,5 %).
        Percent = "percent" / "Проценты",
        /// Minutes.
        Minutes = "minutes" / "Минуты",
        /// An average score of 1–5.
        Score = "score" / "Оценка",
    }
}

/// A value column of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The stable code: the key of the values in the API.
    pub code: &'static str,
    /// The Russian header.
    pub label: &'static str,
    /// What its numbers are.
    pub kind: ValueKind,
    /// The groupings whose rows carry the column; empty for every grouping. A column that
    /// means nothing for a grouping's rows (first contacts per stretch of processing time)
    /// is left out of its table rather than printed as zeros.
    pub only: &'static [GroupBy],
}

impl Column {
    /// The same column, carried only by the rows of `groupings`.
    pub const fn only(self, groupings: &'static [GroupBy]) -> Column {
        Column {
            only: groupings,
            ..self
        }
    }

    /// Whether the rows of `group_by` carry the column.
    pub fn belongs_to(&self, group_by: GroupBy) -> bool {
        self.only.is_empty() || self.only.contains(&group_by)
    }
}

/// How a chart draws a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    /// Bars, a group per row (the compared period's bar beside).
    Bars,
    /// A line through the rows (a trend), the compared period as a second line.
    Line,
    /// A weekday × hour heat map of the rows keyed `<weekday 1–7>:<hour 00–23>`; drawn
    /// only when the report is grouped by weekday and hour.
    HeatMap,
}

/// A chart of a report's page: one column over the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartSpec {
    /// The column drawn.
    pub column: &'static str,
    /// Bars or a line.
    pub kind: ChartKind,
}

impl ChartSpec {
    /// Bars of `column`.
    pub const fn bars(column: &'static str) -> ChartSpec {
        ChartSpec {
            column,
            kind: ChartKind::Bars,
        }
    }

    /// A line of `column`.
    pub const fn line(column: &'static str) -> ChartSpec {
        ChartSpec {
            column,
            kind: ChartKind::Line,
        }
    }

    /// A weekday × hour heat map of `column`.
    pub const fn heat_map(column: &'static str) -> ChartSpec {
        ChartSpec {
            column,
            kind: ChartKind::HeatMap,
        }
    }
}

/// Values by column code.
pub type Values = BTreeMap<&'static str, Decimal>;

/// One group's figures in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// The group's stable key (a category code, a dealer id, `2026-11`).
    pub key: String,
    /// The group's Russian name.
    pub label: String,
    /// Its values; a column left out is zero.
    pub values: Values,
}

/// A report's figures for one period: its lines in the order shown, and the total (which
/// the report computes itself: a share is not the sum of shares). The total also holds the
/// report's summary figures ([`ReportSpec::summary`](super::ReportSpec::summary)) by their
/// codes: a mean over every line has no line of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub lines: Vec<Line>,
    pub total: Values,
}

/// A row of the report: the period's values, the compared period's, and the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub values: Values,
    /// The compared period's values; `None` without a comparison.
    pub compare: Option<Values>,
    /// The change in percent per column, rounded to 0.1; `None` where the compared value
    /// is zero (no base to measure from). Empty without a comparison.
    pub change: BTreeMap<&'static str, Option<Decimal>>,
}

/// A figure of the whole period that no row has — the mean time to a first contact is a
/// mean over every lead, not a sum of the rows' means — shown once beside the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub column: Column,
    /// The period's value.
    pub value: Decimal,
    /// The compared period's value; `None` without a comparison.
    pub compare: Option<Decimal>,
    /// The change in percent, rounded to 0.1; `None` without a comparison or from a zero.
    pub change: Option<Decimal>,
}

/// A report as computed: what the API returns as JSON and the files and pages show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub name: ReportName,
    pub group_by: GroupBy,
    pub period: Period,
    pub compare: Option<Period>,
    /// The columns of the grouping's rows ([`ReportName::columns`]).
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// The totals row (key `total`, «Итого»), over the same columns.
    pub totals: Row,
    /// The report's figures of the whole period ([`ReportSpec::summary`](super::ReportSpec::summary)),
    /// in the spec's order; empty for most reports.
    pub summary: Vec<Summary>,
}

impl Report {
    /// The report's spec.
    pub fn spec(&self) -> ReportSpec {
        self.name.spec()
    }
}

/// The change from `base` to `value` in percent, rounded to 0.1; `None` from a zero base.
pub fn change_percent(value: Decimal, base: Decimal) -> Option<Decimal> {
    if base.is_zero() {
        return None;
    }
    let percent = (value - base) * Decimal::ONE_HUNDRED / base.abs();
    Some(percent.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

fn value(values: &Values, code: &str) -> Decimal {
    values.get(code).copied().unwrap_or(Decimal::ZERO)
}

fn row(
    columns: &[Column],
    key: String,
    label: String,
    values: Values,
    compare: Option<Values>,
) -> Row {
    let full =
        |v: &Values| -> Values { columns.iter().map(|c| (c.code, value(v, c.code))).collect() };
    let values = full(&values);
    let compare = compare.as_ref().map(full);
    let change = match &compare {
        Some(base) => columns
            .iter()
            .map(|c| {
                (
                    c.code,
                    change_percent(value(&values, c.code), value(base, c.code)),
                )
            })
            .collect(),
        None => BTreeMap::new(),
    };
    Row {
        key,
        label,
        values,
        compare,
        change,
    }
}

/// The report of `name` grouped `group_by` over `period`, and `compare` beside it. Rows of
/// time (months, quarters) stand beside the compared period's rows in the same place; other
/// rows stand beside the compared row of the same key, and a group found only in the
/// compared period gets a row of its own (zero now), so nothing that fell away is hidden.
/// Rows and totals carry the grouping's columns only; the spec's summary figures are taken
/// from the totals into [`Report::summary`].
pub fn assemble(
    name: ReportName,
    group_by: GroupBy,
    period: Period,
    figures: Figures,
    compare: Option<(Period, Figures)>,
) -> Report {
    let columns = &name.columns(group_by)[..];
    let mut rows = Vec::new();
    let (compare_period, compare_figures) = match compare {
        Some((p, f)) => (Some(p), Some(f)),
        None => (None, None),
    };
    let summary = name
        .spec()
        .summary
        .iter()
        .map(|c| {
            let now = value(&figures.total, c.code);
            let before = compare_figures.as_ref().map(|f| value(&f.total, c.code));
            Summary {
                column: *c,
                value: now,
                compare: before,
                change: before.and_then(|b| change_percent(now, b)),
            }
        })
        .collect();
    match &compare_figures {
        None => {
            for line in figures.lines {
                rows.push(row(columns, line.key, line.label, line.values, None));
            }
        }
        Some(base) if group_by.is_time() => {
            for (i, line) in figures.lines.into_iter().enumerate() {
                let before = base
                    .lines
                    .get(i)
                    .map(|l| l.values.clone())
                    .unwrap_or_default();
                rows.push(row(
                    columns,
                    line.key,
                    line.label,
                    line.values,
                    Some(before),
                ));
            }
        }
        Some(base) => {
            let mut by_key: BTreeMap<&str, &Line> =
                base.lines.iter().map(|l| (l.key.as_str(), l)).collect();
            for line in figures.lines {
                let before = by_key
                    .remove(line.key.as_str())
                    .map(|l| l.values.clone())
                    .unwrap_or_default();
                rows.push(row(
                    columns,
                    line.key,
                    line.label,
                    line.values,
                    Some(before),
                ));
            }
            for line in &base.lines {
                if by_key.contains_key(line.key.as_str()) {
                    rows.push(row(
                        columns,
                        line.key.clone(),
                        line.label.clone(),
                        Values::new(),
                        Some(line.values.clone()),
                    ));
                }
            }
        }
    }
    let totals = row(
        columns,
        "total".to_owned(),
        "Итого".to_owned(),
        figures.total,
        compare_figures.map(|f| f.total),
    );
    Report {
        name,
        group_by,
        period,
        compare: compare_period,
        columns: columns.to_vec(),
        rows,
        totals,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn period(m: u32) -> Period {
        Period::month_of(NaiveDate::from_ymd_opt(2026, m, 1).expect("date"))
    }

    fn line(key: &str, tickets: Decimal) -> Line {
        Line {
            key: key.into(),
            label: key.to_uppercase(),
            values: Values::from([("answers", tickets)]),
        }
    }

    #[test]
    fn twelve_against_ten_is_plus_twenty_percent_and_nothing_against_zero() {
        assert_eq!(change_percent(dec!(12), dec!(10)), Some(dec!(20.0)));
        assert_eq!(change_percent(dec!(5), dec!(15)), Some(dec!(-66.7)));
        assert_eq!(change_percent(dec!(5), dec!(0)), None);
    }

    #[test]
    fn rows_by_key_keep_a_group_that_fell_away() {
        let now = Figures {
            lines: vec![line("hosting", dec!(6))],
            total: Values::from([("answers", dec!(6))]),
        };
        let before = Figures {
            lines: vec![line("meta_tags", dec!(2)), line("hosting", dec!(3))],
            total: Values::from([("answers", dec!(5))]),
        };
        let r = assemble(
            ReportName::TicketSurvey,
            GroupBy::Dealer,
            period(11),
            now,
            Some((period(10), before)),
        );
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].key, "hosting");
        assert_eq!(r.rows[0].values["answers"], dec!(6));
        assert_eq!(
            r.rows[0].compare.as_ref().expect("compared")["answers"],
            dec!(3)
        );
        assert_eq!(r.rows[0].change["answers"], Some(dec!(100.0)));
        // Every column is filled, a missing one with zero.
        assert_eq!(r.rows[0].values["low_answers"], dec!(0));
        assert_eq!(r.rows[0].change["low_answers"], None);
        assert_eq!(r.rows[1].key, "meta_tags");
        assert_eq!(r.rows[1].values["answers"], dec!(0));
        assert_eq!(r.rows[1].change["answers"], Some(dec!(-100.0)));
        assert_eq!(r.totals.label, "Итого");
        assert_eq!(r.totals.change["answers"], Some(dec!(20.0)));
    }

    #[test]
    fn months_stand_beside_the_compared_months_in_the_same_place() {
        let now = Figures {
            lines: vec![line("2026-11", dec!(4)), line("2026-12", dec!(8))],
            total: Values::new(),
        };
        let before = Figures {
            lines: vec![line("2025-11", dec!(2)), line("2025-12", dec!(8))],
            total: Values::new(),
        };
        let r = assemble(
            ReportName::TicketSurvey,
            GroupBy::Month,
            period(11),
            now,
            Some((period(10), before)),
        );
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].change["answers"], Some(dec!(100.0)));
        assert_eq!(r.rows[1].change["answers"], Some(dec!(0.0)));
    }

    #[test]
    fn stretches_of_processing_time_carry_their_own_columns_and_the_mean_stands_apart() {
        let figures = |mean: Decimal| Figures {
            lines: vec![Line {
                key: "lt15m".into(),
                label: "До 15 минут".into(),
                values: Values::from([("count", dec!(2)), ("share", dec!(50))]),
            }],
            total: Values::from([
                ("count", dec!(4)),
                ("share", dec!(100)),
                ("mean_minutes", mean),
            ]),
        };
        let r = assemble(
            ReportName::LeadProcessingTime,
            GroupBy::Bucket,
            period(11),
            figures(dec!(33)),
            Some((period(10), figures(dec!(30)))),
        );
        let codes: Vec<&str> = r.columns.iter().map(|c| c.code).collect();
        assert_eq!(codes, ["count", "share"]);
        for row in r.rows.iter().chain([&r.totals]) {
            let keys: Vec<&str> = row.values.keys().copied().collect();
            assert_eq!(keys, ["count", "share"], "{}", row.key);
            assert!(!row.change.contains_key("mean_minutes"));
        }
        assert_eq!(r.summary.len(), 1);
        assert_eq!(r.summary[0].column.code, "mean_minutes");
        assert_eq!(r.summary[0].value, dec!(33));
        assert_eq!(r.summary[0].compare, Some(dec!(30)));
        assert_eq!(r.summary[0].change, Some(dec!(10.0)));

        let hours = assemble(
            ReportName::LeadProcessingTime,
            GroupBy::WeekdayHour,
            period(11),
            figures(dec!(33)),
            None,
        );
        assert_eq!(hours.totals.values["reached"], dec!(0));
        assert_eq!(hours.summary[0].compare, None);
        assert_eq!(hours.summary[0].change, None);
    }

    #[test]
    fn without_a_comparison_rows_carry_no_compare_and_no_change() {
        let r = assemble(
            ReportName::TicketSurvey,
            GroupBy::Dealer,
            period(11),
            Figures {
                lines: vec![line("hosting", dec!(1))],
                total: Values::new(),
            },
            None,
        );
        assert_eq!(r.rows[0].compare, None);
        assert!(r.rows[0].change.is_empty());
        assert_eq!(r.compare, None);
        assert!(r.summary.is_empty(), "the survey has no summary figures");
    }
}
