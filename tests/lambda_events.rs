//! Every Lambda function, driven the way AWS drives it: the real built binary
//! (`target/<profile>/<bin>`, from `cargo build --workspace --bins`) runs against a fake Lambda
//! Runtime API, receives API Gateway HTTP API (payload 2.0) events and posts back responses.
//! Storage is dynoxide in-process (in memory), with the table and demo data created through the
//! app's own code; the functions reach it through `DEALERDESK_DYNAMODB_ENDPOINT`.

use axum::body::Body;
use axum::http::Request;
use dealerdesk_app::mail::Mailer;
use dealerdesk_app::{AppState, Clock, Settings, demo, routes};
use dealerdesk_cli::EmbeddedEngine;
use dealerdesk_e2e::dynamo_proxy::RecordingProxy;
use dealerdesk_e2e::lambda_runtime::{ApiGwV2Request, LambdaHttpResponse, LambdaProcess};
use dealerdesk_store::{Store, StoreConfig};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tower::ServiceExt as _;

/// The five function binaries and the routes the SAM template gives each.
const FUNCTIONS: [(&str, &[&str]); 5] = [
    ("session", &["POST /api/session", "DELETE /api/session"]),
    ("tickets-create", &["POST /api/tickets"]),
    (
        "tickets-read",
        &["GET /api/tickets", "GET /api/tickets/{id}"],
    ),
    ("tickets-actions", &["POST /api/tickets/{id}/actions"]),
    ("portal", &["$default"]),
];

/// dynoxide with a fresh table and the demo data, plus the app in-process to prepare state.
/// Functions reach dynoxide through a recording proxy, so each test can check that the template
/// allows the function every DynamoDB action it used.
struct Fixture {
    _engine: EmbeddedEngine,
    proxy: RecordingProxy,
    table: String,
    state: AppState,
}

impl Fixture {
    async fn start() -> Fixture {
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
        let state = AppState::new(
            store,
            Clock::system(),
            Settings::default(),
            Mailer::Mailbox(mailbox),
        );
        demo::seed(&state, state.clock.now())
            .await
            .expect("demo data");
        let proxy = RecordingProxy::start(&engine.endpoint).await;
        Fixture {
            _engine: engine,
            proxy,
            table,
            state,
        }
    }

    /// The environment the SAM template gives every function, pointed at the local engine.
    fn env(&self) -> [(&str, &str); 3] {
        [
            ("DEALERDESK_TABLE", &self.table),
            ("DEALERDESK_DYNAMODB_ENDPOINT", &self.proxy.endpoint),
            ("DEALERDESK_COOKIE_SECURE", "true"),
        ]
    }

    /// Starts a function binary (`target/<profile>/<bin>`) with that environment.
    async fn function(&self, bin: &str) -> LambdaProcess {
        LambdaProcess::start(bin, &self.env()).await
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

    /// Every DynamoDB action the functions used is allowed to `bin` by template.yaml
    /// (the policies are least-privilege, so a new store call must come with a policy change).
    fn assert_least_privilege(&self, bin: &str) {
        let used = self.proxy.iam_actions();
        assert!(
            !used.is_empty(),
            "{bin} made no DynamoDB calls through the proxy"
        );
        let allowed = template_dynamodb_actions(bin);
        let missing: Vec<&String> = used.difference(&allowed).collect();
        assert!(
            missing.is_empty(),
            "template.yaml does not allow {bin} {missing:?} (it allows {allowed:?}; calls: {:?})",
            self.proxy.calls()
        );
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

    let logout = ApiGwV2Request::new("DELETE", "/api/session")
        .route("DELETE /api/session")
        .bearer(&token);
    let resp = session.invoke(&logout).await;
    assert_eq!(resp.status, 204, "{:#}", resp.raw);

    assert_json_logs(&session);
    fx.assert_least_privilege("session");
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

/// The deployable artifacts themselves: each arm64 `target/lambda/<bin>/bootstrap` from
/// `cargo lambda build --release --arm64 -p dealerdesk-functions` answers a real event, run
/// under qemu user-mode emulation (`apt-get install qemu-user libc6-arm64-cross`). Not part of
/// the default run (the release build takes ~10 minutes); run it with
/// `cargo test --test lambda_events -- --ignored`.
#[tokio::test]
#[ignore = "needs the arm64 release build and qemu-aarch64"]
async fn arm64_release_bootstraps_answer_api_gateway_events_under_qemu() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
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

    let requests: [(&str, ApiGwV2Request, u16); 5] = [
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
            "tickets-actions",
            ApiGwV2Request::new("POST", &format!("/api/tickets/{id}/actions"))
                .route("POST /api/tickets/{id}/actions")
                .bearer(&specialist)
                .json(&json!({"action": "take", "version": version})),
            200,
        ),
        ("portal", ApiGwV2Request::new("GET", "/login"), 200),
    ];
    for (bin, request, status) in requests {
        let bootstrap = root.join("target/lambda").join(bin).join("bootstrap");
        assert!(
            bootstrap.is_file(),
            "{} missing: run `cargo lambda build --release --arm64 -p dealerdesk-functions` first",
            bootstrap.display()
        );
        let args = [
            std::ffi::OsStr::new("-L"),
            sysroot.as_os_str(),
            bootstrap.as_os_str(),
        ];
        let function = LambdaProcess::start_program(bin, &qemu, &args, &fx.env()).await;
        let resp = function.invoke(&request).await;
        assert_eq!(resp.status, status, "{bin}: {:#}", resp.raw);
        assert_json_logs(&function);
    }
}

fn template() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/template.yaml"))
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

/// The `dynamodb:` actions template.yaml allows the function `bin`.
fn template_dynamodb_actions(bin: &str) -> BTreeSet<String> {
    let function = template_function(&template(), bin);
    function
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|w| w.starts_with("dynamodb:"))
        .map(str::to_owned)
        .collect()
}

/// The SAM template builds each binary from `target/lambda/<bin>/` and routes to it exactly the
/// routes exercised above.
#[test]
fn template_routes_every_function() {
    let template = template();
    for (bin, routes) in FUNCTIONS {
        let function = template_function(&template, bin);
        for route in routes {
            let expected = match route.split_once(' ') {
                None => "Properties: { ApiId: !Ref HttpApi }".to_owned(),
                Some((method, path)) => {
                    let quoted = if path.contains('{') {
                        format!("\"{path}\"")
                    } else {
                        path.to_owned()
                    };
                    format!("Method: {method}, Path: {quoted}")
                }
            };
            assert!(
                function.contains(&expected),
                "{bin}: route {route} (`{expected}`) missing from template.yaml"
            );
        }
        assert!(
            !template_dynamodb_actions(bin).contains("dynamodb:Scan"),
            "{bin} must not scan the table"
        );
    }
    assert!(
        !template
            .lines()
            .any(|l| l.trim_start().starts_with("StageName:")),
        "the HTTP API must use the $default stage (no StageName)"
    );
}
