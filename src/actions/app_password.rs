//! Application passwords, WordPress's way for tools to use the REST API: made per user and per
//! tool (shown once), listed with when and where each was last used, revocable, and checked on
//! every API call with the sign-in form's throttling, so they cannot be guessed either.

use rand::Rng;

use crate::actions::capability::{Actor, Cap, not_allowed};
use crate::actions::sign_in::{self, Refusal};
use crate::content::secret_token;
use crate::db::Db;
use crate::db::app_password::{self, AppPassword};
use crate::db::user::{self, User};
use crate::error::{Error, Result};

/// How a password is shown once: 24 letters and digits in groups of four, as WordPress shows them.
fn generate() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let raw: String = (0..24)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What is stored for a password: spaces do not count, as in WordPress.
fn stored_hash(password: &str) -> String {
    let compact: String = password.chars().filter(|c| !c.is_whitespace()).collect();
    secret_token::hash(&compact)
}

fn may_manage(actor: &Actor, user_id: i64) -> Result<()> {
    if actor.user_id == Some(user_id) || actor.can(Cap::EditUsers) {
        Ok(())
    } else {
        Err(not_allowed("manage other people's application passwords"))
    }
}

/// Make a new application password for a user; the password, to show once.
pub async fn create(db: &Db, actor: &Actor, user_id: i64, name: &str) -> Result<String> {
    may_manage(actor, user_id)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::BadRequest(
            "Give the application password a name (at most 100 characters) that says which tool uses it.".into(),
        ));
    }
    user::get(db, user_id).await?.ok_or(Error::NotFound)?;
    let password = generate();
    app_password::insert(db, user_id, name, &stored_hash(&password), &actor.audit()).await?;
    Ok(password)
}

/// A user's application passwords.
pub async fn list(db: &Db, actor: &Actor, user_id: i64) -> Result<Vec<AppPassword>> {
    may_manage(actor, user_id)?;
    app_password::of_user(db, user_id).await
}

/// Revoke one.
pub async fn revoke(db: &Db, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
    may_manage(actor, user_id)?;
    if app_password::delete(db, user_id, id, &actor.audit()).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// The outcome of HTTP Basic credentials.
#[derive(Debug, Clone)]
pub enum Checked {
    Valid(Box<User>),
    Refused(Refusal),
}

/// Check a login (or email) and application password from `ip`.
pub async fn authenticate(db: &Db, login: &str, password: &str, ip: &str) -> Result<Checked> {
    let at = crate::db::now();
    let found = user::by_login_or_email(db, login).await?;
    let account = sign_in::account_key(found.as_ref(), login);
    if let Some(refusal) = sign_in::throttled(db, &account, ip, at).await? {
        return Ok(Checked::Refused(refusal));
    }
    if let Some(u) = found
        && app_password::use_one(db, u.id, &stored_hash(password), ip)
            .await?
            .is_some()
    {
        return Ok(Checked::Valid(Box::new(u)));
    }
    sign_in::failed(db, &account, ip, at).await?;
    Ok(Checked::Refused(Refusal::Wrong))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_grouped_and_spaces_do_not_count() {
        let p = generate();
        assert_eq!(p.len(), 29);
        assert_eq!(p.split(' ').count(), 6);
        assert_eq!(stored_hash(&p), stored_hash(&p.replace(' ', "")));
        assert_ne!(generate(), p);
    }
}
