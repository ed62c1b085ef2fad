//! Rendering admin pages: the frame (menu, notices, CSRF token) around each template, the short
//! notices shown after a redirect, and the redirects themselves.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::actions::capability::Cap;
use crate::app::AppState;
use crate::db::comment;
use crate::error::Result;
use crate::http::admin::session::Staff;
use crate::render::admin::ShellView;

/// The frame of a page at `path` for a signed-in person, with the notice named in `?done=`.
pub async fn shell(
    state: &AppState,
    staff: &Staff,
    path: &str,
    query: &HashMap<String, String>,
) -> Result<ShellView> {
    let pending = if staff.actor.can(Cap::ModerateComments) {
        comment::count(state.db(), comment::status::PENDING).await?
    } else {
        0
    };
    let theme = state.theme();
    let mut shell = ShellView::new(
        &state.site(),
        &staff.actor,
        staff.user.id,
        (&staff.csrf, &staff.rest_nonce),
        (theme.asset_url("admin.css"), theme.asset_url("admin.js")),
        path,
        pending,
    );
    shell.notice = query
        .get("done")
        .and_then(|code| notice(code, query.get("n")));
    Ok(shell)
}

/// The sentence a `?done=` code stands for.
pub fn notice(code: &str, count: Option<&String>) -> Option<String> {
    let n = count.and_then(|n| n.parse::<u64>().ok()).unwrap_or(1);
    let items = |one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            format!("{n} {many}")
        }
    };
    Some(match code {
        "saved" => "Saved.".into(),
        "published" => "Published. It is on the site now.".into(),
        "scheduled" => "Scheduled. It will be published at the time you set.".into(),
        "submitted" => "Submitted for review. An editor will look at it.".into(),
        "private" => "Published privately: only editors can see it.".into(),
        "restored-revision" => {
            "The revision is back; the text it replaced is kept as a revision too.".into()
        }
        "trashed" => format!("{} moved to the trash.", items("Article", "articles")),
        "restored" => format!("{} restored as drafts.", items("Article", "articles")),
        "deleted" => format!("{} deleted for good.", items("Article", "articles")),
        "published-bulk" => format!("{} published.", items("Article", "articles")),
        "correction" => "Correction added. It shows above the article.".into(),
        "profile" => "Profile saved.".into(),
        "password" => "Password changed. Your other sessions were signed out.".into(),
        "role" => "Role changed.".into(),
        "user-added" => "User added.".into(),
        "settings" => "Settings saved.".into(),
        "term-saved" => "Saved.".into(),
        "term-deleted" => "Deleted.".into(),
        "session-ended" => "That session was signed out.".into(),
        "sessions-ended" => format!("{} signed out.", items("Other session", "other sessions")),
        "two-factor-off" => "Two-factor sign-in is off.".into(),
        "comments" => format!("{} updated.", items("Comment", "comments")),
        "replied" => "Your reply is published.".into(),
        "comment-edited" => "Comment saved.".into(),
        "reset" => "Your password was changed. Sign in with it now.".into(),
        "signed-out" => "You are signed out.".into(),
        "uploaded" => format!("{} added to the library.", items("Picture", "pictures")),
        "media-deleted" => "Picture deleted.".into(),
        _ => return None,
    })
}

/// Render an admin template to a 200 page.
pub fn render<S: Serialize>(state: &AppState, template: &str, ctx: S) -> Result<Response> {
    render_status(state, StatusCode::OK, template, ctx)
}

/// Render an admin template with a status (a form sent back is 422).
pub fn render_status<S: Serialize>(
    state: &AppState,
    status: StatusCode,
    template: &str,
    ctx: S,
) -> Result<Response> {
    Ok((status, Html(state.theme().render(template, ctx)?)).into_response())
}

/// A 303 to an admin page after a form did its work.
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// The 1-based page number in `?paged=`.
pub fn page_number(query: &HashMap<String, String>) -> u32 {
    query
        .get("paged")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_count_what_was_done() {
        assert_eq!(
            notice("trashed", None).unwrap(),
            "Article moved to the trash."
        );
        assert_eq!(
            notice("trashed", Some(&"3".to_string())).unwrap(),
            "3 articles moved to the trash."
        );
        assert!(notice("bogus", None).is_none());
    }
}
