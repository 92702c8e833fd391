//! The API contract: schemathesis (PyPI, `pip install schemathesis==4.32.5`) runs against
//! `dealerdesk serve` as a dealer and as a specialist, from the OpenAPI document the server
//! itself serves. Every operation of the document, every phase (coverage, fuzzing, stateful);
//! no answer is a 5xx, every answer's status and body are the ones the document names.
//!
//! `DELETE /api/session` ends the session the run authenticates with, so each role runs it
//! last, in a run of its own with a session of its own.
//!
//! The run is bounded for CI: a fixed number of examples per operation and deterministic
//! generation (the same cases every run). `SCHEMATHESIS` overrides the command.

use dealerdesk_e2e::server::{ServeProcess, free_port};

/// Examples per operation and phase; with both roles in parallel the run takes about a minute.
const MAX_EXAMPLES: &str = "15";
const CHECKS: &str = "not_a_server_error,response_schema_conformance,status_code_conformance";
const LOGOUT: &str = "DELETE /api/session";

fn schemathesis() -> String {
    std::env::var("SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".into())
}

/// One `schemathesis run` with a bearer token; `selection` picks the operations.
async fn run(base: &str, token: &str, selection: [&str; 2]) -> std::process::Output {
    // Its working files (`.schemathesis/`) go to a temp dir, not into the checkout.
    let scratch = tempfile::tempdir().expect("temp dir");
    tokio::process::Command::new(schemathesis())
        .current_dir(scratch.path())
        .args(["run", &format!("{base}/api/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES])
        .arg("--generation-deterministic")
        .args(["--request-timeout", "20"])
        .args(selection)
        .arg("--no-color")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{} does not run ({e}): install it with `pip install schemathesis==4.32.5` \
                 (README, 'Test it')",
                schemathesis()
            )
        })
}

fn assert_green(role: &str, what: &str, output: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis as {role} ({what}) found answers that break the contract:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // "Selected: 60/61" and "Tested: 60": nothing selected was skipped.
    let figure = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .map(|v| v.split('/').collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("no '{label}' in the output:\n{stdout}"))
    };
    let selected = figure("Selected: ");
    let tested = figure("Tested: ");
    assert_eq!(
        tested[0], selected[0],
        "as {role} ({what}) every selected operation is tested:\n{stdout}"
    );
    let total: usize = selected[1].parse().expect("operations");
    let expected = if what == LOGOUT { 1 } else { total - 1 };
    assert_eq!(
        selected[0],
        expected.to_string(),
        "as {role} ({what}):\n{stdout}"
    );
}

/// Every operation but logging out with the role's session, then logging out with a fresh one.
async fn contract_as(server: &ServeProcess, email: &str) {
    let token = server.login(email).await.token.expect("token");
    let everything = run(&server.base, &token, ["--exclude-name", LOGOUT]).await;
    assert_green(email, "every operation", &everything);

    let token = server.login(email).await.token.expect("token");
    let logout = run(&server.base, &token, ["--include-name", LOGOUT]).await;
    assert_green(email, LOGOUT, &logout);
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_answer_outside_the_document() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().join("data").to_string_lossy().to_string();
    let port = free_port();
    // With the demo history: the runs meet real tickets, leads and articles of both roles.
    let server = ServeProcess::start(
        &["--port", &port.to_string(), "--data-dir", &data_arg],
        &[],
        port,
    )
    .await;
    tokio::join!(
        contract_as(&server, "dealer1@demo.local"),
        contract_as(&server, "specialist@demo.local"),
    );
    server.stop().await;
}

/// Found by schemathesis (`positive_data_acceptance`): the document allowed `limit=0` (a `u32`)
/// where every listing answers 400. The document now says 1–100, as the server enforces.
#[tokio::test]
async fn every_page_size_in_the_document_is_the_one_the_server_takes() {
    let server = dealerdesk_e2e::server::TestServer::start().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    let mut listings = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let Some(params) = operation["parameters"].as_array() else {
                continue;
            };
            for limit in params.iter().filter(|p| p["name"] == "limit") {
                assert_eq!(limit["schema"]["minimum"], 1, "{method} {path}");
                assert_eq!(limit["schema"]["maximum"], 100, "{method} {path}");
                listings.push(path.clone());
            }
        }
    }
    assert!(listings.len() >= 4, "the listings page: {listings:?}");
    let dealer = server.login("dealer1@demo.local").await;
    for path in [
        "/api/tickets",
        "/api/wishes",
        "/api/notifications",
        "/api/leads",
    ] {
        assert!(listings.iter().any(|l| l == path), "{path} pages");
        let (status, _) = dealer.send("GET", &format!("{path}?limit=100"), None).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{path}?limit=100");
        let (status, body) = dealer.send("GET", &format!("{path}?limit=0"), None).await;
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{path}?limit=0");
        assert_eq!(body["error"]["code"], "bad_limit");
    }
}

/// Found by schemathesis (`negative_data_rejection`): the document called `q` of the article
/// suggestions required, while an absent `q` is what the new-ticket form sends before the dealer
/// types — no suggestions, 200. The document now says `q` is optional.
#[tokio::test]
async fn the_suggestions_query_is_optional_as_the_document_says() {
    let server = dealerdesk_e2e::server::TestServer::start().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    let q = doc["paths"]["/api/kb/suggest"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "q")
        .expect("q")
        .clone();
    assert_eq!(q["required"], false, "{q}");
    let dealer = server.login("dealer1@demo.local").await;
    let (status, body) = dealer.send("GET", "/api/kb/suggest", None).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(body["items"], serde_json::json!([]));
}
