//! Every Lambda function, driven the way AWS drives it: the real built binary
//! (`target/<profile>/<bin>`, from `cargo build --workspace --bins`) runs against a fake Lambda
//! Runtime API and receives what AWS sends it — API Gateway HTTP API (payload 2.0) events for the
//! HTTP functions, EventBridge scheduled events for the job functions — and posts back its
//! response. Storage is dynoxide in-process (in memory), with the table and demo data created
//! through the app's own code; the functions reach it through `DEALERDESK_DYNAMODB_ENDPOINT`.

use axum::body::Body;
use axum::http::Request;
use chrono::{Duration, Utc};
use dealerdesk_app::blobs::Blobs;
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::{Mailer, read_mailbox};
use dealerdesk_app::{AppState, Clock, Settings, demo, routes};
use dealerdesk_cli::EmbeddedEngine;
use dealerdesk_e2e::dynamo_proxy::{DynamoCall, Moto, RecordingProxy};
use dealerdesk_e2e::lambda_runtime::{
    ApiGwV2Request, ConnectionSink, LambdaHttpResponse, LambdaProcess, scheduled_event,
};
use dealerdesk_store::{Store, StoreConfig};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt as _;

/// The HTTP functions: each binary serves one router group of `dealerdesk_app::routes` (its
/// `main.rs` calls `routes::<group>`). The SAM template routes to it exactly the `/api/...`
/// routes of that group, read from `crates/app/src/routes.rs` by [`template_routes_every_function`];
/// everything else reaches the portal through `$default`.
const HTTP_FUNCTIONS: [(&str, &str); 16] = [
    ("session", "session"),
    ("tickets-create", "tickets_create"),
    ("tickets-read", "tickets_read"),
    ("cost-estimate", "cost_estimate"),
    ("tickets-actions", "tickets_actions"),
    ("wishes", "wishes"),
    ("kb-admin", "kb_admin"),
    ("leads", "leads"),
    ("admin", "admin_calendars"),
    ("kb-suggest", "kb_suggest"),
    ("lead-webhook", "lead_webhook"),
    ("survey-callback", "survey_callback"),
    ("dashboard", "dashboard"),
    ("documents", "documents"),
    ("reports", "reports"),
    ("portal", "portal"),
];

/// The scheduled job functions: binary, `Job` code and the template's schedule expression.
const JOB_FUNCTIONS: [(&str, &str, &str); 9] = [
    ("job-outbox", "outbox", "rate(1 minute)"),
    // Hourly through the first day of each quarter (UTC): the quarter just ended is billed.
    (
        "job-quarterly-bills",
        "quarterly_bills",
        "cron(0 * 1 1,4,7,10 ? *)",
    ),
    ("job-sla-watch", "sla_watch", "rate(5 minutes)"),
    ("job-auto-accept", "auto_accept", "rate(15 minutes)"),
    // Hourly from 09:00 to 18:00 MSK: reminders go out in working hours.
    (
        "job-cost-reminders",
        "cost_reminders",
        "cron(0 6-15 * * ? *)",
    ),
    ("job-cost-cutoff", "cost_cutoff", "rate(1 hour)"),
    (
        "job-lead-escalations",
        "lead_escalations",
        "rate(5 minutes)",
    ),
    ("job-lead-surveys", "lead_surveys", "rate(15 minutes)"),
    // 09:00 MSK on each quarter's first day: the quarterly survey's invitations.
    (
        "job-quarterly-survey",
        "quarterly_survey",
        "cron(0 6 1 1,4,7,10 ? *)",
    ),
];

/// The key of signed tokens, given to every function as the template does (`SigningKey`) and
/// to the in-process app, so a link made here opens there.
const SIGNING_KEY: &str = "lambda-events-signing-key-0123456789abcdef";

fn settings() -> Settings {
    Settings {
        signing_key: SIGNING_KEY.to_owned(),
        ..Settings::default()
    }
}

/// The bucket of attached files in moto, for the tests that start it.
const BUCKET: &str = "dealerdesk-attachments-test";
/// The knowledge-base site's bucket in moto.
const SITE_BUCKET: &str = "dealerdesk-kb-site-test";

/// dynoxide with a fresh table and the demo data, plus the app in-process to prepare state;
/// with [`Fixture::with_s3`] also moto's S3 with the bucket of attached files.
///
/// Each function started gets its own recording proxies in front of dynoxide (and moto), so a
/// test can check that the template allows that function every DynamoDB and S3 action it used.
/// The in-process app talks to the engines directly: what it does is not recorded.
struct Fixture {
    engine: EmbeddedEngine,
    s3: Option<Moto>,
    recorded: std::sync::Mutex<Vec<Recorded>>,
    table: String,
    /// The local folder of attached files when there is no S3.
    blob_dir: std::path::PathBuf,
    state: AppState,
}

/// The fixture's mailbox and local file folders go with it: hundreds of test runs left them
/// behind in the temporary directory.
impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("{}-mail", self.table)));
        let _ = std::fs::remove_dir_all(&self.blob_dir);
    }
}

/// The proxies one function (or a recorded in-process run, see [`Fixture::recorded_state`])
/// talked through.
struct Recorded {
    bin: String,
    dynamo: RecordingProxy,
    s3: Option<RecordingProxy>,
}

impl Fixture {
    async fn start() -> Fixture {
        Self::start_with(None).await
    }

    /// With S3 (moto, `moto_server` from PyPI `moto[server]`) for the attached files.
    async fn with_s3() -> Fixture {
        let moto = Moto::start().await;
        moto.create_bucket(BUCKET, dealerdesk_e2e::lambda_runtime::REGION)
            .await;
        moto.create_bucket(SITE_BUCKET, dealerdesk_e2e::lambda_runtime::REGION)
            .await;
        Self::start_with(Some(moto)).await
    }

    async fn start_with(s3: Option<Moto>) -> Fixture {
        let engine = EmbeddedEngine::start(None).await.expect("dynoxide starts");
        let table = format!(
            "dealerdesk-lambda-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        let store = Store::connect(&StoreConfig::local(engine.endpoint.clone(), table.clone()))
            .await
            .expect("store connects");
        store
            .ensure_table()
            .await
            .expect("table and indexes are created");
        let mailbox = std::env::temp_dir().join(format!("{table}-mail"));
        let blob_dir = std::env::temp_dir().join(format!("{table}-blobs"));
        let blobs = match &s3 {
            Some(moto) => Blobs::s3_at(&moto.endpoint, BUCKET),
            None => Blobs::LocalDir(blob_dir.clone()),
        };
        let state = AppState::new(
            store,
            Clock::system(),
            settings(),
            Mailer::Mailbox(mailbox),
            blobs,
        );
        demo::seed(&state, state.clock.now())
            .await
            .expect("demo data");
        Fixture {
            engine,
            s3,
            recorded: std::sync::Mutex::new(Vec::new()),
            table,
            blob_dir,
            state,
        }
    }

    /// New recording proxies for `bin`.
    async fn proxies(&self, bin: &str) -> (String, Option<String>) {
        let dynamo = RecordingProxy::start(&self.engine.endpoint).await;
        let s3 = match &self.s3 {
            Some(moto) => Some(RecordingProxy::start_s3(&moto.endpoint).await),
            None => None,
        };
        let endpoints = (
            dynamo.endpoint.clone(),
            s3.as_ref().map(|p| p.endpoint.clone()),
        );
        self.recorded.lock().expect("recorded lock").push(Recorded {
            bin: bin.to_owned(),
            dynamo,
            s3,
        });
        endpoints
    }

    /// The environment the SAM template gives `bin`, pointed at the local engines through
    /// new recording proxies: the table and cookie settings every function has, and the
    /// attached files' bucket for the functions the template gives it to.
    async fn env(&self, bin: &str) -> Vec<(String, String)> {
        let (dynamo, s3) = self.proxies(bin).await;
        let mut env = vec![
            ("DEALERDESK_TABLE".to_owned(), self.table.clone()),
            ("DEALERDESK_DYNAMODB_ENDPOINT".to_owned(), dynamo),
            ("DEALERDESK_COOKIE_SECURE".to_owned(), "true".to_owned()),
            ("DEALERDESK_SIGNING_KEY".to_owned(), SIGNING_KEY.to_owned()),
        ];
        if template_function(&template(), bin).contains("DEALERDESK_BLOB_BUCKET:") {
            match s3.clone() {
                Some(endpoint) => env.extend([
                    ("DEALERDESK_BLOBS".to_owned(), "s3".to_owned()),
                    ("DEALERDESK_BLOB_BUCKET".to_owned(), BUCKET.to_owned()),
                    // An IP-address endpoint: the SDK addresses the bucket path-style.
                    ("AWS_ENDPOINT_URL_S3".to_owned(), endpoint),
                ]),
                // No S3 in this test: the files go where the in-process app keeps them.
                None => env.extend([
                    ("DEALERDESK_BLOBS".to_owned(), "local".to_owned()),
                    (
                        "DEALERDESK_BLOB_DIR".to_owned(),
                        self.blob_dir.display().to_string(),
                    ),
                ]),
            }
        }
        if template_function(&template(), bin).contains("DEALERDESK_SITE_BUCKET:") {
            match &self.s3 {
                Some(_) => env.extend([
                    ("DEALERDESK_SITE_BUCKET".to_owned(), SITE_BUCKET.to_owned()),
                    (
                        "DEALERDESK_SITE_URL".to_owned(),
                        "https://kb.example.test/".to_owned(),
                    ),
                ]),
                None => env.push((
                    "DEALERDESK_SITE_DIR".to_owned(),
                    std::env::temp_dir()
                        .join(format!("{}-site", self.table))
                        .display()
                        .to_string(),
                )),
            }
            if let (Some(endpoint), None) = (s3, s3_endpoint_of(&env)) {
                env.push(("AWS_ENDPOINT_URL_S3".to_owned(), endpoint));
            }
        }
        env
    }

    /// Starts a function binary (`target/<profile>/<bin>`) with that environment.
    async fn function(&self, bin: &str) -> LambdaProcess {
        self.function_with(bin, &[]).await
    }

    /// Starts a function binary with that environment plus `extra` (which wins).
    async fn function_with(&self, bin: &str, extra: &[(&str, &str)]) -> LambdaProcess {
        let env = self.env(bin).await;
        let mut env: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.extend_from_slice(extra);
        LambdaProcess::start(bin, &env).await
    }

    /// The app in-process, but over recording proxies counted as `bin`'s: for a job whose work
    /// depends on the date (its Lambda runs on the real clock), the store calls it makes on the
    /// day it has work, to check against `bin`'s policies.
    async fn recorded_state(&self, bin: &str) -> AppState {
        let (dynamo, _) = self.proxies(bin).await;
        let store = Store::connect(&StoreConfig::local(dynamo, self.table.clone()))
            .await
            .expect("store connects");
        AppState::new(
            store,
            Clock::system(),
            settings(),
            Mailer::Mailbox(std::env::temp_dir().join(format!("{}-mail", self.table))),
            Blobs::LocalDir(self.blob_dir.clone()),
        )
    }

    /// Moves the in-process app's clock `days` back, so what is prepared next is that old by
    /// the time a job function (on the real clock) looks at it. [`Fixture::now`] moves it back.
    fn back_dated(&self, days: i64) {
        self.state.clock.set(Utc::now() - Duration::days(days));
    }

    /// Puts the in-process app's clock back on real time.
    fn now(&self) {
        self.state.clock.set(Utc::now());
    }

    /// A ticket move through the in-process API, returning the moved ticket.
    async fn act(&self, token: &str, ticket: &Value, action: &str) -> Value {
        let id = ticket["id"].as_str().expect("id");
        let body = json!({"action": action, "version": ticket["version"]});
        self.call(
            routes::tickets_actions(self.state.clone()),
            "POST",
            &format!("/api/tickets/{id}/actions"),
            Some(token),
            body,
        )
        .await
    }

    /// Calls the app in-process (to prepare state, not under test here).
    async fn call(
        &self,
        router: axum::Router,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Value {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = req.body(Body::from(body.to_string())).expect("request");
        let resp = router.oneshot(req).await.expect("infallible router");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .expect("body");
        let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {json}");
        json
    }

    /// The calls `bin`'s proxies recorded: DynamoDB's and S3's.
    fn calls(&self, bin: &str) -> (Vec<DynamoCall>, Vec<DynamoCall>) {
        let recorded = self.recorded.lock().expect("recorded lock");
        let mine = || recorded.iter().filter(|r| r.bin == bin);
        (
            mine().flat_map(|r| r.dynamo.calls()).collect(),
            mine()
                .filter_map(|r| r.s3.as_ref())
                .flat_map(RecordingProxy::calls)
                .collect(),
        )
    }

    /// Every DynamoDB and S3 action `bin` used is allowed to it by template.yaml (the policies
    /// are least-privilege, so a new store or file call must come with a policy change).
    fn assert_least_privilege(&self, bin: &str) {
        let (dynamo, s3) = self.calls(bin);
        assert!(
            !dynamo.is_empty(),
            "{bin} made no DynamoDB calls through its proxy"
        );
        for (service, calls) in [("dynamodb", dynamo), ("s3", s3)] {
            let used: BTreeSet<String> = calls.iter().flat_map(|c| c.actions.clone()).collect();
            let allowed = template_actions(bin, service);
            let missing: Vec<&String> = used.difference(&allowed).collect();
            assert!(
                missing.is_empty(),
                "template.yaml does not allow {bin} {missing:?} (it allows {allowed:?}; calls: {calls:?})"
            );
        }
    }

    async fn token(&self, email: &str) -> String {
        let body = json!({"email": email, "password": demo::DEMO_PASSWORD});
        let resp = self
            .call(
                routes::session(self.state.clone()),
                "POST",
                "/api/session",
                None,
                body,
            )
            .await;
        resp["token"].as_str().expect("token").to_owned()
    }

    async fn ticket(&self, token: &str) -> Value {
        let body = new_ticket("Не открывается раздел «Акции»");
        self.call(
            routes::tickets_create(self.state.clone()),
            "POST",
            "/api/tickets",
            Some(token),
            body,
        )
        .await
    }
}

fn new_ticket(title: &str) -> Value {
    json!({
        "title": title,
        "text": "После обновления раздел отдаёт ошибку 500.",
        "category": "platform_bug",
        "criticality": "high",
        "billing": "free",
    })
}

fn has_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// A JSON error the way the API promises it: `{"error": {"code", "message" (Russian)}}`.
fn assert_json_error(resp: &LambdaHttpResponse, status: u16) -> Value {
    assert_eq!(resp.status, status, "{:#}", resp.raw);
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "{:#}",
        resp.raw
    );
    let body = resp.json();
    let error = &body["error"];
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{body}"
    );
    let message = error["message"].as_str().unwrap_or_default();
    assert!(has_cyrillic(message), "message should be Russian: {body}");
    body
}

