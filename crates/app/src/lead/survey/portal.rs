//! The public survey page: no login, no script, Russian, fit for a phone.

use crate::AppState;
use crate::kernel::error::AppError;
use crate::kernel::extract::form;
use crate::kernel::templates::{render, serde_value};
use crate::lead::survey::{self, views};
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dealerdesk_domain::kernel::RefusalKind;
use dealerdesk_domain::lead::SurveyDraft;
use minijinja::context;
use std::collections::BTreeMap;

/// A refused link or answer as a page of its own, with the refusal's status.
fn refused_page(state: &AppState, error: &AppError) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(error = %error, "survey page failed");
    }
    let heading = match error.kind() {
        Some(RefusalKind::NotFound) => "Ссылка недействительна",
        Some(RefusalKind::Gone) => "Ссылка больше не действует",
        Some(RefusalKind::Conflict) => "Ответ уже получен",
        _ => "Не получилось открыть опрос",
    };
    render(
        state,
        status,
        "lead/survey/refused.html",
        context! { heading => heading, message => error.message_ru() },
    )
}

/// The token from the path; a segment that is not even text is an invalid link.
fn token(path: Result<Path<String>, PathRejection>) -> Result<String, AppError> {
    path.map(|Path(t)| t).map_err(|_| survey::invalid_link())
}

/// The form, empty or with the customer's values and what was wrong with them.
async fn form_page(
    state: &AppState,
    token: &str,
    status: StatusCode,
    draft: &SurveyDraft,
    error: Option<&AppError>,
) -> Response {
    let lead = match survey::open(state, token, state.clock.now()).await {
        Ok(lead) => lead,
        Err(e) => return refused_page(state, &e),
    };
    let field_errors: BTreeMap<&str, String> = error
        .map(|e| e.field_errors().into_iter().collect())
        .unwrap_or_default();
    render(
        state,
        status,
        "lead/survey/form.html",
        context! {
            token => token,
            survey => serde_value(lead),
            answers => serde_value(views::answer_choices()),
            values => serde_value(draft),
            error => error.map(AppError::message_ru),
            field_errors => field_errors,
        },
    )
}

/// `GET /s/{token}`: the three answers and a comment box. Records nothing.
pub async fn page(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    match token(path) {
        Ok(token) => {
            form_page(
                &state,
                &token,
                StatusCode::OK,
                &SurveyDraft::default(),
                None,
            )
            .await
        }
        Err(e) => refused_page(&state, &e),
    }
}

/// `POST /s/{token}`: records the answer once; a form without an answer is shown again.
pub async fn submit(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let token = match token(path) {
        Ok(token) => token,
        Err(e) => return refused_page(&state, &e),
    };
    let fields = form(&body);
    let draft = SurveyDraft {
        answer: fields.get("answer").cloned(),
        comment: fields.get("comment").cloned(),
    };
    match survey::answer(&state, &token, &draft, state.clock.now()).await {
        Ok(answer) => render(
            &state,
            StatusCode::OK,
            "lead/survey/done.html",
            context! { answer_label => answer.label(), negative => answer.is_negative() },
        ),
        Err(e) if e.kind() == Some(RefusalKind::Invalid) => {
            form_page(&state, &token, e.status(), &draft, Some(&e)).await
        }
        Err(e) => refused_page(&state, &e),
    }
}
