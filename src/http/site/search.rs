//! The search page: `/?s=words` (and WordPress's `/search/words/`), with filters by section,
//! author and date, highlighted passages, pages of results, and suggestions when nothing is
//! found; its feed at `/search/words/feed/` and `/?s=words&feed=rss2`. Only live articles.

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::app::AppState;
use crate::content::permalink;
use crate::db::article::{self as articles, Article};
use crate::db::{self, term, user};
use crate::error::{Error, Result};
use crate::http::site::{feed, gather};
use crate::render::Site;
use crate::render::feed::Format;
use crate::render::views::{CardView, LinkView, PaginationView, SiteView};
use crate::search::{self, Request};

/// Results on a page.
const PER_PAGE: usize = 10;

/// Pages of results one can walk to (as far as any reader goes).
const MAX_PAGE: usize = 100;

/// What a reader asked: the words and the filters, read from the query string.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    pub text: String,
    pub section: String,
    pub author: String,
    pub from: String,
    pub to: String,
    pub page: usize,
}

impl Asked {
    /// From `?s=&section=&author=&from=&to=&paged=`; `words` overrides `s` (`/search/words/`).
    pub fn read(query: &HashMap<String, String>, words: Option<&str>) -> Asked {
        let get = |k: &str| {
            query
                .get(k)
                .map(|v| v.chars().take(search::query::MAX_CHARS).collect::<String>())
                .unwrap_or_default()
        };
        Asked {
            text: words.map(str::to_string).unwrap_or_else(|| get("s")),
            section: get("section"),
            author: get("author"),
            from: get("from"),
            to: get("to"),
            page: query
                .get("paged")
                .and_then(|p| p.trim().parse().ok())
                .filter(|p| (1..=MAX_PAGE).contains(p))
                .unwrap_or(1),
        }
    }

    /// The query string of this search on page `page`.
    fn link(&self, page: usize) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("s", &self.text);
        for (k, v) in [
            ("section", &self.section),
            ("author", &self.author),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if page > 1 {
            q.append_pair("paged", &page.to_string());
        }
        format!("/?{}", q.finish())
    }
}

/// One result as the template shows it: the card, and the highlighted title and passage
/// (escaped by the index, with `<mark>` around the words found).
#[derive(Serialize)]
struct ResultView {
    card: CardView,
    title_html: String,
    snippet_html: String,
}

#[derive(Serialize)]
struct SearchPage {
    site: SiteView,
    title: String,
    kind: &'static str,
    query: String,
    total: usize,
    relaxed: bool,
    results: Vec<ResultView>,
    pagination: PaginationView,
    sections: Vec<FilterOption>,
    authors: Vec<FilterOption>,
    from: String,
    to: String,
    /// Said about a filter that could not be read.
    notice: String,
    /// When nothing is found: topics named like the words, and the latest articles.
    suggested_topics: Vec<LinkView>,
    latest: Vec<CardView>,
    feed: String,
    canonical: String,
    description: String,
}

#[derive(Serialize)]
struct FilterOption {
    value: String,
    label: String,
    selected: bool,
}

/// The filters of a request, resolved against the site (unknown ones are reported, not fatal).
struct Filters {
    term_ids: Vec<i64>,
    author_id: Option<i64>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    notice: String,
}

async fn filters(state: &AppState, site: &Site, asked: &Asked) -> Result<Filters> {
    let mut notice = Vec::new();
    let term_ids = if asked.section.is_empty() {
        Vec::new()
    } else {
        match site.categories.iter().find(|t| t.slug == asked.section) {
            Some(t) => term::descendants(&site.categories, t.id),
            None => {
                notice.push("That section does not exist; showing every section.");
                Vec::new()
            }
        }
    };
    let author_id = if asked.author.is_empty() {
        None
    } else {
        match user::by_slug(state.db(), &asked.author).await? {
            Some(u) => Some(u.id),
            None => {
                notice.push("That author does not exist; showing every author.");
                None
            }
        }
    };
    let mut day = |s: &str, next: bool| -> Option<DateTime<Utc>> {
        if s.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => {
                let d = if next { d.succ_opt()? } else { d };
                use chrono::Datelike;
                site.local_midnight(d.year(), d.month(), d.day())
            }
            Err(_) => {
                notice.push("Dates are written YYYY-MM-DD; that one was left out.");
                None
            }
        }
    };
    let from = day(&asked.from, false);
    let to = day(&asked.to, true);
    Ok(Filters {
        term_ids,
        author_id,
        from,
        to,
        notice: notice.join(" "),
    })
}

