//! A request id for every request: the caller's own `X-Request-Id` when it is a sane token (a
//! proxy or load balancer that set one), else a new one; it names the request's log lines and is
//! sent back, so a reader's "it failed" can be found in the log.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

/// The header that carries it both ways.
pub const HEADER: &str = "x-request-id";

/// The request's id: the caller's own when sane, else a new one.
pub fn of(headers: &HeaderMap) -> String {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_string)
        .unwrap_or_else(new_id)
}

/// The span every log line of the request is written in.
pub fn span(id: &str) -> tracing::Span {
    tracing::info_span!("request", request_id = %id)
}

/// Send the id back with the answer.
pub fn answer(response: &mut Response, id: String) {
    if let Ok(value) = HeaderValue::from_maybe_shared(axum::body::Bytes::from(id)) {
        response.headers_mut().insert(HEADER, value);
    }
}

/// Up to 64 letters, digits, `-`, `_`, `.`, `:` or `=`; anything else could forge log lines.
fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'='))
}

fn new_id() -> String {
    hex::encode(rand::random::<u64>().to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_are_taken_from_the_caller() {
        assert!(is_sane("f3a1c2d4-1111-4c2b-9a7e-000000000001"));
        assert!(is_sane("Root=1-67891233-abcdef012345678912345678"));
        assert!(!is_sane(""));
        assert!(!is_sane("two words"));
        assert!(!is_sane("line\nbreak"));
        assert!(!is_sane(&"x".repeat(65)));
        let id = new_id();
        assert_eq!(id.len(), 16);
        assert!(is_sane(&id));
        assert_ne!(id, new_id());
    }
}
