//! Fences of the lists deep pages walk (`db::article::fences`), kept until the change log says
//! the list changed: page 5,000 of an archive then starts from the fence above it instead of
//! counting 50,000 rows from the top.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::cache::Stale;
use crate::cache::deps::Tag;
use crate::db::article::{Fence, List};

/// At most this many lists' fences are kept; past it the memo starts again empty.
const MAX_LISTS: usize = 4096;

/// Kept fences by list.
#[derive(Default)]
pub struct Fences {
    kept: Mutex<Kept>,
    /// Fences are built one list at a time: a burst of readers on a cold deep page waits for
    /// one build instead of each numbering the whole list at once.
    building: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Kept {
    lists: HashMap<List, Arc<Vec<Fence>>>,
    /// Bumped by every invalidation; fences read before one are not kept.
    epoch: u64,
}

impl Fences {
    /// The fences of `list`, if kept.
    pub fn get(&self, list: &List) -> Option<Arc<Vec<Fence>>> {
        self.lock().lists.get(list).cloned()
    }

    /// Wait for the turn to build fences (check `get` again once it comes).
    pub async fn build_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.building.lock().await
    }

    /// The invalidation epoch now (take it before reading fences, give it to `keep`).
    pub fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// Keep fences read since `epoch`, unless the list changed meanwhile.
    pub fn keep(&self, list: List, epoch: u64, fences: Arc<Vec<Fence>>) {
        let mut kept = self.lock();
        if kept.epoch != epoch {
            return;
        }
        if kept.lists.len() >= MAX_LISTS && !kept.lists.contains_key(&list) {
            kept.lists.clear();
        }
        kept.lists.insert(list, fences);
    }

    /// Drop the lists `stale` names: the home list with `Posts`, a term's lists with its
    /// `TermPosts`, an author's with `AuthorPosts`.
    pub fn invalidate(&self, stale: &Stale) {
        let mut kept = self.lock();
        kept.epoch += 1;
        match stale {
            Stale::Everything => kept.lists.clear(),
            Stale::Tags(tags) => kept.lists.retain(|list, _| match list {
                List::Home | List::Newest => !tags.contains(&Tag::Posts),
                List::Terms(ids) => !ids.iter().any(|id| tags.contains(&Tag::TermPosts(*id))),
                List::Author(id) => !tags.contains(&Tag::AuthorPosts(*id)),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn fences() -> Arc<Vec<Fence>> {
        Arc::new(vec![Fence {
            sticky: false,
            at: chrono::Utc::now(),
            id: 1,
        }])
    }

    #[test]
    fn a_change_to_a_list_drops_its_fences_and_no_other() {
        let f = Fences::default();
        for list in [
            List::Home,
            List::Newest,
            List::Terms(vec![3, 4]),
            List::Author(7),
        ] {
            f.keep(list, f.epoch(), fences());
        }
        f.invalidate(&Stale::Tags(BTreeSet::from([Tag::TermPosts(4)])));
        assert!(f.get(&List::Terms(vec![3, 4])).is_none());
        assert!(f.get(&List::Home).is_some());
        assert!(f.get(&List::Newest).is_some());
        assert!(f.get(&List::Author(7)).is_some());
        f.invalidate(&Stale::Tags(BTreeSet::from([
            Tag::Posts,
            Tag::AuthorPosts(7),
        ])));
        assert!(f.get(&List::Home).is_none());
        assert!(f.get(&List::Newest).is_none());
        assert!(f.get(&List::Author(7)).is_none());
    }

    #[test]
    fn fences_read_before_a_change_are_not_kept() {
        let f = Fences::default();
        let epoch = f.epoch();
        f.invalidate(&Stale::Tags(BTreeSet::from([Tag::Posts])));
        f.keep(List::Home, epoch, fences());
        assert!(f.get(&List::Home).is_none());
    }
}
