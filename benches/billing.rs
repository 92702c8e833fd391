//! The quarterly bill run at scale (issue 10): 600 dealers × 200 tickets of confirmed paid
//! work, billed for the quarter just ended over the embedded engine — the production
//! storage code and the production PDF renderer.
//!
//! `cargo bench --bench billing` seeds the dealers, their subscriptions (ЦСО, modules,
//! every hour package and none), requisites and tickets (all three criticalities) with
//! `Store::seed_batch` — batch writes through the store's own item mapping, not the API —
//! then runs the bill run with its progress output off and prints dealers per second, the
//! documents issued, the wall time and the store round trips per dealer (counted by the
//! SDK interceptor, so exact). `BILL_BENCH_DEALERS` / `BILL_BENCH_TICKETS` make it smaller.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use dealerdesk_domain::billing::document::{DocumentKind, Requisites};
use dealerdesk_domain::billing::issued::document_id;
use dealerdesk_domain::billing::price_list::PriceItem;
use dealerdesk_domain::billing::subscription::{ConnectedModule, Subscription};
use dealerdesk_domain::{
    Billing, Category, CostState, Criticality, DealerId, NetworkId, Quarter, SlaClock, Status,
    SupportPackage, Ticket, TicketCost, TicketId, UserId, WorkingCalendar,
};
use dealerdesk_e2e::server::TestServer;
use dealerdesk_store::{DealerRecord, DealerRequisites, DocumentRepo, Seed};
use std::time::Instant;

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// The `i`-th dealer's subscription: ЦСО, a few modules (one connected mid-quarter) and a
/// package in turn (none, 15, 30, 60 hours).
fn subscription(dealer: &DealerId, i: usize, at: DateTime<Utc>) -> Subscription {
    let module = |item, connected_on| ConnectedModule {
        item,
        connected_on,
        disconnected_on: None,
    };
    let mut modules = vec![
        module(PriceItem::StockAndUsed, day(2024, 3, 1)),
        module(PriceItem::Hosting, day(2024, 3, 1)),
        module(PriceItem::Ssl, day(2024, 3, 1)),
    ];
    if i.is_multiple_of(3) {
        modules.push(module(PriceItem::Landing, day(2026, 8, 17)));
    }
    Subscription {
        dealer_id: dealer.clone(),
        cso_since: day(2024, 3, 1),
        modules,
        package: [
            None,
            Some(SupportPackage::Hours15),
            Some(SupportPackage::Hours30),
            Some(SupportPackage::Hours60),
        ][i % 4],
        in_russia: true,
        avn_asp: false,
        contract: Some(format!("Договор № {} от 01.03.2024", i + 1)),
        version: 1,
        updated_at: at,
        updated_by: None,
    }
}

/// A finished paid ticket whose cost the dealer confirmed for `quarter`.
fn ticket(
    dealer: &DealerId,
    n: u64,
    at: DateTime<Utc>,
    quarter: Quarter,
    calendar: &WorkingCalendar,
) -> Ticket {
    let criticality = [Criticality::Low, Criticality::Medium, Criticality::High][n as usize % 3];
    Ticket {
        id: TicketId::new(format!("bench-{dealer}-{n}")),
        number: n,
        dealer_id: dealer.clone(),
        author_id: UserId::new(format!("user-{dealer}")),
        title: format!("Разместить новость № {n}"),
        text: "Разместить новость об акции на главной и в разделе «Новости».".into(),
        category: Category::IndividualNews,
        criticality,
        billing: Billing::Paid,
        status: Status::Resolved,
        created_at: at,
        updated_at: at,
        assignee_id: None,
        status_since: at,
        sla: SlaClock::start(calendar, criticality, at),
        review: None,
        free_by_choice: false,
        version: 6,
        cost: TicketCost {
            minutes: 10 + (n as u32 * 7) % 110,
            state: CostState::Confirmed,
            quarter: Some(quarter),
            estimate_minutes: None,
            completed_at: Some(at + Duration::hours(4)),
        },
        deleted: None,
    }
}

