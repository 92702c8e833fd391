//! Recording proxies in front of local stand-ins for the AWS services the functions call.
//!
//! A function under test is pointed at a proxy instead of the engine; the proxy forwards every
//! request unchanged and notes which API operation it was. [`RecordingProxy::iam_actions`]
//! turns the calls into the IAM actions they need in AWS, so a test can check the SAM template's
//! least-privilege policy against what the code really does, instead of finding out from an
//! `AccessDeniedException` in AWS.
//!
//! - DynamoDB ([`RecordingProxy::start`], in front of dynoxide): a `TransactWriteItems` needs the
//!   per-item actions `PutItem`/`UpdateItem`/`DeleteItem`/`ConditionCheckItem`, not an action of
//!   its own.
//! - S3 ([`RecordingProxy::start_s3`], in front of [`Moto`]): path-style object requests
//!   (`GET`/`HEAD` → `s3:GetObject`, `PUT` → `s3:PutObject`, …). A function reaches it through
//!   `AWS_ENDPOINT_URL_S3` (an IP-address endpoint makes the SDK use path-style addressing).

use axum::{
    Router,
    body::Bytes,
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use serde_json::Value;
use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
};
use tokio::sync::oneshot;

/// One API call that went through a proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DynamoCall {
    /// The API operation, e.g. `Query` or `TransactWriteItems` (from `X-Amz-Target`), or
    /// `GetObject` for S3.
    pub operation: String,
    /// The IAM actions it needs, e.g. `dynamodb:PutItem`, `s3:GetObject`.
    pub actions: Vec<String>,
    /// `IndexName` of a DynamoDB `Query`/`Scan`; the object key of an S3 call.
    pub index: Option<String>,
}

/// Which service a proxy speaks.
#[derive(Clone, Copy, Debug)]
enum Service {
    DynamoDb,
    S3,
}

/// Forwards requests to `upstream` and records them. Stops when dropped.
pub struct RecordingProxy {
    /// `http://127.0.0.1:<port>`: give this to the code under test as its endpoint.
    pub endpoint: String,
    calls: Arc<Mutex<Vec<DynamoCall>>>,
    _stop: oneshot::Sender<()>,
}

impl RecordingProxy {
    /// A DynamoDB (JSON protocol) proxy.
    pub async fn start(upstream: &str) -> RecordingProxy {
        Self::start_for(Service::DynamoDb, upstream).await
    }

    /// An S3 (REST, path-style) proxy.
    pub async fn start_s3(upstream: &str) -> RecordingProxy {
        Self::start_for(Service::S3, upstream).await
    }

    async fn start_for(service: Service, upstream: &str) -> RecordingProxy {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        let calls = Arc::new(Mutex::new(Vec::new()));
        let upstream = upstream.trim_end_matches('/').to_owned();
        let recorded = calls.clone();
        let app = Router::new()
            .fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let client = client.clone();
                    let upstream = upstream.clone();
                    let recorded = recorded.clone();
                    async move {
                        let call = match service {
                            Service::DynamoDb => dynamodb_call(&headers, &body),
                            Service::S3 => s3_call(&method, &uri, &headers),
                        };
                        recorded.lock().expect("proxy lock").push(call);
                        forward(&client, &upstream, method, &uri, headers, body).await
                    }
                },
            )
            // Files of several MB go through to S3 (axum's default limit is 2 MB).
            .layer(axum::extract::DefaultBodyLimit::disable());
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

fn dynamodb_call(headers: &HeaderMap, body: &Bytes) -> DynamoCall {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    DynamoCall {
        actions: iam_actions(&operation, &parsed),
        index: parsed["IndexName"].as_str().map(str::to_owned),
        operation,
    }
}

/// The S3 operation of a path-style request (`/<bucket>[/<key>]`) and the IAM actions it needs
/// (see "Amazon S3 actions" in the S3 user guide: `HeadObject` is authorised by `s3:GetObject`,
/// the parts of a multipart upload by `s3:PutObject`).
fn s3_call(method: &Method, uri: &Uri, headers: &HeaderMap) -> DynamoCall {
    let path = uri.path().trim_start_matches('/');
    let (_bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let query = uri.query().unwrap_or_default();
    let has = |name: &str| {
        query
            .split('&')
            .any(|p| p == name || p.starts_with(&format!("{name}=")))
    };
    let (operation, actions): (&str, &[&str]) = match (method.as_str(), key.is_empty()) {
        ("GET", false) => ("GetObject", &["s3:GetObject"]),
        ("HEAD", false) => ("HeadObject", &["s3:GetObject"]),
        ("PUT", false) if headers.contains_key("x-amz-copy-source") => {
            ("CopyObject", &["s3:GetObject", "s3:PutObject"])
        }
        ("PUT", false) if has("partNumber") => ("UploadPart", &["s3:PutObject"]),
        ("PUT", false) => ("PutObject", &["s3:PutObject"]),
        ("POST", false) if has("uploads") => ("CreateMultipartUpload", &["s3:PutObject"]),
        ("POST", false) if has("uploadId") => ("CompleteMultipartUpload", &["s3:PutObject"]),
        ("DELETE", false) if has("uploadId") => {
            ("AbortMultipartUpload", &["s3:AbortMultipartUpload"])
        }
        ("DELETE", false) => ("DeleteObject", &["s3:DeleteObject"]),
        ("POST", true) if has("delete") => ("DeleteObjects", &["s3:DeleteObject"]),
        ("GET", true) | ("HEAD", true) => ("ListObjects", &["s3:ListBucket"]),
        ("PUT", true) => ("CreateBucket", &["s3:CreateBucket"]),
        (other, _) => (other, &["s3:Unknown"]),
    };
    DynamoCall {
        operation: operation.to_owned(),
        actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        index: (!key.is_empty()).then(|| key.to_owned()),
    }
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let method =
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = client
        .request(method, format!("{upstream}{path}"))
        .body(body);
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

/// `moto_server` (PyPI `moto[server]`; `MOTO_SERVER` overrides the command) on a free loopback
/// port, as the S3 the functions store attached files in. Killed when dropped.
pub struct Moto {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    child: std::process::Child,
}

impl Moto {
    pub async fn start() -> Moto {
        let command = std::env::var("MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(&command)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run {command}: {e}; install it with `pip install 'moto[server]'`")
            });
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        };
        let started = std::time::Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "moto did not start on port {port}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        moto
    }

    /// Creates a bucket in `region` (moto does not check signatures, so a plain request does).
    pub async fn create_bucket(&self, bucket: &str, region: &str) {
        let body = format!(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
        );
        let resp = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client")
            .put(format!("{}/{bucket}", self.endpoint))
            .body(body)
            .send()
            .await
            .expect("moto answers");
        assert!(
            resp.status().is_success(),
            "create bucket {bucket}: {}",
            resp.status()
        );
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
