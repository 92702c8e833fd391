//! Central improvement wishes (SPEC §2.7) end to end: the lifecycle over HTTP with the
//! dealer told at every step, the refusals, who sees what, and the portal's forms.

use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::{StoredMail, read_mailbox};
use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn submit(dealer: &Api, title: &str) -> Value {
    let (status, wish) = dealer
        .send(
            "POST",
            "/api/wishes",
            Some(json!({"title": title, "text": "Покупатели просят искать машины в наличии по цвету кузова."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{wish}");
    wish
}

async fn decide(who: &Api, wish: &Value, action: &str, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"action": action, "version": wish["version"]});
    if let Value::Object(fields) = extra {
        for (k, v) in fields {
            body[k] = v;
        }
    }
    let id = wish["id"].as_str().expect("id");
    who.send("POST", &format!("/api/wishes/{id}/actions"), Some(body))
        .await
}

/// Runs the outbox job and returns the mails it delivered to `to`.
async fn mails_to(server: &TestServer, to: &str) -> Vec<StoredMail> {
    let state = &server.state;
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .expect("outbox job");
    let dir = state.mailer.mailbox().expect("local mailbox");
    read_mailbox(dir)
        .into_iter()
        .filter(|m| m.email.to.iter().any(|t| t == to))
        .collect()
}

/// The one new mail to `to` since `before` mails, asserting there is exactly one.
async fn one_new_mail(server: &TestServer, to: &str, before: &mut usize) -> StoredMail {
    let mails = mails_to(server, to).await;
    assert_eq!(mails.len(), *before + 1, "one new mail to {to}: {mails:#?}");
    *before = mails.len();
    mails.into_iter().next().expect("newest first")
}

#[tokio::test]
async fn a_wish_goes_from_submitted_to_implemented_and_the_dealer_is_told_at_every_step() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let mut to_dealer = 0;

    let wish = submit(&dealer, "Фильтр по цвету в АВН").await;
    assert_eq!(
        (wish["status"].as_str(), wish["status_label"].as_str()),
        (Some("submitted"), Some("Подано"))
    );
    assert_eq!(wish["dealer_id"], "dealer-1");
    let mail = one_new_mail(&server, "dealer1@demo.local", &mut to_dealer).await;
    assert!(
        mail.email.subject.contains("Подано"),
        "{}",
        mail.email.subject
    );
    assert!(
        mail.email
            .text
            .contains("рассмотрит его в течение 1–2 рабочих дней")
    );
    assert!(
        mail.email
            .text
            .contains(&format!("/wishes/{}", wish["id"].as_str().unwrap()))
    );
    // The dealer's account manager is asked to take it up.
    let tasks = mails_to(&server, "manager@demo.local").await;
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0].email.subject.contains("ждёт решения"));
    assert!(tasks[0].email.text.contains("Автоцентр Север"));

    let (status, wish) = decide(&manager, &wish, "review", json!({"note": "Нужен и в АСП"})).await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(wish["status_label"], "На рассмотрении у аккаунт-менеджера");
    let mail = one_new_mail(&server, "dealer1@demo.local", &mut to_dealer).await;
    assert!(
        mail.email
            .subject
            .contains("На рассмотрении у аккаунт-менеджера")
    );
    assert!(
        mail.email.text.contains("Нужен и в АСП"),
        "the clarification is passed on"
    );

    let (status, wish) = decide(&manager, &wish, "send_to_development", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(wish["status"], "with_development");
    let mail = one_new_mail(&server, "dealer1@demo.local", &mut to_dealer).await;
    assert!(mail.email.text.contains("передано в отдел разработки"));
    let to_development = mails_to(&server, "admin@demo.local").await;
    assert_eq!(to_development.len(), 1, "development hears of it");

    // Development decides, not the account manager.
    let (status, body) = decide(
        &manager,
        &wish,
        "accept",
        json!({"sprint": "Спринт 24", "planned_from": "2026-06-01", "planned_to": "2026-06-14"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "not_your_move");

    let (status, wish) = decide(
        &admin,
        &wish,
        "accept",
        json!({"sprint": "Спринт 24", "planned_from": "2026-06-01", "planned_to": "2026-06-14"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(
        wish["plan"],
        json!({"sprint": "Спринт 24", "planned_from": "2026-06-01", "planned_to": "2026-06-14"})
    );
    let mail = one_new_mail(&server, "dealer1@demo.local", &mut to_dealer).await;
    assert!(mail.email.subject.contains("Принято в работу"));
    assert!(
        mail.email
            .text
            .contains("спринт «Спринт 24», планируемые сроки — с 01.06.2026 по 14.06.2026"),
        "{}",
        mail.email.text
    );

    let (status, wish) = decide(&admin, &wish, "implement", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(wish["status_label"], "Реализовано");
    let mail = one_new_mail(&server, "dealer1@demo.local", &mut to_dealer).await;
    assert!(mail.email.text.contains("реализовано"));

    // The card has the whole history, in order.
    let id = wish["id"].as_str().unwrap();
    let (status, card) = dealer.send("GET", &format!("/api/wishes/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let steps: Vec<_> = card["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        steps,
        [
            "submitted",
            "under_review",
            "with_development",
            "accepted",
            "implemented"
        ]
    );
    assert_eq!(card["history"][1]["comment"], "Нужен и в АСП");
    assert_eq!(
        card["available_actions"],
        json!([]),
        "a dealer decides nothing"
    );

    // Running the job again sends nothing twice.
    assert_eq!(
        mails_to(&server, "dealer1@demo.local").await.len(),
        to_dealer
    );
}

#[tokio::test]
async fn a_rejected_wish_tells_the_dealer_the_reason() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let wish = submit(&dealer, "Тёмная тема").await;
    let (_, wish) = decide(&manager, &wish, "review", json!({})).await;

    let (status, body) = decide(&manager, &wish, "reject", json!({"reason": "  "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    assert_eq!(
        body["error"]["message"],
        "Укажите причину отклонения: её увидит дилер."
    );

    let (status, wish) = decide(
        &manager,
        &wish,
        "reject",
        json!({"reason": "Уже есть в модуле «Акции»"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(wish["reason"], "Уже есть в модуле «Акции»");
    let mails = mails_to(&server, "dealer1@demo.local").await;
    let rejected = mails
        .iter()
        .find(|m| m.email.subject.contains("Отклонено"))
        .expect("rejection mailed");
    assert!(
        rejected
            .email
            .text
            .contains("Причина: Уже есть в модуле «Акции»")
    );
}

#[tokio::test]
async fn illegal_and_stale_wish_decisions_are_409_in_russian_and_change_nothing() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let wish = submit(&dealer, "Экспорт заявок").await;

    let (status, body) = decide(&admin, &wish, "implement", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "illegal_transition");
    assert_eq!(
        body["error"]["message"],
        "Действие «Отметить как реализованное» невозможно: пожелание в статусе «Подано»."
    );
    // Missing dates do not hide that the decision is not possible now.
    let (status, body) = decide(&admin, &wish, "accept", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, reviewed) = decide(&manager, &wish, "review", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = decide(&manager, &wish, "send_to_development", json!({})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a decision on the version seen before: {body}"
    );
    assert_eq!(body["error"]["code"], "version_conflict");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Пожелание уже изменил кто-то другой.")
    );

    let (status, body) = decide(&manager, &reviewed, "launch", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "unknown_action");

    let (_, sent) = decide(&manager, &reviewed, "send_to_development", json!({})).await;
    let (status, body) = decide(
        &admin,
        &sent,
        "accept",
        json!({"sprint": "Спринт 1", "planned_from": "2026-06-01", "planned_to": "2026-06-05"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("двухнедельными спринтами")
    );
    let (status, body) = decide(
        &admin,
        &sent,
        "accept",
        json!({"sprint": "Спринт 1", "planned_from": "завтра"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let id = wish["id"].as_str().unwrap();
    let (_, card) = dealer.send("GET", &format!("/api/wishes/{id}"), None).await;
    assert_eq!(card["status"], "with_development");
    assert_eq!(card["version"], 3);
}

#[tokio::test]
async fn another_dealers_wish_is_404_on_every_endpoint_and_roles_without_wishes_get_403() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let other = server.login("dealer2@demo.local").await;
    let third = server.login("dealer3@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let wish = submit(&dealer, "Калькулятор ТО").await;
    let id = wish["id"].as_str().unwrap();

    let (status, body) = other.send("GET", &format!("/api/wishes/{id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = decide(&other, &wish, "review", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = other.send("GET", "/api/wishes", None).await;
    assert_eq!(list["items"], json!([]));
    let (status, _) = other.send("GET", "/api/wishes/no-such-wish", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An account manager sees only the dealers they look after (dealer 3 has none).
    let mine = submit(&third, "Онлайн-оплата").await;
    let (status, _) = manager
        .send(
            "GET",
            &format!("/api/wishes/{}", mine["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = decide(&manager, &mine, "review", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = manager.send("GET", "/api/wishes", None).await;
    let titles: Vec<_> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Калькулятор ТО"]);
    let (_, everything) = admin.send("GET", "/api/wishes", None).await;
    assert_eq!(everything["items"].as_array().unwrap().len(), 2);

    // A dealer decides nothing, even on its own wish.
    let (status, body) = decide(&dealer, &wish, "review", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body["error"]["message"],
        "Действие «Взять на рассмотрение» вам недоступно."
    );

    for email in [
        "specialist@demo.local",
        "accountant1@demo.local",
        "rep@demo.local",
        "brand@demo.local",
    ] {
        let api = server.login(email).await;
        let (status, _) = api.send("GET", "/api/wishes", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} lists");
        let (status, _) = api.send("GET", &format!("/api/wishes/{id}"), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} reads");
        let (status, _) = decide(&api, &wish, "review", json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} decides");
        let (status, _) = api
            .send(
                "POST",
                "/api/wishes",
                Some(json!({"title": "x", "text": "y"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email} submits");
    }
    let (status, _) = manager
        .send(
            "POST",
            "/api/wishes",
            Some(json!({"title": "x", "text": "y"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "wishes come from dealers");
    let (status, _) = server.anonymous().send("GET", "/api/wishes", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = dealer
        .send(
            "POST",
            "/api/wishes",
            Some(json!({"title": "", "text": ""})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Кратко назовите пожелание.")
    );
}

// ---------------------------------------------------------------- portal

#[tokio::test]
async fn in_the_portal_a_dealer_submits_a_wish_and_the_account_manager_takes_it_up() {
    let server = TestServer::start().await;
    let dealer = log_in(&server, "dealer1@demo.local").await;
    let (status, page) = get(&dealer, &format!("{}/wishes", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("href=\"/wishes\">Пожелания</a>"),
        "the nav links wishes"
    );
    assert!(page.contains("Мои пожелания по доработкам"));
    assert!(page.contains("Пожеланий пока нет."));
    let csrf = hidden(&page, "csrf");

    let url = format!("{}/wishes", server.base);
    let (status, _, refused) = post(&dealer, &url, &[("title", "Фильтр"), ("text", "Нужен")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Форма устарела"));

    let (status, _, page) = post(
        &dealer,
        &url,
        &[
            ("csrf", &csrf),
            ("title", ""),
            ("text", "Нужен фильтр по цвету"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Кратко назовите пожелание."));
    assert!(
        page.contains(">Нужен фильтр по цвету</textarea>"),
        "the text typed is kept"
    );

    let (status, card_path, card) = post(
        &dealer,
        &url,
        &[
            ("csrf", &csrf),
            ("title", "Фильтр по цвету"),
            ("text", "Нужен фильтр по цвету"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(card_path.starts_with("/wishes/"), "{card_path}");
    assert!(card.contains("Подано"));
    assert!(card.contains("Аккаунт-менеджер рассмотрит его в течение 1–2 рабочих дней."));
    assert!(card.contains("Пожелание подано"), "history");
    assert!(
        !card.contains("Взять на рассмотрение"),
        "a dealer has no decisions"
    );
    let card_url = format!("{}{card_path}", server.base);
    let (_, list) = get(&dealer, &url).await;
    assert!(list.contains("Фильтр по цвету"));

    let manager = log_in(&server, "manager@demo.local").await;
    let (_, list) = get(&manager, &url).await;
    assert!(list.contains("Пожелания дилеров по доработкам"));
    assert!(list.contains("Автоцентр Север"));
    assert!(!list.contains("Отправить пожелание"), "only dealers submit");
    let (_, card) = get(&manager, &card_url).await;
    assert!(card.contains("Взять на рассмотрение"));
    let csrf = hidden(&card, "csrf");
    let version = hidden(&card, "version");
    let actions_url = format!("{card_url}/actions");

    let (status, _, _) = post(
        &manager,
        &actions_url,
        &[("action", "review"), ("version", &version)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    let (status, _, card) = post(
        &manager,
        &actions_url,
        &[
            ("csrf", &csrf),
            ("action", "review"),
            ("version", &version),
            ("note", "Уточнил у дилера"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        card.contains("На рассмотрении у аккаунт-менеджера"),
        "{card}"
    );
    assert!(card.contains("Уточнил у дилера"));
    assert!(card.contains("Дмитрий Клиентов"));
    assert!(card.contains("Передать в разработку") && card.contains("Отклонить"));

    // The same form again: stale, explained in Russian.
    let (status, _, page) = post(
        &manager,
        &actions_url,
        &[
            ("csrf", &csrf),
            ("action", "send_to_development"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Пожелание уже изменил кто-то другой."));

    // Another dealer sees neither the card nor the title.
    let other = log_in(&server, "dealer2@demo.local").await;
    let (status, page) = get(&other, &card_url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("Фильтр по цвету"));
    let (_, list) = get(&other, &url).await;
    assert!(!list.contains("Фильтр по цвету"));

    // A specialist has no wishes page and no link to it.
    let specialist = log_in(&server, "specialist@demo.local").await;
    let (status, page) = get(&specialist, &url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains("href=\"/wishes\""));
}