fn main() {
    let dealers = size("BILL_BENCH_DEALERS", 600);
    let per_dealer = size("BILL_BENCH_TICKETS", 200);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // 1 October 2026, 09:00 in Moscow: Q3 has just ended.
        let now = Utc.with_ymd_and_hms(2026, 10, 1, 6, 0, 0).unwrap();
        let quarter = dealerdesk_app::billing::jobs::quarter_ended_before(now);
        let server = TestServer::start_at(now).await;
        let store = &server.state.store;
        let calendar = WorkingCalendar::platform_default();
        let seeding = Instant::now();
        let requisites = Requisites {
            legal_name: "ООО «Автоцентр»".into(),
            inn: "7712345671".into(),
            kpp: Some("771201001".into()),
            address: "127018, г. Москва, ул. Сущёвский Вал, д. 5".into(),
            bank: None,
        };
        let first_day = Utc.from_utc_datetime(&quarter.first_day().and_hms_opt(7, 0, 0).unwrap());
        let mut number = 100_000;
        for i in 0..dealers {
            let id = DealerId::new(format!("bench-{i:04}"));
            let dealer = DealerRecord {
                id: id.clone(),
                network_id: NetworkId::new("network-demo"),
                name: format!("Бенчмарк-авто {i:04}"),
                city: "Москва".into(),
                timezone: "Europe/Moscow".into(),
                account_manager_id: None,
            };
            let sub = subscription(&id, i, now);
            let req = DealerRequisites {
                dealer_id: id.clone(),
                requisites: requisites.clone(),
                updated_at: now,
                updated_by: None,
                version: 1,
            };
            let tickets: Vec<Ticket> = (0..per_dealer)
                .map(|k| {
                    number += 1;
                    // Spread over the quarter's first 80 days, oldest first.
                    let at = first_day
                        + Duration::minutes((k * 80 * 24 * 60 / per_dealer.max(1)) as i64);
                    ticket(&id, number, at, quarter, &calendar)
                })
                .collect();
            let mut seeds = vec![
                Seed::Dealer(&dealer),
                Seed::Subscription(&sub),
                Seed::Requisites(&req),
            ];
            seeds.extend(tickets.iter().map(Seed::Ticket));
            store.seed_batch(&seeds).await.expect("seeding");
        }
        let seeded = seeding.elapsed();

        let before = store.round_trips();
        let started = Instant::now();
        let report = dealerdesk_app::billing::jobs::bill(&server.state, quarter, now, &|_, _| {})
            .await
            .expect("the bill run");
        let wall = started.elapsed();
        let trips = store.round_trips() - before;
        // The demo network's own dealers are billed too.
        let billed = dealers + 4;
        println!(
            "Bill run of {} ({billed} dealers, {per_dealer} confirmed paid tickets each):",
            quarter.code()
        );
        println!(
            "  seeded in        {:>8.1} s (batch writes, not measured below)",
            seeded.as_secs_f64()
        );
        println!("  wall time        {:>8.1} s", wall.as_secs_f64());
        println!(
            "  dealers/s        {:>8.1}",
            billed as f64 / wall.as_secs_f64()
        );
        println!(
            "  documents issued {:>8}   (failed dealers: {})",
            report.done, report.failed
        );
        println!(
            "  round trips      {:>8}   ({:.1} per dealer)",
            trips,
            trips as f64 / billed as f64
        );
        // How much of that is drawing PDFs: the first bench dealer's two documents again.
        let mut drawn = 0;
        let drawing = Instant::now();
        for kind in [DocumentKind::Invoice, DocumentKind::Act] {
            let id = document_id(&DealerId::new("bench-0000"), quarter, kind, 0);
            let doc = store
                .document(&id)
                .await
                .expect("the store")
                .unwrap_or_else(|| panic!("document {id}"));
            let pdf = dealerdesk_app::billing::documents::pdf_bytes(&doc.document).expect("drawn");
            drawn += 1;
            println!(
                "  {:<16} {:>8} lines, {} KB",
                kind.code(),
                doc.document.lines.len(),
                pdf.len() / 1024
            );
        }
        println!(
            "  PDF drawing      {:>8.1} ms per document",
            drawing.elapsed().as_secs_f64() * 1000.0 / f64::from(drawn)
        );
        assert_eq!(report.failed, 0, "every dealer billed");
    });
}
