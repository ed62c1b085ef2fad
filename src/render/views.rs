//! The theme contract: the only data templates see. Built from rows by pure functions here;
//! a commenter's email and IP have no field in any of these structs, so no template can leak them.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use crate::content::figure::{self, Figure};
use crate::content::{dates, permalink, sanitize, text};
use crate::db::article::Article;
use crate::db::comment::Comment;
use crate::db::term::{self, Term};
use crate::db::user::User;
use crate::render::Site;

/// The site header and footer.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    pub tagline: String,
    /// The site's own address, for absolute links (canonical, feeds, OpenGraph).
    pub url: String,
    pub css_url: String,
    pub nav: Vec<LinkView>,
    pub year: i32,
}

impl SiteView {
    /// From the snapshot; `current` is the path being shown, to mark the active section.
    pub fn new(site: &Site, current: &str) -> SiteView {
        let nav = site
            .categories
            .iter()
            .filter(|t| t.parent_id.is_none())
            .map(|t| {
                let url = site.term_path(t);
                LinkView {
                    current: current.starts_with(&url),
                    name: t.name.clone(),
                    url,
                }
            })
            .collect();
        SiteView {
            title: site.settings.title.clone(),
            tagline: site.settings.tagline.clone(),
            url: site.base_url.clone(),
            css_url: site.css_url.clone(),
            nav,
            year: site.local(Utc::now()).year(),
        }
    }
}

/// A named link.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub name: String,
    pub url: String,
    pub current: bool,
}

/// A date for `<time datetime>` and for people.
#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    pub iso: String,
    pub display: String,
}

impl DateView {
    /// In the site's zone.
    pub fn new(site: &Site, at: DateTime<Utc>) -> DateView {
        let local = site.local(at);
        DateView {
            iso: local.to_rfc3339(),
            display: dates::format(&local, &site.settings.date_format),
        }
    }

    /// With the time of day, for comments.
    pub fn with_time(site: &Site, at: DateTime<Utc>) -> DateView {
        let local = site.local(at);
        DateView {
            iso: local.to_rfc3339(),
            display: format!(
                "{} at {}",
                dates::format(&local, &site.settings.date_format),
                dates::format(&local, &site.settings.time_format)
            ),
        }
    }
}

/// An author as shown in a byline and the "About The Author" box.
#[derive(Debug, Clone, Serialize)]
pub struct AuthorView {
    pub name: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: String,
    pub website: String,
}

impl AuthorView {
    /// From a user row (email stays behind).
    pub fn new(site: &Site, u: &User) -> AuthorView {
        AuthorView {
            name: u.display_name.clone(),
            url: permalink::author_path(&u.slug),
            bio: u.bio.clone(),
            avatar_url: site.user_avatar(u),
            website: u.url.clone(),
        }
    }
}

/// A featured image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageView {
    /// The largest JPEG/PNG (or the address given, for a picture from elsewhere).
    pub url: String,
    pub alt: String,
    /// `srcset` of the JPEG/PNG sizes ('' for a picture from elsewhere).
    pub srcset: String,
    /// `srcset` of the WebP sizes ('' for a picture from elsewhere).
    pub webp_srcset: String,
    /// Pixels, for `width`/`height` (0 when unknown).
    pub width: u32,
    pub height: u32,
    pub caption: String,
    pub credit: String,
}

impl ImageView {
    /// A picture of the media library.
    pub fn of(f: &Figure) -> ImageView {
        ImageView {
            url: f.src().to_string(),
            alt: f.alt.clone(),
            srcset: figure::srcset(&f.fallback),
            webp_srcset: figure::srcset(&f.webp),
            width: f.width,
            height: f.height,
            caption: f.caption.clone(),
            credit: f.credit.clone(),
        }
    }
}

/// An article in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub excerpt: String,
    pub date: DateView,
    pub category: Option<LinkView>,
    pub authors: Vec<AuthorView>,
    pub sticky: bool,
    pub comment_count: i64,
    pub image: Option<ImageView>,
}

/// What a listing knows about each of its articles, loaded in batches.
#[derive(Debug, Default)]
pub struct Extras<'a> {
    pub terms: HashMap<i64, Vec<&'a Term>>,
    pub authors: HashMap<i64, Vec<&'a User>>,
    pub comment_counts: HashMap<i64, i64>,
    /// Featured pictures of the library, by media id.
    pub media: HashMap<i64, Figure>,
}

