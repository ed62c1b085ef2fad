//! WordPress's URL scheme, both ways: build the path of an article, term, author or date archive,
//! and read a request path back into what it asks for. A migrated site keeps every link.

/// One segment of a permalink structure.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Lit(String),
    Year,
    Month,
    Day,
    Postname,
    PostId,
    Category,
    Author,
}

/// A parsed permalink structure such as `/%year%/%monthnum%/%day%/%postname%/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    segs: Vec<Seg>,
}

/// What an article's URL is made of.
#[derive(Debug, Clone, Default)]
pub struct PostParts<'a> {
    pub id: i64,
    pub slug: &'a str,
    /// Local date of publication (site timezone).
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Slugs of the primary category from the top down.
    pub category: Vec<&'a str>,
    pub author: &'a str,
}

/// What a path matched against the structure says about the article it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostMatch {
    pub slug: Option<String>,
    pub id: Option<i64>,
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl Structure {
    /// Parse a structure; it must name the article by `%postname%` or `%post_id%`.
    pub fn parse(structure: &str) -> Result<Structure, String> {
        let mut segs = Vec::new();
        for part in structure.split('/').filter(|p| !p.is_empty()) {
            segs.push(match part {
                "%year%" => Seg::Year,
                "%monthnum%" => Seg::Month,
                "%day%" => Seg::Day,
                "%postname%" => Seg::Postname,
                "%post_id%" => Seg::PostId,
                "%category%" => Seg::Category,
                "%author%" => Seg::Author,
                other if other.contains('%') => {
                    return Err(format!("unsupported permalink tag in {other:?}"));
                }
                other => Seg::Lit(other.to_lowercase()),
            });
        }
        if !segs
            .iter()
            .any(|s| matches!(s, Seg::Postname | Seg::PostId))
        {
            return Err("a permalink structure needs %postname% or %post_id%".into());
        }
        if segs.iter().filter(|s| **s == Seg::Category).count() > 1 {
            return Err("%category% may appear once".into());
        }
        Ok(Structure { segs })
    }

    /// The site's default: `/%year%/%monthnum%/%day%/%postname%/`.
    pub fn default_structure() -> Structure {
        Structure {
            segs: vec![Seg::Year, Seg::Month, Seg::Day, Seg::Postname],
        }
    }

    /// The path of an article.
    pub fn build(&self, p: &PostParts) -> String {
        let mut out = String::from("/");
        for seg in &self.segs {
            match seg {
                Seg::Lit(s) => out.push_str(s),
                Seg::Year => out.push_str(&format!("{:04}", p.year)),
                Seg::Month => out.push_str(&format!("{:02}", p.month)),
                Seg::Day => out.push_str(&format!("{:02}", p.day)),
                Seg::Postname => out.push_str(p.slug),
                Seg::PostId => out.push_str(&p.id.to_string()),
                Seg::Category => {
                    if p.category.is_empty() {
                        out.push_str("uncategorized");
                    } else {
                        out.push_str(&p.category.join("/"));
                    }
                }
                Seg::Author => out.push_str(p.author),
            }
            out.push('/');
        }
        out
    }

    /// Read the segments of a path as an article URL of this structure.
    pub fn matches(&self, segs: &[String]) -> Option<PostMatch> {
        let cat_at = self.segs.iter().position(|s| *s == Seg::Category);
        // %category% takes one or more segments: whatever the fixed parts around it leave.
        let fixed = self.segs.len() - usize::from(cat_at.is_some());
        let pairs: Vec<(&Seg, &[String])> = match cat_at {
            None if segs.len() == self.segs.len() => self.segs.iter().zip(segs.chunks(1)).collect(),
            Some(i) if segs.len() > fixed => {
                let cat_len = segs.len() - fixed;
                let mut pairs = Vec::new();
                for (j, seg) in self.segs.iter().enumerate() {
                    let range = match j.cmp(&i) {
                        std::cmp::Ordering::Less => j..j + 1,
                        std::cmp::Ordering::Equal => j..j + cat_len,
                        std::cmp::Ordering::Greater => j + cat_len - 1..j + cat_len,
                    };
                    pairs.push((seg, &segs[range]));
                }
                pairs
            }
            _ => return None,
        };
        let mut m = PostMatch::default();
        for (seg, parts) in pairs {
            let first = parts.first()?;
            match seg {
                Seg::Lit(l) if l == first => {}
                Seg::Lit(_) => return None,
                Seg::Year => m.year = Some(number(first, 4)? as i32),
                Seg::Month => m.month = Some(number(first, 2).filter(|n| (1..=12).contains(n))?),
                Seg::Day => m.day = Some(number(first, 2).filter(|n| (1..=31).contains(n))?),
                Seg::Postname => m.slug = Some(first.clone()),
                Seg::PostId => m.id = Some(first.parse().ok()?),
                Seg::Category | Seg::Author => {}
            }
        }
        Some(m)
    }
}

fn number(s: &str, width: usize) -> Option<u32> {
    (s.len() == width && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// What a site path asks for, before any lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    /// `/category/a/b/`: the chain of slugs as written.
    Category(Vec<String>),
    Tag(String),
    Author(String),
    Date {
        year: i32,
        month: Option<u32>,
        day: Option<u32>,
    },
    /// Anything else: an article under the permalink structure, or a static page.
    Single(Vec<String>),
}

/// A parsed request path: the route, its listing page and its comment page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub route: Route,
    pub page: u32,
    pub comment_page: Option<u32>,
}

