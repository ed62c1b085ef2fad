//! Text pasted from a word processor or a web page, turned into clean Markdown: headings, links,
//! lists, quotes, bold and italics survive; styles, classes, fonts, images, scripts, tracking
//! parameters and Word's or Google Docs' private markup do not.

use std::sync::LazyLock;

use htmd::element_handler::Handlers;
use htmd::{Element, HtmlToMarkdown};

use crate::content::input::{self, Kind};

/// Query parameters that only track readers; dropped from pasted links.
const TRACKING: [&str; 9] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "fbclid",
    "gclid",
    "mc_eid",
    "igshid",
];

fn style_of(element: &Element) -> String {
    element
        .attrs
        .iter()
        .find(|a| a.name.local.as_ref() == "style")
        .map(|a| a.value.to_string().to_ascii_lowercase().replace(' ', ""))
        .unwrap_or_default()
}

fn attr<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|a| a.name.local.as_ref() == name)
        .map(|a| a.value.as_ref())
}

fn bold_style(style: &str) -> bool {
    style.contains("font-weight:bold")
        || style.contains("font-weight:700")
        || style.contains("font-weight:600")
}

fn italic_style(style: &str) -> bool {
    style.contains("font-style:italic")
}

/// Wrap converted content in a Markdown marker, keeping surrounding spaces outside it.
fn wrap(content: &str, marker: &str) -> String {
    let trimmed = content.trim();
    if trimmed.is_empty() {
        return content.to_string();
    }
    let lead = if content.starts_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    let tail = if content.ends_with(char::is_whitespace) {
        " "
    } else {
        ""
    };
    format!("{lead}{marker}{trimmed}{marker}{tail}")
}

/// A link without tracking parameters; None for anything but http(s) and mailto.
fn clean_href(href: &str) -> Option<String> {
    let lower = href.trim().to_ascii_lowercase();
    if !(lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:"))
    {
        return None;
    }
    let href = href.trim();
    let Some((base, query)) = href.split_once('?') else {
        return Some(href.to_string());
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let key = pair
                .split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            !key.is_empty() && !TRACKING.contains(&key.as_str())
        })
        .collect();
    let mut out = base.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    Some(out)
}

static CONVERTER: LazyLock<HtmlToMarkdown> = LazyLock::new(|| {
    HtmlToMarkdown::builder()
        .skip_tags(vec![
            "script", "style", "head", "title", "meta", "link", "img", "picture", "svg", "iframe",
            "object", "video", "audio", "canvas", "form", "input", "button", "select", "textarea",
            "noscript", "template",
        ])
        // Google Docs wraps a whole paste in <b style="font-weight:normal">; Word and Docs mark bold
        // and italics with styled spans. The style decides, not the tag.
        .add_handler(
            vec!["b", "strong", "span", "font"],
            |handlers: &dyn Handlers, element: Element| {
                let style = style_of(&element);
                let content = handlers.walk_children(element.node).content;
                let tag = element.tag;
                let bold = (matches!(tag, "b" | "strong")
                    && !style.contains("font-weight:normal")
                    && !style.contains("font-weight:400"))
                    || bold_style(&style);
                let italic = italic_style(&style);
                let mut out = content;
                if italic {
                    out = wrap(&out, "*");
                }
                if bold {
                    out = wrap(&out, "**");
                }
                Some(out.into())
            },
        )
        .add_handler(vec!["a"], |handlers: &dyn Handlers, element: Element| {
            let href = attr(&element, "href").and_then(clean_href);
            let content = handlers.walk_children(element.node).content;
            let text = content.trim();
            Some(match href {
                Some(h) if !text.is_empty() => format!("[{text}]({h})").into(),
                _ => content.into(),
            })
        })
        // Word writes list items as paragraphs with a `mso-list` style and a typed bullet or number.
        .add_handler(vec!["p"], |handlers: &dyn Handlers, element: Element| {
            let style = style_of(&element);
            let content = handlers.walk_children(element.node).content;
            let text = content.trim();
            if text.is_empty() {
                return Some("".into());
            }
            if style.contains("mso-list") {
                let numbered = text.split_whitespace().next().is_some_and(|first| {
                    first
                        .trim_end_matches(['.', ')'])
                        .chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
                        && first.ends_with(['.', ')'])
                });
                let item = text
                    .trim_start_matches(['·', '•', '§', 'o', '-', '*'])
                    .trim_start();
                let item = if numbered {
                    item.split_once(char::is_whitespace)
                        .map(|(_, rest)| rest.trim())
                        .unwrap_or(item)
                } else {
                    item
                };
                let marker = if numbered { "1." } else { "-" };
                return Some(format!("\n{marker} {item}\n").into());
            }
            Some(format!("\n\n{text}\n\n").into())
        })
        .build()
});

