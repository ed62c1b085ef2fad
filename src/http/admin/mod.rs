//! The newsroom's admin at `/admin/`: server-rendered pages on the site's own stack, every one
//! usable without JavaScript; `admin.js` adds live preview, autosave, tag completion and the like.
//! Handlers are thin: read the form, call `actions` (which checks capabilities), render a view.

pub mod activity;
pub mod api;
pub mod comments;
pub mod dashboard;
pub mod editor;
pub mod form;
pub mod login;
pub mod media;
pub mod page;
pub mod posts;
pub mod profile;
pub mod revisions;
pub mod session;
pub mod settings;
pub mod terms;
pub mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::error::Error;

/// The most an upload request may carry: the per-file limit (a setting, at most 200 MB) is
/// checked while it is read.
const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

/// Every admin route.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        // Where a WordPress newsroom's hands and bookmarks go.
        .route("/wp-admin", get(|| async { Redirect::to("/admin/") }))
        .route("/wp-admin/", get(|| async { Redirect::to("/admin/") }))
        .route(
            "/wp-login.php",
            get(|| async { Redirect::to("/admin/login") }),
        )
        .route("/admin/", get(dashboard::show_dashboard))
        .route(
            "/admin/login",
            get(login::show_login).post(login::post_login),
        )
        .route(
            "/admin/login/two-factor",
            get(login::show_second_factor).post(login::post_second_factor),
        )
        .route("/admin/logout", post(login::post_logout))
        .route(
            "/admin/forgot",
            get(login::show_forgot).post(login::post_forgot),
        )
        .route(
            "/admin/reset",
            get(login::show_reset).post(login::post_reset),
        )
        .route("/admin/posts", get(posts::list_posts))
        .route("/admin/pages", get(posts::list_pages))
        .route("/admin/posts/bulk", post(posts::post_bulk))
        .route(
            "/admin/posts/new",
            get(editor::new_post).post(editor::create_article),
        )
        .route(
            "/admin/pages/new",
            get(editor::new_page).post(editor::create_article),
        )
        .route("/admin/posts/preview", post(editor::preview_form))
        .route(
            "/admin/posts/{id}",
            get(editor::edit_article).post(editor::save_article),
        )
        .route("/admin/posts/{id}/preview", get(editor::preview_stored))
        .route(
            "/admin/posts/{id}/corrections",
            post(editor::add_correction),
        )
        .route("/admin/posts/{id}/share", post(editor::share_article))
        .route("/admin/posts/{id}/{action}", post(posts::post_row_action))
        .route(
            "/admin/posts/{id}/revisions",
            get(revisions::show_revisions),
        )
        .route(
            "/admin/posts/{id}/revisions/{revision}/restore",
            post(revisions::restore_revision),
        )
        .route("/admin/api/render", post(api::render_markdown))
        .route("/admin/api/autosave", post(api::autosave))
        .route("/admin/api/presence", post(api::presence))
        .route("/admin/api/paste", post(api::paste))
        .route("/admin/api/tags", get(api::suggest_tags))
        .route(
            "/admin/categories",
            get(terms::list_categories).post(terms::add_category),
        )
        .route("/admin/tags", get(terms::list_tags).post(terms::add_tag))
        .route(
            "/admin/terms/{id}",
            get(terms::edit_term).post(terms::save_term),
        )
        .route("/admin/terms/{id}/delete", post(terms::delete_term))
        .route("/admin/users", get(users::list_users))
        .route(
            "/admin/users/new",
            get(users::new_user).post(users::add_user),
        )
        .route(
            "/admin/users/{id}",
            get(users::edit_user).post(users::save_user),
        )
        .route("/admin/users/{id}/role", post(users::change_role))
        .route("/admin/users/{id}/password", post(users::set_password))
        .route(
            "/admin/users/{id}/two-factor/off",
            post(users::turn_off_two_factor),
        )
        .route(
            "/admin/profile",
            get(profile::show_profile).post(profile::save_profile),
        )
        .route("/admin/profile/password", post(profile::change_password))
        .route("/admin/profile/sessions/end", post(profile::end_session))
        .route(
            "/admin/profile/app-passwords",
            post(profile::add_app_password),
        )
        .route(
            "/admin/profile/app-passwords/revoke",
            post(profile::revoke_app_password),
        )
        .route(
            "/admin/profile/sessions/end-others",
            post(profile::end_other_sessions),
        )
        .route("/admin/profile/two-factor", get(profile::show_two_factor))
        .route(
            "/admin/profile/two-factor/enable",
            post(profile::enable_two_factor),
        )
        .route(
            "/admin/profile/two-factor/disable",
            post(profile::disable_two_factor),
        )
        .route(
            "/admin/profile/two-factor/codes",
            post(profile::renew_codes),
        )
        .route("/admin/comments", get(comments::list_comments))
        .route("/admin/comments/bulk", post(comments::post_bulk))
        .route("/admin/comments/{id}/edit", post(comments::edit_comment))
        .route("/admin/comments/{id}/reply", post(comments::reply_comment))
        .route("/admin/comments/{id}/{action}", post(comments::moderate))
        .route(
            "/admin/settings",
            get(settings::show_settings).post(settings::save_settings),
        )
        .route("/admin/activity", get(activity::show_activity))
        .route(
            "/admin/media",
            get(media::list_media)
                .post(media::upload_media)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/admin/media/{id}",
            get(media::show_media).post(media::save_media),
        )
        .route("/admin/media/{id}/delete", post(media::delete_media))
        .route(
            "/admin/api/media",
            get(media::api_list)
                .post(media::api_upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .layer(middleware::from_fn_with_state(state, guard))
}

/// The admin's safety net on every response: never cached, never framed, no scripts but its
/// own; and no form posted from another site (the CSRF tokens are checked as well).
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::POST && !same_origin(&request, &state.config().site_url) {
        return Error::Forbidden("This request came from another site and was refused.".into())
            .into_response();
    }
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// Whether a POST's `Origin` (when the browser sent one) is this site: the host it asked for, or
/// the configured site address (a proxy may pass the request on under another Host).
fn same_origin(request: &Request, site_url: &str) -> bool {
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().map(|o| o.trim_end_matches('/')) else {
        return false;
    };
    if origin.eq_ignore_ascii_case(site_url) {
        return true;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| host.is_some_and(|h| rest.eq_ignore_ascii_case(h)))
}
