//! Excerpts and reading time from rendered HTML.

use crate::content::sanitize::plain_text;

/// WordPress's excerpt length in words.
pub const EXCERPT_WORDS: usize = 55;

/// The first `EXCERPT_WORDS` words of the body's text, with an ellipsis if cut.
pub fn excerpt(html: &str) -> String {
    let text = plain_text(html);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= EXCERPT_WORDS {
        words.join(" ")
    } else {
        let cut = words[..EXCERPT_WORDS].join(" ");
        format!(
            "{}…",
            cut.trim_end_matches(['.', ',', ';', ':', '—', '–', '-'])
        )
    }
}

/// Minutes to read at 220 words a minute, at least one.
///
/// Runs on every article view, so it counts words outside tags in one pass instead of parsing HTML.
pub fn reading_minutes(html: &str) -> u32 {
    let mut words: usize = 0;
    let mut in_tag = false;
    let mut in_word = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                in_word = false;
            }
            '>' => in_tag = false,
            c if in_tag || c.is_whitespace() => in_word = false,
            _ => {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            }
        }
    }
    (words.div_ceil(220)).max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_bodies_are_their_own_excerpt() {
        assert_eq!(excerpt("<p>Hello <b>world</b></p>"), "Hello world");
    }

    #[test]
    fn long_bodies_are_cut_with_an_ellipsis() {
        let body = "word ".repeat(100);
        let e = excerpt(&body);
        assert!(e.ends_with('…'));
        assert_eq!(e.split_whitespace().count(), EXCERPT_WORDS);
        assert!(excerpt(&"end. ".repeat(60)).ends_with("end…"));
    }

    #[test]
    fn reading_time_rounds_up() {
        assert_eq!(reading_minutes("one"), 1);
        assert_eq!(reading_minutes(&"w ".repeat(221)), 2);
        let para = "<p class=\"a b c\">w</p>\n";
        assert_eq!(reading_minutes(&para.repeat(220)), 1, "tags are not words");
        assert_eq!(reading_minutes(&para.repeat(221)), 2);
    }
}
