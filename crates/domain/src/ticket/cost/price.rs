//! The price of one ticket (SPEC §2.3): the criticality's hourly rate × the ticket's
//! minutes, rounded up to 10 ₽ once per ticket. Free tickets cost nothing.
//!
//! Costs are computed in whole integers first (rate × minutes) and divided once, so nothing
//! is lost to binary fractions and nothing overflows: the largest possible product,
//! 3500 × `u32::MAX`, fits a `u64` easily.

use crate::ticket::catalog::{Billing, Criticality};
use rust_decimal::Decimal;

/// Ticket costs are rounded up to this many rubles, per ticket.
pub const ROUNDING_STEP_RUB: u64 = 10;

/// Hourly rate of a criticality, ₽ per hour: 2500, 3000, 3500.
pub fn hourly_rate(criticality: Criticality) -> Decimal {
    Decimal::from(criticality.hourly_rate_rub())
}

/// Cost of a ticket: rate × minutes / 60, rounded **up** to 10 ₽. Free tickets cost 0
/// (their time is still logged, just not billed).
///
/// `minutes` is the ticket's total logged time; rounding happens once per ticket, never
/// per time entry.
pub fn ticket_cost(criticality: Criticality, billing: Billing, minutes: u32) -> Decimal {
    match billing {
        Billing::Free => Decimal::ZERO,
        Billing::Paid => cost_of_minutes(criticality, minutes),
    }
}

/// rate × minutes / 60 rounded up to the next multiple of 10 ₽, in integers:
/// ⌈rate × minutes / 600⌉ × 10.
fn cost_of_minutes(criticality: Criticality, minutes: u32) -> Decimal {
    let rate_times_minutes = u64::from(criticality.hourly_rate_rub()) * u64::from(minutes);
    let per_step = 60 * ROUNDING_STEP_RUB;
    let steps = rate_times_minutes.div_ceil(per_step);
    Decimal::from(steps * ROUNDING_STEP_RUB)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn paid(criticality: Criticality, minutes: u32) -> Decimal {
        ticket_cost(criticality, Billing::Paid, minutes)
    }

    #[test]
    fn rates_are_2500_3000_3500_rubles_per_hour() {
        assert_eq!(hourly_rate(Criticality::Low), dec!(2500));
        assert_eq!(hourly_rate(Criticality::Medium), dec!(3000));
        assert_eq!(hourly_rate(Criticality::High), dec!(3500));
    }

    #[test]
    fn high_criticality_10_minutes_costs_590_rubles() {
        // 3500 / 60 × 10 = 583.33 → 590
        assert_eq!(paid(Criticality::High, 10), dec!(590));
    }

    #[test]
    fn free_tickets_cost_nothing_however_long() {
        for c in Criticality::ALL {
            assert_eq!(ticket_cost(c, Billing::Free, 600), Decimal::ZERO);
        }
    }

    #[test]
    fn zero_minutes_cost_nothing() {
        for c in Criticality::ALL {
            assert_eq!(paid(c, 0), Decimal::ZERO);
        }
    }

    #[test]
    fn exact_multiples_of_ten_rubles_stay() {
        assert_eq!(paid(Criticality::Medium, 60), dec!(3000));
        assert_eq!(paid(Criticality::Medium, 1), dec!(50));
        assert_eq!(paid(Criticality::Low, 60), dec!(2500));
        assert_eq!(paid(Criticality::High, 12), dec!(700));
    }

    #[test]
    fn any_fraction_rounds_up_to_the_next_ten_rubles() {
        // 2500 / 60 = 41.67 → 50
        assert_eq!(paid(Criticality::Low, 1), dec!(50));
        // 2500 × 7 / 60 = 291.67 → 300
        assert_eq!(paid(Criticality::Low, 7), dec!(300));
        // 3500 / 60 = 58.33 → 60
        assert_eq!(paid(Criticality::High, 1), dec!(60));
    }

    #[test]
    fn large_minute_counts_do_not_overflow() {
        let cost = paid(Criticality::High, u32::MAX);
        // 3500 × 4 294 967 295 / 60 = 250 539 758 875 → 250 539 758 880.
        assert_eq!(cost, dec!(250539758880));
        assert_eq!(paid(Criticality::High, u32::MAX - 1), dec!(250539758820));
    }
}
