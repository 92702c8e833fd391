//! Reports (SPEC §4.6, issue 11) through HTTP: `GET /api/reports/{report}` as JSON, CSV and
//! XLSX, and the portal's «Отчёты». The figures match known actions; a period compared with
//! another gives each value beside its comparison and the change; every report answers every
//! role by the table of who sees what (a report outside it is a 404, like an unknown one); a
//! bad query is a 422 naming the field.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use dealerdesk_domain::Quarter;
use dealerdesk_domain::dealer_survey::current_quarter;
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Cursor;

/// The demo's survey quarters: one, two and three quarters before the running one.
fn demo_quarters(server: &TestServer) -> [Quarter; 3] {
    let now = current_quarter(server.state.clock.now());
    [
        now.previous(),
        now.previous().previous(),
        now.previous().previous().previous(),
    ]
}

fn period(from: Quarter, to: Quarter) -> String {
    format!("from={}&to={}", from.first_day(), to.last_day())
}

async fn report(api: &Api, name: &str, query: &str) -> Value {
    let (status, body) = api
        .send("GET", &format!("/api/reports/{name}?{query}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{name}?{query}: {body}");
    body
}

/// The row of `key`.
fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {report}"))
}

#[tokio::test]
async fn survey_scores_per_quarter_match_the_dealers_answers() {
    let server = TestServer::start().await;
    let [q1, q2, q3] = demo_quarters(&server);
    let admin = server.login("admin@demo.local").await;
    let r = report(&admin, "ticket_survey", &period(q3, q1)).await;
    assert_eq!(r["report"], "ticket_survey");
    assert_eq!(r["title"], "Квартальный опрос");
    assert_eq!(r["group_by"], "quarter");
    let keys: Vec<&str> = r["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys, vec![q3.code(), q2.code(), q1.code()]);
    // The quarter before this one: dealer 1 gave 5/4/5, dealer 2 2/3/3, dealer 4 4/4/5.
    let last = row(&r, &q1.code());
    assert_eq!(last["label"], q1.label());
    assert_eq!(last["values"]["answers"], 3.0);
    assert_eq!(last["values"]["ticket_handling"], 3.67);
    assert_eq!(last["values"]["cso_updates"], 3.67);
    assert_eq!(last["values"]["support_overall"], 4.33);
    assert_eq!(last["values"]["low_answers"], 1.0);
    assert_eq!(last["compare"], Value::Null);
    assert_eq!(row(&r, &q2.code())["values"]["ticket_handling"], 4.0);
    assert_eq!(r["totals"]["values"]["answers"], 9.0);
    assert_eq!(r["totals"]["values"]["ticket_handling"], 3.89);
    assert_eq!(r["totals"]["values"]["low_answers"], 1.0);
    let columns: Vec<(&str, &str)> = r["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap_or(""),
                c["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            ("answers", "count"),
            ("ticket_handling", "score"),
            ("cso_updates", "score"),
            ("support_overall", "score"),
            ("low_answers", "count"),
        ]
    );
    assert_eq!(r["charts"][0]["kind"], "line");

    // A dealer sees its own answers only; the account manager his dealers' (all three).
    let dealer2 = server.login("dealer2@demo.local").await;
    let own = report(&dealer2, "ticket_survey", &period(q1, q1)).await;
    assert_eq!(row(&own, &q1.code())["values"]["answers"], 1.0);
    assert_eq!(row(&own, &q1.code())["values"]["ticket_handling"], 2.0);
    let manager = server.login("manager@demo.local").await;
    let managed = report(&manager, "ticket_survey", &period(q1, q1)).await;
    assert_eq!(row(&managed, &q1.code())["values"]["answers"], 3.0);
    // Staff narrow a report to one dealer.
    let one = report(
        &admin,
        "ticket_survey",
        &format!("{}&dealer=dealer-1", period(q1, q1)),
    )
    .await;
    assert_eq!(row(&one, &q1.code())["values"]["ticket_handling"], 5.0);
}

#[tokio::test]
async fn a_quarter_compared_with_the_one_before_gives_the_change() {
    let server = TestServer::start().await;
    let [q1, q2, _] = demo_quarters(&server);
    let admin = server.login("admin@demo.local").await;
    let query = format!(
        "{}&compare_from={}&compare_to={}",
        period(q1, q1),
        q2.first_day(),
        q2.last_day()
    );
    let r = report(&admin, "ticket_survey", &query).await;
    assert_eq!(r["compare"]["from"], q2.first_day().to_string());
    assert_eq!(r["compare"]["label"], q2.label());
    let last = row(&r, &q1.code());
    assert_eq!(last["values"]["ticket_handling"], 3.67);
    assert_eq!(last["compare"]["ticket_handling"], 4.0);
    // 3.67 against 4: −8.25 % rounded to −8.3 %; the low answers from none: no change to show.
    assert_eq!(last["change"]["ticket_handling"], -8.3);
    assert_eq!(last["change"]["answers"], 0.0);
    assert_eq!(last["change"]["low_answers"], Value::Null);
    assert_eq!(r["totals"]["compare"]["answers"], 3.0);
}

/// `report` as `email` sees it: the status.
async fn status_of(server: &TestServer, email: Option<&str>, path: &str) -> StatusCode {
    let api = match email {
        Some(e) => server.login(e).await,
        None => server.anonymous(),
    };
    api.send("GET", path, None).await.0
}

#[tokio::test]
async fn every_report_answers_every_role_by_the_table() {
    let server = TestServer::start().await;
    // (role, what a report answers, with dealer 1 named, with dealer 3 named); the
    // accountant's row is its dealer's `ticket_costs`, every other report is a 404 to it.
    let table = [
        (None, 401, 401, 401),
        (Some("dealer1@demo.local"), 200, 200, 404),
        (Some("dealer2@demo.local"), 200, 404, 404),
        (Some("accountant1@demo.local"), 200, 200, 404),
        (Some("specialist@demo.local"), 200, 200, 200),
        (Some("manager@demo.local"), 200, 200, 404),
        (Some("rep@demo.local"), 404, 404, 404),
        (Some("rep2@demo.local"), 404, 404, 404),
        (Some("brand@demo.local"), 200, 200, 200),
        (Some("admin@demo.local"), 200, 200, 200),
    ];
    for report in ["tickets", "ticket_sla", "ticket_costs", "ticket_survey"] {
        for (who, plain, own, foreign) in table {
            let accountant = who == Some("accountant1@demo.local");
            for (query, expected) in [
                ("", plain),
                ("?dealer=dealer-1", own),
                ("?dealer=dealer-3", foreign),
            ] {
                let expected = if accountant && report != "ticket_costs" {
                    404
                } else {
                    expected
                };
                let got = status_of(&server, who, &format!("/api/reports/{report}{query}")).await;
                assert_eq!(got.as_u16(), expected, "{who:?} {report}{query}");
            }
        }
    }
    // An unknown report and an unknown dealer are 404s too.
    let admin = server.login("admin@demo.local").await;
    let (status, body) = admin.send("GET", "/api/reports/salaries", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = admin
        .send("GET", "/api/reports/ticket_survey?dealer=dealer-99", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_query_is_a_422_naming_the_field() {
    let server = TestServer::start().await;
    let admin = server.login("admin@demo.local").await;
    for (query, field) in [
        ("from=2026-11-10&to=2026-11-01", "to"),
        ("from=2022-01-01&to=2026-01-31", "to"),
        ("from=10.11.2026", "from"),
        ("compare_from=2026-10-01", "compare_to"),
        ("group_by=dealer", "group_by"),
        ("format=pdf", "format"),
        ("preset=week", "preset"),
    ] {
        let (status, body) = admin
            .send("GET", &format!("/api/reports/ticket_survey?{query}"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(
            body["error"]["fields"][0]["field"], field,
            "{query}: {body}"
        );
        let message = body["error"]["message"].as_str().expect("message");
        assert!(
            message.chars().any(|c| ('а'..='я').contains(&c)),
            "a Russian message: {message}"
        );
    }
}

/// The file of a report: status, content type, body.
async fn file(api: &Api, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = api
        .http
        .get(format!("{}{path}", api.base))
        .bearer_auth(api.token.as_deref().expect("token"))
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, resp.bytes().await.expect("body").to_vec())
}

#[tokio::test]
async fn the_xlsx_export_has_russian_headers_and_typed_cells() {
    let server = TestServer::start().await;
    let [q1, q2, _] = demo_quarters(&server);
    let admin = server.login("admin@demo.local").await;
    let query = format!(
        "{}&compare_from={}&compare_to={}&format=xlsx",
        period(q1, q1),
        q2.first_day(),
        q2.last_day()
    );
    let (status, kind, bytes) = file(&admin, &format!("/api/reports/ticket_survey?{query}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        kind,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX");
    let range = workbook
        .worksheet_range("Квартальный опрос")
        .expect("the report's sheet");
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header[0], "Квартал");
    assert_eq!(header[1], "С");
    assert_eq!(header[2], "По");
    assert_eq!(header[3], format!("Ответов — {}", q1.label()));
    assert_eq!(header[4], format!("Ответов — {}", q2.label()));
    assert_eq!(header[5], "Ответов: изменение, %");
    assert_eq!(rows[1][0], Data::String(q1.label()));
    assert!(matches!(rows[1][1], Data::DateTime(_)), "{:?}", rows[1][1]);
    assert!(matches!(rows[1][2], Data::DateTime(_)), "{:?}", rows[1][2]);
    assert_eq!(rows[1][3], Data::Float(3.0));
    // Ticket handling: 3.67 now, 4 before, −8.3 %.
    assert_eq!(rows[1][6], Data::Float(3.67));
    assert_eq!(rows[1][7], Data::Float(4.0));
    assert_eq!(rows[1][8], Data::Float(-8.3));
    let totals = rows.last().expect("the totals");
    assert_eq!(totals[0], Data::String("Итого".into()));

    let (status, kind, bytes) = file(
        &admin,
        &format!("/api/reports/ticket_survey?{}&format=csv", period(q1, q1)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        text.contains("Квартал;С;По;Ответов;Работа с обращениями"),
        "{text}"
    );
    assert!(text.contains("3,67"), "decimal commas: {text}");
    assert!(text.contains("Итого"), "{text}");
}

#[tokio::test]
async fn the_portal_lists_the_reports_and_draws_a_report_with_its_tables() {
    let server = TestServer::start().await;
    let [q1, q3] = {
        let [q1, _, q3] = demo_quarters(&server);
        [q1, q3]
    };
    let manager = browser::log_in(&server, "manager@demo.local").await;
    let (status, list) = browser::get(&manager, &format!("{}/reports", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("href=\"/reports\""), "the menu's «Отчёты»");
    assert!(list.contains("Квартальный опрос"), "{list}");
    let (status, page) = browser::get(
        &manager,
        &format!("{}/reports/ticket_survey?{}", server.base, period(q3, q1)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<svg"), "a chart");
    assert!(
        page.contains("class=\"chart-table\""),
        "the chart's numbers"
    );
    assert!(page.contains("Скачать CSV") && page.contains("Скачать XLSX"));
    assert!(page.contains("format=xlsx"), "{page}");
    assert!(page.contains(&q1.label()));
    assert!(page.contains("3,67"), "the average in Russian: {page}");
    assert!(!page.contains("<script"), "no script on a report page");
    // A file from the page's link.
    let resp = manager
        .get(format!(
            "{}/reports/ticket_survey?{}&format=xlsx",
            server.base,
            period(q1, q1)
        ))
        .send()
        .await
        .expect("the file");
    assert_eq!(resp.status(), StatusCode::OK);
    // A bad period shows the form again with the field's message.
    let (status, page) = browser::get(
        &manager,
        &format!(
            "{}/reports/ticket_survey?from=2026-11-10&to=2026-11-01",
            server.base
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Конец периода раньше его начала."), "{page}");
    // The accountant opens its dealer's costs only; the representative no ticket report.
    let accountant = browser::log_in(&server, "accountant1@demo.local").await;
    let (status, list) = browser::get(&accountant, &format!("{}/reports", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("/reports/ticket_costs") && !list.contains("/reports/tickets\""));
    let rep = browser::log_in(&server, "rep@demo.local").await;
    let (status, _) = browser::get(&rep, &format!("{}/reports/ticket_survey", server.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Tuesday 12 November 2030, 10:00 Moscow time: a working morning years away from the
/// demo's tickets.
fn november_morning() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2030, 11, 12, 7, 0, 0).unwrap()
}

const NOVEMBER: &str = "from=2030-11-01&to=2030-11-30";

async fn file_ticket(api: &Api, category: &str, criticality: &str) -> Value {
    let (status, t) = api
        .send(
            "POST",
            "/api/tickets",
            Some(serde_json::json!({
                "title": "Проверка отчёта",
                "text": "Обращение для проверки отчётов по обращениям.",
                "category": category,
                "criticality": criticality,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t
}

async fn act(api: &Api, t: &Value, action: &str) -> Value {
    let (status, moved) = api.act(t, action, Some("Готово")).await;
    assert_eq!(status, StatusCode::OK, "{action}: {moved}");
    moved
}

#[tokio::test]
async fn tickets_by_category_and_status_follow_filing_moves_deletion_and_restore() {
    let server = TestServer::start_at(november_morning()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let news = dealer.file_ticket("Новость об акции").await;
    let question = file_ticket(&dealer, "consultation", "low").await;
    act(&specialist, &news, "take").await;

    let r = report(&admin, "tickets", NOVEMBER).await;
    assert_eq!(r["group_by"], "category");
    let news_row = row(&r, "individual_news");
    assert_eq!(news_row["values"]["tickets"], 1.0);
    assert_eq!(news_row["values"]["paid"], 1.0);
    assert_eq!(news_row["values"]["open"], 1.0);
    assert_eq!(row(&r, "consultation")["values"]["paid"], 0.0);
    assert_eq!(r["totals"]["values"]["tickets"], 2.0);
    let by_status = report(&admin, "tickets", &format!("{NOVEMBER}&group_by=status")).await;
    assert_eq!(row(&by_status, "accepted")["values"]["tickets"], 1.0);
    assert_eq!(row(&by_status, "in_progress")["values"]["tickets"], 1.0);
    assert_eq!(row(&by_status, "in_progress")["label"], "В стадии решения");
    assert_eq!(row(&by_status, "resolved")["values"]["tickets"], 0.0);
    // Another dealer's report has none of them.
    let other = server.login("dealer2@demo.local").await;
    let theirs = report(&other, "tickets", NOVEMBER).await;
    assert_eq!(theirs["totals"]["values"]["tickets"], 0.0);

    // A deleted ticket leaves the report, a restored one comes back.
    let id = question["id"].as_str().expect("id");
    let v = question["version"].as_u64().expect("version");
    let (status, deleted) = admin
        .send("DELETE", &format!("/api/tickets/{id}?version={v}"), None)
        .await;
    assert!(status.is_success(), "{deleted}");
    let r = report(&admin, "tickets", NOVEMBER).await;
    assert_eq!(r["totals"]["values"]["tickets"], 1.0);
    assert!(
        r["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|r| r["key"] != "consultation")
    );
    let (status, restored) = admin
        .send(
            "POST",
            &format!("/api/tickets/{id}/restore"),
            Some(serde_json::json!({"version": v + 1})),
        )
        .await;
    assert!(status.is_success(), "{restored}");
    let r = report(&admin, "tickets", NOVEMBER).await;
    assert_eq!(r["totals"]["values"]["tickets"], 2.0);

    // By month against the same months a year before, which had none: no change to show.
    let months = report(
        &admin,
        "tickets",
        "from=2030-10-01&to=2030-11-30&compare_from=2029-10-01&compare_to=2029-11-30&group_by=month",
    )
    .await;
    let keys: Vec<&str> = months["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys, vec!["2030-10", "2030-11"]);
    assert_eq!(row(&months, "2030-11")["values"]["tickets"], 2.0);
    assert_eq!(row(&months, "2030-11")["compare"]["tickets"], 0.0);
    assert_eq!(row(&months, "2030-11")["change"]["tickets"], Value::Null);
    assert_eq!(row(&months, "2030-10")["label"], "Октябрь 2030");
}

#[tokio::test]
async fn a_late_reaction_counts_as_breached_per_criticality() {
    let server = TestServer::start_at(november_morning()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let late = dealer.file_ticket("Срочная новость").await;
    let in_time = file_ticket(&dealer, "hosting", "high").await;
    act(&specialist, &in_time, "take").await;
    // High: 3 working hours. Taken at 14:00, an hour after its due time.
    server.state.clock.advance(chrono::Duration::hours(4));
    act(&specialist, &late, "take").await;
    let r = report(
        &admin,
        "ticket_sla",
        &format!("{NOVEMBER}&group_by=criticality"),
    )
    .await;
    let high = row(&r, "high");
    assert_eq!(high["values"]["tickets"], 2.0);
    assert_eq!(high["values"]["breached"], 1.0);
    assert_eq!(high["values"]["breached_share"], 50.0);
    assert_eq!(row(&r, "low")["values"]["tickets"], 0.0);
    let by_month = report(&admin, "ticket_sla", NOVEMBER).await;
    assert_eq!(by_month["group_by"], "month");
    assert_eq!(row(&by_month, "2030-11")["values"]["breached_share"], 50.0);
    assert_eq!(by_month["charts"][0]["kind"], "line");
}

#[tokio::test]
async fn confirmed_costs_count_in_their_quarter_for_the_dealer_and_its_accountant() {
    let server = TestServer::start_at(november_morning()).await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let t = dealer.file_ticket("Новость об акции").await;
    let t = act(&specialist, &t, "take").await;
    let (status, t) = specialist
        .send(
            "POST",
            &format!(
                "/api/tickets/{}/time-entries",
                t["id"].as_str().expect("id")
            ),
            Some(serde_json::json!({"minutes": 10, "note": "Разместили", "version": t["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let t = act(&specialist, &t, "send_for_review").await;
    let done = act(&dealer, &t, "accept").await;
    assert_eq!(done["cost_state"], "pending");
    let q4 = "from=2030-10-01&to=2030-12-31&dealer=dealer-1";
    let r = report(&admin, "ticket_costs", q4).await;
    let quarter = row(&r, "2030-Q4");
    assert_eq!(quarter["label"], "IV квартал 2030 г.");
    // High, 10 minutes: 590 ₽ (SPEC §2.3), awaiting the dealer.
    assert_eq!(quarter["values"]["pending_cost"], 590.0);
    assert_eq!(quarter["values"]["pending_hours"], 0.17);
    assert_eq!(quarter["values"]["confirmed_cost"], 0.0);
    let (status, confirmed) = dealer
        .send(
            "POST",
            &format!(
                "/api/tickets/{}/cost/confirm",
                done["id"].as_str().expect("id")
            ),
            Some(serde_json::json!({"version": done["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let r = report(&admin, "ticket_costs", q4).await;
    assert_eq!(row(&r, "2030-Q4")["values"]["confirmed_cost"], 590.0);
    assert_eq!(row(&r, "2030-Q4")["values"]["pending_cost"], 0.0);
    // The accountant reads its dealer's costs, and no other report.
    let accountant = server.login("accountant1@demo.local").await;
    let own = report(&accountant, "ticket_costs", "from=2030-10-01&to=2030-12-31").await;
    assert_eq!(row(&own, "2030-Q4")["values"]["confirmed_cost"], 590.0);
    let (status, _) = accountant.send("GET", "/api/reports/tickets", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = accountant
        .send("GET", "/api/reports/ticket_costs?dealer=dealer-2", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
