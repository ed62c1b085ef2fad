//! Rows that many pages show and few writes change (terms, people, pictures), kept in memory by
//! id so that a page reads only the ids that link to them. The change log drops them exactly as
//! it drops pages, so they are never staler than the page cache.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use crate::cache::Stale;
use crate::cache::deps::Tag;
use crate::content::figure::Figure;
use crate::db::term::Term;
use crate::db::user::User;
use crate::error::Result;

/// Rows of one kind by id, bounded in entries.
pub struct RowMemo<T> {
    rows: quick_cache::sync::Cache<i64, T>,
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
}

impl Default for Rows {
    fn default() -> Rows {
        // Entries, not bytes: a term or a person is a few hundred bytes, a figure about a
        // kilobyte with its sizes, so this stays near 20 MB at worst.
        Rows {
            terms: RowMemo::new(50_000),
            users: RowMemo::new(10_000),
            figures: RowMemo::new(10_000),
            writers: ListMemo::default(),
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
            }
            Stale::Tags(tags) => {
                for tag in tags {
                    match tag {
                        Tag::Term(id) => self.terms.forget(*id),
                        Tag::User(id) => self.users.forget(*id),
                        Tag::Media(id) => self.figures.forget(*id),
                        Tag::People => self.writers.forget(),
                        _ => {}
                    }
                }
            }
        }
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
