//! Failed sign-in attempts (and password-reset requests) per account and per IP, in the database
//! so every node counts the same attempts. `actions::session` decides the limits.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::Result;
use crate::{on_pool, on_writer};

/// Record one attempt.
pub async fn record(db: &Db, scope: &str, subject: &str, at: DateTime<Utc>) -> Result<()> {
    const SQL: &str = "INSERT INTO login_attempts (scope, subject, at) VALUES ($1, $2, $3)";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(scope)
        .bind(subject)
        .bind(at)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// How many attempts there were since `since`, and when the oldest of them was.
pub async fn since(
    db: &Db,
    scope: &str,
    subject: &str,
    since: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>)> {
    const SQL: &str = "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE scope = $1 AND subject = $2 AND at > $3";
    Ok(on_pool!(db, |pool| sqlx::query_as(SQL)
        .bind(scope)
        .bind(subject)
        .bind(since)
        .fetch_one(pool)
        .await?))
}

/// Forget the attempts of one subject (after a successful sign-in).
pub async fn clear(db: &Db, scope: &str, subject: &str) -> Result<()> {
    const SQL: &str = "DELETE FROM login_attempts WHERE scope = $1 AND subject = $2";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(scope)
        .bind(subject)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// Forget attempts older than `before`.
pub async fn purge_before(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM login_attempts WHERE at < $1";
    Ok(on_writer!(db, |pool| sqlx::query(SQL)
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected()))
}
