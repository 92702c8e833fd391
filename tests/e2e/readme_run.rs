//! The README's run command, exactly as written there, from a clean clone: it builds, starts
//! the server, and a demo dealer logs in through it (issue #6: the command once failed on a
//! fresh clone while every other test was green).
//!
//! The command is read from the README (the first fenced `sh` block under "## Run it"), never
//! retyped here. The clone is of the committed state (`git clone` of the workspace root), so
//! uncommitted changes are not part of this test. The clone builds into the workspace's own
//! target directory, so the compiled dependencies are reused and only the workspace crates
//! compile again (`scripts/test` builds every binary of the workspace first).

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the first start may take to build and answer: generous, for a build of the
/// workspace crates (and of every dependency, when run without `scripts/test`'s build first) on
/// a busy two-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The first fenced `sh` block under the README's "## Run it" heading, without its fences.
fn run_command(readme: &str) -> String {
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Run it\n"))
        .expect("README.md has a \"## Run it\" section");
    let block = section
        .split_once("```sh\n")
        .map(|(_, rest)| rest)
        .expect("\"## Run it\" has a fenced sh block");
    let command = block
        .split_once("```")
        .map(|(body, _)| body.trim())
        .expect("the sh block under \"## Run it\" is closed");
    assert!(!command.is_empty(), "the run command in README.md is empty");
    command.to_owned()
}

/// The target directory this test binary was built into: `target/<profile>/deps/<test>`.
fn workspace_target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    exe.ancestors()
        .nth(3)
        .expect("the test executable lives in <target>/<profile>/deps")
        .to_path_buf()
}

/// The command's whole process group (`sh`, `cargo`, the server): ended when dropped, also
/// when the test fails, so no server outlives the test.
struct Started {
    child: Child,
    log: PathBuf,
}

impl Started {
    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends `signal` to the group; false once no process of the group is left.
    fn signal_group(&self, signal: &str) -> bool {
        Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// SIGTERM to every process of the group, SIGKILL for what is still there after 30 s.
    /// True when the group is gone.
    fn stop(&mut self) -> bool {
        self.signal_group("-TERM");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let _ = self.child.try_wait();
            if !self.signal_group("-0") {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        self.signal_group("-KILL");
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(500));
        !self.signal_group("-0")
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        self.stop();
    }
}

fn git_clone(from: &Path, into: &Path) {
    let output = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(from)
        .arg(into)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git clone {} failed: {}",
        from.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_readme_run_command_starts_the_portal_from_a_clean_clone_and_a_dealer_logs_in() {
    let temp = tempfile::tempdir().expect("temp dir");
    let clone = temp.path().join("clone");
    git_clone(dealerdesk_e2e::workspace_root(), &clone);
    let readme = std::fs::read_to_string(clone.join("README.md")).expect("README.md in the clone");
    let command = run_command(&readme);

    let port = dealerdesk_e2e::server::quiet_port();
    let data_dir = temp.path().join("data");
    let log = temp.path().join("run.log");
    let out = File::create(&log).expect("log file");
    let err = out.try_clone().expect("log file");
    let child = Command::new("sh")
        .arg("-c")
        .arg(&command)
        .current_dir(&clone)
        .env("DEALERDESK_PORT", port.to_string())
        .env("DEALERDESK_DATA_DIR", &data_dir)
        .env("CARGO_TARGET_DIR", workspace_target_dir())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        // Its own process group, so that the server cargo starts is ended with it.
        .process_group(0)
        .spawn()
        .expect("sh runs");
    let mut started = Started { child, log };

    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let login = serde_json::json!({"email": "dealer1@demo.local", "password": "demo-password"});
    let begun = Instant::now();
    let session: serde_json::Value = loop {
        if let Ok(r) = http
            .post(format!("{base}/api/session"))
            .json(&login)
            .send()
            .await
        {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            assert_eq!(
                status, 200,
                "POST /api/session as dealer1 answered {status}: {body}"
            );
            break serde_json::from_str(&body).expect("the session answer is JSON");
        }
        if let Ok(Some(status)) = started.child.try_wait() {
            panic!(
                "`{command}` exited with {status} before the portal answered:\n{}",
                started.output()
            );
        }
        assert!(
            begun.elapsed() < START_TIMEOUT,
            "`{command}` did not answer on {base} within {START_TIMEOUT:?}:\n{}",
            started.output()
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    let token = session["token"].as_str().unwrap_or_default();
    assert!(!token.is_empty(), "a session token: {session}");

    // The portal's first page, with the session cookie the login set.
    let page = http.get(format!("{base}/")).send().await.expect("GET /");
    let status = page.status();
    let path = page.url().path().to_owned();
    let html = page.text().await.unwrap_or_default();
    assert_eq!(status, 200, "GET / answered {status}: {html}");
    assert!(
        html.contains("Личный кабинет"),
        "dealer1's portal at {path}:\n{html}"
    );

    assert!(
        started.stop(),
        "a process of `{command}` outlived SIGTERM and SIGKILL"
    );
    eprintln!(
        "readme_run: `{command}` answered after {:?}",
        begun.elapsed()
    );
}

#[test]
fn the_run_command_is_the_first_sh_block_under_run_it() {
    let readme = "# X\n\n## Build\n\n```sh\nmake\n```\n\n## Run it\n\nText.\n\n```sh\ncargo run -- serve\n```\n\n```sh\nother\n```\n\n## Test it\n";
    assert_eq!(run_command(readme), "cargo run -- serve");
}
