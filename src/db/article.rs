//! Articles and static pages (WordPress's posts of type post and page): rows, bylines and all their SQL.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::activity::Audit;
use crate::db::revision;
use crate::db::term::placeholders;
use crate::db::user::User;
use crate::db::{Db, Window, like_pattern, now};
use crate::error::{Error, Result};
use crate::{keep_revision, log_activity, log_change, on_pool, on_writer, set_post_media};

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

    /// WordPress's name of a status (`publish`, `future`…), for exports and the REST API.
    pub fn to_wordpress(status: &str) -> &'static str {
        match status {
            PUBLISHED => "publish",
            SCHEDULED => "future",
            PENDING => "pending",
            PRIVATE => "private",
            TRASH => "trash",
            _ => "draft",
        }
    }

    /// The status a WordPress status name is here; None for those with no article behind them
    /// (`auto-draft`, `inherit`).
    pub fn from_wordpress(wp: &str) -> Option<&'static str> {
        Some(match wp {
            "publish" => PUBLISHED,
            "future" => SCHEDULED,
            "draft" => DRAFT,
            "pending" => PENDING,
            "private" => PRIVATE,
            "trash" => TRASH,
            _ => return None,
        })
    }

    /// The status an article really gets: "published" with a time still to come is "scheduled",
    /// as in WordPress, so published rows are always live.
    pub fn effective(status: &str, published_at: Option<chrono::DateTime<chrono::Utc>>) -> &str {
        if status == PUBLISHED && published_at.is_some_and(|p| p > crate::db::now()) {
            SCHEDULED
        } else {
            status
        }
    }
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
    /// Who created it (WordPress's post_author).
    pub owner_id: Option<i64>,
    /// Bumped by every editor's save: a save made on an older version is refused.
    pub version: i64,
    /// The excerpt as the writer typed it ('' when `excerpt` is made from the body).
    pub custom_excerpt: String,
    /// A picture of the media library leading the article (before `featured_image_url`).
    pub featured_media_id: Option<i64>,
    /// WordPress's post password ('' = none): the text is shown only to a reader who types it.
    pub password: String,
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
    pub owner_id: Option<i64>,
    pub custom_excerpt: String,
    pub featured_media_id: Option<i64>,
    /// Bylines in order.
    pub author_ids: Vec<i64>,
    /// Categories and tags.
    pub term_ids: Vec<i64>,
    /// Pictures it uses (featured and in the text), for "where is it used".
    pub media_ids: Vec<i64>,
}

pub(crate) const FULL: &str = "id, kind, title, slug, body_source, body_format, body_html, excerpt, status, published_at, \
     modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, featured_image_alt, \
     owner_id, version, custom_excerpt, featured_media_id, password";
const CARD: &str = "id, kind, title, slug, '' AS body_source, body_format, '' AS body_html, excerpt, status, published_at, \
     modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, featured_image_alt, \
     owner_id, version, custom_excerpt, featured_media_id, password";

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

/// Where a post is listed while it is live: the list of its kind (home, date archives, feeds),
/// and its terms' and authors' archives, in the order of its date (sticky ones first at home).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Listed {
    kind: String,
    at: Option<DateTime<Utc>>,
    sticky: bool,
    terms: Vec<i64>,
    authors: Vec<i64>,
}

