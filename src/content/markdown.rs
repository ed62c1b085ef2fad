//! Article bodies: Markdown (CommonMark + tables + footnotes + smart punctuation) or imported HTML,
//! always through the sanitizer before anyone sees them.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use crate::content::figure::{self, Figure};
use crate::content::html_tags;
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

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_SMART_PUNCTUATION)
    .union(Options::ENABLE_STRIKETHROUGH);

/// Render a body source to sanitized HTML (pictures of the library left as plain images).
pub fn render(source: &str, format: Format) -> String {
    render_with(source, format, &|_| None)
}

/// Render a body source to sanitized HTML, placing pictures of the library (`![alt](/media/42)`)
/// with what `figures` knows of them: alone in a paragraph, a figure with caption and credit;
/// inside a sentence, a responsive picture.
pub fn render_with(
    source: &str,
    format: Format,
    figures: &dyn Fn(i64) -> Option<Figure>,
) -> String {
    let raw = match format {
        Format::Html => place_in_html(source, figures),
        Format::Markdown => {
            let events = place_figures(Parser::new_ext(source, OPTIONS).collect(), figures);
            let mut out = String::with_capacity(source.len() * 5 / 4);
            html::push_html(&mut out, events.into_iter());
            out
        }
    };
    sanitize::article_html(&raw)
}

/// The pictures of the library a Markdown body places, in order, each once.
pub fn media_ids(source: &str, format: Format) -> Vec<i64> {
    let mut ids = Vec::new();
    if format == Format::Html {
        for (id, _) in html_pictures(source) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    } else {
        for event in Parser::new_ext(source, OPTIONS) {
            if let Event::Start(Tag::Image { dest_url, .. }) = event
                && let Some(id) = figure::media_id(&dest_url)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
    }
    ids
}

/// The alt text a Markdown body gives each picture of the library it places.
pub fn media_alts(source: &str, format: Format) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    if format == Format::Html {
        return html_pictures(source);
    }
    let mut current: Option<(i64, String)> = None;
    for event in Parser::new_ext(source, OPTIONS) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                current = figure::media_id(&dest_url).map(|id| (id, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, alt)) = current.as_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// The pictures of the library an HTML body places (`<img src="/media/42" alt="…">`), with their alt.
fn html_pictures(source: &str) -> Vec<(i64, String)> {
    html_tags::find(source, "img")
        .iter()
        .filter_map(|t| {
            let id = figure::media_id(t.get("src")?)?;
            Some((id, t.get("alt").unwrap_or_default().to_string()))
        })
        .collect()
}

/// In an HTML body (an imported one), each `<img src="/media/42">` becomes the responsive picture;
/// the figure and caption around it are the body's own.
fn place_in_html(source: &str, figures: &dyn Fn(i64) -> Option<Figure>) -> String {
    let tags = html_tags::find(source, "img");
    html_tags::replace(source, &tags, &mut |t| {
        let fig = figure::media_id(t.get("src")?).and_then(figures)?;
        Some(fig.picture(
            t.get("alt").unwrap_or_default(),
            figure::ARTICLE_SIZES,
            true,
        ))
    })
}

fn place_figures<'a>(
    events: Vec<Event<'a>>,
    figures: &dyn Fn(i64) -> Option<Figure>,
) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &events[i]
            && let Some(fig) = figure::media_id(dest_url).and_then(figures)
        {
            let mut alt = String::new();
            let mut end = i + 1;
            while end < events.len() && !matches!(events[end], Event::End(TagEnd::Image)) {
                if let Event::Text(t) | Event::Code(t) = &events[end] {
                    alt.push_str(t);
                }
                end += 1;
            }
            let alone = matches!(out.last(), Some(Event::Start(Tag::Paragraph)))
                && matches!(events.get(end + 1), Some(Event::End(TagEnd::Paragraph)));
            if alone {
                out.pop();
                out.push(Event::Html(fig.html(&alt, title).into()));
                i = end + 2;
            } else {
                out.push(Event::InlineHtml(
                    fig.picture(&alt, figure::ARTICLE_SIZES, true).into(),
                ));
                i = end + 1;
            }
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    out
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
    fn library_pictures_become_figures_with_their_caption() {
        let fig = Figure {
            alt: "A library".into(),
            caption: "Stored caption".into(),
            credit: "Photo: Newsroom".into(),
            width: 640,
            height: 360,
            webp: vec![(640, "/media/x.webp".into())],
            fallback: vec![(640, "/media/x.jpg".into())],
        };
        let lookup = |id: i64| (id == 4).then(|| fig.clone());
        let source = "Intro.\n\n![Readers at the desks](/media/4 \"Reopened on Monday\")\n\nText ![](/media/4) inline, ![x](/media/9) unknown.";
        let html = render_with(source, Format::Markdown, &lookup);
        assert!(
            html.contains("<figure class=\"media-figure\"><picture><source type=\"image/webp\""),
            "{html}"
        );
        assert!(html.contains("alt=\"Readers at the desks\""), "{html}");
        assert!(
            html.contains(
                "<figcaption>Reopened on Monday <small>Photo: Newsroom</small></figcaption>"
            ),
            "{html}"
        );
        assert!(
            !html.contains("<p><figure"),
            "a figure is not put inside a paragraph: {html}"
        );
        assert!(
            html.contains("Text <picture>"),
            "inline pictures stay in the sentence: {html}"
        );
        assert!(
            html.contains("src=\"/media/9\""),
            "an unknown picture stays a plain image: {html}"
        );
        assert_eq!(media_ids(source, Format::Markdown), vec![4, 9]);
        assert_eq!(
            media_alts(source, Format::Markdown),
            vec![
                (4, "Readers at the desks".into()),
                (4, String::new()),
                (9, "x".into())
            ]
        );
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

    #[test]
    fn imported_html_places_library_pictures_too() {
        let source = r#"<figure><img src="/media/7" alt="Boats"><figcaption>Dawn</figcaption></figure><p><img src="/media/8"> <img src="https://e.org/x.jpg" alt="x"></p>"#;
        assert_eq!(media_ids(source, Format::Html), vec![7, 8]);
        assert_eq!(
            media_alts(source, Format::Html),
            vec![(7, "Boats".to_string()), (8, String::new())]
        );
        let fig = Figure {
            width: 640,
            height: 480,
            fallback: vec![(640, "/media/ab.jpg".into())],
            ..Figure::default()
        };
        let html = render_with(source, Format::Html, &|id| (id == 7).then(|| fig.clone()));
        assert!(
            html.contains(r#"<picture><source type="image/webp""#),
            "{html}"
        );
        assert!(
            html.contains(r#"alt="Boats""#) && html.contains("<figcaption>Dawn</figcaption>"),
            "{html}"
        );
        assert!(
            html.contains(r#"src="/media/8""#),
            "an unknown id stays as written: {html}"
        );
    }
}
