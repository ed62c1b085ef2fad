//! `/wp/v2/users`: the people with published articles, as WordPress shows them to anyone: name,
//! slug, bio, site and avatar, never an email, login or role.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Paging, Rest, base, href, ids, json_answer};
use crate::app::AppState;
use crate::db::user::User;
use crate::render::Site;

/// WordPress's public JSON for a user.
pub fn shape(site: &Site, base: &str, u: &User) -> Value {
    let avatar = format!("{base}{}", site.user_avatar(u));
    json!({
        "id": u.id,
        "name": u.display_name,
        "url": u.url,
        "description": u.bio,
        "link": format!("{base}{}", crate::content::permalink::author_path(&u.slug)),
        "slug": u.slug,
        "avatar_urls": { "24": avatar, "48": avatar, "96": avatar },
        "meta": [],
        "_links": {
            "self": href(format!("{base}/wp-json/wp/v2/users/{}", u.id)),
            "collection": href(format!("{base}/wp-json/wp/v2/users")),
        },
    })
}

/// Users with published work (as WordPress lists only authors of public posts to anyone).
async fn public_users(state: &AppState) -> Result<Vec<User>, Rest> {
    let published = crate::db::rest::published_authors(state.db()).await?;
    Ok(crate::db::user::list_with_counts(state.db())
        .await?
        .into_iter()
        .map(|(u, _)| u)
        .filter(|u| published.contains(&u.id))
        .collect())
}

/// GET /wp/v2/users
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let paging = Paging::read(&q)?;
    let mut all = public_users(&state).await?;
    let search = q
        .get("search")
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let slugs: Vec<&str> = q
        .get("slug")
        .map(|s| s.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let include = ids(&q, "include")?;
    all.retain(|u| {
        (search.is_empty()
            || u.display_name.to_lowercase().contains(&search)
            || u.slug.contains(&search))
            && (slugs.is_empty() || slugs.contains(&u.slug.as_str()))
            && (include.is_empty() || include.contains(&u.id))
    });
    match q.get("orderby").map_or("name", String::as_str) {
        "id" => all.sort_by_key(|u| u.id),
        "slug" => all.sort_by(|a, b| a.slug.cmp(&b.slug)),
        _ => all.sort_by(|a, b| {
            a.display_name
                .to_lowercase()
                .cmp(&b.display_name.to_lowercase())
        }),
    }
    if q.get("order").is_some_and(|o| o == "desc") {
        all.reverse();
    }
    let total = all.len() as i64;
    let site = state.site();
    let base = base(&state);
    let items: Vec<Value> = all
        .iter()
        .skip(paging.offset as usize)
        .take(paging.per_page as usize)
        .map(|u| shape(&site, &base, u))
        .collect();
    paging.answer(Value::Array(items), total, "users", &base, &q)
}

/// GET /wp/v2/users/{id}: only people with published work are public.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let invalid = || {
        Rest::new(
            StatusCode::NOT_FOUND,
            "rest_user_invalid_id",
            "Invalid user ID.",
        )
    };
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let u = public_users(&state)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(invalid)?;
    Ok(json_answer(shape(&state.site(), &base(&state), &u), &q))
}

/// GET /wp/v2/users/me: the caller (with their email and roles, which only they see).
pub async fn me(
    State(state): State<AppState>,
    super::auth::Caller(caller): super::auth::Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let Some(actor) = caller else {
        return Err(Rest::new(
            StatusCode::UNAUTHORIZED,
            "rest_not_logged_in",
            "You are not currently logged in.",
        ));
    };
    let u = crate::db::user::get(state.db(), actor.user_id.unwrap_or(0))
        .await?
        .ok_or(crate::error::Error::NotFound)?;
    let mut v = shape(&state.site(), &base(&state), &u);
    v["email"] = json!(u.email);
    v["roles"] = json!([u.role]);
    Ok(json_answer(v, &q))
}
