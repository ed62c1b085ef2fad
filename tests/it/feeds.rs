//! Feeds at WordPress's addresses, read by a real feed parser (feedparser) and checked against the
//! RSS, Atom and JSON Feed rules: absolute links, dates, stable ids, live articles only, no
//! commenter's email; conditional GET; the summary setting; WebSub.

use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};

use crate::both_backends;
use crate::support::{TestApp, attrs, draft, python};

/// Add a draft, a scheduled, a private and a password-protected article next to the demo.
async fn hidden_articles(app: &TestApp) -> Vec<String> {
    let author = app.author("hidden-writer", "Hidden Writer").await;
    let mut titles = Vec::new();
    for (status, future) in [("draft", false), ("published", true), ("private", false)] {
        let mut d = draft(&format!("Unpublished {status} {future} story"), author);
        d.status = status.into();
        if future {
            d.published_at = Some(Utc::now() + Duration::days(2));
        }
        app.publish(&d).await;
        titles.push(d.title);
    }
    titles
}

both_backends! {
    async fn every_feed_parses_with_absolute_links_and_live_articles_only(app) {
        if !python::parsers_ready() {
            return;
        }
        app.seed_demo().await;
        let hidden = hidden_articles(&app).await;
        let home = app.page("/").await;
        let article = attrs(&home, ".card-title a", "href")[0].clone();
        let year = &attrs(&home, ".card time", "datetime")[0][..4];
        let feeds = [
            ("/feed/", "rss20"),
            ("/feed/atom/", "atom10"),
            ("/feed/json/", "json11"),
            ("/feed/rss2/", "rss20"),
            ("/?feed=rss2", "rss20"),
            ("/?feed=atom", "atom10"),
            ("/category/world/feed/", "rss20"),
            ("/category/world/europe/feed/atom/", "atom10"),
            ("/tag/diplomacy/feed/json/", "json11"),
            ("/author/olena-kovalenko/feed/", "rss20"),
            (&format!("/{year}/feed/"), "rss20"),
            ("/search/istanbul/feed/", "rss20"),
            ("/?s=istanbul&feed=atom", "atom10"),
            ("/comments/feed/", "rss20"),
            ("/comments/feed/atom/", "atom10"),
            ("/?feed=comments-rss2", "rss20"),
            (&format!("{article}feed/"), "rss20"),
            (&format!("{article}feed/json/"), "json11"),
        ];
        // The search index follows the change log in the background.
        wait_until_found(&app, "istanbul").await;
        let emails = ["mehmet@example.org", "hanna@example.org", "tom@example.org"];
        for (path, version) in feeds {
            let parsed = python::run("parse_feed.py", &app.url(path)).await;
            assert_eq!(parsed["version"], version, "{path}");
            let entries = parsed["entries"].as_array().expect("entries");
            assert!(!entries.is_empty(), "{path} has items");
            let self_link = parsed["links"]
                .as_array()
                .expect("links")
                .iter()
                .find(|l| l["rel"] == "self")
                .and_then(|l| l["href"].as_str())
                .unwrap_or_default()
                .to_string();
            assert!(self_link.starts_with("http://127.0.0.1/"), "{path}: self link {self_link}");
            for e in entries {
                let link = e["link"].as_str().unwrap_or_default();
                assert!(link.starts_with("http://127.0.0.1/"), "{path}: item link {link}");
                assert!(e["id"].as_str().is_some_and(|id| id.starts_with("http://127.0.0.1/?p=")), "{path}: id {}", e["id"]);
                assert!(e["published"].is_array(), "{path}: a parsable date on every item");
                let title = e["title"].as_str().unwrap_or_default();
                assert!(!hidden.iter().any(|h| title.contains(h.as_str())), "{path} shows {title}");
                for c in e["content"].as_array().into_iter().flatten() {
                    let html = c.as_str().unwrap_or_default();
                    assert!(!html.contains("src=\"/") && !html.contains("href=\"/"), "{path}: relative link in {html}");
                }
            }
            let (_, raw) = app.get(path).await;
            for email in emails {
                assert!(!raw.contains(email), "{path} leaks {email}");
            }
            for h in &hidden {
                assert!(!raw.contains(h.as_str()), "{path} shows {h}");
            }
        }
        let comments = python::run("parse_feed.py", &app.url("/comments/feed/")).await;
        let first = &comments["entries"][0];
        assert!(first["title"].as_str().unwrap_or_default().starts_with("Comment on "));
        assert!(first["link"].as_str().unwrap_or_default().contains("#comment-"));
    }

    async fn feeds_answer_conditional_gets_and_keep_ids_across_edits(app) {
        app.seed_demo().await;
        let r = app.client.get(app.url("/feed/")).send().await.expect("feed");
        assert_eq!(r.headers()["content-type"], "application/rss+xml; charset=utf-8");
        let etag = r.headers()["etag"].to_str().expect("etag").to_string();
        let modified = r.headers()["last-modified"].to_str().expect("last-modified").to_string();
        let body = r.text().await.expect("body");
        let again = app.client.get(app.url("/feed/")).header("If-None-Match", &etag).send().await.expect("feed");
        assert_eq!(again.status().as_u16(), 304);
        assert!(again.text().await.expect("body").is_empty());
        let since = app.client.get(app.url("/feed/")).header("If-Modified-Since", &modified).send().await.expect("feed");
        assert_eq!(since.status().as_u16(), 304);
        let stale = app.client.get(app.url("/feed/")).header("If-None-Match", "\"other\"").send().await.expect("feed");
        assert_eq!(stale.status().as_u16(), 200);

        // Edit the newest article's headline: the item keeps its id, the validators change.
        let guid = body.split("<guid isPermaLink=\"false\">").nth(1).and_then(|s| s.split('<').next()).expect("guid").to_string();
        let id: i64 = guid.rsplit('=').next().and_then(|n| n.parse().ok()).expect("id in guid");
        app.sql(&format!("UPDATE posts SET title = 'Edited headline for the feed' WHERE id = {id}")).await;
        let after = app.client.get(app.url("/feed/")).header("If-None-Match", &etag).send().await.expect("feed");
        assert_eq!(after.status().as_u16(), 200, "an edit changes the feed");
        let text = after.text().await.expect("body");
        let item = text.split("<item>").find(|i| i.contains(&guid)).expect("the same id is still there");
        assert!(item.contains("Edited headline for the feed"), "{item}");
    }

    async fn feeds_carry_summaries_when_the_site_says_so(app) {
        app.seed_demo().await;
        let (_, full) = app.get("/feed/").await;
        assert!(full.contains("<content:encoded>"));
        app.set("feed_full_content", "0").await;
        app.set("posts_per_feed", "2").await;
        let (_, summary) = app.get("/feed/").await;
        assert!(!summary.contains("<content:encoded>") && summary.contains("<description>"));
        assert_eq!(summary.matches("<item>").count(), 2);
        let (_, json) = app.get("/feed/json/").await;
        let doc: serde_json::Value = serde_json::from_str(&json).expect("json feed");
        assert!(doc["items"][0]["content_text"].is_string() && doc["items"][0]["content_html"].is_null());
    }

    async fn every_page_names_its_feeds(app) {
        app.seed_demo().await;
        let home = app.page("/").await;
        let article = attrs(&home, ".card-title a", "href")[0].clone();
        for path in ["/", "/category/world/", "/tag/diplomacy/", "/author/olena-kovalenko/", article.as_str(), "/?s=talks"] {
            let html = app.page(path).await;
            let feeds = attrs(&html, "link[rel=alternate]", "href");
            for f in ["http://127.0.0.1/feed/", "http://127.0.0.1/feed/atom/", "http://127.0.0.1/feed/json/", "http://127.0.0.1/comments/feed/"] {
                assert!(feeds.iter().any(|h| h == f), "{path} names {f}: {feeds:?}");
            }
        }
        let world = app.page("/category/world/").await;
        assert!(attrs(&world, "link[rel=alternate]", "href").contains(&"http://127.0.0.1/category/world/feed/".to_string()));
        let page = app.page(&article).await;
        assert!(attrs(&page, "link[rel=alternate]", "href").contains(&format!("http://127.0.0.1{article}feed/")));
        assert_eq!(app.get("/feed/nonsense/").await.0, 404);
        assert_eq!(app.redirect("/feed").await, (301, "/feed/".to_string()));
        assert_eq!(app.get("/no-such-article/feed/").await.0, 404);
    }

    async fn publishing_tells_the_websub_hub(app) {
        app.seed_demo().await;
        let pings: Arc<Mutex<Vec<String>>> = Arc::default();
        let seen = pings.clone();
        let hub = axum::Router::new().route(
            "/hub",
            axum::routing::post(move |body: String| {
                let seen = seen.clone();
                async move {
                    seen.lock().expect("lock").push(body);
                    axum::http::StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let hub_url = format!("http://{}/hub", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, hub).await });
        // The demo's articles were published before there was a hub: nobody is told of them.
        app.state.follow_changes().await.expect("follow");
        app.set("websub_hub", &hub_url).await;
        app.state.follow_changes().await.expect("follow");
        let (_, atom) = app.get("/feed/atom/").await;
        assert!(atom.contains(&format!("<link rel=\"hub\" href=\"{hub_url}\"/>")));
        let (_, rss) = app.get("/feed/").await;
        assert!(rss.contains(&format!("<atom:link href=\"{hub_url}\" rel=\"hub\"/>")));

        let author = app.author("hub-writer", "Hub Writer").await;
        app.publish(&draft("News the hub hears about", author)).await;
        app.state.follow_changes().await.expect("follow");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while pings.lock().expect("lock").len() < 3 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // Anything sent after the three would be a ping too many.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let got = pings.lock().expect("lock").clone();
        assert!(got.contains(&"hub.mode=publish&hub.url=http%3A%2F%2F127.0.0.1%2Ffeed%2F".to_string()), "{got:?}");
        assert_eq!(got.len(), 3, "RSS, Atom and JSON feeds: {got:?}");
    }
}

/// Wait (up to ten seconds) until the search index finds `word`.
pub async fn wait_until_found(app: &TestApp, word: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, html) = app.get(&format!("/?s={word}")).await;
        if html.contains("class=\"result\"") {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the index never found {word}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
