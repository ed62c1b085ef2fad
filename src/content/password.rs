//! Password hashing: argon2id with OWASP's parameters (19 MiB, 2 passes), in PHC strings that carry
//! their own parameters, so stronger settings later can rehash old hashes at the next sign-in.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted.
pub const MIN_CHARS: usize = 8;
/// The longest: hashing cost grows with length, so a megabyte "password" is refused.
pub const MAX_CHARS: usize = 1000;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hash a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    match hasher().hash_password(password.as_bytes(), &salt) {
        Ok(h) => h.to_string(),
        // Only a salt or parameters out of range fail, and both are fixed here.
        Err(e) => unreachable!("argon2 with default parameters cannot fail: {e}"),
    }
}

/// Whether `password` matches a stored hash. Unknown or broken hashes match nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    // Hashes brought from WordPress are checked its way, then replaced at this sign-in.
    if crate::content::wp_password::is_wordpress_hash(stored) {
        return crate::content::wp_password::verify(password, stored);
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    // The hash's own parameters are used, whatever `hasher()` says today.
    hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Whether a stored hash should be replaced by one made with today's parameters.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    let current = Params::default();
    parsed.algorithm.as_str() != "argon2id"
        || Params::try_from(&parsed).map_or(true, |p| {
            p.m_cost() < current.m_cost() || p.t_cost() < current.t_cost()
        })
}

/// A hash of nothing anyone can type, to verify against when the account does not exist, so a
/// wrong name takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash("decoy password nobody has"));
    &DECOY
}

/// What is wrong with a new password, if anything.
pub fn problem(password: &str, confirm: &str, login: &str, email: &str) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        Some(format!(
            "Please choose a password of at least {MIN_CHARS} characters."
        ))
    } else if chars > MAX_CHARS {
        Some(format!(
            "A password can have at most {MAX_CHARS} characters."
        ))
    } else if password != confirm {
        Some("The two passwords do not match.".into())
    } else if password.eq_ignore_ascii_case(login) || password.eq_ignore_ascii_case(email) {
        Some("Your password cannot be your login or email address.".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let h = hash("correct horse battery staple");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("correct horse battery stapler", &h));
        assert_ne!(h, hash("correct horse battery staple"));
        assert!(!needs_rehash(&h));
        assert!(!verify("x", "not a hash"));
        assert!(needs_rehash(
            "$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
        ));
    }

    #[test]
    fn weak_or_mismatched_passwords_are_named() {
        assert!(problem("short", "short", "ann", "ann@x.org").is_some());
        assert!(problem("long enough", "long enougH", "ann", "ann@x.org").is_some());
        assert!(problem("ann@x.org", "ann@x.org", "ann", "ann@x.org").is_some());
        assert!(problem("long enough", "long enough", "ann", "ann@x.org").is_none());
    }
}
