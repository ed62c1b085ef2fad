//! Who is signed in: the `Staff` extractor reads the session cookie (the database decides, so
//! every node agrees), the cookies themselves, and the CSRF tokens of admin forms.
//!
//! Every state-changing admin request carries a token: signed-in forms one derived from the
//! session, pre-session forms (sign-in, forgotten password) one tied to a cookie of this browser.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};

use crate::actions::capability::Actor;
use crate::actions::{sign_in, two_factor};
use crate::app::AppState;
use crate::content::{secret_token, signing};
use crate::db::session::Session;
use crate::db::user::User;
use crate::error::Error;
use crate::http::client_ip::{came_over_https, client_ip};

/// The session cookie: a random token, HttpOnly, SameSite=Lax, Secure over HTTPS.
pub const SESSION_COOKIE: &str = "newsroom_session";
/// A random value tying pre-session forms (sign-in…) to this browser.
pub const PRE_COOKIE: &str = "newsroom_pre";
/// Who passed the password step and still owes a second factor (signed, short-lived).
pub const SECOND_FACTOR_COOKIE: &str = "newsroom_2fa";
/// How long the second step may take.
pub const SECOND_FACTOR_MINUTES: i64 = 10;

/// Pages a user who must set up two-factor sign-in may still open.
const SETUP_PATHS: [&str; 3] = [
    "/admin/profile/two-factor",
    "/admin/logout",
    "/admin/profile/two-factor/enable",
];

/// A signed-in person with their session, as the rules see them (`actor`).
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    pub session: Session,
    pub actor: Actor,
    /// The token this session's forms carry.
    pub csrf: String,
    /// The nonce its scripts send to the REST API (`X-WP-Nonce`).
    pub rest_nonce: String,
}

impl Staff {
    /// Whether a form's token is this session's.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        signing::same(&self.csrf, sent)
    }
}

/// The value of a request cookie.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse_encoded(v.to_string()).flatten())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Where a request comes from, and whether it came over HTTPS.
pub fn origin(
    state: &AppState,
    parts_headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> (sign_in::Origin, bool) {
    let trusted = &state.config().trusted_proxies;
    let peer = peer.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let ip = client_ip(peer, parts_headers, trusted).to_string();
    let https = came_over_https(peer, parts_headers, trusted)
        || state.config().site_url.starts_with("https://");
    let user_agent = parts_headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (sign_in::Origin { ip, user_agent }, https)
}

/// Where a request comes from and whether it came over HTTPS, as an extractor.
#[derive(Debug, Clone)]
pub struct Client {
    pub origin: sign_in::Origin,
    pub https: bool,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (origin, https) = origin(state, &parts.headers, peer_of(parts));
        Ok(Client { origin, https })
    }
}

/// The peer address axum recorded for the connection.
pub fn peer_of(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// A `Set-Cookie` value. `max_age` None: until the browser closes; Some(0): delete.
pub fn set_cookie(
    name: &'static str,
    value: &str,
    path: &'static str,
    max_age_seconds: Option<i64>,
    secure: bool,
) -> String {
    let mut c = Cookie::build((name, value.to_string()))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure);
    if let Some(age) = max_age_seconds {
        c = c.max_age(cookie::time::Duration::seconds(age));
    }
    c.build().encoded().to_string()
}

/// The CSRF token of a session.
pub fn csrf_of(secret: &str, session: &Session) -> String {
    signing::tag(secret, "csrf", &session.id_hash)
}

/// The nonce (`X-WP-Nonce`) that lets this session's scripts call the REST API with its cookie.
pub fn rest_nonce_of(secret: &str, session: &Session) -> String {
    signing::tag(secret, "wp_rest", &session.id_hash)
}

/// The pre-session token for a browser's `newsroom_pre` cookie value.
pub fn pre_token(secret: &str, cookie: &str) -> String {
    signing::tag(secret, "pre-session", cookie)
}

/// A fresh value for the pre-session cookie.
pub fn fresh_pre_cookie() -> String {
    secret_token::fresh().0
}

/// The signed value of the second-factor cookie: who, until when, whether to remember them.
pub fn second_factor_value(
    secret: &str,
    user_id: i64,
    remember: bool,
    until: DateTime<Utc>,
) -> String {
    signing::sign(
        secret,
        "second-factor",
        &format!("{user_id}-{}-{}", until.timestamp(), u8::from(remember)),
    )
}

/// Read the second-factor cookie: the user and "remember me", if genuine and not expired.
pub fn read_second_factor(secret: &str, value: &str, now: DateTime<Utc>) -> Option<(i64, bool)> {
    let payload = signing::verify(secret, "second-factor", value)?;
    let mut parts = payload.split('-');
    let user_id: i64 = parts.next()?.parse().ok()?;
    let until: i64 = parts.next()?.parse().ok()?;
    let remember = parts.next()? == "1";
    (now.timestamp() < until).then_some((user_id, remember))
}

/// Where to send someone who is not signed in: the sign-in page, coming back here afterwards.
fn to_sign_in(parts: &Parts) -> Response {
    let path = parts.uri.path();
    if path.starts_with("/admin/api/") {
        return Error::Unauthorized("Your session has ended. Sign in again.".into())
            .into_response();
    }
    let back = if parts.method == Method::GET {
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default()
    } else {
        String::new()
    };
    if back.is_empty() || back == "/admin/" || back == "/admin" {
        Redirect::to("/admin/login").into_response()
    } else {
        let next = percent_encoding::utf8_percent_encode(&back, percent_encoding::NON_ALPHANUMERIC);
        Redirect::to(&format!("/admin/login?next={next}")).into_response()
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in(parts));
        };
        let (origin, _) = origin(state, &parts.headers, peer_of(parts));
        let found = sign_in::current(state.db(), &token, &origin.ip)
            .await
            .map_err(IntoResponse::into_response)?;
        let Some((session, user)) = found else {
            return Err(to_sign_in(parts));
        };
        let site = state.site();
        // A role the site requires a second factor of sees only the set-up page until it is on.
        if two_factor::required_for(&site.settings, &user.role)
            && !SETUP_PATHS.contains(&parts.uri.path())
            && !two_factor::is_on(state.db(), user.id)
                .await
                .map_err(IntoResponse::into_response)?
        {
            return Err(Redirect::to("/admin/profile/two-factor?required=1").into_response());
        }
        let csrf = csrf_of(&site.settings.secret, &session);
        let rest_nonce = rest_nonce_of(&site.settings.secret, &session);
        let actor = Actor::user(&user, &origin.ip);
        Ok(Staff {
            user,
            session,
            actor,
            csrf,
            rest_nonce,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_factor_cookies_are_signed_and_expire() {
        let now = Utc::now();
        let v = second_factor_value("s", 7, true, now + chrono::Duration::minutes(10));
        assert_eq!(read_second_factor("s", &v, now), Some((7, true)));
        assert_eq!(read_second_factor("x", &v, now), None);
        assert_eq!(
            read_second_factor("s", &v, now + chrono::Duration::minutes(11)),
            None
        );
        assert_eq!(
            read_second_factor("s", &v.replacen("7-", "8-", 1), now),
            None
        );
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_when_asked() {
        let c = set_cookie(SESSION_COOKIE, "abc", "/", None, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!set_cookie(SESSION_COOKIE, "abc", "/", Some(60), false).contains("Secure"));
    }
}
