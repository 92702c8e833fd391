//! Faults injected into the store's DynamoDB requests through its SDK interceptor
//! (`Store::faults`, issue 12): throttling, a timeout, a cancelled transaction and an
//! answer lost after the write was made. Every use case either completes or changes
//! nothing, and the client's retry (with its idempotency key) completes it exactly once.

use dealerdesk_e2e::server::{Api, TestServer};
use dealerdesk_store::{ANY_OPERATION, Fault};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The writes under test: each is one transaction of the store.
#[derive(Clone, Copy, Debug)]
enum UseCase {
    FileTicket,
    TakeTicket,
    PostLead,
    SubmitWish,
}

const ALL: [UseCase; 4] = [
    UseCase::FileTicket,
    UseCase::TakeTicket,
    UseCase::PostLead,
    UseCase::SubmitWish,
];

/// One server, its users and the ticket a move acts on.
struct Scene {
    server: TestServer,
    dealer: Api,
    specialist: Api,
    ticket: Value,
}

impl Scene {
    async fn new() -> Scene {
        let server = TestServer::start().await;
        let dealer = server.login("dealer1@demo.local").await;
        let specialist = server.login("specialist@demo.local").await;
        let ticket = dealer.file_ticket("Баннер акции").await;
        Scene {
            server,
            dealer,
            specialist,
            ticket,
        }
    }

    /// Performs the use case once, with the idempotency key `key` where it takes one.
    async fn perform(&self, case: UseCase, key: &str) -> (StatusCode, Value) {
        let headers = [("idempotency-key", key)];
        match case {
            UseCase::FileTicket => {
                let body = json!({
                    "title": "Мета-теги",
                    "text": "Поправьте title на главной",
                    "category": "meta_tags",
                    "criticality": "medium",
                });
                self.dealer
                    .send_raw("POST", "/api/tickets", Some(body.to_string()), &headers)
                    .await
            }
            UseCase::TakeTicket => {
                let id = self.ticket["id"].as_str().expect("ticket id");
                let body = json!({"action": "take", "version": self.ticket["version"]});
                self.specialist
                    .send_raw(
                        "POST",
                        &format!("/api/tickets/{id}/actions"),
                        Some(body.to_string()),
                        &headers,
                    )
                    .await
            }
            UseCase::PostLead => {
                let body = json!({
                    "type": "test_drive",
                    "name": "Ольга",
                    "phone": "+7 912 000-11-22",
                    "city": "Москва",
                    "model": "X-Trail",
                    "consent": true,
                });
                let resp = reqwest::Client::new()
                    .post(format!("{}/api/leads", self.server.base))
                    .header("x-site-key", "demo-site-1")
                    .header("idempotency-key", key)
                    .json(&body)
                    .send()
                    .await
                    .expect("the server answers");
                let status = resp.status();
                let text = resp.text().await.expect("body");
                (status, serde_json::from_str(&text).unwrap_or(Value::Null))
            }
            // Wishes take no idempotency key: a retry is a new request, so this use case is
            // only run where the failed attempt wrote nothing or the SDK's own retry
            // (with the transaction's token) finished it.
            UseCase::SubmitWish => {
                let body = json!({"title": "Поиск по цвету", "text": "Покупатели просят искать машины по цвету кузова."});
                self.dealer.send("POST", "/api/wishes", Some(body)).await
            }
        }
    }

