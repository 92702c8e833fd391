//! The ticket reports' counters: what each ticket contributes to the aggregates, as a pure
//! function of the ticket, so a change adds exactly "after minus before" — in the same
//! transaction as the change — and a deleted ticket (which contributes nothing) leaves the
//! reports, a restored one comes back.
//!
//! Two kinds of bucket, both per dealer:
//! - the **day** the ticket was filed (Moscow): one counter `t.<status>.<category>.<criticality>.<billing>.<b|n>`
//!   = 1, where `b` marks a reaction that came late (SPEC §2.3: breached stays breached). The
//!   tickets and reaction-time reports sum these over the period's days: by category,
//!   criticality, status, dealer or month, with how many are open, resolved, impossible,
//!   paid or breached — where the tickets filed in the period stand now.
//! - the **billing quarter** of a payable cost: `c.<state>.minutes`, `c.<state>.cost`
//!   (rubles, the ticket's own rate rounded up to 10 ₽) and `c.<state>.n`, state one of
//!   pending, confirmed, disputed. A cost the cut-off moves to the next quarter also adds
//!   `m.minutes`, `m.cost`, `m.n` to the quarter it left (an event of that quarter's bill,
//!   not a state: it stays counted there).

use crate::ticket::cost::price::ticket_cost;
use crate::ticket::cost::state::{CostState, Quarter};
use crate::ticket::lifecycle::Status;
use crate::{Billing, Category, Criticality, DealerId, Ticket};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;

/// Where a counter is kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    /// The tickets `dealer` filed on `day` (Moscow).
    Day { dealer: DealerId, day: NaiveDate },
    /// The costs of `dealer` billed in `quarter`.
    Quarter { dealer: DealerId, quarter: Quarter },
}

/// Counter → amount per bucket; only non-zero amounts.
pub type Delta = BTreeMap<Bucket, BTreeMap<String, i64>>;

/// The statuses in the order the reports list them, with their codes.
pub const STATUSES: [Status; 7] = [
    Status::Accepted,
    Status::NeedInfo(crate::ticket::lifecycle::Resume::Accepted),
    Status::EstimateSent,
    Status::InProgress,
    Status::InReview,
    Status::Resolved,
    Status::Impossible,
];

/// One ticket's counter of its filing day, read back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketCounter {
    /// The status code (`need_info` whatever it resumes to).
    pub status: &'static str,
    pub category: Category,
    pub criticality: Criticality,
    pub billing: Billing,
    /// Its reaction came late.
    pub breached: bool,
}

impl TicketCounter {
    /// The counter of `ticket` as it stands.
    pub fn of(ticket: &Ticket) -> TicketCounter {
        TicketCounter {
            status: ticket.status.code(),
            category: ticket.category,
            criticality: ticket.criticality,
            billing: ticket.billing,
            breached: ticket.sla.breached,
        }
    }

    /// The counter's name, `t.resolved.hosting.high.paid.n`.
    pub fn name(&self) -> String {
        format!(
            "t.{}.{}.{}.{}.{}",
            self.status,
            self.category.code(),
            self.criticality.code(),
            self.billing.code(),
            if self.breached { "b" } else { "n" }
        )
    }

    /// Reads a name back; `None` for anything else.
    pub fn parse(name: &str) -> Option<TicketCounter> {
        let mut parts = name.split('.');
        if parts.next()? != "t" {
            return None;
        }
        let status = STATUSES
            .iter()
            .map(|s| s.code())
            .find(|c| Some(*c) == parts.clone().next())?;
        parts.next();
        let category = Category::from_code(parts.next()?)?;
        let criticality = Criticality::from_code(parts.next()?)?;
        let billing = Billing::from_code(parts.next()?)?;
        let breached = match parts.next()? {
            "b" => true,
            "n" => false,
            _ => return None,
        };
        parts.next().is_none().then_some(TicketCounter {
            status,
            category,
            criticality,
            billing,
            breached,
        })
    }

    /// The ticket is finished (resolved or impossible).
    pub fn is_done(&self) -> bool {
        matches!(self.status, "resolved" | "impossible")
    }
}

