//! The activity log, for administrators: who published, edited, trashed, changed a role or a
//! setting, signed in, and when; filtered by person or action.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Serialize;

use crate::actions::capability::Cap;
use crate::app::AppState;
use crate::db::activity::{self, Entry};
use crate::db::user;
use crate::error::Result;
use crate::http::admin::page::{page_number, render, shell};
use crate::http::admin::session::Staff;
use crate::render::Site;
use crate::render::admin::OptionView;
use crate::render::views::DateView;

/// Entries on one page.
const PER_PAGE: i64 = 50;

/// One line of the log.
#[derive(Debug, Serialize)]
pub struct ActivityRow {
    pub when: String,
    pub iso: String,
    pub who: String,
    pub action: String,
    pub object: String,
    pub object_url: Option<String>,
    pub summary: String,
    pub ip: String,
}

/// A log entry as the page shows it.
pub fn row_of_activity(site: &Site, e: &Entry) -> ActivityRow {
    let date = DateView::with_time(site, e.at);
    let object_url = match (e.object_kind.as_str(), e.object_id) {
        ("post" | "page", Some(id)) => Some(format!("/admin/posts/{id}")),
        ("user", Some(id)) => Some(format!("/admin/users/{id}")),
        ("category" | "tag", Some(id)) => Some(format!("/admin/terms/{id}")),
        _ => None,
    };
    ActivityRow {
        when: date.display,
        iso: date.iso,
        who: if e.user_name.is_empty() {
            "someone".into()
        } else {
            e.user_name.clone()
        },
        action: e.action.clone(),
        object: match (e.object_kind.as_str(), e.object_id) {
            ("", _) => String::new(),
            (kind, Some(id)) => format!("{kind} {id}"),
            (kind, None) => kind.to_string(),
        },
        object_url,
        summary: e.summary.clone(),
        ip: e.ip.clone(),
    }
}

/// `GET /admin/activity?user=&action=&paged=`.
pub async fn show_activity(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    staff
        .actor
        .require(Cap::ViewActivity, "read the activity log")?;
    let shell = shell(&state, &staff, "/admin/activity", &q).await?;
    let site = state.site();
    let user_id: Option<i64> = q.get("user").and_then(|u| u.parse().ok());
    let action = q.get("action").filter(|a| !a.is_empty()).cloned();
    let page = page_number(&q);
    let entries = activity::list(
        state.db(),
        user_id,
        action.as_deref(),
        (i64::from(page) - 1) * PER_PAGE,
        PER_PAGE + 1,
    )
    .await?;
    let more = entries.len() as i64 > PER_PAGE;
    let rows: Vec<ActivityRow> = entries
        .iter()
        .take(PER_PAGE as usize)
        .map(|e| row_of_activity(&site, e))
        .collect();
    let users: Vec<OptionView> = user::list_with_counts(state.db())
        .await?
        .into_iter()
        .map(|(u, _)| OptionView::new(u.id, u.display_name, Some(u.id) == user_id))
        .collect();
    let actions: Vec<OptionView> = activity::actions(state.db())
        .await?
        .into_iter()
        .map(|a| OptionView::new(&a, a.clone(), Some(&a) == action.as_ref()))
        .collect();
    let link = |p: u32| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("user", &user_id.map(|u| u.to_string()).unwrap_or_default())
            .append_pair("action", action.as_deref().unwrap_or_default())
            .append_pair("paged", &p.to_string())
            .finish();
        format!("/admin/activity?{query}")
    };
    let ctx = minijinja::context! {
        shell,
        title => "Activity",
        rows,
        users,
        actions,
        newer_url => (page > 1).then(|| link(page - 1)),
        older_url => more.then(|| link(page + 1)),
        page,
    };
    render(&state, "admin/activity.html", ctx)
}
