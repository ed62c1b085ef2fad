//! `/preview/<token>`: a draft shared for review (with a lawyer, a source) without an account,
//! until the link expires. Never indexed, never cached.

use axum::extract::State;

use crate::http::PathParam;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::content::preview_link;
use crate::db::{
    self,
    article::{self as articles, status},
};
use crate::error::{Error, Result};
use crate::http::site::article::render_preview;

/// `GET /preview/{token}`.
pub async fn show_preview(
    State(state): State<AppState>,
    PathParam(token): PathParam<String>,
) -> Result<Response> {
    let site = state.site();
    let id = preview_link::check(&site.settings.secret, &token, db::now()).ok_or_else(|| {
        Error::Forbidden(
            "This review link has expired or is not valid. Ask the newsroom for a new one.".into(),
        )
    })?;
    let a = articles::get(state.db(), id)
        .await?
        .filter(|a| a.status != status::TRASH)
        .ok_or(Error::NotFound)?;
    let html = render_preview(
        &state,
        &site,
        &a,
        None,
        "Shared for review: this is a draft, not published. Please do not pass this link on.",
    )
    .await?;
    let mut r = Html(html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(r)
}
