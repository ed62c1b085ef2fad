//! Listing pages: home, category, tag, author and date archives, paginated.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::app::AppState;
use crate::content::permalink::{self, Parsed, Route};
use crate::db::{Window, article as articles, term, user};
use crate::error::{Error, Result};
use crate::http::site::{Found, gather};
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
    canonical: String,
}

/// Show a listing route, or say where its canonical URL is.
pub async fn show(state: &AppState, parsed: &Parsed, requested: &str) -> Result<Found> {
    let site = state.site();
    let db = state.db();
    let window = Window::page(parsed.page, site.settings.posts_per_page);
    let mut author = None;
    let (kind, base, heading, description, mut rows) = match &parsed.route {
        Route::Home => (
            "home",
            "/".to_string(),
            site.settings.title.clone(),
            site.settings.tagline.clone(),
            articles::latest(db, window).await?,
        ),
        Route::Category(chain) => {
            let last = chain.last().ok_or(Error::NotFound)?;
            let t = site
                .categories
                .iter()
                .find(|t| &t.slug == last)
                .ok_or(Error::NotFound)?;
            let ids = term::descendants(&site.categories, t.id);
            (
                "category",
                site.term_path(t),
                t.name.clone(),
                t.description.clone(),
                articles::in_terms(db, &ids, window).await?,
            )
        }
        Route::Tag(slug) => {
            let t = term::by_slug(db, term::TAG, slug)
                .await?
                .ok_or(Error::NotFound)?;
            (
                "tag",
                site.term_path(&t),
                t.name.clone(),
                t.description.clone(),
                articles::in_terms(db, &[t.id], window).await?,
            )
        }
        Route::Author(slug) => {
            let u = user::by_slug(db, slug).await?.ok_or(Error::NotFound)?;
            let rows = articles::by_author(db, u.id, window).await?;
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
    let page = ListingPage {
        site: SiteView::new(&site, requested),
        title,
        kind,
        heading,
        description,
        author,
        cards: gather::cards(state, &site, &rows).await?,
        pagination: PaginationView::new(&base, parsed.page, has_more),
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
