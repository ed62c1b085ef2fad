//! The media library in the admin: a grid with search and filters, uploads (a plain file input
//! that works without JavaScript; the script adds drag and drop, paste and progress through the
//! JSON call), a page per picture to describe it and see where it is used, and delete.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, TimeZone, Utc};
use serde::Serialize;

use crate::actions::capability::{self, Cap};
use crate::actions::media::{self as library, Upload};
use crate::app::AppState;
use crate::content::input::{self, Kind};
use crate::content::signing;
use crate::db::media::{self, Filter, Media, MediaText};
use crate::db::user;
use crate::error::{Error, Result};
use crate::http::PathParam;
use crate::http::admin::form::Posted;
use crate::http::admin::page::{page_number, render_status, see_other, shell};
use crate::http::admin::session::Staff;
use crate::render::admin::{Errors, OptionView};
use crate::render::views::DateView;

/// Pictures on one page of the grid.
const PER_PAGE: i64 = 30;
/// Files one upload may carry.
const MAX_FILES: usize = 20;

/// A picture as the admin shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MediaItem {
    pub id: i64,
    pub title: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// A small size, for grids and pickers.
    pub thumb: String,
    /// The largest fallback size.
    pub large: String,
    pub width: i64,
    pub height: i64,
    pub format: String,
    pub bytes: i64,
    pub uploaded: String,
    /// What to write in an article's text to place it.
    pub markdown: String,
    pub url: String,
}

impl MediaItem {
    /// From a stored row.
    pub fn of(site: &crate::render::Site, m: &Media) -> MediaItem {
        let fallback: Vec<&media::Variant> = m
            .variants
            .0
            .iter()
            .filter(|v| v.format != crate::content::picture::Encoding::Webp)
            .collect();
        let thumb = fallback
            .iter()
            .find(|v| v.width >= 320)
            .or(fallback.last())
            .map(|v| library::url(&v.key))
            .unwrap_or_default();
        MediaItem {
            id: m.id,
            title: m.title.clone(),
            alt: m.alt.clone(),
            caption: m.caption.clone(),
            credit: m.credit.clone(),
            thumb,
            large: fallback
                .last()
                .map(|v| library::url(&v.key))
                .unwrap_or_default(),
            width: m.width,
            height: m.height,
            format: m.source_format.to_uppercase(),
            bytes: m.original_bytes,
            uploaded: DateView::new(site, m.created_at).display,
            markdown: format!("![{}](/media/{})", m.alt.replace(['[', ']'], ""), m.id),
            url: format!("/admin/media/{}", m.id),
        }
    }
}

/// A file the upload refused, and why.
#[derive(Debug, Clone, Serialize)]
struct Refused {
    file: String,
    message: String,
}

fn month_bounds(month: &str) -> Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    let from = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()?;
    let to = if m == 12 {
        Utc.with_ymd_and_hms(y + 1, 1, 1, 0, 0, 0).single()?
    } else {
        Utc.with_ymd_and_hms(y, m + 1, 1, 0, 0, 0).single()?
    };
    Some((from, to))
}

