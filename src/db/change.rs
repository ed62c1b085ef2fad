//! The change log: every write others must notice appends a row in the same transaction,
//! so caches and the search index on every node can follow it.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::Result;
use crate::on_pool;

/// The insert every writing transaction runs; `log_change!` binds it.
pub const INSERT: &str =
    "INSERT INTO changes (entity, entity_id, action, at) VALUES ($1, $2, $3, $4)";

/// Taken by a PostgreSQL transaction before it appends to the change log and held until it
/// commits, so entries become visible in the order of their ids. Without it a transaction that
/// took id 7 could commit after one that took id 8 had been read, and every follower (whose
/// cursor is the newest id read) would pass over 7 for good. SQLite writes one transaction at a
/// time and needs nothing.
pub const ORDER_LOCK: &str = "SELECT pg_advisory_xact_lock($1)";

/// The key of `ORDER_LOCK`, for a statement that takes it along with other work.
pub const ORDER_LOCK_KEY: i64 = 7_365_012_409_411_208_563;

/// The statement a backend runs before appending to the change log, if any (`ORDER_LOCK`).
pub trait AppendOrder {
    /// `ORDER_LOCK` on PostgreSQL, nothing on SQLite.
    const LOCK: Option<&'static str>;
}

impl AppendOrder for sqlx::Postgres {
    const LOCK: Option<&'static str> = Some(ORDER_LOCK);
}

impl AppendOrder for sqlx::Sqlite {
    const LOCK: Option<&'static str> = None;
}

/// The statement `tx`'s backend runs before appending to the change log, if any.
pub fn order_lock<DB: sqlx::Database + AppendOrder>(
    _tx: &sqlx::Transaction<'_, DB>,
) -> Option<&'static str> {
    DB::LOCK
}

/// Append a change-log row inside an open transaction `$tx` (taking `ORDER_LOCK` first where the
/// backend needs it).
#[macro_export]
macro_rules! log_change {
    ($tx:expr, $entity:expr, $id:expr, $action:expr) => {
        async {
            if let Some(lock) = $crate::db::change::order_lock(&$tx) {
                sqlx::query(lock)
                    .bind($crate::db::change::ORDER_LOCK_KEY)
                    .execute(&mut *$tx)
                    .await?;
            }
            sqlx::query($crate::db::change::INSERT)
                .bind($entity)
                .bind($id)
                .bind($action)
                .bind($crate::db::now())
                .execute(&mut *$tx)
                .await
        }
        .await
    };
}

/// One entry of the change log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Change {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub at: DateTime<Utc>,
}

/// Changes after `after_id`, oldest first, at most `limit`.
pub async fn since(db: &Db, after_id: i64, limit: i64) -> Result<Vec<Change>> {
    const SQL: &str =
        "SELECT id, entity, entity_id, action, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Change>(SQL)
        .bind(after_id)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// The newest change after `after_id` about one of `entities` (None when there is none).
pub async fn newest_about(db: &Db, after_id: i64, entities: &[&str]) -> Result<Option<i64>> {
    let n = entities.len();
    let sql = format!(
        "SELECT MAX(id) FROM changes WHERE entity IN ({}) AND id > ${}",
        crate::db::term::placeholders(n),
        n + 1
    );
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_scalar::<_, Option<i64>>(&sql);
        for e in entities {
            q = q.bind(*e);
        }
        q.bind(after_id).fetch_one(pool).await?
    }))
}

/// The id of the newest change (0 when there is none).
pub async fn latest_id(db: &Db) -> Result<i64> {
    let id: i64 = on_pool!(db, |pool| sqlx::query_scalar(LATEST_ID)
        .fetch_one(pool)
        .await?);
    Ok(id)
}

/// The newest change's id (0 when there is none), for `latest_id` or inside a transaction.
pub const LATEST_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM changes";

/// The newest change's id and time (None when there is none): what documents made from the
/// site are stamped with, and a Last-Modified that is never stale, whatever changed.
pub async fn latest(db: &Db) -> Result<Option<(i64, DateTime<Utc>)>> {
    const SQL: &str = "SELECT id, at FROM changes ORDER BY id DESC LIMIT 1";
    Ok(on_pool!(db, |pool| sqlx::query_as(SQL)
        .fetch_optional(pool)
        .await?))
}
