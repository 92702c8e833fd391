//! DynamoDB round trips per request (issue #12), counted exactly by the store's SDK
//! interceptor (`Store::round_trips`) through the real HTTP stack. On a warm instance — the
//! caller's session and the working calendar read once already, as on a Lambda serving
//! its users' clicks — a ticket's move costs at most one read and one write, filing one a
//! single write (its number taken in its transaction; the goal is at most two), no ticket
//! request more than three calls, a lead through the webhook at most four. Counts, not times: they hold on any machine.

use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The store calls one request made, with its answer.
async fn calls<F, Fut>(server: &TestServer, request: F) -> (u64, StatusCode, Value)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = (StatusCode, Value)>,
{
    let before = server.state.store.round_trips();
    let (status, body) = request().await;
    (server.state.store.round_trips() - before, status, body)
}

/// A server with a dealer and a specialist logged in, each of them having made a request
/// and a ticket filed (the calendar read), as on an instance that has been serving them.
async fn warm() -> (TestServer, Api, Api, Value) {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Прогрев").await;
    specialist.send("GET", "/api/tickets?limit=5", None).await;
    (server, dealer, specialist, ticket)
}

fn new_ticket() -> Value {
    json!({
        "title": "Новость об акции",
        "text": "Разместите, пожалуйста, новость об акции на главной странице.",
        "category": "individual_news",
        "criticality": "high",
        "billing": "paid",
    })
}

#[tokio::test]
async fn a_warm_dealer_files_a_ticket_in_one_write_and_reads_its_card_in_three_calls() {
    let (server, dealer, _, _) = warm().await;
    let (n, status, ticket) = calls(&server, || {
        dealer.send("POST", "/api/tickets", Some(new_ticket()))
    })
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    // One transaction of ticket, number, history, notices and audit entry: the instance
    // knows the number counter from its last create, and the session and the calendar come
    // from its copies.
    assert_eq!(n, 1, "filing a ticket took {n} store calls");

    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());
    let (n, status, card) = calls(&server, || dealer.send("GET", &path, None)).await;
    assert_eq!(status, StatusCode::OK, "{card}");
    assert_eq!(card["id"], ticket["id"]);
    assert!(n <= 3, "the card took {n} store calls");

    let (n, status, list) = calls(&server, || {
        dealer.send("GET", "/api/tickets?limit=50", None)
    })
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(n <= 3, "the dealer's list took {n} store calls");
}

#[tokio::test]
async fn a_move_is_one_read_and_one_write_and_the_specialists_queue_at_most_three_calls() {
    let (server, _, specialist, ticket) = warm().await;
    let (n, status, moved) = calls(&server, || {
        specialist.act(
            &ticket,
            "ask_info",
            Some("Уточните, пожалуйста, сроки акции."),
        )
    })
    .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["status"], "need_info");
    // The ticket's read and the one transaction (ticket, history, notices, audit entry
    // with the old values taken from that read).
    assert!(n <= 2, "a move took {n} store calls");

    for path in ["/api/tickets?limit=50", "/api/tickets?view=queue"] {
        let (n, status, body) = calls(&server, || specialist.send("GET", path, None)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(n <= 3, "{path} took {n} store calls");
    }
}

#[tokio::test]
async fn comments_and_logged_time_on_a_ticket_take_at_most_three_calls() {
    let (server, dealer, specialist, ticket) = warm().await;
    let id = ticket["id"].as_str().unwrap();
    let comments = format!("/api/tickets/{id}/comments");
    let (n, status, body) = calls(&server, || {
        dealer.send(
            "POST",
            &comments,
            Some(json!({"text": "Добавлю фото позже."})),
        )
    })
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(n <= 3, "a comment took {n} store calls");

    let (_, taken) = specialist.act(&ticket, "take", None).await;
    let entries = format!("/api/tickets/{id}/time-entries");
    let entry = json!({"minutes": 30, "note": "Вёрстка", "version": taken["version"]});
    let (n, status, body) = calls(&server, || {
        specialist.send("POST", &entries, Some(entry.clone()))
    })
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(n <= 3, "logging time took {n} store calls");
}

