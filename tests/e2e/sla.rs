//! The working calendar and the SLA end to end over HTTP (SPEC §2.3, §2.4): the ticket's
//! due time, the specialist queue, the SLA watch, auto-acceptance and the admin calendar —
//! with the server's clock injected and moved by the tests.

use chrono::{DateTime, Duration, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

/// Files a ticket of the given kind and returns it, asserting 201.
async fn file(api: &Api, title: &str, category: &str, criticality: &str, billing: &str) -> Value {
    let (status, body) = api
        .send(
            "POST",
            "/api/tickets",
            Some(json!({
                "title": title,
                "text": "Нужно сделать на сайте дилера.",
                "category": category,
                "criticality": criticality,
                "billing": billing,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn get(api: &Api, path: &str) -> Value {
    let (status, body) = api.send("GET", path, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// Uploads a production-calendar file as the admin API takes it.
async fn put_xml(
    api: &Api,
    year: i32,
    body: impl Into<reqwest::Body>,
    version: &str,
) -> (StatusCode, Value) {
    let resp = api
        .http
        .put(format!("{}/api/admin/calendars/{year}", api.base))
        .bearer_auth(api.token.as_deref().expect("logged in"))
        .header("content-type", "application/xml")
        .header("if-match", version)
        .body(body)
        .send()
        .await
        .expect("request reaches the server");
    let status = resp.status();
    (status, resp.json().await.expect("JSON body"))
}

fn titles(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["title"].as_str().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn a_new_ticket_carries_its_due_time_in_utc_and_pauses_while_waiting_on_the_dealer() {
    // Friday 06.03.2026 17:30 MSK; Saturday 07.03, Sunday 08.03 (a holiday) and Monday 09.03
    // (the day off moved from it) are off: 30 min on Friday, 2 h 30 on Tuesday 10.03.
    let server = TestServer::start_at(at("2026-03-06T17:30:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    // Logging in takes a moment; file at the very instant (the API shows whole seconds).
    server.state.clock.set(at("2026-03-06T17:30:00+03:00"));
    let ticket = file(
        &dealer,
        "Новость к 8 марта",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    assert_eq!(ticket["sla_due_at"], "2026-03-10T08:30:00Z", "{ticket}");
    assert_eq!(ticket["sla_paused"], false);
    assert_eq!(ticket["sla_breached"], false);

    let (status, asked) = specialist
        .act(&ticket, "ask_info", Some("Какой баннер?"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(asked["sla_due_at"], Value::Null);
    assert_eq!(asked["sla_paused"], true);

    // Answered on Tuesday 10.03 at 12:00 MSK: three working hours from then, 15:00 MSK.
    // (Four days on, the sessions of Friday have expired: log in again.)
    server.state.clock.set(at("2026-03-10T11:59:00+03:00"));
    let dealer = server.login("dealer1@demo.local").await;
    server.state.clock.set(at("2026-03-10T12:00:00+03:00"));
    let (status, answered) = dealer.act(&asked, "answer", Some("Главный баннер")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answered["sla_due_at"], "2026-03-10T12:00:00Z");
    assert_eq!(answered["sla_paused"], false);

    // Past the due time the card says so, before anyone reacts.
    server.state.clock.set(at("2026-03-10T15:01:00+03:00"));
    let id = ticket["id"].as_str().unwrap();
    let card = get(&dealer, &format!("/api/tickets/{id}")).await;
    assert_eq!(card["sla_breached"], true);
}

#[tokio::test]
async fn the_queue_puts_breached_first_then_paid_before_free_then_the_earliest_due_time() {
    // Monday 02.03.2026 10:00 MSK.
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer1 = server.login("dealer1@demo.local").await;
    let dealer2 = server.login("dealer2@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;

    file(
        &dealer1,
        "A платная высокая, просрочится",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    file(
        &dealer2,
        "B бесплатная высокая, просрочится",
        "consultation",
        "high",
        "free",
    )
    .await;
    file(
        &dealer1,
        "C платная средняя, до 18:00",
        "individual_news",
        "medium",
        "paid",
    )
    .await;
    // 13:30 MSK: A and B (due 13:00) are overdue.
    server.state.clock.advance(Duration::minutes(210));
    file(
        &dealer2,
        "D платная высокая, до 16:30",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    file(
        &dealer1,
        "E бесплатная низкая",
        "individual_news",
        "low",
        "free",
    )
    .await;
    let done = file(&dealer1, "F решённая", "consultation", "low", "free").await;
    let (_, taken) = specialist.act(&done, "take", None).await;
    let (_, review) = specialist.act(&taken, "send_for_review", None).await;
    let (status, _) = dealer1.act(&review, "accept", None).await;
    assert_eq!(status, StatusCode::OK);

    let queue = get(&specialist, "/api/tickets?view=queue").await;
    assert_eq!(
        titles(&queue),
        [
            "A платная высокая, просрочится",
            "B бесплатная высокая, просрочится",
            "D платная высокая, до 16:30",
            "C платная средняя, до 18:00",
            "E бесплатная низкая",
        ],
        "a finished ticket is not in the queue"
    );
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items[0]["sla_breached"], true);
    assert_eq!(items[2]["sla_breached"], false);

    // Pages follow the same order; a state filter applies inside it.
    let first = get(&specialist, "/api/tickets?view=queue&limit=2").await;
    assert_eq!(titles(&first).len(), 2);
    let cursor = first["next_cursor"].as_str().expect("more pages");
    let rest = get(
        &specialist,
        &format!("/api/tickets?view=queue&limit=10&cursor={cursor}"),
    )
    .await;
    assert_eq!(titles(&rest)[0], "D платная высокая, до 16:30");
    assert_eq!(rest["next_cursor"], Value::Null);
    let new_only = get(&specialist, "/api/tickets?view=queue&state=new").await;
    assert_eq!(titles(&new_only).len(), 5);

    // The admin works the same queue; without `view` the API keeps the newest-first list.
    let admin = server.login("admin@demo.local").await;
    assert_eq!(
        titles(&get(&admin, "/api/tickets?view=queue").await),
        titles(&queue)
    );
    assert_eq!(
        titles(&get(&specialist, "/api/tickets").await)[0],
        "F решённая"
    );

    // Nobody else has a queue: dealers, account managers, accountants.
    for email in [
        "dealer1@demo.local",
        "manager@demo.local",
        "accountant1@demo.local",
    ] {
        let (status, body) = server
            .login(email)
            .await
            .send("GET", "/api/tickets?view=queue", None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
    }
    let (status, body) = specialist.send("GET", "/api/tickets?view=mine", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_view");
}

#[tokio::test]
async fn the_sla_watch_run_twice_sends_each_notice_once() {
    // Monday 02.03.2026 10:00 MSK, high: the warning at 12:24, the due time at 13:00 MSK.
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = file(
        &dealer,
        "Сломалась форма заявки",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    let state = &server.state;
    let watch = |t: &str| jobs::run(state, Job::SlaWatch, at(t));

    assert_eq!(
        watch("2026-03-02T12:20:00+03:00").await.unwrap().done,
        0,
        "before 80 %"
    );
    assert_eq!(
        watch("2026-03-02T12:30:00+03:00").await.unwrap().done,
        1,
        "the warning"
    );
    assert_eq!(
        watch("2026-03-02T12:30:00+03:00").await.unwrap().done,
        0,
        "run twice"
    );
    assert_eq!(watch("2026-03-02T12:59:00+03:00").await.unwrap().done, 0);
    assert_eq!(
        watch("2026-03-02T13:30:00+03:00").await.unwrap().done,
        2,
        "the breach, to the team and to the account manager"
    );
    assert_eq!(
        watch("2026-03-02T13:30:00+03:00").await.unwrap().done,
        0,
        "run twice"
    );
    assert_eq!(
        watch("2026-03-03T13:30:00+03:00").await.unwrap().done,
        0,
        "and never again"
    );

    let send = jobs::run(state, Job::Outbox, at("2026-03-02T13:31:00+03:00"))
        .await
        .unwrap();
    assert_eq!(send.done, 4, "created, warning, breach ×2: {send:?}");
    assert_eq!(
        jobs::run(state, Job::Outbox, at("2026-03-02T13:32:00+03:00"))
            .await
            .unwrap()
            .done,
        0
    );

    let mails = read_mailbox(state.mailer.mailbox().expect("local mailbox"));
    let number = ticket["number"].as_str().unwrap();
    let warnings: Vec<_> = mails
        .iter()
        .filter(|m| m.key.starts_with("sla-warning:"))
        .collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        warnings[0].email.to,
        ["specialist@demo.local"],
        "the specialist team"
    );
    assert!(
        warnings[0].email.subject.contains(number) && warnings[0].email.subject.contains("80 %")
    );
    assert!(
        warnings[0].email.text.contains("02.03.2026 13:00 (МСК)"),
        "{}",
        warnings[0].email.text
    );
    let breaches: Vec<_> = mails
        .iter()
        .filter(|m| m.key.starts_with("sla-breach:"))
        .collect();
    assert_eq!(breaches.len(), 1);
    assert_eq!(
        breaches[0].email.to,
        ["manager@demo.local"],
        "the dealer's account manager"
    );
    assert!(breaches[0].email.subject.contains("нарушен срок реакции"));
    assert!(breaches[0].email.text.contains("Автоцентр Север"));

    // The ticket itself is unchanged for people, apart from its version.
    let card = get(
        &dealer,
        &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(card["status"], "accepted");
    assert_eq!(
        card["history"].as_array().unwrap().len(),
        1,
        "the watch is not a move"
    );
}

#[tokio::test]
async fn a_reaction_in_time_leaves_the_sla_watch_nothing_to_send() {
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = file(&dealer, "Новость", "individual_news", "high", "paid").await;
    let (status, _) = specialist.act(&ticket, "take", None).await;
    assert_eq!(status, StatusCode::OK);
    let report = jobs::run(
        &server.state,
        Job::SlaWatch,
        at("2026-03-03T10:00:00+03:00"),
    )
    .await
    .unwrap();
    assert_eq!(report.done, 0);
}

#[tokio::test]
async fn a_result_is_accepted_after_three_working_days_and_not_before() {
    // Sent for review on Monday 02.03.2026 at 10:00 MSK.
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let state = &server.state;
    let first = file(&dealer, "Первая", "individual_news", "medium", "paid").await;
    let (_, first) = specialist.act(&first, "take", None).await;
    // A second to spare, so the checks below at whole hours are not a few milliseconds early.
    state.clock.set(at("2026-03-02T09:59:59+03:00"));
    let (status, first) = specialist
        .act(&first, "send_for_review", Some("Готово"))
        .await;
    assert_eq!(status, StatusCode::OK);

    // Thursday 05.03 15:00 MSK: a second result goes for review; Friday works, then
    // Saturday, Sunday 08.03 (a holiday) and Monday 09.03 (its day off moved) do not.
    state.clock.set(at("2026-03-05T15:00:00+03:00"));
    // The sessions of Monday have expired by Thursday.
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let second = file(&dealer, "Вторая", "individual_news", "medium", "paid").await;
    let (_, second) = specialist.act(&second, "take", None).await;
    state.clock.set(at("2026-03-05T14:59:59+03:00"));
    let (_, second) = specialist.act(&second, "send_for_review", None).await;

    let accept = |t: &str| jobs::run(state, Job::AutoAccept, at(t));
    // Two working days and 23 hours: nothing.
    assert_eq!(accept("2026-03-05T09:00:00+03:00").await.unwrap().done, 0);
    let status_of = |t: &Value| format!("/api/tickets/{}", t["id"].as_str().unwrap());
    assert_eq!(
        get(&dealer, &status_of(&first)).await["status"],
        "in_review"
    );
    // Three working days: the first is accepted, once.
    assert_eq!(accept("2026-03-05T10:00:00+03:00").await.unwrap().done, 1);
    assert_eq!(
        accept("2026-03-05T10:00:00+03:00").await.unwrap().done,
        0,
        "run twice"
    );
    let card = get(&dealer, &status_of(&first)).await;
    assert_eq!(
        (card["state"].as_str(), card["status"].as_str()),
        (Some("done"), Some("resolved"))
    );
    let last = card["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "auto_accept");
    assert_eq!(last["actor_id"], Value::Null);
    assert!(last["comment"].as_str().unwrap().contains("автоматически"));

    // The second counts working days only: Fri 06.03, Tue 10.03, Wed 11.03 15:00 MSK.
    assert_eq!(accept("2026-03-10T15:00:00+03:00").await.unwrap().done, 0);
    assert_eq!(
        get(&dealer, &status_of(&second)).await["status"],
        "in_review"
    );
    assert_eq!(accept("2026-03-11T15:00:00+03:00").await.unwrap().done, 1);
    assert_eq!(
        get(&dealer, &status_of(&second)).await["status"],
        "resolved"
    );

    // The dealer is told, by the outbox, once.
    jobs::run(state, Job::Outbox, at("2026-03-11T15:01:00+03:00"))
        .await
        .unwrap();
    let mails = read_mailbox(state.mailer.mailbox().unwrap());
    let told: Vec<_> = mails
        .iter()
        .filter(|m| {
            m.email.to == ["dealer1@demo.local"]
                && m.email.subject.contains("Принято автоматически")
        })
        .collect();
    assert_eq!(
        told.len(),
        2,
        "{:?}",
        mails.iter().map(|m| &m.email.subject).collect::<Vec<_>>()
    );
}

const CALENDAR_PATHS: [(&str, &str); 5] = [
    ("GET", "/api/admin/calendars"),
    ("GET", "/api/admin/calendars/2026"),
    ("PUT", "/api/admin/calendars/2026"),
    ("GET", "/api/admin/calendars/hours"),
    ("PUT", "/api/admin/calendars/hours"),
];

#[tokio::test]
async fn only_the_admin_reads_or_changes_the_calendar() {
    let server = TestServer::start().await;
    // A body that would be a validation error: the role is refused before it is read.
    let body = || {
        Some(
            json!({"days": {"nonsense": "holiday"}, "open": "x", "close": "y", "time_zone": "z", "version": 0}),
        )
    };
    for email in [
        "dealer1@demo.local",
        "specialist@demo.local",
        "manager@demo.local",
        "accountant1@demo.local",
        "brand@demo.local",
    ] {
        let api = server.login(email).await;
        for (method, path) in CALENDAR_PATHS {
            let (status, answer) = api.send(method, path, body()).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{email} {method} {path}: {answer}"
            );
            assert_eq!(answer["error"]["code"], "forbidden");
        }
    }
    for (method, path) in CALENDAR_PATHS {
        let (status, _) = server.anonymous().send(method, path, body()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[tokio::test]
async fn the_admin_sees_the_years_with_provisional_flags_and_the_working_hours() {
    let server = TestServer::start_at(at("2026-06-01T10:00:00+03:00")).await;
    let admin = server.login("admin@demo.local").await;
    let overview = get(&admin, "/api/admin/calendars").await;
    let years: Vec<_> = overview["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (
                y["year"].as_i64().unwrap(),
                y["provisional"].as_bool().unwrap(),
                y["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        years,
        [
            (2024, false, "official".to_string()),
            (2025, false, "official".to_string()),
            (2026, false, "official".to_string()),
            (2027, false, "official".to_string()),
        ]
    );
    assert_eq!(overview["provisional_years"], json!([]));
    assert_eq!(overview["hours"]["open"], "09:00");
    assert_eq!(overview["hours"]["close"], "18:00");
    assert_eq!(overview["hours"]["shortened_by_minutes"], 60);
    assert_eq!(overview["hours"]["time_zone"], "Europe/Moscow");

    let y2026 = get(&admin, "/api/admin/calendars/2026").await;
    assert_eq!(y2026["working_days"], 247);
    assert_eq!(y2026["days"]["2026-12-31"], "non_working");
    assert_eq!(y2026["days"]["2026-04-30"], "shortened");
    let y2028 = get(&admin, "/api/admin/calendars/2028").await;
    assert_eq!(y2028["provisional"], true);
    assert_eq!(y2028["source"], "statutory");
    assert_eq!(y2028["days"]["2028-01-08"], "non_working");
    let (status, _) = admin.send("GET", "/api/admin/calendars/12345", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin.send("GET", "/api/admin/calendars/next", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_admin_makes_a_day_non_working_and_a_running_due_time_moves() {
    // Monday 02.03.2026 17:00 MSK, high: 1 h on Monday, 2 h on Tuesday → 03.03 11:00 MSK.
    let server = TestServer::start_at(at("2026-03-02T17:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let monday_17 = at("2026-03-02T17:00:00+03:00");
    server.state.clock.set(monday_17);
    let ticket = file(&dealer, "Срочная правка", "individual_news", "high", "paid").await;
    assert_eq!(ticket["sla_due_at"], "2026-03-03T08:00:00Z");

    let year = get(&admin, "/api/admin/calendars/2026").await;
    let mut days = year["days"].clone();
    days["2026-03-03"] = json!("non_working");
    let (status, changed) = admin
        .send(
            "PUT",
            "/api/admin/calendars/2026",
            Some(json!({"days": days, "version": year["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["days"]["2026-03-03"], "non_working");
    assert_eq!(changed["source"], "admin");
    assert_eq!(changed["version"], year["version"].as_u64().unwrap() + 1);
    assert_eq!(changed["recounted"], 1);

    let card = get(
        &dealer,
        &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        card["sla_due_at"], "2026-03-04T08:00:00Z",
        "Tuesday is off now: Wednesday 11:00 MSK"
    );
    // A ticket filed now counts in the edited calendar too.
    server.state.clock.set(monday_17);
    let next = file(&dealer, "Ещё одна", "individual_news", "high", "paid").await;
    assert_eq!(next["sla_due_at"], "2026-03-04T08:00:00Z");

    // The same edit against the version seen before loses.
    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/calendars/2026",
            Some(json!({"days": days, "version": year["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "version_conflict");

    // Shorter working hours move both again: closing at 17:00 MSK leaves nothing of Monday
    // evening, so three hours from Wednesday 09:00 → 12:00 MSK.
    let hours = get(&admin, "/api/admin/calendars/hours").await;
    let (status, changed) = admin
        .send(
            "PUT",
            "/api/admin/calendars/hours",
            Some(json!({"open": "09:00", "close": "17:00", "shortened_by_minutes": 60, "time_zone": "Europe/Moscow", "version": hours["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["close"], "17:00");
    assert_eq!(changed["version"], 1);
    assert_eq!(changed["recounted"], 2);
    let card = get(
        &dealer,
        &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(card["sla_due_at"], "2026-03-04T09:00:00Z");
}

#[tokio::test]
async fn an_uploaded_production_calendar_replaces_a_provisional_year() {
    let server = TestServer::start_at(at("2027-10-01T10:00:00+03:00")).await;
    let admin = server.login("admin@demo.local").await;
    let overview = get(&admin, "/api/admin/calendars").await;
    assert_eq!(overview["provisional_years"], json!([2028]));
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2028" lang="ru" date="2027.09.30" country="ru">
    <days>
        <day d="01.01" t="1" h="1"/>
        <day d="01.08" t="1" h="1"/>
        <day d="12.29" t="1" f="01.02"/>
        <day d="02.19" t="3"/>
        <day d="02.22" t="2"/>
    </days>
</calendar>"#;
    let (status, body) = put_xml(&admin, 2028, xml, "0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["provisional"], false);
    assert_eq!(body["source"], "admin");
    assert_eq!(body["days"]["2028-02-19"], "working_weekend");
    assert_eq!(body["days"]["2028-12-29"], "non_working");
    let overview = get(&admin, "/api/admin/calendars").await;
    assert_eq!(overview["provisional_years"], json!([]));
}

#[tokio::test]
async fn bad_calendars_are_refused_in_russian_and_change_nothing() {
    let server = TestServer::start().await;
    let admin = server.login("admin@demo.local").await;
    for (body, expected) in [
        (
            "<html><body>not a calendar</body></html>",
            "производственный календарь",
        ),
        (
            r#"<calendar year="2027"><day d="13.45" t="1"/></calendar>"#,
            "Неверная дата",
        ),
        (
            r#"<calendar year="2027"><day d="01.01" t="9"/></calendar>"#,
            "Неверный тип дня",
        ),
        (
            r#"<calendar year="2028"><day d="01.01" t="1"/></calendar>"#,
            "2028 года",
        ),
        (r#"<calendar year="2027"><day d="01.01" t="1"#, "повреждён"),
    ] {
        let (status, answer) = put_xml(&admin, 2027, body.to_string(), "0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "calendar_invalid");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
    }
    // Bytes that are not UTF-8 are a validation error too, not a 500.
    let (status, answer) = put_xml(&admin, 2027, vec![0xff_u8, 0xfe, 0x3c], "0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    // A stale version of a good file is a conflict.
    let (status, _) = put_xml(
        &admin,
        2027,
        r#"<calendar year="2027"><day d="01.01" t="1"/></calendar>"#,
        "5",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // JSON: unknown kinds and dates all reported, a weekday made a working weekend, a year
    // without working days, a missing version.
    let (status, answer) = admin
        .send("PUT", "/api/admin/calendars/2027", Some(json!({"days": {"2027-13-01": "non_working", "2027-01-11": "holiday"}, "version": 0})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer["error"]["fields"].as_array().unwrap().len(),
        2,
        "{answer}"
    );
    let (status, answer) = admin
        .send(
            "PUT",
            "/api/admin/calendars/2027",
            Some(json!({"days": {"2027-01-11": "working_weekend"}, "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("не суббота и не воскресенье")
    );
    let all_off: serde_json::Map<String, Value> = (0..365)
        .map(|d| {
            let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + Duration::days(d);
            (date.format("%Y-%m-%d").to_string(), json!("non_working"))
        })
        .collect();
    let (status, answer) = admin
        .send(
            "PUT",
            "/api/admin/calendars/2027",
            Some(json!({"days": all_off, "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ни одного рабочего дня")
    );
    let (status, answer) = admin
        .send(
            "PUT",
            "/api/admin/calendars/2027",
            Some(json!({"days": {}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "version_required");
    let (status, answer) = admin
        .send("PUT", "/api/admin/calendars/hours", Some(json!({"open": "18:00", "close": "09:00", "time_zone": "Europe/Moscow", "version": 0})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Неверные часы работы")
    );
    let (status, answer) = admin
        .send("PUT", "/api/admin/calendars/hours", Some(json!({"open": "09:00", "close": "18:00", "time_zone": "Europe/Moskva", "version": 0})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer["error"]["fields"][0]["field"], "time_zone",
        "{answer}"
    );

    // Nothing was stored: 2027 is still the official file, not a stored year.
    let y2027 = get(&admin, "/api/admin/calendars/2027").await;
    assert_eq!(
        (y2027["version"].as_u64(), y2027["source"].as_str()),
        (Some(0), Some("official"))
    );
    assert_eq!(
        get(&admin, "/api/admin/calendars/hours").await["version"],
        0
    );
}

// ---------------------------------------------------------------- issue 7: SLA and the queue

/// Writes a comment and asserts 201.
async fn comment(api: &Api, ticket: &Value, text: &str) {
    let id = ticket["id"].as_str().expect("id");
    let (status, body) = api
        .send(
            "POST",
            &format!("/api/tickets/{id}/comments"),
            Some(json!({ "text": text })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// A paid medium ticket filed at `filed`, taken, sent for review and returned by the
/// dealer at `returned`: back «В стадии решения» with a new reaction period.
async fn returned_ticket(
    server: &TestServer,
    dealer: &Api,
    specialist: &Api,
    title: &str,
    filed: &str,
    returned: &str,
) -> Value {
    server.state.clock.set(at(filed));
    let ticket = file(dealer, title, "individual_news", "medium", "paid").await;
    let (status, taken) = specialist.act(&ticket, "take", None).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    let (status, review) = specialist.act(&taken, "send_for_review", None).await;
    assert_eq!(status, StatusCode::OK, "{review}");
    server.state.clock.set(at(returned));
    let (status, back) = dealer.act(&review, "return", Some("Баннер не тот")).await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["status"], "in_progress");
    back
}

#[tokio::test]
async fn after_a_return_the_specialists_comment_is_the_reaction() {
    // Returned on Monday 02.03.2026 at 12:00 MSK: a medium reaction is due Tuesday 11:00.
    let server = TestServer::start_at(at("2026-03-02T09:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let answered = returned_ticket(
        &server,
        &dealer,
        &specialist,
        "Баннер с ответом",
        "2026-03-02T09:00:00+03:00",
        "2026-03-02T12:00:00+03:00",
    )
    .await;
    let silent = returned_ticket(
        &server,
        &dealer,
        &specialist,
        "Баннер без ответа",
        "2026-03-02T12:05:00+03:00",
        "2026-03-02T12:10:00+03:00",
    )
    .await;
    assert_eq!(answered["sla_due_at"], "2026-03-03T08:00:00Z", "{answered}");

    // The dealer's own words and the account manager's do not answer the SLA; the
    // specialist's comment at 15:00 MSK does, and the ticket stays «В стадии решения».
    server.state.clock.set(at("2026-03-02T14:00:00+03:00"));
    comment(&dealer, &answered, "Жду исправления").await;
    comment(&manager, &answered, "Коллеги, посмотрите").await;
    let id = answered["id"].as_str().unwrap();
    let card = get(&dealer, &format!("/api/tickets/{id}")).await;
    assert_eq!(card["sla_due_at"], "2026-03-03T08:00:00Z", "still owed");
    server.state.clock.set(at("2026-03-02T15:00:00+03:00"));
    comment(&specialist, &answered, "Исправляем баннер, пришлём сегодня").await;
    let card = get(&dealer, &format!("/api/tickets/{id}")).await;
    assert_eq!(card["status"], "in_progress");
    assert_eq!(card["sla_due_at"], Value::Null, "{card}");
    assert_eq!(card["sla_breached"], false);

    // A day later the watch has nothing to say about it; the silent one is breached, and
    // its e-mails ask for what can be done «В стадии решения».
    server.state.clock.set(at("2026-03-03T12:00:00+03:00"));
    let dealer = server.login("dealer1@demo.local").await;
    let report = jobs::run(
        &server.state,
        Job::SlaWatch,
        at("2026-03-03T12:00:00+03:00"),
    )
    .await
    .unwrap();
    assert_eq!(
        report.done, 3,
        "warning and two breach reports, the silent one only"
    );
    let card = get(&dealer, &format!("/api/tickets/{id}")).await;
    assert_eq!(card["sla_breached"], false);
    let silent_card = get(
        &dealer,
        &format!("/api/tickets/{}", silent["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(silent_card["sla_breached"], true);

    jobs::run(&server.state, Job::Outbox, at("2026-03-03T12:01:00+03:00"))
        .await
        .unwrap();
    let mails = read_mailbox(server.state.mailer.mailbox().expect("local mailbox"));
    let sla: Vec<_> = mails.iter().filter(|m| m.key.starts_with("sla-")).collect();
    assert_eq!(sla.len(), 3);
    let number = silent["number"].as_str().unwrap();
    for m in &sla {
        assert!(m.email.subject.contains(number), "{}", m.email.subject);
        if m.key.starts_with("sla-breach:") {
            continue; // the account manager's letter: call the dealer, not a move
        }
        assert!(
            !m.email.text.contains("Взять в работу") && !m.email.text.contains("Возьмите"),
            "{}: {}",
            m.key,
            m.email.text
        );
        assert!(
            m.email.text.contains("комментарием")
                && m.email.text.contains("«Отправить на проверку»"),
            "{}: {}",
            m.key,
            m.email.text
        );
    }
}

#[tokio::test]
async fn a_specialists_late_comment_is_a_late_reaction_kept_for_the_card() {
    // Monday 02.03.2026 10:00 MSK, high: due 13:00; the specialist comments at 14:00.
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    server.state.clock.set(at("2026-03-02T10:00:00+03:00"));
    let ticket = file(
        &dealer,
        "Форма не работает",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    server.state.clock.set(at("2026-03-02T14:00:00+03:00"));
    comment(&specialist, &ticket, "Разбираемся").await;
    let card = get(
        &dealer,
        &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(card["status"], "accepted", "a comment is not a move");
    assert_eq!(card["sla_due_at"], Value::Null);
    assert_eq!(card["sla_overdue"], false);
    assert_eq!(card["sla_breached"], true, "late stays late");
}

#[tokio::test]
async fn the_queue_puts_tickets_overdue_now_first_not_those_late_once() {
    // Monday 02.03.2026 10:00 MSK.
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    server.state.clock.set(at("2026-03-02T10:00:00+03:00"));
    let late_waiting = file(
        &dealer,
        "A поздно, ждёт дилера",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    let late_restarted = file(
        &dealer,
        "B поздно, снова у нас",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    // 14:00 MSK: both were due at 13:00; the specialist asks the dealer on both, late.
    server.state.clock.set(at("2026-03-02T14:00:00+03:00"));
    let (_, waiting) = specialist
        .act(&late_waiting, "ask_info", Some("Какой раздел?"))
        .await;
    let (_, asked) = specialist
        .act(&late_restarted, "ask_info", Some("Какой раздел?"))
        .await;
    assert_eq!(waiting["sla_breached"], true);
    // Tuesday 03.03 09:00 MSK: B is answered (due 12:00), a free ticket is filed (due 12:00
    // too, so it is overdue first) and a paid one at 10:00 (due 13:00).
    server.state.clock.set(at("2026-03-03T09:00:00+03:00"));
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let (status, answered) = dealer.act(&asked, "answer", Some("Новости")).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    file(
        &dealer,
        "C бесплатная, просрочится",
        "consultation",
        "high",
        "free",
    )
    .await;
    server.state.clock.set(at("2026-03-03T10:00:00+03:00"));
    file(
        &dealer,
        "D платная свежая",
        "individual_news",
        "high",
        "paid",
    )
    .await;

    // 11:30 MSK: nothing is overdue now. Paid before free, earliest due first, a paid
    // ticket without a due time after the paid ones with one; late once earns no place.
    server.state.clock.set(at("2026-03-03T11:30:00+03:00"));
    let queue = get(&specialist, "/api/tickets?view=queue").await;
    assert_eq!(
        titles(&queue),
        [
            "B поздно, снова у нас",
            "D платная свежая",
            "A поздно, ждёт дилера",
            "C бесплатная, просрочится",
        ]
    );
    // 12:30 MSK: B and C are overdue now and lead, paid first; A, late once and waiting
    // on the dealer, is last.
    server.state.clock.set(at("2026-03-03T12:30:00+03:00"));
    let queue = get(&specialist, "/api/tickets?view=queue").await;
    assert_eq!(
        titles(&queue),
        [
            "B поздно, снова у нас",
            "C бесплатная, просрочится",
            "D платная свежая",
            "A поздно, ждёт дилера",
        ]
    );
    let items = queue["items"].as_array().unwrap();
    let flags: Vec<_> = items
        .iter()
        .map(|t| {
            (
                t["sla_overdue"].as_bool().unwrap(),
                t["sla_breached"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [(true, true), (true, true), (false, false), (false, true)],
        "overdue now for the queue, breached kept for the card and reports"
    );
}

#[tokio::test]
async fn a_breach_tells_the_team_and_the_account_manager_once_per_reaction_period() {
    // Monday 02.03.2026 10:00 MSK, high: due 13:00 MSK.
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    server.state.clock.set(at("2026-03-02T10:00:00+03:00"));
    let ticket = file(
        &dealer,
        "Не открывается сайт",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    let state = &server.state;
    let watch = |t: &str| jobs::run(state, Job::SlaWatch, at(t));
    assert_eq!(watch("2026-03-02T13:30:00+03:00").await.unwrap().done, 3);
    assert_eq!(
        watch("2026-03-02T16:00:00+03:00").await.unwrap().done,
        0,
        "once a period"
    );

    // The specialist asks (late); the dealer answers at 14:00 MSK: a new period, due 17:00,
    // with its own warning and breach.
    server.state.clock.set(at("2026-03-02T13:45:00+03:00"));
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());
    let marked = get(&specialist, &path).await;
    let (status, asked) = specialist
        .act(&marked, "ask_info", Some("Какой браузер?"))
        .await;
    assert_eq!(status, StatusCode::OK, "{asked}");
    server.state.clock.set(at("2026-03-02T14:00:00+03:00"));
    let (status, _) = dealer.act(&asked, "answer", Some("Любой")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(watch("2026-03-02T17:30:00+03:00").await.unwrap().done, 3);
    assert_eq!(watch("2026-03-03T10:00:00+03:00").await.unwrap().done, 0);

    jobs::run(state, Job::Outbox, at("2026-03-03T10:01:00+03:00"))
        .await
        .unwrap();
    let mails = read_mailbox(state.mailer.mailbox().expect("local mailbox"));
    let to = |prefix: &str| -> Vec<Vec<String>> {
        mails
            .iter()
            .filter(|m| m.key.starts_with(prefix))
            .map(|m| m.email.to.clone())
            .collect()
    };
    let team = vec!["specialist@demo.local".to_string()];
    let manager = vec!["manager@demo.local".to_string()];
    assert_eq!(to("sla-warning:"), [team.clone(), team.clone()]);
    assert_eq!(to("sla-breach-team:"), [team.clone(), team]);
    assert_eq!(to("sla-breach:"), [manager.clone(), manager]);
    let team_breach = mails
        .iter()
        .find(|m| m.key.starts_with("sla-breach-team:"))
        .unwrap();
    assert!(
        team_breach
            .email
            .subject
            .contains(ticket["number"].as_str().unwrap())
            && team_breach.email.subject.contains("нарушен срок реакции"),
        "{}",
        team_breach.email.subject
    );
    assert!(
        team_breach.email.text.contains("«Взять в работу»"),
        "{}",
        team_breach.email.text
    );
}

#[tokio::test]
async fn the_official_2027_calendar_counts_and_its_file_still_uploads() {
    let server = TestServer::start_at(at("2026-12-01T10:00:00+03:00")).await;
    let admin = server.login("admin@demo.local").await;
    let y2027 = get(&admin, "/api/admin/calendars/2027").await;
    assert_eq!(y2027["provisional"], false);
    assert_eq!(y2027["source"], "official");
    assert_eq!(y2027["working_days"], 247);
    assert_eq!(
        y2027["days"]["2027-02-20"], "shortened",
        "a working shortened Saturday"
    );
    assert_eq!(y2027["days"]["2027-02-22"], "non_working");
    assert_eq!(
        y2027["days"]["2027-11-05"], "non_working",
        "transferred from 02.01"
    );
    assert_eq!(
        y2027["days"]["2027-12-31"], "non_working",
        "transferred from 03.01"
    );

    // A ticket filed on Friday 19.02.2027 at 17:00 MSK, high: 1 h on Friday, 2 h on the
    // working Saturday → 20.02 11:00 MSK.
    server.state.clock.set(at("2027-02-19T16:59:00+03:00"));
    let dealer = server.login("dealer1@demo.local").await;
    server.state.clock.set(at("2027-02-19T17:00:00+03:00"));
    let ticket = file(
        &dealer,
        "Акция к 23 февраля",
        "individual_news",
        "high",
        "paid",
    )
    .await;
    assert_eq!(ticket["sla_due_at"], "2027-02-20T08:00:00Z", "{ticket}");

    // The admin's upload takes the official file unchanged.
    let admin = server.login("admin@demo.local").await;
    let xml = std::fs::read_to_string(
        dealerdesk_e2e::workspace_root().join("infra/calendars/ru/2027.xml"),
    )
    .expect("the 2027 file");
    let (status, body) = put_xml(&admin, 2027, xml, "0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["days"], y2027["days"]);
    assert_eq!(body["provisional"], false);
}

#[tokio::test]
async fn the_platform_time_zone_is_moscow_and_the_admin_cannot_change_it() {
    let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
    let admin = server.login("admin@demo.local").await;
    let (status, answer) = admin
        .send(
            "PUT",
            "/api/admin/calendars/hours",
            Some(json!({"open": "09:00", "close": "18:00", "time_zone": "Asia/Yekaterinburg", "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["fields"][0]["field"], "time_zone");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Europe/Moscow"),
        "{answer}"
    );
    let hours = get(&admin, "/api/admin/calendars/hours").await;
    assert_eq!(
        (hours["version"].as_u64(), hours["time_zone"].as_str()),
        (Some(0), Some("Europe/Moscow"))
    );

    // The hours themselves are edited without a zone (or with the platform's echoed back).
    let (status, changed) = admin
        .send(
            "PUT",
            "/api/admin/calendars/hours",
            Some(json!({"open": "09:00", "close": "17:00", "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["time_zone"], "Europe/Moscow");
    let (status, changed) = admin
        .send(
            "PUT",
            "/api/admin/calendars/hours",
            Some(json!({"open": "09:00", "close": "18:00", "time_zone": "Europe/Moscow", "version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["version"], 2);
}

// ---------------------------------------------------------------- the portal

mod portal {
    use super::*;
    use reqwest::Client;

    /// A browser-like client: keeps cookies, follows redirects.
    async fn log_in(server: &TestServer, email: &str) -> Client {
        let b = Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let page = b
            .get(format!("{}/login", server.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "csrf");
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

    /// The value of the first hidden input `name` on a page.
    fn hidden(page: &str, name: &str) -> String {
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

    async fn page(b: &Client, url: String) -> (StatusCode, String) {
        let r = b.get(url).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    #[tokio::test]
    async fn the_card_and_the_lists_show_the_due_time_in_moscow_time_and_a_breach() {
        let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
        let dealer = server.login("dealer1@demo.local").await;
        let specialist_api = server.login("specialist@demo.local").await;
        server.state.clock.set(at("2026-03-02T10:00:00+03:00"));
        let ticket = file(
            &dealer,
            "Баннер на главной",
            "individual_news",
            "high",
            "paid",
        )
        .await;
        let waiting = file(
            &dealer,
            "Уточнить адрес",
            "individual_news",
            "medium",
            "paid",
        )
        .await;
        let (status, _) = specialist_api
            .act(&waiting, "ask_info", Some("Какой адрес?"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let id = ticket["id"].as_str().unwrap();

        let browser = log_in(&server, "dealer1@demo.local").await;
        let (status, card) = page(&browser, format!("{}/tickets/{id}", server.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(card.contains("Срок реакции"), "{card}");
        assert!(card.contains("02.03.2026 13:00"), "Moscow time: {card}");
        assert!(card.contains("3 рабочих часа"));
        assert!(!card.contains("Просрочено"));
        let (_, card) = page(
            &browser,
            format!(
                "{}/tickets/{}",
                server.base,
                waiting["id"].as_str().unwrap()
            ),
        )
        .await;
        assert!(card.contains("приостановлен — ждём клиента"), "{card}");
        let (_, list) = page(&browser, format!("{}/tickets", server.base)).await;
        assert!(
            list.contains("Срок реакции (МСК)") && list.contains("02.03.2026 13:00"),
            "{list}"
        );

        // Past the due time the card and the specialist's queue say «Просрочено».
        server.state.clock.set(at("2026-03-02T13:05:00+03:00"));
        let (_, card) = page(&browser, format!("{}/tickets/{id}", server.base)).await;
        assert!(card.contains("Просрочено"), "{card}");
        let specialist = log_in(&server, "specialist@demo.local").await;
        let (status, queue) = page(&specialist, format!("{}/tickets", server.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains("Очередь обращений"), "{queue}");
        assert!(queue.contains("Просрочено"));
        let first = queue.find("Баннер на главной").expect("in the queue");
        let second = queue.find("Уточнить адрес").expect("in the queue");
        assert!(first < second, "the breached ticket leads the queue");
        let (_, all) = page(&specialist, format!("{}/tickets?view=all", server.base)).await;
        assert!(all.contains("Все обращения, новые сверху"));
        assert!(
            all.find("Уточнить адрес").unwrap() < all.find("Баннер на главной").unwrap(),
            "newest first"
        );
        // A dealer has no queue.
        let (status, _) = page(&browser, format!("{}/tickets?view=queue", server.base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn the_list_marks_only_overdue_now_and_the_card_keeps_a_past_breach() {
        // Monday 02.03.2026 10:00 MSK, high: due 13:00; asked at 14:00 (late), waiting.
        let server = TestServer::start_at(at("2026-03-02T10:00:00+03:00")).await;
        let dealer = server.login("dealer1@demo.local").await;
        let specialist_api = server.login("specialist@demo.local").await;
        server.state.clock.set(at("2026-03-02T10:00:00+03:00"));
        let ticket = file(&dealer, "Поздний вопрос", "individual_news", "high", "paid").await;
        server.state.clock.set(at("2026-03-02T14:00:00+03:00"));
        let (status, _) = specialist_api
            .act(&ticket, "ask_info", Some("Какой раздел?"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let specialist = log_in(&server, "specialist@demo.local").await;
        let (status, queue) = page(&specialist, format!("{}/tickets", server.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains("Поздний вопрос"), "{queue}");
        assert!(
            !queue.contains("Просрочено"),
            "nothing is overdue now: {queue}"
        );
        let id = ticket["id"].as_str().unwrap();
        let (_, card) = page(&specialist, format!("{}/tickets/{id}", server.base)).await;
        assert!(card.contains("Срок реакции нарушался"), "{card}");
        assert!(!card.contains("Просрочено"), "{card}");
    }

    #[tokio::test]
    async fn the_hours_form_has_no_time_zone_and_says_moscow_time() {
        let server = TestServer::start_at(at("2026-10-01T10:00:00+03:00")).await;
        let admin = log_in(&server, "admin@demo.local").await;
        let (status, body) = page(&admin, format!("{}/admin/calendars", server.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains("name=\"time_zone\""), "{body}");
        assert!(
            body.contains("Время московское (МСК") && body.contains("он не меняется"),
            "{body}"
        );
        // A form from before, still sending a zone, is refused and changes nothing.
        let csrf = hidden(&body, "csrf");
        let r = admin
            .post(format!("{}/admin/calendars/hours", server.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", "0"),
                ("open", "09:00"),
                ("close", "18:00"),
                ("shortened_by_minutes", "60"),
                ("time_zone", "Asia/Yekaterinburg"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = r.text().await.unwrap();
        assert!(text.contains("Часовой пояс платформы — Москва"), "{text}");
        let api = server.login("admin@demo.local").await;
        assert_eq!(get(&api, "/api/admin/calendars/hours").await["version"], 0);
    }

    #[tokio::test]
    async fn the_admin_calendar_page_shows_the_years_changes_a_day_and_takes_an_upload() {
        let server = TestServer::start_at(at("2026-10-01T10:00:00+03:00")).await;
        let admin = log_in(&server, "admin@demo.local").await;
        let (status, home) = page(&admin, format!("{}/tickets", server.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            home.contains("href=\"/admin/calendars\""),
            "the admin's nav link"
        );

        let (status, year) =
            page(&admin, format!("{}/admin/calendars?year=2028", server.base)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(year.contains("Рабочий календарь платформы"));
        assert!(year.contains("предварительный"), "2028 has no decree yet");
        assert!(year.contains("Январь") && year.contains("Декабрь"));
        assert!(year.contains("day-non_working"));

        // One day made a working Saturday.
        let csrf = hidden(&year, "csrf");
        let version = hidden(&year, "version");
        let r = admin
            .post(format!("{}/admin/calendars/2028/days", server.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("date", "2028-02-20"),
                ("kind", "working_weekend"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let after = r.text().await.unwrap();
        assert!(after.contains("День изменён."), "{after}");
        assert!(
            after.contains("title=\"2028-02-20: Рабочий выходной день\""),
            "{after}"
        );
        assert!(
            after.contains("предварительный"),
            "a single day keeps the year provisional"
        );

        // A weekday cannot be a working weekend: the page says why.
        let version = hidden(&after, "version");
        let r = admin
            .post(format!("{}/admin/calendars/2028/days", server.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version.as_str()),
                ("date", "2028-02-22"),
                ("kind", "working_weekend"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("не суббота и не воскресенье")
        );

        // The decree's file, uploaded from the form.
        let xml = r#"<calendar year="2028"><days><day d="01.01" t="1"/><day d="01.08" t="1"/></days></calendar>"#;
        let boundary = "dealerdesk-test-boundary";
        let part = |name: &str, value: &str| {
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
        };
        let body = format!(
            "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"2028.xml\"\r\nContent-Type: application/xml\r\n\r\n{xml}\r\n--{boundary}--\r\n",
            part("csrf", &csrf),
            part("version", &version),
        );
        let r = admin
            .post(format!("{}/admin/calendars/2028/xml", server.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let uploaded = r.text().await.unwrap();
        assert!(
            uploaded.contains("Календарь года загружен из файла."),
            "{uploaded}"
        );
        assert!(
            !uploaded.contains("badge provisional"),
            "the uploaded year is confirmed: {uploaded}"
        );

        // A form without the session's CSRF token changes nothing.
        let r = admin
            .post(format!("{}/admin/calendars/2028/days", server.base))
            .form(&[
                ("csrf", "forged"),
                ("version", "2"),
                ("date", "2028-03-01"),
                ("kind", "non_working"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Everyone else: the 403 page, and no link.
        for email in [
            "dealer1@demo.local",
            "specialist@demo.local",
            "manager@demo.local",
        ] {
            let b = log_in(&server, email).await;
            let (status, body) = page(&b, format!("{}/admin/calendars", server.base)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
            assert!(!body.contains("href=\"/admin/calendars\""), "{email}");
            let r = b
                .post(format!("{}/admin/calendars/2027/days", server.base))
                .form(&[
                    ("csrf", "x"),
                    ("version", "0"),
                    ("date", "2027-03-01"),
                    ("kind", "non_working"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email}");
        }
    }
}
