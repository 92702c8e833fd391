//! The whole product in-process on an ephemeral port, over an in-memory dynoxide: the same
//! routers, use cases and storage code as `dealerdesk serve`.

use dealerdesk_app::blobs::Blobs;
use dealerdesk_app::mail::Mailer;
use dealerdesk_app::{AppState, Clock, Settings, demo, routes};
use dealerdesk_cli::EmbeddedEngine;
use dealerdesk_store::{Store, StoreConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// A running server; stops when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub state: AppState,
    _engine: EmbeddedEngine,
    _stop: oneshot::Sender<()>,
}

impl TestServer {
    /// Starts engine, table, demo data and every route, on the machine's clock.
    pub async fn start() -> TestServer {
        TestServer::start_with_clock(Clock::system()).await
    }

    /// [`TestServer::start`] with an injected clock (e.g. [`Clock::starting_at`] a
    /// quarter's deadline), so time-dependent rules run through the real API.
    pub async fn start_with_clock(clock: Clock) -> TestServer {
        let engine = EmbeddedEngine::start(None)
            .await
            .expect("embedded engine starts");
        let config = StoreConfig {
            table: "dealerdesk-test".into(),
            region: "eu-central-1".into(),
            endpoint: Some(engine.endpoint.clone()),
        };
        let store = Store::connect(&config).await.expect("store connects");
        store.ensure_table().await.expect("table is created");
        let mailbox = std::env::temp_dir().join(format!(
            "dealerdesk-test-mail-{}",
            engine.endpoint.rsplit(':').next().unwrap_or("0")
        ));
        let _ = std::fs::remove_dir_all(&mailbox);
        let blobs = std::env::temp_dir().join(format!(
            "dealerdesk-test-blobs-{}",
            engine.endpoint.rsplit(':').next().unwrap_or("0")
        ));
        let _ = std::fs::remove_dir_all(&blobs);
        let state = AppState::new(
            store,
            clock,
            Settings::default(),
            Mailer::Mailbox(mailbox),
            Blobs::LocalDir(blobs),
        );
        demo::seed(&state, state.clock.now())
            .await
            .expect("demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::all(state.clone())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        TestServer {
            base,
            state,
            _engine: engine,
            _stop: stop,
        }
    }

    /// Like [`TestServer::start`], with the server's clock reading `at` now and running on
    /// in real time; tests move it on with `server.state.clock.set(..)` or `.advance(..)`
    /// (the router holds a clone of the same clock). The demo data is seeded at `at` too, so
    /// a test pinned to a date sees the same history whatever the machine's date is.
    pub async fn start_at(at: chrono::DateTime<chrono::Utc>) -> TestServer {
        TestServer::start_with_clock(Clock::starting_at(at)).await
    }

    /// An API client logged in as a demo user.
    pub async fn login(&self, email: &str) -> Api {
        let api = Api {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: None,
        };
        let (status, body) = api
            .send(
                "POST",
                "/api/session",
                Some(json!({"email": email, "password": demo::DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login as {email}: {body}");
        let token = body["token"].as_str().expect("token").to_string();
        Api {
            token: Some(token),
            ..api
        }
    }

    /// A client without credentials.
    pub fn anonymous(&self) -> Api {
        Api {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: None,
        }
    }
}

/// A JSON API client.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

impl Api {
    /// Sends a request and returns the status and the JSON body (`Null` when empty).
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.send_raw(method, path, body.map(|b| b.to_string()), &[])
            .await
    }

    /// Like [`Api::send`] with a raw body and extra headers.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("JSON body expected, got: {text}"))
        };
        (status, json)
    }

    /// Files a ticket and returns it, asserting 201.
    pub async fn file_ticket(&self, title: &str) -> Value {
        let (status, body) = self
            .send(
                "POST",
                "/api/tickets",
                Some(json!({
                    "title": title,
                    "text": "Разместите, пожалуйста, новость об акции на главной странице.",
                    "category": "individual_news",
                    "criticality": "high",
                    "billing": "paid",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// Makes a move and returns status and body.
    pub async fn act(
        &self,
        ticket: &Value,
        action: &str,
        comment: Option<&str>,
    ) -> (StatusCode, Value) {
        let id = ticket["id"].as_str().expect("id");
        let mut body = json!({"action": action, "version": ticket["version"]});
        if let Some(c) = comment {
            body["comment"] = json!(c);
        }
        self.send("POST", &format!("/api/tickets/{id}/actions"), Some(body))
            .await
    }
}

/// The real `dealerdesk` binary, built by `cargo build --workspace --bins`.
pub fn built_binary(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join(name))
        .expect("target directory");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first (the README test command does)",
        path.display()
    );
    path
}

/// A free loopback port (bound and released; fine for tests on one machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A free loopback port below the kernel's ephemeral range (32768 and up on Linux), for a
/// server that binds only after a long wait (the README's command compiles first): a port
/// from [`free_port`] may meanwhile be handed to another test's engine or client, which
/// never happens to ports outside that range.
pub fn quiet_port() -> u16 {
    let start = 20_000 + (std::process::id() % 10_000) as u16;
    (start..32_000)
        .chain(20_000..start)
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port below the ephemeral range")
}

/// `dealerdesk serve` as a child process.
pub struct ServeProcess {
    pub base: String,
    child: tokio::process::Child,
}

impl ServeProcess {
    /// Starts the binary with the given extra arguments and environment, and waits (up to
    /// 60 s) until it answers.
    pub async fn start(args: &[&str], envs: &[(&str, &str)], port: u16) -> ServeProcess {
        ServeProcess::start_logging(args, envs, port, None).await
    }

    /// [`ServeProcess::start`] with the server's log (its standard error) written to `log`
    /// instead of the caller's: a benchmark's table stays readable under load.
    pub async fn start_logging(
        args: &[&str],
        envs: &[(&str, &str)],
        port: u16,
        log: Option<std::fs::File>,
    ) -> ServeProcess {
        let mut cmd = tokio::process::Command::new(built_binary("dealerdesk"));
        cmd.arg("serve").args(args).kill_on_drop(true);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        // A benchmark's server may start in a fresh checkout: it installs the knowledge-base
        // site's search tool (npm) and builds the site before it answers.
        let wait = if log.is_some() { 300 } else { 60 };
        if let Some(log) = log {
            cmd.stderr(log);
        }
        let child = cmd.spawn().expect("dealerdesk starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait);
        loop {
            if let Ok(r) = http.get(format!("{base}/login")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "dealerdesk did not answer on {base} within {wait} s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        ServeProcess { base, child }
    }

    /// Asks the server to stop (SIGTERM) and waits for it to exit cleanly.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        let status = tokio::time::timeout(std::time::Duration::from_secs(30), self.child.wait())
            .await
            .expect("dealerdesk stops within 30 s after SIGTERM")
            .expect("exit status");
        assert!(status.success(), "dealerdesk exited with {status}");
    }

    /// A client without credentials.
    pub fn anonymous_api(&self) -> Api {
        Api {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: None,
        }
    }

    /// An API client logged in as a demo user.
    pub async fn login(&self, email: &str) -> Api {
        let api = self.anonymous_api();
        let (status, body) = api
            .send(
                "POST",
                "/api/session",
                Some(json!({"email": email, "password": demo::DEMO_PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login as {email}: {body}");
        Api {
            token: body["token"].as_str().map(str::to_string),
            ..api
        }
    }
}
