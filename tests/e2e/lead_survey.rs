//! The customer survey (SPEC §4.5) and the customer's personal data (152-ФЗ), end to end:
//! the job that mails the survey a day after the lead, the public page behind the signed
//! link, the answer on the lead and the profile, the observer's alert, and the admin's
//! anonymisation.

use chrono::{DateTime, Duration, TimeZone, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_app::mail::{StoredMail, read_mailbox};
use dealerdesk_domain::lead::{
    ANONYMOUS_NAME, CustomerId, Lead, LeadDraft, LeadField, LeadId, LeadSource, Origin,
    SurveyAnswer,
};
use dealerdesk_domain::{DealerId, NetworkId, UserId};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::TestServer;
use dealerdesk_store::{CustomerRepo, LeadRepo};
use reqwest::StatusCode;
use serde_json::Value;

/// Tuesday 3 March 2026, 10:00 in Vladivostok.
fn tuesday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap()
}

fn draft(phone: &str, email: Option<&str>) -> LeadDraft {
    LeadDraft {
        kind: Some("test_drive".into()),
        name: Some("Иван".into()),
        surname: Some("Петров".into()),
        phone: Some(phone.into()),
        email: email.map(str::to_string),
        model: Some("X-Trail".into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    }
}

/// A lead posted from the site of `dealer` now (on the server's clock).
async fn post_lead(server: &TestServer, dealer: &str, draft: LeadDraft) -> Lead {
    let intake = LeadIntake {
        network: NetworkId::new("network-demo"),
        origin: Origin::DealerSite(DealerId::new(dealer)),
        source: LeadSource::Site,
        new: draft.validate().expect("a valid lead"),
        idempotency: None,
    };
    lead::create(&server.state, intake)
        .await
        .expect("the lead is stored")
        .lead()
        .clone()
}

async fn stored(server: &TestServer, id: &LeadId) -> Lead {
    server.state.store.lead(id).await.unwrap().expect("stored")
}

async fn run(server: &TestServer, job: Job, at: DateTime<Utc>) -> usize {
    jobs::run(&server.state, job, at).await.unwrap().done
}

fn mails(server: &TestServer) -> Vec<StoredMail> {
    read_mailbox(server.state.mailer.mailbox().expect("local mailbox"))
}

/// The survey letters sent so far.
fn invitations(server: &TestServer) -> Vec<StoredMail> {
    mails(server)
        .into_iter()
        .filter(|m| m.key.ends_with(":survey:invite"))
        .collect()
}

/// The page's address on this server, from the link in the letter.
fn survey_url(server: &TestServer, mail: &StoredMail) -> String {
    let at = mail.email.text.find("/s/").expect("a survey link");
    let path: String = mail.email.text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    format!("{}{path}", server.base)
}

/// A lead of dealer 4 whose survey letter went out (a day later) and its page's address.
async fn surveyed_lead(server: &TestServer) -> (Lead, String) {
    let lead = post_lead(
        server,
        "dealer-4",
        draft("8 (914) 123-45-67", Some("ivan@mail.ru")),
    )
    .await;
    let day_later = lead.created_at() + Duration::hours(24) + Duration::minutes(1);
    assert_eq!(run(server, Job::LeadSurveys, day_later).await, 1);
    run(server, Job::Outbox, day_later).await;
    let mail = invitations(server).pop().expect("the survey letter");
    (lead, survey_url(server, &mail))
}

#[tokio::test]
async fn the_survey_goes_to_the_customer_a_day_after_the_lead_once() {
    let server = TestServer::start_at(tuesday()).await;
    let lead = post_lead(
        &server,
        "dealer-4",
        draft("8 (914) 123-45-67", Some("Ivan@Mail.ru")),
    )
    .await;
    let created = lead.created_at();
    // No e-mail, no survey.
    post_lead(&server, "dealer-4", draft("+7 914 765 43 21", None)).await;

    let almost = created + Duration::hours(23) + Duration::minutes(59);
    assert_eq!(
        run(&server, Job::LeadSurveys, almost).await,
        0,
        "not before 24 h"
    );
    run(&server, Job::Outbox, almost).await;
    assert!(invitations(&server).is_empty());

    let day = created + Duration::hours(24) + Duration::seconds(1);
    assert_eq!(run(&server, Job::LeadSurveys, day).await, 1);
    assert_eq!(run(&server, Job::LeadSurveys, day).await, 0, "once");
    assert_eq!(
        run(&server, Job::LeadSurveys, day + Duration::days(3)).await,
        0,
        "once, however often the job runs"
    );
    run(&server, Job::Outbox, day).await;
    let sent = invitations(&server);
    assert_eq!(sent.len(), 1);
    let letter = &sent[0].email;
    assert_eq!(letter.to, ["ivan@mail.ru"]);
    assert!(
        letter.subject.contains("Как с вами связался дилер?"),
        "{}",
        letter.subject
    );
    assert!(
        letter.text.contains("Здравствуйте, Иван Петров!"),
        "{}",
        letter.text
    );
    assert!(letter.text.contains("/s/"), "{}", letter.text);
    // HTML escapes the slashes of the link in its attribute; a mail client reads them back.
    assert!(
        letter.html.replace("&#x2f;", "/").contains("/s/"),
        "{}",
        letter.html
    );
    // Sending the letter changed nothing on the lead.
    assert_eq!(stored(&server, lead.id()).await, lead);
}

#[tokio::test]
async fn opening_the_link_records_nothing_and_it_records_one_answer_only() {
    let server = TestServer::start_at(tuesday()).await;
    let (lead, url) = surveyed_lead(&server).await;
    let b = browser::browser();

    // A mail scanner opens the link, then the customer does: nothing is recorded.
    for _ in 0..2 {
        let r = b.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
        let page = r.text().await.unwrap();
        for label in [
            "Дилер не связался",
            "Дилер связался, но обслуживание не устраивает",
            "Дилер связался, обслуживание устраивает",
            "Комментарий",
            "Автоцентр Восток",
            "name=\"viewport\"",
        ] {
            assert!(page.contains(label), "{label} missing:\n{page}");
        }
        assert!(!page.contains("<script"), "no script on the page");
        assert!(!page.contains("None"), "an empty comment box is empty");
        assert!(!page.contains("Петров"), "the page shows no personal data");
    }
    assert_eq!(
        stored(&server, lead.id()).await,
        lead,
        "a GET records nothing"
    );

    // A post without an answer shows the form again.
    let (status, _, page) = browser::post(&b, &url, &[("comment", "Так себе")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Выберите ответ."), "{page}");
    assert!(page.contains("Так себе"), "what was typed stays");
    assert!(stored(&server, lead.id()).await.survey().is_none());

    let (status, _, page) = browser::post(
        &b,
        &url,
        &[
            ("answer", "happy"),
            ("comment", "Позвонили через час, спасибо"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Спасибо за ответ!"));

    let (after, history) = server
        .state
        .store
        .lead_with_history(lead.id())
        .await
        .unwrap()
        .unwrap();
    let survey = after.survey().expect("the answer is on the lead");
    assert_eq!(survey.answer, SurveyAnswer::Happy);
    assert_eq!(
        survey.comment.as_deref(),
        Some("Позвонили через час, спасибо")
    );
    let line = history
        .iter()
        .find(|h| h.field == LeadField::Survey)
        .expect("a history line");
    assert_eq!(
        line.new.as_deref(),
        Some("Дилер связался, обслуживание устраивает: Позвонили через час, спасибо")
    );
    let profile = server
        .state
        .store
        .customer(lead.customer().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        profile.surveys(),
        [(lead.id().clone(), SurveyAnswer::Happy)]
    );

    // The same link again: a clear Russian page, nothing changes.
    let (status, _, page) = browser::post(&b, &url, &[("answer", "no_contact")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Ответ на опрос уже получен"), "{page}");
    let (status, page) = browser::get(&b, &url).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Ответ на опрос уже получен"));
    assert_eq!(stored(&server, lead.id()).await, after);

    // A happy customer alerts nobody.
    run(&server, Job::Outbox, server.state.clock.now()).await;
    assert!(
        !mails(&server)
            .iter()
            .any(|m| m.key.ends_with(":survey:negative"))
    );
}

#[tokio::test]
async fn a_forged_or_expired_link_is_refused_with_a_russian_page() {
    let server = TestServer::start_at(tuesday()).await;
    let (lead, url) = surveyed_lead(&server).await;
    let b = browser::browser();
    let token = url.rsplit('/').next().unwrap().to_string();
    let (payload, _) = token.split_once('.').unwrap();
    let forged = [
        format!("{payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        format!("{payload}."),
        "abc".to_string(),
        "%FF".to_string(),
        "x".repeat(3000),
    ];
    for bad in &forged {
        let bad_url = format!("{}/s/{bad}", server.base);
        let (status, page) = browser::get(&b, &bad_url).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(page.contains("Ссылка на опрос недействительна"), "{page}");
        let (status, _, _) = browser::post(&b, &bad_url, &[("answer", "no_contact")]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // A link made for another lead with this one's signature is a forgery too: the
    // signature covers the lead.
    let other = post_lead(
        &server,
        "dealer-4",
        draft("+7 914 000 11 22", Some("p@mail.ru")),
    )
    .await;
    let (_, signature) = token.split_once('.').unwrap();
    let stolen =
        dealerdesk_app::lead::survey::link(&server.state, other.id(), server.state.clock.now());
    let (other_payload, _) = stolen.rsplit('/').next().unwrap().split_once('.').unwrap();
    let (status, _) = browser::get(
        &b,
        &format!("{}/s/{other_payload}.{signature}", server.base),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A letter older than its link's 30 days.
    let old = dealerdesk_app::lead::survey::link(
        &server.state,
        lead.id(),
        server.state.clock.now() - Duration::days(31),
    );
    let old_url = format!("{}/s/{}", server.base, old.rsplit('/').next().unwrap());
    let (status, page) = browser::get(&b, &old_url).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        page.contains("Срок действия ссылки на опрос истёк"),
        "{page}"
    );
    let (status, _, _) = browser::post(&b, &old_url, &[("answer", "no_contact")]).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        stored(&server, lead.id()).await.survey().is_none(),
        "nothing recorded"
    );
}

#[tokio::test]
async fn a_negative_answer_alerts_the_observer() {
    let server = TestServer::start_at(tuesday()).await;
    let (lead, url) = surveyed_lead(&server).await;
    assert_eq!(
        lead.observer(),
        Some(&UserId::new("user-rep2")),
        "dealer 4's sales"
    );
    let (status, _, page) = browser::post(
        &browser::browser(),
        &url,
        &[
            ("answer", "no_contact"),
            ("comment", "Жду звонка третий день"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("передали его представителю марки"), "{page}");
    run(&server, Job::Outbox, server.state.clock.now()).await;
    let alert = mails(&server)
        .into_iter()
        .find(|m| m.key.ends_with(":survey:negative"))
        .expect("the observer is told");
    assert_eq!(alert.email.to, ["rep2@demo.local"]);
    assert!(
        alert.email.subject.contains("Дилер не связался"),
        "{}",
        alert.email.subject
    );
    assert!(alert.email.text.contains("Жду звонка третий день"));
    assert!(alert.email.text.contains(&format!("/leads/{}", lead.id())));
}

fn customer_of(lead: &Lead) -> CustomerId {
    lead.customer().expect("a profile").clone()
}

#[tokio::test]
async fn an_admin_anonymises_a_customer_and_the_statistics_stay() {
    let server = TestServer::start_at(tuesday()).await;
    let first = post_lead(
        &server,
        "dealer-4",
        draft("8 (914) 123-45-67", Some("ivan@mail.ru")),
    )
    .await;
    let second = post_lead(&server, "dealer-1", draft("+79141234567", None)).await;
    let customer = customer_of(&first);
    assert_eq!(
        second.customer(),
        Some(&customer),
        "one person, one profile"
    );

    let admin = server.login("admin@demo.local").await;
    let path = format!("/api/customers/{customer}/anonymise");
    let (status, body) = admin.send("POST", &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["customer"]["name"], ANONYMOUS_NAME);
    assert_eq!(body["customer"]["anonymised"], true);
    assert_eq!(body["customer"]["phones"], Value::Array(vec![]));
    assert_eq!(body["leads_anonymised"], 2);

    for before in [&first, &second] {
        let (after, history) = server
            .state
            .store
            .lead_with_history(before.id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.person().name, ANONYMOUS_NAME);
        assert_eq!(after.person().surname, None);
        assert_eq!(after.person().phone, None);
        assert_eq!(after.person().email, None);
        assert_eq!(after.keys(), before.keys(), "key properties stay");
        assert_eq!(after.status(), before.status());
        assert_eq!(after.dealer(), before.dealer());
        assert_eq!(after.model(), before.model());
        let line = history.last().expect("an audit line");
        assert_eq!(line.field, LeadField::PersonalData);
        assert_eq!(line.by, Some(UserId::new("user-admin")), "who did it");
        assert!(!format!("{history:?}").contains("Петров"));
    }
    let profile = server
        .state
        .store
        .customer(&customer)
        .await
        .unwrap()
        .unwrap();
    assert!(profile.is_anonymised());
    assert!(profile.identity_keys().is_empty());
    assert_eq!(profile.leads().len(), 2, "the leads stay counted");
    assert_eq!(
        server
            .state
            .store
            .customer_by_key("phone#+79141234567")
            .await
            .unwrap(),
        None,
        "the phone no longer finds the person"
    );

    // The survey never goes to an anonymised customer.
    let later = first.created_at() + Duration::days(2);
    assert_eq!(run(&server, Job::LeadSurveys, later).await, 0);
    run(&server, Job::Outbox, later).await;
    assert!(invitations(&server).is_empty());
    let link =
        dealerdesk_app::lead::survey::link(&server.state, first.id(), server.state.clock.now());
    let url = format!("{}/s/{}", server.base, link.rsplit('/').next().unwrap());
    let (status, page) = browser::get(&browser::browser(), &url).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("Этот опрос закрыт"), "{page}");

    // Twice changes nothing.
    let (status, again) = admin.send("POST", &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["customer"]["version"], body["customer"]["version"]);
}

#[tokio::test]
async fn only_the_admin_anonymises_a_customer() {
    let server = TestServer::start_at(tuesday()).await;
    let lead = post_lead(
        &server,
        "dealer-4",
        draft("8 (914) 123-45-67", Some("ivan@mail.ru")),
    )
    .await;
    let path = format!("/api/customers/{}/anonymise", customer_of(&lead));
    let (status, body) = server.anonymous().send("POST", &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // The lead's own dealer, a foreign dealer, its observer, the brand, support: 403.
    for who in [
        "dealer4@demo.local",
        "dealer1@demo.local",
        "rep2@demo.local",
        "brand@demo.local",
        "specialist@demo.local",
        "manager@demo.local",
    ] {
        let (status, body) = server.login(who).await.send("POST", &path, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert!(body["error"]["message"].as_str().is_some());
    }
    let untouched = stored(&server, lead.id()).await;
    assert_eq!(untouched.person().name, "Иван");

    let admin = server.login("admin@demo.local").await;
    for unknown in ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id"] {
        let (status, body) = admin
            .send("POST", &format!("/api/customers/{unknown}/anonymise"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}: {body}");
    }
}

#[tokio::test]
async fn the_admin_anonymises_from_the_customers_page() {
    let server = TestServer::start_at(tuesday()).await;
    let lead = post_lead(
        &server,
        "dealer-4",
        draft("8 (914) 123-45-67", Some("ivan@mail.ru")),
    )
    .await;
    let url = format!("{}/admin/customers/{}", server.base, customer_of(&lead));

    let dealer = browser::log_in(&server, "dealer4@demo.local").await;
    let (status, _) = browser::get(&dealer, &url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = browser::log_in(&server, "admin@demo.local").await;
    let (status, page) = browser::get(&admin, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Обезличить клиента"), "{page}");
    assert!(page.contains("+7 914 ***-**-67"), "contacts masked: {page}");
    assert!(!page.contains("123-45-67"));
    let csrf = browser::hidden(&page, "csrf");
    let (status, _, page) =
        browser::post(&admin, &format!("{url}/anonymise"), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Персональные данные удалены"), "{page}");
    assert_eq!(
        stored(&server, lead.id()).await.person().name,
        ANONYMOUS_NAME
    );

    // Without the form's token nothing happens.
    let other = post_lead(&server, "dealer-1", draft("+7 900 111 22 33", None)).await;
    let other_url = format!(
        "{}/admin/customers/{}/anonymise",
        server.base,
        customer_of(&other)
    );
    let (status, _, _) = browser::post(&admin, &other_url, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&server, other.id()).await.person().name, "Иван");
}

#[tokio::test]
async fn five_answers_sent_at_once_through_one_link_record_one() {
    let server = TestServer::start_at(tuesday()).await;
    let (lead, url) = surveyed_lead(&server).await;
    let posts = ["happy", "unhappy", "no_contact", "happy", "unhappy"].map(|answer| {
        let url = url.clone();
        tokio::spawn(async move {
            let (status, _, _) =
                browser::post(&browser::browser(), &url, &[("answer", answer)]).await;
            status
        })
    });
    let mut statuses = Vec::new();
    for post in posts {
        statuses.push(post.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    let (_, history) = server
        .state
        .store
        .lead_with_history(lead.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        history
            .iter()
            .filter(|h| h.field == LeadField::Survey)
            .count(),
        1
    );
}
