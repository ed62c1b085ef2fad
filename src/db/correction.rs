//! Correction notes: dated, shown above a published article's body; adding one updates the
//! article's modified date, as a correction is news.

use chrono::{DateTime, Utc};

use crate::db::activity::Audit;
use crate::db::{Db, now};
use crate::error::Result;
use crate::{log_activity, log_change, on_pool, on_writer};

/// A correction row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Correction {
    pub id: i64,
    pub post_id: i64,
    pub user_id: Option<i64>,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// Add a correction and set the article's modified date, in one transaction.
pub async fn insert(db: &Db, post_id: i64, note: &str, audit: &Audit) -> Result<i64> {
    const SQL: &str = "INSERT INTO corrections (post_id, user_id, note, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    const TOUCH: &str = "UPDATE posts SET modified_at = $2 WHERE id = $1 RETURNING title";
    let at = now();
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let title: String = sqlx::query_scalar(TOUCH)
            .bind(post_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(post_id)
            .bind(audit.user_id)
            .bind(note)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
        log_change!(tx, "post", post_id, "correction")?;
        log_activity!(tx, audit, "add correction", "post", Some(post_id), &title)?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The corrections of an article, oldest first.
pub async fn of_post(db: &Db, post_id: i64) -> Result<Vec<Correction>> {
    const SQL: &str = "SELECT id, post_id, user_id, note, created_at FROM corrections WHERE post_id = $1 \
                       ORDER BY created_at, id";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Correction>(SQL)
        .bind(post_id)
        .fetch_all(pool)
        .await?))
}
