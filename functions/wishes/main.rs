//! Lambda `wishes`: POST/GET /api/wishes, GET /api/wishes/{id}, POST /api/wishes/{id}/actions.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store();
    api_main::lambda_main(ports, routes::wishes).await
}