/// The change-log entries naming the lists that gain, lose or reorder a post going from
/// `before` to `after` (None: not live), so page caches drop exactly those lists.
fn listings_touched(before: &Option<Listed>, after: &Option<Listed>) -> Vec<(i64, &'static str)> {
    if before == after {
        return Vec::new();
    }
    let mut out: Vec<(i64, &'static str)> = Vec::new();
    for l in [before, after].into_iter().flatten() {
        out.push((0, if l.kind == PAGE { "page" } else { "post" }));
        out.extend(l.terms.iter().map(|t| (*t, "term")));
        out.extend(l.authors.iter().map(|u| (*u, "author")));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A post's listing as it is now inside `$tx` (None when it is not live).
macro_rules! listed {
    ($tx:expr, $id:expr) => {{
        let row: Option<(String, String, Option<DateTime<Utc>>, bool)> =
            sqlx::query_as("SELECT kind, status, published_at, sticky FROM posts WHERE id = $1")
                .bind($id)
                .fetch_optional(&mut *$tx)
                .await?;
        match row {
            Some((kind, state, at, sticky)) if state == status::PUBLISHED => {
                let mut terms: Vec<i64> =
                    sqlx::query_scalar("SELECT term_id FROM post_terms WHERE post_id = $1")
                        .bind($id)
                        .fetch_all(&mut *$tx)
                        .await?;
                let mut authors: Vec<i64> =
                    sqlx::query_scalar("SELECT user_id FROM post_authors WHERE post_id = $1")
                        .bind($id)
                        .fetch_all(&mut *$tx)
                        .await?;
                terms.sort_unstable();
                authors.sort_unstable();
                Some(Listed {
                    kind,
                    at,
                    sticky,
                    terms,
                    authors,
                })
            }
            _ => None,
        }
    }};
}

/// Append a `listing` change-log entry for each list a post entered, left or moved in.
macro_rules! log_listings {
    ($tx:expr, $before:expr, $after:expr) => {
        for (id, list) in listings_touched(&$before, &$after) {
            log_change!($tx, "listing", id, list)?;
        }
    };
}

/// Insert an article with its bylines and terms in one transaction, returning its id. With an
/// `audit` (a person saved it, not the demo or an import) it also keeps a first revision and
/// appears in the activity log.
pub async fn insert(db: &Db, new: &NewArticle, audit: Option<&Audit>) -> Result<i64> {
    const SQL: &str = "INSERT INTO posts (kind, title, slug, body_source, body_format, body_html, excerpt, status, \
         published_at, modified_at, created_at, sticky, comment_status, source_name, source_url, featured_image_url, \
         featured_image_alt, owner_id, custom_excerpt, featured_media_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id";
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
            .bind(new.owner_id)
            .bind(&new.custom_excerpt)
            .bind(new.featured_media_id)
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
        set_post_media!(tx, id, &new.media_ids);
        log_change!(tx, "post", id, "create")?;
        let after = listed!(tx, id);
        log_listings!(tx, None::<Listed>, after);
        if let Some(audit) = audit {
            keep_revision!(tx, id, audit.user_id, revision::REVISION, new)?;
            log_activity!(
                tx,
                audit,
                status_verb(&new.status, true),
                new.kind.as_str(),
                Some(id),
                &new.title
            )?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// What the activity log calls a save that leaves an article in `status`.
fn status_verb(status: &str, created: bool) -> &'static str {
    match (status, created) {
        (status::PUBLISHED, _) => "publish",
        (status::SCHEDULED, _) => "schedule",
        (status::PENDING, _) => "submit for review",
        (status::PRIVATE, _) => "publish privately",
        (status::TRASH, _) => "trash",
        (_, true) => "create draft",
        (_, false) => "save draft",
    }
}

/// An editor's save of an existing article: every field the editor shows.
#[derive(Debug, Clone)]
pub struct ArticlePatch {
    pub title: String,
    pub slug: String,
    pub body_source: String,
    pub body_format: String,
    pub body_html: String,
    pub excerpt: String,
    pub custom_excerpt: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub sticky: bool,
    pub comment_status: String,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
    pub author_ids: Vec<i64>,
    pub term_ids: Vec<i64>,
    pub featured_media_id: Option<i64>,
    pub media_ids: Vec<i64>,
    /// False for a minor edit: the modified date stays as it was.
    pub touch_modified: bool,
}

/// Save an article if it is still at `expected_version`, in one transaction: the row, its bylines
/// and terms, the old slug (of a published article, so its links keep working), a revision, the
/// change log and the activity log. Returns the new version, or None when someone saved first.
pub async fn update(
    db: &Db,
    id: i64,
    expected_version: i64,
    patch: &ArticlePatch,
    audit: &Audit,
) -> Result<Option<i64>> {
    const OLD_SLUG: &str = "INSERT INTO old_slugs (slug, post_id) SELECT slug, id FROM posts WHERE id = $1 \
         AND slug <> $2 AND status = 'published' ON CONFLICT DO NOTHING";
    const FORGET_SLUG: &str = "DELETE FROM old_slugs WHERE post_id = $1 AND slug = $2";
    const SQL: &str = "UPDATE posts SET title = $3, slug = $4, body_source = $5, body_format = $6, body_html = $7, \
         excerpt = $8, custom_excerpt = $9, status = $10, published_at = $11, sticky = $12, comment_status = $13, \
         source_name = $14, source_url = $15, featured_image_url = $16, featured_image_alt = $17, \
         modified_at = CASE WHEN $18 THEN $19 ELSE modified_at END, featured_media_id = $20, \
         version = version + 1 WHERE id = $1 AND version = $2 RETURNING version";
    const AUTHORS: &str = "DELETE FROM post_authors WHERE post_id = $1";
    const AUTHOR: &str =
        "INSERT INTO post_authors (post_id, user_id, position) VALUES ($1, $2, $3)";
    const TERMS: &str = "DELETE FROM post_terms WHERE post_id = $1";
    const TERM: &str =
        "INSERT INTO post_terms (post_id, term_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    const WAS: &str = "SELECT status, version FROM posts WHERE id = $1";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let was: Option<(String, i64)> = sqlx::query_as(WAS)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((was_status, version)) = was else {
            return Err(Error::NotFound);
        };
        if version != expected_version {
            return Ok(None);
        }
        let before = listed!(tx, id);
        // An article made without revisions (the demo, an import) keeps its first text as one.
        sqlx::query(revision::KEEP_ORIGINAL)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(OLD_SLUG)
            .bind(id)
            .bind(&patch.slug)
            .execute(&mut *tx)
            .await?;
        sqlx::query(FORGET_SLUG)
            .bind(id)
            .bind(&patch.slug)
            .execute(&mut *tx)
            .await?;
        let saved: Option<i64> = sqlx::query_scalar(SQL)
            .bind(id)
            .bind(expected_version)
            .bind(&patch.title)
            .bind(&patch.slug)
            .bind(&patch.body_source)
            .bind(&patch.body_format)
            .bind(&patch.body_html)
            .bind(&patch.excerpt)
            .bind(&patch.custom_excerpt)
            .bind(&patch.status)
            .bind(patch.published_at)
            .bind(patch.sticky)
            .bind(&patch.comment_status)
            .bind(&patch.source_name)
            .bind(&patch.source_url)
            .bind(&patch.featured_image_url)
            .bind(&patch.featured_image_alt)
            .bind(patch.touch_modified)
            .bind(now())
            .bind(patch.featured_media_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(version) = saved else {
            return Ok(None);
        };
        sqlx::query(AUTHORS).bind(id).execute(&mut *tx).await?;
        for (position, user_id) in patch.author_ids.iter().enumerate() {
            sqlx::query(AUTHOR)
                .bind(id)
                .bind(*user_id)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(TERMS).bind(id).execute(&mut *tx).await?;
        for term_id in &patch.term_ids {
            sqlx::query(TERM)
                .bind(id)
                .bind(*term_id)
                .execute(&mut *tx)
                .await?;
        }
        refresh_live_at!(tx, id);
        set_post_media!(tx, id, &patch.media_ids);
        keep_revision!(tx, id, audit.user_id, revision::REVISION, patch)?;
        // The writer's autosave is older than what they just saved.
        sqlx::query(revision::FORGET_AUTOSAVE)
            .bind(id)
            .bind(audit.user_id)
            .execute(&mut *tx)
            .await?;
        log_change!(tx, "post", id, "update")?;
        let after = listed!(tx, id);
        log_listings!(tx, before, after);
        let verb = if was_status == patch.status && patch.status != status::DRAFT {
            "edit"
        } else {
            status_verb(&patch.status, false)
        };
        log_activity!(tx, audit, verb, "post", Some(id), &patch.title)?;
        tx.commit().await?;
        Ok(Some(version))
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

/// A change of status (publish, trash, restore…) outside the editor.
#[derive(Debug, Clone)]
pub struct StatusChange<'a> {
    pub status: &'a str,
    pub published_at: Option<DateTime<Utc>>,
    /// Only if the article is in this status now: the scheduler publishes each article once
    /// even when several nodes race for it.
    pub only_from: Option<&'a str>,
    /// Whether this counts as a new version (a person's change does; the scheduler's does not,
    /// so an open editor can still save after its article went live).
    pub bump_version: bool,
    /// What the activity log calls it.
    pub action: &'a str,
}

/// Change an article's status and publication time, keeping archive indexes in step; false when
/// there is no such article, or it was not in `only_from`.
pub async fn set_status(
    db: &Db,
    id: i64,
    change: &StatusChange<'_>,
    audit: &Audit,
) -> Result<bool> {
    let status = status::effective(change.status, change.published_at);
    const SET: &str = "UPDATE posts SET status = $2, published_at = $3, modified_at = $4, \
         version = version + $5 WHERE id = $1 AND ($6 IS NULL OR status = $6) RETURNING title, kind";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let before = listed!(tx, id);
        let done: Option<(String, String)> = sqlx::query_as(SET)
            .bind(id)
            .bind(status)
            .bind(change.published_at)
            .bind(now())
            .bind(i64::from(change.bump_version))
            .bind(change.only_from)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((title, kind)) = done else {
            return Ok(false);
        };
        refresh_live_at!(tx, id);
        log_change!(tx, "post", id, "status")?;
        let after = listed!(tx, id);
        log_listings!(tx, before, after);
        log_activity!(tx, audit, change.action, kind.as_str(), Some(id), &title)?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Publish every scheduled article whose time has come; returns how many this node published.
pub async fn publish_due(db: &Db, audit: &Audit) -> Result<usize> {
    const DUE: &str = "SELECT id, published_at FROM posts WHERE kind IN ('post', 'page') \
         AND status = 'scheduled' AND published_at <= $1";
    let due: Vec<(i64, Option<DateTime<Utc>>)> = on_pool!(db, |pool| sqlx::query_as(DUE)
        .bind(now())
        .fetch_all(pool)
        .await?);
    let mut published = 0;
    for (id, at) in &due {
        let change = StatusChange {
            status: status::PUBLISHED,
            published_at: *at,
            only_from: Some(status::SCHEDULED),
            bump_version: false,
            action: "publish (scheduled)",
        };
        if set_status(db, *id, &change, audit).await? {
            published += 1;
        }
    }
    Ok(published)
}

/// Delete an article for good (its comments, revisions and links go with it).
pub async fn delete(db: &Db, id: i64, audit: &Audit) -> Result<bool> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let before = listed!(tx, id);
        let gone: Option<(String, String)> =
            sqlx::query_as("DELETE FROM posts WHERE id = $1 RETURNING title, kind")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((title, kind)) = gone else {
            return Ok(false);
        };
        log_change!(tx, "post", id, "delete")?;
        log_listings!(tx, before, None::<Listed>);
        log_activity!(
            tx,
            audit,
            "delete permanently",
            kind.as_str(),
            Some(id),
            &title
        )?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Replace an article's rendered body (its pictures' captions changed), not a new version.
pub async fn set_body_html(db: &Db, id: i64, body_html: &str) -> Result<()> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE posts SET body_html = $2 WHERE id = $1")
            .bind(id)
            .bind(body_html)
            .execute(&mut *tx)
            .await?;
        log_change!(tx, "post", id, "render")?;
        tx.commit().await?;
        Ok(())
    })
}

/// The byline of one article, in order (user ids).
pub async fn author_ids(db: &Db, post_id: i64) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT user_id FROM post_authors WHERE post_id = $1 ORDER BY position";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(post_id)
        .fetch_all(pool)
        .await?))
}

