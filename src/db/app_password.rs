//! Application passwords: rows and SQL. Only the SHA-256 of a password is stored.

use chrono::{DateTime, Utc};

use crate::db::activity::Audit;
use crate::db::{Db, now};
use crate::error::Result;
use crate::{log_activity, on_pool, on_writer};

/// An application password as its owner sees it listed (never the password).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppPassword {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_ip: String,
}

/// Store a new one; its id.
pub async fn insert(
    db: &Db,
    user_id: i64,
    name: &str,
    secret_hash: &str,
    audit: &Audit,
) -> Result<i64> {
    const SQL: &str = "INSERT INTO app_passwords (user_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(user_id)
            .bind(name)
            .bind(secret_hash)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        log_activity!(
            tx,
            audit,
            "add application password",
            "user",
            Some(user_id),
            name
        )?;
        tx.commit().await?;
        Ok(id)
    })
}

/// A user's application passwords, newest first.
pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<AppPassword>> {
    const SQL: &str = "SELECT id, user_id, name, created_at, last_used_at, last_ip FROM app_passwords \
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, AppPassword>(SQL)
        .bind(user_id)
        .fetch_all(pool)
        .await?))
}

/// Revoke one of a user's application passwords; whether it existed.
pub async fn delete(db: &Db, user_id: i64, id: i64, audit: &Audit) -> Result<bool> {
    const SQL: &str = "DELETE FROM app_passwords WHERE id = $1 AND user_id = $2";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let n = sqlx::query(SQL)
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            log_activity!(
                tx,
                audit,
                "revoke application password",
                "user",
                Some(user_id),
                ""
            )?;
        }
        tx.commit().await?;
        Ok(n > 0)
    })
}

/// The password of this user with this hash, noting that it was used now from `ip`.
pub async fn use_one(db: &Db, user_id: i64, secret_hash: &str, ip: &str) -> Result<Option<i64>> {
    const SQL: &str = "UPDATE app_passwords SET last_used_at = $3, last_ip = $4 \
         WHERE user_id = $1 AND secret_hash = $2 RETURNING id";
    Ok(on_writer!(db, |pool| sqlx::query_scalar(SQL)
        .bind(user_id)
        .bind(secret_hash)
        .bind(now())
        .bind(ip)
        .fetch_optional(pool)
        .await?))
}
