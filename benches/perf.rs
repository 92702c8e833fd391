//! The performance table of issue #12, in one command: `scripts/perf --quick | --full`
//! (which builds the release `dealerdesk` binary and this benchmark, then runs
//! `cargo bench --bench perf -- --quick|--full`). Release figures only: a debug build
//! refuses to run.
//!
//! Each row has its goal from the issue and ✓/✗:
//! 1. store round trips and p50/p99 per ticket endpoint (an in-process server over the
//!    embedded engine; the calls counted by the SDK interceptor, `Store::round_trips`);
//! 2. the local server — `dealerdesk serve` as its own process over its embedded engine — under
//!    this process as the load client: tickets and leads created per second and p50/p99 at
//!    1 / 8 / 32 clients, beside the raw rate of 2-item `TransactWriteItems` of an identical
//!    file-backed engine measured in the same run (same dynoxide, same table shape, spoken to
//!    without SDK or DealerDesk code), and the ratio (goal ≥ 0.45×); beside it, the raw rate of
//!    a ticket's own filing writes (six items shaped as the server writes them), so a row
//!    shows how much of the gap is what a create writes and how much the server's own work;
//! 3. the ticket list of a dealer with 10 000 tickets: the first page and a deep one;
//! 4. the SLA watch and the lead escalations over open items of which 100 are due: the items
//!    their query reads (goal ≤ 2× due);
//! 5. creates per second as the store grows (0, 10 000 and, in the full mode, 50 000
//!    tickets seeded into the server's own SQLite file), beside the engine's raw rate on that
//!    same file and its size.
//!
//! Large data is seeded with batch writes through the store's item mapping
//! (`Store::seed_batch`), never through the API. `--quick` (CI) runs in a minute or two:
//! fewer runs, 2 s per load level, 10 000 open items in the sweeps. `--full`: 200 runs, 10 s
//! per load level, 100 000 open items, growth to 50 000 tickets.

use chrono::{DateTime, Duration as Span, TimeZone, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_cli::EmbeddedEngine;
use dealerdesk_domain::lead::Lead;
use dealerdesk_domain::{
    Billing, Category, Criticality, DealerId, SlaClock, Status, Ticket, TicketCost, TicketId,
    UserId, WorkingCalendar,
};
use dealerdesk_e2e::perf::{self, Load, RawEngine, Spread};
use dealerdesk_e2e::server::{Api, ServeProcess, TestServer, quiet_port};
use dealerdesk_store::{IndexReads, LeadRepo, QueueRepo, Seed, Store, StoreConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::{Duration, Instant};

/// How much to measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Quick,
    Full,
}

impl Mode {
    /// `--quick` or `--full` among the arguments (cargo adds `--bench`); quick by default.
    fn from_args() -> Mode {
        if std::env::args().any(|a| a == "--full") {
            Mode::Full
        } else {
            Mode::Quick
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }

    /// Measured requests per endpoint.
    fn runs(self) -> usize {
        match self {
            Mode::Quick => 50,
            Mode::Full => 200,
        }
    }

    /// How long each load level runs.
    fn load_time(self) -> Duration {
        match self {
            Mode::Quick => Duration::from_secs(2),
            Mode::Full => Duration::from_secs(10),
        }
    }

    /// Open items under each sweep.
    fn sweep_open(self) -> usize {
        match self {
            Mode::Quick => 10_000,
            Mode::Full => 100_000,
        }
    }

    /// Store sizes (tickets) at which creates are measured beyond the empty one.
    fn growth(self) -> &'static [usize] {
        match self {
            Mode::Quick => &[10_000],
            Mode::Full => &[10_000, 50_000],
        }
    }
}

/// The concurrent clients of the load rows.
const CLIENTS: [usize; 3] = [1, 8, 32];
/// The clients of the growth rows.
const GROWTH_CLIENTS: usize = 8;
/// Due items under each sweep.
const DUE: usize = 100;
/// The goal of the load rows: creates per second against the engine's raw 2-item rate.
const RATIO_GOAL: f64 = 0.45;
/// The table the local server uses and the raw engine gets.
const TABLE: &str = StoreConfig::DEFAULT_TABLE;

/// Whether a row meets its goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Met,
    Missed,
    /// A figure shown for comparison, without a goal of its own.
    Info,
}

impl Verdict {
    fn of(met: bool) -> Verdict {
        if met { Verdict::Met } else { Verdict::Missed }
    }

