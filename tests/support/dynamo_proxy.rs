//! A recording proxy in front of a local DynamoDB-compatible engine.
//!
//! A function under test is pointed at the proxy instead of the engine; the proxy forwards every
//! request unchanged and notes which DynamoDB operation it was. [`RecordingProxy::iam_actions`]
//! turns the calls into the IAM actions they need in AWS (a `TransactWriteItems` needs the
//! per-item actions `PutItem`/`UpdateItem`/`DeleteItem`/`ConditionCheckItem`, not an action of
//! its own), so a test can check the SAM template's least-privilege policy against what the
//! code really does, instead of finding out from an `AccessDeniedException` in AWS.

use axum::{
    Router,
    body::Bytes,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};
use tokio::sync::oneshot;

/// One DynamoDB API call that went through the proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamoCall {
    /// The API operation, e.g. `Query` or `TransactWriteItems` (from `X-Amz-Target`).
    pub operation: String,
    /// The IAM actions it needs, e.g. `dynamodb:PutItem`.
    pub actions: Vec<String>,
    /// `IndexName` of a `Query`/`Scan`, if any.
    pub index: Option<String>,
}

/// Forwards DynamoDB JSON-protocol requests to `upstream` and records them. Stops when dropped.
pub struct RecordingProxy {
    /// `http://127.0.0.1:<port>`: give this to the code under test as its endpoint.
    pub endpoint: String,
    calls: Arc<Mutex<Vec<DynamoCall>>>,
    _stop: oneshot::Sender<()>,
}

impl RecordingProxy {
    pub async fn start(upstream: &str) -> RecordingProxy {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        let calls = Arc::new(Mutex::new(Vec::new()));
        let upstream = upstream.trim_end_matches('/').to_owned();
        let recorded = calls.clone();
        let app = Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let client = client.clone();
            let upstream = upstream.clone();
            let recorded = recorded.clone();
            async move { forward(&client, &upstream, &recorded, headers, body).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the DynamoDB proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        RecordingProxy {
            endpoint,
            calls,
            _stop: stop,
        }
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<DynamoCall> {
        self.calls.lock().expect("proxy lock").clone()
    }

    /// The IAM actions (`dynamodb:…`) the calls so far need.
    pub fn iam_actions(&self) -> BTreeSet<String> {
        self.calls().into_iter().flat_map(|c| c.actions).collect()
    }
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    recorded: &Mutex<Vec<DynamoCall>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    recorded.lock().expect("proxy lock").push(DynamoCall {
        actions: iam_actions(&operation, &parsed),
        index: parsed["IndexName"].as_str().map(str::to_owned),
        operation,
    });

    let mut request = client.post(upstream).body(body);
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "connection" | "transfer-encoding"
        ) {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream_response = match request.send().await {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("proxy: {e}")).into_response(),
    };
    let status = StatusCode::from_u16(upstream_response.status().as_u16())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let mut out_headers = HeaderMap::new();
    for (name, value) in upstream_response.headers() {
        if matches!(
            name.as_str(),
            "content-length" | "connection" | "transfer-encoding"
        ) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (
            axum::http::HeaderName::from_bytes(name.as_str().as_bytes()),
            axum::http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            out_headers.append(n, v);
        }
    }
    let bytes = upstream_response.bytes().await.unwrap_or_default();
    (status, out_headers, bytes).into_response()
}

/// The IAM actions one API call needs (see "Using IAM with DynamoDB transactions").
fn iam_actions(operation: &str, body: &Value) -> Vec<String> {
    let per_item = |items: &Value, kinds: &[(&str, &str)]| -> Vec<String> {
        items
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|item| {
                kinds
                    .iter()
                    .filter(|(kind, _)| item.get(*kind).is_some())
                    .map(|(_, action)| format!("dynamodb:{action}"))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    match operation {
        "TransactWriteItems" => per_item(
            &body["TransactItems"],
            &[
                ("Put", "PutItem"),
                ("Update", "UpdateItem"),
                ("Delete", "DeleteItem"),
                ("ConditionCheck", "ConditionCheckItem"),
            ],
        ),
        "TransactGetItems" => per_item(&body["TransactItems"], &[("Get", "GetItem")]),
        other => vec![format!("dynamodb:{other}")],
    }
}
