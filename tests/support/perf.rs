//! Measuring for the benchmarks (`benches/api.rs`, `benches/perf.rs`): latency spreads, the
//! ticket endpoints through the real HTTP stack with the store round trips each costs, a load
//! client of N concurrent callers, and the embedded engine's own rate of 2-item transactions,
//! asked over its HTTP API with no DealerDesk code between (the baseline the local server's
//! create rate is held against).

use crate::server::{Api, TestServer};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Percentiles of a set of latencies (nearest rank).
#[derive(Clone, Copy, Debug, Default)]
pub struct Spread {
    pub count: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Spread {
    /// The spread of `times` (empty: all zero).
    pub fn of(mut times: Vec<Duration>) -> Spread {
        if times.is_empty() {
            return Spread::default();
        }
        times.sort();
        let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)];
        Spread {
            count: times.len(),
            p50: at(50),
            p95: at(95),
            p99: at(99),
            max: times[times.len() - 1],
        }
    }
}

/// One endpoint measured: its latency spread and the store calls one request costs.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub name: &'static str,
    pub spread: Spread,
    pub round_trips: f64,
}

/// Runs `request` 10 times to warm connections and caches, then `runs` times measured; the
/// round trips are the store's interceptor count over the measured runs, per request.
pub async fn measure<F, Fut>(
    server: &TestServer,
    name: &'static str,
    runs: usize,
    mut request: F,
) -> Endpoint
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    for i in 0..10 {
        request(i).await;
    }
    let before = server.state.store.round_trips();
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let start = Instant::now();
        request(i).await;
        times.push(start.elapsed());
    }
    let calls = server.state.store.round_trips() - before;
    Endpoint {
        name,
        spread: Spread::of(times),
        round_trips: calls as f64 / runs.max(1) as f64,
    }
}

