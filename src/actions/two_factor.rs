//! Two-factor sign-in (TOTP, RFC 6238) for one user: turning it on with a code from their app,
//! recovery codes, turning it off; and whether the site requires it of a role.

use crate::actions::account::verify_password;
use crate::actions::capability::{Actor, Cap, Role};
use crate::content::{secret_token, totp};
use crate::db::setting::Settings;
use crate::db::user::{self, User};
use crate::db::{Db, now};
use crate::error::{Error, Result};

/// Whether the site requires a second factor of this role.
pub fn required_for(settings: &Settings, role: &str) -> bool {
    settings
        .two_factor_roles
        .split(',')
        .filter_map(Role::parse)
        .any(|r| r.as_str() == role)
}

/// Whether a user has two-factor sign-in on.
pub async fn is_on(db: &Db, user_id: i64) -> Result<bool> {
    Ok(user::credentials(db, user_id)
        .await?
        .is_some_and(|c| c.totp_secret.is_some()))
}

fn own(actor: &Actor, target: &User) -> Result<()> {
    if actor.is(target.id) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "Only the owner of an account can set up its second factor.".into(),
        ))
    }
}

/// Turn two-factor sign-in on with `secret` (shown to the user as a QR code) once they prove their
/// app has it by typing its current code. Returns the recovery codes, shown once, or the problem.
pub async fn enable(
    db: &Db,
    actor: &Actor,
    target: &User,
    secret: &str,
    code: &str,
) -> Result<std::result::Result<Vec<String>, String>> {
    own(actor, target)?;
    let Some(step) = totp::check(secret, code, now().timestamp().max(0) as u64) else {
        return Ok(Err(
            "That code is not right. Check that your phone's clock is set automatically and type the code the app shows now.".into(),
        ));
    };
    let codes = secret_token::recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| secret_token::hash(c)).collect();
    user::set_two_factor(db, target.id, Some(secret), &hashes, &actor.audit()).await?;
    // The code just typed cannot also sign someone in.
    user::use_totp_step(db, target.id, step as i64).await?;
    Ok(Ok(codes))
}

/// New recovery codes for a user whose second factor is on (the old ones stop working).
pub async fn renew_recovery_codes(db: &Db, actor: &Actor, target: &User) -> Result<Vec<String>> {
    own(actor, target)?;
    let secret = user::credentials(db, target.id)
        .await?
        .and_then(|c| c.totp_secret)
        .ok_or_else(|| Error::Conflict("Two-factor sign-in is not on.".into()))?;
    let codes = secret_token::recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| secret_token::hash(c)).collect();
    user::set_two_factor(db, target.id, Some(&secret), &hashes, &actor.audit()).await?;
    Ok(codes)
}

/// Turn two-factor sign-in off: the owner with their password, or an administrator for someone who
/// lost their phone and codes.
pub async fn disable(
    db: &Db,
    actor: &Actor,
    target: &User,
    password: &str,
) -> Result<std::result::Result<(), String>> {
    if actor.is(target.id) {
        let stored = user::credentials(db, target.id)
            .await?
            .and_then(|c| c.password_hash);
        let right = match stored {
            Some(hash) => verify_password(password, &hash).await?,
            None => false,
        };
        if !right {
            return Ok(Err("Your password is not right.".into()));
        }
    } else {
        actor.require(Cap::EditUsers, "turn off other people's two-factor sign-in")?;
    }
    user::set_two_factor(db, target.id, None, &[], &actor.audit()).await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_roles_are_read_from_the_setting() {
        let settings = Settings {
            two_factor_roles: "administrator, Editor,bogus".into(),
            ..Settings::default()
        };
        assert!(required_for(&settings, "editor"));
        assert!(required_for(&settings, "administrator"));
        assert!(!required_for(&settings, "author"));
        assert!(!required_for(&Settings::default(), "administrator"));
    }
}
