//! Background jobs' bookkeeping (migration 0009): the node that claims a due run writes when it
//! began, then how it ended; every node and the admin read it.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::Result;
use crate::{on_pool, on_writer};

/// The latest run of a job.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Run {
    pub name: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok` or `failed`.
    pub outcome: String,
    pub detail: String,
}

/// Claim a run of `name` when its last one began at or before `due_before` (or never): true
/// for exactly one caller, whichever node it is on.
pub async fn claim(
    db: &Db,
    name: &str,
    now: DateTime<Utc>,
    due_before: DateTime<Utc>,
) -> Result<bool> {
    on_writer!(db, |pool| {
        sqlx::query("INSERT INTO jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(pool)
            .await?;
        let claimed = sqlx::query(
            "UPDATE jobs SET started_at = $2, finished_at = NULL, outcome = 'running', detail = '' \
             WHERE name = $1 AND (started_at IS NULL OR started_at <= $3)",
        )
        .bind(name)
        .bind(now)
        .bind(due_before)
        .execute(pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    })
}

/// Record how the claimed run ended.
pub async fn finish(db: &Db, name: &str, ok: bool, detail: &str) -> Result<()> {
    on_writer!(db, |pool| {
        sqlx::query("UPDATE jobs SET finished_at = $2, outcome = $3, detail = $4 WHERE name = $1")
            .bind(name)
            .bind(super::now())
            .bind(if ok { "ok" } else { "failed" })
            .bind(detail)
            .execute(pool)
            .await?;
        Ok(())
    })
}

/// The latest run of `name`, if it ever ran.
pub async fn latest(db: &Db, name: &str) -> Result<Option<Run>> {
    on_pool!(db, |pool| Ok(sqlx::query_as::<_, Run>(
        "SELECT name, started_at, finished_at, outcome, detail FROM jobs WHERE name = $1"
    )
    .bind(name)
    .fetch_optional(pool)
    .await?))
}
