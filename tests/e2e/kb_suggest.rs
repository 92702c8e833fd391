//! Knowledge-base suggestions (SPEC §2.8) through the real HTTP API and portal: what a dealer
//! types into a new ticket finds the right article (other word forms, ё/е, typos), who may
//! ask, the form's script, deflection and the admin's report, and an article published
//! while the server runs.

use dealerdesk_app::kb_suggest;
use dealerdesk_domain::kb::suggest::Document;
use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

async fn suggest(api: &Api, q: &str) -> (StatusCode, Value) {
    let q: String = url_encode(q);
    api.send("GET", &format!("/api/kb/suggest?q={q}"), None)
        .await
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn slugs(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["slug"].as_str().expect("slug").to_string())
        .collect()
}

#[tokio::test]
async fn a_dealers_ticket_text_finds_the_right_article_in_any_word_form_with_yo_or_a_typo() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;

    let (status, body) = suggest(
        &dealer,
        "Нужно настроить несколько редиректов после смены структуры каталога",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = &body["items"][0];
    assert_eq!(first["slug"], "redirekty", "{body}");
    assert_eq!(first["url"], "/kb/rabota-s-saitom/redirekty/");
    assert_eq!(first["open_url"], "/kb-suggest/open/redirekty");
    let marked: Vec<&str> = first["snippet"]
        .as_array()
        .expect("snippet parts")
        .iter()
        .filter(|p| p["mark"] == true)
        .map(|p| p["text"].as_str().expect("text"))
        .collect();
    assert!(!marked.is_empty(), "the matched words are marked: {first}");

    // «новость», «новости», «новостей»: one article.
    for q in ["новость", "новости", "как добавить новостей"] {
        let (_, body) = suggest(&dealer, q).await;
        assert!(
            slugs(&body).contains(&"razmeshchenie-novosti".to_string()),
            "{q}: {body}"
        );
    }

    // «ё» and «е» are one letter.
    let (_, with_yo) = suggest(&dealer, "куда поставить счётчик метрики").await;
    let (_, with_ye) = suggest(&dealer, "куда поставить счетчик метрики").await;
    assert_eq!(slugs(&with_yo), slugs(&with_ye));
    assert_eq!(slugs(&with_yo)[0], "schetchiki-i-skripty", "{with_yo}");

    // A small typo still finds the article.
    let (_, body) = suggest(&dealer, "как сделать ридирект").await;
    assert_eq!(slugs(&body)[0], "redirekty", "{body}");

    // Too short: nothing yet; too long: refused, naming the limit.
    let (status, body) = suggest(&dealer, "ре").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(slugs(&body), Vec::<String>::new());
    let (status, body) = suggest(&dealer, &"редирект ".repeat(120)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("1000"),
        "{body}"
    );
    assert_eq!(body["error"]["fields"][0]["field"], "q");
    let (status, body) = dealer
        .send("GET", "/api/kb/suggest?query=redirect", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn suggestions_are_for_people_who_work_with_tickets() {
    let server = TestServer::start().await;
    let (status, body) = suggest(&server.anonymous(), "редирект").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["error"]["message"].is_string());
    let accountant = server.login("accountant1@demo.local").await;
    let (status, body) = suggest(&accountant, "редирект").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for email in [
        "specialist@demo.local",
        "manager@demo.local",
        "admin@demo.local",
    ] {
        let api = server.login(email).await;
        let (status, body) = suggest(&api, "редирект").await;
        assert_eq!(status, StatusCode::OK, "{email}: {body}");
        assert_eq!(slugs(&body)[0], "redirekty");
    }

    // The admin's report is the admin's only.
    for email in ["dealer1@demo.local", "specialist@demo.local"] {
        let b = log_in(&server, email).await;
        let (status, page) = get(&b, &format!("{}/admin/kb-suggest", server.base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {page}");
    }
}

#[tokio::test]
async fn the_new_ticket_form_loads_the_suggestion_script_and_works_without_it() {
    let server = TestServer::start().await;
    let dealer = log_in(&server, "dealer1@demo.local").await;
    let (status, form) = get(&dealer, &format!("{}/tickets/new", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("data-kb-suggest"), "{form}");
    assert!(form.contains(r#"<script src="/static/kb-suggest.js" defer></script>"#));
    assert!(!form.contains("<script>"), "no inline script under the CSP");
    let r = dealer
        .get(format!("{}/static/kb-suggest.js", server.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/javascript")
    );
    let script = r.text().await.expect("body");
    assert!(script.contains("/api/kb/suggest"));
    assert!(script.contains("Не нашли ответ? Отправьте обращение"));
}

/// A client holding `api`'s session as the portal's cookie that does not follow redirects.
fn cookie_client(api: &Api) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let cookie = format!("dd_session={}", api.token.as_deref().expect("token"));
    (client, cookie)
}

async fn open(server: &TestServer, api: &Api, slug: &str, form: &str) -> (StatusCode, String) {
    let (client, cookie) = cookie_client(api);
    let r = client
        .get(format!(
            "{}/kb-suggest/open/{slug}?form={form}",
            server.base
        ))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET");
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("location").to_string())
        .unwrap_or_default();
    (r.status(), location)
}

#[tokio::test]
async fn the_admin_sees_deflection_per_dealer_and_per_article_and_the_queries_that_found_nothing() {
    let server = TestServer::start().await;
    let dealer_api = server.login("dealer1@demo.local").await;
    let dealer = log_in(&server, "dealer1@demo.local").await;

    // Form 1: the dealer reads the redirects article and leaves.
    let (_, form) = get(&dealer, &format!("{}/tickets/new", server.base)).await;
    let first_form = hidden(&form, "form_id");
    let (status, location) = open(&server, &dealer_api, "redirekty", &first_form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/kb/rabota-s-saitom/redirekty/");

    // Form 2: reads the meta tags article, then files the ticket anyway.
    let (_, form) = get(&dealer, &format!("{}/tickets/new", server.base)).await;
    let second_form = hidden(&form, "form_id");
    let csrf = hidden(&form, "csrf");
    let (status, _) = open(&server, &dealer_api, "meta-tegi", &second_form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, path, _) = post(
        &dealer,
        &format!("{}/tickets", server.base),
        &[
            ("csrf", &csrf),
            ("form_id", &second_form),
            ("kb_opened", "1"),
            ("title", "Мета-теги на странице модели"),
            ("text", "Поменяйте, пожалуйста, title и description."),
            ("category", "individual_news"),
            ("criticality", "low"),
            ("billing", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(path.starts_with("/tickets/"), "{path}");

    // An article the index does not have is no redirect anywhere.
    let (status, _) = open(
        &server,
        &dealer_api,
        "https:%2F%2Fevil.example",
        &first_form,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Typing a text that finds nothing counts nothing (half-typed words would); filing it
    // does, twice for two such tickets.
    let (status, body) = suggest(&dealer_api, "Абырвалг главры").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(slugs(&body), Vec::<String>::new());
    for _ in 0..2 {
        let (_, form) = get(&dealer, &format!("{}/tickets/new", server.base)).await;
        let (status, path, _) = post(
            &dealer,
            &format!("{}/tickets", server.base),
            &[
                ("csrf", &hidden(&form, "csrf")),
                ("form_id", &hidden(&form, "form_id")),
                ("kb_opened", ""),
                ("title", "Абырвалг"),
                ("text", "Главрыба"),
                ("category", "individual_news"),
                ("criticality", "low"),
                ("billing", ""),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(path.starts_with("/tickets/"), "{path}");
    }

    // Within half an hour the first form is still undecided.
    let admin = log_in(&server, "admin@demo.local").await;
    let (status, page) = get(&admin, &format!("{}/admin/kb-suggest", server.base)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Подсказки базы знаний"));
    assert!(page.contains("ещё ждут решения: 1"), "{page}");

    // Half an hour later it is abandoned: deflected. One of two forms: 50 %.
    server
        .state
        .clock
        .set(server.state.clock.now() + chrono::Duration::minutes(31));
    let (_, page) = get(&admin, &format!("{}/admin/kb-suggest", server.base)).await;
    assert!(page.contains("<strong>50 %</strong> (1 из 2"), "{page}");
    assert!(
        page.contains("<td>Автоцентр Север</td><td>50 %</td><td>1</td><td>1</td><td>0</td>"),
        "{page}"
    );
    assert!(
        page.contains("<td>Редиректы 301: когда и как настроить</td><td>100 %</td>"),
        "{page}"
    );
    assert!(
        page.contains("<td>0 %</td>"),
        "the meta tags article did not help: {page}"
    );
    assert!(
        page.contains("<td>абырвалг главрыба</td><td>2</td>") && !page.contains("главры<"),
        "{page}"
    );
}

#[tokio::test]
async fn an_article_published_while_the_server_runs_is_suggested_at_once() {
    let server = TestServer::start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let (_, body) = suggest(&dealer, "палитра тюнинга дисков").await;
    assert!(!slugs(&body).contains(&"tyuning-palitra".to_string()));

    let mut docs = kb_suggest::seed_documents();
    docs.push(Document {
        slug: "tyuning-palitra".into(),
        title: "Палитра тюнинга дисков".into(),
        section: "moduli".into(),
        tags: vec!["диски".into(), "тюнинг".into()],
        summary: "Как включить палитру тюнинга дисков в конфигураторе.".into(),
        text: "Палитра тюнинга показывает диски на выбранной модели.".into(),
    });
    kb_suggest::publish_index(&server.state, &docs, server.state.clock.now())
        .await
        .expect("published");
    let (_, body) = suggest(&dealer, "палитра тюнинга дисков").await;
    assert_eq!(slugs(&body)[0], "tyuning-palitra", "{body}");
}
