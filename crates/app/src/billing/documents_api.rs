//! The documents' JSON API.
//!
//! - `GET /api/documents?quarter=2026-Q4&dealer=dealer-1` — `{items: [{id, kind, number,
//!   date, quarter, total, vat, download_url, …}]}`: the caller's dealer's documents (its
//!   staff and accountant), an account manager's dealers', any for admins; `dealer=`
//!   narrows (another dealer's: 404);
//! - `GET /api/documents/{id}` — the PDF (`application/pdf`);
//! - `POST /api/documents/{id}/paid` — `{"version": 2}`: the admin marks an invoice paid;
//! - `POST /api/documents/{id}/correct` — `{"version": 2}`: the admin bills the quarter
//!   again and issues a corrective document (201); the original stays.

use crate::AppState;
use crate::billing::documents;
use crate::billing::views::{DocumentListView, DocumentView};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::{IdPath, PathId};
use crate::kernel::names::dealer_names;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::billing::issued::IssuedDocument;
use dealerdesk_domain::{DealerId, Quarter, platform_date};
use serde::Deserialize;

/// A document's id in a path: lower-case letters, digits and `-`, at most 120.
#[derive(Clone, Debug)]
pub struct DocumentId(pub String);

impl PathId for DocumentId {
    fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= 120
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| DocumentId(raw.to_string()))
    }
}

/// A quarter as `2026-Q4` or `2026Q4`.
pub fn parse_quarter(raw: &str) -> Option<Quarter> {
    let raw = raw.trim().to_ascii_uppercase();
    Quarter::from_code(&raw).or_else(|| {
        let (year, q) = raw.split_once('Q')?;
        Quarter::new(year.parse().ok()?, q.parse().ok()?)
    })
}

/// `quarter` and `dealer` of a listing's query.
pub(crate) fn filters(
    query: Option<&str>,
) -> Result<(Option<Quarter>, Option<DealerId>), AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| AppError::bad_request("bad_query", "Параметры запроса заданы неверно."))?;
    let mut quarter = None;
    let mut dealer = None;
    for (k, v) in pairs {
        match k.as_str() {
            "quarter" if !v.trim().is_empty() => {
                quarter = Some(parse_quarter(&v).ok_or_else(|| {
                    AppError::bad_request("bad_quarter", "Квартал — в виде 2026-Q4.")
                })?)
            }
            "dealer" if !v.trim().is_empty() => {
                dealer = Some(DealerId::parse(v.trim()).ok_or_else(AppError::not_found)?)
            }
            _ => {}
        }
    }
    Ok((quarter, dealer))
}

/// The documents as the API shows them.
pub(crate) async fn views(
    state: &AppState,
    docs: &[IssuedDocument],
) -> Result<Vec<DocumentView>, AppError> {
    let names = dealer_names(state).await?;
    let today = platform_date(state.clock.now());
    Ok(docs
        .iter()
        .map(|d| DocumentView::new(d, today, &names))
        .collect())
}

/// `GET /api/documents`
#[utoipa::path(get, path = "/api/documents", tag = "billing", params(("quarter" = Option<String>, Query, description = "`2026-Q4`"), ("dealer" = Option<String>, Query, description = "A dealer (staff and admins)")), responses((status = 200, description = "The documents, newest first.", body = DocumentListView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn list_documents(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawQuery(query): RawQuery,
) -> Result<Json<DocumentListView>, AppError> {
    let (quarter, dealer) = filters(query.as_deref())?;
    let docs = documents::list(&state, &caller.actor, dealer.as_ref(), quarter).await?;
    Ok(Json(DocumentListView {
        items: views(&state, &docs).await?,
    }))
}

/// The PDF answer of a document.
pub fn pdf_response(doc: &IssuedDocument, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-{}.pdf\"",
        doc.kind().code(),
        doc.document.number
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `GET /api/documents/{id}`
#[utoipa::path(get, path = "/api/documents/{id}", tag = "billing", params(("id" = String, Path, description = "The document")), responses((status = 200, description = "The document's PDF.", content_type = "application/pdf", body = Vec<u8>), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn get_document(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<DocumentId>,
) -> Result<Response, AppError> {
    let (doc, bytes) = documents::pdf(&state, &caller.actor, &id.0).await?;
    Ok(pdf_response(&doc, bytes))
}

/// An admin's move on a document, against the version seen.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DocumentMoveBody {
    /// The document's `version`.
    version: Option<u64>,
}

/// `POST /api/documents/{id}/paid`
#[utoipa::path(post, path = "/api/documents/{id}/paid", tag = "billing", params(("id" = String, Path, description = "The invoice")), request_body = DocumentMoveBody, responses((status = 200, description = "The invoice, paid.", body = DocumentView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn mark_paid(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<DocumentId>,
    JsonBody(body): JsonBody<DocumentMoveBody>,
) -> Result<Json<DocumentView>, AppError> {
    let doc = documents::mark_paid(&state, &caller.actor, &id.0, body.version).await?;
    let mut v = views(&state, std::slice::from_ref(&doc)).await?;
    Ok(Json(v.remove(0)))
}

/// `POST /api/documents/{id}/correct`
#[utoipa::path(post, path = "/api/documents/{id}/correct", tag = "billing", params(("id" = String, Path, description = "The document to correct")), request_body = DocumentMoveBody, responses((status = 201, description = "The corrective document.", body = DocumentView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn correct(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<DocumentId>,
    JsonBody(body): JsonBody<DocumentMoveBody>,
) -> Result<(StatusCode, Json<DocumentView>), AppError> {
    let doc = documents::correct(&state, &caller.actor, &id.0, body.version).await?;
    let mut v = views(&state, std::slice::from_ref(&doc)).await?;
    Ok((StatusCode::CREATED, Json(v.remove(0))))
}
