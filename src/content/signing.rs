//! Signed strings (HMAC-SHA256 under the site secret) for form tokens and cookies: readable by
//! anyone, forgeable by no one without the secret. Each use names a purpose, so a value signed for
//! one cannot be replayed as another.

use std::cell::RefCell;

use hmac::{Hmac, Mac};
use sha2::Sha256;

thread_local! {
    /// The HMAC keyed with the last secret used on this thread: keying hashes the secret, which
    /// costs as much as signing a short payload, and a page from the cache signs a token each time.
    static KEYED: RefCell<Option<(Box<str>, Hmac<Sha256>)>> = const { RefCell::new(None) };
}

/// The signature of `payload` for `purpose` alone (32 hex digits), e.g. a CSRF token for a session.
pub fn tag(secret: &str, purpose: &str, payload: &str) -> String {
    as_str(&mac_hex(secret, purpose, payload)).to_string()
}

/// Compare two strings in constant time, so a secret cannot be guessed byte by byte.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The signature, as 32 hex digits.
fn mac_hex(secret: &str, purpose: &str, payload: &str) -> [u8; 32] {
    let mut mac = KEYED.with_borrow_mut(|keyed| match keyed {
        Some((key, mac)) if **key == *secret => mac.clone(),
        _ => {
            let mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any length");
            *keyed = Some((secret.into(), mac.clone()));
            mac
        }
    });
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(payload.as_bytes());
    let mut hex = [0u8; 32];
    hex::encode_to_slice(&mac.finalize().into_bytes()[..16], &mut hex)
        .expect("16 bytes are 32 hex digits");
    hex
}

/// Hex digits as text (they are ASCII).
fn as_str(hex: &[u8; 32]) -> &str {
    std::str::from_utf8(hex).unwrap_or_default()
}

/// `payload.signature`.
pub fn sign(secret: &str, purpose: &str, payload: &str) -> String {
    let hex = mac_hex(secret, purpose, payload);
    let mut signed = String::with_capacity(payload.len() + 1 + hex.len());
    signed.push_str(payload);
    signed.push('.');
    signed.push_str(as_str(&hex));
    signed
}

/// The payload of a signed string, if the signature is right for this secret and purpose.
pub fn verify<'a>(secret: &str, purpose: &str, signed: &'a str) -> Option<&'a str> {
    let (payload, signature) = signed.rsplit_once('.')?;
    let hex = mac_hex(secret, purpose, payload);
    same(as_str(&hex), signature).then_some(payload)
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
        // The key kept for the thread is the secret's: signing again under another one (and back)
        // signs under that one.
        assert_ne!(sign("other", "cookie", "1,2,3"), s);
        assert_eq!(sign("k", "cookie", "1,2,3"), s);
        assert_eq!(
            s,
            "1,2,3.".to_string() + &tag("k", "cookie", "1,2,3"),
            "a signed string is its payload and its tag"
        );
    }
}
