//! The quarterly survey's routes.

use crate::AppState;
use crate::dealer_survey::{api, portal};
use axum::Router;
use axum::routing::{get, post};

/// Every route of the feature.
pub fn routes() -> Router<AppState> {
    api().merge(pages())
}

/// `GET /api/surveys/results`, `GET`/`PUT /api/surveys/{quarter}`, `GET /api/survey-tasks`,
/// `POST /api/survey-tasks/{id}/close` (the `dashboard` Lambda).
pub fn api() -> Router<AppState> {
    Router::new()
        .route("/api/surveys/results", get(api::api_results))
        .route(
            "/api/surveys/{quarter}",
            get(api::api_get).put(api::api_put),
        )
        .route("/api/survey-tasks", get(api::api_tasks))
        .route("/api/survey-tasks/{id}/close", post(api::api_close))
}

/// The dealer's form, the results with the trend, the follow-up tasks.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/surveys/results", get(portal::results_page))
        .route("/surveys/tasks", get(portal::tasks_page))
        .route("/surveys/tasks/{id}/close", post(portal::close_task))
        .route(
            "/surveys/{quarter}",
            get(portal::form_page).post(portal::submit),
        )
}
