//! Rows that pages show, kept in memory by id: terms, people and pictures (many pages show each),
//! and each article's own rows (the article, its links, approved comments and corrections), so a
//! page built again after its answer left the page cache reads only what changed. The change log
//! drops them exactly as it drops pages, so they are never staler than the page cache.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use quick_cache::{UnitWeighter, Weighter};

use crate::cache::Stale;
use crate::cache::deps::Tag;
use crate::content::figure::Figure;
use crate::db::article::{Article, PostLinks};
use crate::db::comment::Comment;
use crate::db::correction::Correction;
use crate::db::term::Term;
use crate::db::user::User;
use crate::error::Result;

/// Rows of one kind by id, bounded in entries (or in bytes, with a weighter).
pub struct RowMemo<T, W = UnitWeighter> {
    rows: quick_cache::sync::Cache<i64, T, W>,
    /// Bumped by every invalidation; a read that began before one does not keep what it read
    /// (it may be the row as it was before the write).
    epoch: Mutex<u64>,
}

impl<T: Clone> RowMemo<T> {
    fn new(entries: usize) -> RowMemo<T> {
        RowMemo {
            rows: quick_cache::sync::Cache::new(entries.max(1)),
            epoch: Mutex::new(0),
        }
    }
}

impl<T: Clone, W: Weighter<i64, T> + Clone> RowMemo<T, W> {
    /// Bounded in bytes as `weigher` counts them (rows whose size varies: article texts).
    fn weighted(entries: usize, bytes: u64, weigher: W) -> RowMemo<T, W> {
        RowMemo {
            rows: quick_cache::sync::Cache::with_weighter(entries.max(1), bytes.max(1), weigher),
            epoch: Mutex::new(0),
        }
    }

    /// The row with this id: the kept one, or the one `load` reads (None: no such row).
    pub async fn get<F, Fut>(&self, id: i64, load: F) -> Result<Option<T>>
    where
        F: FnOnce(i64) -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        if let Some(row) = self.rows.get(&id) {
            return Ok(Some(row));
        }
        let began = *lock(&self.epoch);
        let loaded = load(id).await?;
        if let Some(row) = &loaded {
            self.keep_if_current(began, id, row.clone());
        }
        Ok(loaded)
    }

    /// Keep a row read some other way (an article found by its slug), unless a change came
    /// after `began` (from `epoch`).
    pub fn keep_if_current(&self, began: u64, id: i64, row: T) {
        let epoch = lock(&self.epoch);
        if *epoch == began {
            self.rows.insert(id, row);
        }
    }

    /// The count of changes so far: read it before reading a row to keep with `keep_if_current`.
    pub fn epoch(&self) -> u64 {
        *lock(&self.epoch)
    }

    /// The kept row with this id, if any.
    pub fn peek(&self, id: i64) -> Option<T> {
        self.rows.get(&id)
    }

    /// The rows with these ids: kept ones, and the others from `load` (given the missing ids).
    pub async fn get_many<F, Fut>(&self, ids: &[i64], load: F) -> Result<HashMap<i64, T>>
    where
        F: FnOnce(Vec<i64>) -> Fut,
        Fut: Future<Output = Result<Vec<(i64, T)>>>,
    {
        let mut out = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match self.rows.get(id) {
                Some(row) => {
                    out.insert(*id, row);
                }
                None => missing.push(*id),
            }
        }
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(out);
        }
        let began = *lock(&self.epoch);
        let loaded = load(missing).await?;
        let epoch = lock(&self.epoch);
        for (id, row) in loaded {
            if *epoch == began {
                self.rows.insert(id, row.clone());
            }
            out.insert(id, row);
        }
        Ok(out)
    }

    fn forget(&self, id: i64) {
        let mut epoch = lock(&self.epoch);
        *epoch += 1;
        self.rows.remove(&id);
    }

    fn clear(&self) {
        let mut epoch = lock(&self.epoch);
        *epoch += 1;
        self.rows.clear();
    }

    /// How many rows are kept.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One list read whole (the people who write), kept until a change names it.
