//! Listing pages: home, category, tag, author and date archives, paginated.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::app::AppState;
use crate::cache::deps::{self, Tag};
use crate::content::permalink::{self, Parsed, Route};
use crate::db::article::{FENCE_EVERY, Fence, List};
use crate::db::{Window, article as articles, term, user};
use crate::error::{Error, Result};
use crate::http::site::{Found, gather};
use crate::render::structured;
use crate::render::views::{AuthorView, CardView, PaginationView, SiteView};

#[derive(Serialize)]
struct ListingPage {
    site: SiteView,
    title: String,
    kind: &'static str,
    heading: String,
    description: String,
    author: Option<AuthorView>,
    cards: Vec<CardView>,
    pagination: PaginationView,
    /// This listing's own feed.
    feed: String,
    /// schema.org JSON-LD, escaped for a `<script>`.
    json_ld: String,
    canonical: String,
}

/// What a listing route names: its kind, first page, heading, description, author and articles.
pub struct Resolved {
    pub kind: &'static str,
    pub base: String,
    pub heading: String,
    pub description: String,
    pub author: Option<AuthorView>,
    pub rows: Vec<crate::db::article::Article>,
}

/// The fences of `list`: kept, or read (one list at a time, so a burst of readers on a cold
/// list waits for one read) and kept until the change log says the list changed.
pub async fn fences_of(state: &AppState, list: &List) -> Result<Arc<Vec<Fence>>> {
    let kept = state.fences();
    if let Some(f) = kept.get(list) {
        return Ok(f);
    }
    let _turn = kept.build_turn().await;
    if let Some(f) = kept.get(list) {
        return Ok(f);
    }
    let epoch = kept.epoch();
    let read = Arc::new(articles::fences(state.db(), list).await?);
    kept.keep(list.clone(), epoch, read.clone());
    Ok(read)
}

/// Where a window of a list starts: the fence at or above it and what is left to skip from
/// there. Pages near the top skip from the top; a deeper one reads (once, until the list
/// changes) where every `FENCE_EVERY`-th row stands, so page 5,000 costs about what page 1 does.
pub async fn from_fence(
    state: &AppState,
    list: &List,
    window: Window,
) -> Result<(Option<Fence>, Window)> {
    if window.offset < FENCE_EVERY {
        return Ok((None, window));
    }
    let fences = fences_of(state, list).await?;
    let i = (window.offset / FENCE_EVERY) as usize;
    Ok(match fences.get(i) {
        Some(f) => (
            Some(f.clone()),
            Window {
                offset: window.offset % FENCE_EVERY,
                limit: window.limit,
            },
        ),
        // Past the end of the list: a fence's length below the last one is past every row, so
        // the page is empty without counting to it.
        None => match fences.last() {
            Some(last) => (
                Some(last.clone()),
                Window {
                    offset: FENCE_EVERY,
                    limit: window.limit,
                },
            ),
            None => (None, window),
        },
    })
}

/// How many rows `list` has: from its fences when they are kept (a fence's length for each but
/// the last, and what follows the last counted from it), else counted in its index. Counting
/// does not build fences: that pass costs more than a count and waits for a deep page.
pub async fn count(state: &AppState, list: &List) -> Result<i64> {
    let Some(fences) = state.fences().get(list) else {
        return articles::count_in(state.db(), list).await;
    };
    let Some(last) = fences.last() else {
        return Ok(0);
    };
    let tail = articles::ids_from(
        state.db(),
        list,
        Some(last),
        Window {
            offset: 0,
            limit: FENCE_EVERY,
        },
    )
    .await?;
    Ok((fences.len() as i64 - 1) * FENCE_EVERY + tail.len() as i64)
}

/// Whether the home listing puts sticky articles first (the page) or not (its feed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    StickyFirst,
    Newest,
}

