//! The lived-in demo: the first `dealerdesk serve` of an empty data dir plays weeks of
//! support work through the API, so a newcomer's first page shows the product working.

use dealerdesk_e2e::server::{Api, ServeProcess, TestServer, free_port};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

async fn start(data_dir: &str, envs: &[(&str, &str)]) -> ServeProcess {
    let port = free_port();
    ServeProcess::start(
        &[
            "--port",
            &port.to_string(),
            "--data-dir",
            data_dir,
            "--scheduler-seconds",
            "0",
        ],
        envs,
        port,
    )
    .await
}

async fn items(api: &Api, path: &str) -> Vec<Value> {
    let (status, body) = api.send("GET", path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert!(
        body["next_cursor"].is_null(),
        "{path}: one page holds the demo"
    );
    body["items"].as_array().expect("items").clone()
}

fn codes<'a>(items: &'a [Value], field: &str) -> BTreeSet<&'a str> {
    items.iter().filter_map(|t| t[field].as_str()).collect()
}

fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .expect("an instant")
        .with_timezone(&chrono::Utc)
}

fn set<'a>(codes: &[&'a str]) -> BTreeSet<&'a str> {
    codes.iter().copied().collect()
}

#[tokio::test]
async fn the_first_start_shows_a_lived_in_network_and_a_second_start_adds_nothing() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().to_string_lossy().to_string();
    let server = start(&data_arg, &[]).await;

    // The dealer's first page: their own tickets, in every status of SPEC §2.4 but one.
    let dealer = server.login("dealer1@demo.local").await;
    let mine = items(&dealer, "/api/tickets?limit=100").await;
    assert!(mine.iter().all(|t| t["dealer_id"] == "dealer-1"));
    assert_eq!(
        codes(&mine, "status"),
        set(&[
            "accepted",
            "need_info",
            "estimate_sent",
            "in_progress",
            "in_review",
            "resolved"
        ])
    );
    let waiting = mine
        .iter()
        .find(|t| t["status"] == "estimate_sent")
        .expect("an estimate to approve");
    assert_eq!(waiting["status_label"], "Согласование стоимости");
    assert_eq!(waiting["estimate_minutes"], 240);
    assert_eq!(waiting["estimate_cost"], "12000");
    let pending = mine
        .iter()
        .find(|t| t["cost_state"] == "pending")
        .expect("a cost to confirm");
    assert_eq!(pending["status"], "resolved");
    assert!(mine.iter().any(|t| t["cost_state"] == "confirmed"));
    let id = waiting["id"].as_str().unwrap();
    let (status, card) = dealer
        .send("GET", &format!("/api/tickets/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = card["available_actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(actions.contains(&"approve_estimate"), "{actions:?}");

    // The specialist's queue has work; the whole network has every state and status, all
    // three dealers, paid and free, every criticality and every state of a cost.
    let specialist = server.login("specialist@demo.local").await;
    let queue = items(&specialist, "/api/tickets?view=queue&limit=100").await;
    assert!(queue.len() >= 5, "{}", queue.len());
    assert!(queue.iter().any(|t| t["status"] == "accepted"));
    let all = items(&specialist, "/api/tickets?limit=100").await;
    assert_eq!(
        codes(&all, "status"),
        set(&[
            "accepted",
            "need_info",
            "estimate_sent",
            "in_progress",
            "in_review",
            "resolved",
            "impossible"
        ])
    );
    assert_eq!(
        codes(&all, "state"),
        set(&["new", "approval", "in_progress", "review", "done"])
    );
    assert_eq!(
        codes(&all, "dealer_id"),
        set(&["dealer-1", "dealer-2", "dealer-3", "dealer-4"])
    );
    assert_eq!(codes(&all, "billing"), set(&["paid", "free"]));
    assert_eq!(codes(&all, "criticality"), set(&["low", "medium", "high"]));
    assert_eq!(
        codes(&all, "cost_state"),
        set(&["none", "pending", "confirmed", "disputed"])
    );
    // Costs are in the quarter the dealers are checking now, and in the one before, whose
    // work every dealer confirmed: the bill of the quarter just ended charges it.
    let quarters: BTreeSet<&str> = all
        .iter()
        .filter(|t| t["cost_state"] != "none")
        .filter_map(|t| t["cost_quarter"].as_str())
        .collect();
    assert_eq!(quarters.len(), 2, "{quarters:?}");
    let before = *quarters.first().unwrap();
    let previous: Vec<&Value> = all.iter().filter(|t| t["cost_quarter"] == before).collect();
    assert_eq!(previous.len(), 7);
    assert!(previous.iter().all(|t| t["cost_state"] == "confirmed"));
    assert_eq!(
        codes(
            &previous.into_iter().cloned().collect::<Vec<_>>(),
            "dealer_id"
        ),
        set(&["dealer-1", "dealer-2", "dealer-3", "dealer-4"])
    );

    // A disputed cost that the specialist answered: pending again, with the whole story.
    let answered = all
        .iter()
        .find(|t| t["title"].as_str().unwrap().contains("онлайн-чата"))
        .expect("the contractor's chat script");
    assert_eq!(answered["cost_state"], "pending");
    assert_eq!(
        answered["category"], "dealer_side_bug",
        "reclassified: the contractor broke the site"
    );
    let id = answered["id"].as_str().unwrap();
    let (_, card) = specialist
        .send("GET", &format!("/api/tickets/{id}"), None)
        .await;
    let card_text = card.to_string();
    assert!(card_text.contains("Почему 50 минут?"), "{card_text}");
    assert!(card_text.contains("поиск скрипта в шаблоне"), "{card_text}");

    // Comments from both sides and a file on the broken АВН feed.
    let feed = all
        .iter()
        .find(|t| t["title"].as_str().unwrap().contains("АВН"))
        .expect("the АВН feed");
    let (_, card) = specialist
        .send(
            "GET",
            &format!("/api/tickets/{}", feed["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(card["status"], "in_progress");
    assert_eq!(card["minutes"], 60);
    assert!(card.to_string().contains("avn-feed-sample.csv"), "{card}");

    // Wishes at every stage, accepted ones with their sprint.
    let manager = server.login("manager@demo.local").await;
    let wishes = items(&manager, "/api/wishes?limit=100").await;
    assert_eq!(
        codes(&wishes, "status"),
        set(&[
            "submitted",
            "under_review",
            "with_development",
            "accepted",
            "rejected",
            "implemented"
        ])
    );
    let accepted = wishes.iter().find(|w| w["status"] == "accepted").unwrap();
    assert!(
        accepted["plan"]["sprint"]
            .as_str()
            .unwrap()
            .starts_with("Спринт ")
    );
    assert!(
        wishes
            .iter()
            .filter(|w| w["status"] == "rejected")
            .all(|w| w["reason"].is_string())
    );
    // Only development rejects: every rejection in the history is the admin's.
    for rejected in wishes.iter().filter(|w| w["status"] == "rejected") {
        let id = rejected["id"].as_str().unwrap();
        let (_, card) = manager
            .send("GET", &format!("/api/wishes/{id}"), None)
            .await;
        let last = card["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["actor_role"], "admin", "{card}");
        assert_eq!(last["from_status"], "with_development", "{card}");
    }

    // The letters of the history went out (into the local mailbox).
    let letters = std::fs::read_dir(data.path().join("mail"))
        .expect("the mailbox")
        .count();
    assert!(letters > 20, "{letters} letters");
    let (tickets, wish_count) = (all.len(), wishes.len());
    server.stop().await;

    // A second start of the same data dir plays nothing again.
    let server = start(&data_arg, &[]).await;
    let specialist = server.login("specialist@demo.local").await;
    assert_eq!(
        items(&specialist, "/api/tickets?limit=100").await.len(),
        tickets
    );
    let manager = server.login("manager@demo.local").await;
    assert_eq!(
        items(&manager, "/api/wishes?limit=100").await.len(),
        wish_count
    );
    server.stop().await;
}

#[tokio::test]
async fn the_history_costs_fall_in_the_quarter_being_checked_whatever_the_clock() {
    // Monday after the Q4 deadline (the period began yesterday, a Sunday) and an ordinary
    // day of Q1.
    for (clock, (quarter, period_start), (previous, previous_start)) in [
        (
            "2026-12-28T10:00:00+03:00",
            ("2027-Q1", "2026-12-26T21:00:00Z"),
            ("2026-Q4", "2026-09-26T21:00:00Z"),
        ),
        (
            "2026-03-02T10:00:00+03:00",
            ("2026-Q1", "2025-12-26T21:00:00Z"),
            ("2025-Q4", "2025-09-26T21:00:00Z"),
        ),
    ] {
        let data = tempfile::tempdir().expect("temp dir");
        let server = start(
            &data.path().to_string_lossy(),
            &[("DEALERDESK_CLOCK", clock)],
        )
        .await;
        let specialist = server.login("specialist@demo.local").await;
        let all = items(&specialist, "/api/tickets?limit=100").await;
        let costs: Vec<&Value> = all.iter().filter(|t| t["cost_state"] != "none").collect();
        assert_eq!(costs.len(), 13, "{clock}");
        let (start, period_start) = (at(clock), at(period_start));
        let previous_start = at(previous_start);
        let (now, before): (Vec<&Value>, Vec<&Value>) = costs
            .into_iter()
            .partition(|t| t["cost_quarter"] == quarter);
        assert_eq!(now.len(), 6, "{clock}");
        for t in now {
            let completed = at(t["completed_at"].as_str().unwrap());
            assert!(
                completed > period_start && completed < start,
                "{clock}: completed {completed}"
            );
        }
        // The quarter before's work: finished and confirmed inside that quarter's period.
        for t in before {
            assert_eq!(t["cost_quarter"], previous, "{clock}: {t}");
            assert_eq!(t["cost_state"], "confirmed", "{clock}: {t}");
            let completed = at(t["completed_at"].as_str().unwrap());
            assert!(
                completed > previous_start && completed < period_start,
                "{clock}: completed {completed}"
            );
        }
        // Nothing of the history lies in the future of the server's clock.
        for t in &all {
            assert!(
                at(t["created_at"].as_str().unwrap()) < start,
                "{clock}: {t}"
            );
        }
        server.stop().await;
    }
}

/// Runs `dealerdesk bill` on the stopped server's data dir; its report.
fn bill(data_dir: &str, quarter: &str, at: &str) -> Value {
    let out = std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"))
        .args([
            "bill",
            "--quarter",
            quarter,
            "--at",
            at,
            "--data-dir",
            data_dir,
        ])
        .output()
        .expect("dealerdesk bill");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report as JSON")
}

#[tokio::test]
async fn on_first_start_the_dashboard_and_the_bill_of_the_quarter_just_ended_show_real_work() {
    // A Thursday of December: Q3 2026 has been billed-for since its cut-off on 26 September.
    let clock = "2026-12-03T10:00:00+03:00";
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().to_string_lossy().to_string();
    let server = start(&data_arg, &[("DEALERDESK_CLOCK", clock)]).await;

    // «Автоцентр Север»'s dashboard: confirmed costs of this quarter, its package in use.
    let dealer = server.login("dealer1@demo.local").await;
    let (status, d) = dealer.send("GET", "/api/dashboard", None).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["quarter"], "2026-Q4");
    assert!(
        d["costs"]["confirmed"]["tickets"].as_u64().unwrap() >= 1,
        "{d}"
    );
    assert_ne!(d["costs"]["confirmed"]["amount"], "0", "{d}");
    assert_eq!(d["package"]["package"], "hours_30", "{d}");
    assert!(d["package"]["used_minutes"].as_u64().unwrap() > 0, "{d}");
    assert_eq!(d["subscription"]["total"], "137800", "{d}");
    server.stop().await;

    let report = bill(&data_arg, "2026Q3", clock);
    assert_eq!(
        report["issued"], 8,
        "an invoice and an act for each of four: {report}"
    );
    assert_eq!(report["failed"], 0, "{report}");

    let server = start(&data_arg, &[("DEALERDESK_CLOCK", clock)]).await;
    let admin = server.login("admin@demo.local").await;
    let (status, list) = admin
        .send("GET", "/api/documents?quarter=2026-Q3", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let docs = list["items"].as_array().expect("items");
    let invoice = |dealer: &str| {
        docs.iter()
            .find(|d| d["dealer_id"] == dealer && d["kind"] == "invoice")
            .unwrap_or_else(|| panic!("no invoice of {dealer}: {list}"))
    };
    // Subscriptions and packages at the seed prices; «Автоцентр Юг» went 60 minutes of
    // high-criticality work past its 15 hours (3 500 ₽), «Автоцентр Урал» has no package:
    // 40 minutes low (1 666.67 → 1 670 ₽) and 2 hours medium (6 000 ₽).
    let totals: Vec<(&str, &str)> = ["dealer-1", "dealer-2", "dealer-3", "dealer-4"]
        .into_iter()
        .map(|d| (d, invoice(d)["total"].as_str().unwrap()))
        .collect();
    assert_eq!(
        totals,
        [
            ("dealer-1", "137800"),
            ("dealer-2", "84900"),
            ("dealer-3", "47870"),
            ("dealer-4", "160400"),
        ]
    );

    // The dealer reads its invoice: the subscription's lines and the work beyond its package.
    let south = server.login("dealer2@demo.local").await;
    let id = invoice("dealer-2")["id"].as_str().unwrap();
    let resp = south
        .http
        .get(format!("{}/api/documents/{id}", south.base))
        .bearer_auth(south.token.as_deref().expect("token"))
        .send()
        .await
        .expect("the PDF");
    assert_eq!(resp.status(), StatusCode::OK);
    let text = crate::billing::pdf_text(&resp.bytes().await.unwrap());
    // (Long titles wrap in the table: the checks take their first lines.)
    for line in [
        "ЦСО + мобильная версия, III квартал 2026 г. 1 усл 29 300,00 29 300,00",
        "Пакет 15 часов технической поддержки, III",
        "Работы по обращению DD-",
        "сверх пакета 1 ч 3 500,00 3 500,00",
        "(Высокая, 1 ч)",
        "Итого: 84 900,00",
        "Восемьдесят четыре тысячи девятьсот рублей 00 копеек",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_history_can_be_turned_off() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = start(
        &data.path().to_string_lossy(),
        &[("DEALERDESK_DEMO_HISTORY", "0")],
    )
    .await;
    let dealer = server.login("dealer1@demo.local").await;
    assert!(items(&dealer, "/api/tickets").await.is_empty());
    server.stop().await;
}

/// What the demo's lead reports show over its two weeks, and when its leads arrived, were
/// first reached and last changed (as stored, to the nanosecond), after the history played
/// on a fresh server whose clock was set to `at` and then ran on for `wait` of real time
/// (the server starting, before seeding).
async fn demo_leads_after(
    at: chrono::DateTime<chrono::Utc>,
    wait: Duration,
) -> (Vec<Value>, Vec<chrono::DateTime<chrono::Utc>>) {
    use dealerdesk_store::LeadRepo;
    let server = TestServer::start_at(at).await;
    tokio::time::sleep(wait).await;
    dealerdesk_app::demo::history::seed(&server.state)
        .await
        .expect("the demo history plays");
    let brand = server.login("brand@demo.local").await;
    let mut figures = Vec::new();
    for query in [
        "lead_processing_time?from=2026-02-16&to=2026-03-02",
        "lead_processing_time?from=2026-02-16&to=2026-03-02&group_by=weekday_hour",
        "leads?from=2026-02-16&to=2026-03-02&group_by=dealer",
        "lead_overdue?from=2026-02-16&to=2026-03-02",
    ] {
        let (status, body) = brand
            .send("GET", &format!("/api/reports/{query}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        figures.push(
            json!({"rows": body["rows"], "totals": body["totals"], "summary": body["summary"]}),
        );
    }
    let mut stamps = Vec::new();
    for row in items(&brand, "/api/leads?limit=100").await {
        let id = dealerdesk_domain::lead::LeadId::new(row["id"].as_str().expect("an id"));
        let lead = server
            .state
            .store
            .lead(&id)
            .await
            .expect("the store answers")
            .expect("the listed lead");
        stamps.push(lead.created_at());
        stamps.extend(lead.contact().contacted_at());
        stamps.push(lead.updated_at());
    }
    (figures, stamps)
}

#[tokio::test]
async fn two_demo_loads_at_different_real_instants_show_the_same_processing_time() {
    // Monday 2 March 2026, 10:00 MSK — the screenshot tests' clock. The second server
    // seeds 1.5 s later on its running clock, as a slower start would.
    let clock = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 2, 7, 0, 0).unwrap();
    let (first, early) = demo_leads_after(clock, Duration::ZERO).await;
    let (second, late) = demo_leads_after(clock, Duration::from_millis(1500)).await;
    assert_eq!(first, second, "the same history, the same figures");
    let mean = first[0]["summary"][0]["value"].as_f64().expect("the mean");
    assert!(mean > 0.0, "{first:?}");
    // Every step of the history is on its timeline's whole minutes: no request's
    // duration, no second of the start leaks into a lead's times.
    assert!(early.len() >= 24, "{early:?}");
    assert_eq!(early, late);
    for t in &early {
        assert_eq!(
            (chrono::Timelike::second(t), t.timestamp_subsec_nanos()),
            (0, 0),
            "{t}"
        );
    }
}
