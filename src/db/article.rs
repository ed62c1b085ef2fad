//! Articles and static pages (WordPress's posts of type post and page): rows, bylines and all their SQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::term::placeholders;
use crate::db::user::User;
use crate::db::{Db, Window, now};
use crate::error::Result;
use crate::{log_change, on_pool, on_writer};

/// Kind of a news article.
pub const POST: &str = "post";
/// Kind of a static page such as /about/.
pub const PAGE: &str = "page";

/// Where an article is in its life.
pub mod status {
    pub const DRAFT: &str = "draft";
    pub const PENDING: &str = "pending";
    pub const SCHEDULED: &str = "scheduled";
    pub const PUBLISHED: &str = "published";
    pub const PRIVATE: &str = "private";
    pub const TRASH: &str = "trash";
    /// Every status, for validation.
    pub const ALL: [&str; 6] = [DRAFT, PENDING, SCHEDULED, PUBLISHED, PRIVATE, TRASH];
}

/// An article or page row. Listings load it without the body (`body_*` empty).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Article {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub slug: String,
    pub body_source: String,
    pub body_format: String,
    pub body_html: String,
    pub excerpt: String,
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
}

impl Article {
    /// Shown to the public now.
    pub fn is_live(&self, at: DateTime<Utc>) -> bool {
        self.status == status::PUBLISHED && self.published_at.is_some_and(|p| p <= at)
    }
}

/// An article to insert; `body_html` and `excerpt` are already rendered and sanitized by `content`.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub kind: String,
    pub title: String,
    pub slug: String,
    pub body_source: String,
    pub body_format: String,
    pub body_html: String,
    pub excerpt: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub sticky: bool,
    pub comment_status: String,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
    /// Bylines in order.
    pub author_ids: Vec<i64>,
    /// Categories and tags.
    pub term_ids: Vec<i64>,
}

const FULL: &str = "id, kind, title, slug, body_source, body_format, body_html, excerpt, status, published_at, \
     modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, featured_image_alt";
const CARD: &str = "id, kind, title, slug, '' AS body_source, body_format, '' AS body_html, excerpt, status, published_at, \
     modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, featured_image_alt";

/// Copy the post's published_at into its term and byline rows while it is a live post (NULL otherwise).
const REFRESH_TERMS_LIVE_AT: &str = "UPDATE post_terms SET live_at = (SELECT CASE WHEN p.status = 'published' AND p.kind = 'post' \
     THEN p.published_at END FROM posts p WHERE p.id = $1) WHERE post_id = $1";
const REFRESH_AUTHORS_LIVE_AT: &str = "UPDATE post_authors SET live_at = (SELECT CASE WHEN p.status = 'published' AND p.kind = 'post' \
     THEN p.published_at END FROM posts p WHERE p.id = $1) WHERE post_id = $1";

/// Bring a post's `live_at` copies (terms and bylines) in line with its status, inside `$tx`.
macro_rules! refresh_live_at {
    ($tx:expr, $id:expr) => {
        for sql in [REFRESH_TERMS_LIVE_AT, REFRESH_AUTHORS_LIVE_AT] {
            sqlx::query(sql).bind($id).execute(&mut *$tx).await?;
        }
    };
}

/// Insert an article with its bylines and terms in one transaction, returning its id.
pub async fn insert(db: &Db, new: &NewArticle) -> Result<i64> {
    const SQL: &str = "INSERT INTO posts (kind, title, slug, body_source, body_format, body_html, excerpt, status, \
         published_at, modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, \
         featured_image_alt) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16) RETURNING id";
    const AUTHOR: &str =
        "INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, $3)";
    const TERM: &str =
        "INSERT INTO post_terms (post_id, term_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    // A backdated (imported) article was last modified when it was published, not when it was stored.
    let stamp = new.published_at.filter(|p| *p < now()).unwrap_or_else(now);
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(SQL)
            .bind(&new.kind)
            .bind(&new.title)
            .bind(&new.slug)
            .bind(&new.body_source)
            .bind(&new.body_format)
            .bind(&new.body_html)
            .bind(&new.excerpt)
            .bind(&new.status)
            .bind(new.published_at)
            .bind(stamp)
            .bind(new.sticky)
            .bind(&new.comment_status)
            .bind(&new.source_name)
            .bind(&new.source_url)
            .bind(&new.featured_image_url)
            .bind(&new.featured_image_alt)
            .fetch_one(&mut *tx)
            .await?;
        for (position, user_id) in new.author_ids.iter().enumerate() {
            sqlx::query(AUTHOR)
                .bind(id)
                .bind(*user_id)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
        }
        for term_id in &new.term_ids {
            sqlx::query(TERM)
                .bind(id)
                .bind(*term_id)
                .execute(&mut *tx)
                .await?;
        }
        refresh_live_at!(tx, id);
        log_change!(tx, "post", id, "create")?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Change an article's slug, remembering the old one so its links keep working (301).
pub async fn set_slug(db: &Db, id: i64, slug: &str) -> Result<()> {
    const OLD: &str = "INSERT INTO old_slugs (slug, post_id) SELECT slug, id FROM posts WHERE id = $1 AND slug <> $2 \
                       ON CONFLICT DO NOTHING";
    const SET: &str = "UPDATE posts SET slug = $2, modified_at = $3 WHERE id = $1";
    const FORGET: &str = "DELETE FROM old_slugs WHERE post_id = $1 AND slug = $2";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query(OLD)
            .bind(id)
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        sqlx::query(SET)
            .bind(id)
            .bind(slug)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        sqlx::query(FORGET)
            .bind(id)
            .bind(slug)
            .execute(&mut *tx)
            .await?;
        log_change!(tx, "post", id, "update")?;
        tx.commit().await?;
        Ok(())
    })
}

