//! HTTP: the router and the one place errors become pages.

pub mod admin;
pub mod assets;
pub mod client_ip;
pub mod comments;
pub mod conditional;
pub mod front_door;
pub mod gate;
pub mod health;
pub mod metrics;
pub mod page_cache;
pub mod post_password;
pub mod request_id;
pub mod rest;
pub mod site;
pub mod visitor;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::error::ErrorPage;
use crate::render::views::SiteView;

/// A path parameter that answers the themed 404 when it does not parse (`/admin/posts/abc`):
/// axum's own `Path` answers a bare-text 400.
pub struct PathParam<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for PathParam<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = crate::error::Error;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| PathParam(t))
            .map_err(|_| crate::error::Error::NotFound)
    }
}

/// The whole site: kept pages answered at the door, every route behind it.
pub fn router(state: AppState) -> front_door::FrontDoor {
    front_door::FrontDoor::new(state.clone(), routes(state))
}

/// Every route of the site.
fn routes(state: AppState) -> Router {
    Router::new()
        .route("/static/{file}", get(assets::get_static))
        .route("/avatar/{file}", get(assets::get_avatar))
        .route("/media/{file}", get(assets::get_media))
        .route("/robots.txt", get(assets::get_robots))
        .route("/favicon.ico", get(assets::get_icon))
        .route("/apple-touch-icon.png", get(assets::get_icon))
        .route("/apple-touch-icon-precomposed.png", get(assets::get_icon))
        .route("/icon-192.png", get(assets::get_icon))
        .route("/icon-512.png", get(assets::get_icon))
        .route("/manifest.webmanifest", get(assets::get_manifest))
        .route("/wp-comments-post.php", post(comments::post_comment))
        .route("/wp-login.php", post(post_password::post_password))
        .route("/preview/{token}", get(site::preview::show_preview))
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::guarded))
        .merge(admin::router(state.clone()))
        .merge(rest::router(state.clone()))
        .fallback(site::show_path)
        .layer(middleware::from_fn(gate::refuse_control_characters))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            render_error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::serve,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// Turn error responses marked with `ErrorPage` into the theme's error page.
async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let Some(page) = response
        .extensions()
        .get::<ErrorPage>()
        .cloned()
        .or_else(|| bare_error(&response))
    else {
        return response;
    };
    if path.starts_with("/admin/api/") {
        return json_error(&page, response);
    }
    if path.starts_with("/admin") {
        return admin_error(&state, &page, response);
    }
    let site = state.site();
    let ctx = minijinja::context! {
        site => SiteView::new(&site, &path),
        title => if page.status == axum::http::StatusCode::NOT_FOUND {
            format!("Page not found – {}", site.settings.title)
        } else {
            format!("Error {} – {}", page.status.as_u16(), site.settings.title)
        },
        status => page.status.as_u16(),
        message => page.message,
        not_found => page.status == axum::http::StatusCode::NOT_FOUND,
    };
    match state.theme().render("error.html", ctx) {
        Ok(html) => {
            let mut r = (page.status, Html(html)).into_response();
            for (name, value) in response.headers() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    r.headers_mut().insert(name.clone(), value.clone());
                }
            }
            r
        }
        Err(e) => {
            tracing::error!("rendering the error page: {e}");
            let mut r = (page.status, page.message).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            r
        }
    }
}

/// A page for an error axum answered itself in bare text (a method a route does not take, a body
/// too large or of the wrong type), so every error a person meets is a page like the others.
fn bare_error(response: &Response) -> Option<ErrorPage> {
    let status = response.status();
    let bare = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t.starts_with("text/plain"));
    if !status.is_client_error() && !status.is_server_error() || !bare {
        return None;
    }
    let message = match status.as_u16() {
        405 => "This address does not take that kind of request.",
        413 => "What was sent is too large.",
        415 => "What was sent is not a form or JSON this site reads.",
        400 | 422 => "The request could not be read.",
        404 => "page not found",
        _ if status.is_server_error() => {
            "Something went wrong on our side. Please try again later."
        }
        _ => "The request could not be answered.",
    };
    Some(ErrorPage {
        status,
        message: message.into(),
    })
}

/// Copy the headers an error response carried (Retry-After, Set-Cookie…) onto its rendering.
fn keep_headers(from: &Response, mut to: Response) -> Response {
    for (name, value) in from.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            to.headers_mut().insert(name.clone(), value.clone());
        }
    }
    to
}

/// An error of the admin's script API, in WordPress's JSON envelope.
fn json_error(page: &ErrorPage, response: Response) -> Response {
    let code = match page.status.as_u16() {
        401 => "rest_not_logged_in",
        403 => "rest_forbidden",
        404 => "rest_no_route",
        409 => "rest_conflict",
        422 => "rest_invalid_param",
        429 => "rest_too_many_requests",
        s if s >= 500 => "rest_internal_error",
        _ => "rest_bad_request",
    };
    let body = serde_json::json!({
        "code": code,
        "message": page.message,
        "data": { "status": page.status.as_u16() },
    });
    keep_headers(&response, (page.status, axum::Json(body)).into_response())
}

/// An error inside the admin, on the admin's own page (not the public theme's).
fn admin_error(state: &AppState, page: &ErrorPage, response: Response) -> Response {
    let ctx = minijinja::context! {
        shell => minijinja::context! {
            site_title => state.site().settings.title.clone(),
            css_url => state.theme().asset_url("admin.css"),
            error => page.message.clone(),
        },
        page_title => match page.status.as_u16() {
            404 => "This page does not exist".to_string(),
            403 => "Not allowed".to_string(),
            s => format!("Error {s}"),
        },
    };
    match state.theme().render("admin/error.html", ctx) {
        Ok(html) => keep_headers(&response, (page.status, Html(html)).into_response()),
        Err(e) => {
            tracing::error!("rendering the admin error page: {e}");
            response
        }
    }
}