/// Pasted HTML as clean Markdown.
pub fn to_markdown(html: &str) -> String {
    // Word's conditional comments (<![if !supportLists]>…) hold the typed bullets twice.
    let html = html
        .replace("<![if !supportLists]>", "")
        .replace("<![endif]>", "");
    let markdown = CONVERTER.convert(&html).unwrap_or_default();
    let cleaned =
        input::shown(&markdown.replace('\u{a0}', " "), Kind::Long).replace('\u{FFFD}', "");
    // Word and web pages leave runs of blank lines; one is a paragraph break.
    let mut out = String::with_capacity(cleaned.len());
    let mut blank = 0;
    for line in cleaned.lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank == 1 {
                out.push('\n');
            }
        } else {
            blank = 0;
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_pages_keep_structure_and_lose_styles_and_tracking() {
        let html = r#"<meta charset="utf-8"><h2 style="color:red" class="x">Talks resume</h2>
<p>Officials <strong>met</strong> in <em>Istanbul</em>, says <a href="https://bbc.co.uk/news?utm_source=tw&amp;id=7&amp;fbclid=abc" onclick="track()">the BBC</a>.</p>
<ul><li>One</li><li>Two</li></ul><blockquote><p>“Quoted”</p></blockquote>
<img src="https://tracker.example/p.gif" width="1"><script>alert(1)</script>"#;
        let md = to_markdown(html);
        assert!(md.contains("## Talks resume"), "{md}");
        assert!(md.contains("**met**") && md.contains("*Istanbul*"), "{md}");
        assert!(
            md.contains("[the BBC](https://bbc.co.uk/news?id=7)"),
            "{md}"
        );
        assert!(
            md.contains("*   One\n*   Two") && md.contains("> “Quoted”"),
            "{md}"
        );
        assert!(
            !md.contains("tracker") && !md.contains("alert") && !md.contains("color"),
            "{md}"
        );
    }

    #[test]
    fn google_docs_bold_wrapper_and_styled_spans() {
        let html = r#"<b style="font-weight:normal;" id="docs-internal-guid-1"><p dir="ltr"><span style="font-weight:700;">Bold</span> and <span style="font-style:italic;">italic</span> and plain.</p></b>"#;
        let md = to_markdown(html);
        assert_eq!(md, "**Bold** and *italic* and plain.");
    }

    #[test]
    fn word_list_paragraphs_become_lists() {
        let html = r#"<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol'>·<span>&nbsp;&nbsp;</span></span><![endif]>First point</p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><![if !supportLists]><span>·<span>&nbsp;</span></span><![endif]>Second point</p>
<p class=MsoNormal><b>Bold line</b><o:p></o:p></p>"#;
        let md = to_markdown(html);
        assert!(
            md.contains("- First point") && md.contains("- Second point"),
            "{md}"
        );
        assert!(md.contains("**Bold line**"), "{md}");
        assert!(!md.contains("mso") && !md.contains("o:p"), "{md}");
    }

    #[test]
    fn control_characters_never_come_through() {
        assert_eq!(to_markdown("<p>a\u{0}b\u{b}c</p>"), "abc");
    }
}
