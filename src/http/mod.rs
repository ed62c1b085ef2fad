//! HTTP: the router and the one place errors become pages.

pub mod assets;
pub mod client_ip;
pub mod comments;
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

/// Every route of the site.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/static/{file}", get(assets::get_static))
        .route("/avatar/{file}", get(assets::get_avatar))
        .route("/robots.txt", get(assets::get_robots))
        .route("/wp-comments-post.php", post(comments::post_comment))
        .fallback(site::show_path)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            render_error_pages,
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
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
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