/// The ticket endpoints a dealer's and a specialist's day is made of, plus login and the
/// knowledge-base suggestions, each `runs` times on a warm in-process server.
pub async fn ticket_endpoints(server: &TestServer, runs: usize) -> Vec<Endpoint> {
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Бенчмарк").await;
    let id = ticket["id"].as_str().expect("id").to_string();
    let mut rows = Vec::new();

    rows.push(
        measure(server, "POST /api/tickets", runs, |_| {
            let dealer = dealer.clone();
            async move {
                dealer.file_ticket("Новость").await;
            }
        })
        .await,
    );
    rows.push(
        measure(server, "GET /api/tickets/{id}", runs, |_| {
            let dealer = dealer.clone();
            let path = format!("/api/tickets/{id}");
            async move {
                dealer.send("GET", &path, None).await;
            }
        })
        .await,
    );
    rows.push(
        measure(server, "GET /api/tickets (50)", runs, |_| {
            let specialist = specialist.clone();
            async move {
                specialist.send("GET", "/api/tickets?limit=50", None).await;
            }
        })
        .await,
    );
    // Alternate ask_info / answer on one ticket, each against the version the previous
    // move answered with (as a client holding the card does): the move alone is timed.
    let version = Arc::new(std::sync::Mutex::new(
        ticket["version"].as_u64().unwrap_or(1),
    ));
    rows.push(
        measure(server, "POST /api/tickets/{id}/actions", runs, |i| {
            let (who, action) = if i % 2 == 0 {
                (specialist.clone(), "ask_info")
            } else {
                (dealer.clone(), "answer")
            };
            let path = format!("/api/tickets/{id}/actions");
            let version = Arc::clone(&version);
            async move {
                let v = *version.lock().expect("version");
                let body = json!({"action": action, "comment": "бенч", "version": v});
                let (_, moved) = who.send("POST", &path, Some(body)).await;
                let next = moved["version"]
                    .as_u64()
                    .or_else(|| moved["ticket"]["version"].as_u64())
                    .unwrap_or(v + 1);
                *version.lock().expect("version") = next;
            }
        })
        .await,
    );
    let anon = server.anonymous();
    rows.push(
        measure(server, "POST /api/session (argon2id)", runs, |_| {
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
    // The dealers' texts of the quality set, one per request, answered from the index the
    // instance holds in memory.
    let texts = suggestion_texts();
    rows.push(
        measure(server, "GET /api/kb/suggest (warm)", runs, |i| {
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
    rows
}

/// The dealers' texts of `site/eval/suggest.toml` (its `text = "…"` lines).
pub fn suggestion_texts() -> Vec<String> {
    let path = crate::workspace_root().join("site/eval/suggest.toml");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter_map(|l| l.strip_prefix("text = "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .collect()
}

/// Percent-encodes everything but unreserved ASCII.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a load run did: requests answered as expected per second and their latencies.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    pub clients: usize,
    pub done: usize,
    pub failed: usize,
    pub elapsed: Duration,
    pub spread: Spread,
}

impl Load {
    /// Successful requests per second.
    pub fn per_second(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// `clients` callers, each sending `request(n)` back to back (`n` unique across callers)
/// until `duration` is over. A request answers whether it did what it should; failures
/// are counted, not timed.
pub async fn load<F, Fut>(clients: usize, duration: Duration, request: F) -> Load
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let request = request.clone();
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                let (mut times, mut failed) = (Vec::new(), 0usize);
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    if request(n).await {
                        times.push(sent.elapsed());
                    } else {
                        failed += 1;
                    }
                }
                (times, failed)
            })
        })
        .collect();
    let (mut times, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (t, f) = task.await.expect("a load client ran to its end");
        times.extend(t);
        failed += f;
    }
    let elapsed = start.elapsed();
    Load {
        clients,
        done: times.len(),
        failed,
        elapsed,
        spread: Spread::of(times),
    }
}

/// A ticket as a dealer files it, numbered so every body differs.
pub fn new_ticket(n: usize) -> Value {
    json!({
        "title": format!("Новость об акции № {n}"),
        "text": "Разместите, пожалуйста, новость об акции на главной странице.",
        "category": "individual_news",
        "criticality": "high",
        "billing": "paid",
    })
}

/// A lead a dealer types in from a phone call, with a phone number of its own.
pub fn new_lead(n: usize) -> Value {
    json!({
        "type": "preorder",
        "source": "phone",
        "name": "Олег",
        "surname": "Петров",
        "phone": format!("+7 912 {:03} {:02} {:02}", (n / 10_000) % 1_000, (n / 100) % 100, n % 100),
        "city": "Москва",
        "model": "X-Trail",
        "consent": true,
    })
}

/// Posts `body` to `path` and answers whether the server said 201.
pub async fn created(api: &Api, path: &str, body: Value) -> bool {
    let mut req = api
        .http
        .post(format!("{}{path}", api.base))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = &api.token {
        req = req.bearer_auth(token);
    }
    match req.send().await {
        Ok(resp) => {
            let ok = resp.status() == reqwest::StatusCode::CREATED;
            // Read the body so the connection goes back to the pool.
            let _ = resp.bytes().await;
            ok
        }
        Err(_) => false,
    }
}

/// The embedded engine's DynamoDB API, spoken directly: no SDK and no DealerDesk code,
/// so its rate is the engine's own.
#[derive(Clone)]
pub struct RawEngine {
    http: reqwest::Client,
    endpoint: String,
    table: String,
    /// Sets this client's keys apart from every other run's in the same table.
    run: u128,
    /// Numbers this client's transactions: every load row starts its own `n` at 0, and a
    /// key written twice is refused by the absent-condition, so the client counts itself.
    sent: Arc<AtomicUsize>,
}

impl RawEngine {
    /// The engine at `endpoint` (`http://127.0.0.1:<port>`), writing into `table`.
    pub fn new(endpoint: &str, table: &str) -> RawEngine {
        RawEngine {
            http: reqwest::Client::new(),
            endpoint: endpoint.to_string(),
            table: table.to_string(),
            run: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            sent: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// One `TransactWriteItems` of two new items (about 300 bytes each, no index keys),
    /// both conditional on being absent as the product's creates are; with `token`, a
    /// `ClientRequestToken` of its own, as the AWS SDK puts on every transaction; true on
    /// success.
    pub async fn transact_two(&self, token: bool) -> bool {
        let n = self.sent.fetch_add(1, Ordering::Relaxed);
        let pk = format!("RAW#{}#{n}", self.run);
        let items = vec![
            self.absent_put(pk.clone(), "A", 240, &[], ""),
            self.absent_put(pk, "B", 240, &[], ""),
        ];
        self.transact(items, token.then(|| format!("{n}"))).await
    }

    /// One `TransactWriteItems` shaped like a ticket's filing as DealerDesk writes it (the
    /// items' sizes and index keys read from a server's table, 2026-12-03): the ticket
    /// (1.3 KB, three index keys), its history event (0.3 KB), its audit entry (1.8 KB,
    /// three index keys) and its notice (0.7 KB, one index key), each conditional on being
    /// absent, the report's counter (`ADD`) and the number's counter (`SET` while below) —
    /// 4.2 KB, six items, seven index entries; with the SDK's token if `token`. The rate of
    /// the writes alone, without DealerDesk's HTTP, SDK or code; true on success.
    pub async fn transact_ticket_filing(&self, token: bool) -> bool {
        let n = self.sent.fetch_add(1, Ordering::Relaxed);
        let run = self.run;
        let at = format!("2026-12-03T18:28:40.{:03}Z#{run}-{n}", n % 1000);
        let put = |pk: String, sk: &str, text: usize, indexes: &[(&str, &str)]| {
            self.absent_put(pk, sk, text, indexes, &at)
        };
        let ticket = format!("RAWTICKET#{run}-{n}");
        let items = vec![
            put(
                ticket.clone(),
                "TICKET",
                1000,
                &[
                    ("1", "RAW#DEALER#TICKETS"),
                    ("2", "RAW#TICKETS"),
                    ("3", "RAW#QUEUE#OPEN"),
                ],
            ),
            put(ticket, "EVENT#1", 240, &[]),
            put(
                format!("RAWAUDIT#{run}-{n}"),
                &at,
                1200,
                &[
                    ("1", "RAW#AUDIT#ITEM"),
                    ("2", "RAW#AUDIT#USER"),
                    ("3", "RAW#AUDIT#MONTH"),
                ],
            ),
            put(
                format!("RAWOUTBOX#{run}-{n}"),
                "OUTBOX",
                560,
                &[("3", "RAW#OUTBOX#PENDING")],
            ),
            json!({"Update": {
                "TableName": self.table,
                "Key": {"pk": {"S": "RAW#REPORT"}, "sk": {"S": format!("DEALER#{run}")}},
                "UpdateExpression": "ADD #c :one",
                "ExpressionAttributeNames": {"#c": "t.accepted.n"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }}),
            json!({"Update": {
                "TableName": self.table,
                "Key": {"pk": {"S": format!("RAW#COUNTER#{run}-{n}")}, "sk": {"S": "COUNTER"}},
                "UpdateExpression": "SET #n = :to",
                "ConditionExpression": "attribute_not_exists(#n) OR #n < :to",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":to": {"N": (n + 1).to_string()}},
            }}),
        ];
        self.transact(items, token.then(|| format!("f{n}"))).await
    }

    /// A transaction's Put of a new item (conditional on being absent): `text` characters of
    /// payload and, for each `(index, partition)`, that index's keys with `index_sort`.
    fn absent_put(
        &self,
        pk: String,
        sk: &str,
        text: usize,
        indexes: &[(&str, &str)],
        index_sort: &str,
    ) -> Value {
        let mut item = json!({
            "pk": {"S": pk},
            "sk": {"S": sk},
            "text": {"S": "x".repeat(text)},
        });
        for (i, partition) in indexes {
            item[format!("gsi{i}pk")] = json!({"S": partition});
            item[format!("gsi{i}sk")] = json!({"S": index_sort});
        }
        json!({"Put": {
            "TableName": self.table,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(pk)",
        }})
    }

    /// Sends `items` as one `TransactWriteItems`, with a `ClientRequestToken` ending in
    /// `token` if given (this client's run in front, at most 36 characters as DynamoDB
    /// takes them); true on success.
    async fn transact(&self, items: Vec<Value>, token: Option<String>) -> bool {
        let mut body = json!({ "TransactItems": items });
        if let Some(token) = token {
            body["ClientRequestToken"] = json!(format!("{:x}-{token}", self.run % (1 << 64)));
        }
        self.call("TransactWriteItems", &body).await
    }

    async fn call(&self, operation: &str, body: &Value) -> bool {
        let sent = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
            .header("x-amz-date", "20260101T000000Z")
            // The engine checks that the signature's parts are there, never the signature.
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=local/20260101/eu-central-1/dynamodb/aws4_request, \
                 SignedHeaders=host;x-amz-date, Signature=00",
            )
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status();
                let body = resp.bytes().await.unwrap_or_default();
                if !status.is_success() {
                    said_why(format!("{status} {}", String::from_utf8_lossy(&body)));
                }
                status.is_success()
            }
            Err(e) => {
                said_why(format!("{e:?}"));
                false
            }
        }
    }
}

/// The first few refusals of the raw engine on stderr, so a "failed" count has its reason.
fn said_why(why: String) {
    static SAID: AtomicUsize = AtomicUsize::new(0);
    if SAID.fetch_add(1, Ordering::Relaxed) < 5 {
        eprintln!("perf: the raw engine refused a transaction: {why:.300}");
    }
}
