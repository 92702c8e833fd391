//! Notices: written with the change that causes them, delivered once by the outbox job,
//! readable in the local mailbox.

use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::TestServer;
use reqwest::StatusCode;

#[tokio::test]
async fn each_move_is_mailed_once_to_the_side_that_must_act() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Новость об акции").await;
    let (status, asked) = specialist
        .act(&ticket, "ask_info", Some("Какой раздел сайта?"))
        .await;
    assert_eq!(status, StatusCode::OK);

    let state = &server.state;
    let dir = state.mailer.mailbox().expect("local mailbox").to_path_buf();
    assert!(
        read_mailbox(&dir).is_empty(),
        "nothing is sent before the job runs"
    );

    let now = state.clock.now();
    let first = jobs::run(state, Job::Outbox, now).await.unwrap();
    assert_eq!(first.done, 2, "{first:?}");
    let again = jobs::run(state, Job::Outbox, now).await.unwrap();
    assert_eq!(again.done, 0, "a second run sends nothing");

    let mails = read_mailbox(&dir);
    assert_eq!(mails.len(), 2);
    let to_dealer = mails
        .iter()
        .find(|m| m.email.to == ["dealer1@demo.local"])
        .expect("the dealer is told");
    assert!(
        to_dealer.email.subject.contains("Запросить информацию"),
        "{}",
        to_dealer.email.subject
    );
    assert!(to_dealer.email.text.contains("Какой раздел сайта?"));
    assert!(
        to_dealer
            .email
            .text
            .contains(&format!("/tickets/{}", ticket["id"].as_str().unwrap()))
    );
    let to_team = mails
        .iter()
        .find(|m| m.email.to == ["specialist@demo.local"])
        .expect("the team hears of a new ticket");
    assert!(to_team.email.subject.contains("новое обращение"));

    // The dealer answers: the specialist who asked is told, nobody else.
    let (status, _) = dealer.act(&asked, "answer", Some("Раздел «Новости»")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jobs::run(state, Job::Outbox, now).await.unwrap().done, 1);
    let mails = read_mailbox(&dir);
    let answer = mails
        .iter()
        .find(|m| m.email.text.contains("Раздел «Новости»"))
        .expect("answer mailed");
    assert_eq!(answer.email.to, ["specialist@demo.local"]);

    // The local mailbox page shows them — to the admin only: the letters hold every address
    // and ticket of the network.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/dev/mail", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["location"], "/login");
    let url = format!("{}/dev/mail", server.base);
    for who in ["dealer1@demo.local", "specialist@demo.local"] {
        let (status, _) = browser::get(&browser::log_in(&server, who).await, &url).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, page) =
        browser::get(&browser::log_in(&server, "admin@demo.local").await, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Отправленные письма"));
    assert!(page.contains("Какой раздел сайта?"));
}

#[tokio::test]
async fn a_refused_move_sends_nothing() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Новость").await;
    let (status, _) = dealer.act(&ticket, "accept", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let report = jobs::run(&server.state, Job::Outbox, server.state.clock.now())
        .await
        .unwrap();
    assert_eq!(report.done, 1, "only the creation notice");
}
