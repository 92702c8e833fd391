//! The dealer's dashboard («Личный кабинет», SPEC §3), end to end: the quarter's ticket
//! costs by where they stand with the confirmation deadline, open tickets with their SLA due
//! times, wishes, the survey banner; what the accountant, the account manager and others
//! get.

use chrono::{DateTime, TimeZone, Utc};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Tuesday 12 November 2030, 10:00 Moscow time: mid-quarter, years clear of the demo data.
fn mid_quarter() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 11, 12, 7, 0, 0).unwrap()
}

async fn ok(api: &Api, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, v) = api.send(method, path, body).await;
    assert!(status.is_success(), "{method} {path}: {status} {v}");
    v
}

/// A high-criticality paid ticket of `minutes`, finished and accepted: its cost awaits the
/// dealer's confirmation.
async fn finished(dealer: &Api, specialist: &Api, title: &str, minutes: u32) -> Value {
    let t = ok(
        dealer,
        "POST",
        "/api/tickets",
        Some(
            json!({"title": title, "text": "Разместите новость об акции на главной.",
                    "category": "individual_news", "criticality": "high"}),
        ),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_owned();
    let (_, t) = specialist.act(&t, "take", None).await;
    let t = ok(
        specialist,
        "POST",
        &format!("/api/tickets/{id}/time-entries"),
        Some(json!({"minutes": minutes, "note": "Работа", "version": t["version"]})),
    )
    .await;
    let (_, t) = specialist.act(&t, "send_for_review", Some("Готово")).await;
    let (status, t) = dealer.act(&t, "accept", None).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(t["cost_state"], "pending", "{t}");
    t
}

async fn cost_step(dealer: &Api, t: &Value, step: &str) {
    let id = t["id"].as_str().unwrap();
    ok(
        dealer,
        "POST",
        &format!("/api/tickets/{id}/cost/{step}"),
        Some(json!({"version": t["version"], "comment": "Прошу детализацию"})),
    )
    .await;
}

#[tokio::test]
async fn the_dealer_sees_the_quarters_costs_open_tickets_wishes_and_the_survey_banner() {
    let server = TestServer::start_at(mid_quarter()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    // High work is 3 500 ₽ an hour, rounded up to 10 ₽: 10 minutes cost 590 ₽, 20 minutes
    // 1 170 ₽.
    let confirmed = finished(&dealer, &specialist, "Новость об акции", 20).await;
    cost_step(&dealer, &confirmed, "confirm").await;
    finished(&dealer, &specialist, "Баннер на главной", 10).await;
    let disputed = finished(&dealer, &specialist, "Перенос архива", 10).await;
    cost_step(&dealer, &disputed, "dispute").await;
    let open = dealer.file_ticket("Не открывается страница модели").await;
    ok(
        &dealer,
        "POST",
        "/api/wishes",
        Some(json!({"title": "Выгрузка в Excel", "text": "Нужна выгрузка обращений в Excel."})),
    )
    .await;

    let d = ok(&dealer, "GET", "/api/dashboard", None).await;
    assert_eq!(d["dealer_name"], "Автоцентр Север");
    assert_eq!(d["quarter"], "2030-Q4");
    assert_eq!(d["costs"]["confirmed"]["amount"], "1170");
    assert_eq!(d["costs"]["confirmed"]["tickets"], 1);
    assert_eq!(d["costs"]["pending"]["amount"], "590");
    assert_eq!(d["costs"]["disputed"]["amount"], "590");
    assert_eq!(d["costs"]["pending"]["amount_text"], "590\u{a0}₽");
    assert_eq!(d["costs"]["deadline"], "2030-12-26");
    assert_eq!(d["costs"]["deadline_text"], "до 26.12 включительно");
    // The demo subscription has the 30-hour package: 20 confirmed and 10 pending minutes
    // draw on it, the disputed 10 wait.
    assert_eq!(d["package"]["package"], "hours_30", "{d}");
    assert_eq!(d["package"]["used_minutes"], 30);
    assert_eq!(d["package"]["left_minutes"], 30 * 60 - 30);
    // The quarter's subscription as the invoice will have it: its lines add up to the sum.
    let sub = &d["subscription"];
    let lines = sub["lines"].as_array().expect("subscription lines");
    assert!(
        lines[0]["title"].as_str().unwrap().starts_with("ЦСО"),
        "{sub}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["title"].as_str().unwrap().contains("30 часов")),
        "the package is a line: {sub}"
    );
    let sum: rust_decimal::Decimal = lines
        .iter()
        .map(|l| {
            l["amount"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    assert_eq!(
        sub["total"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap(),
        sum
    );
    assert!(!sub["modules"].as_array().unwrap().is_empty(), "{sub}");
    assert_eq!(d["documents"], json!([]), "nothing billed in 2030 yet");
    let tickets = d["open_tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["id"], open["id"]);
    assert!(tickets[0]["sla_due_at"].is_string(), "{d}");
    assert_eq!(d["wishes"][0]["status_label"], "Подано");
    assert_eq!(d["survey"]["url"], "/surveys/2030-Q4");
    assert!(d["kb_url"].as_str().unwrap().contains("/kb/"));
    assert_eq!(d["documents_url"], "/documents");

    // Answered: the banner goes.
    ok(
        &dealer,
        "PUT",
        "/api/surveys/2030-Q4",
        Some(json!({"ticket_handling": 5, "cso_updates": 5, "support_overall": 5})),
    )
    .await;
    let d = ok(&dealer, "GET", "/api/dashboard", None).await;
    assert!(d["survey"].is_null());

    // The page at `/` is the dashboard.
    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Личный кабинет"), "{page}");
    assert!(page.contains("Абонентская плата за квартал"), "{page}");
    assert!(page.contains("1\u{a0}170\u{a0}₽"), "{page}");
    assert!(page.contains("реакция до"), "{page}");
    assert!(page.contains("Выгрузка в Excel"));
}

#[tokio::test]
async fn the_accountant_sees_costs_and_documents_but_no_tickets_or_wishes() {
    let server = TestServer::start_at(mid_quarter()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    finished(&dealer, &specialist, "Баннер на главной", 10).await;
    dealer.file_ticket("Не открывается страница модели").await;
    let accountant = server.login("accountant1@demo.local").await;
    let d = ok(&accountant, "GET", "/api/dashboard", None).await;
    assert_eq!(d["costs"]["pending"]["amount"], "590");
    assert_eq!(d["documents_url"], "/documents");
    assert!(d["open_tickets"].is_null(), "{d}");
    assert!(d["wishes"].is_null(), "{d}");
    assert!(
        d["survey"].is_null(),
        "the dealer's staff answer the survey"
    );
    // Another dealer's figures are not there for it.
    let (status, _) = accountant
        .send("GET", "/api/dashboard?dealer=dealer-2", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let b = browser::log_in(&server, "accountant1@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ожидает подтверждения"), "{page}");
    assert!(!page.contains("Открытые обращения"), "{page}");
    assert!(!page.contains("Пожелания"), "{page}");
}

#[tokio::test]
async fn staff_open_a_dealers_dashboard_by_name_within_their_scope() {
    let server = TestServer::start_at(mid_quarter()).await;
    let manager = server.login("manager@demo.local").await;
    let (status, body) = manager.send("GET", "/api/dashboard", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "dealer_required");
    let d = ok(&manager, "GET", "/api/dashboard?dealer=dealer-1", None).await;
    assert_eq!(d["dealer_id"], "dealer-1");
    assert!(d["survey"].is_null(), "staff are not asked");
    let (status, _) = manager
        .send("GET", "/api/dashboard?dealer=dealer-3", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not his dealer");
    let admin = server.login("admin@demo.local").await;
    ok(&admin, "GET", "/api/dashboard?dealer=dealer-3", None).await;
    let (status, _) = admin
        .send("GET", "/api/dashboard?dealer=no-such-dealer", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for who in [
        "specialist@demo.local",
        "rep@demo.local",
        "brand@demo.local",
    ] {
        let api = server.login(who).await;
        let (status, _) = api
            .send("GET", "/api/dashboard?dealer=dealer-1", None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let dealer2 = server.login("dealer2@demo.local").await;
    let (status, _) = dealer2
        .send("GET", "/api/dashboard?dealer=dealer-1", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn after_the_bill_run_the_dashboard_lists_the_quarters_invoice_and_act_to_download() {
    // 1 January 2027, 03:00 Moscow time: Q4 2026 has just ended and is billed.
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()).await;
    dealerdesk_app::jobs::run(
        &server.state,
        dealerdesk_app::jobs::Job::QuarterlyBills,
        server.state.clock.now(),
    )
    .await
    .expect("the bill run");
    let dealer = server.login("dealer1@demo.local").await;
    let d = ok(&dealer, "GET", "/api/dashboard", None).await;
    let docs = d["documents"].as_array().expect("documents");
    let kinds: Vec<&str> = docs.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"invoice") && kinds.contains(&"act"), "{d}");
    assert!(
        docs.iter()
            .all(|x| x["dealer_id"] == "dealer-1" && x["quarter"] == "2026-Q4")
    );
    // The link downloads the PDF for the dealer; another dealer's dashboard lists its own.
    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    let invoice = docs.iter().find(|x| x["kind"] == "invoice").unwrap();
    let link = format!("/documents/{}/pdf", invoice["id"].as_str().unwrap());
    assert!(page.contains(&link), "{page}");
    let pdf = b
        .get(format!("{}{link}", server.base))
        .send()
        .await
        .expect("the PDF");
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let other = server.login("dealer2@demo.local").await;
    let d2 = ok(&other, "GET", "/api/dashboard", None).await;
    assert!(
        d2["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["dealer_id"] == "dealer-2"),
        "{d2}"
    );
}
