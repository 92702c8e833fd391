//! Lambda `kb-admin`: support staff's knowledge-base articles — GET/POST /api/kb/articles,
//! GET/PUT /api/kb/articles/{slug}, POST /api/kb/articles/{slug}/publish and /unpublish,
//! GET /api/kb/drafts/from-ticket/{id}. A publish rebuilds the static site into the site
//! bucket (Pagefind from the layer, `DEALERDESK_PAGEFIND`).
//!
//! A thin edge: the behaviour lives in `dealerdesk-app`, the Lambda wiring in `api_main.rs`.

#[path = "../api_main.rs"]
mod api_main;

use dealerdesk_app::{Ports, routes};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let ports = Ports::store().blobs().site();
    api_main::lambda_main(ports, routes::kb_admin).await
}
