//! The dealer's accountant, end to end: the dealer invites by e-mail, the accountant sets a
//! password once through the link and logs in, sees the dealer's costs and documents and
//! nothing else, and a revoked accountant's session stops working.

use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The invitation link in the letter sent to `email`.
async fn invitation_link(server: &TestServer, email: &str) -> String {
    jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .expect("outbox");
    let mail = read_mailbox(server.state.mailer.mailbox().expect("local mailbox"));
    let letter = mail
        .iter()
        .find(|m| m.email.to.iter().any(|t| t == email))
        .unwrap_or_else(|| panic!("no letter to {email}"));
    assert!(
        letter.email.subject.contains("Автоцентр Север"),
        "{}",
        letter.email.subject
    );
    let start = letter.email.text.find("/invite/").expect("the link");
    let path: String = letter.email.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    format!("{}{path}", server.base)
}

async fn invite(dealer: &Api, email: &str) -> Value {
    let (status, body) = dealer
        .send(
            "POST",
            "/api/dealers/dealer-1/accountants",
            Some(json!({"email": email, "name": "Ольга Бухгалтерова"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Sets the password through the link's form and logs in with it through the API.
async fn accept(server: &TestServer, link: &str, email: &str) -> Api {
    let b = browser::browser();
    let (status, page) = browser::get(&b, link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Автоцентр Север"), "{page}");
    let (status, path, _) = browser::post(
        &b,
        link,
        &[
            ("password", "olga-password-1"),
            ("repeat", "olga-password-1"),
        ],
    )
    .await;
    assert_eq!((status, path.as_str()), (StatusCode::OK, "/login"));
    let api = server.anonymous();
    let (status, body) = api
        .send(
            "POST",
            "/api/session",
            Some(json!({"email": email, "password": "olga-password-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Api {
        token: Some(body["token"].as_str().expect("token").to_owned()),
        ..api
    }
}

#[tokio::test]
async fn a_dealer_invites_its_accountant_who_sets_a_password_once_and_logs_in() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let invited = invite(&dealer, "olga@dealer1.example").await;
    assert_eq!(invited["status"], "invited");
    let link = invitation_link(&server, "olga@dealer1.example").await;
    // Before the password is set nobody logs in as the invitee.
    let (status, _) = server
        .anonymous()
        .send(
            "POST",
            "/api/session",
            Some(json!({"email": "olga@dealer1.example", "password": "invited:"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let b = browser::browser();
    let (status, page) = browser::get(&b, &link).await;
    assert_eq!(status, StatusCode::OK);
    // Too short, then not repeated: the form again with the reason, nothing set.
    let (status, _, page2) =
        browser::post(&b, &link, &[("password", "short"), ("repeat", "short")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page2.contains("не короче 10 символов"), "{page2}");
    assert!(page.contains("Задайте пароль"));
    let accountant = accept(&server, &link, "olga@dealer1.example").await;
    let (status, me) = accountant.send("GET", "/api/dashboard", None).await;
    assert_ne!(status, StatusCode::UNAUTHORIZED, "{me}");
    // The link worked once.
    let (status, page) = browser::get(&b, &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    let (_, list) = dealer
        .send("GET", "/api/dealers/dealer-1/accountants", None)
        .await;
    let olga = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "olga@dealer1.example")
        .expect("listed");
    assert_eq!(olga["status"], "active");
}

#[tokio::test]
async fn an_accountant_sees_costs_and_documents_and_nothing_else() {
    let server = TestServer::start().await;
    let accountant = server.login("accountant1@demo.local").await;
    for path in [
        "/api/tickets",
        "/api/wishes",
        "/api/leads",
        "/api/surveys/results",
        "/api/survey-tasks",
        "/api/dealers/dealer-1/accountants",
    ] {
        let (status, body) = accountant.send("GET", path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (status, body) = accountant
        .send(
            "PUT",
            "/api/surveys/2026-Q4",
            Some(json!({"ticket_handling": 5, "cso_updates": 5, "support_overall": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Another dealer's accountants are not even there.
    let dealer2 = server.login("dealer2@demo.local").await;
    let (status, _) = dealer2
        .send("GET", "/api/dealers/dealer-1/accountants", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_revoked_accountants_session_stops_working_and_its_link_is_dead() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let accountant = server.login("accountant1@demo.local").await;
    let (status, _) = accountant.send("GET", "/api/notifications", None).await;
    assert_eq!(status, StatusCode::OK);
    // Another dealer may not revoke it; the dealer's own staff may.
    let dealer2 = server.login("dealer2@demo.local").await;
    let (status, _) = dealer2
        .send(
            "DELETE",
            "/api/dealers/dealer-1/accountants/user-accountant1",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = dealer
        .send(
            "DELETE",
            "/api/dealers/dealer-1/accountants/user-accountant1",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = accountant.send("GET", "/api/notifications", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A dealer user is no accountant: revoking one is a 404.
    let (status, _) = dealer
        .send(
            "DELETE",
            "/api/dealers/dealer-1/accountants/user-dealer1",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A pending invitation revoked: its link leads nowhere.
    let invited = invite(&dealer, "late@dealer1.example").await;
    let link = invitation_link(&server, "late@dealer1.example").await;
    let id = invited["id"].as_str().unwrap();
    let (status, _) = dealer
        .send(
            "DELETE",
            &format!("/api/dealers/dealer-1/accountants/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = browser::get(&browser::browser(), &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_invitation_needs_a_real_e_mail_a_name_and_a_free_address() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, body) = dealer
        .send(
            "POST",
            "/api/dealers/dealer-1/accountants",
            Some(json!({"email": "not-an-email"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "name"]);
    let (status, body) = dealer
        .send(
            "POST",
            "/api/dealers/dealer-1/accountants",
            Some(json!({"email": "dealer2@demo.local", "name": "Чужой"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Пользователь с таким e-mail уже есть."
    );
    // An account manager does not manage a dealer's people; an admin does.
    let manager = server.login("manager@demo.local").await;
    let (status, _) = manager
        .send("GET", "/api/dealers/dealer-1/accountants", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let admin = server.login("admin@demo.local").await;
    let (status, list) = admin
        .send("GET", "/api/dealers/dealer-1/accountants", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["items"][0]["email"], "accountant1@demo.local");
}
