//! DealerDesk's use cases and their HTTP faces.
//!
//! A request flows: handler (parse) → use case (authorise → domain → store) → handler
//! (render). The same routers serve API Gateway through `lambda_http` and the local
//! server through hyper, so Lambda and laptop run identical code.
//!
//! One folder per feature, the same inside each: `mod.rs` (use cases), `api.rs` (JSON
//! handlers), `portal.rs` (pages), `views.rs` (what they show), `jobs.rs` (scheduled work)
//! and `routes.rs`. What every feature repeats is in [`kernel`]; [`routes`] only composes.

pub mod accountant;
pub mod attachment;
pub mod audit;
pub mod billing;
pub mod blobs;
pub mod calendar;
pub mod clock;
pub mod comment;
pub mod cost;
pub mod dashboard;
pub mod dealer_survey;
pub mod demo;
pub mod inbox;
pub mod jobs;
pub mod kb;
pub mod kb_suggest;
pub mod kernel;
pub mod lead;
pub mod openapi;
pub mod outbox;
pub mod ports;
pub mod report;
pub mod restore;
pub mod routes;
pub mod session;
pub mod settings;
pub mod telemetry;
pub mod ticket;
pub mod users;
pub mod wish;

pub use clock::Clock;
pub use kernel::error::AppError;
pub use outbox::mail;
pub use ports::Ports;

use dealerdesk_store::Store;
use std::sync::Arc;

/// Settings that are not the store's.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Mark cookies `Secure` (true behind HTTPS in AWS; false on a laptop's plain HTTP).
    pub cookie_secure: bool,
    /// How long a login lasts.
    pub session_hours: i64,
    /// How the estimate banner picks similar work: the look-back period (90 days) and the
    /// fewest similar tickets it is shown from (3), SPEC §2.5.
    pub estimate: dealerdesk_domain::EstimateSettings,
    /// Where people reach the portal; links in e-mails start with it.
    pub public_url: String,
    /// The key of the platform's signed tokens (lead form tokens, survey links):
    /// `DEALERDESK_SIGNING_KEY`, required in AWS; the local server keeps one in its data dir.
    pub signing_key: String,
    /// Where the knowledge-base site's pages are: suggestions link to
    /// `<kb_url><section>/<slug>/` (`DEALERDESK_KB_URL`, default `/kb/`).
    pub kb_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            cookie_secure: false,
            session_hours: 12,
            estimate: dealerdesk_domain::EstimateSettings::default(),
            public_url: "http://127.0.0.1:8080".into(),
            // Tests and a bare `Settings::default()` only: `from_env` refuses to run a Lambda
            // without a real key, and `dealerdesk serve` makes one per data dir.
            signing_key: "dealerdesk-local-signing-key-tests-only".into(),
            kb_url: "/kb/".into(),
        }
    }
}

impl Settings {
    /// Reads `DEALERDESK_COOKIE_SECURE` (`true`/`false`, default false) and
    /// `DEALERDESK_PUBLIC_URL`. The platform's own settings (the days of auto-acceptance)
    /// are the admin's, in the table (`settings`), not the environment.
    pub fn from_env() -> Result<Settings, AppError> {
        let cookie_secure = match std::env::var("DEALERDESK_COOKIE_SECURE").as_deref() {
            Ok("true") | Ok("1") => true,
            Ok("false") | Ok("0") | Ok("") | Err(_) => false,
            Ok(other) => {
                return Err(AppError::Config(format!(
                    "DEALERDESK_COOKIE_SECURE must be true or false, not {other:?}"
                )));
            }
        };
        let defaults = Settings::default();
        let signing_key = match std::env::var("DEALERDESK_SIGNING_KEY") {
            Ok(key) if key.len() >= 32 => key,
            Ok(key) if !key.is_empty() => {
                return Err(AppError::Config(
                    "DEALERDESK_SIGNING_KEY must be at least 32 characters".into(),
                ));
            }
            _ if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() => {
                return Err(AppError::Config(
                    "DEALERDESK_SIGNING_KEY is not set: signed links would be forgeable".into(),
                ));
            }
            _ => defaults.signing_key.clone(),
        };
        Ok(Settings {
            cookie_secure,
            signing_key,
            public_url: std::env::var("DEALERDESK_PUBLIC_URL")
                .ok()
                .filter(|u| !u.is_empty())
                .unwrap_or(defaults.public_url),
            kb_url: std::env::var("DEALERDESK_KB_URL")
                .ok()
                .filter(|u| !u.is_empty())
                .map(|u| if u.ends_with('/') { u } else { format!("{u}/") })
                .unwrap_or(defaults.kb_url),
            ..defaults
        })
    }
}

