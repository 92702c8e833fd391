//! What every AWS SDK client of DealerDesk is built with (DynamoDB here, S3 and SES in the app): an
//! HTTP/1.1 client over rustls with the *ring* provider, and a configuration read from the
//! environment alone.
//!
//! Why not the SDK's defaults (issue #12): its `default-https-client` links rustls with aws-lc
//! (about 2 MB of a 11 MB function) and hyper's HTTP/2 (0.65 MB), which DynamoDB, S3 and SES do
//! not need; and `aws_config::load` runs the default credential chain, the profile files and the
//! region and endpoint providers before a function's first `/next` (another 0.4 MB, and most of
//! an API function's init). In Lambda the role's credentials and the region are in the
//! environment, which is all [`sdk_config`] reads (with the retry settings the SDKs' standard
//! variables name). The command-line tool, which may run on a
//! workstation with profiles or SSO, hands its full chain in through [`use_credentials_chain`];
//! a Lambda function never names `aws-config`.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::{ErrorKind, RetryConfig};
use aws_types::SdkConfig;
use aws_types::region::Region;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::error::Error as StdError;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long an idle pooled connection is kept (DynamoDB closes idle ones after about a minute;
/// the SDK's own client keeps them 90 s and retries the stale ones).
const POOL_IDLE: Duration = Duration::from_secs(50);

/// An HTTP client for one SDK client, with its own connection pool and TLS configuration
/// (built at its first HTTPS connection, not at init). Not one per process: a pooled
/// connection belongs to the tokio runtime that opened it, and the tests run many runtimes.
pub fn http_client() -> SharedHttpClient {
    SharedHttpClient::new(Http1Client::default())
}

/// The credentials used when the environment has none (see [`use_credentials_chain`]).
static CHAIN: OnceLock<SdkConfig> = OnceLock::new();

/// Hands in a fuller configuration (the command-line tool's `aws_config` chain: profiles, SSO,
/// the instance's role) for processes whose environment does not carry the credentials. A
/// second call is ignored. Lambda functions never call it.
pub fn use_credentials_chain(config: SdkConfig) {
    let _ = CHAIN.set(config);
}

/// A variable of the environment the SDK clients cannot be configured with: the process
/// stops at its start saying which and why, instead of failing a request later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value:?} is not valid: {expected}")]
pub struct EnvError {
    /// The variable, e.g. `AWS_MAX_ATTEMPTS`.
    pub variable: &'static str,
    /// Its value as set.
    pub value: String,
    /// What it may be.
    pub expected: &'static str,
}

/// The configuration of one service's SDK client: an [`http_client`] of its own, the region of
/// `AWS_REGION` (or `AWS_DEFAULT_REGION`), the credentials of `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` (else the chain handed to
/// [`use_credentials_chain`], else none: the first request fails), the endpoint of
/// `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` (a local engine), and the retries of
/// `AWS_RETRY_MODE` (`standard` or `adaptive`) and `AWS_MAX_ATTEMPTS` (sends in all, at
/// least 1) — the SDKs' standard variables, which `aws_config::load` read (else the chain's
/// retry settings, else the SDK's default: standard, 3 attempts). `service` is the SDK's
/// service id as these variables spell it: `DYNAMODB`, `S3`, `SESV2`.
///
/// Reads only the environment: no file, no network. A retry variable that cannot be read is
/// an [`EnvError`] here, at the start, never a failure of some later request.
pub fn sdk_config(service: &str) -> Result<SdkConfig, EnvError> {
    config_from(
        &|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()),
        service,
    )
}

/// [`sdk_config`] over any source of variables.
fn config_from(var: &dyn Fn(&str) -> Option<String>, service: &str) -> Result<SdkConfig, EnvError> {
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http_client());
    let chain = CHAIN.get();
    let region = var("AWS_REGION")
        .or_else(|| var("AWS_DEFAULT_REGION"))
        .map(Region::new)
        .or_else(|| chain.and_then(|c| c.region().cloned()));
    builder.set_region(region);
    let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(key), Some(secret)) => Some(SharedCredentialsProvider::new(Credentials::new(
            key,
            secret,
            var("AWS_SESSION_TOKEN"),
            None,
            "environment",
        ))),
        _ => chain.and_then(|c| c.credentials_provider()),
    };
    builder.set_credentials_provider(credentials);
    let endpoint = var(&format!("AWS_ENDPOINT_URL_{service}")).or_else(|| var("AWS_ENDPOINT_URL"));
    builder.set_endpoint_url(endpoint);
    let retry = match retry_from(var)? {
        Some(retry) => Some(retry),
        None => chain.and_then(|c| c.retry_config().cloned()),
    };
    builder.set_retry_config(retry);
    Ok(builder.build())
}

