//! Users: the people who write (authors, editors) and run the site. Their rows and SQL, including
//! the secrets of signing in (password hash, two-factor secret and recovery codes), which live in
//! `Credentials` so that bylines and listings never load them.

use chrono::{DateTime, Utc};

use crate::db::activity::Audit;
use crate::db::{Db, now};
use crate::error::Result;
use crate::{log_activity, log_change, on_pool, on_writer};

/// A user row (public profile and role; no secrets).
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

/// A user to insert. Emails are stored lowercased: one address, one account.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub login: String,
    pub slug: String,
    pub display_name: String,
    pub email: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: Option<String>,
    pub role: String,
    /// An argon2id PHC string, or None for an account that cannot sign in yet.
    pub password_hash: Option<String>,
}

/// A profile edit.
#[derive(Debug, Clone)]
pub struct UserPatch {
    pub display_name: String,
    pub slug: String,
    pub email: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: Option<String>,
}

/// What signing in checks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_last_step: i64,
}

/// The columns of `User`, for queries that join users in.
pub const COLUMNS: &str =
    "id, login, slug, display_name, email, url, bio, avatar_url, role, created_at";

/// The insert of a user (`$10` is now), shared with the import.
pub(crate) const INSERT: &str = "INSERT INTO users (login, slug, display_name, email, url, bio, avatar_url, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

/// Insert a user, returning its id; with an `audit`, the activity log names who added them.
pub async fn insert(db: &Db, new: &NewUser, audit: Option<&Audit>) -> Result<i64> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(INSERT)
            .bind(&new.login)
            .bind(&new.slug)
            .bind(&new.display_name)
            .bind(new.email.to_lowercase())
            .bind(&new.url)
            .bind(&new.bio)
            .bind(&new.avatar_url)
            .bind(&new.role)
            .bind(&new.password_hash)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        log_change!(tx, "user", id, "create")?;
        if let Some(audit) = audit {
            log_activity!(
                tx,
                audit,
                "add user",
                "user",
                Some(id),
                format!("{} <{}> as {}", new.display_name, new.email, new.role)
            )?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// The user with this archive slug.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<User>> {
    one(db, "slug = $1", slug).await
}

/// The user with this id.
pub async fn get(db: &Db, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, User>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The users with these ids (those that exist), in no particular order.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<User>> {
    let select = format!("SELECT {COLUMNS} FROM users WHERE");
    crate::db::rows_with_ids(db, &select, ids, "").await
}

/// The user with this email (any case).
pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>> {
    one(db, "email = $1", &email.trim().to_lowercase()).await
}

/// The user who signs in as `name`: an email, or a login in any case.
pub async fn by_login_or_email(db: &Db, name: &str) -> Result<Option<User>> {
    let name = name.trim().to_lowercase();
    if name.contains('@')
        && let Some(u) = by_email(db, &name).await?
    {
        return Ok(Some(u));
    }
    one(db, "LOWER(login) = $1", &name).await
}

async fn one(db: &Db, condition: &str, value: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE {condition}");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, User>(&sql)
        .bind(value)
        .fetch_optional(pool)
        .await?))
}

/// Every user, by name, with how many articles carry their byline.
pub async fn list_with_counts(db: &Db) -> Result<Vec<(User, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        articles: i64,
    }
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM post_authors pa WHERE pa.user_id = users.id) AS articles \
         FROM users ORDER BY display_name, id"
    );
    let rows: Vec<Row> = on_pool!(db, |pool| sqlx::query_as::<_, Row>(&sql)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(|r| (r.user, r.articles)).collect())
}

/// Every user who may write (contributor and up), by name: the byline picker.
pub async fn writers(db: &Db) -> Result<Vec<User>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE role IN ('contributor', 'author', 'editor', 'administrator') \
         ORDER BY display_name, id"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, User>(&sql)
        .fetch_all(pool)
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

/// How many users have a role.
pub async fn count_with_role(db: &Db, role: &str) -> Result<i64> {
    Ok(on_pool!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = $1"
    )
    .bind(role)
    .fetch_one(pool)
    .await?))
}

