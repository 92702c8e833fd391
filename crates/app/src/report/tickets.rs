//! `tickets` and `ticket_sla`: the tickets filed in the period, summed from the counters of
//! their filing days (`domain::report::tickets`) — one read per month of the period (a
//! Query of the month's partition for many dealers, a GetItem per dealer for a few) — and
//! grouped by category, criticality, status, dealer or month.

use super::ReportContext;
use crate::kernel::error::AppError;
use chrono::NaiveDate;
use dealerdesk_domain::report::tickets::{STATUSES, TicketCounter, status_label};
use dealerdesk_domain::report::{
    Figures, GroupBy, Line, Period, ReportName, Values, month_code, month_label,
};
use dealerdesk_domain::{Billing, Category, Criticality, DealerId};
use dealerdesk_store::ReportRepo;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

/// What one group sums.
#[derive(Clone, Copy, Default)]
struct Sums {
    tickets: i64,
    paid: i64,
    open: i64,
    resolved: i64,
    impossible: i64,
    breached: i64,
}

impl Sums {
    fn add(&mut self, c: &TicketCounter, n: i64) {
        self.tickets += n;
        if c.billing == Billing::Paid {
            self.paid += n;
        }
        match c.status {
            "resolved" => self.resolved += n,
            "impossible" => self.impossible += n,
            _ => self.open += n,
        }
        if c.breached {
            self.breached += n;
        }
    }

    fn values(&self, report: ReportName) -> Values {
        let d = Decimal::from;
        match report {
            ReportName::TicketSla => Values::from([
                ("tickets", d(self.tickets)),
                ("breached", d(self.breached)),
                ("breached_share", share(self.breached, self.tickets)),
            ]),
            _ => Values::from([
                ("tickets", d(self.tickets)),
                ("paid", d(self.paid)),
                ("open", d(self.open)),
                ("resolved", d(self.resolved)),
                ("impossible", d(self.impossible)),
            ]),
        }
    }
}

/// `part` of `whole` in percent, to 0.1.
pub(crate) fn share(part: i64, whole: i64) -> Decimal {
    if whole == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// The group of a counter: its key and label.
fn group(
    ctx: &ReportContext<'_>,
    c: &TicketCounter,
    dealer: &DealerId,
    day: NaiveDate,
) -> (String, String) {
    use chrono::Datelike;
    match ctx.group_by {
        GroupBy::Category => (c.category.code().into(), c.category.label().into()),
        GroupBy::Criticality => (c.criticality.code().into(), c.criticality.label().into()),
        GroupBy::Status => (c.status.into(), status_label(c.status).into()),
        // The lead groupings are refused by the query for ticket reports.
        GroupBy::Dealer
        | GroupBy::City
        | GroupBy::Region
        | GroupBy::District
        | GroupBy::Type
        | GroupBy::Reason
        | GroupBy::Bucket
        | GroupBy::WeekdayHour
        | GroupBy::Representative
        | GroupBy::Answer => (
            dealer.to_string(),
            ctx.dealers
                .get(dealer)
                .map(|d| d.name.clone())
                .unwrap_or_else(|| dealer.to_string()),
        ),
        GroupBy::Month | GroupBy::Quarter => (
            month_code(day.year(), day.month()),
            month_label(day.year(), day.month()),
        ),
    }
}

/// The order groups are shown in: the code lists' order, months in time, dealers by name.
fn order(ctx: &ReportContext<'_>, period: &Period) -> Vec<(String, String)> {
    match ctx.group_by {
        GroupBy::Category => Category::ALL
            .iter()
            .map(|c| (c.code().into(), c.label().into()))
            .collect(),
        GroupBy::Criticality => Criticality::ALL
            .iter()
            .map(|c| (c.code().into(), c.label().into()))
            .collect(),
        GroupBy::Status => STATUSES
            .iter()
            .map(|s| (s.code().into(), s.label().into()))
            .collect(),
        GroupBy::Month | GroupBy::Quarter => period
            .months()
            .into_iter()
            .map(|(y, m)| (month_code(y, m), month_label(y, m)))
            .collect(),
        GroupBy::Dealer
        | GroupBy::City
        | GroupBy::Region
        | GroupBy::District
        | GroupBy::Type
        | GroupBy::Reason
        | GroupBy::Bucket
        | GroupBy::WeekdayHour
        | GroupBy::Representative
        | GroupBy::Answer => {
            let mut dealers: Vec<(String, String)> = ctx
                .dealers
                .values()
                .filter(|d| ctx.scope.admits(&d.id))
                .map(|d| (d.id.to_string(), d.name.clone()))
                .collect();
            dealers.sort_by(|a, b| a.1.cmp(&b.1));
            dealers
        }
    }
}

/// The figures of `report` (`tickets` or `ticket_sla`) over `period`.
pub(crate) async fn figures(
    ctx: &ReportContext<'_>,
    report: ReportName,
    period: Period,
) -> Result<Figures, AppError> {
    let dealers = ctx.scope.dealers();
    let mut groups: BTreeMap<String, (String, Sums)> = BTreeMap::new();
    let mut total = Sums::default();
    for (year, month) in period.months() {
        let items = ctx
            .state
            .store
            .ticket_month(year, month, dealers.as_ref())
            .await?;
        for item in items {
            if !ctx.scope.admits(&item.dealer) {
                continue;
            }
            for (name, amount) in &item.counters {
                let Some((counter, day)) = name.rsplit_once('@') else {
                    continue;
                };
                let (Some(c), Some(day)) = (
                    TicketCounter::parse(counter),
                    day.parse::<u32>()
                        .ok()
                        .and_then(|d| NaiveDate::from_ymd_opt(year, month, d)),
                ) else {
                    continue;
                };
                if !period.contains(day) || *amount == 0 {
                    continue;
                }
                let (key, label) = group(ctx, &c, &item.dealer, day);
                groups
                    .entry(key)
                    .or_insert((label, Sums::default()))
                    .1
                    .add(&c, *amount);
                total.add(&c, *amount);
            }
        }
    }
    // Code lists and months show every group (a zero is a finding); dealers only those
    // with tickets, beside the ones the order knows.
    let keep_zero = !matches!(ctx.group_by, GroupBy::Dealer | GroupBy::Category);
    let mut lines = Vec::new();
    for (key, label) in order(ctx, &period) {
        match groups.remove(&key) {
            Some((_, sums)) => lines.push(Line {
                key,
                label,
                values: sums.values(report),
            }),
            None if keep_zero => lines.push(Line {
                key,
                label,
                values: Sums::default().values(report),
            }),
            None => {}
        }
    }
    for (key, (label, sums)) in groups {
        lines.push(Line {
            key,
            label,
            values: sums.values(report),
        });
    }
    Ok(Figures {
        lines,
        total: total.values(report),
    })
}
