//! `/metrics` and the counting of every request. On the public address /metrics answers only a
//! request bearing the operator's token (else it does not exist there); on the private metrics
//! address, which only the monitoring network should reach, it answers everyone.

use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tracing::Instrument;

use crate::app::AppState;
use crate::error::Error;

const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Name the request (its id, in a span for its log lines and in the answer), then count it by
/// route and status and time it. One layer for both: each layer costs every request, cached
/// pages included.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let seen = Seen::new(&request, Instant::now());
    let span = super::request_id::span(&seen.id);
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| seen.finish(&state, &mut response));
    response
}

/// What is noted of a request as it comes in, for its answer on the way out.
pub struct Seen {
    /// The request's id (`request_id`).
    pub id: String,
    route: &'static str,
    started: Instant,
    /// For an access log at debug level (NEWSROOM_LOG=newsroom=debug): the path only, never the
    /// query, which may carry a preview token or a reader's search. Nothing is copied when off.
    access: Option<(Method, String)>,
}

impl Seen {
    /// Note a request that arrived at `started`.
    pub fn new(request: &Request, started: Instant) -> Seen {
        Seen {
            id: super::request_id::of(request.headers()),
            route: crate::metrics::route_of(request.uri().path(), request.uri().query()),
            started,
            access: tracing::enabled!(tracing::Level::DEBUG)
                .then(|| (request.method().clone(), request.uri().path().to_string())),
        }
    }

    /// Whether its answer gets an access-log line.
    pub fn logs_access(&self) -> bool {
        self.access.is_some()
    }

    /// What every answer gets on its way out, however it was made: its count and time in the
    /// metrics, the request id, `Connection: close` while the node drains, the access-log line.
    pub fn finish(self, state: &AppState, response: &mut Response) {
        let seconds = self.started.elapsed().as_secs_f64();
        let status = response.status().as_u16();
        state.metrics().request(self.route, status, seconds);
        if let Some((method, path)) = self.access {
            tracing::debug!(%method, path, status, ms = seconds * 1000.0, "answered");
        }
        super::request_id::answer(response, self.id);
        if state.is_draining() {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
    }
}

/// `/metrics` on the public address: only with `Authorization: Bearer <token>`.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.config().metrics_token.as_deref() else {
        return Error::NotFound.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::content::signing::same(given, token) {
        let mut r = (StatusCode::UNAUTHORIZED, "a metrics token is needed\n").into_response();
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return r;
    }
    scrape(State(state)).await
}

/// The metrics, as of now.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let readings = state.readings().await;
    let text = state.metrics().render(&readings);
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// The private address's routes: metrics and health checks, nothing of the site.
pub fn private_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(super::health::alive))
        .route("/readyz", get(super::health::ready))
        .with_state(state)
}
