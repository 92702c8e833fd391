//! The quarterly survey (SPEC §2.9), end to end: the job invites every dealer at the
//! quarter's start, once; a dealer answers and changes the answer until the quarter ends; a
//! score of 2 raises the account manager's follow-up task, closed with a note; the results
//! and the trend for account managers and admins.

use chrono::{DateTime, TimeZone, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::TestServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Tuesday 1 October 2030, 09:00 Moscow time: the fourth quarter's first morning — years
/// away from the demo data's answers, which are the quarters before the real date.
fn quarter_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 10, 1, 6, 0, 0).unwrap()
}

fn scores(a: u8, b: u8, c: u8, comment: &str) -> Value {
    json!({"ticket_handling": a, "cso_updates": b, "support_overall": c, "comment": comment})
}

/// The tasks of 2030-Q4 (the demo data has tasks of its own).
fn of_q4(tasks: &Value) -> Vec<Value> {
    tasks["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|t| t["quarter"] == "2030-Q4")
        .cloned()
        .collect()
}

#[tokio::test]
async fn every_dealer_is_invited_at_the_quarters_start_once() {
    let server = TestServer::start_at(quarter_start()).await;
    let now = server.state.clock.now();
    let report = jobs::run(&server.state, Job::QuarterlySurvey, now)
        .await
        .unwrap();
    assert_eq!(report.done, 4, "the four demo dealers");
    let again = jobs::run(&server.state, Job::QuarterlySurvey, now)
        .await
        .unwrap();
    assert_eq!(again.done, 0, "a second run invites nobody twice");
    jobs::run(&server.state, Job::Outbox, now).await.unwrap();
    let mail = read_mailbox(server.state.mailer.mailbox().expect("local mailbox"));
    let invitation = mail
        .iter()
        .find(|m| {
            m.email.to.iter().any(|t| t == "dealer1@demo.local") && m.key.contains("dealer-survey")
        })
        .expect("dealer 1 invited");
    assert!(
        invitation.email.subject.contains("IV квартал 2030 г."),
        "{}",
        invitation.email.subject
    );
    assert!(invitation.email.text.contains("/surveys/2030-Q4"));
    // The accountant is not asked: the dealer's staff answer.
    assert!(!mail.iter().any(|m| m.key.contains("dealer-survey")
        && m.email.to.iter().any(|t| t == "accountant1@demo.local")));
    // Mid-quarter the job invites nobody.
    let later = Utc.with_ymd_and_hms(2030, 11, 20, 6, 0, 0).unwrap();
    let report = jobs::run(&server.state, Job::QuarterlySurvey, later)
        .await
        .unwrap();
    assert_eq!(report.done, 0);
}

#[tokio::test]
async fn a_dealer_answers_once_a_quarter_and_changes_it_until_the_quarter_ends() {
    let server = TestServer::start_at(quarter_start()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, survey) = dealer.send("GET", "/api/surveys/2030-Q4", None).await;
    assert_eq!(status, StatusCode::OK, "{survey}");
    assert_eq!(survey["state"], "open");
    assert!(survey["answer"].is_null());
    let (status, saved) = dealer
        .send(
            "PUT",
            "/api/surveys/2030-Q4",
            Some(scores(5, 4, 5, "Всё хорошо")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["answer"]["version"], 1);
    let (_, changed) = dealer
        .send("PUT", "/api/surveys/2030-Q4", Some(scores(4, 4, 5, "")))
        .await;
    assert_eq!(changed["answer"]["version"], 2);
    assert_eq!(changed["answer"]["ticket_handling"], 4);
    assert!(changed["answer"]["comment"].is_null());
    // One answer per dealer and quarter.
    let admin = server.login("admin@demo.local").await;
    let (_, results) = admin
        .send("GET", "/api/surveys/results?quarter=2030-Q4", None)
        .await;
    assert_eq!(results["answers"].as_array().unwrap().len(), 1, "{results}");
    // Scores are 1–5, each named.
    let (status, body) = dealer
        .send(
            "PUT",
            "/api/surveys/2030-Q4",
            Some(json!({"ticket_handling": 0, "cso_updates": 6})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"].as_array().unwrap().len(), 3);
    // The next quarter is not open yet, and a malformed quarter is no page.
    let (status, body) = dealer
        .send("PUT", "/api/surveys/2031-Q1", Some(scores(5, 5, 5, "")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = dealer.send("GET", "/api/surveys/2026-Q9", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // After the quarter (1 January, 00:00 Moscow) the answer stands.
    server
        .state
        .clock
        .set(Utc.with_ymd_and_hms(2030, 12, 31, 21, 0, 0).unwrap());
    let dealer = server.login("dealer1@demo.local").await;
    let (status, body) = dealer
        .send("PUT", "/api/surveys/2030-Q4", Some(scores(1, 1, 1, "")))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "survey_closed");
    let (_, survey) = dealer.send("GET", "/api/surveys/2030-Q4", None).await;
    assert_eq!(survey["state"], "closed");
    assert_eq!(survey["answer"]["ticket_handling"], 4);
}

#[tokio::test]
async fn a_score_of_two_creates_the_account_managers_follow_up_task() {
    let server = TestServer::start_at(quarter_start()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, body) = dealer
        .send(
            "PUT",
            "/api/surveys/2030-Q4",
            Some(scores(2, 4, 4, "Обращения висят неделями")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let manager = server.login("manager@demo.local").await;
    let (status, tasks) = manager.send("GET", "/api/survey-tasks", None).await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    let items = of_q4(&tasks);
    assert_eq!(items.len(), 1, "{tasks}");
    let task = &items[0];
    assert_eq!(task["dealer_name"], "Автоцентр Север");
    assert_eq!(task["status"], "open");
    assert_eq!(task["low"][0]["code"], "ticket_handling");
    assert_eq!(task["comment"], "Обращения висят неделями");
    // The account manager hears of it.
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    let mail = read_mailbox(server.state.mailer.mailbox().expect("local mailbox"));
    assert!(mail.iter().any(|m| m.key.starts_with("survey-task:")
        && m.email.to.iter().any(|t| t == "manager@demo.local")
        && m.email.text.contains("Работа с обращениями")));
    // Changing the low answer raises no second task.
    dealer
        .send("PUT", "/api/surveys/2030-Q4", Some(scores(1, 4, 4, "")))
        .await;
    let (_, tasks) = manager.send("GET", "/api/survey-tasks", None).await;
    assert_eq!(of_q4(&tasks).len(), 1);
    // Closing needs a note; closed once.
    let id = task["id"].as_str().unwrap();
    let close = format!("/api/survey-tasks/{id}/close");
    let (status, body) = manager
        .send("POST", &close, Some(json!({"note": " "})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, closed) = manager
        .send(
            "POST",
            &close,
            Some(json!({"note": "Созвонились, ускорили разбор"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["note"], "Созвонились, ускорили разбор");
    let (status, body) = manager
        .send("POST", &close, Some(json!({"note": "Ещё раз"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A good answer raises none; dealer 3 has no account manager the manager sees.
    let dealer3 = server.login("dealer3@demo.local").await;
    dealer3
        .send("PUT", "/api/surveys/2030-Q4", Some(scores(1, 1, 1, "")))
        .await;
    let (_, tasks) = manager.send("GET", "/api/survey-tasks", None).await;
    assert_eq!(of_q4(&tasks).len(), 1, "not dealer 3's");
    let admin = server.login("admin@demo.local").await;
    let (_, tasks) = admin.send("GET", "/api/survey-tasks", None).await;
    let items = of_q4(&tasks);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["status"], "open", "open first");
    assert_eq!(items[0]["dealer_name"], "Автоцентр Урал");
    let foreign = items[0]["id"].as_str().unwrap();
    let (status, _) = manager
        .send(
            "POST",
            &format!("/api/survey-tasks/{foreign}/close"),
            Some(json!({"note": "Не мой"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn results_show_each_quarters_averages_for_account_managers_and_admins() {
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2030, 8, 10, 9, 0, 0).unwrap()).await;
    let dealer1 = server.login("dealer1@demo.local").await;
    dealer1
        .send("PUT", "/api/surveys/2030-Q3", Some(scores(3, 3, 3, "")))
        .await;
    server
        .state
        .clock
        .set(Utc.with_ymd_and_hms(2030, 10, 1, 6, 0, 0).unwrap());
    // Sessions last hours: log in again in the new quarter.
    let dealer1 = server.login("dealer1@demo.local").await;
    let dealer2 = server.login("dealer2@demo.local").await;
    dealer1
        .send("PUT", "/api/surveys/2030-Q4", Some(scores(5, 4, 3, "")))
        .await;
    dealer2
        .send("PUT", "/api/surveys/2030-Q4", Some(scores(4, 4, 5, "")))
        .await;
    let manager = server.login("manager@demo.local").await;
    let (status, results) = manager.send("GET", "/api/surveys/results", None).await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results["quarter"], "2030-Q4");
    let trend = results["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 8);
    let q4 = trend.last().unwrap();
    assert_eq!(q4["answers"], 2);
    assert_eq!(q4["averages"][0]["average"], 4.5);
    assert_eq!(q4["averages"][2]["average"], 4.0);
    let q3 = &trend[6];
    assert_eq!(
        (q3["quarter"].as_str(), q3["answers"].as_u64()),
        (Some("2030-Q3"), Some(1))
    );
    assert!(trend[0]["averages"][0]["average"].is_null());
    // The dealer and the specialist see no results.
    for who in ["dealer1@demo.local", "specialist@demo.local"] {
        let api = server.login(who).await;
        let (status, _) = api.send("GET", "/api/surveys/results", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    // The demo data's answers of the three quarters before its seeding (2030-Q3), and
    // its low one, are there too.
    let (_, demo) = manager
        .send("GET", "/api/surveys/results?quarter=2030-Q2", None)
        .await;
    let demo_answers: u64 = demo["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["answers"].as_u64().unwrap())
        .sum();
    assert!(demo_answers >= 9, "{demo}");
    // The page draws the trend as an SVG chart, without script.
    let b = browser::log_in(&server, "admin@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/surveys/results", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<svg") && page.contains("<polyline"),
        "{page}"
    );
    assert!(page.contains("Автоцентр Юг"));
    assert!(!page.contains("<script"));
}

#[tokio::test]
async fn the_dealer_answers_through_the_portal_form() {
    let server = TestServer::start_at(quarter_start()).await;
    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let url = format!("{}/surveys/2030-Q4", server.base);
    let (status, page) = browser::get(&b, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Квартальный опрос — IV квартал 2030 г."),
        "{page}"
    );
    let csrf = browser::hidden(&page, "csrf");
    let (status, _, page) = browser::post(
        &b,
        &url,
        &[
            ("csrf", &csrf),
            ("ticket_handling", "5"),
            ("comment", "Спасибо"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Оцените «Обновления ЦСО» от 1 до 5."),
        "{page}"
    );
    let (status, path, page) = browser::post(
        &b,
        &url,
        &[
            ("csrf", &csrf),
            ("ticket_handling", "5"),
            ("cso_updates", "2"),
            ("support_overall", "4"),
            ("comment", "Обновления ЦСО ломают сайт"),
        ],
    )
    .await;
    assert_eq!(
        (status, path.as_str()),
        (StatusCode::OK, "/surveys/2030-Q4")
    );
    assert!(page.contains("Ответ сохранён"), "{page}");
    assert!(page.contains("Изменить ответ"));
    let manager = browser::log_in(&server, "manager@demo.local").await;
    let (status, page) = browser::get(&manager, &format!("{}/surveys/tasks", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Обновления ЦСО ломают сайт"), "{page}");
    let csrf = browser::hidden(&page, "csrf");
    let start = page.find("/surveys/tasks/").unwrap();
    let action: String = page[start..].chars().take_while(|c| *c != '"').collect();
    let (status, path, page) = browser::post(
        &manager,
        &format!("{}{action}", server.base),
        &[("csrf", &csrf), ("note", "Исправили обновление")],
    )
    .await;
    assert_eq!((status, path.as_str()), (StatusCode::OK, "/surveys/tasks"));
    assert!(page.contains("Закрыта") && page.contains("Исправили обновление"));
}
