//! Documents that are costly to make and change only when the site does (the sitemaps), kept in
//! memory with the change-log position they were made at: a newer entry in the log makes them
//! stale, so they are never out of date, and between changes they cost one lookup.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// At most this many documents are kept; past it the memo starts again empty.
const MAX_ENTRIES: usize = 1024;

/// The memo (one per node).
#[derive(Default)]
pub struct Memo {
    entries: Mutex<HashMap<String, (i64, Arc<String>)>>,
}

impl Memo {
    /// The document kept under `key`, if it was made at change-log position `stamp`.
    pub fn get(&self, key: &str, stamp: i64) -> Option<Arc<String>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| *at == stamp)
            .map(|(_, body)| body.clone())
    }

    /// Keep `body` under `key`, made at `stamp`.
    pub fn put(&self, key: &str, stamp: i64, body: Arc<String>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.clear();
        }
        entries.insert(key.to_string(), (stamp, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_change_makes_a_document_stale() {
        let m = Memo::default();
        m.put("/sitemap.xml", 7, Arc::new("a".into()));
        assert_eq!(
            m.get("/sitemap.xml", 7).as_deref().map(String::as_str),
            Some("a")
        );
        assert!(m.get("/sitemap.xml", 8).is_none());
        assert!(m.get("/other.xml", 7).is_none());
    }
}