/// Everything a request needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub mailer: Arc<mail::Mailer>,
    /// Where attached files' bytes go (S3 in AWS, a folder locally).
    pub blobs: Arc<blobs::Blobs>,
    /// Where the knowledge-base site is published (the site bucket in AWS, a folder locally).
    pub site: Arc<kb::site::SiteOut>,
    /// The pages' and letters' templates, if this function has them ([`Ports::templates`]).
    pub(crate) templates: Arc<ports::Templates>,
    /// This instance's copy of the knowledge-base suggestion index.
    pub(crate) kb_suggest: Arc<kb_suggest::IndexCache>,
    /// This instance's copies of callers' sessions by token hash ([`kernel::caller`]).
    pub(crate) sessions: Arc<kernel::fresh::Fresh<String, kernel::auth::Principal>>,
    /// This instance's copy of the working calendar ([`calendar::load`]).
    pub(crate) calendar: Arc<kernel::fresh::Fresh<(), dealerdesk_domain::WorkingCalendar>>,
    /// This instance's copies of sites, dealers, routing rules and hours ([`lead::LeadCopies`]).
    pub(crate) lead_copies: Arc<lead::LeadCopies>,
}

impl AppState {
    /// Builds the state over a connected store, with every port (the local server, the tests).
    pub fn new(
        store: Store,
        clock: Clock,
        settings: Settings,
        mailer: mail::Mailer,
        blobs: blobs::Blobs,
    ) -> AppState {
        AppState::assemble(
            store,
            clock,
            settings,
            mailer,
            blobs,
            ports::Templates::new(Some(templates)),
        )
    }

    fn assemble(
        store: Store,
        clock: Clock,
        settings: Settings,
        mailer: mail::Mailer,
        blobs: blobs::Blobs,
        templates: ports::Templates,
    ) -> AppState {
        // A folder of its own until the caller says where (`with_site`).
        let site = kb::site::SiteOut::local(
            std::env::temp_dir().join(format!("dealerdesk-site-{}", ulid::Ulid::new())),
            format!("{}/kb/", settings.public_url.trim_end_matches('/')),
        );
        AppState {
            site: Arc::new(site),
            store: Arc::new(store),
            clock,
            settings: Arc::new(settings),
            mailer: Arc::new(mailer),
            blobs: Arc::new(blobs),
            templates: Arc::new(templates),
            kb_suggest: Arc::new(kb_suggest::IndexCache::default()),
            sessions: Arc::default(),
            calendar: Arc::default(),
            lead_copies: Arc::default(),
        }
    }

    /// The same state publishing the knowledge-base site to `site`.
    pub fn with_site(mut self, site: kb::site::SiteOut) -> AppState {
        self.site = Arc::new(site);
        self
    }
}

/// The portal's and the e-mails' templates: the kernel's pages plus each feature's.
fn templates() -> minijinja::Environment<'static> {
    kernel::templates::environment(&FEATURE_TEMPLATES)
}

/// Every feature's templates (pages and letters), registered by [`templates`].
const FEATURE_TEMPLATES: [fn(&mut kernel::templates::Sources); 23] = [
    ticket::views::add_templates,
    cost::views::add_templates,
    comment::views::add_templates,
    wish::views::add_templates,
    kb::views::add_templates,
    calendar::portal::add_templates,
    settings::views::add_templates,
    kb_suggest::views::add_templates,
    lead::intake::views::add_templates,
    outbox::portal::add_templates,
    inbox::views::add_templates,
    lead::card::views::add_templates,
    outbox::mail::add_templates,
    lead::escalation::views::add_templates,
    lead::survey::views::add_templates,
    lead::privacy::views::add_templates,
    accountant::views::add_templates,
    dealer_survey::views::add_templates,
    dashboard::views::add_templates,
    audit::views::add_templates,
    restore::views::add_templates,
    billing::portal::add_templates,
    report::views::add_templates,
];
