//! The activity log: who published, edited, trashed, changed a role or a setting, and when.
//! Written inside the transaction of the write it describes, so the log and the data never disagree.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::Result;
use crate::on_pool;

/// Who did something, as the log names them.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub user_id: Option<i64>,
    pub user_name: String,
    pub ip: String,
}

/// The insert `log_activity!` binds.
pub const INSERT: &str = "INSERT INTO activity (at, user_id, user_name, action, object_kind, object_id, summary, ip) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Append an activity row inside an open transaction `$tx`:
/// `log_activity!(tx, audit, "publish", "post", Some(id), "title")`.
#[macro_export]
macro_rules! log_activity {
    ($tx:expr, $audit:expr, $action:expr, $kind:expr, $id:expr, $summary:expr) => {
        sqlx::query($crate::db::activity::INSERT)
            .bind($crate::db::now())
            .bind($audit.user_id)
            .bind(&$audit.user_name)
            .bind($action)
            .bind($kind)
            .bind($id)
            .bind($summary)
            .bind(&$audit.ip)
            .execute(&mut *$tx)
            .await
    };
}

/// One entry of the log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub user_name: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    pub summary: String,
    pub ip: String,
}

/// Newest entries first, optionally of one user or one action.
pub async fn list(
    db: &Db,
    user_id: Option<i64>,
    action: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Entry>> {
    const SQL: &str = "SELECT id, at, user_id, user_name, action, object_kind, object_id, summary, ip FROM activity \
         WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR action = $2) ORDER BY id DESC LIMIT $3 OFFSET $4";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Entry>(SQL)
        .bind(user_id)
        .bind(action)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?))
}

/// The distinct actions in the log, for the filter.
pub async fn actions(db: &Db) -> Result<Vec<String>> {
    const SQL: &str = "SELECT DISTINCT action FROM activity ORDER BY action";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .fetch_all(pool)
        .await?))
}

/// Append an entry on its own (for events that write nothing else, such as signing in).
pub async fn record(
    db: &Db,
    audit: &Audit,
    action: &str,
    object_kind: &str,
    object_id: Option<i64>,
    summary: &str,
) -> Result<()> {
    crate::on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        crate::log_activity!(tx, audit, action, object_kind, object_id, summary)?;
        tx.commit().await?;
        Ok(())
    })
}
