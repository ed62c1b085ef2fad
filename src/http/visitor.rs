//! What the site knows of a visitor from their own cookies: the details they asked it to remember,
//! and their comments still held for moderation (a signed list, so nobody can peek at others').

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use cookie::{Cookie, SameSite};

use crate::content::signing;

const AUTHOR: &str = "comment_author";
const EMAIL: &str = "comment_author_email";
const URL: &str = "comment_author_url";
const HELD: &str = "newsroom_held";
const HELD_PURPOSE: &str = "held-comments";
/// Held comments stay visible to their author for a week.
const HELD_DAYS: i64 = 7;
/// Remembered details last a year, as WordPress's do.
const REMEMBER_DAYS: i64 = 365;

/// A visitor's remembered details, held comments and the comment they are replying to.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub author: String,
    pub email: String,
    pub url: String,
    pub remember: bool,
    pub held: Vec<i64>,
    pub reply_to: Option<i64>,
    /// The proof of the last post password they typed (`post_password::proof`).
    pub post_pass: Option<String>,
}

impl Visitor {
    /// Read the visitor from request cookies and the `replytocom` query parameter.
    pub fn read(
        headers: &HeaderMap,
        query: &HashMap<String, String>,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Visitor {
        let mut v = Visitor {
            reply_to: query
                .get("replytocom")
                .and_then(|id| id.parse().ok())
                .filter(|id| *id > 0),
            ..Default::default()
        };
        for value in headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            for cookie in Cookie::split_parse_encoded(value).flatten() {
                match cookie.name() {
                    AUTHOR => v.author = cookie.value().to_string(),
                    EMAIL => v.email = cookie.value().to_string(),
                    URL => v.url = cookie.value().to_string(),
                    HELD => v.held = read_held(secret, cookie.value(), now),
                    crate::content::post_password::COOKIE => {
                        v.post_pass = Some(cookie.value().to_string())
                    }
                    _ => {}
                }
            }
        }
        v.remember = !v.author.is_empty() || !v.email.is_empty();
        v
    }

    /// Whether the request carries a cookie that can change a public page (remembered details,
    /// held comments, a post password, a session): such pages are made for the one visitor.
    pub fn has_personal_cookie(headers: &HeaderMap) -> bool {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| Cookie::split_parse_encoded(v).flatten())
            .any(|c| {
                matches!(
                    c.name(),
                    AUTHOR | EMAIL | URL | HELD | crate::content::post_password::COOKIE
                ) || c.name().starts_with("newsroom_")
            })
    }

    /// Whether a page for this visitor shows something of theirs (details or held comments).
    pub fn is_personal(&self) -> bool {
        self.remember || !self.held.is_empty() || self.post_pass.is_some()
    }
}

fn read_held(secret: &str, value: &str, now: DateTime<Utc>) -> Vec<i64> {
    let Some(payload) = signing::verify(secret, HELD_PURPOSE, value) else {
        return Vec::new();
    };
    let Some((ids, expires)) = payload.split_once('|') else {
        return Vec::new();
    };
    if expires.parse::<i64>().map_or(true, |e| e < now.timestamp()) {
        return Vec::new();
    }
    ids.split(',').filter_map(|id| id.parse().ok()).collect()
}

fn build(name: &'static str, value: String, days: i64) -> String {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(days))
        .build()
        .encoded()
        .to_string()
}

/// `Set-Cookie` for the visitor's held comments: the ones they had plus `id`, newest 20, for a week.
pub fn held_cookie(secret: &str, previous: &[i64], id: i64, now: DateTime<Utc>) -> String {
    let mut ids: Vec<i64> = previous.iter().copied().filter(|p| *p != id).collect();
    ids.push(id);
    let skip = ids.len().saturating_sub(20);
    let list: Vec<String> = ids[skip..].iter().map(i64::to_string).collect();
    let expires = now.timestamp() + HELD_DAYS * 86_400;
    build(
        HELD,
        signing::sign(
            secret,
            HELD_PURPOSE,
            &format!("{}|{expires}", list.join(",")),
        ),
        HELD_DAYS,
    )
}

/// `Set-Cookie`s that remember the visitor's details (they ticked the consent box).
pub fn remember_cookies(author: &str, email: &str, url: &str) -> Vec<String> {
    vec![
        build(AUTHOR, author.to_string(), REMEMBER_DAYS),
        build(EMAIL, email.to_string(), REMEMBER_DAYS),
        build(URL, url.to_string(), REMEMBER_DAYS),
    ]
}

/// `Set-Cookie`s that forget them (the box was left unticked).
pub fn forget_cookies() -> Vec<String> {
    [AUTHOR, EMAIL, URL]
        .iter()
        .map(|name| build(name, String::new(), 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, value.parse().unwrap());
        h
    }

    #[test]
    fn held_comments_round_trip_and_resist_tampering() {
        let now = Utc::now();
        let set = held_cookie("s", &[1, 2], 3, now);
        let pair = set.split(';').next().unwrap().to_string();
        let v = Visitor::read(&with_cookie(&pair), &HashMap::new(), "s", now);
        assert_eq!(v.held, vec![1, 2, 3]);
        assert!(
            Visitor::read(&with_cookie(&pair), &HashMap::new(), "other", now)
                .held
                .is_empty()
        );
        let tampered = pair.replacen("1%2C2", "1%2C9", 1);
        assert!(
            Visitor::read(&with_cookie(&tampered), &HashMap::new(), "s", now)
                .held
                .is_empty()
        );
        let later = now + chrono::Duration::days(8);
        assert!(
            Visitor::read(&with_cookie(&pair), &HashMap::new(), "s", later)
                .held
                .is_empty(),
            "expired"
        );
    }

    #[test]
    fn remembered_details_survive_encoding() {
        let cookies: Vec<String> = remember_cookies("Ганна; O'Neil", "h@example.com", "")
            .into_iter()
            .map(|c| c.split(';').next().unwrap().to_string())
            .collect();
        let v = Visitor::read(
            &with_cookie(&cookies.join("; ")),
            &HashMap::new(),
            "s",
            Utc::now(),
        );
        assert_eq!(
            (v.author.as_str(), v.email.as_str(), v.remember),
            ("Ганна; O'Neil", "h@example.com", true)
        );
        assert!(forget_cookies().iter().all(|c| c.contains("Max-Age=0")));
    }
}
