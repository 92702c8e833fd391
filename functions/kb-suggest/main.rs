//! Lambda `kb-suggest`: GET /api/kb/suggest — knowledge-base articles for a ticket's text.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.
//! A warm instance answers from the index it holds in memory and rereads the pointer to the
//! published index at most once a minute.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store().blobs();
    api_main::lambda_main(ports, routes::kb_suggest).await
}
