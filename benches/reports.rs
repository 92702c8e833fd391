//! Report benchmark: a ticket report over a year of 1 000 dealers' aggregates.
//!
//! The aggregate items (one per dealer and month, a counter per filing day) are written
//! straight into the table with batch writes (`ReportRepo::put_ticket_month`) — a year of
//! about 100 000 tickets —, and the 1 000 dealers into the directory; then the reports are
//! asked through the real HTTP stack as the admin, platform-wide. `cargo bench --bench
//! reports` prints p50 / p95 / max latency and the DynamoDB round trips per request
//! (counted exactly by the SDK interceptor, `Store::round_trips`).

use chrono::{Datelike, NaiveDate};
use dealerdesk_domain::report::Period;
use dealerdesk_domain::report::tickets::{STATUSES, TicketCounter};
use dealerdesk_domain::{Category, Criticality, DealerId, NetworkId};
use dealerdesk_e2e::server::TestServer;
use dealerdesk_store::{DealerCounters, DealerRecord, DirectoryRepo, ReportRepo, keys};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const DEALERS: usize = 1_000;
const YEAR: i32 = 2025;
/// Tickets per dealer and month: 1 000 × 12 × 8 ≈ 100 000 a year.
const TICKETS_PER_MONTH: u64 = 8;
const RUNS: usize = 20;

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn month_items(month: u32, rng: &mut Lcg) -> Vec<DealerCounters> {
    let first = NaiveDate::from_ymd_opt(YEAR, month, 1).unwrap_or(NaiveDate::MIN);
    let days = u64::from(Period::month_of(first).to.day());
    (0..DEALERS)
        .map(|d| {
            let mut counters: BTreeMap<String, i64> = BTreeMap::new();
            for _ in 0..TICKETS_PER_MONTH {
                let category = Category::ALL[rng.next(Category::ALL.len() as u64) as usize];
                let c = TicketCounter {
                    status: STATUSES[rng.next(STATUSES.len() as u64) as usize].code(),
                    category,
                    criticality: Criticality::ALL[rng.next(3) as usize],
                    billing: category.default_billing(),
                    breached: rng.next(10) == 0,
                };
                let day = rng.next(days) as u32 + 1;
                *counters
                    .entry(keys::report_day_counter(&c.name(), day))
                    .or_default() += 1;
            }
            DealerCounters {
                dealer: DealerId::new(format!("bench-{d:04}")),
                counters,
            }
        })
        .collect()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = TestServer::start().await;
        let store = &server.state.store;
        let seeding = Instant::now();
        for d in 0..DEALERS {
            store
                .put_dealer(&DealerRecord {
                    id: DealerId::new(format!("bench-{d:04}")),
                    network_id: NetworkId::new("network-demo"),
                    name: format!("Дилер {d:04}"),
                    city: "Москва".into(),
                    timezone: "Europe/Moscow".into(),
                    account_manager_id: None,
                })
                .await
                .expect("a dealer");
        }
        let mut rng = Lcg(11);
        for month in 1..=12 {
            store
                .put_ticket_month(YEAR, month, &month_items(month, &mut rng))
                .await
                .expect("a month of counters");
        }
        println!(
            "\nseeded {DEALERS} dealers × 12 months of counters (≈{} tickets) in {:.1?}",
            DEALERS as u64 * 12 * TICKETS_PER_MONTH,
            seeding.elapsed()
        );
        let admin = server.login("admin@demo.local").await;
        let year = format!("from={YEAR}-01-01&to={YEAR}-12-31");
        let cases = [
            (
                "tickets by category, a year",
                format!("{year}&group_by=category"),
            ),
            (
                "tickets by dealer, a year",
                format!("{year}&group_by=dealer"),
            ),
            ("ticket_sla by month, a year", year.clone()),
            (
                "tickets by category, a quarter vs a year before",
                format!(
                    "from={YEAR}-10-01&to={YEAR}-12-31&compare_from={}-10-01&compare_to={}-12-31",
                    YEAR - 1,
                    YEAR - 1
                ),
            ),
        ];
        println!(
            "\nreports over {DEALERS} dealers, {RUNS} requests each (debug/release as built)\n"
        );
        println!(
            "{:<50} {:>9} {:>9} {:>9} {:>12}",
            "report", "p50", "p95", "max", "round trips"
        );
        for (name, query) in cases {
            let report = if name.starts_with("ticket_sla") {
                "ticket_sla"
            } else {
                "tickets"
            };
            let path = format!("/api/reports/{report}?{query}");
            let (status, body) = admin.send("GET", &path, None).await;
            assert!(status.is_success(), "{path}: {body}");
            let before = store.round_trips();
            let mut times = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let start = Instant::now();
                let (status, _) = admin.send("GET", &path, None).await;
                assert!(status.is_success());
                times.push(start.elapsed());
            }
            let trips = (store.round_trips() - before) as f64 / RUNS as f64;
            times.sort();
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
            println!(
                "{:<50} {:>9} {:>9} {:>9} {:>12.1}",
                name,
                ms(times[RUNS / 2]),
                ms(times[RUNS * 95 / 100]),
                ms(times[RUNS - 1]),
                trips
            );
        }
    });
}
