//! A real browser (Debian's Chromium, driven by playwright-core) fills the comment form.

use std::path::Path;
use std::process::Command;

use crate::support::{Backend, TestApp};

/// Whether the browser tools are installed; under CI=true their absence fails the test.
fn browser_tools_ready(dir: &Path) -> bool {
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", Path::new("/usr/bin/chromium").exists()),
        (
            "node",
            Command::new("node")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success()),
        ),
        (
            "tests/browser/node_modules/playwright-core",
            dir.join("node_modules/playwright-core").exists(),
        ),
    ]
    .iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| *name)
    .collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "browser test needs {} (apt-get install chromium; cd tests/browser && npm ci)",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipping: {why}");
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_comments_in_a_real_browser_and_sees_the_moderation_notice() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !browser_tools_ready(&dir) {
        return;
    }
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    app.seed_demo().await;
    let path = app.first_article().await;
    let base = app.base.clone();
    let script_dir = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("comment.mjs")
            .arg(&base)
            .arg(&path)
            .current_dir(script_dir)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("browser comment test: ok"));
    let held = newsroom::db::comment::list(app.state.db(), "pending", 10)
        .await
        .expect("list");
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].author_name.as_str(), held[0].reason.as_str()),
        ("Browser Reader", "first comment from this email")
    );
}
