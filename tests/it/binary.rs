//! The `newsroom` binary as a newcomer runs it: `serve` on an empty data folder shows a demo site.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

pub struct Child(std::process::Child);

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
    let (child, base, _) = spawn_server(&dir, None, &[]);
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

/// Start `newsroom serve` (with `extra` flags) on a data folder and database; the child, its base
/// URL and the log lines that follow the "serving" one.
pub fn spawn_server(
    dir: &std::path::Path,
    database: Option<&str>,
    extra: &[&str],
) -> (Child, String, std::sync::mpsc::Receiver<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    cmd.args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("NEWSROOM_DATA", dir)
        .env("NEWSROOM_LOG", "newsroom=info")
        .env("NO_COLOR", "1")
        .env_remove("NEWSROOM_SMTP_URL")
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

/// Wait for the "serving http://…" log line; the later lines go to the receiver, and the log
/// keeps being drained even when nobody listens, so the server never blocks on a full pipe.
fn read_address(mut child: Child) -> (Child, String, std::sync::mpsc::Receiver<String>) {
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
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, base, rx)
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
        newsroom::actions::demo::seed(state.db(), state.media())
            .await
            .expect("seed");
        newsroom::db::setting::set(state.db(), "comment_min_seconds", "0")
            .await
            .expect("set");
        state.close().await;
    }
    let (mut child, base, _) = spawn_server(&dir, database.as_deref(), &["--no-demo"]);
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

