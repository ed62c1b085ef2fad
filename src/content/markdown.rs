//! Article bodies: Markdown (CommonMark + tables + footnotes + smart punctuation) or imported HTML,
//! always through the sanitizer before anyone sees them.

use pulldown_cmark::{Options, Parser, html};

use crate::content::sanitize;

/// How an article body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

impl Format {
    /// Read a stored format name; anything unknown is treated as Markdown.
    pub fn parse(name: &str) -> Format {
        if name.eq_ignore_ascii_case("html") {
            Format::Html
        } else {
            Format::Markdown
        }
    }
}

/// Render a body source to sanitized HTML.
pub fn render(source: &str, format: Format) -> String {
    let raw = match format {
        Format::Html => source.to_string(),
        Format::Markdown => {
            let options = Options::ENABLE_TABLES
                | Options::ENABLE_FOOTNOTES
                | Options::ENABLE_SMART_PUNCTUATION
                | Options::ENABLE_STRIKETHROUGH;
            let mut out = String::with_capacity(source.len() * 5 / 4);
            html::push_html(&mut out, Parser::new_ext(source, options));
            out
        }
    };
    sanitize::article_html(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_punctuation_tables_and_footnotes() {
        let html = render(
            "\"Quoted\" -- and --- dashes.\n\n|a|b|\n|-|-|\n|1|2|\n\nNote[^1].\n\n[^1]: Here.",
            Format::Markdown,
        );
        assert!(html.contains("“Quoted”"), "{html}");
        assert!(html.contains("–") && html.contains("—"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("footnote"), "{html}");
    }

    #[test]
    fn markdown_cannot_smuggle_scripts() {
        let html = render(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1))",
            Format::Markdown,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
