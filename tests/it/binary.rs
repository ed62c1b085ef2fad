//! The `newsroom` binary as a newcomer runs it: `serve` on an empty data folder shows a demo site.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_on_an_empty_data_folder_starts_a_demo_site_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("newsroom_bin_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("NEWSROOM_DATA", &dir)
            .env_remove("NEWSROOM_DATABASE_URL")
            .env("NEWSROOM_LOG", "newsroom=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn newsroom"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let base = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            if let Some(rest) = line.split("serving ").nth(1) {
                return rest.split_whitespace().next().expect("address").to_string();
            }
        }
        panic!("newsroom exited without serving");
    })
    .await
    .expect("reader");
    let html = reqwest::get(&base)
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        html.contains("Ukrainian and Russian delegations"),
        "demo content on first start"
    );
    assert!(
        dir.join("newsroom.db").exists(),
        "SQLite file in the data folder"
    );
    assert!(dir.join("newsroom.db-wal").exists(), "WAL mode");
    drop(child);

    // A second start does not add the demo again.
    let out = Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["--data", dir.to_str().expect("utf-8 path"), "demo"])
        .output()
        .expect("run demo");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("the site has 6 articles"),
        "{out:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["--database", "mysql://x", "migrate"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL"), "{err}");
}
