//! Forgotten passwords: a single-use link that expires in an hour, mailed (or logged for the
//! operator), and setting a new password with it. The answer never says whether an account exists.

use chrono::Duration;

use crate::actions::FieldErrors;
use crate::actions::account::hash_password;
use crate::actions::sign_in::Refusal;
use crate::content::{password, secret_token};
use crate::db::{Db, now, password_reset, throttle, user};
use crate::error::Result;
use crate::mail::Mailer;

/// How long a reset link works.
pub const LINK_MINUTES: i64 = 60;
/// Reset requests from one IP per hour before it is paused.
const IP_LIMIT: i64 = 10;
/// Links mailed to one account per hour: more would be a way to flood someone's inbox.
const ACCOUNT_LIMIT: i64 = 3;

/// Ask for a reset link for `name` (email or login). Ok(()) whether or not the account exists.
pub async fn request(
    db: &Db,
    mailer: &Mailer,
    site_url: &str,
    site_title: &str,
    name: &str,
    ip: &str,
) -> Result<std::result::Result<(), Refusal>> {
    let at = now();
    let hour_ago = at - Duration::hours(1);
    let (from_ip, oldest) = throttle::since(db, "reset-ip", ip, hour_ago).await?;
    if from_ip >= IP_LIMIT {
        let retry_after = (oldest.unwrap_or(at) + Duration::hours(1) - at)
            .num_seconds()
            .max(1);
        return Ok(Err(Refusal::Throttled { retry_after }));
    }
    throttle::record(db, "reset-ip", ip, at).await?;
    let Some(u) = user::by_login_or_email(db, name).await? else {
        return Ok(Ok(()));
    };
    let account = format!("user:{}", u.id);
    if throttle::since(db, "reset-account", &account, hour_ago)
        .await?
        .0
        >= ACCOUNT_LIMIT
    {
        return Ok(Ok(()));
    }
    throttle::record(db, "reset-account", &account, at).await?;
    let (token, hash) = secret_token::fresh();
    password_reset::insert(db, &hash, u.id, at + Duration::minutes(LINK_MINUTES)).await?;
    let link = format!("{site_url}/admin/reset?token={token}");
    let body = format!(
        "Someone asked to reset the password of your account on {site_title} ({login}).\n\n\
         To choose a new password, open this link within {LINK_MINUTES} minutes:\n\n{link}\n\n\
         If it was not you, ignore this message: your password stays as it is.\n",
        login = u.login
    );
    let subject = format!("[{site_title}] Password reset");
    // Sent in the background, so the answer comes as fast for an unknown name as for a known one.
    let mailer = mailer.clone();
    let to = u.email.clone();
    tokio::spawn(async move {
        if let Err(e) = mailer.send(&to, &subject, &body).await {
            tracing::error!("password reset mail to {to}: {e}");
        }
    });
    Ok(Ok(()))
}

/// Whether a reset link is still good (to show the form, or say it expired).
pub async fn is_valid(db: &Db, token: &str) -> Result<bool> {
    Ok(
        password_reset::user_of(db, &secret_token::hash(token), now())
            .await?
            .is_some(),
    )
}

/// Set a new password with a reset link; the user's id, None when the link is spent or expired,
/// or what is wrong with the password.
pub async fn complete(
    db: &Db,
    token: &str,
    new: &str,
    confirm: &str,
    ip: &str,
) -> Result<Option<std::result::Result<i64, FieldErrors>>> {
    let hash = secret_token::hash(token);
    let Some(user_id) = password_reset::user_of(db, &hash, now()).await? else {
        return Ok(None);
    };
    let u = user::get(db, user_id)
        .await?
        .ok_or(crate::Error::NotFound)?;
    if let Some(problem) = password::problem(new, confirm, &u.login, &u.email) {
        return Ok(Some(Err(FieldErrors::from([("password", problem)]))));
    }
    let password_hash = hash_password(new).await?;
    Ok(password_reset::redeem(db, &hash, &password_hash, now(), ip)
        .await?
        .map(Ok))
}
