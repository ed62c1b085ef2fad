//! Stemming by script: Cyrillic words get the Russian stemmer, Latin ones the English stemmer,
//! anything else stays as written. One field then serves both languages of the site (and a
//! query finds "переговоры" from "переговорах" as it finds "talks" from "talk").

use std::cell::RefCell;
use std::collections::HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words stemmed on this thread, kept: words repeat (a language's commonest few thousand make
/// most of any text), so each is stemmed once rather than at every occurrence.
const STEMS_KEPT: usize = 50_000;

thread_local! {
    static STEMS: RefCell<HashMap<Box<str>, Box<str>, foldhash::fast::RandomState>> =
        RefCell::new(HashMap::default());
}

/// The token filter (after lower-casing).
#[derive(Clone, Copy, Default)]
pub struct ScriptStemmer;

impl TokenFilter for ScriptStemmer {
    type Tokenizer<T: Tokenizer> = ScriptStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ScriptStemmerFilter<T> {
        ScriptStemmerFilter { inner: tokenizer }
    }
}

/// A tokenizer wrapped by `ScriptStemmer`.
#[derive(Clone)]
pub struct ScriptStemmerFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ScriptStemmerFilter<T> {
    type TokenStream<'a> = ScriptStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ScriptStemmerStream {
            tail: self.inner.token_stream(text),
            english: Stemmer::create(Algorithm::English),
            russian: Stemmer::create(Algorithm::Russian),
        }
    }
}

/// The stream of stemmed tokens.
pub struct ScriptStemmerStream<T> {
    tail: T,
    english: Stemmer,
    russian: Stemmer,
}

/// Which stemmer a (lower-cased) word takes.
fn stemmer_for<'s>(word: &str, english: &'s Stemmer, russian: &'s Stemmer) -> Option<&'s Stemmer> {
    if word.is_ascii() {
        word.bytes()
            .all(|b| b.is_ascii_alphabetic())
            .then_some(english)
    } else if word.chars().any(|c| ('\u{0400}'..='\u{04ff}').contains(&c)) {
        Some(russian)
    } else {
        None
    }
}

impl<T: TokenStream> TokenStream for ScriptStemmerStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stemmer) = stemmer_for(&token.text, &self.english, &self.russian) {
            STEMS.with_borrow_mut(|stems| {
                if let Some(stem) = stems.get(token.text.as_str()) {
                    token.text.clear();
                    token.text.push_str(stem);
                    return;
                }
                if stems.len() >= STEMS_KEPT {
                    stems.clear();
                }
                let stem: Box<str> = stemmer.stem(&token.text).into();
                let word: Box<str> = std::mem::take(&mut token.text).into();
                token.text.push_str(&stem);
                stems.insert(word, stem);
            });
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
