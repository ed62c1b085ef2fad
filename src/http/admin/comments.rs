//! The moderation queue: comments by status with counts and the rule that decided each one's
//! status; approve, unapprove, spam, trash, delete, edit and reply as staff, one by one or in bulk.

use std::collections::HashMap;

use axum::extract::{Query, State};

use crate::http::PathParam;
use axum::response::Response;
use serde::Serialize;

use crate::actions::capability::Cap;
use crate::actions::comment::{self as moderation, Moderation};
use crate::app::AppState;
use crate::content::sanitize;
use crate::db::comment::{self, status};
use crate::error::{Error, Result};
use crate::http::admin::form::{Fields, Posted};
use crate::http::admin::page::{page_number, render, see_other, shell};
use crate::http::admin::session::Staff;
use crate::render::admin::TabView;
use crate::render::views::DateView;

/// Comments on one page of the queue.
const PER_PAGE: i64 = 20;

#[derive(Debug, Serialize)]
struct CommentRow {
    id: i64,
    author: String,
    email: String,
    url: String,
    ip: String,
    content: String,
    content_html: String,
    status: String,
    reason: String,
    date: String,
    post_title: String,
    post_edit_url: String,
    is_reply: bool,
    by_staff: bool,
}

/// `GET /admin/comments`.
pub async fn list_comments(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let everyone = staff.actor.can(Cap::ModerateComments);
    if !everyone && !staff.actor.can(Cap::EditPublishedPosts) {
        return Err(crate::actions::capability::not_allowed("moderate comments"));
    }
    let shell = shell(&state, &staff, "/admin/comments", &q).await?;
    let site = state.site();
    let current = q
        .get("status")
        .map(String::as_str)
        .filter(|s| status::ALL.contains(s))
        .unwrap_or("all");
    let search: String = q
        .get("s")
        .map(|s| s.chars().take(200).collect())
        .unwrap_or_default();
    let page = page_number(&q);
    // Authors see the comments on their own articles; editors see every one.
    let owner = (!everyone).then_some(staff.user.id);
    let (rows, total) = comment::queue(
        state.db(),
        current,
        &search,
        owner,
        (i64::from(page) - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    let rows: Vec<CommentRow> = rows
        .into_iter()
        .map(|qc| {
            let c = qc.comment;
            CommentRow {
                id: c.id,
                content_html: sanitize::comment_html(&c.content),
                content: c.content,
                author: c.author_name,
                email: c.author_email,
                url: c.author_url,
                ip: c.author_ip,
                status: c.status,
                reason: c.reason,
                date: DateView::with_time(&site, c.created_at).display,
                post_title: qc.post_title,
                post_edit_url: format!("/admin/posts/{}", c.post_id),
                is_reply: c.parent_id.is_some(),
                by_staff: c.user_id.is_some(),
            }
        })
        .collect();
    let mut tabs = Vec::new();
    for (key, label) in [
        ("all", "All"),
        (status::PENDING, "Pending"),
        (status::APPROVED, "Approved"),
        (status::SPAM, "Spam"),
        (status::TRASH, "Trash"),
    ] {
        let count = comment::queue(state.db(), key, "", owner, 0, 0).await?.1;
        tabs.push(TabView {
            label: label.into(),
            url: if key == "all" {
                "/admin/comments".into()
            } else {
                format!("/admin/comments?status={key}")
            },
            count,
            current: key == current,
        });
    }
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let link = |p: u32| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("status", current)
            .append_pair("s", &search)
            .append_pair("paged", &p.to_string())
            .finish();
        format!("/admin/comments?{query}")
    };
    let back = link(page);
    let ctx = minijinja::context! {
        shell,
        title => "Comments",
        rows,
        tabs,
        status => current,
        s => search.clone(),
        total,
        page,
        pages,
        newer_url => (page > 1).then(|| link(page - 1)),
        older_url => (i64::from(page) < pages).then(|| link(page + 1)),
        back,
    };
    render(&state, "admin/comments.html", ctx)
}

fn back_to(fields: &Fields) -> String {
    let back = fields.get("back");
    if back.starts_with("/admin/comments") && !back.contains("//") {
        back.to_string()
    } else {
        "/admin/comments".into()
    }
}

fn done(path: &str, code: &str, n: usize) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={code}&n={n}")
}

async fn apply(state: &AppState, staff: &Staff, id: i64, action: &str) -> Result<()> {
    let db = state.db();
    let found = match (action, Moderation::parse(action)) {
        ("delete", _) => moderation::delete_comment(db, &staff.actor, id).await?,
        (_, Some(m)) => moderation::moderate_comment(db, &staff.actor, id, m).await?,
        _ => return Err(Error::NotFound),
    };
    if found { Ok(()) } else { Err(Error::NotFound) }
}

/// `POST /admin/comments/{id}/{action}`: approve, unapprove, spam, trash or delete.
pub async fn moderate(
    State(state): State<AppState>,
    PathParam((id, action)): PathParam<(i64, String)>,
    form: Posted,
) -> Result<Response> {
    apply(&state, &form.staff, id, &action).await?;
    Ok(see_other(&done(&back_to(&form.fields), "comments", 1)))
}

/// `POST /admin/comments/bulk`.
pub async fn post_bulk(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let action = form.fields.get("action").to_string();
    let ids = form.fields.ids("comment");
    let back = back_to(&form.fields);
    if ids.is_empty() || action.is_empty() {
        return Ok(see_other(&back));
    }
    for id in &ids {
        apply(&state, &form.staff, *id, &action).await?;
    }
    Ok(see_other(&done(&back, "comments", ids.len())))
}

/// `POST /admin/comments/{id}/edit`.
pub async fn edit_comment(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    if !moderation::edit_comment(
        state.db(),
        &form.staff.actor,
        id,
        form.fields.get("content"),
    )
    .await?
    {
        return Err(Error::NotFound);
    }
    Ok(see_other(&format!(
        "{}#comment-{id}",
        done(&back_to(&form.fields), "comment-edited", 1)
    )))
}

/// `POST /admin/comments/{id}/reply`: published at once, as the signed-in person.
pub async fn reply_comment(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    moderation::reply_as_staff(
        state.db(),
        &form.staff.actor,
        id,
        form.fields.get("content"),
    )
    .await?;
    Ok(see_other(&done(&back_to(&form.fields), "replied", 1)))
}