    fn mark(self) -> &'static str {
        match self {
            Verdict::Met => "✓",
            Verdict::Missed => "✗",
            Verdict::Info => "",
        }
    }
}

/// One row of the table.
struct Line {
    row: u8,
    what: String,
    figure: String,
    goal: String,
    verdict: Verdict,
}

#[derive(Default)]
struct Table(Vec<Line>);

impl Table {
    fn add(
        &mut self,
        row: u8,
        what: impl Into<String>,
        figure: impl Into<String>,
        goal: impl Into<String>,
        verdict: Verdict,
    ) {
        self.0.push(Line {
            row,
            what: what.into(),
            figure: figure.into(),
            goal: goal.into(),
            verdict,
        });
    }

    fn print(&self, mode: Mode, started: Instant) {
        let width = |f: fn(&Line) -> &str| {
            self.0
                .iter()
                .map(|l| f(l).chars().count())
                .max()
                .unwrap_or(0)
        };
        let (w1, w2, w3) = (
            width(|l| &l.what).max(7),
            width(|l| &l.figure).max(6),
            width(|l| &l.goal).max(4),
        );
        let pad =
            |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
        println!(
            "\nDealerDesk performance ({} mode, {}, {} in {:.0?})\n",
            mode.name(),
            if cfg!(debug_assertions) {
                "DEBUG build: a smoke run, not figures"
            } else {
                "release build"
            },
            machine(),
            started.elapsed()
        );
        println!(
            "|   | {} | {} | {} |   |",
            pad("measure", w1),
            pad("figure", w2),
            pad("goal", w3)
        );
        println!(
            "|---|{}|{}|{}|---|",
            "-".repeat(w1 + 2),
            "-".repeat(w2 + 2),
            "-".repeat(w3 + 2)
        );
        for l in &self.0 {
            println!(
                "| {} | {} | {} | {} | {} |",
                l.row,
                pad(&l.what, w1),
                pad(&l.figure, w2),
                pad(&l.goal, w3),
                pad(l.verdict.mark(), 1)
            );
        }
        let missed = self
            .0
            .iter()
            .filter(|l| l.verdict == Verdict::Missed)
            .count();
        let met = self.0.iter().filter(|l| l.verdict == Verdict::Met).count();
        println!("\n{met} goals met, {missed} missed");
    }
}

/// `nproc`, RAM and the date, for the README's table.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let ram_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!(
        "{cores} cores, {ram_gib:.0} GiB RAM, {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn spread(s: &Spread) -> String {
    format!("p50 {} · p99 {}", ms(s.p50), ms(s.p99))
}

fn rate(load: &Load) -> String {
    let failed = if load.failed > 0 {
        format!(" ({} failed)", load.failed)
    } else {
        String::new()
    };
    format!(
        "{:.0}/s · {}{failed}",
        load.per_second(),
        spread(&load.spread)
    )
}

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

fn main() {
    // A debug build's figures mean nothing; `PERF_SMOKE=1` runs one anyway to try the
    // command's steps (the table then says so).
    if cfg!(debug_assertions) && std::env::var_os("PERF_SMOKE").is_none() {
        eprintln!("perf: a debug build measures nothing useful; run scripts/perf (release)");
        std::process::exit(2);
    }
    let mode = Mode::from_args();
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let table = runtime.block_on(async {
        let mut table = Table::default();
        endpoints(mode, &mut table).await;
        served(mode, &mut table).await;
        sweeps(mode, &mut table).await;
        table
    });
    table.print(mode, started);
}

// ---------------------------------------------------------------- 1. round trips per endpoint

async fn endpoints(mode: Mode, table: &mut Table) {
    eprintln!(
        "perf: 1. round trips and latency per endpoint ({} runs each)",
        mode.runs()
    );
    let server = TestServer::start().await;
    for e in perf::ticket_endpoints(&server, mode.runs()).await {
        let goal = match e.name {
            "POST /api/tickets" => Some((2.0, "≤ 2 writes")),
            "POST /api/tickets/{id}/actions" => Some((2.0, "≤ 1 read + 1 write")),
            n if n.contains("/api/tickets") => Some((3.0, "≤ 3 calls")),
            _ => None,
        };
        let figure = format!("{:.2} calls · {}", e.round_trips, spread(&e.spread));
        match goal {
            Some((max, text)) => {
                table.add(1, e.name, figure, text, Verdict::of(e.round_trips <= max))
            }
            None => table.add(1, e.name, figure, "", Verdict::Info),
        }
    }
}