/// Search the index, then read the articles it names that are live now, in its order.
async fn find(
    state: &AppState,
    asked: &Asked,
    filters: &Filters,
    offset: usize,
    limit: usize,
) -> Result<(search::Found, Vec<(Article, search::Hit)>)> {
    let found = state.search().search(&Request {
        text: asked.text.clone(),
        term_groups: vec![filters.term_ids.clone()],
        author_ids: filters.author_id.into_iter().collect(),
        from: filters.from,
        to: filters.to,
        offset,
        limit,
    })?;
    let ids: Vec<i64> = found.hits.iter().map(|h| h.id).collect();
    let now = db::now();
    // The database has the last word: an article unpublished a moment ago is not shown even if
    // the index has not heard yet.
    let mut rows: HashMap<i64, Article> = articles::by_ids(state.db(), &ids)
        .await?
        .into_iter()
        .filter(|a| a.is_live(now) && a.kind == articles::POST)
        .map(|a| (a.id, a))
        .collect();
    let hits = found
        .hits
        .iter()
        .filter_map(|h| rows.remove(&h.id).map(|a| (a, h.clone())))
        .collect();
    Ok((found, hits))
}

/// The search page.
pub async fn show(state: &AppState, asked: &Asked) -> Result<Response> {
    // What the index finds, and the authors offered as a filter.
    crate::cache::deps::note_all([
        crate::cache::deps::Tag::Search,
        crate::cache::deps::Tag::People,
    ]);
    let site = state.site();
    let filters = filters(state, &site, asked).await?;
    let (found, hits) = if asked.text.trim().is_empty() {
        (search::Found::default(), Vec::new())
    } else {
        find(
            state,
            asked,
            &filters,
            (asked.page - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?
    };
    if asked.page > 1 && hits.is_empty() {
        return Err(Error::NotFound);
    }
    let rows: Vec<Article> = hits.iter().map(|(a, _)| a.clone()).collect();
    let cards = gather::cards(state, &site, &rows).await?;
    let results: Vec<ResultView> = cards
        .into_iter()
        .zip(hits)
        .map(|(card, (_, hit))| ResultView {
            card,
            title_html: hit.title_html,
            snippet_html: hit.snippet_html,
        })
        .collect();
    let (suggested_topics, latest) = if results.is_empty() {
        suggestions(state, &site, &asked.text).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let has_more = asked.page < MAX_PAGE && found.total > asked.page * PER_PAGE;
    let pagination = PaginationView {
        page: asked.page as u32,
        newer_url: (asked.page > 1).then(|| asked.link(asked.page - 1)),
        older_url: has_more.then(|| asked.link(asked.page + 1)),
    };
    let sections = std::iter::once(FilterOption {
        value: String::new(),
        label: "All sections".into(),
        selected: asked.section.is_empty(),
    })
    .chain(site.categories.iter().map(|t| FilterOption {
        value: t.slug.clone(),
        label: if t.parent_id.is_some() {
            format!("— {}", t.name)
        } else {
            t.name.clone()
        },
        selected: t.slug == asked.section,
    }))
    .collect();
    let authors = std::iter::once(FilterOption {
        value: String::new(),
        label: "All authors".into(),
        selected: asked.author.is_empty(),
    })
    .chain(
        state
            .rows()
            .writers
            .get(|| user::writers(state.db()))
            .await?
            .iter()
            .map(|u| FilterOption {
                selected: u.slug == asked.author,
                value: u.slug.clone(),
                label: u.display_name.clone(),
            }),
    )
    .collect();
    let text = asked.text.trim().to_string();
    let title = if text.is_empty() {
        format!("Search – {}", site.settings.title)
    } else if asked.page > 1 {
        format!(
            "Search results for “{text}” – Page {} – {}",
            asked.page, site.settings.title
        )
    } else {
        format!("Search results for “{text}” – {}", site.settings.title)
    };
    let page = SearchPage {
        site: SiteView::new(&site, "/search/"),
        title,
        kind: "search",
        description: if text.is_empty() {
            format!("Search the articles of {}.", site.settings.title)
        } else {
            format!(
                "{} articles of {} matching “{text}”.",
                found.total, site.settings.title
            )
        },
        feed: format!(
            "/search/{}/feed/",
            permalink::encode_path(&text.replace('/', " "))
        ),
        canonical: asked.link(asked.page),
        query: text,
        total: found.total,
        relaxed: found.relaxed,
        results,
        pagination,
        sections,
        authors,
        from: asked.from.clone(),
        to: asked.to.clone(),
        notice: filters.notice,
        suggested_topics,
        latest,
    };
    Ok(Html(state.theme().render("search.html", page)?).into_response())
}

/// Something to read when a search finds nothing: topics whose name starts like one of the
/// words, and the latest articles.
async fn suggestions(
    state: &AppState,
    site: &Site,
    text: &str,
) -> Result<(Vec<LinkView>, Vec<CardView>)> {
    crate::cache::deps::note_all([
        crate::cache::deps::Tag::Terms,
        crate::cache::deps::Tag::Posts,
    ]);
    let mut topics: Vec<LinkView> = Vec::new();
    let parsed = search::query::parse(text);
    for word in parsed
        .words
        .iter()
        .filter(|w| w.chars().count() >= 3)
        .take(4)
    {
        for t in term::live_starting_with(state.db(), term::TAG, word, 3).await? {
            if !topics.iter().any(|l| l.name == t.name) {
                topics.push(LinkView {
                    name: t.name.clone(),
                    url: site.term_path(&t),
                    current: false,
                });
            }
        }
    }
    let latest = articles::newest(state.db(), 5).await?;
    Ok((topics, gather::cards(state, site, &latest).await?))
}

/// A search's feed (RSS, Atom or JSON): the best matches, as the page lists them.
pub async fn feed(
    state: &AppState,
    asked: &Asked,
    format: Format,
    headers: &HeaderMap,
) -> Result<Response> {
    crate::cache::deps::note(crate::cache::deps::Tag::Search);
    let site = state.site();
    let filters = filters(state, &site, asked).await?;
    let text = asked.text.trim().to_string();
    let rows: Vec<Article> = if text.is_empty() {
        Vec::new()
    } else {
        let limit = site.settings.posts_per_feed as usize;
        find(state, asked, &filters, 0, limit)
            .await?
            .1
            .into_iter()
            .map(|(a, _)| a)
            .collect()
    };
    let page = asked.link(1);
    let self_path = format!(
        "/search/{}/feed/{}",
        permalink::encode_path(&text.replace('/', " ")),
        format.segment()
    );
    let built = feed::of_articles(
        state,
        format!("Search results for “{text}” – {}", site.settings.title),
        &page,
        &self_path,
        &rows,
    )
    .await?;
    feed::answer(state, built, format, headers).await
}

/// `/search/words/`, `/search/words/page/2/`: the words and the page. None if the path is not a
/// search's.
pub fn from_path(path: &str) -> Option<(String, usize)> {
    let rest = path.strip_prefix("/search/")?;
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [] => Some((String::new(), 1)),
        // WordPress writes spaces in these paths as '+'.
        [words] => Some((words.replace('+', " "), 1)),
        [words, "page", n] => Some((
            words.replace('+', " "),
            n.parse().ok().filter(|n| (1..=MAX_PAGE).contains(n))?,
        )),
        _ => None,
    }
}
