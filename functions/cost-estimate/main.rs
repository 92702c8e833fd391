//! Lambda `cost-estimate`: GET /api/estimates, the cost estimate before a ticket exists.
//!
//! A thin edge: configuration and wiring only; the behaviour lives in `dealerdesk-app`.

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let _log_guard = dealerdesk_app::telemetry::init_lambda();
    let state = dealerdesk_app::AppState::from_env().await?;
    lambda_http::run(dealerdesk_app::routes::cost_estimate(state)).await
}
