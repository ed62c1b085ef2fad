//! Your profile: name, address, biography and picture as readers see them; your password; where
//! you are signed in (and signing those sessions out); two-factor sign-in.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::actions::account::{self, ProfileForm};
use crate::actions::{app_password, two_factor};
use crate::app::AppState;
use crate::content::{signing, totp};
use crate::db::session;
use crate::db::user::User;
use crate::error::{Error, Result};
use crate::http::admin::form::{Fields, Posted};
use crate::http::admin::page::{render_status, see_other, shell};
use crate::http::admin::session::Staff;
use crate::render::admin::Errors;
use crate::render::views::DateView;

/// A profile form as the template fills it.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub display_name: String,
    pub slug: String,
    pub email: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: String,
    pub login: String,
    pub public_url: String,
}

impl ProfileView {
    /// From a stored user.
    pub fn of(u: &User) -> ProfileView {
        ProfileView {
            display_name: u.display_name.clone(),
            slug: u.slug.clone(),
            email: u.email.clone(),
            url: u.url.clone(),
            bio: u.bio.clone(),
            avatar_url: u.avatar_url.clone().unwrap_or_default(),
            login: u.login.clone(),
            public_url: crate::content::permalink::author_path(&u.slug),
        }
    }

    /// As sent back with errors.
    pub fn sent(u: &User, f: &ProfileForm) -> ProfileView {
        ProfileView {
            display_name: f.display_name.clone(),
            slug: f.slug.clone(),
            email: f.email.clone(),
            url: f.url.clone(),
            bio: f.bio.clone(),
            avatar_url: f.avatar_url.clone(),
            ..ProfileView::of(u)
        }
    }
}

/// The profile fields of a form.
pub fn profile_form(fields: &Fields) -> ProfileForm {
    ProfileForm {
        display_name: fields.get("display_name").into(),
        slug: fields.get("slug").into(),
        email: fields.get("email").into(),
        url: fields.get("url").into(),
        bio: fields.get("bio").into(),
        avatar_url: fields.get("avatar_url").into(),
    }
}

/// Field errors as the templates take them.
pub fn errors_of(map: crate::actions::FieldErrors) -> Errors {
    map.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

#[derive(Debug, Serialize)]
struct SessionRow {
    id: String,
    started: String,
    last_seen: String,
    ip: String,
    browser: String,
    current: bool,
}

/// One of your application passwords, as the profile lists it.
#[derive(Debug, Serialize)]
struct AppPasswordRow {
    id: i64,
    name: String,
    created: String,
    last_used: Option<String>,
    last_ip: String,
}

/// A new application password, shown once.
#[derive(Debug, Serialize)]
struct ShownPassword {
    name: String,
    password: String,
    login: String,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    profile: ProfileView,
    errors: Errors,
    status: StatusCode,
) -> Result<Response> {
    page_with(state, staff, q, profile, errors, status, None).await
}

#[allow(clippy::too_many_arguments)]
async fn page_with(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    profile: ProfileView,
    errors: Errors,
    status: StatusCode,
    new_app_password: Option<ShownPassword>,
) -> Result<Response> {
    let shell = shell(state, staff, "/admin/profile", q).await?;
    let site = state.site();
    let sessions: Vec<SessionRow> = session::of_user(state.db(), staff.user.id)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: s.id_hash == staff.session.id_hash,
            started: DateView::with_time(&site, s.created_at).display,
            last_seen: DateView::with_time(&site, s.last_seen_at).display,
            ip: s.ip,
            browser: s.user_agent.chars().take(120).collect(),
            id: s.id_hash,
        })
        .collect();
    let app_passwords: Vec<AppPasswordRow> =
        app_password::list(state.db(), &staff.actor, staff.user.id)
            .await?
            .into_iter()
            .map(|p| AppPasswordRow {
                id: p.id,
                name: p.name,
                created: DateView::with_time(&site, p.created_at).display,
                last_used: p
                    .last_used_at
                    .map(|t| DateView::with_time(&site, t).display),
                last_ip: p.last_ip,
            })
            .collect();
    let ctx = minijinja::context! {
        shell,
        title => "Your profile",
        profile,
        errors,
        sessions,
        app_passwords,
        new_app_password,
        role => staff.actor.role.label(),
        two_factor_on => two_factor::is_on(state.db(), staff.user.id).await?,
        two_factor_required => two_factor::required_for(&site.settings, &staff.user.role),
        action => "/admin/profile",
        own => true,
    };
    render_status(state, status, "admin/profile.html", ctx)
}

/// `GET /admin/profile`.
pub async fn show_profile(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let view = ProfileView::of(&staff.user);
    page(&state, &staff, &q, view, Errors::new(), StatusCode::OK).await
}

