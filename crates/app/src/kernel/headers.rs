//! Security headers on every answer, set once for every router (`routes::finish`).
//!
//! The portal needs no inline script or style, so its policy is strict: everything from its
//! own origin, nothing framed, forms posted only to itself. Authenticated pages and API answers
//! are never cached (a shared machine's back button must not show a ticket after logout); the
//! stylesheet and other static assets may be.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The portal's Content-Security-Policy: own origin only, no inline code, no framing.
pub const PORTAL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
base-uri 'none'; frame-ancestors 'none'";

/// HTTPS only for a year, subdomains included: sent only where the portal is served over HTTPS
/// (`Settings::cookie_secure`, true in AWS), since a laptop's plain-HTTP server would pin nothing.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Paths whose answers are the same for everyone and may be cached.
fn is_public_asset(path: &str) -> bool {
    path.starts_with("/static/")
}

/// Adds the security headers to `headers` of an answer to `path`; `https` adds HSTS. Headers a
/// handler set on purpose (say, a download's own `Cache-Control`) are kept.
pub fn apply(path: &str, https: bool, headers: &mut HeaderMap) {
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::CONTENT_SECURITY_POLICY, PORTAL_CSP);
    if !is_public_asset(path) {
        set(header::CACHE_CONTROL, "no-store");
    }
    if https {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

/// The middleware form of [`apply`].
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    apply(&path, state.settings.cookie_secure, response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portal_page_is_not_framed_cached_or_sniffed_and_runs_no_inline_script() {
        let mut headers = HeaderMap::new();
        apply("/tickets/01H", false, &mut headers);
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-frame-options"], "DENY");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.contains("script-src 'self'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(!headers.contains_key("strict-transport-security"));
    }

    #[test]
    fn https_adds_hsts_and_the_stylesheet_may_be_cached() {
        let mut headers = HeaderMap::new();
        apply("/static/style.css", true, &mut headers);
        assert_eq!(headers["strict-transport-security"], HSTS);
        assert!(!headers.contains_key("cache-control"));
    }

    #[test]
    fn a_header_the_handler_chose_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=60"),
        );
        apply("/api/tickets/01H/attachments/01J", false, &mut headers);
        assert_eq!(headers["cache-control"], "private, max-age=60");
    }
}
