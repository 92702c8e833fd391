//! The dealer's dashboard («Личный кабинет», SPEC §3): the figures of the running quarter,
//! computed from the dealer's tickets and its hour package. Pure: the use case reads, this
//! counts.
//!
//! Ticket costs are grouped by where they stand with the dealer (confirmed / awaiting
//! confirmation / disputed) in the quarter whose bill they go into; the package is drawn by
//! the quarter's paid minutes that are confirmed or awaiting confirmation (a disputed cost
//! is not agreed yet), so "used" is what the bill would draw if the pending ones are
//! confirmed.

use crate::billing::SupportPackage;
use crate::ticket::Ticket;
use crate::ticket::catalog::Billing;
use crate::ticket::cost::price::ticket_cost;
use crate::ticket::cost::state::{CostState, Quarter};
use crate::ticket::lifecycle::State;
use rust_decimal::Decimal;

/// One group of the quarter's ticket costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CostGroup {
    /// Tickets in the group.
    pub tickets: usize,
    /// Their logged minutes.
    pub minutes: u32,
    /// Their cost at each ticket's own rate, ₽ (before the package is drawn).
    pub amount: Decimal,
}

impl CostGroup {
    fn add(&mut self, ticket: &Ticket) {
        self.tickets += 1;
        self.minutes += ticket.cost.minutes;
        self.amount += ticket_cost(ticket.criticality, ticket.billing, ticket.cost.minutes);
    }
}

/// The quarter's ticket costs so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuarterCosts {
    pub confirmed: CostGroup,
    pub pending: CostGroup,
    pub disputed: CostGroup,
}

impl QuarterCosts {
    /// The paid minutes the package is drawn by: confirmed and awaiting confirmation.
    pub fn drawing_minutes(&self) -> u32 {
        self.confirmed.minutes + self.pending.minutes
    }
}

/// The costs of `tickets` (one dealer's) that go into `quarter`'s bill.
pub fn quarter_costs(tickets: &[Ticket], quarter: Quarter) -> QuarterCosts {
    let mut costs = QuarterCosts::default();
    for t in tickets
        .iter()
        .filter(|t| t.billing == Billing::Paid && t.cost.quarter == Some(quarter))
    {
        match t.cost.state {
            CostState::Confirmed => costs.confirmed.add(t),
            CostState::Pending => costs.pending.add(t),
            CostState::Disputed => costs.disputed.add(t),
            CostState::None => {}
        }
    }
    costs
}

/// How much of the quarter's package is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PackageUse {
    pub package: SupportPackage,
    /// Minutes drawn from the package, at most its size.
    pub used_minutes: u32,
    /// Minutes left in it this quarter (unused hours do not carry over).
    pub left_minutes: u32,
    /// Paid minutes beyond the package, billed at each ticket's rate.
    pub over_minutes: u32,
}

impl PackageUse {
    /// The package's use by `minutes` of paid work.
    pub fn of(package: SupportPackage, minutes: u32) -> PackageUse {
        let size = package.minutes();
        PackageUse {
            package,
            used_minutes: minutes.min(size),
            left_minutes: size.saturating_sub(minutes),
            over_minutes: minutes.saturating_sub(size),
        }
    }

    /// The used share in whole per cent, 0–100, for the chart.
    pub fn used_percent(&self) -> u32 {
        let size = self.package.minutes();
        if size == 0 {
            return 0;
        }
        ((u64::from(self.used_minutes) * 100 + u64::from(size) / 2) / u64::from(size)) as u32
    }
}

/// The dealer's open tickets, soonest reaction due first (tickets without a running
/// clock last, newest first among them).
pub fn open_by_due(tickets: &[Ticket]) -> Vec<&Ticket> {
    let mut open: Vec<&Ticket> = tickets
        .iter()
        .filter(|t| t.status.state() != State::Done)
        .collect();
    open.sort_by(|a, b| match (a.sla.due_at, b.sla.due_at) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.created_at.cmp(&a.created_at),
    });
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::cost::minutes_text;

    #[test]
    fn fifteen_hours_package_half_used_leaves_seven_and_a_half() {
        let use_ = PackageUse::of(SupportPackage::Hours15, 450);
        assert_eq!(use_.used_minutes, 450);
        assert_eq!(use_.left_minutes, 450);
        assert_eq!(use_.over_minutes, 0);
        assert_eq!(use_.used_percent(), 50);
        assert_eq!(minutes_text(use_.left_minutes), "7 ч 30 мин");
    }

    #[test]
    fn work_beyond_the_package_is_over_and_nothing_is_left() {
        let use_ = PackageUse::of(SupportPackage::Hours15, 1000);
        assert_eq!(use_.used_minutes, 900);
        assert_eq!(use_.left_minutes, 0);
        assert_eq!(use_.over_minutes, 100);
        assert_eq!(use_.used_percent(), 100);
        assert_eq!(minutes_text(0), "0 мин");
        assert_eq!(minutes_text(120), "2 ч");
    }
}
