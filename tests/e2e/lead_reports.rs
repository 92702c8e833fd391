//! The lead reports (SPEC §4.6, issue 11) through HTTP: figures after known lead actions
//! (intake, contact, refusal, contract), a period against another, and who opens which
//! lead report over which dealers.

use chrono::{TimeZone, Utc};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_domain::lead::{LeadDraft, LeadSource, Origin};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::server::{Api, TestServer};
use serde_json::{Value, json};

/// A lead posted on `dealer`'s own site; its id and version.
async fn post_lead(server: &TestServer, dealer: &str, kind: &str, phone: &str) -> String {
    let draft = LeadDraft {
        kind: Some(kind.into()),
        name: Some("Пётр".into()),
        surname: Some("Отчётов".into()),
        phone: Some(phone.into()),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    let made = lead::create(
        &server.state,
        LeadIntake {
            network: NetworkId::new("network-demo"),
            origin: Origin::DealerSite(DealerId::new(dealer)),
            source: LeadSource::Site,
            new: draft.validate().expect("a valid draft"),
            idempotency: None,
        },
    )
    .await
    .expect("lead created");
    made.lead().id().to_string()
}

async fn answer(api: &Api, id: &str, block: &str, body: Value) {
    let (_, card) = api.send("GET", &format!("/api/leads/{id}"), None).await;
    let mut body = body;
    body["version"] = card["lead"]["version"].clone();
    let (status, out) = api
        .send("POST", &format!("/api/leads/{id}/{block}"), Some(body))
        .await;
    assert!(status.is_success(), "{block}: {status} {out}");
}

async fn report(api: &Api, name: &str, query: &str) -> Value {
    let (status, body) = api
        .send("GET", &format!("/api/reports/{name}?{query}"), None)
        .await;
    assert_eq!(status.as_u16(), 200, "{name}?{query}: {body}");
    body
}

/// A value of the row `key` (0 when the row or the value is absent).
fn value(report: &Value, key: &str, column: &str) -> f64 {
    report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == key))
        .and_then(|r| r["values"][column].as_f64())
        .unwrap_or(0.0)
}

const MARCH: &str = "from=2026-03-01&to=2026-03-31";

#[tokio::test]
async fn figures_follow_intake_contact_refusal_and_contract() {
    // Monday 2 March 2026, 10:00 in Moscow.
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await;
    let admin = server.login("admin@demo.local").await;
    let dealer = server.login("dealer1@demo.local").await;
    let by_dealer = format!("{MARCH}&group_by=dealer");
    let before = report(&admin, "leads", &by_dealer).await;
    let refusals_before = report(&admin, "lead_refusals", MARCH).await;
    let by_type_before = report(&admin, "leads", &format!("{MARCH}&group_by=type")).await;

    let signed = post_lead(&server, "dealer-1", "test_drive", "+7 912 555-00-01").await;
    let refused = post_lead(&server, "dealer-1", "preorder", "+7 912 555-00-02").await;
    let _waiting = post_lead(&server, "dealer-1", "service", "+7 912 555-00-03").await;
    answer(&dealer, &signed, "contact", json!({"outcome": "yes"})).await;
    answer(&dealer, &signed, "contract", json!({"outcome": "yes"})).await;
    answer(
        &dealer,
        &refused,
        "contact",
        json!({"outcome": "no", "reason": "wrong_number"}),
    )
    .await;

    let after = report(&admin, "leads", &by_dealer).await;
    let delta = |col: &str| value(&after, "dealer-1", col) - value(&before, "dealer-1", col);
    assert_eq!(delta("received"), 3.0);
    assert_eq!(delta("processed"), 2.0, "the contact «Да» and the refusal");
    assert_eq!(delta("unprocessed"), 1.0);
    assert_eq!(delta("contracts"), 1.0);
    let by_type = report(&admin, "leads", &format!("{MARCH}&group_by=type")).await;
    for kind in ["test_drive", "preorder", "service"] {
        assert_eq!(
            value(&by_type, kind, "received") - value(&by_type_before, kind, "received"),
            1.0,
            "{kind}"
        );
    }
    let refusals = report(&admin, "lead_refusals", MARCH).await;
    let key = "contact:wrong_number";
    assert_eq!(
        value(&refusals, key, "count") - value(&refusals_before, key, "count"),
        1.0
    );
    let conversion = report(&admin, "lead_conversion", MARCH).await;
    assert!(value(&conversion, "dealer-1", "contracts") >= 1.0);
    let processing = report(&admin, "lead_processing_time", MARCH).await;
    assert!(
        processing["totals"]["values"]["count"]
            .as_f64()
            .unwrap_or(0.0)
            >= 1.0
    );
    // The heat map's rows: a row per weekday and hour; the leads came on Monday, 10:00
    // (the demo dealer's hours are Moscow's).
    let hours = report(
        &admin,
        "lead_processing_time",
        &format!("{MARCH}&group_by=weekday_hour"),
    )
    .await;
    assert_eq!(hours["rows"].as_array().map(Vec::len), Some(168));
    assert!(value(&hours, "1:10", "count") >= 3.0);

    // March against February: the change is beside each value.
    let compared = report(
        &admin,
        "leads",
        &format!("{by_dealer}&compare_from=2026-02-01&compare_to=2026-02-28"),
    )
    .await;
    let row = compared["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == "dealer-1"))
        .cloned()
        .expect("dealer-1's row");
    assert!(row["compare"].is_object(), "{row}");
    assert!(row.get("change").is_some(), "{row}");
}

#[tokio::test]
async fn every_lead_report_answers_every_role_by_the_table() {
    let server = TestServer::start().await;
    // (who, plain, dealer 1 named, dealer 3 named): representatives see the dealers they
    // observe (rep: dealer 1; rep2: dealer 3), a dealer itself, the brand and the admin
    // everything; accountants, specialists and account managers no lead report.
    let table = [
        (None, 401, 401, 401),
        (Some("dealer1@demo.local"), 200, 200, 404),
        (Some("dealer2@demo.local"), 200, 404, 404),
        (Some("accountant1@demo.local"), 404, 404, 404),
        (Some("specialist@demo.local"), 404, 404, 404),
        (Some("manager@demo.local"), 404, 404, 404),
        (Some("rep@demo.local"), 200, 200, 404),
        (Some("rep2@demo.local"), 200, 404, 200),
        (Some("brand@demo.local"), 200, 200, 200),
        (Some("admin@demo.local"), 200, 200, 200),
    ];
    let mut apis = Vec::new();
    for (who, ..) in table {
        apis.push(match who {
            Some(email) => server.login(email).await,
            None => server.anonymous(),
        });
    }
    for report in [
        "leads",
        "lead_refusals",
        "lead_conversion",
        "lead_processing_time",
        "lead_overdue",
        "lead_survey",
    ] {
        for ((who, plain, own, foreign), api) in table.iter().zip(&apis) {
            for (query, expected) in [
                ("", plain),
                ("?dealer=dealer-1", own),
                ("?dealer=dealer-3", foreign),
            ] {
                let (status, _) = api
                    .send("GET", &format!("/api/reports/{report}{query}"), None)
                    .await;
                assert_eq!(status.as_u16(), *expected, "{who:?} {report}{query}");
            }
        }
    }
}