/// Every line the function logged is a JSON object (CloudWatch-friendly), and every line written
/// while handling a request carries that invocation's Lambda request id.
fn assert_json_logs(function: &LambdaProcess) {
    let invoked = function.request_ids();
    for line in function.logs() {
        let entry: Value = serde_json::from_str(&line)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| panic!("non-JSON log line: {line}"));
        if entry.get("span").is_some() {
            let ids: Vec<&str> = entry["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["requestId"].as_str())
                .collect();
            assert!(
                ids.iter().any(|id| invoked.iter().any(|i| i == id)),
                "log line without the invocation's request id: {line}"
            );
        }
    }
}

/// A cold start must not wait on the network: every function, given every AWS port the
/// template gives any of them (the table, both buckets, SES) with every endpoint — DynamoDB, S3,
/// SES, STS, the instance metadata — pointed at a port that counts connections, reaches its first
/// `GET …/invocation/next` without a single connection. The same port does see the store's
/// calls once a job runs, so a connection at init would have been counted.
#[tokio::test]
async fn init_makes_no_network_call() {
    let sink = ConnectionSink::start().await;
    let env = [
        ("AWS_ENDPOINT_URL", sink.endpoint.as_str()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", sink.endpoint.as_str()),
        ("DEALERDESK_TABLE", "dealerdesk-init"),
        ("DEALERDESK_MAIL", "ses"),
        ("DEALERDESK_MAIL_FROM", "desk@example.com"),
        ("DEALERDESK_BLOBS", "s3"),
        ("DEALERDESK_BLOB_BUCKET", BUCKET),
        ("DEALERDESK_SITE_BUCKET", SITE_BUCKET),
        ("DEALERDESK_SIGNING_KEY", SIGNING_KEY),
    ];
    let bins = HTTP_FUNCTIONS
        .iter()
        .map(|(bin, _)| *bin)
        .chain(JOB_FUNCTIONS.iter().map(|(bin, _, _)| *bin));
    let mut started = Vec::new();
    for bin in bins {
        started.push((bin, LambdaProcess::start(bin, &env).await));
    }
    for (bin, function) in &started {
        function.init_duration().await;
        assert_eq!(sink.connections(), 0, "{bin} called out during its init");
    }
    // Anything an init left running in the background would connect by now.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        sink.connections(),
        0,
        "a function called out after its init"
    );

    let (_, job) = started
        .iter()
        .find(|(bin, _)| *bin == "job-sla-watch")
        .expect("the SLA job was started");
    let run = job.invoke_event_result(scheduled_event("sla-watch")).await;
    assert!(run.is_err(), "the job has no table to read: {run:?}");
    assert!(
        sink.connections() > 0,
        "the job's store calls reach the sink (else the zero above proves nothing)"
    );
}

#[tokio::test]
async fn session_function_logs_in_and_refuses_a_wrong_password() {
    let fx = Fixture::start().await;
    let session = fx.function("session").await;

    let login = ApiGwV2Request::new("POST", "/api/session")
        .route("POST /api/session")
        .json(&json!({"email": "dealer1@demo.local", "password": demo::DEMO_PASSWORD}));
    let resp = session.invoke(&login).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(!resp.is_base64_encoded, "JSON travels as text");
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
    );
    let body = resp.json();
    let token = body["token"].as_str().expect("token").to_owned();
    assert!(!token.is_empty());
    assert_eq!(body["user"]["role"], "dealer", "{body}");
    assert!(body["user"]["dealer_id"].is_string(), "{body}");
    // HTTP API wants Set-Cookie in `cookies`, not in `headers`.
    assert!(resp.header("set-cookie").is_none(), "{:#}", resp.raw);
    let cookie = resp
        .cookies
        .iter()
        .find(|c| c.starts_with("dd_session="))
        .unwrap_or_else(|| panic!("session cookie: {:#}", resp.raw));
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }

    let wrong = ApiGwV2Request::new("POST", "/api/session")
        .route("POST /api/session")
        .json(&json!({"email": "dealer1@demo.local", "password": "not-the-password"}));
    let resp = session.invoke(&wrong).await;
    assert_json_error(&resp, 401);
    assert!(
        resp.cookies.is_empty(),
        "no session cookie on failure: {:#}",
        resp.raw
    );

    let garbage = ApiGwV2Request::new("POST", "/api/session")
        .route("POST /api/session")
        .body("application/json", b"{not json", false);
    assert_json_error(&session.invoke(&garbage).await, 400);

    // The caller's notification inbox is the session function's too.
    let inbox = lambda_api(
        &session,
        &token,
        "GET /api/notifications",
        "/api/notifications",
        Value::Null,
        200,
    )
    .await;
    assert_eq!(inbox["unread"], 0, "{inbox}");
    let read = lambda_api(
        &session,
        &token,
        "POST /api/notifications/read-all",
        "/api/notifications/read-all",
        Value::Null,
        200,
    )
    .await;
    assert_eq!(read["marked"], 0, "{read}");
    let unknown = ApiGwV2Request::new("POST", "/api/notifications/01JQ0000000000000000000000/read")
        .route("POST /api/notifications/{id}/read")
        .bearer(&token);
    assert_json_error(&session.invoke(&unknown).await, 404);

    let logout = ApiGwV2Request::new("DELETE", "/api/session")
        .route("DELETE /api/session")
        .bearer(&token);
    let resp = session.invoke(&logout).await;
    assert_eq!(resp.status, 204, "{:#}", resp.raw);

    assert_json_logs(&session);
    fx.assert_least_privilege("session");
}

/// The login limits count API Gateway's `sourceIp`, not a header the client writes: wrong
/// passwords from one address are slowed, another address is not, whatever
/// `X-Forwarded-For` claims.
#[tokio::test]
async fn session_function_slows_wrong_passwords_by_the_gateways_source_ip() {
    let fx = Fixture::start().await;
    let session = fx.function("session").await;
    let attempt = |ip: &str, forwarded: &str| {
        ApiGwV2Request::new("POST", "/api/session")
            .route("POST /api/session")
            .source_ip(ip)
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": "dealer2@demo.local", "password": "not-the-password"}))
    };
    for n in 0..6 {
        // A fresh forged X-Forwarded-For on every attempt changes nothing.
        let forged = format!("198.51.100.{n}");
        assert_json_error(&session.invoke(&attempt("192.0.2.10", &forged)).await, 401);
    }
    let throttled = session
        .invoke(&attempt("192.0.2.10", "198.51.100.99"))
        .await;
    assert_json_error(&throttled, 429);
    assert_eq!(
        throttled.header("retry-after"),
        Some("1"),
        "{:#}",
        throttled.raw
    );
    let elsewhere = session.invoke(&attempt("192.0.2.11", "192.0.2.10")).await;
    assert_json_error(&elsewhere, 401);
}

