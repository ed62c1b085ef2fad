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
    let (child, base) = spawn_server(&dir, None, &[]);
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

/// Start `newsroom serve` (with `extra` flags) on a data folder and database; the child and its base URL.
fn spawn_server(dir: &std::path::Path, database: Option<&str>, extra: &[&str]) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("NEWSROOM_DATA", dir)
        .env("NEWSROOM_LOG", "newsroom=info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    use_database(&mut cmd, database);
    read_address(Child(cmd.spawn().expect("spawn newsroom")))
}

/// Point a `newsroom` command at `database`, or at the data folder's SQLite file when None.
fn use_database(cmd: &mut Command, database: Option<&str>) {
    match database {
        Some(url) => cmd.env("NEWSROOM_DATABASE_URL", url),
        None => cmd.env_remove("NEWSROOM_DATABASE_URL"),
    };
}

/// Wait for the "serving http://…" log line; keep draining the log so the server never blocks.
fn read_address(mut child: Child) -> (Child, String) {
    let stdout = child.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("newsroom exited without serving")
            .expect("line");
        if let Some(rest) = line.split("serving ").nth(1) {
            break rest.split_whitespace().next().expect("address").to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

async fn acknowledged_comment_survives_a_hard_kill(database: Option<String>) {
    use newsroom::app::AppState;
    use newsroom::config::Config;
    let dir = std::env::temp_dir().join(format!(
        "newsroom_kill_{}_{}",
        std::process::id(),
        database.is_some()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let state = AppState::open(Config::for_data(&dir, database.clone()))
            .await
            .expect("open");
        newsroom::actions::demo::seed(state.db())
            .await
            .expect("seed");
        newsroom::db::setting::set(state.db(), "comment_min_seconds", "0")
            .await
            .expect("set");
        state.close().await;
    }
    let (mut child, base) = spawn_server(&dir, database.as_deref(), &["--no-demo"]);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let home = client
        .get(&base)
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    let path = crate::support::attrs(&home, ".card-title a", "href")[0].clone();
    let page = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("article")
        .text()
        .await
        .expect("body");
    let post_id = crate::support::attrs(&page, "input[name=comment_post_ID]", "value")[0].clone();
    let token = crate::support::attrs(&page, "input[name=newsroom_token]", "value")[0].clone();
    let r = client
        .post(format!("{base}/wp-comments-post.php"))
        .form(&[
            ("comment_post_ID", post_id.as_str()),
            ("newsroom_token", token.as_str()),
            ("author", "Durable Dana"),
            ("email", "dana@example.net"),
            ("comment", "This must survive a crash."),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let id = crate::support::comments::comment_id(&r);
    // SIGKILL at once: no graceful shutdown, no chance to flush anything after the 303.
    child.0.kill().expect("kill");
    let _ = child.0.wait();

    let state = AppState::open(Config::for_data(&dir, database.clone()))
        .await
        .expect("reopen");
    let stored = newsroom::db::comment::get(state.db(), id)
        .await
        .expect("get")
        .expect("the acknowledged comment is there");
    assert_eq!(stored.content, "This must survive a crash.");
    assert_eq!(
        stored.status, "pending",
        "a first comment waits for moderation"
    );
    state.close().await;

    // Moderating it from the shell, before any admin exists.
    let cli = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
        cmd.args(args).env("NEWSROOM_DATA", &dir);
        use_database(&mut cmd, database.as_deref());
        cmd.output().expect("run cli")
    };
    let list = cli(&["comments", "list"]);
    let out = String::from_utf8_lossy(&list.stdout);
    assert!(
        out.contains("Durable Dana")
            && out.contains("first comment from this email")
            && out.contains("1 comment(s)"),
        "{out}"
    );
    let approve = cli(&["comments", "approve", &id.to_string()]);
    assert!(String::from_utf8_lossy(&approve.stdout).contains(&format!("comment {id} approved")));
    let approved =
        String::from_utf8_lossy(&cli(&["comments", "list", "--status", "approved"]).stdout)
            .to_string();
    assert!(approved.contains("Durable Dana"), "{approved}");
    let count = String::from_utf8_lossy(&cli(&["comments", "count"]).stdout).to_string();
    assert!(
        count.contains("approved 4") && count.contains("total 4"),
        "{count}"
    );
    let spam = cli(&["comments", "spam", &id.to_string(), "99999"]);
    assert!(!spam.status.success(), "an unknown id is an error");
    assert!(String::from_utf8_lossy(&spam.stderr).contains("no comment with id 99999"));
    let bad = cli(&["comments", "list", "--status", "bogus"]);
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("unknown status")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_acknowledged_comment_survives_a_hard_kill_on_sqlite() {
    acknowledged_comment_survives_a_hard_kill(None).await;
}

#[tokio::test]
async fn an_acknowledged_comment_survives_a_hard_kill_on_postgres() {
    let Some((name, url)) = crate::support::fresh_pg_database().await else {
        return;
    };
    acknowledged_comment_survives_a_hard_kill(Some(url)).await;
    crate::support::drop_pg_database(&name);
}
