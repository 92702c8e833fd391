//! Lambda `reports`: GET /api/reports/{report} — the reports as JSON, CSV or XLSX.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    api_main::lambda_main(dealerdesk_app::routes::reports).await
}
