//! The portal's templates and how a page is rendered: one environment compiled into the
//! binary (a Lambda needs no files), one render, one error page, the stylesheet, and the
//! fallback that answers unknown paths (JSON under `/api`, a page elsewhere).

use crate::AppState;
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use std::collections::BTreeMap;

/// The sources of the templates a function may render, by name; compiled only when a page
/// first asks for one (see [`environment`]).
#[derive(Debug, Default)]
pub struct Sources(BTreeMap<String, &'static str>);

impl Sources {
    /// The registered names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// The shared pages (layout, login, errors) plus whatever the features add: each feature
/// registers its own templates with one of `extra`.
///
/// Nothing is compiled here: the environment's loader compiles a template (and those it
/// extends or includes) the first time it is rendered, and keeps it. A portal function's first
/// answer (the login page) so compiles that page and its layout, not the sixty templates of
/// every feature (issue #12: the portal's cold start).
pub fn environment(extra: &[fn(&mut Sources)]) -> Environment<'static> {
    let sources = sources(extra);
    let mut env = Environment::new();
    env.set_loader(move |name| Ok(sources.0.get(name).map(|source| source.to_string())));
    env
}

/// The shared pages' sources and those of `extra`.
pub fn sources(extra: &[fn(&mut Sources)]) -> Sources {
    let mut sources = Sources::default();
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("login.html", include_str!("../../templates/login.html")),
        ("error.html", include_str!("../../templates/error.html")),
        ("home.html", include_str!("../../templates/home.html")),
    ] {
        add(&mut sources, name, source);
    }
    for add_feature in extra {
        add_feature(&mut sources);
    }
    sources
}

/// Registers one compiled-in template. The sources are part of the binary; a syntax error is
/// caught by `every_template_compiles` and the tests that render every page, so a failure at
/// the first render cannot depend on input.
pub fn add(sources: &mut Sources, name: &str, source: &'static str) {
    sources.0.insert(name.to_string(), source);
}

/// Any serialisable value for a template (our JSON views included).
pub fn serde_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(Serde(value))
}

const STYLE: &str = include_str!("../../templates/style.css");

/// `GET /static/style.css`
pub async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// Renders template `name` with `ctx`.
pub fn render(state: &AppState, status: StatusCode, name: &str, ctx: Value) -> Response {
    match state
        .templates
        .get()
        .get_template(name)
        .and_then(|t| t.render(ctx))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "render failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>Ошибка отображения страницы</h1>".to_string()),
            )
                .into_response()
        }
    }
}

/// The portal's error page for `error`; in a function without pages (an API function asked
/// for a path outside the API) the API's JSON error.
pub fn error_page(state: &AppState, caller: Option<&PortalCaller>, error: &AppError) -> Response {
    let status = error.status();
    if !state.templates.has_pages() {
        return (status, axum::Json(error.body())).into_response();
    }
    if status.is_server_error() {
        tracing::error!(error = %error, "portal request failed");
    }
    render(
        state,
        status,
        "error.html",
        context! { me => caller.map(PortalCaller::layout), status => status.as_u16(), message => error.message_ru() },
    )
}

/// Whether a path is the API's (its answers are JSON, errors included).
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Anything else: a JSON 404 under `/api`, an HTML one elsewhere.
pub async fn fallback(State(state): State<AppState>, uri: Uri) -> Response {
    if is_api(uri.path()) {
        return AppError::not_found().into_response();
    }
    error_page(&state, None, &AppError::not_found())
}

/// A known path asked with a method it does not take: 405 in the API's envelope under
/// `/api` (the framework's answer, not a refusal of the rules, so it has no refusal kind),
/// the plain 405 elsewhere. The router still adds `Allow`.
pub async fn method_not_allowed(uri: Uri) -> Response {
    if !is_api(uri.path()) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let body = serde_json::json!({
        "error": {
            "code": "method_not_allowed",
            "message": "Этот адрес не принимает такой метод запроса.",
        }
    });
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}
