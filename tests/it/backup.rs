//! Backups taken while the site serves, restored onto either backend by the real binary; the
//! archive's checks; migrations from every earlier schema; health checks.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use newsroom::db::{Db, schema};

use crate::binary::spawn_server;
use crate::support::{Backend, attrs, drop_pg_database, fresh_pg_database};

fn trust_loopback(config: &mut newsroom::config::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

/// Run the `newsroom` binary on a data folder and database; its exit status and both outputs.
async fn newsroom(
    dir: &std::path::Path,
    database: Option<&str>,
    args: &[&str],
) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    cmd.args(args)
        .env("NEWSROOM_DATA", dir)
        .env("NEWSROOM_LOG", "warn");
    match database {
        Some(url) => cmd.env("NEWSROOM_DATABASE_URL", url),
        None => cmd.env_remove("NEWSROOM_DATABASE_URL"),
    };
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run newsroom"))
        .await
        .expect("join");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "newsroom_backup_{name}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// Every comment text in a database.
async fn comment_texts(url: &str) -> std::collections::HashSet<String> {
    let db = Db::connect(url).await.expect("connect");
    let texts: Vec<String> = newsroom::on_pool!(&db, |pool| sqlx::query_scalar(
        "SELECT content FROM comments"
    )
    .fetch_all(pool)
    .await
    .expect("comments"));
    db.close().await;
    texts.into_iter().collect()
}

async fn count(url: &str, table: &str) -> i64 {
    let db = Db::connect(url).await.expect("connect");
    let n: i64 = newsroom::on_pool!(&db, |pool| sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table}"
    ))
    .fetch_one(pool)
    .await
    .expect("count"));
    db.close().await;
    n
}

/// Where a restore goes: a fresh data folder, on SQLite or on a fresh PostgreSQL database.
struct Target {
    dir: std::path::PathBuf,
    url: String,
    database: Option<String>,
    pg_name: Option<String>,
}

