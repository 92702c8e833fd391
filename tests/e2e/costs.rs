//! Time, cost, estimates and cost confirmation end to end over HTTP (SPEC §2.2–§2.6):
//! the 590 ₽ example, free tickets, rounding, reclassification, estimate approval, the
//! estimate banner, the confirm / dispute / answer / correct flow, the quarter's cut-off
//! and reminders with an injected clock, and every new endpoint's refusals.

use chrono::{DateTime, TimeZone, Utc};
use dealerdesk_app::Clock;
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::{StoredMail, read_mailbox};
use dealerdesk_e2e::browser::hidden;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DEALER: &str = "dealer1@demo.local";
const OTHER_DEALER: &str = "dealer2@demo.local";
const SPECIALIST: &str = "specialist@demo.local";

fn id(t: &Value) -> &str {
    t["id"].as_str().expect("ticket id")
}

/// Files a ticket and asserts 201.
async fn file(
    api: &Api,
    title: &str,
    text: &str,
    category: &str,
    criticality: &str,
    billing: Option<&str>,
) -> Value {
    let mut body =
        json!({"title": title, "text": text, "category": category, "criticality": criticality});
    if let Some(b) = billing {
        body["billing"] = json!(b);
    }
    let (status, t) = api.send("POST", "/api/tickets", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t
}

/// A move that must succeed.
async fn act(api: &Api, t: &Value, action: &str, comment: Option<&str>) -> Value {
    let (status, moved) = api.act(t, action, comment).await;
    assert_eq!(status, StatusCode::OK, "{action}: {moved}");
    moved
}

async fn log_time(api: &Api, t: &Value, minutes: Value, note: &str) -> (StatusCode, Value) {
    api.send(
        "POST",
        &format!("/api/tickets/{}/time-entries", id(t)),
        Some(json!({"minutes": minutes, "note": note, "version": t["version"]})),
    )
    .await
}

/// Logs time that must be accepted; returns the ticket.
async fn logged(api: &Api, t: &Value, minutes: u32) -> Value {
    let (status, body) = log_time(api, t, json!(minutes), "Работа по обращению").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn cost_step(api: &Api, t: &Value, step: &str, comment: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"version": t["version"]});
    if let Some(c) = comment {
        body["comment"] = json!(c);
    }
    api.send(
        "POST",
        &format!("/api/tickets/{}/cost/{step}", id(t)),
        Some(body),
    )
    .await
}

async fn card(api: &Api, t: &Value) -> Value {
    let (status, body) = api
        .send("GET", &format!("/api/tickets/{}", id(t)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Taken, `minutes` logged, sent for review and accepted by the dealer.
async fn finished(dealer: &Api, specialist: &Api, t: &Value, minutes: u32) -> Value {
    let t = act(specialist, t, "take", None).await;
    let t = if minutes > 0 {
        logged(specialist, &t, minutes).await
    } else {
        t
    };
    let t = act(specialist, &t, "send_for_review", Some("Готово")).await;
    act(dealer, &t, "accept", None).await
}

fn mails_with_key(mails: &[StoredMail], prefix: &str) -> Vec<StoredMail> {
    mails
        .iter()
        .filter(|m| m.key.starts_with(prefix))
        .cloned()
        .collect()
}

/// Moscow wall time on a 2026 date, as UTC (MSK = UTC+3).
fn msk(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, minute, 0)
        .unwrap()
        - chrono::Duration::hours(3)
}

#[tokio::test]
async fn high_criticality_10_minutes_costs_590_rubles() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let t = file(
        &dealer,
        "Новость об акции",
        "Разместите новость об акции",
        "individual_news",
        "high",
        None,
    )
    .await;
    assert_eq!(
        (
            t["minutes"].clone(),
            t["cost"].clone(),
            t["cost_state"].clone()
        ),
        (json!(0), json!("0"), json!("none"))
    );

    let t = act(&specialist, &t, "take", None).await;
    let logged = logged(&specialist, &t, 10).await;
    assert_eq!(logged["minutes"], 10);
    assert_eq!(logged["cost"], "590");
    assert_eq!(logged["cost_label"], "590\u{a0}₽");
    assert_eq!(logged["cost_state"], "none");
    assert_eq!(logged["version"], t["version"].as_u64().unwrap() + 1);
    assert_eq!(logged["time_entry"]["minutes"], 10);

    // The dealer sees the same on the card, with its time entries.
    let c = card(&dealer, &t).await;
    assert_eq!(c["cost"], "590");
    assert_eq!(c["time_entries"].as_array().unwrap().len(), 1);
    assert_eq!(c["time_entries"][0]["note"], "Работа по обращению");
    assert_eq!(c["time_entries"][0]["current_minutes"], 10);

    // Finished: the cost awaits the dealer's confirmation in its quarter.
    let t = act(&specialist, &logged, "send_for_review", None).await;
    let done = act(&dealer, &t, "accept", None).await;
    assert_eq!(done["cost"], "590");
    assert_eq!(done["cost_state"], "pending");
    assert_eq!(done["cost_state_label"], "Ожидает подтверждения");
    assert!(done["cost_quarter"].as_str().unwrap().contains("-Q"));
    assert_eq!(
        card(&dealer, &done).await["cost_actions"],
        json!(["confirm", "dispute"])
    );
}

#[tokio::test]
async fn a_free_ticket_costs_nothing_but_keeps_its_minutes() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let t = file(
        &dealer,
        "Как выгрузить прайс",
        "Подскажите, как выгрузить прайс-лист",
        "consultation",
        "high",
        None,
    )
    .await;
    assert_eq!(t["billing"], "free");
    let done = finished(&dealer, &specialist, &t, 45).await;
    assert_eq!(done["minutes"], 45);
    assert_eq!(done["cost"], "0");
    assert_eq!(done["cost_state"], "none", "nothing to confirm");

    // A paid kind of work filed free with low priority is never billed either.
    let t = file(
        &dealer,
        "Новость",
        "Разместите новость",
        "individual_news",
        "low",
        Some("free"),
    )
    .await;
    let done = finished(&dealer, &specialist, &t, 30).await;
    assert_eq!(
        (done["minutes"].clone(), done["cost"].clone()),
        (json!(30), json!("0"))
    );
}

