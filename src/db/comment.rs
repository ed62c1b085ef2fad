//! Comments: rows and all their SQL. The email and IP columns are for moderators only: nothing
//! public reads `Comment` directly; `render` turns it into a view without them.

use chrono::{DateTime, Utc};

use crate::db::activity::Audit;
use crate::db::comment_intake::{Intake, Lookup};
use crate::db::{Db, like_pattern, now};
use crate::error::{Error, Result};
use crate::{log_activity, log_change, on_pool, on_writer};

/// Where a comment is in moderation.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const APPROVED: &str = "approved";
    pub const SPAM: &str = "spam";
    pub const TRASH: &str = "trash";
    /// Every status, for validation.
    pub const ALL: [&str; 4] = [PENDING, APPROVED, SPAM, TRASH];
}

/// A comment row, private fields included.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub user_agent: String,
    pub content: String,
    pub status: String,
    /// Which moderation rule decided the status, for the moderator.
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

/// A comment to insert.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub user_agent: String,
    pub content: String,
    pub status: String,
    pub reason: String,
    /// None: now.
    pub created_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, post_id, parent_id, user_id, author_name, author_email, author_url, author_ip, user_agent, \
     content, status, reason, created_at";

/// Insert a comment and its change-log entry in one transaction; returns its id once committed.
pub async fn insert(db: &Db, new: &NewComment) -> Result<i64> {
    insert_once(db, new, None)
        .await?
        .ok_or_else(|| Error::Internal("a comment without a form token was refused".into()))
}

/// Insert a comment, spending its form token in the same transaction: None (and nothing stored)
/// when the token was already spent, i.e. the form is a replay. Comments arriving together share
/// one transaction (`comment_intake`); the answer comes after it commits.
pub async fn insert_once(
    db: &Db,
    new: &NewComment,
    form_token: Option<&str>,
) -> Result<Option<i64>> {
    crate::db::comment_intake::Intake::write(db, new, form_token).await
}

/// Insert comments (each spending its form token, if any) and their change-log entries in one
/// transaction: for each, its id, or None when its token was already spent.
pub(crate) async fn insert_batch(
    db: &Db,
    entries: &[(&NewComment, Option<&str>)],
) -> Result<Vec<Option<i64>>> {
    if let Db::Postgres(pg) = db {
        let (ids, newest) = insert_batch_postgres(&pg.pool, entries).await?;
        db.comment_intake().wrote(newest);
        return Ok(ids);
    }
    const SPEND: &str = "INSERT INTO used_form_tokens (token, used_at) VALUES ($1, $2) ON CONFLICT (token) DO NOTHING";
    const SQL: &str = "INSERT INTO comments (post_id, parent_id, user_id, author_name, author_email, author_url, author_ip, \
         user_agent, content, status, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let mut ids = Vec::with_capacity(entries.len());
        for (new, form_token) in entries {
            if let Some(token) = form_token {
                let spent = sqlx::query(SPEND)
                    .bind(*token)
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
                if spent.rows_affected() == 0 {
                    ids.push(None);
                    continue;
                }
            }
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(new.post_id)
                .bind(new.parent_id)
                .bind(new.user_id)
                .bind(&new.author_name)
                .bind(&new.author_email)
                .bind(&new.author_url)
                .bind(&new.author_ip)
                .bind(&new.user_agent)
                .bind(&new.content)
                .bind(&new.status)
                .bind(&new.reason)
                .bind(new.created_at.unwrap_or_else(now))
                .fetch_one(&mut *tx)
                .await?;
            log_change!(tx, "comment", id, "create")?;
            if new.status == status::APPROVED {
                // Public pages show it now: name its article for the caches.
                log_change!(tx, "comments", new.post_id, "create")?;
            }
            ids.push(Some(id));
        }
        let newest: i64 = sqlx::query_scalar(crate::db::change::LATEST_ID)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        db.comment_intake().wrote(newest);
        Ok(ids)
    })
}

