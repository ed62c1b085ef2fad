//! What the API says about itself: the index at `/wp-json/` (namespaces and routes), the `wp/v2`
//! namespace, types, taxonomies and statuses.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Answer, Rest, base, href, json_answer, shows};
use crate::app::AppState;
use crate::cache::deps::{self, Tag};

/// The routes this API answers, with their methods, as the index lists them.
pub(super) const ROUTES: [(&str, &[&str]); 23] = [
    ("/wp/v2", &["GET"]),
    ("/wp/v2/posts", &["GET", "POST"]),
    (
        "/wp/v2/posts/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
    ("/wp/v2/pages", &["GET", "POST"]),
    (
        "/wp/v2/pages/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
    ("/wp/v2/media", &["GET", "POST"]),
    (
        "/wp/v2/media/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
    ("/wp/v2/categories", &["GET", "POST"]),
    (
        "/wp/v2/categories/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
    ("/wp/v2/tags", &["GET", "POST"]),
    (
        "/wp/v2/tags/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
    ("/wp/v2/users", &["GET", "POST"]),
    (
        "/wp/v2/users/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH"],
    ),
    ("/wp/v2/users/me", &["GET", "POST", "PUT", "PATCH"]),
    ("/wp/v2/comments", &["GET", "POST"]),
    (
        "/wp/v2/comments/(?P<id>[\\d]+)",
        &["GET", "POST", "PUT", "PATCH", "DELETE"],
    ),
    ("/wp/v2/search", &["GET"]),
    ("/wp/v2/types", &["GET"]),
    ("/wp/v2/types/(?P<type>[\\w-]+)", &["GET"]),
    ("/wp/v2/taxonomies", &["GET"]),
    ("/wp/v2/taxonomies/(?P<taxonomy>[\\w-]+)", &["GET"]),
    ("/wp/v2/statuses", &["GET"]),
    ("/wp/v2/settings", &["GET", "POST", "PUT", "PATCH"]),
];

/// The query parameters a GET route takes (clients such as wpapi make methods of them).
pub(super) fn args_of(route: &str) -> &'static [&'static str] {
    const PAGING: [&str; 4] = ["context", "page", "per_page", "offset"];
    match route {
        "/wp/v2/posts" => &[
            "context",
            "page",
            "per_page",
            "offset",
            "search",
            "after",
            "before",
            "author",
            "exclude",
            "include",
            "order",
            "orderby",
            "slug",
            "status",
            "categories",
            "tags",
        ],
        "/wp/v2/pages" => &[
            "context", "page", "per_page", "offset", "search", "after", "before", "author",
            "exclude", "include", "order", "orderby", "slug", "status",
        ],
        "/wp/v2/categories" => &[
            "context",
            "page",
            "per_page",
            "search",
            "exclude",
            "include",
            "order",
            "orderby",
            "hide_empty",
            "parent",
            "post",
            "slug",
        ],
        "/wp/v2/tags" => &[
            "context",
            "page",
            "per_page",
            "offset",
            "search",
            "exclude",
            "include",
            "order",
            "orderby",
            "hide_empty",
            "post",
            "slug",
        ],
        "/wp/v2/users" => &[
            "context", "page", "per_page", "search", "include", "order", "orderby", "slug",
        ],
        "/wp/v2/comments" => &[
            "context", "page", "per_page", "offset", "search", "order", "orderby", "post", "status",
        ],
        "/wp/v2/media" => &["context", "page", "per_page", "search"],
        "/wp/v2/search" => &["context", "page", "per_page", "search", "type", "subtype"],
        r if r.contains("(?P<id>") => &["context", "_embed"],
        _ => &PAGING,
    }
}

fn routes(base: &str, only_namespace: bool) -> Value {
    let mut map = Map::new();
    if !only_namespace {
        map.insert(
            "/".into(),
            json!({"namespace": "", "methods": ["GET"], "endpoints": [{"methods": ["GET"], "args": {}}],
                   "_links": {"self": href(format!("{base}/wp-json/"))}}),
        );
    }
    if !only_namespace {
        map.insert(
            "/newsroom/v1/openapi.json".into(),
            json!({"namespace": "newsroom/v1", "methods": ["GET"], "endpoints": [{"methods": ["GET"], "args": {}}],
                   "_links": {"self": href(format!("{base}/wp-json/newsroom/v1/openapi.json"))}}),
        );
    }
    for (route, methods) in ROUTES {
        let endpoints: Vec<Value> = methods
            .iter()
            .map(|m| {
                let names = if *m == "GET" { args_of(route) } else { &[] };
                let args: Map<String, Value> = names
                    .iter()
                    .map(|n| (n.to_string(), json!({"required": false})))
                    .collect();
                json!({"methods": [m], "args": args})
            })
            .collect();
        let mut entry = json!({
            "namespace": "wp/v2",
            "methods": methods,
            "endpoints": endpoints,
        });
        if !route.contains('(') {
            entry["_links"] = json!({"self": href(format!("{base}/wp-json{route}"))});
        }
        map.insert(route.into(), entry);
    }
    Value::Object(map)
}

/// Seconds in a quarter hour.
const QUARTER_HOUR: i64 = 15 * 60;

/// GET /wp-json/
pub async fn index(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let site = state.site();
    let base = base(&state);
    let now = chrono::Utc::now().with_timezone(&site.tz);
    let hours = chrono::Offset::fix(now.offset()).local_minus_utc() as f64 / 3600.0;
    shows([Tag::Site]);
    // The offset changes only at a clock change, and every zone's falls on a quarter hour.
    deps::expires_in((QUARTER_HOUR - now.timestamp().rem_euclid(QUARTER_HOUR)) as u64);
    Ok(json_answer(
        json!({
            "name": site.settings.title,
            "description": site.settings.tagline,
            "url": base,
            "home": base,
            "gmt_offset": format!("{}", hours),
            "timezone_string": site.settings.timezone,
            "namespaces": ["wp/v2", "newsroom/v1"],
            "authentication": [],
            "routes": routes(&base, false),
            "site_logo": 0,
            "site_icon": 0,
            "site_icon_url": "",
            "_links": {
                "help": [{"href": "https://developer.wordpress.org/rest-api/"}],
                "wp:featuredmedia": [],
            },
        }),
        &q,
    ))
}

/// GET /wp-json/wp/v2
pub async fn namespace(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([Tag::Site]);
    let base = base(&state);
    Ok(json_answer(
        json!({"namespace": "wp/v2", "routes": routes(&base, true),
               "_links": {"up": href(format!("{base}/wp-json/"))}}),
        &q,
    ))
}

fn type_of(base: &str, slug: &str) -> Option<Value> {
    let (name, rest_base, taxonomies, hierarchical, description) = match slug {
        "post" => ("Posts", "posts", json!(["category", "post_tag"]), false, ""),
        "page" => ("Pages", "pages", json!([]), false, ""),
        "attachment" => ("Media", "media", json!([]), false, ""),
        _ => return None,
    };
    Some(json!({
        "description": description,
        "hierarchical": hierarchical,
        "has_archive": slug == "post",
        "name": name,
        "slug": slug,
        "icon": null,
        "taxonomies": taxonomies,
        "rest_base": rest_base,
        "rest_namespace": "wp/v2",
        "_links": {
            "collection": href(format!("{base}/wp-json/wp/v2/types")),
            "wp:items": href(format!("{base}/wp-json/wp/v2/{rest_base}")),
            "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": true}],
        },
    }))
}

/// GET /wp/v2/types
pub async fn types(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([Tag::Site]);
    let base = base(&state);
    let mut map = Map::new();
    for slug in ["post", "page", "attachment"] {
        if let Some(t) = type_of(&base, slug) {
            map.insert(slug.into(), t);
        }
    }
    Ok(json_answer(Value::Object(map), &q))
}

/// GET /wp/v2/types/{type}
pub async fn one_type(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([Tag::Site]);
    type_of(&base(&state), &slug)
        .map(|t| json_answer(t, &q))
        .ok_or_else(|| {
            Rest::new(
                StatusCode::NOT_FOUND,
                "rest_type_invalid",
                "Invalid post type.",
            )
        })
}

fn taxonomy_of(base: &str, slug: &str) -> Option<Value> {
    let (name, rest_base, hierarchical) = match slug {
        "category" => ("Categories", "categories", true),
        "post_tag" => ("Tags", "tags", false),
        _ => return None,
    };
    Some(json!({
        "name": name,
        "slug": slug,
        "description": "",
        "types": ["post"],
        "hierarchical": hierarchical,
        "rest_base": rest_base,
        "rest_namespace": "wp/v2",
        "_links": {
            "collection": href(format!("{base}/wp-json/wp/v2/taxonomies")),
            "wp:items": href(format!("{base}/wp-json/wp/v2/{rest_base}")),
            "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": true}],
        },
    }))
}

/// GET /wp/v2/taxonomies
pub async fn taxonomies(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([Tag::Site]);
    let base = base(&state);
    let mut map = Map::new();
    for slug in ["category", "post_tag"] {
        if let Some(t) = taxonomy_of(&base, slug) {
            map.insert(slug.into(), t);
        }
    }
    Ok(json_answer(Value::Object(map), &q))
}

/// GET /wp/v2/taxonomies/{taxonomy}
pub async fn one_taxonomy(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([Tag::Site]);
    taxonomy_of(&base(&state), &slug)
        .map(|t| json_answer(t, &q))
        .ok_or_else(|| {
            Rest::new(
                StatusCode::NOT_FOUND,
                "rest_taxonomy_invalid",
                "Invalid taxonomy.",
            )
        })
}

/// GET /wp/v2/statuses (what anyone may see: published).
pub async fn statuses(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([Tag::Site]);
    let base = base(&state);
    Ok(json_answer(
        json!({"publish": {
            "name": "Published", "public": true, "queryable": true, "slug": "publish", "date_floating": false,
            "_links": {"archives": href(format!("{base}/wp-json/wp/v2/posts"))},
        }}),
        &q,
    ))
}
