//! Lead intake (SPEC §4.1, issue 8) through the real HTTP API and portal: the sites and their
//! keys, the form token, `POST /api/leads` from a site's server and from a browser form,
//! spam, limits, idempotency, validation and the dealer's own leads.

use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_domain::DealerId;
use dealerdesk_domain::lead::{CustomerId, LeadId};
use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::{Api, TestServer};
use dealerdesk_store::{CustomerRepo, LeadListing, LeadRepo, PageRequest};
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
    let token = body["token"].as_str().unwrap();
    assert!(token.contains('.') && token.len() > 40, "{token}");
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
    let csrf = hidden(&page, "csrf");

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

// ---------------------------------------------------------------- POST /api/leads

/// A site's server posting JSON with its key (and optional headers).
async fn site_post(
    server: &TestServer,
    key: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/leads", server.base))
        .header("x-site-key", key)
        .json(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, json, headers)
}

fn lead_body(name: &str, phone: &str) -> Value {
    json!({
        "type": "preorder",
        "name": name,
        "surname": "Петров",
        "phone": phone,
        "email": format!("{}@example.ru", name.to_lowercase().replace(' ', "")),
        "city": "Москва",
        "model": "X-Trail",
        "version": "2.5 CVT",
        "trim": "SE",
        "price": 1990000,
        "consent": true,
        "utm_source": "yandex",
    })
}

async fn dealer_leads(server: &TestServer, dealer: &str) -> Vec<dealerdesk_domain::lead::Lead> {
    server
        .state
        .store
        .leads(
            &LeadListing::Dealer(DealerId::new(dealer)),
            None,
            &PageRequest {
                limit: 100,
                cursor: None,
            },
        )
        .await
        .unwrap()
        .items
}

async fn stored(server: &TestServer, id: &Value) -> dealerdesk_domain::lead::Lead {
    server
        .state
        .store
        .lead(&LeadId::new(id.as_str().unwrap()))
        .await
        .unwrap()
        .expect("the lead is stored")
}

