//! Writing and publishing from the admin: saving an article (new or existing) under the capability
//! rules, with no silent overwrite (a save made on an older version is refused), revisions and
//! autosaves, publishing, scheduling, trash and restore, corrections, review links and who else
//! has the article open.

use chrono::{DateTime, Duration, Utc};

use crate::actions::FieldErrors;
use crate::actions::capability::{self, Actor, Cap, PostFacts, not_allowed};
use std::collections::HashMap;

use crate::actions::media as media_actions;
use crate::actions::publish::{ensure_term, free_slug};
use crate::content::figure::Figure;
use crate::content::input::{self, Kind};
use crate::content::markdown::{self, Format};
use crate::content::{preview_link, slug, text};
use crate::db::article::{
    self as articles, Article, ArticlePatch, NewArticle, StatusChange, status,
};
use crate::db::media::{self, Media};
use crate::db::revision::{self, Snapshot};
use crate::db::setting::Settings;
use crate::db::{Db, correction, now, presence, term, user};
use crate::error::{Error, Result};

/// Limits, in characters.
pub const MAX_TITLE: usize = 300;
pub const MAX_BODY: usize = 1_000_000;
pub const MAX_EXCERPT: usize = 2_000;
pub const MAX_TAGS: usize = 40;
pub const MAX_CORRECTION: usize = 2_000;

/// An article as the editor sends it.
#[derive(Debug, Clone)]
pub struct Edit {
    pub kind: String,
    pub title: String,
    /// Empty: made from the title.
    pub slug: String,
    pub body: String,
    pub format: Format,
    /// Empty: made from the body.
    pub excerpt: String,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
    /// A picture of the library leading the article (wins over `featured_image_url`).
    pub featured_media_id: Option<i64>,
    pub category_ids: Vec<i64>,
    /// Tag names; missing tags are created.
    pub tags: Vec<String>,
    /// The byline, in order.
    pub author_ids: Vec<i64>,
    pub sticky: bool,
    pub comments_open: bool,
    /// draft, pending, published (scheduled when dated in the future) or private.
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    /// A minor edit of a published article keeps its modified date.
    pub minor: bool,
}

impl Edit {
    /// Put a revision's (or an autosave's) text in place of this edit's.
    pub fn take_text(&mut self, s: Snapshot) {
        self.title = s.title;
        self.body = s.body_source;
        self.excerpt = s.custom_excerpt;
        self.source_name = s.source_name;
        self.source_url = s.source_url;
        self.featured_image_url = s.featured_image_url;
        self.featured_image_alt = s.featured_image_alt;
    }

    /// An empty article of a kind.
    pub fn blank(kind: &str) -> Edit {
        Edit {
            kind: kind.into(),
            title: String::new(),
            slug: String::new(),
            body: String::new(),
            format: Format::Markdown,
            excerpt: String::new(),
            source_name: String::new(),
            source_url: String::new(),
            featured_image_url: String::new(),
            featured_image_alt: String::new(),
            featured_media_id: None,
            category_ids: Vec::new(),
            tags: Vec::new(),
            author_ids: Vec::new(),
            sticky: false,
            comments_open: kind == articles::POST,
            status: status::DRAFT.into(),
            published_at: None,
            minor: false,
        }
    }
}

/// What a save led to.
#[derive(Debug, Clone)]
pub enum Saved {
    Done {
        id: i64,
        version: i64,
        status: String,
    },
    /// Nothing was stored; the form goes back with the writer's text and these messages.
    Invalid(FieldErrors),
    /// Someone saved the article after this writer opened it; nothing was stored.
    Conflict { current: Box<Article> },
}

/// An article and what the rules need to know about it.
pub async fn load(db: &Db, id: i64) -> Result<(Article, PostFacts)> {
    let a = articles::get(db, id).await?.ok_or(Error::NotFound)?;
    let facts = PostFacts::of(&a, articles::author_ids(db, id).await?);
    Ok((a, facts))
}

/// An article the actor may edit (404 when missing, 403 when not theirs to edit).
pub async fn editable(db: &Db, actor: &Actor, id: i64) -> Result<(Article, PostFacts)> {
    let (a, facts) = load(db, id).await?;
    if !capability::can_edit(actor, &facts) {
        return Err(if a.status == status::TRASH {
            Error::Conflict("This article is in the trash. Restore it to edit it.".into())
        } else {
            not_allowed("edit this article")
        });
    }
    Ok((a, facts))
}

