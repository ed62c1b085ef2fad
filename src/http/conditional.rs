//! Conditional GET for documents machines poll (feeds, sitemaps): an ETag from the body and a
//! Last-Modified, and a 304 without the body when the client already has this version.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

/// Answer `body` as `content_type`, or 304 if the request's validators match it.
pub fn respond(
    headers: &HeaderMap,
    content_type: &'static str,
    body: String,
    last_modified: DateTime<Utc>,
) -> Response {
    let tag = crate::cache::page::digest_of(&[body.as_bytes()]);
    let etag = format!("\"{tag}\"");
    let modified = http_date(last_modified);
    let fresh = unchanged(headers, |t| t == tag, last_modified);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = body.into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&modified) {
        h.insert(header::LAST_MODIFIED, v);
    }
    // Shared caches may keep it but must ask again each time; the validators make that cheap.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    response
}

/// An HTTP date (IMF-fixdate).
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Whether the client already has this version: an If-None-Match naming a tag `is_ours`
/// accepts (quotes and `W/` taken off: RFC 9110's weak comparison) or `*`, or, only without
/// If-None-Match, an If-Modified-Since no older than `modified`.
pub fn unchanged(
    headers: &HeaderMap,
    is_ours: impl Fn(&str) -> bool,
    modified: DateTime<Utc>,
) -> bool {
    match headers.get(header::IF_NONE_MATCH) {
        Some(inm) => inm.to_str().is_ok_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || is_ours(t.trim_start_matches("W/").trim_matches('"'))
            })
        }),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| modified.timestamp() <= since.timestamp()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators_answer_304() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let first = respond(&HeaderMap::new(), "text/xml", "a".into(), t);
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()[header::ETAG].clone();
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, etag);
        assert_eq!(respond(&h, "text/xml", "a".into(), t).status(), 304);
        assert_eq!(respond(&h, "text/xml", "b".into(), t).status(), 200);
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_MODIFIED_SINCE,
            HeaderValue::from_str(&http_date(t)).unwrap(),
        );
        assert_eq!(respond(&h, "text/xml", "a".into(), t).status(), 304);
        let later = t + chrono::Duration::seconds(1);
        assert_eq!(respond(&h, "text/xml", "a".into(), later).status(), 200);
    }
}
