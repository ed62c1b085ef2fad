//! WordPress's password-protected posts: the text is shown to a reader who typed the password,
//! remembered by a cookie holding a proof of it (never the password itself), as WordPress's
//! `wp-postpass_…` cookie does.

use crate::content::{html_tags, signing};

/// The cookie that remembers the last post password a reader typed.
pub const COOKIE: &str = "newsroom-postpass";
/// What listings and feeds show instead of a protected article's excerpt (WordPress's words).
pub const NO_EXCERPT: &str = "There is no excerpt because this is a protected post.";

/// The cookie's value for a password typed.
pub fn proof(secret: &str, typed: &str) -> String {
    signing::tag(secret, "post password", typed)
}

/// Whether a reader's cookie opens an article with this password.
pub fn unlocks(secret: &str, password: &str, cookie: Option<&str>) -> bool {
    !password.is_empty() && cookie.is_some_and(|c| signing::same(c, &proof(secret, password)))
}

/// The form shown in place of a protected article's text.
pub fn form_html(back_to: &str) -> String {
    let back_to = html_tags::escape(back_to);
    format!(
        r#"<form class="post-password-form" action="/wp-login.php?action=postpass" method="post"><p>This content is password protected. To view it please enter your password below:</p><p><label for="pwbox">Password:</label> <input name="post_password" id="pwbox" type="password" size="20" autocomplete="off" required> <input type="hidden" name="redirect_to" value="{back_to}"><button type="submit">Enter</button></p></form>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_password_unlocks() {
        let cookie = proof("s3cret", "open sesame");
        assert!(unlocks("s3cret", "open sesame", Some(&cookie)));
        assert!(!unlocks("s3cret", "other", Some(&cookie)));
        assert!(!unlocks("another site", "open sesame", Some(&cookie)));
        assert!(!unlocks("s3cret", "open sesame", None));
        assert!(!unlocks("s3cret", "", Some(&proof("s3cret", ""))));
        assert!(form_html("/a\"b/").contains(r#"value="/a&quot;b/""#));
    }
}
