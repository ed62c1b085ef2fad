//! Static files of the theme, generated avatars and robots.txt.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::content::avatar;
use crate::error::{Error, Result};

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

/// `GET /robots.txt`.
pub async fn get_robots() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nDisallow: /admin/\nDisallow: /preview/\nDisallow: /wp-admin/\nDisallow: /wp-comments-post.php\n",
    )
}
