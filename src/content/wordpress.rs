//! WordPress's content markup turned into plain HTML: block comments (`<!-- wp:… -->`) dropped,
//! the common shortcodes (`[caption]`, `[gallery]`, `[embed]`, `[audio]`, `[video]`) made into
//! HTML, classic content's auto-paragraphs (wpautop) applied, links to pictures of the old site
//! pointed at the media library and links to its pages made site-relative. Unknown shortcodes are
//! left as text and reported, as WordPress itself shows a shortcode nobody registered.

use std::sync::LazyLock;

use regex::Regex;

use crate::content::html_tags;

/// A picture of the library that an old URL or attachment id stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    pub id: i64,
    /// The URL of its largest file here, for links to "the full-size picture".
    pub full_url: String,
}

/// What the conversion needs to know of the import.
pub struct Context<'a> {
    /// The old site's address (`http://old.example`), whose links become site-relative.
    pub base_url: &'a str,
    /// The picture behind an old file URL or an attachment id.
    pub media: &'a dyn Fn(MediaKey<'_>) -> Option<MediaRef>,
}

/// How content points at a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKey<'a> {
    Url(&'a str),
    AttachmentId(i64),
}

/// The HTML of a body, and what could not be converted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    pub html: String,
    /// Shortcodes left as they were (names, once each).
    pub unknown_shortcodes: Vec<String>,
    /// Pictures of the old site that are not in the library (their URLs).
    pub missing_pictures: Vec<String>,
}

const BLOCKS: &str = "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe|video|audio|script";

static BLOCK_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)(<(?:{BLOCKS})[\s/>])")).expect("a valid pattern"));
static BLOCK_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)(</(?:{BLOCKS})>)")).expect("a valid pattern"));
static STARTS_WITH_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^</?(?:{BLOCKS})[\s/>]")).expect("a valid pattern"));
static DOUBLE_BR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<br\s*/?>\s*<br\s*/?>").expect("a valid pattern"));
static BLOCK_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<!--\s*/?wp:[^>]*?-->").expect("a valid pattern"));
static URL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)(https?://[^\s<>\x22]+)[ \t]*$").expect("a valid pattern")
});
static SIZE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-(?:\d+x\d+|scaled|rotated|e\d{10,})(\.[a-z0-9]+)$").expect("a valid pattern")
});

/// Convert a WordPress `post_content` to HTML for an article of format "html".
pub fn to_html(content: &str, cx: &Context<'_>) -> Converted {
    let mut report = Converted::default();
    let text = content.replace("\r\n", "\n").replace('\r', "\n");
    let blocks = text.contains("<!-- wp:");
    let text = BLOCK_COMMENT.replace_all(&text, "").into_owned();
    let text = shortcodes(&text, cx, &mut report);
    let text = embed_lines(&text);
    let text = if blocks { text } else { autop(&text) };
    let text = pictures(&text, cx, &mut report);
    report.html = relative_links(&text, cx.base_url);
    report
}

/// The path of a file under wp-content/uploads, without the size WordPress added
/// (`2022/05/photo-300x200.jpg` → `2022/05/photo.jpg`), to match any size of one upload.
pub fn upload_key(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let (_, rest) = path
        .split_once("/wp-content/uploads/")
        .or_else(|| path.strip_prefix("wp-content/uploads/").map(|r| ("", r)))?;
    let rest = percent_encoding::percent_decode_str(rest).decode_utf8_lossy();
    Some(SIZE_SUFFIX.replace(&rest, "$1").to_lowercase())
}

/// wpautop: blank lines separate paragraphs, single newlines are line breaks, and block-level
/// markup is left alone. `<pre>` keeps its newlines.
pub fn autop(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    // Keep <pre> blocks out of the way.
    let mut pres = Vec::new();
    let mut rest = String::with_capacity(text.len());
    let mut at = 0;
    let lower = text.to_ascii_lowercase();
    while let Some(rel) = lower[at..].find("<pre") {
        let start = at + rel;
        let Some(end_rel) = lower[start..].find("</pre>") else {
            break;
        };
        let end = start + end_rel + "</pre>".len();
        rest.push_str(&text[at..start]);
        rest.push_str(&format!("\n\n<pre wp-pre-tag-{}></pre>\n\n", pres.len()));
        pres.push(text[start..end].to_string());
        at = end;
    }
    rest.push_str(&text[at..]);
    let t = DOUBLE_BR.replace_all(&rest, "\n\n");
    let t = BLOCK_OPEN.replace_all(&t, "\n\n$1");
    let t = BLOCK_CLOSE.replace_all(&t, "$1\n\n");
    let mut out = String::with_capacity(t.len() + 64);
    for chunk in t.split("\n\n").map(|c| c.trim_matches(['\n', ' ', '\t'])) {
        if chunk.trim().is_empty() {
            continue;
        }
        if STARTS_WITH_BLOCK.is_match(chunk) {
            out.push_str(chunk);
            out.push('\n');
        } else {
            out.push_str("<p>");
            out.push_str(&chunk.replace('\n', "<br />\n"));
            out.push_str("</p>\n");
        }
    }
    for (i, pre) in pres.iter().enumerate() {
        out = out.replace(&format!("<pre wp-pre-tag-{i}></pre>"), pre);
    }
    out
}

