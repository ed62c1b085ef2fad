//! Settings, for administrators: the site (title, tagline, time zone, date format, articles per
//! page, permalinks), discussion (WordPress's comment rules) and security (two-factor by role).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::actions::capability::{Cap, Role};
use crate::actions::settings;
use crate::app::AppState;
use crate::content::dates;
use crate::db::setting::Settings;
use crate::error::Result;
use crate::http::admin::form::Posted;
use crate::http::admin::page::{render_status, see_other, shell};
use crate::http::admin::profile::errors_of;
use crate::http::admin::session::Staff;
use crate::render::admin::{Errors, OptionView, TabView};

/// The tabs and the yes/no settings each one shows (an unticked box sends nothing).
const TABS: [(&str, &str, &[&str]); 4] = [
    ("general", "Site", &["feed_full_content"]),
    (
        "discussion",
        "Discussion",
        &["comment_moderation", "comment_previously_approved"],
    ),
    ("security", "Security", &[]),
    ("backups", "Backups", &[]),
];

/// Permalink structures offered by name, as WordPress offers them.
const STRUCTURES: [(&str, &str); 4] = [
    ("Day and name", "/%year%/%monthnum%/%day%/%postname%/"),
    ("Month and name", "/%year%/%monthnum%/%postname%/"),
    ("Post name", "/%postname%/"),
    ("Section and name", "/%category%/%postname%/"),
];

const DATE_FORMATS: [&str; 5] = ["F j, Y", "j F Y", "Y-m-d", "m/d/Y", "d/m/Y"];
const TIME_FORMATS: [&str; 3] = ["g:i a", "g:i A", "H:i"];

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    example: String,
    selected: bool,
}

fn values_of(s: &Settings) -> HashMap<&'static str, String> {
    HashMap::from([
        ("title", s.title.clone()),
        ("tagline", s.tagline.clone()),
        ("timezone", s.timezone.clone()),
        ("date_format", s.date_format.clone()),
        ("time_format", s.time_format.clone()),
        ("posts_per_page", s.posts_per_page.to_string()),
        ("permalink_structure", s.permalink_structure.clone()),
        ("two_factor_roles", s.two_factor_roles.clone()),
        ("preview_link_days", s.preview_link_days.to_string()),
        (
            "feed_full_content",
            u8::from(s.feed_full_content).to_string(),
        ),
        ("posts_per_feed", s.posts_per_feed.to_string()),
        ("websub_hub", s.websub_hub.clone()),
        (
            "comment_moderation",
            u8::from(s.comment_moderation).to_string(),
        ),
        (
            "comment_previously_approved",
            u8::from(s.comment_previously_approved).to_string(),
        ),
        ("comment_max_links", s.comment_max_links.to_string()),
        ("moderation_keys", s.moderation_keys.clone()),
        ("disallowed_keys", s.disallowed_keys.clone()),
        ("close_comments_days", s.close_comments_days.to_string()),
        ("thread_comments_depth", s.thread_comments_depth.to_string()),
        ("comments_per_page", s.comments_per_page.to_string()),
        ("comment_min_seconds", s.comment_min_seconds.to_string()),
        ("backup_every_hours", s.backup_every_hours.to_string()),
        ("backup_keep", s.backup_keep.to_string()),
    ])
}