#[tokio::test]
async fn tickets_create_function_files_a_ticket_for_the_callers_dealer() {
    let fx = Fixture::start().await;
    let token = fx.token("dealer1@demo.local").await;
    let create = fx.function("tickets-create").await;

    let request = ApiGwV2Request::new("POST", "/api/tickets")
        .route("POST /api/tickets")
        .bearer(&token)
        .json(&new_ticket("Сломалась форма заявки"));
    let resp = create.invoke(&request).await;
    assert_eq!(resp.status, 201, "{:#}", resp.raw);
    let ticket = resp.json();
    assert!(
        ticket["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{ticket}"
    );
    assert!(
        ticket["number"].as_str().is_some_and(|n| !n.is_empty()),
        "{ticket}"
    );
    assert_eq!(ticket["title"], "Сломалась форма заявки");
    assert_eq!(ticket["dealer_id"], "dealer-1", "{ticket}");
    assert_eq!(ticket["state"], "new", "{ticket}");
    assert!(
        has_cyrillic(ticket["state_label"].as_str().unwrap_or_default()),
        "{ticket}"
    );
    assert!(ticket["version"].is_u64(), "{ticket}");

    // The ticket is really stored: the in-process app reads it back.
    let id = ticket["id"].as_str().unwrap_or_default();
    let read = fx
        .call(
            routes::tickets_read(fx.state.clone()),
            "GET",
            &format!("/api/tickets/{id}"),
            Some(&token),
            Value::Null,
        )
        .await;
    assert_eq!(read["number"], ticket["number"]);

    let anonymous = ApiGwV2Request::new("POST", "/api/tickets")
        .route("POST /api/tickets")
        .json(&new_ticket("Без входа"));
    assert_json_error(&create.invoke(&anonymous).await, 401);

    let invalid = ApiGwV2Request::new("POST", "/api/tickets")
        .route("POST /api/tickets")
        .bearer(&token)
        .json(&json!({"title": "", "text": "", "category": "nope", "criticality": "high", "billing": "free"}));
    let resp = create.invoke(&invalid).await;
    assert!((400..500).contains(&resp.status), "{:#}", resp.raw);
    assert_json_error(&resp, resp.status);

    assert_json_logs(&create);
    fx.assert_least_privilege("tickets-create");
}

#[tokio::test]
async fn tickets_read_function_shows_a_ticket_to_its_dealer_only() {
    let fx = Fixture::start().await;
    let dealer1 = fx.token("dealer1@demo.local").await;
    let dealer2 = fx.token("dealer2@demo.local").await;
    let ticket = fx.ticket(&dealer1).await;
    let id = ticket["id"].as_str().expect("id");
    let read = fx.function("tickets-read").await;

    let card =
        ApiGwV2Request::new("GET", &format!("/api/tickets/{id}")).route("GET /api/tickets/{id}");
    let resp = read.invoke(&card.clone().bearer(&dealer1)).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let body = resp.json();
    assert_eq!(body["id"], id, "{body}");
    assert_eq!(body["number"], ticket["number"]);

    let resp = read.invoke(&card.bearer(&dealer2)).await;
    assert_json_error(&resp, 404);

    let list = ApiGwV2Request::new("GET", "/api/tickets")
        .route("GET /api/tickets")
        .query("state", "new")
        .bearer(&dealer1);
    let resp = read.invoke(&list).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(
        resp.body.contains(id),
        "dealer1's list shows the ticket: {}",
        resp.body
    );

    let list2 = ApiGwV2Request::new("GET", "/api/tickets")
        .route("GET /api/tickets")
        .bearer(&dealer2);
    let resp = read.invoke(&list2).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(
        !resp.body.contains(id),
        "dealer2's list does not: {}",
        resp.body
    );

    assert_json_logs(&read);
    fx.assert_least_privilege("tickets-read");
}

#[tokio::test]
async fn cost_estimate_function_answers_the_banner_before_a_ticket_exists() {
    let fx = Fixture::start().await;
    let dealer1 = fx.token("dealer1@demo.local").await;
    let dealer2 = fx.token("dealer2@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    // Three finished news placements of another dealer: 590, 1170 and 1750 ₽.
    for (title, minutes) in [
        ("Новость о летней акции", 10),
        ("Новость об акции на шины", 20),
        ("Новость о летней распродаже", 30),
    ] {
        let t = fx
            .call(
                routes::tickets_create(fx.state.clone()),
                "POST",
                "/api/tickets",
                Some(&dealer2),
                json!({"title": title, "text": "Разместите новость об акции на главной.",
                       "category": "individual_news", "criticality": "high"}),
            )
            .await;
        let t = fx.act(&specialist, &t, "take").await;
        let id = t["id"].as_str().expect("id");
        let t = fx
            .call(
                routes::tickets_actions(fx.state.clone()),
                "POST",
                &format!("/api/tickets/{id}/time-entries"),
                Some(&specialist),
                json!({"minutes": minutes, "note": "Разместили", "version": t["version"]}),
            )
            .await;
        let t = fx.act(&specialist, &t, "send_for_review").await;
        let done = fx.act(&dealer2, &t, "accept").await;
        assert_eq!(done["status"], "resolved");
    }
    let estimate = fx.function("cost-estimate").await;
    let ask = |category: &str| {
        ApiGwV2Request::new("GET", "/api/estimates")
            .route("GET /api/estimates")
            .query("category", category)
            .query("criticality", "high")
            .query("title", "Новость о летней акции")
            .query("text", "Разместите новость о летней акции на главной")
    };

    let resp = estimate
        .invoke(&ask("individual_news").bearer(&dealer1))
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(
        resp.json(),
        json!({"median": "1170", "low": "590", "high": "1750", "count": 3, "period_days": 90})
    );
    // Other work: no estimate, no body.
    let resp = estimate.invoke(&ask("meta_tags").bearer(&dealer1)).await;
    assert_eq!(
        (resp.status, resp.body.as_str()),
        (204, ""),
        "{:#}",
        resp.raw
    );

    let body = assert_json_error(
        &estimate.invoke(&ask("gardening").bearer(&dealer1)).await,
        422,
    );
    assert_eq!(body["error"]["fields"][0]["field"], "category", "{body}");
    let body = assert_json_error(
        &estimate
            .invoke(&ask("individual_news").query("price", "1").bearer(&dealer1))
            .await,
        400,
    );
    assert_eq!(body["error"]["code"], "bad_query");
    assert_json_error(
        &estimate
            .invoke(&ask("individual_news").bearer(&specialist))
            .await,
        403,
    );
    assert_json_error(&estimate.invoke(&ask("individual_news")).await, 401);

    assert_json_logs(&estimate);
    fx.assert_least_privilege("cost-estimate");
}

#[tokio::test]
async fn tickets_actions_function_moves_a_ticket_and_refuses_a_stale_version() {
    let fx = Fixture::start().await;
    let dealer1 = fx.token("dealer1@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    let ticket = fx.ticket(&dealer1).await;
    let id = ticket["id"].as_str().expect("id");
    let version = ticket["version"].as_u64().expect("version");
    let actions = fx.function("tickets-actions").await;

    let take = |version: u64| {
        ApiGwV2Request::new("POST", &format!("/api/tickets/{id}/actions"))
            .route("POST /api/tickets/{id}/actions")
            .bearer(&specialist)
            .json(&json!({"action": "take", "version": version}))
    };
    let resp = actions.invoke(&take(version)).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let moved = resp.json();
    assert_eq!(moved["state"], "in_progress", "{moved}");
    assert!(
        moved["version"].as_u64().is_some_and(|v| v > version),
        "{moved}"
    );

    let resp = actions.invoke(&take(version)).await;
    assert_json_error(&resp, 409);

    assert_json_logs(&actions);
    fx.assert_least_privilege("tickets-actions");
}

#[tokio::test]
async fn portal_function_serves_the_login_page_and_logs_in_with_cookies() {
    let fx = Fixture::start().await;
    let portal = fx.function("portal").await;

    // The portal is the HTTP API's `$default` route.
    let resp = portal
        .invoke(&ApiGwV2Request::new("GET", "/login").header("accept", "text/html"))
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:#}",
        resp.raw
    );
    assert!(
        resp.body.contains("Вход") && resp.body.contains("Пароль"),
        "{}",
        resp.body
    );
    let csrf = resp
        .cookie("dd_login_csrf")
        .unwrap_or_else(|| panic!("CSRF cookie: {:?}", resp.cookies));
    assert!(
        resp.cookies.iter().all(|c| c.contains("Secure")),
        "{:?}",
        resp.cookies
    );

    // Log in through the form: the request cookie travels in the event's `cookies` array.
    let submit = ApiGwV2Request::new("POST", "/login")
        .cookie(&format!("dd_login_csrf={csrf}"))
        .form(&[
            ("csrf", &csrf),
            ("email", "dealer1@demo.local"),
            ("password", demo::DEMO_PASSWORD),
        ]);
    let resp = portal.invoke(&submit).await;
    assert!((300..400).contains(&resp.status), "{:#}", resp.raw);
    assert!(
        resp.header("location").is_some_and(|l| l.starts_with('/')),
        "{:#}",
        resp.raw
    );
    let session = resp
        .cookie("dd_session")
        .unwrap_or_else(|| panic!("session cookie: {:?}", resp.cookies));

    let tickets = ApiGwV2Request::new("GET", "/tickets").cookie(&format!("dd_session={session}"));
    let resp = portal.invoke(&tickets).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(
        resp.body.contains("dealer1@demo.local") || has_cyrillic(&resp.body),
        "{}",
        resp.body
    );

    // A form without the CSRF cookie is refused, in Russian.
    let forged = ApiGwV2Request::new("POST", "/login").form(&[
        ("csrf", "forged"),
        ("email", "dealer1@demo.local"),
        ("password", demo::DEMO_PASSWORD),
    ]);
    let resp = portal.invoke(&forged).await;
    assert!((400..500).contains(&resp.status), "{:#}", resp.raw);
    assert!(resp.cookie("dd_session").is_none(), "{:?}", resp.cookies);

    let css = portal
        .invoke(&ApiGwV2Request::new("GET", "/static/style.css"))
        .await;
    assert_eq!(css.status, 200, "{:#}", css.raw);

    assert_json_logs(&portal);
    fx.assert_least_privilege("portal");
}

#[tokio::test]
async fn admin_function_reads_and_changes_the_working_calendar_for_the_admin_only() {
    let fx = Fixture::start().await;
    let admin = fx.token("admin@demo.local").await;
    let dealer = fx.token("dealer1@demo.local").await;
    // An open ticket, so a change of the calendar has a running reaction time to count again.
    fx.ticket(&dealer).await;
    let function = fx.function("admin").await;

    let overview = ApiGwV2Request::new("GET", "/api/admin/calendars")
        .route("GET /api/admin/calendars")
        .bearer(&admin);
    let resp = function.invoke(&overview).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let body = resp.json();
    assert!(
        body["years"].as_array().is_some_and(|y| !y.is_empty()),
        "{body}"
    );
    assert_eq!(body["hours"]["time_zone"], "Europe/Moscow", "{body}");
    let year = body["years"][0]["year"].as_i64().expect("a year");

    // A year's days, then the same days back with one more day off (2026 etc. are official).
    let path = format!("/api/admin/calendars/{year}");
    let resp = function
        .invoke(
            &ApiGwV2Request::new("GET", &path)
                .route("GET /api/admin/calendars/{year}")
                .bearer(&admin),
        )
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let shown = resp.json();
    assert_eq!(shown["year"], year, "{shown}");
    let mut days = shown["days"].clone();
    days[format!("{year}-06-15")] = json!("non_working");
    let put_year = |version: &Value| {
        ApiGwV2Request::new("PUT", &path)
            .route("PUT /api/admin/calendars/{year}")
            .bearer(&admin)
            .json(&json!({"days": days, "version": version}))
    };
    let resp = function.invoke(&put_year(&shown["version"])).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let changed = resp.json();
    assert_eq!(changed["days"][format!("{year}-06-15")], "non_working");
    assert!(changed["recounted"].is_u64(), "{changed}");
    // The version the admin saw is stale now.
    assert_json_error(&function.invoke(&put_year(&shown["version"])).await, 409);

    let hours = ApiGwV2Request::new("GET", "/api/admin/calendars/hours")
        .route("GET /api/admin/calendars/hours")
        .bearer(&admin);
    let resp = function.invoke(&hours).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let shown = resp.json();
    let put_hours = ApiGwV2Request::new("PUT", "/api/admin/calendars/hours")
        .route("PUT /api/admin/calendars/hours")
        .bearer(&admin)
        .json(&json!({
            "open": "09:00",
            "close": "18:30",
            "shortened_by_minutes": 60,
            "time_zone": "Europe/Moscow",
            "version": shown["version"],
        }));
    let resp = function.invoke(&put_hours).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(resp.json()["close"], "18:30", "{:#}", resp.raw);
    assert_eq!(
        fx.call(
            routes::admin_calendars(fx.state.clone()),
            "GET",
            "/api/admin/calendars/hours",
            Some(&admin),
            Value::Null,
        )
        .await["close"],
        "18:30",
        "the change is stored"
    );

    // Anyone but the admin is refused.
    let as_dealer = ApiGwV2Request::new("GET", "/api/admin/calendars")
        .route("GET /api/admin/calendars")
        .bearer(&dealer);
    let resp = function.invoke(&as_dealer).await;
    assert_json_error(&resp, 403);

    assert_json_logs(&function);
    fx.assert_least_privilege("admin");
}

/// The result a job function posts for one scheduled event: its `JobReport`.
fn assert_report(report: &Value, job: &str) -> (u64, u64, u64) {
    assert_eq!(report["job"], job, "{report}");
    let count = |k: &str| {
        report[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} missing: {report}"))
    };
    (count("done"), count("failed"), count("dead"))
}

#[tokio::test]
async fn job_outbox_function_mails_each_pending_notice_once() {
    let fx = Fixture::start().await;
    // A ticket filed a month ago and overdue since: the outbox holds its creation notice (to
    // the specialist team) and, after the SLA watch, the warning (the team) and the breach (the
    // team and the dealer's account manager) — recipients by role, by dealer and by user.
    fx.back_dated(30);
    let dealer = fx.token("dealer1@demo.local").await;
    let ticket = fx.ticket(&dealer).await;
    fx.now();
    let watched = jobs::run(&fx.state, Job::SlaWatch, fx.state.clock.now())
        .await
        .expect("SLA watch runs");
    assert_eq!(watched.done, 3, "{watched:?}");
    let id = ticket["id"].as_str().expect("id");
    let mailbox = tempfile::tempdir().expect("mailbox folder");
    let dir = mailbox.path().to_str().expect("UTF-8 path");
    // In AWS the function has DEALERDESK_MAIL=ses; here the local mailbox stands in for SES.
    let outbox = fx
        .function_with(
            "job-outbox",
            &[
                ("DEALERDESK_MAIL", "mailbox"),
                ("DEALERDESK_MAILBOX_DIR", dir),
                ("DEALERDESK_PUBLIC_URL", "https://desk.example.com"),
            ],
        )
        .await;
    let tick = || scheduled_event("dealerdesk-OutboxJobFunctionTick-1AB2CD3EF4GH5");

    let report = outbox.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "outbox"), (4, 0, 0), "{report}");
    let mails = read_mailbox(mailbox.path());
    assert_eq!(mails.len(), 4, "{mails:?}");
    let mut recipients: Vec<&str> = mails
        .iter()
        .flat_map(|m| m.email.to.iter().map(String::as_str))
        .collect();
    recipients.sort_unstable();
    assert_eq!(
        recipients,
        [
            "manager@demo.local",
            "specialist@demo.local",
            "specialist@demo.local",
            "specialist@demo.local"
        ]
    );
    for mail in &mails {
        assert!(has_cyrillic(&mail.email.subject), "{}", mail.email.subject);
        assert!(
            mail.email
                .text
                .contains(&format!("https://desk.example.com/tickets/{id}")),
            "links point at DEALERDESK_PUBLIC_URL: {}",
            mail.email.text
        );
    }

    // The next tick finds nothing left to send.
    let report = outbox.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "outbox"), (0, 0, 0), "{report}");
    assert_eq!(read_mailbox(mailbox.path()).len(), 4);

    assert_json_logs(&outbox);
    fx.assert_least_privilege("job-outbox");
}