// ---------------------------------------------------------------- 2, 3, 5. the local server

/// `dealerdesk serve` on a data dir, its log in `serve.log` there.
async fn serve(dir: &Path, port: u16) -> ServeProcess {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("serve.log"))
        .expect("the server's log file");
    let data = dir.join("data");
    ServeProcess::start_logging(
        &[
            "--port",
            &port.to_string(),
            "--data-dir",
            &data.to_string_lossy(),
            "--scheduler-seconds",
            "0",
            "--demo-history",
            "false",
        ],
        &[
            ("DEALERDESK_TABLE", TABLE),
            ("DEALERDESK_STORE", "embedded"),
        ],
        port,
        Some(log),
    )
    .await
}

/// An engine started on `file` in this process, its table ensured.
async fn engine_on(file: &Path) -> (EmbeddedEngine, Store) {
    let engine = EmbeddedEngine::start(Some(file))
        .await
        .expect("the engine starts");
    let store = Store::connect(&StoreConfig::local(engine.endpoint.clone(), TABLE))
        .await
        .expect("the store connects");
    store.ensure_table().await.expect("the table");
    (engine, store)
}

fn file_size(file: &Path) -> u64 {
    let wal = file.with_extension("sqlite-wal");
    [file.to_path_buf(), wal]
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum()
}

async fn tickets_load(dealer: &Api, clients: usize, time: Duration) -> Load {
    let dealer = dealer.clone();
    perf::load(clients, time, move |n| {
        let dealer = dealer.clone();
        async move { perf::created(&dealer, "/api/tickets", perf::new_ticket(n)).await }
    })
    .await
}

async fn leads_load(dealer: &Api, clients: usize, time: Duration, from: usize) -> Load {
    let dealer = dealer.clone();
    perf::load(clients, time, move |n| {
        let dealer = dealer.clone();
        async move { perf::created(&dealer, "/api/leads", perf::new_lead(from + n)).await }
    })
    .await
}

/// The raw engine's rate; with `token`, every transaction carries a `ClientRequestToken` of
/// its own, as the AWS SDK sends them (what the engine does with tokens is a cost of its own:
/// `cargo bench --bench engine_growth`, README).
async fn raw_load(engine: &RawEngine, clients: usize, time: Duration, token: bool) -> Load {
    let engine = engine.clone();
    perf::load(clients, time, move |_| {
        let engine = engine.clone();
        async move { engine.transact_two(token).await }
    })
    .await
}

/// The raw engine's rate of a ticket's filing writes (with the SDK's token, as the server's
/// transactions carry one): what the server's creates would reach if DealerDesk's HTTP, SDK
/// and code cost nothing.
async fn raw_filing_load(engine: &RawEngine, clients: usize, time: Duration) -> Load {
    let engine = engine.clone();
    perf::load(clients, time, move |_| {
        let engine = engine.clone();
        async move { engine.transact_ticket_filing(true).await }
    })
    .await
}

/// A create row: its rate against the raw 2-item rate (the goal) and, if given, against
/// the raw rate of its own writes.
fn ratio_line(table: &mut Table, what: String, load: &Load, raw: &Load, own: Option<&Load>) {
    let ratio = load.per_second() / raw.per_second().max(f64::EPSILON);
    let own = own.map_or(String::new(), |own| {
        let r = load.per_second() / own.per_second().max(f64::EPSILON);
        format!(" · {r:.2}× its writes raw")
    });
    table.add(
        2,
        what,
        format!("{} · {ratio:.2}× raw{own}", rate(load)),
        format!("≥ {RATIO_GOAL}× raw"),
        Verdict::of(ratio >= RATIO_GOAL && load.failed == 0),
    );
}

