//! The article and page lists: status tabs with counts, search by headline, filters by author and
//! section, sorting, pages of 20, and bulk or row actions (publish, trash, restore, delete).

use std::collections::HashMap;

use axum::extract::{Query, State};

use crate::http::PathParam;
use axum::response::Response;
use serde::Serialize;

use crate::actions::article as edit;
use crate::actions::capability::{self, Cap, PostFacts};
use crate::app::AppState;
use crate::db::article::{self as articles, AdminFilter, Order, status};
use crate::db::{term, user};
use crate::error::{Error, Result};
use crate::http::admin::form::Posted;
use crate::http::admin::page::{page_number, render, see_other, shell};
use crate::http::admin::session::Staff;
use crate::http::site::gather::Related;
use crate::render::admin::{OptionView, TabView};
use crate::render::views::DateView;

/// Rows on one page of the list.
pub const PER_PAGE: i64 = 20;

/// One article in the list.
#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    title: String,
    status: String,
    status_label: String,
    edit_url: Option<String>,
    view_url: Option<String>,
    authors: String,
    sections: String,
    comments: i64,
    date_label: String,
    date: DateView,
    can_trash: bool,
    can_restore: bool,
    can_publish: bool,
}

/// What a status is called in the admin.
pub fn status_label(s: &str) -> &'static str {
    match s {
        status::PUBLISHED => "Published",
        status::SCHEDULED => "Scheduled",
        status::DRAFT => "Draft",
        status::PENDING => "Waiting for review",
        status::PRIVATE => "Private",
        status::TRASH => "Trash",
        _ => "Unknown",
    }
}

/// `GET /admin/posts`.
pub async fn list_posts(
    state: State<AppState>,
    staff: Staff,
    query: Query<HashMap<String, String>>,
) -> Result<Response> {
    list(state, staff, query, articles::POST).await
}

/// `GET /admin/pages`.
pub async fn list_pages(
    state: State<AppState>,
    staff: Staff,
    query: Query<HashMap<String, String>>,
) -> Result<Response> {
    list(state, staff, query, articles::PAGE).await
}

