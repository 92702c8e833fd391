//! Comments and attached files on tickets, end to end: both sides see them, the other side
//! is told, files go in and come back byte for byte, limits are clear, other dealers get
//! 404, and the portal's forms work with their CSRF tokens.

use dealerdesk_app::jobs::{self, Job};
use dealerdesk_app::mail::read_mailbox;
use dealerdesk_e2e::browser::{hidden, log_in};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn comment(api: &Api, ticket: &Value, text: &str) -> (StatusCode, Value) {
    let id = ticket["id"].as_str().expect("id");
    api.send(
        "POST",
        &format!("/api/tickets/{id}/comments"),
        Some(json!({"text": text})),
    )
    .await
}

async fn card(api: &Api, ticket: &Value) -> (StatusCode, Value) {
    api.send(
        "GET",
        &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
        None,
    )
    .await
}

/// Uploads raw bytes with a type and a percent-encoded name.
async fn upload(
    api: &Api,
    ticket: &Value,
    content_type: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let id = ticket["id"].as_str().unwrap();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let resp = api
        .http
        .post(format!("{}/api/tickets/{id}/attachments", api.base))
        .bearer_auth(api.token.as_deref().unwrap())
        .header("content-type", content_type)
        .header("x-file-name", encoded)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn download(api: &Api, url: &str) -> reqwest::Response {
    api.http
        .get(format!("{}{url}", api.base))
        .bearer_auth(api.token.as_deref().unwrap())
        .send()
        .await
        .expect("download")
}

fn mails_to(server: &TestServer, to: &str) -> Vec<dealerdesk_app::mail::StoredMail> {
    read_mailbox(server.state.mailer.mailbox().unwrap())
        .into_iter()
        .filter(|m| m.email.to.iter().any(|t| t == to))
        .collect()
}

#[tokio::test]
async fn comments_are_seen_by_both_sides_notify_the_other_side_and_never_cause_a_409() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let state = &server.state;
    let ticket = dealer.file_ticket("Новость об акции").await;
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    let before = mails_to(&server, "specialist@demo.local").len();

    let (status, c1) = comment(&dealer, &ticket, "Картинку приложу отдельно").await;
    assert_eq!(status, StatusCode::CREATED, "{c1}");
    assert_eq!(c1["side"], "dealer");
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    let to_team = mails_to(&server, "specialist@demo.local");
    assert_eq!(
        to_team.len(),
        before + 1,
        "nobody took it yet: the team hears the dealer"
    );
    assert!(
        to_team[0].email.subject.contains("новый комментарий"),
        "{}",
        to_team[0].email.subject
    );
    assert!(to_team[0].email.subject.contains("Ирина Северова"));
    assert!(to_team[0].email.text.contains("Картинку приложу отдельно"));

    // The specialist acts on the version seen before the comment: comments do not bump it.
    let (status, taken) = specialist.act(&ticket, "take", None).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    let (status, c2) = comment(&specialist, &taken, "Жду картинку").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(c2["side"], "platform");
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    let to_dealer = mails_to(&server, "dealer1@demo.local");
    let mail = to_dealer
        .iter()
        .find(|m| m.email.text.contains("Жду картинку"))
        .expect("the dealer is told");
    assert!(
        mail.email
            .text
            .contains(&format!("/tickets/{}", ticket["id"].as_str().unwrap()))
    );

    let (status, _) = comment(&dealer, &taken, "Отправила").await;
    assert_eq!(status, StatusCode::CREATED);
    jobs::run(state, Job::Outbox, state.clock.now())
        .await
        .unwrap();
    assert!(
        mails_to(&server, "specialist@demo.local")
            .iter()
            .any(|m| m.email.text.contains("Отправила")),
        "the assignee hears the dealer"
    );

    for who in [&dealer, &specialist] {
        let (status, body) = card(who, &ticket).await;
        assert_eq!(status, StatusCode::OK);
        let texts: Vec<_> = body["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap())
            .collect();
        assert_eq!(
            texts,
            ["Картинку приложу отдельно", "Жду картинку", "Отправила"]
        );
        assert_eq!(body["version"], 2, "three comments, one move");
    }
    let (status, _) = specialist.act(&taken, "send_for_review", None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the version read before the comments still wins"
    );

    // The account manager of the dealer may answer in the ticket too.
    let manager = server.login("manager@demo.local").await;
    let (status, _) = comment(&manager, &ticket, "Подключаюсь").await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_comment_is_refused_to_other_dealers_roles_without_tickets_and_empty_texts() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Новость").await;
    let other = server.login("dealer2@demo.local").await;
    let (status, body) = comment(&other, &ticket, "Чужое").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let accountant = server.login("accountant1@demo.local").await;
    let (status, _) = comment(&accountant, &ticket, "Счёт?").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = comment(&dealer, &ticket, "   ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["message"], "Напишите текст комментария.");
    let (status, _) = comment(&dealer, &json!({"id": "no-such-ticket"}), "Текст").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = card(&dealer, &ticket).await;
    assert_eq!(body["comments"], json!([]));
}

#[tokio::test]
async fn a_file_goes_in_and_comes_back_byte_for_byte_with_its_russian_name() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let ticket = dealer.file_ticket("Баннер").await;

    let (status, meta) = upload(
        &dealer,
        &ticket,
        "image/png",
        "Скрин главной.png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{meta}");
    assert_eq!(meta["name"], "Скрин главной.png");
    assert_eq!(meta["content_type"], "image/png");
    assert_eq!(meta["size"], PNG.len());

    let (_, body) = card(&specialist, &ticket).await;
    let files = body["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    let url = files[0]["url"].as_str().unwrap().to_string();
    let resp = download(&specialist, &url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%D0%A1%D0%BA%D1%80%D0%B8%D0%BD%20%D0%B3%D0%BB%D0%B0%D0%B2%D0%BD%D0%BE%D0%B9.png"),
        "{disposition}"
    );
    assert_eq!(resp.bytes().await.unwrap().as_ref(), PNG);

    // A multipart body is accepted too; the part's type and name are used.
    let boundary = "dd-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"log.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice("Ошибка 500 на /news".as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let resp = specialist
        .http
        .post(format!(
            "{}/api/tickets/{}/attachments",
            specialist.base,
            ticket["id"].as_str().unwrap()
        ))
        .bearer_auth(specialist.token.as_deref().unwrap())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (_, body) = card(&dealer, &ticket).await;
    let names: Vec<_> = body["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Скрин главной.png", "log.txt"]);
}

#[tokio::test]
async fn too_big_wrong_type_and_disguised_files_are_refused_with_413_and_415_in_russian() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Файлы").await;

    let big = vec![b'a'; 5 * 1024 * 1024 + 1];
    let (status, body) = upload(&dealer, &ticket, "text/plain", "big.txt", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "attachment_too_large");
    assert_eq!(
        body["error"]["message"],
        "Файл слишком большой: можно прикрепить файл размером до 5 МБ."
    );

    let (status, body) = upload(
        &dealer,
        &ticket,
        "application/x-msdownload",
        "setup.exe",
        b"MZ\x90\0".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Такой тип файла прикрепить нельзя.")
    );
    let (status, body) = upload(
        &dealer,
        &ticket,
        "image/png",
        "photo.png",
        b"MZ\x90\0".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["error"]["code"], "file_content_mismatch");
    assert_eq!(
        body["error"]["message"],
        "Содержимое файла не соответствует его типу: это не изображение PNG."
    );
    let (status, _) = upload(&dealer, &ticket, "text/plain", "empty.txt", Vec::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, body) = card(&dealer, &ticket).await;
    assert_eq!(body["attachments"], json!([]), "nothing was kept");
}

#[tokio::test]
async fn another_dealer_can_neither_attach_to_nor_download_from_a_ticket() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let other = server.login("dealer2@demo.local").await;
    let ticket = dealer.file_ticket("Новость").await;
    let (status, meta) = upload(
        &dealer,
        &ticket,
        "application/pdf",
        "счёт.pdf",
        b"%PDF-1.7\n".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{meta}");
    let url = format!(
        "/api/tickets/{}/attachments/{}",
        ticket["id"].as_str().unwrap(),
        meta["id"].as_str().unwrap()
    );

    let (status, _) = upload(
        &other,
        &ticket,
        "application/pdf",
        "x.pdf",
        b"%PDF-1.7\n".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(download(&other, &url).await.status(), StatusCode::NOT_FOUND);
    let accountant = server.login("accountant1@demo.local").await;
    assert_eq!(
        download(&accountant, &url).await.status(),
        StatusCode::FORBIDDEN
    );
    let wrong_id = format!(
        "/api/tickets/{}/attachments/nope",
        ticket["id"].as_str().unwrap()
    );
    assert_eq!(
        download(&dealer, &wrong_id).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(download(&dealer, &url).await.status(), StatusCode::OK);
}

// ---------------------------------------------------------------- portal

fn multipart(
    csrf: Option<&str>,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "portal-boundary-7d1";
    let mut body = Vec::new();
    if let Some(csrf) = csrf {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn in_the_portal_the_card_shows_comments_and_files_and_takes_new_ones_with_csrf() {
    let server = TestServer::start().await;
    let api = server.login("dealer1@demo.local").await;
    let ticket = api.file_ticket("Баннер на главной").await;
    let card_url = format!("{}/tickets/{}", server.base, ticket["id"].as_str().unwrap());
    let b = log_in(&server, "dealer1@demo.local").await;
    let page = b.get(&card_url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Комментарии") && page.contains("Комментариев пока нет."));
    assert!(page.contains("Файлы") && page.contains("Файлов нет."));
    assert!(page.contains("До 5 МБ"));
    let csrf = hidden(&page, "csrf");

    let r = b
        .post(format!("{card_url}/comments"))
        .form(&[("text", "Без токена")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = b
        .post(format!("{card_url}/comments"))
        .form(&[("csrf", csrf.as_str()), ("text", "Баннер во вложении")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Баннер во вложении"));
    assert!(page.contains("Ирина Северова (Дилерский центр)"));
    let r = b
        .post(format!("{card_url}/comments"))
        .form(&[("csrf", csrf.as_str()), ("text", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Напишите текст комментария.")
    );

    let (content_type, body) = multipart(None, "banner.png", "image/png", PNG);
    let r = b
        .post(format!("{card_url}/attachments"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF field");
    let (content_type, body) = multipart(Some(&csrf), "banner.png", "image/png", PNG);
    let r = b
        .post(format!("{card_url}/attachments"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("banner.png"), "{page}");
    let start = page.find("/attachments/").expect("download link");
    let link =
        &page[page[..start].rfind('"').unwrap() + 1..start + page[start..].find('"').unwrap()];
    let r = b
        .get(format!("{}{link}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

    let (content_type, body) =
        multipart(Some(&csrf), "setup.exe", "application/x-msdownload", b"MZ");
    let r = b
        .post(format!("{card_url}/attachments"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Такой тип файла прикрепить нельзя.")
    );

    // Another dealer's browser gets a 404 for the card and the file.
    let other = log_in(&server, "dealer2@demo.local").await;
    let r = other
        .get(format!("{}{link}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
