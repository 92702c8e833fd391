//! The knowledge base (SPEC §2.8, issue 9) through the real HTTP API, the portal and the
//! built site at `/kb/`: support staff publish and the page is there without a restart,
//! every internal link of the site works, only support staff write articles, and the draft
//! made from a ticket carries no e-mail, phone or name.

use dealerdesk_e2e::browser::{get, hidden, log_in, post};
use dealerdesk_e2e::server::TestServer;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use std::collections::{BTreeSet, VecDeque};

/// A server with the seed articles stored and the site built (what `dealerdesk serve` does).
async fn server_with_kb() -> TestServer {
    let server = TestServer::start().await;
    let seeded = dealerdesk_app::kb::seed(&server.state, server.state.clock.now())
        .await
        .expect("the seed articles are stored and published");
    assert!(seeded >= 30, "{seeded} seed articles");
    server
}

async fn page(url: &str) -> (StatusCode, String, String) {
    let r = reqwest::get(url).await.expect("GET");
    let status = r.status();
    let csp = r
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap_or("").to_string())
        .unwrap_or_default();
    (status, csp, r.text().await.expect("body"))
}

fn new_article() -> Value {
    json!({
        "slug": "perenos-novostei",
        "section": "rabota-s-saitom",
        "title": "Перенос новостей со старого сайта",
        "tags": ["новости", "перенос"],
        "summary": "Как перенести архив новостей со старого сайта дилера на платформу.",
        "body": "Пришлите список адресов старых новостей. После переноса настройте [редиректы](../rabota-s-saitom/redirekty/) со старых адресов.\n\n## Сроки\n\nДо 50 новостей — за один рабочий день.",
    })
}

