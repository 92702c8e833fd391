//! Run a real function binary the way AWS Lambda runs it, and talk to it in API Gateway v2 events.
//!
//! [`LambdaProcess::start`] serves a fake [Lambda Runtime API] on `127.0.0.1:<ephemeral>`, starts the
//! built binary (`target/<profile>/<bin>`) with the environment Lambda gives a `provided.al2023`
//! function (`AWS_LAMBDA_RUNTIME_API`, function name, memory, version, log group/stream, region,
//! credentials) plus the caller's variables, and [`LambdaProcess::invoke`] hands it one event
//! through `GET /2018-06-01/runtime/invocation/next` and waits for the function's
//! `POST …/invocation/<id>/response` (or `/error`). [`ApiGwV2Request`] builds the JSON that an
//! HTTP API (payload format 2.0, `$default` stage) sends; [`LambdaHttpResponse`] reads the JSON the
//! function answers with. [`scheduled_event`] is what an EventBridge schedule sends a job
//! function; [`LambdaProcess::invoke_event`] hands any such event over.
//!
//! The child is killed when the [`LambdaProcess`] is dropped; its stdout/stderr are kept and shown
//! when an invocation fails, so a failing test says what the function logged.
//!
//! [`LambdaProcess::init_duration`] is the function's init as Lambda bills it: from the spawn to
//! its first `GET …/invocation/next`. [`ConnectionSink`] is a port that counts the connections
//! made to it, for proving that init calls no network.
//!
//! [Lambda Runtime API]: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::{
    collections::{BTreeMap, HashMap},
    path::PathBuf,
    process::{ExitStatus, Stdio},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
    sync::{mpsc, oneshot, watch},
};

/// Account id used in ARNs and request contexts of the fake events.
pub const ACCOUNT_ID: &str = "123456789012";
/// Region the fake function "runs" in.
pub const REGION: &str = "eu-central-1";
/// How long one invocation may take before the test gives up (a debug build on a busy machine).
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);
/// Lambda's limit on a synchronous invocation's event and on its response, each (6 MB): API
/// Gateway cannot hand a bigger request to a function, nor return a bigger answer. A body that
/// API Gateway base64-encodes (any binary type) grows by a third on the way.
pub const MAX_SYNC_PAYLOAD: usize = 6 * 1024 * 1024;

/// Where `cargo build --bins` put the function binary `bin`: next to the test executable's
/// `deps/` directory (`target/<profile>/<bin>`). Panics with the command to run if it is missing.
pub fn function_binary(bin: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    // target/<profile>/deps/<test>-<hash>  →  target/<profile>/<bin>
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable lives in target/<profile>/deps");
    let path = profile_dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
    if !path.is_file() {
        panic!(
            "function binary {} is missing: run `cargo build --workspace --bins` first",
            path.display()
        );
    }
    path
}

// ------------------------------------------------------------------------------------------------
// The fake Runtime API

/// What the function posted back for one invocation.
#[derive(Debug)]
enum Outcome {
    Response(Bytes),
    Error(Bytes),
}

struct Queued {
    request_id: String,
    event: Value,
    reply: oneshot::Sender<Outcome>,
}

struct Runtime {
    function_arn: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>,
    waiting: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: watch::Sender<Option<String>>,
    /// When the function first asked for an event: the end of its init.
    first_next: watch::Sender<Option<Instant>>,
}

