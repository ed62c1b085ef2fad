//! Real parsers written in Python (feedparser for feeds, extruct for structured data), run on a
//! URL of the test server; they print what they understood as JSON.

use std::path::Path;
use std::process::Command;

/// Whether python3 with feedparser and extruct is there; under CI=true its absence fails.
pub fn parsers_ready() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import feedparser, extruct"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    let why = "feed and metadata checks need python3 with feedparser and extruct (pip install feedparser extruct)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipping: {why}");
    false
}

/// Run `tests/python/<script> <url>`; its JSON, or the parser's complaint as a panic.
pub async fn run(script: &str, url: &str) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let url = url.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3").arg(&script).arg(&url).output()
    })
    .await
    .expect("join")
    .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the parser prints JSON")
}