async fn library_page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    refused: Vec<Refused>,
    status: StatusCode,
) -> Result<Response> {
    staff
        .actor
        .require(Cap::UploadFiles, "use the media library")?;
    let shell = shell(state, staff, "/admin/media", q).await?;
    let site = state.site();
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let page = page_number(q);
    let bounds = month_bounds(get("month"));
    let format = get("type");
    let filter = Filter {
        search: get("s").chars().take(200).collect(),
        from: bounds.map(|b| b.0),
        to: bounds.map(|b| b.1),
        source_format: ["jpeg", "png", "webp", "gif"]
            .contains(&format)
            .then(|| format.to_string()),
        owner_id: (!staff.actor.can(Cap::EditOthersPosts)).then_some(staff.user.id),
        offset: (i64::from(page) - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (rows, total) = media::list(state.db(), &filter).await?;
    let items: Vec<MediaItem> = rows.iter().map(|m| MediaItem::of(&site, m)).collect();
    let mut months = vec![OptionView::new("", "Every month", bounds.is_none())];
    if let Some((first, last)) = media::date_range(state.db()).await? {
        let (mut y, mut m) = (last.year(), last.month());
        while (y, m) >= (first.year(), first.month()) && months.len() < 121 {
            let value = format!("{y:04}-{m:02}");
            let label = Utc
                .with_ymd_and_hms(y, m, 1, 0, 0, 0)
                .single()
                .map(|d| d.format("%B %Y").to_string())
                .unwrap_or_else(|| value.clone());
            months.push(OptionView::new(&value, label, get("month") == value));
            (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
        }
    }
    let types: Vec<OptionView> = [
        ("", "Every type"),
        ("jpeg", "JPEG"),
        ("png", "PNG"),
        ("webp", "WebP"),
        ("gif", "GIF"),
    ]
    .iter()
    .map(|(v, l)| OptionView::new(v, *l, format == *v))
    .collect();
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let link = |p: u32| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("s", get("s"))
            .append_pair("month", get("month"))
            .append_pair("type", format)
            .append_pair("paged", &p.to_string())
            .finish();
        format!("/admin/media?{query}")
    };
    let ctx = minijinja::context! {
        shell,
        title => "Media",
        items,
        total,
        months,
        types,
        s => get("s"),
        refused,
        max_mb => site.settings.media_max_mb,
        page,
        pages,
        newer_url => (page > 1).then(|| link(page - 1)),
        older_url => (i64::from(page) < pages).then(|| link(page + 1)),
    };
    render_status(state, status, "admin/media.html", ctx)
}

/// `GET /admin/media`.
pub async fn list_media(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    library_page(&state, &staff, &q, Vec::new(), StatusCode::OK).await
}

/// The files and text fields of an upload form, its CSRF token checked.
struct Uploads {
    fields: HashMap<String, String>,
    files: Vec<(String, Vec<u8>)>,
    /// Files refused while reading (too large), with why.
    refused: Vec<Refused>,
}

async fn read_uploads(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<Uploads> {
    let max = state.site().settings.media_max_mb as usize * 1024 * 1024;
    let mut out = Uploads {
        fields: HashMap::new(),
        files: Vec::new(),
        refused: Vec::new(),
    };
    let bad = |e: axum::extract::multipart::MultipartError| {
        Error::BadRequest(format!("The upload could not be read: {}", e.body_text()))
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                if file_name.is_empty() {
                    continue;
                }
                if out.files.len() >= MAX_FILES {
                    return Err(Error::TooLarge(format!(
                        "At most {MAX_FILES} pictures at once, please."
                    )));
                }
                let mut bytes = Vec::new();
                let mut too_large = false;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if bytes.len() + chunk.len() > max {
                        too_large = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                let shown = input::shown(&file_name, Kind::Line);
                if too_large {
                    out.refused.push(Refused {
                        file: shown,
                        message: format!("Pictures can be at most {} MB.", max / 1_048_576),
                    });
                } else {
                    out.files.push((file_name, bytes));
                }
            }
            None => {
                let value = field.text().await.map_err(bad)?;
                if value.len() > 10_000 {
                    return Err(Error::TooLarge(
                        "A text field of the upload is too long.".into(),
                    ));
                }
                out.fields.insert(name, value);
            }
        }
    }
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .or(out.fields.get("csrf").map(String::as_str))
        .unwrap_or_default();
    if !signing::same(&staff.csrf, sent) {
        return Err(Error::Forbidden(
            "This upload has expired or did not come from this site; reload the page and try again."
                .into(),
        ));
    }
    for (k, v) in &out.fields {
        if let Err(m) = input::check(v, Kind::Line) {
            return Err(Error::Unprocessable(format!("{k}: {m}")));
        }
    }
    Ok(out)
}

/// Upload every file; the stored pictures and the refused files.
async fn store_all(
    state: &AppState,
    staff: &Staff,
    uploads: Uploads,
) -> Result<(Vec<(Media, bool)>, Vec<Refused>)> {
    let site = state.site();
    let text = |k: &str| uploads.fields.get(k).cloned().unwrap_or_default();
    let mut stored = Vec::new();
    let mut refused = uploads.refused;
    for (file_name, bytes) in uploads.files {
        let upload = Upload {
            bytes,
            file_name: file_name.clone(),
            text: MediaText {
                title: text("title"),
                alt: text("alt"),
                caption: text("caption"),
                credit: text("credit"),
            },
        };
        match library::upload(
            state.db(),
            state.media(),
            &site.settings,
            &staff.actor,
            upload,
        )
        .await?
        {
            Ok(s) => stored.push((s.media, s.existed)),
            Err(message) => refused.push(Refused {
                file: input::shown(&file_name, Kind::Line),
                message,
            }),
        }
    }
    Ok((stored, refused))
}

/// `POST /admin/media`: the plain upload form.
pub async fn upload_media(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response> {
    staff.actor.require(Cap::UploadFiles, "upload pictures")?;
    let uploads = read_uploads(&state, &staff, &headers, multipart).await?;
    let (stored, refused) = store_all(&state, &staff, uploads).await?;
    if refused.is_empty() {
        let n = stored.len();
        return Ok(match stored.as_slice() {
            [(m, _)] => see_other(&format!("/admin/media/{}?done=uploaded", m.id)),
            _ => see_other(&format!("/admin/media?done=uploaded&n={n}")),
        });
    }
    let status = if stored.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    library_page(&state, &staff, &HashMap::new(), refused, status).await
}

/// What the script gets back from an upload.
#[derive(Serialize)]
pub struct Uploaded {
    items: Vec<MediaItem>,
    refused: Vec<Refused>,
}

/// `POST /admin/api/media`: the script's upload (drag and drop, paste, progress).
pub async fn api_upload(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response> {
    staff.actor.require(Cap::UploadFiles, "upload pictures")?;
    let uploads = read_uploads(&state, &staff, &headers, multipart).await?;
    let (stored, refused) = store_all(&state, &staff, uploads).await?;
    let site = state.site();
    let status = if stored.is_empty() && !refused.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = Uploaded {
        items: stored
            .iter()
            .map(|(m, _)| MediaItem::of(&site, m))
            .collect(),
        refused,
    };
    Ok((status, Json(body)).into_response())
}

/// `GET /admin/api/media?s=`: pictures to choose from in the editor.
pub async fn api_list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Vec<MediaItem>>> {
    staff
        .actor
        .require(Cap::UploadFiles, "use the media library")?;
    let filter = Filter {
        search: q
            .get("s")
            .map(|s| s.chars().take(200).collect())
            .unwrap_or_default(),
        owner_id: (!staff.actor.can(Cap::EditOthersPosts)).then_some(staff.user.id),
        limit: 40,
        ..Filter::default()
    };
    let site = state.site();
    let (rows, _) = media::list(state.db(), &filter).await?;
    Ok(Json(rows.iter().map(|m| MediaItem::of(&site, m)).collect()))
}

#[derive(Serialize)]
struct UseRow {
    title: String,
    status: String,
    url: String,
}

async fn item_page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    m: &Media,
    form: &MediaText,
    (errors, uses_blocking): (Errors, Vec<media::Use>),
    status: StatusCode,
) -> Result<Response> {
    let shell = shell(state, staff, "/admin/media", q).await?;
    let site = state.site();
    let uses: Vec<UseRow> = media::uses(state.db(), m.id)
        .await?
        .into_iter()
        .map(|u| UseRow {
            url: format!("/admin/posts/{}", u.post_id),
            title: if u.title.is_empty() {
                "(no headline)".into()
            } else {
                u.title
            },
            status: crate::http::admin::posts::status_label(&u.status).into(),
        })
        .collect();
    let owner = match m.owner_id {
        Some(id) => user::get(state.db(), id).await?.map(|u| u.display_name),
        None => None,
    };
    let ctx = minijinja::context! {
        shell,
        title => if m.title.is_empty() { "Picture".to_string() } else { m.title.clone() },
        item => MediaItem::of(&site, m),
        form => minijinja::context! { title => form.title, alt => form.alt, caption => form.caption, credit => form.credit },
        errors,
        uses,
        blocked => !uses_blocking.is_empty(),
        owner,
        can_force => staff.actor.can(Cap::EditOthersPosts),
    };
    render_status(state, status, "admin/media_item.html", ctx)
}

/// `GET /admin/media/{id}`.
pub async fn show_media(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let m = library::editable(state.db(), &staff.actor, id).await?;
    item_page(
        &state,
        &staff,
        &q,
        &m,
        &m.text(),
        (Errors::new(), Vec::new()),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/media/{id}`: what is written about it.
pub async fn save_media(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let Posted { staff, fields } = form;
    let text = MediaText {
        title: fields.get("title").into(),
        alt: fields.get("alt").into(),
        caption: fields.get("caption").into(),
        credit: fields.get("credit").into(),
    };
    match library::update_text(state.db(), &staff.actor, id, &text).await? {
        Ok(()) => Ok(see_other(&format!("/admin/media/{id}?done=saved"))),
        Err(errors) => {
            let m = library::editable(state.db(), &staff.actor, id).await?;
            let errors = errors
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            item_page(
                &state,
                &staff,
                &HashMap::new(),
                &m,
                &text,
                (errors, Vec::new()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/media/{id}/delete`: refused while articles use it, unless an editor forces it.
pub async fn delete_media(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let Posted { staff, fields } = form;
    let force = fields.has("force");
    match library::delete(state.db(), state.media(), &staff.actor, id, force).await? {
        Ok(()) => Ok(see_other("/admin/media?done=media-deleted")),
        Err(uses) => {
            let m = library::editable(state.db(), &staff.actor, id).await?;
            item_page(
                &state,
                &staff,
                &HashMap::new(),
                &m,
                &m.text(),
                (Errors::new(), uses),
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

/// Whether the actor may place this picture (theirs, or any for editors), for the editor's list.
pub fn usable(staff: &Staff, m: &Media) -> bool {
    capability::can_use_media(&staff.actor, m.owner_id)
}
