//! Comment-form tokens, signed values and visitors' cookies as a browser (or an attacker) sends
//! them: never a panic, and nothing unsigned is believed.
#![no_main]

use std::collections::HashMap;

use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use newsroom::content::{form_token, post_password, signing};
use newsroom::http::visitor::Visitor;

const SECRET: &str = "fuzzing-secret-0123456789abcdef";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = chrono::Utc::now();
    // Nothing the fuzzer makes is signed with the secret: no token passes, no password proof.
    assert!(
        form_token::check(SECRET, text, 1, now, 0).is_err(),
        "{text:?}"
    );
    let _ = form_token::post_of(SECRET, text);
    let _ = signing::verify(SECRET, "held", text);
    assert!(
        !post_password::unlocks(SECRET, "pw", Some(text)),
        "{text:?}"
    );
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(text) {
        headers.insert(header::COOKIE, v);
    }
    let query: HashMap<String, String> = form_urlencoded::parse(data).into_owned().collect();
    let visitor = Visitor::read(&headers, &query, SECRET, now);
    let _ = visitor.is_personal();
    let _ = Visitor::has_personal_cookie(&headers);
});
