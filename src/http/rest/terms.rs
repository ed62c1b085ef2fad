//! `/wp/v2/categories` and `/wp/v2/tags`.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Paging, Rest, base, href, ids, json_answer};
use crate::app::AppState;
use crate::db::term::{self, Term};
use crate::render::Site;

/// WordPress's name of a taxonomy and its route.
fn names(taxonomy: &str) -> (&'static str, &'static str) {
    if taxonomy == term::CATEGORY {
        ("category", "categories")
    } else {
        ("post_tag", "tags")
    }
}

/// WordPress's JSON for a term.
pub fn shape(site: &Site, base: &str, t: &Term, counts: &HashMap<i64, i64>) -> Value {
    let (taxonomy, route) = names(&t.taxonomy);
    let mut v = json!({
        "id": t.id,
        "count": counts.get(&t.id).copied().unwrap_or(0),
        "description": t.description,
        "link": format!("{base}{}", site.term_path(t)),
        "name": t.name,
        "slug": t.slug,
        "taxonomy": taxonomy,
        "meta": [],
        "_links": {
            "self": href(format!("{base}/wp-json/wp/v2/{route}/{}", t.id)),
            "collection": href(format!("{base}/wp-json/wp/v2/{route}")),
            "about": href(format!("{base}/wp-json/wp/v2/taxonomies/{taxonomy}")),
            "wp:post_type": href(format!("{base}/wp-json/wp/v2/posts?{route}={}", t.id)),
            "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": true}],
        },
    });
    if t.taxonomy == term::CATEGORY {
        v["parent"] = json!(t.parent_id.unwrap_or(0));
        // WordPress lists `parent` after `taxonomy`; JSON objects carry no order that matters.
    }
    v
}

/// GET /wp/v2/categories
pub async fn list_categories(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    list(&state, term::CATEGORY, &q).await
}

/// GET /wp/v2/tags
pub async fn list_tags(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    list(&state, term::TAG, &q).await
}

/// GET /wp/v2/categories/{id}
pub async fn one_category(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    one(&state, term::CATEGORY, &id, &q).await
}

/// GET /wp/v2/tags/{id}
pub async fn one_tag(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    one(&state, term::TAG, &id, &q).await
}

async fn list(state: &AppState, taxonomy: &str, q: &HashMap<String, String>) -> Answer {
    let paging = Paging::read(q)?;
    let counts = crate::db::rest::term_counts(state.db()).await?;
    let mut all = term::all(state.db(), taxonomy).await?;
    let search = q
        .get("search")
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let slugs: Vec<&str> = q
        .get("slug")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let include = ids(q, "include")?;
    let post = ids(q, "post")?;
    let in_post: Vec<i64> = if post.is_empty() {
        Vec::new()
    } else {
        term::of_posts(state.db(), &post)
            .await?
            .into_iter()
            .map(|pt| pt.term.id)
            .collect()
    };
    let parent = match q.get("parent") {
        Some(p) => Some(
            p.trim()
                .parse::<i64>()
                .map_err(|_| Rest::invalid_param("parent", "parent is not of type integer."))?,
        ),
        None => None,
    };
    let hide_empty = q.get("hide_empty").is_some_and(|v| v == "true" || v == "1");
    all.retain(|t| {
        (search.is_empty() || t.name.to_lowercase().contains(&search) || t.slug.contains(&search))
            && (slugs.is_empty() || slugs.contains(&t.slug.as_str()))
            && (include.is_empty() || include.contains(&t.id))
            && (post.is_empty() || in_post.contains(&t.id))
            && parent.is_none_or(|p| t.parent_id.unwrap_or(0) == p)
            && (!hide_empty || counts.get(&t.id).is_some_and(|n| *n > 0))
    });
    let asc = q.get("order").is_none_or(|o| o != "desc");
    match q.get("orderby").map_or("name", String::as_str) {
        "id" => all.sort_by_key(|t| t.id),
        "slug" => all.sort_by(|a, b| a.slug.cmp(&b.slug)),
        "count" => all.sort_by_key(|t| counts.get(&t.id).copied().unwrap_or(0)),
        _ => all.sort_by_key(|t| t.name.to_lowercase()),
    }
    if !asc {
        all.reverse();
    }
    let total = all.len() as i64;
    let site = state.site();
    let base = base(state);
    let items: Vec<Value> = all
        .iter()
        .skip(paging.offset as usize)
        .take(paging.per_page as usize)
        .map(|t| shape(&site, &base, t, &counts))
        .collect();
    let (_, route) = names(taxonomy);
    paging.answer(Value::Array(items), total, route, &base, q)
}

async fn one(state: &AppState, taxonomy: &str, id: &str, q: &HashMap<String, String>) -> Answer {
    let invalid = || {
        Rest::new(
            StatusCode::NOT_FOUND,
            "rest_term_invalid",
            "Term does not exist.",
        )
    };
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let t = term::get(state.db(), id)
        .await?
        .filter(|t| t.taxonomy == taxonomy)
        .ok_or_else(invalid)?;
    let counts = crate::db::rest::term_counts(state.db()).await?;
    Ok(json_answer(
        shape(&state.site(), &base(state), &t, &counts),
        q,
    ))
}