/// The terms (categories and tags) of one article.
pub async fn term_ids(db: &Db, post_id: i64) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT term_id FROM post_terms WHERE post_id = $1";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(post_id)
        .fetch_all(pool)
        .await?))
}

/// How the admin list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    Date,
    Modified,
    Title,
}

/// What the admin list shows: one kind, filtered, sorted, one page.
#[derive(Debug, Clone, Default)]
pub struct AdminFilter {
    pub kind: String,
    /// One status; None is every status but trash, as WordPress's "All".
    pub status: Option<String>,
    /// Only articles with this user in the byline or as creator.
    pub author: Option<i64>,
    /// Only articles in any of these terms (a category and those below it).
    pub term_ids: Vec<i64>,
    /// Words the title must contain (any case).
    pub search: String,
    pub order: Order,
    pub ascending: bool,
    /// Private articles of others stay out unless this is None (the viewer may read them).
    pub private_visible_to: Option<i64>,
    pub offset: i64,
    pub limit: i64,
}

/// The ids of a person's articles (created or in the byline) for an `IN`: each side reads its own
/// index, where an `OR` would make the planner test every article.
fn own_ids(param: &str) -> String {
    format!(
        "SELECT id FROM posts WHERE owner_id = {param} UNION SELECT post_id FROM post_authors WHERE user_id = {param}"
    )
}

