//! Who has an article open in the editor: each open editor beats every few seconds; someone not
//! heard from for a minute has left.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::Result;
use crate::{on_pool, on_writer};

/// Note that a user has the article open at `at`.
pub async fn beat(db: &Db, post_id: i64, user_id: i64, at: DateTime<Utc>) -> Result<()> {
    const SQL: &str = "INSERT INTO presence (post_id, user_id, seen_at) VALUES ($1, $2, $3) \
                       ON CONFLICT (post_id, user_id) DO UPDATE SET seen_at = excluded.seen_at";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(post_id)
        .bind(user_id)
        .bind(at)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// Note that a user closed the article.
pub async fn leave(db: &Db, post_id: i64, user_id: i64) -> Result<()> {
    const SQL: &str = "DELETE FROM presence WHERE post_id = $1 AND user_id = $2";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(post_id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// The names of the others seen with the article open since `since`.
pub async fn others(
    db: &Db,
    post_id: i64,
    user_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<String>> {
    const SQL: &str = "SELECT u.display_name FROM presence p JOIN users u ON u.id = p.user_id \
         WHERE p.post_id = $1 AND p.user_id <> $2 AND p.seen_at > $3 ORDER BY u.display_name";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(post_id)
        .bind(user_id)
        .bind(since)
        .fetch_all(pool)
        .await?))
}

/// Forget beats older than `before`.
pub async fn purge_before(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM presence WHERE seen_at < $1";
    Ok(on_writer!(db, |pool| sqlx::query(SQL)
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected()))
}
