//! WordPress's URL scheme: permalinks, canonical redirects, old slugs, Unicode slugs, 404s.

use newsroom::db::article::{self as articles, status};
use newsroom::db::setting;

use crate::both_backends;
use crate::support::{attrs, draft, texts};

both_backends! {
    async fn plain_links_old_slugs_and_non_canonical_paths_redirect_permanently(app) {
        let author = app.author("ann", "Ann").await;
        let id = app.publish(&draft("Talks in Istanbul", author)).await;
        let home = app.page("/").await;
        let permalink = attrs(&home, ".card-title a", "href")[0].clone();
        assert!(permalink.ends_with("/talks-in-istanbul/"), "{permalink}");

        assert_eq!(app.redirect(&format!("/?p={id}")).await, (301, permalink.clone()));
        assert_eq!(app.redirect(permalink.trim_end_matches('/')).await, (301, permalink.clone()));
        assert_eq!(app.redirect(&permalink.to_uppercase()).await, (301, permalink.clone()));
        assert_eq!(app.redirect("/talks-in-istanbul/").await, (301, permalink.clone()), "bare slug");
        let with_query = app.redirect(&format!("{}?utm_source=x", permalink.trim_end_matches('/'))).await;
        assert_eq!(with_query, (301, format!("{permalink}?utm_source=x")), "query kept");

        articles::set_slug(app.state.db(), id, "istanbul-talks").await.expect("rename");
        // Written beside the server, not through it: the node learns of it from the change log
        // (within its poll; at once here), as for everything it keeps in memory.
        app.follow().await;
        let (code, location) = app.redirect(&permalink).await;
        assert_eq!(code, 301);
        assert!(location.ends_with("/istanbul-talks/"), "{location}");
        app.page(&location).await;
    }

    async fn unknown_paths_get_the_themed_404_page(app) {
        for path in ["/no-such-thing/", "/2025/01/01/missing/", "/tag/none/", "/category/none/", "/author/none/", "/page/2/", "/2025/02/30/", "/?p=999"] {
            let (code, html) = app.get(path).await;
            assert_eq!(code, 404, "{path}");
            assert!(html.contains("Sorry, we can’t find that page"), "{path}");
            assert!(html.contains("<nav class=\"site-nav\""), "themed: {path}");
        }
        let (code, _) = app.get("/?p=abc").await;
        assert_eq!(code, 404);
        let r = app.client.post(app.url("/")).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 405);
    }

    async fn drafts_scheduled_and_trashed_articles_stay_private(app) {
        let author = app.author("ann", "Ann").await;
        let mut d = draft("Secret draft", author);
        d.status = status::DRAFT.into();
        let draft_id = app.publish(&d).await;
        let mut s = draft("Future story", author);
        s.published_at = Some(chrono::Utc::now() + chrono::Duration::days(2));
        let future_id = app.publish(&s).await;
        let stored = articles::get(app.state.db(), future_id).await.expect("get").expect("row");
        assert_eq!(stored.status, status::SCHEDULED, "future-dated publishing is scheduling");
        let home = app.page("/").await;
        assert!(!home.contains("Secret draft") && !home.contains("Future story"));
        assert_eq!(app.get(&format!("/?p={draft_id}")).await.0, 404);
        assert_eq!(app.get(&format!("/?p={future_id}")).await.0, 404);
        assert_eq!(app.get("/secret-draft/").await.0, 404);
    }

    async fn cyrillic_titles_get_working_unicode_slugs(app) {
        let author = app.author("olena", "Олена").await;
        app.publish(&draft("Переговоры в Стамбуле", author)).await;
        let home = app.page("/").await;
        let href = attrs(&home, ".card-title a", "href")[0].clone();
        assert!(href.ends_with("/переговоры-в-стамбуле/"), "{href}");
        let encoded = newsroom::content::permalink::encode_path(&href);
        let html = app.page(&encoded).await;
        assert_eq!(texts(&html, "h1"), vec!["Переговоры в Стамбуле"]);
        let (code, location) = app.redirect(&newsroom::content::permalink::encode_path("/переговоры-в-стамбуле/")).await;
        assert_eq!((code, location), (301, encoded));
    }

    async fn other_wordpress_permalink_structures_work(app) {
        let author = app.author("ann", "Ann").await;
        let world = app.category("World", None).await;
        let europe = app.category("Europe", Some(world)).await;
        let mut d = draft("Summit ends", author);
        d.term_ids = vec![europe];
        let id = app.publish(&d).await;

        setting::set(app.state.db(), "permalink_structure", "/%postname%/").await.expect("set");
        app.follow().await;
        assert_eq!(app.redirect(&format!("/?p={id}")).await.1, "/summit-ends/");
        assert_eq!(texts(&app.page("/summit-ends/").await, "h1"), vec!["Summit ends"]);

        setting::set(app.state.db(), "permalink_structure", "/%category%/%postname%/").await.expect("set");
        app.follow().await;
        assert_eq!(app.redirect(&format!("/?p={id}")).await.1, "/world/europe/summit-ends/");
        app.page("/world/europe/summit-ends/").await;
        // A link from the old structure still finds the article.
        assert_eq!(app.redirect("/summit-ends/").await, (301, "/world/europe/summit-ends/".to_string()));
    }

    async fn the_stylesheet_is_fingerprinted_and_cached_for_a_year(app) {
        let home = app.page("/").await;
        let css = attrs(&home, "link[rel=stylesheet]", "href")[0].clone();
        assert!(css.starts_with("/static/style.") && css.ends_with(".css"));
        let r = app.client.get(app.url(&css)).send().await.expect("css");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(r.headers()["content-type"].to_str().expect("ascii").starts_with("text/css"));
        // Structured data for search engines is the only script element, and it is not code.
        assert_eq!(
            home.matches("<script").count(),
            home.matches("<script type=\"application/ld+json\">").count(),
            "no JavaScript is needed to read"
        );
    }
}

#[tokio::test]
async fn a_theme_folder_in_the_data_dir_overrides_templates_without_recompiling() {
    let app = crate::support::TestApp::start_with(crate::support::Backend::Sqlite, |config| {
        let dir = config.data_dir.join("theme/templates");
        std::fs::create_dir_all(&dir).expect("theme dir");
        std::fs::write(
            dir.join("home.html"),
            "{% extends \"base.html\" %}{% block main %}<h1>Custom front page</h1>{% endblock %}",
        )
        .expect("write template");
    })
    .await
    .expect("app");
    let html = app.page("/").await;
    assert_eq!(texts(&html, "h1"), vec!["Custom front page"]);
    assert!(
        html.contains("class=\"site-header\""),
        "the rest of the theme still applies"
    );
}
