//! The local product: an embedded DynamoDB-compatible engine (dynoxide on SQLite), the
//! production storage code pointed at it, and every route on one port.

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use dealerdesk_app::{AppError, AppState, Clock, Settings, demo, routes};
use dealerdesk_store::{Store, StoreConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;
use tokio::sync::oneshot;

/// Why the command failed.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{0}")]
    App(#[from] AppError),
    #[error("store: {0}")]
    Store(#[from] dealerdesk_store::StoreError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("embedded engine: {0}")]
    Engine(String),
    #[error("DEALERDESK_CLOCK must be an RFC 3339 instant, e.g. 2026-12-30T17:30:00+03:00: {0}")]
    Clock(String),
}

/// Where the data lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    /// dynoxide in-process, a SQLite file in the data dir (no AWS needed).
    Embedded,
    /// A DynamoDB endpoint from the environment (AWS, or any compatible engine).
    Dynamodb,
}

/// DealerDesk on a laptop.
#[derive(Debug, Parser)]
#[command(name = "dealerdesk", version, about = "DealerDesk: support tracker and lead CRM for dealer networks")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the portal on 127.0.0.1.
    Serve(ServeArgs),
}

/// `dealerdesk serve`
#[derive(Debug, Parser)]
pub struct ServeArgs {
    /// Port on 127.0.0.1.
    #[arg(long, env = "DEALERDESK_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Where the embedded store keeps its SQLite file.
    #[arg(long, env = "DEALERDESK_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Which store to use.
    #[arg(long, env = "DEALERDESK_STORE", value_enum, default_value_t = StoreKind::Embedded)]
    pub store: StoreKind,
    /// Start the clock at this instant and let it run on (demos and acceptance tests).
    #[arg(long, env = "DEALERDESK_CLOCK")]
    pub clock: Option<String>,
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
    }
}

/// dynoxide serving the DynamoDB API on an ephemeral loopback port.
pub struct EmbeddedEngine {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl EmbeddedEngine {
    /// Starts the engine over a SQLite file, or in memory when `file` is `None`.
    pub async fn start(file: Option<&Path>) -> Result<EmbeddedEngine, CliError> {
        let db = match file {
            Some(path) => dynoxide::Database::new(&path.to_string_lossy()),
            None => dynoxide::Database::memory(),
        }
        .map_err(|e| CliError::Engine(e.to_string()))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|source| CliError::Io {
                context: "binding the embedded engine".into(),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| CliError::Io {
            context: "embedded engine address".into(),
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            if let Err(e) = dynoxide::server::serve_with_shutdown(listener, db, async {
                let _ = stopped.await;
            })
            .await
            {
                tracing::error!(error = %e, "embedded engine stopped with an error");
            }
        });
        Ok(EmbeddedEngine {
            endpoint: format!("http://{addr}"),
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Stops accepting, lets running requests finish and releases the database file.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

fn parse_clock(value: Option<&str>) -> Result<Clock, CliError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(Clock::system()),
        Some(v) => DateTime::parse_from_rfc3339(v)
            .map(|t| Clock::starting_at(t.with_timezone(&Utc)))
            .map_err(|e| CliError::Clock(e.to_string())),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// `dealerdesk serve`: the engine, the table, demo data on first start, every route.
pub async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let clock = parse_clock(args.clock.as_deref())?;
    let (engine, store_config, fresh) = match args.store {
        StoreKind::Embedded => {
            std::fs::create_dir_all(&args.data_dir).map_err(|source| CliError::Io {
                context: format!("creating data dir {}", args.data_dir.display()),
                source,
            })?;
            let file = args.data_dir.join("dealerdesk.sqlite");
            let fresh = !file.exists();
            let engine = EmbeddedEngine::start(Some(&file)).await?;
            let config = StoreConfig {
                endpoint: Some(engine.endpoint.clone()),
                ..StoreConfig::from_env()
            };
            (Some(engine), config, fresh)
        }
        StoreKind::Dynamodb => (None, StoreConfig::from_env(), false),
    };
    let store = Store::connect(&store_config).await?;
    store.ensure_table().await?;
    let state = AppState::new(store, clock, Settings::from_env()?);
    if fresh {
        let report = demo::seed(&state, clock.now()).await?;
        tracing::info!(users = report.users_created, "demo data created");
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Io {
            context: format!("binding {addr}"),
            source,
        })?;
    tracing::info!("DealerDesk is serving http://{addr}");
    let served = axum::serve(listener, routes::all(state))
        .with_graceful_shutdown(shutdown_signal())
        .await;
    if let Some(engine) = engine {
        engine.shutdown().await;
    }
    served.map_err(|source| CliError::Io {
        context: "serving".into(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_accepts_rfc3339_and_refuses_anything_else() {
        assert!(parse_clock(None).is_ok());
        assert!(parse_clock(Some("2026-12-30T17:30:00+03:00")).is_ok());
        assert!(matches!(parse_clock(Some("friday evening")), Err(CliError::Clock(_))));
    }
}
