//! WordPress's REST API (`/wp-json/`, `/wp-json/wp/v2/…`, and `/?rest_route=…`), so the tools
//! that speak WordPress keep working: the same JSON shapes, parameters, headers
//! (`X-WP-Total`, `X-WP-TotalPages`, `Link`) and error envelope (`code`, `message`,
//! `data.status`). Reads are anonymous and show only what the public site shows; writing needs an
//! application password (HTTP Basic), and goes through `actions` with the admin's rules.

mod auth;
mod comments;
mod discovery;
mod media;
mod openapi;
mod posts;
mod settings;
mod terms;
mod users;
mod words;

use std::collections::HashMap;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::app::AppState;
use crate::error::Error;

/// The most an upload request may carry; the per-file limit (a setting) is checked while reading.
const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

/// Every route of the API.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/wp-json", get(discovery::index))
        .route("/wp-json/", get(discovery::index))
        .route("/wp-json/wp/v2", get(discovery::namespace))
        .route("/wp-json/wp/v2/", get(discovery::namespace))
        .route(
            "/wp-json/wp/v2/posts",
            get(posts::list_posts).post(posts::create),
        )
        .route(
            "/wp-json/wp/v2/posts/{id}",
            get(posts::one_post)
                .post(posts::update)
                .put(posts::update)
                .patch(posts::update)
                .delete(posts::delete),
        )
        .route(
            "/wp-json/wp/v2/pages",
            get(posts::list_pages).post(posts::create),
        )
        .route(
            "/wp-json/wp/v2/pages/{id}",
            get(posts::one_page)
                .post(posts::update)
                .put(posts::update)
                .patch(posts::update)
                .delete(posts::delete),
        )
        .route(
            "/wp-json/wp/v2/categories",
            get(terms::list_categories).post(terms::create),
        )
        .route(
            "/wp-json/wp/v2/categories/{id}",
            get(terms::one_category)
                .post(terms::update)
                .put(terms::update)
                .patch(terms::update)
                .delete(terms::delete),
        )
        .route(
            "/wp-json/wp/v2/tags",
            get(terms::list_tags).post(terms::create),
        )
        .route(
            "/wp-json/wp/v2/tags/{id}",
            get(terms::one_tag)
                .post(terms::update)
                .put(terms::update)
                .patch(terms::update)
                .delete(terms::delete),
        )
        .route("/wp-json/wp/v2/users", get(users::list).post(users::create))
        .route(
            "/wp-json/wp/v2/users/me",
            get(users::me)
                .post(users::update_me)
                .put(users::update_me)
                .patch(users::update_me),
        )
        .route(
            "/wp-json/wp/v2/users/{id}",
            get(users::one)
                .post(users::update)
                .put(users::update)
                .patch(users::update),
        )
        .route(
            "/wp-json/wp/v2/comments",
            get(comments::list).post(comments::create),
        )
        .route(
            "/wp-json/wp/v2/comments/{id}",
            get(comments::one)
                .post(comments::update)
                .put(comments::update)
                .patch(comments::update)
                .delete(comments::delete),
        )
        .route(
            "/wp-json/wp/v2/media",
            get(media::list)
                .post(media::create)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/wp-json/wp/v2/media/{id}",
            get(media::one)
                .post(media::update)
                .put(media::update)
                .patch(media::update)
                .delete(media::delete),
        )
        .route("/wp-json/wp/v2/search", get(posts::search))
        .route("/wp-json/wp/v2/types", get(discovery::types))
        .route("/wp-json/wp/v2/types/{kind}", get(discovery::one_type))
        .route("/wp-json/wp/v2/taxonomies", get(discovery::taxonomies))
        .route(
            "/wp-json/wp/v2/taxonomies/{name}",
            get(discovery::one_taxonomy),
        )
        .route("/wp-json/wp/v2/statuses", get(discovery::statuses))
        .route(
            "/wp-json/wp/v2/settings",
            get(settings::read)
                .post(settings::update)
                .put(settings::update)
                .patch(settings::update),
        )
        .route("/wp-json/newsroom/v1/openapi.json", get(openapi::openapi))
        .route("/wp-json/{*rest}", get(no_route).post(no_route))
        .route("/wp-admin/admin-ajax.php", get(auth::ajax))
        // WordPress answers a method a route does not take as an unknown route.
        .method_not_allowed_fallback(no_route)
        .layer(axum::middleware::from_fn_with_state(state, auth::check))
}

/// An answer of the API: JSON, or a WordPress error envelope.
pub type Answer = std::result::Result<Response, Rest>;

