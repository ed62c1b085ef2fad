//! Creating articles and terms: validate, render the body through `content`, pick a free slug, store.

use chrono::{DateTime, Utc};

use crate::content::markdown::{self, Format};
use crate::content::{slug, text};
use crate::db::article::{self as articles, NewArticle, status};
use crate::db::term::{self, NewTerm};
use crate::db::{Db, now};
use crate::error::{Error, Result};

/// An article as a writer gives it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: String,
    pub title: String,
    /// None: made from the title.
    pub slug: Option<String>,
    pub body: String,
    pub format: Format,
    pub status: String,
    /// None: now, if published.
    pub published_at: Option<DateTime<Utc>>,
    pub sticky: bool,
    pub comments_open: bool,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
    /// A picture of the media library leading the article.
    pub featured_media_id: Option<i64>,
    pub author_ids: Vec<i64>,
    pub term_ids: Vec<i64>,
}

impl Draft {
    /// A published Markdown article with defaults for everything else.
    pub fn article(title: &str, body: &str, author_ids: Vec<i64>) -> Draft {
        Draft {
            kind: articles::POST.into(),
            title: title.into(),
            slug: None,
            body: body.into(),
            format: Format::Markdown,
            status: status::PUBLISHED.into(),
            published_at: None,
            sticky: false,
            comments_open: true,
            source_name: String::new(),
            source_url: String::new(),
            featured_image_url: String::new(),
            featured_image_alt: String::new(),
            featured_media_id: None,
            author_ids,
            term_ids: Vec::new(),
        }
    }
}

/// Validate and store a draft; returns the new id.
pub async fn create(db: &Db, draft: &Draft) -> Result<i64> {
    let title = draft.title.trim();
    if title.is_empty() {
        return Err(Error::BadRequest("an article needs a title".into()));
    }
    if !status::ALL.contains(&draft.status.as_str()) {
        return Err(Error::BadRequest(format!(
            "unknown status {:?}",
            draft.status
        )));
    }
    let wanted = match &draft.slug {
        Some(s) if !s.trim().is_empty() => slug::slugify(s),
        _ => slug::slugify(title),
    };
    let slug = free_slug(db, &draft.kind, &wanted, None).await?;
    let body_html = markdown::render(&draft.body, draft.format);
    let published_at = match (draft.published_at, draft.status.as_str()) {
        (Some(at), _) => Some(at),
        (None, status::PUBLISHED) => Some(now()),
        (None, _) => None,
    };
    let status = status::effective(&draft.status, published_at).to_string();
    articles::insert(
        db,
        &NewArticle {
            kind: draft.kind.clone(),
            title: title.to_string(),
            slug,
            body_source: draft.body.clone(),
            body_format: if draft.format == Format::Html {
                "html".into()
            } else {
                "markdown".into()
            },
            excerpt: text::excerpt(&body_html),
            body_html,
            status,
            published_at,
            sticky: draft.sticky,
            comment_status: if draft.comments_open {
                "open".into()
            } else {
                "closed".into()
            },
            source_name: draft.source_name.clone(),
            source_url: draft.source_url.clone(),
            featured_image_url: draft.featured_image_url.clone(),
            featured_image_alt: draft.featured_image_alt.clone(),
            owner_id: draft.author_ids.first().copied(),
            custom_excerpt: String::new(),
            featured_media_id: draft.featured_media_id,
            media_ids: draft.featured_media_id.into_iter().collect(),
            author_ids: draft.author_ids.clone(),
            term_ids: draft.term_ids.clone(),
        },
        None,
    )
    .await
}

/// `wanted`, or `wanted-2`, `wanted-3`… whichever is free (or already `own_id`'s), as WordPress does.
pub async fn free_slug(db: &Db, kind: &str, wanted: &str, own_id: Option<i64>) -> Result<String> {
    let mut candidate = wanted.to_string();
    let mut n = 2;
    while articles::by_slug(db, kind, &candidate)
        .await?
        .is_some_and(|a| Some(a.id) != own_id)
    {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// The id of the term with this name in a taxonomy, creating it (under `parent`) if missing.
pub async fn ensure_term(
    db: &Db,
    taxonomy: &str,
    name: &str,
    parent_id: Option<i64>,
) -> Result<i64> {
    let slug = slug::slugify(name);
    if let Some(t) = term::by_slug(db, taxonomy, &slug).await? {
        return Ok(t.id);
    }
    term::insert(
        db,
        &NewTerm {
            taxonomy: taxonomy.into(),
            name: name.trim().into(),
            slug,
            parent_id,
            description: String::new(),
        },
        None,
    )
    .await
}