/// The Russian label of a status code.
pub fn status_label(code: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|s| s.code() == code)
        .map(|s| s.label())
        .unwrap_or("")
}

/// What `ticket` contributes to the counters as it stands: nothing once deleted.
pub fn contribution(ticket: &Ticket) -> Delta {
    let mut out = Delta::new();
    if ticket.deleted.is_some() {
        return out;
    }
    let day = crate::platform_date(ticket.created_at);
    out.entry(Bucket::Day {
        dealer: ticket.dealer_id.clone(),
        day,
    })
    .or_default()
    .insert(TicketCounter::of(ticket).name(), 1);
    if let Some((quarter, state)) = payable(ticket) {
        let counters = out
            .entry(Bucket::Quarter {
                dealer: ticket.dealer_id.clone(),
                quarter,
            })
            .or_default();
        counters.insert(format!("c.{state}.minutes"), i64::from(ticket.cost.minutes));
        counters.insert(format!("c.{state}.cost"), rubles(ticket));
        counters.insert(format!("c.{state}.n"), 1);
    }
    out
}

/// The quarter and state of a payable cost.
fn payable(ticket: &Ticket) -> Option<(Quarter, &'static str)> {
    let quarter = ticket.cost.quarter?;
    match ticket.cost.state {
        CostState::None => None,
        state => Some((quarter, state.code())),
    }
}

fn rubles(ticket: &Ticket) -> i64 {
    ticket_cost(ticket.criticality, ticket.billing, ticket.cost.minutes)
        .to_i64()
        .unwrap_or(0)
}

