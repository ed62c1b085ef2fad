//! Feeds in the three formats readers take: RSS 2.0, Atom 1.0 and JSON Feed 1.1, written from one
//! description. Every URL in them is absolute and every id stays the same when an article is edited.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::render::site::absolute_url;

/// The three formats, as WordPress names them in `?feed=` and `/feed/<name>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    /// From a WordPress feed name (`rss2`, `atom`, `json`; `rss`, `rdf` and `feed` mean RSS 2.0).
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim_start_matches("comments-") {
            "" | "feed" | "rss2" | "rss" | "rdf" => Some(Format::Rss),
            "atom" => Some(Format::Atom),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The path segment after `/feed/` (none for RSS, the default).
    pub fn segment(self) -> &'static str {
        match self {
            Format::Rss => "",
            Format::Atom => "atom/",
            Format::Json => "json/",
        }
    }

    /// The media type the feed is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
        }
    }
}

/// A feed: what it is about and its newest items.
#[derive(Debug, Clone)]
pub struct Feed {
    pub title: String,
    pub description: String,
    /// The page the feed follows (absolute).
    pub home_url: String,
    /// The feed's own address (absolute).
    pub self_url: String,
    pub icon_url: String,
    /// The newest change of anything in it.
    pub updated: DateTime<Utc>,
    pub hub: Option<String>,
    pub items: Vec<Item>,
}

/// One article or comment in a feed.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable across edits (the `?p=ID` link WordPress uses as guid).
    pub id: String,
    pub url: String,
    pub title: String,
    /// Plain text.
    pub summary: String,
    /// Sanitized HTML with absolute links; None when the feed carries summaries only.
    pub content_html: Option<String>,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// (name, absolute page URL or '').
    pub authors: Vec<(String, String)>,
    pub categories: Vec<String>,
    pub image: Option<String>,
    /// The article's comments: its page anchor and its comments feed.
    pub comments: Option<(String, String)>,
}

/// The feed in `format`.
pub fn write(feed: &Feed, format: Format) -> String {
    match format {
        Format::Rss => rss(feed),
        Format::Atom => atom(feed),
        Format::Json => json_feed(feed),
    }
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(strip_invalid_xml(s).as_ref()).into_owned()
}

/// XML 1.0 forbids most control characters even as references; they are dropped.
fn strip_invalid_xml(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if s.contains(bad) {
        s.replace(bad, "").into()
    } else {
        s.into()
    }
}

fn rss(feed: &Feed) -> String {
    let mut x = String::with_capacity(4096 + feed.items.len() * 2048);
    x.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" ",
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\" ",
        "xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\" xmlns:wfw=\"http://wellformedweb.org/CommentAPI/\">\n<channel>\n"
    ));
    x.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>en</language>\n\
         <lastBuildDate>{}</lastBuildDate>\n<generator>Newsroom</generator>\n\
         <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        esc(&feed.title),
        esc(&feed.home_url),
        esc(&feed.description),
        feed.updated.to_rfc2822(),
        esc(&feed.self_url),
    ));
    if let Some(hub) = &feed.hub {
        x.push_str(&format!("<atom:link href=\"{}\" rel=\"hub\"/>\n", esc(hub)));
    }
    x.push_str(&format!(
        "<image><url>{}</url><title>{}</title><link>{}</link></image>\n",
        esc(&feed.icon_url),
        esc(&feed.title),
        esc(&feed.home_url)
    ));
    for item in &feed.items {
        x.push_str("<item>\n");
        x.push_str(&format!(
            "<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n<pubDate>{}</pubDate>\n",
            esc(&item.title),
            esc(&item.url),
            esc(&item.id),
            item.published.to_rfc2822()
        ));
        for (name, _) in &item.authors {
            x.push_str(&format!("<dc:creator>{}</dc:creator>\n", esc(name)));
        }
        for c in &item.categories {
            x.push_str(&format!("<category>{}</category>\n", esc(c)));
        }
        x.push_str(&format!(
            "<description>{}</description>\n",
            esc(&item.summary)
        ));
        if let Some(html) = &item.content_html {
            x.push_str(&format!(
                "<content:encoded>{}</content:encoded>\n",
                esc(html)
            ));
        }
        if let Some((page, comments_feed)) = &item.comments {
            x.push_str(&format!(
                "<comments>{}</comments>\n<wfw:commentRss>{}</wfw:commentRss>\n",
                esc(page),
                esc(comments_feed)
            ));
        }
        x.push_str("</item>\n");
    }
    x.push_str("</channel>\n</rss>\n");
    x
}

