//! Login under attack (issue #12): wrong passwords are slowed per address and per account at
//! an address — never for the account everywhere, so the owner still logs in; the API's login
//! refuses other sites' pages; every answer carries the security headers; and a known e-mail
//! costs the store no more than an unknown one.

use dealerdesk_e2e::server::TestServer;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr};

/// A client whose connections come from `address` (any of 127.0.0.0/8 is this machine).
fn client_from(address: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(address))
        .build()
        .expect("client")
}

async fn log_in(
    http: &reqwest::Client,
    server: &TestServer,
    email: &str,
    password: &str,
) -> (StatusCode, Option<String>, Value) {
    let response = http
        .post(format!("{}/api/session", server.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.json().await.expect("a JSON answer");
    (status, retry_after, body)
}

#[tokio::test]
async fn wrong_passwords_are_slowed_for_the_attacker_while_the_owner_logs_in_from_home() {
    let server = TestServer::start().await;
    let attacker = client_from(Ipv4Addr::new(127, 0, 0, 2));
    for attempt in 1..=6 {
        let (status, _, body) = log_in(&attacker, &server, "dealer1@demo.local", "guess").await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {body}"
        );
    }
    // The sixth failure imposes a wait: even the right password waits for it.
    let (status, retry_after, body) =
        log_in(&attacker, &server, "dealer1@demo.local", "demo-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Слишком много неудачных попыток входа. Повторите через"),
        "{message}"
    );
    assert_eq!(retry_after.as_deref(), Some("1"));

    // The owner, from another address, is not locked out by the attack.
    let owner = client_from(Ipv4Addr::new(127, 0, 0, 1));
    let (status, _, body) = log_in(&owner, &server, "dealer1@demo.local", "demo-password").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Once the wait is over, the right password works from the attacker's address too.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _, body) = log_in(&attacker, &server, "dealer1@demo.local", "demo-password").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_wait_doubles_with_each_further_failure() {
    let server = TestServer::start().await;
    let attacker = client_from(Ipv4Addr::new(127, 0, 0, 3));
    let mut waits = Vec::new();
    for _ in 0..3 {
        // Fail until refused, then wait out the refusal and fail once more.
        loop {
            let (status, retry_after, _) =
                log_in(&attacker, &server, "dealer2@demo.local", "guess").await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                let seconds: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
                waits.push(seconds);
                tokio::time::sleep(std::time::Duration::from_millis(seconds * 1000 + 100)).await;
                break;
            }
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    assert_eq!(waits, [1, 2, 4]);
}

#[tokio::test]
async fn a_page_of_another_site_cannot_log_a_browser_in_through_the_api() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let login = json!({"email": "dealer1@demo.local", "password": "demo-password"}).to_string();
    let foreign = http
        .post(format!("{}/api/session", server.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(login.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(foreign.headers().get("set-cookie").is_none());
    let body: Value = foreign.json().await.unwrap();
    assert_eq!(body["error"]["code"], "foreign_origin");

    // A plain-text body (what a cross-site form can send without a preflight) is refused.
    let plain = http
        .post(format!("{}/api/session", server.base))
        .header("content-type", "text/plain")
        .body(login.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(plain.headers().get("set-cookie").is_none());

    // Our own origin, and clients that are not browsers, log in.
    let own = http
        .post(format!("{}/api/session", server.base))
        .header("origin", server.base.as_str())
        .header("content-type", "application/json")
        .body(login)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_private_ones_are_not_cached() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let http = reqwest::Client::new();
    let pages = [
        http.get(format!("{}/login", server.base)),
        http.get(format!("{}/api/tickets", server.base))
            .bearer_auth(dealer.token.clone().unwrap()),
        http.get(format!("{}/api/tickets/nope", server.base)),
    ];
    for request in pages {
        let response = request.send().await.unwrap();
        let url = response.url().path().to_owned();
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["cache-control"], "no-store", "{url}");
        assert_eq!(h["referrer-policy"], "same-origin", "{url}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{url}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{url}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{url}: {csp}");
    }
    let style = http
        .get(format!("{}/static/style.css", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(style.status(), StatusCode::OK);
    assert_ne!(style.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_known_email_costs_the_store_no_more_than_an_unknown_one() {
    let server = TestServer::start().await;
    let http = client_from(Ipv4Addr::new(127, 0, 0, 4));
    let mut costs = Vec::new();
    for email in ["dealer3@demo.local", "nobody@demo.local"] {
        let before = server.state.store.round_trips();
        let (status, _, _) = log_in(&http, &server, email, "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        costs.push(server.state.store.round_trips() - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "store calls: known {} vs unknown {}",
        costs[0], costs[1]
    );
}
