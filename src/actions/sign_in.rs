//! Signing in and out: password (then a second factor when the user has one), throttled per
//! account and per IP in the database so every node counts the same attempts, and sessions.

use chrono::{DateTime, Duration, Utc};

use crate::actions::account::verify_password;
use crate::actions::capability::Actor;
use crate::content::{password, secret_token, totp};
use crate::db::session::{self, Session};
use crate::db::user::{self, User};
use crate::db::{Db, activity, now, throttle};
use crate::error::Result;

/// Failed attempts are counted over this window.
pub const WINDOW_MINUTES: i64 = 15;
/// Wrong passwords (or codes) for one account before it is locked for the rest of the window.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Wrong attempts from one IP, over all accounts, before it is locked.
pub const IP_LIMIT: i64 = 20;
/// A session without "remember me" lasts two days, with it two weeks (as WordPress's cookies).
pub const SHORT_SESSION_DAYS: i64 = 2;
pub const LONG_SESSION_DAYS: i64 = 14;
/// How often a session's last-seen time is written (not on every request).
const TOUCH_SECONDS: i64 = 60;

const ACCOUNT: &str = "account";
const IP: &str = "ip";

/// Why a sign-in was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Wrong name, password or code: the same answer for each, so names cannot be probed.
    Wrong,
    /// Too many failures; try again after this many seconds.
    Throttled { retry_after: i64 },
}

impl Refusal {
    /// What the person is told.
    pub fn message(&self) -> String {
        match self {
            Refusal::Wrong => "The email address (or login) or password is not right.".into(),
            Refusal::Throttled { retry_after } => format!(
                "Too many failed sign-in attempts. For your safety, signing in is paused: try again in {}, or reset your password.",
                minutes(*retry_after)
            ),
        }
    }
}

fn minutes(seconds: i64) -> String {
    let m = (seconds + 59) / 60;
    if m <= 1 {
        "a minute".into()
    } else {
        format!("{m} minutes")
    }
}

/// A new session: the cookie's token (never stored) and its user.
#[derive(Debug, Clone)]
pub struct Started {
    pub token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
    pub remember: bool,
}

/// What a sign-in step led to.
#[derive(Debug, Clone)]
pub enum Outcome {
    SignedIn(Box<Started>),
    /// The password was right; the user must now give a code from their app.
    SecondFactor {
        user_id: i64,
    },
    Refused(Refusal),
}

/// Where a request comes from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: String,
    pub user_agent: String,
}

pub(crate) fn account_key(user: Option<&User>, typed: &str) -> String {
    match user {
        // One counter per account, whether the attacker types its email or its login.
        Some(u) => format!("user:{}", u.id),
        None => format!("name:{}", typed.trim().to_lowercase()),
    }
}

/// The pause left for this account or IP, if either has failed too often lately.
pub(crate) async fn throttled(
    db: &Db,
    account: &str,
    ip: &str,
    at: DateTime<Utc>,
) -> Result<Option<Refusal>> {
    let since = at - Duration::minutes(WINDOW_MINUTES);
    for (scope, subject, limit) in [(ACCOUNT, account, ACCOUNT_LIMIT), (IP, ip, IP_LIMIT)] {
        let (n, oldest) = throttle::since(db, scope, subject, since).await?;
        if n >= limit {
            let free_at = oldest.unwrap_or(at) + Duration::minutes(WINDOW_MINUTES);
            let retry_after = (free_at - at).num_seconds().max(1);
            return Ok(Some(Refusal::Throttled { retry_after }));
        }
    }
    Ok(None)
}

pub(crate) async fn failed(db: &Db, account: &str, ip: &str, at: DateTime<Utc>) -> Result<Outcome> {
    throttle::record(db, ACCOUNT, account, at).await?;
    throttle::record(db, IP, ip, at).await?;
    Ok(Outcome::Refused(Refusal::Wrong))
}