/// The retries `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS` ask for; `None` when neither is set.
fn retry_from(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<RetryConfig>, EnvError> {
    let invalid = |variable: &'static str, value: String, expected: &'static str| EnvError {
        variable,
        value,
        expected,
    };
    let mode = var("AWS_RETRY_MODE")
        .map(|value| match value.trim().to_ascii_lowercase().as_str() {
            "standard" => Ok(RetryConfig::standard()),
            "adaptive" => Ok(RetryConfig::adaptive()),
            _ => Err(invalid("AWS_RETRY_MODE", value, "`standard` or `adaptive`")),
        })
        .transpose()?;
    let attempts = var("AWS_MAX_ATTEMPTS")
        .map(|value| match value.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(invalid(
                "AWS_MAX_ATTEMPTS",
                value,
                "a whole number of attempts, at least 1",
            )),
        })
        .transpose()?;
    Ok(match (mode, attempts) {
        (None, None) => None,
        (mode, attempts) => {
            let retry = mode.unwrap_or_else(RetryConfig::standard);
            Some(match attempts {
                Some(n) => retry.with_max_attempts(n),
                None => retry,
            })
        }
    })
}

/// Static credentials for a local engine (dynoxide, moto), which checks no signature.
pub fn local_credentials() -> Credentials {
    Credentials::new("local", "local", None, None, "dealerdesk-local")
}

/// A connector's connect and read timeouts.
type Timeouts = (Option<Duration>, Option<Duration>);

/// The SDK's [`HttpClient`] over hyper's HTTP/1.1 client (no HTTP/2: none of the services
/// needs it). One connector per distinct timeout settings, each with its own pool (in practice
/// one: every client uses the SDK's default timeouts).
#[derive(Debug, Default)]
struct Http1Client {
    connectors: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

impl HttpClient for Http1Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        // A poisoned lock only means another thread panicked while pushing: the list is whole.
        let mut connectors = self
            .connectors
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, connector)) = connectors.iter().find(|(timeouts, _)| *timeouts == key) {
            return connector.clone();
        }
        let connector = SharedHttpConnector::new(Http1Connector {
            connect_timeout: key.0,
            read_timeout: key.1,
            https: Arc::new(OnceLock::new()),
            plain: Arc::new(OnceLock::new()),
        });
        connectors.push((key, connector.clone()));
        connector
    }
}

type Https = Client<HttpsConnector<TcpConnector>, SdkBody>;
type Plain = Client<TcpConnector, SdkBody>;

#[derive(Debug)]
struct Http1Connector {
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    /// Built at the first `https` request: loading the system's root certificates is neither
    /// init's work nor needed by a local engine's plain `http`.
    https: Arc<OnceLock<Result<Https, String>>>,
    /// Built at the first `http` request (a local engine: dynoxide, moto).
    plain: Arc<OnceLock<Plain>>,
}

impl Http1Connector {
    fn tcp(&self) -> TcpConnector {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(self.connect_timeout);
        tcp
    }

    fn builder() -> hyper_util::client::legacy::Builder {
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE);
        builder
    }

    fn https(&self) -> Result<&Https, ConnectorError> {
        self.https
            .get_or_init(|| {
                let https = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                    .map_err(|e| format!("the system's root certificates: {e}"))?
                    .https_only()
                    .enable_http1()
                    .wrap_connector(self.tcp());
                Ok(Self::builder().build(https))
            })
            .as_ref()
            .map_err(|e| ConnectorError::other(e.clone().into(), None))
    }

    fn plain(&self) -> &Plain {
        self.plain.get_or_init(|| Self::builder().build(self.tcp()))
    }
}

impl HttpConnector for Http1Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let sent = if request.uri().scheme_str() == Some("http") {
            self.plain().request(request)
        } else {
            match self.https() {
                Ok(client) => client.request(request),
                Err(e) => return HttpConnectorFuture::ready(Err(e)),
            }
        };
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let response = match read_timeout {
                Some(limit) => match tokio::time::timeout(limit, sent).await {
                    Ok(response) => response,
                    Err(elapsed) => return Err(ConnectorError::timeout(elapsed.into())),
                },
                None => sent.await,
            };
            match response {
                Ok(response) => HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                    .map_err(|e| ConnectorError::other(e.into(), None)),
                Err(e) => Err(classify(e)),
            }
        })
    }
}

/// Sorts a transport failure the way the SDK's retry policy reads it: a failed connect, a
/// connection closed under the request or a timeout is retried; a malformed request is not.
fn classify(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let hyper_error = find_source::<hyper::Error>(&error);
    let timed_out = hyper_error.is_some_and(hyper::Error::is_timeout)
        || find_source::<std::io::Error>(&error)
            .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut);
    if timed_out {
        return ConnectorError::timeout(error.into());
    }
    if hyper_error.is_some_and(hyper::Error::is_user) {
        return ConnectorError::user(error.into());
    }
    if error.is_connect()
        || hyper_error.is_some_and(|e| e.is_closed() || e.is_canceled())
        || find_source::<std::io::Error>(&error).is_some()
    {
        return ConnectorError::io(error.into());
    }
    if hyper_error.is_some_and(hyper::Error::is_incomplete_message) {
        return ConnectorError::other(error.into(), Some(ErrorKind::TransientError));
    }
    ConnectorError::other(error.into(), None)
}

