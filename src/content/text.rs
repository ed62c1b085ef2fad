//! Excerpts and reading time from rendered HTML.

/// WordPress's excerpt length in words.
pub const EXCERPT_WORDS: usize = 55;

/// The first `EXCERPT_WORDS` words of the body's text, with an ellipsis if cut.
///
/// `html` is sanitized HTML (a stored body), so reading the text between tags in one pass is
/// exact, and it stops after the words it needs: an import makes 100,000 of these.
pub fn excerpt(html: &str) -> String {
    let (words, more) = first_words(html, EXCERPT_WORDS);
    if !more {
        words.join(" ")
    } else {
        let cut = words.join(" ");
        format!(
            "{}…",
            cut.trim_end_matches(['.', ',', ';', ':', '—', '–', '-'])
        )
    }
}

/// The whole text of sanitized HTML, entities decoded, words separated by single spaces (for the
/// search index, which must read 5,000 articles a second).
pub fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut space = false;
    walk(html, |piece| {
        match piece {
            Some(c) => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
            None => space = true,
        }
        true
    });
    out
}

/// The first `max` words of the text of sanitized HTML (entities decoded), and whether more follow.
fn first_words(html: &str, max: usize) -> (Vec<String>, bool) {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut more = false;
    walk(html, |piece| match piece {
        Some(c) => {
            if words.len() == max {
                more = true;
                return false;
            }
            word.push(c);
            true
        }
        None => {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            true
        }
    });
    if !word.is_empty() {
        words.push(word);
    }
    (words, more)
}

/// Walk the text of sanitized HTML: `emit(Some(c))` for each character of a word (entities
/// decoded), `emit(None)` where white space separates words; tags are skipped and do not part
/// words. Stops when `emit` says false.
fn walk(html: &str, mut emit: impl FnMut(Option<char>) -> bool) {
    let mut chars = html.chars().peekable();
    let mut quote: Option<char> = None;
    let mut in_tag = false;
    let mut name = String::new();
    while let Some(c) = chars.next() {
        if in_tag {
            match (c, quote) {
                ('"' | '\'', None) => quote = Some(c),
                (q, Some(open)) if q == open => quote = None,
                ('>', None) => in_tag = false,
                _ => {}
            }
            continue;
        }
        let go_on = match c {
            '<' => {
                in_tag = true;
                true
            }
            '&' => {
                name.clear();
                while let Some(&n) = chars.peek() {
                    if n == ';' || name.len() > 10 || !(n.is_ascii_alphanumeric() || n == '#') {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
                let decoded = if chars.peek() == Some(&';') {
                    chars.next();
                    entity(&name)
                } else {
                    None
                };
                match decoded {
                    Some(ch) if ch.is_whitespace() => emit(None),
                    Some(ch) => emit(Some(ch)),
                    None => std::iter::once('&')
                        .chain(name.chars())
                        .all(|c| emit(Some(c))),
                }
            }
            c if c.is_whitespace() => emit(None),
            c => emit(Some(c)),
        };
        if !go_on {
            return;
        }
    }
}

/// The character an HTML entity (`amp`, `#8217`, `#x2014`) stands for, for the ones sanitized
/// HTML carries.
fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        n => {
            let digits = n.strip_prefix('#')?;
            let code = match digits.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => digits.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Minutes to read at 220 words a minute, at least one.
pub fn reading_minutes(html: &str) -> u32 {
    minutes_for(word_count(html))
}

/// Minutes to read `words` words at 220 a minute, at least one.
pub fn minutes_for(words: usize) -> u32 {
    (words.div_ceil(220)).max(1) as u32
}

/// Words of the text of sanitized HTML.
///
/// Runs on every article view, so it counts words outside tags in one pass instead of parsing HTML.
pub fn word_count(html: &str) -> usize {
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
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_every_word() {
        assert_eq!(
            plain("<p>Talks &amp; <b>truce</b></p>\n<p>Kyiv&#8217;s</p>"),
            "Talks & truce Kyiv’s"
        );
        assert_eq!(
            plain("  a&unknown <i>b</i>&nbsp;&#x2014;c\n"),
            "a&unknown b —c",
            "unknown entities are text, a decoded space parts words, no space at the ends"
        );
    }

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
    fn excerpts_read_text_and_entities_not_markup() {
        assert_eq!(
            excerpt("<p title=\"a > b\">Tom &amp; Jerry &lt;3&#8230;</p>\n<p>Next&nbsp;one</p>"),
            "Tom & Jerry <3\u{2026} Next one"
        );
        assert_eq!(excerpt("<p>a&unknown b</p>"), "a&unknown b");
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
