//! Pictures placed in an article: `![alt](/media/42 "caption")` in Markdown becomes a figure with a
//! WebP `srcset`, a JPEG/PNG fallback, width and height (no layout shift), and a caption with the
//! credit. Everything here is escaped as it is written out, so it needs no sanitizing after.

use crate::content::input;

/// What a figure needs to know of a picture of the library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figure {
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub width: u32,
    pub height: u32,
    /// (width, URL) of each WebP size, narrowest first.
    pub webp: Vec<(u32, String)>,
    /// (width, URL) of each JPEG or PNG size, narrowest first.
    pub fallback: Vec<(u32, String)>,
}

/// The `sizes` of a picture in the article column.
pub const ARTICLE_SIZES: &str = "(min-width: 48rem) 42rem, 100vw";

/// The library id a Markdown image points to: `/media/42` (or `media:42`).
pub fn media_id(dest: &str) -> Option<i64> {
    let id = dest
        .strip_prefix("/media/")
        .or_else(|| dest.strip_prefix("media:"))?;
    id.trim_end_matches('/').parse().ok().filter(|id| *id > 0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `url 320w, url 640w…`.
pub fn srcset(sizes: &[(u32, String)]) -> String {
    sizes
        .iter()
        .map(|(w, url)| format!("{} {w}w", escape(url)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Figure {
    /// The largest fallback, for `src`.
    pub fn src(&self) -> &str {
        self.fallback
            .last()
            .map(|(_, u)| u.as_str())
            .unwrap_or_default()
    }

    /// `<picture>` with its sources and `img`; `alt` wins over the library's when not empty.
    pub fn picture(&self, alt: &str, sizes: &str, lazy: bool) -> String {
        let alt = if alt.trim().is_empty() {
            &self.alt
        } else {
            alt
        };
        format!(
            r#"<picture><source type="image/webp" srcset="{webp}" sizes="{sizes}"><img src="{src}" srcset="{fallback}" sizes="{sizes}" width="{w}" height="{h}" alt="{alt}"{lazy} decoding="async"></picture>"#,
            webp = srcset(&self.webp),
            sizes = escape(sizes),
            src = escape(self.src()),
            fallback = srcset(&self.fallback),
            w = self.width,
            h = self.height,
            alt = escape(&input::shown(alt, input::Kind::Line)),
            lazy = if lazy { r#" loading="lazy""# } else { "" },
        )
    }

    /// A whole figure: the picture, then the caption (`caption` wins when not empty) and credit.
    pub fn html(&self, alt: &str, caption: &str) -> String {
        let caption = if caption.trim().is_empty() {
            &self.caption
        } else {
            caption
        };
        let mut out = format!(
            r#"<figure class="media-figure">{}"#,
            self.picture(alt, ARTICLE_SIZES, true)
        );
        if !caption.trim().is_empty() || !self.credit.trim().is_empty() {
            out.push_str("<figcaption>");
            out.push_str(&escape(caption.trim()));
            if !self.credit.trim().is_empty() {
                if !caption.trim().is_empty() {
                    out.push(' ');
                }
                out.push_str(&format!("<small>{}</small>", escape(self.credit.trim())));
            }
            out.push_str("</figcaption>");
        }
        out.push_str("</figure>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig() -> Figure {
        Figure {
            alt: "Library alt".into(),
            caption: "The reading room".into(),
            credit: "Photo: Ann <Lee>".into(),
            width: 1600,
            height: 900,
            webp: vec![
                (320, "/media/a.webp".into()),
                (1600, "/media/b.webp".into()),
            ],
            fallback: vec![(320, "/media/a.jpg".into()), (1600, "/media/b.jpg".into())],
        }
    }

    #[test]
    fn media_links_name_library_pictures() {
        assert_eq!(media_id("/media/42"), Some(42));
        assert_eq!(media_id("media:7"), Some(7));
        assert_eq!(media_id("/media/abc.jpg"), None);
        assert_eq!(media_id("https://e.org/media/4"), None);
    }

    #[test]
    fn figures_carry_sizes_dimensions_caption_and_escaped_credit() {
        let html = fig().html("", "");
        assert!(
            html.contains(r#"srcset="/media/a.webp 320w, /media/b.webp 1600w""#),
            "{html}"
        );
        assert!(
            html.contains(r#"src="/media/b.jpg""#) && html.contains(r#"width="1600" height="900""#)
        );
        assert!(html.contains(r#"alt="Library alt""#));
        assert!(html.contains(
            "<figcaption>The reading room <small>Photo: Ann &lt;Lee&gt;</small></figcaption>"
        ));
        assert!(
            fig()
                .html("Own \"alt\"", "")
                .contains(r#"alt="Own &quot;alt&quot;""#)
        );
    }
}
