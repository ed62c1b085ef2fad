//! The SQL of a WordPress import: everything runs in one transaction (`Tx`), so a failed import
//! leaves the site as it was, and rows go in many at a time (multi-row `INSERT`s), so 100,000
//! articles take seconds, not minutes. Articles and comments keep their WordPress ids where they
//! are free, so `/?p=ID` and `#comment-ID` links keep working.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use sqlx::types::Json;

use crate::db::media::NewMedia;
use crate::db::term::NewTerm;
use crate::db::user::NewUser;
use crate::db::{Db, now};
use crate::error::Result;

/// An open import transaction on either backend.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Run the same statement on whichever connection `tx` holds; `$c` is bound to it.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// How many rows one multi-row INSERT carries (well under both backends' bind limits).
const ROWS_PER_INSERT: usize = 200;

/// An article as the import stores it.
#[derive(Debug, Clone)]
pub struct ImportedPost {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub slug: String,
    pub body_source: String,
    pub body_format: String,
    pub body_html: String,
    pub excerpt: String,
    pub custom_excerpt: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub modified_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sticky: bool,
    pub comment_status: String,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
    pub owner_id: Option<i64>,
    pub featured_media_id: Option<i64>,
    pub password: String,
    pub author_ids: Vec<i64>,
    pub term_ids: Vec<i64>,
    pub media_ids: Vec<i64>,
    pub old_slugs: Vec<String>,
    /// Old paths that should redirect here.
    pub old_paths: Vec<String>,
}

/// A comment as the import stores it.
#[derive(Debug, Clone)]
pub struct ImportedComment {
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
    pub created_at: DateTime<Utc>,
}

impl Tx {
    /// Begin the import's transaction.
    pub async fn begin(db: &Db) -> Result<Tx> {
        Ok(match db {
            Db::Sqlite(pools) => Tx::Sqlite(pools.write.begin().await?),
            Db::Postgres(pg) => {
                let mut t = pg.pool.begin().await?;
                // lz4 compresses the long bodies several times faster than the default pglz
                // (PostgreSQL 14+, when built with it); only this transaction's new values.
                let lz4: Option<bool> = sqlx::query_scalar(
                    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'",
                )
                .fetch_optional(&mut *t)
                .await?;
                if lz4 == Some(true) {
                    sqlx::query("SET LOCAL default_toast_compression = 'lz4'")
                        .execute(&mut *t)
                        .await?;
                }
                Tx::Postgres(t)
            }
        })
    }

    /// Make everything permanent.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Undo everything (a dry run, or a failure).
    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// What an earlier import from `source` made of WordPress ids of `kind` (wp id → local id).
    pub async fn mapped(&mut self, source: &str, kind: &str) -> Result<HashMap<i64, i64>> {
        const SQL: &str = "SELECT wp_id, local_id FROM imported WHERE source = $1 AND kind = $2";
        let rows: Vec<(i64, i64)> = on_tx!(self, |c| sqlx::query_as(SQL)
            .bind(source)
            .bind(kind)
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().collect())
    }

    /// Remember what WordPress ids of `kind` became.
    pub async fn record(&mut self, source: &str, kind: &str, pairs: &[(i64, i64)]) -> Result<()> {
        for chunk in pairs.chunks(ROWS_PER_INSERT * 4) {
            on_tx!(self, |c| {
                let mut q =
                    QueryBuilder::new("INSERT INTO imported (source, kind, wp_id, local_id) ");
                q.push_values(chunk, |mut b, (wp, local)| {
                    b.push_bind(source)
                        .push_bind(kind)
                        .push_bind(*wp)
                        .push_bind(*local);
                });
                q.push(" ON CONFLICT DO NOTHING");
                q.build().execute(c).await?;
            });
        }
        Ok(())
    }

