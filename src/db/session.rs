//! Signed-in sessions, stored in the database so several nodes share them. The cookie holds a
//! random token; only its SHA-256 (`id_hash`) is stored, so a copy of the database signs nobody in.

use chrono::{DateTime, Utc};

use crate::db::user::{self, User};
use crate::db::{Db, now};
use crate::error::Result;
use crate::{on_pool, on_writer};

/// A session row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: String,
    pub user_agent: String,
}

const COLUMNS: &str = "id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent";

/// Store a new session.
pub async fn insert(db: &Db, s: &Session) -> Result<()> {
    let sql = format!("INSERT INTO sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    on_writer!(db, |pool| sqlx::query(&sql)
        .bind(&s.id_hash)
        .bind(s.user_id)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .bind(&s.ip)
        .bind(&s.user_agent)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// The live session with this hash and its user.
pub async fn find(db: &Db, id_hash: &str, at: DateTime<Utc>) -> Result<Option<(Session, User)>> {
    // Session and User both have `created_at`: the session's is read under another name.
    #[derive(sqlx::FromRow)]
    struct Row {
        id_hash: String,
        user_id: i64,
        session_created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        ip: String,
        user_agent: String,
        #[sqlx(flatten)]
        user: User,
    }
    let user_columns = user::COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT s.id_hash, s.user_id, s.created_at AS session_created_at, s.last_seen_at, s.expires_at, s.ip, \
         s.user_agent, {user_columns} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2"
    );
    let row: Option<Row> = on_pool!(db, |pool| sqlx::query_as::<_, Row>(&sql)
        .bind(id_hash)
        .bind(at)
        .fetch_optional(pool)
        .await?);
    Ok(row.map(|r| {
        let session = Session {
            id_hash: r.id_hash,
            user_id: r.user_id,
            created_at: r.session_created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
            ip: r.ip,
            user_agent: r.user_agent,
        };
        (session, r.user)
    }))
}

/// Note that a session was used now (from `ip`, when known).
pub async fn touch(db: &Db, id_hash: &str, at: DateTime<Utc>, ip: &str) -> Result<()> {
    const SQL: &str = "UPDATE sessions SET last_seen_at = $2, ip = CASE WHEN $3 = '' THEN ip ELSE $3 END \
                       WHERE id_hash = $1";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(id_hash)
        .bind(at)
        .bind(ip)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// A user's live sessions, most recently used first.
pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<Session>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Session>(&sql)
        .bind(user_id)
        .bind(now())
        .fetch_all(pool)
        .await?))
}

/// End one session of a user; false if there was none.
pub async fn delete(db: &Db, user_id: i64, id_hash: &str) -> Result<bool> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2";
    let n = on_writer!(db, |pool| sqlx::query(SQL)
        .bind(user_id)
        .bind(id_hash)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(n > 0)
}

/// End every session of a user but `keep`; how many ended.
pub async fn delete_others(db: &Db, user_id: i64, keep: &str) -> Result<u64> {
    const SQL: &str = "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2";
    Ok(on_writer!(db, |pool| sqlx::query(SQL)
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await?
        .rows_affected()))
}

/// Forget sessions that expired before `at`.
pub async fn purge_expired(db: &Db, at: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM sessions WHERE expires_at <= $1";
    Ok(on_writer!(db, |pool| sqlx::query(SQL)
        .bind(at)
        .execute(pool)
        .await?
        .rows_affected()))
}
