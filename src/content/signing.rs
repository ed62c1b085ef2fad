//! Signed strings (HMAC-SHA256 under the site secret) for form tokens and cookies: readable by
//! anyone, forgeable by no one without the secret. Each use names a purpose, so a value signed for
//! one cannot be replayed as another.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The signature of `payload` for `purpose` alone (32 hex digits), e.g. a CSRF token for a session.
pub fn tag(secret: &str, purpose: &str, payload: &str) -> String {
    mac(secret, purpose, payload)
}

/// Compare two strings in constant time, so a secret cannot be guessed byte by byte.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn mac(secret: &str, purpose: &str, payload: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(payload.as_bytes());
    mac.finalize().into_bytes()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `payload.signature`.
pub fn sign(secret: &str, purpose: &str, payload: &str) -> String {
    format!("{payload}.{}", mac(secret, purpose, payload))
}

/// The payload of a signed string, if the signature is right for this secret and purpose.
pub fn verify<'a>(secret: &str, purpose: &str, signed: &'a str) -> Option<&'a str> {
    let (payload, signature) = signed.rsplit_once('.')?;
    same(&mac(secret, purpose, payload), signature).then_some(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_verify_only_with_the_same_secret_and_purpose() {
        let s = sign("k", "cookie", "1,2,3");
        assert_eq!(verify("k", "cookie", &s), Some("1,2,3"));
        assert_eq!(verify("other", "cookie", &s), None);
        assert_eq!(verify("k", "form", &s), None);
        assert_eq!(verify("k", "cookie", &s.replace("1,2", "1,9")), None);
        assert_eq!(verify("k", "cookie", "no-signature"), None);
    }
}
