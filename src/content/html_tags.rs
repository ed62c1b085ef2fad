//! Finding tags in an HTML string and reading their attributes, for the few rewrites done on
//! stored HTML (pictures of the library, imported WordPress markup). The result is always passed
//! through the sanitizer afterwards, so this only has to find tags, not to judge them.

/// One start tag found in a string: where it is and its attributes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub start: usize,
    pub end: usize,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    /// An attribute's value (names compared without case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every `<name …>` start tag in `html`, in order (`name` lowercase).
pub fn find(html: &str, name: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rel) = html[at..].find('<') {
        let start = at + rel;
        let after = start + 1;
        let name_end = after + name.len();
        let matches = name_end <= html.len()
            && html.is_char_boundary(name_end)
            && html[after..name_end].eq_ignore_ascii_case(name)
            && bytes
                .get(name_end)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        if !matches {
            at = after;
            continue;
        }
        let (attrs, end) = attributes(html, name_end);
        out.push(Tag { start, end, attrs });
        at = end;
    }
    out
}

/// Read attributes from `from` to the closing `>` (quotes respected); returns them and the index
/// just past the `>`.
fn attributes(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = from;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let v_start = i + 1;
                i = v_start;
                while i < b.len() && b[i] != quote {
                    i += 1;
                }
                value = decode(&html[v_start..i.min(b.len())]);
                i = (i + 1).min(b.len());
            } else {
                let v_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode(&html[v_start..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// The few entities attribute values (and WordPress's escaped term names) carry in practice.
pub fn decode(v: &str) -> String {
    if !v.contains('&') {
        return v.to_string();
    }
    v.replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#038;", "&")
        .replace("&amp;", "&")
}

/// Escape text for an attribute value.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Replace some found tags: `with` returns the new text of a tag, or None to keep it.
pub fn replace(html: &str, tags: &[Tag], with: &mut dyn FnMut(&Tag) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for tag in tags {
        if let Some(new) = with(tag) {
            out.push_str(&html[at..tag.start]);
            out.push_str(&new);
            at = tag.end;
        }
    }
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_attributes_are_found_with_any_quoting() {
        let html = r#"<p>x <IMG class="wp-image-5 size-full" src='/a.jpg' alt="A &quot;b&quot;" width=300 hidden/> <imgx src="n"> <img src="/b.jpg"></p>"#;
        let tags = find(html, "img");
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0].get("src"), Some("/a.jpg"));
        assert_eq!(tags[0].get("alt"), Some("A \"b\""));
        assert_eq!(tags[0].get("width"), Some("300"));
        assert_eq!(tags[0].get("hidden"), Some(""));
        assert_eq!(&html[tags[1].start..tags[1].end], r#"<img src="/b.jpg">"#);
        let out = replace(html, &tags, &mut |t| {
            (t.get("src") == Some("/b.jpg")).then(|| "<B>".to_string())
        });
        assert!(out.ends_with("<B></p>"), "{out}");
    }

    #[test]
    fn unfinished_tags_do_not_panic() {
        assert_eq!(find("<img src=\"x", "img").len(), 1);
        assert!(find("<im", "img").is_empty());
        assert!(find("<img", "img").is_empty());
        assert!(find("é<imgé", "img").is_empty());
    }
}
