//! Posted admin forms, read in one place: the CSRF token is checked and every field passes the
//! control-character gate (`content::input`) before any handler, action or store sees it. A form
//! that fails comes back as a 422 page holding everything the person typed, so nothing is lost.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::content::input::{self, Kind};
use crate::error::Error;
use crate::http::admin::session::{self, PRE_COOKIE, Staff, cookie_value};

/// The largest form accepted (an article's text with room to spare).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The fields of a posted form, in the order sent (a name may repeat: checkboxes).
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// Parse an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Fields {
        Fields(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Whether a field was sent (a ticked checkbox, a pressed button).
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every value of a field that is a whole number.
    pub fn ids(&self, name: &str) -> Vec<i64> {
        self.all(name)
            .into_iter()
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }

    /// A whole-number field.
    pub fn id(&self, name: &str) -> Option<i64> {
        self.get(name).trim().parse().ok()
    }

    /// Every name and value.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first field holding a control character, and which one.
    fn first_refused(&self) -> Option<(&str, char)> {
        self.0.iter().find_map(|(k, v)| {
            input::first_refused(k, Kind::Long)
                .or_else(|| input::first_refused(v, Kind::Long))
                .map(|c| (k.as_str(), c))
        })
    }
}

/// A field as the refusal page shows it back.
#[derive(Debug, Serialize)]
struct KeptField {
    name: String,
    value: String,
    bad: bool,
}

/// The 422 (or 403) page that hands back everything sent, so the person can copy it.
fn refused(state: &AppState, status: StatusCode, message: &str, fields: &Fields) -> Response {
    let kept: Vec<KeptField> = fields
        .pairs()
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| KeptField {
            name: input::shown(k, Kind::Line),
            value: input::shown(v, Kind::Long),
            bad: input::first_refused(v, Kind::Long).is_some()
                || input::first_refused(k, Kind::Long).is_some(),
        })
        .collect();
    let ctx = minijinja::context! {
        shell => minijinja::context! {
            site_title => state.site().settings.title.clone(),
            css_url => state.theme().asset_url("admin.css"),
            error => message,
        },
        page_title => "Nothing was saved",
        fields => kept,
    };
    match state.theme().render("admin/refused.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read_body(body: axum::body::Body) -> Result<Fields, Response> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT).await.map_err(|_| {
        Error::TooLarge(format!(
            "This form is larger than {} MB and was not read.",
            BODY_LIMIT / 1024 / 1024
        ))
        .into_response()
    })?;
    Ok(Fields::parse(&bytes))
}

/// The refusal page when a field holds a control character; None when every field is clean.
fn gate(state: &AppState, fields: &Fields) -> Option<Response> {
    if let Some((name, c)) = fields.first_refused() {
        let message = format!(
            "Nothing was saved: the field “{}” contains a control character (U+{:04X}) that cannot be stored. Everything you sent is below, with the character shown as �, so you can copy it, go back and try again.",
            input::shown(name, Kind::Line),
            c as u32
        );
        return Some(refused(
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &message,
            fields,
        ));
    }
    None
}

/// A form posted by a signed-in person: CSRF-checked and gated.
pub struct Posted {
    pub staff: Staff,
    pub fields: Fields,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        // Who is asking first: a stranger's form is not read at all.
        let (mut parts, body) = req.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let fields = read_body(body).await?;
        if !staff.csrf_ok(fields.get("csrf")) {
            return Err(refused(
                state,
                StatusCode::FORBIDDEN,
                "Nothing was saved: this form has expired or did not come from this site. Everything you sent is below; reload the page and try again.",
                &fields,
            ));
        }
        if let Some(refusal) = gate(state, &fields) {
            return Err(refusal);
        }
        Ok(Posted { staff, fields })
    }
}

/// A form posted before signing in (sign-in, second factor, forgotten password): its token must
/// match this browser's pre-session cookie, so another site cannot post it for the visitor.
pub struct PrePosted {
    pub fields: Fields,
    pub parts: axum::http::request::Parts,
}

impl FromRequest<AppState> for PrePosted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let fields = read_body(body).await?;
        let secret = state.site().settings.secret.clone();
        let ok = cookie_value(&parts.headers, PRE_COOKIE).is_some_and(|c| {
            crate::content::signing::same(&session::pre_token(&secret, &c), fields.get("csrf"))
        });
        if !ok {
            return Err(refused(
                state,
                StatusCode::FORBIDDEN,
                "This form has expired, or your browser did not keep this site's cookie. Please go back, reload the page and try again (cookies must be on to sign in).",
                &fields,
            ));
        }
        if let Some(refusal) = gate(state, &fields) {
            return Err(refusal);
        }
        Ok(PrePosted { fields, parts })
    }
}

/// A JSON request from the admin's own script: the session's token in `X-CSRF-Token`.
pub struct Api<T> {
    pub staff: Staff,
    pub body: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Api<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let sent = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !staff.csrf_ok(sent) {
            return Err(Error::Forbidden(
                "This request did not come from this site's editor.".into(),
            )
            .into_response());
        }
        let bytes = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| Error::TooLarge("The request is too large.".into()).into_response())?;
        let body = serde_json::from_slice(&bytes).map_err(|e| {
            Error::BadRequest(format!("The request could not be read: {e}")).into_response()
        })?;
        Ok(Api { staff, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_order_and_repeats() {
        let f = Fields::parse(b"category=1&category=3&title=Hello+w%C3%B6rld&sticky=on&bad=x%00y");
        assert_eq!(f.ids("category"), vec![1, 3]);
        assert_eq!(f.get("title"), "Hello wörld");
        assert!(f.has("sticky") && !f.has("missing"));
        assert_eq!(f.get("missing"), "");
        assert_eq!(f.first_refused(), Some(("bad", '\0')));
    }
}