    /// The user with this login or email (either, any case).
    pub async fn user_by_login_or_email(
        &mut self,
        login: &str,
        email: &str,
    ) -> Result<Option<i64>> {
        const SQL: &str = "SELECT id FROM users WHERE LOWER(login) = LOWER($1) OR email = LOWER($2) ORDER BY id LIMIT 1";
        Ok(on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(login)
            .bind(email)
            .fetch_optional(c)
            .await?))
    }

    /// Whether a user's slug is taken.
    pub async fn user_slug_taken(&mut self, slug: &str) -> Result<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM users WHERE slug = $1";
        let n: i64 = on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(slug)
            .fetch_one(c)
            .await?);
        Ok(n > 0)
    }

    /// Insert a user (with a WordPress password hash, if one came).
    pub async fn insert_user(&mut self, new: &NewUser) -> Result<i64> {
        let id: i64 = on_tx!(self, |c| sqlx::query_scalar(crate::db::user::INSERT)
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
            .fetch_one(c)
            .await?);
        Ok(id)
    }

    /// Set a password hash on a user who has none yet (never replaces one).
    pub async fn set_missing_password(&mut self, user_id: i64, hash: &str) -> Result<bool> {
        const SQL: &str =
            "UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash IS NULL";
        let done = on_tx!(self, |c| sqlx::query(SQL)
            .bind(user_id)
            .bind(hash)
            .execute(c)
            .await?
            .rows_affected());
        Ok(done > 0)
    }

    /// The term of a taxonomy with this slug.
    pub async fn term_by_slug(&mut self, taxonomy: &str, slug: &str) -> Result<Option<i64>> {
        const SQL: &str = "SELECT id FROM terms WHERE taxonomy = $1 AND slug = $2";
        Ok(on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(taxonomy)
            .bind(slug)
            .fetch_optional(c)
            .await?))
    }

    /// Insert a term.
    pub async fn insert_term(&mut self, new: &NewTerm) -> Result<i64> {
        let id: i64 = on_tx!(self, |c| sqlx::query_scalar(crate::db::term::INSERT)
            .bind(&new.taxonomy)
            .bind(&new.name)
            .bind(&new.slug)
            .bind(new.parent_id)
            .bind(&new.description)
            .fetch_one(c)
            .await?);
        Ok(id)
    }

    /// The picture made from these exact bytes, if the library has it.
    pub async fn media_by_hash(&mut self, source_hash: &str) -> Result<Option<i64>> {
        const SQL: &str = "SELECT id FROM media WHERE source_hash = $1";
        Ok(on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(source_hash)
            .fetch_optional(c)
            .await?))
    }

    /// Insert a picture whose files are stored, dated as WordPress dated it.
    pub async fn insert_media(&mut self, new: &NewMedia, created_at: DateTime<Utc>) -> Result<i64> {
        let id: i64 = on_tx!(self, |c| sqlx::query_scalar(crate::db::media::INSERT)
            .bind(&new.source_hash)
            .bind(new.owner_id)
            .bind(&new.title)
            .bind(&new.alt)
            .bind(&new.caption)
            .bind(&new.credit)
            .bind(&new.source_format)
            .bind(new.width)
            .bind(new.height)
            .bind(&new.original_key)
            .bind(new.original_bytes)
            .bind(Json(&new.variants))
            .bind(created_at)
            .fetch_one(c)
            .await?);
        Ok(id)
    }

    /// The largest id of a table (0 when empty).
    pub async fn max_id(&mut self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {}", table.name());
        let n: i64 = on_tx!(self, |c| sqlx::query_scalar(&sql).fetch_one(c).await?);
        Ok(n)
    }

    /// Every id a table has, read once: asking per batch makes PostgreSQL, whose statistics
    /// do not see rows added in this transaction, scan the growing table again and again.
    pub async fn all_ids(&mut self, table: Table) -> Result<HashSet<i64>> {
        let sql = format!("SELECT id FROM {}", table.name());
        let rows: Vec<i64> = on_tx!(self, |c| sqlx::query_scalar(&sql).fetch_all(c).await?);
        Ok(rows.into_iter().collect())
    }

    /// Every slug articles of `kind` use, read once (see `all_ids`).
    pub async fn all_slugs(&mut self, kind: &str) -> Result<HashSet<String>> {
        const SQL: &str = "SELECT slug FROM posts WHERE kind = $1";
        let rows: Vec<String> = on_tx!(self, |c| sqlx::query_scalar(SQL)
            .bind(kind)
            .fetch_all(c)
            .await?);
        Ok(rows.into_iter().collect())
    }

    /// Insert articles with their bylines, terms, pictures, old slugs and old paths.
    pub async fn insert_posts(&mut self, posts: &[ImportedPost]) -> Result<()> {
        // PostgreSQL takes the rows with their long bodies fastest by COPY.
        let copied = match self {
            Tx::Postgres(t) => {
                copy_posts(t, posts).await?;
                copy_links(t, posts).await?;
                true
            }
            Tx::Sqlite(_) => false,
        };
        for chunk in posts.chunks(ROWS_PER_INSERT) {
            if !copied {
                on_tx!(self, |c| {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO posts (id, kind, title, slug, body_source, body_format, body_html, excerpt, \
                     custom_excerpt, status, published_at, modified_at, created_at, sticky, comment_status, \
                     source_name, source_url, featured_image_url, featured_image_alt, owner_id, featured_media_id, password) ",
                    );
                    q.push_values(chunk, |mut b, p| {
                        b.push_bind(p.id)
                            .push_bind(&p.kind)
                            .push_bind(&p.title)
                            .push_bind(&p.slug)
                            .push_bind(&p.body_source)
                            .push_bind(&p.body_format)
                            .push_bind(&p.body_html)
                            .push_bind(&p.excerpt)
                            .push_bind(&p.custom_excerpt)
                            .push_bind(&p.status)
                            .push_bind(p.published_at)
                            .push_bind(p.modified_at)
                            .push_bind(p.created_at)
                            .push_bind(p.sticky)
                            .push_bind(&p.comment_status)
                            .push_bind(&p.source_name)
                            .push_bind(&p.source_url)
                            .push_bind(&p.featured_image_url)
                            .push_bind(&p.featured_image_alt)
                            .push_bind(p.owner_id)
                            .push_bind(p.featured_media_id)
                            .push_bind(&p.password);
                    });
                    q.build().execute(&mut *c).await?;
                });
            }
            let live = |p: &ImportedPost| {
                (p.status == "published" && p.kind == "post")
                    .then_some(p.published_at)
                    .flatten()
            };
            let authors: Vec<(i64, i64, i64, Option<DateTime<Utc>>)> = chunk
                .iter()
                .flat_map(|p| {
                    p.author_ids
                        .iter()
                        .enumerate()
                        .map(move |(i, u)| (p.id, *u, i as i64, live(p)))
                })
                .collect();
            let terms: Vec<(i64, i64, Option<DateTime<Utc>>)> = chunk
                .iter()
                .flat_map(|p| p.term_ids.iter().map(move |t| (p.id, *t, live(p))))
                .collect();
            let media: Vec<(i64, i64)> = chunk
                .iter()
                .flat_map(|p| p.media_ids.iter().map(move |m| (p.id, *m)))
                .collect();
            let slugs: Vec<(&str, i64)> = chunk
                .iter()
                .flat_map(|p| p.old_slugs.iter().map(move |s| (s.as_str(), p.id)))
                .collect();
            let paths: Vec<(&str, i64)> = chunk
                .iter()
                .flat_map(|p| p.old_paths.iter().map(move |s| (s.as_str(), p.id)))
                .collect();
            let (authors, terms) = if copied {
                (Vec::new(), Vec::new())
            } else {
                (authors, terms)
            };
            for part in authors.chunks(ROWS_PER_INSERT * 2) {
                on_tx!(self, |c| {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO post_authors (post_id, user_id, position, live_at) ",
                    );
                    q.push_values(part, |mut b, (p, u, i, l)| {
                        b.push_bind(*p).push_bind(*u).push_bind(*i).push_bind(*l);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(c).await?;
                });
            }
            for part in terms.chunks(ROWS_PER_INSERT * 2) {
                on_tx!(self, |c| {
                    let mut q =
                        QueryBuilder::new("INSERT INTO post_terms (post_id, term_id, live_at) ");
                    q.push_values(part, |mut b, (p, t, l)| {
                        b.push_bind(*p).push_bind(*t).push_bind(*l);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(c).await?;
                });
            }
            for part in media.chunks(ROWS_PER_INSERT * 2) {
                on_tx!(self, |c| {
                    let mut q = QueryBuilder::new("INSERT INTO post_media (post_id, media_id) ");
                    q.push_values(part, |mut b, (p, m)| {
                        b.push_bind(*p).push_bind(*m);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(c).await?;
                });
            }
            for part in slugs.chunks(ROWS_PER_INSERT * 2) {
                on_tx!(self, |c| {
                    let mut q = QueryBuilder::new("INSERT INTO old_slugs (slug, post_id) ");
                    q.push_values(part, |mut b, (s, p)| {
                        b.push_bind(*s).push_bind(*p);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(c).await?;
                });
            }
            for part in paths.chunks(ROWS_PER_INSERT * 2) {
                on_tx!(self, |c| {
                    let mut q = QueryBuilder::new("INSERT INTO redirects (path, post_id) ");
                    q.push_values(part, |mut b, (s, p)| {
                        b.push_bind(*s).push_bind(*p);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(c).await?;
                });
            }
        }
        Ok(())
    }

    /// Insert comments (parents before their replies).
    pub async fn insert_comments(&mut self, comments: &[ImportedComment]) -> Result<()> {
        if let Tx::Postgres(t) = self {
            return copy_comments(t, comments).await;
        }
        for chunk in comments.chunks(ROWS_PER_INSERT) {
            on_tx!(self, |c| {
                let mut q = QueryBuilder::new(
                    "INSERT INTO comments (id, post_id, parent_id, user_id, author_name, author_email, author_url, \
                     author_ip, user_agent, content, status, reason, created_at) ",
                );
                q.push_values(chunk, |mut b, m| {
                    b.push_bind(m.id)
                        .push_bind(m.post_id)
                        .push_bind(m.parent_id)
                        .push_bind(m.user_id)
                        .push_bind(&m.author_name)
                        .push_bind(&m.author_email)
                        .push_bind(&m.author_url)
                        .push_bind(&m.author_ip)
                        .push_bind(&m.user_agent)
                        .push_bind(&m.content)
                        .push_bind(&m.status)
                        .push_bind("imported from WordPress")
                        .push_bind(m.created_at);
                });
                q.build().execute(c).await?;
            });
        }
        Ok(())
    }

    /// After rows went in with ids of their own: PostgreSQL's sequences move past them (SQLite's
    /// AUTOINCREMENT does so by itself). Then one change-log row tells every node and cache that
    /// the whole site changed.
    pub async fn finish(&mut self, changed: bool) -> Result<()> {
        if let Tx::Postgres(t) = self {
            for table in ["posts", "comments", "users", "terms", "media"] {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
                );
                sqlx::query(&sql).execute(&mut **t).await?;
            }
            if changed {
                sqlx::query(crate::db::change::ORDER_LOCK)
                    .bind(crate::db::change::ORDER_LOCK_KEY)
                    .execute(&mut **t)
                    .await?;
            }
        }
        if !changed {
            return Ok(());
        }
        on_tx!(self, |c| {
            sqlx::query(crate::db::change::INSERT)
                .bind("site")
                .bind(0i64)
                .bind("import")
                .bind(now())
                .execute(c)
                .await?;
        });
        Ok(())
    }
}

/// A value in COPY's text format.
fn copy_field(out: &mut String, value: Option<&str>) {
    let Some(v) = value else {
        out.push_str("\\N");
        return;
    };
    for ch in v.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// One row of COPY's text format.
fn copy_row(out: &mut String, fields: &[Option<&str>]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        copy_field(out, *f);
    }
    out.push('\n');
}

async fn copy_posts(c: &mut sqlx::PgConnection, posts: &[ImportedPost]) -> Result<()> {
    let mut data = String::with_capacity(posts.iter().map(|p| p.body_source.len() * 2 + 512).sum());
    for p in posts {
        let (id, published, modified, created) = (
            p.id.to_string(),
            p.published_at.map(|d| d.to_rfc3339()),
            p.modified_at.to_rfc3339(),
            p.created_at.to_rfc3339(),
        );
        let (owner, featured) = (
            p.owner_id.map(|v| v.to_string()),
            p.featured_media_id.map(|v| v.to_string()),
        );
        copy_row(
            &mut data,
            &[
                Some(&id),
                Some(&p.kind),
                Some(&p.title),
                Some(&p.slug),
                Some(&p.body_source),
                Some(&p.body_format),
                Some(&p.body_html),
                Some(&p.excerpt),
                Some(&p.custom_excerpt),
                Some(&p.status),
                published.as_deref(),
                Some(&modified),
                Some(&created),
                Some(if p.sticky { "t" } else { "f" }),
                Some(&p.comment_status),
                Some(&p.source_name),
                Some(&p.source_url),
                Some(&p.featured_image_url),
                Some(&p.featured_image_alt),
                owner.as_deref(),
                featured.as_deref(),
                Some(&p.password),
            ],
        );
    }
    let mut copy = c
        .copy_in_raw(
            "COPY posts (id, kind, title, slug, body_source, body_format, body_html, excerpt, custom_excerpt, \
             status, published_at, modified_at, created_at, sticky, comment_status, source_name, source_url, \
             featured_image_url, featured_image_alt, owner_id, featured_media_id, password) FROM STDIN",
        )
        .await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// Bylines and terms of new articles by COPY (each pair once, as the INSERTs' ON CONFLICT would).
async fn copy_links(c: &mut sqlx::PgConnection, posts: &[ImportedPost]) -> Result<()> {
    let mut authors = String::new();
    let mut terms = String::new();
    for p in posts {
        let live = (p.status == "published" && p.kind == "post")
            .then_some(p.published_at)
            .flatten()
            .map(|d| d.to_rfc3339());
        let id = p.id.to_string();
        let mut seen = HashSet::new();
        for (i, u) in p.author_ids.iter().enumerate() {
            if seen.insert(*u) {
                let (u, i) = (u.to_string(), i.to_string());
                copy_row(
                    &mut authors,
                    &[Some(&id), Some(&u), Some(&i), live.as_deref()],
                );
            }
        }
        let mut seen = HashSet::new();
        for t in &p.term_ids {
            if seen.insert(*t) {
                let t = t.to_string();
                copy_row(&mut terms, &[Some(&id), Some(&t), live.as_deref()]);
            }
        }
    }
    for (sql, data) in [
        (
            "COPY post_authors (post_id, user_id, position, live_at) FROM STDIN",
            authors,
        ),
        (
            "COPY post_terms (post_id, term_id, live_at) FROM STDIN",
            terms,
        ),
    ] {
        if data.is_empty() {
            continue;
        }
        let mut copy = c.copy_in_raw(sql).await?;
        copy.send(data.into_bytes()).await?;
        copy.finish().await?;
    }
    Ok(())
}

async fn copy_comments(c: &mut sqlx::PgConnection, comments: &[ImportedComment]) -> Result<()> {
    if comments.is_empty() {
        return Ok(());
    }
    let mut data = String::with_capacity(comments.iter().map(|m| m.content.len() + 256).sum());
    for m in comments {
        let (id, post, parent, user, created) = (
            m.id.to_string(),
            m.post_id.to_string(),
            m.parent_id.map(|v| v.to_string()),
            m.user_id.map(|v| v.to_string()),
            m.created_at.to_rfc3339(),
        );
        copy_row(
            &mut data,
            &[
                Some(&id),
                Some(&post),
                parent.as_deref(),
                user.as_deref(),
                Some(&m.author_name),
                Some(&m.author_email),
                Some(&m.author_url),
                Some(&m.author_ip),
                Some(&m.user_agent),
                Some(&m.content),
                Some(&m.status),
                Some("imported from WordPress"),
                Some(&created),
            ],
        );
    }
    let mut copy = c
        .copy_in_raw(
            "COPY comments (id, post_id, parent_id, user_id, author_name, author_email, author_url, author_ip, \
             user_agent, content, status, reason, created_at) FROM STDIN",
        )
        .await?;
    copy.send(data.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// Tables whose ids the import keeps or allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Posts,
    Comments,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Posts => "posts",
            Table::Comments => "comments",
        }
    }
}

/// The article an old address now belongs to.
pub async fn redirect_target(db: &Db, path: &str) -> Result<Option<i64>> {
    const SQL: &str = "SELECT post_id FROM redirects WHERE path = $1";
    Ok(crate::on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(path)
        .fetch_optional(pool)
        .await?))
}

/// The local id a WordPress post id became in any import (for `/?p=ID` when the id was taken).
pub async fn local_post_id(db: &Db, wp_id: i64) -> Result<Option<i64>> {
    const SQL: &str = "SELECT local_id FROM imported WHERE kind = 'post' AND wp_id = $1 ORDER BY local_id LIMIT 1";
    Ok(crate::on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(wp_id)
        .fetch_optional(pool)
        .await?))
}
