//! Central improvement wishes (SPEC §2.7) end to end: the lifecycle over HTTP with the
//! dealer told at every step, only development deciding, each stage's due date and the
//! overdue flag, the refusals, who sees what, the portal's forms and the KB article.

use chrono::{DateTime, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::{StoredMail, read_mailbox};
use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

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
async fn the_account_manager_never_rejects_and_development_rejects_with_a_reason_the_dealer_is_told()
 {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let wish = submit(&dealer, "Тёмная тема").await;
    let (_, wish) = decide(&manager, &wish, "review", json!({})).await;
    let id = wish["id"].as_str().unwrap();
    let (_, card) = manager
        .send("GET", &format!("/api/wishes/{id}"), None)
        .await;
    assert_eq!(card["available_actions"], json!(["send_to_development"]));

    // The account manager's step ends in passing the wish on, never in a rejection.
    for who in [&manager, &admin] {
        let (status, body) = decide(
            who,
            &wish,
            "reject",
            json!({"reason": "Уже есть в модуле «Акции»"}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "development_decides");
        assert_eq!(
            body["error"]["message"],
            "Отклонить пожелание может только отдел разработки: аккаунт-менеджер уточняет \
             пожелание и передаёт его в разработку."
        );
    }
    let (_, card) = dealer.send("GET", &format!("/api/wishes/{id}"), None).await;
    assert_eq!(
        (card["status"].as_str(), card["version"].as_u64()),
        (Some("under_review"), Some(2)),
        "the refusal changed nothing"
    );

    let (_, wish) = decide(&manager, &wish, "send_to_development", json!({})).await;
    let (status, body) = decide(&admin, &wish, "reject", json!({"reason": "  "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    assert_eq!(
        body["error"]["message"],
        "Укажите причину отклонения: её увидит дилер."
    );

    let (status, wish) = decide(
        &admin,
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
    let (_, card) = dealer.send("GET", &format!("/api/wishes/{id}"), None).await;
    let last = card["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["actor_role"].as_str(), last["to_status"].as_str()),
        (Some("admin"), Some("rejected"))
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
    assert!(card.contains(">Передать в разработку</button>"));
    assert!(
        !card.contains(">Отклонить</button>"),
        "the account manager has no rejection to make"
    );

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

// ---------------------------------------------------------------- due dates

/// The wish with `id` as the caller's list shows it.
async fn listed(who: &Api, id: &str) -> Value {
    let (status, list) = who.send("GET", "/api/wishes?limit=100", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} listed: {list}"))
}

fn due(wish: &Value) -> (Option<&str>, Option<&str>, bool) {
    (
        wish["due_for"].as_str(),
        wish["due_at"].as_str(),
        wish["overdue"].as_bool().expect("overdue"),
    )
}

/// Runs the outbox and asserts that a letter about «Фильтр по цвету в АВН» to `to` says
/// `words`.
async fn told(server: &TestServer, to: &str, words: &str) {
    let mails = mails_to(server, to).await;
    assert!(
        mails
            .iter()
            .any(|m| m.email.subject.contains("Фильтр по цвету в АВН")
                && m.email.text.contains(words)),
        "a letter to {to} saying {words:?}: {:#?}",
        mails.iter().map(|m| &m.email.text).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn each_stage_is_due_in_working_days_and_an_overdue_wish_is_flagged_in_the_lists() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let manager = server.login("manager@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    // Thursday 7 May 2026, 15:00 Moscow: Friday the 8th works, 9–11 May are days off.
    server.state.clock.set(at("2026-05-07T15:00:00+03:00"));
    let wish = submit(&dealer, "Фильтр по цвету в АВН").await;
    let id = wish["id"].as_str().unwrap().to_string();
    assert_eq!(
        due(&wish),
        (Some("review"), Some("2026-05-12T12:00:00Z"), false),
        "two working days with the account manager"
    );
    assert_eq!(wish["due_label"], "Рассмотрение аккаунт-менеджером");
    told(
        &server,
        "dealer1@demo.local",
        "Рассмотрение аккаунт-менеджером: до 12.05.2026 15:00 (МСК).",
    )
    .await;
    told(
        &server,
        "manager@demo.local",
        "Срок: до 12.05.2026 15:00 (МСК)",
    )
    .await;

    // Taking it up does not restart the account manager's clock.
    server.state.clock.set(at("2026-05-08T10:00:00+03:00"));
    let (_, wish) = decide(&manager, &wish, "review", json!({})).await;
    assert_eq!(
        due(&wish),
        (Some("review"), Some("2026-05-12T12:00:00Z"), false)
    );
    server.state.clock.set(at("2026-05-12T14:59:00+03:00"));
    assert!(!listed(&manager, &id).await["overdue"].as_bool().unwrap());

    // A minute past the due time the account manager's list flags it.
    server.state.clock.set(at("2026-05-12T15:01:00+03:00"));
    assert_eq!(
        due(&listed(&manager, &id).await),
        (Some("review"), Some("2026-05-12T12:00:00Z"), true)
    );
    assert!(listed(&admin, &id).await["overdue"].as_bool().unwrap());

    // Handed over: development has three working days (13, 14, 15 May).
    let (status, wish) = decide(&manager, &wish, "send_to_development", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(
        due(&wish),
        (Some("decision"), Some("2026-05-15T12:01:00Z"), false)
    );
    assert_eq!(wish["due_label"], "Решение отдела разработки");
    told(
        &server,
        "admin@demo.local",
        "Срок: до 15.05.2026 15:01 (МСК)",
    )
    .await;
    told(
        &server,
        "dealer1@demo.local",
        "Решение отдела разработки: до 15.05.2026 15:01 (МСК).",
    )
    .await;
    server.state.clock.set(at("2026-05-15T15:02:00+03:00"));
    assert_eq!(
        due(&listed(&admin, &id).await),
        (Some("decision"), Some("2026-05-15T12:01:00Z"), true),
        "development's list flags the late decision"
    );
    assert!(listed(&manager, &id).await["overdue"].as_bool().unwrap());

    // Accepted: due by the end of the plan's last day, Moscow time.
    let (status, wish) = decide(
        &admin,
        &wish,
        "accept",
        json!({"sprint": "Спринт 24", "planned_from": "2026-06-01", "planned_to": "2026-06-14"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{wish}");
    assert_eq!(
        due(&wish),
        (Some("implementation"), Some("2026-06-14T21:00:00Z"), false)
    );
    told(
        &server,
        "dealer1@demo.local",
        "Реализация по плану: до 14.06.2026 включительно.",
    )
    .await;

    // Implemented: nothing is due any more.
    let (_, wish) = decide(&admin, &wish, "implement", json!({})).await;
    assert_eq!(due(&wish), (None, None, false));
    let (_, card) = dealer.send("GET", &format!("/api/wishes/{id}"), None).await;
    assert_eq!(due(&card), (None, None, false));
}

/// The list row of the wish titled `title`.
fn row<'a>(page: &'a str, title: &str) -> &'a str {
    page.split("<tr")
        .find(|r| r.contains(title))
        .unwrap_or_else(|| panic!("a row for {title}"))
}

#[tokio::test]
async fn in_the_portal_the_card_shows_the_due_date_and_staff_lists_mark_overdue_wishes() {
    let server = TestServer::start().await;
    let api_dealer = server.login("dealer1@demo.local").await;
    server.state.clock.set(at("2026-05-07T15:00:00+03:00"));
    let late = submit(&api_dealer, "Фильтр по цвету в АВН").await;
    server.state.clock.set(at("2026-05-12T15:01:00+03:00"));
    let fresh = submit(&api_dealer, "Тёмная тема").await;

    let list_url = format!("{}/wishes", server.base);
    for (email, marks) in [
        ("manager@demo.local", true),
        ("admin@demo.local", true),
        ("dealer1@demo.local", false),
    ] {
        let who = log_in(&server, email).await;
        let (status, list) = get(&who, &list_url).await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains("<th>Срок этапа</th>"), "{email}");
        let late_row = row(&list, "Фильтр по цвету в АВН");
        assert!(late_row.contains("до 12.05.2026 15:00 (МСК)"), "{late_row}");
        assert_eq!(
            late_row.contains("<span class=\"badge overdue\">Просрочено</span>"),
            marks,
            "{email}: {late_row}"
        );
        let fresh_row = row(&list, "Тёмная тема");
        assert!(
            fresh_row.contains("до 14.05.2026 15:01 (МСК)"),
            "{fresh_row}"
        );
        assert!(!fresh_row.contains("Просрочено"), "{email}: {fresh_row}");

        let late_id = late["id"].as_str().unwrap();
        let (_, card) = get(&who, &format!("{list_url}/{late_id}")).await;
        assert!(
            card.contains("<dt>Срок этапа</dt>"),
            "{email}: the card shows the due date"
        );
        assert!(
            card.contains("Рассмотрение аккаунт-менеджером — до 12.05.2026 15:00 (МСК)"),
            "{card}"
        );
        assert_eq!(card.contains("badge overdue"), marks, "{email}");
    }
    let _ = fresh;
}

// ---------------------------------------------------------------- the KB article

#[test]
fn the_knowledge_base_article_says_only_development_decides_and_names_each_stages_due_date() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../site/content/obrashcheniya/pozhelaniya-po-dorabotkam.md"
    );
    let article = std::fs::read_to_string(path).expect("the wishes article");
    let table_row = |status: &str| {
        article
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&format!("«{status}»")))
            .unwrap_or_else(|| panic!("a stage row for «{status}»"))
            .to_string()
    };
    let rejected = table_row("Отклонено");
    assert!(rejected.contains("Отдел разработки"), "{rejected}");
    assert!(
        !rejected.to_lowercase().contains("аккаунт-менеджер"),
        "{rejected}"
    );
    assert!(table_row("На рассмотрении у аккаунт-менеджера").contains("1–2 рабочих дня"));
    assert!(table_row("Передано в разработку").contains("2–3 рабочих дня"));
    assert!(
        article.contains("Срок этапа"),
        "the card's due date is explained"
    );
    assert!(article.contains("Отклонить пожелание может только отдел разработки"));
    assert!(
        !article.contains("отклонить его сам он может"),
        "the old rule is gone"
    );
}