async fn served(mode: Mode, table: &mut Table) {
    let dir = tempfile::tempdir().expect("a temporary dir");
    let port = quiet_port();
    eprintln!(
        "perf: 2. dealerdesk serve (its own process) on :{port}, data in {}",
        dir.path().display()
    );
    let server = serve(dir.path(), port).await;
    let dealer = server.login("dealer1@demo.local").await;
    let (raw_engine, _raw_store) = engine_on(&dir.path().join("raw.sqlite")).await;
    let raw = RawEngine::new(&raw_engine.endpoint, TABLE);
    let time = mode.load_time();
    let mut tickets = 0;
    let mut leads = 0;
    let mut at_growth_clients = None;
    for clients in CLIENTS {
        eprintln!(
            "perf:    {clients} client(s): raw engine (without and with tokens), tickets, leads"
        );
        let raw_rate = raw_load(&raw, clients, time, false).await;
        let tokened = raw_load(&raw, clients, time, true).await;
        let filing = raw_filing_load(&raw, clients, time).await;
        let created = tickets_load(&dealer, clients, time).await;
        let lead_rate = leads_load(&dealer, clients, time, leads).await;
        tickets += created.done;
        leads += lead_rate.done + lead_rate.failed;
        table.add(
            2,
            format!("engine: 2-item transactions, {clients} clients"),
            rate(&raw_rate),
            "(baseline)",
            Verdict::Info,
        );
        table.add(
            2,
            format!("engine: the same with the SDK's token, {clients} clients"),
            rate(&tokened),
            "",
            Verdict::Info,
        );
        table.add(
            2,
            format!("engine: a ticket's filing writes, {clients} clients"),
            rate(&filing),
            "",
            Verdict::Info,
        );
        ratio_line(
            table,
            format!("serve: tickets created, {clients} clients"),
            &created,
            &raw_rate,
            Some(&filing),
        );
        ratio_line(
            table,
            format!("serve: leads created, {clients} clients"),
            &lead_rate,
            &raw_rate,
            None,
        );
        if clients == GROWTH_CLIENTS {
            at_growth_clients = Some((created, raw_rate));
        }
    }
    raw_engine.shutdown().await;

    let db = dir.path().join("data").join("dealerdesk.sqlite");
    if let Some((created, raw_rate)) = at_growth_clients {
        growth_line(table, tickets, file_size(&db), &created, &raw_rate);
    }
    let mut server = Some(server);
    let mut first = true;
    // The load rows may already have filed more tickets than a level (a full run's ten-second
    // rows file some 17 000): such a level is passed, not measured twice under another count.
    // One restart always happens, for the list rows.
    let mut levels: Vec<usize> = mode
        .growth()
        .iter()
        .copied()
        .filter(|&level| level > tickets)
        .collect();
    if levels.is_empty() {
        levels.push(tickets);
    }
    for level in levels {
        if let Some(s) = server.take() {
            s.stop().await;
        }
        let (engine, store) = engine_on(&db).await;
        let more = level.saturating_sub(tickets);
        seed_tickets(&store, tickets, more).await;
        tickets += more;
        let raw = RawEngine::new(&engine.endpoint, TABLE);
        let raw_rate = raw_load(&raw, GROWTH_CLIENTS, time, false).await;
        engine.shutdown().await;
        let size = file_size(&db);
        let restarted = serve(dir.path(), port).await;
        let dealer = restarted.login("dealer1@demo.local").await;
        if first {
            list_lines(mode, table, &dealer, tickets).await;
            first = false;
        }
        let created = tickets_load(&dealer, GROWTH_CLIENTS, time).await;
        growth_line(table, tickets, size, &created, &raw_rate);
        tickets += created.done;
        server = Some(restarted);
    }
    if let Some(s) = server {
        s.stop().await;
    }
}

fn growth_line(table: &mut Table, tickets: usize, size: u64, created: &Load, raw: &Load) {
    let mb = size as f64 / 1e6;
    table.add(
        5,
        format!("growth: {tickets} tickets ({mb:.0} MB file), {GROWTH_CLIENTS} clients"),
        format!(
            "creates {:.0}/s · engine {:.0}/s · {:.2}×",
            created.per_second(),
            raw.per_second(),
            created.per_second() / raw.per_second().max(f64::EPSILON)
        ),
        format!("≥ {RATIO_GOAL}× raw"),
        Verdict::of(created.per_second() >= RATIO_GOAL * raw.per_second()),
    );
}

/// Open tickets of dealer-1 filed over the past year, numbered from `from`, written in
/// batches straight into the store.
async fn seed_tickets(store: &Store, from: usize, count: usize) {
    if count == 0 {
        return;
    }
    let calendar = WorkingCalendar::platform_default();
    let now = Utc::now();
    let dealer = DealerId::new("dealer-1");
    seed_in_batches(
        store,
        from..from + count,
        "seeding tickets",
        |k| {
            let at = now - Span::minutes(10 + (k % 525_600) as i64);
            seeded_ticket(k, &dealer, at, &calendar)
        },
        |ticket| Seed::Ticket(ticket),
    )
    .await;
}

