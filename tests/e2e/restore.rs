//! Soft delete and restore (SPEC §4.7, issue 11) through the real API and portal: the head
//! office and the admin delete leads, the admin tickets, each with the version seen (409
//! when stale); a deleted item leaves every list, search, queue and job; the same roles list
//! it and restore it with its history intact; and no route changes a lead's key properties,
//! whoever calls.

use crate::audit::post_lead;
use chrono::{Duration, TimeZone, Utc};
use dealerdesk_app::jobs::{self, Job};
use dealerdesk_e2e::browser;
use dealerdesk_e2e::server::{Api, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn start() -> TestServer {
    TestServer::start_at(Utc.with_ymd_and_hms(2026, 3, 2, 7, 0, 0).unwrap()).await
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn lead_card(api: &Api, id: &str) -> (StatusCode, Value) {
    api.send("GET", &format!("/api/leads/{id}"), None).await
}

async fn version_of_lead(server: &TestServer, id: &str) -> u64 {
    let admin = server.login("admin@demo.local").await;
    let (_, page) = admin.send("GET", "/api/leads?deleted=true", None).await;
    if let Some(found) = page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
    {
        return found["version"].as_u64().unwrap();
    }
    lead_card(&admin, id).await.1["lead"]["version"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_head_office_deletes_a_lead_that_leaves_every_list_and_restores_it_with_its_history() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let brand = server.login("brand@demo.local").await;
    let id = post_lead(&server).await;
    let (_, card) = lead_card(&dealer, &id).await;
    let (status, _) = dealer
        .send(
            "POST",
            &format!("/api/leads/{id}/contact"),
            Some(json!({"outcome": "no", "reason": "no_answer", "comment": "Не берёт трубку", "version": card["lead"]["version"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, before) = lead_card(&dealer, &id).await;
    let v = before["lead"]["version"].as_u64().unwrap();

    // The dealer may not; the head office needs the version it saw.
    let path = format!("/api/leads/{id}");
    let (status, body) = dealer
        .send("DELETE", &format!("{path}?version={v}"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("головной офис бренда")
    );
    let (status, body) = brand.send("DELETE", &path, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "version_required");
    let (status, _) = brand
        .send("DELETE", &format!("{path}?version={}", v - 1), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version");
    let (status, deleted) = brand
        .send("DELETE", &format!("{path}?version={v}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["version"], v + 1);
    let (status, body) = brand
        .send("DELETE", &format!("{path}?version={}", v + 1), None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "deleted twice: {body}");
    assert_eq!(body["error"]["message"], "Заявка уже удалена.");

    // Gone from the dealer's list, the network's list, the card and the search.
    let (_, list) = dealer.send("GET", "/api/leads", None).await;
    assert!(!ids(&list).contains(&id));
    let (_, list) = brand.send("GET", "/api/leads", None).await;
    assert!(!ids(&list).contains(&id));
    assert_eq!(lead_card(&dealer, &id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(lead_card(&brand, &id).await.0, StatusCode::NOT_FOUND);
    let other = server.login("dealer2@demo.local").await;
    let (status, found) = other
        .send(
            "GET",
            "/api/leads/search?surname=Петров&name=Иван&phone=6789",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(!found.to_string().contains(&id), "{found}");
    // A change through the card is refused as a 404 too: the lead is not there.
    let (status, _) = dealer
        .send(
            "POST",
            &format!("/api/leads/{id}/contact"),
            Some(json!({"outcome": "yes", "version": v + 1})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The deleted list: the head office and the admin, nobody else.
    let (status, page) = brand.send("GET", "/api/leads?deleted=true", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), vec![id.clone()]);
    let (status, _) = dealer.send("GET", "/api/leads?deleted=true", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = dealer.send("GET", "/api/leads?deleted=maybe", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Restored by the admin, with the version of the deleted lead.
    let admin = server.login("admin@demo.local").await;
    let restore = format!("/api/leads/{id}/restore");
    let (status, _) = admin
        .send("POST", &restore, Some(json!({"version": v})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "stale");
    let (status, back) = admin
        .send("POST", &restore, Some(json!({"version": v + 1})))
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["deleted"], false);
    let (status, body) = admin
        .send("POST", &restore, Some(json!({"version": v + 2})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["error"]["message"],
        "Заявка не удалена: восстанавливать нечего."
    );

    let (status, after) = lead_card(&dealer, &id).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = dealer.send("GET", "/api/leads", None).await;
    assert!(ids(&list).contains(&id));
    // As it was, with its history: the contact line, then the delete and the restore.
    assert_eq!(after["lead"]["contact"], before["lead"]["contact"]);
    assert_eq!(after["lead"]["created_at"], before["lead"]["created_at"]);
    let history = after["history"].as_array().unwrap();
    let before_history = before["history"].as_array().unwrap();
    assert_eq!(&history[..before_history.len()], &before_history[..]);
    assert_eq!(history.len(), before_history.len() + 2, "{history:#?}");
    let (_, page) = brand.send("GET", "/api/leads?deleted=true", None).await;
    assert!(ids(&page).is_empty());

    // Both steps are in the audit log, with who did them.
    let (_, log) = admin
        .send("GET", &format!("/api/audit?item=lead:{id}"), None)
        .await;
    let steps: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["field"] == "deleted_at")
        })
        .collect();
    assert_eq!(steps.len(), 2, "{log:#}");
}

#[tokio::test]
async fn a_deleted_lead_owes_no_escalation_until_it_is_restored() {
    let server = start().await;
    let brand = server.login("brand@demo.local").await;
    let id = post_lead(&server).await;
    let v = version_of_lead(&server, &id).await;
    let (status, _) = brand
        .send("DELETE", &format!("/api/leads/{id}?version={v}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let state = &server.state;
    let late = state.clock.now() + Duration::days(3);
    let report = jobs::run(state, Job::LeadEscalations, late)
        .await
        .expect("the job runs");
    assert_eq!(report.done, 0, "nothing to escalate: {report:?}");
    assert_eq!(
        version_of_lead(&server, &id).await,
        v + 1,
        "the job left it alone"
    );

    // Restored, the unprocessed lead is owed its escalations again.
    let (status, _) = brand
        .send(
            "POST",
            &format!("/api/leads/{id}/restore"),
            Some(json!({"version": v + 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let report = jobs::run(state, Job::LeadEscalations, late)
        .await
        .expect("the job runs");
    assert!(report.done > 0, "escalated once restored: {report:?}");
}

#[tokio::test]
async fn only_the_admin_deletes_a_ticket_which_then_leaves_lists_and_the_queue_and_takes_no_move() {
    let server = start().await;
    let dealer = server.login("dealer1@demo.local").await;
    let specialist = server.login("specialist@demo.local").await;
    let admin = server.login("admin@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let id = ticket["id"].as_str().unwrap();
    let v = ticket["version"].as_u64().unwrap();
    let path = format!("/api/tickets/{id}");
    for who in [
        "dealer1@demo.local",
        "specialist@demo.local",
        "brand@demo.local",
    ] {
        let api = server.login(who).await;
        let (status, _) = api
            .send("DELETE", &format!("{path}?version={v}"), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, deleted) = admin
        .send("DELETE", &format!("{path}?version={v}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");

    assert_eq!(
        dealer.send("GET", &path, None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.send("GET", &path, None).await.0,
        StatusCode::NOT_FOUND
    );
    for (who, list) in [
        (&dealer, "/api/tickets"),
        (&specialist, "/api/tickets"),
        (&specialist, "/api/tickets?view=queue"),
    ] {
        let (status, page) = who.send("GET", list, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!ids(&page).contains(&id.to_string()), "{list}: {page}");
    }
    let moved = json!({"id": id, "version": v + 1});
    let (status, _) = specialist.act(&moved, "take", None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a deleted ticket takes no move"
    );
    let (status, page) = admin.send("GET", "/api/tickets?deleted=true", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), vec![id.to_string()]);
    let (status, _) = specialist
        .send("GET", "/api/tickets?deleted=true", None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, back) = admin
        .send(
            "POST",
            &format!("{path}/restore"),
            Some(json!({"version": v + 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    let (status, card) = dealer.send("GET", &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["title"], "Баннер на главной");
    assert_eq!(
        card["history"].as_array().unwrap().len(),
        1,
        "the filing, intact"
    );
    let (status, taken) = specialist.act(&card, "take", None).await;
    assert_eq!(status, StatusCode::OK, "it moves again: {taken}");
}

#[tokio::test]
async fn the_portal_asks_before_deleting_and_restoring_and_lists_the_deleted() {
    let server = start().await;
    let id = post_lead(&server).await;
    let brand = browser::log_in(&server, "brand@demo.local").await;
    let (status, card) = browser::get(&brand, &format!("{}/leads/{id}", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        card.contains(&format!("href=\"/leads/{id}/delete\"")),
        "a link, not a script"
    );

    let (status, page) = browser::get(&brand, &format!("{}/leads/{id}/delete", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Удалить заявку?"));
    assert!(!page.contains("<script"), "no script on the page");
    let csrf = browser::hidden(&page, "csrf");
    let version = browser::hidden(&page, "version");
    let (status, landed, page) = browser::post(
        &brand,
        &format!("{}/leads/{id}/delete", server.base),
        &[("csrf", csrf.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(landed.ends_with("/leads/deleted"), "{landed}");
    assert!(page.contains("Удалённые заявки"));
    assert!(page.contains(&format!("/leads/{id}/restore")));

    // The same form again (its version is stale now): the page says why, nothing changes.
    let (status, _, page) = browser::post(
        &brand,
        &format!("{}/leads/{id}/delete", server.base),
        &[("csrf", csrf.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("role=\"alert\""), "{page}");

    let (status, page) = browser::get(&brand, &format!("{}/leads/{id}/restore", server.base)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Восстановить заявку?"));
    let version = browser::hidden(&page, "version");
    let (status, landed, _) = browser::post(
        &brand,
        &format!("{}/leads/{id}/restore", server.base),
        &[("csrf", csrf.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(landed.ends_with(&format!("/leads/{id}")), "{landed}");

    // The admin's ticket pages, the same way.
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Баннер на главной").await;
    let tid = ticket["id"].as_str().unwrap();
    let admin = browser::log_in(&server, "admin@demo.local").await;
    let (_, page) = browser::get(&admin, &format!("{}/tickets/{tid}/delete", server.base)).await;
    assert!(page.contains("Удалить обращение?"));
    let csrf = browser::hidden(&page, "csrf");
    let version = browser::hidden(&page, "version");
    let (status, landed, page) = browser::post(
        &admin,
        &format!("{}/tickets/{tid}/delete", server.base),
        &[("csrf", csrf.as_str()), ("version", version.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(landed.ends_with("/tickets/deleted"));
    assert!(page.contains("Баннер на главной"));
    let (status, _) = browser::get(&admin, &format!("{}/tickets/{tid}", server.base)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A lead's key properties and stamped times, as its card shows them.
fn key_properties(card: &Value) -> Value {
    let lead = &card["lead"];
    json!({
        "created_at": lead["created_at"],
        "source": lead["source"],
        "type": lead["type"],
        "original_dealer_id": lead["original_dealer_id"],
        "contacted_at": lead["contact"]["contacted_at"],
        "contract_at": lead["contract"]["contract_at"],
    })
}

#[tokio::test]
async fn no_route_changes_a_leads_key_properties_whoever_calls() {
    let server = start().await;
    let id = post_lead(&server).await;
    let admin = server.login("admin@demo.local").await;
    let dealer = server.login("dealer1@demo.local").await;
    // Stamp the contact and the contract times first: they must not move afterwards either.
    for (block, body) in [
        ("contact", json!({"outcome": "yes"})),
        ("contract", json!({"outcome": "yes"})),
    ] {
        let (_, card) = lead_card(&dealer, &id).await;
        let mut body = body;
        body["version"] = card["lead"]["version"].clone();
        let (status, reply) = dealer
            .send("POST", &format!("/api/leads/{id}/{block}"), Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{block}: {reply}");
    }
    let original = key_properties(&lead_card(&admin, &id).await.1);
    assert!(original["contacted_at"].is_string() && original["contract_at"].is_string());

    let roles = [
        "dealer1@demo.local",
        "dealer2@demo.local",
        "rep@demo.local",
        "brand@demo.local",
        "admin@demo.local",
        "specialist@demo.local",
    ];
    // Every write route of a lead, with bodies that name the key properties.
    let keys = json!({
        "created_at": "2020-01-01T00:00:00Z",
        "source": "phone",
        "type": "service",
        "original_dealer_id": "dealer-2",
        "dealer_id": "dealer-2",
        "contacted_at": "2020-01-01T00:00:00Z",
        "contract_at": "2020-01-01T00:00:00Z",
    });
    for who in roles {
        let api = server.login(who).await;
        let v = version_of_lead(&server, &id).await;
        let with = |extra: Value| {
            let mut body = keys.clone();
            for (k, val) in extra.as_object().unwrap() {
                body[k] = val.clone();
            }
            body["version"] = json!(v);
            body
        };
        let attempts = [
            (
                "PATCH",
                format!("/api/leads/{id}"),
                Some(with(json!({"comment": "Проверка"}))),
            ),
            ("PATCH", format!("/api/leads/{id}"), Some(with(json!({})))),
            (
                "POST",
                format!("/api/leads/{id}/contact"),
                Some(with(json!({"outcome": "yes"}))),
            ),
            (
                "POST",
                format!("/api/leads/{id}/contract"),
                Some(with(json!({"outcome": "yes"}))),
            ),
            (
                "POST",
                format!("/api/leads/{id}/transfer"),
                Some(with(
                    json!({"surname": "Петров", "name": "Иван", "phone": "6789", "record_contract": true}),
                )),
            ),
            ("DELETE", format!("/api/leads/{id}?version={v}"), None),
            (
                "POST",
                format!("/api/leads/{id}/restore"),
                Some(with(json!({}))),
            ),
        ];
        for (method, path, body) in attempts {
            let (status, reply) = api.send(method, &path, body).await;
            assert!(!status.is_server_error(), "{who} {method} {path}: {reply}");
            // Whatever happened, the lead ends each step live again for the next caller.
            let deleted_v = {
                let (_, page) = admin.send("GET", "/api/leads?deleted=true", None).await;
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["id"] == id.as_str())
                    .map(|i| i["version"].clone())
            };
            if let Some(version) = deleted_v {
                let (status, _) = admin
                    .send(
                        "POST",
                        &format!("/api/leads/{id}/restore"),
                        Some(json!({"version": version})),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK);
            }
            let now = key_properties(&lead_card(&admin, &id).await.1);
            assert_eq!(
                now, original,
                "{who} {method} {path} changed a key property"
            );
        }
    }
    // The portal's forms, with the same fields.
    let b = browser::log_in(&server, "dealer1@demo.local").await;
    let (_, page) = browser::get(&b, &format!("{}/leads/{id}", server.base)).await;
    let csrf = browser::hidden(&page, "csrf");
    let v = version_of_lead(&server, &id).await.to_string();
    for form in ["edit", "contact", "contract", "transfer"] {
        let (status, _, _) = browser::post(
            &b,
            &format!("{}/leads/{id}/{form}", server.base),
            &[
                ("csrf", csrf.as_str()),
                ("version", v.as_str()),
                ("created_at", "2020-01-01"),
                ("source", "phone"),
                ("type", "service"),
                ("original_dealer_id", "dealer-2"),
                ("contacted_at", "2020-01-01"),
                ("contract_at", "2020-01-01"),
                ("outcome", "yes"),
            ],
        )
        .await;
        assert!(!status.is_server_error(), "{form}");
        assert_eq!(
            key_properties(&lead_card(&admin, &id).await.1),
            original,
            "{form}"
        );
    }
    // And the jobs: escalations and the survey, long after.
    let state = &server.state;
    let later = state.clock.now() + Duration::days(3);
    for job in [Job::LeadEscalations, Job::LeadSurveys] {
        jobs::run(state, job, later).await.expect("the job runs");
        assert_eq!(
            key_properties(&lead_card(&admin, &id).await.1),
            original,
            "{job:?}"
        );
    }
}
