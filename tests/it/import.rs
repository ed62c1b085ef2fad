//! Moving in from WordPress (a real WordPress 6.1 export is in tests/fixtures/wxr) with the real `newsroom import wxr` and `export wxr` commands, on
//! both backends: WordPress's own export, a hand-made file of edge cases with pictures, running
//! twice, hostile and broken files, passwords brought from WordPress, and the round trip.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::both_backends;
use crate::support::pictures;
use crate::support::{TestApp, attrs, texts};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/wxr/wordpress-6.1-export.xml"
);
const EDGES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/wxr/edge-cases.xml"
);

/// Run the real binary against the app's data folder and database.
fn newsroom(app: &TestApp, args: &[&str]) -> Output {
    let config = app.state.config();
    Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .env("NEWSROOM_DATA", &config.data_dir)
        .env("NEWSROOM_DATABASE_URL", &config.database_url)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run newsroom")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn import_ok(app: &TestApp, args: &[&str]) -> String {
    let mut all = vec!["import", "wxr"];
    all.extend_from_slice(args);
    let out = newsroom(app, &all);
    assert!(
        out.status.success(),
        "import failed: {}\n{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

/// An uploads folder as wp-content/uploads holds it (one of the two files the edge cases name).
fn uploads(app: &TestApp) -> PathBuf {
    let dir = app.data_dir().join("wp-uploads");
    std::fs::create_dir_all(dir.join("2024/03")).expect("uploads dir");
    std::fs::write(dir.join("2024/03/harbour.jpg"), pictures::jpeg(1200, 800)).expect("photo");
    dir
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    match app.state.db() {
        newsroom::db::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(&p.read).await,
        newsroom::db::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(&p.pool).await,
    }
    .expect("count")
}

both_backends! {
    async fn wordpress_s_own_export_keeps_urls_people_and_comments(app) {
        let out = import_ok(&app, &[SAMPLE]);
        assert!(out.contains("articles: 200 new"), "{out}");
        assert!(out.contains("comments: 573 new"), "{out}");
        assert!(out.contains("authors: 21 new"), "{out}");
        assert!(out.contains("sections: 11 new") && out.contains("tags: 200 new"), "{out}");
        app.state.follow_changes().await.expect("follow");
        if let newsroom::db::Db::Postgres(_) = app.state.db() {
            // The planner has statistics of what came in (PostgreSQL's autovacuum may be off, or
            // late): a plan made without them read every article for one batch.
            let described = count(&app, "SELECT COUNT(*) FROM pg_stats WHERE tablename IN ('posts', 'comments', 'post_terms')").await;
            assert!(described > 0, "ANALYZE ran after the import");
        }

        // The permalink, the plain link and the id are WordPress's.
        let html = app.page("/2022/05/25/the-report-found-that-the-next/").await;
        assert_eq!(texts(&html, "h1.article-title"), vec!["The report found that the next"]);
        assert!(texts(&html, ".byline a, .byline").iter().any(|t| t.contains("Olena Hart")), "byline");
        let (status, location) = app.redirect("/?p=6").await;
        assert_eq!((status, location.as_str()), (301, "/2022/05/25/the-report-found-that-the-next/"));
        // Block markup is gone, paragraphs stay.
        assert!(!html.contains("wp:paragraph") && html.contains("<p>"), "blocks converted");
        // Sections and authors have their archives; pages their address.
        assert_eq!(app.get("/category/business/").await.0, 200);
        assert_eq!(app.get("/author/ohart/").await.0, 200);
        assert_eq!(app.get("/sample-page/").await.0, 200);
        // Threads are kept: replies point at comments of the same article.
        let replies = count(&app, "SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE p.post_id = c.post_id").await;
        assert_eq!(replies, count(&app, "SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL").await);
        assert!(replies > 0, "the sample has replies");
        // Emails of commenters never reach the page.
        let commented: i64 = count(&app, "SELECT post_id FROM comments WHERE author_email <> '' ORDER BY id LIMIT 1").await;
        let (_, target) = app.redirect(&format!("/?p={commented}")).await;
        let page = app.page(&target).await;
        assert!(!page.contains("@example.com"), "no email on the public page");

        // Running it again changes nothing.
        let changes = count(&app, "SELECT COUNT(*) FROM changes").await;
        let again = import_ok(&app, &[SAMPLE]);
        assert!(again.contains("articles: 0 new, 200 already here"), "{again}");
        assert!(again.contains("comments: 0 new, 573 already here"), "{again}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts").await, 202);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments").await, 573);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM changes").await, changes, "no change logged");
    }

    async fn edge_cases_statuses_pictures_threads_and_redirects(app) {
        let dir = uploads(&app);
        let dry = import_ok(&app, &["--dry-run", "--uploads", dir.to_str().expect("path"), EDGES]);
        assert!(dry.contains("Dry run") && dry.contains("articles: 8 new"), "{dry}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts").await, 0, "a dry run keeps nothing");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM media").await, 0);

        let out = import_ok(&app, &["--uploads", dir.to_str().expect("path"), EDGES]);
        app.state.follow_changes().await.expect("follow");
        assert!(out.contains("articles: 8 new") && out.contains("pages: 2 new"), "{out}");
        assert!(out.contains("pictures: 1 new"), "{out}");
        assert!(out.contains("2024/03/gone.jpg"), "the missing file is named: {out}");
        assert!(out.contains("\"pingback\""), "pingbacks are reported as skipped: {out}");
        assert!(out.contains("\"nav_menu_item\""), "menu items are skipped: {out}");
        assert!(out.contains("[contact-form-7]"), "unknown shortcodes are reported: {out}");

        // Statuses as WordPress had them.
        for (id, status) in [(101, "published"), (102, "scheduled"), (103, "draft"), (104, "pending"), (105, "private"), (106, "trash")] {
            let n = count(&app, &format!("SELECT COUNT(*) FROM posts WHERE id = {id} AND status = '{status}'")).await;
            assert_eq!(n, 1, "post {id} is {status}");
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts WHERE id = 101 AND sticky").await, 1);
        // Backslashes and tabs arrive as they were (PostgreSQL takes the rows by COPY).
        let draft = newsroom::db::article::get(app.state.db(), 103).await.expect("db").expect("draft");
        assert!(draft.body_source.contains("C:\\temp\\new\tand a tab."), "{:?}", draft.body_source);
        // A draft with no slug and no GMT date gets one from its title.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts WHERE id = 103 AND slug = 'unfinished-draft'").await, 1);

        // The article: dates in UTC, the figure from the library with its caption, the featured
        // picture, terms, the excerpt, old links made relative, the embed as a link.
        let html = app.page("/2024/03/02/cranes-return/").await;
        assert_eq!(texts(&html, "h1.article-title"), vec!["Cranes return to the \u{201c}old\u{201d} quay"]);
        assert!(html.contains("<p>The first crane arrived on Monday.<br>"), "autop: {html}");
        assert!(html.contains("<figcaption>The quay this morning</figcaption>"), "caption");
        let webp = attrs(&html, ".article-body picture source", "srcset");
        assert!(webp.iter().any(|s| s.contains(".webp 320w")), "responsive picture: {webp:?}");
        assert!(attrs(&html, ".article-body img", "alt").contains(&"Boats at the quay".to_string()));
        assert!(attrs(&html, "a", "href").contains(&"/2024/03/01/ports-plan/".to_string()), "relative link");
        assert!(attrs(&html, "a", "href").contains(&"https://www.youtube.com/watch?v=abc123".to_string()), "embed");
        assert!(html.contains("Ports &amp; Shipping"), "section");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts p JOIN media m ON m.id = p.featured_media_id WHERE p.id = 101 AND m.alt = 'Fishing boats in the harbour at dawn'").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM post_media WHERE post_id = 101").await, 1, "used, once");
        // Old slug and the WordPress path of a child page redirect.
        assert_eq!(app.redirect("/2024/03/02/cranes-are-back/").await, (301, "/2024/03/02/cranes-return/".to_string()));
        assert_eq!(app.redirect("/about/team/").await, (301, "/team/".to_string()));
        // A Unicode slug came percent-encoded and is kept as text.
        assert_eq!(app.get("/2024/03/08/київ-порт/").await.0, 200);

        // Comments: the reply (listed before its parent in the file) is threaded, statuses kept,
        // the pingback left out, the registered user linked, ids kept.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments WHERE id = 502 AND parent_id = 501").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments WHERE id = 503 AND status = 'spam'").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments WHERE id = 504 AND status = 'pending'").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments WHERE id = 506").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments c JOIN users u ON u.id = c.user_id WHERE c.id = 505 AND u.login = 'deskeditor'").await, 1);
        assert!(html.contains("About time!") && html.contains("A reply to the first comment."));
        assert!(!html.contains("Buy cranes") && !html.contains("Held for moderation"));
        // The category declared before its parent sits under it; the author's name is built.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM terms c JOIN terms p ON p.id = c.parent_id WHERE c.slug = 'ports' AND p.slug = 'economy'").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE login = 'mkowalska' AND display_name = 'Maria Kowalska' AND email = 'm.kowalska@gazette.example'").await, 1);

        // A protected post shows the form, not the text, until the password is typed.
        let locked = app.page("/2024/03/07/salaries/").await;
        assert!(!locked.contains("secret figures"), "protected text hidden");
        assert!(locked.contains("name=\"post_password\""), "password form");
        assert!(!app.page("/category/economy/").await.contains("secret figures"), "not in listings");
        let r = app.client.post(app.url("/wp-login.php?action=postpass"))
            .form(&[("post_password", "anchor"), ("redirect_to", "/2024/03/07/salaries/")])
            .send().await.expect("post password");
        assert_eq!(r.status().as_u16(), 303);
        let cookie = r.headers().get("set-cookie").expect("cookie").to_str().expect("ascii").split(';').next().expect("pair").to_string();
        let open = app.client.get(app.url("/2024/03/07/salaries/")).header("cookie", &cookie).send().await.expect("get");
        assert!(open.headers().get("cache-control").is_some_and(|v| v.to_str().unwrap_or("").contains("private")));
        assert!(open.text().await.expect("body").contains("secret figures"), "the right password opens it");
        // Nobody comments on it without the password.
        let r = app.client.post(app.url("/wp-comments-post.php"))
            .form(&[("comment_post_ID", "107"), ("author", "Nosy"), ("email", "nosy@example.org"), ("comment", "What are the figures?")])
            .send().await.expect("comment");
        assert_eq!(r.status().as_u16(), 403);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM comments WHERE post_id = 107").await, 0);
        let r = app.client.post(app.url("/wp-login.php?action=postpass"))
            .form(&[("post_password", "wrong"), ("redirect_to", "https://evil.example/")])
            .send().await.expect("post password");
        assert_eq!(r.headers().get("location").and_then(|l| l.to_str().ok()), Some("/"), "no open redirect");
    }

    async fn broken_and_hostile_files_change_nothing(app) {
        let dir = app.data_dir().join("hostile");
        std::fs::create_dir_all(&dir).expect("dir");
        let sample = std::fs::read_to_string(SAMPLE).expect("sample");
        // A well-formed start, then a mistake far into the file: nothing of the start is kept.
        let cut = sample.find("<wp:post_id>150</wp:post_id>").expect("an item deep in the file");
        let broken = format!("{}<wp:post_id>150</wrong>{}", &sample[..cut], &sample[cut + 28..]);
        let line = broken[..cut].matches('\n').count() + 1;
        std::fs::write(dir.join("broken.xml"), broken).expect("write");
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>"#;
        std::fs::write(dir.join("bomb.xml"), bomb).expect("write");
        std::fs::write(dir.join("html.xml"), "<html><body>not an export</body></html>").expect("write");
        for (file, expected) in [
            ("broken.xml", format!("line {line}")),
            ("bomb.xml", "DOCTYPE".to_string()),
            ("html.xml", "not a WordPress export".to_string()),
            ("missing.xml", "cannot open".to_string()),
        ] {
            let out = newsroom(&app, &["import", "wxr", dir.join(file).to_str().expect("path")]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{file} refused");
            assert!(err.contains(&expected), "{file}: {err}");
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM posts").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 0);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM terms").await, 0);
    }

    async fn people_sign_in_with_their_wordpress_password(app) {
        import_ok(&app, &[SAMPLE]);
        let csv = app.data_dir().join("users.csv");
        // Hashes as WordPress before 6.8 (phpass) and since 6.8 (bcrypt) make them.
        std::fs::write(&csv, "user_login,user_email,user_pass\nohart,ohart@example.com,$P$B19TNWZtPnvFdZLAGlekCDhgMiO/Rb.\njwhitaker,jwhitaker@example.com,$wp$2y$10$okjbBK1J6K3SHyu5kzbGjeA2WoKfAKHF9oWkY7jObiQJ9WpfbIL/u\nnobody,nobody@example.com,$P$Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n").expect("csv");
        let out = newsroom(&app, &["import", "wp-users", csv.to_str().expect("path")]);
        assert!(stdout(&out).contains("2 password(s) brought"), "{}", stdout(&out));
        for login in ["ohart", "jwhitaker@example.com"] {
            let client = crate::support::admin::cookie_client();
            let wrong = app.post_login(&client, login, "not the password").await;
            assert_ne!(wrong.status().as_u16(), 303, "a wrong password is refused");
            let client = crate::support::admin::cookie_client();
            let r = app.post_login(&client, login, "correct horse battery").await;
            assert_eq!(r.status().as_u16(), 303, "{login} signs in with the WordPress password");
        }
        // Rehashed to argon2id at that sign-in; the WordPress hash is gone.
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE login IN ('ohart', 'jwhitaker') AND password_hash LIKE '$argon2id$%'").await, 2);
        // A password set here is never replaced by a WordPress one.
        let again = newsroom(&app, &["import", "wp-users", csv.to_str().expect("path")]);
        assert!(stdout(&again).contains("0 password(s) brought") && stdout(&again).contains("2 kept"), "{}", stdout(&again));
    }

    async fn export_and_import_again_loses_nothing(app) {
        let dir = uploads(&app);
        import_ok(&app, &["--uploads", dir.to_str().expect("path"), EDGES]);
        import_ok(&app, &[SAMPLE]);
        let file = app.data_dir().join("export.xml");
        let files = app.data_dir().join("export-uploads");
        let out = newsroom(&app, &["export", "wxr", "--out", file.to_str().expect("path"), "--uploads", files.to_str().expect("path")]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("212 articles and pages"), "{}", String::from_utf8_lossy(&out.stderr));

        // Into a new site on the same backend.
        let other = TestApp::start(app.backend).await.expect("second site");
        let out = import_ok(&other, &["--uploads", files.to_str().expect("path"), file.to_str().expect("path")]);
        assert!(out.contains("pictures: 1 new"), "{out}");
        other.state.follow_changes().await.expect("follow");
        for sql in [
            "SELECT COUNT(*) FROM posts",
            "SELECT COUNT(*) FROM comments",
            "SELECT COUNT(*) FROM comments WHERE status = 'spam'",
            "SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL",
            "SELECT COUNT(*) FROM users",
            "SELECT COUNT(*) FROM terms",
            "SELECT COUNT(*) FROM terms WHERE parent_id IS NOT NULL",
            "SELECT COUNT(*) FROM post_terms",
            "SELECT COUNT(*) FROM post_authors",
            "SELECT COUNT(*) FROM old_slugs",
            "SELECT COUNT(*) FROM posts WHERE sticky",
            "SELECT COUNT(*) FROM posts WHERE password <> ''",
            "SELECT COUNT(*) FROM posts WHERE featured_media_id IS NOT NULL",
            "SELECT COUNT(*) FROM posts WHERE status = 'scheduled'",
        ] {
            assert_eq!(count(&app, sql).await, count(&other, sql).await, "{sql}");
        }
        // Same addresses, same text, the picture placed again from the new library.
        for p in ["/2024/03/02/cranes-return/", "/2022/05/25/the-report-found-that-the-next/", "/about/", "/sample-page/"] {
            let (a, b) = (app.page(p).await, other.page(p).await);
            assert_eq!(texts(&a, ".article-body p"), texts(&b, ".article-body p"), "{p}");
        }
        let b = other.page("/2024/03/02/cranes-return/").await;
        assert!(b.contains("<figcaption>The quay this morning</figcaption>") && b.contains(".webp 320w"), "figure kept");
    }
}
