//! The quarter's bill of one dealer (SPEC §3), pure: what the invoice and the act of a
//! quarter say, from the subscription, the price list and the quarter's paid work.
//!
//! - ЦСО and every module working in the quarter: its quarterly fee, pro rata by days when it
//!   worked only part of the quarter (connected or disconnected within it), and its
//!   connection fee when it was connected in the quarter. The quarterly fees come from the
//!   price version in force on the quarter's first day, a connection fee from the one in
//!   force on the connection day: a version added later never changes a bill.
//! - The hour package, if any, at its price of the quarter.
//! - The paid work whose cost goes into this quarter (confirmed, or pending at the cut-off,
//!   which counts as confirmed; a disputed cost waits for the next quarter), drawn from the
//!   package oldest ticket first; only the excess is billed, per ticket at its own rate,
//!   rounded up to 10 ₽ ([`bill_overage`]). Unused hours do not carry over.

use crate::billing::document::{
    Document, DocumentKind, DocumentLine, DocumentRef, Requisites, Vat, kopecks,
};
use crate::billing::price_list::{PriceItem, PriceLists};
use crate::billing::subscription::Subscription;
use crate::billing::{BillableTicket, Overage, SupportPackage, bill_overage};
use crate::ticket::cost::minutes_text;
use crate::ticket::cost::price::hourly_rate;
use crate::ticket::cost::state::{CostState, Quarter, cutoff};
use crate::{Billing, Ticket};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A paid ticket as the bill sees it: the package rule's input and its number for the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BilledWork {
    pub ticket: BillableTicket,
    /// `DD-1042`.
    pub number: String,
    /// The ticket's cost state when the bill runs.
    pub state: CostState,
    /// The quarter the cost goes into.
    pub quarter: Option<Quarter>,
}

impl BilledWork {
    /// The ticket as the bill sees it, or `None` for a ticket no bill charges: free work,
    /// paid work the dealer chose to file free, or paid work with no time logged.
    pub fn of(ticket: &Ticket) -> Option<BilledWork> {
        if ticket.billing != Billing::Paid || ticket.free_by_choice || ticket.cost.minutes == 0 {
            return None;
        }
        Some(BilledWork {
            ticket: BillableTicket {
                ticket_id: ticket.id.clone(),
                created_at: ticket.created_at,
                criticality: ticket.criticality,
                minutes: ticket.cost.minutes,
            },
            number: format!("DD-{}", ticket.number),
            state: ticket.cost.state,
            quarter: ticket.cost.quarter,
        })
    }

    /// Whether this work is billed in `quarter`: its cost goes there and is confirmed, or
    /// still pending, which the cut-off counts as confirmed.
    pub fn billed_in(&self, quarter: Quarter) -> bool {
        self.quarter == Some(quarter) && cutoff(self.state).billed_this_quarter()
    }
}

/// One dealer's bill for one quarter, before it becomes documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuarterBill {
    pub quarter: Quarter,
    /// Subscription lines, connection fees, the package, then the work beyond it.
    pub lines: Vec<DocumentLine>,
    /// How the package covered the work.
    pub overage: Overage,
    pub package: Option<SupportPackage>,
}

fn day_text(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Days from `from` to `to`, both included.
fn days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() + 1
}

/// The quarter's fee of a line working from `on` to before `off` (none: still working):
/// `None` when it did not work in the quarter, else (amount, the days it worked, a note
/// when that is not the whole quarter).
fn pro_rata(
    quarter: Quarter,
    quarterly: Decimal,
    on: NaiveDate,
    off: Option<NaiveDate>,
) -> Option<(Decimal, Option<String>)> {
    let first = quarter.first_day().max(on);
    let last = match off {
        Some(off) => quarter.last_day().min(off.pred_opt()?),
        None => quarter.last_day(),
    };
    if first > last {
        return None;
    }
    let all = days(quarter.first_day(), quarter.last_day());
    let worked = days(first, last);
    if worked == all {
        return Some((quarterly, None));
    }
    let amount = kopecks(quarterly * Decimal::from(worked) / Decimal::from(all));
    let note = format!(
        "{}–{}, {worked} из {all} дн.",
        day_text(first),
        day_text(last)
    );
    Some((amount, Some(note)))
}

/// A line of one unit at `amount`.
fn service(title: String, amount: Decimal) -> DocumentLine {
    DocumentLine::new(title, Decimal::ONE, "усл", amount)
}

