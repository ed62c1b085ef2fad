//! The page cache in front of the public site: a reader's GET is answered from the cache when a
//! page for that address is kept (with 304s, gzip or brotli, and a fresh comment-form token
//! spliced in); otherwise the page is built, its tags recorded, and kept. Visitors with a cookie
//! that changes a page (remembered details, held comments, a session) get a page of their own.
//! After any write that came through this node, the change log is applied before the answer
//! goes out, so the writer's next page is fresh.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::cache::{Coding, Lookup, Page, deps};
use crate::error::Error;
use crate::http::conditional;
use crate::http::visitor::Visitor;

/// A CDN or proxy may keep a page this long, and serve it a while longer as it refreshes it.
const SHARED_CACHE_CONTROL: &str = "public, max-age=0, s-maxage=10, stale-while-revalidate=30";

/// The largest answer kept.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Paths never kept: the admin, uploads and files (they have their own caching). The REST API's
/// answers are kept only when they say they noted all they show (anonymous article lists and
/// articles).
const PASS_PREFIXES: &[&str] = &[
    "/admin",
    "/healthz",
    "/readyz",
    "/metrics",
    "/preview/",
    "/static/",
    "/media/",
    "/avatar/",
    "/wp-login.php",
    "/wp-comments-post.php",
];

/// What the cache makes of a reader's GET or HEAD.
enum Kind<'r> {
    /// Never the cache's business (the admin, files, the cache off): not counted as a pass.
    Outside,
    /// Personal (a cookie that changes the page, credentials): built for this visitor alone.
    Personal,
    /// Shared by every reader: answered from, or kept under, this key.
    Shared(&'r str),
}

fn kind<'r>(state: &AppState, request: &'r Request) -> Kind<'r> {
    let path = request.uri().path();
    if !state.page_cache().is_on() || PASS_PREFIXES.iter().any(|p| path.starts_with(p)) {
        return Kind::Outside;
    }
    if request.headers().contains_key(header::AUTHORIZATION)
        || Visitor::has_personal_cookie(request.headers())
    {
        return Kind::Personal;
    }
    Kind::Shared(request.uri().path_and_query().map_or(path, |p| p.as_str()))
}

/// A reader's GET or HEAD answered from a kept page before it is routed, or None to send the
/// request on through the router (and `serve`). Most of a busy site's answers are made here.
pub fn answer_at_the_door(state: &AppState, request: &Request) -> Option<Response> {
    let head = match *request.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => return None,
    };
    let Kind::Shared(key) = kind(state, request) else {
        return None;
    };
    let page = state.page_cache().peek(key)?;
    Some(answer(state, &page, request.headers(), head, true))
}

/// Put on a write's answer by a handler that knows the newest change-log entry its writes
/// could be (0: it wrote nothing): the log is read before answering only if this node has not
/// applied that far yet. Without it, every write reads the log.
#[derive(Debug, Clone, Copy)]
pub struct ChangesUpTo(pub i64);