#[tokio::test]
async fn cost_is_rounded_up_to_10_rubles_once_per_ticket() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    // Low: 2500 ₽/h. 1 min = 41.67 → 50 ₽; 2 min = 83.33 → 90 ₽, not 50 + 50.
    let t = file(
        &dealer,
        "Мета-теги",
        "Пропишите мета-теги для раздела",
        "meta_tags",
        "low",
        None,
    )
    .await;
    let t = act(&specialist, &t, "take", None).await;
    let t = logged(&specialist, &t, 1).await;
    assert_eq!(t["cost"], "50");
    let t = logged(&specialist, &t, 1).await;
    assert_eq!(t["cost"], "90");
    // Medium: 3000 ₽/h = 50 ₽/min, already whole tens.
    let m = file(
        &dealer,
        "Мета-теги 2",
        "Пропишите мета-теги",
        "meta_tags",
        "medium",
        None,
    )
    .await;
    let m = act(&specialist, &m, "take", None).await;
    assert_eq!(logged(&specialist, &m, 7).await["cost"], "350");
}

#[tokio::test]
async fn a_specialist_reclassifies_with_a_reason_the_dealer_reads() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    // Filed as the platform's error; a contractor's code broke the site → paid.
    let t = file(
        &dealer,
        "Сайт не открывается",
        "После правок сайт не открывается",
        "platform_bug",
        "high",
        None,
    )
    .await;
    assert_eq!(t["billing"], "free");
    let t = act(&specialist, &t, "take", None).await;
    let t = logged(&specialist, &t, 30).await;
    assert_eq!(t["cost"], "0");
    let (status, paid) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/reclassify", id(&t)),
            Some(json!({"category": "dealer_side_bug", "reason": "Сайт сломал код подрядчика дилера", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(
        (
            paid["category"].clone(),
            paid["billing"].clone(),
            paid["cost"].clone()
        ),
        (json!("dealer_side_bug"), json!("paid"), json!("1750"))
    );

    // Moving to the platform's own cloud is free although the category is paid.
    let (status, free) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/reclassify", id(&t)),
            Some(json!({"category": "site_migration", "billing": "free", "reason": "Переезд в облако платформы", "version": paid["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{free}");
    assert_eq!(
        (
            free["category"].clone(),
            free["billing"].clone(),
            free["cost"].clone()
        ),
        (json!("site_migration"), json!("free"), json!("0"))
    );

    // A free category is never billed.
    let (status, body) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/reclassify", id(&t)),
            Some(json!({"category": "consultation", "billing": "paid", "reason": "?", "version": free["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "billing");

    // The dealer reads the reason in the history and in the mail.
    let c = card(&dealer, &t).await;
    let reclassified: Vec<_> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "reclassify")
        .collect();
    assert_eq!(reclassified.len(), 2);
    assert_eq!(reclassified[0]["kind"], "cost");
    assert_eq!(
        reclassified[0]["comment"],
        "Сайт сломал код подрядчика дилера"
    );
    assert!(
        reclassified[0]["detail"]
            .as_str()
            .unwrap()
            .contains("Ошибка"),
        "{}",
        reclassified[0]["detail"]
    );
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mails = read_mailbox(server.state.mailer.mailbox().unwrap());
    let to_dealer = mails_with_key(&mails, "cost:");
    assert!(
        to_dealer.iter().any(|m| m.email.to == [DEALER]
            && m.email.text.contains("Сайт сломал код подрядчика дилера")),
        "{to_dealer:?}"
    );
}

#[tokio::test]
async fn paid_work_waits_for_the_dealers_approval_of_the_estimate() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let t = file(
        &dealer,
        "Новый раздел",
        "Создайте раздел «Сервис»",
        "custom_section",
        "high",
        None,
    )
    .await;

    // The estimate's amount is required and checked; nothing changes without it.
    let (status, body) = specialist
        .act(&t, "send_estimate", Some("Раздел с тремя страницами"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "estimate_minutes");
    assert!(body["error"]["message"].as_str().unwrap().contains("минут"));
    assert_eq!(card(&dealer, &t).await["version"], t["version"]);

    let (status, sent) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/actions", id(&t)),
            Some(json!({"action": "send_estimate", "comment": "Раздел с тремя страницами", "estimate_minutes": 30, "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["status"], "estimate_sent");
    assert_eq!(
        (
            sent["estimate_minutes"].clone(),
            sent["estimate_cost"].clone()
        ),
        (json!(30), json!("1750"))
    );
    let seen = card(&dealer, &t).await;
    assert_eq!(seen["estimate_cost"], "1750");
    assert_eq!(
        seen["available_actions"],
        json!(["approve_estimate", "reject_estimate"])
    );

    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mails = read_mailbox(server.state.mailer.mailbox().unwrap());
    let estimate = mails
        .iter()
        .find(|m| m.email.to == [DEALER] && m.email.text.contains("Оценка стоимости"))
        .expect("the dealer is told the amount");
    assert!(
        estimate.email.text.contains("1\u{a0}750\u{a0}₽ (30 мин)"),
        "{}",
        estimate.email.text
    );

    let approved = act(&dealer, &seen, "approve_estimate", None).await;
    assert_eq!(approved["status"], "in_progress");
    assert_eq!(
        approved["estimate_cost"], "1750",
        "the approved estimate stays on the ticket"
    );

    // Rejected: the ticket ends without work.
    let r = file(
        &dealer,
        "Ещё раздел",
        "Создайте раздел «Акции»",
        "custom_section",
        "high",
        None,
    )
    .await;
    let (status, r) = specialist
        .send("POST", &format!("/api/tickets/{}/actions", id(&r)), Some(json!({"action": "send_estimate", "comment": "Оценка", "estimate_minutes": 60, "version": r["version"]})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        act(&dealer, &r, "reject_estimate", None).await["status"],
        "impossible"
    );

    // Free work gets no estimate.
    let f = file(
        &dealer,
        "Вопрос",
        "Как добавить пользователя?",
        "consultation",
        "low",
        None,
    )
    .await;
    let (status, body) = specialist
        .send("POST", &format!("/api/tickets/{}/actions", id(&f)), Some(json!({"action": "send_estimate", "comment": "?", "estimate_minutes": 10, "version": f["version"]})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "estimate_on_free_ticket");
}

#[tokio::test]
async fn the_estimate_ranks_similar_paid_work_and_is_204_without_it() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    for (title, text, minutes) in [
        (
            "Новость об акции",
            "Разместите новость об акции на главной",
            10,
        ),
        (
            "Новость о скидках",
            "Разместите новость о скидках на сервис",
            20,
        ),
        (
            "Новость о летней распродаже",
            "Разместите новость о летней распродаже",
            30,
        ),
        ("Баннер в шапке", "Поправьте баннер в шапке: он съехал", 60),
    ] {
        let t = file(&dealer, title, text, "individual_news", "high", None).await;
        finished(&dealer, &specialist, &t, minutes).await;
    }
    let new = file(
        &dealer,
        "Новость о летней акции",
        "Разместите новость о летней акции",
        "individual_news",
        "high",
        None,
    )
    .await;
    let (status, e) = dealer
        .send("GET", &format!("/api/tickets/{}/estimate", id(&new)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{e}");
    // The three news placements (590, 1170 and 1750 ₽); the banner fix is not similar work.
    assert_eq!(
        e,
        json!({"median": "1170", "low": "590", "high": "1750", "count": 3, "period_days": 90})
    );
    let (status, same) = specialist
        .send("GET", &format!("/api/tickets/{}/estimate", id(&new)), None)
        .await;
    assert_eq!((status, same), (StatusCode::OK, e));

    // Other criticality: nothing similar → 204, no body.
    let other = file(
        &dealer,
        "Новость о летней акции",
        "Разместите новость о летней акции",
        "individual_news",
        "medium",
        None,
    )
    .await;
    let (status, body) = dealer
        .send(
            "GET",
            &format!("/api/tickets/{}/estimate", id(&other)),
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    // Free work has no estimate.
    let free = file(
        &dealer,
        "Новость о летней акции",
        "Разместите новость о летней акции",
        "individual_news",
        "low",
        Some("free"),
    )
    .await;
    let (status, _) = dealer
        .send("GET", &format!("/api/tickets/{}/estimate", id(&free)), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The portal shows the banner as informational.
    let page = portal_card(&server, DEALER, id(&new)).await;
    assert!(page.contains("Примерная оценка стоимости"), "{page}");
    assert!(page.contains("информационная"));
    let page = portal_card(&server, DEALER, id(&other)).await;
    assert!(!page.contains("Примерная оценка стоимости"));

    // The new-ticket form shows it too, for what the dealer has typed so far.
    let b = browser(&server, DEALER).await;
    let form = self::page(&b, &format!("{}/tickets/new", server.base)).await;
    let (csrf, form_id) = (hidden(&form, "csrf"), hidden(&form, "form_id"));
    let ask = |criticality: &'static str| {
        let (b, csrf, form_id, url) = (
            b.clone(),
            csrf.clone(),
            form_id.clone(),
            format!("{}/tickets/new/estimate", server.base),
        );
        async move {
            let r = b
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("form_id", &form_id),
                    ("title", "Новость о летней акции"),
                    ("text", "Разместите новость о летней акции"),
                    ("category", "individual_news"),
                    ("criticality", criticality),
                    ("billing", ""),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap()
        }
    };
    let with_banner = ask("high").await;
    assert!(
        with_banner.contains("Примерная оценка стоимости")
            && with_banner.contains("1\u{a0}170\u{a0}₽"),
        "{with_banner}"
    );
    assert!(
        with_banner.contains("Новость о летней акции"),
        "the typed values are kept"
    );
    assert!(with_banner.contains(&form_id), "still one ticket when sent");
    let without = ask("medium").await;
    assert!(
        !without.contains("Примерная оценка стоимости")
            && !without.contains("Похожих платных работ"),
        "no similar work, no banner and no note: {without}"
    );
}

/// A ticket card in the portal as `email` sees it.
async fn portal_card(server: &TestServer, email: &str, ticket: &str) -> String {
    let b = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = b
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = login.find(marker).unwrap() + marker.len();
    let csrf = login[start..].split('"').next().unwrap().to_string();
    let r = b
        .post(format!("{}/login", server.base))
        .form(&[
            ("email", email),
            ("password", "demo-password"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = b
        .get(format!("{}/tickets/{ticket}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_dealer_disputes_the_specialist_answers_and_corrects_and_the_dealer_confirms() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let t = file(
        &dealer,
        "Новость об акции",
        "Разместите новость об акции",
        "individual_news",
        "high",
        None,
    )
    .await;
    let done = finished(&dealer, &specialist, &t, 40).await;
    assert_eq!(
        (done["cost"].clone(), done["cost_state"].clone()),
        (json!("2340"), json!("pending"))
    );

    // A dispute needs words; without them nothing changes.
    let (status, body) = cost_step(&dealer, &done, "dispute", Some("  ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["error"]["message"],
        "Напишите, что именно нужно пояснить в стоимости."
    );
    let (status, _) = cost_step(&dealer, &done, "dispute", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(card(&dealer, &done).await["version"], done["version"]);

    let (status, disputed) = cost_step(
        &dealer,
        &done,
        "dispute",
        Some("Почему 40 минут на одну новость?"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{disputed}");
    assert_eq!(disputed["cost_state"], "disputed");
    assert_eq!(
        card(&specialist, &done).await["cost_actions"],
        json!(["correct_time", "reclassify", "answer"])
    );

    let (status, answered) = cost_step(
        &specialist,
        &disputed,
        "answer",
        Some("Новость с тремя фото и таблицей."),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(answered["cost_state"], "pending");

    let (_, disputed) = cost_step(&dealer, &answered, "dispute", Some("Всё равно много")).await;
    let entry = card(&specialist, &done).await["time_entries"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, corrected) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/time-entries/{entry}/correction", id(&done)),
            Some(json!({"minutes": 20, "note": "Фото готовил дилер: списано лишнее", "version": disputed["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{corrected}");
    assert_eq!(
        (
            corrected["minutes"].clone(),
            corrected["cost"].clone(),
            corrected["cost_state"].clone()
        ),
        (json!(20), json!("1170"), json!("pending"))
    );
    assert_eq!(corrected["time_entry"]["minutes"], -20);
    assert_eq!(corrected["time_entry"]["corrects"], entry.as_str());

    let (status, confirmed) = cost_step(&dealer, &corrected, "confirm", None).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["cost_state"], "confirmed");
    let (status, body) = cost_step(&dealer, &confirmed, "dispute", Some("Ещё вопрос")).await;
    assert_eq!(status, StatusCode::CONFLICT, "confirmed is final: {body}");

    // Each step is in the history, the original entry shows its corrected value.
    let c = card(&dealer, &done).await;
    let steps: Vec<_> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "cost")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "cost_dispute",
            "cost_answer",
            "cost_dispute",
            "time_correction",
            "cost_confirm"
        ]
    );
    assert_eq!(c["time_entries"][0]["current_minutes"], 20);
    assert_eq!(c["time_entries"].as_array().unwrap().len(), 2);

    // Each step told the other side.
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mails = mails_with_key(
        &read_mailbox(server.state.mailer.mailbox().unwrap()),
        "cost:",
    );
    let to_specialist: Vec<_> = mails
        .iter()
        .filter(|m| m.email.to == [SPECIALIST])
        .collect();
    let to_dealer: Vec<_> = mails.iter().filter(|m| m.email.to == [DEALER]).collect();
    assert_eq!(to_specialist.len(), 3, "two disputes and the confirmation");
    assert!(
        to_specialist
            .iter()
            .any(|m| m.email.text.contains("Почему 40 минут на одну новость?"))
    );
    assert_eq!(
        to_dealer.len(),
        3,
        "pending at completion, the answer, the correction"
    );
    assert!(
        to_dealer
            .iter()
            .any(|m| m.email.text.contains("Новость с тремя фото и таблицей."))
    );
    assert!(
        to_dealer
            .iter()
            .any(|m| m.email.text.contains("1\u{a0}170\u{a0}₽"))
    );

    // The estimate banner follows the corrected cost: 1170 ₽, not 2340 ₽, is the median of
    // three similar news placements (with 590 and 1750 ₽).
    for (title, minutes) in [
        ("Новость об акции для сервиса", 10),
        ("Новость об акции на шины", 30),
    ] {
        let t = file(
            &dealer,
            title,
            "Разместите новость об акции",
            "individual_news",
            "high",
            None,
        )
        .await;
        finished(&dealer, &specialist, &t, minutes).await;
    }
    let new = file(
        &dealer,
        "Новость об акции",
        "Разместите новость об акции",
        "individual_news",
        "high",
        None,
    )
    .await;
    let (_, e) = dealer
        .send("GET", &format!("/api/tickets/{}/estimate", id(&new)), None)
        .await;
    assert_eq!(
        (e["median"].clone(), e["high"].clone(), e["count"].clone()),
        (json!("1170"), json!("1750"), json!(3))
    );
}

#[tokio::test]
async fn at_the_cutoff_pending_costs_are_confirmed_and_disputed_ones_move_to_the_next_quarter() {
    let server = TestServer::start_with_clock(Clock::starting_at(msk(3, 20, 10, 0))).await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let a = file(
        &dealer,
        "Новость",
        "Разместите новость",
        "individual_news",
        "high",
        None,
    )
    .await;
    let a = finished(&dealer, &specialist, &a, 10).await;
    let b = file(
        &dealer,
        "Раздел",
        "Создайте раздел",
        "custom_section",
        "medium",
        None,
    )
    .await;
    let b = finished(&dealer, &specialist, &b, 30).await;
    let (_, b) = cost_step(&dealer, &b, "dispute", Some("Что входило в работу?")).await;
    let c = file(
        &dealer,
        "Мета-теги",
        "Пропишите мета-теги",
        "meta_tags",
        "low",
        None,
    )
    .await;
    let c = finished(&dealer, &specialist, &c, 10).await;
    let (_, c) = cost_step(&dealer, &c, "confirm", None).await;
    for t in [&a, &b, &c] {
        assert_eq!(t["cost_quarter"], "2026-Q1", "{t}");
    }

    // Through the 26th itself the dealer may still act: nothing happens.
    let report = jobs::run(&server.state, Job::CostCutoff, msk(3, 26, 23, 59))
        .await
        .unwrap();
    assert_eq!(report.done, 0);

    let report = jobs::run(&server.state, Job::CostCutoff, msk(3, 27, 0, 30))
        .await
        .unwrap();
    assert_eq!(report.done, 2, "{report:?}");
    let a = card(&dealer, &a).await;
    assert_eq!(
        (a["cost_state"].clone(), a["cost_quarter"].clone()),
        (json!("confirmed"), json!("2026-Q1"))
    );
    let b = card(&dealer, &b).await;
    assert_eq!(
        (b["cost_state"].clone(), b["cost_quarter"].clone()),
        (json!("disputed"), json!("2026-Q2"))
    );
    assert_eq!(
        card(&dealer, &c).await["version"],
        c["version"],
        "a confirmed cost is left alone"
    );
    let last = |t: &Value| t["history"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!(last(&a)["action"], "cost_confirmed_at_cutoff");
    assert_eq!(last(&a)["actor_id"], Value::Null);
    assert!(
        last(&b)["comment"]
            .as_str()
            .unwrap()
            .contains("следующий квартал")
    );

    // Running twice changes nothing; neither does the next day.
    assert_eq!(
        jobs::run(&server.state, Job::CostCutoff, msk(3, 27, 0, 30))
            .await
            .unwrap()
            .done,
        0
    );
    assert_eq!(
        jobs::run(&server.state, Job::CostCutoff, msk(3, 28, 9, 0))
            .await
            .unwrap()
            .done,
        0
    );
    assert_eq!(card(&dealer, &b).await["version"], b["version"]);

    // The dealer is told of both.
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mails = read_mailbox(server.state.mailer.mailbox().unwrap());
    let cutoff: Vec<_> = mails
        .iter()
        .filter(|m| {
            m.email.subject.contains("по сроку") || m.email.subject.contains("следующий квартал")
        })
        .collect();
    assert_eq!(
        cutoff.len(),
        2,
        "{:?}",
        mails.iter().map(|m| &m.email.subject).collect::<Vec<_>>()
    );
    assert!(cutoff.iter().all(|m| m.email.to == [DEALER]));
}

#[tokio::test]
async fn reminders_go_7_days_and_1_day_before_the_26th_once_per_dealer() {
    let server = TestServer::start_with_clock(Clock::starting_at(msk(3, 10, 10, 0))).await;
    let dealer = server.login(DEALER).await;
    let other = server.login(OTHER_DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    for title in ["Новость", "Акция"] {
        let t = file(
            &dealer,
            title,
            "Разместите новость",
            "individual_news",
            "high",
            None,
        )
        .await;
        finished(&dealer, &specialist, &t, 10).await;
    }
    let t = file(
        &other,
        "Новость",
        "Разместите новость",
        "individual_news",
        "medium",
        None,
    )
    .await;
    finished(&other, &specialist, &t, 10).await;
    // A disputed cost is the specialist's turn: no reminder for it.
    let d = file(
        &other,
        "Раздел",
        "Создайте раздел",
        "custom_section",
        "high",
        None,
    )
    .await;
    let d = finished(&other, &specialist, &d, 10).await;
    cost_step(&other, &d, "dispute", Some("?")).await;
    let state = &server.state;
    let mailbox = state.mailer.mailbox().unwrap().to_path_buf();

    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 18, 10, 0))
            .await
            .unwrap()
            .done,
        0,
        "too early"
    );
    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 19, 10, 0))
            .await
            .unwrap()
            .done,
        2
    );
    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 19, 10, 0))
            .await
            .unwrap()
            .done,
        0,
        "twice"
    );
    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 22, 10, 0))
            .await
            .unwrap()
            .done,
        0,
        "same reminder"
    );
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    let reminders = mails_with_key(&read_mailbox(&mailbox), "cost-reminder:");
    assert_eq!(reminders.len(), 2, "one per dealer");
    let to_dealer = reminders
        .iter()
        .find(|m| m.email.to == [DEALER])
        .expect("dealer 1 is reminded");
    assert!(
        to_dealer.email.subject.contains("до 26.03 включительно"),
        "{}",
        to_dealer.email.subject
    );
    assert!(to_dealer.email.text.contains("«Новость»") && to_dealer.email.text.contains("«Акция»"));
    assert!(to_dealer.email.text.contains("1\u{a0}180\u{a0}₽"));
    let to_other = reminders
        .iter()
        .find(|m| m.email.to == [OTHER_DEALER])
        .expect("dealer 2 is reminded");
    assert!(
        !to_other.email.text.contains("«Раздел»"),
        "the disputed cost is not reminded of"
    );

    // The day before: one more each, again once.
    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 25, 9, 0))
            .await
            .unwrap()
            .done,
        2
    );
    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 26, 9, 0))
            .await
            .unwrap()
            .done,
        0
    );
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    assert_eq!(
        mails_with_key(&read_mailbox(&mailbox), "cost-reminder:").len(),
        4
    );
    // After the deadline there is nothing to remind of.
    assert_eq!(
        jobs::run(state, Job::CostReminders, msk(3, 27, 9, 0))
            .await
            .unwrap()
            .done,
        0
    );
}

#[tokio::test]
async fn every_cost_endpoint_refuses_foreign_dealers_wrong_roles_bad_input_and_stale_versions() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let other = server.login(OTHER_DEALER).await;
    let accountant = server.login("accountant1@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let specialist = server.login(SPECIALIST).await;
    let admin = server.login("admin@demo.local").await;

    let t = file(
        &dealer,
        "Новость",
        "Разместите новость",
        "individual_news",
        "high",
        None,
    )
    .await;
    let t = act(&specialist, &t, "take", None).await;
    let path = |suffix: &str| format!("/api/tickets/{}{suffix}", id(&t));
    let unchanged = |c: &Value, t: &Value, entries: usize| {
        assert_eq!(c["version"], t["version"]);
        assert_eq!(c["time_entries"].as_array().unwrap().len(), entries);
    };

    // Time entries.
    let body = json!({"minutes": 10, "note": "", "version": t["version"]});
    for (who, expected) in [
        (&other, StatusCode::NOT_FOUND),
        (&dealer, StatusCode::FORBIDDEN),
        (&accountant, StatusCode::FORBIDDEN),
        (&manager, StatusCode::FORBIDDEN),
    ] {
        let (status, resp) = who
            .send("POST", &path("/time-entries"), Some(body.clone()))
            .await;
        assert_eq!(status, expected, "{resp}");
        assert!(resp["error"]["message"].as_str().is_some());
    }
    let (status, resp) = log_time(&specialist, &t, json!(0), "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        resp["error"]["message"],
        "Время должно быть не меньше 1 минуты."
    );
    let (status, resp) = log_time(&specialist, &t, json!(1441), "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{resp}");
    let (status, resp) = log_time(&specialist, &t, json!("десять"), "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(resp["error"]["code"], "bad_json");
    let (status, _) = specialist
        .send("POST", &path("/time-entries"), Some(json!({"minutes": 10})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the version is required");
    unchanged(&card(&dealer, &t).await, &t, 0);
    let t2 = logged(&admin, &t, 10).await;
    let (status, resp) = log_time(&specialist, &t, json!(5), "").await;
    assert_eq!(status, StatusCode::CONFLICT, "stale: {resp}");
    assert_eq!(resp["error"]["code"], "version_conflict");
    unchanged(&card(&dealer, &t2).await, &t2, 1);
    let t = t2;
    let entry = card(&specialist, &t).await["time_entries"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Corrections.
    let correction = format!("/time-entries/{entry}/correction");
    let body = json!({"minutes": 5, "note": "Лишнее", "version": t["version"]});
    for (who, expected) in [
        (&other, StatusCode::NOT_FOUND),
        (&dealer, StatusCode::FORBIDDEN),
        (&manager, StatusCode::FORBIDDEN),
    ] {
        let (status, resp) = who
            .send("POST", &path(&correction), Some(body.clone()))
            .await;
        assert_eq!(status, expected, "{resp}");
    }
    let (status, resp) = specialist
        .send(
            "POST",
            &path("/time-entries/nope/correction"),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(resp["error"]["code"], "unknown_time_entry");
    let (status, resp) = specialist
        .send(
            "POST",
            &path(&correction),
            Some(json!({"minutes": 5, "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp["error"]["message"]
            .as_str()
            .unwrap()
            .contains("причину"),
        "{resp}"
    );
    let (status, resp) = specialist
        .send(
            "POST",
            &path(&correction),
            Some(json!({"minutes": 10, "note": "Так и было", "version": t["version"]})),
        )
        .await;
    assert_eq!(
        (status, resp["error"]["code"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("nothing_to_correct")
        )
    );
    let (status, _) = specialist
        .send(
            "POST",
            &path(&correction),
            Some(json!({"minutes": 5, "note": "Лишнее", "version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    unchanged(&card(&dealer, &t).await, &t, 1);

    // Reclassification.
    let body =
        json!({"category": "platform_bug", "reason": "Ошибка платформы", "version": t["version"]});
    for (who, expected) in [
        (&other, StatusCode::NOT_FOUND),
        (&dealer, StatusCode::FORBIDDEN),
        (&accountant, StatusCode::FORBIDDEN),
    ] {
        let (status, resp) = who
            .send("POST", &path("/reclassify"), Some(body.clone()))
            .await;
        assert_eq!(status, expected, "{resp}");
    }
    let (status, resp) = specialist
        .send(
            "POST",
            &path("/reclassify"),
            Some(json!({"category": "platform_bug", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(resp["error"]["fields"][0]["field"], "reason");
    let (status, _) = specialist
        .send(
            "POST",
            &path("/reclassify"),
            Some(json!({"category": "haircut", "reason": "?", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = specialist
        .send(
            "POST",
            &path("/reclassify"),
            Some(json!({"category": "platform_bug", "reason": "?", "version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    unchanged(&card(&dealer, &t).await, &t, 1);

    // Estimate.
    let (status, _) = other.send("GET", &path("/estimate"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = accountant.send("GET", &path("/estimate"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = server
        .anonymous()
        .send("GET", &path("/estimate"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Cost confirmation, once the ticket is finished and its cost pending.
    let t = act(&specialist, &t, "send_for_review", None).await;
    // Not finished yet: nothing to confirm.
    let (status, resp) = cost_step(&dealer, &t, "confirm", None).await;
    assert_eq!(
        (status, resp["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("illegal_cost_move"))
    );
    let t = act(&dealer, &t, "accept", None).await;
    // A finished ticket takes no new time.
    let (status, resp) = log_time(&specialist, &t, json!(5), "").await;
    assert_eq!(
        (status, resp["error"]["code"].clone()),
        (StatusCode::CONFLICT, json!("ticket_done"))
    );
    for step in ["confirm", "dispute"] {
        for (who, expected) in [
            (&other, StatusCode::NOT_FOUND),
            (&specialist, StatusCode::FORBIDDEN),
            (&manager, StatusCode::FORBIDDEN),
            (&accountant, StatusCode::FORBIDDEN),
        ] {
            let (status, resp) = cost_step(who, &t, step, Some("Почему так?")).await;
            assert_eq!(status, expected, "{step}: {resp}");
        }
    }
    let (status, resp) = cost_step(&dealer, &t, "answer", Some("Ответ")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{resp}");
    let (status, resp) = cost_step(&specialist, &t, "answer", Some("Ответ")).await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing disputed: {resp}");
    let (status, _) = cost_step(&other, &t, "answer", Some("Ответ")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut stale = t.clone();
    stale["version"] = json!(1);
    let (status, _) = cost_step(&dealer, &stale, "confirm", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let c = card(&dealer, &t).await;
    assert_eq!(
        (c["version"].clone(), c["cost_state"].clone()),
        (t["version"].clone(), json!("pending"))
    );
    let (status, _) = cost_step(&dealer, &t, "confirm", None).await;
    assert_eq!(status, StatusCode::OK);
}

/// A browser-like client logged into the portal.
async fn browser(server: &TestServer, email: &str) -> reqwest::Client {
    let b = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = b
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&login, "csrf");
    let r = b
        .post(format!("{}/login", server.base))
        .form(&[
            ("email", email),
            ("password", "demo-password"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    b
}

async fn page(b: &reqwest::Client, url: &str) -> String {
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    r.text().await.unwrap()
}

/// Submits a form of the card at `card_url` to `action` with its CSRF token and version.
async fn submit(
    b: &reqwest::Client,
    card_url: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let card = page(b, card_url).await;
    let (csrf, version) = (hidden(&card, "csrf"), hidden(&card, "version"));
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("version", &version)];
    form.extend_from_slice(fields);
    let r = b.post(action).form(&form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_portal_shows_the_detail_and_takes_every_cost_form() {
    let server = TestServer::start().await;
    let dealer_api = server.login(DEALER).await;
    let specialist_api = server.login(SPECIALIST).await;
    let t = file(
        &dealer_api,
        "Новость об акции",
        "Разместите новость об акции",
        "individual_news",
        "high",
        None,
    )
    .await;
    let t = act(&specialist_api, &t, "take", None).await;
    let card_url = format!("{}/tickets/{}", server.base, id(&t));
    let to = |suffix: &str| format!("{card_url}{suffix}");

    let specialist = browser(&server, SPECIALIST).await;
    let card = page(&specialist, &card_url).await;
    assert!(
        card.contains("Стоимость и трудозатраты") && card.contains("Списать время"),
        "{card}"
    );
    assert!(card.contains("Изменить категорию или тип"));
    assert!(
        card.contains("Оценка трудозатрат, минут"),
        "send_estimate needs its minutes"
    );
    let (status, card) = submit(
        &specialist,
        &card_url,
        &to("/time-entries"),
        &[("minutes", "десять"), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(card.contains("Время — целое число минут."));
    let (status, card) = submit(
        &specialist,
        &card_url,
        &to("/time-entries"),
        &[("minutes", "10"), ("note", "Разместили новость")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert!(
        card.contains("Разместили новость") && card.contains("590\u{a0}₽"),
        "{card}"
    );

    let t = self::card(&dealer_api, &t).await;
    let t = act(&specialist_api, &t, "send_for_review", None).await;
    act(&dealer_api, &t, "accept", None).await;

    let dealer = browser(&server, DEALER).await;
    let card = page(&dealer, &card_url).await;
    assert!(
        card.contains("Ожидает подтверждения")
            && card.contains("Подтвердить стоимость")
            && card.contains("Запросить детализацию"),
        "{card}"
    );
    assert!(!card.contains("Списать время"), "the dealer logs no time");
    let (status, card) = submit(
        &dealer,
        &card_url,
        &to("/cost/dispute"),
        &[("comment", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(card.contains("Напишите, что именно нужно пояснить в стоимости."));
    let (status, card) = submit(
        &dealer,
        &card_url,
        &to("/cost/dispute"),
        &[("comment", "Почему 10 минут?")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        card.contains("Запрошена детализация") && card.contains("Почему 10 минут?"),
        "{card}"
    );

    let card = page(&specialist, &card_url).await;
    assert!(card.contains("Ответ на запрос детализации"), "{card}");
    let marker = "/time-entries/";
    let start = card.find(marker).expect("a correction form") + marker.len();
    let entry = card[start..].split('/').next().unwrap().to_string();
    let (status, card) = submit(
        &specialist,
        &card_url,
        &to(&format!("/time-entries/{entry}/correction")),
        &[("minutes", "5"), ("note", "Списано лишнее")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert!(
        card.contains("Списано лишнее")
            && card.contains("Исправить время")
            && card.contains("300\u{a0}₽"),
        "{card}"
    );

    let (status, card) = submit(&dealer, &card_url, &to("/cost/confirm"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(card.contains("Подтверждена"), "{card}");
    assert!(!card.contains("Запросить детализацию</button>"));

    // A form without the session's CSRF token is refused.
    let r = dealer
        .post(to("/cost/confirm"))
        .form(&[("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
