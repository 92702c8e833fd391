//! Cold start of the Lambda functions beside a hello-world `lambda_http`, and their sizes.
//!
//! ```sh
//! cargo bench --profile dev --bench lambda             # every function, 10 cold starts each
//! cargo bench --profile dev --bench lambda -- --quick  # session, tickets-create, portal, job-outbox; 3 each
//! ```
//!
//! The bench itself only drives processes, so its own profile does not matter (`--profile dev`
//! reuses the test build). The functions it measures are built first, in **the `lambda`
//! profile** (what is deployed: fat LTO, stripped) for this machine's own target, beside the
//! hello-world `functions/hello-lambda/main.rs` (a bin that is never deployed) built the same way:
//! `cargo build --workspace --locked --profile lambda --target <host> --bin hello-lambda --bin …`,
//! into `target/<host>/lambda/` (the explicit target keeps them apart from cargo-lambda's
//! `target/lambda/<bin>/bootstrap`). `--no-build` takes them as they are.
//!
//! Each start runs the binary under the fake Lambda Runtime API of
//! `dealerdesk_e2e::lambda_runtime` on loopback with the environment AWS gives it: **init** is
//! spawn → its first `GET …/invocation/next`, **first answer** is spawn → the response to its
//! first event (an HTTP function gets an unauthenticated request of one of its own routes; a job
//! gets its scheduled event and runs over an empty table in dynoxide). The table is reached
//! through `AWS_ENDPOINT_URL_DYNAMODB` (the code path of AWS, with the role's credentials from the
//! environment) and a recording proxy; every other AWS endpoint (S3, SES, STS, the instance
//! metadata) points at a port that counts connections. The **init net** column is the
//! connections made before the first `/next`: it must be 0 (asserted).
//!
//! Other options: `--runs N` (cold starts per function), `--only a,b` (these functions).

use dealerdesk_cli::EmbeddedEngine;
use dealerdesk_e2e::dynamo_proxy::RecordingProxy;
use dealerdesk_e2e::lambda_runtime::{
    ApiGwV2Request, ConnectionSink, LambdaProcess, scheduled_event,
};
use dealerdesk_e2e::workspace_root;
use dealerdesk_store::{Store, StoreConfig};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The yardstick: `functions/hello-lambda/main.rs`.
const HELLO: &str = "hello-lambda";
/// `--quick`: one function of each kind and size.
const QUICK: [&str; 4] = ["session", "tickets-create", "portal", "job-outbox"];
/// The issue's goal: a function's cold start at most twice hello-world's.
const GOAL_RATIO: f64 = 2.0;

struct Options {
    runs: usize,
    only: Option<Vec<String>>,
    quick: bool,
    build: bool,
}

fn options() -> Options {
    let mut options = Options {
        runs: 10,
        only: None,
        quick: false,
        build: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options.quick = true;
                options.runs = 3;
            }
            "--no-build" => options.build = false,
            "--runs" => {
                options.runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .expect("--runs takes a positive number")
            }
            "--only" => {
                options.only = Some(
                    args.next()
                        .expect("--only takes function names, comma-separated")
                        .split(',')
                        .map(str::to_owned)
                        .collect(),
                )
            }
            // `cargo bench` passes `--bench`; a filter word is not used here.
            _ => {}
        }
    }
    options
}

/// The `[[bin]]` names of `functions/Cargo.toml`: every deployed function.
fn all_functions() -> Vec<String> {
    let manifest = std::fs::read_to_string(workspace_root().join("functions/Cargo.toml"))
        .expect("functions/Cargo.toml");
    let mut section = "";
    let mut names = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line.trim();
        } else if let Some(name) = line.strip_prefix("name = \"")
            && section == "[[bin]]"
            && name.trim_end_matches('"') != HELLO
        {
            names.push(name.trim_end_matches('"').to_owned());
        }
    }
    names
}

fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_owned()
}

/// `target/` of this build: the bench runs from `target/<profile>/deps/`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the bench has a path");
    exe.ancestors()
        .nth(3)
        .expect("the bench lives in target/<profile>/deps")
        .to_path_buf()
}

