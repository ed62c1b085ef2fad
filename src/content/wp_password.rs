//! WordPress's password hashes, so people moved from WordPress sign in with the password they
//! had: phpass "portable" hashes (`$P$`, WordPress before 6.8), WordPress 6.8's bcrypt of an
//! HMAC-SHA384 pre-hash (`$wp$2y$…`), plain bcrypt (`$2y$`, from plugins), and the bare MD5 that
//! phpMyAdmin resets leave. Only checked, never made: a match is rehashed to argon2id at once.

use base64::Engine;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha384;

use crate::content::signing;

const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Whether a stored hash is one of WordPress's formats.
pub fn is_wordpress_hash(stored: &str) -> bool {
    stored.starts_with("$P$")
        || stored.starts_with("$H$")
        || stored.starts_with("$wp$2")
        || stored.starts_with("$2y$")
        || stored.starts_with("$2a$")
        || stored.starts_with("$2b$")
        || (stored.len() == 32 && stored.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Check a password as WordPress's `wp_check_password` does.
pub fn verify(password: &str, stored: &str) -> bool {
    if let Some(bcrypt_hash) = stored.strip_prefix("$wp") {
        let pre = Hmac::<Sha384>::new_from_slice(b"wp-sha384").map(|mut mac| {
            mac.update(password.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        });
        return pre.is_ok_and(|pre| bcrypt::verify(pre, bcrypt_hash).unwrap_or(false));
    }
    if stored.starts_with("$P$") || stored.starts_with("$H$") {
        return phpass(password, stored).is_some_and(|h| signing::same(&h, stored));
    }
    if stored.starts_with("$2") {
        return bcrypt::verify(password, stored).unwrap_or(false);
    }
    if stored.len() == 32 {
        let hex = hex::encode(Md5::digest(password.as_bytes()));
        return signing::same(&hex, &stored.to_ascii_lowercase());
    }
    false
}

/// phpass's portable hash of `password` with the setting (count and salt) of `stored`.
fn phpass(password: &str, stored: &str) -> Option<String> {
    let setting = stored.as_bytes();
    if setting.len() < 12 {
        return None;
    }
    let count_log2 = ITOA64.iter().position(|c| *c == setting[3])?;
    if !(7..=30).contains(&count_log2) {
        return None;
    }
    let salt = &setting[4..12];
    let mut hash = Md5::new_with_prefix(salt)
        .chain_update(password.as_bytes())
        .finalize();
    for _ in 0..(1u32 << count_log2) {
        hash = Md5::new_with_prefix(hash)
            .chain_update(password.as_bytes())
            .finalize();
    }
    let mut out = String::from_utf8_lossy(&setting[..12]).into_owned();
    out.push_str(&encode64(&hash));
    Some(out)
}

/// phpass's own base-64 (little-endian groups of three bytes).
fn encode64(input: &[u8]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let count = input.len();
    while i < count {
        let mut value = u32::from(input[i]);
        i += 1;
        out.push(ITOA64[(value & 0x3f) as usize] as char);
        if i < count {
            value |= u32::from(input[i]) << 8;
        }
        out.push(ITOA64[((value >> 6) & 0x3f) as usize] as char);
        if i >= count {
            break;
        }
        i += 1;
        if i < count {
            value |= u32::from(input[i]) << 16;
        }
        out.push(ITOA64[((value >> 12) & 0x3f) as usize] as char);
        if i >= count {
            break;
        }
        i += 1;
        out.push(ITOA64[((value >> 18) & 0x3f) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with passlib's phpass and PHP-compatible bcrypt over WordPress 6.8's pre-hash.
    const PHPASS: &str = "$P$B19TNWZtPnvFdZLAGlekCDhgMiO/Rb.";
    const WP68: &str = "$wp$2y$10$okjbBK1J6K3SHyu5kzbGjeA2WoKfAKHF9oWkY7jObiQJ9WpfbIL/u";
    const PASSWORD: &str = "correct horse battery";

    #[test]
    fn phpass_portable_hashes() {
        assert!(verify(PASSWORD, PHPASS));
        assert!(!verify("correct horse batter", PHPASS));
        assert!(!verify(PASSWORD, "$P$Bshort"));
        assert!(!verify(PASSWORD, "$P$!19TNWZtPnvFdZLAGlekCDhgMiO/Rb."));
    }

    #[test]
    fn wordpress_6_8_bcrypt_hashes() {
        assert!(verify(PASSWORD, WP68));
        assert!(!verify("Correct horse battery", WP68));
        // A vector published with WordPress 6.8's algorithm elsewhere.
        assert!(verify(
            "grimoire-test-123",
            "$wp$2y$12$iWN5xRwDE7i9R5jVJvCyqOxS1CNnwUggQaF8O2W9Bg8TuXQz.ngrS"
        ));
    }

    #[test]
    fn plain_bcrypt_and_md5() {
        let bcrypt = bcrypt::hash(PASSWORD, 4).expect("hash");
        assert!(verify(PASSWORD, &bcrypt));
        assert!(!verify("nope", &bcrypt));
        assert!(verify("password", "5f4dcc3b5aa765d61d8327deb882cf99"));
        assert!(!verify("Password", "5f4dcc3b5aa765d61d8327deb882cf99"));
        assert!(is_wordpress_hash(PHPASS) && is_wordpress_hash(WP68) && is_wordpress_hash(&bcrypt));
        assert!(!is_wordpress_hash("$argon2id$v=19$m=19456,t=2,p=1$x$y"));
    }
}
