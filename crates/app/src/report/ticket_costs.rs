//! `ticket_costs`: paid work per billing quarter — confirmed, awaiting confirmation,
//! disputed and moved on by the cut-off, in hours and rubles — from the quarter's cost
//! counters (one read per quarter of the period), and the support-hour package's use: the
//! confirmed and pending minutes drawn from each dealer's package (its current
//! subscription's; one GetItem per dealer in the scope), as SPEC §3 bills them.

use super::ReportContext;
use super::tickets::share;
use crate::kernel::error::AppError;
use dealerdesk_domain::report::{Figures, GroupBy, Line, Period, Values};
use dealerdesk_domain::{DealerId, Quarter};
use dealerdesk_store::{BillingRepo, ReportRepo};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Default)]
struct Sums {
    confirmed: (i64, i64),
    pending: (i64, i64),
    disputed: (i64, i64),
    moved: (i64, i64),
    package_minutes: i64,
    package_drawn: i64,
}

fn hours(minutes: i64) -> Decimal {
    (Decimal::from(minutes) / Decimal::from(60))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        let plus = |a: &mut (i64, i64), b: (i64, i64)| {
            a.0 += b.0;
            a.1 += b.1;
        };
        plus(&mut self.confirmed, other.confirmed);
        plus(&mut self.pending, other.pending);
        plus(&mut self.disputed, other.disputed);
        plus(&mut self.moved, other.moved);
        self.package_minutes += other.package_minutes;
        self.package_drawn += other.package_drawn;
    }

    fn values(&self) -> Values {
        Values::from([
            ("confirmed_hours", hours(self.confirmed.0)),
            ("confirmed_cost", Decimal::from(self.confirmed.1)),
            ("pending_hours", hours(self.pending.0)),
            ("pending_cost", Decimal::from(self.pending.1)),
            ("disputed_hours", hours(self.disputed.0)),
            ("disputed_cost", Decimal::from(self.disputed.1)),
            ("moved_hours", hours(self.moved.0)),
            ("moved_cost", Decimal::from(self.moved.1)),
            ("package_hours", hours(self.package_minutes)),
            (
                "package_used",
                share(self.package_drawn, self.package_minutes),
            ),
        ])
    }
}

/// The figures over the quarters `period` touches.
pub(crate) async fn figures(ctx: &ReportContext<'_>, period: Period) -> Result<Figures, AppError> {
    let in_scope: Vec<DealerId> = ctx
        .dealers
        .keys()
        .filter(|d| ctx.scope.admits(d))
        .cloned()
        .collect();
    let mut packages: BTreeMap<DealerId, i64> = BTreeMap::new();
    for dealer in &in_scope {
        if let Some(package) = ctx
            .state
            .store
            .subscription(dealer)
            .await?
            .and_then(|s| s.package)
        {
            packages.insert(dealer.clone(), i64::from(package.minutes()));
        }
    }
    let dealers = ctx.scope.dealers();
    let mut by_quarter: Vec<(Quarter, BTreeMap<DealerId, Sums>)> = Vec::new();
    for quarter in period.quarters() {
        let mut sums: BTreeMap<DealerId, Sums> = BTreeMap::new();
        for item in ctx
            .state
            .store
            .ticket_costs(quarter, dealers.as_ref())
            .await?
        {
            if !ctx.scope.admits(&item.dealer) {
                continue;
            }
            let get = |name: &str| item.counters.get(name).copied().unwrap_or(0);
            let pair = |state: &str| {
                (
                    get(&format!("c.{state}.minutes")),
                    get(&format!("c.{state}.cost")),
                )
            };
            sums.insert(
                item.dealer.clone(),
                Sums {
                    confirmed: pair("confirmed"),
                    pending: pair("pending"),
                    disputed: pair("disputed"),
                    moved: (get("m.minutes"), get("m.cost")),
                    ..Sums::default()
                },
            );
        }
        for (dealer, minutes) in &packages {
            let s = sums.entry(dealer.clone()).or_default();
            s.package_minutes = *minutes;
            s.package_drawn = (s.confirmed.0 + s.pending.0).min(*minutes);
        }
        by_quarter.push((quarter, sums));
    }
    let mut total = Sums::default();
    let mut lines = Vec::new();
    match ctx.group_by {
        GroupBy::Dealer => {
            let mut per_dealer: BTreeMap<DealerId, Sums> = BTreeMap::new();
            for (_, sums) in &by_quarter {
                for (dealer, s) in sums {
                    per_dealer.entry(dealer.clone()).or_default().add(s);
                    total.add(s);
                }
            }
            let mut named: Vec<(String, DealerId, Sums)> = per_dealer
                .into_iter()
                .map(|(d, s)| {
                    let name = ctx
                        .dealers
                        .get(&d)
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| d.to_string());
                    (name, d, s)
                })
                .collect();
            named.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, dealer, s) in named {
                lines.push(Line {
                    key: dealer.to_string(),
                    label: name,
                    values: s.values(),
                });
            }
        }
        _ => {
            for (quarter, sums) in &by_quarter {
                let mut q = Sums::default();
                for s in sums.values() {
                    q.add(s);
                }
                total.add(&q);
                lines.push(Line {
                    key: quarter.code(),
                    label: quarter.label(),
                    values: q.values(),
                });
            }
        }
    }
    Ok(Figures {
        lines,
        total: total.values(),
    })
}
