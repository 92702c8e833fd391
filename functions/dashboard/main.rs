//! Lambda `dashboard`: the dealer's own space — its accountants
//! (POST/GET /api/dealers/{id}/accountants, DELETE /api/dealers/{id}/accountants/{user}) and
//! the quarterly survey (GET/PUT /api/surveys/{quarter}, GET /api/surveys/results,
//! GET /api/survey-tasks, POST /api/survey-tasks/{id}/close).
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store();
    api_main::lambda_main(ports, routes::dashboard).await
}