/// Change an article's status and publication time, keeping archive indexes in step.
pub async fn set_status(
    db: &Db,
    id: i64,
    status: &str,
    published_at: Option<DateTime<Utc>>,
) -> Result<()> {
    // Publishing with a future date schedules, so "published" rows are always live.
    let status = if status == status::PUBLISHED && published_at.is_some_and(|p| p > now()) {
        status::SCHEDULED
    } else {
        status
    };
    const SET: &str =
        "UPDATE posts SET status = $2, published_at = $3, modified_at = $4 WHERE id = $1";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query(SET)
            .bind(id)
            .bind(status)
            .bind(published_at)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        refresh_live_at!(tx, id);
        log_change!(tx, "post", id, "update")?;
        tx.commit().await?;
        Ok(())
    })
}

/// Publish every scheduled article whose time has come; returns how many.
pub async fn publish_due(db: &Db) -> Result<usize> {
    const DUE: &str =
        "SELECT id, published_at FROM posts WHERE status = 'scheduled' AND published_at <= $1";
    let due: Vec<(i64, Option<DateTime<Utc>>)> = on_pool!(db, |pool| sqlx::query_as(DUE)
        .bind(now())
        .fetch_all(pool)
        .await?);
    for (id, at) in &due {
        set_status(db, *id, status::PUBLISHED, *at).await?;
    }
    Ok(due.len())
}

/// The article or page with this id, whatever its status.
pub async fn get(db: &Db, id: i64) -> Result<Option<Article>> {
    let sql = format!("SELECT {FULL} FROM posts WHERE id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The article (or page) of a kind with this slug.
pub async fn by_slug(db: &Db, kind: &str, slug: &str) -> Result<Option<Article>> {
    let sql = format!("SELECT {FULL} FROM posts WHERE kind = $1 AND slug = $2");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(kind)
        .bind(slug)
        .fetch_optional(pool)
        .await?))
}

/// The newest article that once had this slug.
pub async fn by_old_slug(db: &Db, slug: &str) -> Result<Option<Article>> {
    let sql = format!(
        "SELECT {FULL} FROM posts WHERE id IN (SELECT post_id FROM old_slugs WHERE slug = $1) \
         ORDER BY published_at DESC LIMIT 1"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(slug)
        .fetch_optional(pool)
        .await?))
}

/// Live articles, sticky first, newest first: the home page. No time filter: an article dated in
/// the future is `scheduled`, not `published`, and a filter on the time would make the planner sort
/// every article instead of walking the `posts_listing` index.
pub async fn latest(db: &Db, window: Window) -> Result<Vec<Article>> {
    let sql = format!(
        "SELECT {CARD} FROM posts WHERE kind = 'post' AND status = 'published' \
         ORDER BY sticky DESC, published_at DESC, id DESC LIMIT $1 OFFSET $2"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(pool)
        .await?))
}

/// Live articles published in `[from, to)`, newest first: the date archives.
pub async fn between(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    window: Window,
) -> Result<Vec<Article>> {
    let sql = format!(
        "SELECT {CARD} FROM posts WHERE kind = 'post' AND status = 'published' AND published_at >= $1 \
         AND published_at < $2 AND published_at <= $3 ORDER BY published_at DESC, id DESC LIMIT $4 OFFSET $5"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(from)
        .bind(to)
        .bind(now())
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(pool)
        .await?))
}