/// Read a listing route's articles in `window`.
pub async fn resolve(
    state: &AppState,
    route: &Route,
    window: Window,
    order: Order,
) -> Result<Resolved> {
    let site = state.site();
    let db = state.db();
    let mut author = None;
    let (kind, base, heading, description, rows) = match route {
        Route::Home => (
            {
                deps::note(Tag::Posts);
                "home"
            },
            "/".to_string(),
            site.settings.title.clone(),
            site.settings.tagline.clone(),
            match order {
                Order::StickyFirst => {
                    let (fence, rest) = from_fence(state, &List::Home, window).await?;
                    articles::latest_from(db, fence.as_ref(), rest).await?
                }
                Order::Newest => articles::newest(db, window.limit).await?,
            },
        ),
        Route::Category(chain) => {
            let last = chain.last().ok_or(Error::NotFound)?;
            let t = site
                .categories
                .iter()
                .find(|t| &t.slug == last)
                .ok_or(Error::NotFound)?;
            let ids = term::descendants(&site.categories, t.id);
            deps::note_all(ids.iter().map(|id| Tag::TermPosts(*id)));
            (
                "category",
                site.term_path(t),
                t.name.clone(),
                t.description.clone(),
                {
                    let (fence, rest) =
                        from_fence(state, &List::Terms(ids.clone()), window).await?;
                    articles::in_terms_from(db, &ids, fence.as_ref(), rest).await?
                },
            )
        }
        Route::Tag(slug) => {
            let t = term::by_slug(db, term::TAG, slug)
                .await?
                .ok_or(Error::NotFound)?;
            deps::note_all([Tag::Term(t.id), Tag::TermPosts(t.id)]);
            (
                "tag",
                site.term_path(&t),
                t.name.clone(),
                t.description.clone(),
                {
                    let (fence, rest) = from_fence(state, &List::Terms(vec![t.id]), window).await?;
                    articles::in_terms_from(db, &[t.id], fence.as_ref(), rest).await?
                },
            )
        }
        Route::Author(slug) => {
            let u = user::by_slug(db, slug).await?.ok_or(Error::NotFound)?;
            deps::note_all([Tag::User(u.id), Tag::AuthorPosts(u.id)]);
            let (fence, rest) = from_fence(state, &List::Author(u.id), window).await?;
            let rows = articles::by_author_from(db, u.id, fence.as_ref(), rest).await?;
            let view = AuthorView::new(&site, &u);
            let out = (
                "author",
                view.url.clone(),
                u.display_name.clone(),
                u.bio.clone(),
                rows,
            );
            author = Some(view);
            out
        }
        Route::Date { year, month, day } => {
            let (from_d, to_d, heading) = date_range(*year, *month, *day).ok_or(Error::NotFound)?;
            let from = site
                .local_midnight(from_d.year(), from_d.month(), from_d.day())
                .ok_or(Error::NotFound)?;
            let to = site
                .local_midnight(to_d.year(), to_d.month(), to_d.day())
                .ok_or(Error::NotFound)?;
            let base = permalink::date_path(*year, *month, *day);
            deps::note(Tag::Posts);
            (
                "date",
                base,
                heading,
                String::new(),
                articles::between(db, from, to, window).await?,
            )
        }
        Route::Single(_) => return Err(Error::NotFound),
    };
    Ok(Resolved {
        kind,
        base,
        heading,
        description,
        author,
        rows,
    })
}

/// Show a listing route, or say where its canonical URL is.
pub async fn show(state: &AppState, parsed: &Parsed, requested: &str) -> Result<Found> {
    let site = state.site();
    let window = Window::page(parsed.page, site.settings.posts_per_page);
    let Resolved {
        kind,
        base,
        heading,
        description,
        author,
        mut rows,
    } = resolve(state, &parsed.route, window, Order::StickyFirst).await?;
    let canonical = permalink::paged(&base, parsed.page);
    if canonical != requested {
        return Ok(Found::Canonical(canonical));
    }
    let has_more = rows.len() as i64 > window.limit - 1;
    rows.truncate((window.limit - 1) as usize);
    if rows.is_empty() && parsed.page > 1 {
        return Err(Error::NotFound);
    }
    let title = match (kind, parsed.page) {
        ("home", 1) => format!("{} – {}", site.settings.title, site.settings.tagline),
        ("home", n) => format!("{} – Page {n}", site.settings.title),
        (_, 1) => format!("{heading} – {}", site.settings.title),
        (_, n) => format!("{heading} – Page {n} – {}", site.settings.title),
    };
    let json_ld = structured::to_script(&if kind == "home" {
        structured::home(&site)
    } else {
        structured::archive(&site, &heading, &base, author.as_ref())
    });
    let page = ListingPage {
        site: SiteView::new(&site, requested),
        title,
        kind,
        heading,
        description,
        author,
        cards: gather::cards(state, &site, &rows).await?,
        pagination: PaginationView::new(&base, parsed.page, has_more),
        feed: format!("{base}feed/"),
        json_ld,
        canonical,
    };
    let template = if kind == "home" {
        "home.html"
    } else {
        "archive.html"
    };
    Ok(Found::Page(axum::response::Html(
        state.theme().render(template, page)?,
    )))
}

/// The first day of a date archive, the first day after it, and its heading.
fn date_range(
    year: i32,
    month: Option<u32>,
    day: Option<u32>,
) -> Option<(NaiveDate, NaiveDate, String)> {
    match (month, day) {
        (Some(m), Some(d)) => {
            let from = NaiveDate::from_ymd_opt(year, m, d)?;
            Some((
                from,
                from.succ_opt()?,
                from.format("%B %-d, %Y").to_string(),
            ))
        }
        (Some(m), None) => {
            let from = NaiveDate::from_ymd_opt(year, m, 1)?;
            let to = if m == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, m + 1, 1)?
            };
            Some((from, to, from.format("%B %Y").to_string()))
        }
        _ => Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
            year.to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_cover_the_period() {
        let (f, t, h) = date_range(2024, Some(2), None).unwrap();
        assert_eq!(
            (f.to_string(), t.to_string(), h.as_str()),
            ("2024-02-01".into(), "2024-03-01".into(), "February 2024")
        );
        assert_eq!(
            date_range(2024, Some(12), Some(31)).unwrap().1.to_string(),
            "2025-01-01"
        );
        assert!(date_range(2025, Some(2), Some(30)).is_none());
    }
}