async fn next_invocation(State(rt): State<Arc<Runtime>>) -> Response {
    rt.first_next.send_if_modified(|first| {
        let unset = first.is_none();
        if unset {
            *first = Some(Instant::now());
        }
        unset
    });
    // Long poll, like the real API: the function blocks here until there is an event.
    let queued = rt.queue.lock().await.recv().await;
    let Some(Queued {
        request_id,
        event,
        reply,
    }) = queued
    else {
        return StatusCode::GONE.into_response();
    };
    rt.waiting
        .lock()
        .expect("runtime map lock")
        .insert(request_id.clone(), reply);
    let deadline = epoch_millis() + INVOKE_TIMEOUT.as_millis() as u64;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(
            name,
            HeaderValue::from_str(&value).expect("ascii header value"),
        );
    };
    set("content-type", "application/json".into());
    set("lambda-runtime-aws-request-id", request_id.clone());
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        rt.function_arn.clone(),
    );
    set(
        "lambda-runtime-trace-id",
        format!(
            "Root=1-{:08x}-{};Parent={};Sampled=0;Lineage=1:{}:0",
            epoch_millis() / 1000,
            &hex_id(24),
            &hex_id(16),
            &hex_id(8)
        ),
    );
    (StatusCode::OK, headers, event.to_string()).into_response()
}

async fn post_response(
    State(rt): State<Arc<Runtime>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    deliver(&rt, &id, Outcome::Response(body))
}

async fn post_error(
    State(rt): State<Arc<Runtime>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    deliver(&rt, &id, Outcome::Error(body))
}

async fn post_init_error(State(rt): State<Arc<Runtime>>, body: Bytes) -> StatusCode {
    let _ = rt
        .init_error
        .send(Some(String::from_utf8_lossy(&body).into_owned()));
    StatusCode::ACCEPTED
}

fn deliver(rt: &Runtime, id: &str, outcome: Outcome) -> StatusCode {
    let waiting = rt.waiting.lock().expect("runtime map lock").remove(id);
    match waiting {
        Some(reply) => {
            let _ = reply.send(outcome);
            StatusCode::ACCEPTED
        }
        // The real API answers 400 to an unknown or already answered request id.
        None => StatusCode::BAD_REQUEST,
    }
}

// ------------------------------------------------------------------------------------------------
// The function process

/// A function binary running against the fake Runtime API. Dropping it kills the process.
pub struct LambdaProcess {
    name: String,
    queue: mpsc::UnboundedSender<Queued>,
    exited: watch::Receiver<Option<ExitStatus>>,
    init_error: watch::Receiver<Option<String>>,
    first_next: watch::Receiver<Option<Instant>>,
    /// Just before the process was spawned.
    spawned_at: Instant,
    logs: Arc<Mutex<Vec<String>>>,
    request_ids: Mutex<Vec<String>>,
    _kill: oneshot::Sender<()>,
}

impl LambdaProcess {
    /// Starts `target/<profile>/<bin>` as a Lambda function named `bin`, with the standard Lambda
    /// environment plus `env` (which wins over the defaults).
    pub async fn start(bin: &str, env: &[(&str, &str)]) -> Self {
        Self::start_program(bin, &function_binary(bin), &[], env).await
    }

