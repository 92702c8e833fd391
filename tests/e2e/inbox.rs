//! The portal's notification inbox (issue 8): what the outbox delivers to people of the
//! platform lands in each recipient's inbox, counted in the header, read and marked by its
//! owner only.

use dealerdesk_app::inbox;
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_domain::{Audience, Notice};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::TestServer;
use dealerdesk_store::UserRepo;
use reqwest::StatusCode;
use serde_json::Value;

async fn inbox_of(api: &dealerdesk_e2e::server::Api) -> Value {
    let (status, body) = api.send("GET", "/api/notifications", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn a_ticket_move_lands_in_the_dealers_inbox_once_and_only_its_owner_marks_it_read() {
    let server = TestServer::start().await;
    let state = &server.state;
    let dealer = server.login("dealer1@demo.local").await;
    let other_dealer = server.login("dealer2@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let id = ticket["id"].as_str().unwrap();
    let (status, _) = specialist
        .act(&ticket, "ask_info", Some("Какой размер баннера?"))
        .await;
    assert_eq!(status, StatusCode::OK);

    let before = inbox_of(&dealer).await;
    assert_eq!(
        before["unread"], 0,
        "nothing lands before the outbox job runs"
    );
    let now = state.clock.now();
    jobs::run(state, Job::Outbox, now).await.unwrap();
    // A second run (or a retried notice) adds nothing.
    jobs::run(state, Job::Outbox, now).await.unwrap();

    let mine = inbox_of(&dealer).await;
    assert_eq!(mine["unread"], 1, "{mine}");
    let items = mine["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{mine}");
    let entry = &items[0];
    assert_eq!(entry["link"], format!("/tickets/{id}"));
    assert_eq!(entry["read"], false);
    let title = entry["title"].as_str().unwrap();
    assert!(title.contains("Запросить информацию"), "{title}");
    // The specialist team heard of the new ticket in their own inbox.
    let team = inbox_of(&specialist).await;
    assert!(
        team["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["link"] == format!("/tickets/{id}")),
        "{team}"
    );

    // The header shows the count on every page, for every role.
    let url = format!("{}/tickets", server.base);
    let (status, page) =
        browser::get(&browser::log_in(&server, "dealer1@demo.local").await, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/notifications\""), "{page}");
    assert!(page.contains("<span class=\"badge unread-count\" title=\"Непрочитанные\">1</span>"));
    for who in [
        "brand@demo.local",
        "rep@demo.local",
        "accountant1@demo.local",
        "admin@demo.local",
    ] {
        let (_, page) = browser::get(
            &browser::log_in(&server, who).await,
            &format!("{}/notifications", server.base),
        )
        .await;
        assert!(page.contains("<h1>Уведомления</h1>"), "{who}: {page}");
        assert!(page.contains("href=\"/notifications\""), "{who}");
    }

    // Another user can neither see nor mark it: it is a 404, as one that does not exist.
    let entry_id = entry["id"].as_str().unwrap();
    let theirs = inbox_of(&other_dealer).await;
    assert!(
        !theirs.to_string().contains(entry_id),
        "another dealer's inbox does not hold it: {theirs}"
    );
    let path = format!("/api/notifications/{entry_id}/read");
    let (status, body) = other_dealer.send("POST", &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(inbox_of(&dealer).await["unread"], 1, "still unread");
    let (status, _) = server.anonymous().send("POST", &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = dealer
        .send("POST", "/api/notifications/not-an-id/read", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Its owner marks it read: the count goes down once, however often it is marked.
    let (status, read) = dealer.send("POST", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["read"], true);
    let (status, _) = dealer.send("POST", &path, None).await;
    assert_eq!(status, StatusCode::OK);
    let after = inbox_of(&dealer).await;
    assert_eq!(after["unread"], 0, "{after}");
    assert_eq!(after["items"][0]["read"], true);
}

#[tokio::test]
async fn delivering_a_notice_twice_stores_and_counts_it_once_and_read_all_clears_the_count() {
    let server = TestServer::start().await;
    let state = &server.state;
    let dealer = server.login("dealer1@demo.local").await;
    let user = state
        .store
        .user_by_email("dealer1@demo.local")
        .await
        .unwrap()
        .unwrap();
    let at = state.clock.now();
    let notices: Vec<Notice> = (0..3)
        .map(|i| {
            Notice::new(
                format!("wish:01TESTWISH:v{i}"),
                "wish_status",
                Audience::User {
                    user_id: user.id.clone(),
                },
                at + chrono::Duration::seconds(i),
            )
            .with("wish_id", "01JQ0000000000000000000000")
            .with("title", format!("Фильтр {i}"))
            .with("status_label", "На рассмотрении")
        })
        .collect();
    for notice in &notices {
        for _ in 0..2 {
            inbox::deliver(state, notice, std::slice::from_ref(&user.id))
                .await
                .unwrap()
                .unwrap();
        }
    }
    let all = inbox_of(&dealer).await;
    assert_eq!(all["unread"], 3, "{all}");
    let titles: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Пожелание «Фильтр 2»: На рассмотрении",
            "Пожелание «Фильтр 1»: На рассмотрении",
            "Пожелание «Фильтр 0»: На рассмотрении",
        ],
        "newest first"
    );
    assert_eq!(
        all["items"][0]["link"],
        "/wishes/01JQ0000000000000000000000"
    );

    // Paging: two, then the rest.
    let (_, first) = dealer.send("GET", "/api/notifications?limit=2", None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let (_, rest) = dealer
        .send(
            "GET",
            &format!("/api/notifications?limit=2&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["title"], titles[2]);
    assert!(rest["next_cursor"].is_null());
    let (status, _) = dealer
        .send("GET", "/api/notifications?cursor=zz", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Another user's «прочитать все» touches only their own inbox.
    let other = server.login("dealer2@demo.local").await;
    let (status, body) = other
        .send("POST", "/api/notifications/read-all", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["marked"], 0);
    assert_eq!(inbox_of(&dealer).await["unread"], 3);

    let (status, body) = dealer
        .send("POST", "/api/notifications/read-all", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["marked"].as_u64(), body["unread"].as_u64()),
        (Some(3), Some(0))
    );
    let all = inbox_of(&dealer).await;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["read"] == true)
    );
}

#[tokio::test]
async fn the_inbox_page_opens_a_notification_and_marks_it_read() {
    let server = TestServer::start().await;
    let state = &server.state;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Форма обратной связи").await;
    let id = ticket["id"].as_str().unwrap();
    let (status, _) = specialist
        .act(&ticket, "ask_info", Some("Куда слать письма?"))
        .await;
    assert_eq!(status, StatusCode::OK);
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();

    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, page) = browser::get(&b, &format!("{}/notifications", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Запросить информацию"), "{page}");
    assert!(page.contains("Отметить все прочитанными"));
    // The link to the ticket (minijinja escapes the slashes in attributes).
    assert!(
        page.contains(&format!("href=\"&#x2f;tickets&#x2f;{id}\"")),
        "{page}"
    );
    let entry = inbox_of(&dealer).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let csrf = browser::hidden(&page, "csrf");
    let (status, path, card) = browser::post(
        &b,
        &format!("{}/notifications/{entry}/read", server.base),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(path, format!("/tickets/{id}"), "«Открыть» follows the link");
    assert!(!card.contains("unread-count"), "the header's count is gone");
    assert_eq!(inbox_of(&dealer).await["unread"], 0);

    // Without the form's token nothing is marked.
    let (status, _, _) = browser::post(
        &b,
        &format!("{}/notifications/read-all", server.base),
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
