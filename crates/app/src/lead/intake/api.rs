//! The intake's JSON API: the admin's sites (`/api/admin/sites…`, admin only) and the form
//! token the sites' pages fetch (`GET /api/leads/form-token`, no login, CORS for the site's
//! origins).

use crate::AppState;
use crate::kernel::address::ClientIp;
use crate::kernel::auth;
use crate::kernel::caller::{ApiCaller, authenticate};
use crate::kernel::error::AppError;
use crate::kernel::extract::{Body, JsonBody, form, parse_json};
use crate::kernel::ids::{IdPath, PathId};
use crate::kernel::templates::render;
use crate::lead::intake::views::{
    FormTokenView, IssuedKeyView, LeadCreatedView, SiteList, SiteView,
};
use crate::lead::intake::{self, Channel, SitePost, Taken, sites};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::kernel::{Refusal, RefusalKind};
use dealerdesk_domain::lead::{LeadDraft, MIN_FILL_TIME, Site, SiteDraft, SiteId};
use minijinja::context;
use serde::Deserialize;
use serde_json::Value;

impl PathId for SiteId {
    fn parse(raw: &str) -> Option<Self> {
        SiteId::parse(raw)
    }
}

/// `GET /api/admin/sites`
#[utoipa::path(get, path = "/api/admin/sites", tag = "leads", responses((status = 200, description = "Every site that posts leads, with its spam counters.", body = SiteList), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn list_sites(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<SiteList>, AppError> {
    let sites = sites::list(&state, &caller.actor).await?;
    Ok(Json(SiteList {
        items: sites.iter().map(SiteView::with_spam).collect(),
    }))
}

/// `POST /api/admin/sites`
/// `{name, dealer_id? | network_id?, origins: [...], thank_you_url?, consent_version}`
#[utoipa::path(post, path = "/api/admin/sites", tag = "leads", request_body(content = Object, description = "`{name, dealer_id? | network_id?, origins, thank_you_url?, consent_version}`."), responses((status = 201, description = "The site and its secret key, shown this once.", body = IssuedKeyView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn issue_site(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    JsonBody(draft): JsonBody<SiteDraft>,
) -> Result<Response, AppError> {
    let issued = sites::issue(&state, &caller.actor, &draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedKeyView {
            site: SiteView::new(&issued.site),
            secret_key: issued.secret_key,
        }),
    )
        .into_response())
}

/// The version of the site the admin saw.
#[derive(Deserialize)]
pub struct VersionBody {
    version: Option<u64>,
}

fn version(v: Option<u64>) -> Result<u64, AppError> {
    v.ok_or_else(|| {
        AppError::bad_request(
            "version_required",
            "Укажите версию сайта, которую вы видели (поле version).",
        )
    })
}

/// A change of a site's settings, against the version seen.
#[derive(Deserialize)]
pub struct UpdateBody {
    version: Option<u64>,
    #[serde(flatten)]
    draft: SiteDraft,
}

/// `PUT /api/admin/sites/{id}` `{name, origins, thank_you_url?, consent_version, version}`
#[utoipa::path(put, path = "/api/admin/sites/{id}", tag = "leads", request_body(content = Object, description = "`{name, origins, thank_you_url?, consent_version, version}`; the owner never changes."), params(("id" = String, Path, description = "The site id (its public form id).")), responses((status = 200, description = "The site.", body = SiteView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn update_site(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<SiteId>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> Result<Json<SiteView>, AppError> {
    crate::calendar::ensure_admin(&caller.actor)?;
    let site = sites::update(
        &state,
        &caller.actor,
        &id,
        &body.draft,
        version(body.version)?,
    )
    .await?;
    Ok(Json(SiteView::new(&site)))
}

/// `POST /api/admin/sites/{id}/rotate` `{version}`
#[utoipa::path(post, path = "/api/admin/sites/{id}/rotate", tag = "leads", request_body(content = Object, description = "`{version}`."), params(("id" = String, Path, description = "The site id.")), responses((status = 200, description = "The site and its new secret key, shown this once; the old key stops working.", body = IssuedKeyView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn rotate_site(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<SiteId>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<Json<IssuedKeyView>, AppError> {
    crate::calendar::ensure_admin(&caller.actor)?;
    let issued = sites::rotate(&state, &caller.actor, &id, version(body.version)?).await?;
    Ok(Json(IssuedKeyView {
        site: SiteView::new(&issued.site),
        secret_key: issued.secret_key,
    }))
}