/// A REST error: WordPress's code, message and status (and extra `data`), or an internal error.
#[derive(Debug)]
pub enum Rest {
    Coded {
        status: StatusCode,
        code: &'static str,
        message: String,
        data: Map<String, Value>,
    },
    Internal(Error),
}

impl Rest {
    /// An error with a WordPress code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Rest {
        Rest::Coded {
            status,
            code,
            message: message.into(),
            data: Map::new(),
        }
    }

    /// `rest_invalid_param` for one parameter, as WordPress words it.
    pub fn invalid_param(name: &str, why: &str) -> Rest {
        Rest::invalid_param_because(name, why, "rest_invalid_param")
    }

    /// `rest_invalid_param`, with the code of the detail (`rest_out_of_bounds`…).
    pub fn invalid_param_because(name: &str, why: &str, detail: &str) -> Rest {
        let mut data = Map::new();
        data.insert("params".into(), json!({ name: why }));
        data.insert(
            "details".into(),
            json!({ name: { "code": detail, "message": why, "data": null } }),
        );
        Rest::Coded {
            status: StatusCode::BAD_REQUEST,
            code: "rest_invalid_param",
            message: format!("Invalid parameter(s): {name}"),
            data,
        }
    }
}

impl From<Error> for Rest {
    fn from(e: Error) -> Rest {
        Rest::Internal(e)
    }
}

impl IntoResponse for Rest {
    fn into_response(self) -> Response {
        let (status, code, message, mut data) = match self {
            Rest::Coded {
                status,
                code,
                message,
                data,
            } => (status, code, message, data),
            Rest::Internal(Error::NotFound) => (
                StatusCode::NOT_FOUND,
                "rest_no_route",
                "No route was found matching the URL and request method.".to_string(),
                Map::new(),
            ),
            Rest::Internal(Error::Forbidden(m)) => {
                (StatusCode::FORBIDDEN, "rest_forbidden", m, Map::new())
            }
            Rest::Internal(Error::BadRequest(m) | Error::Unprocessable(m)) => {
                (StatusCode::BAD_REQUEST, "rest_invalid_param", m, Map::new())
            }
            Rest::Internal(Error::Conflict(m)) => {
                (StatusCode::CONFLICT, "rest_conflict", m, Map::new())
            }
            Rest::Internal(e) => {
                tracing::error!("REST API: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "rest_internal_error",
                    "Something went wrong on the server.".to_string(),
                    Map::new(),
                )
            }
        };
        data.insert("status".into(), json!(status.as_u16()));
        let body = json!({ "code": code, "message": message, "data": Value::Object(data) });
        with_api_headers((status, axum::Json(body)).into_response())
    }
}

/// A text field as WordPress clients send it: a string, or `{"raw": …}`.
pub fn text(body: &Value, key: &str) -> Option<String> {
    match &body[key] {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("raw").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// A list of ids a client sent (`[1, 2]`).
pub fn id_list(body: &Value, key: &str) -> Option<Vec<i64>> {
    body[key]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
}

/// WordPress's answer to a create: 201, the item, and its address in `Location`.
pub fn created(state: &AppState, item: Value, route: &str, id: i64) -> Response {
    let mut r = json_answer(item, &HashMap::new());
    *r.status_mut() = StatusCode::CREATED;
    if let Ok(v) = HeaderValue::from_str(&format!("{}/wp-json/wp/v2/{route}/{id}", base(state))) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// WordPress's answer to a delete for good: `{"deleted": true, "previous": …}`.
pub fn deleted(previous: Value) -> Response {
    json_answer(
        json!({ "deleted": true, "previous": previous }),
        &HashMap::new(),
    )
}

/// Whether a DELETE asks to skip the trash: `force=true` in the query or in the body (where
/// clients such as wpapi put it; WordPress reads both).
pub fn forced(
    query: &HashMap<String, String>,
    headers: &axum::http::HeaderMap,
    bytes: &[u8],
) -> bool {
    let yes = |v: &Value| match v {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.as_str(), "true" | "1"),
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    };
    query
        .get("force")
        .is_some_and(|f| matches!(f.as_str(), "true" | "1"))
        || read_body(headers, bytes).is_ok_and(|b| yes(&b["force"]))
}

/// The body of a write: JSON, or a form as WordPress also takes.
pub fn read_body(headers: &axum::http::HeaderMap, bytes: &[u8]) -> Result<Value, Rest> {
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    if form {
        let map: serde_json::Map<String, Value> = form_urlencoded::parse(bytes)
            .into_owned()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        return Ok(Value::Object(map));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Rest::new(
            StatusCode::BAD_REQUEST,
            "rest_invalid_json",
            format!("Invalid JSON body passed: {e}"),
        )
    })
}

/// The headers every API answer carries (WordPress's, for clients that read them).
fn with_api_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("X-WP-Total, X-WP-TotalPages, Link"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(
            "Authorization, X-WP-Nonce, Content-Disposition, Content-MD5, Content-Type",
        ),
    );
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

async fn no_route() -> Rest {
    Rest::Internal(Error::NotFound)
}

/// The site's absolute address, from the configuration (never from the request).
pub fn base(state: &AppState) -> String {
    state.config().site_url.trim_end_matches('/').to_string()
}

/// An anonymous answer shows these things and depends on nothing else: noted so, it is kept
/// until one of them changes.
pub fn shows(tags: impl IntoIterator<Item = crate::cache::deps::Tag>) {
    crate::cache::deps::note_all(tags);
    crate::cache::deps::complete();
}

/// A JSON answer, shaped by `_fields` when the caller asked for some.
pub fn json_answer(value: Value, query: &HashMap<String, String>) -> Response {
    with_api_headers(axum::Json(only_fields(value, query)).into_response())
}

/// WordPress's `_fields=id,title`: only those keys (of each item of a list).
fn only_fields(value: Value, query: &HashMap<String, String>) -> Value {
    let Some(fields) = query.get("_fields").filter(|f| !f.trim().is_empty()) else {
        return value;
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    let keep = |v: Value| match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| {
                    wanted
                        .iter()
                        .any(|w| w == k || w.split('.').next() == Some(k))
                })
                .collect(),
        ),
        other => other,
    };
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(keep).collect()),
        other => keep(other),
    }
}