#[tokio::test]
async fn job_sla_watch_function_reports_an_overdue_ticket_once() {
    let fx = Fixture::start().await;
    // Filed (high: 3 working hours) a month ago and never touched.
    fx.back_dated(30);
    let dealer = fx.token("dealer1@demo.local").await;
    let ticket = fx.ticket(&dealer).await;
    fx.now();
    let watch = fx.function("job-sla-watch").await;
    let tick = || scheduled_event("dealerdesk-SlaWatchJobFunctionTick-1AB2CD3EF4GH5");

    let report = watch.invoke_event(tick()).await;
    assert_eq!(
        assert_report(&report, "sla_watch"),
        (3, 0, 0),
        "the 80 % warning and the breach, to the team and the account manager: {report}"
    );
    let report = watch.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "sla_watch"), (0, 0, 0), "{report}");

    // The notices wait in the outbox: the team is warned, the team and the account manager
    // are told of the breach.
    let sent = jobs::run(&fx.state, Job::Outbox, fx.state.clock.now())
        .await
        .expect("outbox runs");
    assert_eq!(sent.done, 4, "created, warning, breach ×2: {sent:?}");
    let dir = fx.state.mailer.mailbox().expect("local mailbox");
    let mails = read_mailbox(dir);
    let number = ticket["number"].as_str().expect("number");
    let breach = mails
        .iter()
        .find(|m| m.key.starts_with("sla-breach:"))
        .unwrap_or_else(|| panic!("breach mailed: {mails:?}"));
    assert_eq!(breach.email.to, ["manager@demo.local"]);
    assert!(
        breach.email.subject.contains(number),
        "{}",
        breach.email.subject
    );
    assert!(mails.iter().any(|m| m.key.starts_with("sla-warning:")));
    let team = mails
        .iter()
        .find(|m| m.key.starts_with("sla-breach-team:"))
        .unwrap_or_else(|| panic!("the team's breach mailed: {mails:?}"));
    assert_eq!(team.email.to, ["specialist@demo.local"]);

    assert_json_logs(&watch);
    fx.assert_least_privilege("job-sla-watch");
}