#[tokio::test]
async fn a_sites_server_posts_a_lead_the_dealer_and_the_customer_are_told_and_a_retry_is_the_same_lead()
 {
    let server = TestServer::start().await;
    let body = lead_body("Иван", "8 (912) 345-67-89");
    let (status, lead, _) = site_post(&server, "demo-site-1", &body, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["status"], "new");
    assert_eq!(lead["status_label"], "Новый");
    assert_eq!(lead["dealer_id"], "dealer-1");
    assert_eq!(lead["observer_id"], "user-rep");
    assert!(lead["customer_id"].is_string(), "{lead}");

    let card = stored(&server, &lead["id"]).await;
    assert_eq!(
        card.person().phone.as_ref().unwrap().as_str(),
        "+79123456789"
    );
    assert_eq!(card.keys().source.code(), "site");
    assert_eq!(card.price().unwrap().to_string(), "1990000");
    assert_eq!(card.utm().source.as_deref(), Some("yandex"));
    let consent = card.consent().expect("consent is stored");
    assert_eq!(consent.text_version, "demo-2026-01");
    assert_eq!(consent.address.as_deref(), Some("127.0.0.1"));
    assert!(consent.given_at <= card.created_at());
    assert!(card.created_at() - consent.given_at < chrono::Duration::seconds(30));

    // The same post again (a retry within ten minutes): the first lead, nothing new.
    let (status, again, _) = site_post(&server, "demo-site-1", &body, &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], lead["id"]);
    // An Idempotency-Key: the same key with another body is refused.
    let keyed = lead_body("Пётр", "+7 912 000 11 22");
    let (status, first, _) = site_post(
        &server,
        "demo-site-1",
        &keyed,
        &[("idempotency-key", "order-77")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, replay, _) = site_post(
        &server,
        "demo-site-1",
        &keyed,
        &[("idempotency-key", "order-77")],
    )
    .await;
    assert_eq!((status, &replay["id"]), (StatusCode::CREATED, &first["id"]));
    let (status, refused, _) = site_post(
        &server,
        "demo-site-1",
        &lead_body("Другой", "+7 912 000 11 23"),
        &[("idempotency-key", "order-77")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");
    assert_eq!(dealer_leads(&server, "dealer-1").await.len(), 2);

    // The outbox tells the dealer and confirms to the customer.
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mail = read_mailbox(server.state.mailer.mailbox().unwrap());
    let to_customer: Vec<_> = mail
        .iter()
        .filter(|m| m.email.to.contains(&"иван@example.ru".to_string()))
        .collect();
    assert_eq!(to_customer.len(), 1, "{mail:?}");
    assert!(to_customer[0].email.subject.contains("Ваша заявка принята"));
    assert!(to_customer[0].email.text.contains("Предзаказ"));
    assert!(
        to_customer[0]
            .email
            .text
            .contains("Её передали в дилерский центр «Автоцентр Север»"),
        "{}",
        to_customer[0].email.text
    );
    assert!(
        mail.iter()
            .any(|m| m.email.to.contains(&"dealer1@demo.local".to_string())
                && m.email.subject.starts_with("Новая заявка: Предзаказ"))
    );
}

#[tokio::test]
async fn phones_in_every_format_are_one_person_and_a_bad_one_is_refused_in_russian() {
    let server = TestServer::start().await;
    let mut customers = Vec::new();
    for (i, phone) in [
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "9123456789",
        "89123456789",
    ]
    .iter()
    .enumerate()
    {
        let body = json!({"type": "callback", "name": format!("Анна {i}"), "phone": phone, "consent": "on"});
        let (status, lead, _) = site_post(&server, "demo-site-2", &body, &[]).await;
        assert_eq!(status, StatusCode::CREATED, "{phone}: {lead}");
        let card = stored(&server, &lead["id"]).await;
        assert_eq!(
            card.person().phone.as_ref().unwrap().as_str(),
            "+79123456789",
            "{phone}"
        );
        customers.push(lead["customer_id"].clone());
    }
    assert!(
        customers.windows(2).all(|w| w[0] == w[1]),
        "one profile: {customers:?}"
    );
    let body =
        json!({"type": "callback", "name": "Hans", "phone": "+49 30 1234567", "consent": true});
    let (status, lead, _) = site_post(&server, "demo-site-2", &body, &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    let card = stored(&server, &lead["id"]).await;
    assert_eq!(
        card.person().phone.as_ref().unwrap().as_str(),
        "+49301234567"
    );

    // Every bad field at once, each with its Russian message.
    let bad = json!({"type": "lunch", "phone": "12345", "email": "ivan@mail", "price": "-5", "consent": false});
    let (status, body, _) = site_post(&server, "demo-site-2", &bad, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<(&str, &str)> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["field"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("type", "Такого типа заявки нет."),
            ("name", "Укажите имя."),
            ("phone", "Неверный номер телефона."),
            ("email", "Неверный адрес электронной почты."),
            (
                "price",
                "Цена — сумма в рублях не меньше нуля, например 1 990 000."
            ),
            (
                "consent",
                "Нужно согласие на обработку персональных данных."
            ),
        ]
    );
    let (status, body, _) = site_post(&server, "demo-site-2", &json!([1, 2]), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(dealer_leads(&server, "dealer-2").await.len(), 5);
}

#[tokio::test]
async fn an_unknown_revoked_or_foreign_key_is_401_and_the_sites_own_pages_may_read_the_answer() {
    let server = TestServer::start().await;
    let body = lead_body("Олег", "+7 912 111 22 33");
    for key in ["", "demo-site-404", "demo-site-1 extra"] {
        let (status, answer, _) = site_post(&server, key, &body, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{key:?}: {answer}");
        assert_eq!(answer["error"]["code"], "site_unknown");
    }
    let (status, answer) = server
        .anonymous()
        .send("POST", "/api/leads", Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");

    // A page of another site may not post with this site's key.
    let (status, answer, headers) = site_post(
        &server,
        "demo-site-3",
        &body,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(answer["error"]["code"], "site_origin_forbidden");
    assert!(headers.get("access-control-allow-origin").is_none());
    // The site's own page may, and may read the answer.
    let (status, lead, headers) = site_post(
        &server,
        "demo-site-3",
        &body,
        &[("origin", "http://localhost:8081")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["dealer_id"], "dealer-3");
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:8081"
    );
    let preflight = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/leads", server.base),
        )
        .header("origin", "http://localhost:8081")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, x-site-key")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("x-site-key")
    );

    // A revoked site's key, and a rotated-away key, stop at once.
    let admin = server.login("admin@demo.local").await;
    let (status, _) = admin
        .send(
            "POST",
            "/api/admin/sites/site-dealer-3/revoke",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = site_post(
        &server,
        "demo-site-3",
        &lead_body("Ещё", "+7 912 111 22 34"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, rotated) = admin
        .send(
            "POST",
            "/api/admin/sites/site-dealer-4/rotate",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = site_post(&server, "demo-site-4", &body, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let new_key = rotated["secret_key"].as_str().unwrap();
    let (status, lead, _) = site_post(
        &server,
        new_key,
        &lead_body("Вера", "+7 912 111 22 35"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["dealer_id"], "dealer-4");
    assert_eq!(lead["observer_id"], "user-rep2");

    // The brand's site routes by the customer's city.
    let mut brand = lead_body("Бренд", "+7 912 111 22 36");
    brand["city"] = json!("Владивосток");
    let (status, lead, _) = site_post(&server, "demo-brand-site", &brand, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["dealer_id"], "dealer-4");
    assert_eq!(
        stored(&server, &lead["id"]).await.keys().source.code(),
        "brand_site"
    );
}

#[tokio::test]
async fn fifty_identical_concurrent_posts_make_one_lead() {
    let server = TestServer::start().await;
    let body = lead_body("Гонка", "+7 912 222 33 44");
    let posts = (0..50).map(|_| {
        let body = body.clone();
        let base = server.base.clone();
        tokio::spawn(async move {
            let resp = reqwest::Client::new()
                .post(format!("{base}/api/leads"))
                .header("x-site-key", "demo-site-1")
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status(), resp.json::<Value>().await.unwrap())
        })
    });
    let mut ids = std::collections::BTreeSet::new();
    for post in posts.collect::<Vec<_>>() {
        let (status, lead) = post.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        ids.insert(lead["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(dealer_leads(&server, "dealer-1").await.len(), 1);
}

#[tokio::test]
async fn concurrent_posts_of_one_person_make_one_customer_and_the_phone_wins() {
    let server = TestServer::start().await;
    let types = [
        "preorder",
        "test_drive",
        "service",
        "parts",
        "accessories",
        "credit",
        "trade_in",
        "callback",
    ];
    let posts = types.iter().enumerate().map(|(i, kind)| {
        let base = server.base.clone();
        let mut body =
            json!({"type": kind, "name": "Мария", "phone": "+7 912 333 44 55", "consent": true});
        if i % 2 == 0 {
            body["email"] = json!("maria@example.ru");
        }
        tokio::spawn(async move {
            let resp = reqwest::Client::new()
                .post(format!("{base}/api/leads"))
                .header("x-site-key", "demo-site-2")
                .json(&body)
                .send()
                .await
                .unwrap();
            (resp.status(), resp.json::<Value>().await.unwrap())
        })
    });
    let mut customers = std::collections::BTreeSet::new();
    for post in posts.collect::<Vec<_>>() {
        let (status, lead) = post.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{lead}");
        customers.insert(lead["customer_id"].as_str().unwrap().to_string());
    }
    assert_eq!(customers.len(), 1, "one person, one profile: {customers:?}");
    let profile = server
        .state
        .store
        .customer(&CustomerId::new(customers.first().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.leads().len(), 8);
    assert_eq!(profile.emails().len(), 1);

    // Another person with another phone and e-mail; then a post with Мария's phone and the
    // other's e-mail: the phone wins, the e-mail is added, the pair is flagged.
    let other = json!({"type": "callback", "name": "Ольга", "phone": "+7 912 999 00 11", "email": "olga@example.ru", "consent": true});
    let (_, olga, _) = site_post(&server, "demo-site-2", &other, &[]).await;
    let mixed = json!({"type": "callback", "name": "Мария", "phone": "+7 912 333 44 55", "email": "olga@example.ru", "consent": true});
    let (status, lead, _) = site_post(&server, "demo-site-2", &mixed, &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(
        lead["customer_id"].as_str(),
        customers.first().map(String::as_str)
    );
    let profile = server
        .state
        .store
        .customer(&CustomerId::new(customers.first().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert!(
        profile
            .emails()
            .iter()
            .any(|e| e.as_str() == "olga@example.ru")
    );
    assert_eq!(
        profile.merge_candidates(),
        [CustomerId::new(olga["customer_id"].as_str().unwrap())]
    );
}

/// A browser form post from a site's page: form fields, the page's origin.
async fn form_post(server: &TestServer, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}/api/leads", server.base))
        .header("origin", "http://127.0.0.1:8081")
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, resp.text().await.unwrap())
}

async fn token_of(server: &TestServer, site: &str) -> String {
    let resp = form_token(server, site, Some("http://127.0.0.1:8081")).await;
    let body: Value = resp.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn spam_looks_accepted_but_is_never_stored_and_the_admin_sees_it_counted() {
    let server = TestServer::start().await;
    let person = |name: &'static str| {
        vec![
            ("site", "site-dealer-1"),
            ("type", "test_drive"),
            ("name", name),
            ("phone", "+7 912 444 55 66"),
            ("consent", "on"),
            ("website", ""),
        ]
    };
    // Too fast: posted a second after the form was shown.
    let token = token_of(&server, "site-dealer-1").await;
    server.state.clock.advance(chrono::Duration::seconds(1));
    let mut fast = person("Быстрый");
    fast.push(("form_token", &token));
    let (status, _, page) = form_post(&server, &fast).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Спасибо за заявку!"), "{page}");
    // The honeypot filled, a person's pace.
    server.state.clock.advance(chrono::Duration::seconds(10));
    let mut honey = person("Медовый");
    honey.retain(|(k, _)| *k != "website");
    honey.push(("website", "http://spam.example"));
    honey.push(("form_token", &token));
    let (status, _, page) = form_post(&server, &honey).await;
    assert_eq!(
        (status, page.contains("Спасибо за заявку!")),
        (StatusCode::OK, true)
    );
    // No token (the script did not run), a forged token, another site's token.
    let other = token_of(&server, "site-dealer-2").await;
    server.state.clock.advance(chrono::Duration::seconds(10));
    for t in [None, Some("forged.token"), Some(other.as_str())] {
        let mut p = person("Без подписи");
        if let Some(t) = t {
            p.push(("form_token", t));
        }
        let (status, _, page) = form_post(&server, &p).await;
        assert_eq!(
            (status, page.contains("Спасибо за заявку!")),
            (StatusCode::OK, true)
        );
    }
    assert!(
        dealer_leads(&server, "dealer-1").await.is_empty(),
        "spam is never stored"
    );

    // A person at a person's pace: a lead.
    let mut real = person("Настоящий");
    real.push(("form_token", &token));
    let (status, _, page) = form_post(&server, &real).await;
    assert_eq!(
        (status, page.contains("Спасибо за заявку!")),
        (StatusCode::OK, true)
    );
    let leads = dealer_leads(&server, "dealer-1").await;
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].person().name, "Настоящий");
    assert_eq!(
        leads[0].consent().unwrap().address.as_deref(),
        Some("127.0.0.1")
    );

    let admin = server.login("admin@demo.local").await;
    let site = sites(&admin)
        .await
        .into_iter()
        .find(|s| s["id"] == "site-dealer-1")
        .unwrap();
    assert_eq!(site["spam_total"], 5, "{site}");
    let reasons: Vec<&str> = site["spam"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["reason"].as_str())
        .collect();
    assert_eq!(reasons, ["bad_token", "honeypot", "too_fast"]);

    // A form of a site with a thank-you page is sent there, spam or not; a bad form gets a
    // Russian page with what to fix; a page of another origin is refused.
    let (status, _) = admin
        .send(
            "PUT",
            "/api/admin/sites/site-dealer-2",
            Some(json!({"name": "Юг", "origins": ["http://127.0.0.1:8081"], "thank_you_url": "https://yug.example/spasibo", "consent_version": "v2", "version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let t2 = token_of(&server, "site-dealer-2").await;
    server.state.clock.advance(chrono::Duration::seconds(10));
    let fields = [
        ("site", "site-dealer-2"),
        ("type", "service"),
        ("name", "Юрий"),
        ("phone", "+7 912 444 55 67"),
        ("consent", "on"),
        ("form_token", t2.as_str()),
        ("consent_version", "form-v3"),
    ];
    let (status, location, _) = form_post(&server, &fields).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "https://yug.example/spasibo")
    );
    let lead = &dealer_leads(&server, "dealer-2").await[0];
    assert_eq!(lead.consent().unwrap().text_version, "form-v3");
    let (status, location, _) =
        form_post(&server, &[("site", "site-dealer-2"), ("name", "Бот")]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "https://yug.example/spasibo")
    );
    let bad = [
        ("site", "site-dealer-2"),
        ("type", "service"),
        ("name", "Юрий"),
        ("phone", "12"),
        ("form_token", t2.as_str()),
    ];
    let (status, _, page) = form_post(&server, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Неверный номер телефона.") && page.contains("Нужно согласие"),
        "{page}"
    );
    let resp = reqwest::Client::new()
        .post(format!("{}/api/leads", server.base))
        .header("origin", "https://evil.example")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (status, _, _) = form_post(&server, &[("site", "site-nobody"), ("name", "x")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn browser_posts_are_limited_per_site_and_address_but_a_retry_is_answered_first() {
    // At the start of a ten-minute window, so the run stays in it.
    let server = TestServer::start_at(
        chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .to_utc(),
    )
    .await;
    let token = token_of(&server, "site-dealer-3").await;
    server.state.clock.advance(chrono::Duration::seconds(5));
    let server = &server;
    let token = token.as_str();
    let post_as = |i: usize| async move {
        let name = format!("Клиент {i}");
        let phone = format!("+7 912 555 {:02} {:02}", i / 100, i % 100);
        let fields = [
            ("site", "site-dealer-3"),
            ("type", "callback"),
            ("name", name.as_str()),
            ("phone", phone.as_str()),
            ("consent", "on"),
            ("form_token", token),
        ];
        form_post(server, &fields).await
    };
    for i in 0..10 {
        let (status, _, page) = post_as(i).await;
        assert_eq!(status, StatusCode::OK, "post {i}: {page}");
    }
    // A retry of an earlier post is answered before the limit counts it.
    let (status, _, _) = post_as(3).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = post_as(10).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");
    assert!(page.contains("Слишком много заявок"), "{page}");
    assert_eq!(dealer_leads(server, "dealer-3").await.len(), 10);
    // The next window takes posts again.
    server.state.clock.advance(chrono::Duration::minutes(10));
    let (status, _, _) = post_as(11).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn dealers_type_leads_in_by_hand_and_other_roles_may_not() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let call = json!({"type": "test_drive", "name": "Звонок", "phone": "+7 912 666 77 88", "source": "phone", "consent": true, "dealer_id": "dealer-2"});
    let (status, lead) = dealer.send("POST", "/api/leads", Some(call.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    // Another dealer chosen on the form: the lead stays with the dealer who typed it in.
    assert_eq!(lead["dealer_id"], "dealer-1");
    let card = stored(&server, &lead["id"]).await;
    assert_eq!(card.keys().source.code(), "phone");
    assert_eq!(card.consent().unwrap().text_version, "dealer_entry");
    let (status, again) = dealer.send("POST", "/api/leads", Some(call)).await;
    assert_eq!((status, &again["id"]), (StatusCode::CREATED, &lead["id"]));

    for (source, ok) in [
        (Some("showroom"), true),
        (Some("site"), false),
        (None, false),
    ] {
        let mut body = json!({"type": "service", "name": format!("Визит {source:?}"), "phone": "+7 912 666 77 89", "consent": true});
        if let Some(s) = source {
            body["source"] = json!(s);
        }
        let (status, answer) = dealer.send("POST", "/api/leads", Some(body)).await;
        if ok {
            assert_eq!(status, StatusCode::CREATED, "{answer}");
        } else {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
            assert_eq!(answer["error"]["fields"][0]["field"], "source");
        }
    }
    assert_eq!(dealer_leads(&server, "dealer-1").await.len(), 2);
    assert!(dealer_leads(&server, "dealer-2").await.is_empty());

    for email in [
        "accountant1@demo.local",
        "specialist@demo.local",
        "manager@demo.local",
        "rep@demo.local",
        "brand@demo.local",
        "admin@demo.local",
    ] {
        let other = server.login(email).await;
        let (status, body) = other
            .send("POST", "/api/leads", Some(json!({"type": "callback", "name": "x", "phone": "+7 912 666 77 90", "source": "phone", "consent": true})))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
    }

    // The portal's «Новая заявка».
    let browser = log_in(&server, "dealer2@demo.local").await;
    let (status, form) = get(&browser, &format!("{}/leads/new", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("Новая заявка") && form.contains("Визит в салон"),
        "{form}"
    );
    let csrf = hidden(&form, "csrf");
    let form_id = hidden(&form, "form_id");
    let fields = [
        ("csrf", csrf.as_str()),
        ("form_id", form_id.as_str()),
        ("source", "showroom"),
        ("type", "preorder"),
        ("name", "Салонный"),
        ("phone", "8 912 777 88 99"),
    ];
    let (status, _, page) = post(&browser, &format!("{}/leads/new", server.base), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Нужно согласие на обработку персональных данных."),
        "{page}"
    );
    assert!(page.contains("value=\"Салонный\""));
    let mut with_consent = fields.to_vec();
    with_consent.push(("consent", "true"));
    post(
        &browser,
        &format!("{}/leads/new", server.base),
        &with_consent,
    )
    .await;
    post(
        &browser,
        &format!("{}/leads/new", server.base),
        &with_consent,
    )
    .await;
    let leads = dealer_leads(&server, "dealer-2").await;
    assert_eq!(leads.len(), 1, "a double submit is one lead");
    assert_eq!(leads[0].keys().source.code(), "showroom");
    let specialist = log_in(&server, "specialist@demo.local").await;
    let (status, _) = get(&specialist, &format!("{}/leads/new", server.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_operator_issues_rotates_lists_and_revokes_a_site_key_from_the_command_line() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().to_string_lossy().to_string();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"))
            .args(args)
            .args(["--data-dir", &data_arg])
            .output()
            .expect("dealerdesk runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, _, err) = cli(&[
        "dealer",
        "create",
        "--id",
        "d-kazan",
        "--name",
        "Автоцентр Казань",
        "--city",
        "Казань",
        "--network",
        "peugeot",
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = cli(&[
        "site-key",
        "issue",
        "--name",
        "Сайт Казани",
        "--dealer",
        "d-kazan",
        "--origin",
        "https://kazan-auto.example",
        "--consent-version",
        "2026-03",
    ]);
    assert!(ok, "{err}");
    let key = out
        .lines()
        .find_map(|l| l.strip_prefix("secret key (shown once): "))
        .expect("the key is printed once")
        .to_string();
    let site = out
        .split_whitespace()
        .nth(1)
        .expect("the site id")
        .to_string();
    assert!(key.starts_with("dds_"), "{out}");
    let (ok, list, _) = cli(&["site-key", "list"]);
    assert!(
        ok && list.contains(&site) && list.contains("active"),
        "{list}"
    );
    assert!(!list.contains(&key), "a key is never listed");
    let (ok, out, err) = cli(&["site-key", "rotate", "--site", &site]);
    assert!(ok, "{err}");
    assert!(out.contains("dds_") && !out.contains(&key), "{out}");
    let (ok, _, err) = cli(&["site-key", "revoke", "--site", &site]);
    assert!(ok, "{err}");
    let (_, list, _) = cli(&["site-key", "list"]);
    assert!(list.contains("revoked"), "{list}");
    // Every bad field in Russian; an unknown site refused.
    let (ok, _, err) = cli(&[
        "site-key",
        "issue",
        "--name",
        "x",
        "--dealer",
        "d-nobody",
        "--consent-version",
        "v",
    ]);
    assert!(!ok && err.contains("Такого дилера нет."), "{err}");
    let (ok, _, _) = cli(&["site-key", "rotate", "--site", "site-nobody"]);
    assert!(!ok);
}

#[tokio::test]
async fn a_sites_server_is_limited_per_minute_but_its_retries_are_still_answered() {
    // At the start of a minute, so the whole run stays in one window.
    let server = TestServer::start_at(
        chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .to_utc(),
    )
    .await;
    let body = |i: usize| {
        json!({"type": "callback", "name": format!("Сервер {i}"),
            "phone": format!("+7 913 100 {:02} {:02}", i / 100, i % 100), "consent": true})
    };
    let mut first = Value::Null;
    for batch in 0..12 {
        let posts: Vec<_> = (0..10)
            .map(|j| {
                let base = server.base.clone();
                let b = body(batch * 10 + j);
                tokio::spawn(async move {
                    reqwest::Client::new()
                        .post(format!("{base}/api/leads"))
                        .header("x-site-key", "demo-site-4")
                        .json(&b)
                        .send()
                        .await
                        .unwrap()
                        .status()
                })
            })
            .collect();
        for p in posts {
            assert_eq!(p.await.unwrap(), StatusCode::CREATED);
        }
        if batch == 0 {
            let (_, lead, _) = site_post(&server, "demo-site-4", &body(0), &[]).await;
            first = lead["id"].clone();
        }
    }
    let (status, answer, headers) = site_post(&server, "demo-site-4", &body(120), &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
    assert_eq!(answer["error"]["code"], "too_many_leads");
    assert!(headers.contains_key("retry-after"));
    // A retry of an earlier post is answered with its lead, over the limit or not.
    let (status, again, _) = site_post(&server, "demo-site-4", &body(0), &[]).await;
    assert_eq!((status, &again["id"]), (StatusCode::CREATED, &first));
    let newest = dealer_leads(&server, "dealer-4").await;
    assert!(!newest.iter().any(|l| l.person().name == "Сервер 120"));
}
