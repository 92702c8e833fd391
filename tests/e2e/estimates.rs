//! The cost estimate banner of SPEC §2.5 («Примерная оценка стоимости») end to end: it opens
//! the ticket card with the rules' hint, it is never shown from fewer than three similar
//! tickets (the similar work is every dealer's, so one dealer's price must not reach another),
//! `GET /api/estimates` gives the same banner before a ticket exists, and the new-ticket form
//! shows each criticality with its reaction time and rate.

use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DEALER: &str = "dealer1@demo.local";
const OTHER_DEALER: &str = "dealer2@demo.local";
const SPECIALIST: &str = "specialist@demo.local";

const BANNER: &str = "Примерная оценка стоимости";
const HINT: &str =
    "Вы всегда можете уточнить в сообщении тикета, будет ли работа платной или бесплатной.";

/// What the dealer is about to ask for.
const TITLE: &str = "Новость о летней акции";
const TEXT: &str = "Разместите новость о летней акции на главной";

/// Finished news placements like it: title, text, minutes (590, 1170 and 1750 ₽ at high).
const SIMILAR: [(&str, &str, u32); 3] = [
    (
        "Новость о летней акции",
        "Разместите новость о летней акции на главной",
        10,
    ),
    (
        "Новость об акции на шины",
        "Разместите новость об акции на шины на главной",
        20,
    ),
    (
        "Новость о летней распродаже",
        "Разместите новость о летней распродаже на главной",
        30,
    ),
];

fn id(t: &Value) -> &str {
    t["id"].as_str().expect("ticket id")
}

