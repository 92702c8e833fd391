//! The intake's JSON API: the admin's sites (`/api/admin/sites…`, admin only) and the form
//! token the sites' pages fetch (`GET /api/leads/form-token`, no login, CORS for the site's
//! origins).

use crate::AppState;
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::{IdPath, PathId};
use crate::lead::intake::views::{FormTokenView, IssuedKeyView, SiteList, SiteView};
use crate::lead::intake::{self, sites};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::lead::{MIN_FILL_TIME, SiteDraft, SiteId};
use serde::Deserialize;

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
