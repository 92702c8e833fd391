//! Logging: JSON in Lambda, readable locally, a request id on every line.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// JSON lines to stdout through a non-blocking writer (a blocked stdout must not stall
/// the runtime). Keep the returned guard alive for the life of the process.
///
/// `RUST_LOG` is read as levels per target (`info`, `dealerdesk_app=debug,info`: the
/// template's `LogLevel`), not as the local server's full filter syntax: that one matches
/// span fields with regular expressions, and a regex engine would double the size of a
/// function that has no other use for it.
pub fn init_lambda() -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking(std::io::stdout());
    let filter = lambda_filter(std::env::var("RUST_LOG").ok().as_deref());
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .without_time()
                .with_writer(writer)
                .with_filter(filter),
        )
        .try_init();
    guard
}

/// The Lambda's log levels from `RUST_LOG`; unset, empty or unreadable: `info`.
fn lambda_filter(rust_log: Option<&str>) -> Targets {
    rust_log
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO))
}

/// Human-readable lines to stderr for the local server and the CLI.
pub fn init_local() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// Wraps each request in a span carrying its id (API Gateway's when present).
pub async fn request_span(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .or_else(|| request.headers().get("apigw-requestid"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| ulid::Ulid::new().to_string());
    let span = tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path());
    async move {
        let response = next.run(request).await;
        tracing::debug!(status = response.status().as_u16(), "response");
        response
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod lambda_filter_tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn the_lambda_reads_rust_log_as_levels_per_target() {
        let info = lambda_filter(None);
        assert!(info.would_enable("dealerdesk_app", &Level::INFO));
        assert!(!info.would_enable("dealerdesk_app", &Level::DEBUG));
        let app_debug = lambda_filter(Some("dealerdesk_app=debug,info"));
        assert!(app_debug.would_enable("dealerdesk_app::ticket", &Level::DEBUG));
        assert!(!app_debug.would_enable("aws_smithy_runtime", &Level::DEBUG));
        assert!(app_debug.would_enable("aws_smithy_runtime", &Level::INFO));
        assert!(lambda_filter(Some("debug")).would_enable("hyper", &Level::DEBUG));
        // Unreadable: the default, not silence.
        assert!(lambda_filter(Some("=[{")).would_enable("dealerdesk_app", &Level::INFO));
    }
}
