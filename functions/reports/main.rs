//! Lambda `reports`: GET /api/reports/{report} — the reports as JSON, CSV or XLSX.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store();
    api_main::lambda_main(ports, routes::reports).await
}