impl Extras<'_> {
    /// The public path of one of these articles (its terms and first byline feed the permalink).
    pub fn path_of(&self, site: &Site, a: &Article) -> String {
        let terms = self.terms.get(&a.id).map(Vec::as_slice).unwrap_or_default();
        let author = self
            .authors
            .get(&a.id)
            .and_then(|u| u.first())
            .map(|u| u.slug.as_str())
            .unwrap_or("");
        site.article_path(a, terms, author)
    }
}

impl CardView {
    /// From an article row and its batch-loaded extras.
    pub fn new(site: &Site, a: &Article, extras: &Extras) -> CardView {
        let terms = extras.terms.get(&a.id).cloned().unwrap_or_default();
        let authors = extras.authors.get(&a.id).cloned().unwrap_or_default();
        CardView {
            id: a.id,
            title: a.title.clone(),
            url: extras.path_of(site, a),
            excerpt: if a.password.is_empty() {
                a.excerpt.clone()
            } else {
                crate::content::post_password::NO_EXCERPT.into()
            },
            date: DateView::new(site, a.published_at.unwrap_or(a.created_at)),
            category: primary_category(site, &terms),
            authors: authors.iter().map(|u| AuthorView::new(site, u)).collect(),
            sticky: a.sticky,
            comment_count: extras.comment_counts.get(&a.id).copied().unwrap_or(0),
            image: image(a, &extras.media),
        }
    }
}

fn primary_category(site: &Site, terms: &[&Term]) -> Option<LinkView> {
    terms
        .iter()
        .filter(|t| t.taxonomy == term::CATEGORY)
        .min_by_key(|t| t.id)
        .map(|t| LinkView {
            name: t.name.clone(),
            url: site.term_path(t),
            current: false,
        })
}

/// The featured picture: one of the library (`media` holds the loaded ones), else an address.
fn image(a: &Article, media: &HashMap<i64, Figure>) -> Option<ImageView> {
    if let Some(f) = a.featured_media_id.and_then(|id| media.get(&id)) {
        return Some(ImageView::of(f));
    }
    (!a.featured_image_url.is_empty()).then(|| ImageView {
        url: a.featured_image_url.clone(),
        alt: a.featured_image_alt.clone(),
        srcset: String::new(),
        webp_srcset: String::new(),
        width: 0,
        height: 0,
        caption: String::new(),
        credit: String::new(),
    })
}

/// A "Source: BBC" credit.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub name: String,
    pub url: String,
}

/// The full article page.
#[derive(Debug, Serialize)]
pub struct ArticleView {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub url: String,
    /// Sanitized by `content` when the article was saved; the one field templates mark safe.
    pub body_html: String,
    pub excerpt: String,
    pub published: DateView,
    pub modified: DateView,
    pub updated: bool,
    pub reading_minutes: u32,
    pub word_count: usize,
    pub categories: Vec<LinkView>,
    pub tags: Vec<LinkView>,
    pub authors: Vec<AuthorView>,
    pub source: Option<SourceView>,
    pub image: Option<ImageView>,
    pub comments_open: bool,
    /// Dated correction notes, oldest first, shown above the body.
    pub corrections: Vec<CorrectionView>,
}

/// A correction note on an article.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionView {
    pub date: DateView,
    pub note: String,
}

impl ArticleView {
    /// From an article row with its terms and bylines.
    pub fn new(
        site: &Site,
        a: &Article,
        (terms, authors): (&[&Term], &[&User]),
        media: &HashMap<i64, Figure>,
        comments_open: bool,
    ) -> ArticleView {
        let author_slug = authors.first().map(|u| u.slug.as_str()).unwrap_or("");
        let links = |taxonomy: &str| {
            terms
                .iter()
                .filter(|t| t.taxonomy == taxonomy)
                .map(|t| LinkView {
                    name: t.name.clone(),
                    url: site.term_path(t),
                    current: false,
                })
                .collect()
        };
        let published_at = a.published_at.unwrap_or(a.created_at);
        let words = text::word_count(&a.body_html);
        ArticleView {
            id: a.id,
            kind: a.kind.clone(),
            title: a.title.clone(),
            url: site.article_path(a, terms, author_slug),
            body_html: a.body_html.clone(),
            excerpt: if a.password.is_empty() {
                a.excerpt.clone()
            } else {
                crate::content::post_password::NO_EXCERPT.into()
            },
            published: DateView::new(site, published_at),
            modified: DateView::new(site, a.modified_at),
            updated: a.modified_at.date_naive() > published_at.date_naive(),
            reading_minutes: text::minutes_for(words),
            word_count: words,
            categories: links(term::CATEGORY),
            tags: links(term::TAG),
            authors: authors.iter().map(|u| AuthorView::new(site, u)).collect(),
            source: (!a.source_name.is_empty()).then(|| SourceView {
                name: a.source_name.clone(),
                url: a.source_url.clone(),
            }),
            image: image(a, media),
            comments_open,
            corrections: Vec::new(),
        }
    }
}

