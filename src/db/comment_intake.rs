//! Group commit for comments: comments that arrive together are written in one transaction, so
//! a burst costs one sync to disk per batch instead of one per comment. Each comment is still
//! acknowledged only after the transaction holding it has committed.
//!
//! No thread of its own: the first writer in line takes everything queued so far and writes it
//! while the next ones queue behind it. Each comment's turn runs in a task of its own, so a
//! reader who closes the connection cannot leave a comment queued, nor cancel a batch with
//! other readers' comments in it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use tokio::sync::oneshot;

use crate::db::Db;
use crate::db::comment::NewComment;
use crate::error::{Error, Result};

/// At most this many comments in one transaction (a bound on how long one batch holds the writer).
const MAX_BATCH: usize = 512;

/// One comment waiting for its transaction, with where to say how it went.
struct Job {
    new: NewComment,
    form_token: Option<String>,
    reply: oneshot::Sender<Result<Option<i64>>>,
}

/// The queue of comments waiting to be written (one per database).
#[derive(Default)]
pub struct Intake {
    queue: Mutex<Vec<Job>>,
    /// Held by the batch being written.
    writing: tokio::sync::Mutex<()>,
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
        let (reply, answer) = oneshot::channel();
        db.comment_intake().lock_queue().push(Job {
            new: new.clone(),
            form_token: form_token.map(str::to_string),
            reply,
        });
        let db = db.clone();
        tokio::spawn(async move { db.comment_intake().take_turns(&db, answer).await })
            .await
            .map_err(|e| Error::Internal(format!("the comment writer stopped: {e}")))?
    }

    /// Wait for turns to write until `answer` says how the comment went.
    async fn take_turns(
        &self,
        db: &Db,
        mut answer: oneshot::Receiver<Result<Option<i64>>>,
    ) -> Result<Option<i64>> {
        loop {
            let _turn = self.writing.lock().await;
            // An earlier batch may have taken ours while we waited for the turn.
            match answer.try_recv() {
                Ok(result) => return result,
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(Error::Internal("a comment batch stopped unanswered".into()));
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let batch: Vec<Job> = {
                let mut queue = self.lock_queue();
                let n = queue.len().min(MAX_BATCH);
                queue.drain(..n).collect()
            };
            write_batch(db, batch).await;
        }
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

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Job>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Write a batch in one transaction and answer each comment; if the transaction fails, write
/// them one by one, so that one bad comment (its article deleted meanwhile) fails alone.
async fn write_batch(db: &Db, batch: Vec<Job>) {
    let entries: Vec<(&NewComment, Option<&str>)> = batch
        .iter()
        .map(|j| (&j.new, j.form_token.as_deref()))
        .collect();
    match crate::db::comment::insert_batch(db, &entries).await {
        Ok(ids) => {
            for (job, id) in batch.into_iter().zip(ids) {
                let _ = job.reply.send(Ok(id));
            }
        }
        Err(e) if batch.len() == 1 => {
            if let Some(job) = batch.into_iter().next() {
                let _ = job.reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(
                "a batch of {} comments failed, writing them one by one: {e}",
                batch.len()
            );
            for job in batch {
                let one = [(&job.new, job.form_token.as_deref())];
                let result = crate::db::comment::insert_batch(db, &one)
                    .await
                    .map(|ids| ids.into_iter().next().flatten());
                let _ = job.reply.send(result);
            }
        }
    }
}
