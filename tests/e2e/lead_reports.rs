//! The lead reports (SPEC §4.6, issue 11) through HTTP: figures after known lead actions
//! (intake, contact, refusal, contract), a period against another, the customers' survey
//! answers as a list, and who opens which lead report over which dealers.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Duration, TimeZone, Timelike, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_domain::lead::{LeadDraft, LeadId, LeadSource, Origin};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Cursor;

/// A lead posted on `dealer`'s own site; its id.
async fn post_lead(server: &TestServer, dealer: &str, kind: &str, phone: &str) -> String {
    post_lead_from(server, dealer, kind, phone, None).await
}

/// A lead posted on `dealer`'s own site by a customer who left `email`; its id.
async fn post_lead_from(
    server: &TestServer,
    dealer: &str,
    kind: &str,
    phone: &str,
    email: Option<&str>,
) -> String {
    let draft = LeadDraft {
        kind: Some(kind.into()),
        name: Some("Пётр".into()),
        surname: Some("Отчётов".into()),
        phone: Some(phone.into()),
        email: email.map(str::to_string),
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

/// The customer of lead `id` answers the survey through the public callback
/// (`POST /s/{token}`, the `survey-callback` Lambda's route), as the letter's link does.
async fn answer_survey(server: &TestServer, id: &str, answer: &str, comment: &str) {
    let now = server.state.clock.now();
    let link = dealerdesk_app::lead::survey::link(&server.state, &LeadId::new(id), now);
    let (_, token) = link.rsplit_once("/s/").expect("a survey link");
    let url = format!("{}/s/{token}", server.base);
    let (status, _, page) = browser::post(
        &browser::browser(),
        &url,
        &[("answer", answer), ("comment", comment)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

/// The answers listed by `lead_survey` as JSON.
fn answers(report: &Value) -> Vec<Value> {
    report["answers"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn listed(report: &Value, lead: &str) -> Option<Value> {
    answers(report).into_iter().find(|a| a["lead_id"] == lead)
}

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

#[tokio::test]
async fn survey_answers_are_listed_with_lead_dealer_observer_and_comment_for_those_who_may_see_them()
 {
    // Monday 2 March 2026, 10:00 in Moscow.
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await;
    // Dealer 1's sales are observed by Сергей Регионов (rep), dealer 3's by Наталья Восточная
    // (rep2).
    let own = post_lead_from(
        &server,
        "dealer-1",
        "test_drive",
        "+7 912 555-10-01",
        Some("north@mail.ru"),
    )
    .await;
    let foreign = post_lead_from(
        &server,
        "dealer-3",
        "test_drive",
        "+7 912 555-10-02",
        Some("ural@mail.ru"),
    )
    .await;
    // The customers answer the next day, as the letter (24 hours later) lets them.
    server.state.clock.advance(Duration::hours(25));
    answer_survey(&server, &own, "unhappy", "Перезвонили только через день").await;
    answer_survey(&server, &foreign, "happy", "Всё объяснили, спасибо — Урал").await;

    // Who lists which answer: (who, dealer 1's answer, dealer 3's answer).
    let table = [
        ("admin@demo.local", true, true),
        ("brand@demo.local", true, true),
        ("rep@demo.local", true, false),
        ("rep2@demo.local", false, true),
        ("dealer1@demo.local", true, false),
        ("dealer2@demo.local", false, false),
    ];
    for (who, sees_own, sees_foreign) in table {
        let api = server.login(who).await;
        let shown = report(&api, "lead_survey", MARCH).await;
        assert_eq!(listed(&shown, &own).is_some(), sees_own, "{who}");
        assert_eq!(listed(&shown, &foreign).is_some(), sees_foreign, "{who}");
        // The list is the answers to the period's leads the counts above it cover.
        assert_eq!(
            shown["totals"]["values"]["count"].as_f64(),
            Some(answers(&shown).len() as f64),
            "{who}: the list adds up to the counts"
        );
        assert_eq!(shown["answers"]["left_out"], false, "{who}");
        let text = shown.to_string();
        if !sees_foreign {
            assert!(!text.contains("спасибо — Урал"), "{who}");
        }
        if !sees_own {
            assert!(!text.contains("Перезвонили только через день"), "{who}");
        }
    }

    let admin = server.login("admin@demo.local").await;
    let march = report(&admin, "lead_survey", MARCH).await;
    let row = listed(&march, &own).expect("dealer 1's answer");
    assert_eq!(row["lead_href"], format!("/leads/{own}"));
    assert_eq!(row["lead_label"], "Тест-драйв, 02.03.2026");
    assert_eq!(row["dealer_id"], "dealer-1");
    assert_eq!(row["dealer"], "Автоцентр Север");
    assert_eq!(row["observer_id"], "user-rep");
    assert_eq!(row["observer"], "Сергей Регионов");
    assert_eq!(row["answer"], "unhappy");
    assert_eq!(
        row["answer_label"],
        "Дилер связался, но обслуживание не устраивает"
    );
    assert_eq!(row["negative"], true);
    assert_eq!(row["comment"], "Перезвонили только через день");
    assert!(
        row["answered_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-03T08:"),
        "{row}"
    );
    assert!(
        row["answered_at_local"]
            .as_str()
            .unwrap()
            .starts_with("03.03.2026 11:"),
        "{row}: Moscow time for people"
    );
    // Newest first: dealer 3's customer answered last.
    let order: Vec<&str> = answers(&march)
        .iter()
        .filter_map(|a| a["lead_id"].as_str())
        .filter(|id| *id == own || *id == foreign)
        .map(|id| if id == own { "own" } else { "foreign" })
        .collect();
    assert_eq!(order, ["foreign", "own"]);
    // The counts stay beside the list.
    assert!(value(&march, "unhappy", "count") >= 1.0);
    assert!(value(&march, "happy", "count") >= 1.0);
    // Narrowed to a dealer, only its answers.
    let narrowed = report(&admin, "lead_survey", &format!("{MARCH}&dealer=dealer-3")).await;
    assert!(listed(&narrowed, &own).is_none());
    assert!(listed(&narrowed, &foreign).is_some());
    // The leads of another period have their own answers.
    let april = report(&admin, "lead_survey", "from=2026-04-01&to=2026-04-30").await;
    assert!(listed(&april, &own).is_none());

    // The page: the table of answers with the link to the lead's card, and nothing of a
    // foreign dealer's customer.
    let rep = browser::log_in(&server, "rep@demo.local").await;
    let (status, page) = browser::get(
        &rep,
        &format!("{}/reports/lead_survey?{MARCH}", server.base),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        "Ответы клиентов",
        &format!("<a href=\"/leads/{own}\">Тест-драйв, 02.03.2026</a>"),
        "Автоцентр Север",
        "Сергей Регионов",
        "Перезвонили только через день",
        "03.03.2026 11:",
    ] {
        assert!(page.contains(expected), "{expected} missing:\n{page}");
    }
    assert!(
        !page.contains(&foreign),
        "another dealer's lead on the page"
    );
    assert!(
        !page.contains("спасибо — Урал"),
        "another dealer's comment on the page"
    );
}

/// The totals' value of `column`.
fn total(report: &Value, column: &str) -> f64 {
    report["totals"]["values"][column].as_f64().unwrap_or(-1.0)
}

/// The leads overdue now and the escalations of the period of representative `key`'s row:
/// `[overdue_now, escalated_2h, escalated_4h]`.
fn overdue_row(report: &Value, key: &str) -> [f64; 3] {
    ["overdue_now", "escalated_2h", "escalated_4h"].map(|c| value(report, key, c))
}

#[tokio::test]
async fn a_lead_left_untouched_is_overdue_for_its_representative_now_and_in_its_period() {
    use crate::lead_escalation::vostok_lead;
    // Saturday 7 March 2026, 19:00 in Vladivostok (the dealer closes at 20:00; Sunday and
    // Monday are days off): 2 working hours are up on Tuesday at 10:00, 4 at 12:00.
    let vl = |d: u32, h: u32, m: u32| {
        Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap() - Duration::hours(10)
    };
    let server = TestServer::start_at(vl(7, 19, 0)).await;
    let state = &server.state;
    let rep2 = server.login("rep2@demo.local").await;
    let empty = report(&rep2, "lead_overdue", MARCH).await;
    assert_eq!(overdue_row(&empty, "user-rep2"), [0.0; 3], "{empty}");

    // A pre-order of «Автоцентр Восток»: its sales are observed by Наталья Восточная (rep2).
    let lead = vostok_lead(state, "Ольга", "+7 914 555-11-01").await;
    for (at, steps) in [(vl(10, 10, 1), 1), (vl(10, 12, 1), 1), (vl(10, 12, 5), 0)] {
        let done = jobs::run(state, Job::LeadEscalations, at).await.unwrap();
        assert_eq!((done.done, done.failed), (steps, 0), "at {at}");
    }
    state.clock.set(vl(10, 12, 30));
    // A new session: the first one ran out over the long weekend.
    let rep2 = server.login("rep2@demo.local").await;

    // Live (March runs to today): overdue now, told the dealer at 2 h and rep2 at 4 h.
    let now = report(&rep2, "lead_overdue", MARCH).await;
    assert_eq!(overdue_row(&now, "user-rep2"), [1.0, 1.0, 1.0], "{now}");
    let row = now["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == "user-rep2"))
        .cloned()
        .expect("rep2's row");
    assert_eq!(row["label"], "Наталья Восточная");
    assert_eq!(
        [
            total(&now, "overdue_now"),
            total(&now, "escalated_2h"),
            total(&now, "escalated_4h")
        ],
        [1.0, 1.0, 1.0]
    );
    // The head office and the dealer see the same row; the other representative (who
    // observes Восток's service and parts, not its sales) and another dealer see nothing.
    for who in ["brand@demo.local", "admin@demo.local", "dealer4@demo.local"] {
        let api = server.login(who).await;
        let theirs = report(&api, "lead_overdue", MARCH).await;
        assert_eq!(overdue_row(&theirs, "user-rep2"), [1.0, 1.0, 1.0], "{who}");
    }
    for who in ["rep@demo.local", "dealer1@demo.local"] {
        let api = server.login(who).await;
        let theirs = report(&api, "lead_overdue", MARCH).await;
        assert_eq!(
            overdue_row(&theirs, "user-rep2"),
            [0.0; 3],
            "{who}: {theirs}"
        );
        assert_eq!(total(&theirs, "escalated_2h"), 0.0, "{who}");
        assert_eq!(total(&theirs, "overdue_now"), 0.0, "{who}");
    }

    // In April the lead is still waiting: March, now a past period, keeps its escalations
    // and shows nothing "now"; April's live figure is the lead, with no escalation of its own.
    state
        .clock
        .set(Utc.with_ymd_and_hms(2026, 4, 15, 7, 0, 0).unwrap());
    let rep2 = server.login("rep2@demo.local").await;
    let march = report(&rep2, "lead_overdue", MARCH).await;
    assert_eq!(overdue_row(&march, "user-rep2"), [0.0, 1.0, 1.0], "{march}");
    let april = report(&rep2, "lead_overdue", "from=2026-04-01&to=2026-04-30").await;
    assert_eq!(overdue_row(&april, "user-rep2"), [1.0, 0.0, 0.0], "{april}");

    // Once the dealer reaches the customer, nothing is overdue now; the history stays.
    let dealer4 = server.login("dealer4@demo.local").await;
    answer(
        &dealer4,
        lead.id().as_str(),
        "contact",
        json!({"outcome": "yes"}),
    )
    .await;
    let april = report(&rep2, "lead_overdue", "from=2026-04-01&to=2026-04-30").await;
    assert_eq!(overdue_row(&april, "user-rep2"), [0.0; 3], "{april}");
    let march = report(&rep2, "lead_overdue", MARCH).await;
    assert_eq!(overdue_row(&march, "user-rep2"), [0.0, 1.0, 1.0], "{march}");
}

/// A workbook's worksheet `name` as rows of typed cells.
fn worksheet(xlsx: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx.to_vec())).expect("an XLSX");
    let range = workbook
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("the sheet «{name}»: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

fn header(rows: &[Vec<Data>]) -> Vec<String> {
    rows[0].iter().map(ToString::to_string).collect()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[tokio::test]
async fn lead_reports_export_xlsx_with_russian_headers_numbers_as_numbers_and_dates_as_dates() {
    use crate::lead_export::download;
    // Monday 2 March 2026, 10:00 in Moscow.
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let signed = post_lead_from(
        &server,
        "dealer-1",
        "test_drive",
        "+7 912 555-20-01",
        Some("xlsx@mail.ru"),
    )
    .await;
    post_lead(&server, "dealer-1", "preorder", "+7 912 555-20-02").await;
    post_lead(&server, "dealer-2", "service", "+7 912 555-20-03").await;
    answer(&dealer, &signed, "contact", json!({"outcome": "yes"})).await;
    answer(&dealer, &signed, "contract", json!({"outcome": "yes"})).await;
    server.state.clock.advance(Duration::hours(25));
    answer_survey(
        &server,
        &signed,
        "no_contact",
        "=HYPERLINK(\"x\"); звонка не было",
    )
    .await;
    let admin = server.login("admin@demo.local").await;

    // `leads` by dealer: a row per dealer, the counts and shares as numbers.
    let (status, kind, disposition, bytes) = download(
        &admin,
        &format!("/api/reports/leads?{MARCH}&group_by=dealer&format=xlsx"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, XLSX);
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let rows = worksheet(&bytes, "Заявки");
    assert_eq!(
        header(&rows),
        [
            "Дилер",
            "Получено",
            "Обработано",
            "Не обработано",
            "Доля обработанных",
            "Договоров",
            "Конверсия в договор",
            "Доля заявок",
        ]
    );
    let north = rows
        .iter()
        .find(|r| r[0] == Data::String("Автоцентр Север".into()))
        .expect("dealer 1's row");
    assert_eq!(north[1], Data::Float(2.0), "received");
    assert_eq!(north[2], Data::Float(1.0), "processed");
    assert_eq!(north[3], Data::Float(1.0), "unprocessed");
    assert_eq!(north[4], Data::Float(50.0), "processed, %");
    assert_eq!(north[5], Data::Float(1.0), "contracts");
    assert_eq!(north[6], Data::Float(50.0), "conversion, %");
    let totals = rows.last().expect("the totals");
    assert_eq!(totals[0], Data::String("Итого".into()));
    assert_eq!(totals[1], Data::Float(3.0));

    // `lead_survey`: the counts per answer, then the answers on a sheet of their own — the
    // answer time a date cell in Moscow time, the comment as typed (text, never a formula).
    let (status, kind, _, bytes) = download(
        &admin,
        &format!("/api/reports/lead_survey?{MARCH}&format=xlsx"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, XLSX);
    let counts = worksheet(&bytes, "Опрос клиентов по заявкам");
    assert_eq!(
        header(&counts),
        ["Ответ клиента", "Ответов", "Доля ответов"]
    );
    let no_contact = counts
        .iter()
        .find(|r| r[0] == Data::String("Дилер не связался".into()))
        .expect("the row of «Дилер не связался»");
    assert_eq!(no_contact[1], Data::Float(1.0));
    assert_eq!(no_contact[2], Data::Float(100.0));
    let answers = worksheet(&bytes, "Ответы клиентов");
    assert_eq!(
        header(&answers),
        [
            "Ответ получен (МСК)",
            "Заявка",
            "Дилер",
            "Наблюдатель",
            "Ответ клиента",
            "Комментарий",
        ]
    );
    assert_eq!(answers.len(), 2, "one answer: {answers:?}");
    let row = &answers[1];
    let Data::DateTime(at) = &row[0] else {
        panic!("the answer time is not a date cell: {:?}", row[0]);
    };
    let at = at.as_datetime().expect("a date and time");
    assert_eq!(at.date().to_string(), "2026-03-03");
    assert_eq!(at.hour(), 11, "08:00 UTC is 11:00 МСК");
    assert_eq!(row[1], Data::String(signed.clone()));
    assert_eq!(row[2], Data::String("Автоцентр Север".into()));
    assert_eq!(row[3], Data::String("Сергей Регионов".into()));
    assert_eq!(row[4], Data::String("Дилер не связался".into()));
    assert_eq!(
        row[5],
        Data::String("=HYPERLINK(\"x\"); звонка не было".into())
    );

    // The CSV holds both tables, one under the other; the comment defused for Excel.
    let (status, _, _, bytes) = download(
        &admin,
        &format!("/api/reports/lead_survey?{MARCH}&format=csv"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(
        text.contains("Ответ клиента;Ответов;Доля ответов\r\n"),
        "{text}"
    );
    assert!(
        text.contains("Ответ получен (МСК);Заявка;Дилер;Наблюдатель;Ответ клиента;Комментарий\r\n"),
        "{text}"
    );
    assert!(text.contains(&format!(";{signed};Автоцентр Север;Сергей Регионов;Дилер не связался;\"'=HYPERLINK(\"\"x\"\"); звонка не было\"")), "{text}");
}

/// The codes of a report's columns, and of the values of each of its rows and totals.
fn column_codes(report: &Value) -> Vec<String> {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

fn value_codes(row: &Value) -> Vec<String> {
    row["values"].as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn processing_time_rows_carry_their_groupings_columns_and_the_mean_stands_apart() {
    // Monday 2 March 2026, 10:00 in Moscow: two leads, reached 30 and 90 working minutes
    // after they came — a mean of 60.
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let first = post_lead(&server, "dealer-1", "test_drive", "+7 912 555-30-01").await;
    let second = post_lead(&server, "dealer-1", "service", "+7 912 555-30-02").await;
    server.state.clock.advance(Duration::minutes(30));
    answer(&dealer, &first, "contact", json!({"outcome": "yes"})).await;
    server.state.clock.advance(Duration::minutes(60));
    answer(&dealer, &second, "contact", json!({"outcome": "yes"})).await;
    let admin = server.login("admin@demo.local").await;

    // By stretch of time: «Заявок» and «Доля» only — no first contacts, no mean of zeros.
    let stretches = report(&admin, "lead_processing_time", MARCH).await;
    assert_eq!(column_codes(&stretches), ["count", "share"], "{stretches}");
    for row in stretches["rows"].as_array().unwrap() {
        assert_eq!(value_codes(row), ["count", "share"], "{row}");
    }
    assert_eq!(value_codes(&stretches["totals"]), ["count", "share"]);
    assert_eq!(total(&stretches, "count"), 2.0, "{stretches}");
    let summary = stretches["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 1, "{stretches}");
    assert_eq!(summary[0]["code"], "mean_minutes");
    assert_eq!(summary[0]["value"].as_f64(), Some(60.0), "{stretches}");

    // By weekday and hour: the arrivals and the first contacts of each slot; the same mean.
    let hours = report(
        &admin,
        "lead_processing_time",
        &format!("{MARCH}&group_by=weekday_hour"),
    )
    .await;
    assert_eq!(column_codes(&hours), ["count", "share", "reached"]);
    for row in hours["rows"].as_array().unwrap() {
        assert_eq!(value_codes(row), ["count", "reached", "share"], "{row}");
    }
    assert_eq!(value(&hours, "1:10", "count"), 2.0, "{hours}");
    assert_eq!(value(&hours, "1:10", "reached"), 1.0, "10:30");
    assert_eq!(value(&hours, "1:11", "reached"), 1.0, "11:30");
    assert_eq!(hours["summary"], stretches["summary"]);

    // Against February the mean has its comparison beside it, not in a row.
    let compared = report(
        &admin,
        "lead_processing_time",
        &format!("{MARCH}&compare_from=2026-02-01&compare_to=2026-02-28"),
    )
    .await;
    assert_eq!(compared["summary"][0]["compare"].as_f64(), Some(0.0));
    assert!(compared["summary"][0]["change"].is_null(), "from zero");

    // The page: the table's head names the grouping's columns; the mean is a line of its own.
    let browser = browser::log_in(&server, "admin@demo.local").await;
    let (status, page) = browser::get(
        &browser,
        &format!("{}/reports/lead_processing_time?{MARCH}", server.base),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let whole = page
        .split("<h2>Все показатели</h2>")
        .nth(1)
        .expect("the whole table");
    assert!(!whole.contains("Первых контактов"), "{whole}");
    assert!(!whole.contains("Среднее время"), "{whole}");
    assert!(
        page.contains("<dt>Среднее время до контакта, мин</dt><dd>60</dd>"),
        "{page}"
    );

    // The file: the table of stretches without the other grouping's columns, then the mean.
    let (status, _, _, bytes) = crate::lead_export::download(
        &admin,
        &format!("/api/reports/lead_processing_time?{MARCH}&format=csv"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.contains("Время до контакта;Заявок;Доля\r\n"), "{text}");
    assert!(
        text.contains("Показатель;Март 2026\r\nСреднее время до контакта, мин;60\r\n"),
        "{text}"
    );
}

/// The demo's two weeks, up to its clock (Monday 2 March 2026, 10:00 MSK): the period the
/// screenshot tests show.
const DEMO_WEEKS: &str = "from=2026-02-16&to=2026-03-02";

#[tokio::test]
async fn the_demo_history_gives_every_lead_report_something_to_show() {
    let server = TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await;
    dealerdesk_app::demo::history::seed(&server.state)
        .await
        .expect("the demo history plays");
    let admin = server.login("admin@demo.local").await;

    let regions = report(&admin, "leads", &format!("{DEMO_WEEKS}&group_by=region")).await;
    assert_eq!(total(&regions, "received"), 12.0, "{regions}");
    let places: Vec<&str> = regions["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["values"]["received"].as_f64() > Some(0.0))
        .filter_map(|r| r["label"].as_str())
        .collect();
    assert_eq!(places.len(), 4, "four regions: {places:?}");
    let refusals = report(&admin, "lead_refusals", DEMO_WEEKS).await;
    assert!(total(&refusals, "count") >= 2.0, "{refusals}");
    let conversion = report(&admin, "lead_conversion", DEMO_WEEKS).await;
    assert_eq!(total(&conversion, "contracts"), 1.0, "{conversion}");
    assert!(total(&conversion, "contacted") >= 5.0, "{conversion}");
    let processing = report(&admin, "lead_processing_time", DEMO_WEEKS).await;
    assert_eq!(
        total(&processing, "count"),
        5.0,
        "five first contacts: {processing}"
    );
    let hours = report(
        &admin,
        "lead_processing_time",
        &format!("{DEMO_WEEKS}&group_by=weekday_hour"),
    )
    .await;
    let slots = hours["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["values"]["count"].as_f64() > Some(0.0))
        .count();
    assert!(slots >= 5, "the heat map has cells to colour: {slots}");
    let overdue = report(&admin, "lead_overdue", DEMO_WEEKS).await;
    assert!(total(&overdue, "overdue_now") >= 1.0, "{overdue}");
    assert!(total(&overdue, "escalated_2h") >= 1.0, "{overdue}");

    // Four customers answered the survey through its link, two of them unhappy.
    let survey = report(&admin, "lead_survey", DEMO_WEEKS).await;
    assert_eq!(total(&survey, "count"), 4.0, "{survey}");
    let listed = answers(&survey);
    assert_eq!(listed.len(), 4, "{survey}");
    assert_eq!(listed.iter().filter(|a| a["negative"] == true).count(), 2);
    assert!(listed.iter().any(
        |a| a["comment"] == "Записали на сервис только через две недели"
            && a["dealer"] == "Автоцентр Юг"
    ));
    assert!(listed.iter().all(|a| a["observer"].is_string()), "{survey}");
}
