//! The client's network address, as far as the edge can tell: the socket peer on the local
//! server, API Gateway's `sourceIp` in AWS (the Lambda main puts it into the request as a
//! [`ClientAddress`]). Never a header the client writes, such as `X-Forwarded-For`: that
//! would let an attacker pick a fresh address for every attempt.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The address API Gateway saw, set by the Lambda edge (`functions/api_main.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The caller's address for limits and logs; `None` when the request came in some other way
/// (a test calling the router directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The address as the counters spell it.
    pub fn key(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let from_gateway = parts.extensions.get::<ClientAddress>().map(|a| a.0);
        let from_socket = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        };
        Ok(ClientIp(from_gateway.or_else(from_socket)))
    }
}
