//! Comments that arrive together are checked and written together (`db::batch`): their
//! histories (duplicate, flood, approved before) read in one statement, and the comments written
//! in one transaction, so a burst costs one sync to disk per batch instead of one per comment.
//! Each comment is still acknowledged only after the transaction holding it has committed.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::db::Db;
use crate::db::batch::{Batch, Batches};
use crate::db::comment::{History, NewComment};
use crate::error::Result;

/// One comment waiting for its transaction.
pub struct Write {
    new: NewComment,
    form_token: Option<String>,
}

/// One comment's history waiting to be read.
pub struct Lookup {
    pub post_id: i64,
    pub author_email: String,
    pub content: String,
    pub ip: String,
}

/// Where comments wait to be checked and written (one per database).
#[derive(Default)]
pub struct Intake {
    writes: Batches<Write>,
    lookups: Batches<Lookup>,
    /// The newest change-log entry a committed batch wrote.
    newest_change: AtomicI64,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Intake")
    }
}

impl Intake {
    /// Write a comment (spending its form token, if any) with whatever else is waiting; its id
    /// once committed, or None when the token was already spent.
    pub async fn write(db: &Db, new: &NewComment, form_token: Option<&str>) -> Result<Option<i64>> {
        let write = Write {
            new: new.clone(),
            form_token: form_token.map(str::to_string),
        };
        Batches::submit(db, write).await?
    }

    /// A comment's history, read with those of the other comments arriving now.
    pub async fn history(db: &Db, lookup: Lookup) -> Result<History> {
        Batches::submit(db, lookup).await?
    }

    /// The newest change-log entry written by a batch committed so far: once a comment's write
    /// has returned, its own entries are at or before it.
    pub fn newest_change(&self) -> i64 {
        self.newest_change.load(Ordering::Acquire)
    }

    /// Note the newest change-log entry of a batch that committed.
    pub(crate) fn wrote(&self, change: i64) {
        self.newest_change.fetch_max(change, Ordering::AcqRel);
    }
}

impl Batch for Write {
    type Answer = Result<Option<i64>>;
    /// A bound on how long one batch holds the writer.
    const MAX: usize = 512;

    fn queue(db: &Db) -> &Batches<Self> {
        &db.comment_intake().writes
    }

    /// Write a batch in one transaction; if the transaction fails, write them one by one, so
    /// that one bad comment (its article deleted meanwhile) fails alone.
    async fn run(db: &Db, batch: Vec<Self>) -> Vec<Self::Answer> {
        let entries: Vec<(&NewComment, Option<&str>)> = batch
            .iter()
            .map(|w| (&w.new, w.form_token.as_deref()))
            .collect();
        match crate::db::comment::insert_batch(db, &entries).await {
            Ok(ids) => ids.into_iter().map(Ok).collect(),
            Err(e) if batch.len() == 1 => vec![Err(e)],
            Err(e) => {
                tracing::warn!(
                    "a batch of {} comments failed, writing them one by one: {e}",
                    batch.len()
                );
                let mut answers = Vec::with_capacity(entries.len());
                for entry in entries {
                    let result = crate::db::comment::insert_batch(db, &[entry])
                        .await
                        .map(|ids| ids.into_iter().next().flatten());
                    answers.push(result);
                }
                answers
            }
        }
    }
}

impl Batch for Lookup {
    type Answer = Result<History>;
    const MAX: usize = 512;

    fn queue(db: &Db) -> &Batches<Self> {
        &db.comment_intake().lookups
    }

    /// Read the batch's histories in one statement; if that fails, read them one by one, so
    /// each comment gets its own answer.
    async fn run(db: &Db, batch: Vec<Self>) -> Vec<Self::Answer> {
        if let Ok(histories) = crate::db::comment::histories(db, &batch).await {
            return histories.into_iter().map(Ok).collect();
        }
        let mut answers = Vec::with_capacity(batch.len());
        for lookup in &batch {
            answers.push(crate::db::comment::history_of(db, lookup).await);
        }
        answers
    }
}