    /// Like [`start`](Self::start) for any program, e.g. `qemu-aarch64` with the arm64
    /// `target/lambda/<bin>/bootstrap` as its argument.
    pub async fn start_program(
        bin: &str,
        program: &std::path::Path,
        args: &[&std::ffi::OsStr],
        env: &[(&str, &str)],
    ) -> Self {
        let binary = program.to_path_buf();
        let (queue_tx, queue_rx) = mpsc::unbounded_channel();
        let (init_tx, init_rx) = watch::channel(None);
        let (first_next_tx, first_next_rx) = watch::channel(None);
        let runtime = Arc::new(Runtime {
            function_arn: format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{bin}"),
            queue: tokio::sync::Mutex::new(queue_rx),
            waiting: Mutex::new(HashMap::new()),
            init_error: init_tx,
            first_next: first_next_tx,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(post_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(post_error),
            )
            .route("/2018-06-01/runtime/init/error", post(post_init_error))
            // Responses up to Lambda's limit and beyond (checked against MAX_SYNC_PAYLOAD
            // after, with a clearer message); axum's default would refuse more than 2 MB.
            .layer(axum::extract::DefaultBodyLimit::disable())
            .with_state(runtime);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Runtime API");
        let api = listener.local_addr().expect("local addr").to_string();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });

        let mut vars: BTreeMap<String, String> = [
            ("AWS_LAMBDA_RUNTIME_API", api.as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", bin),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
            ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023"),
            ("AWS_REGION", REGION),
            ("AWS_DEFAULT_REGION", REGION),
            // Lambda hands every function its role's temporary credentials this way.
            ("AWS_ACCESS_KEY_ID", "ASIAFAKEFAKEFAKEFAKE"),
            ("AWS_SECRET_ACCESS_KEY", "fake-secret-access-key"),
            ("AWS_SESSION_TOKEN", "fake-session-token"),
            ("_HANDLER", "bootstrap"),
            // The template's SigningKey parameter: a function refuses to start without one.
            (
                "DEALERDESK_SIGNING_KEY",
                "lambda-test-signing-key-0123456789abcdef",
            ),
            ("LANG", "en_US.UTF-8"),
            ("TZ", ":UTC"),
            ("RUST_LOG", "info"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.insert(
            "AWS_LAMBDA_LOG_GROUP_NAME".into(),
            format!("/aws/lambda/{bin}"),
        );
        vars.insert(
            "AWS_LAMBDA_LOG_STREAM_NAME".into(),
            format!("2026/01/01/[$LATEST]{}", hex_id(32)),
        );
        for (k, v) in env {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }

        // A clean environment, as in Lambda: nothing leaks in from the developer's shell.
        let spawned_at = Instant::now();
        let mut child = Command::new(&binary)
            .args(args)
            .env_clear()
            .envs(&vars)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));

        let logs = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            tokio::spawn(collect_lines(out, logs.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(collect_lines(err, logs.clone()));
        }
        let (exit_tx, exit_rx) = watch::channel(None);
        let (kill_tx, kill_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            tokio::select! {
                status = child.wait() => { let _ = exit_tx.send(status.ok()); }
                // Sender dropped (or sent): the test is done with the function.
                _ = kill_rx => { let _ = child.kill().await; }
            }
        });

        Self {
            name: bin.to_owned(),
            queue: queue_tx,
            exited: exit_rx,
            init_error: init_rx,
            first_next: first_next_rx,
            spawned_at,
            logs,
            request_ids: Mutex::new(Vec::new()),
            _kill: kill_tx,
        }
    }

    /// The function's init: from the spawn to its first `GET …/invocation/next`, waiting for
    /// it if need be. Panics (with the function's logs) if the function exits, reports an init
    /// error or takes longer than [`INVOKE_TIMEOUT`] instead.
    pub async fn init_duration(&self) -> Duration {
        let mut first_next = self.first_next.clone();
        let mut exited = self.exited.clone();
        let mut init_error = self.init_error.clone();
        let ready = tokio::select! {
            first = first_next.wait_for(|t| t.is_some()) => first.ok().and_then(|t| *t),
            _ = exited.wait_for(|s| s.is_some()) => None,
            _ = init_error.wait_for(|e| e.is_some()) => None,
            _ = tokio::time::sleep(INVOKE_TIMEOUT) => None,
        };
        match ready {
            Some(at) => at.duration_since(self.spawned_at),
            None => self.no_response(),
        }
    }

    /// Time since the process was spawned (after an [`invoke`](Self::invoke): the cold
    /// start's first answer).
    pub fn since_spawn(&self) -> Duration {
        self.spawned_at.elapsed()
    }

    /// Sends one HTTP API event and returns the function's HTTP response.
    /// Panics (with the function's logs) if the function reports an error, exits or times out.
    pub async fn invoke(&self, request: &ApiGwV2Request) -> LambdaHttpResponse {
        let request_id = uuid_like();
        let event = request.to_event(&request_id);
        let raw = self.invoke_raw(&request_id, event).await;
        LambdaHttpResponse::parse(&raw).unwrap_or_else(|e| {
            panic!(
                "{}: response is not an HTTP API v2 response ({e}): {raw}\n{}",
                self.name,
                self.logs_text()
            )
        })
    }

    /// Sends an EventBridge event (e.g. [`scheduled_event`]) and returns the function's result
    /// JSON. Panics (with the function's logs) if the function reports an error, exits or times
    /// out.
    pub async fn invoke_event(&self, event: Value) -> Value {
        self.invoke_raw(&uuid_like(), event).await
    }

    /// Sends an event and returns what the function posted: `Ok` with its result JSON, or `Err`
    /// with the error document of `POST …/invocation/<id>/error` (`errorType`, `errorMessage`)
    /// — what Lambda records as a failed invocation and retries for an asynchronous one.
    /// Panics (with the function's logs) if the function exits or times out instead.
    pub async fn invoke_event_result(&self, event: Value) -> Result<Value, Value> {
        let request_id = uuid_like();
        match self.outcome(&request_id, event).await {
            Some(Outcome::Response(body)) => Ok(self.parse_json(&body)),
            Some(Outcome::Error(body)) => Err(self.parse_json(&body)),
            None => self.no_response(),
        }
    }

    /// Sends any event JSON and returns the raw response JSON the function posted.
    pub async fn invoke_raw(&self, request_id: &str, event: Value) -> Value {
        match self.outcome(request_id, event).await {
            Some(Outcome::Response(body)) => self.parse_json(&body),
            Some(Outcome::Error(body)) => panic!(
                "{}: the function reported an invocation error: {}\n{}",
                self.name,
                String::from_utf8_lossy(&body),
                self.logs_text()
            ),
            None => self.no_response(),
        }
    }

    fn parse_json(&self, body: &[u8]) -> Value {
        serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "{}: response body is not JSON ({e}): {}\n{}",
                self.name,
                String::from_utf8_lossy(body),
                self.logs_text()
            )
        })
    }

    fn no_response(&self) -> ! {
        let exit = *self.exited.borrow();
        let init = self.init_error.borrow().clone();
        panic!(
            "{}: no response (exit status: {exit:?}, init error: {init:?}, timeout {:?})\n{}",
            self.name,
            INVOKE_TIMEOUT,
            self.logs_text()
        )
    }

    /// Queues one event and waits for the function's response or error (`None`: it exited,
    /// failed to initialise or timed out).
    async fn outcome(&self, request_id: &str, event: Value) -> Option<Outcome> {
        let size = event.to_string().len();
        assert!(
            size <= MAX_SYNC_PAYLOAD,
            "{}: a {size}-byte event is over Lambda's {MAX_SYNC_PAYLOAD}-byte limit: AWS would \
             not invoke the function (API Gateway answers with an error instead)",
            self.name
        );
        self.request_ids
            .lock()
            .expect("request id lock")
            .push(request_id.to_owned());
        let (reply_tx, reply_rx) = oneshot::channel();
        self.queue
            .send(Queued {
                request_id: request_id.to_owned(),
                event,
                reply: reply_tx,
            })
            .expect("fake runtime is running");
        let mut exited = self.exited.clone();
        let mut init_error = self.init_error.clone();
        let outcome = tokio::select! {
            outcome = reply_rx => outcome.ok(),
            _ = exited.wait_for(|s| s.is_some()) => None,
            _ = init_error.wait_for(|e| e.is_some()) => None,
            _ = tokio::time::sleep(INVOKE_TIMEOUT) => None,
        };
        if let Some(Outcome::Response(body)) = &outcome {
            assert!(
                body.len() <= MAX_SYNC_PAYLOAD,
                "{}: a {}-byte response is over Lambda's {MAX_SYNC_PAYLOAD}-byte limit: AWS would \
                 fail the invocation",
                self.name,
                body.len()
            );
        }
        outcome
    }

    /// The Lambda request ids of the invocations sent so far (`Lambda-Runtime-Aws-Request-Id`).
    pub fn request_ids(&self) -> Vec<String> {
        self.request_ids.lock().expect("request id lock").clone()
    }

    /// Every line the function wrote to stdout or stderr so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().expect("log lock").clone()
    }

    fn logs_text(&self) -> String {
        let logs = self.logs();
        let start = logs.len().saturating_sub(60);
        format!(
            "--- last {} log lines of {} ---\n{}",
            logs.len() - start,
            self.name,
            logs[start..].join("\n")
        )
    }
}

