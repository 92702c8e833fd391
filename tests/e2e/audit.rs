//! The audit log (SPEC §4.7, issue 11) through the real API and portal: every change of a
//! ticket, a lead, a wish and the settings leaves an entry — who, when, which field from what
//! to what — the customers' personal data masked; the admin searches it by item, person and
//! period, page by page; nobody else may; each card shows its own «История изменений» to
//! whoever sees the card.

use chrono::{TimeZone, Utc};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_domain::lead::{LeadDraft, LeadSource, Origin};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn start() -> TestServer {
    TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await
}

/// A lead posted on dealer 1's own site by Иван Петров, +79123456789, ivan@mail.ru.
pub(crate) async fn post_lead(server: &TestServer) -> String {
    let draft = LeadDraft {
        kind: Some("preorder".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some("+79123456789".into()),
        email: Some("ivan@mail.ru".into()),
        city: Some("Москва".into()),
        model: Some("Кроссовер X".into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    let made = lead::create(
        &server.state,
        LeadIntake {
            network: NetworkId::new("network-demo"),
            origin: Origin::DealerSite(DealerId::new("dealer-1")),
            source: LeadSource::Site,
            new: draft.validate().expect("a valid draft"),
            idempotency: None,
        },
    )
    .await
    .expect("lead created");
    made.lead().id().to_string()
}

async fn audit(admin: &Api, query: &str) -> Vec<Value> {
    let (status, page) = admin
        .send("GET", &format!("/api/audit?{query}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{query}: {page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

/// The change of `field` in `entry`, as (old, new).
fn change(entry: &Value, field: &str) -> Option<(Value, Value)> {
    entry["changes"]
        .as_array()?
        .iter()
        .find(|c| c["field"] == field)
        .map(|c| (c["old"].clone(), c["new"].clone()))
}

#[tokio::test]
async fn every_move_of_a_ticket_is_audited_with_who_when_and_each_field_from_old_to_new() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let id = ticket["id"].as_str().unwrap();
    let (status, taken) = specialist.act(&ticket, "take", None).await;
    assert_eq!(status, StatusCode::OK, "{taken}");

    let entries = audit(&admin, &format!("item=ticket:{id}")).await;
    assert_eq!(entries.len(), 2, "the filing and the move: {entries:#?}");
    let (moved, filed) = (&entries[0], &entries[1]);
    assert_eq!(filed["item"], format!("ticket:{id}"));
    assert_eq!(filed["item_kind_label"], "Обращение");
    assert_eq!(
        filed["by_name"],
        user_name(&server, "dealer1@demo.local").await
    );
    assert_eq!(
        change(filed, "title"),
        Some((Value::Null, json!("Баннер на главной")))
    );
    assert_eq!(
        change(moved, "status"),
        Some((ticket["status"].clone(), taken["status"].clone()))
    );
    let status_change = moved["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "status")
        .unwrap();
    assert_eq!(status_change["field_label"], "Статус");
    assert_ne!(moved["by"], filed["by"], "the specialist moved it");
    assert_eq!(moved["version"], taken["version"]);
    assert!(moved["at"].as_str().unwrap() >= filed["at"].as_str().unwrap());
    assert!(moved["at_local"].as_str().unwrap().contains("02.03.2026"));
}

/// A demo user's name.
async fn user_name(server: &TestServer, email: &str) -> String {
    use dealerdesk_store::UserRepo;
    server
        .state
        .store
        .user_by_email(email)
        .await
        .unwrap()
        .expect("a demo user")
        .name
}

#[tokio::test]
async fn a_leads_changes_are_audited_with_the_customers_phone_email_and_name_masked() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let id = post_lead(&server).await;
    let (_, card) = dealer.send("GET", &format!("/api/leads/{id}"), None).await;
    let (status, body) = dealer
        .send(
            "POST",
            &format!("/api/leads/{id}/contact"),
            Some(json!({"outcome": "yes", "version": card["lead"]["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, page) = admin
        .send("GET", &format!("/api/audit?item=lead:{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = page.to_string();
    for clear in ["+79123456789", "ivan@mail.ru", "Петров", "Иван"] {
        assert!(!text.contains(clear), "{clear} shown in clear: {text}");
    }
    let entries = page["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let created = &entries[1];
    assert_eq!(created["by_name"], "Система", "a website posted it");
    assert_eq!(
        change(created, "data.person.phone"),
        Some((Value::Null, json!("+7********89")))
    );
    assert_eq!(
        change(created, "data.person.email"),
        Some((Value::Null, json!("i***@mail.ru")))
    );
    assert_eq!(
        change(created, "data.person.surname"),
        Some((Value::Null, json!("П***")))
    );
    let contacted = &entries[0];
    assert_eq!(
        contacted["by_name"],
        user_name(&server, "dealer1@demo.local").await
    );
    assert!(
        contacted["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field_label"] == "Контакт"),
        "{contacted}"
    );
}

#[tokio::test]
async fn a_wish_and_a_settings_change_are_audited_too() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let (status, wish) = dealer
        .send(
            "POST",
            "/api/wishes",
            Some(json!({"title": "Фильтр по цвету", "text": "Искать машины в наличии по цвету кузова."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wish}");
    let entries = audit(
        &admin,
        &format!("item=wish:{}", wish["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(entries.len(), 1);
    assert_eq!(
        change(&entries[0], "title"),
        Some((Value::Null, json!("Фильтр по цвету")))
    );

    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/settings",
            Some(json!({"auto_accept_days": 5, "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = audit(&admin, "item=settings:platform").await;
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(
        change(&entries[0], "auto_accept_days"),
        Some((json!("3"), json!("5")))
    );
    assert_eq!(
        entries[0]["by_name"],
        user_name(&server, "admin@demo.local").await
    );
}

#[tokio::test]
async fn the_log_is_searched_by_person_and_period_newest_first_page_by_page() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let first = dealer.file_ticket("Первое").await;
    let second = dealer.file_ticket("Второе").await;
    let (status, _) = specialist.act(&first, "take", None).await;
    assert_eq!(status, StatusCode::OK);

    let filed = audit(
        &admin,
        &format!("item=ticket:{}", first["id"].as_str().unwrap()),
    )
    .await;
    let dealer_id = filed.last().unwrap()["by"].as_str().unwrap().to_string();
    let by_dealer = audit(&admin, &format!("user={dealer_id}")).await;
    let items: Vec<_> = by_dealer.iter().map(|e| e["item_id"].clone()).collect();
    assert_eq!(items, vec![second["id"].clone(), first["id"].clone()]);

    // The whole log of the day, one entry a page, newest first, every entry once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = "from=2026-03-02&to=2026-03-02&limit=1".to_string();
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let (status, page) = admin.send("GET", &format!("/api/audit?{q}"), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for e in page["items"].as_array().unwrap() {
            seen.push((
                e["at"].as_str().unwrap().to_string(),
                e["item"].clone(),
                e["version"].clone(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(seen.len() < 100, "the pages end");
    }
    assert!(seen.len() >= 3, "{seen:?}");
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.0.cmp(&a.0));
    assert_eq!(seen, sorted, "newest first");
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no entry twice");
    for t in [&first, &second] {
        assert!(seen.iter().any(|(_, item, _)| item == &json!(format!("ticket:{}", t["id"].as_str().unwrap()))));
    }

    // Another day has none of them.
    assert!(
        audit(&admin, "from=2026-02-01&to=2026-02-28")
            .await
            .is_empty()
    );
    assert!(
        audit(&admin, &format!("user={dealer_id}&to=2026-03-01"))
            .await
            .is_empty(),
        "before the day"
    );
}

#[tokio::test]
async fn only_an_admin_searches_the_log_and_a_bad_filter_is_a_422_in_russian() {
    let server = start().await;
    for who in [
        "dealer1@demo.local",
        "specialist@demo.local",
        "brand@demo.local",
        "manager@demo.local",
    ] {
        let api = server.login(who).await;
        let (status, body) = api.send("GET", "/api/audit", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert_eq!(
            body["error"]["message"],
            "Журнал изменений просматривает только администратор."
        );
    }
    let (status, _) = server.anonymous().send("GET", "/api/audit", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let admin = server.login("admin@demo.local").await;
    for (query, field) in [
        ("item=DD-1001", "item"),
        ("item=invoice:1", "item"),
        ("from=вчера", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-03-02&to=2026-03-01", "to"),
        ("user=a%20b", "user"),
    ] {
        let (status, body) = admin
            .send("GET", &format!("/api/audit?{query}"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], field, "{query}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('а'..='я').contains(&c)),
            "{body}"
        );
    }
    let (status, body) = admin.send("GET", "/api/audit?cursor=zz", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = admin.send("GET", "/api/audit?cursor=abcd", None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a cursor not handed out: {body}"
    );
}

#[tokio::test]
async fn each_card_shows_its_history_of_changes_to_those_who_see_the_card() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let id = ticket["id"].as_str().unwrap();
    let lead_id = post_lead(&server).await;

    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/tickets/{id}", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("История изменений"), "{page}");
    assert!(page.contains("Баннер на главной"));
    assert!(page.contains("<td>Тема</td>"), "the field's Russian name");

    let (status, page) = browser::get(&b, &format!("{}/leads/{lead_id}", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("История изменений"));
    assert!(
        page.contains("+7********89"),
        "the phone masked in the history"
    );

    // Another dealer sees neither card, nor its history.
    let foreign = browser::log_in(&server, "dealer2@demo.local").await;
    let (status, page) = browser::get(&foreign, &format!("{}/tickets/{id}", server.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("История изменений"));
}

#[tokio::test]
async fn the_admins_journal_page_filters_by_item_and_shows_a_bad_filter_in_russian() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let id = ticket["id"].as_str().unwrap();
    let admin = browser::log_in(&server, "admin@demo.local").await;
    let (status, page) = browser::get(
        &admin,
        &format!("{}/admin/audit?item=ticket:{id}", server.base),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Журнал изменений"));
    assert!(page.contains(&format!("href=\"/tickets/{id}\"")), "{page}");
    assert!(page.contains("Баннер на главной"));

    let (status, page) =
        browser::get(&admin, &format!("{}/admin/audit?from=вчера", server.base)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Дата указывается как ГГГГ-ММ-ДД"), "{page}");

    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, _) = browser::get(&b, &format!("{}/admin/audit", server.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