/// Whether `name` is one of the variables `cargo bench` sets for this bench's own run (its
/// package, its manifest, its build script's output) rather than the caller's environment.
fn set_by_cargo_for_the_bench(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "OUT_DIR"
        )
}

fn build(host: &str, functions: &[String]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    // The build runs in the environment it would have from a shell. Build scripts that watch
    // variables such as `CARGO_PKG_NAME` or `CARGO_MANIFEST_DIR` (ring's does) would otherwise
    // see this bench's values, rerun, and rebuild most of the dependency tree, and the next
    // build from a shell would rebuild it again.
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_for_the_bench) {
            command.env_remove(&name);
        }
    }
    command
        .current_dir(workspace_root())
        .args(["build", "--workspace", "--locked", "--profile", "lambda"])
        .args(["--target", host])
        .args(["--bin", HELLO]);
    for function in functions {
        command.args(["--bin", function]);
    }
    eprintln!("building in the lambda profile: {command:?}");
    let status = command.status().expect("cargo runs");
    assert!(status.success(), "the lambda-profile build failed");
}

/// What one function did over its cold starts.
struct Row {
    name: String,
    size: u64,
    init: Vec<Duration>,
    first: Vec<Duration>,
    init_connections: u64,
}

fn p50(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Everything one cold start needs: the table in dynoxide and the sink for other endpoints.
struct World {
    engine: EmbeddedEngine,
    table: String,
    sink: ConnectionSink,
}

impl World {
    async fn start() -> World {
        let engine = EmbeddedEngine::start(None).await.expect("dynoxide starts");
        let table = "dealerdesk-coldstart".to_owned();
        Store::connect(&StoreConfig::local(engine.endpoint.clone(), table.clone()))
            .await
            .expect("store connects")
            .ensure_table()
            .await
            .expect("the table is created");
        World {
            engine,
            table,
            sink: ConnectionSink::start().await,
        }
    }

    /// One cold start of `program` as the function `name`: (init, first answer, connections
    /// during init).
    async fn cold_start(&self, name: &str, program: &Path) -> (Duration, Duration, u64) {
        let proxy = RecordingProxy::start(&self.engine.endpoint).await;
        let sink_before = self.sink.connections();
        // What the template gives the functions that have most: the table, both buckets, SES.
        let env = [
            ("DEALERDESK_TABLE", self.table.as_str()),
            ("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint.as_str()),
            ("AWS_ENDPOINT_URL", self.sink.endpoint.as_str()),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                self.sink.endpoint.as_str(),
            ),
            ("DEALERDESK_COOKIE_SECURE", "true"),
            ("DEALERDESK_MAIL", "ses"),
            ("DEALERDESK_MAIL_FROM", "desk@example.com"),
            ("DEALERDESK_BLOBS", "s3"),
            ("DEALERDESK_BLOB_BUCKET", "dealerdesk-attachments"),
            ("DEALERDESK_SITE_BUCKET", "dealerdesk-kb-site"),
            ("DEALERDESK_PUBLIC_URL", "https://desk.example.com"),
            ("RUST_LOG", "warn"),
        ];
        let function = LambdaProcess::start_program(name, program, &[], &env).await;
        let init = function.init_duration().await;
        let init_connections = proxy.calls().len() as u64 + self.sink.connections() - sink_before;
        if name.starts_with("job-") {
            let _ = function
                .invoke_event_result(scheduled_event(&format!("{name}-schedule")))
                .await;
        } else {
            let (method, path) = first_request(name);
            let response = function.invoke(&ApiGwV2Request::new(method, path)).await;
            assert!(
                response.status < 500,
                "{name}: {method} {path} answered {}: {}",
                response.status,
                response.body
            );
        }
        (init, function.since_spawn(), init_connections)
    }
}

/// An unauthenticated request of one of the function's own routes: it runs the router, the
/// middleware and the caller's check (a 401, a page or a 404), not the store.
fn first_request(name: &str) -> (&'static str, &'static str) {
    match name {
        HELLO => ("GET", "/"),
        "session" => ("GET", "/api/notifications"),
        "tickets-create" => ("POST", "/api/tickets"),
        "tickets-read" => ("GET", "/api/tickets"),
        "cost-estimate" => ("GET", "/api/estimates"),
        "tickets-actions" => ("POST", "/api/tickets/T-1/actions"),
        "wishes" => ("GET", "/api/wishes"),
        "kb-suggest" => ("GET", "/api/kb/suggest"),
        "kb-admin" => ("GET", "/api/kb/articles"),
        "leads" => ("GET", "/api/leads"),
        "dashboard" => ("GET", "/api/dashboard"),
        "documents" => ("GET", "/api/documents"),
        "reports" => ("GET", "/api/reports/tickets"),
        "admin" => ("GET", "/api/admin/calendars"),
        "lead-webhook" => ("GET", "/api/leads/form-token"),
        "survey-callback" => ("GET", "/s/not-a-token"),
        // The portal's login page: the templates render.
        _ => ("GET", "/login"),
    }
}

fn main() {
    let options = options();
    let functions: Vec<String> = match (&options.only, options.quick) {
        (Some(only), _) => only.clone(),
        (None, true) => QUICK.iter().map(|s| (*s).to_owned()).collect(),
        (None, false) => all_functions(),
    };
    let host = host_triple();
    if options.build {
        build(&host, &functions);
    }
    let dir = target_dir().join(&host).join("lambda");
    let program = |name: &str| {
        let path = dir.join(name);
        if !path.is_file() {
            panic!(
                "{} is missing: run `cargo build --workspace --locked --profile lambda --target \
                 {host} --bin {name}` (or this bench without --no-build)",
                path.display()
            );
        }
        path
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let rows = runtime.block_on(async {
        let world = World::start().await;
        let names: Vec<String> = std::iter::once(HELLO.to_owned())
            .chain(functions.iter().cloned())
            .collect();
        let mut rows: Vec<Row> = names
            .iter()
            .map(|name| Row {
                name: name.clone(),
                size: std::fs::metadata(program(name)).map_or(0, |m| m.len()),
                init: Vec::new(),
                first: Vec::new(),
                init_connections: 0,
            })
            .collect();
        // Round-robin, so a busy moment of the machine falls on every function alike.
        for _ in 0..options.runs {
            for row in &mut rows {
                let (init, first, connections) =
                    world.cold_start(&row.name, &program(&row.name)).await;
                row.init.push(init);
                row.first.push(first);
                row.init_connections += connections;
            }
        }
        rows
    });

    let hello = p50(&rows[0].first);
    println!(
        "\nCold start under a Lambda Runtime API emulator on loopback, {} starts each \
         (p50), lambda profile, {host}:\n",
        options.runs
    );
    println!("| function | size | init | first answer | max first answer | × hello | init net |");
    println!("|---|---|---|---|---|---|---|");
    let mut over = Vec::new();
    for row in &rows {
        let first = p50(&row.first);
        let ratio = first.as_secs_f64() / hello.as_secs_f64();
        if ratio > GOAL_RATIO {
            over.push(row.name.clone());
        }
        println!(
            "| `{}` | {:.1} MB | {} | {} | {} | {ratio:.2} | {} |",
            row.name,
            row.size as f64 / 1e6,
            ms(p50(&row.init)),
            ms(first),
            ms(row.first.iter().copied().max().unwrap_or_default()),
            row.init_connections,
        );
    }
    println!(
        "\ngoal: first answer ≤ {GOAL_RATIO}× hello; over it: {}",
        if over.is_empty() {
            "none".to_owned()
        } else {
            over.join(", ")
        }
    );
    let networked: Vec<&str> = rows
        .iter()
        .filter(|r| r.init_connections > 0)
        .map(|r| r.name.as_str())
        .collect();
    assert!(
        networked.is_empty(),
        "init must not call the network; these did: {networked:?}"
    );
}
