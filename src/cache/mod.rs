//! The page cache: finished public answers kept in memory, bounded in bytes (S3-FIFO eviction,
//! which keeps hot pages and lets one-off crawls pass through), each with the tags of what it
//! was built from (`deps`). The change-log follower turns entries into tags (`invalidate`) and
//! drops exactly the pages that show them, so a kept page is never stale.

pub mod deps;
pub mod fences;
pub mod invalidate;
pub mod page;
pub mod rows;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{DefaultHashBuilder, Lifecycle, Weighter};
use tokio::sync::Notify;

use deps::Tag;
pub use invalidate::Stale;
pub use page::{Coding, Page};

/// The default size of the cache (a small machine's share): 64 MB.
pub const DEFAULT_MB: u64 = 64;

/// How long a reader waits for another request building the same page before building it too.
const WAIT_FOR_BUILDER: Duration = Duration::from_secs(2);

type Key = Arc<str>;

/// Pages that left the cache, waiting to leave the tag index too.
type Leaving = Vec<(Key, Arc<Page>)>;

#[derive(Clone)]
struct ByBytes;

impl Weighter<Key, Arc<Page>> for ByBytes {
    fn weight(&self, key: &Key, page: &Arc<Page>) -> u64 {
        key.len() as u64 + page.weight()
    }
}

/// Pages the cache let go of to make room; their tags are forgotten at the next write.
#[derive(Clone, Default)]
struct Evicted(Arc<Mutex<Leaving>>);

impl Lifecycle<Key, Arc<Page>> for Evicted {
    type RequestState = Leaving;

    fn begin_request(&self) -> Self::RequestState {
        Vec::new()
    }

    fn on_evict(&self, state: &mut Self::RequestState, key: Key, page: Arc<Page>) {
        state.push((key, page));
    }

    fn end_request(&self, state: Self::RequestState) {
        if !state.is_empty() {
            lock(&self.0).extend(state);
        }
    }
}

/// Which pages show each tag, and when each tag last changed (so a page built while its tag
/// changed is not kept).
#[derive(Default)]
struct Index {
    by_tag: HashMap<Tag, HashSet<Key>>,
    changed_at: HashMap<Tag, u64>,
    /// Pages whose build began before this were built before a change of everything.
    floor: u64,
}

/// Counters for `newsroom`'s admin and metrics.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    pub entries: usize,
    pub bytes: u64,
    pub capacity: u64,
    pub hits: u64,
    pub misses: u64,
    /// Answers made for one visitor (cookies, signed in) or not cacheable.
    pub passes: u64,
    /// Pages dropped because something they show changed.
    pub invalidated: u64,
    /// Times everything was dropped (a setting, an import, a category).
    pub cleared: u64,
}

impl Stats {
    /// Hits among the requests the cache could answer.
    pub fn hit_ratio(&self) -> f64 {
        let asked = self.hits + self.misses;
        if asked == 0 {
            0.0
        } else {
            self.hits as f64 / asked as f64
        }
    }
}

/// The cache of one node.
pub struct PageCache {
    pages: Option<Cache<Key, Arc<Page>, ByBytes, DefaultHashBuilder, Evicted>>,
    evicted: Evicted,
    index: Mutex<Index>,
    /// Counts changes applied; a page remembers the count when its build began.
    sequence: AtomicU64,
    building: Mutex<HashMap<Key, Arc<Notify>>>,
    hits: AtomicU64,
    misses: AtomicU64,
    passes: AtomicU64,
    invalidated: AtomicU64,
    cleared: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What `PageCache::lookup` found.
pub enum Lookup {
    /// A kept page.
    Hit(Arc<Page>),
    /// Build it; keep it with `PageCache::keep` and this ticket.
    Build(Ticket),
}

/// A build of one page: when it began (in changes applied) and, if this request is the one
/// others wait for, the signal it gives when done.
pub struct Ticket {
    key: Key,
    began: u64,
    signal: Option<(Arc<Notify>, Arc<PageCache>)>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some((notify, cache)) = self.signal.take() {
            lock(&cache.building).remove(&self.key);
            notify.notify_waiters();
        }
    }
}

impl PageCache {
    /// A cache of `megabytes` (0: no cache).
    pub fn new(megabytes: u64) -> PageCache {
        let evicted = Evicted::default();
        let bytes = megabytes.saturating_mul(1024 * 1024);
        let pages = (bytes > 0).then(|| {
            Cache::with(
                (bytes / 20_000).max(16) as usize,
                bytes,
                ByBytes,
                DefaultHashBuilder::default(),
                evicted.clone(),
            )
        });
        PageCache {
            pages,
            evicted,
            index: Mutex::new(Index::default()),
            sequence: AtomicU64::new(0),
            building: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            passes: AtomicU64::new(0),
            invalidated: AtomicU64::new(0),
            cleared: AtomicU64::new(0),
        }
    }

    /// Whether pages are kept at all.
    pub fn is_on(&self) -> bool {
        self.pages.is_some()
    }

