//! Lead-report benchmark (issue 11): a year of a network of 1 000 dealers with 100 000 leads,
//! read from the lead counters.
//!
//! `cargo bench --bench lead_reports` seeds the counter items a year of such a network
//! leaves behind (1 000 dealers × 3 directions × the year, its quarters and months, with
//! batch writes — not through the API, which would take hours), then measures reports
//! grouped by region over a year, a quarter and a ragged period: the store's read of the
//! counters with the figures computed (the request adds a session read and the directory). Round trips are counted by the SDK interceptor (`Store::round_trips`), so they
//! are exact; latencies are indicative (loopback, one machine, dynoxide instead of
//! DynamoDB). The ragged period reads day items, which the seed leaves out: it measures
//! the reads, and its figures cover the whole month only.

use chrono::NaiveDate;
use dealerdesk_domain::lead::{
    CityTable, Counter, Counts, CountsRow, Direction, EscalationStep, LeadType, ProcessingBucket,
    RefusalStage, SurveyAnswer,
};
use dealerdesk_domain::report::leads::{self as reports, DealerPlace, LeadGroup};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::server::TestServer;
use dealerdesk_store::{DealerRecord, DirectoryRepo, LeadCounterSet, LeadStatsRepo, StatsSpan};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const DEALERS: usize = 1_000;
const LEADS_PER_YEAR: usize = 100_000;
const RUNS: usize = 20;

/// A small deterministic generator, so every run seeds the same network.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> i64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below.max(1)) as i64
    }
}

/// One dealer's month of one direction: `leads` leads with the counters they leave.
fn month_counts(rng: &mut Lcg, direction: Direction, leads: i64, observer: &str) -> Counts {
    let mut c: BTreeMap<String, i64> = BTreeMap::new();
    let mut add = |counter: Counter, n: i64| {
        if n != 0 {
            *c.entry(counter.code()).or_default() += n;
        }
    };
    let kinds: Vec<LeadType> = LeadType::ALL
        .into_iter()
        .filter(|k| k.direction() == direction)
        .collect();
    for _ in 0..leads {
        let kind = kinds[rng.next(kinds.len() as u64) as usize];
        add(Counter::Received(kind), 1);
        add(
            Counter::Arrived(1 + rng.next(7) as u8, 8 + rng.next(12) as u8),
            1,
        );
        let processed = rng.next(10) < 8;
        if processed {
            add(Counter::Processed, 1);
            let minutes = rng.next(300);
            add(Counter::Contacted, 1);
            add(Counter::ProcessingMinutes, minutes);
            add(Counter::Processing(ProcessingBucket::of(minutes)), 1);
            add(
                Counter::Reached(1 + rng.next(6) as u8, 9 + rng.next(10) as u8),
                1,
            );
            match rng.next(10) {
                0..=2 => add(Counter::Contract, 1),
                3 => add(
                    Counter::Refused(RefusalStage::Contract, "price".to_string()),
                    1,
                ),
                _ => {}
            }
        } else {
            add(
                Counter::Escalated(
                    EscalationStep::Dealer,
                    Some(dealerdesk_domain::UserId::new(observer)),
                ),
                1,
            );
        }
        if rng.next(5) == 0 {
            add(Counter::Survey(SurveyAnswer::ALL[rng.next(3) as usize]), 1);
        }
    }
    Counts(c)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = TestServer::start().await;
        let store = &server.state.store;
        let cities = CityTable::embedded();
        let network = store
            .dealers()
            .await
            .expect("dealers")
            .first()
            .map(|d| d.network_id.clone())
            .unwrap_or_else(|| NetworkId::new("demo"));
        let mut places = Vec::with_capacity(DEALERS);
        for i in 0..DEALERS {
            let city = &cities.cities()[i % cities.cities().len()];
            let record = DealerRecord {
                id: DealerId::new(format!("bench-{i:04}")),
                network_id: network.clone(),
                name: format!("Дилер {i:04}"),
                city: city.name.clone(),
                timezone: "Europe/Moscow".to_string(),
                account_manager_id: None,
            };
            store.put_dealer(&record).await.expect("dealer");
            places.push(DealerPlace::new(
                record.id,
                record.name,
                record.city,
                &cities,
            ));
        }

        let seeding = Instant::now();
        let mut rng = Lcg(11);
        let per_month = LEADS_PER_YEAR as f64 / DEALERS as f64 / 12.0;
        // Every save adds to the day, month, quarter and year items of its bucket; the
        // seed writes the month, quarter and year items such a year leaves (sums of the
        // months), which is all a period of whole months reads.
        let mut rows = Vec::new();
        let mut leads = 0;
        for place in &places {
            for (direction, weight) in [
                (Direction::Sales, 6.0),
                (Direction::Service, 2.0),
                (Direction::Parts, 1.0),
            ] {
                let mut year = Counts::default();
                let mut quarter = Counts::default();
                for month in 1..=12 {
                    let mean = per_month * weight / 9.0;
                    let n = rng.next((2.0 * mean).round() as u64 + 1);
                    leads += n;
                    let counts = month_counts(&mut rng, direction, n, "bench-rep");
                    year.add(&counts);
                    quarter.add(&counts);
                    let row = |counts: Counts| CountsRow {
                        dealer: place.dealer.clone(),
                        direction,
                        counts,
                    };
                    let first = NaiveDate::from_ymd_opt(2025, month, 1).expect("month");
                    rows.push((StatsSpan::Month(first), row(counts)));
                    if month % 3 == 0 {
                        let q = std::mem::take(&mut quarter);
                        rows.push((StatsSpan::Quarter(2025, month / 3), row(q)));
                    }
                }
                rows.push((
                    StatsSpan::Year(2025),
                    CountsRow {
                        dealer: place.dealer.clone(),
                        direction,
                        counts: year,
                    },
                ));
            }
        }
        let items = rows.len();
        store.put_lead_counts(&rows).await.expect("seed");
        println!(
            "seeded {items} counter items ({leads} leads, {DEALERS} dealers) in {:.1?}",
            seeding.elapsed()
        );

        let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).expect("date");
        for (name, from, to) in [
            (
                "store: the year 2025 of 1 000 dealers, by region",
                date(1, 1),
                date(12, 31),
            ),
            (
                "store: Q3 2025 of 1 000 dealers, by region",
                date(7, 1),
                date(9, 30),
            ),
            (
                "store: 15 Jan – 14 Mar 2025 (days + a month), by region",
                date(1, 15),
                date(3, 14),
            ),
        ] {
            let mut times = Vec::with_capacity(RUNS);
            let before = store.round_trips();
            for _ in 0..RUNS {
                let start = Instant::now();
                let read = store
                    .lead_counts(from, to, &None, LeadCounterSet::Totals)
                    .await
                    .expect("read");
                let table = reports::leads(&read, &places, LeadGroup::Region);
                assert!(table.totals["received"] > rust_decimal::Decimal::ZERO);
                times.push(start.elapsed());
            }
            let trips = (store.round_trips() - before) as f64 / RUNS as f64;
            report(name, times, trips);
        }
    });
}

fn report(name: &str, mut times: Vec<Duration>, round_trips: f64) {
    times.sort();
    let n = times.len();
    println!(
        "{name:<60} p50 {:>9.1?}  p95 {:>9.1?}  max {:>9.1?}  round trips {round_trips:.1}",
        times[n / 2],
        times[n * 95 / 100],
        times[n - 1],
    );
}