/// Live articles in any of these terms, newest first. Each term is read from its own index range
/// and the ranges merged here, so a parent category costs the same as a leaf.
pub async fn in_terms(db: &Db, term_ids: &[i64], window: Window) -> Result<Vec<Article>> {
    const SQL: &str = "SELECT post_id, live_at FROM post_terms WHERE term_id = $1 AND live_at IS NOT NULL \
         AND live_at <= $2 ORDER BY live_at DESC, post_id DESC LIMIT $3";
    let reach = window.offset + window.limit;
    let stamp = now();
    let mut hits: Vec<(i64, DateTime<Utc>)> = Vec::new();
    for term_id in term_ids {
        let rows: Vec<(i64, DateTime<Utc>)> = on_pool!(db, |pool| sqlx::query_as(SQL)
            .bind(*term_id)
            .bind(stamp)
            .bind(reach)
            .fetch_all(pool)
            .await?);
        hits.extend(rows);
    }
    let ids = newest_unique(hits, window);
    by_ids(db, &ids).await
}

/// Live articles with this author in their byline, newest first.
pub async fn by_author(db: &Db, user_id: i64, window: Window) -> Result<Vec<Article>> {
    const SQL: &str = "SELECT post_id, live_at FROM post_authors WHERE user_id = $1 AND live_at IS NOT NULL \
         AND live_at <= $2 ORDER BY live_at DESC, post_id DESC LIMIT $3 OFFSET $4";
    let rows: Vec<(i64, DateTime<Utc>)> = on_pool!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(now())
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(pool)
        .await?);
    let ids: Vec<i64> = rows.into_iter().map(|(id, _)| id).collect();
    by_ids(db, &ids).await
}

/// Up to `limit` live articles sharing the most terms with `article`, newer first on a tie.
pub async fn related(
    db: &Db,
    article_id: i64,
    term_ids: &[i64],
    limit: usize,
) -> Result<Vec<Article>> {
    const SQL: &str = "SELECT post_id, live_at FROM post_terms WHERE term_id = $1 AND live_at IS NOT NULL \
         AND live_at <= $2 AND post_id <> $3 ORDER BY live_at DESC LIMIT $4";
    let stamp = now();
    let mut score: HashMap<i64, (usize, DateTime<Utc>)> = HashMap::new();
    for term_id in term_ids {
        let rows: Vec<(i64, DateTime<Utc>)> = on_pool!(db, |pool| sqlx::query_as(SQL)
            .bind(*term_id)
            .bind(stamp)
            .bind(article_id)
            .bind(limit as i64 * 2)
            .fetch_all(pool)
            .await?);
        for (id, at) in rows {
            score.entry(id).or_insert((0, at)).0 += 1;
        }
    }
    let mut ranked: Vec<(i64, (usize, DateTime<Utc>))> = score.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let ids: Vec<i64> = ranked.into_iter().take(limit).map(|(id, _)| id).collect();
    by_ids(db, &ids).await
}

/// Articles (as cards, without bodies) in the order of `ids`.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Article>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {CARD} FROM posts WHERE id IN ({})",
        placeholders(ids.len())
    );
    let mut rows: Vec<Article> = on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, Article>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    });
    rows.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
    Ok(rows)
}

/// Merge (id, time) hits from several ranges: newest first, each id once, cut to the window.
fn newest_unique(mut hits: Vec<(i64, DateTime<Utc>)>, window: Window) -> Vec<i64> {
    hits.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    hits.dedup_by_key(|h| h.0);
    hits.into_iter()
        .skip(window.offset as usize)
        .take(window.limit as usize)
        .map(|(id, _)| id)
        .collect()
}

/// A byline: an author of a post at a position.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Byline {
    pub post_id: i64,
    pub position: i64,
    #[sqlx(flatten)]
    pub user: User,
}

/// The bylines of many posts at once, in byline order.
pub async fn bylines(db: &Db, post_ids: &[i64]) -> Result<Vec<Byline>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pa.post_id, pa.position, u.id, u.login, u.slug, u.display_name, u.email, u.url, u.bio, u.avatar_url, \
         u.role, u.created_at FROM post_authors pa JOIN users u ON u.id = pa.user_id WHERE pa.post_id IN ({}) \
         ORDER BY pa.post_id, pa.position",
        placeholders(post_ids.len())
    );
    on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, Byline>(&sql);
        for id in post_ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(pool).await?)
    })
}

/// How many articles of a kind exist, whatever their status.
pub async fn count(db: &Db, kind: &str) -> Result<i64> {
    Ok(on_pool!(db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts WHERE kind = $1"
    )
    .bind(kind)
    .fetch_one(pool)
    .await?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn merged_ranges_are_newest_first_without_repeats() {
        let t = |s| Utc.timestamp_opt(s, 0).single().unwrap();
        let hits = vec![(1, t(10)), (2, t(30)), (1, t(10)), (3, t(20))];
        assert_eq!(
            newest_unique(
                hits.clone(),
                Window {
                    offset: 0,
                    limit: 10
                }
            ),
            vec![2, 3, 1]
        );
        assert_eq!(
            newest_unique(
                hits,
                Window {
                    offset: 1,
                    limit: 1
                }
            ),
            vec![3]
        );
    }
}
