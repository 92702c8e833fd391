//! The knowledge base's JSON API: support staff's articles (`/api/kb/articles…`) and the
//! draft from a ticket.

use crate::AppState;
use crate::kb::views::{
    ArticleCard, ArticleDraftView, ArticleList, ArticleVersionView, ArticleView,
};
use crate::kb::{self, ArticleSlug};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dealerdesk_domain::TicketId;
use dealerdesk_domain::kb::ArticleDraft;
use serde::Deserialize;

/// `GET /api/kb/articles`: every article, drafts too (support staff).
#[utoipa::path(get, path = "/api/kb/articles", tag = "kb", responses((status = 200, description = "Every article by section and slug.", body = ArticleList), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ArticleList>, AppError> {
    let articles = kb::list(&state, &caller.actor).await?;
    Ok(Json(ArticleList {
        items: articles
            .iter()
            .map(|a| ArticleView::new(a, &state.site.url))
            .collect(),
    }))
}

/// `POST /api/kb/articles` `{slug, section, title, tags, summary, body}`: a new draft.
#[utoipa::path(post, path = "/api/kb/articles", tag = "kb", request_body(content = Object, description = "`{slug, section, title, tags, summary, body}` (Markdown body)."), responses((status = 201, description = "The draft.", body = ArticleView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    JsonBody(draft): JsonBody<ArticleDraft>,
) -> Result<Response, AppError> {
    let article = kb::create(&state, &caller.actor, &draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(ArticleView::new(&article, &state.site.url)),
    )
        .into_response())
}

/// `GET /api/kb/articles/{slug}`: the article and its versions.
#[utoipa::path(get, path = "/api/kb/articles/{slug}", tag = "kb", params(("slug" = String, Path, description = "The article's slug.")), responses((status = 200, description = "The article and its versions, oldest first.", body = ArticleCard), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(slug): IdPath<ArticleSlug>,
) -> Result<Json<ArticleCard>, AppError> {
    let (article, history) = kb::card(&state, &caller.actor, &slug).await?;
    Ok(Json(ArticleCard {
        article: ArticleView::new(&article, &state.site.url),
        history: history.iter().map(ArticleVersionView::new).collect(),
    }))
}

/// An edit against the version seen.
#[derive(Deserialize)]
pub struct EditBody {
    version: u64,
    #[serde(flatten)]
    draft: ArticleDraft,
}

/// `PUT /api/kb/articles/{slug}` `{version, section, title, tags, summary, body}`
#[utoipa::path(put, path = "/api/kb/articles/{slug}", tag = "kb", request_body(content = Object, description = "`{version, section, title, tags, summary, body}`; the slug never changes."), params(("slug" = String, Path, description = "The article's slug.")), responses((status = 200, description = "The next version.", body = ArticleView), (status = "4XX", description = "Refused: the `error` envelope (409 on a stale version).", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_edit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(slug): IdPath<ArticleSlug>,
    JsonBody(body): JsonBody<EditBody>,
) -> Result<Json<ArticleView>, AppError> {
    let article = kb::edit(&state, &caller.actor, &slug, body.version, &body.draft).await?;
    Ok(Json(ArticleView::new(&article, &state.site.url)))
}

/// The version a publish or unpublish was decided on.
#[derive(Deserialize)]
pub struct VersionBody {
    version: u64,
}

/// `POST /api/kb/articles/{slug}/publish` `{version}`: on the site, which is rebuilt.
#[utoipa::path(post, path = "/api/kb/articles/{slug}/publish", tag = "kb", request_body(content = Object, description = "`{version}`."), params(("slug" = String, Path, description = "The article's slug.")), responses((status = 200, description = "The published article.", body = ArticleView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_publish(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(slug): IdPath<ArticleSlug>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<Json<ArticleView>, AppError> {
    let article = kb::publish(&state, &caller.actor, &slug, body.version).await?;
    Ok(Json(ArticleView::new(&article, &state.site.url)))
}

/// `POST /api/kb/articles/{slug}/unpublish` `{version}`: off the site, which is rebuilt.
#[utoipa::path(post, path = "/api/kb/articles/{slug}/unpublish", tag = "kb", request_body(content = Object, description = "`{version}`."), params(("slug" = String, Path, description = "The article's slug.")), responses((status = 200, description = "The article, a draft again.", body = ArticleView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_unpublish(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(slug): IdPath<ArticleSlug>,
    JsonBody(body): JsonBody<VersionBody>,
) -> Result<Json<ArticleView>, AppError> {
    let article = kb::unpublish(&state, &caller.actor, &slug, body.version).await?;
    Ok(Json(ArticleView::new(&article, &state.site.url)))
}

/// `GET /api/kb/drafts/from-ticket/{id}`: «Создать статью из обращения» — a draft from the
/// ticket's question and support's answers, without names, phones and e-mails (not stored).
#[utoipa::path(get, path = "/api/kb/drafts/from-ticket/{id}", tag = "kb", params(("id" = String, Path, description = "The ticket id.")), responses((status = 200, description = "The draft to review and save.", body = ArticleDraftView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_draft_from_ticket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(id): IdPath<TicketId>,
) -> Result<Json<ArticleDraftView>, AppError> {
    let draft = kb::draft_from_ticket(&state, &caller.actor, &id).await?;
    Ok(Json(ArticleDraftView::new(&draft)))
}
