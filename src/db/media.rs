//! The media library: a picture's row (what the newsroom writes about it, the keys of its files)
//! and where it is used. The files themselves are in `media_store`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use crate::content::picture::Encoding;
use crate::db::activity::Audit;
use crate::db::{Db, like_pattern, now};
use crate::error::Result;
use crate::{log_activity, log_change, on_pool, on_writer};

/// One stored size of a picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub format: Encoding,
    pub key: String,
    pub bytes: u64,
}

/// A picture of the library.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Media {
    pub id: i64,
    pub source_hash: String,
    pub owner_id: Option<i64>,
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub source_format: String,
    pub width: i64,
    pub height: i64,
    pub original_key: String,
    pub original_bytes: i64,
    pub variants: Json<Vec<Variant>>,
    pub created_at: DateTime<Utc>,
}

/// A picture to insert (its files already stored).
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub source_hash: String,
    pub owner_id: Option<i64>,
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub source_format: String,
    pub width: i64,
    pub height: i64,
    pub original_key: String,
    pub original_bytes: i64,
    pub variants: Vec<Variant>,
}

/// What people write about a picture.
#[derive(Debug, Clone, Default)]
pub struct MediaText {
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

impl Media {
    /// What is written about it, as the form edits it.
    pub fn text(&self) -> MediaText {
        MediaText {
            title: self.title.clone(),
            alt: self.alt.clone(),
            caption: self.caption.clone(),
            credit: self.credit.clone(),
        }
    }
}

const COLUMNS: &str = "id, source_hash, owner_id, title, alt, caption, credit, source_format, width, height, \
     original_key, original_bytes, variants, created_at";

/// The insert of a picture (`$13` is its date), shared with the import.
pub(crate) const INSERT: &str = "INSERT INTO media (source_hash, owner_id, title, alt, caption, credit, source_format, width, \
         height, original_key, original_bytes, variants, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";

/// Insert a picture; its id.
pub async fn insert(db: &Db, new: &NewMedia, audit: &Audit) -> Result<i64> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(INSERT)
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
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        log_change!(tx, "media", id, "create")?;
        log_activity!(tx, audit, "upload picture", "media", Some(id), &new.title)?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The picture with this id.
pub async fn get(db: &Db, id: i64) -> Result<Option<Media>> {
    let sql = format!("SELECT {COLUMNS} FROM media WHERE id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Media>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The picture made from exactly these uploaded bytes, if any.
pub async fn by_source_hash(db: &Db, hash: &str) -> Result<Option<Media>> {
    let sql = format!("SELECT {COLUMNS} FROM media WHERE source_hash = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Media>(&sql)
        .bind(hash)
        .fetch_optional(pool)
        .await?))
}

/// Pictures with these ids (any order).
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Media>> {
    let select = format!("SELECT {COLUMNS} FROM media WHERE");
    crate::db::rows_with_ids(db, &select, ids, "").await
}

/// Which pictures the library shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Words in the title, alt text, caption or credit.
    pub search: String,
    /// Uploaded in `[from, to)`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// jpeg, png, webp or gif.
    pub source_format: Option<String>,
    /// Only this person's uploads.
    pub owner_id: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// One page of the library, newest first, and how many match in all.
pub async fn list(db: &Db, f: &Filter) -> Result<(Vec<Media>, i64)> {
    let filter = "($1 = '' OR LOWER(title) LIKE $2 ESCAPE '\\' OR LOWER(alt) LIKE $2 ESCAPE '\\' \
         OR LOWER(caption) LIKE $2 ESCAPE '\\' OR LOWER(credit) LIKE $2 ESCAPE '\\') \
         AND ($3 IS NULL OR created_at >= $3) AND ($4 IS NULL OR created_at < $4) \
         AND ($5 IS NULL OR source_format = $5) AND ($6 IS NULL OR owner_id = $6)";
    let sql = format!(
        "SELECT {COLUMNS} FROM media WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
    );
    let count = format!("SELECT COUNT(*) FROM media WHERE {filter}");
    let pattern = like_pattern(&f.search, true);
    let search = f.search.trim();
    on_pool!(db, |pool| {
        let rows = sqlx::query_as::<_, Media>(&sql)
            .bind(search)
            .bind(&pattern)
            .bind(f.from)
            .bind(f.to)
            .bind(&f.source_format)
            .bind(f.owner_id)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(pool)
            .await?;
        let total: i64 = sqlx::query_scalar(&count)
            .bind(search)
            .bind(&pattern)
            .bind(f.from)
            .bind(f.to)
            .bind(&f.source_format)
            .bind(f.owner_id)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

/// When the oldest and newest pictures were uploaded (for the month filter).
pub async fn date_range(db: &Db) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    const SQL: &str = "SELECT MIN(created_at), MAX(created_at) FROM media";
    let (min, max): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        on_pool!(db, |pool| sqlx::query_as(SQL).fetch_one(pool).await?);
    Ok(min.zip(max))
}

/// Change what is written about a picture.
pub async fn update_text(db: &Db, id: i64, text: &MediaText, audit: &Audit) -> Result<()> {
    const SQL: &str =
        "UPDATE media SET title = $2, alt = $3, caption = $4, credit = $5 WHERE id = $1";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let done = sqlx::query(SQL)
            .bind(id)
            .bind(&text.title)
            .bind(&text.alt)
            .bind(&text.caption)
            .bind(&text.credit)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::Error::NotFound);
        }
        log_change!(tx, "media", id, "update")?;
        log_activity!(tx, audit, "edit picture", "media", Some(id), &text.title)?;
        tx.commit().await?;
        Ok(())
    })
}

