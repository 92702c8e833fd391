//! `dealerdesk serve` as a user runs it: the real binary, a data dir, a restart.

use dealerdesk_e2e::server::{ServeProcess, free_port};
use reqwest::StatusCode;

#[tokio::test]
async fn the_local_server_keeps_every_change_across_a_restart() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().join("data");
    let data_arg = data_dir.to_string_lossy().to_string();

    let port = free_port();
    let server = ServeProcess::start(&["--port", &port.to_string(), "--data-dir", &data_arg], &[], port).await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Переживёт перезапуск").await;
    let specialist = server.login("specialist@demo.local").await;
    let (status, _) = specialist.act(&ticket, "take", Some("Беру")).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
    assert!(data_dir.join("dealerdesk.sqlite").exists(), "the store lives in the data dir");

    // Second start through the environment variables instead of flags.
    let port = free_port();
    let port_env = port.to_string();
    let server = ServeProcess::start(&[], &[("DEALERDESK_PORT", &port_env), ("DEALERDESK_DATA_DIR", &data_arg)], port).await;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, card) = dealer.send("GET", &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(card["title"], "Переживёт перезапуск");
    assert_eq!(card["status_label"], "В стадии решения");
    assert_eq!(card["history"].as_array().unwrap().len(), 2);
    // The counter survived too: the next ticket gets the next number.
    let next = dealer.file_ticket("Второе").await;
    assert_eq!(next["number"], "DD-1002");
    server.stop().await;
}

#[tokio::test]
async fn a_bad_clock_setting_stops_the_server_with_a_clear_message() {
    let data = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"))
        .args(["serve", "--port", &free_port().to_string(), "--data-dir"])
        .arg(data.path())
        .env("DEALERDESK_CLOCK", "friday evening")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("RFC 3339"));
}
