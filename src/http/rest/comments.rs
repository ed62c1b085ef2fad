//! `/wp/v2/comments`: approved comments of published articles, without the commenter's email or
//! IP (the promise of the comment form).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Answer, Paging, Rest, ascending, base, dates, href, ids, json_answer};
use crate::app::AppState;
use crate::content::sanitize;
use crate::db::comment::{self, Comment};
use crate::db::{self, article as articles};
use crate::http::site::gather;

async fn shape_all(state: &AppState, rows: &[Comment]) -> Result<Vec<Value>, Rest> {
    let site = state.site();
    let base = base(state);
    let mut post_ids: Vec<i64> = rows.iter().map(|c| c.post_id).collect();
    post_ids.sort_unstable();
    post_ids.dedup();
    let posts = articles::by_ids(state.db(), &post_ids).await?;
    let related = gather::Related::load(state, &posts).await?;
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
            json!({
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
                "status": "approved",
                "type": "comment",
                "author_avatar_urls": { "24": avatar, "48": avatar, "96": avatar },
                "meta": [],
                "_links": links,
            })
        })
        .collect())
}

/// GET /wp/v2/comments
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let paging = Paging::read(&q)?;
    if let Some(s) = q
        .get("status")
        .filter(|s| s.as_str() != "approve" && s.as_str() != "approved")
    {
        return Err(Rest::new(
            StatusCode::UNAUTHORIZED,
            "rest_forbidden_param",
            format!("Query parameter not permitted: status ({s})."),
        ));
    }
    let posts = ids(&q, "post")?;
    let (rows, total) = db::rest::comments(
        state.db(),
        &posts,
        paging.offset,
        paging.per_page,
        ascending(&q)?,
    )
    .await?;
    let items = shape_all(&state, &rows).await?;
    paging.answer(Value::Array(items), total, "comments", &base(&state), &q)
}

/// GET /wp/v2/comments/{id}
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let invalid = || {
        Rest::new(
            StatusCode::NOT_FOUND,
            "rest_comment_invalid_id",
            "Invalid comment ID.",
        )
    };
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let c = comment::get(state.db(), id)
        .await?
        .filter(|c| c.status == comment::status::APPROVED)
        .ok_or_else(invalid)?;
    let post = articles::get(state.db(), c.post_id)
        .await?
        .filter(|a| a.is_live(db::now()) && a.password.is_empty())
        .ok_or_else(invalid)?;
    let _ = post;
    let mut items = shape_all(&state, std::slice::from_ref(&c)).await?;
    Ok(json_answer(items.remove(0), &q))
}

/// POST /wp/v2/comments: WordPress refuses anonymous comments over the API by default; the
/// comment form (`/wp-comments-post.php`) is where readers comment.
pub async fn create() -> Rest {
    Rest::new(
        StatusCode::UNAUTHORIZED,
        "rest_comment_login_required",
        "Sorry, you must be logged in to comment.",
    )
}