/// Delete a picture's row (articles using it lose it); the keys of all its files.
pub async fn delete(db: &Db, id: i64, audit: &Audit) -> Result<Option<Vec<String>>> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let gone: Option<Media> = sqlx::query_as(&format!(
            "DELETE FROM media WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(m) = gone else {
            return Ok(None);
        };
        log_change!(tx, "media", id, "delete")?;
        log_activity!(tx, audit, "delete picture", "media", Some(id), &m.title)?;
        tx.commit().await?;
        let mut keys = vec![m.original_key];
        keys.extend(m.variants.0.into_iter().map(|v| v.key));
        Ok(Some(keys))
    })
}

/// Of these file keys, those no picture names. Files are named by their content, so two pictures
/// can share one (the same size of two near-identical originals, or the same file uploaded twice
/// at once): only a file no picture names may be removed.
pub async fn unused_keys(db: &Db, keys: &[String]) -> Result<Vec<String>> {
    const SQL: &str = "SELECT id FROM media WHERE original_key = $1 \
         OR CAST(variants AS TEXT) LIKE '%' || $1 || '%' LIMIT 1";
    let mut unused: Vec<String> = Vec::new();
    for key in keys {
        if unused.contains(key) {
            continue;
        }
        let named: Option<i64> = on_pool!(db, |pool| sqlx::query_scalar(SQL)
            .bind(key)
            .fetch_optional(pool)
            .await?);
        if named.is_none() {
            unused.push(key.clone());
        }
    }
    Ok(unused)
}

/// An article that uses a picture.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Use {
    pub post_id: i64,
    pub title: String,
    pub status: String,
}

/// The articles using a picture (featured or in the text).
pub async fn uses(db: &Db, media_id: i64) -> Result<Vec<Use>> {
    const SQL: &str = "SELECT p.id AS post_id, p.title, p.status FROM post_media pm JOIN posts p ON p.id = pm.post_id \
         WHERE pm.media_id = $1 ORDER BY p.id DESC";
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Use>(SQL)
        .bind(media_id)
        .fetch_all(pool)
        .await?))
}

/// Replace the pictures an article uses, inside its save's transaction `$tx`.
#[macro_export]
macro_rules! set_post_media {
    ($tx:expr, $post_id:expr, $media_ids:expr) => {{
        sqlx::query("DELETE FROM post_media WHERE post_id = $1")
            .bind($post_id)
            .execute(&mut *$tx)
            .await?;
        for media_id in $media_ids {
            sqlx::query(
                "INSERT INTO post_media (post_id, media_id) SELECT $1, id FROM media WHERE id = $2 \
                 ON CONFLICT DO NOTHING",
            )
            .bind($post_id)
            .bind(*media_id)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}