/// Files a high-criticality news placement (paid) and asserts 201.
async fn file(api: &Api, title: &str, text: &str) -> Value {
    let body =
        json!({"title": title, "text": text, "category": "individual_news", "criticality": "high"});
    let (status, t) = api.send("POST", "/api/tickets", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t
}

async fn act(api: &Api, t: &Value, action: &str) -> Value {
    let (status, moved) = api.act(t, action, None).await;
    assert_eq!(status, StatusCode::OK, "{action}: {moved}");
    moved
}

/// Filed by `dealer`, taken, `minutes` logged, sent for review and accepted: similar work.
async fn finished(dealer: &Api, specialist: &Api, (title, text, minutes): (&str, &str, u32)) {
    let t = file(dealer, title, text).await;
    let t = act(specialist, &t, "take").await;
    let (status, t) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{}/time-entries", id(&t)),
            Some(json!({"minutes": minutes, "note": "Разместили", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let t = act(specialist, &t, "send_for_review").await;
    let done = act(dealer, &t, "accept").await;
    assert_eq!(done["status"], "resolved");
}

/// `GET /api/estimates` for `params`.
async fn estimates(api: &Api, params: &[(&str, &str)]) -> (StatusCode, Value) {
    let query = serde_urlencoded::to_string(params).expect("query");
    api.send("GET", &format!("/api/estimates?{query}"), None)
        .await
}

/// The draft of [`TITLE`] / [`TEXT`] as the new-ticket form would ask for it.
fn draft() -> Vec<(&'static str, &'static str)> {
    vec![
        ("category", "individual_news"),
        ("criticality", "high"),
        ("title", TITLE),
        ("text", TEXT),
    ]
}

/// The new-ticket form after its «Примерная стоимость» button, with `fields` typed in.
async fn form_estimate(
    server: &TestServer,
    b: &reqwest::Client,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (status, form) = get(b, &format!("{}/tickets/new", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    let (csrf, form_id) = (hidden(&form, "csrf"), hidden(&form, "form_id"));
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("form_id", &form_id)];
    form.extend_from_slice(fields);
    let (status, _, page) = post(b, &format!("{}/tickets/new/estimate", server.base), &form).await;
    (status, page)
}

/// The banner as every face shows it to `dealer` for their ticket `mine` and for the same
/// work not filed yet: the ticket's estimate and `GET /api/estimates` (JSON, or `None` on
/// 204), the ticket card and the new-ticket form (the page). The four must agree.
async fn banner_everywhere(
    server: &TestServer,
    dealer: &Api,
    browser: &reqwest::Client,
    mine: &Value,
) -> (Option<Value>, String, String) {
    let (status, of_ticket) = dealer
        .send("GET", &format!("/api/tickets/{}/estimate", id(mine)), None)
        .await;
    let of_ticket = match status {
        StatusCode::OK => Some(of_ticket),
        StatusCode::NO_CONTENT => None,
        other => panic!("ticket estimate: {other} {of_ticket}"),
    };
    let (status, of_draft) = estimates(dealer, &draft()).await;
    let of_draft = match status {
        StatusCode::OK => Some(of_draft),
        StatusCode::NO_CONTENT => None,
        other => panic!("GET /api/estimates: {other} {of_draft}"),
    };
    assert_eq!(
        of_ticket, of_draft,
        "the same banner before and after filing"
    );
    let (status, card) = get(browser, &format!("{}/tickets/{}", server.base, id(mine))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, form) = form_estimate(server, browser, &draft()).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    for page in [&card, &form] {
        assert_eq!(page.contains(BANNER), of_ticket.is_some(), "{page}");
        assert_eq!(page.contains(HINT), of_ticket.is_some(), "{page}");
    }
    (of_ticket, card, form)
}

#[tokio::test]
async fn one_or_two_similar_tickets_of_another_dealer_show_no_banner_three_do() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let other = server.login(OTHER_DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    let browser = log_in(&server, DEALER).await;
    let mine = file(&dealer, TITLE, TEXT).await;

    let (nothing, card, form) = banner_everywhere(&server, &dealer, &browser, &mine).await;
    assert_eq!(nothing, None);
    for page in [&card, &form] {
        assert!(
            !page.contains("Похожих платных работ"),
            "no banner means nothing at all, not a «nothing found» note: {page}"
        );
    }

    // Another dealer's work: one ticket, then two, would show their exact prices.
    for (n, work) in SIMILAR.into_iter().enumerate().take(2) {
        finished(&other, &specialist, work).await;
        let (estimate, card, form) = banner_everywhere(&server, &dealer, &browser, &mine).await;
        assert_eq!(estimate, None, "{} similar ticket(s) give no banner", n + 1);
        for page in [&card, &form] {
            assert!(!page.contains("590\u{a0}₽"), "{page}");
            assert!(!page.contains("Похожих платных работ"), "{page}");
        }
    }

    // The third: a median over three, the range and the count.
    finished(&other, &specialist, SIMILAR[2]).await;
    let (estimate, card, form) = banner_everywhere(&server, &dealer, &browser, &mine).await;
    assert_eq!(
        estimate,
        Some(
            json!({"median": "1170", "low": "590", "high": "1750", "count": 3, "period_days": 90})
        )
    );
    for page in [&card, &form] {
        assert!(
            page.contains("1\u{a0}170\u{a0}₽") && page.contains("по 3 похожим"),
            "{page}"
        );
        assert!(page.contains("за последние 90 дней"), "{page}");
    }

    // The period is 90 days: 91 days on (logged in again), the work no longer counts and the
    // banner is gone.
    server
        .state
        .clock
        .set(server.state.clock.now() + chrono::Duration::days(91));
    let dealer = server.login(DEALER).await;
    let browser = log_in(&server, DEALER).await;
    let (estimate, _, _) = banner_everywhere(&server, &dealer, &browser, &mine).await;
    assert_eq!(estimate, None);
}

#[tokio::test]
async fn the_banner_opens_the_ticket_card_with_the_hint_not_the_cost_block() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    for work in SIMILAR {
        finished(&dealer, &specialist, work).await;
    }
    let mine = file(&dealer, TITLE, TEXT).await;
    let browser = log_in(&server, DEALER).await;
    let (estimate, card, _) = banner_everywhere(&server, &dealer, &browser, &mine).await;
    assert!(estimate.is_some());

    let at = |needle: &str| {
        card.find(needle)
            .unwrap_or_else(|| panic!("{needle} not on the card:\n{card}"))
    };
    let banner = at(BANNER);
    // Before the ticket's own heading, its facts and every block of the card.
    assert!(banner < at("<h1>"), "the banner opens the ticket");
    assert!(banner < at("Состояние заявки"));
    let cost_block = at("id=\"cost\"");
    assert!(banner < cost_block);
    assert!(
        !card[cost_block..].contains(BANNER),
        "not inside the cost block"
    );
    assert_eq!(card.matches(BANNER).count(), 1, "shown once");
    // The hint is part of the banner.
    let hint = at(HINT);
    assert!(banner < hint && hint < at("<h1>"), "{card}");
    assert!(card[banner..hint].contains("информационная"));
}

#[tokio::test]
async fn get_api_estimates_answers_before_a_ticket_exists_and_refuses_bad_input() {
    let server = TestServer::start().await;
    let dealer = server.login(DEALER).await;
    let specialist = server.login(SPECIALIST).await;
    for work in SIMILAR {
        finished(&dealer, &specialist, work).await;
    }
    let (status, e) = estimates(&dealer, &draft()).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(
        (e["median"].clone(), e["count"].clone()),
        (json!("1170"), json!(3))
    );
    // The title is optional: the text alone finds the same work.
    let (status, e) = estimates(
        &dealer,
        &[
            ("category", "individual_news"),
            ("criticality", "high"),
            ("text", TEXT),
        ],
    )
    .await;
    assert_eq!((status, e["count"].clone()), (StatusCode::OK, json!(3)));

    // Free work has no estimate: a free category, or paid work filed free.
    for params in [
        vec![
            ("category", "consultation"),
            ("criticality", "high"),
            ("text", TEXT),
        ],
        vec![
            ("category", "individual_news"),
            ("criticality", "low"),
            ("billing", "free"),
            ("text", TEXT),
        ],
    ] {
        let (status, body) = estimates(&dealer, &params).await;
        assert_eq!(
            (status, body),
            (StatusCode::NO_CONTENT, Value::Null),
            "{params:?}"
        );
    }
    // Another criticality is other work.
    let (status, _) = estimates(
        &dealer,
        &[
            ("category", "individual_news"),
            ("criticality", "medium"),
            ("text", TEXT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Bad values: 422 with the fields at fault, in Russian.
    let fields = |body: &Value| -> Vec<String> {
        body["error"]["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|f| f["field"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (status, body) = estimates(&dealer, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), ["category", "criticality", "text"]);
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Выберите категорию обращения."),
        "{body}"
    );
    let (status, body) = estimates(
        &dealer,
        &[
            ("category", "gardening"),
            ("criticality", "urgent"),
            ("text", TEXT),
            ("billing", "maybe"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), ["category", "criticality", "billing"]);
    // One character over the ticket text's 20 000 (ASCII: a URI has room for it).
    let long = "a".repeat(20_001);
    let (status, body) = estimates(
        &dealer,
        &[
            ("category", "individual_news"),
            ("criticality", "high"),
            ("text", &long),
        ],
    )
    .await;
    assert_eq!(
        (status, fields(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["text".to_string()])
    );

    // Unknown or repeated parameters: 400.
    for query in [
        "category=individual_news&criticality=high&text=x&price=1",
        "category=individual_news&category=hosting&criticality=high&text=x",
    ] {
        let (status, body) = dealer
            .send("GET", &format!("/api/estimates?{query}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_query");
        assert_eq!(body["error"]["message"], "Некорректные параметры запроса.");
    }

    // Only those who file tickets ask; without a session nobody does.
    for email in [SPECIALIST, "accountant1@demo.local", "admin@demo.local"] {
        let api = server.login(email).await;
        let (status, body) = estimates(&api, &draft()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {body}");
        assert!(body["error"]["message"].is_string());
    }
    let (status, body) = estimates(&server.anonymous(), &draft()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["error"]["code"].is_string());
    let (status, body) = dealer.send("POST", "/api/estimates", Some(json!({}))).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert!(body["error"]["code"].is_string());
}

#[tokio::test]
async fn the_new_ticket_form_shows_each_criticality_with_its_reaction_time_and_rate() {
    let server = TestServer::start().await;
    let browser = log_in(&server, DEALER).await;
    let (status, form) = get(&browser, &format!("{}/tickets/new", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    for option in [
        "Низкая — реакция 3 рабочих дня, 2\u{a0}500\u{a0}₽/ч",
        "Средняя — реакция 8 рабочих часов, 3\u{a0}000\u{a0}₽/ч",
        "Высокая — реакция 3 рабочих часа, 3\u{a0}500\u{a0}₽/ч",
    ] {
        assert!(form.contains(option), "{option} missing:\n{form}");
    }
    // The form asked for an estimate without a category says so on the form, keeps what was
    // typed and still offers the terms.
    let (status, page) = form_estimate(
        &server,
        &browser,
        &[("criticality", "high"), ("title", TITLE), ("text", TEXT)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Выберите категорию обращения."), "{page}");
    assert!(page.contains(TEXT));
    assert!(page.contains("Высокая — реакция 3 рабочих часа, 3\u{a0}500\u{a0}₽/ч"));
    assert!(!page.contains(BANNER));
}