async fn page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    tab: &str,
    values: HashMap<String, String>,
    errors: Errors,
    status: StatusCode,
) -> Result<Response> {
    let shell = shell(state, staff, "/admin/settings", q).await?;
    let site = state.site();
    let now = site.local(crate::db::now());
    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    let tabs: Vec<TabView> = TABS
        .iter()
        .map(|(key, label, _)| TabView {
            label: (*label).into(),
            url: format!("/admin/settings?tab={key}"),
            count: 0,
            current: *key == tab,
        })
        .collect();
    let timezones: Vec<OptionView> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            OptionView::new(
                tz.name(),
                tz.name().replace('_', " "),
                tz.name() == value("timezone"),
            )
        })
        .collect();
    let structure = value("permalink_structure");
    let structures: Vec<Choice> = STRUCTURES
        .iter()
        .map(|(label, s)| Choice {
            value: (*s).into(),
            label: (*label).into(),
            example: s
                .replace("%year%", &now.format("%Y").to_string())
                .replace("%monthnum%", &now.format("%m").to_string())
                .replace("%day%", &now.format("%d").to_string())
                .replace("%postname%", "sample-article")
                .replace("%category%", "world"),
            selected: structure == *s,
        })
        .collect();
    let custom_structure = !STRUCTURES.iter().any(|(_, s)| *s == structure);
    let choices = |list: &[&str], current: &str| -> Vec<Choice> {
        list.iter()
            .map(|f| Choice {
                value: (*f).into(),
                label: (*f).into(),
                example: dates::format(&now, f),
                selected: *f == current,
            })
            .collect()
    };
    let date_formats = choices(&DATE_FORMATS, &value("date_format"));
    let time_formats = choices(&TIME_FORMATS, &value("time_format"));
    let chosen_roles = value("two_factor_roles");
    let roles: Vec<OptionView> = Role::ALL
        .iter()
        .rev()
        .map(|r| {
            let chosen = chosen_roles.split(',').any(|c| c.trim() == r.as_str());
            OptionView::new(r.as_str(), r.label(), chosen)
        })
        .collect();
    let ctx = minijinja::context! {
        shell,
        title => "Settings",
        tab,
        tabs,
        values,
        errors,
        timezones,
        structures,
        custom_structure,
        date_formats,
        time_formats,
        roles,
        date_example => dates::format(&now, &value("date_format")),
        last_backup => last_backup(state, &site).await?,
        backup_dir => state.config().backup_dir.display().to_string(),
    };
    render_status(state, status, "admin/settings.html", ctx)
}

/// The latest scheduled backup, as the admin shows it (None before the first).
pub async fn last_backup(
    state: &AppState,
    site: &crate::render::Site,
) -> Result<Option<minijinja::Value>> {
    let run = crate::db::job::latest(state.db(), crate::backup::schedule::JOB).await?;
    Ok(run.and_then(|r| {
        let started = r.started_at?;
        Some(minijinja::context! {
            when => crate::render::views::DateView::with_time(site, started),
            outcome => r.outcome,
            detail => r.detail,
        })
    }))
}

fn tab_of(name: Option<&str>) -> &'static str {
    TABS.iter()
        .map(|(k, _, _)| *k)
        .find(|k| Some(*k) == name)
        .unwrap_or("general")
}

/// `GET /admin/settings?tab=`.
pub async fn show_settings(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    staff
        .actor
        .require(Cap::ManageOptions, "change the site's settings")?;
    let tab = tab_of(q.get("tab").map(String::as_str));
    let values = values_of(&state.site().settings)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    page(
        &state,
        &staff,
        &q,
        tab,
        values,
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/settings`: one tab's values; the site snapshot reloads at once here and within a
/// second on every other node.
pub async fn save_settings(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let tab = tab_of(Some(fields.get("tab")));
    let flags = TABS
        .iter()
        .find(|(k, _, _)| *k == tab)
        .map(|(_, _, f)| *f)
        .unwrap_or_default();
    let mut values: Vec<(String, String)> = fields
        .pairs()
        .iter()
        .filter(|(k, _)| settings::is_editable(k) && k != "two_factor_roles")
        .cloned()
        .collect();
    // A custom permalink structure is typed beside the named ones.
    if fields.get("permalink_structure") == "custom" {
        values.retain(|(k, _)| k != "permalink_structure");
        values.push((
            "permalink_structure".into(),
            fields.get("permalink_custom").into(),
        ));
    }
    if tab == "security" {
        values.push((
            "two_factor_roles".into(),
            fields.all("two_factor_roles").join(","),
        ));
    }
    match settings::save(state.db(), &staff.actor, &values, flags).await? {
        Ok(()) => {
            state.reload_site().await?;
            Ok(see_other(&format!(
                "/admin/settings?tab={tab}&done=settings"
            )))
        }
        Err(errors) => {
            let mut shown: HashMap<String, String> = values_of(&state.site().settings)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            shown.extend(values);
            page(
                &state,
                &staff,
                &HashMap::new(),
                tab,
                shown,
                errors_of(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
