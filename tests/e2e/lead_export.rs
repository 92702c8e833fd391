//! The lead list as a file (issue 11): `GET /api/leads?format=csv|xlsx` and the portal's
//! «Скачать» links. The XLSX is opened with calamine and its cells must be typed — the
//! creation time a date cell in Moscow time, the price a number — and a dealer's file holds
//! its own leads only, under the list's filters.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{TimeZone, Timelike, Utc};
use dealerdesk_app::lead::{self, LeadIntake};
use dealerdesk_domain::lead::{LeadDraft, LeadSource, Origin};
use dealerdesk_domain::{DealerId, NetworkId};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use std::io::Cursor;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn post_lead(server: &TestServer, dealer: &str, kind: &str, name: &str, price: Option<&str>) {
    let draft = LeadDraft {
        kind: Some(kind.into()),
        name: Some(name.into()),
        surname: Some("Петров".into()),
        phone: Some("+79123456789".into()),
        email: Some("client@mail.ru".into()),
        city: Some("Москва".into()),
        model: Some("Кроссовер X".into()),
        version: Some("2.0 AT".into()),
        trim: Some("Комфорт".into()),
        price: price.map(str::to_string),
        consent: Some("true".into()),
        ..LeadDraft::default()
    };
    lead::create(
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
}

/// A GET with the API's bearer token: status, content type, disposition and the bytes.
pub(crate) async fn download(api: &Api, path: &str) -> (StatusCode, String, String, Vec<u8>) {
    let mut request = api.http.get(format!("{}{path}", api.base));
    if let Some(token) = &api.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request reaches the server");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status();
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, kind, disposition, bytes)
}

/// The first worksheet's rows.
fn rows(xlsx: Vec<u8>) -> Vec<Vec<Data>> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).expect("an XLSX");
    let range = workbook
        .worksheet_range("Заявки")
        .expect("the sheet «Заявки»");
    range.rows().map(<[Data]>::to_vec).collect()
}

async fn start() -> TestServer {
    TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await
}

#[tokio::test]
async fn the_dealers_xlsx_has_typed_cells_and_only_its_own_leads() {
    let server = start().await;
    post_lead(&server, "dealer-1", "preorder", "Иван", Some("2 500 000")).await;
    post_lead(&server, "dealer-1", "service", "Анна", None).await;
    post_lead(&server, "dealer-2", "preorder", "Чужой", Some("100")).await;
    let api = server.login("dealer1@demo.local").await;

    let (status, kind, disposition, bytes) = download(&api, "/api/leads?format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, XLSX);
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");

    let rows = rows(bytes);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(
        header,
        [
            "Номер заявки",
            "Дата и время (МСК)",
            "Тип",
            "Статус",
            "Фамилия",
            "Имя",
            "Телефон",
            "Эл. почта",
            "Модель",
            "Цена, ₽",
            "Дилер",
            "Последнее изменение (МСК)",
        ]
    );
    assert_eq!(rows.len(), 3, "dealer 1's two leads, not dealer 2's");
    let names: Vec<String> = rows[1..].iter().map(|r| r[5].to_string()).collect();
    assert!(names.contains(&"Иван".to_owned()) && names.contains(&"Анна".to_owned()));

    let ivan = rows[1..]
        .iter()
        .find(|r| r[5] == Data::String("Иван".into()))
        .unwrap();
    // The creation time is a date cell, in Moscow time (07:00 UTC is 10:00 МСК).
    let Data::DateTime(created) = &ivan[1] else {
        panic!("the creation time is not a date cell: {:?}", ivan[1]);
    };
    let created = created.as_datetime().expect("a date and time");
    assert_eq!(created.date().to_string(), "2026-03-02");
    assert_eq!(created.hour(), 10);
    // The price is a number, not text.
    assert_eq!(ivan[9], Data::Float(2_500_000.0));
    assert_eq!(ivan[6], Data::String("+79123456789".into()));
    assert_eq!(ivan[2], Data::String("Предзаказ".into()));
    assert!(matches!(&ivan[10], Data::String(dealer) if !dealer.is_empty()));
    // Anna's lead has no price: an empty cell, not a zero.
    let anna = rows[1..]
        .iter()
        .find(|r| r[5] == Data::String("Анна".into()))
        .unwrap();
    assert_eq!(anna[9], Data::Empty);
    assert!(matches!(anna[11], Data::DateTime(_)));
}

#[tokio::test]
async fn the_csv_keeps_the_lists_filters_in_russian_excels_dialect() {
    let server = start().await;
    post_lead(&server, "dealer-1", "preorder", "Иван", Some("2 500 000")).await;
    post_lead(&server, "dealer-1", "service", "Анна", None).await;
    let api = server.login("dealer1@demo.local").await;

    let (status, kind, _, bytes) = download(&api, "/api/leads?format=csv&type=preorder").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "text/csv; charset=utf-8");
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 2, "the header and the one preorder: {text}");
    assert!(lines[0].contains("Номер заявки;Дата и время (МСК);Тип;Статус"));
    assert!(lines[1].contains(";Предзаказ;"), "{}", lines[1]);
    assert!(lines[1].contains(";Иван;+79123456789;"), "{}", lines[1]);
    assert!(lines[1].contains(";2500000,00;"), "{}", lines[1]);
    assert!(lines[1].contains(";02.03.2026 10:"), "{}", lines[1]);
}

#[tokio::test]
async fn an_unknown_format_is_refused_per_field_and_roles_without_leads_get_403() {
    let server = start().await;
    let api = server.login("dealer1@demo.local").await;
    let (status, body) = api.send("GET", "/api/leads?format=pdf", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "format");
    assert_eq!(
        body["error"]["fields"][0]["message"],
        "Формат — json, csv или xlsx."
    );

    let (status, body) = api.send("GET", "/api/leads?format=json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["items"].is_array());

    let specialist = server.login("specialist@demo.local").await;
    let (status, _, _, _) = download(&specialist, "/api/leads?format=xlsx").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _, _) = download(&server.anonymous(), "/api/leads?format=csv").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_portal_list_links_the_downloads_with_its_filters() {
    let server = start().await;
    post_lead(&server, "dealer-1", "preorder", "Иван", Some("2 500 000")).await;
    let b = browser::log_in(&server, "dealer1@demo.local").await;

    let (status, page) = browser::get(&b, &format!("{}/leads?type=preorder", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    // minijinja escapes the slashes of an attribute: «&#x2f;leads&#x2f;export?…».
    let link =
        |format: &str| format!("&#x2f;leads&#x2f;export?type=preorder&amp;format={format}\"");
    assert!(page.contains(&link("xlsx")), "{page}");
    assert!(page.contains(&link("csv")), "{page}");

    let response = b
        .get(format!(
            "{}/leads/export?type=preorder&format=xlsx",
            server.base
        ))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], XLSX);
    let rows = rows(response.bytes().await.expect("body").to_vec());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][5], Data::String("Иван".into()));
}
