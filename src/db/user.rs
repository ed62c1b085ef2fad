//! Users: the people who write (authors, editors) and run the site. Their rows and SQL.

use chrono::{DateTime, Utc};

use crate::db::{Db, now};
use crate::error::Result;
use crate::{log_change, on_pool, on_writer};

/// A user row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub login: String,
    pub slug: String,
    pub display_name: String,
    pub email: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// A user to insert.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub slug: String,
    pub display_name: String,
    pub email: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub role: String,
}

const COLUMNS: &str =
    "id, login, slug, display_name, email, url, bio, avatar_url, role, created_at";

/// Insert a user, returning its id.
pub async fn insert(db: &Db, new: &NewUser) -> Result<i64> {
    const SQL: &str = "INSERT INTO users (login, slug, display_name, email, url, bio, avatar_url, role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(&new.login)
            .bind(&new.slug)
            .bind(&new.display_name)
            .bind(&new.email)
            .bind(&new.url)
            .bind(&new.bio)
            .bind(&new.avatar_url)
            .bind(&new.role)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        log_change!(tx, "user", id, "create")?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The user with this archive slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE slug = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, User>(&sql)
        .bind(slug)
        .fetch_optional(pool)
        .await?))
}

/// The user with this id.
pub async fn get(db: &Db, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// How many users there are.
pub async fn count(db: &Db) -> Result<i64> {
    Ok(on_pool!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(pool)
    .await?))
}
