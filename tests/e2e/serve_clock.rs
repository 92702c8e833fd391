//! DEALERDESK_CLOCK acceptance: the real `dealerdesk serve` binary, its clock started on a
//! Friday evening before a holiday, a ticket filed through the real API.

use chrono::{DateTime, Duration, Utc};
use dealerdesk_e2e::server::{ServeProcess, free_port};
use reqwest::StatusCode;
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_high_ticket_filed_on_friday_evening_before_victory_day_is_due_on_tuesday() {
    // Friday 08.05.2026 is a shortened pre-holiday day (closes 17:00 MSK); Saturday 09.05 is
    // Victory Day, Sunday is off, Monday 11.05 is the day off moved from it. A high ticket
    // filed at 16:30 MSK has 30 minutes on Friday and 2 h 30 on Tuesday 12.05: 11:30 MSK.
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().to_string_lossy().to_string();
    let port = free_port();
    let server = ServeProcess::start(
        &[
            "--port",
            &port.to_string(),
            "--data-dir",
            &data_arg,
            "--scheduler-seconds",
            "0",
        ],
        &[("DEALERDESK_CLOCK", "2026-05-08T16:30:00+03:00")],
        port,
    )
    .await;
    let dealer = server.login("dealer1@demo.local").await;
    let high = dealer.file_ticket("Баннер ко Дню Победы").await;
    let created = at(high["created_at"].as_str().expect("created_at"));
    // The clock started at 16:30 MSK and ran on while the server started.
    assert!(created >= at("2026-05-08T16:30:00+03:00"), "{created}");
    assert!(created < at("2026-05-08T16:40:00+03:00"), "{created}");
    // Whatever seconds it took: what was left of Friday, then the rest from Tuesday 09:00.
    let friday_close = at("2026-05-08T17:00:00+03:00");
    let due = at("2026-05-12T09:00:00+03:00") + (Duration::hours(3) - (friday_close - created));
    assert_eq!(
        high["sla_due_at"],
        due.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "{high}"
    );
    assert!(
        high["sla_due_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-05-12T08:"),
        "Tuesday, 11:xx MSK"
    );
    assert_eq!(high["sla_paused"], false);
    assert_eq!(high["sla_breached"], false);

    // A low ticket: three working days at the same time of day — Tue 12, Wed 13, Thu 14.05.
    let (status, low) = dealer
        .send(
            "POST",
            "/api/tickets",
            Some(json!({"title": "Новость о сервисе", "text": "Разместить новость", "category": "individual_news", "criticality": "low", "billing": "paid"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{low}");
    let filed = at(low["created_at"].as_str().unwrap());
    let due = at(low["sla_due_at"].as_str().unwrap());
    assert_eq!(due - filed, Duration::days(6), "{low}");

    // The server seeded the official calendars into its store on start.
    let admin = server.login("admin@demo.local").await;
    let (status, year) = admin.send("GET", "/api/admin/calendars/2026", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(year["source"], "official");
    assert_eq!(year["version"], 1);
    assert_eq!(year["days"]["2026-05-11"], "non_working");
    server.stop().await;
}
