//! Reads for writing the whole site out (`newsroom export wxr`): every article of every kind and
//! status in id order, a page at a time, with what belongs to it.

use std::collections::HashMap;

use crate::db::Db;
use crate::db::article::Article;
use crate::db::comment::Comment;
use crate::db::media::Media;
use crate::db::term::placeholders;
use crate::error::Result;
use crate::on_pool;

/// Articles and pages with ids above `after_id`, oldest id first, at most `limit`.
pub async fn posts_after(db: &Db, after_id: i64, limit: i64) -> Result<Vec<Article>> {
    const SQL: &str = "SELECT id, kind, title, slug, body_source, body_format, body_html, excerpt, status, published_at, \
         modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, \
         featured_image_alt, owner_id, version, custom_excerpt, featured_media_id, password \
         FROM posts WHERE id > $1 ORDER BY id LIMIT $2";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(SQL)
        .bind(after_id)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// The post passwords among these articles (only those that have one).
pub async fn passwords(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>> {
    crate::db::article::id_text_map(
        db,
        "SELECT id, password FROM posts WHERE password <> '' AND",
        ids,
    )
    .await
}

/// Every comment of these articles, whatever its status, oldest first.
pub async fn comments_of(db: &Db, ids: &[i64]) -> Result<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, post_id, parent_id, user_id, author_name, author_email, author_url, author_ip, user_agent, \
         content, status, reason, created_at FROM comments WHERE post_id IN ({}) ORDER BY created_at, id",
        placeholders(ids.len())
    );
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, Comment>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    }))
}

/// The old slugs of these articles.
pub async fn old_slugs(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT post_id, slug FROM old_slugs WHERE post_id IN ({}) ORDER BY slug",
        placeholders(ids.len())
    );
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    }))
}

/// Every picture of the library, by id.
pub async fn all_media(db: &Db) -> Result<Vec<Media>> {
    const SQL: &str = "SELECT id, source_hash, owner_id, title, alt, caption, credit, source_format, width, height, \
         original_key, original_bytes, variants, created_at FROM media ORDER BY id";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Media>(SQL)
        .fetch_all(pool)
        .await?))
}
