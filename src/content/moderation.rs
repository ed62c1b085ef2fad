//! The text tests behind comment moderation, as WordPress's `check_comment` and disallowed keys do them.

/// How many links a comment holds (each `//` after an optional `http:`/`https:`, as WordPress counts).
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("href=\"//").count()
        + lower.matches("href='//").count()
}

/// The first key (one per line of `keys`) found, case-insensitively, in any of `fields`.
pub fn find_key<'a>(keys: &'a str, fields: &[&str]) -> Option<&'a str> {
    let fields: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    keys.lines()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .find(|key| {
            let key = key.to_lowercase();
            fields.iter().any(|f| f.contains(&key))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_counted_like_wordpress() {
        assert_eq!(count_links("see https://a.example and http://b.example"), 2);
        assert_eq!(count_links("<a href=\"//c.example\">c</a> no link here"), 1);
        assert_eq!(count_links("plain text"), 0);
    }

    #[test]
    fn keys_match_any_field_ignoring_case_and_blank_lines() {
        let keys = "\n  casino \n10.0.0.9\n";
        assert_eq!(
            find_key(keys, &["Win at the CASINO", "a@b.c"]),
            Some("casino")
        );
        assert_eq!(find_key(keys, &["hello", "10.0.0.9"]), Some("10.0.0.9"));
        assert_eq!(find_key(keys, &["hello"]), None);
        assert_eq!(find_key("", &["anything"]), None);
    }
}