    /// Count an answer made without the cache.
    pub fn pass(&self) {
        self.passes.fetch_add(1, Ordering::Relaxed);
    }

    /// The page kept under `key`, if there is one (no waiting, no ticket).
    pub fn peek(&self, key: &str) -> Option<Arc<Page>> {
        self.fresh(self.pages.as_ref()?, key)
    }

    /// The page kept under `key`, or a ticket to build it. When another request is building the
    /// same page, wait for it (a spike on one cold article builds it once).
    pub async fn lookup(self: &Arc<Self>, key: &str) -> Lookup {
        let Some(pages) = &self.pages else {
            return Lookup::Build(self.ticket(key, None));
        };
        if let Some(page) = self.fresh(pages, key) {
            return Lookup::Hit(page);
        }
        let wait = {
            let mut building = lock(&self.building);
            match building.get(key) {
                Some(n) => n.clone(),
                None => {
                    let notify = Arc::new(Notify::new());
                    let key: Key = Arc::from(key);
                    building.insert(key.clone(), notify.clone());
                    drop(building);
                    self.misses.fetch_add(1, Ordering::Relaxed);
                    return Lookup::Build(Ticket {
                        key,
                        began: self.sequence.load(Ordering::Acquire),
                        signal: Some((notify, self.clone())),
                    });
                }
            }
        };
        let notified = wait.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        // The builder may have finished between the look and the wait.
        if self.fresh(pages, key).is_none() {
            let _ = tokio::time::timeout(WAIT_FOR_BUILDER, notified).await;
        }
        if let Some(page) = self.fresh(pages, key) {
            return Lookup::Hit(page);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        Lookup::Build(self.ticket(key, None))
    }

    fn ticket(&self, key: &str, signal: Option<(Arc<Notify>, Arc<PageCache>)>) -> Ticket {
        Ticket {
            key: Arc::from(key),
            began: self.sequence.load(Ordering::Acquire),
            signal,
        }
    }

    fn fresh(
        &self,
        pages: &Cache<Key, Arc<Page>, ByBytes, DefaultHashBuilder, Evicted>,
        key: &str,
    ) -> Option<Arc<Page>> {
        let page = pages.get(key)?;
        if page.expires.is_some_and(|at| at <= Instant::now()) {
            let mut index = lock(&self.index);
            if let Some((key, page)) = pages.remove(key) {
                forget(&mut index, &key, &page);
            }
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(page)
    }

    /// Keep a page built under `ticket`, unless something it shows changed while it was built.
    pub fn keep(&self, ticket: Ticket, page: Page) -> Arc<Page> {
        let page = Arc::new(page);
        let Some(pages) = &self.pages else {
            return page;
        };
        let mut index = lock(&self.index);
        self.forget_evicted(&mut index);
        let changed_since = ticket.began < index.floor
            || page
                .tags
                .iter()
                .any(|t| index.changed_at.get(t).is_some_and(|at| *at > ticket.began));
        if changed_since {
            return page;
        }
        if let Some((key, old)) = pages.remove(&*ticket.key) {
            forget(&mut index, &key, &old);
        }
        for t in &page.tags {
            index
                .by_tag
                .entry(*t)
                .or_default()
                .insert(ticket.key.clone());
        }
        // Under the index's lock, so no change can slip between the check and the insert.
        pages.insert(ticket.key.clone(), page.clone());
        page
    }

    fn forget_evicted(&self, index: &mut Index) {
        let gone = std::mem::take(&mut *lock(&self.evicted.0));
        for (key, page) in gone {
            forget(index, &key, &page);
        }
    }

    /// Drop what `stale` names; returns how many pages went.
    pub fn invalidate(&self, stale: &Stale) -> usize {
        let mut index = lock(&self.index);
        let seq = self.sequence.fetch_add(1, Ordering::AcqRel) + 1;
        self.forget_evicted(&mut index);
        let tags = match stale {
            Stale::Everything => {
                index.by_tag.clear();
                index.changed_at.clear();
                index.floor = seq;
                let n = self.pages.as_ref().map_or(0, |p| p.len());
                if let Some(p) = &self.pages {
                    p.clear();
                }
                lock(&self.evicted.0).clear();
                self.cleared.fetch_add(1, Ordering::Relaxed);
                self.invalidated.fetch_add(n as u64, Ordering::Relaxed);
                return n;
            }
            Stale::Tags(tags) => tags,
        };
        if index.changed_at.len() > 100_000 {
            // Builds that began before now are refused anyway by the floor.
            index.changed_at.clear();
            index.floor = seq;
        }
        let mut keys: HashSet<Key> = HashSet::new();
        for t in tags {
            index.changed_at.insert(*t, seq);
            if let Some(k) = index.by_tag.remove(t) {
                keys.extend(k);
            }
        }
        let mut n = 0;
        if let Some(pages) = &self.pages {
            for key in keys {
                if let Some((key, page)) = pages.remove(&*key) {
                    forget(&mut index, &key, &page);
                    n += 1;
                }
            }
        }
        self.invalidated.fetch_add(n as u64, Ordering::Relaxed);
        n
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        Stats {
            entries: self.pages.as_ref().map_or(0, |p| p.len()),
            bytes: self.pages.as_ref().map_or(0, |p| p.weight()),
            capacity: self.pages.as_ref().map_or(0, |p| p.capacity()),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            passes: self.passes.load(Ordering::Relaxed),
            invalidated: self.invalidated.load(Ordering::Relaxed),
            cleared: self.cleared.load(Ordering::Relaxed),
        }
    }
}

/// Take a page that left the cache out of its tags' lists.
fn forget(index: &mut Index, key: &Key, page: &Page) {
    for t in &page.tags {
        if let Some(keys) = index.by_tag.get_mut(t) {
            keys.remove(key);
            if keys.is_empty() {
                index.by_tag.remove(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use axum::body::Bytes;
    use axum::http::HeaderValue;

    use super::*;

    fn page(tags: &[Tag], body: &str) -> Page {
        Page::new(
            HeaderValue::from_static("text/html"),
            Vec::new(),
            Bytes::from(body.to_string()),
            HeaderValue::from_static("x"),
            tags.to_vec(),
            None,
        )
        .expect("page")
    }

    async fn build(cache: &Arc<PageCache>, key: &str) -> Ticket {
        match cache.lookup(key).await {
            Lookup::Build(t) => t,
            Lookup::Hit(_) => panic!("{key} should not be kept yet"),
        }
    }

    async fn is_kept(cache: &Arc<PageCache>, key: &str) -> bool {
        matches!(cache.lookup(key).await, Lookup::Hit(_))
    }

    fn tags(t: &[Tag]) -> Stale {
        Stale::Tags(t.iter().copied().collect::<BTreeSet<_>>())
    }

    #[tokio::test]
    async fn a_change_drops_exactly_the_pages_that_show_it() {
        let cache = Arc::new(PageCache::new(8));
        let t = build(&cache, "/a/").await;
        cache.keep(t, page(&[Tag::Post(1), Tag::Term(5)], "a"));
        let t = build(&cache, "/b/").await;
        cache.keep(t, page(&[Tag::Post(2), Tag::Term(5)], "b"));
        let t = build(&cache, "/").await;
        cache.keep(t, page(&[Tag::Posts, Tag::Post(1), Tag::Post(2)], "home"));
        assert_eq!(cache.invalidate(&tags(&[Tag::Post(2)])), 2);
        assert!(is_kept(&cache, "/a/").await);
        assert!(!is_kept(&cache, "/b/").await);
        assert!(!is_kept(&cache, "/").await);
        assert_eq!(cache.invalidate(&tags(&[Tag::Term(5)])), 1);
        assert!(!is_kept(&cache, "/a/").await);
        let s = cache.stats();
        assert_eq!((s.entries, s.invalidated), (0, 3));
    }

    #[tokio::test]
    async fn a_page_built_across_a_change_is_not_kept() {
        let cache = Arc::new(PageCache::new(8));
        let t = build(&cache, "/a/").await;
        // The article changes while its page is being built from the old row.
        cache.invalidate(&tags(&[Tag::Post(1)]));
        cache.keep(t, page(&[Tag::Post(1)], "old"));
        assert!(!is_kept(&cache, "/a/").await);
        let t = build(&cache, "/b/").await;
        cache.invalidate(&Stale::Everything);
        cache.keep(t, page(&[Tag::Post(2)], "old"));
        assert!(!is_kept(&cache, "/b/").await);
    }

    #[tokio::test]
    async fn a_second_reader_waits_for_the_first_build() {
        let cache = Arc::new(PageCache::new(8));
        let t = build(&cache, "/hot/").await;
        let waiter = {
            let cache = cache.clone();
            tokio::spawn(async move { is_kept(&cache, "/hot/").await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        cache.keep(t, page(&[Tag::Post(1)], "hot"));
        assert!(
            waiter.await.expect("waiter"),
            "the waiter got the kept page"
        );
        assert_eq!(cache.stats().misses, 1);
    }

    #[tokio::test]
    async fn the_cache_holds_its_size() {
        let cache = Arc::new(PageCache::new(1));
        let body = "x".repeat(20_000);
        for i in 0..200 {
            let key = format!("/p/{i}/");
            let t = build(&cache, &key).await;
            cache.keep(t, page(&[Tag::Post(i)], &body));
        }
        let s = cache.stats();
        assert!(s.bytes <= 1024 * 1024, "{s:?}");
        assert!(s.entries < 200 && s.entries > 10, "{s:?}");
        // Evicted pages leave the tag index too.
        cache.invalidate(&tags(&[Tag::Post(0)]));
        let index = lock(&cache.index);
        assert!(
            index.by_tag.len() <= s.entries + 1,
            "{}",
            index.by_tag.len()
        );
    }
}
