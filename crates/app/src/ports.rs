//! What a Lambda function's routes use besides the table, named by its `main`.
//!
//! Every function has the store, the clock and the settings. The other ports — e-mail (SES),
//! attached files (S3), the knowledge-base site's bucket and the templates of pages and letters
//! — are built only when the `main` names them, and, more to the point, *linked* only then: a
//! port no `main` names is never referenced by that binary, so the link-time optimiser drops
//! the SDK client behind it, the templates and their compiler. That is what keeps an API
//! function small and its init short (infra/deploy.md, "Build").
//!
//! A port a function does not have answers a typed error ([`AppError::Config`], a 503 in the API's
//! envelope) if a route ever reaches it, never a panic; the local server and the tests build
//! every port ([`AppState::new`]).

use crate::blobs::Blobs;
use crate::kb::site::SiteOut;
use crate::kernel::error::AppError;
use crate::mail::Mailer;
use crate::{AppState, Clock, Settings};
use dealerdesk_store::{Store, StoreConfig};
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

/// A port built from the environment at init.
type FromEnv<T> = fn() -> Pin<Box<dyn Future<Output = Result<T, AppError>>>>;
/// The site's output from the environment, given the address it is opened at by default.
type SiteFromEnv = fn(String) -> Pin<Box<dyn Future<Output = Result<SiteOut, AppError>>>>;

/// The ports one function's `main` names (see the module's documentation).
#[derive(Clone, Copy, Default)]
pub struct Ports {
    mail: Option<FromEnv<Mailer>>,
    blobs: Option<FromEnv<Blobs>>,
    site: Option<SiteFromEnv>,
    templates: Option<fn() -> minijinja::Environment<'static>>,
}

impl Ports {
    /// The store, the clock and the settings only.
    pub fn store() -> Ports {
        Ports::default()
    }

    /// E-mail: SES (`DEALERDESK_MAIL=ses`) or the local mailbox ([`Mailer::from_env`]).
    pub fn mail(mut self) -> Ports {
        self.mail = Some(|| {
            Box::pin(async {
                Mailer::from_env(&std::env::temp_dir().join("dealerdesk-mail")).await
            })
        });
        self
    }

    /// Attached files, billing documents and the suggestions' index: S3 or a folder
    /// ([`Blobs::from_env`]).
    pub fn blobs(mut self) -> Ports {
        self.blobs = Some(|| {
            Box::pin(async {
                let blobs = Blobs::from_env(&std::env::temp_dir().join("dealerdesk-blobs")).await?;
                if let Blobs::LocalDir(dir) = &blobs {
                    // A Lambda's disk is its own and short-lived: files kept there are lost.
                    tracing::warn!(dir = %dir.display(), "attached files go to a local folder; set DEALERDESK_BLOB_BUCKET in AWS");
                }
                Ok(blobs)
            })
        });
        self
    }

    /// The knowledge-base site's output (its bucket, or a folder): for the functions that
    /// publish articles.
    pub fn site(mut self) -> Ports {
        self.site = Some(|default_url| {
            Box::pin(async move {
                SiteOut::from_env(&std::env::temp_dir().join("dealerdesk-site"), &default_url).await
            })
        });
        self
    }

    /// The templates of the portal's pages and of the e-mails (compiled at their first use):
    /// for the functions that render a page, a letter or a notice's headline.
    pub fn templates(mut self) -> Ports {
        self.templates = Some(crate::templates);
        self
    }
}

/// This instance's templates: compiled on first use, from what the function's ports name
/// (none: an empty environment, so a page asked of a function without pages is an error answer).
pub(crate) struct Templates {
    build: Option<fn() -> minijinja::Environment<'static>>,
    env: OnceLock<minijinja::Environment<'static>>,
}

impl Templates {
    pub(crate) fn new(build: Option<fn() -> minijinja::Environment<'static>>) -> Templates {
        Templates {
            build,
            env: OnceLock::new(),
        }
    }

    /// The environment, compiled now if it is the first use.
    pub(crate) fn get(&self) -> &minijinja::Environment<'static> {
        self.env.get_or_init(|| match self.build {
            Some(build) => build(),
            None => minijinja::Environment::empty(),
        })
    }

    /// Whether this function renders pages at all.
    pub(crate) fn has_pages(&self) -> bool {
        self.build.is_some()
    }
}

