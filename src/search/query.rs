//! A reader's search text, read the forgiving way: quoted phrases, plain words and the word still
//! being typed. No query syntax reaches the engine (field names, operators and brackets are only
//! words), so no input can fail or reach fields readers should not search.

/// The longest search text read; the rest is ignored.
pub const MAX_CHARS: usize = 200;

/// At most this many words and phrases count.
const MAX_PARTS: usize = 16;

/// What a search asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Every one of these words must match (in any form: they are stemmed).
    pub words: Vec<String>,
    /// Every one of these phrases must match, its words in order.
    pub phrases: Vec<String>,
    /// The last word, if the text does not end with a space: also matched as the start of a word.
    pub prefix: Option<String>,
    /// No match may have these words (written `-word`, as WordPress and search engines read it).
    pub excluded: Vec<String>,
}

impl Parsed {
    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }
}

/// Read a search text.
pub fn parse(text: &str) -> Parsed {
    let text: String = text
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = Parsed::default();
    // Straight and typographic double quotes open and close phrases; an unclosed one is ignored.
    let normalized = text.replace(['“', '”', '„', '«', '»'], "\"");
    let pieces: Vec<&str> = normalized.split('"').collect();
    let closed = pieces.len() % 2 == 1;
    for (i, piece) in pieces.iter().enumerate() {
        let in_quotes = i % 2 == 1 && (closed || i + 1 < pieces.len());
        if in_quotes {
            let words: Vec<&str> = piece
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            match words.len() {
                0 => {}
                1 => out.words.push(words[0].to_lowercase()),
                _ => out.phrases.push(words.join(" ").to_lowercase()),
            }
        } else {
            for token in piece.split_whitespace() {
                let (into, token) = match token.strip_prefix('-') {
                    Some(rest) => (&mut out.excluded, rest),
                    None => (&mut out.words, token),
                };
                into.extend(
                    token
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(str::to_lowercase),
                );
            }
        }
    }
    let ends_in_word = normalized.chars().last().is_some_and(char::is_alphanumeric);
    let last_excluded = normalized
        .split_whitespace()
        .last()
        .is_some_and(|t| t.starts_with('-'));
    if ends_in_word && !last_excluded {
        out.prefix = out.words.last().filter(|w| w.chars().count() >= 2).cloned();
    }
    let mut seen = std::collections::HashSet::new();
    out.words.retain(|w| seen.insert(w.clone()));
    out.words.truncate(MAX_PARTS);
    out.phrases.truncate(MAX_PARTS);
    out.excluded.truncate(MAX_PARTS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_words_and_the_word_being_typed() {
        let p = parse("\"Prisoner exchange\" Istanbul talk");
        assert_eq!(p.phrases, vec!["prisoner exchange"]);
        assert_eq!(p.words, vec!["istanbul", "talk"]);
        assert_eq!(p.prefix.as_deref(), Some("talk"));
        assert_eq!(parse("talks ").prefix, None);
    }

    #[test]
    fn hostile_text_is_only_words() {
        let p = parse("<script>alert(1)</script> title:x AND (y OR \"z");
        assert_eq!(
            p.words,
            vec!["script", "alert", "1", "title", "x", "and", "y", "or", "z"]
        );
        assert!(p.phrases.is_empty(), "an unclosed quote is no phrase");
        assert!(parse(&"a".repeat(10_000)).words[0].len() <= MAX_CHARS);
        assert!(parse("\"\" ** ::").is_empty());
        assert!(parse(&"w ".repeat(1000)).words.len() <= MAX_PARTS);
    }

    #[test]
    fn a_leading_minus_excludes_a_word() {
        let p = parse("ceasefire -Gaza well-known");
        assert_eq!(p.words, vec!["ceasefire", "well", "known"]);
        assert_eq!(p.excluded, vec!["gaza"]);
        let p = parse("talks -istanbul");
        assert_eq!(
            p.prefix, None,
            "the excluded word is not the one being typed"
        );
        assert!(
            parse("-gaza").is_empty(),
            "nothing asked for, only something refused"
        );
    }

    #[test]
    fn typographic_quotes_make_phrases() {
        assert_eq!(parse("«обмен пленными»").phrases, vec!["обмен пленными"]);
    }
}
