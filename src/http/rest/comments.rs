//! `/wp/v2/comments`: approved comments of published articles, without the commenter's email or
//! IP (the promise of the comment form); moderators also see held, spam and trashed comments with
//! those private fields, and moderate them. Signed-in users comment under the reader's rules;
//! anonymous comments go through the comment form, whose single-use token the API cannot carry
//! (WordPress refuses them over the API by default too).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::auth::{self, Caller};
use super::{
    Answer, Paging, Rest, ascending, base, dates, href, ids, json_answer, read_body, shows, text,
};
use crate::actions;
use crate::actions::capability::{self, Actor, Cap, PostFacts};
use crate::actions::comment::{Moderation, Rejection};
use crate::app::AppState;
use crate::cache::deps::Tag;
use crate::content::sanitize;
use crate::db::article::Article;
use crate::db::comment::{self, Comment};
use crate::db::{self, article as articles};
use crate::error::Error;
use crate::http::site::gather;

/// WordPress's JSON for comments; `private` adds what only moderators see (email, IP, agent).
async fn shape_all(state: &AppState, rows: &[Comment], private: bool) -> Result<Vec<Value>, Rest> {
    let site = state.site();
    let base = base(state);
    let mut post_ids: Vec<i64> = rows.iter().map(|c| c.post_id).collect();
    post_ids.sort_unstable();
    post_ids.dedup();
    let posts = articles::by_ids(state.db(), &post_ids).await?;
    // Only the articles' addresses are shown, not the bylines or pictures loading them notes.
    let related = crate::cache::deps::unnoted(gather::Related::load(state, &posts)).await?;
    let extras = related.extras();
    let paths: HashMap<i64, String> = posts
        .iter()
        .map(|a| (a.id, extras.path_of(&site, a)))
        .collect();
    Ok(rows
        .iter()
        .map(|c| {
            let (date, date_gmt) = dates(&site, c.created_at);
            let avatar = format!("{base}{}", site.commenter_avatar(&c.author_email, &c.author_name));
            let mut links = json!({
                "self": href(format!("{base}/wp-json/wp/v2/comments/{}", c.id)),
                "collection": href(format!("{base}/wp-json/wp/v2/comments")),
                "up": [{"embeddable": true, "post_type": "post", "href": format!("{base}/wp-json/wp/v2/posts/{}", c.post_id)}],
            });
            if let Some(p) = c.parent_id {
                links["in-reply-to"] = json!([{"embeddable": true, "href": format!("{base}/wp-json/wp/v2/comments/{p}")}]);
            }
            let mut v = json!({
                "id": c.id,
                "post": c.post_id,
                "parent": c.parent_id.unwrap_or(0),
                "author": c.user_id.unwrap_or(0),
                "author_name": c.author_name,
                "author_url": c.author_url,
                "date": date,
                "date_gmt": date_gmt,
                "content": { "rendered": sanitize::comment_html(&c.content) },
                "link": format!("{base}{}#comment-{}", paths.get(&c.post_id).cloned().unwrap_or_default(), c.id),
                "status": wordpress_status(&c.status),
                "type": "comment",
                "author_avatar_urls": { "24": avatar, "48": avatar, "96": avatar },
                "meta": [],
                "_links": links,
            });
            if private {
                v["author_email"] = json!(c.author_email);
                v["author_ip"] = json!(c.author_ip);
                v["author_user_agent"] = json!(c.user_agent);
                v["content"]["raw"] = json!(c.content);
            }
            v
        })
        .collect())
}

/// WordPress's name of a comment status.
fn wordpress_status(s: &str) -> &'static str {
    match s {
        comment::status::APPROVED => "approved",
        comment::status::SPAM => "spam",
        comment::status::TRASH => "trash",
        _ => "hold",
    }
}

/// A comment status as WordPress clients write it (`approve`, `hold`, `1`, `0`…).
fn status_from_wordpress(s: &str) -> Option<&'static str> {
    Some(match s {
        "approve" | "approved" | "1" => comment::status::APPROVED,
        "hold" | "unapproved" | "0" => comment::status::PENDING,
        "spam" => comment::status::SPAM,
        "trash" => comment::status::TRASH,
        _ => return None,
    })
}

