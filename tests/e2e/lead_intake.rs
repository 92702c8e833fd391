//! Lead intake (SPEC §4.1, issue 8) through the real HTTP API and portal: the sites and their
//! keys, the form token, `POST /api/leads` from a site's server and from a browser form,
//! spam, limits, idempotency, validation and the dealer's own leads.

use dealerdesk_e2e::browser::{get, log_in, post};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn site_draft(name: &str, dealer: &str) -> Value {
    json!({
        "name": name,
        "dealer_id": dealer,
        "origins": ["https://north-auto.example", "http://127.0.0.1:9"],
        "thank_you_url": "https://north-auto.example/spasibo",
        "consent_version": "2026-03",
    })
}

async fn form_token(server: &TestServer, site: &str, origin: Option<&str>) -> reqwest::Response {
    let mut req =
        reqwest::Client::new().get(format!("{}/api/leads/form-token?site={site}", server.base));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    req.send().await.expect("the server answers")
}

async fn sites(admin: &Api) -> Vec<Value> {
    let (status, body) = admin.send("GET", "/api/admin/sites", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn the_admin_issues_rotates_and_revokes_a_sites_key_and_nobody_else_may() {
    let server = TestServer::start().await;
    let admin = server.login("admin@demo.local").await;

    // The demo network has a site per dealer and the brand's, keys never shown.
    let demo = sites(&admin).await;
    let ids: Vec<&str> = demo.iter().filter_map(|s| s["id"].as_str()).collect();
    for id in [
        "site-dealer-1",
        "site-dealer-2",
        "site-dealer-3",
        "site-dealer-4",
        "site-brand",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let brand = demo.iter().find(|s| s["id"] == "site-brand").unwrap();
    assert_eq!(brand["owner"], "brand");
    assert_eq!(brand["network_id"], "network-demo");
    assert!(!demo.iter().any(|s| s.get("secret_key").is_some()));

    let (status, issued) = admin
        .send(
            "POST",
            "/api/admin/sites",
            Some(site_draft("Север", "dealer-1")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let key = issued["secret_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("dds_") && key.len() == 68, "{key}");
    let site = &issued["site"];
    let id = site["id"].as_str().unwrap().to_string();
    assert_eq!(
        site["origins"],
        json!(["https://north-auto.example", "http://127.0.0.1:9"])
    );
    assert_eq!(site["consent_version"], "2026-03");
    assert_eq!(site["active"], true);

    // Every bad field at once, in Russian.
    let (status, body) = admin
        .send(
            "POST",
            "/api/admin/sites",
            Some(json!({"origins": ["ftp://x"], "dealer_id": "dealer-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(fields, ["name", "origins", "consent_version"]);
    let (status, body) = admin
        .send(
            "POST",
            "/api/admin/sites",
            Some(site_draft("Чужой", "dealer-404")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["message"], "Такого дилера нет.");

    // Rotation needs the version seen; a stale one is a conflict.
    let (status, rotated) = admin
        .send(
            "POST",
            &format!("/api/admin/sites/{id}/rotate"),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_key = rotated["secret_key"].as_str().unwrap();
    assert_ne!(new_key, key);
    assert_eq!(rotated["site"]["version"], 2);
    let (status, body) = admin
        .send(
            "POST",
            &format!("/api/admin/sites/{id}/rotate"),
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // Origins and the thank-you page change; the owner does not.
    let (status, body) = admin
        .send(
            "PUT",
            &format!("/api/admin/sites/{id}"),
            Some(json!({
                "name": "Север, новый сайт",
                "origins": ["https://sever.example"],
                "consent_version": "2026-04",
                "dealer_id": "dealer-2",
                "version": 2
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["origins"], json!(["https://sever.example"]));
    assert_eq!(body["dealer_id"], "dealer-1");

    let (status, revoked) = admin
        .send(
            "POST",
            &format!("/api/admin/sites/{id}/revoke"),
            Some(json!({"version": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["active"], false);
    let (status, body) = admin
        .send(
            "POST",
            &format!("/api/admin/sites/{id}/rotate"),
            Some(json!({"version": 4})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "site_revoked");

    // Other roles: 403; nobody logged in: 401; a site that cannot exist: 404.
    for email in [
        "dealer1@demo.local",
        "brand@demo.local",
        "specialist@demo.local",
    ] {
        let other = server.login(email).await;
        let (status, _) = other.send("GET", "/api/admin/sites", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        let (status, _) = other
            .send(
                "POST",
                "/api/admin/sites",
                Some(site_draft("x", "dealer-1")),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        let (status, _) = other
            .send(
                "POST",
                "/api/admin/sites/site-dealer-1/revoke",
                Some(json!({"version": 1})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let (status, _) = server
        .anonymous()
        .send("GET", "/api/admin/sites", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = admin
        .send(
            "POST",
            "/api/admin/sites/no.such/rotate",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin
        .send(
            "POST",
            "/api/admin/sites/site-nobody/rotate",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_form_token_is_served_to_the_sites_own_pages_only() {
    let server = TestServer::start().await;
    let resp = form_token(&server, "site-dealer-1", Some("http://127.0.0.1:8081")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8081"
    );
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["token"]
            .as_str()
            .unwrap()
            .starts_with("site-dealer-1.")
    );
    assert_eq!(body["min_fill_seconds"], 3);

    // A page of another site, an unknown form, no form at all: 401 in the envelope.
    for (site, origin, code) in [
        (
            "site-dealer-1",
            Some("https://evil.example"),
            "site_origin_forbidden",
        ),
        ("site-dealer-1", Some("null"), "site_origin_forbidden"),
        ("site-nobody", None, "site_unknown"),
        ("", None, "site_unknown"),
        ("..%2Fetc", None, "site_unknown"),
    ] {
        let resp = form_token(&server, site, origin).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{site} {origin:?}");
        assert!(resp.headers().get("access-control-allow-origin").is_none());
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
    }

    // A revoked site's form gets no more tokens.
    let admin = server.login("admin@demo.local").await;
    let (status, _) = admin
        .send(
            "POST",
            "/api/admin/sites/site-dealer-2/revoke",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let resp = form_token(&server, "site-dealer-2", None).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // The script the sites include is public and cacheable.
    let resp = reqwest::get(format!("{}/static/lead-form.js", server.base))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let js = resp.text().await.unwrap();
    assert!(js.contains("/api/leads/form-token?site="));
}

#[tokio::test]
async fn the_admin_keeps_the_sites_in_the_portal_and_sees_a_new_key_once() {
    let server = TestServer::start().await;
    let admin = log_in(&server, "admin@demo.local").await;
    let (status, page) = get(&admin, &format!("{}/admin/sites", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Сайты, присылающие заявки"), "{page}");
    assert!(page.contains("site-dealer-1") && page.contains("Сайт бренда"));
    assert!(
        page.contains("href=\"/admin/sites\""),
        "the admin's menu has «Сайты»"
    );
    let csrf = dealerdesk_e2e::browser::hidden(&page, "csrf");

    let (status, _, page) = post(
        &admin,
        &format!("{}/admin/sites", server.base),
        &[
            ("csrf", &csrf),
            ("name", "Сайт Юга"),
            ("owner", "dealer-2"),
            ("origins", "https://yug.example\nhttp://localhost:9"),
            ("consent_version", "v7"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert!(page.contains("Секретный ключ сайта «Сайт Юга»"), "{page}");
    assert!(page.contains("dds_"));
    let (_, list) = get(&admin, &format!("{}/admin/sites", server.base)).await;
    assert!(list.contains("yug.example"), "{list}");
    assert!(!list.contains("dds_"), "a key is shown once");

    // A bad form comes back with the message and what was typed.
    let (status, _, page) = post(
        &admin,
        &format!("{}/admin/sites", server.base),
        &[
            ("csrf", &csrf),
            ("name", "Без согласия"),
            ("owner", "dealer-2"),
            ("consent_version", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Укажите версию текста согласия"), "{page}");
    assert!(page.contains("value=\"Без согласия\""));

    // A dealer gets the 403 page.
    let dealer = log_in(&server, "dealer1@demo.local").await;
    let (status, _) = get(&dealer, &format!("{}/admin/sites", server.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
