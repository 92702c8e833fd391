//! The whole product in-process on an ephemeral port, over an in-memory dynoxide: the same
//! routers, use cases and storage code as `dealerdesk serve`.

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
    /// Starts engine, table, demo data and every route.
    pub async fn start() -> TestServer {
        let engine = EmbeddedEngine::start(None).await.expect("embedded engine starts");
        let config = StoreConfig {
            table: "dealerdesk-test".into(),
            region: "eu-central-1".into(),
            endpoint: Some(engine.endpoint.clone()),
        };
        let store = Store::connect(&config).await.expect("store connects");
        store.ensure_table().await.expect("table is created");
        let state = AppState::new(store, Clock::system(), Settings::default());
        demo::seed(&state, state.clock.now()).await.expect("demo data");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let app = routes::all(state.clone());
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

    /// An API client logged in as a demo user.
    pub async fn login(&self, email: &str) -> Api {
        let api = Api {
            base: self.base.clone(),
            http: reqwest::Client::new(),
            token: None,
        };
        let (status, body) = api
            .send("POST", "/api/session", Some(json!({"email": email, "password": demo::DEMO_PASSWORD})))
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
        self.send_raw(method, path, body.map(|b| b.to_string()), &[]).await
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
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body expected, got: {text}"))
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
    pub async fn act(&self, ticket: &Value, action: &str, comment: Option<&str>) -> (StatusCode, Value) {
        let id = ticket["id"].as_str().expect("id");
        let mut body = json!({"action": action, "version": ticket["version"]});
        if let Some(c) = comment {
            body["comment"] = json!(c);
        }
        self.send("POST", &format!("/api/tickets/{id}/actions"), Some(body)).await
    }
}
