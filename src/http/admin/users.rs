//! Users, for administrators: the list with roles and two-factor status, adding someone, and
//! another person's profile, role, password and (for a lost phone) two-factor sign-in.

use std::collections::HashMap;

use axum::extract::{Query, State};

use crate::http::PathParam;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::actions::account::{self, NewAccount};
use crate::actions::capability::{Cap, Role};
use crate::actions::two_factor;
use crate::app::AppState;
use crate::db::user::{self, User};
use crate::error::{Error, Result};
use crate::http::admin::form::Posted;
use crate::http::admin::page::{render_status, see_other, shell};
use crate::http::admin::profile::{ProfileView, errors_of, profile_form};
use crate::http::admin::session::Staff;
use crate::render::admin::{Errors, role_options};
use crate::render::views::DateView;

#[derive(Debug, Serialize)]
struct UserRow {
    id: i64,
    name: String,
    login: String,
    email: String,
    role: String,
    articles: i64,
    two_factor: bool,
    joined: String,
    is_me: bool,
}

/// `GET /admin/users`.
pub async fn list_users(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    staff
        .actor
        .require(Cap::ListUsers, "see the list of users")?;
    let shell = shell(&state, &staff, "/admin/users", &q).await?;
    let site = state.site();
    let mut rows = Vec::new();
    for (u, articles) in user::list_with_counts(state.db()).await? {
        rows.push(UserRow {
            two_factor: two_factor::is_on(state.db(), u.id).await?,
            role: Role::parse(&u.role).map_or_else(|| u.role.clone(), |r| r.label().into()),
            joined: DateView::new(&site, u.created_at).display,
            is_me: u.id == staff.user.id,
            id: u.id,
            name: u.display_name,
            login: u.login,
            email: u.email,
            articles,
        });
    }
    let ctx = minijinja::context! { shell, title => "Users", rows };
    render_status(&state, StatusCode::OK, "admin/users.html", ctx)
}

#[derive(Debug, Default, Serialize)]
struct NewUserView {
    email: String,
    name: String,
    role: String,
}

async fn new_user_page(
    state: &AppState,
    staff: &Staff,
    form: NewUserView,
    errors: Errors,
    status: StatusCode,
) -> Result<Response> {
    let shell = shell(state, staff, "/admin/users", &HashMap::new()).await?;
    let roles = role_options(if form.role.is_empty() {
        "author"
    } else {
        &form.role
    });
    let ctx = minijinja::context! { shell, title => "Add a user", form, roles, errors };
    render_status(state, status, "admin/user_new.html", ctx)
}

/// `GET /admin/users/new`.
pub async fn new_user(State(state): State<AppState>, staff: Staff) -> Result<Response> {
    staff.actor.require(Cap::CreateUsers, "add users")?;
    new_user_page(
        &state,
        &staff,
        NewUserView::default(),
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/users/new`: with a password, or without one (they set it through a reset link).
pub async fn add_user(State(state): State<AppState>, form: Posted) -> Result<Response> {
    let Posted { staff, fields } = form;
    let password = fields.get("password");
    let new = NewAccount {
        email: fields.get("email").into(),
        name: fields.get("name").into(),
        role: fields.get("role").into(),
        password: (!password.is_empty()).then(|| password.to_string()),
    };
    match account::add_user(state.db(), &staff.actor, &new).await? {
        Ok(id) => Ok(see_other(&format!("/admin/users/{id}?done=user-added"))),
        Err(errors) => {
            let view = NewUserView {
                email: new.email,
                name: new.name,
                role: new.role,
            };
            new_user_page(
                &state,
                &staff,
                view,
                errors_of(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn user_page(
    state: &AppState,
    staff: &Staff,
    target: &User,
    q: &HashMap<String, String>,
    profile: ProfileView,
    errors: Errors,
    status: StatusCode,
) -> Result<Response> {
    let shell = shell(state, staff, "/admin/users", q).await?;
    let ctx = minijinja::context! {
        shell,
        title => format!("Edit {}", target.display_name),
        profile,
        errors,
        target_id => target.id,
        roles => role_options(&target.role),
        is_me => target.id == staff.user.id,
        two_factor_on => two_factor::is_on(state.db(), target.id).await?,
        action => format!("/admin/users/{}", target.id),
        own => false,
    };
    render_status(state, status, "admin/profile.html", ctx)
}

async fn target(state: &AppState, staff: &Staff, id: i64) -> Result<User> {
    if id != staff.user.id {
        staff
            .actor
            .require(Cap::EditUsers, "edit other people's accounts")?;
    }
    user::get(state.db(), id).await?.ok_or(Error::NotFound)
}

/// `GET /admin/users/{id}`.
pub async fn edit_user(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    if id == staff.user.id {
        return Ok(see_other("/admin/profile"));
    }
    let u = target(&state, &staff, id).await?;
    user_page(
        &state,
        &staff,
        &u,
        &q,
        ProfileView::of(&u),
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/users/{id}`: their profile.
pub async fn save_user(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let Posted { staff, fields } = form;
    let u = target(&state, &staff, id).await?;
    let f = profile_form(&fields);
    match account::update_profile(state.db(), &staff.actor, id, &f).await? {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}?done=profile"))),
        Err(errors) => {
            let view = ProfileView::sent(&u, &f);
            user_page(
                &state,
                &staff,
                &u,
                &HashMap::new(),
                view,
                errors_of(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/users/{id}/role`.
pub async fn change_role(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    account::change_role(state.db(), &form.staff.actor, id, form.fields.get("role")).await?;
    Ok(see_other(&format!("/admin/users/{id}?done=role")))
}

/// `POST /admin/users/{id}/password`: an administrator sets it (their sessions end).
pub async fn set_password(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let Posted { staff, fields } = form;
    let u = target(&state, &staff, id).await?;
    match account::set_password(
        state.db(),
        &staff.actor,
        &u,
        None,
        fields.get("password"),
        fields.get("confirm"),
        None,
    )
    .await?
    {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}?done=password"))),
        Err(errors) => {
            user_page(
                &state,
                &staff,
                &u,
                &HashMap::new(),
                ProfileView::of(&u),
                errors_of(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/users/{id}/two-factor/off`: for someone who lost their phone and their codes.
pub async fn turn_off_two_factor(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let u = target(&state, &form.staff, id).await?;
    two_factor::disable(state.db(), &form.staff.actor, &u, "")
        .await?
        .map_err(Error::Forbidden)?;
    Ok(see_other(&format!("/admin/users/{id}?done=two-factor-off")))
}
