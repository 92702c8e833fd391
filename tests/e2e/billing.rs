//! Billing end to end (SPEC §3): the network's price list and its versions, the dealers'
//! subscriptions with the price list's rules and their history, the platform's billing
//! settings and the dealers' requisites — who may read and change each, through HTTP.

use chrono::{TimeZone, Utc};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::TestServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn server() -> TestServer {
    TestServer::start_at(Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()).await
}

fn item<'a>(version: &'a Value, code: &str) -> &'a Value {
    version["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == code)
        .unwrap_or_else(|| panic!("no {code} in {version}"))
}

#[tokio::test]
async fn the_admin_keeps_the_price_list_of_the_spec_and_adds_prices_from_a_date() {
    let server = server().await;
    let admin = server.login("admin@demo.local").await;
    let (status, list) = admin.send("GET", "/api/admin/price-list", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["version"], 0);
    let cso = item(&list["current"], "cso");
    assert_eq!(
        (cso["connection"].as_str(), cso["quarterly"].as_str()),
        (Some("78900"), Some("29300"))
    );
    let pay = item(&list["current"], "online_payment");
    assert_eq!(pay["label"], "Онлайн-оплата (только Россия, нужен АВН/АСП)");
    assert_eq!(list["current"]["packages"][0]["price"], "30000");

    let change = json!({
        "effective_from": "2027-01-01",
        "items": [{"item": "cso", "quarterly": 31000}],
        "packages": [{"package": "hours_15", "price": "32000"}],
        "version": 0,
    });
    let (status, list) = admin
        .send("PUT", "/api/admin/price-list", Some(change.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["version"], 1);
    // Today still the old prices; the new version from the first of January.
    assert_eq!(item(&list["current"], "cso")["quarterly"], "29300");
    let newest = list["versions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(newest["effective_from"], "2027-01-01");
    assert_eq!(item(&newest, "cso")["quarterly"], "31000");
    assert_eq!(item(&newest, "cso")["connection"], "78900");
    assert_eq!(newest["packages"][0]["price"], "32000");

    // The same version again: someone added one meanwhile.
    let (status, body) = admin
        .send("PUT", "/api/admin/price-list", Some(change))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Прайс-лист"),
        "{body}"
    );
    // Never from a day already past.
    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/price-list",
            Some(json!({"effective_from": "2026-11-01", "items": [], "version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "effective_from");
    // Nobody but the admin.
    let manager = server.login("manager@demo.local").await;
    let (status, _) = manager.send("GET", "/api/admin/price-list", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_dealer_reads_its_subscription_and_its_account_manager_changes_it_with_history() {
    let server = server().await;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, sub) = dealer
        .send("GET", "/api/dealers/dealer-1/subscription", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{sub}");
    assert_eq!(sub["set"], true);
    assert_eq!(sub["package"], "hours_30");
    assert_eq!(sub["contract"], "Договор № 17 от 01.03.2024");
    // ЦСО 29 300 + both car modules 17 400 + both calculators 10 900 + hosting 9 000
    // + SSL 2 500 + trade-in 14 700 + the 30 h package 54 000.
    assert_eq!(sub["quarterly_total"], "137800");
    assert_eq!(sub["quarterly_total_text"], "137\u{a0}800\u{a0}₽");

    // Another dealer's subscription does not exist for them; the dealer may not change its own.
    let (status, _) = dealer
        .send("GET", "/api/dealers/dealer-2/subscription", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = dealer
        .send(
            "PUT",
            "/api/dealers/dealer-1/subscription",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let accountant = server.login("accountant1@demo.local").await;
    let (status, _) = accountant
        .send("GET", "/api/dealers/dealer-1/subscription", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let manager = server.login("manager@demo.local").await;
    let version = sub["version"].as_u64().unwrap();
    let change = json!({
        "cso_since": "2024-03-01",
        "modules": [
            {"item": "stock_and_used", "connected_on": "2024-03-01"},
            {"item": "calculator_both", "connected_on": "2024-06-01"},
            {"item": "hosting", "connected_on": "2024-03-01"},
            {"item": "ssl", "connected_on": "2024-03-01"},
            {"item": "trade_in", "connected_on": "2025-02-01"},
            {"item": "landing", "connected_on": "2026-11-16"},
        ],
        "package": "hours_60",
        "contract": "Договор № 17 от 01.03.2024",
        "version": version,
    });
    let (status, sub) = manager
        .send(
            "PUT",
            "/api/dealers/dealer-1/subscription",
            Some(change.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{sub}");
    assert_eq!(sub["version"], version + 1);
    let latest = &sub["history"][0];
    assert_eq!(latest["actor_name"], "Дмитрий Клиентов");
    assert_eq!(
        latest["lines"],
        json!([
            "Модуль «Конструктор посадочных страниц»: подключён с 16.11.2026",
            "Пакет часов: Пакет 30 часов → Пакет 60 часов",
        ])
    );
    // A stale version is refused; nothing changes.
    let (status, body) = manager
        .send("PUT", "/api/dealers/dealer-1/subscription", Some(change))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Подписку уже изменил"),
        "{body}"
    );
    // Dealer 3 is not his.
    let (status, _) = manager
        .send("GET", "/api/dealers/dealer-3/subscription", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The entries of the audit log of `item` (`kind:id`), newest first, as the admin reads them.
async fn audit_of(admin: &dealerdesk_e2e::server::Api, item: &str) -> Vec<Value> {
    let (status, page) = admin
        .send("GET", &format!("/api/audit?item={item}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{item}: {page}");
    page["items"].as_array().expect("items").clone()
}

/// The change of `field` in an audit entry, as (old, new).
fn field_change(entry: &Value, field: &str) -> (Value, Value) {
    let change = entry["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("no {field} in {entry}"));
    (change["old"].clone(), change["new"].clone())
}

#[tokio::test]
async fn the_audit_log_shows_who_changed_a_subscription_settings_requisites_and_prices_from_what_to_what()
 {
    let server = server().await;
    let admin = server.login("admin@demo.local").await;
    let manager = server.login("manager@demo.local").await;

    // The account manager gives «Автоцентр Север» the 60-hour package.
    let (_, sub) = manager
        .send("GET", "/api/dealers/dealer-1/subscription", None)
        .await;
    let mut change = json!({
        "cso_since": "2024-03-01",
        "modules": sub["modules"].as_array().unwrap().iter()
            .map(|m| json!({"item": m["item"], "connected_on": m["connected_on"]}))
            .collect::<Vec<_>>(),
        "package": "hours_60",
        "contract": sub["contract"],
        "version": sub["version"],
    });
    let (status, body) = manager
        .send(
            "PUT",
            "/api/dealers/dealer-1/subscription",
            Some(change.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = audit_of(&admin, "subscription:dealer-1").await;
    assert_eq!(
        entries.len(),
        2,
        "the demo's first save and the change: {entries:#?}"
    );
    // (The test server's clock stands before the demo's seeding: find the change by who.)
    let latest = entries
        .iter()
        .find(|e| e["by_name"] == "Дмитрий Клиентов")
        .unwrap_or_else(|| panic!("the account manager's change: {entries:#?}"));
    assert_eq!(latest["item_kind_label"], "Подписка дилера");
    assert_eq!(
        field_change(latest, "body.package"),
        (json!("hours_30"), json!("hours_60"))
    );
    let package = latest["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "body.package")
        .unwrap();
    assert_eq!(package["field_label"], "Пакет часов");
    // A refused change (a stale version) leaves no entry.
    change["package"] = json!("hours_15");
    let (status, _) = manager
        .send("PUT", "/api/dealers/dealer-1/subscription", Some(change))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(audit_of(&admin, "subscription:dealer-1").await.len(), 2);

    // The admin's billing settings: from 22 % VAT to none.
    let (_, settings) = admin.send("GET", "/api/admin/billing", None).await;
    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/billing",
            Some(json!({
                "seller": settings["seller"],
                "vat_mode": "none",
                "payment_days": "10",
                "version": settings["version"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = audit_of(&admin, "billing_settings:platform").await;
    assert_eq!(
        entries.len(),
        2,
        "the demo's seller and the admin's VAT: {entries:#?}"
    );
    let by_admin = entries
        .iter()
        .find(|e| e["by_name"] == "Администратор платформы")
        .unwrap_or_else(|| panic!("the admin's change: {entries:#?}"));
    assert!(
        by_admin["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"].as_str().unwrap().starts_with("body.vat")),
        "{entries:#?}"
    );

    // A dealer's requisites and a price version added.
    let (_, req) = admin
        .send("GET", "/api/dealers/dealer-2/requisites", None)
        .await;
    let mut draft = req["requisites"].clone();
    draft["legal_name"] = json!("ООО «Автоцентр Юг-Плюс»");
    draft["version"] = req["version"].clone();
    let (status, body) = admin
        .send("PUT", "/api/dealers/dealer-2/requisites", Some(draft))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = audit_of(&admin, "requisites:dealer-2").await;
    let by_admin = entries
        .iter()
        .find(|e| e["by_name"] == "Администратор платформы")
        .unwrap_or_else(|| panic!("the admin's change: {entries:#?}"));
    assert_eq!(
        field_change(by_admin, "body.legal_name"),
        (
            json!("ООО «Автоцентр Юг»"),
            json!("ООО «Автоцентр Юг-Плюс»")
        )
    );
    let (status, body) = admin
        .send(
            "PUT",
            "/api/admin/price-list",
            Some(json!({"effective_from": "2027-01-01", "items": [{"item": "cso", "quarterly": 31000}], "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = admin.send("GET", "/api/admin/price-list", None).await;
    let network = list["network"].as_str().unwrap();
    let entries = audit_of(&admin, &format!("price_list:{network}")).await;
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0]["by_name"], "Администратор платформы");
    assert_eq!(
        field_change(&entries[0], "added.effective_from"),
        (Value::Null, json!("2027-01-01"))
    );
}

#[tokio::test]
async fn the_or_plus_bundles_russia_only_and_avn_asp_are_refused_with_their_reasons() {
    let server = server().await;
    let admin = server.login("admin@demo.local").await;
    let (_, sub) = admin
        .send("GET", "/api/dealers/dealer-3/subscription", None)
        .await;
    let version = sub["version"].clone();
    let cases = [
        (
            json!([{"item": "stock_or_used", "connected_on": "2025-09-01"},
                   {"item": "stock_and_used", "connected_on": "2026-10-01"}]),
            true,
            false,
            "bundle_exclusive",
        ),
        (
            json!([{"item": "trade_in", "connected_on": "2026-10-01"}]),
            false,
            false,
            "russia_only",
        ),
        (
            json!([{"item": "online_payment", "connected_on": "2026-10-01"}]),
            true,
            false,
            "needs_avn_asp",
        ),
    ];
    for (modules, in_russia, avn_asp, code) in cases {
        let (status, body) = admin
            .send(
                "PUT",
                "/api/dealers/dealer-3/subscription",
                Some(json!({
                    "cso_since": "2025-09-01", "modules": modules, "in_russia": in_russia,
                    "avn_asp": avn_asp, "version": version,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], code, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "modules");
    }
    let (_, after) = admin
        .send("GET", "/api/dealers/dealer-3/subscription", None)
        .await;
    assert_eq!(after["version"], version, "nothing was written");
}

#[tokio::test]
async fn billing_settings_default_to_vat_22_included_and_requisites_are_checked_like_an_accountant()
{
    let server = server().await;
    let admin = server.login("admin@demo.local").await;
    let (status, settings) = admin.send("GET", "/api/admin/billing", None).await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["vat"]["mode"], "rate");
    assert_eq!(settings["vat"]["percent"], "22");
    assert_eq!(settings["vat"]["included"], true);
    assert_eq!(settings["seller"]["inn"], "7701234560");
    let mut seller = settings["seller"].clone();
    seller["legal_name"] = json!("ИП Платформов Пётр Петрович");
    seller["inn"] = json!("500100732259");
    seller["kpp"] = Value::Null;
    let (status, changed) = admin
        .send(
            "PUT",
            "/api/admin/billing",
            Some(json!({"seller": seller, "vat_mode": "none", "payment_days": 5, "version": settings["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["vat"]["label"], "Без НДС");
    assert_eq!(changed["payment_days"], 5);
    assert_eq!(changed["seller"]["kpp"], Value::Null);

    let (status, req) = admin
        .send("GET", "/api/dealers/dealer-2/requisites", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{req}");
    assert_eq!(req["requisites"]["legal_name"], "ООО «Автоцентр Юг»");
    let version = req["version"].clone();
    let (status, body) = admin
        .send(
            "PUT",
            "/api/dealers/dealer-2/requisites",
            Some(json!({
                "legal_name": "ООО «Автоцентр Юг»", "inn": "2310123455", "kpp": "231001001",
                "address": "350000, г. Краснодар, ул. Красная, д. 120",
                "bik": "0445", "version": version,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "inn",
            "bank_name",
            "bik",
            "account",
            "correspondent_account"
        ]
    );
    let (status, req) = admin
        .send(
            "PUT",
            "/api/dealers/dealer-2/requisites",
            Some(json!({
                "legal_name": "ООО «Автоцентр Юг»", "inn": "2310123454", "kpp": "231001001",
                "address": "350000, г. Краснодар, ул. Красная, д. 120",
                "bank_name": "ПАО Сбербанк", "bik": "040349602",
                "account": "40702810930000012345", "correspondent_account": "30101810100000000602",
                "version": version,
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{req}");
    assert_eq!(req["requisites"]["bik"], "040349602");
    assert_eq!(req["version"], version.as_u64().unwrap() + 1);

    let dealer = server.login("dealer2@demo.local").await;
    let (status, _) = dealer
        .send("GET", "/api/dealers/dealer-2/requisites", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = dealer.send("GET", "/api/admin/billing", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

// ---------------------------------------------------------------- the quarterly bill run

/// 1 January 2027, 03:00 in Moscow: Q4 2026 has just ended.
fn new_year() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()
}

async fn run_bills(server: &TestServer) -> dealerdesk_app::jobs::JobReport {
    dealerdesk_app::jobs::run(
        &server.state,
        dealerdesk_app::jobs::Job::QuarterlyBills,
        server.state.clock.now(),
    )
    .await
    .expect("the bill run")
}

async fn documents_of(api: &dealerdesk_e2e::server::Api, query: &str) -> Vec<Value> {
    let (status, list) = api
        .send("GET", &format!("/api/documents{query}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"].as_array().expect("items").clone()
}

fn find<'a>(docs: &'a [Value], dealer: &str, kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["dealer_id"] == dealer && d["kind"] == kind && d["corrects"].is_null())
        .unwrap_or_else(|| panic!("no {kind} of {dealer} in {docs:?}"))
}

/// The text `pdftotext -layout` reads from a PDF, runs of spaces made one.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let path = std::env::temp_dir().join(format!(
        "dealerdesk-billing-{}-{}.pdf",
        std::process::id(),
        pdf.len()
    ));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    std::fs::remove_file(&path).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn download(api: &dealerdesk_e2e::server::Api, id: &str) -> (StatusCode, Vec<u8>, String) {
    let resp = api
        .http
        .get(format!("{}/api/documents/{id}", api.base))
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
        .to_string();
    (status, resp.bytes().await.expect("body").to_vec(), kind)
}

#[tokio::test]
async fn the_bill_run_on_demo_data_issues_each_document_once_numbered_in_sequence() {
    let server = TestServer::start_at(new_year()).await;
    let first = run_bills(&server).await;
    assert_eq!((first.done, first.failed), (8, 0), "{first:?}");
    let admin = server.login("admin@demo.local").await;
    let before = documents_of(&admin, "?quarter=2026-Q4").await;
    assert_eq!(before.len(), 8);
    let mut numbers: Vec<&str> = before
        .iter()
        .map(|d| d["number"].as_str().unwrap())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("2026-{n:04}")).collect();
    assert_eq!(numbers, expected, "one number each, none skipped");

    // The 30 h package and the subscription of «Автоцентр Север», VAT 22 % included.
    let invoice = find(&before, "dealer-1", "invoice");
    assert_eq!(invoice["total"], "137800");
    assert_eq!(invoice["vat"], "24849.18");
    assert_eq!(invoice["due"], "2027-01-10");
    // «Автоцентр Восток» connected online payment on 20 October: 73 of 92 days and its fee.
    let vostok = find(&before, "dealer-4", "act");
    assert_eq!(vostok["total"], "226725");

    // A second run, and a price change after billing, change nothing that was issued.
    let (status, _) = admin
        .send(
            "PUT",
            "/api/admin/price-list",
            Some(json!({"effective_from": "2027-01-02", "items": [{"item": "cso", "quarterly": 35000}], "version": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = run_bills(&server).await;
    assert_eq!((second.done, second.failed), (0, 0), "{second:?}");
    assert_eq!(documents_of(&admin, "?quarter=2026-Q4").await, before);

    // Each document announced once, to the dealer's staff and its accountant.
    dealerdesk_app::jobs::run(
        &server.state,
        dealerdesk_app::jobs::Job::Outbox,
        server.state.clock.now(),
    )
    .await
    .expect("outbox");
    let mails = dealerdesk_app::mail::read_mailbox(server.state.mailer.mailbox().unwrap());
    let number = invoice["number"].as_str().unwrap();
    let to_north: Vec<_> = mails
        .iter()
        .filter(|m| m.email.subject.contains(number))
        .collect();
    assert_eq!(
        to_north.len(),
        1,
        "{:?}",
        to_north
            .iter()
            .map(|m| &m.email.subject)
            .collect::<Vec<_>>()
    );
    let mut to = to_north[0].email.to.clone();
    to.sort();
    assert_eq!(to, ["accountant1@demo.local", "dealer1@demo.local"]);
    assert!(
        to_north[0]
            .email
            .subject
            .starts_with("Счёт на оплату № 2026-"),
        "{}",
        to_north[0].email.subject
    );
}

#[tokio::test]
async fn a_run_that_crashed_after_claiming_resumes_and_issues_each_document_once() {
    let server = TestServer::start_at(new_year()).await;
    // The first run loses its file store after claiming: every dealer's invoice is claimed
    // with its number, no PDF is stored, nothing is issued or announced.
    let mut broken = server.state.clone();
    broken.blobs = std::sync::Arc::new(dealerdesk_app::blobs::Blobs::s3_at(
        "http://127.0.0.1:9",
        "gone",
    ));
    let crashed = dealerdesk_app::billing::jobs::bill(
        &broken,
        dealerdesk_domain::Quarter::new(2026, 4).unwrap(),
        new_year(),
        &|_, _| {},
    )
    .await
    .expect("the run reports its failures");
    assert_eq!((crashed.done, crashed.failed), (0, 4), "{crashed:?}");
    let admin = server.login("admin@demo.local").await;
    assert!(
        documents_of(&admin, "").await.is_empty(),
        "nothing issued yet"
    );

    let resumed = run_bills(&server).await;
    assert_eq!((resumed.done, resumed.failed), (8, 0), "{resumed:?}");
    let docs = documents_of(&admin, "").await;
    let mut numbers: Vec<&str> = docs.iter().map(|d| d["number"].as_str().unwrap()).collect();
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("2026-{n:04}")).collect();
    assert_eq!(
        numbers, expected,
        "the claimed numbers kept, none taken twice"
    );
    assert_eq!(run_bills(&server).await.done, 0);
}

#[tokio::test]
async fn documents_are_the_dealers_and_its_accountants_and_a_404_for_another_dealer() {
    let server = TestServer::start_at(new_year()).await;
    run_bills(&server).await;
    let dealer = server.login("dealer1@demo.local").await;
    let mine = documents_of(&dealer, "").await;
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|d| d["dealer_id"] == "dealer-1"));
    let accountant = server.login("accountant1@demo.local").await;
    assert_eq!(documents_of(&accountant, "?quarter=2026Q4").await, mine);
    let invoice = find(&mine, "dealer-1", "invoice");
    let id = invoice["id"].as_str().unwrap();
    assert_eq!(invoice["download_url"], format!("/api/documents/{id}"));

    let (status, pdf, kind) = download(&accountant, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    let text = pdf_text(&pdf);
    for phrase in [
        &format!("Счёт на оплату № {}", invoice["number"].as_str().unwrap()),
        "ООО «ДилерДеск»",
        "ООО «Автоцентр Север»",
        "Основание: Договор № 17 от 01.03.2024",
        "ЦСО + мобильная версия, IV квартал 2026 г.",
        "Пакет 30 часов технической поддержки",
        "Всего к оплате: 137 800,00",
        "В том числе НДС (22%): 24 849,18",
        "Сто тридцать семь тысяч восемьсот рублей 00 копеек",
    ] {
        assert!(text.contains(phrase), "no «{phrase}» in:\n{text}");
    }
    let act = find(&mine, "dealer-1", "act");
    let (_, pdf, _) = download(&dealer, act["id"].as_str().unwrap()).await;
    let text = pdf_text(&pdf);
    assert!(text.contains("137 800,00"), "{text}");

    // Another dealer: not found, in the list and the file alike; the manager sees his dealer's.
    let other = server.login("dealer2@demo.local").await;
    let (status, _, _) = download(&other, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other
        .send("GET", "/api/documents?dealer=dealer-1", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let manager = server.login("manager@demo.local").await;
    assert_eq!(documents_of(&manager, "?dealer=dealer-1").await.len(), 2);
    let (status, _, _) = download(&manager, id).await;
    assert_eq!(status, StatusCode::OK);
    let specialist = server.login("specialist@demo.local").await;
    let (status, _) = specialist.send("GET", "/api/documents", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The portal's page and download.
    let browser = dealerdesk_e2e::browser::log_in(&server, "accountant1@demo.local").await;
    let (status, page) =
        dealerdesk_e2e::browser::get(&browser, &format!("{}/documents", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Счёт на оплату № "), "{page}");
    assert!(page.contains(&format!("/documents/{id}/pdf")), "{page}");
}

#[tokio::test]
async fn the_admin_marks_an_overdue_invoice_paid_and_corrects_a_document_with_a_new_one() {
    let server = TestServer::start_at(new_year()).await;
    run_bills(&server).await;
    server
        .state
        .clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 9, 0, 0).unwrap());
    let admin = server.login("admin@demo.local").await;
    let docs = documents_of(&admin, "?dealer=dealer-2").await;
    let invoice = find(&docs, "dealer-2", "invoice").clone();
    assert_eq!(invoice["overdue"], true, "{invoice}");
    let id = invoice["id"].as_str().unwrap();

    let manager = server.login("manager@demo.local").await;
    let (status, _) = manager
        .send(
            "POST",
            &format!("/api/documents/{id}/paid"),
            Some(json!({"version": invoice["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, paid) = admin
        .send(
            "POST",
            &format!("/api/documents/{id}/paid"),
            Some(json!({"version": invoice["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{paid}");
    assert_eq!(
        (paid["status"].as_str(), paid["overdue"].as_bool()),
        (Some("paid"), Some(false))
    );
    let (status, _) = admin
        .send(
            "POST",
            &format!("/api/documents/{id}/paid"),
            Some(json!({"version": paid["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The audit log: issued by the bill run, paid by the admin.
    let entries = audit_of(&admin, &format!("document:{id}")).await;
    assert_eq!(
        entries[0]["by_name"], "Администратор платформы",
        "{entries:#?}"
    );
    assert_eq!(
        field_change(&entries[0], "status"),
        (json!("issued"), json!("paid"))
    );
    assert_eq!(
        entries[1]["by"],
        Value::Null,
        "the bill run issued it: {entries:#?}"
    );

    // Nothing changed: nothing to correct.
    let act = find(&docs, "dealer-2", "act").clone();
    let act_id = act["id"].as_str().unwrap();
    let (status, body) = admin
        .send(
            "POST",
            &format!("/api/documents/{act_id}/correct"),
            Some(json!({"version": act["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "nothing_to_correct");

    // The SSL certificate was in fact switched off on 1 December: the act is corrected by a
    // new one, with the year's next number; the original stays, marked as corrected.
    let (_, sub) = admin
        .send("GET", "/api/dealers/dealer-2/subscription", None)
        .await;
    let (status, body) = admin
        .send(
            "PUT",
            "/api/dealers/dealer-2/subscription",
            Some(json!({
                "cso_since": "2025-01-15",
                "modules": [
                    {"item": "stock_or_used", "connected_on": "2025-01-15"},
                    {"item": "calculator_one", "connected_on": "2025-01-15"},
                    {"item": "ssl", "connected_on": "2025-01-15", "disconnected_on": "2026-12-01"},
                ],
                "package": "hours_15",
                "contract": "Договор № 23 от 15.01.2025",
                "version": sub["version"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, corrective) = admin
        .send(
            "POST",
            &format!("/api/documents/{act_id}/correct"),
            Some(json!({"version": act["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{corrective}");
    assert_eq!(corrective["corrects"], act["number"]);
    assert_eq!(corrective["number"], "2027-0001");
    // ЦСО 29 300, cars 10 900, a calculator 8 700, the 15 h package 30 000 and SSL
    // 2 500 → 81 400; SSL for 61 of 92 days is 1 657,61 → 80 557,61.
    assert_eq!(act["total"], "81400");
    assert_eq!(corrective["total"], "80557.61");
    let now = documents_of(&admin, "?dealer=dealer-2").await;
    let original = now.iter().find(|d| d["id"] == act["id"]).unwrap();
    assert_eq!(original["number"], act["number"]);
    assert_eq!(original["total"], act["total"]);
    assert_eq!(original["corrected_by"], corrective["id"]);
    let entries = audit_of(&admin, &format!("document:{act_id}")).await;
    assert_eq!(
        entries[0]["by_name"], "Администратор платформы",
        "{entries:#?}"
    );
    assert_eq!(
        field_change(&entries[0], "corrected_by"),
        (Value::Null, corrective["id"].clone())
    );
    let entries = audit_of(
        &admin,
        &format!("document:{}", corrective["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(entries.len(), 2, "claimed and issued: {entries:#?}");
    assert!(
        entries
            .iter()
            .all(|e| e["by_name"] == "Администратор платформы")
    );
    let (status, body) = admin
        .send(
            "POST",
            &format!("/api/documents/{act_id}/correct"),
            Some(json!({"version": original["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_corrected");
}

// ---------------------------------------------------------------- the portal's forms

/// The form fields of dealer 1's demo subscription with `changes` over them.
fn north_form<'a>(
    csrf: &'a str,
    version: &'a str,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("version", version),
        ("cso_since", "2024-03-01"),
        ("module.0.item", "stock_and_used"),
        ("module.0.on", "2024-03-01"),
        ("module.1.item", "calculator_both"),
        ("module.1.on", "2024-06-01"),
        ("module.2.item", "hosting"),
        ("module.2.on", "2024-03-01"),
        ("module.3.item", "ssl"),
        ("module.3.on", "2024-03-01"),
        ("module.4.item", "trade_in"),
        ("module.4.on", "2025-02-01"),
        ("package", "hours_30"),
        ("in_russia", "1"),
        ("contract", "Договор № 17 от 01.03.2024"),
    ];
    for &(name, value) in changes {
        match form.iter_mut().find(|(n, _)| *n == name) {
            Some(field) => field.1 = value,
            None => form.push((name, value)),
        }
    }
    form.retain(|(_, v)| !v.is_empty());
    form
}

#[tokio::test]
async fn the_account_manager_edits_a_subscription_in_the_portal_with_the_refusals_beside_the_form()
{
    let server = server().await;
    let manager = browser::log_in(&server, "manager@demo.local").await;
    let (status, list) = browser::get(&manager, &format!("{}/subscriptions", server.base)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(
        list.contains("href=\"/dealers/dealer-1/subscription\""),
        "{list}"
    );
    assert!(
        !list.contains("Автоцентр Урал"),
        "dealer 3 is not his: {list}"
    );

    let url = format!("{}/dealers/dealer-1/subscription", server.base);
    let (status, page) = browser::get(&manager, &url).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Изменить подписку") && page.contains("137\u{a0}800\u{a0}₽"),
        "{page}"
    );
    let csrf = browser::hidden(&page, "csrf");
    let version = browser::hidden(&page, "version");

    // Each rule of the price list refuses in Russian beside the form, the values kept.
    for (changes, reason) in [
        (
            vec![
                ("module.5.item", "stock_or_used"),
                ("module.5.on", "2026-11-01"),
            ],
            "подключается либо один модуль, либо оба вместе",
        ),
        (
            vec![("in_russia", "")],
            "Модуль «Trade-in» доступен только дилерам в России.",
        ),
        (
            vec![
                ("module.5.item", "online_payment"),
                ("module.5.on", "2026-11-01"),
            ],
            // (The page escapes the slash.)
            "Для модуля «Онлайн-оплата» нужен договор АВН&#x2f;АСП с дилером.",
        ),
    ] {
        let (status, _, page) =
            browser::post(&manager, &url, &north_form(&csrf, &version, &changes)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains(reason), "{reason}: {page}");
        assert!(page.contains("role=\"alert\""), "{page}");
        assert!(
            page.contains("value=\"Договор № 17 от 01.03.2024\""),
            "the form keeps what was typed: {page}"
        );
    }
    let (status, _, page) = browser::post(
        &manager,
        &url,
        &north_form(&csrf, &version, &[("cso_since", "первое марта")]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Дата подключения ЦСО — в формате ГГГГ-ММ-ДД."),
        "{page}"
    );

    // A landing page from 16 November and the 60-hour package.
    let (status, path, page) = browser::post(
        &manager,
        &url,
        &north_form(
            &csrf,
            &version,
            &[
                ("module.5.item", "landing"),
                ("module.5.on", "2026-11-16"),
                ("package", "hours_60"),
            ],
        ),
    )
    .await;
    assert_eq!(
        (status, path.as_str()),
        (StatusCode::OK, "/dealers/dealer-1/subscription"),
        "{page}"
    );
    assert!(page.contains("Подписка сохранена."), "{page}");
    assert!(page.contains("Дмитрий Клиентов"), "{page}");
    assert!(
        page.contains("Пакет часов: Пакет 30 часов → Пакет 60 часов"),
        "{page}"
    );
    assert!(
        page.contains("Модуль «Конструктор посадочных страниц»: подключён с 16.11.2026"),
        "{page}"
    );
    // The form sent again with the version it showed before is stale.
    let (status, _, page) = browser::post(&manager, &url, &north_form(&csrf, &version, &[])).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Подписку уже изменил"), "{page}");

    // The dealer reads its own page without the form; another dealer's is a 404; a post is 403.
    let dealer = browser::log_in(&server, "dealer1@demo.local").await;
    let (status, page) = browser::get(&dealer, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Пакет 60 часов") && !page.contains("Изменить подписку"),
        "{page}"
    );
    let (status, _) = browser::get(
        &dealer,
        &format!("{}/dealers/dealer-2/subscription", server.base),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let csrf = browser::hidden(&page, "csrf");
    let (status, _, _) = browser::post(&dealer, &url, &north_form(&csrf, "2", &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_admin_marks_an_overdue_invoice_paid_and_issues_a_corrective_act_in_the_portal() {
    let server = TestServer::start_at(new_year()).await;
    run_bills(&server).await;
    server
        .state
        .clock
        .set(Utc.with_ymd_and_hms(2027, 1, 20, 9, 0, 0).unwrap());
    let api = server.login("admin@demo.local").await;
    let docs = documents_of(&api, "?dealer=dealer-2").await;
    let invoice = find(&docs, "dealer-2", "invoice").clone();
    let act = find(&docs, "dealer-2", "act").clone();

    let admin = browser::log_in(&server, "admin@demo.local").await;
    let list = format!("{}/documents", server.base);
    let (status, page) = browser::get(&admin, &list).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Просрочен"),
        "overdue invoices are flagged: {page}"
    );
    assert!(page.contains("Отметить оплату") && page.contains("Выставить исправленный"));
    let csrf = browser::hidden(&page, "csrf");
    let paid = format!(
        "{}/documents/{}/paid",
        server.base,
        invoice["id"].as_str().unwrap()
    );
    let version = invoice["version"].to_string();
    let (status, path, page) =
        browser::post(&admin, &paid, &[("csrf", &csrf), ("version", &version)]).await;
    assert_eq!(
        (status, path.as_str()),
        (StatusCode::OK, "/documents"),
        "{page}"
    );
    assert!(page.contains("Оплата счёта отмечена."), "{page}");
    let now = documents_of(&api, "?dealer=dealer-2").await;
    assert_eq!(find(&now, "dealer-2", "invoice")["status"], "paid");
    // The same form again: the version it carried is stale, said on the list.
    let (status, _, page) =
        browser::post(&admin, &paid, &[("csrf", &csrf), ("version", &version)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("role=\"alert\""), "{page}");

    // SSL was switched off on 1 December: the corrective act, the original kept beside it.
    let (_, sub) = api
        .send("GET", "/api/dealers/dealer-2/subscription", None)
        .await;
    let (status, body) = api
        .send(
            "PUT",
            "/api/dealers/dealer-2/subscription",
            Some(json!({
                "cso_since": "2025-01-15",
                "modules": [
                    {"item": "stock_or_used", "connected_on": "2025-01-15"},
                    {"item": "calculator_one", "connected_on": "2025-01-15"},
                    {"item": "ssl", "connected_on": "2025-01-15", "disconnected_on": "2026-12-01"},
                ],
                "package": "hours_15",
                "contract": "Договор № 23 от 15.01.2025",
                "version": sub["version"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let correct = format!(
        "{}/documents/{}/correct",
        server.base,
        act["id"].as_str().unwrap()
    );
    let (status, path, page) = browser::post(
        &admin,
        &correct,
        &[("csrf", &csrf), ("version", &act["version"].to_string())],
    )
    .await;
    assert_eq!(
        (status, path.as_str()),
        (StatusCode::OK, "/documents"),
        "{page}"
    );
    assert!(page.contains("Исправленный документ выставлен"), "{page}");
    let number = act["number"].as_str().unwrap();
    assert!(page.contains(&format!("исправляет № {number}")), "{page}");
    assert!(
        page.contains("<small>исправлен</small>"),
        "the original stays: {page}"
    );

    // The dealer sees both documents and none of the admin's buttons; the manager neither.
    for email in ["dealer2@demo.local", "manager@demo.local"] {
        let b = browser::log_in(&server, email).await;
        let (status, page) = browser::get(&b, &list).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(&format!("исправляет № {number}")),
            "{email}: {page}"
        );
        assert!(!page.contains("Отметить оплату") && !page.contains("Выставить исправленный"));
    }
    let dealer = browser::log_in(&server, "dealer2@demo.local").await;
    let (_, page) = browser::get(&dealer, &list).await;
    let csrf = browser::hidden(&page, "csrf");
    let (status, _, _) =
        browser::post(&dealer, &correct, &[("csrf", &csrf), ("version", "3")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