fn find_source<'a, E: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(found) = error.downcast_ref::<E>() {
            return Some(found);
        }
        next = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_connect_is_retried_as_io() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let error = runtime.block_on(async {
            let mut tcp = TcpConnector::new();
            tcp.enforce_http(false);
            let client: Client<TcpConnector, SdkBody> =
                Client::builder(TokioExecutor::new()).build(tcp);
            // Port 1 on loopback: nothing listens there, the connect is refused at once.
            let request = http::Request::get("http://127.0.0.1:1/")
                .body(SdkBody::empty())
                .expect("request");
            client.request(request).await.expect_err("nothing listens")
        });
        assert!(classify(error).is_io());
    }

    #[test]
    fn a_local_engine_over_plain_http_is_answered_without_loading_root_certificates() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            let address = listener.local_addr().expect("its address");
            tokio::spawn(async move {
                let (mut socket, _) = listener.accept().await.expect("one connection");
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                    .await;
            });
            let connector = Http1Connector {
                connect_timeout: Some(Duration::from_secs(3)),
                read_timeout: Some(Duration::from_secs(3)),
                https: Arc::new(OnceLock::new()),
                plain: Arc::new(OnceLock::new()),
            };
            let request = http::Request::post(format!("http://{address}/"))
                .body(SdkBody::from("{}"))
                .expect("request");
            let response = connector
                .call(HttpRequest::try_from(request).expect("an SDK request"))
                .await
                .expect("the engine answers");
            assert_eq!(response.status().as_u16(), 200);
            assert!(
                connector.https.get().is_none(),
                "no TLS configuration was built for plain http"
            );
        });
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn a_lambda_environment_gives_region_role_credentials_and_the_service_endpoint() {
        let env = vars(&[
            ("AWS_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "AKIDROLE"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
        ]);
        let dynamodb = config_from(&env, "DYNAMODB").expect("valid");
        assert_eq!(dynamodb.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(dynamodb.endpoint_url(), Some("http://127.0.0.1:8000"));
        assert!(dynamodb.credentials_provider().is_some());
        assert!(dynamodb.http_client().is_some());
        assert_eq!(dynamodb.behavior_version(), Some(BehaviorVersion::latest()));
        // A service without its own variable falls back to the general one.
        assert_eq!(
            config_from(&env, "S3").expect("valid").endpoint_url(),
            Some("http://127.0.0.1:9000")
        );
    }

    #[test]
    fn without_endpoint_variables_the_service_is_aws_itself() {
        let env = vars(&[("AWS_DEFAULT_REGION", "eu-central-1")]);
        let config = config_from(&env, "SESV2").expect("valid");
        assert_eq!(config.endpoint_url(), None);
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-central-1"));
        assert_eq!(config.retry_config(), None, "the SDK's default retries");
    }

    #[test]
    fn the_retry_variables_set_the_mode_and_the_attempts() {
        let retry = |pairs: &[(&str, &str)]| {
            config_from(&vars(pairs), "DYNAMODB")
                .expect("valid")
                .retry_config()
                .cloned()
                .expect("retries set")
        };
        let adaptive = retry(&[("AWS_RETRY_MODE", "adaptive"), ("AWS_MAX_ATTEMPTS", "5")]);
        assert_eq!(
            adaptive.mode(),
            aws_smithy_types::retry::RetryMode::Adaptive
        );
        assert_eq!(adaptive.max_attempts(), 5);
        let standard = retry(&[("AWS_MAX_ATTEMPTS", " 10 ")]);
        assert_eq!(
            standard.mode(),
            aws_smithy_types::retry::RetryMode::Standard
        );
        assert_eq!(standard.max_attempts(), 10);
        assert_eq!(
            retry(&[("AWS_RETRY_MODE", "Standard")]).max_attempts(),
            RetryConfig::standard().max_attempts()
        );
    }

    #[test]
    fn an_unreadable_retry_variable_is_an_error_naming_it() {
        for (variable, value) in [
            ("AWS_MAX_ATTEMPTS", "0"),
            ("AWS_MAX_ATTEMPTS", "three"),
            ("AWS_MAX_ATTEMPTS", "-1"),
            ("AWS_RETRY_MODE", "legacy"),
        ] {
            let error = config_from(&vars(&[(variable, value)]), "S3").expect_err(value);
            assert_eq!(error.variable, variable);
            assert_eq!(error.value, value);
            assert!(error.to_string().starts_with(variable), "{error}");
        }
    }
}