async fn collect_lines(stream: impl tokio::io::AsyncRead + Unpin, logs: Arc<Mutex<Vec<String>>>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        logs.lock().expect("log lock").push(line);
    }
}

// ------------------------------------------------------------------------------------------------
// A port that counts connections

/// A TCP port on loopback that accepts connections, counts them and closes them at once: point
/// every endpoint of a function at it (`AWS_ENDPOINT_URL`, the table's endpoint, the instance
/// metadata service) and [`connections`](Self::connections) says whether it called out.
pub struct ConnectionSink {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    count: Arc<AtomicU64>,
    _stop: oneshot::Sender<()>,
}

impl ConnectionSink {
    pub async fn start() -> ConnectionSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the connection sink");
        let endpoint = format!("http://{}", listener.local_addr().expect("local addr"));
        let count = Arc::new(AtomicU64::new(0));
        let counted = count.clone();
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        // Dropping the stream closes it: the caller sees a failed request.
                        Ok(_) => { counted.fetch_add(1, Ordering::SeqCst); }
                        Err(_) => break,
                    },
                    _ = &mut stop_rx => break,
                }
            }
        });
        ConnectionSink {
            endpoint,
            count,
            _stop: stop_tx,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }
}

// ------------------------------------------------------------------------------------------------
// API Gateway HTTP API (payload format 2.0) events

