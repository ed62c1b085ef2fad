//! `/wp/v2/categories` and `/wp/v2/tags`: read by anyone, written by those who manage them.

use std::collections::HashMap;

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::auth::{self, Caller};
use super::{Answer, Paging, Rest, base, href, ids, json_answer, read_body, shows, text};
use crate::actions;
use crate::actions::capability::Actor;
use crate::actions::term::TermForm;
use crate::app::AppState;
use crate::cache::deps::Tag;
use crate::content::slug;
use crate::db::term::{self, Term};
use crate::error::Error;
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
    let shown = all
        .iter()
        .skip(paging.offset as usize)
        .take(paging.per_page as usize);
    // Which terms are listed, and in what order, can follow any article's terms (counts,
    // `hide_empty`, `post=`) and any term's fields.
    shows(
        [Tag::Terms, Tag::AnyPost]
            .into_iter()
            .chain(shown.clone().map(|t| Tag::Term(t.id))),
    );
    let items: Vec<Value> = shown.map(|t| shape(&site, &base, t, &counts)).collect();
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
    let counts = count_of(state, id).await?;
    // Its count changes exactly when an article enters or leaves its archive.
    shows([Tag::Term(id), Tag::TermPosts(id)]);
    Ok(json_answer(
        shape(&state.site(), &base(state), &t, &counts),
        q,
    ))
}

/// One term's count, as `shape` takes counts (its archive index is read, not every term's).
async fn count_of(state: &AppState, id: i64) -> crate::error::Result<HashMap<i64, i64>> {
    Ok(HashMap::from([(
        id,
        crate::db::article::count_in(state.db(), &crate::db::article::List::Terms(vec![id]))
            .await?,
    )]))
}

/// The taxonomy a write's path names (`/wp/v2/categories…` or `/wp/v2/tags…`).
fn taxonomy_of(path: &str) -> &'static str {
    if path.contains("/wp/v2/categories") {
        term::CATEGORY
    } else {
        term::TAG
    }
}

fn term_invalid() -> Rest {
    Rest::new(
        StatusCode::NOT_FOUND,
        "rest_term_invalid",
        "Term does not exist.",
    )
}

/// Map the rules' refusal to WordPress's code for this write.
fn refused(e: Error, caller: &Actor, code: &'static str, message: &str) -> Rest {
    match e {
        Error::Forbidden(_) => Rest::new(auth::required_status(Some(caller)), code, message),
        Error::NotFound => term_invalid(),
        other => Rest::Internal(other),
    }
}

/// POST /wp/v2/categories and /tags: a new term (editors and administrators).
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    save(
        &state,
        caller,
        taxonomy_of(uri.path()),
        None,
        &headers,
        &bytes,
    )
    .await
}

/// POST/PUT/PATCH /wp/v2/categories/{id} and /tags/{id}: change a term.
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let id: i64 = id.parse().map_err(|_| term_invalid())?;
    save(
        &state,
        caller,
        taxonomy_of(uri.path()),
        Some(id),
        &headers,
        &bytes,
    )
    .await
}

async fn save(
    state: &AppState,
    caller: Option<Actor>,
    taxonomy: &str,
    id: Option<i64>,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Answer {
    let (code, message) = if id.is_some() {
        (
            "rest_cannot_update",
            "Sorry, you are not allowed to edit this term.",
        )
    } else {
        (
            "rest_cannot_create",
            "Sorry, you are not allowed to create terms in this taxonomy.",
        )
    };
    let Some(actor) = caller else {
        return Err(Rest::new(StatusCode::UNAUTHORIZED, code, message));
    };
    let body = read_body(headers, bytes)?;
    let mut form = match id {
        Some(id) => {
            let t = term::get(state.db(), id)
                .await?
                .filter(|t| t.taxonomy == taxonomy)
                .ok_or_else(term_invalid)?;
            TermForm {
                name: t.name,
                slug: t.slug,
                parent_id: t.parent_id,
                description: t.description,
            }
        }
        None => TermForm::default(),
    };
    if let Some(n) = text(&body, "name") {
        form.name = n;
    } else if id.is_none() {
        return Err(Rest::new(
            StatusCode::BAD_REQUEST,
            "rest_missing_callback_param",
            "Missing parameter(s): name",
        ));
    }
    if let Some(s) = text(&body, "slug") {
        form.slug = s;
    }
    if let Some(d) = text(&body, "description") {
        form.description = d;
    }
    if let Some(p) = body.get("parent") {
        let parent = p
            .as_i64()
            .or_else(|| p.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| Rest::invalid_param("parent", "parent is not of type integer."))?;
        if taxonomy == term::TAG && parent != 0 {
            return Err(Rest::new(
                StatusCode::BAD_REQUEST,
                "rest_taxonomy_not_hierarchical",
                "Cannot set parent term, taxonomy is not hierarchical.",
            ));
        }
        form.parent_id = (parent > 0).then_some(parent);
    }
    let saved = actions::term::save(state.db(), &actor, taxonomy, id, &form)
        .await
        .map_err(|e| refused(e, &actor, code, message))?;
    let new_id = match saved {
        Ok(new_id) => new_id,
        Err(errors) => {
            if let (None, Some(_)) = (id, errors.get("slug"))
                && let Some(existing) =
                    term::by_slug(state.db(), taxonomy, &slug::slugify(form.slug_or_name())).await?
            {
                // WordPress's answer to a term that is already there, with its id to use.
                let mut data = serde_json::Map::new();
                data.insert("term_id".into(), json!(existing.id));
                return Err(Rest::Coded {
                    status: StatusCode::BAD_REQUEST,
                    code: "term_exists",
                    message: "A term with the name provided already exists in this taxonomy."
                        .into(),
                    data,
                });
            }
            let (field, why) = errors
                .into_iter()
                .next()
                .unwrap_or(("name", "Invalid.".into()));
            let field = if field == "parent_id" {
                "parent"
            } else {
                field
            };
            return Err(Rest::invalid_param(field, &why));
        }
    };
    let t = term::get(state.db(), new_id)
        .await?
        .ok_or_else(term_invalid)?;
    let counts = count_of(state, new_id).await?;
    let item = shape(&state.site(), &base(state), &t, &counts);
    if id.is_none() {
        let (_, route) = names(taxonomy);
        return Ok(super::created(state, item, route, new_id));
    }
    Ok(json_answer(item, &HashMap::new()))
}

/// DELETE /wp/v2/categories/{id} and /tags/{id}: terms have no trash, so `force=true` is required.
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let (code, message) = (
        "rest_cannot_delete",
        "Sorry, you are not allowed to delete this term.",
    );
    let Some(actor) = caller else {
        return Err(Rest::new(StatusCode::UNAUTHORIZED, code, message));
    };
    let taxonomy = taxonomy_of(uri.path());
    let id: i64 = id.parse().map_err(|_| term_invalid())?;
    let t = term::get(state.db(), id)
        .await?
        .filter(|t| t.taxonomy == taxonomy)
        .ok_or_else(term_invalid)?;
    if !super::forced(&q, &headers, &bytes) {
        return Err(Rest::new(
            StatusCode::NOT_IMPLEMENTED,
            "rest_trash_not_supported",
            "Terms do not support trashing. Set 'force' to true to delete.",
        ));
    }
    let counts = count_of(&state, id).await?;
    let previous = shape(&state.site(), &base(&state), &t, &counts);
    actions::term::delete(state.db(), &actor, id)
        .await
        .map_err(|e| refused(e, &actor, code, message))?;
    Ok(super::deleted(previous))
}
