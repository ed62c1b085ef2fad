//! Password reset links: single-use and expiring. Only the token's SHA-256 is stored.

use chrono::{DateTime, Utc};

use crate::db::activity::Audit;
use crate::db::{Db, now};
use crate::error::Result;
use crate::{log_activity, on_pool, on_writer};

/// Store a new reset token for a user.
pub async fn insert(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    const SQL: &str = "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(token_hash)
        .bind(user_id)
        .bind(now())
        .bind(expires_at)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// The user a live, unused token belongs to.
pub async fn user_of(db: &Db, token_hash: &str, at: DateTime<Utc>) -> Result<Option<i64>> {
    const SQL: &str = "SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(token_hash)
        .bind(at)
        .fetch_optional(pool)
        .await?))
}

/// Spend a token and set the new password hash in one transaction, ending every session of the
/// user; the user's id, or None when the token is unknown, spent or expired.
pub async fn redeem(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
    at: DateTime<Utc>,
    ip: &str,
) -> Result<Option<i64>> {
    const SPEND: &str = "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL \
                         AND expires_at > $2 RETURNING user_id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let user_id: Option<i64> = sqlx::query_scalar(SPEND)
            .bind(token_hash)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let name: String = sqlx::query_scalar(
            "UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING display_name",
        )
        .bind(user_id)
        .bind(password_hash)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // Other links sent before this one are spent too: one reset ends them all.
        sqlx::query(
            "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let audit = Audit {
            user_id: Some(user_id),
            user_name: name,
            ip: ip.to_string(),
        };
        log_activity!(
            tx,
            audit,
            "reset password",
            "user",
            Some(user_id),
            "by email link"
        )?;
        tx.commit().await?;
        Ok(Some(user_id))
    })
}

/// Forget links that expired before `at`.
pub async fn purge_expired(db: &Db, at: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM password_resets WHERE expires_at <= $1";
    Ok(on_writer!(db, |pool| sqlx::query(SQL)
        .bind(at)
        .execute(pool)
        .await?
        .rows_affected()))
}
