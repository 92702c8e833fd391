//! Lambda `leads`: the lead card — GET /api/leads, GET /api/leads/search, GET/PATCH
//! /api/leads/{id}, POST /api/leads/{id}/contact, …/contract, …/transfer, GET /api/customers/{id}.
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store();
    api_main::lambda_main(ports, routes::leads).await
}
