//! The client's review and auto-acceptance (SPEC §2.4) and the money rules of issue 7
//! (SPEC §2.2, §2.6) end to end over HTTP, with the server's clock injected: a dealer's
//! remark stops the countdown and the specialist's reply starts it anew, the card and the
//! e-mail say when the system will accept, the working days are the admin's setting with
//! its history, a free ticket the dealer chose is never billed, and the 26th is the last
//! day to confirm a cost.

use chrono::{DateTime, Duration, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_e2e::browser::{get as page_get, hidden, log_in, post as page_post};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DEALER: &str = "dealer1@demo.local";
const SPECIALIST: &str = "specialist@demo.local";
const ADMIN: &str = "admin@demo.local";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn id(t: &Value) -> &str {
    t["id"].as_str().expect("ticket id")
}

async fn file(api: &Api, category: &str, criticality: &str, billing: &str) -> Value {
    let (status, body) = api
        .send(
            "POST",
            "/api/tickets",
            Some(json!({
                "title": "Мета-теги на странице акций",
                "text": "Пропишите мета-теги на странице акций.",
                "category": category,
                "criticality": criticality,
                "billing": billing,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn act(api: &Api, t: &Value, action: &str, comment: Option<&str>) -> Value {
    let (status, moved) = api.act(t, action, comment).await;
    assert_eq!(status, StatusCode::OK, "{action}: {moved}");
    moved
}

async fn card(api: &Api, t: &Value) -> Value {
    let (status, body) = api
        .send("GET", &format!("/api/tickets/{}", id(t)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn comment(api: &Api, t: &Value, text: &str) {
    let (status, body) = api
        .send(
            "POST",
            &format!("/api/tickets/{}/comments", id(t)),
            Some(json!({"text": text})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The auto-accept job at `when`: how many results it accepted.
async fn auto_accept(server: &TestServer, when: &str) -> usize {
    jobs::run(&server.state, Job::AutoAccept, at(when))
        .await
        .expect("auto_accept runs")
        .done
}

/// The server's clock at `when`; it runs on in real time, so what the requests do next
/// happens a moment later (the tests check whole minutes and run jobs a minute after).
fn clock_at(server: &TestServer, when: &str) {
    server.state.clock.set(at(when));
}

/// An instant of the API (RFC 3339 UTC) within a minute after `expected`.
fn about(actual: &Value, expected: &str) {
    let actual = at(actual
        .as_str()
        .unwrap_or_else(|| panic!("an instant: {actual}")));
    let expected = at(expected);
    assert!(
        actual >= expected && actual < expected + Duration::minutes(1),
        "{actual} is not just after {expected}"
    );
}

/// A ticket filed, taken and sent for review at `sent` (the clock runs on from there).
async fn in_review(server: &TestServer, sent: &str) -> (Api, Api, Value) {
    server.state.clock.set(at(sent));
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let t = file(&dealer, "individual_news", "medium", "paid").await;
    let t = act(&specialist, &t, "take", None).await;
    let t = act(
        &specialist,
        &t,
        "send_for_review",
        Some("Готово, проверьте"),
    )
    .await;
    (dealer, specialist, t)
}

/// The portal card of ticket `t` as `email` sees it.
async fn portal_card(server: &TestServer, email: &str, t: &Value) -> String {
    let b = log_in(server, email).await;
    let (status, page) = page_get(&b, &format!("{}/tickets/{}", server.base, id(t))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page
}

#[tokio::test]
async fn a_dealers_remark_stops_auto_acceptance_and_the_specialists_reply_starts_it_anew() {
    let server = TestServer::start_at(at("2026-12-02T15:00:00+03:00")).await;
    // Wed 02.12 15:00 MSK → Thu, Fri, Mon: accepted from Mon 07.12 15:00 MSK.
    let (dealer, _, t) = in_review(&server, "2026-12-02T15:00:00+03:00").await;
    let c = card(&dealer, &t).await;
    about(&c["auto_accept_at"], "2026-12-07T12:00:00Z");
    assert_eq!(c["auto_accept_paused"], false);
    assert_eq!(
        c["auto_accept_label"],
        "Будет принято автоматически 07.12 в 15:00, если замечаний не будет"
    );

    // Thu 03.12 11:00 MSK: the dealer writes a remark instead of accepting or returning.
    clock_at(&server, "2026-12-03T11:00:00+03:00");
    let dealer = server.login(DEALER).await;
    comment(&dealer, &t, "Цвет кнопки не тот, посмотрите, пожалуйста").await;
    let c = card(&dealer, &t).await;
    assert_eq!(c["auto_accept_paused"], true, "{c}");
    assert_eq!(c["auto_accept_at"], Value::Null);
    assert_eq!(
        c["auto_accept_label"],
        "Автоматическое принятие остановлено: клиент оставил замечание 03.12 в 11:00. \
         Срок начнётся заново после ответа специалиста"
    );
    assert_eq!(c["version"], t["version"].as_u64().unwrap() + 1);
    // The job leaves it alone, however long the dealer waits for an answer.
    assert_eq!(auto_accept(&server, "2026-12-07T15:00:00+03:00").await, 0);
    assert_eq!(auto_accept(&server, "2026-12-21T15:00:00+03:00").await, 0);
    assert_eq!(card(&dealer, &t).await["status"], "in_review");

    // Tue 08.12 10:00 MSK: the specialist answers → three full working days from then.
    clock_at(&server, "2026-12-08T10:00:00+03:00");
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    comment(&specialist, &t, "Поправили цвет кнопки").await;
    let c = card(&dealer, &t).await;
    assert_eq!(c["auto_accept_paused"], false, "{c}");
    about(&c["auto_accept_at"], "2026-12-11T07:00:00Z");
    assert_eq!(auto_accept(&server, "2026-12-11T09:59:00+03:00").await, 0);
    assert_eq!(auto_accept(&server, "2026-12-11T10:01:00+03:00").await, 1);
    let c = card(&dealer, &t).await;
    assert_eq!(c["status"], "resolved");
    let last = c["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "auto_accept");
    assert_eq!(c["auto_accept_label"], Value::Null);
}

#[tokio::test]
async fn a_paused_result_is_still_accepted_or_returned_by_the_dealer() {
    let server = TestServer::start_at(at("2026-12-02T15:00:00+03:00")).await;
    let (_, _, a) = in_review(&server, "2026-12-02T15:00:00+03:00").await;
    let (_, _, b) = in_review(&server, "2026-12-02T15:00:00+03:00").await;
    clock_at(&server, "2026-12-03T11:00:00+03:00");
    let dealer = server.login(DEALER).await;
    comment(&dealer, &a, "Есть замечание").await;
    comment(&dealer, &b, "Есть замечание").await;
    // The comment bumped the version: the dealer moves from the fresh card.
    let a = act(&dealer, &card(&dealer, &a).await, "return", Some("Не то")).await;
    assert_eq!(a["status"], "in_progress");
    let b = act(&dealer, &card(&dealer, &b).await, "accept", None).await;
    assert_eq!(b["status"], "resolved");
    for t in [&a, &b] {
        let c = card(&dealer, t).await;
        assert_eq!(
            (c["auto_accept_at"].clone(), c["auto_accept_paused"].clone()),
            (Value::Null, json!(false))
        );
    }
}

#[tokio::test]
async fn the_card_and_the_review_email_say_when_the_system_will_accept_in_moscow_time() {
    let server = TestServer::start_at(at("2026-12-02T15:00:00+03:00")).await;
    let (_, _, t) = in_review(&server, "2026-12-02T15:00:00+03:00").await;
    let words = "Будет принято автоматически 07.12 в 15:00, если замечаний не будет";
    assert!(portal_card(&server, DEALER, &t).await.contains(words));
    assert!(portal_card(&server, SPECIALIST, &t).await.contains(words));

    // The e-mail that sends the result for review says the same.
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mails = read_mailbox(server.state.mailer.mailbox().unwrap());
    let sent = mails
        .iter()
        .find(|m| m.email.to == [DEALER] && m.email.subject.contains("Отправить на проверку"))
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                mails.iter().map(|m| &m.email.subject).collect::<Vec<_>>()
            )
        });
    assert!(sent.email.text.contains(words), "{}", sent.email.text);
    assert!(sent.email.html.contains(words));

    // Paused, the card says so.
    clock_at(&server, "2026-12-03T11:00:00+03:00");
    let dealer = server.login(DEALER).await;
    comment(&dealer, &t, "Есть замечание").await;
    let page = portal_card(&server, DEALER, &t).await;
    assert!(
        page.contains("Автоматическое принятие остановлено: клиент оставил замечание 03.12"),
        "{page}"
    );
    assert!(!page.contains("Будет принято автоматически"));
}

#[tokio::test]
async fn the_working_days_of_auto_acceptance_are_an_admin_setting_with_its_history() {
    let server = TestServer::start_at(at("2026-12-01T10:00:00+03:00")).await;
    let admin = server.login(ADMIN).await;
    let (status, s) = admin.send("GET", "/api/admin/settings", None).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (s["auto_accept_days"].clone(), s["version"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(s["history"], json!([]));

    // Nobody else reads or changes them.
    for email in [DEALER, SPECIALIST, "manager@demo.local"] {
        let api = server.login(email).await;
        let (status, body) = api.send("GET", "/api/admin/settings", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
        let (status, body) = api
            .send(
                "PUT",
                "/api/admin/settings",
                Some(json!({"auto_accept_days": 10, "version": 0})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    // Bad values are refused in Russian, naming the field.
    for bad in [json!(0), json!(31), json!(2.5), json!("три"), Value::Null] {
        let (status, body) = admin
            .send(
                "PUT",
                "/api/admin/settings",
                Some(json!({"auto_accept_days": bad, "version": 0})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["error"]["fields"][0]["field"], "auto_accept_days");
    }
    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/settings",
            Some(json!({"auto_accept_days": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "version_required");

    let (status, s) = admin
        .send(
            "PUT",
            "/api/admin/settings",
            Some(json!({"auto_accept_days": 5, "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        (s["auto_accept_days"].clone(), s["version"].clone()),
        (json!(5), json!(1))
    );
    let change = &s["history"][0];
    assert_eq!(
        (
            change["setting"].clone(),
            change["old"].clone(),
            change["new"].clone()
        ),
        (json!("auto_accept_days"), json!(3), json!(5))
    );
    assert_eq!(change["at_local"], "01.12.2026 10:00");
    assert!(!change["actor_name"].as_str().unwrap().is_empty());
    // A second admin who saw version 0 loses.
    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/settings",
            Some(json!({"auto_accept_days": 4, "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");

    // The card and the job count five working days now: Tue 01.12 10:00 MSK → Tue 08.12.
    let (dealer, _, t) = in_review(&server, "2026-12-01T10:00:00+03:00").await;
    assert_eq!(
        card(&dealer, &t).await["auto_accept_label"],
        "Будет принято автоматически 08.12 в 10:00, если замечаний не будет"
    );
    assert_eq!(auto_accept(&server, "2026-12-08T09:59:00+03:00").await, 0);
    assert_eq!(auto_accept(&server, "2026-12-08T10:01:00+03:00").await, 1);

    // The admin changes it in the portal too; the page shows the history.
    clock_at(&server, "2026-12-09T12:00:00+03:00");
    let b = log_in(&server, ADMIN).await;
    let url = format!("{}/admin/settings", server.base);
    let (status, page) = page_get(&b, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Автоматическое принятие результата, рабочих дней"));
    assert!(page.contains("<td>3</td><td>5</td>"), "{page}");
    let form = [
        ("csrf", hidden(&page, "csrf")),
        ("version", hidden(&page, "version")),
        ("auto_accept_days", "31".to_string()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, page) = page_post(&b, &url, &pairs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("от 1 до 30"), "{page}");
    let mut pairs = pairs;
    pairs[2] = ("auto_accept_days", "2");
    let (status, path, page) = page_post(&b, &url, &pairs).await;
    assert_eq!((status, path.as_str()), (StatusCode::OK, "/admin/settings"));
    assert!(page.contains("Настройки сохранены"));
    assert!(page.contains("<td>5</td><td>2</td>"), "{page}");
    let admin = server.login(ADMIN).await;
    let (_, s) = admin.send("GET", "/api/admin/settings", None).await;
    assert_eq!(s["auto_accept_days"], 2);
    assert_eq!(s["history"].as_array().unwrap().len(), 2);
    // A dealer gets the 403 page.
    let b = log_in(&server, DEALER).await;
    let (status, _) = page_get(&b, &url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_paid_kind_of_work_filed_free_with_low_priority_is_the_dealers_choice_and_never_billed() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let t = file(&dealer, "meta_tags", "low", "free").await;
    assert_eq!(
        (t["billing"].clone(), t["free_by_choice"].clone()),
        (json!("free"), json!(true))
    );
    let t = act(&specialist, &t, "take", None).await;

    // The specialist cannot make it paid…
    let (status, body) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/reclassify", id(&t)),
            Some(json!({"category": "meta_tags", "billing": "paid", "reason": "Это платная работа", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "free_by_dealers_choice");
    assert_eq!(
        body["error"]["message"],
        "Дилер выбрал бесплатное обращение с низким приоритетом: оно не оплачивается, и \
         сделать его платным нельзя. Если работа требует платного обращения, напишите об \
         этом дилеру в комментарии."
    );
    // …nor by changing the category to one paid by default.
    let (status, body) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/reclassify", id(&t)),
            Some(json!({"category": "code_placement", "reason": "Это размещение кода", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let c = card(&dealer, &t).await;
    assert_eq!(
        (c["billing"].clone(), c["version"].clone()),
        (json!("free"), t["version"].clone())
    );
    // It can only tell the dealer.
    comment(
        &specialist,
        &t,
        "Эта работа платная: если нужно быстрее, подайте платное обращение.",
    )
    .await;

    // Done with time logged: nothing to pay, nothing to confirm.
    let (status, t) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/time-entries", id(&t)),
            Some(json!({"minutes": 45, "note": "Прописали мета-теги", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let t = act(&specialist, &t, "send_for_review", Some("Готово")).await;
    let t = act(&dealer, &t, "accept", None).await;
    assert_eq!(
        (
            t["cost"].clone(),
            t["cost_state"].clone(),
            t["minutes"].clone(),
            t["cost_quarter"].clone()
        ),
        (json!("0"), json!("none"), json!(45), Value::Null)
    );
    let page = portal_card(&server, DEALER, &t).await;
    assert!(page.contains("по выбору дилера, с низким приоритетом: не оплачивается"));

    // A free category the specialist finds to be paid work is reclassified as before.
    let bug = file(&dealer, "platform_bug", "high", "free").await;
    assert_eq!(bug["free_by_choice"], false);
    let (status, body) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/reclassify", id(&bug)),
            Some(json!({"category": "dealer_side_bug", "reason": "Сайт сломал код подрядчика", "version": bug["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["billing"], "paid");
}

#[tokio::test]
async fn the_26th_is_the_last_day_to_confirm_through_23_59_moscow_time() {
    let server = TestServer::start_at(at("2026-03-20T10:00:00+03:00")).await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let mut done = Vec::new();
    for _ in 0..2 {
        let t = file(&dealer, "meta_tags", "high", "paid").await;
        let t = act(&specialist, &t, "take", None).await;
        let (status, t) = specialist
            .send(
                "POST",
                &format!("/api/tickets/{}/time-entries", id(&t)),
                Some(json!({"minutes": 10, "note": "Мета-теги", "version": t["version"]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        let t = act(&specialist, &t, "send_for_review", Some("Готово")).await;
        done.push(act(&dealer, &t, "accept", None).await);
    }
    let words = "до 26.03 включительно";
    assert_eq!(done[0]["cost_deadline"], "2026-03-26");
    assert_eq!(done[0]["cost_deadline_label"], words);
    let page = portal_card(&server, DEALER, &done[0]).await;
    assert!(
        page.contains(&format!("{words} (I квартал 2026 г.)")),
        "{page}"
    );
    assert!(page.contains(&format!("{words} (до 23:59 МСК)")));

    // The reminder the day before says the same.
    jobs::run(
        &server.state,
        Job::CostReminders,
        at("2026-03-25T09:00:00+03:00"),
    )
    .await
    .unwrap();
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mails = read_mailbox(server.state.mailer.mailbox().unwrap());
    let reminder = mails
        .iter()
        .find(|m| m.key.starts_with("cost-reminder:"))
        .expect("a reminder");
    assert!(
        reminder.email.subject.contains(words),
        "{}",
        reminder.email.subject
    );
    assert!(
        reminder
            .email
            .text
            .contains(&format!("{words} (до 23:59 МСК)"))
    );
    // So does the e-mail that asked for the confirmation.
    let pending = mails
        .iter()
        .find(|m| m.email.subject.contains("Стоимость ожидает подтверждения"))
        .expect("the cost e-mail");
    assert!(pending.email.text.contains(words), "{}", pending.email.text);

    // 26.03 23:59 MSK: still in time.
    server.state.clock.set(at("2026-03-26T23:59:00+03:00"));
    let dealer = server.login(DEALER).await;
    let (status, body) = dealer
        .send(
            "POST",
            &format!("/api/tickets/{}/cost/confirm", id(&done[0])),
            Some(json!({"version": done[0]["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cost_state"], "confirmed");

    // 27.03 00:00 MSK: too late, even before the cut-off job has run.
    server.state.clock.set(at("2026-03-27T00:00:00+03:00"));
    let (status, body) = dealer
        .send(
            "POST",
            &format!("/api/tickets/{}/cost/dispute", id(&done[1])),
            Some(json!({"version": done[1]["version"], "comment": "Почему так дорого?"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "confirmation_deadline_passed");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(words), "{message}");
    assert_eq!(card(&dealer, &done[1]).await["cost_state"], "pending");
    // The cut-off confirms it.
    assert_eq!(
        jobs::run(
            &server.state,
            Job::CostCutoff,
            at("2026-03-27T00:00:00+03:00")
        )
        .await
        .unwrap()
        .done,
        1
    );
    assert_eq!(card(&dealer, &done[1]).await["cost_state"], "confirmed");
}