/// Items `make` builds for each number of `range`, written through the store's item mapping
/// 500 at a time (`Store::seed_batch`), with a progress bar named `what`.
async fn seed_in_batches<T>(
    store: &Store,
    range: std::ops::Range<usize>,
    what: &str,
    make: impl Fn(usize) -> T,
    seed: for<'a> fn(&'a T) -> Seed<'a>,
) {
    let bar = progress(range.len() as u64, what);
    let mut n = range.start;
    while n < range.end {
        let end = (n + 500).min(range.end);
        let batch: Vec<T> = (n..end).map(&make).collect();
        let seeds: Vec<Seed> = batch.iter().map(seed).collect();
        store.seed_batch(&seeds).await.expect(what);
        bar.inc((end - n) as u64);
        n = end;
    }
    bar.finish_and_clear();
}

/// A ticket as filing stores it, `at` the filing time.
fn seeded_ticket(
    n: usize,
    dealer: &DealerId,
    at: DateTime<Utc>,
    calendar: &WorkingCalendar,
) -> Ticket {
    Ticket {
        id: TicketId::new(format!("perf-{n:07}")),
        number: 1_000_000 + n as u64,
        dealer_id: dealer.clone(),
        author_id: UserId::new("user-dealer1"),
        title: format!("Разместить новость № {n}"),
        text: "Разместите, пожалуйста, новость об акции на главной странице и в разделе «Новости»."
            .into(),
        category: Category::IndividualNews,
        criticality: Criticality::High,
        billing: Billing::Paid,
        status: Status::Accepted,
        created_at: at,
        updated_at: at,
        assignee_id: None,
        status_since: at,
        sla: SlaClock::start(calendar, Criticality::High, at),
        review: None,
        free_by_choice: false,
        version: 1,
        cost: TicketCost::default(),
        deleted: None,
    }
}

/// Row 3: the first page and a deep page (the 100th of 50) of the dealer's list.
async fn list_lines(mode: Mode, table: &mut Table, dealer: &Api, tickets: usize) {
    let runs = mode.runs();
    let mut first = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let (status, _) = dealer.send("GET", "/api/tickets?limit=50", None).await;
        assert!(status.is_success(), "the list answers");
        first.push(t.elapsed());
    }
    let first = Spread::of(first);
    let mut cursor = String::new();
    for _ in 0..99 {
        let path = format!("/api/tickets?limit=50&cursor={}", perf::url_encode(&cursor));
        let (_, page) = dealer.send("GET", &path, None).await;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    let deep_path = format!("/api/tickets?limit=50&cursor={}", perf::url_encode(&cursor));
    let mut deep = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let (status, _) = dealer.send("GET", &deep_path, None).await;
        assert!(status.is_success(), "the deep page answers");
        deep.push(t.elapsed());
    }
    let deep = Spread::of(deep);
    table.add(
        3,
        format!("list of {tickets} tickets, first page of 50"),
        spread(&first),
        "p99 ≤ 100 ms",
        Verdict::of(first.p99 <= Duration::from_millis(100)),
    );
    table.add(
        3,
        "list, page 100 of 50 (cursor)",
        spread(&deep),
        "≈ first page (≤ 2× its p50)",
        Verdict::of(deep.p50 <= first.p50 * 2),
    );
}

// ---------------------------------------------------------------- 4. sweeps

/// A Wednesday morning in Moscow: every due time is in working hours.
fn sweep_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 11, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

async fn sweeps(mode: Mode, table: &mut Table) {
    let open = mode.sweep_open();
    eprintln!("perf: 4. sweeps over {open} open items, {DUE} due");
    let now = sweep_now();
    let server = TestServer::start_at(now).await;
    let store = &server.state.store;
    let calendar = WorkingCalendar::platform_default();
    let dealers: Vec<DealerId> = (1..=4)
        .map(|d| DealerId::new(format!("dealer-{d}")))
        .collect();
    seed_in_batches(
        store,
        0..open,
        "seeding open tickets",
        |k| {
            // The first DUE were filed ten days ago: their warning is owed. The rest a
            // minute ago: nothing is owed for hours.
            let at = if k < DUE {
                now - Span::days(10)
            } else {
                now - Span::minutes(1)
            };
            seeded_ticket(k, &dealers[k % dealers.len()], at, &calendar)
        },
        |ticket| Seed::Ticket(ticket),
    )
    .await;

    let (before, reads_before) = (store.round_trips(), store.index_reads());
    store
        .tickets_due_for_watch(now)
        .await
        .expect("the due query");
    let read = reads_since(store, reads_before);
    let queries = store.round_trips() - before;
    sweep_line(
        &server,
        table,
        format!("SLA watch: {open} open tickets, {DUE} due"),
        (read, queries),
        (Job::SlaWatch, now),
        "notified",
    )
    .await;
    lead_sweep(&server, mode, table, now).await;
}