/// GET /wp/v2/comments
pub async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let paging = Paging::read(&q)?;
    let moderator = caller
        .as_ref()
        .filter(|a| a.can(Cap::ModerateComments))
        .is_some();
    let wanted = q.get("status").map(String::as_str).unwrap_or("approve");
    let held = match (status_from_wordpress(wanted), moderator) {
        (Some(comment::status::APPROVED), _) => None,
        (Some(other), true) => Some(other),
        (found, _) => {
            if found.is_none() && moderator {
                return Err(Rest::invalid_param(
                    "status",
                    &format!("status is not one of approve, hold, spam, trash ({wanted})."),
                ));
            }
            return Err(Rest::new(
                auth::required_status(caller.as_ref()),
                "rest_forbidden_param",
                format!("Query parameter not permitted: status ({wanted})."),
            ));
        }
    };
    if q.get("context").is_some_and(|c| c == "edit") && !moderator {
        return Err(Rest::new(
            auth::required_status(caller.as_ref()),
            "rest_forbidden_context",
            "Sorry, you are not allowed to edit comments.",
        ));
    }
    let posts = ids(&q, "post")?;
    let (rows, total) = db::rest::comments(
        state.db(),
        &posts,
        held,
        paging.offset,
        paging.per_page,
        ascending(&q)?,
    )
    .await?;
    let items = shape_all(&state, &rows, moderator).await?;
    if caller.is_none() {
        // Which comments are listed follows any comment and any article's status or password.
        shows(
            [Tag::Comments, Tag::AnyPost]
                .into_iter()
                .chain(rows.iter().map(|c| Tag::Post(c.post_id))),
        );
    }
    paging.answer(Value::Array(items), total, "comments", &base(&state), &q)
}

fn invalid_id() -> Rest {
    Rest::new(
        StatusCode::NOT_FOUND,
        "rest_comment_invalid_id",
        "Invalid comment ID.",
    )
}

/// Whether the actor may moderate comments on this article.
async fn moderates(state: &AppState, actor: &Actor, post: &Article) -> Result<bool, Rest> {
    let facts = PostFacts::of(post, articles::author_ids(state.db(), post.id).await?);
    Ok(capability::can_moderate(actor, &facts))
}

/// GET /wp/v2/comments/{id}
pub async fn one(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    let c = comment::get(state.db(), id).await?.ok_or_else(invalid_id)?;
    let post = articles::get(state.db(), c.post_id)
        .await?
        .ok_or_else(invalid_id)?;
    let moderator = match &caller {
        Some(actor) => moderates(&state, actor, &post).await?,
        None => false,
    };
    let public = c.status == comment::status::APPROVED
        && post.is_live(db::now())
        && post.password.is_empty();
    if !public && !moderator {
        return Err(invalid_id());
    }
    let mut items = shape_all(&state, std::slice::from_ref(&c), moderator).await?;
    if caller.is_none() {
        shows([Tag::Comments, Tag::Post(c.post_id)]);
    }
    Ok(json_answer(items.remove(0), &q))
}

/// POST /wp/v2/comments: a signed-in user's comment under the reader's rules. Anonymous comments
/// go through the comment form, whose single-use token the API cannot carry (WordPress refuses
/// them over the API by default too).
pub async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let Some(actor) = caller else {
        return Err(Rest::new(
            StatusCode::UNAUTHORIZED,
            "rest_comment_login_required",
            "Sorry, you must be logged in to comment.",
        ));
    };
    let body = read_body(&headers, &bytes)?;
    let number = |key: &str| -> Result<i64, Rest> {
        match &body[key] {
            Value::Null => Ok(0),
            v => v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .ok_or_else(|| Rest::invalid_param(key, &format!("{key} is not of type integer."))),
        }
    };
    let post_id = number("post")?;
    let parent_id = number("parent")?;
    let no_post = || {
        Rest::new(
            StatusCode::FORBIDDEN,
            "rest_comment_invalid_post_id",
            "Sorry, you are not allowed to create this comment without a post.",
        )
    };
    let post = articles::get(state.db(), post_id)
        .await?
        .filter(|a| a.is_live(db::now()) && a.password.is_empty())
        .ok_or_else(no_post)?;
    let content = text(&body, "content").unwrap_or_default();
    let site = state.site();
    let posted = actions::comment::submit_as_user(
        state.db(),
        &site.settings,
        &actor,
        &post,
        parent_id,
        &content,
    )
    .await?;
    let posted = match posted {
        Ok(p) => p,
        Err(Rejection::Fields(fields)) => {
            let why = fields.values().next().cloned().unwrap_or_default();
            return Err(Rest::new(
                StatusCode::BAD_REQUEST,
                if fields.contains_key("comment") {
                    "rest_comment_content_invalid"
                } else {
                    "rest_comment_author_data_required"
                },
                why,
            ));
        }
        Err(Rejection::Closed) => {
            return Err(Rest::new(
                StatusCode::FORBIDDEN,
                "rest_comment_closed",
                "Sorry, comments are closed for this item.",
            ));
        }
        Err(Rejection::BadParent(why)) => {
            return Err(Rest::new(
                StatusCode::BAD_REQUEST,
                "rest_comment_invalid_reply_to",
                why,
            ));
        }
        Err(Rejection::Duplicate) => {
            return Err(Rest::new(
                StatusCode::CONFLICT,
                "comment_duplicate",
                Rejection::Duplicate.message(),
            ));
        }
        Err(other) => {
            return Err(Rest::new(
                StatusCode::BAD_REQUEST,
                "comment_flood",
                other.message(),
            ));
        }
    };
    let c = comment::get(state.db(), posted.id)
        .await?
        .ok_or_else(invalid_id)?;
    let moderator = moderates(&state, &actor, &post).await?;
    let mut items = shape_all(&state, std::slice::from_ref(&c), moderator).await?;
    Ok(super::created(&state, items.remove(0), "comments", c.id))
}