impl AppState {
    /// The Lambda way: the store, the settings and the named `ports` from the environment,
    /// the real clock. Makes no network call (the SDK clients connect at their first request).
    pub async fn from_env(ports: Ports) -> Result<AppState, AppError> {
        let store = Store::connect(&StoreConfig::from_env()).await?;
        let settings = Settings::from_env()?;
        let mailer = match ports.mail {
            Some(from_env) => from_env().await?,
            None => Mailer::Absent,
        };
        let blobs = match ports.blobs {
            Some(from_env) => from_env().await?,
            None => Blobs::Absent,
        };
        let site_url = format!("{}/kb/", settings.public_url.trim_end_matches('/'));
        let site = match ports.site {
            Some(from_env) => from_env(site_url).await?,
            None => SiteOut::absent(site_url),
        };
        Ok(AppState::assemble(
            store,
            Clock::system(),
            settings,
            mailer,
            blobs,
            Templates::new(ports.templates),
        )
        .with_site(site))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt as _;

    /// An API function's state: the store (never reached here) and no other port.
    async fn store_only() -> AppState {
        let store = Store::connect(&StoreConfig::local("http://127.0.0.1:9", "no-table"))
            .await
            .expect("connecting touches no network");
        AppState::assemble(
            store,
            Clock::system(),
            Settings::default(),
            Mailer::Absent,
            Blobs::Absent,
            Templates::new(None),
        )
    }

    #[tokio::test]
    async fn a_function_without_the_blob_port_refuses_files_with_a_configuration_error() {
        let state = store_only().await;
        let put = state
            .blobs
            .put("tickets/t1/a1", "text/plain", b"x".to_vec())
            .await;
        assert!(
            matches!(put, Err(AppError::Config(ref m)) if m.contains("Ports::blobs")),
            "{put:?}"
        );
        let get = state.blobs.get("tickets/t1/a1").await;
        assert!(matches!(get, Err(AppError::Config(_))), "{get:?}");
        assert_eq!(get.unwrap_err().status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[tokio::test]
    async fn a_function_without_the_mail_port_leaves_a_notice_undelivered() {
        let state = store_only().await;
        let email = crate::mail::Email {
            to: vec!["dealer@example.com".into()],
            subject: "Тема".into(),
            text: "Текст".into(),
            html: "<p>Текст</p>".into(),
        };
        let sent = state
            .mailer
            .deliver("notice-1", &email, state.clock.now())
            .await;
        assert!(
            matches!(sent, Err(ref m) if m.contains("Ports::mail")),
            "{sent:?}"
        );
        assert_eq!(state.mailer.mailbox(), None);
    }

    #[tokio::test]
    async fn a_function_without_the_site_port_refuses_to_publish() {
        let site = SiteOut::absent("https://kb.example.com");
        let built = site.publish(&[], &[], chrono::Utc::now()).await;
        assert!(
            matches!(built, Err(AppError::Config(ref m)) if m.contains("Ports::site")),
            "{built:?}"
        );
    }

    #[tokio::test]
    async fn a_function_without_pages_answers_a_path_outside_the_api_with_the_apis_json_404() {
        let state = store_only().await;
        assert!(!state.templates.has_pages());
        let response = crate::routes::session(state)
            .oneshot(
                Request::get("/tickets/T-1")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("the router answers");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .expect("body");
        let json: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
        assert_eq!(json["error"]["code"], "not_found", "{json}");
    }

    #[test]
    fn the_templates_are_compiled_at_their_first_use_only_where_named() {
        let none = Templates::new(None);
        assert!(none.get().get_template("error.html").is_err());
        let all = Templates::new(Some(crate::templates));
        assert!(
            all.env.get().is_none(),
            "nothing compiled before the first use"
        );
        assert!(all.get().get_template("error.html").is_ok());
    }

    #[test]
    fn every_template_compiles() {
        let env = crate::templates();
        let sources = crate::kernel::templates::sources(&crate::FEATURE_TEMPLATES);
        let mut count = 0;
        for name in sources.names() {
            if let Err(e) = env.get_template(name) {
                panic!("{name} does not compile: {e:#}");
            }
            count += 1;
        }
        assert!(count > 50, "only {count} templates registered");
    }

    #[test]
    fn a_page_compiles_only_its_own_templates_at_its_first_render() {
        let env = crate::templates();
        assert_eq!(env.templates().count(), 0, "nothing compiled up front");
        let html = env
            .get_template("error.html")
            .and_then(|t| t.render(minijinja::context! { status => 404, message => "Не найдено" }))
            .expect("the error page renders");
        assert!(html.contains("Не найдено"));
        let compiled: Vec<&str> = env.templates().map(|(name, _)| name).collect();
        assert!(
            compiled.len() <= 3 && compiled.contains(&"error.html"),
            "compiled: {compiled:?}"
        );
    }
}