#[tokio::test]
async fn a_logout_ends_the_session_at_once_on_the_instance_that_made_it() {
    let (_server, dealer, _, ticket) = warm().await;
    let path = format!("/api/tickets/{}", ticket["id"].as_str().unwrap());
    assert_eq!(dealer.send("GET", &path, None).await.0, StatusCode::OK);
    // The session is this instance's copy now; the logout drops it with the stored one.
    let (status, _) = dealer.send("DELETE", "/api/session", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = dealer.send("GET", &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

/// A post of a site's server to the lead webhook (`demo-site-1`: dealer-1's site).
async fn site_post(server: &TestServer, body: &Value, key: Option<&str>) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}/api/leads", server.base))
        .header("x-site-key", "demo-site-1")
        .json(body);
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    let resp = req.send().await.expect("the server answers");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn lead_body(name: &str, phone: &str) -> Value {
    json!({
        "type": "test_drive",
        "name": name,
        "phone": phone,
        "email": format!("{phone}@example.ru").replace([' ', '+'], ""),
        "city": "Москва",
        "consent": true,
    })
}

async fn dealer1_leads(server: &TestServer) -> usize {
    use dealerdesk_store::{LeadListing, LeadRepo, PageRequest};
    let page = PageRequest {
        limit: 100,
        cursor: None,
    };
    let listing = LeadListing::Dealer(dealerdesk_domain::DealerId::new("dealer-1"));
    let leads = server.state.store.leads(&listing, None, &page).await;
    leads.expect("the dealer's leads").items.len()
}

#[tokio::test]
async fn a_warm_webhook_takes_a_new_lead_in_four_calls_and_its_retry_creates_nothing() {
    let server = TestServer::start().await;
    // The instance has taken a post of this site: the site, its dealer, the network's
    // routing rules, the dealer's hours and the calendar are its copies now.
    let (status, warm) = site_post(&server, &lead_body("Прогрев", "+7 912 000 00 01"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{warm}");

    // A new customer: the post's counter, one BatchGetItem of its idempotency record and
    // identity claims, the one transaction.
    let body = lead_body("Иван", "+7 912 345 67 89");
    let (n, status, lead) = calls(&server, || site_post(&server, &body, Some("order-1"))).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    eprintln!("a new lead through the webhook: {n} store calls");
    assert!(
        n <= 4,
        "a new lead through the webhook took {n} store calls"
    );
    let leads = dealer1_leads(&server).await;

    // Its retry is answered with the first lead and writes nothing.
    let (n, status, again) = calls(&server, || site_post(&server, &body, Some("order-1"))).await;
    assert_eq!((status, &again["id"]), (StatusCode::CREATED, &lead["id"]));
    eprintln!("a retried post: {n} store calls");
    assert!(n <= 4, "a retried post took {n} store calls");
    assert_eq!(dealer1_leads(&server).await, leads, "the retry made a lead");

    // The same key with another body is still refused.
    let other = lead_body("Пётр", "+7 912 345 67 80");
    let (status, refused) = site_post(&server, &other, Some("order-1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");

    // A returning customer adds the read of the profile it joins.
    let returning = json!({"type": "callback", "name": "Иван", "phone": "+7 912 345 67 89",
        "consent": true});
    let (n, status, second) = calls(&server, || site_post(&server, &returning, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["customer_id"], lead["customer_id"]);
    eprintln!("a returning customer's lead: {n} store calls");
    assert!(n <= 4, "a returning customer's lead took {n} store calls");
}

#[tokio::test]
async fn a_lead_card_action_is_one_read_and_one_write_and_the_counters_stay_exact() {
    let server = TestServer::start().await;
    let (status, lead) = site_post(&server, &lead_body("Анна", "+7 912 111 22 33"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let dealer = server.login("dealer1@demo.local").await;
    let path = format!("/api/leads/{}", lead["id"].as_str().unwrap());
    // The dealer has opened the card: its session and the dealer's hours are copies now.
    let (status, card) = dealer.send("GET", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{card}");

    let contact = json!({"outcome": "yes", "version": card["lead"]["version"]});
    let contact_path = format!("{path}/contact");
    let (n, status, called) = calls(&server, || {
        dealer.send("POST", &contact_path, Some(contact.clone()))
    })
    .await;
    eprintln!("a lead's contact: {n} store calls");
    assert_eq!(status, StatusCode::OK, "{called}");
    // The lead with its history (what it counts included) and the one transaction of
    // lead, copy, history, audit entry and the counters' change; the answer's card names
    // the people of its history (one read per person, here the dealer's user).
    assert!(n <= 3, "a lead's contact took {n} store calls");

    // The counters moved by exactly the change: one lead received, now processed.
    use dealerdesk_store::LeadStatsRepo;
    let today = dealerdesk_domain::lead::report_day(server.state.clock.now());
    let rows = server
        .state
        .store
        .lead_counts(
            today,
            today,
            &None,
            dealerdesk_store::LeadCounterSet::Totals,
        )
        .await
        .expect("the counters");
    let mine: Vec<_> = rows
        .iter()
        .filter(|r| r.dealer.as_str() == "dealer-1")
        .collect();
    assert_eq!(mine.len(), 1, "{rows:?}");
    let counts = &mine[0].counts.0;
    assert_eq!(counts.get("processed"), Some(&1), "{counts:?}");
    assert_eq!(
        counts
            .iter()
            .filter(|(k, _)| k.starts_with("recv:"))
            .map(|(_, v)| v)
            .sum::<i64>(),
        1,
        "{counts:?}"
    );
}