/// A URL alone on a line is an embed in WordPress; here it becomes a link to the same thing.
fn embed_lines(text: &str) -> String {
    URL_LINE
        .replace_all(text, |c: &regex::Captures<'_>| {
            let url = html_tags::escape(&c[2]);
            format!("{}<p><a href=\"{url}\">{url}</a></p>", &c[1])
        })
        .into_owned()
}

/// A shortcode's name, attributes and (for an enclosing one) content.
struct Shortcode {
    name: String,
    attrs: Vec<(String, String)>,
    content: Option<String>,
    end: usize,
}

fn parse_shortcode(text: &str, start: usize) -> Option<Shortcode> {
    let b = text.as_bytes();
    if b.get(start + 1) == Some(&b'[') || b.get(start + 1) == Some(&b'/') {
        return None;
    }
    let close = start + text[start..].find(']')?;
    let inner = &text[start + 1..close];
    if inner.contains('[') || inner.contains('\n') && inner.len() > 2000 {
        return None;
    }
    let inner = inner.trim_end_matches('/').trim();
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let attrs = shortcode_attrs(&inner[name_len..]);
    let closing = format!("[/{name}]");
    let lower_rest = text[close + 1..].to_ascii_lowercase();
    let (content, end) = match lower_rest.find(&closing) {
        Some(rel) if !text[start + 1..close].ends_with('/') => {
            let c = &text[close + 1..close + 1 + rel];
            (Some(c.to_string()), close + 1 + rel + closing.len())
        }
        _ => (None, close + 1),
    };
    Some(Shortcode {
        name,
        attrs,
        content,
        end,
    })
}

fn shortcode_attrs(s: &str) -> Vec<(String, String)> {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))|"([^"]*)"|(\S+)"#)
            .expect("a valid pattern")
    });
    ATTR.captures_iter(s)
        .map(|c| {
            let name = c.get(1).map_or("", |m| m.as_str()).to_ascii_lowercase();
            let value = [2, 3, 4, 5, 6]
                .iter()
                .find_map(|i| c.get(*i))
                .map_or("", |m| m.as_str());
            (name, value.replace("&quot;", "\"").replace("&#039;", "'"))
        })
        .collect()
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

const KNOWN: [&str; 7] = [
    "caption",
    "wp_caption",
    "gallery",
    "embed",
    "audio",
    "video",
    "playlist",
];

fn shortcodes(text: &str, cx: &Context<'_>, report: &mut Converted) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(rel) = text[at..].find('[') {
        let start = at + rel;
        out.push_str(&text[at..start]);
        match parse_shortcode(text, start) {
            Some(sc) if KNOWN.contains(&sc.name.as_str()) => {
                out.push_str(&expand(&sc, cx, report));
                at = sc.end;
            }
            Some(sc) => {
                let looks_like_one = sc.content.is_some() || !sc.attrs.is_empty();
                if looks_like_one && !report.unknown_shortcodes.contains(&sc.name) {
                    report.unknown_shortcodes.push(sc.name.clone());
                }
                out.push('[');
                at = start + 1;
            }
            None => {
                out.push('[');
                at = start + 1;
            }
        }
    }
    out.push_str(&text[at..]);
    out
}

