//! Signing in and out at `/admin/login`: password, then a second factor when the account has one;
//! throttled (429) after repeated failures; forgotten passwords by a mailed, single-use link.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use crate::actions::password_reset;
use crate::actions::sign_in::{self, Outcome, Refusal, Started};
use crate::app::AppState;
use crate::db;
use crate::error::Result;
use crate::http::admin::form::{Posted, PrePosted};
use crate::http::admin::page::{notice, render_status, see_other};
use crate::http::admin::session::{
    self, Client, PRE_COOKIE, SECOND_FACTOR_COOKIE, SECOND_FACTOR_MINUTES, SESSION_COOKIE,
    cookie_value, origin, set_cookie,
};
use crate::render::admin::AuthShellView;

/// Where to go after signing in: an admin path of this site, nothing else (no open redirect).
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with("/admin")
        && !next.contains("//")
        && !next.contains('\\')
        && !next.starts_with("/admin/login")
        && !next.starts_with("/admin/logout");
    if ok {
        next.to_string()
    } else {
        "/admin/".into()
    }
}

/// The frame of a pre-session page, and the cookie to set if this browser has none yet.
fn auth_shell(
    state: &AppState,
    headers: &HeaderMap,
    https: bool,
) -> (AuthShellView, Option<String>) {
    let secret = state.site().settings.secret.clone();
    let (value, set) = match cookie_value(headers, PRE_COOKIE) {
        Some(v) => (v, None),
        None => {
            let v = session::fresh_pre_cookie();
            let set = set_cookie(PRE_COOKIE, &v, "/admin", None, https);
            (v, Some(set))
        }
    };
    let shell = AuthShellView {
        site_title: state.site().settings.title.clone(),
        css_url: state.theme().asset_url("admin.css").to_string(),
        csrf: session::pre_token(&secret, &value),
        notice: None,
        error: None,
    };
    (shell, set)
}

fn with_cookies(mut response: Response, cookies: impl IntoIterator<Item = String>) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(Serialize)]
struct LoginForm {
    log: String,
    next: String,
    remember: bool,
}

fn login_page(
    state: &AppState,
    status: StatusCode,
    shell: AuthShellView,
    form: LoginForm,
    set: Option<String>,
) -> Result<Response> {
    let ctx = minijinja::context! { shell, form, page_title => "Sign in" };
    Ok(with_cookies(
        render_status(state, status, "admin/login.html", ctx)?,
        set,
    ))
}

/// `GET /admin/login`.
pub async fn show_login(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let next = safe_next(q.get("next").map(String::as_str).unwrap_or_default());
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE)
        && sign_in::current(state.db(), &token, "").await?.is_some()
    {
        return Ok(see_other(&next));
    }
    let (mut shell, set) = auth_shell(&state, &headers, client.https);
    shell.notice = q.get("done").and_then(|c| notice(c, None));
    let form = LoginForm {
        log: String::new(),
        next,
        remember: false,
    };
    login_page(&state, StatusCode::OK, shell, form, set)
}

/// Answer a sign-in step: in (session cookie, old session ended), on to the second step, or back.
async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    outcome: Outcome,
    (https, remember): (bool, bool),
    next: &str,
) -> Result<std::result::Result<Response, Refusal>> {
    match outcome {
        Outcome::SignedIn(started) => {
            Ok(Ok(signed_in(state, headers, *started, https, next).await?))
        }
        Outcome::SecondFactor { user_id } => {
            let until = db::now() + chrono::Duration::minutes(SECOND_FACTOR_MINUTES);
            let secret = state.site().settings.secret.clone();
            // "Remember me" rides along to the second step in the signed cookie.
            let value = session::second_factor_value(&secret, user_id, remember, until);
            let target = format!(
                "/admin/login/two-factor?next={}",
                percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
            );
            let cookie = set_cookie(
                SECOND_FACTOR_COOKIE,
                &value,
                "/admin",
                Some(SECOND_FACTOR_MINUTES * 60),
                https,
            );
            Ok(Ok(with_cookies(see_other(&target), [cookie])))
        }
        Outcome::Refused(r) => Ok(Err(r)),
    }
}

