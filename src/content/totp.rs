//! Two-factor sign-in codes: TOTP (RFC 6238, SHA-1, 6 digits, 30 s) as every authenticator app
//! makes them, the `otpauth://` link they scan, and that link as a QR code in SVG.

use rand::RngCore;
use totp_rs::{Algorithm, Builder, Secret};

/// A new secret (160 bits, as RFC 4226 recommends), in base32 as apps take it by hand.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

fn totp(secret: &str) -> Option<totp_rs::Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret).ok()?)
        .build()
        .ok()
}

/// The time step a code belongs to, if `code` is right for `secret` at `unix_time` (one step of
/// clock drift either way is allowed).
pub fn check(secret: &str, code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    totp(secret)?.check(&code, unix_time)
}

/// The code for `secret` at `unix_time` (for tests, which play the authenticator app).
pub fn code_at(secret: &str, unix_time: u64) -> Option<String> {
    Some(totp(secret)?.generate(unix_time).to_string())
}

/// The `otpauth://totp/…` link an authenticator app scans.
pub fn otpauth_url(secret: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

/// `text` as a QR code: an SVG of dark modules on a light square with a quiet zone.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let border = 4;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let dim = size + border * 2;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {dim} {dim}" width="200" height="200" role="img" aria-label="QR code for your authenticator app" shape-rendering="crispEdges"><rect width="{dim}" height="{dim}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B: the SHA-1 secret "12345678901234567890", 8 digits there; its last six
    // digits are what a 6-digit app shows.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_rfc_6238_vectors() {
        assert_eq!(code_at(RFC_SECRET, 59).as_deref(), Some("287082"));
        assert_eq!(
            code_at(RFC_SECRET, 1_111_111_109).as_deref(),
            Some("081804")
        );
        assert_eq!(
            code_at(RFC_SECRET, 2_000_000_000).as_deref(),
            Some("279037")
        );
    }

    #[test]
    fn a_code_is_good_for_its_step_and_one_either_side() {
        let s = new_secret();
        let t = 1_700_000_000;
        let code = code_at(&s, t).unwrap();
        assert_eq!(check(&s, &code, t), Some(t / 30));
        assert!(check(&s, &code, t + 30).is_some());
        assert!(check(&s, &code, t + 120).is_none());
        assert!(check(&s, "12345", t).is_none());
        assert!(check(&s, &format!(" {} ", &code), t).is_some());
    }

    #[test]
    fn otpauth_links_and_qr_codes() {
        let url = otpauth_url("ABC", "The Ledger", "ann@example.org");
        assert!(
            url.starts_with(
                "otpauth://totp/The%20Ledger:ann%40example%2Eorg?secret=ABC&issuer=The%20Ledger"
            ),
            "{url}"
        );
        let svg = qr_svg(&url).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
    }
}
