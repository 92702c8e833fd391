//! Processing control of leads end to end (SPEC §4.4, §4.2): the dealers' working hours and
//! who edits them, the head office's routing rules and who edits them, the 2 h / 4 h
//! escalations of the Vladivostok dealer across a weekend and a holiday, and the
//! representative's live view of overdue leads.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use dealerdesk_app::AppState;
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::lead::{Intake, LeadIntake, create, save_change};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_domain::lead::{
    ContactOutcome, Lead, LeadChange, LeadField, LeadSource, LeadType, NewLead, NoContactReason,
    Origin, normalise_email, normalise_phone,
};
use dealerdesk_domain::{Actor, DealerId, NetworkId, Role, UserId};
use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::TestServer;
use dealerdesk_store::LeadRepo;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A wall-clock time in Vladivostok (UTC+10 all year) as UTC.
fn vl(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(10 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A pre-order posted on «Автоцентр Восток»'s own site at the server's "now" (the intake's
/// create path: routing, observer, customer profile, notices, the escalation index).
pub(crate) async fn vostok_lead(state: &AppState, name: &str, phone: &str) -> Lead {
    let new = NewLead {
        kind: LeadType::Preorder,
        name: name.to_string(),
        surname: Some("Тихоокеанский".to_string()),
        phone: normalise_phone(phone),
        email: normalise_email(&format!("{}@example.ru", phone.trim_start_matches('+'))),
        city: Some("Владивосток".to_string()),
        chosen_dealer: None,
        model: Some("X-Trail".to_string()),
        version: None,
        trim: None,
        price: None,
        source: None,
        utm: Default::default(),
        consent: None,
    };
    let intake = LeadIntake {
        network: NetworkId::new("network-demo"),
        origin: Origin::DealerSite(DealerId::new("dealer-4")),
        source: LeadSource::Site,
        new,
        idempotency: None,
    };
    match create(state, intake).await.expect("lead is created") {
        Intake::Created(lead) => lead,
        Intake::Replayed(_) => panic!("a new post is not a replay"),
    }
}

/// The dealer's staff of «Автоцентр Восток», as the card acts for them.
fn vostok_staff() -> Actor {
    Actor {
        user_id: UserId::new("user-dealer4"),
        role: Role::Dealer,
        dealer_id: Some(DealerId::new("dealer-4")),
    }
}

/// Runs the escalation job at `at` and returns how many notices it enqueued.
async fn escalate(state: &AppState, at: DateTime<Utc>) -> usize {
    let report = jobs::run(state, Job::LeadEscalations, at)
        .await
        .expect("the job runs");
    assert_eq!(report.failed, 0, "{report:?}");
    report.done
}

/// Mon–Sat 09:00–20:00 in Vladivostok, Sunday closed («Автоцентр Восток»).
fn vostok_hours() -> Value {
    let day = json!({"open": "09:00", "close": "20:00"});
    json!({
        "tz": "Asia/Vladivostok",
        "week": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": null},
        "shortened_by_minutes": 60,
    })
}

#[tokio::test]
async fn an_admin_sets_a_dealers_hours_in_its_own_time_zone() {
    let server = TestServer::start().await;
    let admin = server.login("admin@demo.local").await;
    // The demo's showroom hours: Monday to Saturday 09:00–20:00 in the dealer's own zone.
    let (status, before) = admin.send("GET", "/api/dealers/dealer-3/hours", None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["saved"], true);
    assert_eq!(before["tz"], "Asia/Yekaterinburg");
    assert_eq!(before["week"][0]["open"], "09:00");
    assert_eq!(before["week"][5]["close"], "20:00");
    assert_eq!(before["week"][6]["open"], Value::Null);

    // Weekdays 10:00–19:00 from now on; Saturday closed.
    let day = json!({"open": "10:00", "close": "19:00"});
    let hours = json!({
        "tz": "Asia/Yekaterinburg",
        "week": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
        "shortened_by_minutes": 30,
    });
    let (status, after) = admin
        .send("PUT", "/api/dealers/dealer-3/hours", Some(hours))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["saved"], true);
    assert_eq!(after["tz_label"], "Екатеринбург (МСК+2)");
    assert_eq!(after["week"][0]["open"], "10:00");
    assert_eq!(after["week"][5]["label"], "Суббота");
    assert_eq!(after["week"][5]["open"], Value::Null);
    assert_eq!(after["shortened_by_minutes"], 30);
    let (_, again) = admin.send("GET", "/api/dealers/dealer-3/hours", None).await;
    assert_eq!(again, after);

    // A dealer nobody set hours for works the platform's day in its own zone.
    use dealerdesk_store::{DealerRecord, DirectoryRepo};
    server
        .state
        .store
        .put_dealer(&DealerRecord {
            id: DealerId::new("dealer-west"),
            network_id: NetworkId::new("network-demo"),
            name: "Автоцентр Запад".into(),
            city: "Калининград".into(),
            timezone: "Europe/Kaliningrad".into(),
            account_manager_id: None,
        })
        .await
        .expect("dealer");
    let (status, west) = admin
        .send("GET", "/api/dealers/dealer-west/hours", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{west}");
    assert_eq!(west["saved"], false);
    assert_eq!(west["tz_label"], "Калининград (МСК−1)");
    assert_eq!(west["week"][4]["close"], "18:00");
    assert_eq!(west["week"][5]["open"], Value::Null);
}

#[tokio::test]
async fn hours_that_cannot_be_are_refused_field_by_field_in_russian() {
    let server = TestServer::start().await;
    let admin = server.login("admin@demo.local").await;
    let body = json!({
        "tz": "Europe/Berlin",
        "week": {"mon": {"open": "20:00", "close": "09:00"}, "tue": {"open": "09:00"}},
        "shortened_by_minutes": 600,
    });
    let (_, before) = admin.send("GET", "/api/dealers/dealer-1/hours", None).await;
    let (status, e) = admin
        .send("PUT", "/api/dealers/dealer-1/hours", Some(body))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "tz",
            "week.mon.close",
            "week.tue.close",
            "shortened_by_minutes"
        ]
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("от Калининграда до Камчатки"),
        "{e}"
    );
    let (status, e) = admin
        .send(
            "PUT",
            "/api/dealers/dealer-1/hours",
            Some(json!({"tz": "Europe/Moscow", "week": {"someday": null}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Nothing was saved.
    let (_, hours) = admin.send("GET", "/api/dealers/dealer-1/hours", None).await;
    assert_eq!(hours, before);
}

#[tokio::test]
async fn only_admins_and_the_dealers_own_account_manager_edit_its_hours() {
    let server = TestServer::start().await;
    let admin = server.login("admin@demo.local").await;
    let (_, three_before) = admin.send("GET", "/api/dealers/dealer-3/hours", None).await;
    // The account manager looks after dealers 1, 2 and 4, not dealer 3.
    let manager = server.login("manager@demo.local").await;
    let (status, _) = manager
        .send("PUT", "/api/dealers/dealer-1/hours", Some(vostok_hours()))
        .await;
    assert_eq!(status, StatusCode::OK);
    for (method, body) in [("GET", None), ("PUT", Some(vostok_hours()))] {
        let (status, e) = manager
            .send(method, "/api/dealers/dealer-3/hours", body)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}: {e}");
        assert_eq!(e["error"]["code"], "not_found");
    }
    let (status, _) = manager
        .send("GET", "/api/dealers/no-such-dealer/hours", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for who in [
        "dealer1@demo.local",
        "rep@demo.local",
        "brand@demo.local",
        "specialist@demo.local",
        "accountant1@demo.local",
    ] {
        let api = server.login(who).await;
        for (method, body) in [("GET", None), ("PUT", Some(vostok_hours()))] {
            let (status, e) = api.send(method, "/api/dealers/dealer-1/hours", body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who} {method}: {e}");
        }
    }
    let (status, _) = server
        .anonymous()
        .send("GET", "/api/dealers/dealer-1/hours", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // What the dealer's own manager saved holds; the dealer 3's hours are untouched.
    let (_, one) = admin.send("GET", "/api/dealers/dealer-1/hours", None).await;
    assert_eq!(one["tz"], "Asia/Vladivostok");
    let (_, three) = admin.send("GET", "/api/dealers/dealer-3/hours", None).await;
    assert_eq!(three, three_before);
}

/// A form's owned fields as `post` takes them.
fn as_refs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn the_account_manager_edits_hours_on_the_portal_page() {
    let server = TestServer::start().await;
    let manager = log_in(&server, "manager@demo.local").await;
    // The menu leads to the dealers they look after.
    let (_, home) = get(&manager, &format!("{}/", server.base)).await;
    assert!(home.contains("href=\"/dealers/hours\""), "{home}");
    let (status, list) = get(&manager, &format!("{}/dealers/hours", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    for mine in ["Автоцентр Север", "Автоцентр Юг", "Автоцентр Восток"]
    {
        assert!(list.contains(mine), "{mine}: {list}");
    }
    assert!(!list.contains("Автоцентр Урал"));
    let url = format!("{}/dealers/dealer-2/hours", server.base);
    let (status, page) = get(&manager, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Часы работы"), "{page}");
    assert!(page.contains("Автоцентр Юг"));
    assert!(page.contains("Камчатка (МСК+9)"));
    let csrf = hidden(&page, "csrf");
    let form = |tz: &str| {
        let mut fields = vec![
            ("csrf".to_string(), csrf.clone()),
            ("tz".to_string(), tz.to_string()),
            ("shortened_by_minutes".to_string(), "60".to_string()),
        ];
        for day in ["mon", "tue", "wed", "thu", "fri"] {
            fields.push((format!("week.{day}.open"), "08:30".to_string()));
            fields.push((format!("week.{day}.close"), "19:00".to_string()));
        }
        fields
    };
    let samara = form("Europe/Samara");
    let (status, path, saved) = post(&manager, &url, &as_refs(&samara)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(path, "/dealers/dealer-2/hours");
    assert!(saved.contains("Часы работы сохранены."), "{saved}");
    assert!(saved.contains("value=\"08:30\""));
    assert!(
        saved.contains(" selected>Самара (МСК+1)</option>"),
        "{saved}"
    );

    // A refused form comes back with the message and the values typed.
    let no_zone = form("");
    let (status, _, refused) = post(&manager, &url, &as_refs(&no_zone)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.contains("Выберите часовой пояс дилерского центра."));
    assert!(refused.contains("value=\"19:00\""));

    // Another manager's dealer is not found; a dealer's staff may not see the page.
    let (status, _) = get(&manager, &format!("{}/dealers/dealer-3/hours", server.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let dealer = log_in(&server, "dealer2@demo.local").await;
    let (status, _) = get(&dealer, &url).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = get(&dealer, &format!("{}/dealers/hours", server.base)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The head office's rules of the demo network: a city, a region, a default dealer and an
/// assignment.
fn rules(version: &Value) -> Value {
    json!({
        "cities": [{"city": "Екатеринбург", "dealer_id": "dealer-3"}],
        "regions": [{"region": "Краснодарский край", "dealer_id": "dealer-2"}],
        "default_dealer_id": "dealer-1",
        "assignments": [{"dealer_id": "dealer-3", "direction": "service", "rep_id": "user-rep"}],
        "version": version,
    })
}

#[tokio::test]
async fn the_head_office_edits_the_routing_rules_against_the_version_it_saw() {
    let server = TestServer::start().await;
    let brand = server.login("brand@demo.local").await;
    let (status, before) = brand.send("GET", "/api/leads/network", None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let version = before["version"].clone();
    assert!(
        before["representatives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "user-rep"),
        "{before}"
    );

    let (status, after) = brand
        .send("PUT", "/api/leads/network", Some(rules(&version)))
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["version"], version.as_u64().unwrap() + 1);
    assert_eq!(after["cities"][0]["place"], "Екатеринбург");
    assert_eq!(after["cities"][0]["dealer_name"], "Автоцентр Урал");
    assert_eq!(after["regions"][0]["place"], "Краснодарский край");
    assert_eq!(after["default_dealer_id"], "dealer-1");
    let assignment = after["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["dealer_id"] == "dealer-3" && a["direction"] == "service")
        .cloned()
        .unwrap_or_else(|| panic!("{after}"));
    assert_eq!(assignment["rep_id"], "user-rep");
    assert_eq!(assignment["direction_label"], "Сервис");
    assert!(after["updated_by_name"].is_string());

    // A second save on the version seen before is stale: 409, nothing changes.
    let mut stale = rules(&version);
    stale["default_dealer_id"] = json!("dealer-2");
    let (status, e) = brand.send("PUT", "/api/leads/network", Some(stale)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    let (_, now) = brand.send("GET", "/api/leads/network", None).await;
    assert_eq!(now["default_dealer_id"], "dealer-1");

    // The platform operator may edit them too.
    let admin = server.login("admin@demo.local").await;
    let (status, _) = admin
        .send("PUT", "/api/leads/network", Some(rules(&now["version"])))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_rule_naming_an_unknown_dealer_or_a_non_representative_is_refused() {
    let server = TestServer::start().await;
    let brand = server.login("brand@demo.local").await;
    let (_, before) = brand.send("GET", "/api/leads/network", None).await;
    let mut bad = rules(&before["version"]);
    bad["cities"][0]["dealer_id"] = json!("dealer-99");
    bad["assignments"][0]["rep_id"] = json!("user-manager");
    let (status, e) = brand.send("PUT", "/api/leads/network", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains("дилера «dealer-99» нет в сети"), "{e}");
    assert!(message.contains("не региональный представитель"), "{e}");
    let (_, after) = brand.send("GET", "/api/leads/network", None).await;
    assert_eq!(after["version"], before["version"]);

    let (status, e) = brand
        .send("PUT", "/api/leads/network", Some(json!({"cities": []})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["error"]["code"], "version_required");
}

#[tokio::test]
async fn representatives_dealers_and_account_managers_may_not_edit_the_rules() {
    let server = TestServer::start().await;
    for who in [
        "rep@demo.local",
        "dealer1@demo.local",
        "manager@demo.local",
        "specialist@demo.local",
    ] {
        let api = server.login(who).await;
        let (status, e) = api.send("GET", "/api/leads/network", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {e}");
        let (status, e) = api
            .send("PUT", "/api/leads/network", Some(rules(&json!(0))))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {e}");
        let browser = log_in(&server, who).await;
        let (status, _) = get(&browser, &format!("{}/leads/network", server.base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
}

#[tokio::test]
async fn the_head_office_assigns_a_representative_on_the_rules_page() {
    let server = TestServer::start().await;
    let brand = log_in(&server, "brand@demo.local").await;
    let url = format!("{}/leads/network", server.base);
    let (status, page) = get(&brand, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Правила распределения"), "{page}");
    assert!(page.contains("href=\"/leads/network\""), "the menu has it");
    assert!(page.contains("Приморский край"));
    // The demo's rules are in the form: Владивосток goes to «Автоцентр Восток».
    assert!(page.contains("value=\"Владивосток\""), "{page}");
    let csrf = hidden(&page, "csrf");
    let version = hidden(&page, "version");
    let (status, path, saved) = post(
        &brand,
        &url,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("city_0", "Краснодар"),
            ("city_dealer_0", "dealer-2"),
            ("region_0", "Свердловская область"),
            ("region_dealer_0", "dealer-3"),
            ("default_dealer_id", "dealer-1"),
            ("rep__dealer-1__parts", "user-rep"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(path, "/leads/network");
    assert!(saved.contains("Правила сохранены."), "{saved}");
    assert!(saved.contains("value=\"Краснодар\""));
    let api = server.login("brand@demo.local").await;
    let (_, rules) = api.send("GET", "/api/leads/network", None).await;
    assert!(
        rules["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["dealer_id"] == "dealer-1" && a["direction"] == "parts"),
        "{rules}"
    );
    // The old version is stale now: the page says so.
    let (status, _, refused) = post(
        &brand,
        &url,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("default_dealer_id", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(refused.contains("уже изменил кто-то другой"), "{refused}");
}

#[tokio::test]
async fn every_demo_dealers_city_is_in_the_reference_table_with_its_region() {
    use dealerdesk_domain::lead::CityTable;
    use dealerdesk_store::DirectoryRepo;
    let server = TestServer::start().await;
    let cities = CityTable::embedded();
    let dealers = server.state.store.dealers().await.expect("dealers");
    assert!(dealers.len() >= 3);
    for dealer in dealers {
        let city = cities
            .lookup(&dealer.city)
            .unwrap_or_else(|| panic!("{} ({}) is not in cities.csv", dealer.city, dealer.name));
        assert!(!city.region.is_empty());
    }
}

#[tokio::test]
async fn a_vladivostok_lead_escalates_after_two_and_four_working_hours_across_a_weekend_and_a_holiday()
 {
    // Saturday 7 March 2026, 19:00 in Vladivostok: an hour left of the showroom's Saturday.
    // Sunday 8 March is a holiday, Monday 9 March its transferred day off: the clock runs on
    // from Tuesday 09:00 — 2 working hours at 10:00, 4 at 12:00.
    let server = TestServer::start_at(vl(2026, 3, 7, 19, 0)).await;
    let state = &server.state;
    let lead = vostok_lead(state, "Ольга", "+7 914 555-01-01").await;
    assert_eq!(lead.observer(), Some(&UserId::new("user-rep2")));

    for quiet in [
        vl(2026, 3, 7, 19, 59),
        vl(2026, 3, 8, 12, 0),
        vl(2026, 3, 9, 12, 0),
        vl(2026, 3, 10, 9, 59),
    ] {
        assert_eq!(escalate(state, quiet).await, 0, "nothing due at {quiet}");
    }
    // Tuesday 10:00 (the server's clock ran on a moment while the lead was posted): the
    // dealer is told — once, however often the job runs.
    assert_eq!(escalate(state, vl(2026, 3, 10, 10, 1)).await, 1);
    assert_eq!(escalate(state, vl(2026, 3, 10, 10, 1)).await, 0);
    assert_eq!(escalate(state, vl(2026, 3, 10, 11, 59)).await, 0);
    // 12:00: its representative.
    assert_eq!(escalate(state, vl(2026, 3, 10, 12, 1)).await, 1);
    for later in [
        vl(2026, 3, 10, 12, 5),
        vl(2026, 3, 11, 12, 0),
        vl(2026, 4, 1, 12, 0),
    ] {
        assert_eq!(escalate(state, later).await, 0, "nothing more at {later}");
    }

    // Both steps are on the lead's history, written by the platform.
    let (stored, history) = state
        .store
        .lead_with_history(lead.id())
        .await
        .unwrap()
        .expect("the lead");
    assert_eq!(stored.escalated().len(), 2);
    let steps: Vec<_> = history
        .iter()
        .filter(|h| h.field == LeadField::Escalation)
        .collect();
    assert_eq!(steps.len(), 2, "{history:?}");
    assert!(steps.iter().all(|h| h.by.is_none()));
    // Nothing owed any more: the lead has left the due index.
    let due = state
        .store
        .leads_to_escalate(vl(2027, 1, 1, 0, 0))
        .await
        .unwrap();
    assert!(due.iter().all(|l| l.id() != lead.id()));

    // The letters: the dealer's staff, then the observing representative.
    jobs::run(state, Job::Outbox, vl(2026, 3, 10, 12, 1))
        .await
        .unwrap();
    let mails = read_mailbox(state.mailer.mailbox().expect("local mailbox"));
    let letter = |step: &str| {
        let key = format!("lead:{}:escalation:{step}", lead.id());
        let found: Vec<_> = mails.iter().filter(|m| m.key == key).collect();
        assert_eq!(
            found.len(),
            1,
            "{key} in {:?}",
            mails.iter().map(|m| &m.key).collect::<Vec<_>>()
        );
        found[0].clone()
    };
    let dealer = letter("dealer_2h");
    assert_eq!(dealer.email.to, ["dealer4@demo.local"]);
    assert!(
        dealer.email.subject.contains("2 рабочих часа"),
        "{}",
        dealer.email.subject
    );
    assert!(
        dealer.email.text.contains("Ольга Тихоокеанский"),
        "{}",
        dealer.email.text
    );
    let rep = letter("observer_4h");
    assert_eq!(rep.email.to, ["rep2@demo.local"]);
    assert!(
        rep.email.subject.contains("Автоцентр Восток"),
        "{}",
        rep.email.subject
    );
}

#[tokio::test]
async fn contact_yes_or_a_refusal_ends_the_clock_and_the_overdue_view_shows_the_rest() {
    let server = TestServer::start_at(vl(2026, 3, 7, 19, 0)).await;
    let state = &server.state;
    let reached = vostok_lead(state, "Анна", "+7 914 555-02-02").await;
    let refused = vostok_lead(state, "Борис", "+7 914 555-03-03").await;
    let unreached = vostok_lead(state, "Вера", "+7 914 555-04-04").await;

    // Tuesday 09:30: the dealer reaches Анна, Борис declines, Вера does not answer.
    let at = vl(2026, 3, 10, 9, 30);
    server.state.clock.set(at);
    let me = vostok_staff();
    for (lead, outcome) in [
        (&reached, ContactOutcome::Yes),
        (
            &refused,
            ContactOutcome::No {
                reason: NoContactReason::CustomerDeclined,
                text: None,
            },
        ),
        (
            &unreached,
            ContactOutcome::No {
                reason: NoContactReason::NoAnswer,
                text: None,
            },
        ),
    ] {
        let (after, history) = lead
            .apply(&me, &[LeadChange::Contact(outcome)], at)
            .expect("the dealer records the contact");
        save_change(state, lead, &after, &history, &[])
            .await
            .expect("saved");
    }
    // At 12:00 only Вера's lead is owed both steps: sent together by a late run.
    assert_eq!(escalate(state, vl(2026, 3, 10, 12, 1)).await, 2);
    assert_eq!(escalate(state, vl(2026, 3, 10, 12, 1)).await, 0);
    for lead in [&reached, &refused] {
        let stored = state.store.lead(lead.id()).await.unwrap().unwrap();
        assert!(stored.escalated().is_empty(), "{:?}", stored.status());
    }

    // The live view: the observing representative sees Вера's lead under the dealer.
    server.state.clock.set(vl(2026, 3, 10, 12, 30));
    let rep2 = server.login("rep2@demo.local").await;
    let (status, overdue) = rep2.send("GET", "/api/leads/overdue", None).await;
    assert_eq!(status, StatusCode::OK, "{overdue}");
    assert_eq!(overdue["total"], 1, "{overdue}");
    assert_eq!(overdue["groups"][0]["dealer_name"], "Автоцентр Восток");
    let row = &overdue["groups"][0]["leads"][0];
    assert_eq!(row["id"], unreached.id().as_str());
    assert_eq!(row["status_label"], "Не обработан");
    assert!(
        row["overdue_since"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-10T00:00:"),
        "{row}"
    );
    assert_eq!(row["escalated"], json!(["dealer_2h", "observer_4h"]));
    // The other representative observes other directions of the dealer: nothing for them.
    let rep = server.login("rep@demo.local").await;
    let (_, theirs) = rep.send("GET", "/api/leads/overdue", None).await;
    assert!(
        theirs["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["dealer_id"] != "dealer-4"),
        "{theirs}"
    );
    // The head office sees the network's; an accountant none at all.
    let brand = server.login("brand@demo.local").await;
    let (_, all) = brand.send("GET", "/api/leads/overdue", None).await;
    assert_eq!(all["total"], 1, "{all}");
    let accountant = server.login("accountant1@demo.local").await;
    let (status, _) = accountant.send("GET", "/api/leads/overdue", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The dealer of another network region sees none of Восток's leads.
    let dealer1 = server.login("dealer1@demo.local").await;
    let (_, own) = dealer1.send("GET", "/api/leads/overdue", None).await;
    assert_eq!(own["total"], 0, "{own}");

    let browser = log_in(&server, "rep2@demo.local").await;
    let (status, page) = get(&browser, &format!("{}/leads/overdue", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Просроченные заявки"));
    assert!(page.contains("Тихоокеанский Вера"), "{page}");
    assert!(!page.contains("Тихоокеанский Анна"));
}

#[tokio::test]
async fn new_hours_move_the_clock_of_the_leads_already_waiting() {
    // «Автоцентр Восток» closed on Saturdays for a while: a lead of Saturday 14 March 2026,
    // 10:00 would wait until Monday 11:00.
    let server = TestServer::start_at(vl(2026, 3, 13, 12, 0)).await;
    let state = &server.state;
    let admin = server.login("admin@demo.local").await;
    let mut weekdays = vostok_hours();
    weekdays["week"]["sat"] = Value::Null;
    let (status, _) = admin
        .send("PUT", "/api/dealers/dealer-4/hours", Some(weekdays))
        .await;
    assert_eq!(status, StatusCode::OK);
    server.state.clock.set(vl(2026, 3, 14, 10, 0));
    let lead = vostok_lead(state, "Глеб", "+7 914 555-05-05").await;
    assert_eq!(escalate(state, vl(2026, 3, 14, 12, 1)).await, 0);

    // The account manager opens Saturdays again: two working hours are up at 12:00 today.
    let manager = server.login("manager@demo.local").await;
    let (status, _) = manager
        .send("PUT", "/api/dealers/dealer-4/hours", Some(vostok_hours()))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(escalate(state, vl(2026, 3, 14, 12, 1)).await, 1);
    let stored = state.store.lead(lead.id()).await.unwrap().unwrap();
    assert_eq!(stored.escalated().len(), 1);
    assert_eq!(
        stored.version(),
        lead.version() + 1,
        "re-indexing left the lead as it was"
    );
}