/// First step: an email or login and a password.
pub async fn with_password(
    db: &Db,
    name: &str,
    typed_password: &str,
    remember: bool,
    origin: &Origin,
) -> Result<Outcome> {
    let at = now();
    let user = user::by_login_or_email(db, name).await?;
    let account = account_key(user.as_ref(), name);
    if let Some(refusal) = throttled(db, &account, &origin.ip, at).await? {
        return Ok(Outcome::Refused(refusal));
    }
    let credentials = match &user {
        Some(u) => user::credentials(db, u.id).await?,
        None => None,
    };
    let stored = credentials.as_ref().and_then(|c| c.password_hash.clone());
    let right = match &stored {
        Some(hash) => verify_password(typed_password, hash).await?,
        None => {
            // Spend the same time on an unknown name as on a wrong password.
            verify_password(typed_password, password::decoy_hash()).await?;
            false
        }
    };
    let (Some(user), Some(credentials), true) = (user, credentials, right) else {
        return failed(db, &account, &origin.ip, at).await;
    };
    throttle::clear(db, ACCOUNT, &account).await?;
    if let Some(hash) = &stored
        && password::needs_rehash(hash)
    {
        let fresh = crate::actions::account::hash_password(typed_password).await?;
        user::rehash_password(db, user.id, hash, &fresh).await?;
    }
    if credentials.totp_secret.is_some() {
        return Ok(Outcome::SecondFactor { user_id: user.id });
    }
    start(db, user, remember, origin)
        .await
        .map(|s| Outcome::SignedIn(Box::new(s)))
}

/// Second step: a code from the authenticator app, or an unused recovery code.
pub async fn with_code(
    db: &Db,
    user_id: i64,
    code: &str,
    remember: bool,
    origin: &Origin,
) -> Result<Outcome> {
    let at = now();
    let account = format!("user:{user_id}");
    if let Some(refusal) = throttled(db, &account, &origin.ip, at).await? {
        return Ok(Outcome::Refused(refusal));
    }
    let (Some(user), Some(credentials)) = (
        user::get(db, user_id).await?,
        user::credentials(db, user_id).await?,
    ) else {
        return failed(db, &account, &origin.ip, at).await;
    };
    let Some(secret) = credentials.totp_secret else {
        return failed(db, &account, &origin.ip, at).await;
    };
    let right = match totp::check(&secret, code, at.timestamp().max(0) as u64) {
        // A code is good once: the same code sent again within its 30 s is a replay.
        Some(step) => user::use_totp_step(db, user_id, step as i64).await?,
        None => {
            let hash = secret_token::hash(&secret_token::normalize_code(code));
            user::use_recovery_code(db, user_id, &hash).await?
        }
    };
    if !right {
        return failed(db, &account, &origin.ip, at).await;
    }
    throttle::clear(db, ACCOUNT, &account).await?;
    start(db, user, remember, origin)
        .await
        .map(|s| Outcome::SignedIn(Box::new(s)))
}

/// Open a session for a user who proved who they are.
pub async fn start(db: &Db, user: User, remember: bool, origin: &Origin) -> Result<Started> {
    let at = now();
    let days = if remember {
        LONG_SESSION_DAYS
    } else {
        SHORT_SESSION_DAYS
    };
    let (token, id_hash) = secret_token::fresh();
    let expires_at = at + Duration::days(days);
    session::insert(
        db,
        &Session {
            id_hash,
            user_id: user.id,
            created_at: at,
            last_seen_at: at,
            expires_at,
            ip: origin.ip.clone(),
            user_agent: origin.user_agent.chars().take(300).collect(),
        },
    )
    .await?;
    let audit = Actor::user(&user, &origin.ip).audit();
    activity::record(db, &audit, "sign in", "user", Some(user.id), "").await?;
    Ok(Started {
        token,
        user,
        expires_at,
        remember,
    })
}

/// The signed-in user of a session cookie's token, if the session is live; notes the visit.
pub async fn current(db: &Db, token: &str, ip: &str) -> Result<Option<(Session, User)>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let at = now();
    let found = session::find(db, &secret_token::hash(token), at).await?;
    if let Some((s, _)) = &found
        && (at - s.last_seen_at).num_seconds() >= TOUCH_SECONDS
    {
        session::touch(db, &s.id_hash, at, ip).await?;
    }
    Ok(found)
}

/// End the session of this cookie's token (signing out).
pub async fn end(db: &Db, session: &Session, actor: &Actor) -> Result<()> {
    session::delete(db, session.user_id, &session.id_hash).await?;
    activity::record(
        db,
        &actor.audit(),
        "sign out",
        "user",
        Some(session.user_id),
        "",
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_messages_say_how_long() {
        assert!(
            Refusal::Throttled { retry_after: 30 }
                .message()
                .contains("a minute")
        );
        assert!(
            Refusal::Throttled { retry_after: 601 }
                .message()
                .contains("11 minutes")
        );
        assert!(!Refusal::Wrong.message().contains("Throttled"));
    }
}