/// A comment as the public sees it: no email, no IP.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: i64,
    pub author: String,
    pub author_url: String,
    pub avatar_url: String,
    pub date: DateView,
    /// Sanitized here from the stored text: the allowed subset, links `nofollow ugc`.
    pub content_html: String,
    pub depth: u32,
    pub can_reply: bool,
    /// Held for moderation; only ever built for the commenter who wrote it.
    pub pending: bool,
    pub children: Vec<CommentView>,
}

impl CommentView {
    fn new(site: &Site, c: &Comment, depth: u32, max_depth: u32, can_reply: bool) -> CommentView {
        CommentView {
            id: c.id,
            author: c.author_name.clone(),
            author_url: safe_url(&c.author_url),
            avatar_url: site.commenter_avatar(&c.author_email, &c.author_name),
            date: DateView::with_time(site, c.created_at),
            content_html: sanitize::comment_html(&c.content),
            depth,
            // Replies go to published comments only, so a held one offers no reply link.
            can_reply: can_reply
                && depth < max_depth
                && c.status == crate::db::comment::status::APPROVED,
            pending: c.status != crate::db::comment::status::APPROVED,
            children: Vec::new(),
        }
    }
}

/// Only http(s) URLs become links.
fn safe_url(url: &str) -> String {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        url.trim().to_string()
    } else {
        String::new()
    }
}

/// Arrange comments (oldest first) into threads no deeper than `max_depth`; replies whose parent
/// is missing (deleted, or not shown) go to the top level, deeper replies join their deepest allowed ancestor.
pub fn thread(
    site: &Site,
    comments: &[Comment],
    max_depth: u32,
    can_reply: bool,
) -> Vec<CommentView> {
    let ids: HashMap<i64, &Comment> = comments.iter().map(|c| (c.id, c)).collect();
    let mut children: HashMap<Option<i64>, Vec<&Comment>> = HashMap::new();
    for c in comments {
        let parent = c.parent_id.filter(|p| ids.contains_key(p) && *p != c.id);
        children.entry(parent).or_default().push(c);
    }
    let mut threader = Threader {
        site,
        max_depth: max_depth.max(1),
        can_reply,
        children,
        seen: std::collections::HashSet::new(),
    };
    let mut out = Vec::new();
    threader.build(None, 1, &mut out);
    out
}

/// The comment page (1-based, `per_page` threads a page, oldest first as `thread` lays them out)
/// that shows comment `id`, found through its thread's top comment.
pub fn page_of(comments: &[Comment], id: i64, per_page: u32) -> u32 {
    let by_id: HashMap<i64, &Comment> = comments.iter().map(|c| (c.id, c)).collect();
    let is_top = |c: &Comment| {
        c.parent_id
            .is_none_or(|p| p == c.id || !by_id.contains_key(&p))
    };
    let mut root = id;
    for _ in 0..comments.len() {
        match by_id.get(&root) {
            Some(c) if !is_top(c) => root = c.parent_id.unwrap_or(root),
            _ => break,
        }
    }
    let mut tops: Vec<&Comment> = comments.iter().filter(|c| is_top(c)).collect();
    tops.sort_by_key(|c| (c.created_at, c.id));
    let index = tops.iter().position(|c| c.id == root).unwrap_or(0);
    (index / per_page.max(1) as usize) as u32 + 1
}

/// Walks the parent → replies map once, each comment at most once (bad data may hold cycles).
struct Threader<'a> {
    site: &'a Site,
    max_depth: u32,
    can_reply: bool,
    children: HashMap<Option<i64>, Vec<&'a Comment>>,
    seen: std::collections::HashSet<i64>,
}

