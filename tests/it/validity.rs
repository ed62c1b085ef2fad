//! Every page type passes the Nu HTML checker (vnu.jar from npm's vnu-jar, run with the machine's Java).

use std::path::Path;
use std::process::Command;

use crate::support::{Backend, TestApp, attrs};

fn checker() -> Option<std::path::PathBuf> {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if jar.exists() && java {
        return Some(jar);
    }
    let why = "the HTML check needs Java and vnu.jar (cd tests/browser && npm ci)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipping: {why}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_is_valid_html() {
    let Some(jar) = checker() else { return };
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    app.seed_demo().await;
    app.set("comment_min_seconds", "0").await;
    app.set("posts_per_page", "4").await;
    let home = app.page("/").await;
    let article = attrs(&home, ".card-title a", "href")[0].clone();
    let mut pages = vec![("home".to_string(), home)];
    for path in [
        article.as_str(),
        "/category/world/",
        "/category/world/europe/",
        "/tag/diplomacy/",
        "/author/olena-kovalenko/",
        "/about/",
        "/page/2/",
    ] {
        pages.push((path.to_string(), app.get(path).await.1));
    }
    let year = attrs(&pages[0].1, ".card time", "datetime")[0][..4].to_string();
    pages.push(("date".into(), app.page(&format!("/{year}/")).await));
    pages.push(("404".into(), app.get("/no-such-page/").await.1));
    let form = app.open_form(&article).await;
    let refused = app
        .send_comment(
            &form,
            "198.51.100.1",
            &[("author", ""), ("email", "bad"), ("comment", "kept")],
            None,
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    pages.push((
        "refused comment".into(),
        refused.text().await.expect("body"),
    ));

    check_pages(&app, jar, &pages).await;
}

/// Write the pages to files and run the Nu HTML checker over them; no errors allowed.
async fn check_pages(app: &TestApp, jar: std::path::PathBuf, pages: &[(String, String)]) {
    let dir = app.data_dir().join("html");
    std::fs::create_dir_all(&dir).expect("dir");
    let mut files = Vec::new();
    for (i, (name, html)) in pages.iter().enumerate() {
        assert!(html.starts_with("<!DOCTYPE html>"), "{name} is a page");
        let file = dir.join(format!("{i}.html"));
        std::fs::write(&file, html).expect("write");
        files.push(file);
    }
    let names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("java")
            .arg("-jar")
            .arg(jar)
            .arg("--errors-only")
            .args(&files)
            .output()
    })
    .await
    .expect("join")
    .expect("run vnu");
    let report =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the Nu HTML checker found errors (files are numbered as in {names:?}):\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_page_is_valid_html() {
    let Some(jar) = checker() else { return };
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    app.seed_demo().await;
    app.set("comment_min_seconds", "0").await;
    let mut pages: Vec<(String, String)> = Vec::new();
    let client = crate::support::admin::cookie_client();
    for path in ["/admin/login", "/admin/forgot", "/admin/reset?token=nope"] {
        let r = client.get(app.url(path)).send().await.expect("get");
        pages.push((path.into(), r.text().await.expect("body")));
    }
    let refused = app.post_login(&client, "nobody@example.org", "wrong").await;
    pages.push((
        "refused sign-in".into(),
        refused.text().await.expect("body"),
    ));
    // A held comment, so the queue has every kind of row.
    let article = app.first_article().await;
    let form = app.open_form(&article).await;
    app.send_comment(
        &form,
        "203.0.113.9",
        &[
            ("author", "Held Reader"),
            ("email", "held@example.net"),
            ("comment", "Please check this."),
        ],
        None,
    )
    .await;
    let admin = app.signed_in_as("admin@example.org", "administrator").await;
    let id = newsroom::db::article::latest(
        app.state.db(),
        newsroom::db::Window {
            offset: 0,
            limit: 1,
        },
    )
    .await
    .expect("db")[0]
        .id;
    // Two revisions to compare.
    admin
        .post_ok(
            &format!("/admin/posts/{id}/corrections"),
            &[("note", "A date was wrong.")],
        )
        .await;
    let edit = admin.page(&format!("/admin/posts/{id}")).await;
    let version = attrs(&edit, "input[name=version]", "value")[0].clone();
    let title = attrs(&edit, "#field-title", "value")[0].clone();
    admin
        .post_ok(
            &format!("/admin/posts/{id}"),
            &[
                ("title", title.as_str()),
                ("body", "New text.\n\nSecond."),
                ("version", version.as_str()),
                ("status", "published"),
                ("do", "save"),
            ],
        )
        .await;
    let conflict = admin
        .post(
            &format!("/admin/posts/{id}"),
            &[
                ("title", title.as_str()),
                ("body", "Stale text."),
                ("version", version.as_str()),
                ("status", "published"),
                ("do", "save"),
            ],
        )
        .await;
    assert_eq!(conflict.status().as_u16(), 409);
    pages.push((
        "editor, conflict".into(),
        conflict.text().await.expect("body"),
    ));
    let invalid = admin
        .post(
            "/admin/posts/new",
            &[
                ("kind", "post"),
                ("title", ""),
                ("body", "x"),
                ("featured_image_url", "https://e.org/p.jpg"),
                ("do", "publish"),
            ],
        )
        .await;
    assert_eq!(invalid.status().as_u16(), 422);
    pages.push((
        "editor, refused".into(),
        invalid.text().await.expect("body"),
    ));
    let gate = admin
        .post(
            "/admin/posts/new",
            &[
                ("kind", "post"),
                ("title", "a\u{0}b"),
                ("body", "x"),
                ("do", "save"),
            ],
        )
        .await;
    assert_eq!(gate.status().as_u16(), 422);
    pages.push((
        "control characters refused".into(),
        gate.text().await.expect("body"),
    ));
    let someone = app.user("someone@example.org", "author").await;
    let term = newsroom::db::term::all(app.state.db(), "category")
        .await
        .expect("db")[0]
        .id;
    let share = admin
        .post_ok(&format!("/admin/posts/{id}/share"), &[])
        .await;
    // Pictures: a refused upload, a delete refused while in use, and an article placing one.
    let not_a_picture = admin
        .upload(
            "/admin/media",
            &[("notes.jpg", b"plain text".to_vec())],
            &[],
        )
        .await;
    assert_eq!(not_a_picture.status().as_u16(), 422);
    pages.push((
        "refused upload".into(),
        not_a_picture.text().await.expect("body"),
    ));
    let placed = admin
        .post_ok(
            "/admin/posts/new",
            &[
                ("kind", "post"),
                ("title", "Pictures in the text"),
                (
                    "body",
                    "Before.\n\n![Shelves of books](/media/2 \"The reading room\")\n\nInline ![a chart](/media/3) here.",
                ),
                ("featured_media", "1"),
                ("do", "publish"),
            ],
        )
        .await;
    let placed = crate::support::admin::post_id(&placed);
    let a = newsroom::db::article::get(app.state.db(), placed)
        .await
        .expect("db")
        .expect("row");
    let path = newsroom::http::site::gather::article_path(&app.state, &app.state.site(), &a)
        .await
        .expect("path");
    let public = app.page(&path).await;
    assert_eq!(
        crate::support::texts(&public, ".article-body figcaption"),
        vec!["The reading room Illustration: Newsroom demo"]
    );
    pages.push(("article with pictures".into(), public));
    let in_use = admin.post("/admin/media/1/delete", &[]).await;
    assert_eq!(in_use.status().as_u16(), 409);
    pages.push((
        "delete refused, in use".into(),
        in_use.text().await.expect("body"),
    ));
    for path in [
        "/admin/".to_string(),
        "/admin/posts".into(),
        "/admin/posts?status=trash".into(),
        "/admin/pages".into(),
        "/admin/posts/new".into(),
        "/admin/pages/new".into(),
        format!("/admin/posts/{id}"),
        share,
        format!("/admin/posts/{id}/revisions"),
        format!("/admin/posts/{id}/preview"),
        "/admin/comments".into(),
        "/admin/categories".into(),
        "/admin/tags".into(),
        format!("/admin/terms/{term}"),
        "/admin/users".into(),
        "/admin/users/new".into(),
        format!("/admin/users/{someone}"),
        "/admin/profile".into(),
        "/admin/profile/two-factor".into(),
        "/admin/settings".into(),
        "/admin/settings?tab=discussion".into(),
        "/admin/settings?tab=security".into(),
        "/admin/activity".into(),
        "/admin/posts/999999".into(),
        "/admin/media".into(),
        "/admin/media?type=jpeg&s=river".into(),
        "/admin/media/1".into(),
        format!("/admin/posts/{placed}"),
    ] {
        let (_, html) = admin.get(&path).await;
        pages.push((path, html));
    }
    let setup = admin.page("/admin/profile/two-factor").await;
    let key: String = crate::support::texts(&setup, "[data-secret]")[0]
        .split_whitespace()
        .collect();
    let token = attrs(&setup, "input[name=token]", "value")[0].clone();
    let code = newsroom::content::totp::code_at(&key, chrono::Utc::now().timestamp() as u64)
        .expect("code");
    let codes = admin
        .post(
            "/admin/profile/two-factor/enable",
            &[("token", token.as_str()), ("code", code.as_str())],
        )
        .await;
    pages.push(("recovery codes".into(), codes.text().await.expect("body")));
    pages.push((
        "two-factor on".into(),
        admin.page("/admin/profile/two-factor").await,
    ));
    let second = crate::support::admin::cookie_client();
    app.post_login(
        &second,
        "admin@example.org",
        crate::support::admin::PASSWORD,
    )
    .await;
    let step = second
        .get(app.url("/admin/login/two-factor"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    pages.push(("second factor".into(), step));
    check_pages(&app, jar, &pages).await;
}

crate::both_backends! {
    async fn every_page_has_an_absolute_canonical_a_description_and_an_icon(app) {
        app.seed_demo().await;
        let article = app.first_article().await;
        for path in ["/", article.as_str(), "/category/business/", "/author/ann/"] {
            let (status, html) = app.get(path).await;
            if status != 200 {
                continue;
            }
            let canonical = crate::support::attrs(&html, "link[rel=canonical]", "href");
            assert!(canonical.iter().all(|c| c.starts_with("http://127.0.0.1/")), "{path}: {canonical:?}");
            assert!(!crate::support::attrs(&html, "meta[name=description]", "content").is_empty(), "{path}: a description");
            assert_eq!(crate::support::attrs(&html, "link[rel=manifest]", "href"), vec!["/manifest.webmanifest"]);
        }
        let r = app.client.get(app.url("/favicon.ico")).send().await.expect("favicon");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/x-icon");
        let ico = r.bytes().await.expect("bytes");
        assert_eq!(&ico[..4], &[0, 0, 1, 0], "an ICO file");
        for (path, size) in [("/apple-touch-icon.png", 180), ("/icon-192.png", 192), ("/icon-512.png", 512)] {
            let bytes = app.client.get(app.url(path)).send().await.expect("icon").bytes().await.expect("bytes");
            let png = image::load_from_memory(&bytes).expect("a PNG");
            assert_eq!((png.width(), png.height()), (size, size), "{path}");
        }
        let manifest: serde_json::Value = app.client.get(app.url("/manifest.webmanifest")).send().await.expect("manifest").json().await.expect("json");
        let title = app.state.site().settings.title.clone();
        assert_eq!(manifest["name"].as_str(), Some(title.as_str()));
        assert!(manifest["icons"].as_array().expect("icons").iter().any(|i| i["sizes"] == "512x512"));
        // The icon made from a picture of the library (the site_icon setting).
        let me = app.signed_in_as("boss@example.org", "administrator").await;
        let id = me.upload_picture("logo.png", crate::support::pictures::png_with_alpha(400, 300), "Logo").await;
        app.set("site_icon", &id.to_string()).await;
        let bytes = app.client.get(app.url("/icon-192.png")).send().await.expect("icon").bytes().await.expect("bytes");
        let from_logo = image::load_from_memory(&bytes).expect("a PNG").to_rgba8();
        let default = image::load_from_memory(&newsroom::content::site_icon::png(&newsroom::content::site_icon::default_icon(192))).expect("png").to_rgba8();
        assert_ne!(from_logo.as_raw(), default.as_raw(), "made from the picture");
    }
}
