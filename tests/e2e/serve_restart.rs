//! `dealerdesk serve` as a user runs it: the real binary, a data dir, a restart.

use dealerdesk_e2e::server::{ServeProcess, free_port};
use reqwest::StatusCode;

#[tokio::test]
async fn the_local_server_keeps_every_change_across_a_restart() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().join("data");
    let data_arg = data_dir.to_string_lossy().to_string();

    let port = free_port();
    // Without the demo history: the ticket numbers below count from an empty network.
    let server = ServeProcess::start(
        &["--port", &port.to_string(), "--data-dir", &data_arg],
        &[("DEALERDESK_DEMO_HISTORY", "0")],
        port,
    )
    .await;
    let dealer = server.login("dealer1@demo.local").await;
    let ticket = dealer.file_ticket("Переживёт перезапуск").await;
    let specialist = server.login("specialist@demo.local").await;
    let (status, _) = specialist.act(&ticket, "take", Some("Беру")).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
    assert!(
        data_dir.join("dealerdesk.sqlite").exists(),
        "the store lives in the data dir"
    );

    // Second start through the environment variables instead of flags.
    let port = free_port();
    let port_env = port.to_string();
    let server = ServeProcess::start(
        &[],
        &[
            ("DEALERDESK_PORT", &port_env),
            ("DEALERDESK_DATA_DIR", &data_arg),
        ],
        port,
    )
    .await;
    let dealer = server.login("dealer1@demo.local").await;
    let (status, card) = dealer
        .send(
            "GET",
            &format!("/api/tickets/{}", ticket["id"].as_str().unwrap()),
            None,
        )
        .await;
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

#[tokio::test]
async fn dealerdesk_job_delivers_the_outbox_of_a_data_dir_once() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().to_string_lossy().to_string();
    let port = free_port();
    let server = ServeProcess::start(
        // Without the demo history, whose letters would be in the outbox too.
        &[
            "--port",
            &port.to_string(),
            "--data-dir",
            &data_arg,
            "--scheduler-seconds",
            "0",
            "--demo-history",
            "false",
        ],
        &[],
        port,
    )
    .await;
    server
        .login("dealer1@demo.local")
        .await
        .file_ticket("Письмо команде")
        .await;
    server.stop().await;

    let run = |at: &str| {
        std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"))
            .args(["job", "outbox", "--at", at, "--data-dir", &data_arg])
            .output()
            .expect("dealerdesk job runs")
    };
    let first = run("2030-01-01T10:00:00+03:00");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).expect("a JSON report");
    assert_eq!(report["job"], "outbox");
    assert_eq!(report["done"], 1);
    let second = run("2030-01-01T10:00:00+03:00");
    let report: serde_json::Value = serde_json::from_slice(&second.stdout).expect("a JSON report");
    assert_eq!(
        report["done"], 0,
        "running it twice sends nothing the second time"
    );
    let mails = dealerdesk_app::mail::read_mailbox(&data.path().join("mail"));
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].email.to, ["specialist@demo.local"]);

    let bad = std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"))
        .args(["job", "sweep", "--data-dir", &data_arg])
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown job"));
}

#[tokio::test]
async fn an_operator_creates_a_dealer_and_its_first_user_from_the_command_line() {
    let data = tempfile::tempdir().expect("temp dir");
    let data_arg = data.path().to_string_lossy().to_string();
    let cli = |args: &[&str], password: Option<&str>| {
        let mut cmd =
            std::process::Command::new(dealerdesk_e2e::server::built_binary("dealerdesk"));
        cmd.args(args).args(["--data-dir", &data_arg]);
        if let Some(p) = password {
            cmd.env("DEALERDESK_NEW_PASSWORD", p);
        }
        cmd.output().expect("dealerdesk runs")
    };
    let out = cli(
        &[
            "user",
            "create",
            "--email",
            "am@platform.ru",
            "--name",
            "Ольга",
            "--role",
            "account_manager",
        ],
        Some("долгий-пароль-1"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        &[
            "dealer",
            "create",
            "--id",
            "d-kazan",
            "--name",
            "Автоцентр Казань",
            "--city",
            "Казань",
            "--network",
            "peugeot",
            "--network-name",
            "Peugeot",
            "--account-manager",
            "am@platform.ru",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        &[
            "user",
            "create",
            "--email",
            "Kazan@Dealer.ru",
            "--name",
            "Ильдар",
            "--role",
            "dealer",
            "--dealer",
            "d-kazan",
        ],
        Some("ещё-один-пароль"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Refusals say what is wrong, in Russian, and create nothing.
    let out = cli(
        &[
            "user",
            "create",
            "--email",
            "kazan@dealer.ru",
            "--name",
            "Дубль",
            "--role",
            "dealer",
            "--dealer",
            "d-kazan",
        ],
        Some("ещё-один-пароль"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("уже есть"));
    let out = cli(
        &[
            "user",
            "create",
            "--email",
            "x@dealer.ru",
            "--name",
            "Х",
            "--role",
            "dealer",
            "--dealer",
            "nope",
        ],
        Some("short"),
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    assert!(
        err.contains("Такого дилера нет") && err.contains("не короче 10"),
        "{err}"
    );

    // The new dealer user logs in and files a ticket, which its account manager sees.
    let port = free_port();
    let server = ServeProcess::start(
        &["--port", &port.to_string(), "--data-dir", &data_arg],
        &[],
        port,
    )
    .await;
    let api = server.anonymous_api();
    let (status, body) = api
        .send(
            "POST",
            "/api/session",
            Some(serde_json::json!({"email": "kazan@dealer.ru", "password": "ещё-один-пароль"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["dealer_id"], "d-kazan");
    server.stop().await;
}