impl Threader<'_> {
    fn build(&mut self, parent: Option<i64>, depth: u32, out: &mut Vec<CommentView>) {
        let replies = self.children.get(&parent).cloned().unwrap_or_default();
        for c in replies {
            if !self.seen.insert(c.id) {
                continue;
            }
            let mut view = CommentView::new(self.site, c, depth, self.max_depth, self.can_reply);
            if depth < self.max_depth {
                self.build(Some(c.id), depth + 1, &mut view.children);
                out.push(view);
            } else {
                // At the deepest level replies are shown as siblings, as WordPress flattens them.
                out.push(view);
                self.build(Some(c.id), depth, out);
            }
        }
    }
}

/// Newer / older links of a listing.
#[derive(Debug, Clone, Serialize)]
pub struct PaginationView {
    pub page: u32,
    pub newer_url: Option<String>,
    pub older_url: Option<String>,
}

impl PaginationView {
    /// For page `page` of a listing at `base`, knowing whether more items follow.
    pub fn new(base: &str, page: u32, has_more: bool) -> PaginationView {
        PaginationView {
            page,
            newer_url: (page > 1).then(|| permalink::paged(base, page - 1)),
            older_url: has_more.then(|| permalink::paged(base, page + 1)),
        }
    }
}

/// The "Leave a Reply" form, with what the reader typed and what was wrong with it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommentFormView {
    pub action: String,
    pub post_id: i64,
    /// 0 for a top-level comment, as WordPress sends it.
    pub parent_id: i64,
    pub author: String,
    pub email: String,
    pub url: String,
    pub comment: String,
    pub remember: bool,
    /// Field name → message.
    pub errors: HashMap<String, String>,
    /// A message about the whole form.
    pub error: Option<String>,
    /// Signed render time and article id; checked when the form comes back.
    pub token: String,
    /// Name of the field people never see and bots fill in.
    pub honeypot: String,
    pub open: bool,
    pub closed_reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::setting::Settings;

    fn comment(id: i64, parent: Option<i64>) -> Comment {
        Comment {
            id,
            post_id: 1,
            parent_id: parent,
            user_id: None,
            author_name: format!("c{id}"),
            author_email: "secret@example.com".into(),
            author_url: "javascript:alert(1)".into(),
            author_ip: "10.0.0.1".into(),
            user_agent: String::new(),
            content: "hi".into(),
            status: "approved".into(),
            reason: String::new(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn threads_nest_and_stop_at_max_depth() {
        let site = Site::new(Settings::default(), Vec::new(), "/s.css".into());
        let cs = vec![
            comment(1, None),
            comment(2, Some(1)),
            comment(3, Some(2)),
            comment(4, Some(99)),
        ];
        let t = thread(&site, &cs, 2, true);
        assert_eq!(t.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 4]);
        assert_eq!(
            t[0].children.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert!(!t[0].children[0].can_reply && t[0].can_reply);
        assert_eq!(t[0].author_url, "", "only http(s) URLs become links");
        let json = serde_json::to_string(&t).unwrap();
        assert!(!json.contains("secret@example.com") && !json.contains("10.0.0.1"));
    }

    #[test]
    fn a_comment_is_on_its_threads_page() {
        let mut cs: Vec<Comment> = (1..=5).map(|i| comment(i, None)).collect();
        cs.push(comment(6, Some(5)));
        cs.push(comment(7, Some(6)));
        for (i, c) in cs.iter_mut().enumerate() {
            c.created_at = chrono::DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap();
        }
        assert_eq!(page_of(&cs, 1, 2), 1);
        assert_eq!(page_of(&cs, 4, 2), 2);
        assert_eq!(page_of(&cs, 7, 2), 3, "a reply is on its thread's page");
        assert_eq!(page_of(&cs, 7, 50), 1);
    }

    #[test]
    fn pagination_links() {
        let p = PaginationView::new("/tag/x/", 2, true);
        assert_eq!(p.newer_url.as_deref(), Some("/tag/x/"));
        assert_eq!(p.older_url.as_deref(), Some("/tag/x/page/3/"));
        assert!(PaginationView::new("/", 1, false).older_url.is_none());
    }
}
