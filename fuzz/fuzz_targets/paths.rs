//! Request paths and permalink structures: parsing never panics, and a structure that parses
//! builds paths it parses back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::content::{permalink, slug};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = permalink::parse_path(text);
    let _ = permalink::encode_path(text);
    let s = slug::slugify(text);
    assert!(s.is_empty() || slug::is_slug(&s), "{text:?} -> {s:?}");
    if let Ok(structure) = permalink::Structure::parse(text) {
        let segments: Vec<String> = text
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        let _ = structure.matches(&segments);
    }
    let _ = permalink::paged(text, 3);
});
