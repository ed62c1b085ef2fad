//! The comment form's token: when the form was shown, for which article, and a nonce, signed.
//! A form that comes back forged, for another article, too fast (a bot) or too late is refused;
//! replays are caught by storing used tokens (`db::comment`).

use chrono::{DateTime, Utc};

use crate::content::signing;

const PURPOSE: &str = "comment-form";
/// A form older than this has expired.
pub const MAX_AGE_SECONDS: i64 = 24 * 60 * 60;

/// What is wrong with a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Missing,
    Forged,
    OtherArticle,
    TooFast,
    Expired,
}

impl Problem {
    /// What the reader is told.
    pub fn message(self) -> &'static str {
        match self {
            Problem::Missing | Problem::Forged => {
                "This form could not be verified. Please submit it again from the article page."
            }
            Problem::OtherArticle => {
                "This form belongs to another article. Please submit it again."
            }
            Problem::TooFast => {
                "That was quicker than a person can type. Please wait a moment and submit again."
            }
            Problem::Expired => {
                "This form has expired. Your comment is still here: please submit it again."
            }
        }
    }
}

/// A token for a form shown now for `post_id`.
pub fn issue(secret: &str, post_id: i64, now: DateTime<Utc>, nonce: u64) -> String {
    use std::fmt::Write;
    let mut payload = String::with_capacity(48);
    let _ = write!(payload, "{}-{post_id}-{nonce:016x}", now.timestamp());
    signing::sign(secret, PURPOSE, &payload)
}

/// The article a genuine token was made for.
pub fn post_of(secret: &str, token: &str) -> Option<i64> {
    let payload = signing::verify(secret, PURPOSE, token)?;
    payload.split('-').nth(1)?.parse().ok()
}

/// Check a token that came back with a form for `post_id`.
pub fn check(
    secret: &str,
    token: &str,
    post_id: i64,
    now: DateTime<Utc>,
    min_seconds: u32,
) -> Result<(), Problem> {
    if token.is_empty() {
        return Err(Problem::Missing);
    }
    let payload = signing::verify(secret, PURPOSE, token).ok_or(Problem::Forged)?;
    let mut parts = payload.split('-');
    let (Some(ts), Some(post), Some(_nonce), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Problem::Forged);
    };
    let ts: i64 = ts.parse().map_err(|_| Problem::Forged)?;
    let post: i64 = post.parse().map_err(|_| Problem::Forged)?;
    if post != post_id {
        return Err(Problem::OtherArticle);
    }
    let age = now.timestamp() - ts;
    if age < i64::from(min_seconds) {
        return Err(Problem::TooFast);
    }
    if age > MAX_AGE_SECONDS {
        return Err(Problem::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn tokens_check_signature_article_and_age() {
        let t0 = Utc::now();
        let token = issue("s", 7, t0, 42);
        assert_eq!(check("s", &token, 7, t0 + Duration::seconds(5), 3), Ok(()));
        assert_eq!(
            check("s", &token, 7, t0 + Duration::seconds(1), 3),
            Err(Problem::TooFast)
        );
        assert_eq!(
            check("s", &token, 8, t0 + Duration::seconds(5), 3),
            Err(Problem::OtherArticle)
        );
        assert_eq!(
            check("x", &token, 7, t0 + Duration::seconds(5), 3),
            Err(Problem::Forged)
        );
        assert_eq!(
            check("s", &token, 7, t0 + Duration::days(2), 3),
            Err(Problem::Expired)
        );
        assert_eq!(check("s", "", 7, t0, 3), Err(Problem::Missing));
        let forged = token.replacen(
            &t0.timestamp().to_string(),
            &(t0.timestamp() - 60).to_string(),
            1,
        );
        assert_eq!(
            check("s", &forged, 7, t0 + Duration::seconds(1), 3),
            Err(Problem::Forged)
        );
        assert_ne!(
            issue("s", 7, t0, 1),
            issue("s", 7, t0, 2),
            "two forms never share a token"
        );
    }
}