/// `POST /api/admin/sites/{id}/revoke` `{version}`
#[utoipa::path(post, path = "/api/admin/sites/{id}/revoke", tag = "leads", request_body(content = Object, description = "`{version}`."), params(("id" = String, Path, description = "The site id.")), responses((status = 200, description = "The revoked site: its key and form id answer 401 from now on.", body = SiteView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn revoke_site(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<SiteId>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<Json<SiteView>, AppError> {
    crate::calendar::ensure_admin(&caller.actor)?;
    let site = sites::revoke(&state, &caller.actor, &id, version(body.version)?).await?;
    Ok(Json(SiteView::new(&site)))
}

/// The request's `Origin`, when a browser sent one.
pub fn request_origin(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| !o.is_empty())
}

/// Adds the CORS answer for `origin` (already checked against the site) to a response.
pub fn allow_origin(mut response: Response, origin: Option<&str>) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(value) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    response
}

#[derive(Deserialize)]
struct TokenQuery {
    site: Option<String>,
}

/// `GET /api/leads/form-token?site=<form id>`
#[utoipa::path(get, path = "/api/leads/form-token", tag = "leads", params(("site" = String, Query, description = "The site's public form id.")), responses((status = 200, description = "A signed form token; CORS for the site's origins.", body = FormTokenView), (status = "4XX", description = "Refused: the `error` envelope (401 for an unknown or revoked site, or a page of another origin).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn form_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let query: TokenQuery = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .unwrap_or(TokenQuery { site: None });
    let origin = request_origin(&headers);
    let (site, token) = intake::form_token(&state, query.site.as_deref(), origin).await?;
    let body = Json(FormTokenView {
        token,
        site: site.id.to_string(),
        min_fill_seconds: MIN_FILL_TIME.num_seconds(),
    });
    Ok(allow_origin(body.into_response(), origin))
}

/// The hidden field people never see and bots fill in.
pub const HONEYPOT_FIELD: &str = "website";
/// The hidden field the script puts the form token into.
pub const TOKEN_FIELD: &str = "form_token";

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// What the `Content-Type` says the body is.
enum Kind {
    Form,
    Json,
    Other,
}

fn kind(headers: &HeaderMap) -> Kind {
    let Some(ct) = header_text(headers, header::CONTENT_TYPE.as_str()) else {
        return Kind::Json;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Kind::Form,
        "application/json" => Kind::Json,
        e if e.starts_with("application/") && e.ends_with("+json") => Kind::Json,
        _ => Kind::Other,
    }
}

/// A JSON lead: every field's value as text (`"consent": true`, `"price": 1990000` read as
/// the form's `"true"`, `"1990000"`); anything but an object is a 400.
fn json_draft(body: &[u8]) -> Result<LeadDraft, AppError> {
    let value: Value = parse_json(&axum::body::Bytes::copy_from_slice(body))?;
    let Value::Object(map) = value else {
        return Err(AppError::bad_request(
            "bad_json",
            "Тело запроса должно быть JSON-объектом с полями заявки.",
        ));
    };
    let text: serde_json::Map<String, Value> = map
        .into_iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::Null => return None,
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => other.to_string(),
            };
            Some((k, Value::String(s)))
        })
        .collect();
    serde_json::from_value(Value::Object(text)).map_err(|_| {
        AppError::bad_request(
            "bad_json",
            "Тело запроса должно быть JSON-объектом с полями заявки.",
        )
    })
}

