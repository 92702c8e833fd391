//! The survey's routes: the public page the survey e-mail links to.

use crate::AppState;
use crate::lead::survey::portal;
use axum::Router;
use axum::routing::get;

/// Every route of the area.
pub fn routes() -> Router<AppState> {
    callback()
}

/// `GET /s/{token}` (the page; never records) and `POST /s/{token}` (records the answer once)
/// — the `survey-callback` Lambda. No login: the signed token is the customer's credential.
pub fn callback() -> Router<AppState> {
    Router::new().route("/s/{token}", get(portal::page).post(portal::submit))
}
