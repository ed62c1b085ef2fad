//! Static files of the theme, generated avatars and robots.txt.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::content::avatar;
use crate::content::picture::Encoding;
use crate::content::site_icon;
use crate::error::{Error, Result};
use crate::media_store;

/// `GET /static/{file}`: fingerprinted files are cached for a year.
pub async fn get_static(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response> {
    let (asset, immutable) = state.theme().asset(&file).ok_or(Error::NotFound)?;
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.body,
    )
        .into_response())
}

/// `GET /avatar/{key}.svg`: an identicon drawn from the key alone, so it is cached for a year.
pub async fn get_avatar(Path(file): Path<String>) -> Result<Response> {
    let key = file
        .strip_suffix(".svg")
        .filter(|k| avatar::is_key(k))
        .ok_or(Error::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        avatar::identicon_svg(key),
    )
        .into_response())
}

/// `GET /media/{hash}.{ext}`: a picture file. Its name is the hash of its bytes, so it never
/// changes: cached for a year, with the hash as a strong ETag.
pub async fn get_media(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(file): Path<String>,
) -> Result<Response> {
    let (hash, ext) = file.split_once('.').ok_or(Error::NotFound)?;
    let encoding = Encoding::from_extension(ext).ok_or(Error::NotFound)?;
    let etag = format!("\"{hash}\"");
    let cache = (
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches && media_store::is_key(&file) {
        return Ok((
            axum::http::StatusCode::NOT_MODIFIED,
            [cache],
            [(header::ETAG, etag)],
        )
            .into_response());
    }
    let bytes = state.media().read(&file).await?.ok_or(Error::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(encoding.mime()),
            ),
            cache,
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        [(header::ETAG, etag)],
        bytes,
    )
        .into_response())
}

/// `GET /favicon.ico`, `/apple-touch-icon.png`, `/icon-192.png`, `/icon-512.png`: the site's
/// icon (the `site_icon` picture, or the default one).
pub async fn get_icon(
    State(state): State<AppState>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> Result<Response> {
    let (size, ico) = match uri.path() {
        "/favicon.ico" => (32, true),
        "/apple-touch-icon.png" | "/apple-touch-icon-precomposed.png" => (180, false),
        "/icon-192.png" => (192, false),
        "/icon-512.png" => (512, false),
        _ => return Err(Error::NotFound),
    };
    let id = state.site().settings.site_icon;
    let source = if id > 0 {
        match crate::db::media::get(state.db(), id).await? {
            Some(m) => state.media().read(&m.original_key).await?,
            None => None,
        }
    } else {
        None
    };
    let bytes = tokio::task::spawn_blocking(move || {
        let icon = source
            .and_then(|b| image::load_from_memory(&b).ok())
            .map(|p| site_icon::from_picture(&p, size))
            .unwrap_or_else(|| site_icon::default_icon(size));
        if ico {
            site_icon::ico(&icon)
        } else {
            site_icon::png(&icon)
        }
    })
    .await
    .map_err(|e| Error::Internal(format!("drawing the site icon: {e}")))?;
    let kind = if ico { "image/x-icon" } else { "image/png" };
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /manifest.webmanifest`: the web app manifest (name and icons).
pub async fn get_manifest(State(state): State<AppState>) -> Response {
    let site = state.site();
    let short: String = site.settings.title.chars().take(12).collect();
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        site_icon::manifest(&site.settings.title, &short),
    )
        .into_response()
}

/// robots.txt: keep crawlers out of the admin and previews, and name the sitemaps (absolute, as
/// the protocol asks, from the site's own address).
pub async fn get_robots(State(state): State<AppState>) -> impl IntoResponse {
    let base = state.site().base_url.clone();
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nDisallow: /admin/\nDisallow: /preview/\nDisallow: /wp-admin/\n\
             Disallow: /wp-comments-post.php\nAllow: /wp-admin/admin-ajax.php\n\n\
             Sitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n"
        ),
    )
}
