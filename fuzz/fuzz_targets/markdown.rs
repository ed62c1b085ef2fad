//! Article bodies (Markdown or HTML) and comments through the renderer and the sanitizers: no
//! panic, and nothing that runs script comes out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom::content::markdown::{self, Format};
use newsroom::content::sanitize;

/// The attributes of one tag's text (`a href="x" title='y'`): (name, value) pairs.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = tag.chars().peekable();
    // Skip the element's name.
    while chars
        .next_if(|c| !c.is_ascii_whitespace() && *c != '/')
        .is_some()
    {}
    loop {
        while chars
            .next_if(|c| c.is_ascii_whitespace() || *c == '/')
            .is_some()
        {}
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_ascii_whitespace() && *c != '=' && *c != '/') {
            name.push(c);
        }
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(quote) => {
                    for c in chars.by_ref() {
                        if c == quote {
                            break;
                        }
                        value.push(c);
                    }
                }
                None => {
                    while let Some(c) = chars.next_if(|c| !c.is_ascii_whitespace()) {
                        value.push(c);
                    }
                }
            }
        }
        out.push((name.to_ascii_lowercase(), value.to_ascii_lowercase()));
    }
    out
}

/// In sanitized HTML a `<` always opens a tag (text has `&lt;`): no tag may be a script, carry an
/// event handler or point at a `javascript:` URL.
fn assert_no_script(html: &str, input: &str) {
    for tag in html
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest))
    {
        assert!(
            !tag.to_ascii_lowercase().starts_with("script"),
            "script survived: {input:?} -> {html:?}"
        );
        for (name, value) in attributes(tag) {
            assert!(
                !name.starts_with("on"),
                "event handler survived: {input:?} -> {html:?}"
            );
            let squeezed: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                !squeezed.contains("javascript:") && !squeezed.contains("javascript&"),
                "javascript: URL survived: {input:?} -> {html:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Markdown, Format::Html] {
        let html = markdown::render(text, format);
        assert_no_script(&html, text);
        let _ = markdown::media_ids(text, format);
        let _ = markdown::media_alts(text, format);
    }
    assert_no_script(&sanitize::article_html(text), text);
    assert_no_script(&sanitize::comment_html(text), text);
    // Plain text is text (entities decoded, so `&#60;` is a `<`): escaped wherever it is shown,
    // and harmless through the comment sanitizer too.
    let plain = sanitize::plain_text(text);
    assert_no_script(&sanitize::comment_html(&plain), text);
});
