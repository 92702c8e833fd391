//! The portal as a browser uses it from tests: a cookie-keeping client, hidden form fields,
//! and a login through the real form with its CSRF token.

use crate::server::TestServer;
use reqwest::{Client, StatusCode};

/// A browser-like client: keeps cookies, follows redirects.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// The value of the first hidden input `name` on a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} on page:\n{page}"))
        + marker.len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A GET: status and body.
pub async fn get(b: &Client, url: &str) -> (StatusCode, String) {
    let r = b.get(url).send().await.expect("GET");
    (r.status(), r.text().await.expect("body"))
}

/// A form POST, following the redirect: status, final path and body.
pub async fn post(b: &Client, url: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let r = b.post(url).form(form).send().await.expect("POST");
    let final_url = r.url().path().to_string();
    (r.status(), final_url, r.text().await.expect("body"))
}

/// Logs in through the form (CSRF included) and returns the client holding the session.
pub async fn log_in(server: &TestServer, email: &str) -> Client {
    let b = browser();
    let (status, page) = get(&b, &format!("{}/login", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Вход в DealerDesk"));
    let csrf = hidden(&page, "csrf");
    let (status, path, page) = post(
        &b,
        &format!("{}/login", server.base),
        &[
            ("email", email),
            ("password", "demo-password"),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(path == "/tickets" || path == "/", "{path}");
    b
}