fn list_url(base: &str, q: &HashMap<String, String>, change: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = q
        .iter()
        .filter(|(k, v)| {
            !v.is_empty() && *k != "done" && *k != "n" && !change.iter().any(|(c, _)| c == k)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    pairs.extend(
        change
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    pairs.sort();
    if pairs.is_empty() {
        return base.to_string();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{base}?{query}")
}

async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
    kind: &'static str,
) -> Result<Response> {
    let (base, needed) = if kind == articles::PAGE {
        ("/admin/pages", Cap::EditPages)
    } else {
        ("/admin/posts", Cap::EditPosts)
    };
    staff.actor.require(needed, "see this list")?;
    let shell = shell(&state, &staff, base, &q).await?;
    let site = state.site();
    let db = state.db();
    let actor = &staff.actor;
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    let tab = get("status");
    let page = page_number(&q);
    let categories = term::all(db, term::CATEGORY).await?;
    let mut filter = AdminFilter {
        kind: kind.into(),
        status: status::ALL.contains(&tab).then(|| tab.to_string()),
        author: if tab == "mine" {
            Some(staff.user.id)
        } else {
            get("author").parse().ok()
        },
        term_ids: get("category")
            .parse::<i64>()
            .map(|c| term::descendants(&categories, c))
            .unwrap_or_default(),
        search: get("s").chars().take(200).collect(),
        order: match get("orderby") {
            "title" => Order::Title,
            "modified" => Order::Modified,
            _ => Order::Date,
        },
        ascending: get("order") == "asc",
        private_visible_to: (!actor.can(Cap::ReadPrivatePosts)).then_some(staff.user.id),
        offset: (i64::from(page) - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    if filter.order == Order::Title && get("order").is_empty() {
        filter.ascending = true;
    }
    let (rows, total) = articles::admin_list(db, &filter).await?;
    let related = Related::load(&state, &rows).await?;
    let extras = related.extras();
    let mut list = Vec::new();
    for a in &rows {
        let author_ids: Vec<i64> = extras
            .authors
            .get(&a.id)
            .map(|us| us.iter().map(|u| u.id).collect())
            .unwrap_or_default();
        let facts = PostFacts::of(a, author_ids);
        let can_edit = capability::can_edit(actor, &facts);
        let can_delete = capability::can_delete(actor, &facts);
        let (date_label, at) = match (a.status.as_str(), a.published_at) {
            (status::PUBLISHED, Some(p)) => ("Published", p),
            (status::SCHEDULED, Some(p)) => ("Scheduled for", p),
            _ => ("Last modified", a.modified_at),
        };
        list.push(Row {
            id: a.id,
            title: if a.title.is_empty() {
                "(no headline)".into()
            } else {
                a.title.clone()
            },
            status: a.status.clone(),
            status_label: status_label(&a.status).into(),
            edit_url: can_edit.then(|| format!("/admin/posts/{}", a.id)),
            view_url: (a.status == status::PUBLISHED).then(|| extras.path_of(&site, a)),
            authors: extras
                .authors
                .get(&a.id)
                .map(|us| {
                    us.iter()
                        .map(|u| u.display_name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            sections: extras
                .terms
                .get(&a.id)
                .map(|ts| {
                    ts.iter()
                        .filter(|t| t.taxonomy == term::CATEGORY)
                        .map(|t| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            comments: extras.comment_counts.get(&a.id).copied().unwrap_or(0),
            date_label: date_label.into(),
            date: DateView::with_time(&site, at),
            can_trash: can_delete && a.status != status::TRASH,
            can_restore: can_delete && a.status == status::TRASH,
            can_publish: can_edit
                && capability::can_publish(actor, kind)
                && (a.status == status::DRAFT || a.status == status::PENDING),
        });
    }
    let counts: HashMap<String, i64> = articles::counts_by_status(db, kind)
        .await?
        .into_iter()
        .collect();
    let all: i64 = counts
        .iter()
        .filter(|(s, _)| s.as_str() != status::TRASH)
        .map(|(_, n)| n)
        .sum();
    let mine = articles::admin_list(
        db,
        &AdminFilter {
            kind: kind.into(),
            author: Some(staff.user.id),
            limit: 1,
            ..Default::default()
        },
    )
    .await?
    .1;
    let mut tabs = vec![TabView {
        label: "All".into(),
        url: list_url(base, &HashMap::new(), &[]),
        count: all,
        current: tab.is_empty() || tab == "all",
    }];
    if kind == articles::POST {
        tabs.push(TabView {
            label: "Mine".into(),
            url: list_url(base, &HashMap::new(), &[("status", "mine")]),
            count: mine,
            current: tab == "mine",
        });
    }
    for s in [
        status::PUBLISHED,
        status::SCHEDULED,
        status::DRAFT,
        status::PENDING,
        status::PRIVATE,
        status::TRASH,
    ] {
        let n = counts.get(s).copied().unwrap_or(0);
        if n > 0 || tab == s {
            tabs.push(TabView {
                label: status_label(s).into(),
                url: list_url(base, &HashMap::new(), &[("status", s)]),
                count: n,
                current: tab == s,
            });
        }
    }
    let authors: Vec<OptionView> = user::writers(db)
        .await?
        .into_iter()
        .map(|u| OptionView::new(u.id, u.display_name, get("author") == u.id.to_string()))
        .collect();
    let sections = category_options(&categories, &[get("category").parse().unwrap_or(0)]);
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let page_s = page.to_string();
    let ctx = minijinja::context! {
        shell,
        title => if kind == articles::PAGE { "Pages" } else { "Articles" },
        kind,
        base,
        new_url => if kind == articles::PAGE { "/admin/pages/new" } else { "/admin/posts/new" },
        rows => list,
        total,
        tabs,
        authors,
        sections,
        s => get("s"),
        status => tab,
        orderby => get("orderby"),
        order => get("order"),
        in_trash => tab == status::TRASH,
        page => page,
        pages,
        newer_url => (page > 1).then(|| list_url(base, &q, &[("paged", &(page - 1).to_string())])),
        older_url => (i64::from(page) < pages).then(|| list_url(base, &q, &[("paged", &(page + 1).to_string())])),
        sort_title_url => list_url(base, &q, &[("orderby", "title"), ("order", if get("orderby") == "title" && get("order") != "desc" { "desc" } else { "asc" }), ("paged", "")]),
        sort_date_url => list_url(base, &q, &[("orderby", "date"), ("order", if get("orderby") != "title" && get("orderby") != "modified" && get("order") != "asc" { "asc" } else { "desc" }), ("paged", "")]),
        back => list_url(base, &q, &[("paged", &page_s)]),
    };
    render(&state, "admin/posts.html", ctx)
}

/// The sections as nested options, those in `chosen` selected.
pub fn category_options(categories: &[term::Term], chosen: &[i64]) -> Vec<OptionView> {
    let mut out = Vec::new();
    fn walk(
        all: &[term::Term],
        parent: Option<i64>,
        depth: usize,
        chosen: &[i64],
        out: &mut Vec<OptionView>,
    ) {
        for t in all.iter().filter(|t| t.parent_id == parent) {
            // Bad data could hold a cycle; a level deeper than any real tree stops it.
            if depth > 20 {
                return;
            }
            out.push(OptionView {
                value: t.id.to_string(),
                label: t.name.clone(),
                selected: chosen.contains(&t.id),
                depth,
            });
            walk(all, Some(t.id), depth + 1, chosen, out);
        }
    }
    walk(categories, None, 0, chosen, &mut out);
    out
}

/// Where to return after an action: an admin list URL sent with the form, or the list.
fn back_to(fields: &crate::http::admin::form::Fields, fallback: &str) -> String {
    let back = fields.get("back");
    if back.starts_with("/admin/") && !back.contains("//") {
        back.to_string()
    } else {
        fallback.to_string()
    }
}

fn with_done(path: &str, done: &str, n: usize) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={done}&n={n}")
}

async fn act(state: &AppState, staff: &Staff, id: i64, action: &str) -> Result<&'static str> {
    let db = state.db();
    let actor = &staff.actor;
    match action {
        "trash" => edit::trash(db, actor, id).await.map(|_| "trashed"),
        "restore" => edit::restore(db, actor, id).await.map(|_| "restored"),
        "delete" => edit::delete(db, actor, id).await.map(|_| "deleted"),
        "publish" => edit::publish(db, actor, id).await.map(|_| "published-bulk"),
        _ => Err(Error::NotFound),
    }
}

/// `POST /admin/posts/{id}/{action}`: one article's trash, restore, delete or publish.
pub async fn post_row_action(
    State(state): State<AppState>,
    PathParam((id, action)): PathParam<(i64, String)>,
    form: Posted,
) -> Result<Response> {
    let done = act(&state, &form.staff, id, &action).await?;
    Ok(see_other(&with_done(
        &back_to(&form.fields, "/admin/posts"),
        done,
        1,
    )))
}

/// `POST /admin/posts/bulk`: the chosen action on every ticked article (each checked on its own).
pub async fn post_bulk(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let action = form.fields.get("action").to_string();
    let ids = form.fields.ids("post");
    let back = back_to(&form.fields, "/admin/posts");
    if ids.is_empty() || action.is_empty() {
        return Ok(see_other(&back));
    }
    let mut done = "";
    for id in &ids {
        done = act(&state, &form.staff, *id, &action).await?;
    }
    Ok(see_other(&with_done(&back, done, ids.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_urls_keep_filters_and_drop_notices() {
        let q: HashMap<String, String> = [
            ("status".to_string(), "draft".to_string()),
            ("done".to_string(), "saved".to_string()),
            ("s".to_string(), "kyiv talks".to_string()),
        ]
        .into();
        assert_eq!(
            list_url("/admin/posts", &q, &[("paged", "2")]),
            "/admin/posts?paged=2&s=kyiv+talks&status=draft"
        );
        assert_eq!(
            list_url("/admin/posts", &HashMap::new(), &[]),
            "/admin/posts"
        );
    }
}
