//! Money beyond one ticket: how amounts are written (SPEC §2.3), the support-hour packages
//! and the quarter's overage bill (SPEC §3). A ticket's own price is
//! [`ticket_cost`](crate::ticket::cost::price::ticket_cost); billing (invoices, acts) grows
//! here.
//!
//! Every amount is a [`Decimal`] of rubles.

use crate::ids::TicketId;
use crate::ticket::catalog::{Billing, Criticality};
use crate::ticket::cost::price::ticket_cost;
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

pub mod bill;
pub mod document;
pub mod issued;
pub mod price_list;
pub mod requisites;
pub mod subscription;
pub mod words;

/// The space [`format_rub`] puts between digit groups and before «₽»: a no-break space
/// (U+00A0), so «1 000 ₽» never wraps across lines in the portal or in a PDF.
pub const RUB_SPACE: char = '\u{a0}';

/// An amount as the portal and the documents show it: digit groups of three separated
/// by [`RUB_SPACE`], a decimal comma only when there are kopecks, then «₽».
///
/// `590` → «590 ₽», `45000` → «45 000 ₽», `583.333` → «583,33 ₽», `-1500` → «-1 500 ₽»
/// (with no-break spaces).
pub fn format_rub(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let abs = rounded.abs();
    let whole = abs.trunc();
    let kopecks = ((abs - whole) * Decimal::ONE_HUNDRED).trunc();
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 2 + 8);
    if negative {
        grouped.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(RUB_SPACE);
        }
        grouped.push(ch);
    }
    if !kopecks.is_zero() {
        grouped.push(',');
        grouped.push_str(&format!("{kopecks:0>2}"));
    }
    grouped.push(RUB_SPACE);
    grouped.push('₽');
    grouped
}

/// A quarterly support-hour package (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportPackage {
    /// 15 hours for 30 000 ₽.
    #[serde(rename = "hours_15")]
    Hours15,
    /// 30 hours for 54 000 ₽.
    #[serde(rename = "hours_30")]
    Hours30,
    /// 60 hours for 99 000 ₽.
    #[serde(rename = "hours_60")]
    Hours60,
}

impl SupportPackage {
    /// Every package, smallest first.
    pub const ALL: [SupportPackage; 3] = [
        SupportPackage::Hours15,
        SupportPackage::Hours30,
        SupportPackage::Hours60,
    ];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            SupportPackage::Hours15 => "hours_15",
            SupportPackage::Hours30 => "hours_30",
            SupportPackage::Hours60 => "hours_60",
        }
    }

    /// Parses an API code.
    pub fn from_code(code: &str) -> Option<SupportPackage> {
        SupportPackage::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The portal's words.
    pub fn label(self) -> &'static str {
        match self {
            SupportPackage::Hours15 => "Пакет 15 часов",
            SupportPackage::Hours30 => "Пакет 30 часов",
            SupportPackage::Hours60 => "Пакет 60 часов",
        }
    }

    /// Hours included per quarter.
    pub fn hours(self) -> u32 {
        match self {
            SupportPackage::Hours15 => 15,
            SupportPackage::Hours30 => 30,
            SupportPackage::Hours60 => 60,
        }
    }

    /// Minutes included per quarter.
    pub fn minutes(self) -> u32 {
        self.hours() * 60
    }

    /// Price per quarter, ₽.
    pub fn price(self) -> Decimal {
        Decimal::from(match self {
            SupportPackage::Hours15 => 30_000,
            SupportPackage::Hours30 => 54_000,
            SupportPackage::Hours60 => 99_000,
        })
    }
}

/// A confirmed paid ticket of the quarter, as billing sees it. Free tickets never reach
/// billing: they neither draw from the package nor cost anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableTicket {
    pub ticket_id: TicketId,
    /// Orders the draw from the package: the oldest ticket draws first.
    pub created_at: DateTime<Utc>,
    pub criticality: Criticality,
    /// The ticket's confirmed minutes.
    pub minutes: u32,
}

/// How one ticket was paid for: from the package, by an overage charge, or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverageLine {
    pub ticket_id: TicketId,
    pub criticality: Criticality,
    /// The ticket's confirmed minutes.
    pub minutes: u32,
    /// Minutes drawn from the package.
    pub from_package: u32,
    /// Minutes beyond the package, billed at the ticket's own rate.
    pub billed_minutes: u32,
    /// Cost of `billed_minutes`, rounded up to 10 ₽; zero when the package covered it all.
    pub amount: Decimal,
}

/// The package rule applied to a quarter's confirmed paid tickets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overage {
    /// One line per ticket, oldest first, including the ones the package fully covered.
    pub lines: Vec<OverageLine>,
    /// Package minutes used this quarter.
    pub package_minutes_used: u32,
    /// Package minutes left unused; they do not carry over.
    pub package_minutes_left: u32,
    /// Sum of the lines' amounts: what is billed beyond the package fee.
    pub total: Decimal,
}

