//! The lead card (SPEC §4.3, issue 8) through the real API and portal: the dealer's list, the
//! «Контакт» and «Договор» blocks, the editable fields and the history, who reads and who
//! changes, the search across dealers with the transfer, and the customer's page.

use chrono::{Duration, TimeZone, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_domain::lead::{LeadDraft, LeadSource, Origin};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A lead posted on `dealer`'s own site.
async fn post_lead(
    server: &TestServer,
    dealer: &str,
    kind: &str,
    (name, surname): (&str, &str),
    phone: &str,
    email: Option<&str>,
) -> Value {
    let draft = LeadDraft {
        kind: Some(kind.into()),
        name: Some(name.into()),
        surname: Some(surname.into()),
        phone: Some(phone.into()),
        email: email.map(str::to_string),
        city: Some("Москва".into()),
        model: Some("Кроссовер X".into()),
        version: Some("2.0 AT".into()),
        trim: Some("Комфорт".into()),
        price: Some("2 500 000".into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    let new = draft.validate().expect("a valid draft");
    let made = lead::create(
        &server.state,
        LeadIntake {
            network: NetworkId::new("network-demo"),
            origin: Origin::DealerSite(DealerId::new(dealer)),
            source: LeadSource::Site,
            new,
            idempotency: None,
        },
    )
    .await
    .expect("lead created");
    let id = made.lead().id().to_string();
    // The card as its dealer's API shows it.
    let (_, card) = server_api(server, dealer)
        .await
        .send("GET", &format!("/api/leads/{id}"), None)
        .await;
    card["lead"].clone()
}

async fn server_api(server: &TestServer, dealer: &str) -> Api {
    let email = format!("{}@demo.local", dealer.replace('-', ""));
    server.login(&email).await
}

async fn start() -> TestServer {
    TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await
}

async fn card(api: &Api, id: &str) -> (StatusCode, Value) {
    api.send("GET", &format!("/api/leads/{id}"), None).await
}

async fn block(api: &Api, id: &str, which: &str, body: Value) -> (StatusCode, Value) {
    api.send("POST", &format!("/api/leads/{id}/{which}"), Some(body))
        .await
}

/// An RFC 3339 instant to the minute (the test clock runs on in real time).
fn minute(at: &Value) -> &str {
    at.as_str().map(|s| &s[..s.len().min(16)]).unwrap_or("")
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_dealers_list_filters_by_status_type_and_period_sorts_and_pages() {
    let server = start().await;
    let first = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        Some("ivan@mail.ru"),
    )
    .await;
    server.state.clock.advance(Duration::minutes(5));
    let second = post_lead(
        &server,
        "dealer-1",
        "service",
        ("Анна", "Смирнова"),
        "89161112233",
        None,
    )
    .await;
    server.state.clock.advance(Duration::minutes(5));
    let third = post_lead(
        &server,
        "dealer-1",
        "test_drive",
        ("Олег", "Орлов"),
        "+7 916 444 55 66",
        Some("oleg@mail.ru"),
    )
    .await;
    post_lead(
        &server,
        "dealer-2",
        "preorder",
        ("Пётр", "Иванов"),
        "+79165550000",
        None,
    )
    .await;
    let dealer = server.login("dealer1@demo.local").await;

    let (status, all) = dealer.send("GET", "/api/leads", None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let ids: Vec<Value> = items(&all).iter().map(|l| l["id"].clone()).collect();
    assert_eq!(
        ids,
        [
            third["id"].clone(),
            second["id"].clone(),
            first["id"].clone()
        ],
        "its own leads only, newest first"
    );
    let row = &items(&all)[2];
    for field in [
        "name",
        "surname",
        "email",
        "phone",
        "price",
        "status",
        "status_label",
        "created_at",
        "updated_at",
    ] {
        assert!(!row[field].is_null(), "{field} in {row}");
    }
    assert_eq!(row["phone"], "+79123456789");
    assert_eq!(row["status_label"], "Новый");
    assert_eq!(row["price_label"], "2\u{a0}500\u{a0}000\u{a0}₽");

    let (_, service) = dealer.send("GET", "/api/leads?type=service", None).await;
    assert_eq!(items(&service).len(), 1);
    assert_eq!(items(&service)[0]["name"], "Анна");

    let (_, asc) = dealer
        .send("GET", "/api/leads?sort=created_asc&limit=2", None)
        .await;
    assert_eq!(items(&asc)[0]["id"], first["id"]);
    let cursor = asc["next_cursor"].as_str().expect("a second page");
    let (_, rest) = dealer
        .send(
            "GET",
            &format!("/api/leads?sort=created_asc&limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(items(&rest).len(), 1);
    assert_eq!(items(&rest)[0]["id"], third["id"]);

    // The period: leads created from 07:05 UTC (10:05 Moscow) on.
    let (_, later) = dealer
        .send("GET", "/api/leads?from=2026-03-02T07:04:00Z", None)
        .await;
    assert_eq!(items(&later).len(), 2);
    let (_, day) = dealer
        .send("GET", "/api/leads?from=2026-03-02&to=2026-03-02", None)
        .await;
    assert_eq!(items(&day).len(), 3, "a Moscow day, inclusive");
    let (_, none) = dealer.send("GET", "/api/leads?from=2026-03-03", None).await;
    assert!(items(&none).is_empty());

    // Status: once contacted, the lead waits for the visit.
    let (status, _) = block(
        &dealer,
        first["id"].as_str().unwrap(),
        "contact",
        json!({"outcome": "yes", "version": first["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, waiting) = dealer
        .send("GET", "/api/leads?status=awaiting_visit", None)
        .await;
    assert_eq!(items(&waiting).len(), 1);
    assert_eq!(items(&waiting)[0]["id"], first["id"]);
    let (_, new) = dealer
        .send("GET", "/api/leads?status=new&type=preorder", None)
        .await;
    assert!(items(&new).is_empty());

    for bad in [
        "status=lost",
        "type=boat",
        "from=вчера",
        "sort=price",
        "from=2026-03-05&to=2026-03-01",
    ] {
        let (status, body) = dealer.send("GET", &format!("/api/leads?{bad}"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "validation_failed");
    }

    // The representative observing dealer 1's sales and service sees them; the other one,
    // and a role without leads, do not.
    let (_, observed) = server
        .login("rep@demo.local")
        .await
        .send("GET", "/api/leads", None)
        .await;
    assert!(
        items(&observed).iter().any(|l| l["id"] == first["id"]),
        "{observed}"
    );
    let (_, other_rep) = server
        .login("rep2@demo.local")
        .await
        .send("GET", "/api/leads", None)
        .await;
    assert!(
        !items(&other_rep)
            .iter()
            .any(|l| l["dealer_id"] == "dealer-1"),
        "{other_rep}"
    );
    let (_, brand) = server
        .login("brand@demo.local")
        .await
        .send("GET", "/api/leads", None)
        .await;
    assert_eq!(items(&brand).len(), 4, "the brand reads the network's");
    let (status, _) = server
        .login("accountant1@demo.local")
        .await
        .send("GET", "/api/leads", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server.anonymous().send("GET", "/api/leads", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_contact_and_contract_blocks_follow_the_manual_and_stamped_times_never_change() {
    let server = start().await;
    let lead = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        Some("ivan@mail.ru"),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let dealer = server.login("dealer1@demo.local").await;
    let v = |l: &Value| l["version"].clone();

    // «Договор» before «Контакт — Да» is refused.
    let (status, body) = block(
        &dealer,
        id,
        "contract",
        json!({"outcome": "yes", "version": v(&lead)}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "lead_contact_required");

    // «Нет — Не дозвонились» stays «Не обработан»; «Другое» needs its text.
    let (status, body) = block(&dealer, id, "contact", json!({"outcome": "no", "reason": "no_answer", "comment": "Не берёт трубку", "version": v(&lead)})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lead = body["lead"].clone();
    assert_eq!(lead["status"], "not_processed");
    assert_eq!(lead["status_label"], "Не обработан");
    assert_eq!(lead["contact"]["answer"]["label"], "Нет — Не дозвонились");
    assert!(lead["contact"]["contacted_at"].is_null());
    let (status, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "no", "reason": "other", "version": v(&lead)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "contact_reason_text");
    let (status, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "no", "version": v(&lead)}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a «Нет» needs a reason: {body}"
    );
    let (status, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "maybe", "version": v(&lead)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = block(&dealer, id, "contact", json!({"version": v(&lead)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "outcome");
    assert_eq!(body["error"]["message"], "Выберите ответ: «Да» или «Нет».");

    // A stale version is a conflict, and nothing is written.
    let (status, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "yes", "version": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "lead_version_conflict");

    // The second call reaches the customer: «Да» stamps the contact time.
    server.state.clock.advance(Duration::minutes(30));
    let (status, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "yes", "version": v(&lead)}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let lead = body["lead"].clone();
    assert_eq!(lead["status_label"], "Ожидание визита");
    let contacted_at = lead["contact"]["contacted_at"].clone();
    assert_eq!(minute(&contacted_at), "2026-03-02T07:30");
    assert_eq!(lead["contract"]["enabled"], true);

    // A later «Нет» with a refusal reason and back to «Да»: the stamped time stays.
    server.state.clock.advance(Duration::minutes(30));
    let (_, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "no", "reason": "customer_declined", "version": v(&lead)}),
    )
    .await;
    let lead = body["lead"].clone();
    assert_eq!(lead["status_label"], "Отказ");
    assert_eq!(lead["contact"]["contacted_at"], contacted_at);
    let (_, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "yes", "version": v(&lead), "contacted_at": "2020-01-01T00:00:00Z"}),
    )
    .await;
    let lead = body["lead"].clone();
    assert_eq!(
        lead["contact"]["contacted_at"], contacted_at,
        "never re-stamped, never set by a body"
    );

    // «Договор — Нет» with a reason is «Отказ»; «Да» stamps the contract time once.
    let (_, body) = block(
        &dealer,
        id,
        "contract",
        json!({"outcome": "no", "reason": "price", "version": v(&lead)}),
    )
    .await;
    let lead = body["lead"].clone();
    assert_eq!(
        (
            lead["status_label"].as_str(),
            lead["contract"]["answer"]["label"].as_str()
        ),
        (Some("Отказ"), Some("Нет — Не устроила цена"))
    );
    let (status, body) = block(
        &dealer,
        id,
        "contract",
        json!({"outcome": "no", "reason": "other", "reason_text": " ", "version": v(&lead)}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    server.state.clock.advance(Duration::minutes(30));
    let (_, body) = block(
        &dealer,
        id,
        "contract",
        json!({"outcome": "yes", "comment": "Договор №15", "version": v(&lead)}),
    )
    .await;
    let lead = body["lead"].clone();
    assert_eq!(lead["status_label"], "Договор заключен");
    assert_eq!(minute(&lead["contract"]["contract_at"]), "2026-03-02T08:30");
    assert_eq!(lead["contract"]["comment"], "Договор №15");
    // With a contract recorded, «Контакт» cannot become «Нет».
    let (status, body) = block(
        &dealer,
        id,
        "contact",
        json!({"outcome": "no", "reason": "no_answer", "version": v(&lead)}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "lead_contract_recorded");

    // Every change is in the history: who, when, field, old, new.
    let (_, shown) = card(&dealer, id).await;
    let history = shown["history"].as_array().unwrap();
    let contact_changes: Vec<(&str, &str)> = history
        .iter()
        .filter(|e| e["field"] == "contact")
        .map(|e| (e["old"].as_str().unwrap_or("—"), e["new"].as_str().unwrap()))
        .collect();
    assert_eq!(
        contact_changes,
        [
            ("—", "Нет — Не дозвонились"),
            ("Нет — Не дозвонились", "Да"),
            ("Да", "Нет — Клиент отказался"),
            ("Нет — Клиент отказался", "Да"),
        ]
    );
    let stamp = history
        .iter()
        .find(|e| e["field"] == "contacted_at")
        .unwrap();
    assert_eq!(stamp["at"], contacted_at);
    assert_eq!(stamp["new"], contacted_at, "the stamp as RFC 3339 UTC");
    assert_eq!(stamp["by"], "user-dealer1", "{stamp}");
    assert_ne!(stamp["who"], "Платформа");
    assert_eq!(
        history
            .iter()
            .filter(|e| e["field"] == "contacted_at")
            .count(),
        1
    );
    assert!(
        history
            .iter()
            .any(|e| e["field"] == "status" && e["new"] == "Договор заключен")
    );
}

#[tokio::test]
async fn key_properties_cannot_be_changed_through_any_route_while_the_editable_fields_can() {
    let server = start().await;
    let lead = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        None,
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let dealer = server.login("dealer1@demo.local").await;
    let path = format!("/api/leads/{id}");
    for (field, value) in [
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("source", json!("phone")),
        ("type", json!("service")),
        ("original_dealer_id", json!("dealer-2")),
        ("dealer_id", json!("dealer-2")),
        ("contacted_at", json!("2020-01-01T00:00:00Z")),
        ("contract_at", json!("2020-01-01T00:00:00Z")),
        ("status", json!("contract")),
    ] {
        let (status, body) = dealer
            .send(
                "PATCH",
                &path,
                Some(json!({"version": lead["version"], field: value, "comment": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], field);
    }
    let (status, body) = dealer
        .send(
            "PATCH",
            &path,
            Some(json!({"version": lead["version"], "colour": "red"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The portal's edit form refuses them as well.
    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (_, page) = browser::get(&b, &format!("{}/leads/{id}", server.base)).await;
    let csrf = browser::hidden(&page, "csrf");
    let (status, _, page) = browser::post(
        &b,
        &format!("{}/leads/{id}/edit", server.base),
        &[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("created_at", "2020-01-01"),
            ("comment", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ключевое свойство"), "{page}");
    let (_, unchanged) = card(&dealer, id).await;
    assert_eq!(
        unchanged["lead"]["version"], lead["version"],
        "nothing was written"
    );
    assert_eq!(unchanged["lead"]["created_at"], lead["created_at"]);

    // The editable fields change any number of times, each change in the history.
    let (status, body) = dealer
        .send(
            "PATCH",
            &path,
            Some(json!({"version": lead["version"], "model_version": "2.5 AT", "trim": "Престиж", "city": "Тула", "preferred_dealer_id": "dealer-2", "comment": "Просит тест-драйв"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let l = &body["lead"];
    assert_eq!(
        (
            l["model_version"].as_str(),
            l["trim"].as_str(),
            l["city"].as_str()
        ),
        (Some("2.5 AT"), Some("Престиж"), Some("Тула"))
    );
    assert_eq!(l["preferred_dealer_id"], "dealer-2");
    assert_eq!(
        l["dealer_id"], "dealer-1",
        "a preferred dealer never moves the lead"
    );
    let (status, body) = dealer
        .send(
            "PATCH",
            &path,
            Some(
                json!({"version": l["version"], "comment": "Перезвонить в пятницу", "trim": null}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["lead"]["trim"].is_null());
    let fields: Vec<&str> = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "comment",
            "version",
            "trim",
            "city",
            "preferred_dealer",
            "comment",
            "trim"
        ]
    );
    let last = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["field"] == "comment")
        .unwrap();
    assert_eq!(
        (last["old"].as_str(), last["new"].as_str()),
        (Some("Просит тест-драйв"), Some("Перезвонить в пятницу"))
    );
    let (status, _) = dealer
        .send(
            "PATCH",
            &path,
            Some(json!({"version": 1, "comment": "поздно"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn representatives_and_the_brand_read_only_and_every_endpoint_refuses_a_foreign_dealer() {
    let server = start().await;
    let lead = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        Some("ivan@mail.ru"),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let customer = lead["customer_id"].as_str().unwrap();
    assert_eq!(lead["observer_id"], "user-rep");
    let v = lead["version"].clone();

    for who in ["rep@demo.local", "brand@demo.local"] {
        let api = server.login(who).await;
        let (status, shown) = card(&api, id).await;
        assert_eq!(status, StatusCode::OK, "{who}: {shown}");
        assert_eq!(shown["lead"]["editable"], false);
        let (status, body) = api
            .send(
                "PATCH",
                &format!("/api/leads/{id}"),
                Some(json!({"version": v, "comment": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        let (status, _) = block(&api, id, "contact", json!({"outcome": "yes", "version": v})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        let (status, _) = api
            .send("GET", &format!("/api/customers/{customer}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{who}");
    }

    // Another dealer and the other representative: as if the lead did not exist.
    for who in ["dealer2@demo.local", "rep2@demo.local"] {
        let api = server.login(who).await;
        let requests = [
            ("GET", format!("/api/leads/{id}"), None),
            (
                "PATCH",
                format!("/api/leads/{id}"),
                Some(json!({"version": v, "comment": "x"})),
            ),
            (
                "POST",
                format!("/api/leads/{id}/contact"),
                Some(json!({"outcome": "yes", "version": v})),
            ),
            (
                "POST",
                format!("/api/leads/{id}/contract"),
                Some(json!({"outcome": "yes", "version": v})),
            ),
            ("GET", format!("/api/customers/{customer}"), None),
        ];
        for (method, path, body) in requests {
            let (status, answer) = api.send(method, &path, body).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{who} {method} {path}: {answer}"
            );
            assert_eq!(answer["error"]["code"], "not_found");
        }
        let b = browser::log_in(&server, who).await;
        let (status, _) = browser::get(&b, &format!("{}/leads/{id}", server.base)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }
    // A transfer is not a way to reach a lead by its id: the search must match it.
    let dealer2 = server.login("dealer2@demo.local").await;
    let (status, _) = dealer2
        .send("POST", &format!("/api/leads/{id}/transfer"), Some(json!({"surname": "Сидоров", "name": "Иван", "phone": "6789", "record_contract": true, "version": v})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Roles without leads.
    for who in [
        "accountant1@demo.local",
        "specialist@demo.local",
        "manager@demo.local",
    ] {
        let (status, _) = card(&server.login(who).await, id).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, _) = dealer2.send("GET", "/api/leads/not-a-lead", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, untouched) = card(&server.login("dealer1@demo.local").await, id).await;
    assert_eq!(untouched["lead"]["version"], v);
}

#[tokio::test]
async fn a_dealer_finds_a_lead_of_another_dealer_redacted_and_takes_it_over_only_with_a_contract() {
    let server = start().await;
    let lead = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        Some("ivan@mail.ru"),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let dealer1 = server.login("dealer1@demo.local").await;
    let (_, commented) = dealer1
        .send(
            "PATCH",
            &format!("/api/leads/{id}"),
            Some(json!({"version": lead["version"], "comment": "Секретная скидка"})),
        )
        .await;
    let dealer2 = server.login("dealer2@demo.local").await;

    // Surname and name, plus an e-mail or a phone (or part of one).
    for (query, field) in [
        ("name=Иван&phone=6789", "surname"),
        ("surname=Петров&phone=6789", "name"),
        ("surname=Петров&name=Иван", "email"),
        ("surname=Петров&name=Иван&phone=67", "phone"),
    ] {
        let (status, body) = dealer2
            .send("GET", &format!("/api/leads/search?{query}"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert!(
            body["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "{query}: {body}"
        );
    }
    let (status, found) = dealer2
        .send("GET", "/api/leads/search?surname=%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2&name=%D0%B8%D0%B2%D0%B0%D0%BD&phone=8%20912%20345", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let hits = items(&found);
    assert_eq!(hits.len(), 1, "{found}");
    let hit = &hits[0];
    assert_eq!(hit["id"], id);
    assert_eq!(hit["dealer_id"], "dealer-1");
    assert_eq!(hit["yours"], false);
    let shown = hit.to_string();
    assert!(
        !shown.contains("79123456789") && !shown.contains("ivan@mail.ru"),
        "masked: {shown}"
    );
    assert!(!shown.contains("Секретная"), "no comments: {shown}");
    let (_, none) = dealer2
        .send(
            "GET",
            "/api/leads/search?surname=Петров&name=Иван&email=other@mail.ru",
            None,
        )
        .await;
    assert!(items(&none).is_empty());
    let (status, _) = server
        .login("rep@demo.local")
        .await
        .send(
            "GET",
            "/api/leads/search?surname=Петров&name=Иван&phone=6789",
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only a dealer's staff search"
    );

    // Without a concluded contract: a clear 409, nothing moves.
    let search = json!({"surname": "Петров", "name": "Иван", "phone": "6789"});
    let transfer = |record: bool, version: &Value| {
        let mut body = search.clone();
        body["record_contract"] = json!(record);
        body["version"] = version.clone();
        body
    };
    let v = commented["lead"]["version"].clone();
    let path = format!("/api/leads/{id}/transfer");
    let (status, body) = dealer2.send("POST", &path, Some(transfer(false, &v))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "lead_transfer_needs_contract");
    let (status, _) = dealer2
        .send("POST", &path, Some(transfer(true, &json!(1))))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version");

    // The searching dealer records «Договор — Да» with the transfer.
    server.state.clock.advance(Duration::hours(1));
    let (status, body) = dealer2.send("POST", &path, Some(transfer(true, &v))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let moved = &body["lead"];
    assert_eq!(moved["dealer_id"], "dealer-2");
    assert_eq!(moved["original_dealer_id"], "dealer-1");
    assert_eq!(moved["status_label"], "Договор заключен");
    assert_eq!(
        minute(&moved["contract"]["contract_at"]),
        "2026-03-02T08:00"
    );
    assert_eq!(moved["editable"], true);
    let dealer_change = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "dealer")
        .expect("the move is in the history");
    assert_eq!(
        (dealer_change["old"].as_str(), dealer_change["new"].as_str()),
        (Some("dealer-1"), Some("dealer-2"))
    );

    // The first dealer still reads it and where it went, but no longer changes it.
    let (status, seen) = card(&dealer1, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["lead"]["editable"], false);
    assert!(
        seen["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "dealer")
    );
    let (status, _) = dealer1
        .send(
            "PATCH",
            &format!("/api/leads/{id}"),
            Some(json!({"version": moved["version"], "comment": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list1) = dealer1.send("GET", "/api/leads", None).await;
    assert!(
        items(&list1).is_empty(),
        "no longer in the first dealer's list"
    );
    let (_, list2) = dealer2.send("GET", "/api/leads", None).await;
    assert_eq!(items(&list2)[0]["id"], id);

    // Both dealers and the observer are told (e-mail and inbox).
    let state = &server.state;
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    for who in ["dealer1@demo.local", "dealer2@demo.local", "rep@demo.local"] {
        let (_, inbox) = server
            .login(who)
            .await
            .send("GET", "/api/notifications", None)
            .await;
        assert!(
            items(&inbox)
                .iter()
                .any(|n| n["title"].as_str().unwrap().contains("Заявка передана")
                    && n["link"] == format!("/leads/{id}")),
            "{who}: {inbox}"
        );
    }
    // Taking it again: it is theirs already.
    let (status, body) = dealer2
        .send("POST", &path, Some(transfer(true, &moved["version"])))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "lead_already_yours");
}

#[tokio::test]
async fn the_customers_page_shows_their_leads_as_far_as_the_viewer_sees_them() {
    let server = start().await;
    let first = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        None,
    )
    .await;
    server.state.clock.advance(Duration::minutes(1));
    let second = post_lead(
        &server,
        "dealer-2",
        "service",
        ("Иван", "Петров"),
        "8 912 345-67-89",
        Some("ivan@mail.ru"),
    )
    .await;
    let customer = first["customer_id"].as_str().unwrap();
    assert_eq!(second["customer_id"], customer, "one person, one profile");

    let leads_of = |body: &Value| -> Vec<String> {
        body["leads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    let path = format!("/api/customers/{customer}");
    let (status, mine) = server
        .login("dealer1@demo.local")
        .await
        .send("GET", &path, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(leads_of(&mine), [first["id"].as_str().unwrap()]);
    assert!(
        !mine.to_string().contains("ivan@mail.ru"),
        "not the other dealer's data: {mine}"
    );
    let (_, brand) = server
        .login("brand@demo.local")
        .await
        .send("GET", &path, None)
        .await;
    assert_eq!(
        leads_of(&brand),
        [
            second["id"].as_str().unwrap(),
            first["id"].as_str().unwrap()
        ]
    );
    let (status, _) = server
        .login("dealer3@demo.local")
        .await
        .send("GET", &path, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let b = browser::log_in(&server, "dealer2@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/customers/{customer}", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Иван Петров") && page.contains("Запись на сервис"),
        "{page}"
    );
    assert!(
        !page.contains("Предзаказ"),
        "dealer 1's lead is not shown: {page}"
    );
}

#[tokio::test]
async fn the_portal_lists_leads_and_saves_the_blocks_from_the_card() {
    let server = start().await;
    let lead = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        Some("ivan@mail.ru"),
    )
    .await;
    let id = lead["id"].as_str().unwrap();
    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, list) = browser::get(&b, &format!("{}/leads?status=new", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(">Заявки</a>"), "the menu: {list}");
    assert!(
        list.contains("Иван Петров")
            && list.contains("+79123456789")
            && list.contains("2\u{a0}500\u{a0}000\u{a0}₽"),
        "{list}"
    );
    assert!(list.contains("Новый"));

    let url = format!("{}/leads/{id}", server.base);
    let (_, page) = browser::get(&b, &url).await;
    assert!(page.contains("<h2>Контакт</h2>") && page.contains("<h2>Договор</h2>"));
    assert!(
        page.contains("Блок «Договор» доступен после того, как в блоке «Контакт» выбрано «Да».")
    );
    for reason in [
        "Не дозвонились",
        "Неверный номер",
        "Клиент отказался",
        "Купил в другом месте",
        "Другое",
    ] {
        assert!(page.contains(reason), "{reason}");
    }
    let csrf = browser::hidden(&page, "csrf");
    // «Другое» without its text: the card again, with the message.
    let (status, _, again) = browser::post(
        &b,
        &format!("{url}/contact"),
        &[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("outcome", "no"),
            ("reason", "other"),
            ("reason_text", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.contains("Укажите причину: выбрано «Другое»."),
        "{again}"
    );
    let (status, path, page) = browser::post(
        &b,
        &format!("{url}/contact"),
        &[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("outcome", "yes"),
            ("reason", ""),
            ("reason_text", ""),
            ("comment", "Приедет в субботу"),
        ],
    )
    .await;
    assert_eq!(
        (status, path.as_str()),
        (StatusCode::OK, format!("/leads/{id}").as_str())
    );
    assert!(
        page.contains("Ожидание визита") && page.contains("Время контакта"),
        "{page}"
    );
    assert!(
        page.contains("Договор заключен?"),
        "the contract form is open now"
    );
    for reason in [
        "Не устроила цена",
        "Не устроили условия кредита",
        "Выбрал другую модель",
        "Купил у другого дилера",
        "Передумал",
    ] {
        assert!(page.contains(reason), "{reason}");
    }
    assert!(page.contains("Приедет в субботу"));

    // The other dealer finds it and sees the transfer button.
    let b2 = browser::log_in(&server, "dealer2@demo.local").await;
    let (status, found) = browser::get(
        &b2,
        &format!(
            "{}/leads/search?surname=Петров&name=Иван&email=ivan@mail.ru",
            server.base
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        found.contains("Передать заявку нам") && found.contains("Договор заключен у нас"),
        "{found}"
    );
    assert!(!found.contains("ivan@mail.ru</td>"), "the e-mail is masked");
    let csrf = browser::hidden(&found, "csrf");
    let (status, _, refused) = browser::post(
        &b2,
        &format!("{}/leads/{id}/transfer", server.base),
        &[
            ("csrf", csrf.as_str()),
            ("version", "2"),
            ("surname", "Петров"),
            ("name", "Иван"),
            ("email", "ivan@mail.ru"),
            ("phone", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refused.contains("Передать заявку можно только со статусом «Договор заключен»."),
        "{refused}"
    );
    let (status, path, taken) = browser::post(
        &b2,
        &format!("{}/leads/{id}/transfer", server.base),
        &[
            ("csrf", csrf.as_str()),
            ("version", "2"),
            ("surname", "Петров"),
            ("name", "Иван"),
            ("email", "ivan@mail.ru"),
            ("phone", ""),
            ("record_contract", "yes"),
        ],
    )
    .await;
    assert_eq!((status, path), (StatusCode::OK, format!("/leads/{id}")));
    assert!(
        taken.contains("Договор заключен") && taken.contains("Автоцентр Юг"),
        "{taken}"
    );
}

#[tokio::test]
async fn an_anonymised_customer_is_found_by_no_search() {
    let server = start().await;
    let lead = post_lead(
        &server,
        "dealer-1",
        "preorder",
        ("Иван", "Петров"),
        "+79123456789",
        Some("ivan@mail.ru"),
    )
    .await;
    let dealer2 = server.login("dealer2@demo.local").await;
    let search = "/api/leads/search?surname=Петров&name=Иван&phone=6789";
    let (_, found) = dealer2.send("GET", search, None).await;
    assert_eq!(items(&found).len(), 1, "{found}");
    let customer = lead["customer_id"].as_str().unwrap();
    let (status, body) = server
        .login("admin@demo.local")
        .await
        .send(
            "POST",
            &format!("/api/customers/{customer}/anonymise"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, found) = dealer2.send("GET", search, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(items(&found).is_empty(), "{found}");
}