/// What a change from `before` (none for a new ticket) to `after` adds: the contribution
/// after minus the one before, plus a cut-off's move out of a quarter. Zero amounts are left
/// out, so an unchanged counter writes nothing.
pub fn delta(before: Option<&Ticket>, after: &Ticket) -> Delta {
    let mut out = contribution(after);
    if let Some(before) = before {
        for (bucket, counters) in contribution(before) {
            let entry = out.entry(bucket).or_default();
            for (name, amount) in counters {
                *entry.entry(name).or_default() -= amount;
            }
        }
        if after.deleted.is_none()
            && before.cost.state == CostState::Disputed
            && let (Some(from), Some(to)) = (before.cost.quarter, after.cost.quarter)
            && from != to
        {
            let moved = out
                .entry(Bucket::Quarter {
                    dealer: before.dealer_id.clone(),
                    quarter: from,
                })
                .or_default();
            *moved.entry("m.minutes".into()).or_default() += i64::from(before.cost.minutes);
            *moved.entry("m.cost".into()).or_default() += rubles(before);
            *moved.entry("m.n".into()).or_default() += 1;
        }
    }
    out.retain(|_, counters| {
        counters.retain(|_, amount| *amount != 0);
        !counters.is_empty()
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::lifecycle::Resume;
    use crate::{NewTicket, TicketId, UserId, WorkingCalendar};
    use chrono::{TimeZone, Utc};

    fn ticket(category: Category, criticality: Criticality) -> Ticket {
        let calendar = WorkingCalendar::platform_default();
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 22, 30, 0).unwrap();
        let author = crate::Actor {
            user_id: UserId::new("u1"),
            role: crate::Role::Dealer,
            dealer_id: Some(DealerId::new("d1")),
        };
        let (t, _) = Ticket::file(
            TicketId::new("t1"),
            1001,
            DealerId::new("d1"),
            &author,
            NewTicket {
                title: "Новость".into(),
                text: "Разместить новость".into(),
                category,
                criticality,
                billing: category.default_billing(),
            },
            &calendar,
            now,
        );
        t
    }

    #[test]
    fn a_new_ticket_counts_once_on_its_moscow_filing_day() {
        let t = ticket(Category::IndividualNews, Criticality::High);
        let d = delta(None, &t);
        // 22:30 UTC on 30 November is 1 December in Moscow.
        let day = Bucket::Day {
            dealer: DealerId::new("d1"),
            day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        };
        assert_eq!(d.len(), 1);
        assert_eq!(d[&day]["t.accepted.individual_news.high.paid.n"], 1);
    }

    #[test]
    fn a_move_takes_one_from_the_old_status_and_adds_one_to_the_new() {
        let before = ticket(Category::Hosting, Criticality::Medium);
        let mut after = before.clone();
        after.status = Status::NeedInfo(Resume::Accepted);
        after.sla.breached = true;
        let d = delta(Some(&before), &after);
        let counters = d.values().next().expect("one bucket");
        assert_eq!(counters["t.accepted.hosting.medium.paid.n"], -1);
        assert_eq!(counters["t.need_info.hosting.medium.paid.b"], 1);
        assert_eq!(delta(Some(&after), &after), Delta::new(), "nothing changed");
    }

    #[test]
    fn a_deleted_ticket_leaves_and_a_restored_one_comes_back() {
        let live = ticket(Category::Hosting, Criticality::Low);
        let mut deleted = live.clone();
        deleted.deleted = Some(crate::audit::Deletion {
            at: live.created_at,
            by: UserId::new("admin"),
        });
        let gone = delta(Some(&live), &deleted);
        assert_eq!(
            gone.values().next().expect("bucket").values().sum::<i64>(),
            -1
        );
        let back = delta(Some(&deleted), &live);
        assert_eq!(
            back.values().next().expect("bucket").values().sum::<i64>(),
            1
        );
    }

    #[test]
    fn a_confirmed_cost_counts_its_minutes_and_rubles_in_its_quarter() {
        let mut before = ticket(Category::IndividualNews, Criticality::High);
        before.status = Status::Resolved;
        before.cost.minutes = 10;
        before.cost.quarter = Quarter::new(2026, 4);
        before.cost.state = CostState::Pending;
        let mut after = before.clone();
        after.cost.state = CostState::Confirmed;
        let d = delta(Some(&before), &after);
        let q4 = &d[&Bucket::Quarter {
            dealer: DealerId::new("d1"),
            quarter: Quarter::new(2026, 4).unwrap(),
        }];
        // SPEC's example: high, 10 minutes → 590 ₽.
        assert_eq!(q4["c.confirmed.cost"], 590);
        assert_eq!(q4["c.confirmed.minutes"], 10);
        assert_eq!(q4["c.pending.cost"], -590);
        assert_eq!(q4["c.pending.n"], -1);
    }

    #[test]
    fn a_dispute_moved_by_the_cutoff_counts_as_moved_out_of_its_quarter() {
        let mut before = ticket(Category::Hosting, Criticality::Medium);
        before.status = Status::Resolved;
        before.cost.minutes = 60;
        before.cost.quarter = Quarter::new(2026, 3);
        before.cost.state = CostState::Disputed;
        let mut after = before.clone();
        after.cost.quarter = Quarter::new(2026, 4);
        let d = delta(Some(&before), &after);
        let q3 = &d[&Bucket::Quarter {
            dealer: DealerId::new("d1"),
            quarter: Quarter::new(2026, 3).unwrap(),
        }];
        assert_eq!(q3["m.cost"], 3000);
        assert_eq!(q3["m.minutes"], 60);
        assert_eq!(q3["c.disputed.n"], -1);
        let q4 = &d[&Bucket::Quarter {
            dealer: DealerId::new("d1"),
            quarter: Quarter::new(2026, 4).unwrap(),
        }];
        assert_eq!(q4["c.disputed.n"], 1);
    }

    #[test]
    fn every_counter_name_reads_back() {
        for status in STATUSES {
            let c = TicketCounter {
                status: status.code(),
                category: Category::SeoSpec,
                criticality: Criticality::Low,
                billing: Billing::Free,
                breached: true,
            };
            assert_eq!(TicketCounter::parse(&c.name()), Some(c));
        }
        assert_eq!(TicketCounter::parse("t.accepted.hosting.low.free"), None);
        assert_eq!(TicketCounter::parse("c.confirmed.cost"), None);
        assert_eq!(TicketCounter::parse("t.gone.hosting.low.free.n"), None);
    }
}
