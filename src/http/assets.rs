//! Static files of the theme, generated avatars and robots.txt.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::content::avatar;
use crate::content::picture::Encoding;
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

/// `GET /robots.txt`.
pub async fn get_robots() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nDisallow: /admin/\nDisallow: /preview/\nDisallow: /wp-admin/\nDisallow: /wp-comments-post.php\n",
    )
}
