//! The request gate: every path and query string is checked for control characters before any
//! handler (and so any store) sees it. A path holding one names nothing (404); a query value
//! holding one is a bad request (400). Form fields pass the same check in `content::input`.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::content::input::{self, Kind};
use crate::error::Error;

/// Refuse paths and query values with control characters (NUL, escapes, DEL…).
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if input::first_refused(&path, Kind::Line).is_some() {
        return Error::NotFound.into_response();
    }
    if let Some(query) = uri.query()
        && form_urlencoded::parse(query.as_bytes()).any(|(k, v)| {
            input::first_refused(&k, Kind::Long).is_some()
                || input::first_refused(&v, Kind::Long).is_some()
        })
    {
        return Error::BadRequest(
            "This address has a control character in its query string, so it names nothing here."
                .into(),
        )
        .into_response();
    }
    next.run(request).await
}