/// Parse a decoded request path. Segments are lowercased: WordPress finds `/Tag/News/` too and then
/// redirects to the canonical path, which the caller compares against.
pub fn parse_path(path: &str) -> Option<Parsed> {
    let mut segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
        .collect();
    if segs.iter().any(|s| s == "." || s == "..") {
        return None;
    }
    let mut page = 1;
    let mut comment_page = None;
    if segs.len() >= 2 && segs[segs.len() - 2] == "page" {
        page = segs.last()?.parse().ok().filter(|n| *n >= 1)?;
        segs.truncate(segs.len() - 2);
    } else if let Some(n) = segs.last().and_then(|s| s.strip_prefix("comment-page-")) {
        comment_page = Some(n.parse().ok().filter(|n| *n >= 1)?);
        segs.pop();
    }
    let route = match segs.first().map(String::as_str) {
        None => Route::Home,
        Some("category") if segs.len() >= 2 => Route::Category(segs[1..].to_vec()),
        Some("tag") if segs.len() == 2 => Route::Tag(segs[1].clone()),
        Some("author") if segs.len() == 2 => Route::Author(segs[1].clone()),
        Some(first)
            if number(first, 4).is_some()
                && segs.len() <= 3
                && segs[1..].iter().all(|s| number(s, 2).is_some()) =>
        {
            let year = number(first, 4)? as i32;
            let month = segs.get(1).and_then(|s| number(s, 2));
            let day = segs.get(2).and_then(|s| number(s, 2));
            if month.is_some_and(|m| !(1..=12).contains(&m))
                || day.is_some_and(|d| !(1..=31).contains(&d))
            {
                return None;
            }
            Route::Date { year, month, day }
        }
        Some(_) => Route::Single(segs),
    };
    if page > 1 && matches!(route, Route::Single(_)) {
        return None;
    }
    Some(Parsed {
        route,
        page,
        comment_page,
    })
}

/// `/category/parent/child/`.
pub fn category_path(chain: &[&str]) -> String {
    format!("/category/{}/", chain.join("/"))
}

/// `/tag/slug/`.
pub fn tag_path(slug: &str) -> String {
    format!("/tag/{slug}/")
}

/// `/author/slug/`.
pub fn author_path(slug: &str) -> String {
    format!("/author/{slug}/")
}

/// `/2025/`, `/2025/05/` or `/2025/05/16/`.
pub fn date_path(year: i32, month: Option<u32>, day: Option<u32>) -> String {
    match (month, day) {
        (Some(m), Some(d)) => format!("/{year:04}/{m:02}/{d:02}/"),
        (Some(m), None) => format!("/{year:04}/{m:02}/"),
        _ => format!("/{year:04}/"),
    }
}

/// A static page's path.
pub fn page_path(slug: &str) -> String {
    format!("/{slug}/")
}

/// Page `n` of a listing whose first page is `base`.
pub fn paged(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Percent-encode a path for a `Location` header (Unicode slugs stay readable in HTML).
pub fn encode_path(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        p.split('/')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    #[test]
    fn default_structure_builds_and_matches() {
        let s = Structure::parse("/%year%/%monthnum%/%day%/%postname%/").unwrap();
        assert_eq!(s, Structure::default_structure());
        let path = s.build(&PostParts {
            slug: "talks",
            year: 2025,
            month: 5,
            day: 16,
            ..Default::default()
        });
        assert_eq!(path, "/2025/05/16/talks/");
        let m = s.matches(&segs(&path)).unwrap();
        assert_eq!(
            (m.slug.as_deref(), m.year, m.month, m.day),
            (Some("talks"), Some(2025), Some(5), Some(16))
        );
        assert!(s.matches(&segs("/2025/13/16/talks/")).is_none());
        assert!(s.matches(&segs("/about/")).is_none());
    }

    #[test]
    fn category_structure_takes_nested_categories() {
        let s = Structure::parse("/%category%/%postname%/").unwrap();
        let path = s.build(&PostParts {
            slug: "x",
            category: vec!["world", "europe"],
            ..Default::default()
        });
        assert_eq!(path, "/world/europe/x/");
        assert_eq!(s.matches(&segs(&path)).unwrap().slug.as_deref(), Some("x"));
        assert!(s.matches(&segs("/x/")).is_none());
    }

    #[test]
    fn bad_structures_are_refused() {
        assert!(Structure::parse("/%year%/").is_err());
        assert!(Structure::parse("/%postname%/%bogus%/").is_err());
    }

    #[test]
    fn paths_parse_into_routes() {
        let p = |s| parse_path(s).unwrap();
        assert_eq!(p("/").route, Route::Home);
        assert_eq!(p("/page/3/").page, 3);
        assert_eq!(
            p("/category/world/europe/page/2/").route,
            Route::Category(vec!["world".into(), "europe".into()])
        );
        assert_eq!(p("/Tag/News").route, Route::Tag("news".into()));
        assert_eq!(
            p("/2025/05/").route,
            Route::Date {
                year: 2025,
                month: Some(5),
                day: None
            }
        );
        assert_eq!(p("/2025/05/16/talks/comment-page-2/").comment_page, Some(2));
        assert_eq!(p("/about/").route, Route::Single(vec!["about".into()]));
        assert!(parse_path("/page/0/").is_none());
        assert!(parse_path("/2025/13/").is_none());
        assert!(parse_path("/about/page/2/").is_none());
    }

    #[test]
    fn unicode_paths_are_encoded_for_headers() {
        assert_eq!(encode_path("/tag/мир/"), "/tag/%D0%BC%D0%B8%D1%80/");
        assert_eq!(paged("/tag/x/", 2), "/tag/x/page/2/");
        assert_eq!(paged("/", 1), "/");
    }
}
