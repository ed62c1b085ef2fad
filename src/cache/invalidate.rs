//! What a run of change-log entries makes stale: the tags they name, or everything (a setting,
//! an import, a category shown in every page's menu, or an entry this version does not know).

use std::collections::BTreeSet;

use crate::cache::deps::Tag;
use crate::db::change::Change;

/// What to drop from the page cache.
#[derive(Debug, PartialEq, Eq)]
pub enum Stale {
    Tags(BTreeSet<Tag>),
    Everything,
}

/// The tags `changes` name. `is_category` says whether a term is (or was) a category: every
/// page's menu shows those.
pub fn stale(changes: &[Change], is_category: impl Fn(i64) -> bool) -> Stale {
    let mut tags = BTreeSet::new();
    for c in changes {
        let id = c.entity_id;
        match (c.entity.as_str(), c.action.as_str()) {
            ("post", _) => {
                tags.extend([Tag::Post(id), Tag::Sitemaps, Tag::AnyPost]);
            }
            // Written beside a comment's own entry, naming its article.
            ("comments", _) => {
                tags.insert(Tag::Post(id));
            }
            ("comment", _) => {
                tags.insert(Tag::Comments);
            }
            ("listing", "term") => {
                tags.insert(Tag::TermPosts(id));
            }
            ("listing", "author") => {
                tags.insert(Tag::AuthorPosts(id));
            }
            ("listing", "post") => {
                tags.insert(Tag::Posts);
            }
            ("listing", "page") => {
                tags.insert(Tag::Pages);
            }
            ("user", _) => {
                tags.extend([Tag::User(id), Tag::People, Tag::Sitemaps]);
            }
            ("term", _) if is_category(id) => return Stale::Everything,
            ("term", _) => {
                tags.extend([Tag::Term(id), Tag::Terms, Tag::TermPosts(id), Tag::Sitemaps]);
            }
            ("media", _) => {
                tags.extend([Tag::Media(id), Tag::Library]);
            }
            _ => return Stale::Everything,
        }
    }
    Stale::Tags(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(entity: &str, entity_id: i64, action: &str) -> Change {
        Change {
            id: 1,
            entity: entity.into(),
            entity_id,
            action: action.into(),
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn entries_name_their_tags() {
        let got = stale(
            &[
                change("post", 4, "update"),
                change("comments", 9, "approved"),
                change("listing", 3, "term"),
                change("listing", 0, "post"),
                change("term", 12, "update"),
                change("media", 5, "update"),
            ],
            |id| id == 2,
        );
        let want: BTreeSet<Tag> = [
            Tag::Post(4),
            Tag::Sitemaps,
            Tag::AnyPost,
            Tag::Post(9),
            Tag::TermPosts(3),
            Tag::Posts,
            Tag::Term(12),
            Tag::Terms,
            Tag::TermPosts(12),
            Tag::Media(5),
            Tag::Library,
        ]
        .into_iter()
        .collect();
        assert_eq!(got, Stale::Tags(want));
    }

    #[test]
    fn settings_categories_and_unknown_entries_drop_everything() {
        assert_eq!(
            stale(&[change("setting", 0, "title")], |_| false),
            Stale::Everything
        );
        assert_eq!(
            stale(&[change("term", 2, "update")], |id| id == 2),
            Stale::Everything
        );
        assert_eq!(
            stale(&[change("gadget", 1, "x")], |_| false),
            Stale::Everything
        );
    }
}