/// `insert_batch` on PostgreSQL: one statement per step for the whole batch, not per comment,
/// since each statement is a round trip to the server (four per comment made a batch of 100
/// wait for 400 of them while it held the writer's turn).
async fn insert_batch_postgres(
    pool: &sqlx::PgPool,
    entries: &[(&NewComment, Option<&str>)],
) -> Result<(Vec<Option<i64>>, i64)> {
    const SPEND: &str = "INSERT INTO used_form_tokens (token, used_at) SELECT t, $2 FROM UNNEST($1::text[]) AS t \
         ON CONFLICT (token) DO NOTHING RETURNING token";
    // With the change log's `ORDER_LOCK`, which the batch takes here rather than in a
    // statement of its own.
    const IDS: &str = "SELECT nextval(pg_get_serial_sequence('comments', 'id')) \
         FROM pg_advisory_xact_lock($2), generate_series(1, $1)";
    const SQL: &str = "INSERT INTO comments (id, post_id, parent_id, user_id, author_name, author_email, author_url, \
         author_ip, user_agent, content, status, reason, created_at) SELECT * FROM UNNEST($1::bigint[], $2::bigint[], \
         $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], \
         $12::text[], $13::timestamptz[])";
    const LOG: &str = "INSERT INTO changes (entity, entity_id, action, at) \
         SELECT e, i, 'create', $3 FROM UNNEST($1::text[], $2::bigint[]) AS u(e, i) RETURNING id";
    let at = now();
    let mut tx = pool.begin().await?;
    let mut tokens: Vec<&str> = entries.iter().filter_map(|(_, t)| *t).collect();
    tokens.sort_unstable();
    tokens.dedup();
    let spent: std::collections::HashSet<String> = if tokens.is_empty() {
        Default::default()
    } else {
        sqlx::query_scalar(SPEND)
            .bind(&tokens)
            .bind(at)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect()
    };
    // A comment goes in without a token, or with one this batch spent, the first time it is used.
    let mut used = std::collections::HashSet::new();
    let goes: Vec<bool> = entries
        .iter()
        .map(|(_, token)| token.is_none_or(|t| spent.contains(t) && used.insert(t)))
        .collect();
    let going: Vec<&NewComment> = entries
        .iter()
        .zip(&goes)
        .filter(|(_, goes)| **goes)
        .map(|((new, _), _)| *new)
        .collect();
    let mut ids: Vec<i64> = Vec::new();
    let mut newest = 0;
    if !going.is_empty() {
        // Ids first, so each comment knows its own whatever order the rows go in.
        ids = sqlx::query_scalar(IDS)
            .bind(going.len() as i64)
            .bind(crate::db::change::ORDER_LOCK_KEY)
            .fetch_all(&mut *tx)
            .await?;
        let text = |f: fn(&NewComment) -> &str| going.iter().map(|c| f(c)).collect::<Vec<&str>>();
        sqlx::query(SQL)
            .bind(&ids)
            .bind(going.iter().map(|c| c.post_id).collect::<Vec<i64>>())
            .bind(
                going
                    .iter()
                    .map(|c| c.parent_id)
                    .collect::<Vec<Option<i64>>>(),
            )
            .bind(
                going
                    .iter()
                    .map(|c| c.user_id)
                    .collect::<Vec<Option<i64>>>(),
            )
            .bind(text(|c| &c.author_name))
            .bind(text(|c| &c.author_email))
            .bind(text(|c| &c.author_url))
            .bind(text(|c| &c.author_ip))
            .bind(text(|c| &c.user_agent))
            .bind(text(|c| &c.content))
            .bind(text(|c| &c.status))
            .bind(text(|c| &c.reason))
            .bind(
                going
                    .iter()
                    .map(|c| c.created_at.unwrap_or(at))
                    .collect::<Vec<DateTime<Utc>>>(),
            )
            .execute(&mut *tx)
            .await?;
        // Each comment is a change; an approved one also changes its article's public pages.
        let mut entities = Vec::new();
        let mut entity_ids = Vec::new();
        for (c, id) in going.iter().zip(&ids) {
            entities.push("comment");
            entity_ids.push(*id);
            if c.status == status::APPROVED {
                entities.push("comments");
                entity_ids.push(c.post_id);
            }
        }
        let logged: Vec<i64> = sqlx::query_scalar(LOG)
            .bind(entities)
            .bind(entity_ids)
            .bind(at)
            .fetch_all(&mut *tx)
            .await?;
        newest = logged.into_iter().max().unwrap_or(0);
    }
    tx.commit().await?;
    let mut ids = ids.into_iter();
    let ids = goes
        .iter()
        .map(|goes| goes.then(|| ids.next()).flatten())
        .collect();
    Ok((ids, newest))
}

