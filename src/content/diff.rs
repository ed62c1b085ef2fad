//! Line diffs between two texts (revisions, or a refused save and what is stored), grouped into
//! hunks with a little context, as a reviewer reads them.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// `same`, `added`, `removed`, or `gap` (unchanged lines left out).
    pub kind: &'static str,
    pub text: String,
    pub old_no: Option<usize>,
    pub new_no: Option<usize>,
}

/// The changed lines of `old` → `new` with `context` unchanged lines around each change.
pub fn lines(old: &str, new: &str, context: usize) -> Vec<Line> {
    let old = normalize(old);
    let new = normalize(new);
    let diff = TextDiff::from_lines(&old, &new);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(context).iter().enumerate() {
        if i > 0 {
            out.push(Line {
                kind: "gap",
                text: String::new(),
                old_no: None,
                new_no: None,
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                out.push(Line {
                    kind: match change.tag() {
                        ChangeTag::Equal => "same",
                        ChangeTag::Insert => "added",
                        ChangeTag::Delete => "removed",
                    },
                    text: change.value().trim_end_matches('\n').to_string(),
                    old_no: change.old_index().map(|n| n + 1),
                    new_no: change.new_index().map(|n| n + 1),
                });
            }
        }
    }
    out
}

/// Line endings as the browser may send them (CRLF) do not count as changes.
fn normalize(text: &str) -> String {
    let mut t = text.replace("\r\n", "\n");
    if !t.ends_with('\n') {
        t.push('\n');
    }
    t
}

/// How many lines were added and removed.
pub fn counts(lines: &[Line]) -> (usize, usize) {
    (
        lines.iter().filter(|l| l.kind == "added").count(),
        lines.iter().filter(|l| l.kind == "removed").count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_come_with_context_and_gaps() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 3\n", "line three\n")
            .replace("line 18\n", "");
        let d = lines(&old, &new, 1);
        let kinds: Vec<&str> = d.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                "same", "removed", "added", "same", "gap", "same", "removed", "same"
            ]
        );
        assert_eq!(d[1].text, "line 3");
        assert_eq!((d[1].old_no, d[2].new_no), (Some(3), Some(3)));
        assert_eq!(counts(&d), (1, 2));
    }

    #[test]
    fn identical_texts_and_line_endings_give_nothing() {
        assert!(lines("a\r\nb", "a\nb\n", 3).is_empty());
    }
}
