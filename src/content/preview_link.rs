//! Review links for drafts: `/preview/<token>`, where the token names the article and an expiry,
//! signed with the site secret, so a lawyer or a source can read a draft without an account until
//! the link expires.

use chrono::{DateTime, Utc};

use crate::content::signing;

const PURPOSE: &str = "preview-link";

/// A token for article `post_id` valid until `expires`.
pub fn issue(secret: &str, post_id: i64, expires: DateTime<Utc>) -> String {
    signing::sign(
        secret,
        PURPOSE,
        &format!("{post_id}-{}", expires.timestamp()),
    )
}

/// The article a token opens, if it is genuine and not expired at `now`.
pub fn check(secret: &str, token: &str, now: DateTime<Utc>) -> Option<i64> {
    let payload = signing::verify(secret, PURPOSE, token)?;
    let (post, expires) = payload.split_once('-')?;
    let expires: i64 = expires.parse().ok()?;
    (now.timestamp() < expires).then(|| post.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn links_open_their_article_until_they_expire() {
        let now = Utc::now();
        let token = issue("s", 42, now + Duration::days(7));
        assert_eq!(check("s", &token, now), Some(42));
        assert_eq!(check("s", &token, now + Duration::days(8)), None);
        assert_eq!(check("other", &token, now), None);
        assert_eq!(check("s", &token.replacen("42", "43", 1), now), None);
    }
}