/// One HTTP request as API Gateway's HTTP API hands it to a Lambda integration (payload 2.0).
#[derive(Clone, Debug)]
pub struct ApiGwV2Request {
    method: String,
    raw_path: String,
    route_key: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Option<Vec<u8>>,
    binary_body: bool,
    source_ip: String,
}

impl ApiGwV2Request {
    /// A request for `raw_path` (no query). Until [`route`](Self::route) is called it arrives
    /// through the `$default` route, like the portal's requests.
    pub fn new(method: &str, raw_path: &str) -> Self {
        Self {
            method: method.to_uppercase(),
            raw_path: raw_path.to_owned(),
            route_key: None,
            query: Vec::new(),
            headers: vec![
                ("accept".into(), "*/*".into()),
                (
                    "user-agent".into(),
                    "Mozilla/5.0 (X11; Linux aarch64) dealerdesk-e2e".into(),
                ),
            ],
            cookies: Vec::new(),
            body: None,
            binary_body: false,
            source_ip: "203.0.113.7".into(),
        }
    }

    /// The matched route, e.g. `"GET /api/tickets/{id}"`; path parameters are filled from
    /// `raw_path` the way API Gateway does.
    pub fn route(mut self, route_key: &str) -> Self {
        self.route_key = Some(route_key.to_owned());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The client's address as API Gateway saw it (`requestContext.http.sourceIp`).
    pub fn source_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.to_owned();
        self
    }

    /// Adds a header (the name is lower-cased, as API Gateway delivers it).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_lowercase(), value.to_owned()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// A request cookie, `name=value`. HTTP API puts cookies in the `cookies` array, not in a
    /// `cookie` header.
    pub fn cookie(mut self, pair: &str) -> Self {
        self.cookies.push(pair.to_owned());
        self
    }

    pub fn json(self, body: &Value) -> Self {
        let mut s = self.header("content-type", "application/json");
        s.body = Some(body.to_string().into_bytes());
        s.binary_body = false;
        s
    }

