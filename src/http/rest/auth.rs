//! Who calls the API: anonymous, a user by an application password (HTTP Basic, as WordPress
//! takes it), or the admin's own scripts by the session cookie plus its nonce (`X-WP-Nonce` or
//! `_wpnonce`). Wrong credentials are refused even on routes anyone may read, as WordPress does, so
//! a tool with a revoked password learns it at once; failures count toward the sign-in throttle.
//! A session cookie without a nonce counts as anonymous: another site could make a browser send
//! the cookie, never the nonce (WordPress's defence against cross-site requests).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::Rest;
use crate::actions::app_password::{self, Checked};
use crate::actions::capability::Actor;
use crate::actions::sign_in::{self, Refusal};
use crate::actions::two_factor;
use crate::app::AppState;
use crate::content::signing;
use crate::http::admin::session;

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
        return by_cookie(parts, state).await;
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
    let ip = ip_of(parts, state);
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

fn ip_of(parts: &Parts, state: &AppState) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)), |c| c.0);
    crate::http::client_ip::client_ip(peer, &parts.headers, &state.config().trusted_proxies)
        .to_string()
}

/// The nonce a request carries: the `X-WP-Nonce` header, or `_wpnonce` in the query.
fn nonce_of(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get("x-wp-nonce") {
        return v.to_str().ok().map(str::to_string);
    }
    form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "_wpnonce")
        .map(|(_, v)| v.into_owned())
}

/// The admin's session cookie, counted only with the session's nonce.
async fn by_cookie(parts: &Parts, state: &AppState) -> Result<Caller, Rest> {
    let Some(nonce) = nonce_of(parts) else {
        return Ok(Caller(None));
    };
    let bad_nonce = || {
        Rest::new(
            StatusCode::FORBIDDEN,
            "rest_cookie_invalid_nonce",
            "Cookie check failed",
        )
    };
    let Some(token) = session::cookie_value(&parts.headers, session::SESSION_COOKIE) else {
        return Err(bad_nonce());
    };
    let ip = ip_of(parts, state);
    let Some((found, user)) = sign_in::current(state.db(), &token, &ip).await? else {
        return Err(bad_nonce());
    };
    let site = state.site();
    if !signing::same(
        &session::rest_nonce_of(&site.settings.secret, &found),
        &nonce,
    ) {
        return Err(bad_nonce());
    }
    // A role that owes a second factor may do nothing until it is set up, here as in the admin.
    if two_factor::required_for(&site.settings, &user.role)
        && !two_factor::is_on(state.db(), user.id).await?
    {
        return Err(Rest::new(
            StatusCode::FORBIDDEN,
            "rest_forbidden",
            "Set up two-factor sign-in first.",
        ));
    }
    Ok(Caller(Some(Actor::user(&user, &ip))))
}

/// GET /wp-admin/admin-ajax.php?action=rest-nonce: a fresh nonce for a signed-in browser, as
/// WordPress's block editor asks when its own has expired ("0" with 400 otherwise).
pub async fn ajax(
    staff: Result<session::Staff, Response>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let (status, body) = match staff {
        Ok(staff) if q.get("action").map(String::as_str) == Some("rest-nonce") => {
            (StatusCode::OK, staff.rest_nonce)
        }
        _ => (StatusCode::BAD_REQUEST, "0".to_string()),
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    r
}

/// The status WordPress answers a refusal with: 401 to the anonymous, who may yet sign in; 403 to
/// a user who may not.
pub fn required_status(caller: Option<&Actor>) -> StatusCode {
    if caller.is_some() {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::UNAUTHORIZED
    }
}