impl Target {
    async fn new(backend: Backend) -> Option<Target> {
        let dir = temp_dir("target");
        Some(match backend {
            Backend::Sqlite => Target {
                url: format!("sqlite://{}", dir.join("newsroom.db").display()),
                dir,
                database: None,
                pg_name: None,
            },
            Backend::Postgres => {
                let (name, url) = fresh_pg_database().await?;
                Target {
                    dir,
                    url: url.clone(),
                    database: Some(url),
                    pg_name: Some(name),
                }
            }
        })
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            drop_pg_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

crate::both_backends! {
    async fn a_backup_taken_while_comments_arrive_restores_onto_both_backends(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let source_url = app.state.config().database_url.clone();
        let source_database = (app.backend == Backend::Postgres).then_some(source_url.as_str());
        let path = app.first_article().await;
        let home = app.page("/").await;
        let picture = attrs(&home, "img", "src")
            .into_iter()
            .find(|s| s.starts_with("/media/"))
            .expect("the demo home page shows a picture");
        let picture_bytes = app.client.get(app.url(&picture)).send().await.expect("get").bytes().await.expect("bytes");

        // Readers comment from four places at once for as long as the backup runs, and a bit more.
        let stop = Arc::new(AtomicBool::new(false));
        let app = Arc::new(app);
        let mut posters = tokio::task::JoinSet::new();
        for p in 0..4 {
            let (app, stop, path) = (app.clone(), stop.clone(), path.clone());
            posters.spawn(async move {
                let mut acknowledged = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let form = app.open_form(&path).await;
                    let text = format!("Reader {p} comment {n} on the talks.");
                    let ip = format!("198.51.{p}.{}", n % 250 + 1);
                    let email = format!("r{p}x{n}@example.net");
                    let fields = [("author", "Reader"), ("email", email.as_str()), ("comment", text.as_str())];
                    let r = app.send_comment(&form, &ip, &fields, None).await;
                    if r.status().as_u16() == 303 {
                        acknowledged.push((text, Instant::now()));
                    }
                }
                acknowledged
            });
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        let out = app.dir.join("backups").join("site.tar.gz");
        let began = Instant::now();
        let (ok, _, err) = newsroom(&app.dir, source_database, &["backup", "--out", out.to_str().expect("utf-8")]).await;
        assert!(ok, "backup failed: {err}");
        assert!(err.contains("backed up"), "{err}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        let acknowledged: Vec<(String, Instant)> = posters.join_all().await.into_iter().flatten().collect();
        let before: Vec<&String> = acknowledged.iter().filter(|(_, at)| *at < began).map(|(t, _)| t).collect();
        assert!(before.len() >= 4, "comments were acknowledged before the backup: {}", before.len());
        assert!(acknowledged.len() > before.len(), "comments went on arriving during the backup");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).expect("archive").permissions().mode();
            assert_eq!(mode & 0o077, 0, "only its owner reads a backup: {mode:o}");
        }

        for backend in [Backend::Sqlite, Backend::Postgres] {
            let Some(target) = Target::new(backend).await else { continue };
            let (ok, _, err) = newsroom(&target.dir, target.database.as_deref(), &["restore", out.to_str().expect("utf-8")]).await;
            assert!(ok, "restore onto {backend:?} failed: {err}");
            let restored = comment_texts(&target.url).await;
            for text in &before {
                assert!(restored.contains(*text), "{backend:?} lost the acknowledged comment {text:?}");
            }
            for table in ["posts", "users", "terms", "media", "post_terms"] {
                let (was, is) = (count(&source_url, table).await, count(&target.url, table).await);
                assert_eq!(was, is, "{table} restored onto {backend:?}");
            }
            if backend == Backend::Postgres {
                // The planner has statistics of what came in, whatever autovacuum does.
                assert!(count(&target.url, "pg_stats WHERE tablename = 'posts'").await > 0, "ANALYZE after the restore");
            }
            // The restored site serves: the article with its comments, and its pictures.
            let (server, base, _) = spawn_server(&target.dir, target.database.as_deref(), &["--no-demo"]);
            let client = reqwest::Client::new();
            let page = client.get(format!("{base}{path}")).send().await.expect("get");
            assert_eq!(page.status(), 200);
            let html = page.text().await.expect("body");
            assert!(html.contains(before[0].as_str()) || before.iter().any(|t| html.contains(t.as_str())), "comments shown on {backend:?}");
            let served = client.get(format!("{base}{picture}")).send().await.expect("picture");
            assert_eq!(served.status(), 200, "{picture} on {backend:?}");
            assert_eq!(served.bytes().await.expect("bytes"), picture_bytes, "the same picture");
            // A new comment gets an id after the restored ones (sequences moved on).
            let form_html = client.get(format!("{base}{path}")).send().await.expect("get").text().await.expect("body");
            let token = attrs(&form_html, "input[name=newsroom_token]", "value")[0].clone();
            let post_id = attrs(&form_html, "input[name=comment_post_ID]", "value")[0].clone();
            let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
            let r = no_redirect.post(format!("{base}/wp-comments-post.php")).form(&[
                ("comment_post_ID", post_id.as_str()), ("newsroom_token", token.as_str()), ("comment_parent", "0"),
                ("author", "After"), ("email", "after@example.net"), ("comment", "Written after the restore."),
            ]).send().await.expect("post");
            assert_eq!(r.status().as_u16(), 303, "{backend:?}: {:?}", r.text().await);
            drop(server);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_checks_the_archive_and_will_not_overwrite_a_site_unasked() {
    let source = temp_dir("source");
    let (ok, _, err) = newsroom(&source, None, &["demo"]).await;
    assert!(ok, "{err}");
    let archive = source.join("site.tar.gz");
    let (ok, _, err) = newsroom(
        &source,
        None,
        &["backup", "--out", archive.to_str().expect("utf-8")],
    )
    .await;
    assert!(ok, "{err}");

    // Into a site that has content: refused, and the site is untouched; --force replaces it.
    let (ok, _, err) = newsroom(
        &source,
        None,
        &["restore", archive.to_str().expect("utf-8")],
    )
    .await;
    assert!(!ok && err.contains("not empty"), "{err}");
    let url = format!("sqlite://{}", source.join("newsroom.db").display());
    assert_eq!(count(&url, "posts").await, 6 + count_pages(&url).await);
    let (ok, _, err) = newsroom(
        &source,
        None,
        &["restore", "--force", archive.to_str().expect("utf-8")],
    )
    .await;
    assert!(ok, "{err}");

    // One byte changed inside the archive: refused before anything is written.
    let tampered = source.join("tampered.tar.gz");
    let mut tar_bytes = Vec::new();
    {
        use std::io::Read;
        flate2::read::GzDecoder::new(std::fs::File::open(&archive).expect("open"))
            .read_to_end(&mut tar_bytes)
            .expect("gunzip");
    }
    let at = tar_bytes
        .windows(12)
        .position(|w| w == b"Ukrainian an")
        .expect("an article's text in the archive");
    tar_bytes[at] = b'u';
    {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&tampered).expect("create"),
            flate2::Compression::fast(),
        );
        gz.write_all(&tar_bytes).expect("write");
        gz.finish().expect("finish");
    }
    let empty = temp_dir("empty");
    let (ok, _, err) = newsroom(
        &empty,
        None,
        &["restore", tampered.to_str().expect("utf-8")],
    )
    .await;
    assert!(!ok && err.contains("does not match its checksum"), "{err}");
    let empty_url = format!("sqlite://{}", empty.join("newsroom.db").display());
    let tables: i64 = {
        let db = Db::connect(&empty_url).await.expect("connect");
        let n = newsroom::on_pool!(&db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
        )
        .fetch_one(pool)
        .await
        .expect("tables"));
        db.close().await;
        n
    };
    assert_eq!(tables, 0, "nothing at all written from a damaged archive");

    // Nothing to back up: said so, no archive.
    let nothing = temp_dir("nothing");
    let out = nothing.join("x.tar.gz");
    let (ok, _, err) = newsroom(
        &nothing,
        None,
        &["backup", "--out", out.to_str().expect("utf-8")],
    )
    .await;
    assert!(!ok && err.contains("no Newsroom site"), "{err}");
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&nothing);

