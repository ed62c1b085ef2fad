//! A real WordPress client, the npm package `wpapi` (tests/browser/wpapi.mjs), against the real
//! `newsroom serve`: discovery from the Link header, paging, embedding, errors, and writing with an
//! application password made by `newsroom user app-password` (terms, posts, an upload, comments).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether node and wpapi are installed; under CI=true their absence fails the test.
fn wpapi_ready(dir: &Path) -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let wpapi = dir.join("node_modules/wpapi").exists();
    if node && wpapi {
        return true;
    }
    let why = "the WordPress client test needs node and wpapi (cd tests/browser && npm ci)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipping: {why}");
    false
}

#[test]
fn the_wpapi_client_discovers_reads_and_writes_the_site() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !wpapi_ready(&dir) {
        return;
    }
    let data = std::env::temp_dir().join(format!("newsroom_wpapi_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    // A free port, so the site's own address (its Link header) is the one the client uses.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("NEWSROOM_DATA", &data)
            .env_remove("NEWSROOM_DATABASE_URL")
            .env("NEWSROOM_LOG", "newsroom=info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn newsroom"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .expect("newsroom exited without serving")
            .expect("line");
        if line.contains("serving ") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
    // An editor and their application password, made at the command line as an operator would
    // (after the first start, which fills the empty site with demo articles).
    let cli = |args: &[&str]| {
        let mut run = Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .args(args)
            .env("NEWSROOM_DATA", &data)
            .env_remove("NEWSROOM_DATABASE_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run newsroom");
        {
            use std::io::Write;
            let mut stdin = run.stdin.take().expect("stdin");
            stdin
                .write_all(b"a long test passphrase\n")
                .expect("password");
        }
        let out = run.wait_with_output().expect("newsroom output");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    cli(&[
        "user",
        "add",
        "desk@example.org",
        "--role",
        "editor",
        "--name",
        "Desk Editor",
        "--password-stdin",
    ]);
    let app_password = cli(&["user", "app-password", "desk@example.org", "wpapi test"]);
    let picture = data.join("harbour.jpg");
    std::fs::write(&picture, crate::support::pictures::jpeg(320, 240)).expect("picture");

    let out = Command::new("node")
        .arg("wpapi.mjs")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("desk@example.org")
        .arg(&app_password)
        .arg(&picture)
        .current_dir(&dir)
        .output()
        .expect("run node");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("\"ok\":true"),
        "wpapi: {report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&data);
}
