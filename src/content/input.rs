//! The one gate for text that arrives from outside (paths, query values, form fields, JSON):
//! control characters are refused before any store sees them. PostgreSQL cannot store NUL at all
//! and SQLite would store it as is, so both backends answer the same only if nothing passes here.

/// What kind of text a value is: one line (names, titles, slugs, queries) or long text (bodies,
/// comments, bios), where tab and line breaks belong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Long,
}

/// Whether `c` is refused in text of this kind: C0 controls (NUL…US), DEL and C1 controls; long
/// text keeps tab, line feed and carriage return, one-line text keeps tab only (browsers and
/// spreadsheets paste it).
pub fn is_refused(c: char, kind: Kind) -> bool {
    match c {
        '\t' => false,
        '\n' | '\r' => kind == Kind::Line,
        c => c.is_control(),
    }
}

/// The first refused character of `value`, if any.
pub fn first_refused(value: &str, kind: Kind) -> Option<char> {
    value.chars().find(|c| is_refused(*c, kind))
}

/// The message shown beside a field holding a refused character.
pub fn message(c: char) -> String {
    format!(
        "This contains a control character (U+{:04X}) that cannot be stored. Please remove it.",
        c as u32
    )
}

/// Check one value; Err carries the message for the field.
pub fn check(value: &str, kind: Kind) -> Result<(), String> {
    match first_refused(value, kind) {
        Some(c) => Err(message(c)),
        None => Ok(()),
    }
}

/// `value` made safe to show back to the person who sent it: refused characters become U+FFFD,
/// so their text is kept and the bad spot is visible.
pub fn shown(value: &str, kind: Kind) -> String {
    value
        .chars()
        .map(|c| if is_refused(c, kind) { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused_everywhere() {
        for bad in ["a\0b", "\u{1}", "x\u{7f}", "\u{85}", "\u{1b}[31m", "\u{b}"] {
            assert!(check(bad, Kind::Long).is_err(), "{bad:?}");
            assert!(check(bad, Kind::Line).is_err(), "{bad:?}");
        }
        assert!(message('\0').contains("U+0000"));
    }

    #[test]
    fn long_text_keeps_tabs_and_line_breaks() {
        assert!(check("one\r\ntwo\tthree\n", Kind::Long).is_ok());
        assert!(check("tab\tin a line", Kind::Line).is_ok());
        assert!(check("no\nbreaks", Kind::Line).is_err());
        assert!(check("Ганна — “quotes” 🙂", Kind::Line).is_ok());
    }

    #[test]
    fn refused_characters_are_shown_as_replacement_characters() {
        assert_eq!(shown("a\0b\nc", Kind::Long), "a\u{FFFD}b\nc");
        assert_eq!(shown("a\nb", Kind::Line), "a\u{FFFD}b");
    }
}
