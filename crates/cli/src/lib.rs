//! The local product: an embedded DynamoDB-compatible engine (dynoxide on SQLite), the
//! production storage code pointed at it, and every route on one port.

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use dealerdesk_app::blobs::Blobs;
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::Mailer;
use dealerdesk_app::{AppError, AppState, Clock, Settings, calendar, demo, kb, routes, users};
use dealerdesk_store::{Store, StoreConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;
use tokio::sync::oneshot;

/// Why the command failed.
#[derive(Debug, Error)]
pub enum CliError {
    #[error("{} ({})", .0.message_ru(), .0)]
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
    #[error("unknown job {0:?}; jobs: {1}")]
    UnknownJob(String, String),
    #[error("a quarter is written 2026Q4 or 2026-Q4, not {0:?}")]
    Quarter(String),
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
#[command(
    name = "dealerdesk",
    version,
    about = "DealerDesk: support tracker and lead CRM for dealer networks"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the portal on 127.0.0.1, with the scheduler.
    Serve(ServeArgs),
    /// Run one scheduled job once, now or at a given instant.
    Job(JobArgs),
    /// Issue a quarter's invoices and acts now, with a progress bar:
    /// `dealerdesk bill --quarter 2026Q4`.
    Bill(BillArgs),
    /// People: `dealerdesk user create`.
    #[command(subcommand)]
    User(UserCommand),
    /// Dealers: `dealerdesk dealer create`.
    #[command(subcommand)]
    Dealer(DealerCommand),
    /// The knowledge-base site: `dealerdesk site build [--out DIR]`.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Lead sites' keys: `dealerdesk site-key issue|rotate|revoke|list`.
    #[command(subcommand)]
    SiteKey(SiteKeyCommand),
}

/// `dealerdesk site ...`
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Render the whole knowledge-base site from the published articles (the seed articles
    /// of `site/content` on a store that has none) with its Pagefind search index: into
    /// `--out`, or where the server publishes it (`<data dir>/site`, or the site bucket when
    /// DEALERDESK_SITE_BUCKET is set).
    Build {
        /// A folder to write the site into instead.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The site's public address, for the sitemap (default: DEALERDESK_SITE_URL, else
        /// the local server's /kb/).
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `dealerdesk site-key ...`: the sites that post leads and their secret keys. A new key is
/// printed once; the store keeps only its hash.
#[derive(Debug, Subcommand)]
pub enum SiteKeyCommand {
    /// Issue a site and its first key.
    Issue {
        #[arg(long)]
        name: String,
        /// The dealer whose site it is (leave out for the brand's site).
        #[arg(long)]
        dealer: Option<String>,
        /// The brand network of a brand site.
        #[arg(long)]
        network: Option<String>,
        /// An origin its forms are served from (`https://example.ru`); repeat for more.
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// Where a browser is sent after a lead is taken.
        #[arg(long)]
        thank_you_url: Option<String>,
        /// The version of the consent text the site's form shows.
        #[arg(long)]
        consent_version: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Rotate a site's key: a new one is printed, the old one stops at once.
    Rotate {
        /// The site id (its public form id).
        #[arg(long)]
        site: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a site: its key and form id are refused from now on.
    Revoke {
        #[arg(long)]
        site: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the sites (never their keys).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `dealerdesk user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from DEALERDESK_NEW_PASSWORD or the first line
    /// of standard input, never from the command line (it would land in shell history).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// dealer, accountant, specialist, account_manager, regional_rep, brand_admin, admin
        #[arg(long)]
        role: String,
        /// The dealer's id, for the dealer and accountant roles.
        #[arg(long)]
        dealer: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `dealerdesk dealer ...`
#[derive(Debug, Subcommand)]
pub enum DealerCommand {
    /// Create (or update) a dealer and, when new, its brand network.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        city: String,
        #[arg(long, default_value = "Europe/Moscow")]
        timezone: String,
        #[arg(long)]
        network: String,
        /// The network's display name (default: its id).
        #[arg(long, default_value = "")]
        network_name: String,
        /// E-mail of the platform account manager who looks after the dealer.
        #[arg(long)]
        account_manager: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the data is: shared by every command that opens the store.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// Where the embedded store keeps its SQLite file.
    #[arg(long, env = "DEALERDESK_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Which store to use.
    #[arg(long, env = "DEALERDESK_STORE", value_enum, default_value_t = StoreKind::Embedded)]
    pub store: StoreKind,
}

/// `dealerdesk job <name> [--at <time>]`
#[derive(Debug, Parser)]
pub struct JobArgs {
    /// The job: sla_watch, auto_accept, cost_reminders, cost_cutoff, lead_escalations,
    /// lead_surveys, quarterly_survey, quarterly_bills, outbox.
    pub name: String,
    /// Run as if it were this RFC 3339 instant (default: now).
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `dealerdesk bill --quarter <quarter>`
#[derive(Debug, Parser)]
pub struct BillArgs {
    /// The quarter, `2026Q4` or `2026-Q4` (default: the one that ended last).
    #[arg(long)]
    pub quarter: Option<String>,
    /// Issue as if it were this RFC 3339 instant (default: now).
    #[arg(long)]
    pub at: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `dealerdesk serve`
#[derive(Debug, Parser)]
pub struct ServeArgs {
    /// Port on 127.0.0.1.
    #[arg(long, env = "DEALERDESK_PORT", default_value_t = 8080)]
    pub port: u16,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Seconds between scheduler ticks (0 turns the scheduler off).
    #[arg(long, env = "DEALERDESK_SCHEDULER_SECONDS", default_value_t = 15)]
    pub scheduler_seconds: u64,
    /// Start the clock at this instant and let it run on (demos and acceptance tests).
    #[arg(long, env = "DEALERDESK_CLOCK")]
    pub clock: Option<String>,
    /// On the first start of an empty data dir, play a few weeks of demo history (tickets
    /// in every status, time and costs, wishes at every stage); `false` or `0` leaves the
    /// demo network without tickets.
    #[arg(
        long,
        env = "DEALERDESK_DEMO_HISTORY",
        default_value_t = true,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new(),
        value_name = "BOOL"
    )]
    pub demo_history: bool,
}

impl Command {
    /// Where the command's data is (every command opens the store).
    pub fn store_args(&self) -> &StoreArgs {
        match self {
            Command::Serve(args) => &args.store,
            Command::Job(args) => &args.store,
            Command::Bill(args) => &args.store,
            Command::User(UserCommand::Create { store, .. })
            | Command::Dealer(DealerCommand::Create { store, .. })
            | Command::Site(SiteCommand::Build { store, .. })
            | Command::SiteKey(
                SiteKeyCommand::Issue { store, .. }
                | SiteKeyCommand::Rotate { store, .. }
                | SiteKeyCommand::Revoke { store, .. }
                | SiteKeyCommand::List { store },
            ) => store,
        }
    }
}

/// Whether a command over `store`, in the environment `var` reads, reaches AWS itself —
/// DynamoDB without a local endpoint (`DEALERDESK_DYNAMODB_ENDPOINT`), SES
/// (`DEALERDESK_MAIL=ses`), an S3 bucket for attached files (`DEALERDESK_BLOBS=s3`, or a
/// `DEALERDESK_BLOB_BUCKET` without `DEALERDESK_BLOBS`) or for the site
/// (`DEALERDESK_SITE_BUCKET`) — the same choices [`open`] makes. Only then may it need
/// aws-config's credential chain; `serve` over the embedded engine with the local mailbox
/// and folders never does.
pub fn reaches_aws(store: StoreKind, var: &dyn Fn(&str) -> Option<String>) -> bool {
    let dynamodb = store == StoreKind::Dynamodb && var("DEALERDESK_DYNAMODB_ENDPOINT").is_none();
    let ses = var("DEALERDESK_MAIL").as_deref() == Some("ses");
    let blobs = match var("DEALERDESK_BLOBS") {
        Some(kind) => kind == "s3",
        None => var("DEALERDESK_BLOB_BUCKET").is_some(),
    };
    let site = var("DEALERDESK_SITE_BUCKET").is_some();
    dynamodb || ses || blobs || site
}

/// A variable of the process's environment; empty counts as unset, as everywhere in the
/// configuration.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    // A workstation's credentials may be in profiles or SSO rather than the environment: the
    // full chain of aws-config, for the commands that reach AWS (the Lambda functions read
    // the environment alone, `dealerdesk_store::aws`). The region is the store's (`AWS_REGION`,
    // else its default) so that loading reads files and never asks the instance metadata;
    // the credentials are resolved at the first request. A command that stays on this
    // machine (`serve` over the embedded engine) loads nothing: no profile file read, no
    // start-up spent on it.
    if reaches_aws(cli.command.store_args().store, &env_var) {
        dealerdesk_store::aws::use_credentials_chain(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .http_client(dealerdesk_store::aws::http_client())
                .region(aws_config::Region::new(StoreConfig::from_env().region))
                .load()
                .await,
        );
    }
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Job(args) => run_job(args).await,
        Command::Bill(args) => run_bill(args).await,
        Command::User(UserCommand::Create {
            email,
            name,
            role,
            dealer,
            store,
        }) => {
            let password = match std::env::var("DEALERDESK_NEW_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|source| CliError::Io {
                            context: "reading the password from standard input".into(),
                            source,
                        })?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let new = users::NewUser {
                email,
                name,
                role,
                dealer_id: dealer,
                password,
            };
            with_store(&store, |state| async move {
                let user = users::create_user(&state, &new).await?;
                println!(
                    "created user {} ({}, {})",
                    user.email,
                    user.role.code(),
                    user.id
                );
                Ok(())
            })
            .await
        }
        Command::Site(SiteCommand::Build { out, url, store }) => {
            with_store(&store, |state| async move {
                let state = match out {
                    Some(dir) => {
                        let url = url.unwrap_or_else(|| state.site.url.clone());
                        state.with_site(dealerdesk_app::kb::site::SiteOut::local(dir, url))
                    }
                    None => state,
                };
                let now = state.clock.now();
                if kb::seed(&state, now).await? == 0 {
                    kb::rebuild(&state, None).await?;
                }
                let published = kb::list_published(&state).await?;
                match &state.site.target {
                    dealerdesk_app::kb::site::SiteTarget::LocalDir(dir) => println!(
                        "knowledge base: {published} articles published into {}",
                        dir.display()
                    ),
                    dealerdesk_app::kb::site::SiteTarget::S3 { bucket, .. } => {
                        println!(
                            "knowledge base: {published} articles published into s3://{bucket}"
                        )
                    }
                    dealerdesk_app::kb::site::SiteTarget::Absent => {
                        println!("knowledge base: {published} articles published, no site output")
                    }
                }
                Ok(())
            })
            .await
        }
        Command::Dealer(DealerCommand::Create {
            id,
            name,
            city,
            timezone,
            network,
            network_name,
            account_manager,
            store,
        }) => {
            let new = users::NewDealer {
                id,
                name,
                city,
                timezone,
                network_id: network,
                network_name,
                account_manager_email: account_manager,
            };
            with_store(&store, |state| async move {
                let dealer = users::create_dealer(&state, &new).await?;
                println!(
                    "dealer {} «{}» in network {}",
                    dealer.id, dealer.name, dealer.network_id
                );
                Ok(())
            })
            .await
        }
        Command::SiteKey(command) => site_key(command).await,
    }
}

/// `dealerdesk site-key …`
async fn site_key(command: SiteKeyCommand) -> Result<(), CliError> {
    use dealerdesk_app::lead::intake::sites;
    use dealerdesk_domain::lead::{SiteDraft, SiteId};
    let site_id = |raw: &str| {
        SiteId::parse(raw.trim())
            .ok_or_else(|| CliError::App(AppError::bad_request("bad_site", "Такого сайта нет.")))
    };
    match command {
        SiteKeyCommand::Issue {
            name,
            dealer,
            network,
            origins,
            thank_you_url,
            consent_version,
            store,
        } => {
            let draft = SiteDraft {
                name: Some(name),
                dealer_id: dealer,
                network_id: network,
                origins,
                thank_you_url,
                consent_version: Some(consent_version),
            };
            with_store(&store, |state| async move {
                let issued = sites::issue_as_operator(&state, &draft, None, None).await?;
                println!("site {} («{}»)", issued.site.id, issued.site.settings.name);
                println!("secret key (shown once): {}", issued.secret_key);
                Ok(())
            })
            .await
        }
        SiteKeyCommand::Rotate { site, store } => {
            let id = site_id(&site)?;
            with_store(&store, |state| async move {
                let issued = sites::rotate_as_operator(&state, &id, None).await?;
                println!(
                    "site {}: new secret key (shown once): {}",
                    issued.site.id, issued.secret_key
                );
                Ok(())
            })
            .await
        }
        SiteKeyCommand::Revoke { site, store } => {
            let id = site_id(&site)?;
            with_store(&store, |state| async move {
                let revoked = sites::revoke_as_operator(&state, &id, None).await?;
                println!("site {} revoked", revoked.id);
                Ok(())
            })
            .await
        }
        SiteKeyCommand::List { store } => {
            with_store(&store, |state| async move {
                for s in sites::list_as_operator(&state).await? {
                    let site = &s.site;
                    let owner = match &site.owner {
                        dealerdesk_domain::lead::SiteOwner::Dealer { dealer_id } => {
                            format!("dealer {dealer_id}")
                        }
                        dealerdesk_domain::lead::SiteOwner::Brand { network_id } => {
                            format!("brand {network_id}")
                        }
                    };
                    println!(
                        "{}\t{}\t{}\t{}\tspam {}\t{}",
                        site.id,
                        if site.is_active() {
                            "active"
                        } else {
                            "revoked"
                        },
                        owner,
                        site.settings.origins.join(" "),
                        s.spam_total(),
                        site.settings.name
                    );
                }
                Ok(())
            })
            .await
        }
    }
}

/// dynoxide serving the DynamoDB API on an ephemeral loopback port, on threads of its own.
///
/// dynoxide answers a request by calling the database synchronously inside its async
/// handler (waiting for its lock there), so it gets its own small runtime: on the caller's
/// runtime those waits would hold the very workers the app's requests run on.
pub struct EmbeddedEngine {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<oneshot::Receiver<()>>,
}

/// The engine's worker threads: requests wait for one database lock, so more threads would
/// only queue; two let one request parse or answer while another holds the lock.
const ENGINE_WORKERS: usize = 2;

impl EmbeddedEngine {
    /// Starts the engine over a SQLite file, or in memory when `file` is `None`.
    pub async fn start(file: Option<&Path>) -> Result<EmbeddedEngine, CliError> {
        let db = match file {
            Some(path) => dynoxide::Database::new(&path.to_string_lossy()),
            None => dynoxide::Database::memory(),
        }
        .map_err(|e| CliError::Engine(e.to_string()))?;
        let io = |context: &str| {
            let context = context.to_string();
            move |source| CliError::Io { context, source }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(io("binding the embedded engine"))?;
        listener
            .set_nonblocking(true)
            .map_err(io("binding the embedded engine"))?;
        let addr = listener
            .local_addr()
            .map_err(io("embedded engine address"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(ENGINE_WORKERS)
            .thread_name("embedded-engine")
            .enable_all()
            .build()
            .map_err(io("starting the embedded engine's runtime"))?;
        let (stop, stop_rx) = oneshot::channel::<()>();
        let (stopped_tx, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("embedded-engine".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            let served =
                                dynoxide::server::serve_with_shutdown(listener, db, async {
                                    let _ = stop_rx.await;
                                })
                                .await;
                            if let Err(e) = served {
                                tracing::error!(error = %e, "embedded engine stopped with an error");
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "embedded engine could not listen"),
                    }
                });
                // The runtime (and with it the database) is dropped before the caller hears
                // the engine stopped, so the file is released by then.
                drop(runtime);
                let _ = stopped_tx.send(());
            })
            .map_err(io("starting the embedded engine's thread"))?;
        Ok(EmbeddedEngine {
            endpoint: format!("http://{addr}"),
            stop: Some(stop),
            stopped: Some(stopped),
        })
    }

    /// Stops accepting, lets running requests finish and releases the database file.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.await;
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

/// An opened store and, for the embedded kind, its engine.
pub struct Opened {
    pub state: AppState,
    /// True when the data dir had no database before: demo data is due.
    pub fresh: bool,
    engine: Option<EmbeddedEngine>,
}

impl Opened {
    /// Releases the engine (and with it the database file).
    pub async fn close(self) {
        if let Some(engine) = self.engine {
            engine.shutdown().await;
        }
    }
}

/// Starts the engine (embedded) or connects (dynamodb), ensures the table and builds the
/// app state with the local mailbox and the attached files' folder under the data dir.
/// Links in e-mails point at `http://127.0.0.1:<port>` unless `DEALERDESK_PUBLIC_URL` says
/// otherwise.
pub async fn open(args: &StoreArgs, clock: Clock, port: u16) -> Result<Opened, CliError> {
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
    let mailer = Mailer::from_env(&args.data_dir.join("mail")).await?;
    let mut settings = Settings::from_env()?;
    if std::env::var_os("DEALERDESK_SIGNING_KEY").is_none() {
        settings.signing_key = local_signing_key(&args.data_dir)?;
    }
    if std::env::var("DEALERDESK_PUBLIC_URL")
        .unwrap_or_default()
        .is_empty()
    {
        settings.public_url = format!("http://127.0.0.1:{port}");
    }
    let blobs = Blobs::from_env(&args.data_dir.join("blobs")).await?;
    let site = kb::site::SiteOut::from_env(
        &args.data_dir.join("site"),
        &format!("{}/kb/", settings.public_url.trim_end_matches('/')),
    )
    .await?;
    let state = AppState::new(store, clock, settings, mailer, blobs).with_site(site);
    Ok(Opened {
        state,
        fresh,
        engine,
    })
}

/// The local server's signing key: made once per data dir (`signing.key`), so form tokens
/// and survey links stay valid across restarts and differ between installations.
fn local_signing_key(data_dir: &std::path::Path) -> Result<String, CliError> {
    let file = data_dir.join("signing.key");
    let io = |context: String| move |source| CliError::Io { context, source };
    match std::fs::read_to_string(&file) {
        Ok(key) if key.trim().len() >= 32 => Ok(key.trim().to_string()),
        _ => {
            std::fs::create_dir_all(data_dir)
                .map_err(io(format!("creating data dir {}", data_dir.display())))?;
            let key = dealerdesk_app::kernel::sign::new_key();
            std::fs::write(&file, &key).map_err(io(format!("writing {}", file.display())))?;
            Ok(key)
        }
    }
}

/// Installs the knowledge-base site's Pagefind tool (`npm ci` in the checkout's `site/`)
/// when it is missing, so the README's one command starts the site with its search. Without
/// npm or the registry the site is still built, without search (logged).
async fn install_pagefind() {
    if dealerdesk_app::kb::site::pagefind_binary().is_some() {
        return;
    }
    let Some(site) = std::env::current_dir().ok().and_then(|cwd| {
        cwd.ancestors()
            .map(|d| d.join("site"))
            .find(|d| d.join("package-lock.json").is_file())
    }) else {
        return;
    };
    tracing::info!(dir = %site.display(), "installing Pagefind for the knowledge-base search (npm ci, once)");
    let installed = tokio::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&site)
        .status()
        .await;
    match installed {
        Ok(status) if status.success() => {}
        Ok(status) => tracing::warn!(%status, "npm ci failed: the site is built without search"),
        Err(e) => {
            tracing::warn!(error = %e, "npm is not available: the site is built without search")
        }
    }
}

/// Runs every job on each tick until the server stops. A failing job is logged and tried
/// again next tick; it never stops the server.
async fn scheduler(state: AppState, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        for job in Job::ALL {
            if let Err(e) = jobs::run(&state, job, state.clock.now()).await {
                tracing::error!(job = job.code(), error = %e, "scheduled job failed");
            }
        }
    }
}

/// `dealerdesk serve`: the engine, the table, demo data on first start, the scheduler and
/// every route.
pub async fn serve(args: ServeArgs) -> Result<(), CliError> {
    let clock = parse_clock(args.clock.as_deref())?;
    let opened = open(&args.store, clock.clone(), args.port).await?;
    let state = opened.state.clone();
    if opened.fresh {
        let report = demo::seed(&state, clock.now()).await?;
        tracing::info!(users = report.users_created, "demo data created");
    }
    // On every start, not only the first: a new release may embed a newly published year.
    let seeded = calendar::seed(&state, clock.now()).await?;
    if seeded > 0 {
        tracing::info!(
            items = seeded,
            "working calendar seeded from the official files"
        );
    }
    // Loading logs the current and next year when they are only provisional.
    calendar::load(&state).await?;
    // The site's search needs the Pagefind tool: a fresh checkout gets it on its first start.
    install_pagefind().await;
    // A data dir from before the knowledge-base suggestions gets their first index.
    dealerdesk_app::kb_suggest::seed(&state, clock.now()).await?;
    // The knowledge base: the seed articles of `site/content`, published, on a store that
    // has none; the site is (re)built at every start, so `/kb/` always has it.
    let seeded = kb::seed(&state, clock.now()).await?;
    if seeded > 0 {
        tracing::info!(articles = seeded, "knowledge base seeded and published");
    } else if let Err(e) = kb::rebuild(&state, None).await {
        tracing::error!(error = %e, "knowledge-base site could not be built");
    }
    if opened.fresh && args.demo_history {
        // The demo users are there; a history that cannot be played (a rule changed under
        // its script) leaves the network without it but never stops the server.
        if let Err(e) = demo::history::seed(&state).await {
            tracing::error!(error = %e, "demo history could not be created");
        }
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Io {
            context: format!("binding {addr}"),
            source,
        })?;
    let scheduler = (args.scheduler_seconds > 0).then(|| {
        tokio::spawn(scheduler(
            state.clone(),
            std::time::Duration::from_secs(args.scheduler_seconds),
        ))
    });
    tracing::info!("DealerDesk is serving http://{addr}");
    // The peer address is the client's address for the login limits (no proxy in front).
    let app = routes::all(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    if let Some(task) = scheduler {
        task.abort();
    }
    opened.close().await;
    served.map_err(|source| CliError::Io {
        context: "serving".into(),
        source,
    })
}

/// The local server's port for commands that run beside it (`DEALERDESK_PORT`, else 8080).
fn local_port() -> u16 {
    std::env::var("DEALERDESK_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080)
}

/// Opens the store, runs `f`, closes the store whatever `f` returned. A validation error
/// prints its Russian messages.
async fn with_store<F, Fut>(args: &StoreArgs, f: F) -> Result<(), CliError>
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let opened = open(args, Clock::system(), local_port()).await?;
    let result = f(opened.state.clone()).await;
    opened.close().await;
    result.map_err(|e| match e.field_errors() {
        fields if !fields.is_empty() => CliError::App(AppError::bad_request(
            "validation_failed",
            fields
                .into_iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        )),
        _ => CliError::App(e),
    })
}

/// `dealerdesk job`: one job, once, printing its report as JSON.
pub async fn run_job(args: JobArgs) -> Result<(), CliError> {
    let job = Job::from_code(&args.name).ok_or_else(|| {
        let names: Vec<_> = Job::ALL.iter().map(|j| j.code()).collect();
        CliError::UnknownJob(args.name.clone(), names.join(", "))
    })?;
    let clock = parse_clock(args.at.as_deref())?;
    let opened = open(&args.store, clock.clone(), local_port()).await?;
    let result = jobs::run(&opened.state, job, clock.now()).await;
    opened.close().await;
    let report = result?;
    println!("{}", serde_json::to_string(&report).unwrap_or_default());
    Ok(())
}

/// `dealerdesk bill`: the quarter's documents for every dealer, a progress bar on standard
/// error, the report (and how long it took) as JSON on standard output.
pub async fn run_bill(args: BillArgs) -> Result<(), CliError> {
    let clock = parse_clock(args.at.as_deref())?;
    let quarter = match args.quarter.as_deref() {
        Some(raw) => dealerdesk_app::billing::documents_api::parse_quarter(raw)
            .ok_or_else(|| CliError::Quarter(raw.to_string()))?,
        None => dealerdesk_app::billing::jobs::quarter_ended_before(clock.now()),
    };
    let opened = open(&args.store, clock.clone(), local_port()).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} дилеров, {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("Счета и акты за {}", quarter.label()));
    let started = std::time::Instant::now();
    let progress = |done: usize, of: usize| {
        bar.set_length(of as u64);
        bar.set_position(done as u64);
    };
    let result =
        dealerdesk_app::billing::jobs::bill(&opened.state, quarter, clock.now(), &progress).await;
    bar.finish();
    opened.close().await;
    let report = result?;
    println!(
        "{}",
        serde_json::json!({
            "quarter": quarter.code(),
            "issued": report.done,
            "failed": report.failed,
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn serve_over_the_embedded_engine_with_local_mail_and_folders_never_reaches_aws() {
        let cli = Cli::try_parse_from([
            "dealerdesk",
            "serve",
            "--store",
            "embedded",
            "--data-dir",
            "/tmp/x",
        ])
        .expect("a command line");
        let store = cli.command.store_args().store;
        assert_eq!(store, StoreKind::Embedded);
        assert!(!reaches_aws(store, &vars(&[])));
        assert!(!reaches_aws(
            store,
            &vars(&[
                ("DEALERDESK_MAIL", "mailbox"),
                ("DEALERDESK_BLOBS", "local"),
                ("DEALERDESK_BLOB_BUCKET", "named-but-not-used"),
                ("AWS_REGION", "eu-west-1"),
            ])
        ));
        let local_job = Cli::try_parse_from(["dealerdesk", "job", "outbox", "--store", "embedded"])
            .expect("a command line");
        assert!(!reaches_aws(
            local_job.command.store_args().store,
            &vars(&[])
        ));
    }

    #[test]
    fn dynamodb_in_aws_ses_and_buckets_reach_aws() {
        let list = Cli::try_parse_from(["dealerdesk", "site-key", "list", "--store", "dynamodb"])
            .expect("a command line");
        let dynamodb = list.command.store_args().store;
        assert!(reaches_aws(dynamodb, &vars(&[])));
        assert!(
            !reaches_aws(
                dynamodb,
                &vars(&[("DEALERDESK_DYNAMODB_ENDPOINT", "http://127.0.0.1:8000")])
            ),
            "a local DynamoDB-compatible engine takes dummy credentials"
        );
        let embedded = StoreKind::Embedded;
        for env in [
            &[("DEALERDESK_MAIL", "ses")][..],
            &[("DEALERDESK_BLOB_BUCKET", "files")][..],
            &[("DEALERDESK_BLOBS", "s3")][..],
            &[("DEALERDESK_SITE_BUCKET", "kb")][..],
        ] {
            assert!(reaches_aws(embedded, &vars(env)), "{env:?}");
        }
    }

    #[test]
    fn the_clock_accepts_rfc3339_and_refuses_anything_else() {
        assert!(parse_clock(None).is_ok());
        assert!(parse_clock(Some("2026-12-30T17:30:00+03:00")).is_ok());
        assert!(matches!(
            parse_clock(Some("friday evening")),
            Err(CliError::Clock(_))
        ));
    }
}
