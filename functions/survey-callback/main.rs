//! Lambda `survey-callback`: GET and POST /s/{token}, the customer survey's public page
//! (the link in the survey e-mail; no login, the signed token is the credential).
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store().templates();
    api_main::lambda_main(ports, routes::survey_callback).await
}
