//! Lambda `lead-webhook`: what dealer and brand websites call — POST /api/leads (form posts,
//! JSON with the site's key, a dealer's session; OPTIONS for CORS), GET /api/leads/form-token.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store().templates();
    api_main::lambda_main(ports, routes::lead_webhook).await
}
