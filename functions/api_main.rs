//! The one `main` of every HTTP function: JSON logs, the state from the environment, and one
//! router group served by `lambda_http`, with the client's address (API Gateway's
//! `sourceIp`) handed to the app as a [`ClientAddress`] — the address the login limits count.

use dealerdesk_app::kernel::address::ClientAddress;
use dealerdesk_app::{AppState, Ports};
use lambda_http::request::RequestContext;
use lambda_http::{Error, Request, RequestExt};

/// Serves the router `group` builds until the runtime stops, over the `ports` its `main` names
/// (only those are built and linked: `dealerdesk_app::ports`).
pub async fn lambda_main(ports: Ports, group: fn(AppState) -> axum::Router) -> Result<(), Error> {
    let _log_guard = dealerdesk_app::telemetry::init_lambda();
    let state = AppState::from_env(ports).await?;
    let router = group(state);
    lambda_http::run(
        tower::ServiceBuilder::new()
            .map_request(with_client_address)
            .service(router),
    )
    .await
}

/// Puts API Gateway's view of the client's address into the request's extensions.
fn with_client_address(mut request: Request) -> Request {
    let source_ip = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        _ => None,
    };
    if let Some(ip) = source_ip.and_then(|ip| ip.parse().ok()) {
        request.extensions_mut().insert(ClientAddress(ip));
    }
    request
}