/// Forget spent form tokens older than `before` (their forms have expired anyway).
pub async fn forget_tokens_before(db: &Db, before: DateTime<Utc>) -> Result<u64> {
    const SQL: &str = "DELETE FROM used_form_tokens WHERE used_at < $1";
    Ok(on_writer!(db, |pool| sqlx::query(SQL)
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected()))
}

/// The comment with this id.
pub async fn get(db: &Db, id: i64) -> Result<Option<Comment>> {
    let sql = format!("SELECT {COLUMNS} FROM comments WHERE id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Comment>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// Approved comments of a post, oldest first (threads are built from this).
pub async fn approved_for_post(db: &Db, post_id: i64) -> Result<Vec<Comment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM comments WHERE post_id = $1 AND status = 'approved' ORDER BY created_at, id"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Comment>(&sql)
        .bind(post_id)
        .fetch_all(pool)
        .await?))
}

/// The newest approved comments on live, unprotected articles: the site's comments feed.
pub async fn latest_public(db: &Db, limit: i64) -> Result<Vec<Comment>> {
    let columns = COLUMNS
        .split(',')
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM comments c JOIN posts p ON p.id = c.post_id \
         WHERE c.status = 'approved' AND p.status = 'published' AND p.password = '' \
         ORDER BY c.created_at DESC, c.id DESC LIMIT $1"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Comment>(&sql)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// Comments with these ids (for showing a commenter their own held comments).
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Comment>> {
    let select = format!("SELECT {COLUMNS} FROM comments WHERE");
    crate::db::rows_with_ids(db, &select, ids, "ORDER BY id").await
}

/// How many approved comments an article has, counting no further than `cap` (a bound on the
/// cost on an article with thousands).
pub async fn approved_count_upto(db: &Db, post_id: i64, cap: i64) -> Result<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM comments WHERE post_id = $1 \
         AND status = 'approved' LIMIT $2) AS capped";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(post_id)
        .bind(cap)
        .fetch_one(pool)
        .await?))
}