/// One page of the admin list and how many articles match in all.
pub async fn admin_list(db: &Db, f: &AdminFilter) -> Result<(Vec<Article>, i64)> {
    enum Bind {
        Int(i64),
        Text(String),
    }
    let mut binds = vec![Bind::Text(f.kind.clone())];
    let mut wheres = vec!["kind = $1".to_string()];
    let next = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    match &f.status {
        Some(s) => {
            let p = next(&mut binds, Bind::Text(s.clone()));
            wheres.push(format!("status = {p}"));
        }
        None => wheres.push("status <> 'trash'".into()),
    }
    if let Some(viewer) = f.private_visible_to {
        let p = next(&mut binds, Bind::Int(viewer));
        wheres.push(format!("(status <> 'private' OR id IN ({}))", own_ids(&p)));
    }
    if let Some(author) = f.author {
        let p = next(&mut binds, Bind::Int(author));
        wheres.push(format!("id IN ({})", own_ids(&p)));
    }
    if !f.term_ids.is_empty() {
        let list: Vec<String> = f
            .term_ids
            .iter()
            .map(|t| next(&mut binds, Bind::Int(*t)))
            .collect();
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM post_terms pt WHERE pt.post_id = posts.id AND pt.term_id IN ({}))",
            list.join(", ")
        ));
    }
    let search = f.search.trim();
    if !search.is_empty() {
        let p = next(&mut binds, Bind::Text(like_pattern(search, true)));
        wheres.push(format!("LOWER(title) LIKE {p} ESCAPE '\\'"));
    }
    let dir = if f.ascending { "ASC" } else { "DESC" };
    let order = match f.order {
        Order::Date => format!("COALESCE(published_at, modified_at) {dir}, id {dir}"),
        Order::Modified => format!("modified_at {dir}, id {dir}"),
        Order::Title => format!("LOWER(title) {dir}, id {dir}"),
    };
    let filter = wheres.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM posts WHERE {filter}");
    let limit = next(&mut binds, Bind::Int(f.limit));
    let offset = next(&mut binds, Bind::Int(f.offset));
    let sql = format!(
        "SELECT {CARD} FROM posts WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, Article>(&sql);
        let mut c = sqlx::query_scalar::<_, i64>(&count_sql);
        for (i, b) in binds.iter().enumerate() {
            q = match b {
                Bind::Int(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.clone()),
            };
            // The count has every parameter but the last two (limit and offset).
            if i + 2 < binds.len() {
                c = match b {
                    Bind::Int(v) => c.bind(*v),
                    Bind::Text(v) => c.bind(v.clone()),
                };
            }
        }
        let rows = q.fetch_all(pool).await?;
        let total = c.fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// How many articles of a kind are in each status.
pub async fn counts_by_status(db: &Db, kind: &str) -> Result<Vec<(String, i64)>> {
    const SQL: &str = "SELECT status, COUNT(*) FROM posts WHERE kind = $1 GROUP BY status";
    Ok(on_pool!(db, |pool| sqlx::query_as(SQL)
        .bind(kind)
        .fetch_all(pool)
        .await?))
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
    latest_from(db, None, window).await
}

/// The home page's articles in `window` counted from `fence` (a row at or above the window): a
/// deep page walks the index from the fence, not from the top.
pub async fn latest_from(db: &Db, fence: Option<&Fence>, window: Window) -> Result<Vec<Article>> {
    let Some(f) = fence else {
        let sql = format!(
            "SELECT {CARD} FROM posts WHERE kind = 'post' AND status = 'published' \
             ORDER BY sticky DESC, published_at DESC, id DESC LIMIT $1 OFFSET $2"
        );
        return Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
            .bind(window.limit)
            .bind(window.offset)
            .fetch_all(pool)
            .await?));
    };
    // Below a fence that is not sticky, no sticky article follows: `sticky` equal and
    // `published_at` bounded is a range of the `posts_listing` index (a row-value comparison
    // would not be one), the tie on the second settled by the id. A fence among the sticky
    // articles (more than a fence's worth of them, rare) also takes every article not sticky.
    let sql = format!(
        "SELECT {CARD} FROM posts WHERE kind = 'post' AND status = 'published' \
         AND (sticky = $1 AND published_at <= $2 AND (published_at < $2 OR id <= $3){either}) \
         ORDER BY sticky DESC, published_at DESC, id DESC LIMIT $4 OFFSET $5",
        either = if f.sticky { " OR sticky < $1" } else { "" }
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(f.sticky)
        .bind(f.at)
        .bind(f.id)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(pool)
        .await?))
}