/// Page and page size of a collection, checked as WordPress checks them.
/// The furthest into a list a request may start: beyond any site's size, far from overflowing.
const MAX_OFFSET: i64 = i32::MAX as i64;

#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
    pub offset: i64,
}

impl Paging {
    /// Read `page`, `per_page` (1–100, default 10) and `offset`.
    pub fn read(query: &HashMap<String, String>) -> std::result::Result<Paging, Rest> {
        let per_page = match query.get("per_page") {
            None => 10,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or_else(|| {
                    Rest::invalid_param_because(
                        "per_page",
                        "per_page must be between 1 (inclusive) and 100 (inclusive)",
                        "rest_out_of_bounds",
                    )
                })?,
        };
        let page = match query.get("page") {
            None => 1,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    Rest::invalid_param("page", "page must be greater than or equal to 1")
                })?,
        };
        let extra = match query.get("offset") {
            None => 0,
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| Rest::invalid_param("offset", "offset is not of type integer."))?,
        };
        // A page or offset past any list a site can hold is refused, not multiplied into an
        // overflow (fuzzing found `page=4444444444444444444`).
        let offset = (page - 1)
            .checked_mul(per_page)
            .and_then(|o| o.checked_add(extra))
            .filter(|o| *o <= MAX_OFFSET)
            .ok_or_else(|| {
                let name = if extra > MAX_OFFSET { "offset" } else { "page" };
                Rest::invalid_param(name, &format!("{name} is past the end of any list"))
            })?;
        Ok(Paging {
            page,
            per_page,
            offset,
        })
    }

    /// `X-WP-Total`, `X-WP-TotalPages` and `Link` rel=prev/next on a collection's answer; a page
    /// past the end is WordPress's `rest_post_invalid_page_number`.
    pub fn answer(
        self,
        items: Value,
        total: i64,
        route: &str,
        base: &str,
        query: &HashMap<String, String>,
    ) -> Answer {
        let pages = if total == 0 {
            0
        } else {
            (total + self.per_page - 1) / self.per_page
        };
        if self.page > pages.max(1) {
            return Err(Rest::new(
                StatusCode::BAD_REQUEST,
                "rest_post_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            ));
        }
        let mut r = json_answer(items, query);
        let h = r.headers_mut();
        h.insert("x-wp-total", HeaderValue::from(total));
        h.insert("x-wp-totalpages", HeaderValue::from(pages));
        let link_to = |page: i64| {
            let mut q: Vec<(String, String)> = query
                .iter()
                .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "rest_route")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            q.sort();
            q.push(("page".into(), page.to_string()));
            let qs = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(q)
                .finish();
            format!("{base}/wp-json/wp/v2/{route}?{qs}")
        };
        let mut links = Vec::new();
        if self.page > 1 {
            links.push(format!("<{}>; rel=\"prev\"", link_to(self.page - 1)));
        }
        if self.page < pages {
            links.push(format!("<{}>; rel=\"next\"", link_to(self.page + 1)));
        }
        if !links.is_empty()
            && let Ok(v) = HeaderValue::from_str(&links.join(", "))
        {
            h.insert(header::LINK, v);
        }
        Ok(r)
    }
}

