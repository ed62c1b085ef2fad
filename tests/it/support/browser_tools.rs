//! Whether the browser-test tools are here: Debian's chromium, node, and tests/browser's npm
//! packages. Shared by the `it` binary and the `lighthouse` binary.

use std::path::Path;
use std::process::Command;

/// Whether the browser tools are installed; under CI=true their absence fails the test.
pub fn browser_tools_ready(dir: &Path) -> bool {
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
