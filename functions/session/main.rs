//! Lambda `session`: POST/DELETE /api/session; the caller's notification inbox (GET /api/notifications, POST /api/notifications/{id}/read, POST /api/notifications/read-all).
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store();
    api_main::lambda_main(ports, routes::session).await
}
