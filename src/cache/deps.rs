//! What a page was built from: the pages note the things they show (`note`) while they are
//! built, and the page cache keeps the list beside the finished answer, so a change of any of
//! them drops exactly that answer.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt;

/// One thing a page can show; a change-log entry names the same things (`invalidate::tags_of`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    /// An article or page: its fields, terms, bylines and comments.
    Post(i64),
    /// A category or tag: its name, slug, description.
    Term(i64),
    /// A person: name, bio, links.
    User(i64),
    /// A picture of the library.
    Media(i64),
    /// Which live articles there are and in what order (home, date archives, the site's feeds).
    Posts,
    /// Which static pages there are.
    Pages,
    /// Which live articles a term's archive holds.
    TermPosts(i64),
    /// Which live articles an author's archive holds.
    AuthorPosts(i64),
    /// The list of people (search filters) and of terms (sitemaps).
    People,
    /// Any term at all (the sitemaps' lists of categories and tags).
    Terms,
    /// The site's approved comments (the comments feed).
    Comments,
    /// What the search index answers (it changes when the index commits).
    Search,
    /// What the sitemaps list, with their dates (any article, term or person).
    Sitemaps,
    /// Any article or page at all: lists filtered or ordered by every article's fields (the
    /// REST API's lists by words, slug or edit time, its comments, people, terms and pictures).
    AnyPost,
    /// Any picture of the library (the REST API's lists of pictures).
    Library,
    /// Only the site's settings, which no entry names but every setting drops (the REST API's
    /// index, types and taxonomies).
    Site,
}

impl fmt::Display for Tag {
    /// The name a CDN purges by (`Cache-Tag`, `Surrogate-Key`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::Post(id) => write!(f, "post-{id}"),
            Tag::Term(id) => write!(f, "term-{id}"),
            Tag::User(id) => write!(f, "user-{id}"),
            Tag::Media(id) => write!(f, "media-{id}"),
            Tag::Posts => f.write_str("posts"),
            Tag::Pages => f.write_str("pages"),
            Tag::TermPosts(id) => write!(f, "term-posts-{id}"),
            Tag::AuthorPosts(id) => write!(f, "author-posts-{id}"),
            Tag::People => f.write_str("people"),
            Tag::Terms => f.write_str("terms"),
            Tag::Comments => f.write_str("comments"),
            Tag::Search => f.write_str("search"),
            Tag::Sitemaps => f.write_str("sitemaps"),
            Tag::AnyPost => f.write_str("any-post"),
            Tag::Library => f.write_str("library"),
            Tag::Site => f.write_str("site"),
        }
    }
}

/// What one page noted while it was built.
#[derive(Debug, Default)]
pub struct Deps {
    pub tags: BTreeSet<Tag>,
    /// The page may be kept at most this many seconds (a window of time such as "the last 48
    /// hours"), on top of its tags.
    pub max_age: Option<u64>,
    /// The page must not be kept at all.
    pub uncacheable: bool,
    /// The answer said it noted everything it shows. The REST API's answers must say so to be
    /// kept: its handlers share code that notes only part of what they show (the articles of a
    /// list, not which articles the list holds).
    pub complete: bool,
}

tokio::task_local! {
    static RECORDING: RefCell<Deps>;
}

/// Run `fut` (a page being built) and return what it noted.
pub async fn record<F: std::future::Future>(fut: F) -> (F::Output, Deps) {
    RECORDING
        .scope(RefCell::new(Deps::default()), async move {
            let out = fut.await;
            let deps = RECORDING.with(|d| std::mem::take(&mut *d.borrow_mut()));
            (out, deps)
        })
        .await
}

/// Run `fut` without its notes reaching the page being built: for loading more than the page
/// shows (the bylines and pictures of articles whose addresses are all it uses).
pub async fn unnoted<F: std::future::Future>(fut: F) -> F::Output {
    record(fut).await.0
}

fn with(f: impl FnOnce(&mut Deps)) {
    // Outside a recording (the admin, the CLI, tests) there is nothing to note.
    let _ = RECORDING.try_with(|d| f(&mut d.borrow_mut()));
}

/// The page being built shows `tag`.
pub fn note(tag: Tag) {
    with(|d| {
        d.tags.insert(tag);
    });
}

/// The page being built shows all of these.
pub fn note_all(tags: impl IntoIterator<Item = Tag>) {
    with(|d| d.tags.extend(tags));
}

/// The page being built goes stale by itself after `seconds`.
pub fn expires_in(seconds: u64) {
    with(|d| d.max_age = Some(d.max_age.map_or(seconds, |s| s.min(seconds))));
}

/// The page being built must not be kept (it depends on something no change-log entry names).
pub fn uncacheable() {
    with(|d| d.uncacheable = true);
}

/// The answer being built has noted everything it shows (required of REST answers).
pub fn complete() {
    with(|d| d.complete = true);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn notes_are_kept_per_page_and_ignored_outside_one() {
        note(Tag::Posts);
        let ((), deps) = record(async {
            note(Tag::Post(7));
            note_all([Tag::Term(2), Tag::Post(7)]);
            expires_in(60);
            expires_in(30);
        })
        .await;
        assert_eq!(
            deps.tags.into_iter().collect::<Vec<_>>(),
            vec![Tag::Post(7), Tag::Term(2)]
        );
        assert_eq!(deps.max_age, Some(30));
        assert!(!deps.uncacheable);
        assert_eq!(Tag::TermPosts(3).to_string(), "term-posts-3");
    }
}