/// `POST /api/leads`: a lead from a site's server (JSON with `X-Site-Key`), a site's
/// browser form (`application/x-www-form-urlencoded` with the hidden `site` field and the
/// form token), or a dealer's session (JSON, `source` `phone` or `showroom`).
#[utoipa::path(post, path = "/api/leads", tag = "leads", request_body(content = Object, description = "`{type, name, surname?, phone?, email?, city?, dealer_id?, model?, version?, trim?, price?, consent, source?, utm_source?, utm_medium?, utm_campaign?, utm_content?, utm_term?}` as JSON (`X-Site-Key`, or a dealer's session) or as a form (`site`, `form_token`, the empty `website` field). `Idempotency-Key` makes a retry safe."), responses((status = 201, description = "The lead (a retry: the first lead).", body = LeadCreatedView), (status = 303, description = "A browser form: to the site's thank-you page."), (status = "4XX", description = "Refused: the `error` envelope (a browser form: a Russian page).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn post_lead(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Body(body): Body,
) -> Response {
    let origin = request_origin(&headers).map(str::to_owned);
    let address = ip.map(|ip| ip.to_string());
    let idempotency_key = header_text(&headers, "idempotency-key").map(str::to_owned);
    match kind(&headers) {
        Kind::Form => {
            let fields = form(&body);
            // From the fields as read (a repeated field: its last value), so a form with a
            // hidden default before its checkbox still reads as one draft.
            let draft: LeadDraft = serde_json::to_value(&fields)
                .and_then(serde_json::from_value)
                .unwrap_or_default();
            let get = |name: &str| fields.get(name).cloned();
            let post = SitePost {
                channel: Channel::Browser {
                    form_id: get("site"),
                    token: get(TOKEN_FIELD),
                    honeypot: get(HONEYPOT_FIELD),
                },
                origin,
                address,
                idempotency_key,
                consent_version: get("consent_version"),
                draft,
            };
            let answer = intake::take_from_site(&state, post).await;
            form_answer(&state, answer.site.as_ref(), answer.result)
        }
        Kind::Json => {
            let site_key = header_text(&headers, "x-site-key").map(str::to_owned);
            let draft = match json_draft(&body) {
                Ok(d) => d,
                Err(e) => return e.into_response(),
            };
            if site_key.is_some() {
                let post = SitePost {
                    channel: Channel::Server { key: site_key },
                    origin: origin.clone(),
                    address,
                    idempotency_key,
                    consent_version: None,
                    draft,
                };
                let answer = intake::take_from_site(&state, post).await;
                // The site's page may read the answer only from the site's own origins.
                let allowed = origin
                    .as_deref()
                    .filter(|o| answer.site.as_ref().is_some_and(|s| s.allows_origin(o)));
                let response = match answer.result {
                    Ok(taken) => json_answer(taken),
                    Err(e) => e.into_response(),
                };
                return allow_origin(response, allowed);
            }
            let Some(token) = auth::bearer_token(&headers) else {
                return sites::unknown_site().into_response();
            };
            let result = async {
                let principal = authenticate(&state, token).await?;
                intake::take_from_dealer(
                    &state,
                    &principal.actor,
                    &draft,
                    idempotency_key.as_deref(),
                    address,
                )
                .await
            }
            .await;
            match result {
                Ok(taken) => json_answer(taken),
                Err(e) => e.into_response(),
            }
        }
        Kind::Other => AppError::Refused(Refusal::new(
            RefusalKind::UnsupportedType,
            "unsupported_media_type",
            "Заявку отправляют как JSON (application/json) или как форму (application/x-www-form-urlencoded).",
        ))
        .into_response(),
    }
}

fn json_answer(taken: Taken) -> Response {
    match taken {
        Taken::Lead { lead, .. } => {
            (StatusCode::CREATED, Json(LeadCreatedView::new(&lead))).into_response()
        }
        // Server posts are never taken for spam; kept total all the same.
        Taken::Spam => StatusCode::ACCEPTED.into_response(),
    }
}

/// A browser form's answer: to the site's thank-you page (or ours) for a lead and for spam
/// alike; a refusal is a small Russian page with what to fix.
fn form_answer(state: &AppState, site: Option<&Site>, result: Result<Taken, AppError>) -> Response {
    match result {
        Ok(_) => match site.and_then(|s| s.settings.thank_you_url.as_deref()) {
            Some(url) => Redirect::to(url).into_response(),
            None => render(
                state,
                StatusCode::OK,
                "lead/intake/answer.html",
                context! { error => None::<String> },
            ),
        },
        Err(e) => {
            let fields: Vec<String> = e.field_errors().into_iter().map(|(_, m)| m).collect();
            let mut response = render(
                state,
                e.status(),
                "lead/intake/answer.html",
                context! { error => e.message_ru(), fields => fields },
            );
            if let AppError::Throttled {
                retry_after_seconds,
                ..
            } = e
            {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_seconds.into());
            }
            response
        }
    }
}

/// `OPTIONS /api/leads`: the CORS preflight of a site page's JSON post. Which site posts is
/// known only from the post's key, so the preflight admits any web origin; the post itself
/// is checked against its site's origins (401 otherwise) and only then readable.
#[utoipa::path(options, path = "/api/leads", tag = "leads", responses((status = 204, description = "The CORS preflight of a site page's JSON post: `Access-Control-Allow-Origin` for the page's origin, `POST`, `Content-Type`, `X-Site-Key`, `Idempotency-Key`.")))]
pub async fn preflight(headers: HeaderMap) -> Response {
    let origin = request_origin(&headers)
        .and_then(dealerdesk_domain::lead::normalise_origin)
        .and_then(|o| HeaderValue::from_str(&o).ok());
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, x-site-key, idempotency-key"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}
