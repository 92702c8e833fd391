//! Billing end to end (SPEC §3): the network's price list and its versions, the dealers'
//! subscriptions with the price list's rules and their history, the platform's billing
//! settings and the dealers' requisites — who may read and change each, through HTTP.

use chrono::{TimeZone, Utc};
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