#[tokio::test]
async fn an_article_published_from_the_api_appears_on_the_site_without_a_restart() {
    let server = server_with_kb().await;
    let specialist = server.login("specialist@demo.local").await;
    let url = format!("{}/kb/rabota-s-saitom/perenos-novostei/", server.base);

    let (status, draft) = specialist
        .send("POST", "/api/kb/articles", Some(new_article()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(
        (draft["status"].as_str(), draft["version"].as_u64()),
        (Some("draft"), Some(1))
    );
    // A draft is not on the site.
    assert_eq!(page(&url).await.0, StatusCode::NOT_FOUND);

    // The same slug again is a conflict naming the field.
    let (status, body) = specialist
        .send("POST", "/api/kb/articles", Some(new_article()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "slug");

    let (status, published) = specialist
        .send(
            "POST",
            "/api/kb/articles/perenos-novostei/publish",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["status"], "published");
    assert_eq!(published["version"], 2);
    let (status, csp, html) = page(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<h1>Перенос новостей со старого сайта</h1>"),
        "{html}"
    );
    assert!(html.contains(r#"<a href="../../rabota-s-saitom/redirekty/">редиректы</a>"#));
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    let (_, _, section) = page(&format!("{}/kb/rabota-s-saitom/", server.base)).await;
    assert!(section.contains("Перенос новостей со старого сайта"));
    let (_, _, sitemap) = page(&format!("{}/kb/sitemap.xml", server.base)).await;
    assert!(
        sitemap.contains("/kb/rabota-s-saitom/perenos-novostei/</loc>"),
        "{sitemap}"
    );
    // … and in the suggestions of the new-ticket form, from the index the publish rebuilt.
    let dealer = server.login("dealer1@demo.local").await;
    let (status, found) = dealer
        .send(
            "GET",
            "/api/kb/suggest?q=%D0%BA%D0%B0%D0%BA%20%D0%BF%D0%B5%D1%80%D0%B5%D0%BD%D0%B5%D1%81%D1%82%D0%B8%20%D0%B0%D1%80%D1%85%D0%B8%D0%B2%20%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B5%D0%B9",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["items"][0]["slug"], "perenos-novostei", "{found}");

    // An edit of a published article changes the page at once; a stale version is a 409.
    let mut edit = new_article();
    edit["version"] = json!(2);
    edit["title"] = json!("Перенос архива новостей");
    let (status, edited) = specialist
        .send(
            "PUT",
            "/api/kb/articles/perenos-novostei",
            Some(edit.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert!(
        page(&url)
            .await
            .2
            .contains("<h1>Перенос архива новостей</h1>")
    );
    let (status, body) = specialist
        .send("PUT", "/api/kb/articles/perenos-novostei", Some(edit))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Статью"),
        "{body}"
    );

    // The history has every version.
    let (_, card) = specialist
        .send("GET", "/api/kb/articles/perenos-novostei", None)
        .await;
    let actions: Vec<_> = card["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, vec!["created", "published", "edited"]);

    // Unpublished, it is gone from the site.
    let (status, _) = specialist
        .send(
            "POST",
            "/api/kb/articles/perenos-novostei/unpublish",
            Some(json!({"version": 3})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page(&url).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn publishing_is_refused_for_broken_links_and_unpublishing_for_linked_articles() {
    let server = server_with_kb().await;
    let admin = server.login("admin@demo.local").await;
    let mut article = new_article();
    article["body"] = json!("См. [нет такой статьи](../moduli/net-takoi/).");
    let (status, _) = admin.send("POST", "/api/kb/articles", Some(article)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = admin
        .send(
            "POST",
            "/api/kb/articles/perenos-novostei/publish",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("../moduli/net-takoi/")
    );

    // «Редиректы» is linked from other published articles: taking it off would break them.
    let (_, card) = admin.send("GET", "/api/kb/articles/redirekty", None).await;
    let version = card["article"]["version"].clone();
    let (status, body) = admin
        .send(
            "POST",
            "/api/kb/articles/redirekty/unpublish",
            Some(json!({"version": version})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ссылаются"),
        "{body}"
    );

    // Bad input is a 422 naming every field in Russian.
    let (status, body) = admin
        .send(
            "POST",
            "/api/kb/articles",
            Some(json!({"slug": "Плохой адрес"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<_> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["title", "summary", "body", "slug", "section"]);
}

fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
                rest = &rest[end..];
            }
        }
    }
    out
}

#[tokio::test]
async fn every_internal_link_of_the_built_site_works() {
    let server = server_with_kb().await;
    let root = Url::parse(&format!("{}/kb/", server.base)).unwrap();
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([root.clone()]);
    let mut pages = 0;
    while let Some(url) = queue.pop_front() {
        let (status, _, body) = page(url.as_str()).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{url} is linked but answers {status}"
        );
        if !url.path().ends_with('/') {
            continue;
        }
        pages += 1;
        for link in links(&body) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with("tel:")
                || link.starts_with('#')
            {
                continue;
            }
            let mut target = url
                .join(&link)
                .unwrap_or_else(|e| panic!("{link} on {url}: {e}"));
            target.set_fragment(None);
            target.set_query(None);
            assert!(
                target.path().starts_with("/kb/"),
                "{link} on {url} leaves the site"
            );
            if seen.insert(target.to_string()) {
                queue.push_back(target);
            }
        }
    }
    // Home, 7 sections, every article, the tags, search: all reached by links.
    assert!(pages >= 1 + 7 + 30 + 2, "only {pages} pages reached");
    // Every address of the sitemap answers too.
    let (_, _, sitemap) = page(&format!("{}/kb/sitemap.xml", server.base)).await;
    for loc in sitemap.split("<loc>").skip(1) {
        let url = loc.split("</loc>").next().unwrap();
        let url = url.replace("http://127.0.0.1:8080", &server.base);
        assert_eq!(page(&url).await.0, StatusCode::OK, "sitemap: {url}");
    }
}

#[tokio::test]
async fn only_support_staff_write_articles_and_anonymous_callers_are_asked_to_log_in() {
    let server = server_with_kb().await;
    let calls: Vec<(&str, &str, Option<Value>)> = vec![
        ("GET", "/api/kb/articles", None),
        ("POST", "/api/kb/articles", Some(new_article())),
        ("GET", "/api/kb/articles/redirekty", None),
        (
            "PUT",
            "/api/kb/articles/redirekty",
            Some(json!({"version": 1, "title": "x"})),
        ),
        (
            "POST",
            "/api/kb/articles/redirekty/publish",
            Some(json!({"version": 1})),
        ),
        (
            "POST",
            "/api/kb/articles/redirekty/unpublish",
            Some(json!({"version": 1})),
        ),
        (
            "GET",
            "/api/kb/drafts/from-ticket/01JD0000000000000000000000",
            None,
        ),
    ];
    for (method, path, body) in &calls {
        let (status, answer) = server.anonymous().send(method, path, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "anonymous {method} {path}: {answer}"
        );
        for who in [
            "dealer1@demo.local",
            "accountant1@demo.local",
            "manager@demo.local",
            "rep@demo.local",
            "brand@demo.local",
        ] {
            let (status, answer) = server
                .login(who)
                .await
                .send(method, path, body.clone())
                .await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{who} {method} {path}: {answer}"
            );
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("сотрудники поддержки")
            );
        }
    }
    // The public site needs no login.
    assert_eq!(
        page(&format!("{}/kb/", server.base)).await.0,
        StatusCode::OK
    );
    for who in ["specialist@demo.local", "admin@demo.local"] {
        let (status, list) = server
            .login(who)
            .await
            .send("GET", "/api/kb/articles", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(list["items"].as_array().unwrap().len() >= 30);
    }
}

#[tokio::test]
async fn the_draft_from_a_ticket_has_no_email_phone_or_name() {
    let server = server_with_kb().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let (status, ticket) = dealer
        .send(
            "POST",
            "/api/tickets",
            Some(json!({
                "title": "Редирект со старой акции Автоцентра Север не работает",
                "text": "Добрый день!\nСделали редирект с /akcii/zima/ на /akcii/, но по старой ссылке 404.\nПерезвоните мне: +7 (912) 345-67-89, почта irina@sever-auto.ru.\n\nС уважением,\nИрина Северова",
                "category": "consultation",
                "criticality": "medium",
                "billing": "free",
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ticket}");
    let id = ticket["id"].as_str().unwrap();
    let (status, _) = specialist
        .send(
            "POST",
            &format!("/api/tickets/{id}/comments"),
            Some(json!({"text": "Ирина, правило было без слэша на конце: /akcii/zima. Добавили второе правило 301, теперь открывается список акций."})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, draft) = specialist
        .send("GET", &format!("/api/kb/drafts/from-ticket/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    let all = draft.to_string();
    for leak in [
        "@",
        "sever-auto",
        "912",
        "67-89",
        "Ирин",
        "Северов",
        "Север",
    ] {
        assert!(!all.contains(leak), "«{leak}» leaked into the draft: {all}");
    }
    for kept in ["/akcii/zima/", "404", "301", "без слэша"] {
        assert!(all.contains(kept), "«{kept}» lost: {all}");
    }

    // In the portal: the ticket card offers it to support staff only, and the editor opens
    // prefilled.
    let browser = log_in(&server, "specialist@demo.local").await;
    let (_, card) = get(&browser, &format!("{}/tickets/{id}", server.base)).await;
    assert!(
        card.contains(&format!("/articles/new?ticket={id}")),
        "{card}"
    );
    assert!(card.contains("Создать статью из обращения"));
    let (status, editor) = get(
        &browser,
        &format!("{}/articles/new?ticket={id}", server.base),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        editor.contains("Статья из обращения") && editor.contains("[телефон]"),
        "{editor}"
    );
    assert!(!editor.contains("Северова"));
    let dealer_browser = log_in(&server, "dealer1@demo.local").await;
    let (_, card) = get(&dealer_browser, &format!("{}/tickets/{id}", server.base)).await;
    assert!(!card.contains("Создать статью из обращения"));
    assert!(
        card.contains(r#"href="/kb/""#),
        "a dealer's menu links to the site"
    );
}

#[tokio::test]
async fn support_staff_write_and_publish_an_article_in_the_portal() {
    let server = server_with_kb().await;
    let browser = log_in(&server, "specialist@demo.local").await;
    let (status, list) = get(&browser, &format!("{}/articles", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(r#"<a href="/articles">База знаний</a>"#));
    assert!(list.contains("Редиректы 301"));
    let (_, form) = get(&browser, &format!("{}/articles/new", server.base)).await;
    let csrf = hidden(&form, "csrf");
    let (status, path, card) = post(
        &browser,
        &format!("{}/articles", server.base),
        &[
            ("csrf", &csrf),
            ("title", "Как выгрузить заявки в Excel"),
            ("slug", "vygruzka-zayavok"),
            ("section", "lidy"),
            ("tags", "заявки, выгрузка, Excel"),
            (
                "summary",
                "Где в личном кабинете выгрузка заявок и какие в ней поля.",
            ),
            ("body", "Откройте раздел заявок и нажмите «Выгрузить»."),
        ],
    )
    .await;
    assert_eq!(
        (status, path.as_str()),
        (StatusCode::OK, "/articles/vygruzka-zayavok")
    );
    assert!(
        card.contains("Черновик") && card.contains("Опубликовать"),
        "{card}"
    );
    let (status, _, card) = post(
        &browser,
        &format!("{}/articles/vygruzka-zayavok/publish", server.base),
        &[("csrf", &csrf), ("version", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        card.contains("Снять с публикации") && card.contains("Версия 2"),
        "{card}"
    );
    let (status, _, html) = page(&format!("{}/kb/lidy/vygruzka-zayavok/", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Как выгрузить заявки в Excel"));
    let (_, _, tag) = page(&format!("{}/kb/tags/excel/", server.base)).await;
    assert!(tag.contains("Как выгрузить заявки в Excel"), "{tag}");
}

#[tokio::test]
async fn dealerdesk_site_build_writes_the_whole_site_with_its_search_index_into_a_folder() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"))
        .args(["site", "build", "--out"])
        .arg(out.path())
        .args(["--url", "https://kb.example.ru/", "--data-dir"])
        .arg(data.path())
        .current_dir(dealerdesk_e2e::workspace_root())
        .env_remove("DEALERDESK_SITE_BUCKET")
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("articles published into"));
    for file in [
        "index.html",
        "rabota-s-saitom/index.html",
        "rabota-s-saitom/redirekty/index.html",
        "tags/index.html",
        "search/index.html",
        "404.html",
        "assets/site.css",
        "assets/search.js",
        "pagefind/pagefind.js",
    ] {
        assert!(out.path().join(file).is_file(), "{file} is missing");
    }
    let sitemap = std::fs::read_to_string(out.path().join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://kb.example.ru/rabota-s-saitom/redirekty/</loc>"));
}

#[tokio::test]
async fn a_dealer_has_no_editor_in_the_portal() {
    let server = server_with_kb().await;
    let dealer = log_in(&server, "dealer1@demo.local").await;
    for path in ["/articles", "/articles/new", "/articles/redirekty"] {
        let (status, page) = get(&dealer, &format!("{}{path}", server.base)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("сотрудники поддержки"), "{path}: {page}");
    }
}