pub struct ListMemo<T> {
    /// The epoch (bumped by each invalidation) and the list, if kept.
    slot: Mutex<(u64, Option<std::sync::Arc<T>>)>,
}

impl<T> Default for ListMemo<T> {
    fn default() -> ListMemo<T> {
        ListMemo {
            slot: Mutex::new((0, None)),
        }
    }
}

impl<T> ListMemo<T> {
    /// The kept list, or the one `load` reads (kept unless a change came while it read).
    pub async fn get<F, Fut>(&self, load: F) -> Result<std::sync::Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let began = {
            let slot = lock(&self.slot);
            if let Some(list) = &slot.1 {
                return Ok(list.clone());
            }
            slot.0
        };
        let list = std::sync::Arc::new(load().await?);
        let mut slot = lock(&self.slot);
        if slot.0 == began {
            slot.1 = Some(list.clone());
        }
        Ok(list)
    }

    fn forget(&self) {
        let mut slot = lock(&self.slot);
        slot.0 += 1;
        slot.1 = None;
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The node's kept rows.
pub struct Rows {
    pub terms: RowMemo<Term>,
    pub users: RowMemo<User>,
    /// Pictures of the library, as figures.
    pub figures: RowMemo<Figure>,
    /// Everyone who may write, by name (the search page's author filter).
    pub writers: ListMemo<Vec<User>>,
    /// Whole articles and pages (text included), by id.
    pub posts: RowMemo<Arc<Article>, Bytes>,
    /// The id of the article or page a slug names, by kind: a hint, checked against the article.
    slugs: quick_cache::sync::Cache<(String, String), i64>,
    /// Articles as listing cards show them (no text), by id.
    pub cards: RowMemo<Arc<Article>, Bytes>,
    /// What links each article to terms, people and its comment count.
    pub links: RowMemo<Arc<PostLinks>>,
    /// Each article's approved comments, oldest first.
    pub comments: RowMemo<Arc<Vec<Comment>>, Bytes>,
    /// Each article's corrections, oldest first.
    pub corrections: RowMemo<Arc<Vec<Correction>>>,
    /// The articles sharing most terms with each article (its related ones when the search index
    /// finds none): dropped whenever any list of articles changes.
    pub related_by_terms: RowMemo<Arc<Vec<i64>>>,
}

/// Weighs kept rows by the bytes of their text, so long articles count for what they hold.
#[derive(Clone, Copy, Default)]
pub struct Bytes;

impl Weighter<i64, Arc<Article>> for Bytes {
    fn weight(&self, _: &i64, a: &Arc<Article>) -> u64 {
        (std::mem::size_of::<Article>()
            + a.title.len()
            + a.slug.len()
            + a.body_source.len()
            + a.body_html.len()
            + a.excerpt.len()
            + a.custom_excerpt.len()) as u64
    }
}

impl Weighter<i64, Arc<Vec<Comment>>> for Bytes {
    fn weight(&self, _: &i64, list: &Arc<Vec<Comment>>) -> u64 {
        list.iter()
            .map(|c| {
                std::mem::size_of::<Comment>()
                    + c.content.len()
                    + c.author_name.len()
                    + c.author_email.len()
                    + c.author_url.len()
                    + c.user_agent.len()
            })
            .sum::<usize>() as u64
            + 64
    }
}

const MB: u64 = 1 << 20;

impl Default for Rows {
    fn default() -> Rows {
        // A term or a person is a few hundred bytes, a figure about a kilobyte with its sizes;
        // the texts of articles and comments are bounded in bytes. About 90 MB at the very worst.
        Rows {
            terms: RowMemo::new(50_000),
            users: RowMemo::new(10_000),
            figures: RowMemo::new(10_000),
            writers: ListMemo::default(),
            posts: RowMemo::weighted(2_000, 32 * MB, Bytes),
            slugs: quick_cache::sync::Cache::new(20_000),
            cards: RowMemo::weighted(10_000, 8 * MB, Bytes),
            links: RowMemo::new(20_000),
            comments: RowMemo::weighted(5_000, 16 * MB, Bytes),
            corrections: RowMemo::new(20_000),
            related_by_terms: RowMemo::new(20_000),
        }
    }
}

impl Rows {
    /// Drop what `stale` names (the same tags that drop pages).
    pub fn invalidate(&self, stale: &Stale) {
        match stale {
            Stale::Everything => {
                self.terms.clear();
                self.users.clear();
                self.figures.clear();
                self.writers.forget();
                self.posts.clear();
                self.cards.clear();
                self.links.clear();
                self.comments.clear();
                self.corrections.clear();
                self.related_by_terms.clear();
            }
            Stale::Tags(tags) => {
                for tag in tags {
                    match tag {
                        Tag::Term(id) => self.terms.forget(*id),
                        Tag::User(id) => self.users.forget(*id),
                        Tag::Media(id) => self.figures.forget(*id),
                        Tag::People => self.writers.forget(),
                        // An article's entry names its fields, terms, bylines and comments.
                        Tag::Post(id) => {
                            self.posts.forget(*id);
                            self.cards.forget(*id);
                            self.links.forget(*id);
                            self.comments.forget(*id);
                            self.corrections.forget(*id);
                            self.related_by_terms.forget(*id);
                        }
                        // Which articles a term holds: any article's related ones may move.
                        Tag::Posts | Tag::TermPosts(_) => self.related_by_terms.clear(),
                        _ => {}
                    }
                }
            }
        }
    }

    /// The id the slug named when last read (check it against the article: slugs move).
    pub fn slug_hint(&self, kind: &str, slug: &str) -> Option<i64> {
        self.slugs.get(&(kind.to_string(), slug.to_string()))
    }

    /// Remember which article a slug named.
    pub fn note_slug(&self, kind: &str, slug: &str, id: i64) {
        self.slugs.insert((kind.to_string(), slug.to_string()), id);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn memo_of(ids: &[i64]) -> Vec<(i64, String)> {
        ids.iter().map(|id| (*id, format!("row {id}"))).collect()
    }

    #[tokio::test]
    async fn kept_rows_are_not_loaded_again() {
        let m: RowMemo<String> = RowMemo::new(10);
        let first = m.get_many(&[1, 2], |ids| async move { Ok(memo_of(&ids)) });
        assert_eq!(first.await.unwrap().len(), 2);
        let again = m
            .get_many(&[2, 1, 3], |ids| async move {
                assert_eq!(ids, vec![3], "only the missing row is loaded");
                Ok(memo_of(&ids))
            })
            .await
            .unwrap();
        assert_eq!(again[&1], "row 1");
        assert_eq!(again[&3], "row 3");
    }

    #[tokio::test]
    async fn a_read_overtaken_by_a_change_is_not_kept() {
        let m: RowMemo<String> = RowMemo::new(10);
        let read = m
            .get_many(&[5], |ids| {
                // The write lands and is followed while this read is under way.
                m.forget(5);
                async move { Ok(vec![(ids[0], "old".to_string())]) }
            })
            .await
            .unwrap();
        assert_eq!(read[&5], "old", "the reader still gets what it read");
        assert!(m.is_empty(), "but it is not kept for the next one");
    }

    #[tokio::test]
    async fn tags_drop_their_rows_and_nothing_else() {
        let rows = Rows::default();
        let load = |ids: Vec<i64>| async move {
            Ok(ids
                .iter()
                .map(|id| {
                    (
                        *id,
                        Term {
                            id: *id,
                            taxonomy: "post_tag".into(),
                            name: format!("t{id}"),
                            slug: format!("t{id}"),
                            parent_id: None,
                            description: String::new(),
                        },
                    )
                })
                .collect())
        };
        rows.terms.get_many(&[1, 2], load).await.unwrap();
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::Term(1), Tag::User(2)])));
        assert_eq!(rows.terms.len(), 1);
        rows.invalidate(&Stale::Everything);
        assert!(rows.terms.is_empty());
    }

    #[tokio::test]
    async fn an_article_entry_drops_that_article_own_rows_and_nothing_else() {
        let rows = Rows::default();
        let links = |ids: Vec<i64>| async move {
            Ok(ids
                .iter()
                .map(|id| (*id, Arc::new(PostLinks::default())))
                .collect())
        };
        let notes = |id: i64| async move {
            Ok(Some(Arc::new(vec![Correction {
                id: 1,
                post_id: id,
                user_id: None,
                note: format!("note {id}"),
                created_at: chrono::Utc::now(),
            }])))
        };
        rows.links.get_many(&[1, 2], links).await.unwrap();
        rows.corrections.get(1, notes).await.unwrap();
        rows.corrections.get(2, notes).await.unwrap();
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::Post(1), Tag::Posts])));
        assert!(rows.links.peek(1).is_none() && rows.corrections.peek(1).is_none());
        assert!(rows.links.peek(2).is_some() && rows.corrections.peek(2).is_some());
        rows.invalidate(&Stale::Everything);
        assert!(rows.links.is_empty() && rows.corrections.is_empty());

        // An article's related ones by terms move with any list of articles.
        let ids = |id: i64| async move { Ok(Some(Arc::new(vec![id + 1]))) };
        for id in [1, 2, 3] {
            rows.related_by_terms.get(id, ids).await.unwrap();
        }
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::Post(1), Tag::Term(3)])));
        assert_eq!(
            rows.related_by_terms.len(),
            2,
            "its own article's entry, not a term's name"
        );
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::TermPosts(9)])));
        assert!(rows.related_by_terms.is_empty());
        rows.related_by_terms.get(4, ids).await.unwrap();
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::Posts])));
        assert!(rows.related_by_terms.is_empty());
    }

    #[tokio::test]
    async fn texts_are_kept_within_their_bytes() {
        let m: RowMemo<Arc<Vec<Comment>>, Bytes> = RowMemo::weighted(100, 64 * 1024, Bytes);
        let long = |id: i64| async move {
            Ok(Some(Arc::new(vec![Comment {
                id,
                post_id: id,
                parent_id: None,
                user_id: None,
                author_name: "A reader".into(),
                author_email: String::new(),
                author_url: String::new(),
                author_ip: String::new(),
                user_agent: String::new(),
                content: "x".repeat(20_000),
                status: "approved".into(),
                reason: String::new(),
                created_at: chrono::Utc::now(),
            }])))
        };
        for id in 0..20 {
            m.get(id, long).await.unwrap();
        }
        assert!(m.len() <= 3, "20 kB each in 64 kB: {} kept", m.len());
        // A row read after a change began is still answered, and kept only when it is current.
        let began = m.epoch();
        m.forget(99);
        m.keep_if_current(began, 7, Arc::new(Vec::new()));
        assert!(m.peek(7).is_none(), "read before the change: not kept");
        m.keep_if_current(m.epoch(), 7, Arc::new(Vec::new()));
        assert!(m.peek(7).is_some());
    }

    #[tokio::test]
    async fn a_kept_list_is_read_once_until_people_change() {
        let rows = Rows::default();
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let load = || async {
            reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Vec::new())
        };
        rows.writers.get(load).await.unwrap();
        rows.writers.get(load).await.unwrap();
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::Term(1), Tag::Posts])));
        rows.writers.get(load).await.unwrap();
        assert_eq!(
            reads.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "kept past other changes"
        );
        rows.invalidate(&Stale::Tags(BTreeSet::from([Tag::People])));
        rows.writers.get(load).await.unwrap();
        assert_eq!(
            reads.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "read again after People"
        );
        // A read overtaken by a change is answered but not kept.
        rows.invalidate(&Stale::Everything);
        rows.writers
            .get(|| async {
                rows.writers.forget();
                reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(Vec::new())
            })
            .await
            .unwrap();
        rows.writers.get(load).await.unwrap();
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 4);
    }
}