/// Comments with a status ("all" for every one), newest first.
pub async fn list(db: &Db, status: &str, limit: i64) -> Result<Vec<Comment>> {
    let filter = if status == "all" {
        "$1 = $1"
    } else {
        "status = $1"
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM comments WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Comment>(&sql)
        .bind(status)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// Move a comment to another status (`action` names it in the activity log); false if there is
/// no such comment.
pub async fn set_status(
    db: &Db,
    id: i64,
    status: &str,
    action: &str,
    audit: &Audit,
) -> Result<bool> {
    const SQL: &str =
        "UPDATE comments SET status = $2 WHERE id = $1 RETURNING author_name, post_id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: Option<(String, i64)> = sqlx::query_as(SQL)
            .bind(id)
            .bind(status)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((author, post_id)) = row else {
            return Ok(false);
        };
        log_change!(tx, "comment", id, status)?;
        log_change!(tx, "comments", post_id, status)?;
        log_activity!(
            tx,
            audit,
            action,
            "comment",
            Some(id),
            format!("by {author}")
        )?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Replace a comment's text; false if there is no such comment.
pub async fn set_content(db: &Db, id: i64, content: &str, audit: &Audit) -> Result<bool> {
    const SQL: &str =
        "UPDATE comments SET content = $2 WHERE id = $1 RETURNING author_name, post_id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: Option<(String, i64)> = sqlx::query_as(SQL)
            .bind(id)
            .bind(content)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((author, post_id)) = row else {
            return Ok(false);
        };
        log_change!(tx, "comment", id, "edit")?;
        log_change!(tx, "comments", post_id, "edit")?;
        log_activity!(
            tx,
            audit,
            "edit comment",
            "comment",
            Some(id),
            format!("by {author}")
        )?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Delete a comment for good (its replies stay, re-parented to the top level); false if none.
pub async fn delete(db: &Db, id: i64, audit: &Audit) -> Result<bool> {
    const SQL: &str = "DELETE FROM comments WHERE id = $1 RETURNING author_name, post_id";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: Option<(String, i64)> = sqlx::query_as(SQL)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((author, post_id)) = row else {
            return Ok(false);
        };
        log_change!(tx, "comment", id, "delete")?;
        log_change!(tx, "comments", post_id, "delete")?;
        log_activity!(
            tx,
            audit,
            "delete comment",
            "comment",
            Some(id),
            format!("by {author}")
        )?;
        tx.commit().await?;
        Ok(true)
    })
}

/// A comment as the moderation queue shows it: with the title of its article.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedComment {
    #[sqlx(flatten)]
    pub comment: Comment,
    pub post_title: String,
}

/// One page of the moderation queue: comments with a status ("all": every one but spam and
/// trash, as WordPress's "All"), optionally containing `search`, only on the articles of
/// `owner` when given, newest first; and the total.
pub async fn queue(
    db: &Db,
    status: &str,
    search: &str,
    owner: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<QueuedComment>, i64)> {
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("c.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = "($1 = 'all' AND c.status IN ('pending', 'approved') OR c.status = $1) \
         AND ($2 = '' OR LOWER(c.content) LIKE $3 ESCAPE '\\' OR LOWER(c.author_name) LIKE $3 ESCAPE '\\' \
         OR c.author_email LIKE $3 ESCAPE '\\') \
         AND ($4 IS NULL OR p.owner_id = $4 OR EXISTS (SELECT 1 FROM post_authors pa WHERE pa.post_id = c.post_id AND pa.user_id = $4))";
    let sql = format!(
        "SELECT {columns}, p.title AS post_title FROM comments c JOIN posts p ON p.id = c.post_id \
         WHERE {filter} ORDER BY c.created_at DESC, c.id DESC LIMIT $5 OFFSET $6"
    );
    let count_sql =
        format!("SELECT COUNT(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE {filter}");
    let pattern = like_pattern(search, true);
    on_pool!(db, |pool| {
        let rows = sqlx::query_as::<_, QueuedComment>(&sql)
            .bind(status)
            .bind(search.trim())
            .bind(&pattern)
            .bind(owner)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(status)
            .bind(search.trim())
            .bind(&pattern)
            .bind(owner)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

/// Whether this email already has an approved comment (WordPress's "previously approved" rule).
pub async fn has_approved_from(db: &Db, email: &str) -> Result<bool> {
    const SQL: &str =
        "SELECT COUNT(*) FROM comments WHERE author_email = $1 AND status = 'approved'";
    let n: i64 = on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(email)
        .fetch_one(pool)
        .await?);
    Ok(n > 0)
}

/// When this IP last commented, if ever.
pub async fn last_from_ip(db: &Db, ip: &str) -> Result<Option<DateTime<Utc>>> {
    const SQL: &str = "SELECT MAX(created_at) FROM comments WHERE author_ip = $1";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(ip)
        .fetch_one(pool)
        .await?))
}

/// Whether the same person (by email, which is required) already left the same text on this post,
/// as WordPress refuses duplicates. Led by the email index, so it costs the same on a busy article.
pub async fn is_duplicate(
    db: &Db,
    post_id: i64,
    author_email: &str,
    content: &str,
) -> Result<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM comments WHERE author_email = $1 AND post_id = $2 AND content = $3 \
         AND status <> 'trash'";
    let n: i64 = on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(author_email)
        .bind(post_id)
        .bind(content)
        .fetch_one(pool)
        .await?);
    Ok(n > 0)
}

/// What the moderation rules ask about a new comment, read in one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The same person (by email) already left the same text on this post.
    pub duplicate: bool,
    /// When this IP last commented, if ever.
    pub last_from_ip: Option<DateTime<Utc>>,
    /// This email has an approved comment already.
    pub approved_before: bool,
}

