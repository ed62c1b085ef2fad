//! Work that arrives together is done together: one statement (or one transaction) for many
//! requests, so a burst costs one round trip or one sync to disk per batch instead of per request.
//!
//! No thread of its own: the first request in line takes everything queued so far and does it
//! while the next ones queue behind it. Each request's turn runs in a task of its own, so a reader
//! who closes the connection cannot leave work queued, nor cancel a batch with other readers' work
//! in it.

use std::future::Future;
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::db::Db;
use crate::error::{Error, Result};

/// A kind of work done in batches.
pub trait Batch: Sized + Send + 'static {
    /// What each request gets back.
    type Answer: Send + 'static;
    /// At most this many requests in one batch (a bound on how long one batch takes).
    const MAX: usize;
    /// Where requests of this kind wait, in a database's pools.
    fn queue(db: &Db) -> &Batches<Self>;
    /// Do a batch: one answer per request, in order.
    fn run(db: &Db, batch: Vec<Self>) -> impl Future<Output = Vec<Self::Answer>> + Send;
}

/// A request waiting for its batch, with where to say how it went.
struct Waiting<B: Batch> {
    request: B,
    reply: oneshot::Sender<B::Answer>,
}

/// The queue of one kind of work (one per database).
pub struct Batches<B: Batch> {
    queue: Mutex<Vec<Waiting<B>>>,
    /// Held by the batch being done.
    turn: tokio::sync::Mutex<()>,
}

impl<B: Batch> Default for Batches<B> {
    fn default() -> Self {
        Batches {
            queue: Mutex::new(Vec::new()),
            turn: tokio::sync::Mutex::new(()),
        }
    }
}

impl<B: Batch> Batches<B> {
    /// Do `request` with whatever else is waiting; its answer once its batch is done.
    pub async fn submit(db: &Db, request: B) -> Result<B::Answer> {
        let (reply, answer) = oneshot::channel();
        B::queue(db).lock_queue().push(Waiting { request, reply });
        let db = db.clone();
        tokio::spawn(async move { B::queue(&db).take_turns(&db, answer).await })
            .await
            .map_err(|e| Error::Internal(format!("a batch stopped: {e}")))?
    }

    /// Wait for turns to do batches until `answer` arrives.
    async fn take_turns(
        &self,
        db: &Db,
        mut answer: oneshot::Receiver<B::Answer>,
    ) -> Result<B::Answer> {
        loop {
            let _turn = self.turn.lock().await;
            // An earlier batch may have taken ours while we waited for the turn.
            match answer.try_recv() {
                Ok(result) => return Ok(result),
                Err(oneshot::error::TryRecvError::Closed) => {
                    return Err(Error::Internal("a batch stopped unanswered".into()));
                }
                Err(oneshot::error::TryRecvError::Empty) => {}
            }
            let (requests, replies): (Vec<B>, Vec<_>) = {
                let mut queue = self.lock_queue();
                let n = queue.len().min(B::MAX);
                queue.drain(..n).map(|w| (w.request, w.reply)).unzip()
            };
            for (reply, answer) in replies.into_iter().zip(B::run(db, requests).await) {
                let _ = reply.send(answer);
            }
        }
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Waiting<B>>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}
