//! Who calls the API: anonymous, or a user by an application password (HTTP Basic, as WordPress
//! takes it). Wrong credentials are refused even on routes anyone may read, as WordPress does, so
//! a tool with a revoked password learns it at once; failures count toward the sign-in throttle.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::Rest;
use crate::actions::app_password::{self, Checked};
use crate::actions::capability::Actor;
use crate::actions::sign_in::Refusal;
use crate::app::AppState;

/// The caller of an API request (set by `check`).
#[derive(Clone)]
pub struct Caller(pub Option<Actor>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Rest;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Caller, Rest> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or(Caller(None)))
    }
}

/// Middleware of every API route: credentials, when sent, must be right.
pub async fn check(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let caller = {
        let (mut parts, body) = request.into_parts();
        let caller = authenticate(&mut parts, &state).await;
        request = Request::from_parts(parts, body);
        caller
    };
    match caller {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(rest) => rest.into_response(),
    }
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Caller, Rest> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(Caller(None));
    };
    let invalid = || {
        Rest::new(
            StatusCode::UNAUTHORIZED,
            "incorrect_password",
            "The provided password is an invalid application password.",
        )
    };
    let encoded = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .ok_or_else(invalid)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    let (login, password) = decoded.split_once(':').ok_or_else(invalid)?;
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
    let ip =
        crate::http::client_ip::client_ip(peer, &parts.headers, &state.config().trusted_proxies)
            .to_string();
    match app_password::authenticate(state.db(), login, password, &ip).await? {
        Checked::Valid(user) => Ok(Caller(Some(Actor::user(&user, &ip)))),
        Checked::Refused(Refusal::Throttled { retry_after }) => Err(Rest::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_retries",
            format!("Too many failed attempts: try again in {retry_after} seconds."),
        )),
        Checked::Refused(Refusal::Wrong) => Err(invalid()),
    }
}