    /// An HTML form post (`application/x-www-form-urlencoded`).
    pub fn form(self, fields: &[(&str, &str)]) -> Self {
        let encoded = serde_urlencoded::to_string(fields).expect("form fields encode");
        let mut s = self.header("content-type", "application/x-www-form-urlencoded");
        s.body = Some(encoded.into_bytes());
        s.binary_body = false;
        s
    }

    /// A raw body; when `base64` is set it travels base64-encoded with `isBase64Encoded: true`,
    /// as API Gateway sends bodies it does not treat as text.
    pub fn body(mut self, content_type: &str, body: &[u8], base64: bool) -> Self {
        self = self.header("content-type", content_type);
        self.body = Some(body.to_vec());
        self.binary_body = base64;
        self
    }

    /// The event JSON, exactly in the shape AWS sends (see "Working with AWS Lambda proxy
    /// integrations for HTTP APIs", payload format version 2.0).
    pub fn to_event(&self, request_id: &str) -> Value {
        let api_id = "a1b2c3d4e5";
        let domain = format!("{api_id}.execute-api.{REGION}.amazonaws.com");
        let route_key = self
            .route_key
            .clone()
            .unwrap_or_else(|| "$default".to_owned());
        let raw_query = serde_urlencoded::to_string(&self.query).expect("query encodes");
        let now = chrono::Utc::now();

        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), domain.clone()),
            (
                "x-amzn-trace-id".into(),
                format!("Root=1-{:08x}-{}", now.timestamp(), hex_id(24)),
            ),
            ("x-forwarded-for".into(), self.source_ip.clone()),
            ("x-forwarded-port".into(), "443".into()),
            ("x-forwarded-proto".into(), "https".into()),
        ];
        if let Some(body) = &self.body {
            headers.push(("content-length".into(), body.len().to_string()));
        }
        headers.extend(self.headers.iter().cloned());
        // Repeated headers arrive as one comma-joined value.
        let mut header_map = Map::new();
        for (name, value) in headers {
            match header_map.get_mut(&name) {
                Some(Value::String(existing)) => {
                    existing.push(',');
                    existing.push_str(&value);
                }
                _ => {
                    header_map.insert(name, Value::String(value));
                }
            }
        }
        let user_agent = header_map
            .get("user-agent")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();

        let mut event = json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": self.raw_path,
            "rawQueryString": raw_query,
            "headers": header_map,
            "requestContext": {
                "accountId": ACCOUNT_ID,
                "apiId": api_id,
                "domainName": domain,
                "domainPrefix": api_id,
                "http": {
                    "method": self.method,
                    "path": self.raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": self.source_ip,
                    "userAgent": user_agent,
                },
                "requestId": request_id,
                "routeKey": route_key,
                "stage": "$default",
                "time": now.format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
                "timeEpoch": now.timestamp_millis(),
            },
            "isBase64Encoded": self.binary_body,
        });
        let obj = event.as_object_mut().expect("event is an object");
        if !self.cookies.is_empty() {
            obj.insert("cookies".into(), json!(self.cookies));
        }
        if !self.query.is_empty() {
            // Decoded values; a repeated name's values comma-joined.
            let mut params = Map::new();
            for (k, v) in &self.query {
                match params.get_mut(k) {
                    Some(Value::String(existing)) => {
                        existing.push(',');
                        existing.push_str(v);
                    }
                    _ => {
                        params.insert(k.clone(), Value::String(v.clone()));
                    }
                }
            }
            obj.insert("queryStringParameters".into(), Value::Object(params));
        }
        if let Some(template) = self.route_key.as_deref() {
            let params = path_parameters(template, &self.raw_path);
            if !params.is_empty() {
                obj.insert("pathParameters".into(), Value::Object(params));
            }
        }
        if let Some(body) = &self.body {
            let text = if self.binary_body {
                base64::engine::general_purpose::STANDARD.encode(body)
            } else {
                String::from_utf8_lossy(body).into_owned()
            };
            obj.insert("body".into(), Value::String(text));
        }
        event
    }
}

