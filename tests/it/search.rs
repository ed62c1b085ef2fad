//! Full-text search through the real server: stemming in English and Russian, phrases, the word
//! being typed, filters, escaped highlights, hostile input, nothing unpublished, an edit found
//! within a second, related articles, and an index that rebuilds itself.

use std::time::{Duration, Instant};

use crate::both_backends;
use crate::feeds::wait_until_found;
use crate::support::{TestApp, attrs, draft, texts};
use newsroom::actions::publish::Draft;

/// Titles of the results of a search.
async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let (status, html) = app.get(&format!("/?{}", query)).await;
    assert_eq!(status, 200, "{query}");
    texts(&html, ".result .card-title a")
}

fn q(s: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("s", s)
        .finish()
}

async fn story(app: &TestApp, author: i64, title: &str, body: &str, terms: Vec<i64>) -> i64 {
    let mut d = Draft::article(title, body, vec![author]);
    d.term_ids = terms;
    app.publish(&d).await
}

both_backends! {
    async fn search_stems_matches_phrases_and_filters(app) {
        let ann = app.author("ann-writer", "Ann Writer").await;
        let bob = app.author("bob-writer", "Bob Writer").await;
        let world = app.category("World", None).await;
        let sport = app.category("Sport", None).await;
        story(&app, ann, "Negotiators resume talks in Geneva", "The delegations talked for hours about a prisoner exchange and a ceasefire.", vec![world]).await;
        story(&app, bob, "Exchange rates fall", "The prisoner of a bad exchange rate is the importer, said the bank.", vec![sport]).await;
        story(&app, ann, "Переговоры в Стамбуле", "Делегации провели переговоры о прекращении огня.", vec![world]).await;
        story(&app, ann, "東京で首脳会談", "東京都知事が記者会見を開いた。", vec![world]).await;
        story(&app, bob, "Marathon record <b>broken</b> & more", "A runner broke the course record. <script>alert(1)</script>", vec![sport]).await;
        // The follower indexes in log order: once the last story is found, all are.
        wait_until_found(&app, "marathon").await;

        // Stemming: "talking" finds "talks" and "talked"; Russian forms find each other.
        assert_eq!(titles(&app, &q("talking")).await, vec!["Negotiators resume talks in Geneva"]);
        assert_eq!(titles(&app, &q("переговорах")).await, vec!["Переговоры в Стамбуле"]);
        // Japanese, written without spaces, is found by any of its words.
        assert_eq!(titles(&app, &q("知事")).await, vec!["東京で首脳会談"]);
        assert_eq!(titles(&app, &q("会談")).await, vec!["東京で首脳会談"]);
        assert!(titles(&app, &q("知会")).await.is_empty(), "characters must be together");
        // A phrase needs its words together and in order.
        assert_eq!(titles(&app, &q("\"prisoner exchange\"")).await, vec!["Negotiators resume talks in Geneva"]);
        assert_eq!(titles(&app, &q("prisoner exchange")).await.len(), 2);
        // A leading minus leaves out what has the word (in any form).
        assert_eq!(titles(&app, &q("prisoner exchange -rates")).await, vec!["Negotiators resume talks in Geneva"]);
        assert_eq!(titles(&app, &q("exchange -talk")).await, vec!["Exchange rates fall"]);
        // The word being typed matches the start of a word.
        assert_eq!(titles(&app, &q("Genev")).await, vec!["Negotiators resume talks in Geneva"]);
        // Filters: section, author, dates.
        assert_eq!(titles(&app, &format!("{}&section=sport", q("exchange"))).await, vec!["Exchange rates fall"]);
        assert_eq!(titles(&app, &format!("{}&author=ann-writer", q("exchange"))).await, vec!["Negotiators resume talks in Geneva"]);
        assert!(titles(&app, &format!("{}&to=2001-01-01", q("exchange"))).await.is_empty());
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(titles(&app, &format!("{}&from={today}", q("exchange"))).await.len(), 2);
        // A bad filter is said, not an error.
        let (status, html) = app.get(&format!("/?{}&section=nope&from=yesterday", q("exchange"))).await;
        assert_eq!(status, 200);
        assert!(html.contains("That section does not exist"));
        // Highlights are the index's escaped text with <mark> around the words found.
        let (_, html) = app.get(&format!("/?{}", q("record"))).await;
        assert!(html.contains("<mark>record</mark>"), "highlighted");
        assert!(!html.contains("<script>alert(1)</script>") && !html.contains("<b>broken</b>"));
        assert!(html.contains("&lt;b&gt;broken&lt;/b&gt;") || html.contains("&lt;b&gt;"), "the title's markup is shown as text");
        // WordPress's /search/words/ address works too, and counts are shown.
        let (status, html) = app.get("/search/geneva+talks/").await;
        assert_eq!(status, 200);
        assert_eq!(texts(&html, ".result-count"), vec!["1 article"]);
    }

    async fn hostile_searches_never_fail_or_reflect_markup(app) {
        let ann = app.author("ann-writer", "Ann Writer").await;
        story(&app, ann, "Quiet day", "Nothing happened.", vec![]).await;
        wait_until_found(&app, "quiet").await;
        let long = "x".repeat(10_000);
        let hostile = [
            long.as_str(),
            "\"unbalanced quote",
            "title:secret AND (body:x OR",
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "*:* ~2 ^5 [a TO z] {}",
            "\u{202e}%00%ff",
            "\"\"\"\"",
            "-",
        ];
        for h in hostile {
            let (status, html) = app.get(&format!("/?{}", q(h))).await;
            assert_eq!(status, 200, "{h:.40}");
            assert!(!html.contains("<script>alert") && !html.contains("<img src=x"), "{h:.40} reflected");
            let (status, _) = app.get(&format!("/?{}&feed=rss2", q(h))).await;
            assert_eq!(status, 200, "feed of {h:.40}");
        }
        let (status, html) = app.get("/?s=zzzqqqxx").await;
        assert_eq!(status, 200);
        assert!(html.contains("Nothing matches"));
        assert!(!texts(&html, ".no-results .card-title").is_empty(), "the latest articles are suggested");
        assert_eq!(app.get(&format!("/?{}&paged=2", q("quiet"))).await.0, 404);
        assert_eq!(app.get(&format!("/?{}&paged=99999", q("quiet"))).await.0, 200, "an absurd page is the first");
    }

    async fn unpublished_articles_are_never_found_and_edits_are_found_within_a_second(app) {
        let ann = app.author("ann-writer", "Ann Writer").await;
        let mut hidden = draft("Secret draft about zeppelins", ann);
        hidden.status = "draft".into();
        app.publish(&hidden).await;
        let mut later = draft("Scheduled zeppelin story", ann);
        later.published_at = Some(chrono::Utc::now() + chrono::Duration::days(1));
        app.publish(&later).await;
        let live = story(&app, ann, "Airships return", "A zeppelin flew over the city.", vec![]).await;
        wait_until_found(&app, "airships").await;
        assert_eq!(titles(&app, &q("zeppelin")).await, vec!["Airships return"]);

        // Edit: the new words are found within a second of the write.
        newsroom::db::article::set_body_html(app.state.db(), live, "<p>Dirigibles are back over the city.</p>")
            .await
            .expect("edit");
        let written = Instant::now();
        loop {
            if titles(&app, &q("dirigibles")).await == vec!["Airships return"] {
                break;
            }
            assert!(written.elapsed() < Duration::from_secs(1), "the edit was not found within a second");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Unpublish: gone from results at once (the database has the last word) and from the index.
        let audit = newsroom::actions::capability::Actor::system("test").audit();
        let change = newsroom::db::article::StatusChange {
            status: "draft",
            published_at: None,
            only_from: None,
            bump_version: true,
            action: "unpublish",
        };
        newsroom::db::article::set_status(app.state.db(), live, &change, &audit).await.expect("unpublish");
        // (As a write through the site does before it answers.)
        app.follow().await;
        assert!(titles(&app, &q("dirigibles")).await.is_empty());
        let deadline = Instant::now() + Duration::from_secs(5);
        while !app.state.search().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(app.state.search().len(), 0, "the index dropped it");
    }

    async fn related_articles_come_from_the_words(app) {
        let ann = app.author("ann-writer", "Ann Writer").await;
        let sport = app.category("Sport", None).await;
        let science = app.category("Science", None).await;
        story(&app, ann, "Comet lander touches down", "The comet lander touched down on the icy comet nucleus after a decade in space; the comet surface was harder than expected.", vec![sport]).await;
        story(&app, ann, "Comet nucleus surprises scientists", "Scientists studying the comet nucleus found the icy comet surface harder than expected.", vec![science]).await;
        story(&app, ann, "Football final tonight", "The final kicks off at eight.", vec![sport]).await;
        wait_until_found(&app, "football").await;
        let home = app.page("/").await;
        let path = attrs(&home, ".card-title a", "href").into_iter().find(|p| p.contains("comet-lander")).expect("lander");
        let page = app.page(&path).await;
        let related = texts(&page, ".related .card-title a");
        assert_eq!(related.first().map(String::as_str), Some("Comet nucleus surprises scientists"), "{related:?}");
    }

    async fn a_missing_or_damaged_index_rebuilds_itself(app) {
        let ann = app.author("ann-writer", "Ann Writer").await;
        for i in 0..5 {
            story(&app, ann, &format!("Harbour report {i}"), "Ships came in.", vec![]).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while app.state.search().len() < 5 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let dir = app.data_dir().join("search-copy");
        std::fs::create_dir_all(&dir).expect("dir");
        for entry in std::fs::read_dir(app.state.search().dir()).expect("read") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
        }
        let (copy, fresh) = newsroom::search::Search::open(&dir).expect("open copy");
        assert!(!fresh && copy.len() == 5, "a whole index opens as it is");
        std::fs::write(dir.join("meta.json"), "{ not json").expect("damage");
        let (damaged, fresh) = newsroom::search::Search::open(&dir).expect("open damaged");
        assert!(fresh && damaged.is_empty(), "a damaged index starts again empty");
        newsroom::search::follow::catch_up(app.state.db(), &damaged).await.expect("refill");
        assert_eq!(damaged.len(), 5, "and is refilled from the database");
        std::fs::remove_dir_all(&dir).expect("remove");
        let (missing, fresh) = newsroom::search::Search::open(&dir).expect("open missing");
        assert!(fresh && missing.is_empty());
    }
}