fn atom(feed: &Feed) -> String {
    let mut x = String::with_capacity(4096 + feed.items.len() * 2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n");
    x.push_str(&format!(
        "<title type=\"text\">{}</title>\n<subtitle type=\"text\">{}</subtitle>\n<id>{}</id>\n\
         <updated>{}</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<icon>{}</icon>\n\
         <generator>Newsroom</generator>\n",
        esc(&feed.title),
        esc(&feed.description),
        esc(&feed.self_url),
        rfc3339(feed.updated),
        esc(&feed.home_url),
        esc(&feed.self_url),
        esc(&feed.icon_url),
    ));
    if let Some(hub) = &feed.hub {
        x.push_str(&format!("<link rel=\"hub\" href=\"{}\"/>\n", esc(hub)));
    }
    // Atom requires an author for every entry: one named at the feed covers entries without.
    x.push_str(&format!(
        "<author><name>{}</name></author>\n",
        esc(&feed.title)
    ));
    for item in &feed.items {
        x.push_str("<entry>\n");
        x.push_str(&format!(
            "<title type=\"text\">{}</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <published>{}</published>\n<updated>{}</updated>\n",
            esc(&item.title),
            esc(&item.id),
            esc(&item.url),
            rfc3339(item.published),
            rfc3339(item.updated),
        ));
        for (name, url) in &item.authors {
            x.push_str(&format!("<author><name>{}</name>", esc(name)));
            if !url.is_empty() {
                x.push_str(&format!("<uri>{}</uri>", esc(url)));
            }
            x.push_str("</author>\n");
        }
        for c in &item.categories {
            x.push_str(&format!("<category term=\"{}\"/>\n", esc(c)));
        }
        x.push_str(&format!(
            "<summary type=\"text\">{}</summary>\n",
            esc(&item.summary)
        ));
        if let Some(html) = &item.content_html {
            x.push_str(&format!(
                "<content type=\"html\" xml:base=\"{}\">{}</content>\n",
                esc(&item.url),
                esc(html)
            ));
        }
        if let Some((page, _)) = &item.comments {
            x.push_str(&format!(
                "<link rel=\"replies\" type=\"text/html\" href=\"{}\"/>\n",
                esc(page)
            ));
        }
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn json_feed(feed: &Feed) -> String {
    let items: Vec<serde_json::Value> = feed
        .items
        .iter()
        .map(|item| {
            let mut o = json!({
                "id": item.id,
                "url": item.url,
                "title": item.title,
                "summary": item.summary,
                "date_published": rfc3339(item.published),
                "date_modified": rfc3339(item.updated),
                "authors": item.authors.iter().map(|(name, url)| {
                    if url.is_empty() { json!({ "name": name }) } else { json!({ "name": name, "url": url }) }
                }).collect::<Vec<_>>(),
                "tags": item.categories,
            });
            // JSON Feed requires content_html or content_text.
            match &item.content_html {
                Some(html) => o["content_html"] = json!(html),
                None => o["content_text"] = json!(item.summary),
            }
            if let Some(image) = &item.image {
                o["image"] = json!(image);
            }
            o
        })
        .collect();
    let mut doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "description": feed.description,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "icon": feed.icon_url,
        "favicon": feed.icon_url,
        "language": "en",
        "items": items,
    });
    if let Some(hub) = &feed.hub {
        doc["hubs"] = json!([{ "type": "WebSub", "url": hub }]);
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Make the site-relative links of sanitized HTML absolute (`src`, `href`, `srcset`, `poster`),
/// since a feed reader shows the HTML away from the site.
pub fn absolutize(html: &str, base: &str) -> String {
    static ATTR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(\s(?:src|href|poster|srcset)=")([^"]*)""#).expect("valid regex")
    });
    ATTR.replace_all(html, |c: &regex::Captures| {
        let (attr, value) = (&c[1], &c[2]);
        let fixed = if attr.trim_start().starts_with("srcset") {
            value
                .split(',')
                .map(|part| absolute_url(base, part.trim()))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            absolute_url(base, value)
        };
        format!("{attr}{fixed}\"")
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Feed {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        Feed {
            title: "News & <Views>".into(),
            description: "d".into(),
            home_url: "https://n.example/".into(),
            self_url: "https://n.example/feed/".into(),
            icon_url: "https://n.example/icon-512.png".into(),
            updated: t,
            hub: Some("https://hub.example/".into()),
            items: vec![Item {
                id: "https://n.example/?p=7".into(),
                url: "https://n.example/2023/11/14/a/".into(),
                title: "A \"quote\" \u{1}".into(),
                summary: "s".into(),
                content_html: Some("<p>x</p>".into()),
                published: t,
                updated: t,
                authors: vec![("Ann".into(), "https://n.example/author/ann/".into())],
                categories: vec!["World".into()],
                image: None,
                comments: None,
            }],
        }
    }

    #[test]
    fn formats_escape_and_date_per_spec() {
        let f = sample();
        let r = write(&f, Format::Rss);
        assert!(r.contains("<title>News &amp; &lt;Views&gt;</title>"));
        assert!(r.contains("<pubDate>Tue, 14 Nov 2023 22:13:20 +0000</pubDate>"));
        assert!(r.contains("&lt;p&gt;x&lt;/p&gt;") && !r.contains('\u{1}'));
        let a = write(&f, Format::Atom);
        assert!(a.contains("<updated>2023-11-14T22:13:20Z</updated>"));
        assert!(a.contains("<link rel=\"hub\" href=\"https://hub.example/\"/>"));
        let j: serde_json::Value = serde_json::from_str(&write(&f, Format::Json)).unwrap();
        assert_eq!(j["items"][0]["content_html"], "<p>x</p>");
        assert_eq!(j["hubs"][0]["type"], "WebSub");
        assert_eq!(Format::parse("comments-atom"), Some(Format::Atom));
        assert_eq!(Format::parse("rss2"), Some(Format::Rss));
        assert_eq!(Format::parse("x"), None);
    }

    #[test]
    fn relative_links_become_absolute() {
        let html = r#"<a href="/about/">a</a><img src="/media/a.jpg" srcset="/media/a-480.jpg 480w, /media/a-960.jpg 960w"><a href="https://x.example/">x</a><a href="//cdn/">c</a>"#;
        let out = absolutize(html, "https://n.example");
        assert!(out.contains(r#"href="https://n.example/about/""#));
        assert!(out.contains(r#"srcset="https://n.example/media/a-480.jpg 480w, https://n.example/media/a-960.jpg 960w""#));
        assert!(out.contains(r#"href="https://x.example/""#) && out.contains(r#"href="//cdn/""#));
    }
}
