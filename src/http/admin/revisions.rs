//! An article's revisions: the list, a diff between any two, and restoring one.

use std::collections::HashMap;

use axum::extract::{Query, State};

use crate::http::PathParam;
use axum::response::Response;
use serde::Serialize;

use crate::actions::article as edit;
use crate::app::AppState;
use crate::content::diff::{self, Line};
use crate::db::revision::{self, Revision};
use crate::error::Result;
use crate::http::admin::form::Posted;
use crate::http::admin::page::{render, see_other, shell};
use crate::http::admin::session::Staff;
use crate::render::views::DateView;

#[derive(Debug, Serialize)]
struct RevisionRow {
    id: i64,
    when: String,
    who: String,
    title: String,
    is_from: bool,
    is_to: bool,
    current: bool,
}

#[derive(Debug, Serialize)]
struct Compare {
    from_label: String,
    to_label: String,
    title: Vec<Line>,
    excerpt: Vec<Line>,
    body: Vec<Line>,
    source: Vec<Line>,
    image: Vec<Line>,
    same: bool,
}

fn label(site: &crate::render::Site, r: &Revision) -> String {
    format!(
        "{} by {}",
        DateView::with_time(site, r.created_at).display,
        r.user_name.as_deref().unwrap_or("someone")
    )
}

/// `GET /admin/posts/{id}/revisions?from=&to=`: newest first; by default the newest against the one before.
pub async fn show_revisions(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let (a, _) = edit::editable(state.db(), &staff.actor, id).await?;
    let shell = shell(&state, &staff, "/admin/posts", &q).await?;
    let site = state.site();
    let list = revision::of_post(state.db(), id).await?;
    let pick = |key: &str, default: Option<&Revision>| {
        q.get(key)
            .and_then(|v| v.parse::<i64>().ok())
            .and_then(|rid| list.iter().find(|r| r.id == rid))
            .or(default)
            .map(|r| r.id)
    };
    let to = pick("to", list.first());
    let from = pick("from", list.get(1));
    let find = |rid: Option<i64>| rid.and_then(|rid| list.iter().find(|r| r.id == rid));
    let compare = match (find(from), find(to)) {
        (Some(f), Some(t)) => {
            let (fs, ts) = (&f.snapshot, &t.snapshot);
            let body = diff::lines(&fs.body_source, &ts.body_source, 3);
            let title = diff::lines(&fs.title, &ts.title, 0);
            let excerpt = diff::lines(&fs.custom_excerpt, &ts.custom_excerpt, 0);
            let source = diff::lines(
                &format!("{} {}", fs.source_name, fs.source_url),
                &format!("{} {}", ts.source_name, ts.source_url),
                0,
            );
            let image = diff::lines(
                &format!("{} ({})", fs.featured_image_url, fs.featured_image_alt),
                &format!("{} ({})", ts.featured_image_url, ts.featured_image_alt),
                0,
            );
            let same = body.is_empty()
                && title.is_empty()
                && excerpt.is_empty()
                && source.is_empty()
                && image.is_empty();
            Some(Compare {
                from_label: label(&site, f),
                to_label: label(&site, t),
                title,
                excerpt,
                body,
                source,
                image,
                same,
            })
        }
        _ => None,
    };
    let rows: Vec<RevisionRow> = list
        .iter()
        .enumerate()
        .map(|(i, r)| RevisionRow {
            id: r.id,
            when: DateView::with_time(&site, r.created_at).display,
            who: r.user_name.clone().unwrap_or_else(|| "someone".into()),
            title: r.snapshot.title.clone(),
            is_from: Some(r.id) == from,
            is_to: Some(r.id) == to,
            current: i == 0,
        })
        .collect();
    let ctx = minijinja::context! {
        shell,
        title => format!("Revisions of “{}”", a.title),
        article_id => id,
        article_title => a.title,
        rows,
        compare,
    };
    render(&state, "admin/revisions.html", ctx)
}

/// `POST /admin/posts/{id}/revisions/{revision}/restore`.
pub async fn restore_revision(
    State(state): State<AppState>,
    PathParam((id, revision)): PathParam<(i64, i64)>,
    form: Posted,
) -> Result<Response> {
    edit::restore_revision(state.db(), &form.staff.actor, id, revision).await?;
    Ok(see_other(&format!(
        "/admin/posts/{id}?done=restored-revision"
    )))
}
