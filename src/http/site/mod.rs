//! The public site: one entry point reads a path the way WordPress does (permalinks, archives,
//! `?p=ID`), redirects to the canonical URL when the request differs, and hands over to a page.

pub mod article;
pub mod feed;
pub mod gather;
pub mod listing;
pub mod preview;
pub mod search;
pub mod sitemap;

use std::collections::HashMap;

use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::AppState;
use crate::content::permalink::{self, Route};
use crate::db::{self, article as articles, term};
use crate::error::{Error, Result};
use crate::http::visitor::Visitor;

/// What the dispatcher found: a page to show or a place to send the visitor.
pub enum Found {
    Page(Html<String>),
    Canonical(String),
}

/// The fallback handler: every site path that is not a fixed route.
pub async fn show_path(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Result<Response> {
    // `/?rest_route=/wp/v2/posts`: the REST API without pretty permalinks, as WordPress answers it.
    if let Some(target) = crate::http::rest::rest_route_target(uri.path(), uri.query()) {
        use tower::ServiceExt;
        // The same request (method, headers, body, peer address) at the API's own path.
        let (mut parts, body) = request.into_parts();
        parts.uri = target.parse().map_err(|_| Error::NotFound)?;
        let request = axum::extract::Request::from_parts(parts, body);
        let answer = crate::http::rest::router(state.clone())
            .with_state(state)
            .oneshot(request)
            .await;
        return Ok(match answer {
            Ok(r) => r,
            Err(never) => match never {},
        });
    }
    if method != Method::GET && method != Method::HEAD {
        return Ok((
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "Method not allowed",
        )
            .into_response());
    }
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8()
        .map_err(|_| Error::NotFound)?
        .into_owned();
    // The admin's addresses have no trailing slash (but for /admin/ itself).
    if path.starts_with("/admin/") && path.len() > "/admin/".len() && path.ends_with('/') {
        return Ok(redirect(path.trim_end_matches('/'), uri.query()));
    }
    if path == "/" && query.contains_key("s") {
        let asked = search::Asked::read(&query, None);
        if let Some(name) = query.get("feed") {
            let format = crate::render::feed::Format::parse(name).ok_or(Error::NotFound)?;
            return search::feed(&state, &asked, format, &headers).await;
        }
        return search::show(&state, &asked).await;
    }
    if path.starts_with("/search/") {
        if let Some((base, format)) = feed::split(&path)
            && let Some((words, 1)) = search::from_path(&base)
        {
            let asked = search::Asked::read(&query, Some(&words));
            return search::feed(&state, &asked, format, &headers).await;
        }
        let (words, page) = search::from_path(&path).ok_or(Error::NotFound)?;
        let mut asked = search::Asked::read(&query, Some(&words));
        asked.page = page;
        return search::show(&state, &asked).await;
    }
    if path == "/"
        && let Some(name) = query.get("feed")
    {
        // `/?feed=rss2`, `/?feed=comments-atom`: WordPress's feeds without pretty links.
        let format = crate::render::feed::Format::parse(name).ok_or(Error::NotFound)?;
        let base = if name.starts_with("comments-") {
            "/comments/"
        } else {
            "/"
        };
        return feed::show(&state, base, format, &headers).await;
    }
    if sitemap::is_sitemap(&path) {
        return sitemap::show(&state, &path, &headers).await;
    }
    if let Some((base, format)) = feed::split(&path) {
        let canonical = format!("{base}feed/{}", format.segment());
        if !path.ends_with('/') {
            return Ok(redirect(&canonical, uri.query()));
        }
        return feed::show(&state, &base, format, &headers).await;
    }
    if path == "/"
        && let Some(target) = legacy_query_target(&state, &query).await?
    {
        return Ok(redirect(&target, None));
    }
    let found = match find(&state, &path, &query, &headers).await {
        // An address the site had before it moved here (a WordPress link): 301 to its article.
        Err(Error::NotFound) => match moved_here(&state, &path).await? {
            Some(target) if target != path => return Ok(redirect(&target, None)),
            _ => return Err(Error::NotFound),
        },
        other => other?,
    };
    let (found, personal) = found;
    let page = |html: Html<String>| {
        let mut r = html.into_response();
        r.headers_mut()
            .insert(header::LINK, crate::http::rest::discovery_link(&state));
        r
    };
    match found {
        Found::Page(html) if personal => Ok(private(page(html))),
        Found::Page(html) => Ok(page(html)),
        Found::Canonical(canonical) if canonical == path => {
            Err(Error::Internal(format!("redirect loop at {path}")))
        }
        Found::Canonical(canonical) => Ok(redirect(&canonical, uri.query())),
    }
}

/// The page at a site path, and whether it was made for one visitor.
async fn find(
    state: &AppState,
    path: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<(Found, bool)> {
    let parsed = permalink::parse_path(path).ok_or(Error::NotFound)?;
    let mut personal = false;
    let found = match &parsed.route {
        Route::Single(segs) => {
            let visitor = Visitor::read(headers, query, &state.site().settings.secret, db::now());
            personal = visitor.is_personal();
            article::show(state, segs, &parsed, path, &visitor).await?
        }
        _ => listing::show(state, &parsed, path).await?,
    };
    Ok((found, personal))
}

/// Where an old address of an imported article now is.
async fn moved_here(state: &AppState, path: &str) -> Result<Option<String>> {
    let key = crate::actions::import::redirect_key(path);
    let Some(id) = db::import::redirect_target(state.db(), &key).await? else {
        return Ok(None);
    };
    let Some(a) = articles::get(state.db(), id)
        .await?
        .filter(|a| a.is_live(db::now()))
    else {
        return Ok(None);
    };
    Ok(Some(gather::article_path(state, &state.site(), &a).await?))
}

/// Mark a response made for one visitor (their remembered email in the form, their held
/// comments) so no shared cache or CDN in front of the site keeps it.
pub fn private(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// A 301 to a site path, keeping the query string.
pub fn redirect(path: &str, query: Option<&str>) -> Response {
    let mut target = permalink::encode_path(path);
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        target.push('?');
        target.push_str(q);
    }
    // 301 as WordPress sends, not axum's 308: crawlers and old clients treat both as moved.
    match HeaderValue::from_str(&target) {
        Ok(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [
                (header::LOCATION, location),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
        )
            .into_response(),
        Err(_) => Error::NotFound.into_response(),
    }
}

/// WordPress's plain links: `/?p=ID`, `/?page_id=ID`, `/?cat=ID`, `/?tag=slug`, `/?author=ID`.
async fn legacy_query_target(
    state: &AppState,
    query: &HashMap<String, String>,
) -> Result<Option<String>> {
    let id = |k: &str| {
        query
            .get(k)
            .map(|v| v.trim().parse::<i64>().map_err(|_| Error::NotFound))
            .transpose()
    };
    let site = state.site();
    if let Some(id) = id("p")?.or(id("page_id")?) {
        let mut found = articles::get(state.db(), id).await?;
        if found.is_none() {
            // An imported article whose WordPress id was taken here got another one.
            if let Some(local) = db::import::local_post_id(state.db(), id).await? {
                found = articles::get(state.db(), local).await?;
            }
        }
        let a = found
            .filter(|a| a.is_live(db::now()))
            .ok_or(Error::NotFound)?;
        return Ok(Some(gather::article_path(state, &site, &a).await?));
    }
    if let Some(id) = id("cat")? {
        let t = site
            .categories
            .iter()
            .find(|t| t.id == id)
            .ok_or(Error::NotFound)?;
        return Ok(Some(site.term_path(t)));
    }
    if let Some(slug) = query.get("tag") {
        let t = term::by_slug(state.db(), term::TAG, slug)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok(Some(site.term_path(&t)));
    }
    if let Some(id) = id("author")? {
        let u = db::user::get(state.db(), id)
            .await?
            .ok_or(Error::NotFound)?;
        return Ok(Some(permalink::author_path(&u.slug)));
    }
    Ok(None)
}
