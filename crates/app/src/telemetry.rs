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
    let (writer, guard) = lambda_writer(std::io::stdout());
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

/// Log lines the Lambda's writer holds while its thread writes them out; more are dropped (and
/// counted) rather than stalling the runtime. tracing-appender's default, 128,000, is a channel of
/// 4 MB that is written through when it is created: a thousand page faults in every function's
/// init, a third of an API function's cold start (infra/deploy.md, "Sizes and cold start now").
/// One invocation logs a handful of lines; this is room for hundreds of invocations.
pub const LAMBDA_LOG_BUFFER_LINES: usize = 2048;

/// The non-blocking writer of the Lambda's log lines into `out`, with its guard.
fn lambda_writer<W: std::io::Write + Send + 'static>(
    out: W,
) -> (
    tracing_appender::non_blocking::NonBlocking,
    tracing_appender::non_blocking::WorkerGuard,
) {
    tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LAMBDA_LOG_BUFFER_LINES)
        .lossy(true)
        .finish(out)
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
mod lambda_tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
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

    /// stdout that accepts nothing until it is released.
    struct BlockedStdout(std::sync::mpsc::Receiver<()>, std::sync::Arc<AtomicUsize>);

    impl std::io::Write for BlockedStdout {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _ = self.0.recv();
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_blocked_stdout_drops_lines_past_the_buffer_instead_of_stalling_the_function() {
        let (release, blocked) = std::sync::mpsc::channel();
        let written = std::sync::Arc::new(AtomicUsize::new(0));
        let (writer, guard) = lambda_writer(BlockedStdout(blocked, written.clone()));
        let dropped = writer.error_counter();
        let lines = 3 * LAMBDA_LOG_BUFFER_LINES;
        let started = std::time::Instant::now();
        for _ in 0..lines {
            std::io::Write::write_all(&mut writer.clone(), b"{\"level\":\"INFO\"}\n")
                .expect("a non-blocking write never fails");
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "writing stalled on a blocked stdout"
        );
        assert!(
            dropped.dropped_lines() >= lines - LAMBDA_LOG_BUFFER_LINES - 1,
            "only {} of {lines} lines dropped",
            dropped.dropped_lines()
        );
        // Released, stdout gets what the buffer held (the guard flushes it on drop).
        for _ in 0..lines {
            let _ = release.send(());
        }
        drop(guard);
        let kept = written.load(Ordering::SeqCst);
        assert_eq!(
            kept + dropped.dropped_lines(),
            lines,
            "every line written or counted"
        );
        assert!(
            kept >= LAMBDA_LOG_BUFFER_LINES,
            "the buffer held {kept} lines"
        );
    }
}
