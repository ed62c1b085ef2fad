//! Feeds at WordPress's addresses: `/feed/` (and `atom/`, `json/`) after the home page, a
//! category, tag, author or date archive, a search, the site's comments (`/comments/feed/`) and
//! an article (its comments); `?feed=rss2` on the home page too. Only live articles and approved
//! comments, never a commenter's email.

use std::collections::HashMap;

use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::content::permalink::{self, Route};
use crate::content::{post_password, sanitize};
use crate::db::article::{self as articles, Article};
use crate::db::{Window, change, comment, term};
use crate::error::{Error, Result};
use crate::http::conditional;
use crate::http::site::{article, gather, listing};
use crate::render::Site;
use crate::render::feed::{self, Feed, Format, Item};

/// A feed path split into the page it follows and its format: `/tag/x/feed/atom/` →
/// (`/tag/x/`, Atom). None when the path is no feed's.
pub fn split(path: &str) -> Option<(String, Format)> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let n = segs.len();
    let (rest, format) = match segs.as_slice() {
        [.., "feed"] => (&segs[..n - 1], Format::Rss),
        [.., "feed", name] => (&segs[..n - 2], Format::parse(name)?),
        _ => return None,
    };
    let base = if rest.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", rest.join("/"))
    };
    Some((base, format))
}

/// The feed of the page at `base` (a site path), answered with validators.
pub async fn show(
    state: &AppState,
    base: &str,
    format: Format,
    headers: &HeaderMap,
) -> Result<Response> {
    let site = state.site();
    let feed = if base == "/comments/" {
        site_comments(state, &site, format).await?
    } else {
        let parsed = permalink::parse_path(base).ok_or(Error::NotFound)?;
        if parsed.page > 1 || parsed.comment_page.is_some() {
            return Err(Error::NotFound);
        }
        match &parsed.route {
            Route::Single(segs) => {
                let a = article::find_live(state, segs)
                    .await?
                    .ok_or(Error::NotFound)?;
                article_comments(state, &site, &a, format).await?
            }
            route => listing_feed(state, &site, route, format).await?,
        }
    };
    answer(state, feed, format, headers).await
}

/// The site's feed, or an archive's.
async fn listing_feed(
    state: &AppState,
    site: &Site,
    route: &Route,
    format: Format,
) -> Result<Feed> {
    let window = Window {
        offset: 0,
        limit: i64::from(site.settings.posts_per_feed),
    };
    let found = listing::resolve(state, route, window, listing::Order::Newest).await?;
    let title = if found.kind == "home" {
        site.settings.title.clone()
    } else {
        format!("{} – {}", found.heading, site.settings.title)
    };
    let description = if found.description.is_empty() {
        site.settings.tagline.clone()
    } else {
        sanitize::plain_text(&found.description)
    };
    let items = article_items(state, site, &found.rows).await?;
    Ok(frame(
        site,
        title,
        description,
        &found.base,
        &format!("{}feed/{}", found.base, format.segment()),
        items,
    ))
}

/// A feed of articles found elsewhere (search results), with its own title and addresses.
pub async fn of_articles(
    state: &AppState,
    title: String,
    page: &str,
    self_path: &str,
    rows: &[Article],
) -> Result<Feed> {
    let site = state.site();
    let items = article_items(state, &site, rows).await?;
    Ok(frame(
        &site,
        title,
        site.settings.tagline.clone(),
        page,
        self_path,
        items,
    ))
}

/// Serve a feed in `format`, with validators.
pub async fn answer(
    state: &AppState,
    feed: Feed,
    format: Format,
    headers: &HeaderMap,
) -> Result<Response> {
    let last_modified = change::latest(state.db())
        .await?
        .map_or(feed.updated, |(_, at)| at)
        .max(feed.updated);
    Ok(conditional::respond(
        headers,
        format.content_type(),
        feed::write(&feed, format),
        last_modified,
    ))
}

fn frame(
    site: &Site,
    title: String,
    description: String,
    page: &str,
    self_path: &str,
    items: Vec<Item>,
) -> Feed {
    let base = &site.base_url;
    Feed {
        updated: items
            .iter()
            .map(|i| i.updated)
            .max()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        title,
        description,
        home_url: format!("{base}{page}"),
        self_url: format!("{base}{self_path}"),
        icon_url: format!("{base}/icon-512.png"),
        hub: (!site.settings.websub_hub.is_empty()).then(|| site.settings.websub_hub.clone()),
        items,
    }
}

