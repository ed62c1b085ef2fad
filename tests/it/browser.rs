//! A real browser (Debian's Chromium, driven by playwright-core) fills the comment form.

use std::path::Path;
use std::process::Command;

use crate::support::browser_tools::browser_tools_ready;
use crate::support::{Backend, TestApp};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newsroom_journeys_through_the_admin_in_a_real_browser() {
    use crate::support::admin::PASSWORD;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !browser_tools_ready(&dir) {
        return;
    }
    if !dir.join("node_modules/axe-core").exists() {
        let why = "the admin browser test needs axe-core (cd tests/browser && npm ci)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}");
        }
        eprintln!("skipping: {why}");
        return;
    }
    let app = TestApp::start_with(Backend::Sqlite, |c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    })
    .await
    .expect("app");
    app.seed_demo().await;
    app.set("comment_min_seconds", "0").await;
    let upkeep = newsroom::app::spawn_upkeep(app.state.clone());
    for (email, role) in [
        ("admin@example.org", "administrator"),
        ("ed@example.org", "editor"),
        ("ed2@example.org", "editor"),
        ("con@example.org", "contributor"),
    ] {
        app.user(email, role).await;
    }
    let article = app.first_article().await;
    let form = app.open_form(&article).await;
    let held = app
        .send_comment(
            &form,
            "203.0.113.77",
            &[
                ("author", "Held Reader"),
                ("email", "held.reader@example.net"),
                ("comment", "Please fix the date."),
            ],
            None,
        )
        .await;
    assert_eq!(held.status().as_u16(), 303);
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    // Photos to upload as a reporter would: one straight from a phone (on its side, with a
    // position), one for the text.
    let photos = app.data_dir().join("photos");
    std::fs::create_dir_all(&photos).expect("photos");
    let phone = crate::support::pictures::jpeg_with_exif(1600, 1000, 6);
    std::fs::write(photos.join("IMG_2041.jpg"), phone).expect("write");
    std::fs::write(
        photos.join("quay.jpg"),
        crate::support::pictures::jpeg(1200, 800),
    )
    .expect("write");
    let (base, script_dir, shots_arg) = (app.base.clone(), dir.clone(), shots.clone());
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("admin.mjs")
            .arg(&base)
            .arg(&shots_arg)
            .arg(PASSWORD)
            .arg(&photos)
            .current_dir(script_dir)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    upkeep.abort();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser admin test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("browser admin test: ok"));
    for shot in [
        "dashboard",
        "editor-desktop",
        "editor-phone",
        "comment-queue",
        "throttled",
        "media-library",
        "article-with-pictures",
    ] {
        let file = shots.join(format!("{shot}.png"));
        assert!(file.exists(), "{} was saved", file.display());
        println!("screenshot: {}", file.display());
    }
    let db = app.state.db();
    let approved = newsroom::db::comment::list(db, "approved", 100)
        .await
        .expect("list");
    assert!(
        approved.iter().any(|c| c.author_name == "Held Reader"),
        "the comment was approved"
    );
    let published = newsroom::db::article::latest(
        db,
        newsroom::db::Window {
            offset: 0,
            limit: 20,
        },
    )
    .await
    .expect("latest");
    let every = newsroom::db::media::Filter {
        limit: 100,
        ..Default::default()
    };
    let uploaded = newsroom::db::media::list(db, &every).await.expect("media");
    let phone = uploaded
        .0
        .iter()
        .find(|m| m.title == "IMG 2041")
        .expect("the phone photo is in the library");
    assert_eq!((phone.width, phone.height), (1000, 1600), "stored upright");
    assert_eq!(phone.credit, "Photo: Ed Itor");
    for title in ["Scheduled harbour update", "Contributor scoop on the ferry"] {
        assert!(
            published.iter().any(|a| a.title == title),
            "{title} is published"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_moved_from_wordpress_signs_in_with_their_old_password_in_a_browser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !browser_tools_ready(&dir) {
        return;
    }
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    let config = app.state.config().clone();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_newsroom"))
            .env("NEWSROOM_DATA", &config.data_dir)
            .env("NEWSROOM_DATABASE_URL", &config.database_url)
            .args(args)
            .output()
            .expect("run newsroom")
    };
    let export = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wxr/wordpress-6.1-export.xml"
    );
    assert!(run(&["import", "wxr", export]).status.success());
    // The hash WordPress (before 6.8) stored for "correct horse battery".
    let csv = app.data_dir().join("users.csv");
    std::fs::write(
        &csv,
        "user_login,user_email,user_pass\nohart,ohart@example.com,$P$B19TNWZtPnvFdZLAGlekCDhgMiO/Rb.\n",
    )
    .expect("csv");
    assert!(
        run(&["import", "wp-users", csv.to_str().expect("path")])
            .status
            .success()
    );
    let base = app.base.clone();
    let script_dir = dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["wp-signin.mjs", &base, "ohart", "correct horse battery"])
            .current_dir(script_dir)
            .output()
    })
    .await
    .expect("join")
    .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("wordpress sign-in: ok"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = newsroom::db::user::by_login_or_email(app.state.db(), "ohart")
        .await
        .expect("db")
        .expect("user");
    let creds = newsroom::db::user::credentials(app.state.db(), hash.id)
        .await
        .expect("db")
        .expect("credentials");
    assert!(
        creds
            .password_hash
            .is_some_and(|h| h.starts_with("$argon2id$")),
        "rehashed at that sign-in"
    );
}