/// The dealer's bill for `quarter` (see the module's documentation). `work` may hold any of
/// the dealer's paid tickets: only those billed in the quarter count.
pub fn bill_quarter(
    quarter: Quarter,
    subscription: &Subscription,
    prices: &PriceLists,
    work: &[BilledWork],
) -> QuarterBill {
    let period = quarter.label();
    let list = prices.price_at(quarter.first_day());
    let mut lines = Vec::new();
    let mut items: Vec<(PriceItem, NaiveDate, Option<NaiveDate>)> =
        vec![(PriceItem::Cso, subscription.cso_since, None)];
    items.extend(
        subscription
            .modules
            .iter()
            .map(|m| (m.item, m.connected_on, m.disconnected_on)),
    );
    for (item, on, off) in items {
        let Some((amount, note)) = pro_rata(quarter, list.item(item).quarterly, on, off) else {
            continue;
        };
        let mut title = format!("{}, {period}", item.label());
        if let Some(note) = note {
            title.push_str(&format!(" ({note})"));
        }
        lines.push(service(title, amount));
        let connection = prices.price_at(on).item(item).connection;
        if quarter.contains(on) && !connection.is_zero() {
            lines.push(service(
                format!("Подключение: {} ({})", item.label(), day_text(on)),
                connection,
            ));
        }
    }
    if let Some(package) = subscription.package {
        lines.push(service(
            format!("{} технической поддержки, {period}", package.label()),
            list.package(package),
        ));
    }
    let billed: Vec<&BilledWork> = work.iter().filter(|w| w.billed_in(quarter)).collect();
    let tickets: Vec<BillableTicket> = billed.iter().map(|w| w.ticket.clone()).collect();
    let overage = bill_overage(
        subscription.package.map_or(0, SupportPackage::minutes),
        &tickets,
    );
    for line in overage.lines.iter().filter(|l| l.billed_minutes > 0) {
        let number = billed
            .iter()
            .find(|w| w.ticket.ticket_id == line.ticket_id)
            .map_or_else(|| line.ticket_id.to_string(), |w| w.number.clone());
        let what = if subscription.package.is_some() {
            " сверх пакета"
        } else {
            ""
        };
        lines.push(DocumentLine {
            title: format!(
                "Работы по обращению {number}{what} ({}, {})",
                line.criticality.label(),
                minutes_text(line.billed_minutes)
            ),
            quantity: kopecks(Decimal::from(line.billed_minutes) / Decimal::from(60)),
            unit: "ч".into(),
            price: hourly_rate(line.criticality),
            amount: line.amount,
        });
    }
    QuarterBill {
        quarter,
        lines,
        overage,
        package: subscription.package,
    }
}

/// The parties, terms and numbers a bill needs to become documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub seller: Requisites,
    pub buyer: Requisites,
    /// «Договор № 17 от 01.03.2024».
    pub basis: Option<String>,
    pub vat: Vat,
    /// Days an invoice gives to pay.
    pub payment_days: u32,
}

/// The day a quarter's documents carry: its last day (the act's services were rendered by
/// then, and numbering per year follows it).
pub fn document_date(quarter: Quarter) -> NaiveDate {
    quarter.last_day()
}

impl QuarterBill {
    /// The bill as a document of `kind` numbered `number`; `corrects` names the document a
    /// corrective one replaces.
    pub fn document(
        &self,
        kind: DocumentKind,
        number: String,
        issue: &Issue,
        corrects: Option<DocumentRef>,
        date: NaiveDate,
    ) -> Document {
        Document {
            kind,
            number,
            date,
            period_from: self.quarter.first_day(),
            period_to: self.quarter.last_day(),
            seller: issue.seller.clone(),
            buyer: issue.buyer.clone(),
            basis: issue.basis.clone(),
            lines: self.lines.clone(),
            vat: issue.vat,
            due: match kind {
                DocumentKind::Invoice => {
                    date.checked_add_days(chrono::Days::new(u64::from(issue.payment_days)))
                }
                DocumentKind::Act => None,
            },
            corrects,
        }
    }
}

