//! Sitemaps: `/sitemap.xml` (also WordPress's `/wp-sitemap.xml` and Yoast's `/sitemap_index.xml`)
//! indexes one sitemap per month of articles (split past `PER_FILE`), pages, categories, tags and
//! authors; `/news-sitemap.xml` lists the last two days for Google News. Live content only.

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::app::AppState;
use crate::content::permalink;
use crate::db::article::Article;
use crate::db::{self, Window, change, sitemap as rows, term, user};
use crate::error::{Error, Result};
use crate::http::conditional;
use crate::http::site::gather::Related;
use crate::render::Site;
use crate::render::sitemap::{self, NewsUrl, Url};

/// Articles in one sitemap file; a busier month is split into several.
const PER_FILE: i64 = 10_000;

/// Articles are looked up in chunks this size (bind-parameter limits).
const CHUNK: usize = 1_000;

const XML: &str = "application/xml; charset=utf-8";

/// Whether a path is one of the sitemaps'.
pub fn is_sitemap(path: &str) -> bool {
    matches!(
        path,
        "/sitemap.xml" | "/wp-sitemap.xml" | "/sitemap_index.xml" | "/news-sitemap.xml"
    ) || (path.starts_with("/sitemap-") && path.ends_with(".xml"))
}

/// Answer a sitemap path (see `is_sitemap`).
pub async fn show(state: &AppState, path: &str, headers: &HeaderMap) -> Result<Response> {
    use crate::cache::deps::{self, Tag};
    deps::note_all([
        Tag::Sitemaps,
        Tag::Posts,
        Tag::Pages,
        Tag::Terms,
        Tag::People,
    ]);
    if path == "/news-sitemap.xml" {
        // Articles leave its 48-hour window as the clock moves.
        deps::expires_in(60);
    }
    // Made once per change of the site: the index reads every month's newest change. The news
    // sitemap moves with the clock (48 hours) and reads one index range: always made afresh.
    let (stamp, last_modified) = change::latest(state.db())
        .await?
        .unwrap_or((0, DateTime::<Utc>::UNIX_EPOCH));
    let kept = if path == "/news-sitemap.xml" {
        None
    } else {
        state.memo().get(path, stamp)
    };
    let body = match kept {
        Some(body) => body,
        None => {
            let body = std::sync::Arc::new(make(state, path).await?);
            state.memo().put(path, stamp, body.clone());
            body
        }
    };
    Ok(conditional::respond(
        headers,
        XML,
        body.as_str().to_owned(),
        last_modified,
    ))
}

async fn make(state: &AppState, path: &str) -> Result<String> {
    let site = state.site();
    Ok(match path {
        "/sitemap.xml" | "/wp-sitemap.xml" | "/sitemap_index.xml" => index(state, &site).await?,
        "/news-sitemap.xml" => news(state, &site).await?,
        "/sitemap-pages.xml" => pages(state, &site).await?,
        "/sitemap-categories.xml" => terms(state, &site, term::CATEGORY).await?,
        "/sitemap-tags.xml" => terms(state, &site, term::TAG).await?,
        "/sitemap-authors.xml" => authors(state, &site).await?,
        other => {
            let name = other
                .strip_prefix("/sitemap-posts-")
                .and_then(|r| r.strip_suffix(".xml"))
                .ok_or(Error::NotFound)?;
            month(state, &site, name).await?
        }
    })
}

async fn index(state: &AppState, site: &Site) -> Result<String> {
    let base = &site.base_url;
    let db = state.db();
    let mut entries = Vec::new();
    let pages = rows::pages(db).await?;
    entries.push((
        format!("{base}/sitemap-pages.xml"),
        pages.iter().map(|p| p.modified_at).max(),
    ));
    for m in rows::months(db).await? {
        let files = (m.articles + PER_FILE - 1) / PER_FILE;
        for n in 1..=files.max(1) {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            entries.push((
                format!(
                    "{base}/sitemap-posts-{:04}-{:02}{suffix}.xml",
                    m.year, m.month
                ),
                Some(m.lastmod),
            ));
        }
    }
    let live_terms = rows::live_terms(db).await?;
    let tag_ids: std::collections::HashSet<i64> = term::all(db, term::TAG)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let newest = |tags: bool| {
        live_terms
            .iter()
            .filter(|(id, _)| tag_ids.contains(id) == tags)
            .map(|(_, at)| *at)
            .max()
    };
    if let Some(at) = newest(false) {
        entries.push((format!("{base}/sitemap-categories.xml"), Some(at)));
    }
    if let Some(at) = newest(true) {
        entries.push((format!("{base}/sitemap-tags.xml"), Some(at)));
    }
    if let Some(at) = rows::live_authors(db)
        .await?
        .iter()
        .map(|(_, at)| *at)
        .max()
    {
        entries.push((format!("{base}/sitemap-authors.xml"), Some(at)));
    }
    Ok(sitemap::index(&entries))
}

/// `2025-05` or `2025-05-2` (the second file of a busy month).
fn parse_month(name: &str) -> Option<(i32, u32, i64)> {
    let mut parts = name.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month_part = parts.next()?;
    let month: u32 = month_part.parse().ok()?;
    let file: i64 = match parts.next() {
        None => 1,
        Some(n) => n.parse().ok().filter(|n| *n >= 2)?,
    };
    if parts.next().is_some() || month_part.len() != 2 || !(1..=12).contains(&month) {
        return None;
    }
    Some((year, month, file))
}