/// Change a profile.
pub async fn update_profile(db: &Db, id: i64, patch: &UserPatch, audit: &Audit) -> Result<()> {
    const SQL: &str = "UPDATE users SET display_name = $2, slug = $3, email = $4, url = $5, bio = $6, avatar_url = $7 \
         WHERE id = $1";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query(SQL)
            .bind(id)
            .bind(&patch.display_name)
            .bind(&patch.slug)
            .bind(patch.email.to_lowercase())
            .bind(&patch.url)
            .bind(&patch.bio)
            .bind(&patch.avatar_url)
            .execute(&mut *tx)
            .await?;
        log_change!(tx, "user", id, "update")?;
        log_activity!(
            tx,
            audit,
            "edit profile",
            "user",
            Some(id),
            patch.display_name.clone()
        )?;
        tx.commit().await?;
        Ok(())
    })
}

/// Change a role.
pub async fn set_role(db: &Db, id: i64, role: &str, audit: &Audit) -> Result<()> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let old: Option<(String, String)> =
            sqlx::query_as("SELECT role, display_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((old, name)) = old else {
            return Err(crate::Error::NotFound);
        };
        sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
            .bind(id)
            .bind(role)
            .execute(&mut *tx)
            .await?;
        log_change!(tx, "user", id, "role")?;
        log_activity!(
            tx,
            audit,
            "change role",
            "user",
            Some(id),
            format!("{name}: {old} → {role}")
        )?;
        tx.commit().await?;
        Ok(())
    })
}

/// The sign-in secrets of a user.
pub async fn credentials(db: &Db, id: i64) -> Result<Option<Credentials>> {
    const SQL: &str =
        "SELECT id, password_hash, totp_secret, totp_last_step FROM users WHERE id = $1";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Credentials>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// Set a password hash and end the user's sessions but `keep_session` (the one making the change).
pub async fn set_password(
    db: &Db,
    id: i64,
    hash: &str,
    keep_session: Option<&str>,
    audit: &Audit,
) -> Result<()> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        log_activity!(tx, audit, "change password", "user", Some(id), "")?;
        tx.commit().await?;
        Ok(())
    })
}

/// Replace a stored hash with a stronger one after a successful sign-in (same password).
pub async fn rehash_password(db: &Db, id: i64, old: &str, new: &str) -> Result<()> {
    const SQL: &str = "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2";
    on_writer!(db, |pool| sqlx::query(SQL)
        .bind(id)
        .bind(old)
        .bind(new)
        .execute(pool)
        .await
        .map(drop)?);
    Ok(())
}

/// Turn two-factor sign-in on (a secret and fresh recovery-code hashes) or off (None).
pub async fn set_two_factor(
    db: &Db,
    id: i64,
    secret: Option<&str>,
    code_hashes: &[String],
    audit: &Audit,
) -> Result<()> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = 0 WHERE id = $1")
            .bind(id)
            .bind(secret)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for hash in code_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        let action = if secret.is_some() {
            "turn on two-factor"
        } else {
            "turn off two-factor"
        };
        log_activity!(tx, audit, action, "user", Some(id), "")?;
        tx.commit().await?;
        Ok(())
    })
}

/// Record that a TOTP time step was used; false if it (or a later one) already was: a replay.
pub async fn use_totp_step(db: &Db, id: i64, step: i64) -> Result<bool> {
    const SQL: &str = "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2";
    let done = on_writer!(db, |pool| sqlx::query(SQL)
        .bind(id)
        .bind(step)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(done == 1)
}

/// Spend a recovery code; false if it is unknown or was used.
pub async fn use_recovery_code(db: &Db, id: i64, code_hash: &str) -> Result<bool> {
    const SQL: &str = "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 \
                       AND used_at IS NULL";
    let done = on_writer!(db, |pool| sqlx::query(SQL)
        .bind(id)
        .bind(code_hash)
        .bind(now())
        .execute(pool)
        .await?
        .rows_affected());
    Ok(done == 1)
}

/// How many unused recovery codes a user has.
pub async fn recovery_codes_left(db: &Db, id: i64) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(id)
        .fetch_one(pool)
        .await?))
}