fn is_web_address(url: &str, allow_path: bool) -> bool {
    let lower = url.to_ascii_lowercase();
    ((lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.contains(char::is_whitespace))
        || (allow_path && url.starts_with('/') && !url.starts_with("//"))
}

/// The problems of an edit that need no database.
fn check(edit: &Edit, publishing: bool) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let fields: [(&'static str, &str, Kind); 8] = [
        ("title", &edit.title, Kind::Line),
        ("slug", &edit.slug, Kind::Line),
        ("body", &edit.body, Kind::Long),
        ("excerpt", &edit.excerpt, Kind::Long),
        ("source_name", &edit.source_name, Kind::Line),
        ("source_url", &edit.source_url, Kind::Line),
        ("featured_image_url", &edit.featured_image_url, Kind::Line),
        ("featured_image_alt", &edit.featured_image_alt, Kind::Line),
    ];
    for (name, value, kind) in fields {
        if let Err(m) = input::check(value, kind) {
            errors.insert(name, m);
        }
    }
    for tag in &edit.tags {
        if let Err(m) = input::check(tag, Kind::Line) {
            errors.insert("tags", m);
        }
    }
    let chars = |s: &str| s.chars().count();
    let title = edit.title.trim();
    if title.is_empty() && publishing {
        errors
            .entry("title")
            .or_insert_with(|| "An article needs a headline before it is published.".into());
    } else if chars(title) > MAX_TITLE {
        errors.insert(
            "title",
            format!("A headline can have at most {MAX_TITLE} characters."),
        );
    }
    if chars(&edit.body) > MAX_BODY {
        errors.insert(
            "body",
            format!("The text can have at most {MAX_BODY} characters."),
        );
    }
    if chars(&edit.excerpt) > MAX_EXCERPT {
        errors.insert(
            "excerpt",
            format!("An excerpt can have at most {MAX_EXCERPT} characters."),
        );
    }
    let source_url = edit.source_url.trim();
    if !source_url.is_empty() && !is_web_address(source_url, false) {
        errors.entry("source_url").or_insert_with(|| {
            "Please enter the source's address starting with https:// (or leave it empty).".into()
        });
    }
    if !edit.source_url.trim().is_empty() && edit.source_name.trim().is_empty() {
        errors
            .entry("source_name")
            .or_insert_with(|| "Name the source the link points to (e.g. BBC).".into());
    }
    let image = edit.featured_image_url.trim();
    if !image.is_empty() && !is_web_address(image, true) {
        errors.entry("featured_image_url").or_insert_with(|| {
            "Please enter the picture's address starting with https:// or /.".into()
        });
    }
    if !image.is_empty() && edit.featured_image_alt.trim().is_empty() && publishing {
        errors.entry("featured_image_alt").or_insert_with(|| {
            "Describe the picture for readers who cannot see it before publishing.".into()
        });
    }
    if edit.tags.len() > MAX_TAGS {
        errors.insert(
            "tags",
            format!("An article can have at most {MAX_TAGS} tags."),
        );
    } else if edit.tags.iter().any(|t| chars(t) > 100) {
        errors
            .entry("tags")
            .or_insert_with(|| "A tag can have at most 100 characters.".into());
    }
    errors
}

/// Save an article: `id` None creates it. `version` is the version the writer opened (ignored for
/// a new article).
pub async fn save(
    db: &Db,
    actor: &Actor,
    id: Option<i64>,
    version: i64,
    edit: &Edit,
) -> Result<Saved> {
    let kind = if edit.kind == articles::PAGE {
        articles::PAGE
    } else {
        articles::POST
    };
    let existing = match id {
        Some(id) => Some(editable(db, actor, id).await?),
        None => {
            let cap = if kind == articles::PAGE {
                Cap::EditPages
            } else {
                Cap::EditPosts
            };
            actor.require(cap, "write articles")?;
            None
        }
    };
    if let Some((current, _)) = &existing
        && current.version != version
    {
        return Ok(Saved::Conflict {
            current: Box::new(current.clone()),
        });
    }
    let wanted = match edit.status.as_str() {
        status::SCHEDULED => status::PUBLISHED,
        s if [
            status::DRAFT,
            status::PENDING,
            status::PUBLISHED,
            status::PRIVATE,
        ]
        .contains(&s) =>
        {
            s
        }
        other => {
            return Ok(Saved::Invalid(FieldErrors::from([(
                "status",
                format!("{other:?} is not a status an article can be saved in."),
            )])));
        }
    };
    let publishing = wanted == status::PUBLISHED || wanted == status::PRIVATE;
    if publishing && !capability::can_publish(actor, kind) {
        return Err(not_allowed(
            "publish articles; submit it for review and an editor will publish it",
        ));
    }
    let mut errors = check(edit, publishing);

    // The byline: people who write here; someone who may not edit others' work stays in it.
    let writers = user::writers(db).await?;
    let mut author_ids: Vec<i64> = Vec::new();
    for a in &edit.author_ids {
        if !author_ids.contains(a) && writers.iter().any(|w| w.id == *a) {
            author_ids.push(*a);
        }
    }
    if author_ids.is_empty()
        && let Some(me) = actor
            .user_id
            .filter(|me| writers.iter().any(|w| w.id == *me))
    {
        author_ids.push(me);
    }
    if author_ids.is_empty() {
        errors.insert("authors", "Choose who the article is by.".into());
    } else if let Some(me) = actor.user_id
        && !actor.can(Cap::EditOthersPosts)
        && !author_ids.contains(&me)
    {
        errors.insert(
            "authors",
            "Keep yourself in the byline; an editor can change it.".into(),
        );
    }
    // The pictures it places: they must exist, be the actor's to use (when newly placed), and be
    // described for readers who cannot see them before the article goes out.
    let placed = placed_media(db, edit).await?;
    let already: Vec<i64> = match &existing {
        Some((a, _)) => media_used(db, a.id).await?,
        None => Vec::new(),
    };
    for m in placed.pictures.values() {
        if !already.contains(&m.id) && !capability::can_use_media(actor, m.owner_id) {
            errors.insert(
                "featured_media",
                format!(
                    "“{}” is someone else's picture; ask an editor to place it.",
                    m.title
                ),
            );
        }
    }
    if let Some(id) = edit.featured_media_id
        && !placed.pictures.contains_key(&id)
    {
        errors.insert(
            "featured_media",
            "That picture is no longer in the library.".into(),
        );
    }
    if let Some(missing) = placed.missing_in_text() {
        errors.insert("body", missing);
    }
    if publishing && let Some(undescribed) = placed.undescribed(edit) {
        errors.insert("featured_media", undescribed);
    }
    let categories = term::all(db, term::CATEGORY).await?;
    if edit
        .category_ids
        .iter()
        .any(|c| !categories.iter().any(|t| t.id == *c))
    {
        errors.insert(
            "categories",
            "One of the chosen sections no longer exists.".into(),
        );
    }
    if !errors.is_empty() {
        return Ok(Saved::Invalid(errors));
    }

    let mut term_ids: Vec<i64> = edit.category_ids.clone();
    if kind == articles::POST {
        for tag in &edit.tags {
            let tag = tag.trim();
            if !tag.is_empty() {
                let id = ensure_term(db, term::TAG, tag, None).await?;
                if !term_ids.contains(&id) {
                    term_ids.push(id);
                }
            }
        }
    } else {
        term_ids.clear();
    }
    let current = existing.as_ref().map(|(a, _)| a);
    let was_published =
        current.is_some_and(|a| a.status == status::PUBLISHED || a.status == status::SCHEDULED);
    let title = edit.title.trim().to_string();
    // Until an article is out, its slug follows its headline unless someone chose one.
    let typed_slug = edit.slug.trim();
    let follows_title = current.is_some_and(|a| {
        !was_published && typed_slug == a.slug && a.slug.starts_with(&slug::slugify(&a.title))
    });
    let wanted_slug = if typed_slug.is_empty() || follows_title {
        slug::slugify(&title)
    } else {
        slug::slugify(typed_slug)
    };
    let slug = free_slug(db, kind, &wanted_slug, id).await?;
    let published_at = match wanted {
        status::PUBLISHED | status::PRIVATE => Some(
            edit.published_at
                .or(current.and_then(|a| a.published_at))
                .unwrap_or_else(now),
        ),
        _ => edit.published_at.or(current.and_then(|a| a.published_at)),
    };
    let final_status = status::effective(wanted, published_at);
    let figures: HashMap<i64, Figure> = placed
        .pictures
        .values()
        .map(|m| (m.id, media_actions::figure_of(m)))
        .collect();
    let body_html = markdown::render_with(&edit.body, edit.format, &|id| figures.get(&id).cloned());
    let mut media_ids: Vec<i64> = placed.pictures.keys().copied().collect();
    media_ids.sort_unstable();
    let custom_excerpt = edit.excerpt.trim().to_string();
    let excerpt = if custom_excerpt.is_empty() {
        text::excerpt(&body_html)
    } else {
        custom_excerpt.clone()
    };
    let sticky = if capability::can_stick(actor) {
        edit.sticky && kind == articles::POST
    } else {
        current.is_some_and(|a| a.sticky)
    };
    let format_name = if edit.format == Format::Html {
        "html"
    } else {
        "markdown"
    };
    let comment_status = if edit.comments_open { "open" } else { "closed" };
    let audit = actor.audit();
    match current {
        None => {
            let id = articles::insert(
                db,
                &NewArticle {
                    kind: kind.into(),
                    title,
                    slug,
                    body_source: edit.body.clone(),
                    body_format: format_name.into(),
                    body_html,
                    excerpt,
                    status: final_status.into(),
                    published_at,
                    sticky,
                    comment_status: comment_status.into(),
                    source_name: edit.source_name.trim().into(),
                    source_url: edit.source_url.trim().into(),
                    featured_image_url: edit.featured_image_url.trim().into(),
                    featured_image_alt: edit.featured_image_alt.trim().into(),
                    owner_id: actor.user_id,
                    custom_excerpt,
                    featured_media_id: edit.featured_media_id,
                    author_ids,
                    term_ids,
                    media_ids,
                },
                Some(&audit),
            )
            .await?;
            Ok(Saved::Done {
                id,
                version: 1,
                status: final_status.into(),
            })
        }
        Some(a) => {
            let id = a.id;
            let stays_out = was_published && final_status == a.status;
            let patch = ArticlePatch {
                title,
                slug,
                body_source: edit.body.clone(),
                body_format: format_name.into(),
                body_html,
                excerpt,
                custom_excerpt,
                status: final_status.into(),
                published_at,
                sticky,
                comment_status: comment_status.into(),
                source_name: edit.source_name.trim().into(),
                source_url: edit.source_url.trim().into(),
                featured_image_url: edit.featured_image_url.trim().into(),
                featured_image_alt: edit.featured_image_alt.trim().into(),
                author_ids,
                term_ids,
                featured_media_id: edit.featured_media_id,
                media_ids,
                touch_modified: !(edit.minor && stays_out),
            };
            match articles::update(db, id, version, &patch, &audit).await? {
                Some(version) => Ok(Saved::Done {
                    id,
                    version,
                    status: final_status.into(),
                }),
                None => Ok(Saved::Conflict {
                    current: Box::new(articles::get(db, id).await?.ok_or(Error::NotFound)?),
                }),
            }
        }
    }
}

/// The pictures of the library an edit places (featured and in the text), as found.
struct Placed {
    pictures: HashMap<i64, Media>,
    /// Ids the text places that are not in the library.
    unknown: Vec<i64>,
}

impl Placed {
    fn missing_in_text(&self) -> Option<String> {
        (!self.unknown.is_empty()).then(|| {
            let list: Vec<String> = self
                .unknown
                .iter()
                .map(|id| format!("/media/{id}"))
                .collect();
            format!(
                "The text places pictures that are not in the library: {}.",
                list.join(", ")
            )
        })
    }

    /// The pictures that would go out without alt text, named; None when all are described.
    fn undescribed(&self, edit: &Edit) -> Option<String> {
        let mut names: Vec<String> = Vec::new();
        let mut note = |m: &Media| {
            let name = format!(
                "“{}”",
                if m.title.is_empty() {
                    "untitled"
                } else {
                    &m.title
                }
            );
            if !names.contains(&name) {
                names.push(name);
            }
        };
        if let Some(m) = edit.featured_media_id.and_then(|id| self.pictures.get(&id))
            && m.alt.trim().is_empty()
        {
            note(m);
        }
        for (id, alt) in markdown::media_alts(&edit.body, edit.format) {
            if let Some(m) = self.pictures.get(&id)
                && alt.trim().is_empty()
                && m.alt.trim().is_empty()
            {
                note(m);
            }
        }
        (!names.is_empty()).then(|| {
            format!(
                "Describe {} for readers who cannot see it (alt text in the media library) before publishing.",
                names.join(", ")
            )
        })
    }
}

async fn placed_media(db: &Db, edit: &Edit) -> Result<Placed> {
    let mut ids = markdown::media_ids(&edit.body, edit.format);
    let in_text = ids.clone();
    ids.extend(edit.featured_media_id);
    let pictures: HashMap<i64, Media> = media::by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let unknown = in_text
        .into_iter()
        .filter(|id| !pictures.contains_key(id))
        .collect();
    Ok(Placed { pictures, unknown })
}

/// The pictures an article uses now.
async fn media_used(db: &Db, post_id: i64) -> Result<Vec<i64>> {
    let a = articles::get(db, post_id).await?.ok_or(Error::NotFound)?;
    let mut ids = markdown::media_ids(&a.body_source, Format::parse(&a.body_format));
    ids.extend(a.featured_media_id);
    Ok(ids)
}

/// Keep the writer's unsaved text as their autosave of the article.
pub async fn autosave(db: &Db, actor: &Actor, id: i64, s: &Snapshot) -> Result<DateTime<Utc>> {
    editable(db, actor, id).await?;
    for value in [
        &s.title,
        &s.source_name,
        &s.source_url,
        &s.featured_image_url,
    ] {
        input::check(value, Kind::Line).map_err(Error::Unprocessable)?;
    }
    for value in [&s.body_source, &s.custom_excerpt] {
        input::check(value, Kind::Long).map_err(Error::Unprocessable)?;
    }
    if s.body_source.chars().count() > MAX_BODY {
        return Err(Error::Unprocessable(format!(
            "The text can have at most {MAX_BODY} characters."
        )));
    }
    let user_id = actor
        .user_id
        .ok_or_else(|| Error::BadRequest("an autosave needs a signed-in writer".into()))?;
    revision::autosave(db, id, user_id, s).await
}

/// Put a revision's text back as a new save (itself a revision, so nothing is lost).
pub async fn restore_revision(db: &Db, actor: &Actor, id: i64, revision_id: i64) -> Result<i64> {
    let (a, _) = editable(db, actor, id).await?;
    let r = revision::get(db, revision_id)
        .await?
        .filter(|r| r.post_id == id)
        .ok_or(Error::NotFound)?;
    let mut edit = edit_of(db, &a).await?;
    edit.take_text(r.snapshot);
    match save(db, actor, Some(id), a.version, &edit).await? {
        Saved::Done { version, .. } => Ok(version),
        Saved::Invalid(errors) => Err(crate::actions::unprocessable(errors)),
        Saved::Conflict { .. } => Err(Error::Conflict(
            "Someone saved the article at the same moment; try again.".into(),
        )),
    }
}

/// The editor's fields for a stored article.
pub async fn edit_of(db: &Db, a: &Article) -> Result<Edit> {
    let term_ids = articles::term_ids(db, a.id).await?;
    let mut category_ids = Vec::new();
    let mut tags = Vec::new();
    for t in term::all(db, term::CATEGORY).await? {
        if term_ids.contains(&t.id) {
            category_ids.push(t.id);
        }
    }
    for t in term::all(db, term::TAG).await? {
        if term_ids.contains(&t.id) {
            tags.push(t.name);
        }
    }
    Ok(Edit {
        kind: a.kind.clone(),
        title: a.title.clone(),
        slug: a.slug.clone(),
        body: a.body_source.clone(),
        format: Format::parse(&a.body_format),
        excerpt: a.custom_excerpt.clone(),
        source_name: a.source_name.clone(),
        source_url: a.source_url.clone(),
        featured_image_url: a.featured_image_url.clone(),
        featured_image_alt: a.featured_image_alt.clone(),
        featured_media_id: a.featured_media_id,
        category_ids,
        tags,
        author_ids: articles::author_ids(db, a.id).await?,
        sticky: a.sticky,
        comments_open: a.comment_status == "open",
        status: a.status.clone(),
        published_at: a.published_at,
        minor: false,
    })
}

/// Publish an article as it stands (the list's bulk action); dated in the future, it is scheduled.
pub async fn publish(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let (a, _) = editable(db, actor, id).await?;
    if !capability::can_publish(actor, &a.kind) {
        return Err(not_allowed("publish articles"));
    }
    if a.title.trim().is_empty() {
        return Err(Error::Unprocessable(
            "An article needs a headline before it is published.".into(),
        ));
    }
    let e = edit_of(db, &a).await?;
    if let Some(undescribed) = placed_media(db, &e).await?.undescribed(&e) {
        return Err(Error::Unprocessable(undescribed));
    }
    if a.status == status::PUBLISHED || a.status == status::SCHEDULED {
        return Ok(());
    }
    let at = a.published_at.unwrap_or_else(now);
    let change = StatusChange {
        status: status::PUBLISHED,
        published_at: Some(at),
        only_from: None,
        bump_version: true,
        action: if at > now() { "schedule" } else { "publish" },
    };
    articles::set_status(db, id, &change, &actor.audit()).await?;
    Ok(())
}

/// Move an article between the trash and the rest, if the actor may delete it: a no-op when it
/// is already where `to` puts it.
async fn move_trash(db: &Db, actor: &Actor, id: i64, to_trash: bool) -> Result<()> {
    let (a, facts) = load(db, id).await?;
    if !capability::can_delete(actor, &facts) {
        return Err(not_allowed(if to_trash {
            "move this article to the trash"
        } else {
            "restore this article"
        }));
    }
    if (a.status == status::TRASH) == to_trash {
        return Ok(());
    }
    let change = StatusChange {
        status: if to_trash {
            status::TRASH
        } else {
            status::DRAFT
        },
        published_at: a.published_at,
        only_from: (!to_trash).then_some(status::TRASH),
        bump_version: true,
        action: if to_trash { "trash" } else { "restore" },
    };
    articles::set_status(db, id, &change, &actor.audit()).await?;
    Ok(())
}

/// Move an article to the trash (it leaves the site at once).
pub async fn trash(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    move_trash(db, actor, id, true).await
}

/// Take an article out of the trash as a draft, as WordPress does, so nothing goes live by accident.
pub async fn restore(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    move_trash(db, actor, id, false).await
}

/// Delete a trashed article for good.
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    let (a, facts) = load(db, id).await?;
    if !capability::can_delete(actor, &facts) {
        return Err(not_allowed("delete this article"));
    }
    if a.status != status::TRASH {
        return Err(Error::Conflict(
            "Only articles in the trash can be deleted for good; move it to the trash first."
                .into(),
        ));
    }
    articles::delete(db, id, &actor.audit()).await?;
    Ok(())
}