async fn month(state: &AppState, site: &Site, name: &str) -> Result<String> {
    let (year, month, file) = parse_month(name).ok_or(Error::NotFound)?;
    let from = Utc
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .ok_or(Error::NotFound)?;
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let to = Utc
        .with_ymd_and_hms(ny, nm, 1, 0, 0, 0)
        .single()
        .ok_or(Error::NotFound)?;
    let window = Window {
        offset: (file - 1) * PER_FILE,
        limit: PER_FILE,
    };
    let list = crate::db::article::between(state.db(), from, to, window).await?;
    if list.is_empty() {
        return Err(Error::NotFound);
    }
    Ok(sitemap::urlset(&article_urls(state, site, &list).await?))
}

/// Sitemap entries of articles: their address, last change and pictures.
async fn article_urls(state: &AppState, site: &Site, list: &[Article]) -> Result<Vec<Url>> {
    let base = &site.base_url;
    let mut urls = Vec::with_capacity(list.len());
    for chunk in list.chunks(CHUNK) {
        let related = Related::load(state, chunk).await?;
        let extras = related.extras();
        for a in chunk {
            let mut images = Vec::new();
            if let Some(f) = a.featured_media_id.and_then(|id| extras.media.get(&id)) {
                images.push(site.absolute(f.src()));
            } else if !a.featured_image_url.is_empty() {
                images.push(site.absolute(&a.featured_image_url));
            }
            urls.push(Url {
                loc: format!("{base}{}", extras.path_of(site, a)),
                lastmod: Some(a.modified_at),
                images,
            });
        }
    }
    Ok(urls)
}

async fn pages(state: &AppState, site: &Site) -> Result<String> {
    let db = state.db();
    let newest = crate::db::article::newest(db, 1).await?;
    let mut urls = vec![Url {
        loc: format!("{}/", site.base_url),
        lastmod: newest.first().map(|a| a.modified_at),
        images: Vec::new(),
    }];
    urls.extend(article_urls(state, site, &rows::pages(db).await?).await?);
    Ok(sitemap::urlset(&urls))
}

async fn terms(state: &AppState, site: &Site, taxonomy: &str) -> Result<String> {
    let db = state.db();
    let live: std::collections::HashMap<i64, DateTime<Utc>> =
        rows::live_terms(db).await?.into_iter().collect();
    let all = if taxonomy == term::CATEGORY {
        site.categories.clone()
    } else {
        term::all(db, taxonomy).await?
    };
    let urls: Vec<Url> = all
        .iter()
        .filter_map(|t| {
            let at = live.get(&t.id)?;
            Some(Url {
                loc: format!("{}{}", site.base_url, site.term_path(t)),
                lastmod: Some(*at),
                images: Vec::new(),
            })
        })
        .collect();
    Ok(sitemap::urlset(&urls))
}

async fn authors(state: &AppState, site: &Site) -> Result<String> {
    let db = state.db();
    let mut urls = Vec::new();
    for (id, at) in rows::live_authors(db).await? {
        if let Some(u) = user::get(db, id).await? {
            urls.push(Url {
                loc: format!("{}{}", site.base_url, permalink::author_path(&u.slug)),
                lastmod: Some(at),
                images: Vec::new(),
            });
        }
    }
    Ok(sitemap::urlset(&urls))
}

/// Google News: articles published in the last 48 hours, newest first, at most 1,000.
async fn news(state: &AppState, site: &Site) -> Result<String> {
    let now = db::now();
    let list = crate::db::article::between(
        state.db(),
        now - Duration::hours(48),
        now + Duration::seconds(1),
        Window {
            offset: 0,
            limit: 1000,
        },
    )
    .await?;
    let mut urls = Vec::with_capacity(list.len());
    for chunk in list.chunks(CHUNK) {
        let related = Related::load(state, chunk).await?;
        let extras = related.extras();
        for a in chunk {
            let keywords = extras
                .terms
                .get(&a.id)
                .map(|ts| {
                    ts.iter()
                        .filter(|t| t.taxonomy == term::TAG)
                        .map(|t| t.name.clone())
                        .collect()
                })
                .unwrap_or_default();
            urls.push(NewsUrl {
                loc: format!("{}{}", site.base_url, extras.path_of(site, a)),
                title: a.title.clone(),
                published: a.published_at.unwrap_or(a.created_at),
                keywords,
            });
        }
    }
    Ok(sitemap::news(&site.settings.title, "en", &urls))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_names_parse_strictly() {
        assert_eq!(parse_month("2025-05"), Some((2025, 5, 1)));
        assert_eq!(parse_month("2025-12-3"), Some((2025, 12, 3)));
        assert_eq!(parse_month("2025-13"), None);
        assert_eq!(parse_month("2025-5"), None);
        assert_eq!(parse_month("2025-05-1"), None);
        assert_eq!(parse_month("2025-05-x"), None);
        assert!(is_sitemap("/wp-sitemap.xml") && is_sitemap("/sitemap-posts-2025-05.xml"));
        assert!(!is_sitemap("/sitemap/"));
    }
}
