//! The article editor: new and existing articles and pages, saving under the capability rules
//! (contributors submit, authors and editors publish), refused saves that keep every word (422 with
//! messages, 409 with a diff when someone saved first), previews, corrections and review links.

use std::collections::HashMap;

use axum::extract::{Query, State};

use crate::http::PathParam;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use crate::actions::article::{self as edit, Edit, Saved};
use crate::actions::capability::{self, Cap};
use crate::app::AppState;
use crate::content::markdown::{self, Format};
use crate::content::{diff, slug, text};
use crate::db::article::{self as articles, Article, status};
use crate::db::media;
use crate::db::{correction, now, revision, term, user};
use crate::error::{Error, Result};
use crate::http::admin::form::{Fields, Posted};
use crate::http::admin::media::MediaItem;
use crate::http::admin::page::{render_status, see_other, shell};
use crate::http::admin::posts::{category_options, status_label};
use crate::http::admin::session::Staff;
use crate::http::site::article::render_preview;
use crate::http::site::gather;
use crate::render::Site;
use crate::render::admin::{
    ConflictView, CorrectionRowView, EditorView, Errors, OptionView, PictureView,
};
use crate::render::views::DateView;

/// Byline positions the form offers beyond those filled.
const SPARE_BYLINES: usize = 1;
const MIN_BYLINES: usize = 2;

/// A `datetime-local` value in the site's zone → UTC; Err when it names no time there.
fn parse_local(site: &Site, value: &str) -> std::result::Result<Option<DateTime<Utc>>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M"))
        .map_err(|_| "Enter the date and time as YYYY-MM-DD HH:MM.".to_string())?;
    site.tz
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or_else(|| {
            format!(
                "That time does not exist in {} (a clock change).",
                site.tz.name()
            )
        })
}

