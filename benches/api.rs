//! API benchmark: handler latency and DynamoDB round trips per request, measured through
//! the real HTTP stack over the embedded engine (the production storage code).
//!
//! `cargo bench --bench api` prints, for each endpoint, p50 / p95 / max latency and the
//! store round trips one request costs. Round trips are counted by the SDK interceptor
//! (`Store::round_trips`), so they are exact; latencies are indicative (loopback, one
//! machine, dynoxide instead of DynamoDB). The same rows open `scripts/perf`'s table
//! (`benches/perf.rs`); the measuring is shared in `tests/support/perf.rs`.

use dealerdesk_e2e::perf::{self, Spread};
use dealerdesk_e2e::server::TestServer;
use std::time::Instant;

const RUNS: usize = 200;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = TestServer::start().await;
        let rows = perf::ticket_endpoints(&server, RUNS).await;

        println!("\nDealerDesk API over dynoxide, {RUNS} requests each (debug/release as built)\n");
        println!(
            "{:<38} {:>10} {:>10} {:>10} {:>10} {:>12}",
            "endpoint", "p50", "p95", "p99", "max", "round trips"
        );
        for r in &rows {
            let s = r.spread;
            println!(
                "{:<38} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?} {:>12.2}",
                r.name, s.p50, s.p95, s.p99, s.max, r.round_trips
            );
        }

        // The search alone, without HTTP and the session lookup.
        let texts = perf::suggestion_texts();
        let index = dealerdesk_domain::kb::suggest::Index::build(
            &dealerdesk_app::kb_suggest::seed_documents(),
        );
        let mut times = Vec::new();
        for round in 0..10 {
            for text in &texts {
                let start = Instant::now();
                let found = index.suggest(text, 5, "/kb/");
                let spent = start.elapsed();
                if round > 0 {
                    times.push(spent);
                }
                std::hint::black_box(found);
            }
        }
        let s = Spread::of(times);
        println!(
            "\nsuggestion search in memory ({} articles, {} texts x 9): p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            index.len(),
            texts.len(),
            s.p50,
            s.p99,
            s.max
        );
    });
}