/// A document's number: the year and its place in that year's sequence, `2026-0042`.
pub fn document_number(year: i32, sequence: u64) -> String {
    format!("{year}-{sequence:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::document::totals;
    use crate::billing::price_list::{ItemPriceDraft, PriceListDraft};
    use crate::billing::subscription::ConnectedModule;
    use crate::ids::{DealerId, TicketId, UserId};
    use crate::ticket::catalog::Criticality;
    use crate::{Actor, Role};
    use chrono::{TimeZone, Utc};
    use rust_decimal_macros::dec;

    fn q4() -> Quarter {
        Quarter::new(2026, 4).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn subscription(
        package: Option<SupportPackage>,
        modules: Vec<ConnectedModule>,
    ) -> Subscription {
        Subscription {
            dealer_id: DealerId::new("d1"),
            cso_since: day(2024, 3, 1),
            modules,
            package,
            in_russia: true,
            avn_asp: false,
            contract: None,
            version: 1,
            updated_at: Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap(),
            updated_by: None,
        }
    }

    fn work(id: &str, day_of_oct: u32, criticality: Criticality, minutes: u32) -> BilledWork {
        BilledWork {
            ticket: BillableTicket {
                ticket_id: TicketId::new(id),
                created_at: Utc.with_ymd_and_hms(2026, 10, day_of_oct, 9, 0, 0).unwrap(),
                criticality,
                minutes,
            },
            number: format!("DD-{id}"),
            state: CostState::Confirmed,
            quarter: Some(q4()),
        }
    }

    fn sum(bill: &QuarterBill) -> Decimal {
        bill.lines.iter().map(|l| l.amount).sum()
    }

    /// What the bill charges beyond ЦСО's 29 300.
    fn beyond_cso(bill: &QuarterBill) -> Decimal {
        sum(bill) - dec!(29300)
    }

    #[test]
    fn fifteen_hours_medium_without_a_package_cost_45000_and_30000_with_the_15_hour_package() {
        let prices = PriceLists::default();
        let work = [work("1001", 5, Criticality::Medium, 15 * 60)];
        let without = bill_quarter(q4(), &subscription(None, vec![]), &prices, &work);
        assert_eq!(beyond_cso(&without), dec!(45000));
        let overage = without.lines.last().unwrap();
        assert_eq!(overage.title, "Работы по обращению DD-1001 (Средняя, 15 ч)");
        assert_eq!((overage.quantity, overage.price), (dec!(15), dec!(3000)));
        let with = bill_quarter(
            q4(),
            &subscription(Some(SupportPackage::Hours15), vec![]),
            &prices,
            &work,
        );
        assert_eq!(beyond_cso(&with), dec!(30000));
        assert_eq!(
            with.lines.last().unwrap().title,
            "Пакет 15 часов технической поддержки, IV квартал 2026 г."
        );
        assert_eq!(with.overage.package_minutes_left, 0);
    }

    #[test]
    fn overage_across_two_criticalities_is_billed_at_each_tickets_own_rate() {
        // 15 h package: the older high ticket (10 h) draws first, the medium one (8 h)
        // takes the remaining 5 h, its 3 h beyond at 3000; the newer low ticket (40 min)
        // entirely beyond at 2500 → 1666.67 → 1670.
        let prices = PriceLists::default();
        let work = [
            work("3", 20, Criticality::Low, 40),
            work("2", 10, Criticality::Medium, 8 * 60),
            work("1", 1, Criticality::High, 10 * 60),
        ];
        let bill = bill_quarter(
            q4(),
            &subscription(Some(SupportPackage::Hours15), vec![]),
            &prices,
            &work,
        );
        let extra: Vec<(String, Decimal)> = bill
            .lines
            .iter()
            .filter(|l| l.unit == "ч")
            .map(|l| (l.title.clone(), l.amount))
            .collect();
        assert_eq!(
            extra,
            vec![
                (
                    "Работы по обращению DD-2 сверх пакета (Средняя, 3 ч)".to_string(),
                    dec!(9000)
                ),
                (
                    "Работы по обращению DD-3 сверх пакета (Низкая, 40 мин)".to_string(),
                    dec!(1670)
                ),
            ]
        );
        assert_eq!(beyond_cso(&bill), dec!(30000) + dec!(9000) + dec!(1670));
    }

    #[test]
    fn a_module_connected_mid_quarter_pays_its_connection_and_its_fee_by_days() {
        // Landing pages from 16 November: 46 of Q4's 92 days → 29 700 × 46 / 92 = 14 850,
        // plus the 9 900 connection.
        let landing = ConnectedModule {
            item: PriceItem::Landing,
            connected_on: day(2026, 11, 16),
            disconnected_on: None,
        };
        let bill = bill_quarter(
            q4(),
            &subscription(None, vec![landing]),
            &PriceLists::default(),
            &[],
        );
        let titles: Vec<(&str, Decimal)> = bill
            .lines
            .iter()
            .map(|l| (l.title.as_str(), l.amount))
            .collect();
        assert_eq!(
            titles,
            vec![
                ("ЦСО + мобильная версия, IV квартал 2026 г.", dec!(29300)),
                (
                    "Конструктор посадочных страниц, IV квартал 2026 г. (16.11.2026–31.12.2026, 46 из 92 дн.)",
                    dec!(14850)
                ),
                (
                    "Подключение: Конструктор посадочных страниц (16.11.2026)",
                    dec!(9900)
                ),
            ]
        );
        // The next quarter: the whole fee, no connection.
        let next = bill_quarter(
            Quarter::new(2027, 1).unwrap(),
            &subscription(
                None,
                vec![ConnectedModule {
                    item: PriceItem::Landing,
                    connected_on: day(2026, 11, 16),
                    disconnected_on: None,
                }],
            ),
            &PriceLists::default(),
            &[],
        );
        assert_eq!(sum(&next), dec!(29300) + dec!(29700));
    }

    #[test]
    fn a_price_change_after_billing_leaves_the_issued_bill_unchanged() {
        let sub = subscription(Some(SupportPackage::Hours30), vec![]);
        let prices = PriceLists::default();
        let before = bill_quarter(q4(), &sub, &prices, &[]);
        let admin = Actor {
            user_id: UserId::new("admin"),
            role: Role::Admin,
            dealer_id: None,
        };
        let draft = PriceListDraft {
            effective_from: Some("2027-01-01".into()),
            items: vec![ItemPriceDraft {
                item: "cso".into(),
                connection: None,
                quarterly: Some("35000".into()),
            }],
            packages: vec![],
        };
        let next = prices.add(&admin, &draft, day(2026, 12, 31)).unwrap();
        let changed = PriceLists::new(vec![next], 1);
        // Billing Q4 again (a resumed run) gives the same lines; Q1 2027 has the new price.
        assert_eq!(bill_quarter(q4(), &sub, &changed, &[]), before);
        let q1 = bill_quarter(Quarter::new(2027, 1).unwrap(), &sub, &changed, &[]);
        assert_eq!(q1.lines[0].amount, dec!(35000));
    }

    #[test]
    fn disputed_work_waits_for_the_next_quarter_and_pending_counts_as_confirmed() {
        let mut disputed = work("1", 3, Criticality::Medium, 60);
        disputed.state = CostState::Disputed;
        let mut pending = work("2", 4, Criticality::Medium, 60);
        pending.state = CostState::Pending;
        let mut later = work("3", 5, Criticality::Medium, 60);
        later.quarter = Some(q4().next());
        let bill = bill_quarter(
            q4(),
            &subscription(None, vec![]),
            &PriceLists::default(),
            &[disputed, pending, later],
        );
        assert_eq!(bill.overage.lines.len(), 1);
        assert_eq!(beyond_cso(&bill), dec!(3000));
    }

    #[test]
    fn the_invoice_is_due_after_the_term_and_carries_the_vat_of_the_settings() {
        let bill = bill_quarter(
            q4(),
            &subscription(Some(SupportPackage::Hours15), vec![]),
            &PriceLists::default(),
            &[],
        );
        let issue = Issue {
            seller: Requisites::default(),
            buyer: Requisites::default(),
            basis: Some("Договор № 17 от 01.03.2024".into()),
            vat: Vat::russia_2026(),
            payment_days: 10,
        };
        let date = document_date(q4());
        let invoice = bill.document(
            DocumentKind::Invoice,
            document_number(2026, 42),
            &issue,
            None,
            date,
        );
        assert_eq!(invoice.number, "2026-0042");
        assert_eq!(invoice.date, day(2026, 12, 31));
        assert_eq!(invoice.due, Some(day(2027, 1, 10)));
        let t = totals(&invoice.lines, invoice.vat);
        assert_eq!(t.total, dec!(59300));
        assert_eq!(t.vat, dec!(10693.44));
        let act = bill.document(
            DocumentKind::Act,
            document_number(2026, 43),
            &issue,
            None,
            date,
        );
        assert_eq!(act.due, None);
        assert_eq!(act.lines, invoice.lines);
    }
}