/// The comment and whether the caller may moderate it, or WordPress's refusal.
async fn for_moderation(
    state: &AppState,
    caller: Option<&Actor>,
    id: &str,
    code: &'static str,
    message: &'static str,
) -> Result<(Actor, Comment), Rest> {
    let Some(actor) = caller else {
        return Err(Rest::new(StatusCode::UNAUTHORIZED, code, message));
    };
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    let c = comment::get(state.db(), id).await?.ok_or_else(invalid_id)?;
    let post = articles::get(state.db(), c.post_id)
        .await?
        .ok_or_else(invalid_id)?;
    if !moderates(state, actor, &post).await? {
        return Err(Rest::new(StatusCode::FORBIDDEN, code, message));
    }
    Ok((actor.clone(), c))
}

/// POST/PUT/PATCH /wp/v2/comments/{id}: moderate (`status`) or correct (`content`) a comment.
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let (actor, c) = for_moderation(
        &state,
        caller.as_ref(),
        &id,
        "rest_cannot_edit",
        "Sorry, you are not allowed to edit this comment.",
    )
    .await?;
    let body = read_body(&headers, &bytes)?;
    if let Some(wanted) = body["status"].as_str() {
        let action = match status_from_wordpress(wanted) {
            Some(comment::status::APPROVED) => Moderation::Approve,
            Some(comment::status::PENDING) => Moderation::Unapprove,
            Some(comment::status::SPAM) => Moderation::Spam,
            Some(_) => Moderation::Trash,
            None => {
                return Err(Rest::invalid_param(
                    "status",
                    &format!("status is not one of approved, hold, spam, trash ({wanted})."),
                ));
            }
        };
        actions::comment::moderate_comment(state.db(), &actor, c.id, action).await?;
    }
    if let Some(content) = text(&body, "content") {
        match actions::comment::edit_comment(state.db(), &actor, c.id, &content).await {
            Err(Error::Unprocessable(why)) => {
                return Err(Rest::new(
                    StatusCode::BAD_REQUEST,
                    "rest_comment_content_invalid",
                    why,
                ));
            }
            other => other?,
        };
    }
    let c = comment::get(state.db(), c.id)
        .await?
        .ok_or_else(invalid_id)?;
    let mut items = shape_all(&state, std::slice::from_ref(&c), true).await?;
    Ok(json_answer(items.remove(0), &HashMap::new()))
}

/// DELETE /wp/v2/comments/{id}: to the trash, or for good with `force=true`.
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let (actor, c) = for_moderation(
        &state,
        caller.as_ref(),
        &id,
        "rest_cannot_delete",
        "Sorry, you are not allowed to delete this comment.",
    )
    .await?;
    let previous = shape_all(&state, std::slice::from_ref(&c), true)
        .await?
        .remove(0);
    if super::forced(&q, &headers, &bytes) {
        actions::comment::delete_comment(state.db(), &actor, c.id).await?;
        return Ok(super::deleted(previous));
    }
    if c.status == comment::status::TRASH {
        return Err(Rest::new(
            StatusCode::GONE,
            "rest_already_trashed",
            "The comment has already been trashed.",
        ));
    }
    actions::comment::moderate_comment(state.db(), &actor, c.id, Moderation::Trash).await?;
    let c = comment::get(state.db(), c.id)
        .await?
        .ok_or_else(invalid_id)?;
    let mut items = shape_all(&state, std::slice::from_ref(&c), true).await?;
    Ok(json_answer(items.remove(0), &HashMap::new()))
}
