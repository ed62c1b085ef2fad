//! Sitemaps (sitemaps.org 0.9, with Google's image and news extensions) written from plain lists.

use chrono::{DateTime, Utc};

/// At most this many URLs in one sitemap file (the protocol's limit).
pub const MAX_URLS: usize = 50_000;

/// One page of the site in a sitemap.
#[derive(Debug, Clone)]
pub struct Url {
    pub loc: String,
    pub lastmod: Option<DateTime<Utc>>,
    /// Absolute addresses of the page's pictures.
    pub images: Vec<String>,
}

/// One article in a news sitemap.
#[derive(Debug, Clone)]
pub struct NewsUrl {
    pub loc: String,
    pub title: String,
    pub published: DateTime<Utc>,
    pub keywords: Vec<String>,
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn w3c(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A sitemap index of (sitemap URL, last change).
pub fn index(entries: &[(String, Option<DateTime<Utc>>)]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in entries {
        x.push_str(&format!("<sitemap><loc>{}</loc>", esc(loc)));
        if let Some(at) = lastmod {
            x.push_str(&format!("<lastmod>{}</lastmod>", w3c(*at)));
        }
        x.push_str("</sitemap>\n");
    }
    x.push_str("</sitemapindex>\n");
    x
}

/// A sitemap of pages.
pub fn urlset(urls: &[Url]) -> String {
    let mut x = String::with_capacity(128 + urls.len() * 160);
    x.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" ",
        "xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
    ));
    for u in urls.iter().take(MAX_URLS) {
        x.push_str(&format!("<url><loc>{}</loc>", esc(&u.loc)));
        if let Some(at) = u.lastmod {
            x.push_str(&format!("<lastmod>{}</lastmod>", w3c(at)));
        }
        for image in &u.images {
            x.push_str(&format!(
                "<image:image><image:loc>{}</image:loc></image:image>",
                esc(image)
            ));
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

/// A Google News sitemap: `publication` names the site, articles of the last two days.
pub fn news(publication: &str, language: &str, urls: &[NewsUrl]) -> String {
    let mut x = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" ",
        "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n"
    ));
    for u in urls.iter().take(1000) {
        x.push_str(&format!(
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name>\
             <news:language>{}</news:language></news:publication>\
             <news:publication_date>{}</news:publication_date><news:title>{}</news:title>",
            esc(&u.loc),
            esc(publication),
            esc(language),
            w3c(u.published),
            esc(&u.title),
        ));
        if !u.keywords.is_empty() {
            x.push_str(&format!(
                "<news:keywords>{}</news:keywords>",
                esc(&u.keywords.join(", "))
            ));
        }
        x.push_str("</news:news></url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemaps_escape_and_date() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let s = urlset(&[Url {
            loc: "https://n.example/a?b=1&c=2".into(),
            lastmod: Some(t),
            images: vec!["https://n.example/m.jpg".into()],
        }]);
        assert!(s.contains(
            "<loc>https://n.example/a?b=1&amp;c=2</loc><lastmod>2023-11-14T22:13:20Z</lastmod>"
        ));
        assert!(s.contains("<image:loc>https://n.example/m.jpg</image:loc>"));
        let n = news(
            "A & B",
            "en",
            &[NewsUrl {
                loc: "https://n.example/x/".into(),
                title: "<T>".into(),
                published: t,
                keywords: vec![],
            }],
        );
        assert!(
            n.contains("<news:name>A &amp; B</news:name>")
                && n.contains("<news:title>&lt;T&gt;</news:title>")
        );
    }
}
