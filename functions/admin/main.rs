//! Lambda `admin`: the admin's working calendar — GET /api/admin/calendars,
//! GET/PUT /api/admin/calendars/{year}, GET/PUT /api/admin/calendars/hours.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store();
    api_main::lambda_main(ports, routes::admin_calendars).await
}
