//! Splitting text into words for the index: runs of letters and digits, except that Chinese and
//! Japanese characters (written without spaces) are a word each, so "東京都" is found by "東京"
//! as a phrase of characters, as search engines without a dictionary do.

use std::str::CharIndices;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The tokenizer.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// Its stream of words.
pub struct WordStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<CharIndices<'a>>,
    token: &'a mut Token,
}

/// Han ideographs, kana and their marks: scripts written without spaces between words.
pub fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'   // hiragana, katakana
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{f900}'..='\u{faff}' // compatibility ideographs
        | '\u{ff66}'..='\u{ff9f}' // half-width katakana
        | '\u{20000}'..='\u{2fa1f}')
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            chars: text.char_indices().peekable(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        while let Some((from, c)) = self.chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let mut to = from + c.len_utf8();
            if !is_unspaced(c) {
                while let Some(&(at, n)) = self.chars.peek() {
                    if !n.is_alphanumeric() || is_unspaced(n) {
                        break;
                    }
                    to = at + n.len_utf8();
                    self.chars.next();
                }
            }
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.text.push_str(&self.text[from..to]);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut t = WordTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn unspaced_scripts_are_a_word_a_character() {
        assert_eq!(
            words("東京都の知事 Tokyo-2025"),
            vec!["東", "京", "都", "の", "知", "事", "Tokyo", "2025"]
        );
        assert_eq!(words("Kyiv’s talks"), vec!["Kyiv", "s", "talks"]);
        assert_eq!(
            words("서울 시장"),
            vec!["서울", "시장"],
            "Korean is written with spaces"
        );
    }
}
