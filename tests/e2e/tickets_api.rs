//! The ticket API end to end over HTTP: the skeleton issue's walk, security for every
//! endpoint, bad input, idempotency and concurrent moves.

use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Who moves, the action, the comment, and the expected words after it.
type Step<'a> = (
    &'a Api,
    &'a str,
    Option<&'a str>,
    (&'a str, &'a str, &'a str, &'a str),
);

fn words(t: &Value) -> (&str, &str, &str, &str) {
    (
        t["state"].as_str().unwrap_or_default(),
        t["state_label"].as_str().unwrap_or_default(),
        t["status"].as_str().unwrap_or_default(),
        t["status_label"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_ticket_walks_from_filing_to_acceptance_with_the_spec_words_at_every_step() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let other = server.login("dealer2@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;

    let mut ticket = dealer.file_ticket("Разместить новость").await;
    assert_eq!(
        words(&ticket),
        ("new", "Новая", "accepted", "Принято к рассмотрению")
    );
    assert!(ticket["number"].as_str().unwrap().starts_with("DD-"));
    assert_eq!(ticket["dealer_id"], "dealer-1");
    assert_eq!(ticket["version"], 1);
    let id = ticket["id"].as_str().unwrap().to_string();

    // The other dealer cannot see or touch it.
    let (status, body) = other.send("GET", &format!("/api/tickets/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = other.act(&ticket, "accept", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let steps: [Step<'_>; 7] = [
        (
            &specialist,
            "take",
            None,
            ("in_progress", "В работе", "in_progress", "В стадии решения"),
        ),
        (
            &specialist,
            "ask_info",
            Some("Какую страницу?"),
            (
                "approval",
                "На согласовании",
                "need_info",
                "Недостаточно информации",
            ),
        ),
        (
            &dealer,
            "answer",
            Some("Главную."),
            ("in_progress", "В работе", "in_progress", "В стадии решения"),
        ),
        (
            &specialist,
            "send_for_review",
            Some("Готово"),
            (
                "review",
                "На проверке клиентом",
                "in_review",
                "Результат на проверке",
            ),
        ),
        (
            &dealer,
            "return",
            Some("Опечатка в заголовке"),
            ("in_progress", "В работе", "in_progress", "В стадии решения"),
        ),
        (
            &specialist,
            "send_for_review",
            None,
            (
                "review",
                "На проверке клиентом",
                "in_review",
                "Результат на проверке",
            ),
        ),
        (
            &dealer,
            "accept",
            None,
            ("done", "Завершена", "resolved", "Успешно решено"),
        ),
    ];
    for (who, action, comment, expected) in steps {
        let stale = ticket.clone();
        let (status, moved) = who.act(&ticket, action, comment).await;
        assert_eq!(status, StatusCode::OK, "{action}: {moved}");
        assert_eq!(words(&moved), expected, "after {action}");
        assert_eq!(moved["version"], stale["version"].as_u64().unwrap() + 1);
        ticket = moved;
        // A move against the version seen before is refused and changes nothing.
        if action == "take" {
            let (status, body) = specialist.act(&stale, "ask_info", Some("?")).await;
            assert_eq!(status, StatusCode::CONFLICT);
            assert_eq!(body["error"]["code"], "version_conflict");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("Обновите страницу")
            );
        }
    }

    // An illegal move on the finished ticket: 409 with a Russian message, nothing changes.
    let (status, body) = specialist.act(&ticket, "take", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Успешно решено")
    );

    let (status, card) = dealer
        .send("GET", &format!("/api/tickets/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["version"], 8);
    assert_eq!(card["status"], "resolved");
    let history = card["history"].as_array().unwrap();
    let actions: Vec<_> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("created"))
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "take",
            "ask_info",
            "answer",
            "send_for_review",
            "return",
            "send_for_review",
            "accept"
        ]
    );
    assert_eq!(history[2]["comment"], "Какую страницу?");
    assert_eq!(history[5]["from_label"], "Результат на проверке");
    assert_eq!(history[5]["to_label"], "В стадии решения");
}

#[tokio::test]
async fn a_dealer_lists_only_its_own_tickets_and_a_specialist_sees_all() {
    let server = TestServer::start().await;
    let d1 = server.login("dealer1@demo.local").await;
    let d2 = server.login("dealer2@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let t1 = d1.file_ticket("Первое").await;
    let t2 = d2.file_ticket("Второе").await;

    let ids = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, mine) = d1.send("GET", "/api/tickets", None).await;
    assert_eq!(ids(&mine), vec![t1["id"].as_str().unwrap()]);
    let (_, theirs) = d2.send("GET", "/api/tickets", None).await;
    assert_eq!(ids(&theirs), vec![t2["id"].as_str().unwrap()]);
    let (_, all) = specialist.send("GET", "/api/tickets", None).await;
    assert_eq!(ids(&all).len(), 2);

    specialist.act(&t1, "take", None).await;
    let (_, in_progress) = specialist
        .send("GET", "/api/tickets?state=in_progress", None)
        .await;
    assert_eq!(ids(&in_progress), vec![t1["id"].as_str().unwrap()]);
    let (_, new) = d2.send("GET", "/api/tickets?state=new", None).await;
    assert_eq!(ids(&new), vec![t2["id"].as_str().unwrap()]);
}

#[tokio::test]
async fn an_account_manager_sees_only_the_dealers_they_look_after() {
    let server = TestServer::start().await;
    let looked_after = server
        .login("dealer1@demo.local")
        .await
        .file_ticket("Северу")
        .await;
    let not_theirs = server
        .login("dealer3@demo.local")
        .await
        .file_ticket("Уралу")
        .await;
    let manager = server.login("manager@demo.local").await;

    let (status, list) = manager.send("GET", "/api/tickets", None).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(ids, vec![looked_after["id"].clone()]);
    let (status, _) = manager
        .send(
            "GET",
            &format!("/api/tickets/{}", looked_after["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = manager
        .send(
            "GET",
            &format!("/api/tickets/{}", not_theirs["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Observing is not working the ticket.
    let (status, body) = manager.act(&looked_after, "take", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn roles_without_tickets_are_refused_on_every_ticket_endpoint() {
    let server = TestServer::start().await;
    let ticket = server
        .login("dealer1@demo.local")
        .await
        .file_ticket("Новость")
        .await;
    let id = ticket["id"].as_str().unwrap();
    for email in [
        "accountant1@demo.local",
        "rep@demo.local",
        "brand@demo.local",
    ] {
        let api = server.login(email).await;
        let (status, body) = api.send("GET", "/api/tickets", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} list");
        assert_eq!(body["error"]["code"], "forbidden");
        let (status, _) = api.send("GET", &format!("/api/tickets/{id}"), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} get");
        let (status, _) = api.act(&ticket, "accept", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} act");
        let (status, _) = api
            .send("POST", "/api/tickets", Some(json!({"title": "x", "text": "y", "category": "consultation", "criticality": "low"})))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} create");
    }
    // Staff do not file tickets for dealers.
    let (status, _) = server
        .login("specialist@demo.local")
        .await
        .send("POST", "/api/tickets", Some(json!({"title": "x", "text": "y", "category": "consultation", "criticality": "low"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_a_valid_token_every_endpoint_answers_401_in_json() {
    let server = TestServer::start().await;
    let ticket = server
        .login("dealer1@demo.local")
        .await
        .file_ticket("Новость")
        .await;
    let id = ticket["id"].as_str().unwrap();
    let mut forged = server.anonymous();
    forged.token = Some("0".repeat(64));
    for api in [server.anonymous(), forged] {
        for (method, path) in [
            ("GET", "/api/tickets".to_string()),
            ("GET", format!("/api/tickets/{id}")),
            ("POST", "/api/tickets".to_string()),
            ("POST", format!("/api/tickets/{id}/actions")),
        ] {
            let (status, body) = api.send(method, &path, Some(json!({}))).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(body["error"]["code"], "unauthenticated");
            assert_eq!(body["error"]["message"], "Войдите в систему.");
        }
    }
}

#[tokio::test]
async fn logging_in_and_out() {
    let server = TestServer::start().await;
    let anon = server.anonymous();
    let (status, body) = anon
        .send(
            "POST",
            "/api/session",
            Some(json!({"email": "dealer1@demo.local", "password": "wrong"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "bad_credentials");
    assert_eq!(body["error"]["message"], "Неверный e-mail или пароль.");
    let (status, _) = anon
        .send(
            "POST",
            "/api/session",
            Some(json!({"email": "nobody@demo.local", "password": "demo-password"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = anon
        .send_raw("POST", "/api/session", Some("{email".into()), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_json");

    // E-mails are matched case-insensitively; the answer says who logged in.
    let (status, body) = anon
        .send(
            "POST",
            "/api/session",
            Some(json!({"email": " Dealer1@Demo.Local ", "password": "demo-password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["role"], "dealer");
    assert_eq!(body["user"]["dealer_id"], "dealer-1");
    let mut api = server.anonymous();
    api.token = body["token"].as_str().map(str::to_string);
    assert_eq!(
        api.send("GET", "/api/tickets", None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.send("DELETE", "/api/session", None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.send("GET", "/api/tickets", None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_input_gets_a_russian_4xx_and_writes_nothing() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;

    let (status, body) = dealer
        .send_raw("POST", "/api/tickets", Some("not json".into()), &[])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_json");

    let (status, body) = dealer
        .send("POST", "/api/tickets", Some(json!({"title": "   "})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<_> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "text", "category", "criticality"]);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Укажите тему обращения.")
    );

    let (status, body) = dealer
        .send("POST", "/api/tickets", Some(json!({"title": "t", "text": "x", "category": "consultation", "criticality": "low", "billing": "paid"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "billing");

    let (status, body) = dealer
        .send("POST", "/api/tickets", Some(json!({"title": 5})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (_, list) = dealer.send("GET", "/api/tickets", None).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing was written"
    );

    let ticket = dealer.file_ticket("Новость").await;
    let id = ticket["id"].as_str().unwrap();
    let path = format!("/api/tickets/{id}/actions");
    let (status, body) = dealer
        .send("POST", &path, Some(json!({"action": "fly", "version": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "unknown_action");
    let (status, body) = dealer
        .send("POST", &path, Some(json!({"action": "accept"})))
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a move without a version: {body}"
    );
    let (status, body) = dealer
        .send(
            "POST",
            &path,
            Some(json!({"action": "auto_accept", "version": 1})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "people cannot auto-accept: {body}"
    );
    let (status, body) = dealer.act(&ticket, "take", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_your_move");

    let specialist = server.login("specialist@demo.local").await;
    let (status, body) = specialist.act(&ticket, "ask_info", Some("  ")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "comment_required");
    let (status, body) = specialist
        .send("GET", "/api/tickets?state=closed", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_state");
    let (status, body) = specialist
        .send("GET", "/api/tickets?cursor=%%%garbage", None)
        .await;
    assert!(status.is_client_error(), "{status} {body}");
    let (status, body) = specialist
        .send("GET", "/api/tickets/does-not-exist", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["message"], "Не найдено.");
    let (status, body) = specialist.send("GET", "/api/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");

    let (_, card) = dealer
        .send("GET", &format!("/api/tickets/{id}"), None)
        .await;
    assert_eq!(card["version"], 1, "refused moves changed nothing");
    assert_eq!(card["history"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_files_one_ticket() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let body = json!({"title": "Мета-теги", "text": "Поправьте title", "category": "meta_tags", "criticality": "medium"}).to_string();
    let (s1, first) = dealer
        .send_raw(
            "POST",
            "/api/tickets",
            Some(body.clone()),
            &[("idempotency-key", "req-42")],
        )
        .await;
    let (s2, again) = dealer
        .send_raw(
            "POST",
            "/api/tickets",
            Some(body.clone()),
            &[("idempotency-key", "req-42")],
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["billing"], "paid", "meta tags are paid by default");
    let (_, list) = dealer.send("GET", "/api/tickets", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Another user's same key is another request.
    let (_, other) = server
        .login("dealer2@demo.local")
        .await
        .send_raw(
            "POST",
            "/api/tickets",
            Some(body),
            &[("idempotency-key", "req-42")],
        )
        .await;
    assert_ne!(other["id"], first["id"]);
}

#[tokio::test]
async fn a_replayed_key_takes_no_ticket_number_and_a_reused_key_is_refused() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let body = json!({"title": "Мета-теги", "text": "Поправьте description", "category": "meta_tags", "criticality": "low"});
    let key = [("idempotency-key", "req-7")];
    let (_, first) = dealer
        .send_raw("POST", "/api/tickets", Some(body.to_string()), &key)
        .await;
    let (status, again) = dealer
        .send_raw("POST", "/api/tickets", Some(body.to_string()), &key)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["number"], first["number"]);
    let next = dealer.file_ticket("Следующее").await;
    let n = |t: &Value| {
        t["number"]
            .as_str()
            .unwrap()
            .trim_start_matches("DD-")
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(n(&next), n(&first) + 1, "the replay took no number");
    let mut other = body.clone();
    other["title"] = json!("Другое обращение");
    let (status, refused) = dealer
        .send_raw("POST", "/api/tickets", Some(other.to_string()), &key)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");
    let (_, list) = dealer.send("GET", "/api/tickets", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_move_retried_after_a_lost_answer_is_recognised_by_its_key() {
    let server = TestServer::start().await;
    let ticket = server
        .login("dealer1@demo.local")
        .await
        .file_ticket("Новость")
        .await;
    let id = ticket["id"].as_str().unwrap();
    let specialist = server.login("specialist@demo.local").await;
    let take = json!({"action": "take", "version": 1}).to_string();
    let key = [("idempotency-key", "move-1")];
    let path = format!("/api/tickets/{id}/actions");
    let (s1, first) = specialist
        .send_raw("POST", &path, Some(take.clone()), &key)
        .await;
    assert_eq!(s1, StatusCode::OK, "{first}");
    // The answer was lost; the client sends the same move again.
    let (s2, again) = specialist
        .send_raw("POST", &path, Some(take.clone()), &key)
        .await;
    assert_eq!(s2, StatusCode::OK, "a retry is not a 409: {again}");
    assert_eq!(again["version"], first["version"]);
    // Without the key the same stale move is a conflict, as before.
    let (s3, _) = specialist.send_raw("POST", &path, Some(take), &[]).await;
    assert_eq!(s3, StatusCode::CONFLICT);
    // The key for a different move is refused, and nothing moves.
    let ask = json!({"action": "ask_info", "comment": "?", "version": 2}).to_string();
    let (s4, refused) = specialist.send_raw("POST", &path, Some(ask), &key).await;
    assert_eq!(s4, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");
    let (_, card) = specialist
        .send("GET", &format!("/api/tickets/{id}"), None)
        .await;
    assert_eq!(card["version"], 2);
    assert_eq!(card["history"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn two_concurrent_moves_on_one_ticket_do_not_both_win() {
    let server = TestServer::start().await;
    let ticket = server
        .login("dealer1@demo.local")
        .await
        .file_ticket("Новость")
        .await;
    let a = server.login("specialist@demo.local").await;
    let b = server.login("admin@demo.local").await;
    let (ra, rb) = tokio::join!(
        a.act(&ticket, "take", None),
        b.act(&ticket, "ask_info", Some("?"))
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{ra:?} {rb:?}"
    );
    let (_, card) = a
        .send(
            "GET",
            &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(card["version"], 2);
    assert_eq!(card["history"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn ticket_numbers_are_sequential_and_human_readable() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let a = dealer.file_ticket("Первое").await;
    let b = dealer.file_ticket("Второе").await;
    let n = |t: &Value| {
        t["number"]
            .as_str()
            .unwrap()
            .trim_start_matches("DD-")
            .parse::<u64>()
            .unwrap()
    };
    assert_eq!(n(&a), 1001);
    assert_eq!(n(&b), n(&a) + 1);
}

#[tokio::test]
async fn every_api_error_is_the_json_envelope_the_frameworks_own_included() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Ошибки в одном конверте").await;
    let id = ticket["id"].as_str().unwrap().to_string();
    let envelope = |(status, body): (StatusCode, Value), expected: StatusCode, code: &str| {
        assert_eq!(status, expected, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.chars().any(|c| ('а'..='я').contains(&c)), "{body}");
    };

    // An unknown path, and a known one with a method it does not take.
    envelope(
        dealer.send("GET", "/api/nothing-here", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    envelope(
        dealer.send("DELETE", "/api/tickets", None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    envelope(
        dealer
            .send("PATCH", &format!("/api/tickets/{id}"), None)
            .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );

    // Ids that are not ids never reach the store: a 404 like any unknown ticket.
    let long = "7".repeat(3000);
    for bad in ["%FF", long.as_str(), "does-not-exist", "..%2F..%2Fetc"] {
        envelope(
            dealer
                .send("GET", &format!("/api/tickets/{bad}"), None)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        envelope(
            dealer
                .send("GET", &format!("/api/wishes/{bad}"), None)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
        envelope(
            dealer
                .send("GET", &format!("/api/tickets/{id}/attachments/{bad}"), None)
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        );
    }

    // Bodies: over the route's limit, not JSON at all, JSON of the wrong shape.
    let big = format!("{{\"title\": \"{}\"}}", "я".repeat(2 << 20));
    envelope(
        dealer
            .send_raw("POST", "/api/tickets", Some(big), &[])
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    let resp = dealer
        .http
        .post(format!("{}/api/tickets", dealer.base))
        .bearer_auth(dealer.token.as_deref().unwrap())
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    envelope(
        (status, resp.json().await.unwrap()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    envelope(
        dealer
            .send_raw("POST", "/api/tickets", Some("{not json".into()), &[])
            .await,
        StatusCode::BAD_REQUEST,
        "bad_json",
    );

    // A cursor the app never handed out is refused at the edge.
    envelope(
        dealer
            .send("GET", "/api/tickets?cursor=NOT-A-CURSOR", None)
            .await,
        StatusCode::BAD_REQUEST,
        "bad_cursor",
    );
    envelope(
        dealer
            .send("GET", "/api/wishes?cursor=NOT-A-CURSOR", None)
            .await,
        StatusCode::BAD_REQUEST,
        "bad_cursor",
    );

    let (_, card) = dealer
        .send("GET", &format!("/api/tickets/{id}"), None)
        .await;
    assert_eq!(card["version"], 1, "nothing above changed the ticket");
}

/// `GET /api/openapi.json` answers without a session, and its `paths` have every route the
/// routers mount under `/api`, with its method — read from the features' `routes.rs` the way
/// `lambda_events` reads them, so a route added without documentation fails here.
#[tokio::test]
async fn the_openapi_document_covers_every_api_route() {
    let server = TestServer::start().await;
    let response = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let routes: std::collections::BTreeSet<String> = crate::lambda_events::app_route_groups()
        .into_values()
        .flatten()
        .filter(|r| {
            r.split_once(' ')
                .is_some_and(|(_, p)| p.starts_with("/api/"))
        })
        .collect();
    assert!(
        routes.len() >= 20,
        "routes.rs was not read right: {routes:?}"
    );
    assert!(routes.contains("GET /api/openapi.json"));
    let mut missing = Vec::new();
    for route in &routes {
        let (method, path) = route.split_once(' ').unwrap();
        if paths
            .get(path)
            .and_then(|p| p.get(method.to_lowercase()))
            .is_none()
        {
            missing.push(route.clone());
        }
    }
    assert!(missing.is_empty(), "not in /api/openapi.json: {missing:?}");
    // The error envelope is one shared schema, and a failing answer of a route refers to it.
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    let card = &doc["paths"]["/api/tickets/{id}"]["get"]["responses"];
    assert_eq!(
        card["4XX"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorEnvelope"
    );
}