    /// How many times the use case's effect is in the store, seen through the API.
    async fn effects(&self, case: UseCase) -> usize {
        match case {
            UseCase::FileTicket => {
                let (_, list) = self.dealer.send("GET", "/api/tickets", None).await;
                list["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .filter(|t| t["title"] == "Мета-теги")
                    .count()
            }
            UseCase::TakeTicket => {
                let id = self.ticket["id"].as_str().expect("ticket id");
                let (_, card) = self
                    .specialist
                    .send("GET", &format!("/api/tickets/{id}"), None)
                    .await;
                let moves = card["history"].as_array().expect("history").len() - 1;
                assert_eq!(
                    card["version"].as_u64(),
                    Some(1 + moves as u64),
                    "one version per move: {card}"
                );
                moves
            }
            UseCase::PostLead => {
                let (_, list) = self
                    .dealer
                    .send("GET", "/api/leads?type=test_drive&limit=100", None)
                    .await;
                list["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .filter(|l| l["name"] == "Ольга")
                    .count()
            }
            UseCase::SubmitWish => {
                let (_, list) = self.dealer.send("GET", "/api/wishes", None).await;
                list["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .filter(|w| w["title"] == "Поиск по цвету")
                    .count()
            }
        }
    }
}

fn succeeded(status: StatusCode) -> bool {
    status.is_success()
}

/// A failure the client can act on: a conflict or "try again", never a 500.
fn clean_failure(status: StatusCode) -> bool {
    status == StatusCode::CONFLICT || status == StatusCode::SERVICE_UNAVAILABLE
}

/// Runs `case` with `times` of `fault` on its transaction and checks the outcome: done
/// once, or nothing done and a retry does it once.
async fn under_fault(case: UseCase, fault: Fault, times: u32) {
    at_request(case, "TransactWriteItems", 0, fault, times).await;
}

/// Like [`under_fault`], failing the request of `operation` after `skip` of them passed.
async fn at_request(case: UseCase, operation: &str, skip: u32, fault: Fault, times: u32) {
    let scene = Scene::new().await;
    assert_eq!(scene.effects(case).await, 0, "{case:?}: a clean start");
    let faults = scene.server.state.store.faults();
    faults.inject_after(operation, fault, skip, times);
    let key = format!("{case:?}-{fault:?}-{times}-{skip}");
    let (status, body) = scene.perform(case, &key).await;
    assert_eq!(
        faults.fired(),
        times,
        "{case:?}/{fault:?}: the fault happened"
    );
    faults.clear();
    let effects = scene.effects(case).await;
    if succeeded(status) {
        assert_eq!(effects, 1, "{case:?}/{fault:?}: done once ({body})");
        return;
    }
    assert!(
        clean_failure(status),
        "{case:?}/{fault:?}: a failure the client can act on, got {status}: {body}"
    );
    let code = body["error"]["code"].as_str().unwrap_or("");
    assert!(
        !code.is_empty(),
        "{case:?}/{fault:?}: the error envelope: {body}"
    );
    assert!(
        effects <= 1,
        "{case:?}/{fault:?}: at most the one write the lost answer hid: {effects}"
    );
    // The client retries with the same key: the use case is complete, exactly once.
    let (status, body) = scene.perform(case, &key).await;
    assert!(
        succeeded(status),
        "{case:?}/{fault:?}: the retry completes: {status} {body}"
    );
    assert_eq!(
        scene.effects(case).await,
        1,
        "{case:?}/{fault:?}: exactly once after the retry"
    );
}

#[tokio::test]
async fn throttled_transactions_are_retried_by_the_sdk_and_every_use_case_completes_once() {
    for case in ALL {
        under_fault(case, Fault::Throttled, 1).await;
    }
}

#[tokio::test]
async fn a_lost_answer_is_retried_with_the_transactions_token_and_nothing_is_written_twice() {
    for case in ALL {
        under_fault(case, Fault::LostResponse, 1).await;
    }
}

#[tokio::test]
async fn a_timed_out_transaction_changes_nothing_and_the_clients_retry_completes_it() {
    for case in ALL {
        under_fault(case, Fault::TimedOut, 1).await;
    }
}

#[tokio::test]
async fn a_cancelled_transaction_changes_nothing_and_the_clients_retry_completes_it() {
    for case in ALL {
        under_fault(case, Fault::Cancelled, 1).await;
    }
}

#[tokio::test]
async fn an_answer_lost_for_good_is_found_by_the_clients_retry_with_its_key() {
    // More losses than the SDK has attempts: the request fails after its write was made;
    // the retry with the same idempotency key answers with that write.
    for case in [UseCase::FileTicket, UseCase::TakeTicket, UseCase::PostLead] {
        under_fault(case, Fault::LostResponse, 3).await;
    }
}

/// How many requests to the store the use case makes, on a scene of its own.
async fn requests_of(case: UseCase) -> u32 {
    let scene = Scene::new().await;
    // As `at_request` does before its fault: the look at the effects warms the instance's
    // copies (the caller's session), so both count the same requests.
    assert_eq!(scene.effects(case).await, 0, "{case:?}: a clean start");
    let before = scene.server.state.store.round_trips();
    let (status, body) = scene.perform(case, "count").await;
    assert!(status.is_success(), "{case:?}: {status} {body}");
    let made = scene.server.state.store.round_trips() - before;
    u32::try_from(made).expect("a handful of requests")
}

/// Fails each request of the use case in turn (every operation, not only the
/// transaction): whichever one fails, the use case completes or changes nothing, and the
/// retry completes it once.
async fn a_failure_at_any_request(case: UseCase) {
    let requests = requests_of(case).await;
    assert!(requests >= 2, "{case:?}: at least a read and a write");
    for skip in 0..requests {
        at_request(case, ANY_OPERATION, skip, Fault::TimedOut, 1).await;
    }
}

#[tokio::test]
async fn filing_a_ticket_completes_or_changes_nothing_whichever_request_fails() {
    a_failure_at_any_request(UseCase::FileTicket).await;
}

#[tokio::test]
async fn a_move_completes_or_changes_nothing_whichever_request_fails() {
    a_failure_at_any_request(UseCase::TakeTicket).await;
}

#[tokio::test]
async fn a_posted_lead_completes_or_changes_nothing_whichever_request_fails() {
    a_failure_at_any_request(UseCase::PostLead).await;
}

#[tokio::test]
async fn a_wish_completes_or_changes_nothing_whichever_request_fails() {
    a_failure_at_any_request(UseCase::SubmitWish).await;
}

#[tokio::test]
async fn reads_that_fail_change_nothing_and_are_a_clean_503() {
    let scene = Scene::new().await;
    let faults = scene.server.state.store.faults();
    faults.inject("Query", Fault::TimedOut, 1);
    let (status, body) = scene.dealer.send("GET", "/api/tickets", None).await;
    assert_eq!(faults.fired(), 1);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    let (status, _) = scene.dealer.send("GET", "/api/tickets", None).await;
    assert_eq!(status, StatusCode::OK, "the next read works");
}
