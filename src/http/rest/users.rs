//! `/wp/v2/users`: the people with published articles, as WordPress shows them to anyone: name,
//! slug, bio, site and avatar, never an email, login or role. Administrators see everyone with
//! those private fields and add or change users; anyone changes their own profile.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::auth::{self, Caller};
use super::{Answer, Paging, Rest, base, href, ids, json_answer, read_body, shows, text};
use crate::actions::account::{self, NewAccount, ProfileForm};
use crate::actions::capability::{Actor, Cap};
use crate::app::AppState;
use crate::cache::deps::Tag;
use crate::db::user::User;
use crate::error::Error;
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

/// The private fields of a user (`context=edit`): for themselves and administrators only.
fn shape_private(site: &Site, base: &str, u: &User) -> Value {
    let mut v = shape(site, base, u);
    v["username"] = json!(u.login);
    v["email"] = json!(u.email);
    v["roles"] = json!([u.role]);
    v["nickname"] = json!(u.display_name);
    v["first_name"] = json!("");
    v["last_name"] = json!("");
    v["locale"] = json!("en_US");
    v["registered_date"] = json!(
        u.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    v
}

/// Whether the caller sees everyone (and their private fields).
fn lists_users(caller: Option<&Actor>) -> bool {
    caller.is_some_and(|a| a.can(Cap::ListUsers))
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
    Caller(caller): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let paging = Paging::read(&q)?;
    let everyone = lists_users(caller.as_ref());
    if q.get("context").is_some_and(|c| c == "edit") && !everyone {
        return Err(Rest::new(
            auth::required_status(caller.as_ref()),
            "rest_forbidden_context",
            "Sorry, you are not allowed to list users.",
        ));
    }
    let mut all = if everyone {
        crate::db::user::list_with_counts(state.db())
            .await?
            .into_iter()
            .map(|(u, _)| u)
            .collect()
    } else {
        public_users(&state).await?
    };
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
    let shown = all
        .iter()
        .skip(paging.offset as usize)
        .take(paging.per_page as usize);
    if caller.is_none() {
        // Who is listed follows anyone's profile and anyone's first or last live article.
        shows(
            [Tag::People, Tag::AnyPost]
                .into_iter()
                .chain(shown.clone().map(|u| Tag::User(u.id))),
        );
    }
    let items: Vec<Value> = shown
        .map(|u| {
            if everyone {
                shape_private(&site, &base, u)
            } else {
                shape(&site, &base, u)
            }
        })
        .collect();
    paging.answer(Value::Array(items), total, "users", &base, &q)
}

/// GET /wp/v2/users/{id}: only people with published work are public.
pub async fn one(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    let (site, base) = (state.site(), base(&state));
    if lists_users(caller.as_ref()) || caller.as_ref().is_some_and(|a| a.is(id)) {
        let u = crate::db::user::get(state.db(), id)
            .await?
            .ok_or_else(invalid_id)?;
        return Ok(json_answer(shape_private(&site, &base, &u), &q));
    }
    let u = public_users(&state)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(invalid_id)?;
    if caller.is_none() {
        // Public while they have a live article: their archive's list says when that changes.
        shows([Tag::User(id), Tag::AuthorPosts(id)]);
    }
    Ok(json_answer(shape(&site, &base, &u), &q))
}

fn invalid_id() -> Rest {
    Rest::new(
        StatusCode::NOT_FOUND,
        "rest_user_invalid_id",
        "Invalid user ID.",
    )
}

/// The first field error as WordPress's `rest_invalid_param`, in WordPress's field names.
fn field_error(errors: crate::actions::FieldErrors) -> Rest {
    let (field, why) = errors
        .into_iter()
        .next()
        .unwrap_or(("name", "Invalid.".into()));
    let field = match field {
        "display_name" => "name",
        "bio" => "description",
        "role" => "roles",
        other => other,
    };
    Rest::invalid_param(field, &why)
}

/// POST /wp/v2/users: add a user (administrators).
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let cannot = |status| {
        Rest::new(
            status,
            "rest_cannot_create_user",
            "Sorry, you are not allowed to create new users.",
        )
    };
    let Some(actor) = caller else {
        return Err(cannot(StatusCode::UNAUTHORIZED));
    };
    let body = read_body(&headers, &bytes)?;
    let missing: Vec<&str> = ["username", "email", "password"]
        .into_iter()
        .filter(|k| text(&body, k).is_none_or(|v| v.trim().is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(Rest::new(
            StatusCode::BAD_REQUEST,
            "rest_missing_callback_param",
            format!("Missing parameter(s): {}", missing.join(", ")),
        ));
    }
    let role = body["roles"]
        .as_array()
        .and_then(|r| r.first())
        .and_then(Value::as_str)
        .unwrap_or("subscriber")
        .to_string();
    let new = NewAccount {
        email: text(&body, "email").unwrap_or_default(),
        name: text(&body, "name")
            .or_else(|| text(&body, "username"))
            .unwrap_or_default(),
        role,
        password: text(&body, "password"),
    };
    let id = match account::add_user(state.db(), &actor, &new).await {
        Err(Error::Forbidden(_)) => return Err(cannot(StatusCode::FORBIDDEN)),
        other => other?.map_err(field_error)?,
    };
    let u = crate::db::user::get(state.db(), id)
        .await?
        .ok_or_else(invalid_id)?;
    let item = shape_private(&state.site(), &base(&state), &u);
    Ok(super::created(&state, item, "users", id))
}

/// POST/PUT/PATCH /wp/v2/users/me: change one's own profile.
pub async fn update_me(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let id = caller.as_ref().and_then(|a| a.user_id).unwrap_or(0);
    change(&state, caller, id, &headers, &bytes).await
}

/// POST/PUT/PATCH /wp/v2/users/{id}: change a profile (one's own, or anyone's for administrators).
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    change(&state, caller, id, &headers, &bytes).await
}

