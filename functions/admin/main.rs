//! Lambda `admin`: the admin's working calendar — GET /api/admin/calendars,
//! GET/PUT /api/admin/calendars/{year}, GET/PUT /api/admin/calendars/hours.
//!
//! A thin edge: configuration and wiring only; the behaviour lives in `dealerdesk-app`.

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let _log_guard = dealerdesk_app::telemetry::init_lambda();
    let state = dealerdesk_app::AppState::from_env().await?;
    lambda_http::run(dealerdesk_app::routes::admin_calendars(state)).await
}
