//! Running it: health checks, metrics, request ids and scheduled backups with retention.

use newsroom::backup::schedule;
use newsroom::db::schema;

fn metrics_token(config: &mut newsroom::config::Config) {
    config.metrics_token = Some("scrape-me-7f3a".into());
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

crate::both_backends! {
    async fn health_and_readiness_answer_for_load_balancers(app) {
        let r = app.client.get(app.url("/healthz")).send().await.expect("get");
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["status"], "ok");
        let r = app.client.get(app.url("/readyz")).send().await.expect("get");
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["status"], "ok");
        assert_eq!(body["schema"], schema::known_version());
        // The database gone: alive still, not ready.
        app.state.db().close().await;
        let r = app.client.get(app.url("/readyz")).send().await.expect("get");
        assert_eq!(r.status(), 503);
        let r = app.client.get(app.url("/healthz")).send().await.expect("get");
        assert_eq!(r.status(), 200);
    }
}

crate::both_backends! {
    async fn metrics_need_the_token_and_count_requests_and_comment_outcomes(app) where metrics_token; {
        app.seed_demo().await;
        assert_eq!(app.get("/").await.0, 200);
        let path = app.first_article().await;
        let form = app.open_form(&path).await;
        // A form sent back at once is refused (too quick for a person): counted with its reason.
        let refused = app.send_comment(&form, "203.0.113.9", &[("author", "Ann"), ("email", "ann@example.net"), ("comment", "Quick!")], None).await;
        assert_eq!(refused.status().as_u16(), 422);

        let anonymous = app.client.get(app.url("/metrics")).send().await.expect("get");
        assert_eq!(anonymous.status(), 401);
        assert!(anonymous.headers()["www-authenticate"].to_str().expect("ascii").starts_with("Bearer"));
        let wrong = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-7f3b").send().await.expect("get");
        assert_eq!(wrong.status(), 401);
        let r = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-7f3a").send().await.expect("get");
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().expect("ascii").starts_with("application/openmetrics-text"));
        assert!(r.headers().get("x-cache").is_none(), "never kept by the page cache");
        let text = r.text().await.expect("body");
        for needle in [
            "newsroom_http_requests_total{route=\"home\",status=\"200\"}",
            "newsroom_http_requests_total{route=\"comment\",status=\"422\"} 1",
            "newsroom_http_request_duration_seconds_bucket{",
            "newsroom_comments_total{outcome=\"refused\",reason=\"token\"} 1",
            "newsroom_db_connections{",
            "newsroom_change_log_lag ",
            "newsroom_search_index_lag ",
            "newsroom_page_cache{kind=\"misses\"}",
            "newsroom_process_resident_memory_bytes ",
            "newsroom_process_open_files ",
        ] {
            assert!(text.contains(needle), "{needle} missing from\n{text}");
        }
        // The search index's follower counts its runs (one every quarter second).
        let mut runs = String::new();
        for _ in 0..40 {
            let text = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-7f3a").send().await.expect("get").text().await.expect("body");
            if let Some(line) = text.lines().find(|l| l.starts_with("newsroom_job_runs_total{job=\"search_index\",outcome=\"ok\"}")) {
                runs = line.to_string();
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let count: f64 = runs.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0.0);
        assert!(count >= 1.0, "no search_index runs counted: {runs:?}");
        // Answers straight from the page cache (before any routing) are counted like the others.
        let home = |text: &str| -> f64 {
            let line = text.lines().find(|l| l.starts_with("newsroom_http_requests_total{route=\"home\",status=\"200\"}"));
            line.and_then(|l| l.rsplit(' ').next()).and_then(|n| n.parse().ok()).unwrap_or(0.0)
        };
        let before = home(&app.client.get(app.url("/metrics")).bearer_auth("scrape-me-7f3a").send().await.expect("get").text().await.expect("body"));
        for _ in 0..2 {
            let r = app.client.get(app.url("/")).send().await.expect("get");
            assert_eq!(r.headers()["x-cache"], "HIT");
        }
        let after = home(&app.client.get(app.url("/metrics")).bearer_auth("scrape-me-7f3a").send().await.expect("get").text().await.expect("body"));
        assert_eq!(after, before + 2.0, "two kept pages answered, counted from {before}");
        // Paths never become labels: the set of routes stays small whatever is asked.
        let _ = app.get("/2099/01/01/no-such-article-1/").await;
        let _ = app.get("/2099/01/01/no-such-article-2/").await;
        let text = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-7f3a").send().await.expect("get").text().await.expect("body");
        assert!(!text.contains("no-such-article"), "{text}");
        assert!(text.contains("newsroom_http_requests_total{route=\"page\",status=\"404\"} 2"), "{text}");
    }

    async fn metrics_do_not_exist_on_the_public_address_without_a_token(app) {
        assert_eq!(app.get("/metrics").await.0, 404);
    }

    async fn every_answer_carries_a_request_id(app) {
        let r = app.client.get(app.url("/")).send().await.expect("get");
        let id = r.headers()["x-request-id"].to_str().expect("ascii").to_string();
        assert_eq!(id.len(), 16, "{id}");
        let again = app.client.get(app.url("/")).send().await.expect("get");
        assert_ne!(again.headers()["x-request-id"], id.as_str(), "one id per request");
        assert_eq!(again.headers()["x-cache"], "HIT", "a kept page carries its own id too");
        // A load balancer's own id is kept; one that could forge a log line is replaced.
        let r = app.client.get(app.url("/")).header("x-request-id", "lb-7d1c-42").send().await.expect("get");
        assert_eq!(r.headers()["x-request-id"], "lb-7d1c-42");
        let r = app.client.get(app.url("/")).header("x-request-id", "a b\" c").send().await.expect("get");
        assert_ne!(r.headers()["x-request-id"], "a b\" c");
    }

    async fn scheduled_backups_run_once_when_due_keep_the_newest_and_show_in_the_admin(app) {
        app.seed_demo().await;
        let dir = app.dir.join("scheduled");
        std::fs::create_dir_all(&dir).expect("dir");
        // Older archives (and a file that is not one, which retention leaves alone).
        for name in ["newsroom-20200101-000000.tar.gz", "newsroom-20210101-000000.tar.gz", "newsroom-20220101-000000.tar.gz", "notes.txt"] {
            std::fs::write(dir.join(name), b"old").expect("write");
        }
        let db = app.state.db();
        assert!(schedule::run_if_due(db, &app.dir, &dir, 0, 2).await.expect("off").is_none(), "0 hours: never");
        let first = schedule::run_if_due(db, &app.dir, &dir, 24, 2).await.expect("run").expect("due: never ran");
        assert!(first.path.exists());
        assert!(first.tables["posts"] >= 6, "{:?}", first.tables);
        // Not due again for a day, on this node or another.
        assert!(schedule::run_if_due(db, &app.dir, &dir, 24, 2).await.expect("run").is_none());
        let mut left: Vec<String> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left.len(), 3, "{left:?}");
        assert_eq!(left[0], "newsroom-20220101-000000.tar.gz", "the newest older one kept: {left:?}");
        assert_eq!(left[2], "notes.txt");

        let admin = app.signed_in_as("admin@example.org", "administrator").await;
        let page = admin.page("/admin/settings?tab=backups").await;
        assert!(page.contains("Last backup") && page.contains("Done"), "{page}");
        assert!(page.contains(&first.path.display().to_string()), "the archive is named");
        let dashboard = admin.page("/admin/").await;
        assert!(dashboard.contains("Last backup"), "{dashboard}");
        // The settings are an administrator's to change, checked like the others.
        let saved = admin.post("/admin/settings", &[("tab", "backups"), ("backup_every_hours", "6"), ("backup_keep", "14")]).await;
        assert_eq!(saved.status().as_u16(), 303);
        app.follow().await;
        assert_eq!(app.state.site().settings.backup_every_hours, 6);
        assert_eq!(app.state.site().settings.backup_keep, 14);
        let refused = admin.post("/admin/settings", &[("tab", "backups"), ("backup_every_hours", "-1"), ("backup_keep", "0")]).await;
        assert_eq!(refused.status().as_u16(), 422);
        // A failed run is shown as failed.
        app.sql("UPDATE jobs SET started_at = NULL").await;
        let file = app.dir.join("not-a-folder");
        std::fs::write(&file, b"x").expect("write");
        assert!(schedule::run_if_due(db, &app.dir, &file, 1, 2).await.is_err());
        let page = admin.page("/admin/settings?tab=backups").await;
        assert!(page.contains("Failed"), "{page}");
    }
}
