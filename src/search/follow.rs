//! Keeping the index in step with the database: replay the change log (every node follows it, so
//! each keeps its own index), or refill everything (a new or damaged index, an import, `newsroom
//! reindex`). Only live articles go in; anything else that changed comes out.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::db::article::{self as articles, Article};
use crate::db::term::{self, Term};
use crate::db::user::User;
use crate::db::{self, Db, change};
use crate::error::Result;
use crate::search::{Batch, Search};

/// Articles read from the database at a time.
const BATCH: i64 = 1000;

/// Further behind than this, a refill is quicker than replaying the log.
const MAX_REPLAY: i64 = 20_000;

/// Bring the index up to date with the change log; returns how many entries were applied.
pub async fn catch_up(db: &Db, search: &Search) -> Result<usize> {
    if search.is_fresh() || change::latest_id(db).await? - search.cursor() > MAX_REPLAY {
        rebuild(db, search).await?;
        return Ok(0);
    }
    let changes = change::since(db, search.cursor(), BATCH).await?;
    let Some(last) = changes.last().map(|c| c.id) else {
        return Ok(0);
    };
    if changes.iter().any(|c| c.entity == "site") {
        rebuild(db, search).await?;
        return Ok(changes.len());
    }
    let mut ids = BTreeSet::new();
    for c in &changes {
        match (c.entity.as_str(), c.action.as_str()) {
            ("post", _) => {
                ids.insert(c.entity_id);
            }
            // A renamed section or author changes what their articles are found by.
            ("term", "update" | "delete") | ("user", "update") => {
                ids.extend(articles::ids_naming(db, &c.entity, c.entity_id).await?);
            }
            _ => {}
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut batch = Batch::default();
    for chunk in ids.chunks(BATCH as usize) {
        let rows = articles::full_by_ids(db, chunk).await?;
        let live: Vec<Article> = rows
            .into_iter()
            .filter(|a| a.kind == articles::POST && a.is_live(db::now()))
            .collect();
        let kept: BTreeSet<i64> = live.iter().map(|a| a.id).collect();
        batch
            .removals
            .extend(chunk.iter().filter(|id| !kept.contains(id)));
        batch.upserts.extend(with_extras(db, live).await?);
    }
    if batch.upserts.is_empty() && batch.removals.is_empty() {
        search.advance(last);
    } else {
        search.write(batch, last).await?;
    }
    Ok(changes.len())
}

/// Attach each article's terms and bylines.
async fn with_extras(db: &Db, list: Vec<Article>) -> Result<Vec<(Article, Vec<Term>, Vec<User>)>> {
    let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
    let mut terms = std::collections::HashMap::<i64, Vec<Term>>::new();
    for pt in term::of_posts(db, &ids).await? {
        terms.entry(pt.post_id).or_default().push(pt.term);
    }
    let mut users = std::collections::HashMap::<i64, Vec<User>>::new();
    for b in articles::bylines(db, &ids).await? {
        users.entry(b.post_id).or_default().push(b.user);
    }
    Ok(list
        .into_iter()
        .map(|a| {
            let t = terms.remove(&a.id).unwrap_or_default();
            let u = users.remove(&a.id).unwrap_or_default();
            (a, t, u)
        })
        .collect())
}

/// Refill the whole index from the database; returns how many articles it holds.
pub async fn rebuild(db: &Db, search: &Search) -> Result<usize> {
    let started = Instant::now();
    // Changes made while this reads are replayed afterwards (indexing an article twice is harmless).
    let cursor = change::latest_id(db).await?;
    // The database is read a few batches ahead of the indexer.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let reader_db = db.clone();
    let reader = tokio::spawn(async move {
        let mut after = 0_i64;
        loop {
            let batch = async {
                let rows = articles::live_after(&reader_db, after, BATCH).await?;
                if let Some(last) = rows.last() {
                    after = last.id;
                }
                let done = rows.is_empty();
                Ok::<_, crate::error::Error>((done, with_extras(&reader_db, rows).await?))
            }
            .await;
            let message = match batch {
                Ok((true, _)) => break,
                Ok((false, upserts)) => Ok(Batch {
                    upserts,
                    removals: Vec::new(),
                }),
                Err(e) => Err(e),
            };
            let failed = message.is_err();
            if tx.send(message).await.is_err() || failed {
                break;
            }
        }
    });
    let count = search.rebuild(cursor, rx).await;
    reader.abort();
    let count = count?;
    tracing::info!(
        "search index rebuilt: {count} articles in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(count)
}

/// Follow the change log every quarter second (at once when someone waits), so a publish or
/// edit is found within a second; `ran` hears of each run: whether it worked.
pub fn spawn(
    db: Db,
    search: Search,
    ran: std::sync::Arc<dyn Fn(Run) + Send + Sync>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // A reader waiting for a write to be searchable (`Search::reach`) need not wait
            // for the tick.
            tokio::select! {
                _ = tick.tick() => {}
                _ = search.wanted() => {}
            }
            let result = catch_up(&db, &search).await;
            if let Err(e) = &result {
                tracing::warn!("updating the search index: {e}");
            }
            ran(Run { ok: result.is_ok() });
        }
    })
}

/// How one run of the follower went.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub ok: bool,
}

/// What the change log says may change the index (see `catch_up`).
const INDEXED: [&str; 4] = ["post", "term", "user", "site"];

/// Whether the index reflects every write made so far that could change what it finds, after
/// waiting up to `within` for the follower to apply those it has not. False while the index is
/// being filled for the first time.
pub async fn current(db: &Db, search: &Search, within: Duration) -> Result<bool> {
    if search.is_fresh() {
        return Ok(false);
    }
    Ok(
        match change::newest_about(db, search.cursor(), &INDEXED).await? {
            None => true,
            Some(id) => search.reach(id, within).await,
        },
    )
}