/// `is_duplicate`, `last_from_ip` and `has_approved_from` together (one round trip instead of
/// three for every comment posted). On PostgreSQL the histories of comments arriving together are
/// read in one statement (`comment_intake`): a round trip costs the server more than the lookups.
pub async fn history(
    db: &Db,
    post_id: i64,
    author_email: &str,
    content: &str,
    ip: &str,
) -> Result<History> {
    let lookup = Lookup {
        post_id,
        author_email: author_email.into(),
        content: content.into(),
        ip: ip.into(),
    };
    match db {
        Db::Postgres(_) => Intake::history(db, lookup).await,
        Db::Sqlite(_) => history_of(db, &lookup).await,
    }
}

/// One comment's history, read on its own.
pub(crate) async fn history_of(db: &Db, lookup: &Lookup) -> Result<History> {
    // `post_id + 0`: see `histories`.
    const SQL: &str = "SELECT \
         EXISTS (SELECT 1 FROM comments WHERE author_email = $1 AND post_id + 0 = $2 AND content = $3 \
          AND status <> 'trash'), \
         (SELECT MAX(created_at) FROM comments WHERE author_ip = $4), \
         EXISTS (SELECT 1 FROM comments WHERE author_email = $1 AND status = 'approved')";
    if let Db::Postgres(_) = db {
        return histories(db, std::slice::from_ref(lookup))
            .await?
            .pop()
            .ok_or_else(|| Error::Internal("a history read returned no row".into()));
    }
    let (duplicate, last_from_ip, approved_before): (bool, Option<DateTime<Utc>>, bool) =
        on_pool!(db, |pool| sqlx::query_as(SQL)
            .bind(&lookup.author_email)
            .bind(lookup.post_id)
            .bind(&lookup.content)
            .bind(&lookup.ip)
            .fetch_one(pool)
            .await?);
    Ok(History {
        duplicate,
        last_from_ip,
        approved_before,
    })
}

/// The histories of several comments in one statement (PostgreSQL), in the order asked.
pub(crate) async fn histories(db: &Db, lookups: &[Lookup]) -> Result<Vec<History>> {
    // Each check is a LATERAL lookup with LIMIT 1 so that it stays a probe of an index per
    // comment: as EXISTS, PostgreSQL hashed the whole comments table for it at each batch. And
    // `post_id + 0` keeps the duplicate check on the email's few rows: planned without knowing
    // the article, it also scanned the article's thread index, all of a busy article's
    // comments (1.9 ms per check at 67,000 of them).
    const SQL: &str = "SELECT d.x IS NOT NULL, \
         (SELECT MAX(c.created_at) FROM comments c WHERE c.author_ip = q.ip), a.x IS NOT NULL \
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS q(post, email, content, ip, n) \
         LEFT JOIN LATERAL (SELECT 1 AS x FROM comments c WHERE c.author_email = q.email \
          AND c.post_id + 0 = q.post AND c.content = q.content AND c.status <> 'trash' LIMIT 1) d ON true \
         LEFT JOIN LATERAL (SELECT 1 AS x FROM comments c WHERE c.author_email = q.email \
          AND c.status = 'approved' LIMIT 1) a ON true \
         ORDER BY q.n";
    let Db::Postgres(pg) = db else {
        return Err(Error::Internal(
            "histories are read together on PostgreSQL only".into(),
        ));
    };
    let texts = |f: fn(&Lookup) -> &str| lookups.iter().map(f).collect::<Vec<&str>>();
    let rows: Vec<(bool, Option<DateTime<Utc>>, bool)> = sqlx::query_as(SQL)
        .bind(lookups.iter().map(|l| l.post_id).collect::<Vec<i64>>())
        .bind(texts(|l| &l.author_email))
        .bind(texts(|l| &l.content))
        .bind(texts(|l| &l.ip))
        .fetch_all(&pg.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(duplicate, last_from_ip, approved_before)| History {
            duplicate,
            last_from_ip,
            approved_before,
        })
        .collect())
}

/// How many comments there are in each status.
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM comments GROUP BY status ORDER BY status";
    Ok(on_pool!(db, |pool| sqlx::query_as(SQL)
        .fetch_all(pool)
        .await?))
}

/// How many comments there are with a status.
pub async fn count(db: &Db, status: &str) -> Result<i64> {
    Ok(on_pool!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM comments WHERE status = $1"
    )
    .bind(status)
    .fetch_one(pool)
    .await?))
}