/// The middleware.
pub async fn serve(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let response = next.run(request).await;
        // Whatever this request wrote is in the change log now: apply it before answering (a
        // burst of comments would otherwise read the log once per comment).
        let followed = match response.extensions().get::<ChangesUpTo>() {
            Some(ChangesUpTo(newest)) => state.follow_changes_to(*newest).await,
            None => state.follow_changes().await,
        };
        if let Err(e) = followed {
            tracing::warn!("following the change log after a write: {e}");
        }
        return response;
    }
    let cache = state.page_cache();
    let key = match kind(&state, &request) {
        Kind::Outside => return next.run(request).await,
        Kind::Personal => {
            cache.pass();
            return next.run(request).await;
        }
        Kind::Shared(key) => key.to_string(),
    };
    let rest = request.uri().path().starts_with("/wp-json")
        || request
            .uri()
            .query()
            .is_some_and(|q| q.contains("rest_route="));
    if method == Method::HEAD {
        // A HEAD answer has no body to keep: answer it from a kept page or build it alone.
        return match cache.peek(&key) {
            Some(page) => answer(&state, &page, request.headers(), true, true),
            None => {
                cache.pass();
                next.run(request).await
            }
        };
    }
    let ticket = match cache.lookup(&key).await {
        Lookup::Hit(page) => return answer(&state, &page, request.headers(), false, true),
        Lookup::Build(ticket) => ticket,
    };
    let asked = request.headers().clone();
    let (response, noted) = deps::record(next.run(request)).await;
    if !keepable(&response, &noted) || (rest && !noted.complete) {
        cache.pass();
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => return Error::Internal(format!("reading a page to keep: {e}")).into_response(),
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("text/html; charset=utf-8"));
    let replay: Vec<(HeaderName, HeaderValue)> = parts
        .headers
        .iter()
        .filter(|(name, _)| !REBUILT.contains(name))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    let last_modified = parts
        .headers
        .get(header::LAST_MODIFIED)
        .cloned()
        .or_else(|| HeaderValue::from_str(&conditional::http_date(chrono::Utc::now())).ok())
        .unwrap_or_else(|| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
    let expires = noted
        .max_age
        .map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
    let tags = noted.tags.into_iter().collect();
    match Page::new(
        content_type,
        replay,
        bytes.clone(),
        last_modified,
        tags,
        expires,
    ) {
        Some(page) => {
            let page = cache.keep(ticket, page);
            answer(&state, &page, &asked, false, false)
        }
        None => {
            cache.pass();
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// Headers the cache writes itself on every answer.
const REBUILT: [HeaderName; 8] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_ENCODING,
    header::ETAG,
    header::LAST_MODIFIED,
    header::CACHE_CONTROL,
    header::VARY,
    header::DATE,
];

/// Whether an answer can be shared: a 200 that noted what it shows, not marked for one
/// visitor, setting no cookie.
fn keepable(response: &Response, noted: &deps::Deps) -> bool {
    let h = response.headers();
    response.status() == StatusCode::OK
        && !noted.tags.is_empty()
        && !noted.uncacheable
        && !h.contains_key(header::SET_COOKIE)
        && !h.contains_key(header::CONTENT_ENCODING)
        && !h
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("private") || v.contains("no-store"))
}

/// Answer from a kept page: 304 when the client has it, else the bytes in the best coding it
/// takes, with a fresh comment-form token.
fn answer(state: &AppState, page: &Page, asked: &HeaderMap, head: bool, hit: bool) -> Response {
    let accept = asked
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let wanted = Coding::choose(accept);
    let not_modified = conditional::unchanged(asked, |t| page.is_ours(t), page.modified);
    // Room for the kept headers and the dozen written here and on the way out, so none moves.
    let mut headers = HeaderMap::with_capacity(page.headers.len() + 12);
    for (name, value) in &page.headers {
        headers.append(name.clone(), value.clone());
    }
    headers.insert(header::LAST_MODIFIED, page.last_modified.clone());
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(SHARED_CACHE_CONTROL),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(
        HeaderName::from_static("cache-tag"),
        page.tag_header.clone(),
    );
    headers.insert(
        HeaderName::from_static("surrogate-key"),
        page.tag_header.clone(),
    );
    headers.insert(
        HeaderName::from_static("x-cache"),
        HeaderValue::from_static(if hit { "HIT" } else { "MISS" }),
    );
    if not_modified {
        headers.insert(header::ETAG, page.etag(wanted));
        return with_headers(StatusCode::NOT_MODIFIED, headers, Body::empty());
    }
    let token = fresh_token(state, page);
    let (bytes, coding) = page.bytes(wanted, token.as_deref());
    headers.insert(header::ETAG, page.etag(coding));
    headers.insert(header::CONTENT_TYPE, page.content_type.clone());
    if let Some(v) = coding.header() {
        headers.insert(header::CONTENT_ENCODING, v);
    }
    if head {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
        return with_headers(StatusCode::OK, headers, Body::empty());
    }
    with_headers(StatusCode::OK, headers, Body::new(bytes))
}

/// A response with exactly these headers (`into_response` would copy them one by one).
fn with_headers(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// A new token for the article the kept page's form is for, if it has one.
fn fresh_token(state: &AppState, page: &Page) -> Option<String> {
    if !page.has_token() {
        return None;
    }
    let site = state.site();
    let post_id =
        page.token_post(|old| crate::content::form_token::post_of(&site.settings.secret, old))?;
    Some(crate::http::site::article::fresh_token(&site, post_id))
}