/// A list of ids in a parameter: `1,2,3` (or one id).
pub fn ids(query: &HashMap<String, String>, name: &str) -> std::result::Result<Vec<i64>, Rest> {
    let raw = query
        .get(name)
        .or_else(|| query.get(&format!("{name}[]")))
        .map(String::as_str)
        .unwrap_or_default();
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>().map_err(|_| {
                Rest::invalid_param(name, &format!("{name}[0] is not of type integer."))
            })
        })
        .collect()
}

/// An ISO 8601 date parameter (`after`, `before`).
pub fn date(
    query: &HashMap<String, String>,
    name: &str,
) -> std::result::Result<Option<DateTime<Utc>>, Rest> {
    let Some(raw) = query.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(d) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(d.with_timezone(&Utc)));
    }
    chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
        .map(|d| Some(d.and_utc()))
        .map_err(|_| Rest::invalid_param(name, "Invalid date."))
}

/// `order=asc|desc` (default desc).
pub fn ascending(query: &HashMap<String, String>) -> std::result::Result<bool, Rest> {
    match query.get("order").map(|s| s.as_str()) {
        None | Some("desc") => Ok(false),
        Some("asc") => Ok(true),
        Some(_) => Err(Rest::invalid_param(
            "order",
            "order is not one of asc, desc.",
        )),
    }
}

/// A date as WordPress writes it: site time without a zone, and UTC (`…_gmt`).
pub fn dates(site: &crate::render::Site, at: DateTime<Utc>) -> (String, String) {
    (
        at.with_timezone(&site.tz)
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string(),
        at.format("%Y-%m-%dT%H:%M:%S").to_string(),
    )
}

/// `{"href": …}` link lists, as in `_links`.
pub fn href(url: String) -> Value {
    json!([{ "href": url }])
}

/// The `Link: <…/wp-json/>; rel="https://api.w.org/"` header that lets clients find the API.
pub fn discovery_link(state: &AppState) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "<{}/wp-json/>; rel=\"https://api.w.org/\"",
        base(state)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("</wp-json/>; rel=\"https://api.w.org/\""))
}

/// Rewrite `/?rest_route=/wp/v2/posts&…` to `/wp-json/wp/v2/posts?…` (WordPress's form for
/// sites without pretty permalinks), or None for any other request.
pub fn rest_route_target(path: &str, raw_query: Option<&str>) -> Option<String> {
    if path != "/" {
        return None;
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw_query?.as_bytes())
        .into_owned()
        .collect();
    let route = pairs.iter().find(|(k, _)| k == "rest_route")?.1.clone();
    let route = if route.starts_with('/') {
        route
    } else {
        format!("/{route}")
    };
    let rest: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "rest_route")
        .collect();
    let mut target = format!("/wp-json{route}");
    if !rest.is_empty() {
        target.push('?');
        target.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(rest)
                .finish(),
        );
    }
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_offsets_past_any_list_are_refused_not_overflowed() {
        let ask = |pairs: &[(&str, &str)]| {
            let query: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Paging::read(&query).map(|p| p.offset)
        };
        assert_eq!(ask(&[("page", "3"), ("per_page", "20")]).ok(), Some(40));
        assert_eq!(ask(&[("page", "2"), ("offset", "5")]).ok(), Some(15));
        for pairs in [
            &[("page", "4444444444444444444")][..],
            &[("page", "100000000"), ("per_page", "100")],
            &[("offset", "9223372036854775807")],
            &[("page", "2"), ("offset", "9223372036854775807")],
        ] {
            assert!(ask(pairs).is_err(), "{pairs:?}");
        }
    }

    #[test]
    fn rest_route_becomes_a_wp_json_path() {
        assert_eq!(
            rest_route_target("/", Some("rest_route=/wp/v2/posts&per_page=2")),
            Some("/wp-json/wp/v2/posts?per_page=2".into())
        );
        assert_eq!(
            rest_route_target("/", Some("rest_route=%2F")),
            Some("/wp-json/".into())
        );
        assert_eq!(rest_route_target("/x/", Some("rest_route=/")), None);
        assert_eq!(rest_route_target("/", Some("p=4")), None);
    }

    #[test]
    fn fields_keep_only_what_was_asked() {
        let q = HashMap::from([("_fields".to_string(), "id,title".to_string())]);
        let v = only_fields(
            json!([{"id": 1, "title": {"rendered": "x"}, "slug": "s"}]),
            &q,
        );
        assert_eq!(v, json!([{"id": 1, "title": {"rendered": "x"}}]));
    }
}