    // Not a backup at all.
    let junk = source.join("junk.tar.gz");
    std::fs::write(&junk, b"not an archive").expect("write");
    let (ok, _, err) = newsroom(&empty, None, &["restore", junk.to_str().expect("utf-8")]).await;
    assert!(!ok && err.contains("junk.tar.gz"), "{err}");

    let _ = std::fs::remove_dir_all(&source);
    let _ = std::fs::remove_dir_all(&empty);
}

async fn count_pages(url: &str) -> i64 {
    let db = Db::connect(url).await.expect("connect");
    let n: i64 = newsroom::on_pool!(&db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts WHERE kind <> 'post'"
    )
    .fetch_one(pool)
    .await
    .expect("count"));
    db.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_check_says_what_would_run_and_a_newer_schema_is_refused() {
    let dir = temp_dir("schema");
    let (ok, out, _) = newsroom(&dir, None, &["migrate", "--check"]).await;
    assert!(!ok, "pending migrations make --check fail");
    assert!(
        out.contains("migrate would run") && out.contains("0001 init"),
        "{out}"
    );
    let (ok, out, err) = newsroom(&dir, None, &["migrate"]).await;
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "up to date at version {}",
            schema::known_version()
        )),
        "{out}"
    );
    let (ok, out, _) = newsroom(&dir, None, &["migrate", "--check"]).await;
    assert!(ok && out.contains("up to date"), "{out}");

    // A newer Newsroom upgraded this database: this one refuses it, clearly, and serves nothing.
    let url = format!("sqlite://{}", dir.join("newsroom.db").display());
    let db = Db::connect(&url).await.expect("connect");
    newsroom::on_pool!(&db, |pool| sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, X'00', 0)"
    )
    .execute(pool)
    .await
    .expect("insert")
    .rows_affected());
    db.close().await;
    for args in [
        &["migrate"][..],
        &["migrate", "--check"],
        &["serve", "--listen", "127.0.0.1:0", "--no-demo"],
    ] {
        let (ok, _, err) = newsroom(&dir, None, args).await;
        assert!(!ok, "{args:?} on a newer schema");
        assert!(
            err.contains("newer than this Newsroom knows"),
            "{args:?}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