// ------------------------------------------------------------------------------------------------
// EventBridge scheduled events

/// The event an EventBridge rule with a schedule expression (SAM's `Schedule` event) sends its
/// Lambda target on every tick: `detail-type` "Scheduled Event" from `aws.events`, the tick's
/// time (whole seconds, UTC) and the rule's ARN in `resources`, an empty `detail`.
pub fn scheduled_event(rule: &str) -> Value {
    json!({
        "version": "0",
        "id": uuid_like(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": REGION,
        "resources": [format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{rule}")],
        "detail": {},
    })
}

/// `{id}` segments of a route key like `POST /api/tickets/{id}/actions`, matched against `path`.
fn path_parameters(route_key: &str, path: &str) -> Map<String, Value> {
    let template = route_key.split_once(' ').map_or(route_key, |(_, p)| p);
    let mut params = Map::new();
    for (t, p) in template.split('/').zip(path.split('/')) {
        if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            params.insert(
                name.trim_end_matches('+').to_owned(),
                Value::String(p.to_owned()),
            );
        }
    }
    params
}

/// What a function answered, read from the HTTP API v2 response JSON.
#[derive(Clone, Debug)]
pub struct LambdaHttpResponse {
    pub status: u16,
    /// Lower-cased header names.
    pub headers: BTreeMap<String, String>,
    /// `Set-Cookie` values: HTTP API responses carry them in `cookies`, not in `headers`.
    pub cookies: Vec<String>,
    /// The body, base64-decoded if the function sent it encoded (lossy UTF-8: see `bytes`).
    pub body: String,
    /// The body's bytes, base64-decoded if the function sent it encoded.
    pub bytes: Vec<u8>,
    pub is_base64_encoded: bool,
    /// The whole response as the function posted it.
    pub raw: Value,
}

impl LambdaHttpResponse {
    fn parse(raw: &Value) -> Result<Self, String> {
        let status = raw
            .get("statusCode")
            .and_then(Value::as_u64)
            .ok_or("no numeric statusCode")?;
        let mut headers = BTreeMap::new();
        if let Some(map) = raw.get("headers").and_then(Value::as_object) {
            for (k, v) in map {
                let value = match v {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                headers.insert(k.to_lowercase(), value);
            }
        }
        let cookies = raw
            .get("cookies")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let is_base64_encoded = raw
            .get("isBase64Encoded")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let bytes = match raw.get("body").and_then(Value::as_str) {
            None => Vec::new(),
            Some(b) if is_base64_encoded => base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| format!("body is not base64: {e}"))?,
            Some(b) => b.as_bytes().to_vec(),
        };
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Self {
            status: u16::try_from(status).map_err(|_| "statusCode out of range")?,
            headers,
            cookies,
            body,
            bytes,
            is_base64_encoded,
            raw: raw.clone(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_lowercase()).map(String::as_str)
    }

    /// The body as JSON; panics with the body if it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    /// The value of the response cookie `name`, if the function set it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|c| {
            let pair = c.split(';').next()?.trim();
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }
}

// ------------------------------------------------------------------------------------------------
// small helpers

fn epoch_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// Hex digits that differ between calls and between test processes.
fn hex_id(len: usize) -> String {
    let mut out = String::new();
    let mut seed = epoch_millis()
        ^ (u64::from(std::process::id()) << 32)
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    while out.len() < len {
        // xorshift64*
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        out.push_str(&format!(
            "{:016x}",
            seed.wrapping_mul(0x2545_F491_4F6C_DD1D)
        ));
    }
    out.truncate(len);
    out
}

/// A request id in the UUID shape Lambda uses.
fn uuid_like() -> String {
    let h = hex_id(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}
