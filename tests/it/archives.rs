//! Home, category, tag, author and date archives, with pagination.

use chrono::{TimeZone, Utc};
use newsroom::actions::publish;
use newsroom::db::setting;

use crate::both_backends;
use crate::support::{attrs, draft, texts};

both_backends! {
    async fn home_lists_newest_first_with_sticky_on_top_and_paginates(app) {
        let author = app.author("ann", "Ann").await;
        for i in 0..12 {
            let mut d = draft(&format!("Story {i:02}"), author);
            d.published_at = Some(Utc.with_ymd_and_hms(2025, 3, 1 + i, 9, 0, 0).single().expect("date"));
            d.sticky = i == 3;
            app.publish(&d).await;
        }
        setting::set(app.state.db(), "posts_per_page", "5").await.expect("set");
        app.follow().await;

        let first = app.page("/").await;
        let titles = texts(&first, ".card-title");
        assert_eq!(titles, vec!["Story 03", "Story 11", "Story 10", "Story 09", "Story 08"]);
        assert_eq!(attrs(&first, ".pagination .older", "href"), vec!["/page/2/"]);
        let second = app.page("/page/2/").await;
        assert_eq!(texts(&second, ".card-title"), vec!["Story 07", "Story 06", "Story 05", "Story 04", "Story 02"]);
        assert_eq!(attrs(&second, ".pagination .newer", "href"), vec!["/"]);
        let third = app.page("/page/3/").await;
        assert_eq!(texts(&third, ".card-title"), vec!["Story 01", "Story 00"]);
        assert!(attrs(&third, ".pagination .older", "href").is_empty());
        assert_eq!(app.get("/page/4/").await.0, 404);
        assert_eq!(app.redirect("/page/1/").await, (301, "/".to_string()));
    }

    async fn deep_pages_start_from_fences_and_shift_when_the_list_changes(app) {
        // Many fences' worth (one stands every 20 rows), with pairs of articles published in
        // the same second (ties settled by id) and 25 sticky ones (fences among them too).
        let ann = app.author("ann", "Ann").await;
        let world = app.category("World", None).await;
        let europe = app.category("Europe", Some(world)).await;
        let base = Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).single().expect("date");
        let mut stored: Vec<(bool, chrono::DateTime<Utc>, i64, String)> = Vec::new();
        for i in 0..430i64 {
            let title = format!("Story {i:03}");
            let mut d = draft(&title, ann);
            let at = base + chrono::Duration::minutes(i / 2);
            d.published_at = Some(at);
            d.sticky = i % 17 == 7;
            d.term_ids = vec![if i % 3 == 0 { europe } else { world }];
            let id = publish::create(app.state.db(), &d).await.expect("publish");
            stored.push((d.sticky, at, id, title));
        }
        setting::set(app.state.db(), "posts_per_page", "10").await.expect("set");
        app.follow().await;
        let newest_first = |list: &[(bool, chrono::DateTime<Utc>, i64, String)], sticky_first: bool| {
            let mut l = list.to_vec();
            l.sort_by(|a, b| {
                let s = if sticky_first { b.0.cmp(&a.0) } else { std::cmp::Ordering::Equal };
                s.then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2))
            });
            l.into_iter().map(|r| r.3).collect::<Vec<String>>()
        };
        let home = newest_first(&stored, true);
        let by_date = newest_first(&stored, false);
        let window = |all: &[String], page: usize| all.iter().skip((page - 1) * 10).take(10).cloned().collect::<Vec<_>>();
        for page in [2, 3, 4, 20, 21, 25, 40, 41, 43] {
            let path = format!("/page/{page}/");
            assert_eq!(texts(&app.page(&path).await, ".card-title"), window(&home, page), "{path}");
            let path = format!("/category/world/page/{page}/");
            assert_eq!(texts(&app.page(&path).await, ".card-title"), window(&by_date, page), "{path}");
            let path = format!("/author/ann/page/{page}/");
            assert_eq!(texts(&app.page(&path).await, ".card-title"), window(&by_date, page), "{path}");
        }
        for path in ["/page/44/", "/page/500/", "/category/world/page/9999/", "/author/ann/page/44/"] {
            assert_eq!(app.get(path).await.0, 404, "{path}");
        }

        // A new article on top moves every deep page by one.
        let mut d = draft("Story new", ann);
        d.term_ids = vec![europe];
        let id = app.publish(&d).await;
        stored.push((false, chrono::Utc::now(), id, "Story new".into()));
        let home = newest_first(&stored, true);
        let by_date = newest_first(&stored, false);
        assert_eq!(texts(&app.page("/page/25/").await, ".card-title"), window(&home, 25));
        assert_eq!(texts(&app.page("/category/world/page/25/").await, ".card-title"), window(&by_date, 25));
        assert_eq!(texts(&app.page("/author/ann/page/41/").await, ".card-title"), window(&by_date, 41));
        assert_eq!(texts(&app.page("/page/44/").await, ".card-title"), window(&home, 44));
    }

    async fn category_archives_nest_and_include_their_children(app) {
        let author = app.author("ann", "Ann").await;
        let world = app.category("World", None).await;
        let europe = app.category("Europe", Some(world)).await;
        let business = app.category("Business", None).await;
        for (title, cat) in [("In Europe", europe), ("In World", world), ("In Business", business)] {
            let mut d = draft(title, author);
            d.term_ids = vec![cat];
            app.publish(&d).await;
        }
        let world_page = app.page("/category/world/").await;
        let mut titles = texts(&world_page, ".card-title");
        titles.sort();
        assert_eq!(titles, vec!["In Europe", "In World"]);
        assert_eq!(texts(&world_page, "h1"), vec!["World"]);
        let europe_page = app.page("/category/world/europe/").await;
        assert_eq!(texts(&europe_page, ".card-title"), vec!["In Europe"]);
        assert_eq!(app.redirect("/category/europe/").await, (301, "/category/world/europe/".to_string()));
        assert_eq!(app.redirect("/category/World/Europe").await, (301, "/category/world/europe/".to_string()));
        assert!(texts(&world_page, ".site-nav a").contains(&"World".to_string()), "top sections are in the menu");
    }

    async fn tag_author_and_date_archives_list_their_articles(app) {
        let ann = app.author("ann", "Ann Author").await;
        let bob = app.author("bob", "Bob Byline").await;
        let tag = app.tag("Ukraine Russia conflict").await;
        let mut a = draft("Tagged by Ann", ann);
        a.term_ids = vec![tag];
        a.published_at = Some(Utc.with_ymd_and_hms(2025, 5, 16, 12, 0, 0).single().expect("date"));
        app.publish(&a).await;
        let mut b = draft("Bob in June", bob);
        b.published_at = Some(Utc.with_ymd_and_hms(2025, 6, 2, 12, 0, 0).single().expect("date"));
        app.publish(&b).await;
        let mut both = draft("Joint byline", ann);
        both.author_ids = vec![ann, bob];
        both.published_at = Some(Utc.with_ymd_and_hms(2024, 12, 31, 23, 0, 0).single().expect("date"));
        app.publish(&both).await;

        assert_eq!(texts(&app.page("/tag/ukraine-russia-conflict/").await, ".card-title"), vec!["Tagged by Ann"]);
        let ann_page = app.page("/author/ann/").await;
        assert_eq!(texts(&ann_page, ".card-title"), vec!["Tagged by Ann", "Joint byline"]);
        assert_eq!(texts(&ann_page, "h1"), vec!["Ann Author"]);
        assert!(ann_page.contains("Ann Author writes for us."));
        assert_eq!(texts(&app.page("/author/bob/").await, ".card-title"), vec!["Bob in June", "Joint byline"]);
        assert_eq!(texts(&app.page("/2025/").await, ".card-title"), vec!["Bob in June", "Tagged by Ann"]);
        assert_eq!(texts(&app.page("/2025/05/").await, ".card-title"), vec!["Tagged by Ann"]);
        assert_eq!(texts(&app.page("/2025/05/16/").await, ".card-title"), vec!["Tagged by Ann"]);
        assert_eq!(texts(&app.page("/2024/12/31/").await, ".card-title"), vec!["Joint byline"]);
        assert!(texts(&app.page("/2025/05/15/").await, ".card-title").is_empty());
        assert_eq!(app.redirect("/2025/05").await, (301, "/2025/05/".to_string()));
        assert_eq!(app.get("/2025/05/page/2/").await.0, 404);
        assert_eq!(app.get("/?author=999").await.0, 404);
    }

    async fn date_archives_and_permalinks_follow_the_site_timezone(app) {
        let author = app.author("ann", "Ann").await;
        let mut d = draft("Late night in Kyiv", author);
        // 22:30 UTC on 31 May is 01:30 on 1 June in Kyiv (UTC+3).
        d.published_at = Some(Utc.with_ymd_and_hms(2025, 5, 31, 22, 30, 0).single().expect("date"));
        app.publish(&d).await;
        setting::set(app.state.db(), "timezone", "Europe/Kyiv").await.expect("set");
        app.follow().await;
        let html = app.page("/2025/06/01/").await;
        assert_eq!(texts(&html, ".card-title"), vec!["Late night in Kyiv"]);
        assert_eq!(attrs(&html, ".card-title a", "href"), vec!["/2025/06/01/late-night-in-kyiv/"]);
        assert!(texts(&app.page("/2025/05/").await, ".card-title").is_empty());
    }
}