/// A UTC time as a `datetime-local` value in the site's zone.
fn local_value(site: &Site, at: Option<DateTime<Utc>>) -> String {
    at.map(|t| site.local(t).format("%Y-%m-%dT%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The editor's fields as an `Edit`, and a message if the date could not be read.
fn edit_from(fields: &Fields, site: &Site, kind: &str) -> (Edit, Option<String>) {
    let (published_at, date_error) = match parse_local(site, fields.get("published_at")) {
        Ok(at) => (at, None),
        Err(e) => (None, Some(e)),
    };
    let status = match fields.get("do") {
        "publish" => status::PUBLISHED.to_string(),
        "submit" => status::PENDING.to_string(),
        "draft" => status::DRAFT.to_string(),
        _ => match fields.get("status") {
            "" => status::DRAFT.to_string(),
            s => s.to_string(),
        },
    };
    let edit = Edit {
        kind: kind.into(),
        title: fields.get("title").into(),
        slug: fields.get("slug").into(),
        body: fields.get("body").replace("\r\n", "\n"),
        format: Format::parse(fields.get("format")),
        excerpt: fields.get("excerpt").into(),
        source_name: fields.get("source_name").into(),
        source_url: fields.get("source_url").into(),
        featured_image_url: fields.get("featured_image_url").into(),
        featured_image_alt: fields.get("featured_image_alt").into(),
        featured_media_id: fields.id("featured_media").filter(|id| *id > 0),
        category_ids: fields.ids("category"),
        tags: fields
            .get("tags")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        author_ids: fields.ids("author"),
        sticky: fields.has("sticky"),
        comments_open: fields.has("comments_open"),
        status,
        published_at,
        minor: fields.has("minor"),
    };
    (edit, date_error)
}

/// Everything the editor page shows for `e` (as stored, or as the writer sent it back).
async fn editor_view(
    state: &AppState,
    staff: &Staff,
    e: &Edit,
    stored: Option<&Article>,
    version: i64,
    errors: Errors,
) -> Result<EditorView> {
    let db = state.db();
    let site = state.site();
    let actor = &staff.actor;
    let kind = e.kind.as_str();
    let can_publish = capability::can_publish(actor, kind);
    let categories = term::all(db, term::CATEGORY).await?;
    let writers = user::writers(db).await?;
    let slots = (e.author_ids.len() + SPARE_BYLINES).max(MIN_BYLINES);
    let byline = (0..slots)
        .map(|i| {
            let chosen = e.author_ids.get(i).copied();
            writers
                .iter()
                .map(|w| OptionView::new(w.id, w.display_name.clone(), chosen == Some(w.id)))
                .collect()
        })
        .collect();
    let stored_status = stored
        .map(|a| a.status.clone())
        .unwrap_or_else(|| status::DRAFT.into());
    let mut choices = vec![status::DRAFT, status::PENDING];
    if can_publish {
        choices.extend([status::PUBLISHED, status::PRIVATE]);
    }
    let current = if e.status == status::SCHEDULED {
        status::PUBLISHED
    } else {
        e.status.as_str()
    };
    let statuses = choices
        .into_iter()
        .map(|s| OptionView {
            value: s.into(),
            label: if s == status::PUBLISHED {
                "Published (or scheduled)".into()
            } else {
                status_label(s).into()
            },
            selected: s == current,
            depth: 0,
        })
        .collect();
    let (mut others, mut autosave_at, mut revisions, mut corrections) =
        (Vec::new(), None, 0, Vec::new());
    let mut public_url = None;
    if let Some(a) = stored {
        others = edit::beat(db, actor, a.id).await?;
        if let Some(saved) = revision::autosave_of(db, a.id, staff.user.id).await?
            && saved.created_at >= a.modified_at
        {
            autosave_at = Some(DateView::with_time(&site, saved.created_at).display);
        }
        revisions = revision::of_post(db, a.id).await?.len();
        corrections = correction::of_post(db, a.id)
            .await?
            .into_iter()
            .map(|c| CorrectionRowView {
                date: DateView::with_time(&site, c.created_at).display,
                note: c.note,
            })
            .collect();
        if a.status == status::PUBLISHED {
            public_url = Some(gather::article_path(state, &site, a).await?);
        }
    }
    let words = e.body.split_whitespace().count();
    let (featured, media_choices) = picture_choices(state, staff, e.featured_media_id).await?;
    let can_trash = match stored {
        Some(a) => capability::can_delete(actor, &edit::load(db, a.id).await?.1),
        None => false,
    };
    Ok(EditorView {
        id: stored.map(|a| a.id),
        kind: kind.into(),
        version,
        action: match (stored, kind) {
            (Some(a), _) => format!("/admin/posts/{}", a.id),
            (None, articles::PAGE) => "/admin/pages/new".into(),
            (None, _) => "/admin/posts/new".into(),
        },
        title: e.title.clone(),
        slug: e.slug.clone(),
        body: e.body.clone(),
        format: if e.format == Format::Html {
            "html".into()
        } else {
            "markdown".into()
        },
        excerpt: e.excerpt.clone(),
        source_name: e.source_name.clone(),
        source_url: e.source_url.clone(),
        featured_image_url: e.featured_image_url.clone(),
        featured_image_alt: e.featured_image_alt.clone(),
        tags: e.tags.join(", "),
        known_tags: term::suggest(db, term::TAG, "", 300).await?,
        sections: category_options(&categories, &e.category_ids),
        byline,
        status: stored_status.clone(),
        status_label: status_label(&stored_status).into(),
        statuses,
        published_at: local_value(&site, e.published_at),
        timezone: site.tz.name().into(),
        sticky: e.sticky,
        can_stick: capability::can_stick(actor) && kind == articles::POST,
        comments_open: e.comments_open,
        can_publish,
        is_out: stored_status == status::PUBLISHED || stored_status == status::SCHEDULED,
        public_url,
        preview_url: stored.map(|a| format!("/admin/posts/{}/preview", a.id)),
        words,
        reading_minutes: (words.div_ceil(220)).max(1) as u32,
        others,
        autosave_at,
        from_autosave: false,
        revisions,
        corrections,
        review_link: None,
        conflict: None,
        errors,
        can_trash,
        minor: e.minor,
        featured,
        media_choices,
        can_upload: actor.can(Cap::UploadFiles),
    })
}

/// The chosen featured picture, and the pictures the writer may choose from.
async fn picture_choices(
    state: &AppState,
    staff: &Staff,
    chosen: Option<i64>,
) -> Result<(Option<PictureView>, Vec<OptionView>)> {
    let site = state.site();
    let filter = media::Filter {
        owner_id: (!staff.actor.can(Cap::EditOthersPosts)).then_some(staff.user.id),
        limit: 60,
        ..media::Filter::default()
    };
    let (mut rows, _) = media::list(state.db(), &filter).await?;
    if let Some(id) = chosen
        && !rows.iter().any(|m| m.id == id)
    {
        rows.extend(media::get(state.db(), id).await?);
    }
    let featured = chosen
        .and_then(|id| rows.iter().find(|m| m.id == id))
        .map(|m| {
            let item = MediaItem::of(&site, m);
            PictureView {
                id: m.id,
                title: item.title,
                thumb: item.thumb,
                described: !m.alt.trim().is_empty(),
            }
        });
    let choices = rows
        .iter()
        .map(|m| {
            let label = format!(
                "{} ({}×{}){}",
                if m.title.is_empty() {
                    "Untitled"
                } else {
                    &m.title
                },
                m.width,
                m.height,
                if m.alt.trim().is_empty() {
                    " — no description"
                } else {
                    ""
                }
            );
            OptionView::new(m.id, label, chosen == Some(m.id))
        })
        .collect();
    Ok((featured, choices))
}

async fn editor_page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    status_code: StatusCode,
    view: EditorView,
) -> Result<Response> {
    // The menu entry to mark, and the page's title.
    let (menu, title) = match (view.id, view.kind.as_str()) {
        (None, articles::PAGE) => ("/admin/pages/new", "New page"),
        (None, _) => ("/admin/posts/new", "New article"),
        (Some(_), articles::PAGE) => ("/admin/pages", "Edit page"),
        (Some(_), _) => ("/admin/posts", "Edit article"),
    };
    let shell = shell(state, staff, menu, q).await?;
    let ctx = minijinja::context! { shell, title, editor => view };
    render_status(state, status_code, "admin/editor.html", ctx)
}

/// `GET /admin/posts/new`.
pub async fn new_post(
    state: State<AppState>,
    staff: Staff,
    q: Query<HashMap<String, String>>,
) -> Result<Response> {
    new_article(state, staff, q, articles::POST).await
}

/// `GET /admin/pages/new`.
pub async fn new_page(
    state: State<AppState>,
    staff: Staff,
    q: Query<HashMap<String, String>>,
) -> Result<Response> {
    new_article(state, staff, q, articles::PAGE).await
}

async fn new_article(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
    kind: &str,
) -> Result<Response> {
    let cap = if kind == articles::PAGE {
        Cap::EditPages
    } else {
        Cap::EditPosts
    };
    staff.actor.require(cap, "write articles")?;
    let mut e = Edit::blank(kind);
    e.author_ids = vec![staff.user.id];
    let view = editor_view(&state, &staff, &e, None, 0, Errors::new()).await?;
    editor_page(&state, &staff, &q, StatusCode::OK, view).await
}

/// `GET /admin/posts/{id}` (`?autosave=1` loads the writer's newer autosave into the form).
pub async fn edit_article(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let (a, _) = edit::editable(state.db(), &staff.actor, id).await?;
    let mut e = edit::edit_of(state.db(), &a).await?;
    let mut from_autosave = false;
    if q.contains_key("autosave")
        && let Some(saved) = revision::autosave_of(state.db(), id, staff.user.id).await?
    {
        e.take_text(saved.snapshot);
        from_autosave = true;
    }
    let mut view = editor_view(&state, &staff, &e, Some(&a), a.version, Errors::new()).await?;
    view.from_autosave = from_autosave;
    if from_autosave {
        view.autosave_at = None;
    }
    view.review_link = q
        .get("shared")
        .filter(|t| t.starts_with("/preview/"))
        .map(|t| format!("{}{t}", state.config().site_url));
    editor_page(&state, &staff, &q, StatusCode::OK, view).await
}

fn errors_of(map: crate::actions::FieldErrors) -> Errors {
    map.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Save the editor's form (new when `id` is None) and answer: 303 on success, the form again with
/// messages (422) or with a diff against the newer version (409).
async fn save(state: &AppState, form: Posted, id: Option<i64>) -> Result<Response> {
    let Posted { staff, fields } = form;
    let site = state.site();
    let kind = match id {
        Some(id) => {
            articles::get(state.db(), id)
                .await?
                .ok_or(Error::NotFound)?
                .kind
        }
        None if fields.get("kind") == articles::PAGE => articles::PAGE.into(),
        None => articles::POST.into(),
    };
    let (e, date_error) = edit_from(&fields, &site, &kind);
    let version = fields.id("version").unwrap_or(0);
    let stored = match id {
        Some(id) => Some(edit::editable(state.db(), &staff.actor, id).await?.0),
        None => None,
    };
    let no_query = HashMap::new();
    if let Some(message) = date_error {
        let errors = Errors::from([("published_at".to_string(), message)]);
        let view = editor_view(state, &staff, &e, stored.as_ref(), version, errors).await?;
        return editor_page(
            state,
            &staff,
            &no_query,
            StatusCode::UNPROCESSABLE_ENTITY,
            view,
        )
        .await;
    }
    match edit::save(state.db(), &staff.actor, id, version, &e).await? {
        Saved::Done { id, status: s, .. } => {
            let done = match (s.as_str(), fields.get("do")) {
                (status::PUBLISHED, "publish") => "published",
                (status::SCHEDULED, _) => "scheduled",
                (status::PENDING, "submit") => "submitted",
                (status::PRIVATE, _)
                    if stored.as_ref().is_none_or(|a| a.status != status::PRIVATE) =>
                {
                    "private"
                }
                _ => "saved",
            };
            Ok(see_other(&format!("/admin/posts/{id}?done={done}")))
        }
        Saved::Invalid(errors) => {
            let view = editor_view(
                state,
                &staff,
                &e,
                stored.as_ref(),
                version,
                errors_of(errors),
            )
            .await?;
            editor_page(
                state,
                &staff,
                &no_query,
                StatusCode::UNPROCESSABLE_ENTITY,
                view,
            )
            .await
        }
        Saved::Conflict { current } => {
            let revisions = revision::of_post(state.db(), current.id).await?;
            let who = revisions
                .first()
                .and_then(|r| r.user_name.clone())
                .unwrap_or_else(|| "Someone".into());
            let lines = diff::lines(&current.body_source, &e.body, 3);
            let (added, removed) = diff::counts(&lines);
            // The form now carries the newer version: saving again replaces it, on purpose.
            let mut view = editor_view(
                state,
                &staff,
                &e,
                Some(&current),
                current.version,
                Errors::new(),
            )
            .await?;
            view.conflict = Some(ConflictView {
                who,
                when: DateView::with_time(&site, current.modified_at).display,
                their_title: current.title.clone(),
                title_differs: current.title.trim() != e.title.trim(),
                diff: lines,
                added,
                removed,
            });
            editor_page(state, &staff, &no_query, StatusCode::CONFLICT, view).await
        }
    }
}

/// `POST /admin/posts/new` and `/admin/pages/new`.
pub async fn create_article(State(state): State<AppState>, form: Posted) -> Result<Response> {
    save(&state, form, None).await
}

/// `POST /admin/posts/{id}`.
pub async fn save_article(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    save(&state, form, Some(id)).await
}

/// Mark a preview so search engines and shared caches leave it alone.
fn preview_response(html: String) -> Response {
    let mut r = Html(html).into_response();
    r.headers_mut().insert(
        "x-robots-tag",
        axum::http::HeaderValue::from_static("noindex, nofollow"),
    );
    r
}

/// `GET /admin/posts/{id}/preview`: the stored article as readers would see it.
pub async fn preview_stored(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<i64>,
) -> Result<Response> {
    let (a, _) = edit::editable(state.db(), &staff.actor, id).await?;
    let html = render_preview(
        &state,
        &state.site(),
        &a,
        None,
        "Preview: this is how the article will look. It is not published by this page.",
    )
    .await?;
    Ok(preview_response(html))
}

/// `POST /admin/posts/preview`: the form as sent, unsaved (the editor's Preview button without JavaScript).
pub async fn preview_form(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let site = state.site();
    let stored = match fields.id("id") {
        Some(id) => Some(edit::editable(state.db(), &staff.actor, id).await?.0),
        None => {
            staff.actor.require(Cap::EditPosts, "write articles")?;
            None
        }
    };
    let kind = stored.as_ref().map(|a| a.kind.clone()).unwrap_or_else(|| {
        if fields.get("kind") == articles::PAGE {
            articles::PAGE.into()
        } else {
            articles::POST.into()
        }
    });
    let (e, _) = edit_from(&fields, &site, &kind);
    let figures =
        crate::actions::media::figures(state.db(), &markdown::media_ids(&e.body, e.format)).await?;
    let mut a = unsaved(stored.as_ref(), &e);
    a.body_html = markdown::render_with(&e.body, e.format, &|id| figures.get(&id).cloned());
    let html = render_preview(
        &state,
        &site,
        &a,
        Some((&e.category_ids, &e.author_ids)),
        "Preview of unsaved changes: close this tab and save in the editor to keep them.",
    )
    .await?;
    Ok(preview_response(html))
}

/// `POST /admin/posts/{id}/corrections`.
pub async fn add_correction(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    edit::add_correction(state.db(), &form.staff.actor, id, form.fields.get("note")).await?;
    Ok(see_other(&format!(
        "/admin/posts/{id}?done=correction#corrections"
    )))
}

/// `POST /admin/posts/{id}/share`: make a review link and show it in the editor.
pub async fn share_article(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let (link, _) =
        edit::review_link(state.db(), &state.site().settings, &form.staff.actor, id).await?;
    let encoded = percent_encoding::utf8_percent_encode(&link, percent_encoding::NON_ALPHANUMERIC);
    Ok(see_other(&format!(
        "/admin/posts/{id}?shared={encoded}#share"
    )))
}

/// The article an unsaved form describes, for its preview.
fn unsaved(stored: Option<&Article>, e: &Edit) -> Article {
    let at = now();
    let body_html = markdown::render(&e.body, e.format);
    let excerpt = if e.excerpt.trim().is_empty() {
        text::excerpt(&body_html)
    } else {
        e.excerpt.trim().to_string()
    };
    Article {
        id: stored.map_or(0, |a| a.id),
        kind: e.kind.clone(),
        title: e.title.trim().to_string(),
        slug: stored
            .map(|a| a.slug.clone())
            .unwrap_or_else(|| slug::slugify(&e.title)),
        body_source: e.body.clone(),
        body_format: if e.format == Format::Html {
            "html".into()
        } else {
            "markdown".into()
        },
        body_html,
        excerpt,
        status: stored.map_or_else(|| status::DRAFT.into(), |a| a.status.clone()),
        published_at: e.published_at.or(stored.and_then(|a| a.published_at)),
        modified_at: at,
        created_at: stored.map_or(at, |a| a.created_at),
        sticky: e.sticky,
        comment_status: if e.comments_open {
            "open".into()
        } else {
            "closed".into()
        },
        source_name: e.source_name.trim().into(),
        source_url: e.source_url.trim().into(),
        featured_image_url: e.featured_image_url.trim().into(),
        featured_image_alt: e.featured_image_alt.trim().into(),
        owner_id: stored.and_then(|a| a.owner_id),
        version: stored.map_or(0, |a| a.version),
        custom_excerpt: e.excerpt.trim().into(),
        featured_media_id: e.featured_media_id,
        password: stored.map(|a| a.password.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::setting::Settings;

    fn site(tz: &str) -> Site {
        Site::new(
            Settings {
                timezone: tz.into(),
                ..Settings::default()
            },
            Vec::new(),
            String::new(),
        )
    }

    #[test]
    fn local_times_are_read_in_the_site_zone() {
        let s = site("Europe/Kyiv");
        let at = parse_local(&s, "2025-05-16T10:00").unwrap().unwrap();
        assert_eq!(at.to_rfc3339(), "2025-05-16T07:00:00+00:00");
        assert_eq!(local_value(&s, Some(at)), "2025-05-16T10:00:00");
        assert_eq!(parse_local(&s, "").unwrap(), None);
        assert!(parse_local(&s, "16/05/2025").is_err());
        assert!(
            parse_local(&s, "2025-03-30T03:30").is_err(),
            "skipped by the clock change"
        );
    }
}
