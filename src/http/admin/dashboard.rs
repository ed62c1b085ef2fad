//! The dashboard: what waits for this person (their drafts, articles to review, comments to
//! moderate), what is scheduled, and what happened lately.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Serialize;

use crate::actions::capability::Cap;
use crate::app::AppState;
use crate::db::article::{self as articles, AdminFilter, Order, status};
use crate::db::{activity, comment};
use crate::error::Result;
use crate::http::admin::activity::{ActivityRow, row_of_activity};
use crate::http::admin::page::{render, shell};
use crate::http::admin::session::Staff;
use crate::render::Site;
use crate::render::views::DateView;

/// An article in a dashboard box.
#[derive(Debug, Serialize)]
struct Item {
    title: String,
    url: String,
    when: DateView,
}

#[derive(Debug, Serialize)]
struct Glance {
    label: String,
    count: i64,
    url: String,
}

async fn items(state: &AppState, site: &Site, filter: AdminFilter) -> Result<Vec<Item>> {
    let (rows, _) = articles::admin_list(state.db(), &filter).await?;
    Ok(rows
        .into_iter()
        .map(|a| Item {
            title: if a.title.is_empty() {
                "(no headline)".into()
            } else {
                a.title.clone()
            },
            url: format!("/admin/posts/{}", a.id),
            when: DateView::with_time(site, a.published_at.unwrap_or(a.modified_at)),
        })
        .collect())
}

/// `GET /admin/`.
pub async fn show_dashboard(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let shell = shell(&state, &staff, "/admin/", &q).await?;
    let site = state.site();
    let db = state.db();
    let me = staff.user.id;
    let can_write = staff.actor.can(Cap::EditPosts);
    let base = AdminFilter {
        kind: articles::POST.into(),
        limit: 6,
        order: Order::Modified,
        ..Default::default()
    };
    let mine = if can_write {
        items(
            &state,
            &site,
            AdminFilter {
                status: Some(status::DRAFT.into()),
                author: Some(me),
                ..base.clone()
            },
        )
        .await?
    } else {
        Vec::new()
    };
    let review = if staff.actor.can(Cap::EditOthersPosts) {
        items(
            &state,
            &site,
            AdminFilter {
                status: Some(status::PENDING.into()),
                ..base.clone()
            },
        )
        .await?
    } else {
        Vec::new()
    };
    let scheduled = if can_write {
        items(
            &state,
            &site,
            AdminFilter {
                status: Some(status::SCHEDULED.into()),
                order: Order::Date,
                ascending: true,
                ..base.clone()
            },
        )
        .await?
    } else {
        Vec::new()
    };
    let counts: HashMap<String, i64> = articles::counts_by_status(db, articles::POST)
        .await?
        .into_iter()
        .collect();
    let count = |s: &str| counts.get(s).copied().unwrap_or(0);
    let mut glance = Vec::new();
    if can_write {
        for (label, key) in [
            ("Published", status::PUBLISHED),
            ("Scheduled", status::SCHEDULED),
            ("Waiting for review", status::PENDING),
            ("Drafts", status::DRAFT),
        ] {
            glance.push(Glance {
                label: label.into(),
                count: count(key),
                url: format!("/admin/posts?status={key}"),
            });
        }
    }
    if staff.actor.can(Cap::ModerateComments) {
        glance.push(Glance {
            label: "Comments to moderate".into(),
            count: comment::count(db, comment::status::PENDING).await?,
            url: "/admin/comments?status=pending".into(),
        });
    }
    let recent: Vec<ActivityRow> = if staff.actor.can(Cap::ViewActivity) {
        activity::list(db, None, None, 0, 8)
            .await?
            .iter()
            .map(|e| row_of_activity(&site, e))
            .collect()
    } else {
        Vec::new()
    };
    // How the page cache is doing, for the person who runs the site.
    let cache = staff.actor.can(Cap::ManageOptions).then(|| {
        let s = state.page_cache().stats();
        minijinja::context! {
            on => state.page_cache().is_on(),
            entries => s.entries,
            megabytes => format!("{:.1}", s.bytes as f64 / 1_048_576.0),
            capacity => format!("{:.0}", s.capacity as f64 / 1_048_576.0),
            hits => s.hits,
            misses => s.misses,
            passes => s.passes,
            hit_ratio => format!("{:.1}", s.hit_ratio() * 100.0),
            invalidated => s.invalidated,
            cleared => s.cleared,
        }
    });
    let can_manage = staff.actor.can(Cap::ManageOptions);
    let last_backup = if can_manage {
        crate::http::admin::settings::last_backup(&state, &site).await?
    } else {
        None
    };
    let ctx = minijinja::context! {
        shell, glance, mine, review, scheduled, recent, can_write, cache, can_manage, last_backup,
        title => "Dashboard",
    };
    render(&state, "admin/dashboard.html", ctx)
}