/// Add a dated correction note to a published article.
pub async fn add_correction(db: &Db, actor: &Actor, id: i64, note: &str) -> Result<()> {
    let (a, _) = editable(db, actor, id).await?;
    let note = note.trim();
    input::check(note, Kind::Long).map_err(Error::Unprocessable)?;
    if note.is_empty() || note.chars().count() > MAX_CORRECTION {
        return Err(Error::Unprocessable(format!(
            "A correction needs 1 to {MAX_CORRECTION} characters."
        )));
    }
    if a.status != status::PUBLISHED {
        return Err(Error::Conflict(
            "Corrections are for published articles; edit the draft instead.".into(),
        ));
    }
    correction::insert(db, id, note, &actor.audit()).await?;
    Ok(())
}

/// A review link to the article that works without an account until it expires.
pub async fn review_link(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    id: i64,
) -> Result<(String, DateTime<Utc>)> {
    editable(db, actor, id).await?;
    let expires = now() + Duration::days(i64::from(settings.preview_link_days));
    let token = preview_link::issue(&settings.secret, id, expires);
    crate::db::activity::record(
        db,
        &actor.audit(),
        "share review link",
        "post",
        Some(id),
        "",
    )
    .await?;
    Ok((format!("/preview/{token}"), expires))
}

/// Note that the actor has the article open; the names of others who have it open too.
pub async fn beat(db: &Db, actor: &Actor, id: i64) -> Result<Vec<String>> {
    editable(db, actor, id).await?;
    let Some(me) = actor.user_id else {
        return Ok(Vec::new());
    };
    let at = now();
    presence::beat(db, id, me, at).await?;
    presence::others(db, id, me, at - Duration::seconds(60)).await
}

/// Note that the actor closed the article.
pub async fn leave(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    if let Some(me) = actor.user_id {
        presence::leave(db, id, me).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishing_needs_a_headline_and_described_pictures() {
        let mut edit = Edit::blank(articles::POST);
        edit.featured_image_url = "https://example.org/p.jpg".into();
        assert!(check(&edit, false).is_empty(), "a draft may be unfinished");
        let errors = check(&edit, true);
        assert!(errors.contains_key("title") && errors.contains_key("featured_image_alt"));
    }

    #[test]
    fn control_characters_and_bad_addresses_are_named() {
        let mut edit = Edit::blank(articles::POST);
        edit.title = "Head\0line".into();
        edit.body = "Body\twith tab\nand lines".into();
        edit.source_url = "javascript:alert(1)".into();
        edit.tags = vec!["ok".into(), "bad\u{1b}".into()];
        let errors = check(&edit, false);
        assert!(errors["title"].contains("U+0000"));
        assert!(!errors.contains_key("body"));
        assert!(errors.contains_key("source_url") && errors.contains_key("source_name"));
        assert!(errors["tags"].contains("U+001B"));
    }
}
