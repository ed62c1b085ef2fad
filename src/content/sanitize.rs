//! Sanitizers: what article and comment HTML may contain. Built on ammonia (html5ever), so
//! anything executable is removed whatever the input looks like.

use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::Builder;

static ARTICLE: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.add_tags([
        "figure",
        "figcaption",
        "section",
        "aside",
        "mark",
        "time",
        "picture",
        "source",
        "small",
    ])
    .add_generic_attributes(["id"])
    .add_tag_attributes("a", ["href", "title"])
    .add_tag_attributes(
        "img",
        [
            "src", "alt", "title", "width", "height", "loading", "srcset", "sizes", "decoding",
        ],
    )
    .add_tag_attributes("source", ["type", "srcset", "sizes", "media"])
    .add_allowed_classes("figure", ["media-figure"])
    .add_tag_attributes("td", ["colspan", "rowspan"])
    .add_tag_attributes("th", ["colspan", "rowspan"])
    .add_tag_attributes("time", ["datetime"])
    .add_tag_attributes("ol", ["start"])
    .add_tag_attributes("li", ["id"])
    .add_allowed_classes("div", ["footnote-definition"])
    .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
    .link_rel(Some("noopener"))
    .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
    .id_prefix(None);
    b
});

static COMMENT: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.tags(HashSet::from([
        "a",
        "b",
        "strong",
        "em",
        "i",
        "code",
        "blockquote",
        "q",
        "del",
        "p",
        "br",
    ]))
    .tag_attributes([("a", HashSet::from(["href"]))].into())
    .link_rel(Some("nofollow ugc"))
    .url_schemes(HashSet::from(["http", "https", "mailto"]));
    b
});

/// Sanitize article HTML (from Markdown or an import).
pub fn article_html(html: &str) -> String {
    ARTICLE.clean(html).to_string()
}

/// Turn a comment as submitted into safe HTML: the small allowed subset, links `nofollow ugc`,
/// blank lines into paragraphs and single newlines into `<br>` as WordPress's wpautop does.
pub fn comment_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut html = String::with_capacity(text.len() + 16);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        html.push_str("<p>");
        html.push_str(&para.replace('\n', "<br>\n"));
        html.push_str("</p>\n");
    }
    COMMENT.clean(&html).to_string()
}

/// Strip all markup, keeping the text (for excerpts and feeds' plain fields).
pub fn plain_text(html: &str) -> String {
    let cleaned = Builder::empty().clean(html).to_string();
    decode_entities(&cleaned)
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_keep_the_small_subset_and_lose_the_rest() {
        let html = comment_html(
            "<b>bold</b> <img src=x onerror=alert(1)> <a href=\"https://e.example\" onclick=\"x()\">l</a>",
        );
        assert!(html.contains("<b>bold</b>"));
        assert!(!html.contains("img") && !html.contains("onerror") && !html.contains("onclick"));
        assert!(html.contains("rel=\"nofollow ugc\""), "{html}");
    }

    #[test]
    fn comment_paragraphs_and_line_breaks() {
        assert_eq!(
            comment_html("one\ntwo\n\nthree"),
            "<p>one<br>\ntwo</p>\n<p>three</p>\n"
        );
    }

    #[test]
    fn articles_lose_scripts_styles_and_handlers() {
        let html = article_html(
            "<p onclick=x()>hi</p><script>x()</script><style>p{}</style><iframe src=//e></iframe>",
        );
        assert_eq!(html, "<p>hi</p>");
    }

    #[test]
    fn plain_text_decodes_entities_once() {
        assert_eq!(plain_text("<p>Tom &amp; Jerry &lt;3</p>"), "Tom & Jerry <3");
    }
}