/// A lead of dealer 4 posted from its site now (on the in-process app's clock), with the
/// customer's e-mail.
async fn post_lead(fx: &Fixture) -> dealerdesk_domain::lead::Lead {
    use dealerdesk_domain::lead::{LeadDraft, LeadSource, Origin};
    let draft = LeadDraft {
        kind: Some("test_drive".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some("8 (914) 123-45-67".into()),
        email: Some("ivan@mail.ru".into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    let intake = dealerdesk_app::lead::LeadIntake {
        network: dealerdesk_domain::NetworkId::new("network-demo"),
        origin: Origin::DealerSite(dealerdesk_domain::DealerId::new("dealer-4")),
        source: LeadSource::Site,
        new: draft.validate().expect("a valid lead"),
        idempotency: None,
    };
    dealerdesk_app::lead::create(&fx.state, intake)
        .await
        .expect("the lead is stored")
        .lead()
        .clone()
}

#[tokio::test]
async fn survey_callback_function_shows_the_page_and_records_one_answer() {
    use dealerdesk_store::LeadRepo;
    let fx = Fixture::start().await;
    let lead = post_lead(&fx).await;
    let link = dealerdesk_app::lead::survey::link(&fx.state, lead.id(), fx.state.clock.now());
    let path = format!("/s/{}", link.rsplit('/').next().expect("a token"));
    let survey = fx.function("survey-callback").await;

    // The mail scanner's GET and the customer's: the page, nothing recorded.
    for _ in 0..2 {
        let resp = survey
            .invoke(&ApiGwV2Request::new("GET", &path).route("GET /s/{token}"))
            .await;
        assert_eq!(resp.status, 200, "{:#}", resp.raw);
        assert!(
            resp.header("content-type")
                .is_some_and(|c| c.starts_with("text/html"))
        );
        assert!(
            resp.header("content-security-policy")
                .is_some_and(|c| !c.contains("unsafe-inline"))
        );
        assert!(
            resp.body
                .contains("Дилер связался, но обслуживание не устраивает")
        );
        assert!(!resp.body.contains("<script"));
    }
    let unchanged = fx.state.store.lead(lead.id()).await.unwrap().unwrap();
    assert_eq!(unchanged, lead, "a GET records nothing");

    let answer = ApiGwV2Request::new("POST", &path)
        .route("POST /s/{token}")
        .form(&[("answer", "unhappy"), ("comment", "Долго ждал звонка")]);
    let resp = survey.invoke(&answer).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    assert!(resp.body.contains("Спасибо за ответ!"), "{}", resp.body);
    let answered = fx.state.store.lead(lead.id()).await.unwrap().unwrap();
    assert_eq!(
        answered.survey().map(|s| s.answer.code()),
        Some("unhappy"),
        "recorded on the lead"
    );

    let again = survey.invoke(&answer).await;
    assert_eq!(again.status, 409, "single use");
    assert!(
        again.body.contains("Ответ на опрос уже получен"),
        "{}",
        again.body
    );
    let forged = survey
        .invoke(&ApiGwV2Request::new("GET", "/s/abc.def").route("GET /s/{token}"))
        .await;
    assert_eq!(forged.status, 404);
    assert!(forged.body.contains("Ссылка на опрос недействительна"));

    assert_json_logs(&survey);
    fx.assert_least_privilege("survey-callback");
}

#[tokio::test]
async fn job_lead_surveys_function_asks_the_customer_a_day_after_the_lead_once() {
    let fx = Fixture::start().await;
    // A lead of two days ago (the function runs on the real clock) and one of today.
    fx.back_dated(2);
    let old = post_lead(&fx).await;
    fx.now();
    post_lead(&fx).await;
    let job = fx
        .function_with(
            "job-lead-surveys",
            &[("DEALERDESK_PUBLIC_URL", "https://desk.example.com")],
        )
        .await;
    let tick = || scheduled_event("dealerdesk-LeadSurveysJobFunctionTick-1AB2CD3EF4GH5");

    let report = job.invoke_event(tick()).await;
    assert_eq!(
        assert_report(&report, "lead_surveys"),
        (1, 0, 0),
        "{report}"
    );
    let report = job.invoke_event(tick()).await;
    assert_eq!(
        assert_report(&report, "lead_surveys"),
        (0, 0, 0),
        "once: {report}"
    );

    jobs::run(&fx.state, Job::Outbox, fx.state.clock.now())
        .await
        .expect("outbox runs");
    let mailbox = fx.state.mailer.mailbox().expect("local mailbox");
    let letter = read_mailbox(mailbox)
        .into_iter()
        .find(|m| m.key == format!("lead:{}:survey:invite", old.id()))
        .expect("the survey letter");
    assert_eq!(letter.email.to, ["ivan@mail.ru"]);
    assert!(
        letter.email.text.contains("https://desk.example.com/s/"),
        "the link points at DEALERDESK_PUBLIC_URL: {}",
        letter.email.text
    );

    assert_json_logs(&job);
    fx.assert_least_privilege("job-lead-surveys");
}

#[tokio::test]
async fn admin_function_anonymises_a_customer_for_the_admin_only() {
    use dealerdesk_store::LeadRepo;
    let fx = Fixture::start().await;
    let lead = post_lead(&fx).await;
    let customer = lead.customer().expect("a profile").clone();
    let admin = fx.function("admin").await;
    let path = format!("/api/customers/{customer}/anonymise");
    let request = |token: &str| {
        ApiGwV2Request::new("POST", &path)
            .route("POST /api/customers/{id}/anonymise")
            .bearer(token)
    };
    let dealer = fx.token("dealer4@demo.local").await;
    assert_json_error(&admin.invoke(&request(&dealer)).await, 403);
    let token = fx.token("admin@demo.local").await;
    let resp = admin.invoke(&request(&token)).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(resp.json()["leads_anonymised"], 1);
    let after = fx.state.store.lead(lead.id()).await.unwrap().unwrap();
    assert_eq!(after.person().name, dealerdesk_domain::lead::ANONYMOUS_NAME);

    assert_json_logs(&admin);
    fx.assert_least_privilege("admin");
}

#[tokio::test]
async fn job_lead_escalations_function_tells_the_dealer_and_the_representative_once() {
    let fx = Fixture::start().await;
    // A lead of «Автоцентр Восток» posted a month ago and never touched: both steps are due.
    fx.back_dated(30);
    let lead = crate::lead_escalation::vostok_lead(&fx.state, "Ольга", "+7 914 555-09-09").await;
    fx.now();
    let escalations = fx.function("job-lead-escalations").await;
    let tick = || scheduled_event("dealerdesk-LeadEscalationsJobFunctionTick-1AB2CD3EF4GH5");

    let report = escalations.invoke_event(tick()).await;
    assert_eq!(
        assert_report(&report, "lead_escalations"),
        (2, 0, 0),
        "the dealer's and the representative's notices: {report}"
    );
    let report = escalations.invoke_event(tick()).await;
    assert_eq!(
        assert_report(&report, "lead_escalations"),
        (0, 0, 0),
        "{report}"
    );

    jobs::run(&fx.state, Job::Outbox, fx.state.clock.now())
        .await
        .expect("outbox runs");
    let mails = read_mailbox(fx.state.mailer.mailbox().expect("local mailbox"));
    for (step, to) in [
        ("dealer_2h", "dealer4@demo.local"),
        ("observer_4h", "rep2@demo.local"),
    ] {
        let key = format!("lead:{}:escalation:{step}", lead.id());
        let mail = mails
            .iter()
            .find(|m| m.key == key)
            .unwrap_or_else(|| panic!("{key} mailed: {mails:?}"));
        assert_eq!(mail.email.to, [to]);
    }

    assert_json_logs(&escalations);
    fx.assert_least_privilege("job-lead-escalations");
}

#[tokio::test]
async fn job_auto_accept_function_accepts_a_result_left_in_review() {
    let fx = Fixture::start().await;
    // Sent for review a month ago; the dealer never answered.
    fx.back_dated(30);
    let dealer = fx.token("dealer1@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    let ticket = fx.ticket(&dealer).await;
    let taken = fx.act(&specialist, &ticket, "take").await;
    let review = fx.act(&specialist, &taken, "send_for_review").await;
    assert_eq!(review["status"], "in_review", "{review}");
    fx.now();
    let accept = fx.function("job-auto-accept").await;
    let tick = || scheduled_event("dealerdesk-AutoAcceptJobFunctionTick-1AB2CD3EF4GH5");

    let report = accept.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "auto_accept"), (1, 0, 0), "{report}");
    let report = accept.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "auto_accept"), (0, 0, 0), "{report}");

    let dealer = fx.token("dealer1@demo.local").await;
    let id = ticket["id"].as_str().expect("id");
    let card = fx
        .call(
            routes::tickets_read(fx.state.clone()),
            "GET",
            &format!("/api/tickets/{id}"),
            Some(&dealer),
            Value::Null,
        )
        .await;
    assert_eq!(card["status"], "resolved", "{card}");
    let last = card["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["action"], "auto_accept", "{card}");

    assert_json_logs(&accept);
    fx.assert_least_privilege("job-auto-accept");
}

/// A job that fails posts an invocation error, so Lambda retries the event (an EventBridge
/// schedule invokes asynchronously), and the function stays up for the next tick.
#[tokio::test]
async fn a_failing_job_reports_an_invocation_error_and_takes_the_next_event() {
    let fx = Fixture::start().await;
    let missing = format!("{}-missing", fx.table);
    let watch = fx
        .function_with("job-sla-watch", &[("DEALERDESK_TABLE", missing.as_str())])
        .await;
    for _ in 0..2 {
        let error = watch
            .invoke_event_result(scheduled_event("dealerdesk-SlaWatchJobFunctionTick-X"))
            .await
            .expect_err("a job without its table fails");
        assert!(
            error["errorType"].as_str().is_some_and(|t| !t.is_empty()),
            "{error}"
        );
        assert!(
            error["errorMessage"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{error}"
        );
    }
    assert_json_logs(&watch);
}

/// Sends `body` (JSON, or nothing for `Null`) as `token`'s request through the route `route`
/// (`METHOD /path/{param}`) to `function`, asserts the status and returns the JSON answer.
async fn lambda_api(
    function: &LambdaProcess,
    token: &str,
    route: &str,
    path: &str,
    body: Value,
    status: u16,
) -> Value {
    let method = route.split(' ').next().expect("METHOD /path");
    let mut request = ApiGwV2Request::new(method, path).route(route).bearer(token);
    if !body.is_null() {
        request = request.json(&body);
    }
    let resp = function.invoke(&request).await;
    assert_eq!(resp.status, status, "{route} {path}: {:#}", resp.raw);
    if resp.body.is_empty() {
        Value::Null
    } else {
        resp.json()
    }
}

#[tokio::test]
async fn tickets_actions_function_logs_time_reclassifies_comments_and_settles_the_cost() {
    let fx = Fixture::start().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    let ticket = fx
        .call(
            routes::tickets_create(fx.state.clone()),
            "POST",
            "/api/tickets",
            Some(&dealer),
            json!({
                "title": "Новость об акции",
                "text": "Разместите новость об акции на главной.",
                "category": "individual_news",
                "criticality": "high",
            }),
        )
        .await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let actions = fx.function("tickets-actions").await;
    let at = |tail: &str| format!("/api/tickets/{id}{tail}");

    let t = lambda_api(
        &actions,
        &specialist,
        "POST /api/tickets/{id}/actions",
        &at("/actions"),
        json!({"action": "take", "version": ticket["version"]}),
        200,
    )
    .await;
    let t = lambda_api(
        &actions,
        &specialist,
        "POST /api/tickets/{id}/time-entries",
        &at("/time-entries"),
        json!({"minutes": 40, "note": "Вёрстка новости", "version": t["version"]}),
        201,
    )
    .await;
    assert_eq!(t["minutes"], 40, "{t}");
    let entry = t["time_entry"]["id"].as_str().expect("entry id").to_owned();
    let t = lambda_api(
        &actions,
        &specialist,
        "POST /api/tickets/{id}/time-entries/{entry}/correction",
        &at(&format!("/time-entries/{entry}/correction")),
        json!({"minutes": 20, "note": "Фото готовил дилер", "version": t["version"]}),
        201,
    )
    .await;
    assert_eq!(t["minutes"], 20, "{t}");
    let t = lambda_api(
        &actions,
        &specialist,
        "POST /api/tickets/{id}/reclassify",
        &at("/reclassify"),
        json!({"category": "custom_section", "reason": "Это новый раздел, не новость", "version": t["version"]}),
        200,
    )
    .await;
    assert_eq!(t["category"], "custom_section", "{t}");
    let comment = lambda_api(
        &actions,
        &dealer,
        "POST /api/tickets/{id}/comments",
        &at("/comments"),
        json!({"text": "Спасибо, ждём"}),
        201,
    )
    .await;
    assert_eq!(comment["text"], "Спасибо, ждём", "{comment}");
    let t = lambda_api(
        &actions,
        &specialist,
        "POST /api/tickets/{id}/actions",
        &at("/actions"),
        json!({"action": "send_for_review", "comment": "Готово", "version": t["version"]}),
        200,
    )
    .await;
    let t = lambda_api(
        &actions,
        &dealer,
        "POST /api/tickets/{id}/actions",
        &at("/actions"),
        json!({"action": "accept", "version": t["version"]}),
        200,
    )
    .await;
    assert_eq!(t["cost_state"], "pending", "{t}");
    let t = lambda_api(
        &actions,
        &dealer,
        "POST /api/tickets/{id}/cost/dispute",
        &at("/cost/dispute"),
        json!({"comment": "Почему так дорого?", "version": t["version"]}),
        200,
    )
    .await;
    assert_eq!(t["cost_state"], "disputed", "{t}");
    let t = lambda_api(
        &actions,
        &specialist,
        "POST /api/tickets/{id}/cost/answer",
        &at("/cost/answer"),
        json!({"comment": "Три страницы раздела.", "version": t["version"]}),
        200,
    )
    .await;
    let stale = t["version"].as_u64().expect("version") - 1;
    let t = lambda_api(
        &actions,
        &dealer,
        "POST /api/tickets/{id}/cost/confirm",
        &at("/cost/confirm"),
        json!({"version": t["version"]}),
        200,
    )
    .await;
    assert_eq!(t["cost_state"], "confirmed", "{t}");
    let conflict = actions
        .invoke(
            &ApiGwV2Request::new("POST", &at("/time-entries"))
                .route("POST /api/tickets/{id}/time-entries")
                .bearer(&specialist)
                .json(&json!({"minutes": 5, "note": "Ещё", "version": stale})),
        )
        .await;
    assert!((400..500).contains(&conflict.status), "{:#}", conflict.raw);
    assert_json_error(&conflict, conflict.status);

    assert_json_logs(&actions);
    fx.assert_least_privilege("tickets-actions");
}

/// A tiny valid PNG: the upload checks the bytes against the declared type.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

#[tokio::test]
async fn attached_files_go_to_s3_through_the_api_and_the_portal_and_come_back() {
    let fx = Fixture::with_s3().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let ticket = fx.ticket(&dealer).await;
    let id = ticket["id"].as_str().expect("id").to_owned();

    // Upload through tickets-actions: a binary body reaches Lambda base64-encoded.
    let actions = fx.function("tickets-actions").await;
    let upload = ApiGwV2Request::new("POST", &format!("/api/tickets/{id}/attachments"))
        .route("POST /api/tickets/{id}/attachments")
        .bearer(&dealer)
        .header("x-file-name", "%D0%B1%D0%B0%D0%BD%D0%BD%D0%B5%D1%80.png")
        .body("image/png", PNG, true);
    let resp = actions.invoke(&upload).await;
    assert_eq!(resp.status, 201, "{:#}", resp.raw);
    let meta = resp.json();
    assert_eq!(meta["name"], "баннер.png", "{meta}");
    let att = meta["id"].as_str().expect("attachment id").to_owned();
    let (_, s3) = fx.calls("tickets-actions");
    assert!(
        s3.iter().any(|c| c.operation == "PutObject"),
        "the bytes went to S3: {s3:?}"
    );
    assert_json_logs(&actions);
    fx.assert_least_privilege("tickets-actions");

    // Download through tickets-read: the bytes come back base64-encoded, whole.
    let read = fx.function("tickets-read").await;
    let download = ApiGwV2Request::new("GET", &format!("/api/tickets/{id}/attachments/{att}"))
        .route("GET /api/tickets/{id}/attachments/{att}")
        .bearer(&dealer);
    let resp = read.invoke(&download).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(resp.is_base64_encoded, "a file travels base64-encoded");
    assert_eq!(resp.bytes, PNG);
    assert_eq!(resp.header("content-type"), Some("image/png"));
    // A 4 MiB file still fits Lambda's 6 MB payload limit base64-encoded, both ways (a file
    // over about 4.5 MiB does not: see infra/deploy.md).
    let mut big = PNG.to_vec();
    big.resize(4 * 1024 * 1024, 0);
    let resp = actions
        .invoke(
            &ApiGwV2Request::new("POST", &format!("/api/tickets/{id}/attachments"))
                .route("POST /api/tickets/{id}/attachments")
                .bearer(&dealer)
                .header("x-file-name", "big.png")
                .body("image/png", &big, true),
        )
        .await;
    assert_eq!(
        resp.status,
        201,
        "{:#}\n{}",
        resp.raw,
        actions.logs().join("\n")
    );
    let big_id = resp.json()["id"].as_str().expect("id").to_owned();
    let resp = read
        .invoke(
            &ApiGwV2Request::new("GET", &format!("/api/tickets/{id}/attachments/{big_id}"))
                .route("GET /api/tickets/{id}/attachments/{att}")
                .bearer(&dealer),
        )
        .await;
    assert_eq!(resp.status, 200, "{:?}", resp.headers);
    assert!(resp.bytes == big, "the 4 MiB file comes back whole");
    let estimate = ApiGwV2Request::new("GET", &format!("/api/tickets/{id}/estimate"))
        .route("GET /api/tickets/{id}/estimate")
        .bearer(&dealer);
    let resp = read.invoke(&estimate).await;
    assert!(matches!(resp.status, 200 | 204), "{:#}", resp.raw);
    assert_json_logs(&read);
    fx.assert_least_privilege("tickets-read");

    // The portal: log in, upload from the card's form (multipart), download the link.
    let portal = fx.function("portal").await;
    let session = portal_login(&portal, "dealer1@demo.local").await;
    let card = ApiGwV2Request::new("GET", &format!("/tickets/{id}")).cookie(&session);
    let resp = portal.invoke(&card).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let csrf = hidden_field(&resp.body, "csrf");
    let boundary = "dealerdesk-e2e-boundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(PNG);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let resp = portal
        .invoke(
            &ApiGwV2Request::new("POST", &format!("/tickets/{id}/attachments"))
                .cookie(&session)
                .body(
                    &format!("multipart/form-data; boundary={boundary}"),
                    &form,
                    true,
                ),
        )
        .await;
    assert!(
        resp.status == 200 || (300..400).contains(&resp.status),
        "{:#}",
        resp.raw
    );
    let resp = portal.invoke(&card).await;
    assert!(resp.body.contains("logo.png"), "{}", resp.body);
    let link = format!("/tickets/{id}/attachments/{att}");
    let resp = portal
        .invoke(&ApiGwV2Request::new("GET", &link).cookie(&session))
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(resp.bytes, PNG);
    let (_, s3) = fx.calls("portal");
    for op in ["PutObject", "GetObject"] {
        assert!(s3.iter().any(|c| c.operation == op), "portal {op}: {s3:?}");
    }
    assert_json_logs(&portal);
    fx.assert_least_privilege("portal");
}

/// Logs `email` in through the portal's form; returns the session cookie (`dd_session=…`).
async fn portal_login(portal: &LambdaProcess, email: &str) -> String {
    let resp = portal.invoke(&ApiGwV2Request::new("GET", "/login")).await;
    let csrf = resp.cookie("dd_login_csrf").expect("login CSRF cookie");
    let submit = ApiGwV2Request::new("POST", "/login")
        .cookie(&format!("dd_login_csrf={csrf}"))
        .form(&[
            ("csrf", &csrf),
            ("email", email),
            ("password", demo::DEMO_PASSWORD),
        ]);
    let resp = portal.invoke(&submit).await;
    let session = resp
        .cookie("dd_session")
        .unwrap_or_else(|| panic!("session cookie: {:#}", resp.raw));
    format!("dd_session={session}")
}

/// The value of the hidden form field `name` on a page.
fn hidden_field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} on the page:\n{page}"))
        + marker.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn reports_function_counts_a_filed_ticket_for_its_readers_only() {
    let fx = Fixture::start().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let rep = fx.token("rep@demo.local").await;
    fx.ticket(&dealer).await;
    let reports = fx.function("reports").await;
    let today = dealerdesk_domain::platform_date(fx.state.clock.now());
    let report = ApiGwV2Request::new("GET", "/api/reports/tickets")
        .route("GET /api/reports/{report}")
        .query("from", &today.to_string())
        .query("to", &today.to_string());
    let resp = reports.invoke(&report.clone().bearer(&dealer)).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let body = resp.json();
    assert_eq!(body["report"], "tickets", "{body}");
    assert_eq!(body["totals"]["values"]["tickets"], 1.0, "{body}");
    // A representative opens no ticket report: a 404, like an unknown one.
    let resp = reports.invoke(&report.bearer(&rep)).await;
    assert_json_error(&resp, 404);
    let file = ApiGwV2Request::new("GET", "/api/reports/tickets")
        .route("GET /api/reports/{report}")
        .query("format", "xlsx")
        .bearer(&dealer);
    let resp = reports.invoke(&file).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_json_logs(&reports);
    fx.assert_least_privilege("reports");
}

#[tokio::test]
async fn wishes_function_takes_a_wish_from_the_dealer_to_development() {
    let fx = Fixture::start().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let other = fx.token("dealer2@demo.local").await;
    let manager = fx.token("manager@demo.local").await;
    let wishes = fx.function("wishes").await;

    let wish = lambda_api(
        &wishes,
        &dealer,
        "POST /api/wishes",
        "/api/wishes",
        json!({"title": "Фильтр по цвету", "text": "Покупатели просят искать машины по цвету."}),
        201,
    )
    .await;
    assert_eq!(wish["status"], "submitted", "{wish}");
    let id = wish["id"].as_str().expect("id").to_owned();
    let list = lambda_api(
        &wishes,
        &dealer,
        "GET /api/wishes",
        "/api/wishes",
        Value::Null,
        200,
    )
    .await;
    assert!(list.to_string().contains(&id), "{list}");
    let card = format!("/api/wishes/{id}");
    let shown = lambda_api(
        &wishes,
        &manager,
        "GET /api/wishes/{id}",
        &card,
        Value::Null,
        200,
    )
    .await;
    assert_eq!(shown["id"], id.as_str(), "{shown}");
    let resp = wishes
        .invoke(
            &ApiGwV2Request::new("GET", &card)
                .route("GET /api/wishes/{id}")
                .bearer(&other),
        )
        .await;
    assert_json_error(&resp, 404);

    let actions = format!("/api/wishes/{id}/actions");
    let wish = lambda_api(
        &wishes,
        &manager,
        "POST /api/wishes/{id}/actions",
        &actions,
        json!({"action": "review", "note": "Нужен и в АСП", "version": wish["version"]}),
        200,
    )
    .await;
    let wish = lambda_api(
        &wishes,
        &manager,
        "POST /api/wishes/{id}/actions",
        &actions,
        json!({"action": "send_to_development", "version": wish["version"]}),
        200,
    )
    .await;
    assert_eq!(wish["status"], "with_development", "{wish}");

    assert_json_logs(&wishes);
    fx.assert_least_privilege("wishes");
}

#[tokio::test]
async fn leads_function_shows_and_changes_a_lead_card_for_its_dealer_only() {
    let fx = Fixture::start().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let other = fx.token("dealer2@demo.local").await;
    let draft = dealerdesk_domain::lead::LeadDraft {
        kind: Some("preorder".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some("+79123456789".into()),
        consent: Some("true".into()),
        ..Default::default()
    };
    let made = dealerdesk_app::lead::create(
        &fx.state,
        dealerdesk_app::lead::LeadIntake {
            network: dealerdesk_domain::NetworkId::new("network-demo"),
            origin: dealerdesk_domain::lead::Origin::DealerSite(dealerdesk_domain::DealerId::new(
                "dealer-1",
            )),
            source: dealerdesk_domain::lead::LeadSource::Site,
            new: draft.validate().expect("valid"),
            idempotency: None,
        },
    )
    .await
    .expect("lead");
    let id = made.lead().id().to_string();
    let leads = fx.function("leads").await;

    let list = lambda_api(
        &leads,
        &dealer,
        "GET /api/leads",
        "/api/leads",
        Value::Null,
        200,
    )
    .await;
    assert!(list.to_string().contains(&id), "{list}");
    let path = format!("/api/leads/{id}");
    let card = lambda_api(
        &leads,
        &dealer,
        "GET /api/leads/{id}",
        &path,
        Value::Null,
        200,
    )
    .await;
    assert_eq!(card["lead"]["status"], "new", "{card}");
    let resp = leads
        .invoke(
            &ApiGwV2Request::new("GET", &path)
                .route("GET /api/leads/{id}")
                .bearer(&other),
        )
        .await;
    assert_json_error(&resp, 404);
    let contact = format!("/api/leads/{id}/contact");
    let card = lambda_api(
        &leads,
        &dealer,
        "POST /api/leads/{id}/contact",
        &contact,
        json!({"outcome": "yes", "version": card["lead"]["version"]}),
        200,
    )
    .await;
    assert_eq!(card["lead"]["status_label"], "Ожидание визита", "{card}");
    let stale = lambda_api(
        &leads,
        &dealer,
        "POST /api/leads/{id}/contract",
        &format!("/api/leads/{id}/contract"),
        json!({"outcome": "yes", "version": 1}),
        409,
    )
    .await;
    assert_eq!(stale["error"]["code"], "lead_version_conflict", "{stale}");
    let resp = leads
        .invoke(
            &ApiGwV2Request::new("GET", "/api/leads/search")
                .route("GET /api/leads/search")
                .query("surname", "Петров")
                .query("name", "Иван")
                .query("phone", "6789")
                .bearer(&other),
        )
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let found = resp.json();
    assert_eq!(found["items"][0]["id"], id.as_str(), "{found}");
    assert_eq!(found["items"][0]["phone"], "+7 912 ***-**-89", "{found}");

    assert_json_logs(&leads);
    fx.assert_least_privilege("leads");
}

#[tokio::test]
async fn kb_suggest_function_suggests_articles_and_picks_up_a_newly_published_index() {
    use dealerdesk_domain::kb::suggest::Document;
    let fx = Fixture::start().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let accountant = fx.token("accountant1@demo.local").await;
    // Rechecking the published index at once, not after a minute: the test publishes below.
    let function = fx
        .function_with("kb-suggest", &[("DEALERDESK_KB_RECHECK_SECONDS", "0")])
        .await;
    let suggest = |token: &str, q: &str| {
        ApiGwV2Request::new("GET", "/api/kb/suggest")
            .route("GET /api/kb/suggest")
            .query("q", q)
            .bearer(token)
    };

    let resp = function
        .invoke(&suggest(
            &dealer,
            "как настроить редиректы со старых страниц",
        ))
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    let found = resp.json();
    assert_eq!(found["items"][0]["slug"], "redirekty", "{found}");
    assert_eq!(
        found["items"][0]["url"], "/kb/rabota-s-saitom/redirekty/",
        "{found}"
    );

    // Nothing matches: an empty list.
    let resp = function
        .invoke(&suggest(&dealer, "абырвалг главрыба"))
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(resp.json()["items"], json!([]));

    // Rights and limits.
    let resp = function.invoke(&suggest(&accountant, "редирект")).await;
    assert_json_error(&resp, 403);
    let resp = function
        .invoke(
            &ApiGwV2Request::new("GET", "/api/kb/suggest")
                .route("GET /api/kb/suggest")
                .query("q", "редирект"),
        )
        .await;
    assert_json_error(&resp, 401);
    let resp = function
        .invoke(&suggest(&dealer, &"редирект ".repeat(200)))
        .await;
    let error = assert_json_error(&resp, 422);
    assert!(error.to_string().contains("1000"), "{error}");

    // An article published in-process reaches the warm function without a restart.
    let mut docs = dealerdesk_app::kb_suggest::seed_documents();
    docs.push(Document {
        slug: "tyuning-palitra".into(),
        title: "Палитра тюнинга дисков".into(),
        section: "moduli".into(),
        tags: vec!["диски".into()],
        summary: "Как включить палитру тюнинга дисков в конфигураторе.".into(),
        text: "Палитра тюнинга дисков показывает диски на модели.".into(),
    });
    dealerdesk_app::kb_suggest::publish_index(&fx.state, &docs, Utc::now())
        .await
        .expect("published");
    let resp = function.invoke(&suggest(&dealer, "палитра тюнинга")).await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(resp.json()["items"][0]["slug"], "tyuning-palitra");

    assert_json_logs(&function);
    fx.assert_least_privilege("kb-suggest");
}

/// The S3 endpoint already given to a function, if any.
fn s3_endpoint_of(env: &[(String, String)]) -> Option<String> {
    env.iter()
        .find(|(k, _)| k == "AWS_ENDPOINT_URL_S3")
        .map(|(_, v)| v.clone())
}

#[tokio::test]
async fn kb_admin_function_publishes_an_article_into_the_site_bucket() {
    let fx = Fixture::with_s3().await;
    let specialist = fx.token("specialist@demo.local").await;
    let dealer = fx.token("dealer1@demo.local").await;
    let kb = fx.function("kb-admin").await;
    let article = json!({
        "slug": "vygruzka-zayavok",
        "section": "lidy",
        "title": "Как выгрузить заявки в Excel",
        "tags": ["заявки", "выгрузка"],
        "summary": "Где в личном кабинете выгрузка заявок.",
        "body": "Откройте раздел заявок и нажмите «Выгрузить».",
    });
    let resp = kb
        .invoke(
            &ApiGwV2Request::new("POST", "/api/kb/articles")
                .route("POST /api/kb/articles")
                .bearer(&dealer)
                .json(&article),
        )
        .await;
    let error = assert_json_error(&resp, 403);
    assert!(
        error.to_string().contains("сотрудники поддержки"),
        "{error}"
    );
    let draft = lambda_api(
        &kb,
        &specialist,
        "POST /api/kb/articles",
        "/api/kb/articles",
        article,
        201,
    )
    .await;
    assert_eq!(draft["status"], "draft", "{draft}");
    let published = lambda_api(
        &kb,
        &specialist,
        "POST /api/kb/articles/{slug}/publish",
        "/api/kb/articles/vygruzka-zayavok/publish",
        json!({"version": 1}),
        200,
    )
    .await;
    assert_eq!(
        published["url"], "https://kb.example.test/lidy/vygruzka-zayavok/",
        "{published}"
    );
    let moto = fx.s3.as_ref().expect("moto");
    let site = Blobs::s3_at(&moto.endpoint, SITE_BUCKET);
    let page = site
        .get("lidy/vygruzka-zayavok/index.html")
        .await
        .expect("S3 answers")
        .expect("the article's page is in the site bucket");
    assert!(String::from_utf8_lossy(&page).contains("Как выгрузить заявки в Excel"));
    let sitemap = site.get("sitemap.xml").await.expect("S3").expect("sitemap");
    assert!(
        String::from_utf8_lossy(&sitemap)
            .contains("https://kb.example.test/lidy/vygruzka-zayavok/")
    );
    let card = lambda_api(
        &kb,
        &specialist,
        "GET /api/kb/articles/{slug}",
        "/api/kb/articles/vygruzka-zayavok",
        Value::Null,
        200,
    )
    .await;
    assert_eq!(card["history"].as_array().map(Vec::len), Some(2), "{card}");
    assert_json_logs(&kb);
    fx.assert_least_privilege("kb-admin");
}

/// The platform's calendar date (MSK) of an instant.
fn msk_date(at: chrono::DateTime<Utc>) -> chrono::NaiveDate {
    (at + Duration::hours(3)).date_naive()
}

#[tokio::test]
async fn job_cost_cutoff_function_confirms_a_pending_cost_after_the_deadline() {
    use chrono::Datelike as _;
    let fx = Fixture::start().await;
    // A cost left pending in the quarter whose cut-off the job makes today: the current
    // one after its deadline (the 26th of its last month), else the previous one.
    let today = msk_date(Utc::now());
    let quarter_start =
        chrono::NaiveDate::from_ymd_opt(today.year(), (today.month() - 1) / 3 * 3 + 1, 1)
            .expect("quarter start");
    let past_deadline = today.month().is_multiple_of(3) && today.day() > 26;
    let finished_on = if past_deadline {
        quarter_start + Duration::days(10)
    } else {
        quarter_start - Duration::days(45)
    };
    let at = finished_on
        .and_hms_opt(9, 0, 0)
        .expect("09:00 UTC")
        .and_utc();
    fx.state.clock.set(at);
    let dealer = fx.token("dealer1@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    let ticket = fx
        .call(
            routes::tickets_create(fx.state.clone()),
            "POST",
            "/api/tickets",
            Some(&dealer),
            json!({"title": "Новость", "text": "Разместите новость", "category": "individual_news", "criticality": "high"}),
        )
        .await;
    let t = fx.act(&specialist, &ticket, "take").await;
    let id = ticket["id"].as_str().expect("id").to_owned();
    let t = fx
        .call(
            routes::tickets_actions(fx.state.clone()),
            "POST",
            &format!("/api/tickets/{id}/time-entries"),
            Some(&specialist),
            json!({"minutes": 10, "note": "Новость", "version": t["version"]}),
        )
        .await;
    let t = fx.act(&specialist, &t, "send_for_review").await;
    let t = fx.act(&dealer, &t, "accept").await;
    assert_eq!(t["cost_state"], "pending", "{t}");
    fx.now();

    let cutoff = fx.function("job-cost-cutoff").await;
    let tick = || scheduled_event("dealerdesk-CostCutoffJobFunctionTick-1AB2CD3EF4GH5");
    let report = cutoff.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "cost_cutoff"), (1, 0, 0), "{report}");
    let report = cutoff.invoke_event(tick()).await;
    assert_eq!(assert_report(&report, "cost_cutoff"), (0, 0, 0), "{report}");
    let dealer = fx.token("dealer1@demo.local").await;
    let card = fx
        .call(
            routes::tickets_read(fx.state.clone()),
            "GET",
            &format!("/api/tickets/{id}"),
            Some(&dealer),
            Value::Null,
        )
        .await;
    assert_eq!(card["cost_state"], "confirmed", "{card}");

    assert_json_logs(&cutoff);
    fx.assert_least_privilege("job-cost-cutoff");
}

#[tokio::test]
async fn job_cost_reminders_function_runs_and_its_reminder_day_is_within_its_policy() {
    use chrono::Datelike as _;
    let fx = Fixture::start().await;
    // A pending cost in the current quarter, finished on its first day.
    let today = msk_date(Utc::now());
    let last_month = (today.month() - 1) / 3 * 3 + 3;
    let first = chrono::NaiveDate::from_ymd_opt(today.year(), last_month - 2, 1).expect("day");
    fx.state
        .clock
        .set(first.and_hms_opt(9, 0, 0).expect("09:00").and_utc());
    let dealer = fx.token("dealer1@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    let ticket = fx
        .call(
            routes::tickets_create(fx.state.clone()),
            "POST",
            "/api/tickets",
            Some(&dealer),
            json!({"title": "Новость", "text": "Разместите новость", "category": "individual_news", "criticality": "high"}),
        )
        .await;
    let t = fx.act(&specialist, &ticket, "take").await;
    let t = fx
        .call(
            routes::tickets_actions(fx.state.clone()),
            "POST",
            &format!(
                "/api/tickets/{}/time-entries",
                ticket["id"].as_str().expect("id")
            ),
            Some(&specialist),
            json!({"minutes": 10, "note": "Новость", "version": t["version"]}),
        )
        .await;
    let t = fx.act(&specialist, &t, "send_for_review").await;
    let t = fx.act(&dealer, &t, "accept").await;
    assert_eq!(t["cost_state"], "pending", "{t}");
    fx.now();

    // The function on today's date: a reminder only 7 days and 1 day before the 26th.
    let reminders = fx.function("job-cost-reminders").await;
    let report = reminders
        .invoke_event(scheduled_event(
            "dealerdesk-CostRemindersJobFunctionTick-1AB2CD3EF4GH5",
        ))
        .await;
    let (done, failed, dead) = assert_report(&report, "cost_reminders");
    assert_eq!((failed, dead), (0, 0), "{report}");
    assert!(done <= 1, "{report}");
    assert_json_logs(&reminders);

    // The same job on the quarter's two reminder days (10:00 MSK on the 19th and the 25th of
    // its last month), through proxies counted as the function's: what it does then is allowed
    // too. Each reminder goes once, whether the function or this run sent it.
    let recorded = fx.recorded_state("job-cost-reminders").await;
    let mut sent = done;
    for day in [19, 25] {
        let at = chrono::NaiveDate::from_ymd_opt(today.year(), last_month, day)
            .expect("a reminder day")
            .and_hms_opt(7, 0, 0)
            .expect("07:00 UTC")
            .and_utc();
        let report = jobs::run(&recorded, Job::CostReminders, at)
            .await
            .expect("reminders run");
        sent += report.done as u64;
    }
    assert_eq!(
        sent, 2,
        "one reminder a week before the deadline, one the day before"
    );
    fx.assert_least_privilege("job-cost-reminders");
}

/// The deployable artifacts themselves: each arm64 `target/lambda/<bin>/bootstrap` from
/// `cargo lambda build --profile lambda --arm64 -p dealerdesk-functions` answers a real event, run
/// under qemu user-mode emulation (`apt-get install qemu-user libc6-arm64-cross`). Not part of
/// the default run (the release build takes ~10 minutes); run it with
/// `cargo test -p dealerdesk-e2e -- --ignored lambda_events::`.
#[tokio::test]
#[ignore = "needs the arm64 release build and qemu-aarch64"]
async fn arm64_release_bootstraps_answer_api_gateway_events_under_qemu() {
    let root = dealerdesk_e2e::workspace_root();
    let sysroot = std::path::Path::new("/usr/aarch64-linux-gnu");
    let qemu = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("qemu-aarch64"))
        .find(|p| p.is_file())
        .expect("qemu-aarch64 on PATH: apt-get install qemu-user libc6-arm64-cross");
    assert!(
        sysroot.is_dir(),
        "{} missing: apt-get install libc6-arm64-cross",
        sysroot.display()
    );

    let fx = Fixture::start().await;
    let dealer1 = fx.token("dealer1@demo.local").await;
    let specialist = fx.token("specialist@demo.local").await;
    let ticket = fx.ticket(&dealer1).await;
    let id = ticket["id"].as_str().expect("id");
    let version = ticket["version"].as_u64().expect("version");

    let admin = fx.token("admin@demo.local").await;
    let requests: [(&str, ApiGwV2Request, u16); 8] = [
        (
            "session",
            ApiGwV2Request::new("POST", "/api/session")
                .route("POST /api/session")
                .json(&json!({"email": "dealer2@demo.local", "password": demo::DEMO_PASSWORD})),
            200,
        ),
        (
            "tickets-create",
            ApiGwV2Request::new("POST", "/api/tickets")
                .route("POST /api/tickets")
                .bearer(&dealer1)
                .json(&new_ticket("Проверка arm64")),
            201,
        ),
        (
            "tickets-read",
            ApiGwV2Request::new("GET", &format!("/api/tickets/{id}"))
                .route("GET /api/tickets/{id}")
                .bearer(&dealer1),
            200,
        ),
        (
            "cost-estimate",
            ApiGwV2Request::new("GET", "/api/estimates")
                .route("GET /api/estimates")
                .query("category", "individual_news")
                .query("criticality", "high")
                .query("text", "Разместите новость об акции")
                .bearer(&dealer1),
            204,
        ),
        (
            "tickets-actions",
            ApiGwV2Request::new("POST", &format!("/api/tickets/{id}/actions"))
                .route("POST /api/tickets/{id}/actions")
                .bearer(&specialist)
                .json(&json!({"action": "take", "version": version})),
            200,
        ),
        (
            "wishes",
            ApiGwV2Request::new("GET", "/api/wishes")
                .route("GET /api/wishes")
                .bearer(&dealer1),
            200,
        ),
        (
            "admin",
            ApiGwV2Request::new("GET", "/api/admin/calendars")
                .route("GET /api/admin/calendars")
                .bearer(&admin),
            200,
        ),
        ("portal", ApiGwV2Request::new("GET", "/login"), 200),
    ];
    let start = |bin: &'static str| {
        let bootstrap = root.join("target/lambda").join(bin).join("bootstrap");
        assert!(
            bootstrap.is_file(),
            "{} missing: run `cargo lambda build --profile lambda --arm64 -p dealerdesk-functions` first",
            bootstrap.display()
        );
        let (qemu, fx) = (qemu.clone(), &fx);
        async move {
            let env = fx.env(bin).await;
            let env: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let args = [
                std::ffi::OsStr::new("-L"),
                sysroot.as_os_str(),
                bootstrap.as_os_str(),
            ];
            LambdaProcess::start_program(bin, &qemu, &args, &env).await
        }
    };
    for (bin, request, status) in requests {
        let function = start(bin).await;
        let resp = function.invoke(&request).await;
        assert_eq!(resp.status, status, "{bin}: {:#}", resp.raw);
        assert_json_logs(&function);
    }
    for (bin, code, _) in JOB_FUNCTIONS {
        let function = start(bin).await;
        let report = function
            .invoke_event(scheduled_event(&format!("dealerdesk-{bin}-tick")))
            .await;
        assert_report(&report, code);
        assert_json_logs(&function);
    }
}

