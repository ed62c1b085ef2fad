//! `POST /wp-login.php?action=postpass`: WordPress's address for the password of a protected
//! post. The cookie holds a proof of the password, then the reader goes back to the article.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::content::post_password::{COOKIE, proof};
use crate::error::{Error, Result};

/// Take a typed post password.
pub async fn post_password(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    form: std::result::Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response> {
    if query.get("action").map(String::as_str) != Some("postpass") {
        return Err(Error::NotFound);
    }
    let Form(form) = form.map_err(|e| Error::BadRequest(e.body_text()))?;
    let typed = form.get("post_password").cloned().unwrap_or_default();
    if typed.chars().count() > 1000 {
        return Err(Error::BadRequest("that password is too long".into()));
    }
    // Only a path of this site: never an open redirect to another.
    let back = form
        .get("redirect_to")
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .cloned()
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=864000; HttpOnly; SameSite=Lax",
        proof(&state.site().settings.secret, &typed)
    );
    let location = crate::content::permalink::encode_path(&back);
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::LOCATION,
                HeaderValue::from_str(&location).map_err(|_| Error::NotFound)?,
            ),
            (
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|_| Error::NotFound)?,
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response())
}
