//! Avatars made on the server: an identicon drawn from a keyed hash. Unlike Gravatar, no email
//! hash ever leaves the site, and the key cannot be reversed without the site's secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The public avatar key of an identity (an email, or "user:ID"): 32 hex digits of HMAC-SHA256
/// under the site secret.
pub fn key(secret: &str, identity: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"avatar\0");
    mac.update(identity.trim().to_lowercase().as_bytes());
    let bytes = mac.finalize().into_bytes();
    hex::encode(&bytes[..16])
}

/// Whether a string is a well-formed avatar key.
pub fn is_key(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A 5×5 mirrored identicon as SVG, coloured and patterned by the key.
pub fn identicon_svg(key: &str) -> String {
    let bytes: Vec<u8> = (0..key.len() / 2)
        .filter_map(|i| u8::from_str_radix(&key[2 * i..2 * i + 2], 16).ok())
        .collect();
    let byte = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let hue = u16::from_be_bytes([byte(0), byte(1)]) % 360;
    let mut cells = String::new();
    for row in 0..5 {
        for col in 0..3 {
            let bit = row * 3 + col;
            if byte(2 + bit / 8) >> (bit % 8) & 1 == 1 {
                cells.push_str(&format!(
                    r#"<rect x="{}" y="{}" width="1" height="1"/>"#,
                    col + 1,
                    row + 1
                ));
                if col < 2 {
                    cells.push_str(&format!(
                        r#"<rect x="{}" y="{}" width="1" height="1"/>"#,
                        5 - col,
                        row + 1
                    ));
                }
            }
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 7 7" width="96" height="96" shape-rendering="crispEdges"><rect width="7" height="7" fill="hsl({hue} 40% 92%)"/><g fill="hsl({hue} 55% 42%)">{cells}</g></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_the_secret_and_ignore_case() {
        let a = key("s1", "Reader@Example.com");
        assert_eq!(a, key("s1", "reader@example.com"));
        assert_ne!(a, key("s2", "reader@example.com"));
        assert!(is_key(&a));
        assert!(!a.contains("reader"));
    }

    #[test]
    fn identicons_are_svg_and_differ_by_key() {
        let a = identicon_svg(&key("s", "a"));
        let b = identicon_svg(&key("s", "b"));
        assert!(a.starts_with("<svg") && a.ends_with("</svg>"));
        assert_ne!(a, b);
    }
}
