//! `/wp/v2/media`: the pictures published articles show, with their sizes as WordPress's
//! `media_details` (a picture only a draft uses stays private); uploads by those who may.

use std::collections::HashMap;

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use super::auth::Caller;
use super::{Answer, Paging, Rest, base, dates, href, json_answer, read_body, shows};
use crate::actions;
use crate::actions::capability::{self, Actor, Cap};
use crate::actions::media::{Upload, url};
use crate::app::AppState;
use crate::cache::deps::Tag;
use crate::content::html_tags;
use crate::db::media::{Media, MediaText};
use crate::error::Error;
use crate::render::Site;

/// WordPress's JSON for a picture.
pub fn shape(site: &Site, base: &str, m: &Media) -> Value {
    let (date, date_gmt) = dates(site, m.created_at);
    let mime = crate::content::picture::Encoding::from_extension(
        m.original_key.rsplit('.').next().unwrap_or_default(),
    )
    .map_or("image/jpeg", |e| e.mime());
    let mut sizes = serde_json::Map::new();
    for v in m
        .variants
        .0
        .iter()
        .filter(|v| v.format != crate::content::picture::Encoding::Webp)
    {
        sizes.insert(
            format!("w{}", v.width),
            json!({
                "file": v.key, "width": v.width, "height": v.height,
                "mime_type": v.format.mime(), "source_url": format!("{base}{}", url(&v.key)),
            }),
        );
    }
    sizes.insert(
        "full".into(),
        json!({
            "file": m.original_key, "width": m.width, "height": m.height, "mime_type": mime,
            "source_url": format!("{base}{}", url(&m.original_key)),
        }),
    );
    json!({
        "id": m.id,
        "date": date,
        "date_gmt": date_gmt,
        "guid": { "rendered": format!("{base}{}", url(&m.original_key)) },
        "modified": date,
        "modified_gmt": date_gmt,
        "slug": crate::content::slug::slugify(&m.title),
        "status": "inherit",
        "type": "attachment",
        "link": format!("{base}{}", url(&m.original_key)),
        "title": { "rendered": html_tags::escape(&m.title) },
        "author": m.owner_id.unwrap_or(0),
        "comment_status": "closed",
        "ping_status": "closed",
        "template": "",
        "meta": [],
        "description": { "rendered": "" },
        "caption": { "rendered": if m.caption.is_empty() { String::new() } else { format!("<p>{}</p>\n", html_tags::escape(&m.caption)) } },
        "alt_text": m.alt,
        "media_type": "image",
        "mime_type": mime,
        "media_details": { "width": m.width, "height": m.height, "file": m.original_key, "sizes": sizes },
        "post": null,
        "source_url": format!("{base}{}", url(&m.original_key)),
        "_links": {
            "self": href(format!("{base}/wp-json/wp/v2/media/{}", m.id)),
            "collection": href(format!("{base}/wp-json/wp/v2/media")),
            "about": href(format!("{base}/wp-json/wp/v2/types/attachment")),
        },
    })
}

/// GET /wp/v2/media
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let paging = Paging::read(&q)?;
    let search: String = q
        .get("search")
        .cloned()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let (rows, total) =
        crate::db::rest::public_media(state.db(), &search, None, paging.offset, paging.per_page)
            .await?;
    let site = state.site();
    let base = base(&state);
    // A picture is listed while a live, open article shows it: any article's change can add
    // or take away one.
    shows(
        [Tag::Library, Tag::AnyPost]
            .into_iter()
            .chain(rows.iter().map(|m| Tag::Media(m.id))),
    );
    let items: Vec<Value> = rows.iter().map(|m| shape(&site, &base, m)).collect();
    paging.answer(Value::Array(items), total, "media", &base, &q)
}

/// GET /wp/v2/media/{id}: a public picture, or one the caller may use (their upload, or any for
/// editors).
pub async fn one(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    let (mut found, _) = crate::db::rest::public_media(state.db(), "", Some(id), 0, 1).await?;
    let m = match (found.pop(), caller) {
        (Some(m), None) => {
            shows([Tag::Media(id), Tag::AnyPost]);
            m
        }
        (Some(m), Some(_)) => m,
        (None, Some(actor)) => crate::db::media::get(state.db(), id)
            .await?
            .filter(|m| capability::can_use_media(&actor, m.owner_id))
            .ok_or_else(invalid_id)?,
        (None, None) => return Err(invalid_id()),
    };
    Ok(json_answer(shape(&state.site(), &base(&state), &m), &q))
}

