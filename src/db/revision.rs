//! Revisions of articles: one per save, plus at most one autosave per article and writer, which
//! keeps the latest unsaved text without making a revision per keystroke.

use chrono::{DateTime, Utc};

use crate::db::{Db, now};
use crate::error::Result;
use crate::{on_pool, on_writer};

/// Kind of a revision kept by a save.
pub const REVISION: &str = "revision";
/// Kind of the one autosave per article and writer.
pub const AUTOSAVE: &str = "autosave";

/// The insert `keep_revision!` binds.
pub const INSERT: &str = "INSERT INTO revisions (post_id, user_id, kind, title, body_source, custom_excerpt, \
     source_name, source_url, featured_image_url, featured_image_alt, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Keep a revision of kind `$kind` inside an open transaction `$tx`, from `$text`: anything with
/// the text fields of `Snapshot` (a `Snapshot`, a `NewArticle`, an `ArticlePatch`).
#[macro_export]
macro_rules! keep_revision {
    ($tx:expr, $post_id:expr, $user_id:expr, $kind:expr, $text:expr) => {
        sqlx::query($crate::db::revision::INSERT)
            .bind($post_id)
            .bind($user_id)
            .bind($kind)
            .bind(&$text.title)
            .bind(&$text.body_source)
            .bind(&$text.custom_excerpt)
            .bind(&$text.source_name)
            .bind(&$text.source_url)
            .bind(&$text.featured_image_url)
            .bind(&$text.featured_image_alt)
            .bind($crate::db::now())
            .execute(&mut *$tx)
            .await
    };
}

/// Keep an article's stored text as its first revision if it has none (run before its first save).
pub const KEEP_ORIGINAL: &str = "INSERT INTO revisions (post_id, user_id, kind, title, body_source, custom_excerpt, \
     source_name, source_url, featured_image_url, featured_image_alt, created_at) \
     SELECT id, owner_id, 'revision', title, body_source, custom_excerpt, source_name, source_url, featured_image_url, \
     featured_image_alt, modified_at FROM posts WHERE id = $1 \
     AND NOT EXISTS (SELECT 1 FROM revisions WHERE post_id = $1 AND kind = 'revision')";

/// Forget a writer's autosave of an article (run when they save).
pub const FORGET_AUTOSAVE: &str =
    "DELETE FROM revisions WHERE post_id = $1 AND user_id = $2 AND kind = 'autosave'";

/// What a revision keeps of an article.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Snapshot {
    pub title: String,
    pub body_source: String,
    pub custom_excerpt: String,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
}

/// A stored revision, with the name of who saved it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub post_id: i64,
    pub user_id: Option<i64>,
    pub kind: String,
    #[sqlx(flatten)]
    pub snapshot: Snapshot,
    pub created_at: DateTime<Utc>,
    pub user_name: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.post_id, r.user_id, r.kind, r.title, r.body_source, r.custom_excerpt, \
     r.source_name, r.source_url, r.featured_image_url, r.featured_image_alt, r.created_at, \
     u.display_name AS user_name FROM revisions r LEFT JOIN users u ON u.id = r.user_id";

/// The revisions of an article (autosaves excluded), newest first.
pub async fn of_post(db: &Db, post_id: i64) -> Result<Vec<Revision>> {
    let sql = format!("{SELECT} WHERE r.post_id = $1 AND r.kind = 'revision' ORDER BY r.id DESC");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Revision>(&sql)
        .bind(post_id)
        .fetch_all(pool)
        .await?))
}

/// One revision (or autosave).
pub async fn get(db: &Db, id: i64) -> Result<Option<Revision>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Revision>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// A writer's autosave of an article, if any.
pub async fn autosave_of(db: &Db, post_id: i64, user_id: i64) -> Result<Option<Revision>> {
    let sql = format!(
        "{SELECT} WHERE r.post_id = $1 AND r.user_id = $2 AND r.kind = 'autosave' ORDER BY r.id DESC LIMIT 1"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Revision>(&sql)
        .bind(post_id)
        .bind(user_id)
        .fetch_optional(pool)
        .await?))
}

/// Keep this as the writer's autosave of the article, replacing the previous one.
pub async fn autosave(db: &Db, post_id: i64, user_id: i64, s: &Snapshot) -> Result<DateTime<Utc>> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query(FORGET_AUTOSAVE)
            .bind(post_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        crate::keep_revision!(tx, post_id, user_id, AUTOSAVE, s)?;
        tx.commit().await?;
        Ok(now())
    })
}
