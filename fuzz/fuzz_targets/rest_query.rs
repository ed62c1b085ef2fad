//! The REST API's query parameters (`page`, `per_page`, `include`, `after`, `order`,
//! `rest_route`…): each read is a value or a clear error.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use newsroom::http::rest;

fuzz_target!(|data: &[u8]| {
    let query: HashMap<String, String> = form_urlencoded::parse(data).into_owned().collect();
    if let Ok(p) = rest::Paging::read(&query) {
        assert!(p.page >= 1 && p.per_page >= 1 && p.offset >= 0, "{p:?}");
    }
    for name in [
        "include",
        "exclude",
        "categories",
        "tags",
        "author",
        "post",
        "parent",
    ] {
        let _ = rest::ids(&query, name);
    }
    for name in ["after", "before", "modified_after"] {
        let _ = rest::date(&query, name);
    }
    let _ = rest::ascending(&query);
    if let Ok(raw) = std::str::from_utf8(data) {
        let _ = rest::rest_route_target("/", Some(raw));
        let _ = rest::rest_route_target(raw, None);
    }
});
