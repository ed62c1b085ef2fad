//! `POST /wp-comments-post.php`: WordPress's comment endpoint, so imported themes and tools keep
//! working. Accepted: 303 to the comment. Refused: the article page again, the reader's text in the
//! form and a message beside each field, with a status that says why (422, 403, 409, 429).

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::actions::comment::{self, Rejection, Submission};
use crate::app::AppState;
use crate::content::input::{self, Kind};
use crate::db;
use crate::db::comment::status;
use crate::error::{Error, Result};
use crate::http::client_ip::client_ip;
use crate::http::page_cache::ChangesUpTo;
use crate::http::site::article::{self, HONEYPOT};
use crate::http::site::gather;
use crate::http::visitor::{self, Visitor};
use crate::render::views::{self, CommentFormView};

/// The HTTP status of each refusal.
fn status_of(r: &Rejection) -> StatusCode {
    match r {
        Rejection::Fields(_)
        | Rejection::BadParent(_)
        | Rejection::Token(_)
        | Rejection::Replayed => StatusCode::UNPROCESSABLE_ENTITY,
        Rejection::Closed => StatusCode::FORBIDDEN,
        Rejection::Duplicate => StatusCode::CONFLICT,
        Rejection::Flood => StatusCode::TOO_MANY_REQUESTS,
    }
}

/// Take a comment form.
pub async fn post_comment(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: std::result::Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response> {
    let Form(fields) =
        form.map_err(|e| Error::BadRequest(format!("The comment form could not be read: {e}")))?;
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let post_id: i64 = field("comment_post_ID")
        .trim()
        .parse()
        .map_err(|_| Error::NotFound)?;
    let now = db::now();
    let a = gather::article(&state, post_id)
        .await?
        .filter(|a| a.is_live(now))
        .ok_or(Error::NotFound)?;
    let site = state.site();
    let visitor = Visitor::read(&headers, &HashMap::new(), &site.settings.secret, now);
    // A protected article takes comments only from readers who typed its password, as WordPress.
    if !a.password.is_empty()
        && !crate::content::post_password::unlocks(
            &site.settings.secret,
            &a.password,
            visitor.post_pass.as_deref(),
        )
    {
        return Err(Error::Forbidden(
            "This article is password protected: enter the password to comment.".into(),
        ));
    }
    let remember = field("wp-comment-cookies-consent") == "yes";
    let submission = Submission {
        parent_id: field("comment_parent").trim().parse().unwrap_or(0).max(0),
        author: field("author"),
        email: field("email"),
        url: field("url"),
        content: field("comment"),
        token: field("newsroom_token"),
        honeypot: field(HONEYPOT),
        ip: client_ip(peer, &headers, &state.config().trusted_proxies).to_string(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
    };
    let outcome = comment::submit(state.db(), &site.settings, &a, submission.clone()).await?;
    match &outcome {
        Ok(posted) => state.metrics().comment(
            "stored",
            match posted.status.as_str() {
                status::APPROVED => "approved",
                status::PENDING => "pending",
                status::SPAM => "spam",
                _ => "other",
            },
        ),
        Err(rejection) => state.metrics().comment("refused", rejection.reason()),
    }
    match outcome {
        Ok(posted) => {
            let mut path = gather::article_path(&state, &site, &a).await?;
            // Send the reader to the comment page that shows their comment, as WordPress does.
            // An approved comment is already among the approved ones; a held one is read back.
            // Most articles have fewer comments than a page holds: then it is page 1 without
            // reading them all.
            let per_page = i64::from(site.settings.comments_per_page.max(1));
            // A held comment leaves the approved ones as they were, so the kept list will do; an
            // approved one is not in it yet (the change log is followed after this answer).
            let kept = if posted.status == status::APPROVED {
                None
            } else {
                state.rows().comments.peek(a.id)
            };
            let approved = match &kept {
                Some(list) => list.len() as i64,
                None => db::comment::approved_count_upto(state.db(), a.id, per_page).await?,
            };
            let page = if approved < per_page {
                1
            } else {
                let mut shown = match kept {
                    Some(list) => list.to_vec(),
                    None => db::comment::approved_for_post(state.db(), a.id).await?,
                };
                if posted.status != status::APPROVED {
                    shown.extend(db::comment::get(state.db(), posted.id).await?);
                }
                views::page_of(&shown, posted.id, site.settings.comments_per_page)
            };
            if page > 1 {
                path = format!("{path}comment-page-{page}/");
            }
            let location = format!(
                "{}#comment-{}",
                crate::content::permalink::encode_path(&path),
                posted.id
            );
            let mut cookies = if remember {
                visitor::remember_cookies(
                    submission.author.trim(),
                    submission.email.trim(),
                    submission.url.trim(),
                )
            } else {
                visitor::forget_cookies()
            };
            if posted.status != status::APPROVED {
                cookies.push(visitor::held_cookie(
                    &site.settings.secret,
                    &visitor.held,
                    posted.id,
                    now,
                ));
            }
            let mut response =
                (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
            // Its change-log entries are at or before the newest one a committed batch wrote.
            let written = state.db().comment_intake().newest_change();
            response.extensions_mut().insert(ChangesUpTo(written));
            for c in cookies {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(response)
        }
        Err(rejection) => {
            let token = match rejection {
                // A form that failed its token check gets a new one, so sending it again works.
                Rejection::Token(_) | Rejection::Replayed => article::fresh_token(&site, a.id),
                _ => submission.token.clone(),
            };
            // The reader's text comes back as typed; a control character shows as U+FFFD.
            let form = CommentFormView {
                parent_id: submission.parent_id,
                author: input::shown(&submission.author, Kind::Line),
                email: input::shown(&submission.email, Kind::Line),
                url: input::shown(&submission.url, Kind::Line),
                comment: input::shown(&submission.content, Kind::Long),
                remember,
                errors: match &rejection {
                    Rejection::Fields(errors) => errors
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect(),
                    _ => HashMap::new(),
                },
                error: Some(rejection.message()),
                token,
                honeypot: HONEYPOT.into(),
                closed_reason: if rejection == Rejection::Closed {
                    rejection.message()
                } else {
                    String::new()
                },
                ..Default::default()
            };
            let html = article::render(&state, &site, &a, form, &visitor.held).await?;
            let mut response = (status_of(&rejection), html).into_response();
            // A refused comment wrote nothing.
            response.extensions_mut().insert(ChangesUpTo(0));
            Ok(crate::http::site::private(response))
        }
    }
}
