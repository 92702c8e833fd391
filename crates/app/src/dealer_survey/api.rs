//! The quarterly survey's JSON API.

use crate::AppState;
use crate::dealer_survey::views::{ResultsView, SurveyView, TaskList, TaskView};
use crate::dealer_survey::{self, TaskId, parse_quarter};
use crate::kernel::caller::ApiCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::JsonBody;
use crate::kernel::ids::IdPath;
use axum::Json;
use axum::extract::{Query, State};
use dealerdesk_domain::dealer_survey::SurveyDraft;
use dealerdesk_store::DirectoryRepo;
use serde::Deserialize;

/// `GET /api/surveys/{quarter}`: the caller's dealer's survey of `2026-Q4`.
#[utoipa::path(get, path = "/api/surveys/{quarter}", tag = "surveys", params(("quarter" = String, Path, description = "The quarter, `2026-Q4`.")), responses((status = 200, description = "The survey: its state and the answer so far.", body = SurveyView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(quarter): IdPath<String>,
) -> Result<Json<SurveyView>, AppError> {
    let quarter = parse_quarter(&quarter)?;
    let survey = dealer_survey::survey(&state, &caller.actor, quarter).await?;
    Ok(Json(SurveyView::new(&survey)))
}

/// `PUT /api/surveys/{quarter}` `{ticket_handling, cso_updates, support_overall, comment?}`
#[utoipa::path(put, path = "/api/surveys/{quarter}", tag = "surveys", request_body(content = Object, description = "`{ticket_handling, cso_updates, support_overall, comment?}`: scores 1–5."), params(("quarter" = String, Path, description = "The quarter, `2026-Q4`.")), responses((status = 200, description = "The survey with the answer.", body = SurveyView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_put(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(quarter): IdPath<String>,
    JsonBody(draft): JsonBody<SurveyDraft>,
) -> Result<Json<SurveyView>, AppError> {
    let quarter = parse_quarter(&quarter)?;
    dealer_survey::answer(&state, &caller.actor, quarter, &draft).await?;
    let survey = dealer_survey::survey(&state, &caller.actor, quarter).await?;
    Ok(Json(SurveyView::new(&survey)))
}

/// The results' query.
#[derive(Deserialize)]
pub struct ResultsQuery {
    quarter: Option<String>,
}

/// `GET /api/surveys/results?quarter=`
#[utoipa::path(get, path = "/api/surveys/results", tag = "surveys", params(("quarter" = Option<String>, Query, description = "The last quarter of the trend, `2026-Q4`; the current one by default.")), responses((status = 200, description = "The trend and the quarter's answers.", body = ResultsView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_results(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<ResultsQuery>,
) -> Result<Json<ResultsView>, AppError> {
    let quarter = match query.quarter.as_deref().filter(|q| !q.is_empty()) {
        Some(raw) => Some(dealerdesk_domain::Quarter::from_code(raw).ok_or_else(|| {
            AppError::bad_request("bad_quarter", "Квартал указывается как 2026-Q4.")
        })?),
        None => None,
    };
    let results = dealer_survey::results(&state, &caller.actor, quarter).await?;
    Ok(Json(ResultsView::new(&results)))
}

/// `GET /api/survey-tasks`: the follow-up tasks of low scores, open first.
#[utoipa::path(get, path = "/api/survey-tasks", tag = "surveys", responses((status = 200, description = "`{items}`.", body = TaskList), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_tasks(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<TaskList>, AppError> {
    let tasks = dealer_survey::tasks(&state, &caller.actor).await?;
    Ok(Json(TaskList {
        items: tasks.iter().map(|(t, n)| TaskView::new(t, n)).collect(),
    }))
}

/// The closing note.
#[derive(Deserialize)]
pub struct CloseBody {
    note: Option<String>,
}

/// `POST /api/survey-tasks/{id}/close` `{note}`
#[utoipa::path(post, path = "/api/survey-tasks/{id}/close", tag = "surveys", request_body(content = Object, description = "`{note}`: what was done."), params(("id" = String, Path, description = "The task.")), responses((status = 200, description = "The closed task.", body = TaskView), (status = "4XX", description = "Refused: the `error` envelope.", body = crate::openapi::ErrorEnvelope), (status = "5XX", description = "Unavailable: the `error` envelope.", body = crate::openapi::ErrorEnvelope)))]
pub async fn api_close(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    IdPath(TaskId(id)): IdPath<TaskId>,
    JsonBody(body): JsonBody<CloseBody>,
) -> Result<Json<TaskView>, AppError> {
    let task = dealer_survey::close_task(&state, &caller.actor, &id, body.note.as_deref()).await?;
    let name = state
        .store
        .dealer(&task.dealer_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    Ok(Json(TaskView::new(&task, &name)))
}
