//! The survey's portal pages: the dealer's form, the results with the trend chart, the
//! account manager's follow-up tasks.

use crate::AppState;
use crate::dealer_survey::views::{ResultsView, SurveyView, TaskView, TrendChart};
use crate::dealer_survey::{self, TaskId, parse_quarter};
use crate::kernel::caller::PortalCaller;
use crate::kernel::error::AppError;
use crate::kernel::extract::PortalForm;
use crate::kernel::ids::IdPath;
use crate::kernel::templates::{error_page, render, serde_value};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dealerdesk_domain::Quarter;
use dealerdesk_domain::dealer_survey::SurveyDraft;
use minijinja::context;
use serde::Deserialize;
use std::collections::HashMap;

async fn survey_page(
    state: &AppState,
    caller: &PortalCaller,
    quarter: Quarter,
    status: StatusCode,
    values: Option<&HashMap<String, String>>,
    error: Option<&AppError>,
    saved: bool,
) -> Response {
    let survey = match dealer_survey::survey(state, caller.actor(), quarter).await {
        Ok(s) => s,
        Err(e) => return error_page(state, Some(caller), &e),
    };
    let view = SurveyView::new(&survey);
    // The form shows what was typed when it was refused, else the answer so far.
    let mut current: HashMap<String, String> = HashMap::new();
    if let Some(a) = &view.answer {
        current.insert("ticket_handling".into(), a.ticket_handling.to_string());
        current.insert("cso_updates".into(), a.cso_updates.to_string());
        current.insert("support_overall".into(), a.support_overall.to_string());
        current.insert("comment".into(), a.comment.clone().unwrap_or_default());
    }
    if let Some(values) = values {
        current = values.clone();
    }
    let field_errors: HashMap<&str, String> = error
        .map(AppError::field_errors)
        .unwrap_or_default()
        .into_iter()
        .collect();
    render(
        state,
        status,
        "dealer_survey/form.html",
        context! {
            me => caller.layout(),
            survey => serde_value(&view),
            values => current,
            scores => vec![1, 2, 3, 4, 5],
            errors => field_errors,
            error => error.map(AppError::message_ru),
            saved => saved,
        },
    )
}

/// `?saved=1` after a successful answer.
#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /surveys/{quarter}`: the dealer's form (read-only once the quarter is over).
pub async fn form_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    IdPath(quarter): IdPath<String>,
    Query(saved): Query<Saved>,
) -> Response {
    match parse_quarter(&quarter) {
        Ok(q) => {
            let saved = saved.saved.is_some();
            survey_page(&state, &caller, q, StatusCode::OK, None, None, saved).await
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

/// `POST /surveys/{quarter}`: records or changes the answer.
pub async fn submit(
    State(state): State<AppState>,
    IdPath(quarter): IdPath<String>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    let quarter = match parse_quarter(&quarter) {
        Ok(q) => q,
        Err(e) => return error_page(&state, Some(caller), &e),
    };
    let score = |k: &str| form.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    let draft = SurveyDraft {
        ticket_handling: score("ticket_handling"),
        cso_updates: score("cso_updates"),
        support_overall: score("support_overall"),
        comment: form.get("comment"),
    };
    match dealer_survey::answer(&state, caller.actor(), quarter, &draft).await {
        Ok(_) => Redirect::to(&format!("/surveys/{}?saved=1", quarter.code())).into_response(),
        Err(e) if e.code() == "validation_failed" || e.code() == "survey_closed" => {
            survey_page(
                &state,
                caller,
                quarter,
                e.status(),
                Some(&form.fields),
                Some(&e),
                false,
            )
            .await
        }
        Err(e) => error_page(&state, Some(caller), &e),
    }
}

/// `?quarter=` of the results page.
#[derive(Deserialize)]
pub struct ResultsQuery {
    quarter: Option<String>,
}

/// `GET /surveys/results`: the trend chart and the quarter's answers.
pub async fn results_page(
    State(state): State<AppState>,
    caller: PortalCaller,
    Query(query): Query<ResultsQuery>,
) -> Response {
    let quarter = query
        .quarter
        .as_deref()
        .filter(|q| !q.is_empty())
        .and_then(Quarter::from_code);
    match dealer_survey::results(&state, caller.actor(), quarter).await {
        Ok(results) => {
            let view = ResultsView::new(&results);
            let chart = TrendChart::new(&results.trend);
            let quarters: Vec<String> = results
                .trend
                .iter()
                .rev()
                .map(|r| r.quarter.code())
                .collect();
            render(
                &state,
                StatusCode::OK,
                "dealer_survey/results.html",
                context! {
                    me => caller.layout(),
                    results => serde_value(&view),
                    chart => serde_value(&chart),
                    quarters => quarters,
                },
            )
        }
        Err(e) => error_page(&state, Some(&caller), &e),
    }
}

async fn tasks_view(
    state: &AppState,
    caller: &PortalCaller,
    status: StatusCode,
    error: Option<(&str, &AppError)>,
) -> Response {
    match dealer_survey::tasks(state, caller.actor()).await {
        Ok(tasks) => {
            let items: Vec<TaskView> = tasks.iter().map(|(t, n)| TaskView::new(t, n)).collect();
            render(
                state,
                status,
                "dealer_survey/tasks.html",
                context! {
                    me => caller.layout(),
                    tasks => serde_value(&items),
                    error_task => error.map(|(id, _)| id.to_string()),
                    error => error.map(|(_, e)| e.message_ru()),
                },
            )
        }
        Err(e) => error_page(state, Some(caller), &e),
    }
}

/// `GET /surveys/tasks`: the follow-up tasks, open first.
pub async fn tasks_page(State(state): State<AppState>, caller: PortalCaller) -> Response {
    tasks_view(&state, &caller, StatusCode::OK, None).await
}

/// `POST /surveys/tasks/{id}/close`: closes a task with the note.
pub async fn close_task(
    State(state): State<AppState>,
    IdPath(TaskId(id)): IdPath<TaskId>,
    form: PortalForm,
) -> Response {
    let caller = &form.caller;
    let note = form.get("note");
    match dealer_survey::close_task(&state, caller.actor(), &id, note.as_deref()).await {
        Ok(_) => Redirect::to("/surveys/tasks").into_response(),
        Err(e) if e.code() == "validation_failed" || e.code() == "task_closed" => {
            tasks_view(&state, caller, e.status(), Some((&id, &e))).await
        }
        Err(e) => error_page(&state, Some(caller), &e),
    }
}
