//! `/wp/v2/settings`: the site's settings in WordPress's names, read and changed by those who
//! manage options, through the admin's own checks.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::auth::{self, Caller};
use super::{Answer, Rest, base, json_answer, read_body};
use crate::actions;
use crate::actions::capability::{Actor, Cap};
use crate::app::AppState;
use crate::db::setting::{self, Settings};

/// WordPress's setting names that are Newsroom's settings, and the name each is stored under.
const WRITABLE: [(&str, &str); 7] = [
    ("title", "title"),
    ("description", "tagline"),
    ("timezone", "timezone"),
    ("date_format", "date_format"),
    ("time_format", "time_format"),
    ("posts_per_page", "posts_per_page"),
    ("site_icon", "site_icon"),
];

fn shape(s: &Settings, url: &str) -> Value {
    json!({
        "title": s.title,
        "description": s.tagline,
        "url": url,
        "email": "",
        "timezone": s.timezone,
        "date_format": s.date_format,
        "time_format": s.time_format,
        "start_of_week": 1,
        "language": "en_US",
        "use_smilies": false,
        "default_category": 0,
        "default_post_format": "0",
        "posts_per_page": s.posts_per_page,
        "show_on_front": "posts",
        "page_on_front": 0,
        "page_for_posts": 0,
        "default_ping_status": "closed",
        "default_comment_status": "open",
        "site_logo": null,
        "site_icon": s.site_icon,
    })
}

/// The caller, if they may manage the site's settings.
fn manager(caller: Option<Actor>) -> Result<Actor, Rest> {
    match caller {
        Some(a) if a.can(Cap::ManageOptions) => Ok(a),
        other => Err(Rest::new(
            auth::required_status(other.as_ref()),
            "rest_forbidden",
            "Sorry, you are not allowed to do that.",
        )),
    }
}

/// GET /wp/v2/settings
pub async fn read(State(state): State<AppState>, Caller(caller): Caller) -> Answer {
    manager(caller)?;
    let s = setting::load(state.db()).await?;
    Ok(json_answer(shape(&s, &base(&state)), &HashMap::new()))
}

/// POST/PUT/PATCH /wp/v2/settings: change the settings sent; the others stay.
pub async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let actor = manager(caller)?;
    let body = read_body(&headers, &bytes)?;
    let mut values = Vec::new();
    for (wp, ours) in WRITABLE {
        match &body[wp] {
            Value::Null => {}
            Value::String(v) => values.push((ours.to_string(), v.clone())),
            Value::Number(n) => values.push((ours.to_string(), n.to_string())),
            _ => {
                return Err(Rest::invalid_param(
                    wp,
                    &format!("{wp} is not of type string."),
                ));
            }
        }
    }
    if let Err(errors) = actions::settings::save(state.db(), &actor, &values, &[]).await? {
        let (field, why) = errors
            .into_iter()
            .next()
            .unwrap_or(("title", "Invalid.".into()));
        let wp = WRITABLE
            .iter()
            .find(|(_, ours)| *ours == field)
            .map_or(field, |(wp, _)| wp);
        return Err(Rest::invalid_param(wp, &why));
    }
    let s = setting::load(state.db()).await?;
    Ok(json_answer(shape(&s, &base(&state)), &HashMap::new()))
}
