//! Sitemaps followed from the index as a crawler does (parsed as XML), the news sitemap and
//! robots.txt: absolute addresses, every one a live page, nothing unpublished.

use chrono::{Duration, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::both_backends;
use crate::support::draft;

/// The text of every element named `name` (local name) in an XML document; panics if malformed.
fn texts_of(xml: &str, name: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.local_name().as_ref() == name.as_bytes() => {
                current = Some(String::new());
            }
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t.decode().expect("text"));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(c) = current.as_mut() {
                    let name = r.decode().expect("reference").into_owned();
                    let ch = match name.as_str() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => r
                            .resolve_char_ref()
                            .expect("character reference")
                            .expect("known reference"),
                    };
                    c.push(ch);
                }
            }
            Event::End(e) if e.local_name().as_ref() == name.as_bytes() => {
                out.extend(current.take());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn local(url: &str) -> String {
    url.strip_prefix("http://127.0.0.1")
        .unwrap_or_else(|| panic!("{url} is not absolute under the site's address"))
        .to_string()
}

both_backends! {
    async fn the_sitemap_index_leads_to_every_live_page_and_nothing_else(app) {
        app.seed_demo().await;
        let author = app.author("hidden-writer", "Hidden Writer").await;
        let mut hidden = Vec::new();
        for (status, future) in [("draft", false), ("published", true), ("private", false), ("trash", false)] {
            let mut d = draft(&format!("Unpublished {status} {future}"), author);
            d.status = status.into();
            if future {
                d.published_at = Some(Utc::now() + Duration::days(2));
            }
            app.publish(&d).await;
            hidden.push(newsroom::content::slug::slugify(&d.title));
        }
        let (status, index) = app.get("/sitemap.xml").await;
        assert_eq!(status, 200);
        assert_eq!(app.get("/wp-sitemap.xml").await.1, index, "WordPress's address answers the same");
        let maps = texts_of(&index, "loc");
        for kind in ["pages", "posts-", "categories", "tags", "authors"] {
            assert!(maps.iter().any(|m| m.contains(&format!("/sitemap-{kind}"))), "index lists {kind}: {maps:?}");
        }
        assert_eq!(texts_of(&index, "lastmod").len(), maps.len(), "every sitemap has a lastmod");
        let mut urls = Vec::new();
        for map in &maps {
            let (status, xml) = app.get(&local(map)).await;
            assert_eq!(status, 200, "{map}");
            urls.extend(texts_of(&xml, "loc"));
        }
        assert!(urls.len() >= 10, "{urls:?}");
        for u in &urls {
            let path = local(u);
            assert_eq!(app.get(&path).await.0, 200, "{u} is a live page");
            assert!(!hidden.iter().any(|h| path.contains(h.as_str())), "{u} is unpublished");
        }
        for must in ["http://127.0.0.1/", "http://127.0.0.1/about/", "http://127.0.0.1/category/world/europe/", "http://127.0.0.1/tag/diplomacy/", "http://127.0.0.1/author/olena-kovalenko/"] {
            assert!(urls.iter().any(|u| u == must), "{must} listed");
        }
        assert_eq!(app.get("/sitemap-posts-1999-01.xml").await.0, 404);
        assert_eq!(app.get("/sitemap-posts-x.xml").await.0, 404);
    }

    async fn the_news_sitemap_lists_the_last_two_days(app) {
        app.seed_demo().await;
        let author = app.author("news-writer", "News Writer").await;
        let mut old = draft("Old story from last week", author);
        old.published_at = Some(Utc::now() - Duration::days(7));
        app.publish(&old).await;
        let fresh = draft("Fresh story & more", author);
        app.publish(&fresh).await;
        let (status, xml) = app.get("/news-sitemap.xml").await;
        assert_eq!(status, 200);
        let titles = texts_of(&xml, "title");
        assert!(titles.contains(&"Fresh story & more".to_string()), "{titles:?}");
        assert!(!titles.iter().any(|t| t.contains("Old story")), "{titles:?}");
        assert!(texts_of(&xml, "name").iter().all(|n| n == "The Newsroom Ledger"));
        let dates = texts_of(&xml, "publication_date");
        assert_eq!(dates.len(), titles.len());
        for d in dates {
            let at = chrono::DateTime::parse_from_rfc3339(&d).expect("W3C date");
            assert!(Utc::now().signed_duration_since(at) < Duration::hours(48));
        }
        let (_, robots) = app.get("/robots.txt").await;
        assert!(robots.contains("Sitemap: http://127.0.0.1/sitemap.xml"));
        assert!(robots.contains("Sitemap: http://127.0.0.1/news-sitemap.xml"));
        // Conditional GET works here too.
        let r = app.client.get(app.url("/sitemap.xml")).send().await.expect("sitemap");
        let etag = r.headers()["etag"].clone();
        let again = app.client.get(app.url("/sitemap.xml")).header("If-None-Match", etag).send().await.expect("sitemap");
        assert_eq!(again.status().as_u16(), 304);
    }
}