/// SPEC §3: confirmed paid minutes of the quarter are drawn from the package first,
/// oldest ticket first (ties by ticket id, so the result never depends on input order);
/// only the excess is billed, at each ticket's own rate, rounded up to 10 ₽ per ticket.
/// `package_minutes` is 0 for a dealer without a package.
pub fn bill_overage(package_minutes: u32, tickets: &[BillableTicket]) -> Overage {
    let mut ordered: Vec<&BillableTicket> = tickets.iter().collect();
    ordered.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.ticket_id.cmp(&b.ticket_id))
    });
    let mut left = package_minutes;
    let mut total = Decimal::ZERO;
    let lines = ordered
        .into_iter()
        .map(|t| {
            let from_package = t.minutes.min(left);
            left -= from_package;
            let billed_minutes = t.minutes - from_package;
            let amount = ticket_cost(t.criticality, Billing::Paid, billed_minutes);
            total += amount;
            OverageLine {
                ticket_id: t.ticket_id.clone(),
                criticality: t.criticality,
                minutes: t.minutes,
                from_package,
                billed_minutes,
                amount,
            }
        })
        .collect();
    Overage {
        lines,
        package_minutes_used: package_minutes - left,
        package_minutes_left: left,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal_macros::dec;

    #[test]
    fn rubles_are_grouped_by_three_with_no_break_spaces() {
        assert_eq!(format_rub(dec!(590)), "590\u{a0}₽");
        assert_eq!(format_rub(dec!(1000)), "1\u{a0}000\u{a0}₽");
        assert_eq!(format_rub(dec!(45000)), "45\u{a0}000\u{a0}₽");
        assert_eq!(format_rub(dec!(1234567)), "1\u{a0}234\u{a0}567\u{a0}₽");
        assert_eq!(format_rub(Decimal::ZERO), "0\u{a0}₽");
        assert_eq!(format_rub(dec!(100)), "100\u{a0}₽");
    }

    #[test]
    fn kopecks_are_shown_with_a_comma_only_when_there_are_any() {
        assert_eq!(format_rub(dec!(583.333)), "583,33\u{a0}₽");
        assert_eq!(format_rub(dec!(1000.5)), "1\u{a0}000,50\u{a0}₽");
        assert_eq!(format_rub(dec!(1000.00)), "1\u{a0}000\u{a0}₽");
        assert_eq!(format_rub(dec!(0.05)), "0,05\u{a0}₽");
    }

    #[test]
    fn negative_amounts_keep_their_sign() {
        assert_eq!(format_rub(dec!(-1500)), "-1\u{a0}500\u{a0}₽");
        assert_eq!(format_rub(dec!(-0.001)), "0\u{a0}₽");
    }

    #[test]
    fn packages_follow_the_price_list() {
        let list: Vec<_> = SupportPackage::ALL
            .into_iter()
            .map(|p| (p.hours(), p.price()))
            .collect();
        assert_eq!(
            list,
            vec![(15, dec!(30000)), (30, dec!(54000)), (60, dec!(99000))]
        );
        for p in SupportPackage::ALL {
            assert_eq!(SupportPackage::from_code(p.code()), Some(p));
        }
    }

    fn ticket(id: &str, day: u32, criticality: Criticality, minutes: u32) -> BillableTicket {
        BillableTicket {
            ticket_id: TicketId::new(id),
            created_at: Utc.with_ymd_and_hms(2026, 1, day, 10, 0, 0).unwrap(),
            criticality,
            minutes,
        }
    }

    #[test]
    fn fifteen_hours_of_medium_work_cost_45000_without_a_package_and_30000_with_one() {
        let work = [ticket("t1", 12, Criticality::Medium, 15 * 60)];
        let without = bill_overage(0, &work);
        assert_eq!(without.total, dec!(45000));
        let package = SupportPackage::Hours15;
        let with = bill_overage(package.minutes(), &work);
        assert_eq!(with.total, Decimal::ZERO);
        let paid_with_package = package.price() + with.total;
        assert_eq!(paid_with_package, dec!(30000));
        assert_eq!(without.total - paid_with_package, dec!(15000));
        assert_eq!(with.package_minutes_left, 0);
    }

    #[test]
    fn the_package_is_drawn_oldest_ticket_first_and_the_excess_billed_at_its_own_rate() {
        // Given out of order on purpose.
        let work = [
            ticket("newer", 20, Criticality::Low, 40),
            ticket("older", 5, Criticality::High, 40),
        ];
        let overage = bill_overage(60, &work);
        let older = &overage.lines[0];
        assert_eq!(older.ticket_id.as_str(), "older");
        assert_eq!((older.from_package, older.billed_minutes), (40, 0));
        assert_eq!(older.amount, Decimal::ZERO);
        let newer = &overage.lines[1];
        assert_eq!((newer.from_package, newer.billed_minutes), (20, 20));
        // 2500 × 20 / 60 = 833.33 → 840
        assert_eq!(newer.amount, dec!(840));
        assert_eq!(overage.total, dec!(840));
        assert_eq!(overage.package_minutes_used, 60);
    }

    #[test]
    fn the_excess_is_rounded_per_ticket_not_per_quarter() {
        // Two high tickets of 10 minutes each beyond the package: 590 + 590, not 1170.
        let work = [
            ticket("a", 1, Criticality::High, 10),
            ticket("b", 2, Criticality::High, 10),
        ];
        assert_eq!(bill_overage(0, &work).total, dec!(1180));
    }

    #[test]
    fn unused_package_minutes_are_reported_and_nothing_is_billed() {
        let overage = bill_overage(900, &[ticket("a", 1, Criticality::Medium, 100)]);
        assert_eq!(overage.package_minutes_used, 100);
        assert_eq!(overage.package_minutes_left, 800);
        assert_eq!(overage.total, Decimal::ZERO);
        assert_eq!(bill_overage(900, &[]).package_minutes_left, 900);
    }

    #[test]
    fn tickets_created_at_the_same_instant_draw_in_ticket_id_order() {
        let work = [
            ticket("b", 3, Criticality::Medium, 30),
            ticket("a", 3, Criticality::Medium, 30),
        ];
        let overage = bill_overage(30, &work);
        assert_eq!(overage.lines[0].ticket_id.as_str(), "a");
        assert_eq!(overage.lines[0].from_package, 30);
        assert_eq!(overage.lines[1].amount, dec!(1500));
    }
}
