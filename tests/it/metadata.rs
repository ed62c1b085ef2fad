//! What search engines and social sites read: JSON-LD and OpenGraph extracted with a real parser
//! (extruct), Twitter cards, and absolute URLs built from the site's address, never the Host header.

use serde_json::Value;

use crate::both_backends;
use crate::support::{attrs, python};

/// The node of a JSON-LD graph with this @type.
fn node(data: &Value, kind: &str) -> Value {
    data["json-ld"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|doc| {
            doc["@graph"]
                .as_array()
                .cloned()
                .unwrap_or_else(|| vec![doc.clone()])
        })
        .find(|n| n["@type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {}", data["json-ld"]))
}

fn og<'a>(data: &'a Value, key: &str) -> &'a Value {
    &data["opengraph"][0][key]
}

both_backends! {
    async fn articles_carry_news_article_breadcrumbs_and_open_graph(app) {
        if !python::parsers_ready() {
            return;
        }
        app.seed_demo().await;
        let home = app.page("/").await;
        let path = attrs(&home, ".card-title a", "href")[0].clone();
        let data = python::run("extract_metadata.py", &app.url(&path)).await;
        let story = node(&data, "NewsArticle");
        let url = format!("http://127.0.0.1{path}");
        assert_eq!(story["mainEntityOfPage"]["@id"], url.as_str());
        assert!(story["headline"].as_str().is_some_and(|h| h.starts_with("Ukrainian and Russian delegations") && h.chars().count() <= 110));
        for key in ["datePublished", "dateModified"] {
            let d = story[key].as_str().unwrap_or_default();
            assert!(chrono::DateTime::parse_from_rfc3339(d).is_ok(), "{key}: {d}");
        }
        let authors = story["author"].as_array().expect("author list");
        assert_eq!(authors.len(), 2);
        assert_eq!(authors[0]["@type"], "Person");
        assert_eq!(authors[0]["url"], "http://127.0.0.1/author/olena-kovalenko/");
        assert_eq!(story["publisher"]["@type"], "Organization");
        assert_eq!(story["publisher"]["logo"]["url"], "http://127.0.0.1/icon-512.png");
        assert!(story["image"][0].as_str().is_some_and(|i| i.starts_with("http://127.0.0.1/media/")));
        assert_eq!(story["articleSection"][0], "Europe");
        assert!(story["keywords"].as_array().expect("keywords").iter().any(|k| k == "Ukraine Russia conflict"));
        assert_eq!(story["isBasedOn"]["name"], "BBC");
        let crumbs = node(&data, "BreadcrumbList")["itemListElement"].as_array().expect("crumbs").clone();
        let names: Vec<&str> = crumbs.iter().map(|c| c["name"].as_str().unwrap_or_default()).collect();
        assert_eq!(names[..3], ["Home", "World", "Europe"]);
        assert_eq!(crumbs.last().expect("last")["item"], url.as_str());
        assert_eq!(og(&data, "og:url"), url.as_str());
        assert_eq!(og(&data, "@type"), "article");
        assert!(og(&data, "og:image").as_str().is_some_and(|i| i.starts_with("http://127.0.0.1/")));
        let page = app.page(&path).await;
        for (prop, want) in [("article:section", "Europe"), ("article:tag", "Ukraine Russia conflict")] {
            assert!(attrs(&page, &format!("meta[property=\"{prop}\"]"), "content").iter().any(|c| c == want), "{prop}");
        }
        assert_eq!(attrs(&page, "meta[property=\"article:published_time\"]", "content").len(), 1);
        assert_eq!(attrs(&page, "meta[property=\"article:modified_time\"]", "content").len(), 1);
        assert_eq!(attrs(&page, "meta[name=\"twitter:card\"]", "content"), vec!["summary_large_image"]);
    }

    async fn home_and_author_pages_describe_the_site_and_the_person(app) {
        if !python::parsers_ready() {
            return;
        }
        app.seed_demo().await;
        let home = python::run("extract_metadata.py", &app.url("/")).await;
        let site = node(&home, "WebSite");
        assert_eq!(site["url"], "http://127.0.0.1/");
        assert_eq!(site["potentialAction"]["@type"], "SearchAction");
        assert_eq!(site["potentialAction"]["target"]["urlTemplate"], "http://127.0.0.1/?s={search_term_string}");
        assert_eq!(site["potentialAction"]["query-input"], "required name=search_term_string");
        assert_eq!(og(&home, "@type"), "website");
        let author = python::run("extract_metadata.py", &app.url("/author/olena-kovalenko/")).await;
        let person = node(&author, "Person");
        assert_eq!(person["name"], "Olena Kovalenko");
        assert_eq!(person["url"], "http://127.0.0.1/author/olena-kovalenko/");
        assert_eq!(node(&author, "ProfilePage")["mainEntity"]["@id"], person["@id"]);
    }

    async fn absolute_urls_never_come_from_the_host_header(app) {
        app.seed_demo().await;
        for path in ["/", "/feed/", "/sitemap.xml", "/robots.txt", "/category/world/"] {
            let r = app.client.get(app.url(path)).header("Host", "evil.example").send().await.expect("get");
            let body = r.text().await.expect("body");
            assert!(!body.contains("evil.example"), "{path} trusts the Host header");
            assert!(body.contains("http://127.0.0.1/"), "{path} uses the site's address");
        }
    }
}