fn invalid_id() -> Rest {
    Rest::new(
        StatusCode::NOT_FOUND,
        "rest_post_invalid_id",
        "Invalid post ID.",
    )
}

/// The file name of `Content-Disposition: attachment; filename="…"` (or `filename*=UTF-8''…`).
fn disposition_file_name(value: &str) -> Option<String> {
    let mut plain = None;
    for part in value.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let v = v.trim_matches('"');
            let encoded = v.split_once("''").map_or(v, |(_, rest)| rest);
            if let Ok(name) = percent_encoding::percent_decode_str(encoded).decode_utf8() {
                return Some(name.into_owned());
            }
        } else if let Some(v) = part.strip_prefix("filename=") {
            plain = Some(v.trim_matches('"').to_string());
        }
    }
    plain.filter(|n| !n.is_empty())
}

/// The file of an upload: a multipart form's `file`, or the raw body named by
/// `Content-Disposition`, as WordPress takes both; and the text fields sent with it.
async fn read_file(
    state: &AppState,
    request: Request,
    max: usize,
) -> Result<(String, Vec<u8>, HashMap<String, String>), Rest> {
    let too_large = || {
        Rest::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "rest_upload_file_too_big",
            format!("Pictures can be at most {} MB.", max / 1_048_576),
        )
    };
    let no_data = || {
        Rest::new(
            StatusCode::BAD_REQUEST,
            "rest_upload_no_data",
            "No data supplied.",
        )
    };
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut fields = HashMap::new();
    if is_multipart {
        let bad = |e: axum::extract::multipart::MultipartError| {
            Rest::new(
                StatusCode::BAD_REQUEST,
                "rest_upload_no_data",
                e.body_text(),
            )
        };
        let mut multipart = Multipart::from_request(request, state).await.map_err(|e| {
            Rest::new(
                StatusCode::BAD_REQUEST,
                "rest_upload_no_data",
                e.body_text(),
            )
        })?;
        let mut file = None;
        while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) if file.is_none() && !file_name.is_empty() => {
                    let mut bytes = Vec::new();
                    while let Some(chunk) = field.chunk().await.map_err(bad)? {
                        if bytes.len() + chunk.len() > max {
                            return Err(too_large());
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    file = Some((file_name, bytes));
                }
                Some(_) => {}
                None => {
                    let value = field.text().await.map_err(bad)?;
                    fields.insert(name, value.chars().take(10_000).collect());
                }
            }
        }
        let (name, bytes) = file.ok_or_else(no_data)?;
        return Ok((name, bytes, fields));
    }
    let name = request
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(disposition_file_name)
        .ok_or_else(|| {
            Rest::new(
                StatusCode::BAD_REQUEST,
                "rest_upload_no_content_disposition",
                "No Content-Disposition supplied.",
            )
        })?;
    let bytes = axum::body::to_bytes(request.into_body(), max)
        .await
        .map_err(|_| too_large())?;
    if bytes.is_empty() {
        return Err(no_data());
    }
    Ok((name, bytes.to_vec(), fields))
}

/// POST /wp/v2/media: upload a picture into the library, processed like any upload.
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<HashMap<String, String>>,
    request: Request,
) -> Answer {
    let cannot = |status| {
        Rest::new(
            status,
            "rest_cannot_create",
            "Sorry, you are not allowed to upload media as this user.",
        )
    };
    let Some(actor) = caller else {
        return Err(cannot(StatusCode::UNAUTHORIZED));
    };
    if !actor.can(Cap::UploadFiles) {
        return Err(cannot(StatusCode::FORBIDDEN));
    }
    let site = state.site();
    let max = site.settings.media_max_mb as usize * 1024 * 1024;
    let (file_name, bytes, mut fields) = read_file(&state, request, max).await?;
    for (k, v) in q {
        fields.entry(k).or_insert(v);
    }
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let upload = Upload {
        bytes,
        file_name,
        text: MediaText {
            title: field("title"),
            alt: field("alt_text"),
            caption: field("caption"),
            credit: String::new(),
        },
    };
    let stored = actions::media::upload(state.db(), state.media(), &site.settings, &actor, upload)
        .await?
        .map_err(|why| Rest::new(StatusCode::BAD_REQUEST, "rest_upload_sideload_error", why))?;
    let item = shape(&site, &base(&state), &stored.media);
    Ok(super::created(&state, item, "media", stored.media.id))
}