/// Feed items for articles: whole bodies or summaries as the site chooses; a protected article
/// shows neither.
async fn article_items(state: &AppState, site: &Site, rows: &[Article]) -> Result<Vec<Item>> {
    let related = gather::Related::load(state, rows).await?;
    let extras = related.extras();
    let full = site.settings.feed_full_content;
    let ids: Vec<i64> = rows
        .iter()
        .filter(|a| a.password.is_empty())
        .map(|a| a.id)
        .collect();
    let bodies = if full {
        articles::bodies(state.db(), &ids).await?
    } else {
        HashMap::new()
    };
    let base = &site.base_url;
    Ok(rows
        .iter()
        .map(|a| {
            let url = format!("{base}{}", extras.path_of(site, a));
            let protected = !a.password.is_empty();
            let terms = extras.terms.get(&a.id).cloned().unwrap_or_default();
            let authors = extras.authors.get(&a.id).cloned().unwrap_or_default();
            let image = a
                .featured_media_id
                .and_then(|id| extras.media.get(&id))
                .map(|f| f.src().to_string())
                .or_else(|| {
                    (!a.featured_image_url.is_empty()).then(|| a.featured_image_url.clone())
                })
                .map(|src| site.absolute(&src));
            Item {
                id: format!("{base}/?p={}", a.id),
                comments: (a.kind == articles::POST)
                    .then(|| (format!("{url}#comments"), format!("{url}feed/"))),
                url,
                title: a.title.clone(),
                summary: if protected {
                    post_password::NO_EXCERPT.to_string()
                } else {
                    a.excerpt.clone()
                },
                content_html: match bodies.get(&a.id) {
                    Some(html) if !protected => Some(feed::absolutize(html, base)),
                    _ => None,
                },
                published: a.published_at.unwrap_or(a.created_at),
                updated: a.modified_at,
                authors: authors
                    .iter()
                    .map(|u| {
                        (
                            u.display_name.clone(),
                            format!("{base}{}", permalink::author_path(&u.slug)),
                        )
                    })
                    .collect(),
                categories: {
                    let mut t: Vec<&&term::Term> = terms.iter().collect();
                    t.sort_by_key(|t| (t.taxonomy != term::CATEGORY, t.id));
                    t.iter().map(|t| t.name.clone()).collect()
                },
                image,
            }
        })
        .collect())
}

/// The newest approved comments of the whole site.
async fn site_comments(state: &AppState, site: &Site, format: Format) -> Result<Feed> {
    crate::cache::deps::note_all([
        crate::cache::deps::Tag::Comments,
        crate::cache::deps::Tag::Posts,
    ]);
    let list = comment::latest_public(state.db(), i64::from(site.settings.posts_per_feed)).await?;
    let mut post_ids: Vec<i64> = list.iter().map(|c| c.post_id).collect();
    post_ids.sort_unstable();
    post_ids.dedup();
    let posts = articles::by_ids(state.db(), &post_ids).await?;
    let related = gather::Related::load(state, &posts).await?;
    let paths: HashMap<i64, (String, String)> = posts
        .iter()
        .map(|a| (a.id, (related.path_of(site, a), a.title.clone())))
        .collect();
    let items = list
        .iter()
        .filter_map(|c| {
            let (path, title) = paths.get(&c.post_id)?;
            Some(comment_item(
                site,
                c,
                path,
                format!("Comment on {title} by {}", c.author_name),
            ))
        })
        .collect();
    Ok(frame(
        site,
        format!("Comments for {}", site.settings.title),
        site.settings.tagline.clone(),
        "/",
        &format!("/comments/feed/{}", format.segment()),
        items,
    ))
}

/// An article's approved comments, newest first.
async fn article_comments(
    state: &AppState,
    site: &Site,
    a: &Article,
    format: Format,
) -> Result<Feed> {
    let path = gather::article_path(state, site, a).await?;
    let mut list = if a.password.is_empty() {
        comment::approved_for_post(state.db(), a.id).await?
    } else {
        Vec::new()
    };
    list.reverse();
    list.truncate(site.settings.posts_per_feed as usize);
    let items = list
        .iter()
        .map(|c| comment_item(site, c, &path, format!("By: {}", c.author_name)))
        .collect();
    Ok(frame(
        site,
        format!("Comments on: {}", a.title),
        sanitize::plain_text(&a.excerpt),
        &path,
        &format!("{path}feed/{}", format.segment()),
        items,
    ))
}

/// A comment as a feed item: its name and website, never its email or address.
fn comment_item(site: &Site, c: &comment::Comment, path: &str, title: String) -> Item {
    let base = &site.base_url;
    let html = feed::absolutize(&sanitize::comment_html(&c.content), base);
    let website = c.author_url.trim();
    let website = if website.starts_with("http://") || website.starts_with("https://") {
        website.to_string()
    } else {
        String::new()
    };
    Item {
        id: format!("{base}/?p={}#comment-{}", c.post_id, c.id),
        url: format!("{base}{path}#comment-{}", c.id),
        title,
        summary: sanitize::plain_text(&html),
        content_html: Some(html),
        published: c.created_at,
        updated: c.created_at,
        authors: vec![(c.author_name.clone(), website)],
        categories: Vec::new(),
        image: None,
        comments: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_paths_split_into_page_and_format() {
        assert_eq!(split("/feed/"), Some(("/".into(), Format::Rss)));
        assert_eq!(split("/feed/atom/"), Some(("/".into(), Format::Atom)));
        assert_eq!(
            split("/category/world/europe/feed/json/"),
            Some(("/category/world/europe/".into(), Format::Json))
        );
        assert_eq!(
            split("/2025/05/16/talks/feed/"),
            Some(("/2025/05/16/talks/".into(), Format::Rss))
        );
        assert_eq!(
            split("/comments/feed"),
            Some(("/comments/".into(), Format::Rss))
        );
        assert_eq!(split("/feed/nope/"), None);
        assert_eq!(split("/tag/x/"), None);
    }
}