/// The next log line containing `needle`, waiting up to five seconds.
fn wait_for_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> Option<String> {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

/// Run a `newsroom` command on a data folder with `stdin` piped in.
fn newsroom(dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(args)
        .env("NEWSROOM_DATA", dir)
        .env_remove("NEWSROOM_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run newsroom");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("output")
}

#[tokio::test]
async fn the_first_administrator_is_made_at_the_command_line_never_by_default() {
    let dir = std::env::temp_dir().join(format!("newsroom_users_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let site = ["--no-demo", "--site-url", "https://news.example.org"];
    let (child, _, rx) = spawn_server(&dir, None, &site);
    let hint = wait_for_line(&rx, "no administrator yet").expect("serve says how to make one");
    assert!(
        hint.contains("newsroom user add you@example.org --role administrator"),
        "{hint}"
    );
    drop(child);

    let refused = newsroom(
        &dir,
        &["user", "add", "ann@example.org", "--role", "administrator"],
        "",
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no terminal to ask for a password"),
        "never a default password"
    );
    let bad_role = newsroom(
        &dir,
        &[
            "user",
            "add",
            "ann@example.org",
            "--role",
            "root",
            "--password-stdin",
        ],
        "long enough pw\n",
    );
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));
    let weak = newsroom(
        &dir,
        &[
            "user",
            "add",
            "ann@example.org",
            "--role",
            "administrator",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 8 characters"));
    let added = newsroom(
        &dir,
        &[
            "user",
            "add",
            "Ann@Example.org",
            "--role",
            "administrator",
            "--name",
            "Ann Admin",
            "--password-stdin",
        ],
        "first strong password\n",
    );
    assert!(added.status.success(), "{added:?}");
    assert!(
        String::from_utf8_lossy(&added.stdout)
            .contains("added administrator Ann Admin <ann@example.org>")
    );
    newsroom(
        &dir,
        &[
            "user",
            "add",
            "bob@example.org",
            "--role",
            "author",
            "--password-stdin",
        ],
        "bobs strong password\n",
    );
    let role = newsroom(&dir, &["user", "role", "bob@example.org", "editor"], "");
    assert!(String::from_utf8_lossy(&role.stdout).contains("bob@example.org is now editor"));
    let list = String::from_utf8_lossy(&newsroom(&dir, &["user", "list"], "").stdout).to_string();
    assert!(
        list.contains("administrator  ann@example.org")
            && list.contains("editor")
            && list.contains("2 user(s)"),
        "{list}"
    );
    let passwd = newsroom(
        &dir,
        &["user", "passwd", "ann@example.org", "--password-stdin"],
        "second strong password\n",
    );
    assert!(passwd.status.success(), "{passwd:?}");
    let nobody = newsroom(
        &dir,
        &["user", "passwd", "nobody@example.org", "--password-stdin"],
        "whatever password\n",
    );
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no user with email"));

    // With an administrator there is no hint; a forgotten password's link goes to the log.
    let (child, base, rx) = spawn_server(&dir, None, &site);
    let client = crate::support::admin::cookie_client();
    let html = client
        .get(format!("{base}/admin/forgot"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = crate::support::attrs(&html, "input[name=csrf]", "value")[0].clone();
    client
        .post(format!("{base}/admin/forgot"))
        .form(&[("csrf", token.as_str()), ("log", "ann")])
        .send()
        .await
        .expect("post");
    let line = wait_for_line(&rx, "/admin/reset?token=")
        .expect("the reset link is logged for the operator");
    assert!(
        line.contains("https://news.example.org/admin/reset?token="),
        "built from the site URL, not the Host header: {line}"
    );
    let mut seen_hint = false;
    while let Ok(l) = rx.try_recv() {
        seen_hint |= l.contains("no administrator yet");
    }
    assert!(!seen_hint);
    let html = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = crate::support::attrs(&html, "input[name=csrf]", "value")[0].clone();
    let r = client
        .post(format!("{base}/admin/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("log", "ann@example.org"),
            ("pwd", "second strong password"),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(
        r.status().as_u16(),
        303,
        "the password set at the command line works"
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pictures_are_added_at_the_command_line() {
    use crate::support::pictures;
    let dir = std::env::temp_dir().join(format!("newsroom_media_cli_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let photo = dir.join("harbour.jpg");
    std::fs::write(&photo, pictures::jpeg_with_exif(64, 32, 6)).expect("write");
    let notes = dir.join("notes.jpg");
    std::fs::write(&notes, "not a picture").expect("write");
    let (photo_s, notes_s) = (photo.to_string_lossy(), notes.to_string_lossy());
    let args = [
        "media",
        "add",
        &photo_s,
        &notes_s,
        "--alt",
        "Boats at the harbour wall",
        "--credit",
        "Photo: Ann",
    ];
    let out = newsroom(&dir, &args, "");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        !out.status.success(),
        "one file was refused: {stdout} {stderr}"
    );
    assert!(
        stdout.contains("harbour.jpg: added as picture 1 (32×64), place it with ![Boats at the harbour wall](/media/1)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("notes.jpg: ") && stderr.contains("not a picture"),
        "{stderr}"
    );
    assert!(stderr.contains("1 of 2 file(s) were not added"), "{stderr}");

    let again = newsroom(&dir, &["media", "add", &photo_s], "");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already in the library as picture 1"));
    let mut stored = Vec::new();
    for sub in std::fs::read_dir(dir.join("media"))
        .expect("media folder")
        .flatten()
    {
        for f in std::fs::read_dir(sub.path()).expect("dir").flatten() {
            stored.push(std::fs::read(f.path()).expect("read"));
        }
    }
    // Narrower than the smallest size: one JPEG (the clean original is its own size) and a WebP.
    assert_eq!(stored.len(), 2);
    assert!(
        stored.iter().all(|b| !pictures::has_gps(b)),
        "no position kept"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Whether an error (or what caused it) is a connection reset by the server.
fn is_reset(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        cause = c.source();
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_finishes_requests_in_flight_and_exits_zero() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = std::env::temp_dir().join(format!("newsroom_sigterm_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (mut child, base, _) = spawn_server(&dir, None, &[]);
    let address = base.trim_start_matches("http://").to_string();

    // A request in flight when the signal comes: its headers and half its body sent before.
    let body = "comment_post_ID=1&author=Ann&email=ann%40example.net&comment=Talks+resume+today";
    let mut slow = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "POST /wp-comments-post.php HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).await.expect("head");
    slow.write_all(&body.as_bytes()[..20]).await.expect("half");

    // Readers keep asking for pages over kept-alive connections.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (base, stop) = (base.clone(), stop.clone());
        load.spawn(async move {
            let client = reqwest::Client::new();
            let (mut ok, mut resets, mut other) = (0, Vec::new(), 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match client.get(&base).send().await {
                    Ok(r) => match r.bytes().await {
                        Ok(_) => ok += 1,
                        Err(e) if is_reset(&e) => resets.push(e.to_string()),
                        Err(_) => other += 1,
                    },
                    Err(e) if is_reset(&e) => resets.push(e.to_string()),
                    // Refused once the server stopped listening: what a stopping server does.
                    Err(_) => {
                        other += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                }
            }
            (ok, resets, other)
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let pid = child.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());

    // The request in flight is finished and answered after the signal.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    slow.write_all(&body.as_bytes()[20..])
        .await
        .expect("rest of the body");
    let mut answer = Vec::new();
    slow.read_to_end(&mut answer).await.expect("answer");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 "),
        "a whole answer: {answer:?}"
    );

    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let results = load.join_all().await;
    let served: usize = results.iter().map(|(ok, _, _)| ok).sum();
    let resets: Vec<&String> = results.iter().flat_map(|(_, r, _)| r).collect();
    assert!(served > 50, "pages were served under load: {served}");
    assert!(resets.is_empty(), "connections reset: {resets:?}");

    let status = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = child.0.try_wait().expect("wait") {
                return Some((status, started.elapsed()));
            }
            if started.elapsed() > std::time::Duration::from_secs(20) {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    })
    .await
    .expect("join");
    let (status, _) = status.expect("the server stopped within its grace period");
    assert!(status.success(), "exit status {status:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_json_lines_with_the_request_id_and_metrics_have_a_private_address() {
    let dir = std::env::temp_dir().join(format!("newsroom_logs_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        "127.0.0.1:0",
    ])
    .env("NEWSROOM_DATA", &dir)
    .env("NEWSROOM_LOG", "newsroom=debug")
    .env_remove("NEWSROOM_LOG_FORMAT")
    .env_remove("NEWSROOM_SMTP_URL")
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    use_database(&mut cmd, None);
    let (child, base, rx) = read_address(Child(cmd.spawn().expect("spawn newsroom")));
    let metrics_line = wait_for_line(&rx, "metrics at http://").expect("metrics address logged");
    let metrics = metrics_line
        .split("metrics at ")
        .nth(1)
        .and_then(|rest| rest.split(['"', ' ']).next())
        .and_then(|url| url.strip_suffix("/metrics"))
        .expect("address")
        .to_string();

    let client = reqwest::Client::new();
    let r = client
        .get(format!("{base}/no-such-page/"))
        .header("x-request-id", "probe-4e1f")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-request-id"], "probe-4e1f");
    let line = wait_for_line(&rx, "probe-4e1f").expect("a log line names the request");
    let entry: serde_json::Value = serde_json::from_str(&line).expect("one JSON object a line");
    assert_eq!(entry["span"]["request_id"], "probe-4e1f", "{line}");
    assert_eq!(entry["status"], 404, "{line}");
    assert_eq!(entry["path"], "/no-such-page/", "{line}");
    // A page answered from the page cache (before routing) is logged the same way.
    client.get(format!("{base}/")).send().await.expect("get");
    let r = client
        .get(format!("{base}/"))
        .header("x-request-id", "probe-hit-5a2c")
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["x-cache"], "HIT");
    let line = wait_for_line(&rx, "probe-hit-5a2c").expect("a kept page's answer is logged");
    let entry: serde_json::Value = serde_json::from_str(&line).expect("one JSON object a line");
    assert_eq!(entry["span"]["request_id"], "probe-hit-5a2c", "{line}");
    assert_eq!(
        (entry["status"].as_u64(), entry["path"].as_str()),
        (Some(200), Some("/")),
        "{line}"
    );

    // The private address answers metrics without a token; the public one does not have them.
    let text = client
        .get(format!("{metrics}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains("newsroom_http_requests_total{route=\"page\",status=\"404\"} 1"),
        "{text}"
    );
    let ready = client
        .get(format!("{metrics}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    let public = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("public");
    assert_eq!(public.status(), 404);
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