fn template() -> String {
    std::fs::read_to_string(dealerdesk_e2e::workspace_root().join("template.yaml"))
        .expect("template.yaml at the workspace root")
}

/// The properties of the function built from `target/lambda/<bin>/`: from its `CodeUri` to the
/// comment that opens the next resource.
fn template_function(template: &str, bin: &str) -> String {
    let code_uri = format!("CodeUri: target/lambda/{bin}/");
    let start = template
        .find(&code_uri)
        .unwrap_or_else(|| panic!("template.yaml has no function with `{code_uri}`"));
    let end = template[start..]
        .find("\n  # ")
        .map_or(template.len(), |e| start + e);
    template[start..end].to_owned()
}

/// The `<service>:` actions (`dynamodb`, `s3`, `ses`) template.yaml allows the function `bin`.
fn template_actions(bin: &str, service: &str) -> BTreeSet<String> {
    let function = template_function(&template(), bin);
    let prefix = format!("{service}:");
    function
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|w| w.starts_with(&prefix) && w.len() > prefix.len())
        .map(str::to_owned)
        .collect()
}

fn workspace_file(path: &str) -> String {
    let full = dealerdesk_e2e::workspace_root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The text of `fn <name>(` in `src` up to the next item at the start of a line.
fn rust_fn<'a>(src: &'a str, name: &str) -> Option<&'a str> {
    let start = [format!("\npub fn {name}("), format!("\nfn {name}(")]
        .iter()
        .find_map(|head| src.find(head.as_str()))?
        + 1;
    let end = src[start..]
        .find("\n}")
        .map_or(src.len(), |e| start + e + 2);
    Some(&src[start..end])
}

