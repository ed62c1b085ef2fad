//! The editor script's JSON calls (all optional: every page works without them): live preview
//! with the site's own renderer, autosave, who else has the article open, paste from a word
//! processor, tag completion.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use crate::actions::article as edit;
use crate::actions::capability::Cap;
use crate::app::AppState;
use crate::content::input::{self, Kind};
use crate::content::markdown::{self, Format};
use crate::content::{paste as pasted, text};
use crate::db::revision::Snapshot;
use crate::db::term;
use crate::error::{Error, Result};
use crate::http::admin::form::Api;
use crate::http::admin::session::Staff;
use crate::render::views::DateView;

/// `{body, format}` to render.
#[derive(Deserialize)]
pub struct RenderRequest {
    body: String,
    #[serde(default)]
    format: String,
}

/// Rendered HTML and the counts shown under the editor.
#[derive(Serialize)]
pub struct Rendered {
    html: String,
    words: usize,
    reading_minutes: u32,
}

/// `POST /admin/api/render`: the body as the site will show it (sanitized by the same code).
pub async fn render_markdown(Api { staff, body }: Api<RenderRequest>) -> Result<Json<Rendered>> {
    staff.actor.require(Cap::EditPosts, "write articles")?;
    input::check(&body.body, Kind::Long).map_err(Error::Unprocessable)?;
    if body.body.chars().count() > edit::MAX_BODY {
        return Err(Error::Unprocessable(
            "The text is too long to preview.".into(),
        ));
    }
    let html = markdown::render(&body.body, Format::parse(&body.format));
    Ok(Json(Rendered {
        words: body.body.split_whitespace().count(),
        reading_minutes: text::reading_minutes(&html),
        html,
    }))
}

/// An autosave: the article (0 for one never saved) and the editor's text fields.
#[derive(Deserialize)]
pub struct AutosaveRequest {
    id: i64,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    excerpt: String,
    #[serde(default)]
    source_name: String,
    #[serde(default)]
    source_url: String,
    #[serde(default)]
    featured_image_url: String,
    #[serde(default)]
    featured_image_alt: String,
}

/// When the autosave was kept; for a new article, the draft it became.
#[derive(Serialize)]
pub struct Autosaved {
    saved_at: String,
    /// Set when the autosave created the article: the editor now edits it.
    created: Option<Created>,
}

/// A draft made by the first autosave of a new article.
#[derive(Serialize)]
pub struct Created {
    id: i64,
    version: i64,
    edit_url: String,
}

/// `POST /admin/api/autosave`: keep the writer's unsaved text (one autosave per article and
/// writer). A new article's first autosave saves it as a draft, as WordPress's auto-draft does,
/// so even text never saved by hand survives a closed tab.
pub async fn autosave(
    State(state): State<AppState>,
    Api { staff, body }: Api<AutosaveRequest>,
) -> Result<Json<Autosaved>> {
    let snapshot = Snapshot {
        title: body.title,
        body_source: body.body.replace("\r\n", "\n"),
        custom_excerpt: body.excerpt,
        source_name: body.source_name,
        source_url: body.source_url,
        featured_image_url: body.featured_image_url,
        featured_image_alt: body.featured_image_alt,
    };
    if body.id == 0 {
        let mut e = edit::Edit::blank(if body.kind == "page" { "page" } else { "post" });
        e.take_text(snapshot);
        e.author_ids = vec![staff.user.id];
        return match edit::save(state.db(), &staff.actor, None, 0, &e).await? {
            edit::Saved::Done { id, version, .. } => Ok(Json(Autosaved {
                saved_at: DateView::with_time(&state.site(), crate::db::now()).display,
                created: Some(Created {
                    id,
                    version,
                    edit_url: format!("/admin/posts/{id}"),
                }),
            })),
            edit::Saved::Invalid(errors) => Err(crate::actions::unprocessable(errors)),
            edit::Saved::Conflict { .. } => Err(Error::Conflict("already saved".into())),
        };
    }
    let at = edit::autosave(state.db(), &staff.actor, body.id, &snapshot).await?;
    Ok(Json(Autosaved {
        saved_at: DateView::with_time(&state.site(), at).display,
        created: None,
    }))
}

/// `{id, leaving}`: a heartbeat from an open editor, or its goodbye.
#[derive(Deserialize)]
pub struct PresenceRequest {
    id: i64,
    #[serde(default)]
    leaving: bool,
}

/// Who else has the article open.
#[derive(Serialize)]
pub struct Presence {
    others: Vec<String>,
}

/// `POST /admin/api/presence`.
pub async fn presence(
    State(state): State<AppState>,
    Api { staff, body }: Api<PresenceRequest>,
) -> Result<Json<Presence>> {
    if body.leaving {
        edit::leave(state.db(), &staff.actor, body.id).await?;
        return Ok(Json(Presence { others: Vec::new() }));
    }
    let others = edit::beat(state.db(), &staff.actor, body.id).await?;
    Ok(Json(Presence { others }))
}

/// `{html}` from the clipboard.
#[derive(Deserialize)]
pub struct PasteRequest {
    html: String,
}

/// The clipboard as Markdown.
#[derive(Serialize)]
pub struct Pasted {
    markdown: String,
}

/// `POST /admin/api/paste`: a word processor's or web page's HTML as clean Markdown.
pub async fn paste(Api { staff, body }: Api<PasteRequest>) -> Result<Json<Pasted>> {
    staff.actor.require(Cap::EditPosts, "write articles")?;
    if body.html.len() > 4 * 1024 * 1024 {
        return Err(Error::Unprocessable(
            "That is too much to paste at once.".into(),
        ));
    }
    Ok(Json(Pasted {
        markdown: pasted::to_markdown(&body.html),
    }))
}

/// `GET /admin/api/tags?q=`: existing tags starting with what was typed, most used first.
pub async fn suggest_tags(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<String>>> {
    staff.actor.require(Cap::EditPosts, "write articles")?;
    let typed: String = q
        .get("q")
        .map(|s| s.trim().chars().take(100).collect())
        .unwrap_or_default();
    Ok(Json(
        term::suggest(state.db(), term::TAG, &typed, 10).await?,
    ))
}
