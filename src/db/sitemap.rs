//! What the sitemaps list: live articles by month, pages, and the terms and authors that have
//! live articles, each with when it last changed. Nothing unpublished ever comes out of here.

use chrono::{DateTime, Utc};

use crate::db::article::Article;
use crate::db::{Db, now};
use crate::error::Result;
use crate::on_pool;

/// A calendar month (UTC) holding live articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
    pub articles: i64,
    pub lastmod: DateTime<Utc>,
}

/// Every month with live articles, oldest first. One pass over the `posts_sitemap` index
/// (kind, status, published_at, modified_at), never the table's rows.
pub async fn months(db: &Db) -> Result<Vec<Month>> {
    // The dialects differ only in how a timestamp becomes "YYYY-MM": SQLite stores RFC 3339
    // text in UTC, PostgreSQL a timestamptz.
    let sql = match db {
        Db::Sqlite(_) => {
            "SELECT substr(published_at, 1, 7) AS ym, COUNT(*), MAX(modified_at) FROM posts \
             WHERE kind = 'post' AND status = 'published' AND published_at <= $1 GROUP BY ym ORDER BY ym"
        }
        Db::Postgres(_) => {
            "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM') AS ym, COUNT(*), MAX(modified_at) \
             FROM posts WHERE kind = 'post' AND status = 'published' AND published_at <= $1 GROUP BY ym ORDER BY ym"
        }
    };
    let rows: Vec<(String, i64, String)> = match db {
        Db::Sqlite(pools) => {
            sqlx::query_as(sql)
                .bind(now())
                .fetch_all(&pools.read)
                .await?
        }
        Db::Postgres(pg) => {
            let rows: Vec<(String, i64, DateTime<Utc>)> =
                sqlx::query_as(sql).bind(now()).fetch_all(&pg.pool).await?;
            rows.into_iter()
                .map(|(ym, n, at)| (ym, n, at.to_rfc3339()))
                .collect()
        }
    };
    Ok(rows
        .into_iter()
        .filter_map(|(ym, articles, lastmod)| {
            let (y, m) = ym.split_once('-')?;
            Some(Month {
                year: y.parse().ok()?,
                month: m.parse().ok()?,
                articles,
                lastmod: DateTime::parse_from_rfc3339(&lastmod)
                    .ok()?
                    .with_timezone(&Utc),
            })
        })
        .collect())
}

/// Every live static page.
pub async fn pages(db: &Db) -> Result<Vec<Article>> {
    let ids: Vec<i64> = on_pool!(db, |pool| {
        sqlx::query_scalar(
        "SELECT id FROM posts WHERE kind = 'page' AND status = 'published' AND published_at <= $1 \
         ORDER BY published_at, id LIMIT 50000"
    )
    .bind(now())
    .fetch_all(pool)
    .await?
    });
    crate::db::article::by_ids(db, &ids).await
}

/// Terms (by id) with live articles and when the newest of them was published.
pub async fn live_terms(db: &Db) -> Result<Vec<(i64, DateTime<Utc>)>> {
    Ok(on_pool!(db, |pool| sqlx::query_as(
        "SELECT term_id, MAX(live_at) FROM post_terms WHERE live_at IS NOT NULL AND live_at <= $1 \
         GROUP BY term_id"
    )
    .bind(now())
    .fetch_all(pool)
    .await?))
}

/// Authors (by id) with live articles and when the newest of them was published.
pub async fn live_authors(db: &Db) -> Result<Vec<(i64, DateTime<Utc>)>> {
    Ok(on_pool!(db, |pool| {
        sqlx::query_as(
        "SELECT user_id, MAX(live_at) FROM post_authors WHERE live_at IS NOT NULL AND live_at <= $1 \
         GROUP BY user_id"
    )
    .bind(now())
    .fetch_all(pool)
    .await?
    }))
}