/// The session cookie for a new session; any session this browser had before is ended, so a
/// session id planted before sign-in never becomes a signed-in one.
async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    started: Started,
    https: bool,
    next: &str,
) -> Result<Response> {
    if let Some(old) = cookie_value(headers, SESSION_COOKIE)
        && let Some((s, _)) = sign_in::current(state.db(), &old, "").await?
    {
        db::session::delete(state.db(), s.user_id, &s.id_hash).await?;
    }
    let max_age = started
        .remember
        .then(|| (started.expires_at - db::now()).num_seconds());
    let cookies = [
        set_cookie(SESSION_COOKIE, &started.token, "/", max_age, https),
        set_cookie(SECOND_FACTOR_COOKIE, "", "/admin", Some(0), https),
    ];
    Ok(with_cookies(see_other(next), cookies))
}

fn throttled(mut response: Response, refusal: &Refusal) -> Response {
    if let Refusal::Throttled { retry_after } = refusal {
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    response
}

/// `POST /admin/login`.
pub async fn post_login(State(state): State<AppState>, form: PrePosted) -> Result<Response> {
    let f = &form.fields;
    let headers = &form.parts.headers;
    let peer = session::peer_of(&form.parts);
    let (origin, https) = origin(&state, headers, peer);
    let next = safe_next(f.get("next"));
    let remember = f.has("rememberme");
    let outcome =
        sign_in::with_password(state.db(), f.get("log"), f.get("pwd"), remember, &origin).await?;
    match finish(&state, headers, outcome, (https, remember), &next).await? {
        Ok(response) => Ok(response),
        Err(refusal) => {
            let (mut shell, set) = auth_shell(&state, headers, https);
            shell.error = Some(refusal.message());
            let form = LoginForm {
                log: f.get("log").trim().to_string(),
                next,
                remember,
            };
            let page = login_page(&state, StatusCode::OK, shell, form, set)?;
            Ok(throttled(page, &refusal))
        }
    }
}

/// `GET /admin/login/two-factor`.
pub async fn show_second_factor(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let secret = state.site().settings.secret.clone();
    let pending = cookie_value(&headers, SECOND_FACTOR_COOKIE)
        .and_then(|v| session::read_second_factor(&secret, &v, db::now()));
    if pending.is_none() {
        return Ok(see_other("/admin/login"));
    }
    let (shell, set) = auth_shell(&state, &headers, client.https);
    let next = safe_next(q.get("next").map(String::as_str).unwrap_or_default());
    let ctx = minijinja::context! { shell, next, page_title => "Two-factor sign-in" };
    Ok(with_cookies(
        render_status(&state, StatusCode::OK, "admin/two_factor_step.html", ctx)?,
        set,
    ))
}

/// `POST /admin/login/two-factor`.
pub async fn post_second_factor(
    State(state): State<AppState>,
    form: PrePosted,
) -> Result<Response> {
    let headers = &form.parts.headers;
    let (origin, https) = origin(&state, headers, session::peer_of(&form.parts));
    let secret = state.site().settings.secret.clone();
    let next = safe_next(form.fields.get("next"));
    let Some((user_id, remember)) = cookie_value(headers, SECOND_FACTOR_COOKIE)
        .and_then(|v| session::read_second_factor(&secret, &v, db::now()))
    else {
        return Ok(see_other("/admin/login"));
    };
    let outcome = sign_in::with_code(
        state.db(),
        user_id,
        form.fields.get("code"),
        remember,
        &origin,
    )
    .await?;
    match finish(&state, headers, outcome, (https, remember), &next).await? {
        Ok(response) => Ok(response),
        Err(refusal) => {
            let (mut shell, set) = auth_shell(&state, headers, https);
            shell.error = Some(match refusal {
                Refusal::Wrong => "That code is not right, or was already used. Type the code your app shows now, or one of your recovery codes.".into(),
                ref r => r.message(),
            });
            let ctx = minijinja::context! { shell, next, page_title => "Two-factor sign-in" };
            let page = with_cookies(
                render_status(&state, StatusCode::OK, "admin/two_factor_step.html", ctx)?,
                set,
            );
            Ok(throttled(page, &refusal))
        }
    }
}

/// `POST /admin/logout`: the session ends on the server, not only in the browser.
pub async fn post_logout(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let staff = form.staff;
    sign_in::end(state.db(), &staff.session, &staff.actor).await?;
    let https = state.config().site_url.starts_with("https://");
    let cookie = set_cookie(SESSION_COOKIE, "", "/", Some(0), https);
    Ok(with_cookies(
        see_other("/admin/login?done=signed-out"),
        [cookie],
    ))
}

/// `GET /admin/forgot`.
pub async fn show_forgot(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response> {
    let (shell, set) = auth_shell(&state, &headers, client.https);
    let ctx =
        minijinja::context! { shell, sent => false, log => "", page_title => "Forgotten password" };
    Ok(with_cookies(
        render_status(&state, StatusCode::OK, "admin/forgot.html", ctx)?,
        set,
    ))
}

/// `POST /admin/forgot`: the same answer whether or not the account exists.
pub async fn post_forgot(State(state): State<AppState>, form: PrePosted) -> Result<Response> {
    let headers = &form.parts.headers;
    let (origin, https) = origin(&state, headers, session::peer_of(&form.parts));
    let site = state.site();
    let log = form.fields.get("log").trim().to_string();
    let result = password_reset::request(
        state.db(),
        state.mailer(),
        &state.config().site_url,
        &site.settings.title,
        &log,
        &origin.ip,
    )
    .await?;
    let (mut shell, set) = auth_shell(&state, headers, https);
    let sent = match &result {
        Ok(()) => {
            shell.notice = Some(format!(
                "If an account matches, we sent a link to its email address. It works for {} minutes.",
                password_reset::LINK_MINUTES
            ));
            true
        }
        Err(refusal) => {
            shell.error = Some(refusal.message());
            false
        }
    };
    let ctx = minijinja::context! { shell, sent, log, page_title => "Forgotten password" };
    let page = with_cookies(
        render_status(&state, StatusCode::OK, "admin/forgot.html", ctx)?,
        set,
    );
    Ok(match &result {
        Err(refusal) => throttled(page, refusal),
        Ok(()) => page,
    })
}

/// `GET /admin/reset?token=…`.
pub async fn show_reset(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let token = q.get("token").cloned().unwrap_or_default();
    let valid = password_reset::is_valid(state.db(), &token).await?;
    let (mut shell, set) = auth_shell(&state, &headers, client.https);
    if !valid {
        shell.error = Some("This link has expired or was already used. Ask for a new one.".into());
    }
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    let ctx = minijinja::context! {
        shell, token, valid, errors => HashMap::<String, String>::new(), page_title => "Choose a new password",
    };
    Ok(with_cookies(
        render_status(&state, status, "admin/reset.html", ctx)?,
        set,
    ))
}

/// `POST /admin/reset`.
pub async fn post_reset(State(state): State<AppState>, form: PrePosted) -> Result<Response> {
    let f = &form.fields;
    let headers = &form.parts.headers;
    let (origin, https) = origin(&state, headers, session::peer_of(&form.parts));
    let token = f.get("token").to_string();
    let done = password_reset::complete(
        state.db(),
        &token,
        f.get("password"),
        f.get("confirm"),
        &origin.ip,
    )
    .await?;
    let (mut shell, set) = auth_shell(&state, headers, https);
    let (status, valid, errors) = match done {
        Some(Ok(_)) => return Ok(see_other("/admin/login?done=reset")),
        None => {
            shell.error =
                Some("This link has expired or was already used. Ask for a new one.".into());
            (StatusCode::GONE, false, HashMap::new())
        }
        Some(Err(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            true,
            errors
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ),
    };
    let ctx =
        minijinja::context! { shell, token, valid, errors, page_title => "Choose a new password" };
    Ok(with_cookies(
        render_status(&state, status, "admin/reset.html", ctx)?,
        set,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next("/admin/posts?status=draft"),
            "/admin/posts?status=draft"
        );
        assert_eq!(safe_next("https://evil.example/"), "/admin/");
        assert_eq!(safe_next("//evil.example/admin"), "/admin/");
        assert_eq!(safe_next("/admin//evil.example"), "/admin/");
        assert_eq!(safe_next("/admin\\@evil"), "/admin/");
        assert_eq!(safe_next("/admin/logout"), "/admin/");
        assert_eq!(safe_next(""), "/admin/");
    }
}