/// The newest live articles by publication time, sticky or not: the site's feed.
pub async fn newest(db: &Db, limit: i64) -> Result<Vec<Article>> {
    let sql = format!(
        "SELECT {CARD} FROM posts WHERE kind = 'post' AND status = 'published' \
         ORDER BY published_at DESC, id DESC LIMIT $1"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// Live articles (whole rows) with ids above `after_id`, by id: the search index reads them all.
pub async fn live_after(db: &Db, after_id: i64, limit: i64) -> Result<Vec<Article>> {
    // SQLite's planner took the (kind, status, …) indexes for this and sorted every live article
    // by id for each batch, so filling the index grew with the square of the site; walking the
    // primary key from `after_id` reads just the batch. PostgreSQL picks that walk by itself.
    let table = match db {
        Db::Sqlite(_) => "posts NOT INDEXED",
        Db::Postgres(_) => "posts",
    };
    let sql = format!(
        "SELECT {FULL} FROM {table} WHERE kind = 'post' AND status = 'published' AND id > $1 \
         ORDER BY id LIMIT $2"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Article>(&sql)
        .bind(after_id)
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// Whole rows of some articles (any status), in no particular order.
pub async fn full_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Article>> {
    let select = format!("SELECT {FULL} FROM posts WHERE");
    crate::db::rows_with_ids(db, &select, ids, "").await
}

/// Ids of the posts carrying a term, or with a user in their byline (what to re-index when a
/// name changes).
pub async fn ids_naming(db: &Db, entity: &str, id: i64) -> Result<Vec<i64>> {
    let sql = match entity {
        "term" => "SELECT post_id FROM post_terms WHERE term_id = $1",
        _ => "SELECT post_id FROM post_authors WHERE user_id = $1",
    };
    Ok(on_pool!(db, |pool| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_all(pool)
        .await?))
}

/// The rendered bodies of some articles, by id (cards are loaded without them).
pub async fn bodies(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>> {
    id_text_map(db, "SELECT id, body_html FROM posts WHERE", ids).await
}

/// `select` (`SELECT id, <text> FROM posts WHERE [condition AND]`) for these ids, as a map.
pub async fn id_text_map(db: &Db, select: &str, ids: &[i64]) -> Result<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("{select} id IN ({})", placeholders(ids.len()));
    let rows: Vec<(i64, String)> = on_pool!(db, |pool| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    });
    Ok(rows.into_iter().collect())
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
    in_terms_from(db, term_ids, None, window).await
}

/// `in_terms` counted from `fence` (a row at or above the window).
pub async fn in_terms_from(
    db: &Db,
    term_ids: &[i64],
    fence: Option<&Fence>,
    window: Window,
) -> Result<Vec<Article>> {
    let ids = ids_in_terms_from(db, term_ids, fence, window).await?;
    by_ids(db, &ids).await
}

/// The ids `in_terms_from` shows, in its order.
async fn ids_in_terms_from(
    db: &Db,
    term_ids: &[i64],
    fence: Option<&Fence>,
    window: Window,
) -> Result<Vec<i64>> {
    // One upper bound on `live_at` (now, or the fence's time, which is older): given two, SQLite
    // took now for the index range and walked every row down to the fence.
    const SQL: &str = "SELECT post_id, live_at FROM post_terms WHERE term_id = $1 AND live_at IS NOT NULL \
         AND live_at <= $2 AND (live_at < $2 OR post_id <= $4) \
         ORDER BY live_at DESC, post_id DESC LIMIT $3";
    let reach = window.offset + window.limit;
    let (at, id) = fence.map_or((now(), i64::MAX), |f| (f.at, f.id));
    let mut hits: Vec<(i64, DateTime<Utc>)> = Vec::new();
    for term_id in term_ids {
        let rows: Vec<(i64, DateTime<Utc>)> = on_pool!(db, |pool| sqlx::query_as(SQL)
            .bind(*term_id)
            .bind(at)
            .bind(reach)
            .bind(id)
            .fetch_all(pool)
            .await?);
        hits.extend(rows);
    }
    Ok(newest_unique(hits, window))
}

/// Live articles with this author in their byline, newest first.
pub async fn by_author(db: &Db, user_id: i64, window: Window) -> Result<Vec<Article>> {
    by_author_from(db, user_id, None, window).await
}

/// `by_author` counted from `fence` (a row at or above the window).
pub async fn by_author_from(
    db: &Db,
    user_id: i64,
    fence: Option<&Fence>,
    window: Window,
) -> Result<Vec<Article>> {
    let ids = ids_by_author_from(db, user_id, fence, window).await?;
    by_ids(db, &ids).await
}

/// The ids `by_author_from` shows, in its order.
async fn ids_by_author_from(
    db: &Db,
    user_id: i64,
    fence: Option<&Fence>,
    window: Window,
) -> Result<Vec<i64>> {
    // One upper bound on `live_at`, as in `in_terms_from`.
    const SQL: &str = "SELECT post_id, live_at FROM post_authors WHERE user_id = $1 AND live_at IS NOT NULL \
         AND live_at <= $2 AND (live_at < $2 OR post_id <= $5) \
         ORDER BY live_at DESC, post_id DESC LIMIT $3 OFFSET $4";
    let (at, id) = fence.map_or((now(), i64::MAX), |f| (f.at, f.id));
    let rows: Vec<(i64, DateTime<Utc>)> = on_pool!(db, |pool| sqlx::query_as(SQL)
        .bind(user_id)
        .bind(at)
        .bind(window.limit)
        .bind(window.offset)
        .bind(id)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(|(id, _)| id).collect())
}

/// The ids of live articles newest first (sticky or not) in `window` counted from `fence`.
async fn ids_newest_from(db: &Db, fence: Option<&Fence>, window: Window) -> Result<Vec<i64>> {
    const TOP: &str = "SELECT id FROM posts WHERE kind = 'post' AND status = 'published' \
         ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2";
    // As in `latest_from`: `published_at` bounded and the tie settled by the id keeps this a
    // range of the `posts_by_date` index.
    const FROM: &str = "SELECT id FROM posts WHERE kind = 'post' AND status = 'published' \
         AND published_at <= $3 AND (published_at < $3 OR id <= $4) \
         ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2";
    Ok(on_pool!(db, |pool| {
        let q = sqlx::query_scalar(if fence.is_some() { FROM } else { TOP })
            .bind(window.limit)
            .bind(window.offset);
        match fence {
            Some(f) => q.bind(f.at).bind(f.id),
            None => q,
        }
        .fetch_all(pool)
        .await?
    }))
}

/// The ids of `list`'s rows in `window` counted from `fence`, in the list's order (the home
/// list is not read this way: its page reads cards directly).
pub async fn ids_from(
    db: &Db,
    list: &List,
    fence: Option<&Fence>,
    window: Window,
) -> Result<Vec<i64>> {
    match list {
        List::Newest => ids_newest_from(db, fence, window).await,
        List::Home => Ok(latest_from(db, fence, window)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect()),
        List::Terms(ids) => ids_in_terms_from(db, ids, fence, window).await,
        List::Author(id) => ids_by_author_from(db, *id, fence, window).await,
    }
}

/// Which list of live articles a deep page walks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum List {
    /// The home page: sticky first, newest first.
    Home,
    /// Every live article newest first, sticky or not (the REST API's list).
    Newest,
    /// Articles in any of these terms (a category with those below it, or a tag).
    Terms(Vec<i64>),
    /// Articles with this person in their byline.
    Author(i64),
}

/// A row of a list, as its order sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub sticky: bool,
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// A fence stands every this many rows of a list.
pub const FENCE_EVERY: i64 = 20;

/// The rows at positions 0, FENCE_EVERY, 2 × FENCE_EVERY… of a list: one pass over its index, so
/// that a page at any depth can then start from the fence above it.
pub async fn fences(db: &Db, list: &List) -> Result<Vec<Fence>> {
    // Window functions number the rows inside the database; only every FENCE_EVERY-th leaves it.
    let (inner, order, bind): (String, &str, Vec<i64>) = match list {
        List::Home => (
            "SELECT sticky, published_at AS at, id FROM posts WHERE kind = 'post' AND status = 'published'".into(),
            "sticky DESC, at DESC, id DESC",
            Vec::new(),
        ),
        List::Newest => (
            "SELECT FALSE AS sticky, published_at AS at, id FROM posts WHERE kind = 'post' AND status = 'published'".into(),
            "at DESC, id DESC",
            Vec::new(),
        ),
        List::Terms(ids) => (
            format!(
                "SELECT DISTINCT FALSE AS sticky, live_at AS at, post_id AS id FROM post_terms \
                 WHERE term_id IN ({}) AND live_at IS NOT NULL",
                placeholders(ids.len())
            ),
            "at DESC, id DESC",
            ids.clone(),
        ),
        List::Author(user) => (
            "SELECT FALSE AS sticky, live_at AS at, post_id AS id FROM post_authors \
             WHERE user_id = $1 AND live_at IS NOT NULL"
                .into(),
            "at DESC, id DESC",
            vec![*user],
        ),
    };
    let sql = format!(
        "SELECT sticky, at, id FROM (SELECT sticky, at, id, ROW_NUMBER() OVER (ORDER BY {order}) AS n \
         FROM ({inner}) rows_of_list) numbered WHERE (n - 1) % {FENCE_EVERY} = 0 ORDER BY n"
    );
    let rows: Vec<(bool, DateTime<Utc>, i64)> = on_pool!(db, |pool| {
        let mut q = sqlx::query_as(&sql);
        for id in &bind {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|(sticky, at, id)| Fence { sticky, at, id })
        .collect())
}

/// How many rows `list` has, counted in its index.
pub async fn count_in(db: &Db, list: &List) -> Result<i64> {
    let (sql, bind): (String, Vec<i64>) = match list {
        List::Home | List::Newest => (
            "SELECT COUNT(*) FROM posts WHERE kind = 'post' AND status = 'published'".into(),
            Vec::new(),
        ),
        List::Terms(ids) if ids.len() == 1 => (
            "SELECT COUNT(*) FROM post_terms WHERE term_id = $1 AND live_at IS NOT NULL".into(),
            ids.clone(),
        ),
        // An article in two of the terms is one row of the list.
        List::Terms(ids) => (
            format!(
                "SELECT COUNT(DISTINCT post_id) FROM post_terms WHERE term_id IN ({}) AND live_at IS NOT NULL",
                placeholders(ids.len())
            ),
            ids.clone(),
        ),
        List::Author(user) => (
            "SELECT COUNT(*) FROM post_authors WHERE user_id = $1 AND live_at IS NOT NULL".into(),
            vec![*user],
        ),
    };
    Ok(on_pool!(db, |pool| {
        let mut q = sqlx::query_scalar(&sql);
        for id in &bind {
            q = q.bind(*id);
        }
        q.fetch_one(pool).await?
    }))
}

/// The ids of up to `limit` live articles sharing the most terms with `article`, newer first on
/// a tie.
pub async fn related(db: &Db, article_id: i64, term_ids: &[i64], limit: usize) -> Result<Vec<i64>> {
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
    Ok(ranked.into_iter().take(limit).map(|(id, _)| id).collect())
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
    in_order(&mut rows, ids);
    Ok(rows)
}

/// Whole rows of some articles (any status), in the order of `ids`.
pub async fn full_in_order(db: &Db, ids: &[i64]) -> Result<Vec<Article>> {
    let mut rows = full_by_ids(db, ids).await?;
    in_order(&mut rows, ids);
    Ok(rows)
}

/// Put rows read with `IN (…)` (which keeps no order) in the order of `ids`.
fn in_order(rows: &mut [Article], ids: &[i64]) {
    rows.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
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

/// What links some posts to the rest of the site: their terms, their bylines and how many
/// approved comments each has, by id only (the rows themselves are few and kept in memory).
#[derive(Debug, Default)]
pub struct Links {
    /// (post, term).
    pub terms: Vec<(i64, i64)>,
    /// (post, position, user), by post and position.
    pub authors: Vec<(i64, i64, i64)>,
    pub comment_counts: HashMap<i64, i64>,
}

/// What links one post to terms, people and comments (a part of `Links`, kept per post).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostLinks {
    pub terms: Vec<i64>,
    /// (position, user), by position.
    pub authors: Vec<(i64, i64)>,
    pub comment_count: i64,
}

impl Links {
    /// Put kept per-post links back together, in the order of `post_ids`.
    pub fn of(post_ids: &[i64], kept: &HashMap<i64, std::sync::Arc<PostLinks>>) -> Links {
        let mut out = Links::default();
        let mut seen = std::collections::HashSet::new();
        for id in post_ids {
            let Some(l) = kept.get(id).filter(|_| seen.insert(*id)) else {
                continue;
            };
            out.terms.extend(l.terms.iter().map(|t| (*id, *t)));
            out.authors
                .extend(l.authors.iter().map(|(position, u)| (*id, *position, *u)));
            if l.comment_count > 0 {
                out.comment_counts.insert(*id, l.comment_count);
            }
        }
        out
    }

    /// Split by post: every one of `post_ids` gets an entry, empty when nothing links it.
    pub fn per_post(self, post_ids: &[i64]) -> Vec<(i64, PostLinks)> {
        let mut by_post: HashMap<i64, PostLinks> = post_ids
            .iter()
            .map(|id| (*id, PostLinks::default()))
            .collect();
        for (post, term) in self.terms {
            by_post.entry(post).or_default().terms.push(term);
        }
        for (post, position, user) in self.authors {
            by_post
                .entry(post)
                .or_default()
                .authors
                .push((position, user));
        }
        for (post, n) in self.comment_counts {
            by_post.entry(post).or_default().comment_count = n;
        }
        by_post.into_iter().collect()
    }
}

/// The links of these posts, in one query.
pub async fn links(db: &Db, post_ids: &[i64]) -> Result<Links> {
    if post_ids.is_empty() {
        return Ok(Links::default());
    }
    // One list of placeholders serves all three parts: `$n` names the same value each time.
    let ids = placeholders(post_ids.len());
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS part, post_id, term_id AS other, CAST(0 AS BIGINT) AS position \
         FROM post_terms WHERE post_id IN ({ids}) \
         UNION ALL SELECT 1, post_id, user_id, position FROM post_authors WHERE post_id IN ({ids}) \
         UNION ALL SELECT 2, post_id, COUNT(*), 0 FROM comments WHERE status = 'approved' \
         AND post_id IN ({ids}) GROUP BY post_id"
    );
    let rows: Vec<(i64, i64, i64, i64)> = on_pool!(db, |pool| {
        let mut q = sqlx::query_as(&sql);
        for id in post_ids {
            q = q.bind(*id);
        }
        q.fetch_all(pool).await?
    });
    let mut out = Links::default();
    for (part, post, other, position) in rows {
        match part {
            0 => out.terms.push((post, other)),
            1 => out.authors.push((post, position, other)),
            _ => {
                out.comment_counts.insert(post, other);
            }
        }
    }
    out.authors.sort_unstable();
    Ok(out)
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

/// The largest article id (0 when there is none).
pub async fn max_id(db: &Db) -> Result<i64> {
    const SQL: &str = "SELECT COALESCE(MAX(id), 0) FROM posts";
    let n: i64 = on_pool!(db, |pool| sqlx::query_scalar(SQL).fetch_one(pool).await?);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn links_split_by_post_and_come_back_together() {
        let links = Links {
            terms: vec![(1, 10), (1, 11), (2, 10)],
            authors: vec![(1, 0, 7), (1, 1, 8), (2, 0, 8)],
            comment_counts: HashMap::from([(2, 5)]),
        };
        let kept: HashMap<i64, std::sync::Arc<PostLinks>> = links
            .per_post(&[1, 2, 3])
            .into_iter()
            .map(|(id, l)| (id, std::sync::Arc::new(l)))
            .collect();
        assert_eq!(
            kept[&3].as_ref(),
            &PostLinks::default(),
            "linked to nothing"
        );
        assert_eq!(kept[&1].authors, vec![(0, 7), (1, 8)]);
        let back = Links::of(&[2, 1, 2], &kept);
        assert_eq!(
            back.terms,
            vec![(2, 10), (1, 10), (1, 11)],
            "each post once"
        );
        assert_eq!(back.authors, vec![(2, 0, 8), (1, 0, 7), (1, 1, 8)]);
        assert_eq!(back.comment_counts, HashMap::from([(2, 5)]));
    }

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