/// What the store's index reads read since `before`: the index's keys and the items then
/// fetched for them (the indexes are keys-only, so a due query costs both).
fn reads_since(store: &Store, before: IndexReads) -> IndexReads {
    let now = store.index_reads();
    IndexReads {
        keys: now.keys - before.keys,
        items: now.items - before.items,
    }
}

/// One sweep's row: what its due query read (`read`: index keys and items, in `queries`
/// calls), then the job run once over the seeded store, timed, with the calls it made and
/// what it did.
async fn sweep_line(
    server: &TestServer,
    table: &mut Table,
    what: String,
    (read, queries): (IndexReads, u64),
    (job, now): (Job, DateTime<Utc>),
    done: &str,
) {
    let store = &server.state.store;
    let before = store.round_trips();
    let t = Instant::now();
    let report = jobs::run(&server.state, job, now)
        .await
        .expect("the job runs");
    let took = t.elapsed();
    let calls = store.round_trips() - before;
    table.add(
        4,
        what,
        format!(
            "{} keys + {} items read in {queries} calls · run {} · {calls} calls · {} {done}",
            read.keys,
            read.items,
            ms(took),
            report.done
        ),
        format!("keys + items read ≤ {}", 2 * DUE),
        Verdict::of(read.items >= DUE as u64 && read.total() <= 2 * DUE as u64),
    );
}

/// `lead` under another id, created at `at`: the card as stored, so the seeded leads are
/// what the product reads (the domain builds leads only from an intake, which the API
/// already measures).
fn copy_as(lead: &Lead, id: &str, at: DateTime<Utc>) -> Lead {
    let mut value = serde_json::to_value(lead).expect("a lead serialises");
    value["id"] = serde_json::Value::String(id.to_string());
    value["keys"]["created_at"] = serde_json::to_value(at).expect("an instant serialises");
    let copy: Lead = serde_json::from_value(value).expect("a lead deserialises");
    assert_eq!(copy.created_at(), at, "the copy carries its creation time");
    copy
}

/// Leads seeded on the escalation index: `DUE` filed ten days ago (both escalation steps
/// owed, so the job really notifies), the rest a minute ago (due tomorrow).
async fn lead_sweep(server: &TestServer, mode: Mode, table: &mut Table, now: DateTime<Utc>) {
    let open = mode.sweep_open();
    let store = &server.state.store;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, created) = dealer
        .send("POST", "/api/leads", Some(perf::new_lead(0)))
        .await;
    assert!(status.is_success(), "a lead is typed in: {created}");
    let id = created["id"]
        .as_str()
        .or_else(|| created["lead"]["id"].as_str())
        .expect("the lead's id");
    let template = store
        .lead(&dealerdesk_domain::lead::LeadId::new(id))
        .await
        .expect("the lead reads")
        .expect("the lead exists");
    seed_in_batches(
        store,
        0..open,
        "seeding open leads",
        |k| {
            let (filed, due) = if k < DUE {
                (now - Span::days(10), now - Span::hours(1))
            } else {
                (now - Span::minutes(1), now + Span::days(1))
            };
            (copy_as(&template, &format!("perf-lead-{k:07}"), filed), due)
        },
        |(lead, due)| Seed::Lead(lead, Some(*due)),
    )
    .await;
    let (before, reads_before) = (store.round_trips(), store.index_reads());
    store.leads_to_escalate(now).await.expect("the due query");
    let read = reads_since(store, reads_before);
    let queries = store.round_trips() - before;
    sweep_line(
        server,
        table,
        format!("lead escalations: {open} open leads, {DUE} due"),
        (read, queries),
        (Job::LeadEscalations, now),
        "notices",
    )
    .await;
}