async fn change(
    state: &AppState,
    caller: Option<Actor>,
    id: i64,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Answer {
    let cannot = |status| {
        Rest::new(
            status,
            "rest_cannot_edit",
            "Sorry, you are not allowed to edit this user.",
        )
    };
    let Some(actor) = caller else {
        return Err(cannot(StatusCode::UNAUTHORIZED));
    };
    if !actor.is(id) && !actor.can(Cap::EditUsers) {
        return Err(cannot(StatusCode::FORBIDDEN));
    }
    let u = crate::db::user::get(state.db(), id)
        .await?
        .ok_or_else(invalid_id)?;
    let body = read_body(headers, bytes)?;
    let form = ProfileForm {
        display_name: text(&body, "name").unwrap_or_else(|| u.display_name.clone()),
        slug: text(&body, "slug").unwrap_or_else(|| u.slug.clone()),
        email: text(&body, "email").unwrap_or_else(|| u.email.clone()),
        url: text(&body, "url").unwrap_or_else(|| u.url.clone()),
        bio: text(&body, "description").unwrap_or_else(|| u.bio.clone()),
        avatar_url: u.avatar_url.clone().unwrap_or_default(),
    };
    account::update_profile(state.db(), &actor, id, &form)
        .await?
        .map_err(field_error)?;
    if let Some(role) = body["roles"]
        .as_array()
        .and_then(|r| r.first())
        .and_then(Value::as_str)
        .filter(|r| *r != u.role)
    {
        match account::change_role(state.db(), &actor, id, role).await {
            Err(Error::Forbidden(m)) => {
                return Err(Rest::new(
                    StatusCode::FORBIDDEN,
                    "rest_cannot_edit_roles",
                    m,
                ));
            }
            Err(Error::Unprocessable(m) | Error::Conflict(m)) => {
                return Err(Rest::invalid_param("roles", &m));
            }
            other => other?,
        }
    }
    if let Some(password) = text(&body, "password") {
        // Changing one's own password asks for the current one, which the admin's profile does.
        if actor.is(id) {
            return Err(Rest::invalid_param(
                "password",
                "Change your own password on your profile page, which asks for the current one.",
            ));
        }
        account::set_password(state.db(), &actor, &u, None, &password, &password, None)
            .await?
            .map_err(field_error)?;
    }
    let u = crate::db::user::get(state.db(), id)
        .await?
        .ok_or_else(invalid_id)?;
    Ok(json_answer(
        shape_private(&state.site(), &base(state), &u),
        &HashMap::new(),
    ))
}

/// GET /wp/v2/users/me: the caller (with their email and roles, which only they see).
pub async fn me(
    State(state): State<AppState>,
    Caller(caller): Caller,
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
    Ok(json_answer(
        shape_private(&state.site(), &base(&state), &u),
        &q,
    ))
}
