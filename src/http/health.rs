//! `/healthz` and `/readyz` for load balancers and orchestrators: plain JSON, never cached.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;
use crate::db;

/// How long the readiness check waits for the database before calling it unreachable.
const DATABASE_WAIT: Duration = Duration::from_secs(2);

/// Alive: the process answers requests (nothing else is asked, so a slow database never gets a
/// live node restarted).
pub async fn alive() -> Response {
    no_store((StatusCode::OK, Json(json!({ "status": "ok" }))).into_response())
}

/// Ready: the database answers and its schema is the one this binary serves.
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.is_draining() {
        // Stopping: a load balancer should send new readers elsewhere.
        return no_store(
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "stopping" })),
            )
                .into_response(),
        );
    }
    let checked = tokio::time::timeout(DATABASE_WAIT, db::schema::status(state.db())).await;
    let (status, body) = match checked {
        Ok(Ok(schema)) if schema.is_current() => (
            StatusCode::OK,
            json!({ "status": "ok", "database": state.db().backend(), "schema": schema.current }),
        ),
        Ok(Ok(schema)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({
                "status": "schema not current",
                "schema": schema.current,
                "known": schema.known,
            }),
        ),
        Ok(Err(e)) => {
            tracing::warn!("readiness: database: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "status": "database unreachable" }),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "database did not answer in time" }),
        ),
    };
    no_store((status, Json(body)).into_response())
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}
