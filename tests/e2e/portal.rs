//! The portal as a browser uses it: cookie session, CSRF on every form, Russian pages.

use dealerdesk_e2e::browser::{browser, get, hidden, log_in, post};
use dealerdesk_e2e::server::TestServer;
use reqwest::StatusCode;

#[tokio::test]
async fn a_dealer_files_a_ticket_and_a_specialist_takes_it_in_the_portal() {
    let server = TestServer::start().await;
    let dealer = log_in(&server, "dealer1@demo.local").await;
    let (_, list) = get(&dealer, &format!("{}/tickets", server.base)).await;
    assert!(list.contains("Мои обращения"));
    assert!(list.contains("Ирина Северова"));

    let (status, form) = get(&dealer, &format!("{}/tickets/new", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Размещение индивидуальных новостей"));
    let csrf = hidden(&form, "csrf");
    let form_id = hidden(&form, "form_id");

    // A form with a missing title comes back with the message and the typed values.
    let (status, _, page) = post(
        &dealer,
        &format!("{}/tickets", server.base),
        &[
            ("csrf", &csrf),
            ("form_id", &form_id),
            ("title", ""),
            ("text", "Текст"),
            ("category", "individual_news"),
            ("criticality", "high"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Укажите тему обращения."));
    assert!(page.contains(">Текст</textarea>"));

    let (status, path, card) = post(
        &dealer,
        &format!("{}/tickets", server.base),
        &[
            ("csrf", &csrf),
            ("form_id", &form_id),
            ("title", "Новость об акции"),
            ("text", "Разместите новость"),
            ("category", "individual_news"),
            ("criticality", "high"),
            ("billing", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(path.starts_with("/tickets/"), "{path}");
    assert!(
        card.contains("Новая") && card.contains("Принято к рассмотрению"),
        "{card}"
    );
    assert!(card.contains("DD-"));
    assert!(card.contains("Обращение создано"));
    assert!(
        !card.contains("Взять в работу"),
        "a dealer has no specialist buttons"
    );
    let ticket_url = format!("{}{}", server.base, path);

    // A double-submitted form (same form id) is still one ticket.
    post(
        &dealer,
        &format!("{}/tickets", server.base),
        &[
            ("csrf", &csrf),
            ("form_id", &form_id),
            ("title", "Новость об акции"),
            ("text", "Разместите новость"),
            ("category", "individual_news"),
            ("criticality", "high"),
        ],
    )
    .await;
    let (_, list) = get(&dealer, &format!("{}/tickets", server.base)).await;
    assert_eq!(list.matches("Новость об акции").count(), 1, "{list}");

    let specialist = log_in(&server, "specialist@demo.local").await;
    let (_, queue) = get(&specialist, &format!("{}/tickets", server.base)).await;
    assert!(queue.contains("Очередь обращений"));
    assert!(queue.contains("Новость об акции"));
    assert!(queue.contains("Автоцентр Север"));
    let (_, card) = get(&specialist, &ticket_url).await;
    assert!(card.contains("Взять в работу"));
    let csrf = hidden(&card, "csrf");
    let version = hidden(&card, "version");

    // Without the CSRF token the move is refused.
    let (status, _, page) = post(
        &specialist,
        &format!("{ticket_url}/actions"),
        &[("action", "take"), ("version", &version), ("comment", "")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Форма устарела"));

    let (status, _, card) = post(
        &specialist,
        &format!("{ticket_url}/actions"),
        &[
            ("csrf", &csrf),
            ("action", "take"),
            ("version", &version),
            ("comment", "Беру"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(card.contains("В стадии решения"), "{card}");
    assert!(card.contains("Анна Поддержкина"));

    // The same form again is a stale version: refused with a Russian explanation.
    let (status, _, page) = post(
        &specialist,
        &format!("{ticket_url}/actions"),
        &[
            ("csrf", &csrf),
            ("action", "send_for_review"),
            ("version", &version),
            ("comment", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Обновите страницу"));

    // An illegal move from a crafted form is refused, and the comment typed is kept.
    let version = hidden(&page, "version");
    let (status, _, page) = post(
        &specialist,
        &format!("{ticket_url}/actions"),
        &[
            ("csrf", &csrf),
            ("action", "accept"),
            ("version", &version),
            ("comment", "мой текст"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nothing to accept while in progress"
    );
    assert!(page.contains("Действие «Принять результат» невозможно"));
    assert!(page.contains("мой текст"));

    // Another dealer sees neither the ticket nor its title.
    let other = log_in(&server, "dealer2@demo.local").await;
    let (status, page) = get(&other, &ticket_url).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Страница не найдена"));
    let (_, list) = get(&other, &format!("{}/tickets", server.base)).await;
    assert!(!list.contains("Новость об акции"));
    let (status, _, _) = post(
        &other,
        &format!("{ticket_url}/actions"),
        &[
            ("csrf", &hidden(&list, "csrf")),
            ("action", "accept"),
            ("version", "2"),
            ("comment", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn login_needs_the_forms_csrf_token_and_the_right_password() {
    let server = TestServer::start().await;
    let b = browser();
    let (_, page) = get(&b, &format!("{}/login", server.base)).await;
    let csrf = hidden(&page, "csrf");
    let (status, _, page) = post(
        &b,
        &format!("{}/login", server.base),
        &[
            ("email", "dealer1@demo.local"),
            ("password", "demo-password"),
            ("csrf", "forged"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Форма устарела"));
    // The refused page carries a fresh token; the first one is spent.
    assert_ne!(hidden(&page, "csrf"), csrf);
    let (status, _, page) = post(
        &b,
        &format!("{}/login", server.base),
        &[
            ("email", "dealer1@demo.local"),
            ("password", "nope"),
            ("csrf", &hidden(&page, "csrf")),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("Неверный e-mail или пароль."));
    assert!(
        page.contains("value=\"dealer1@demo.local\""),
        "the e-mail typed is kept"
    );
}

#[tokio::test]
async fn pages_behind_login_send_strangers_to_the_login_page_and_logout_ends_the_session() {
    let server = TestServer::start().await;
    let (status, page) = get(&browser(), &format!("{}/tickets", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Вход в DealerDesk"));

    let b = log_in(&server, "dealer1@demo.local").await;
    let (_, page) = get(&b, &format!("{}/tickets", server.base)).await;
    let csrf = hidden(&page, "csrf");
    let (_, path, _) = post(&b, &format!("{}/logout", server.base), &[("csrf", &csrf)]).await;
    assert_eq!(path, "/login");
    let (_, page) = get(&b, &format!("{}/tickets", server.base)).await;
    assert!(page.contains("Вход в DealerDesk"));
}

#[tokio::test]
async fn an_accountant_has_no_ticket_pages() {
    let server = TestServer::start().await;
    let b = log_in(&server, "accountant1@demo.local").await;
    let (status, home) = get(&b, &format!("{}/", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Мария Счётова") && home.contains("Бухгалтер дилера"));
    assert!(
        !home.contains("href=\"/tickets\""),
        "no ticket links for an accountant"
    );
    let (status, page) = get(&b, &format!("{}/tickets/new", server.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Доступ запрещён"));
}
