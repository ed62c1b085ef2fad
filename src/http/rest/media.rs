//! `/wp/v2/media`: the pictures published articles show, with their sizes as WordPress's
//! `media_details` (a picture only a draft uses stays private).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Paging, Rest, base, dates, href, json_answer};
use crate::actions::media::url;
use crate::app::AppState;
use crate::content::html_tags;
use crate::db::media::Media;
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
    let items: Vec<Value> = rows.iter().map(|m| shape(&site, &base, m)).collect();
    paging.answer(Value::Array(items), total, "media", &base, &q)
}

/// GET /wp/v2/media/{id}
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let invalid = || {
        Rest::new(
            StatusCode::NOT_FOUND,
            "rest_post_invalid_id",
            "Invalid post ID.",
        )
    };
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let (mut found, _) = crate::db::rest::public_media(state.db(), "", Some(id), 0, 1).await?;
    let m = found.pop().ok_or_else(invalid)?;
    Ok(json_answer(shape(&state.site(), &base(&state), &m), &q))
}

/// POST /wp/v2/media: uploading over the API is not built yet; anonymous callers are refused
/// as WordPress refuses them.
pub async fn create() -> Rest {
    Rest::new(
        StatusCode::UNAUTHORIZED,
        "rest_cannot_create",
        "Sorry, you are not allowed to upload media as this user.",
    )
}
