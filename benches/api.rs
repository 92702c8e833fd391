//! API benchmark: handler latency and DynamoDB round trips per request, measured through
//! the real HTTP stack over the embedded engine (the production storage code).
//!
//! `cargo bench --bench api` prints, for each endpoint, p50 / p95 / max latency and the
//! store round trips one request costs. Round trips are counted by the SDK interceptor
//! (`Store::round_trips`), so they are exact; latencies are indicative (loopback, one
//! machine, dynoxide instead of DynamoDB).

use dealerdesk_e2e::server::TestServer;
use serde_json::json;
use std::time::{Duration, Instant};

const RUNS: usize = 200;

struct Row {
    name: &'static str,
    p50: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
    round_trips: f64,
}

async fn measure<F, Fut>(server: &TestServer, name: &'static str, mut request: F) -> Row
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // Warm up connections and caches of the engine.
    for i in 0..10 {
        request(i).await;
    }
    let before = server.state.store.round_trips();
    let mut times = Vec::with_capacity(RUNS);
    for i in 0..RUNS {
        let start = Instant::now();
        request(i).await;
        times.push(start.elapsed());
    }
    let round_trips = (server.state.store.round_trips() - before) as f64 / RUNS as f64;
    times.sort();
    Row {
        name,
        p50: times[RUNS / 2],
        p95: times[RUNS * 95 / 100],
        p99: times[RUNS * 99 / 100],
        max: times[RUNS - 1],
        round_trips,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = TestServer::start().await;
        let dealer = server.login("dealer1@demo.local").await;
        let specialist = server.login("specialist@demo.local").await;
        let ticket = dealer.file_ticket("Бенчмарк").await;
        let id = ticket["id"].as_str().expect("id").to_string();
        let mut rows = Vec::new();

        rows.push(
            measure(&server, "POST /api/tickets", |_| {
                let dealer = dealer.clone();
                async move {
                    dealer.file_ticket("Новость").await;
                }
            })
            .await,
        );
        rows.push(
            measure(&server, "GET /api/tickets/{id}", |_| {
                let dealer = dealer.clone();
                let path = format!("/api/tickets/{id}");
                async move {
                    dealer.send("GET", &path, None).await;
                }
            })
            .await,
        );
        rows.push(
            measure(&server, "GET /api/tickets (50)", |_| {
                let specialist = specialist.clone();
                async move {
                    specialist.send("GET", "/api/tickets?limit=50", None).await;
                }
            })
            .await,
        );
        rows.push(
            measure(&server, "POST /api/tickets/{id}/actions", |i| {
                // Alternate ask_info / answer on one ticket, always against its version.
                let (who, action) = if i % 2 == 0 {
                    (specialist.clone(), "ask_info")
                } else {
                    (dealer.clone(), "answer")
                };
                let path = format!("/api/tickets/{id}/actions");
                let dealer = dealer.clone();
                async move {
                    let (_, card) = dealer
                        .send("GET", &path.replace("/actions", ""), None)
                        .await;
                    let body =
                        json!({"action": action, "comment": "бенч", "version": card["version"]});
                    who.send("POST", &path, Some(body)).await;
                }
            })
            .await,
        );
        let anon = server.anonymous();
        rows.push(
            measure(&server, "POST /api/session (argon2id)", |_| {
                let anon = anon.clone();
                async move {
                    anon.send(
                        "POST",
                        "/api/session",
                        Some(json!({"email": "dealer2@demo.local", "password": "demo-password"})),
                    )
                    .await;
                }
            })
            .await,
        );

        // Knowledge-base suggestions: the dealers' texts of the quality set, one per request,
        // answered from the index the instance holds in memory.
        let texts = suggestion_texts();
        rows.push(
            measure(&server, "GET /api/kb/suggest (warm)", |i| {
                let dealer = dealer.clone();
                let q: String = url_encode(&texts[i % texts.len()]);
                async move {
                    dealer
                        .send("GET", &format!("/api/kb/suggest?q={q}"), None)
                        .await;
                }
            })
            .await,
        );

        println!("\nDealerDesk API over dynoxide, {RUNS} requests each (debug/release as built)\n");
        println!(
            "{:<34} {:>10} {:>10} {:>10} {:>10} {:>12}",
            "endpoint", "p50", "p95", "p99", "max", "round trips"
        );
        for r in &rows {
            println!(
                "{:<34} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?} {:>12.2}",
                r.name, r.p50, r.p95, r.p99, r.max, r.round_trips
            );
        }

        // The search alone, without HTTP and the session lookup.
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
        times.sort();
        println!(
            "\nsuggestion search in memory ({} articles, {} texts x 9): p50 {:.2?}, p99 {:.2?}, max {:.2?}",
            index.len(),
            texts.len(),
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1]
        );
        println!("\n(the actions row also counts the GET that reads the current version)");
    });
}

/// The dealers' texts of `site/eval/suggest.toml` (its `text = "…"` lines).
fn suggestion_texts() -> Vec<String> {
    let path = dealerdesk_e2e::workspace_root().join("site/eval/suggest.toml");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|l| l.strip_prefix("text = "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .collect()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