/// `POST /admin/profile`.
pub async fn save_profile(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let staff = form.staff;
    let f = profile_form(&form.fields);
    match account::update_profile(state.db(), &staff.actor, staff.user.id, &f).await? {
        Ok(()) => Ok(see_other("/admin/profile?done=profile")),
        Err(errors) => {
            let view = ProfileView::sent(&staff.user, &f);
            page(
                &state,
                &staff,
                &HashMap::new(),
                view,
                errors_of(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/profile/password`: needs the current password; ends every other session.
pub async fn change_password(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let done = account::set_password(
        state.db(),
        &staff.actor,
        &staff.user,
        Some(fields.get("current_password")),
        fields.get("password"),
        fields.get("confirm"),
        Some(&staff.session.id_hash),
    )
    .await?;
    match done {
        Ok(()) => Ok(see_other("/admin/profile?done=password")),
        Err(errors) => {
            let view = ProfileView::of(&staff.user);
            page(
                &state,
                &staff,
                &HashMap::new(),
                view,
                errors_of(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/profile/sessions/end`: sign one of your sessions out (another browser, a lost laptop).
pub async fn end_session(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let staff = form.staff;
    if !session::delete(state.db(), staff.user.id, form.fields.get("session")).await? {
        return Err(Error::NotFound);
    }
    Ok(see_other("/admin/profile?done=session-ended#sessions"))
}

/// `POST /admin/profile/app-passwords`: a new application password, shown once on the page.
pub async fn add_app_password(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let name = fields.get("name").trim().to_string();
    match app_password::create(state.db(), &staff.actor, staff.user.id, &name).await {
        Ok(password) => {
            let view = ProfileView::of(&staff.user);
            let shown = ShownPassword {
                name,
                password,
                login: staff.user.login.clone(),
            };
            page_with(
                &state,
                &staff,
                &HashMap::new(),
                view,
                Errors::new(),
                StatusCode::OK,
                Some(shown),
            )
            .await
        }
        Err(Error::BadRequest(message)) => {
            let view = ProfileView::of(&staff.user);
            let mut errors = Errors::new();
            errors.insert("app_password_name".into(), message);
            page(
                &state,
                &staff,
                &HashMap::new(),
                view,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/profile/app-passwords/revoke`.
pub async fn revoke_app_password(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let id: i64 = fields.get("id").parse().map_err(|_| Error::NotFound)?;
    app_password::revoke(state.db(), &staff.actor, staff.user.id, id).await?;
    Ok(see_other(
        "/admin/profile?done=app-password-revoked#app-passwords",
    ))
}

/// `POST /admin/profile/sessions/end-others`.
pub async fn end_other_sessions(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let staff = form.staff;
    let n = session::delete_others(state.db(), staff.user.id, &staff.session.id_hash).await?;
    Ok(see_other(&format!(
        "/admin/profile?done=sessions-ended&n={n}#sessions"
    )))
}

/// The set-up form's hidden secret, signed so the browser cannot swap in one of its own.
fn setup_token(secret: &str, user_id: i64, totp_secret: &str) -> String {
    signing::sign(secret, "totp-setup", &format!("{user_id}-{totp_secret}"))
}

fn read_setup_token(secret: &str, user_id: i64, token: &str) -> Option<String> {
    let payload = signing::verify(secret, "totp-setup", token)?;
    let (user, totp_secret) = payload.split_once('-')?;
    (user.parse::<i64>().ok()? == user_id).then(|| totp_secret.to_string())
}

async fn two_factor_page(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    codes: Vec<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let shell = shell(state, staff, "/admin/profile", q).await?;
    let site = state.site();
    let on = two_factor::is_on(state.db(), staff.user.id).await?;
    let (qr, key, token) = if on {
        (String::new(), String::new(), String::new())
    } else {
        let key = totp::new_secret();
        let url = totp::otpauth_url(&key, &site.settings.title, &staff.user.email);
        let token = setup_token(&site.settings.secret, staff.user.id, &key);
        (totp::qr_svg(&url).unwrap_or_default(), key, token)
    };
    // The key grouped by four, as authenticator apps show it.
    let spaced = key
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let ctx = minijinja::context! {
        shell,
        title => "Two-factor sign-in",
        on,
        qr,
        key => spaced,
        token,
        codes,
        error,
        required => q.contains_key("required") || two_factor::required_for(&site.settings, &staff.user.role),
        codes_left => crate::db::user::recovery_codes_left(state.db(), staff.user.id).await?,
    };
    render_status(state, status, "admin/two_factor.html", ctx)
}

/// `GET /admin/profile/two-factor`.
pub async fn show_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    two_factor_page(&state, &staff, &q, Vec::new(), None, StatusCode::OK).await
}

/// `POST /admin/profile/two-factor/enable`: the app's code proves it holds the secret.
pub async fn enable_two_factor(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let secret = state.site().settings.secret.clone();
    let Some(key) = read_setup_token(&secret, staff.user.id, fields.get("token")) else {
        return Err(Error::BadRequest(
            "The set-up form was changed; please start again.".into(),
        ));
    };
    match two_factor::enable(
        state.db(),
        &staff.actor,
        &staff.user,
        &key,
        fields.get("code"),
    )
    .await?
    {
        Ok(codes) => {
            two_factor_page(&state, &staff, &HashMap::new(), codes, None, StatusCode::OK).await
        }
        Err(message) => {
            two_factor_page(
                &state,
                &staff,
                &HashMap::new(),
                Vec::new(),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/profile/two-factor/disable`: with your password.
pub async fn disable_two_factor(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    match two_factor::disable(
        state.db(),
        &staff.actor,
        &staff.user,
        fields.get("password"),
    )
    .await?
    {
        Ok(()) => Ok(see_other("/admin/profile?done=two-factor-off")),
        Err(message) => {
            two_factor_page(
                &state,
                &staff,
                &HashMap::new(),
                Vec::new(),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/profile/two-factor/codes`: new recovery codes (the old ones stop working).
pub async fn renew_codes(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let staff = form.staff;
    let codes = two_factor::renew_recovery_codes(state.db(), &staff.actor, &staff.user).await?;
    two_factor_page(&state, &staff, &HashMap::new(), codes, None, StatusCode::OK).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_tokens_belong_to_one_user() {
        let t = setup_token("s", 4, "ABCDEF");
        assert_eq!(read_setup_token("s", 4, &t).as_deref(), Some("ABCDEF"));
        assert_eq!(read_setup_token("s", 5, &t), None);
        assert_eq!(read_setup_token("x", 4, &t), None);
    }
}