/// Identifiers in `text` and whether each is called (followed by `(`).
fn calls(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let ident = c.is_ascii_alphanumeric() || c == '_';
        match (ident, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if c == '(' {
                    out.push(&text[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// The routers a group's body mounts, with their source: the `*_routes()` functions of
/// routes.rs and the features' `<feature>::routes::<fn>()` in `crates/app/src/<feature>/routes.rs`.
fn mounted(src: &str, body: &str, out: &mut Vec<(String, String)>) {
    for routes_fn in calls(body).into_iter().filter(|c| c.ends_with("_routes")) {
        if out.iter().any(|(seen, _)| seen == routes_fn) {
            continue;
        }
        let inner = rust_fn(src, routes_fn)
            .unwrap_or_else(|| panic!("routes.rs: fn {routes_fn} not found"));
        out.push((routes_fn.to_owned(), inner.to_owned()));
        mounted(src, inner, out);
    }
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (at, _) in body.match_indices("::routes::") {
        // `wish::routes::api()` is in crates/app/src/wish/, `lead::survey::routes::callback()`
        // in crates/app/src/lead/survey/.
        let feature = body[..at]
            .rsplit(|c: char| !(ident(c) || c == ':'))
            .next()
            .unwrap_or("")
            .replace("::", "/");
        let name: String = body[at + "::routes::".len()..]
            .chars()
            .take_while(|&c| ident(c))
            .collect();
        let file = workspace_file(&format!("crates/app/src/{feature}/routes.rs"));
        let source = rust_fn(&file, &name)
            .unwrap_or_else(|| panic!("{feature}/routes.rs: fn {name} not found"));
        out.push((format!("{feature}::routes::{name}"), source.to_owned()));
    }
}

/// The router groups of `dealerdesk_app::routes` (`pub fn <group>(state: AppState) -> Router`,
/// except `all`) and the routes of each, `METHOD /path`, read from routes.rs: every
/// `.route("<path>", get(…).put(…))` of the `*_routes()` functions the group mounts.
pub(crate) fn app_route_groups() -> BTreeMap<String, BTreeSet<String>> {
    let src = workspace_file("crates/app/src/routes.rs");
    let mut groups = BTreeMap::new();
    for line in src.lines() {
        let Some(rest) = line.strip_prefix("pub fn ") else {
            continue;
        };
        let Some((group, signature)) = rest.split_once('(') else {
            continue;
        };
        if group == "all" || !signature.contains("-> Router") {
            continue;
        }
        let body = rust_fn(&src, group).expect("the group's body");
        let mut routes = BTreeSet::new();
        let mut sources = Vec::new();
        mounted(&src, body, &mut sources);
        for (routes_fn, source) in &sources {
            for piece in source.split(".route(").skip(1) {
                let path = piece
                    .split('"')
                    .nth(1)
                    .unwrap_or_else(|| panic!("{routes_fn}: a route without a path: {piece}"));
                // Up to the next `.route(` — the methods and their handlers.
                for method in calls(piece) {
                    if ["get", "post", "put", "delete", "patch", "options"].contains(&method) {
                        routes.insert(format!("{} {path}", method.to_uppercase()));
                    }
                }
            }
        }
        groups.insert(group.to_owned(), routes);
    }
    assert!(
        groups.contains_key("portal") && groups.len() >= 5,
        "routes.rs was not read right: {groups:?}"
    );
    groups
}

/// `Method: X, Path: Y` of the HttpApi events of a function's template block.
fn template_http_routes(function: &str) -> BTreeSet<String> {
    function
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once("Method: ")?;
            let (method, rest) = rest.split_once(", Path: ")?;
            let path = rest.trim_end_matches([' ', '}']).trim_matches('"');
            Some(format!("{method} {path}"))
        })
        .collect()
}

/// The SAM template builds each binary from `target/lambda/<bin>/` and routes to each HTTP
/// function exactly the `/api/...` routes of its router group in routes.rs (a new group, or a new
/// route in a group, fails here until the template and [`HTTP_FUNCTIONS`] have it); the portal
/// has `$default`. Each job function has its schedule. No function may scan the table.
#[test]
fn template_routes_every_function() {
    let template = template();
    let groups = app_route_groups();
    for group in groups.keys() {
        assert!(
            HTTP_FUNCTIONS.iter().any(|(_, g)| g == group),
            "routes::{group} is a new endpoint group: give it a function (functions/<bin>/main.rs, \
             functions/Cargo.toml, template.yaml with its routes and policies, HTTP_FUNCTIONS and \
             an event test here)"
        );
    }
    let mut routed = BTreeMap::new();
    for (bin, group) in HTTP_FUNCTIONS {
        let main = workspace_file(&format!("functions/{bin}/main.rs"));
        assert!(
            main.contains(&format!("routes::{group})")),
            "functions/{bin}/main.rs should serve routes::{group}"
        );
        let function = template_function(&template, bin);
        let app_routes: BTreeSet<String> = groups
            .get(group)
            .unwrap_or_else(|| panic!("routes.rs has no pub fn {group}"))
            .iter()
            // Every route of a function's group is routed to it; the portal's pages reach it
            // through `$default`, so only its `/api/...` routes are listed.
            .filter(|r| {
                r.split_once(' ')
                    .is_some_and(|(_, p)| bin != "portal" || p.starts_with("/api/"))
            })
            .cloned()
            .collect();
        let mut expected = Vec::new();
        for route in &app_routes {
            let (method, path) = route.split_once(' ').expect("METHOD /path");
            let quoted = if path.contains('{') {
                format!("\"{path}\"")
            } else {
                path.to_owned()
            };
            expected.push(format!("Method: {method}, Path: {quoted}"));
            if let Some(other) = routed.insert(route.clone(), bin) {
                panic!("{route} is in the groups of both {other} and {bin}");
            }
        }
        if bin == "portal" {
            expected.push("Properties: { ApiId: !Ref HttpApi }".to_owned());
        }
        for line in &expected {
            assert!(
                function.contains(line.as_str()),
                "{bin}: `{line}` missing from template.yaml (routes::{group} serves it)"
            );
        }
        // S3 only where it is used: attached files, billing documents' PDFs, the
        // suggestions' published index (a
        // blob, `kb-suggest/…`, read by the suggestions and written by whoever publishes
        // articles), and the knowledge base's site bucket for the groups that publish it.
        let publishes_site = groups[group]
            .iter()
            .any(|r| r.contains("/api/kb/articles") || r.contains("/articles/{slug}/publish"));
        let uses_blobs = publishes_site
            || groups[group].iter().any(|r| {
                r.contains("/attachments")
                    || r.contains("/api/kb/suggest")
                    || r.contains("/api/documents/{id}")
            });
        let s3 = template_actions(bin, "s3");
        assert_eq!(
            !s3.is_empty(),
            uses_blobs,
            "{bin}: S3 access ({s3:?}) only for the functions that serve attached files or documents, suggest or publish articles"
        );
        assert_eq!(
            function.contains("DEALERDESK_SITE_BUCKET: !Ref SiteBucket"),
            publishes_site,
            "{bin}: DEALERDESK_SITE_BUCKET only where the site is published"
        );
        assert_eq!(
            function.contains("DEALERDESK_BLOB_BUCKET: !Ref AttachmentsBucket"),
            uses_blobs,
            "{bin}: DEALERDESK_BLOBS=s3 and DEALERDESK_BLOB_BUCKET only where blobs are used"
        );
        let in_template = template_http_routes(&function);
        let stale: Vec<&String> = in_template.difference(&app_routes).collect();
        assert!(
            stale.is_empty(),
            "{bin}: template.yaml routes {stale:?}, which routes::{group} does not serve"
        );
        assert!(
            !template_actions(bin, "dynamodb").contains("dynamodb:Scan"),
            "{bin} must not scan the table"
        );
    }

    for job in Job::ALL {
        assert!(
            JOB_FUNCTIONS.iter().any(|(_, code, _)| *code == job.code()),
            "job {} has no Lambda function: add one (and its schedule) like the others",
            job.code()
        );
    }
    for (bin, code, schedule) in JOB_FUNCTIONS {
        let job = Job::from_code(code).unwrap_or_else(|| panic!("no job {code}"));
        let main = workspace_file(&format!("functions/{bin}/main.rs"));
        assert!(
            main.contains(&format!("const {{ Job::{job:?}.runner() }}")),
            "functions/{bin}/main.rs should run Job::{job:?}"
        );
        let function = template_function(&template, bin);
        for line in ["Type: Schedule", &format!("Schedule: {schedule}")] {
            assert!(
                function.contains(line),
                "{bin}: `{line}` missing from template.yaml"
            );
        }
        assert!(
            !function.contains("Type: HttpApi"),
            "{bin} is not reachable over HTTP"
        );
        // The bill run writes the documents' PDFs; no other job touches files.
        if bin == "job-quarterly-bills" {
            assert_eq!(
                template_actions(bin, "s3").into_iter().collect::<Vec<_>>(),
                ["s3:PutObject"],
                "{bin} only writes PDFs"
            );
        } else {
            assert!(
                template_actions(bin, "s3").is_empty(),
                "{bin} has no files to touch"
            );
        }
        assert!(
            !template_actions(bin, "dynamodb").contains("dynamodb:Scan"),
            "{bin} must not scan the table"
        );
    }

    // Every binary of the functions package is one of the above.
    let manifest = workspace_file("functions/Cargo.toml");
    // The names of the `[[bin]]` sections, but the cold-start benchmark's yardstick (never
    // deployed: it must not be in the template either).
    let mut section = "";
    let mut bins: BTreeSet<&str> = BTreeSet::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line.trim();
        } else if let Some(name) = line.strip_prefix("name = \"")
            && section == "[[bin]]"
        {
            bins.insert(name.trim_end_matches('"'));
        }
    }
    assert!(
        bins.remove("hello-lambda"),
        "the benchmark's hello-lambda bin"
    );
    assert!(
        !template.contains("target/lambda/hello-lambda/"),
        "hello-lambda is not deployed"
    );
    let covered: BTreeSet<&str> = HTTP_FUNCTIONS
        .iter()
        .map(|(bin, _)| *bin)
        .chain(JOB_FUNCTIONS.iter().map(|(bin, _, _)| *bin))
        .collect();
    assert_eq!(
        bins, covered,
        "functions/Cargo.toml bins vs. the tests here"
    );

    assert!(
        !template
            .lines()
            .any(|l| l.trim_start().starts_with("StageName:")),
        "the HTTP API must use the $default stage (no StageName)"
    );
}

/// The lead webhook as API Gateway drives it: a site's page gets a form token, a site's
/// server posts JSON with its key (and gets the same lead on a retry), a bot's browser form
/// (the hidden field filled) is answered like a lead but stored nowhere and counted, a dealer
/// types a lead in, an unknown key is 401 — all within the function's least-privilege policy
/// (reads, one create transaction, the post and spam counters).
///
/// The function runs on the real clock, so the spam it is shown must not depend on how long
/// the steps before it took: a form «too fast» after its token stops being too fast once a
/// loaded machine has spent 3 s on the posts in between (it was then taken as a lead and
/// `spam_total` read 0). The honeypot is spam at any pace; the 3-second rule is proved on the
/// injected clock (`lead_intake::spam_looks_accepted_but_is_never_stored_and_the_admin_sees_it_counted`).
#[tokio::test]
async fn lead_webhook_function_takes_leads_from_sites_and_dealers() {
    use dealerdesk_store::LeadRepo as _;
    let fx = Fixture::start().await;
    let dealer = fx.token("dealer1@demo.local").await;
    let webhook = fx.function("lead-webhook").await;

    let resp = webhook
        .invoke(
            &ApiGwV2Request::new("GET", "/api/leads/form-token")
                .route("GET /api/leads/form-token")
                .query("site", "site-dealer-1")
                .header("origin", "http://127.0.0.1:8081"),
        )
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert_eq!(
        resp.header("access-control-allow-origin"),
        Some("http://127.0.0.1:8081")
    );
    let token = resp.json()["token"].as_str().expect("token").to_owned();

    let lead = json!({"type": "preorder", "name": "Иван", "phone": "8 (912) 345-67-89",
        "email": "ivan.lambda@example.ru", "model": "X-Trail", "consent": true});
    let post = ApiGwV2Request::new("POST", "/api/leads")
        .route("POST /api/leads")
        .source_ip("203.0.113.7")
        .header("x-site-key", "demo-site-1")
        .json(&lead);
    let resp = webhook.invoke(&post).await;
    assert_eq!(resp.status, 201, "{:#}", resp.raw);
    let created = resp.json();
    assert_eq!(created["dealer_id"], "dealer-1", "{created}");
    assert_eq!(created["observer_id"], "user-rep", "{created}");
    let resp = webhook.invoke(&post).await;
    assert_eq!(resp.status, 201, "{:#}", resp.raw);
    assert_eq!(
        resp.json()["id"],
        created["id"],
        "a retry is the first lead"
    );
    let stored = fx
        .state
        .store
        .lead(&dealerdesk_domain::lead::LeadId::new(
            created["id"].as_str().expect("id"),
        ))
        .await
        .expect("store")
        .expect("the lead is stored");
    assert_eq!(
        stored.consent().and_then(|c| c.address.as_deref()),
        Some("203.0.113.7"),
        "the consent keeps the gateway's source address"
    );

    // A bot's browser form, the hidden field filled: spam, answered like a lead.
    let resp = webhook
        .invoke(
            &ApiGwV2Request::new("POST", "/api/leads")
                .route("POST /api/leads")
                .header("origin", "http://127.0.0.1:8081")
                .form(&[
                    ("site", "site-dealer-1"),
                    ("type", "callback"),
                    ("name", "Бот"),
                    ("phone", "+7 912 000 00 01"),
                    ("consent", "on"),
                    ("website", "http://spam.example"),
                    ("form_token", &token),
                ]),
        )
        .await;
    assert_eq!(resp.status, 200, "{:#}", resp.raw);
    assert!(resp.body.contains("Спасибо за заявку!"), "{:#}", resp.raw);

    let typed = ApiGwV2Request::new("POST", "/api/leads")
        .route("POST /api/leads")
        .bearer(&dealer)
        .json(
            &json!({"type": "service", "name": "Звонок", "phone": "+7 912 000 00 02",
            "source": "phone", "consent": true}),
        );
    let resp = webhook.invoke(&typed).await;
    assert_eq!(resp.status, 201, "{:#}", resp.raw);
    assert_eq!(resp.json()["dealer_id"], "dealer-1");

    let unknown = ApiGwV2Request::new("POST", "/api/leads")
        .route("POST /api/leads")
        .header("x-site-key", "no-such-key")
        .json(&lead);
    assert_json_error(&webhook.invoke(&unknown).await, 401);

    let admin = fx.token("admin@demo.local").await;
    let sites = fx
        .call(
            routes::admin_calendars(fx.state.clone()),
            "GET",
            "/api/admin/sites",
            Some(&admin),
            Value::Null,
        )
        .await;
    let site = sites["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["id"] == "site-dealer-1")
        .cloned()
        .expect("the demo site");
    assert_eq!(site["spam_total"], 1, "{site}");
    assert_eq!(site["spam"][0]["reason"], "honeypot", "{site}");

    assert_json_logs(&webhook);
    fx.assert_least_privilege("lead-webhook");
}

/// The admin function issues and rotates a site's key: the old key's claim is deleted in the
/// same transaction, which its policy allows.
#[tokio::test]
async fn admin_function_issues_and_rotates_a_sites_key() {
    let fx = Fixture::start().await;
    let admin = fx.token("admin@demo.local").await;
    let function = fx.function("admin").await;
    let issued = lambda_api(
        &function,
        &admin,
        "POST /api/admin/sites",
        "/api/admin/sites",
        json!({"name": "Сайт", "dealer_id": "dealer-2", "origins": ["https://yug.example"],
            "consent_version": "v1"}),
        201,
    )
    .await;
    let id = issued["site"]["id"].as_str().expect("id").to_owned();
    let rotated = lambda_api(
        &function,
        &admin,
        "POST /api/admin/sites/{id}/rotate",
        &format!("/api/admin/sites/{id}/rotate"),
        json!({"version": 1}),
        200,
    )
    .await;
    assert_ne!(rotated["secret_key"], issued["secret_key"]);
    let list = lambda_api(
        &function,
        &admin,
        "GET /api/admin/sites",
        "/api/admin/sites",
        Value::Null,
        200,
    )
    .await;
    assert!(list.to_string().contains(&id), "{list}");
    assert_json_logs(&function);
    fx.assert_least_privilege("admin");
}