fn expand(sc: &Shortcode, cx: &Context<'_>, report: &mut Converted) -> String {
    let content = sc.content.clone().unwrap_or_default();
    match sc.name.as_str() {
        "caption" | "wp_caption" => {
            // The picture (maybe inside a link) comes first; the rest is the caption.
            let split = content
                .to_ascii_lowercase()
                .rfind("</a>")
                .map(|i| i + 4)
                .or_else(|| html_tags::find(&content, "img").last().map(|t| t.end))
                .unwrap_or(0);
            let (picture, caption) = content.split_at(split.min(content.len()));
            let caption = attr(&sc.attrs, "caption")
                .map(str::to_string)
                .unwrap_or_else(|| caption.trim().to_string());
            format!(
                "<figure>{}<figcaption>{}</figcaption></figure>",
                picture.trim(),
                caption
            )
        }
        "gallery" => {
            let ids = attr(&sc.attrs, "ids")
                .or_else(|| attr(&sc.attrs, "include"))
                .unwrap_or_default();
            let mut html = String::from("<figure>");
            for id in ids.split(',').filter_map(|s| s.trim().parse::<i64>().ok()) {
                match (cx.media)(MediaKey::AttachmentId(id)) {
                    Some(m) => html.push_str(&format!(r#"<img src="/media/{}" alt="">"#, m.id)),
                    None => report.missing_pictures.push(format!("attachment {id}")),
                }
            }
            html.push_str("</figure>");
            html
        }
        _ => {
            // embed, audio, video, playlist: a link to the media, which any reader can follow.
            let url = attr(&sc.attrs, "src")
                .or_else(|| attr(&sc.attrs, "url"))
                .or_else(|| {
                    ["mp3", "m4a", "ogg", "wav", "mp4", "webm", "m4v", "mov"]
                        .iter()
                        .find_map(|k| attr(&sc.attrs, k))
                })
                .map(str::to_string)
                .unwrap_or_else(|| content.trim().to_string());
            if url.is_empty() {
                String::new()
            } else {
                let url = html_tags::escape(&url);
                format!("<p><a href=\"{url}\">{url}</a></p>")
            }
        }
    }
}

/// `<img>` of the old site → `<img src="/media/ID">` (placed as a responsive picture when the
/// article is rendered); links to the full-size file → the largest file here.
fn pictures(html: &str, cx: &Context<'_>, report: &mut Converted) -> String {
    let imgs = html_tags::find(html, "img");
    let html = html_tags::replace(html, &imgs, &mut |tag| {
        let src = tag.get("src").unwrap_or_default();
        let id = tag.get("class").and_then(|c| {
            c.split_whitespace()
                .find_map(|c| c.strip_prefix("wp-image-")?.parse::<i64>().ok())
        });
        let found = upload_key(src)
            .and_then(|_| (cx.media)(MediaKey::Url(src)))
            .or_else(|| id.and_then(|id| (cx.media)(MediaKey::AttachmentId(id))));
        match found {
            Some(m) => Some(format!(
                r#"<img src="/media/{}" alt="{}">"#,
                m.id,
                html_tags::escape(tag.get("alt").unwrap_or_default())
            )),
            None => {
                if upload_key(src).is_some() && !report.missing_pictures.iter().any(|p| p == src) {
                    report.missing_pictures.push(src.to_string());
                }
                None
            }
        }
    });
    let links = html_tags::find(&html, "a");
    html_tags::replace(&html, &links, &mut |tag| {
        let href = tag.get("href")?;
        upload_key(href)?;
        let m = (cx.media)(MediaKey::Url(href))?;
        let rest: String = tag
            .attrs
            .iter()
            .filter(|(k, _)| k != "href")
            .map(|(k, v)| format!(r#" {k}="{}""#, html_tags::escape(v)))
            .collect();
        Some(format!(
            r#"<a href="{}"{rest}>"#,
            html_tags::escape(&m.full_url)
        ))
    })
}

/// Links to the old site's own pages become site-relative, so they work under the new address
/// (the paths are kept, or redirect).
fn relative_links(html: &str, base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if base.is_empty() {
        return html.to_string();
    }
    let mut out = html.to_string();
    for quote in ['"', '\''] {
        out = out.replace(&format!("href={quote}{base}/"), &format!("href={quote}/"));
        out = out.replace(
            &format!("href={quote}{base}{quote}"),
            &format!("href={quote}/{quote}"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(key: MediaKey<'_>) -> Option<MediaRef> {
        let full = |id| {
            Some(MediaRef {
                id,
                full_url: format!("/media/full-{id}.jpg"),
            })
        };
        match key {
            MediaKey::Url(u) if upload_key(u).as_deref() == Some("2022/05/harbour.jpg") => full(40),
            MediaKey::AttachmentId(41) => full(41),
            _ => None,
        }
    }

    fn convert(content: &str) -> Converted {
        to_html(
            content,
            &Context {
                base_url: "http://old.example",
                media: &media,
            },
        )
    }

    #[test]
    fn classic_content_gets_paragraphs_and_line_breaks() {
        let html = autop(
            "First line\nsecond line\n\nNext paragraph\n<blockquote>Quoted</blockquote>\n<pre>keep\n\nthis</pre>",
        );
        assert!(
            html.contains("<p>First line<br />\nsecond line</p>"),
            "{html}"
        );
        assert!(html.contains("<p>Next paragraph</p>"), "{html}");
        assert!(html.contains("<blockquote>Quoted</blockquote>"), "{html}");
        assert!(!html.contains("<p><blockquote>"), "{html}");
        assert!(html.contains("<pre>keep\n\nthis</pre>"), "{html}");
        assert_eq!(autop("  \n "), "");
    }

    #[test]
    fn block_comments_go_and_block_content_is_not_re_paragraphed() {
        let c = convert(
            "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:latest-posts /-->\n<!-- wp:paragraph {\"align\":\"center\"} -->\n<p>Two</p>\n<!-- /wp:paragraph -->",
        );
        assert!(!c.html.contains("wp:"), "{}", c.html);
        assert!(
            c.html.contains("<p>One</p>") && c.html.contains("<p>Two</p>"),
            "{}",
            c.html
        );
        assert!(!c.html.contains("<p><p>"), "{}", c.html);
    }

    #[test]
    fn captions_become_figures_with_library_pictures() {
        let c = convert(
            r#"[caption id="attachment_40" align="alignnone" width="300"]<a href="http://old.example/wp-content/uploads/2022/05/harbour.jpg"><img class="size-medium wp-image-40" src="http://old.example/wp-content/uploads/2022/05/harbour-300x200.jpg" alt="The harbour" width="300" height="200" srcset="x 300w" /></a> Boats at dawn[/caption]"#,
        );
        assert!(
            c.html.contains(r#"<figure><a href="/media/full-40.jpg">"#),
            "{}",
            c.html
        );
        assert!(
            c.html
                .contains(r#"<img src="/media/40" alt="The harbour"></a>"#)
                && c.html.contains("<figcaption>Boats at dawn</figcaption>"),
            "{}",
            c.html
        );
        assert!(c.missing_pictures.is_empty());
    }

    #[test]
    fn galleries_embeds_and_unknown_shortcodes() {
        let c = convert(
            "[gallery ids=\"41,99\"]\n\n[embed]https://www.youtube.com/watch?v=abc[/embed]\n\nhttps://twitter.com/x/status/1\n\n[contact-form-7 id=\"5\"] and [sic] [1]",
        );
        assert!(
            c.html.contains(r#"<img src="/media/41" alt="">"#),
            "{}",
            c.html
        );
        assert_eq!(c.missing_pictures, vec!["attachment 99".to_string()]);
        assert!(
            c.html
                .contains(r#"<a href="https://www.youtube.com/watch?v=abc">"#),
            "{}",
            c.html
        );
        assert!(
            c.html
                .contains(r#"<a href="https://twitter.com/x/status/1">"#),
            "{}",
            c.html
        );
        assert!(
            c.html.contains("[contact-form-7 id=\"5\"] and [sic] [1]"),
            "{}",
            c.html
        );
        assert_eq!(c.unknown_shortcodes, vec!["contact-form-7".to_string()]);
    }

    #[test]
    fn old_site_links_become_relative_and_missing_pictures_are_reported() {
        let c = convert(
            r#"<p><a href="http://old.example/2022/05/25/story/">Story</a> <img src="http://old.example/wp-content/uploads/2021/01/gone.png"></p>"#,
        );
        assert!(
            c.html.contains(r#"<a href="/2022/05/25/story/">"#),
            "{}",
            c.html
        );
        assert_eq!(
            c.missing_pictures,
            vec!["http://old.example/wp-content/uploads/2021/01/gone.png".to_string()]
        );
    }

    #[test]
    fn upload_keys_ignore_sizes_and_hosts() {
        for url in [
            "http://old.example/wp-content/uploads/2022/05/Harbour-1024x683.jpg",
            "https://cdn.example/wp-content/uploads/2022/05/harbour-scaled.jpg?x=1",
            "/wp-content/uploads/2022/05/harbour.jpg",
            "wp-content/uploads/2022/05/harbour.jpg",
        ] {
            assert_eq!(
                upload_key(url).as_deref(),
                Some("2022/05/harbour.jpg"),
                "{url}"
            );
        }
        assert_eq!(upload_key("http://old.example/about/"), None);
    }
}