/// The picture `id` if the caller may change it, or WordPress's refusal.
async fn changeable(
    state: &AppState,
    caller: Option<&Actor>,
    id: &str,
    code: &'static str,
    message: &'static str,
) -> Result<(Actor, Media), Rest> {
    let Some(actor) = caller else {
        return Err(Rest::new(StatusCode::UNAUTHORIZED, code, message));
    };
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    match actions::media::editable(state.db(), actor, id).await {
        Ok(m) => Ok((actor.clone(), m)),
        Err(Error::NotFound) => Err(invalid_id()),
        Err(Error::Forbidden(_)) => Err(Rest::new(StatusCode::FORBIDDEN, code, message)),
        Err(e) => Err(e.into()),
    }
}

/// POST/PUT/PATCH /wp/v2/media/{id}: change a picture's title, alt text or caption.
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let (actor, m) = changeable(
        &state,
        caller.as_ref(),
        &id,
        "rest_cannot_edit",
        "Sorry, you are not allowed to edit this post.",
    )
    .await?;
    let body = read_body(&headers, &bytes)?;
    let text = MediaText {
        title: super::text(&body, "title").unwrap_or_else(|| m.title.clone()),
        alt: super::text(&body, "alt_text").unwrap_or_else(|| m.alt.clone()),
        caption: super::text(&body, "caption").unwrap_or_else(|| m.caption.clone()),
        credit: m.credit.clone(),
    };
    if let Err(errors) = actions::media::update_text(state.db(), &actor, m.id, &text).await? {
        let (field, why) = errors
            .into_iter()
            .next()
            .unwrap_or(("title", "Invalid.".into()));
        let field = if field == "alt" { "alt_text" } else { field };
        return Err(Rest::invalid_param(field, &why));
    }
    let m = crate::db::media::get(state.db(), m.id)
        .await?
        .ok_or_else(invalid_id)?;
    Ok(json_answer(
        shape(&state.site(), &base(&state), &m),
        &HashMap::new(),
    ))
}

/// DELETE /wp/v2/media/{id}?force=true: pictures have no trash, as in WordPress.
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let (actor, m) = changeable(
        &state,
        caller.as_ref(),
        &id,
        "rest_cannot_delete",
        "Sorry, you are not allowed to delete this post.",
    )
    .await?;
    if !super::forced(&q, &headers, &bytes) {
        return Err(Rest::new(
            StatusCode::NOT_IMPLEMENTED,
            "rest_trash_not_supported",
            "The post does not support trashing. Set 'force' to true to delete.",
        ));
    }
    let previous = shape(&state.site(), &base(&state), &m);
    if let Err(uses) = actions::media::delete(state.db(), state.media(), &actor, m.id, true).await?
    {
        return Err(Rest::new(
            StatusCode::CONFLICT,
            "rest_media_in_use",
            format!(
                "{} article(s) show this picture; an editor can delete it anyway.",
                uses.len()
            ),
        ));
    }
    Ok(super::deleted(previous))
}

#[cfg(test)]
mod tests {
    use super::disposition_file_name;

    #[test]
    fn file_names_come_from_content_disposition() {
        assert_eq!(
            disposition_file_name(r#"attachment; filename="photo 1.jpg""#).as_deref(),
            Some("photo 1.jpg")
        );
        assert_eq!(
            disposition_file_name("attachment; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.png")
                .as_deref(),
            Some("фото.png")
        );
        assert_eq!(disposition_file_name("attachment"), None);
    }
}
