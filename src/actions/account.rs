//! People's accounts: adding users, their profiles, roles and passwords, with the rules of who may
//! change what (administrators manage users; everyone edits their own profile and password).

use crate::actions::FieldErrors;
use crate::actions::capability::{Actor, Cap, Role};
use crate::content::input::{self, Kind};
use crate::content::{password, slug};
use crate::db::Db;
use crate::db::user::{self, NewUser, User, UserPatch};
use crate::error::{Error, Result};

/// A user to add, as an administrator (or the operator) gives it.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: String,
    /// None: the person sets one through a reset link.
    pub password: Option<String>,
}

/// Hash a password off the async runtime: argon2 spends tens of milliseconds of CPU on purpose.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| Error::Internal(format!("hashing a password: {e}")))
}

/// Check a password against a stored hash off the async runtime.
pub async fn verify_password(password: &str, stored: &str) -> Result<bool> {
    let (password, stored) = (password.to_string(), stored.to_string());
    tokio::task::spawn_blocking(move || password::verify(&password, &stored))
        .await
        .map_err(|e| Error::Internal(format!("checking a password: {e}")))
}

/// Whether an email address looks deliverable enough to sign in with.
pub fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !email.contains(['<', '>', '"', ',', ';', '(', ')'])
        && email.chars().count() <= 100
}

/// Add a user; the new id, or what is wrong with the fields.
pub async fn add_user(
    db: &Db,
    actor: &Actor,
    new: &NewAccount,
) -> Result<std::result::Result<i64, FieldErrors>> {
    actor.require(Cap::CreateUsers, "add users")?;
    let email = new.email.trim().to_lowercase();
    let name = new.name.trim();
    let mut errors = FieldErrors::new();
    if let Err(m) = input::check(&email, Kind::Line) {
        errors.insert("email", m);
    } else if !looks_like_email(&email) {
        errors.insert("email", "Please enter a valid email address.".into());
    } else if user::by_email(db, &email).await?.is_some() {
        errors.insert(
            "email",
            "Another account already uses this email address.".into(),
        );
    }
    if let Err(m) = input::check(name, Kind::Line) {
        errors.insert("name", m);
    } else if name.chars().count() > 100 {
        errors.insert("name", "A name can have at most 100 characters.".into());
    }
    let Some(role) = Role::parse(&new.role) else {
        errors.insert(
            "role",
            "Choose a role: subscriber, contributor, author, editor or administrator.".into(),
        );
        return Ok(Err(errors));
    };
    let local = email.split('@').next().unwrap_or_default().to_string();
    if let Some(pw) = &new.password
        && let Some(problem) = password::problem(pw, pw, &local, &email)
    {
        errors.insert("password", problem);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let display_name = if name.is_empty() {
        local.clone()
    } else {
        name.to_string()
    };
    let login = free_login(db, &slug::slugify(&local)).await?;
    let slug = free_user_slug(db, &slug::slugify(&display_name), None).await?;
    let id = user::insert(
        db,
        &NewUser {
            login,
            slug,
            display_name,
            email,
            role: role.as_str().into(),
            password_hash: match &new.password {
                Some(pw) => Some(hash_password(pw).await?),
                None => None,
            },
            ..Default::default()
        },
        Some(&actor.audit()),
    )
    .await?;
    Ok(Ok(id))
}

async fn free_login(db: &Db, wanted: &str) -> Result<String> {
    let mut candidate = wanted.to_string();
    let mut n = 2;
    while user::by_login_or_email(db, &candidate).await?.is_some() {
        candidate = format!("{wanted}{n}");
        n += 1;
    }
    Ok(candidate)
}

async fn free_user_slug(db: &Db, wanted: &str, own_id: Option<i64>) -> Result<String> {
    let mut candidate = wanted.to_string();
    let mut n = 2;
    while user::by_slug(db, &candidate)
        .await?
        .is_some_and(|u| Some(u.id) != own_id)
    {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// A profile as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct ProfileForm {
    pub display_name: String,
    pub slug: String,
    pub email: String,
    pub url: String,
    pub bio: String,
    pub avatar_url: String,
}

/// Whether `url` is empty or an http(s) address (or, for pictures, a path on this site).
fn web_address_problem(url: &str, allow_path: bool) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let ok = url.is_empty()
        || ((lower.starts_with("https://") || lower.starts_with("http://"))
            && url.len() > "https://".len()
            && !url.contains(char::is_whitespace))
        || (allow_path && url.starts_with('/') && !url.starts_with("//"));
    (!ok).then(|| "Please enter an address starting with https:// (or leave it empty).".into())
}

/// Change a profile: one's own, or anyone's for an administrator.
pub async fn update_profile(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    form: &ProfileForm,
) -> Result<std::result::Result<(), FieldErrors>> {
    if !actor.is(user_id) {
        actor.require(Cap::EditUsers, "edit other people's profiles")?;
    }
    let current = user::get(db, user_id).await?.ok_or(Error::NotFound)?;
    let mut errors = FieldErrors::new();
    let display_name = form.display_name.trim();
    let email = form.email.trim().to_lowercase();
    let url = form.url.trim();
    let avatar = form.avatar_url.trim();
    let bio = form.bio.trim();
    for (field, value, kind) in [
        ("display_name", display_name, Kind::Line),
        ("slug", form.slug.trim(), Kind::Line),
        ("email", email.as_str(), Kind::Line),
        ("url", url, Kind::Line),
        ("avatar_url", avatar, Kind::Line),
        ("bio", bio, Kind::Long),
    ] {
        if let Err(m) = input::check(value, kind) {
            errors.insert(field, m);
        }
    }
    if display_name.is_empty() {
        errors
            .entry("display_name")
            .or_insert_with(|| "Please enter the name readers see.".into());
    } else if display_name.chars().count() > 100 {
        errors.insert(
            "display_name",
            "A name can have at most 100 characters.".into(),
        );
    }
    if !looks_like_email(&email) {
        errors
            .entry("email")
            .or_insert_with(|| "Please enter a valid email address.".into());
    } else if user::by_email(db, &email)
        .await?
        .is_some_and(|u| u.id != user_id)
    {
        errors.insert(
            "email",
            "Another account already uses this email address.".into(),
        );
    }
    let wanted_slug = if form.slug.trim().is_empty() {
        slug::slugify(display_name)
    } else {
        slug::slugify(form.slug.trim())
    };
    if user::by_slug(db, &wanted_slug)
        .await?
        .is_some_and(|u| u.id != user_id)
    {
        errors.insert("slug", "Another author already has this address.".into());
    }
    if let Some(p) = web_address_problem(url, false) {
        errors.entry("url").or_insert(p);
    }
    if let Some(p) = web_address_problem(avatar, true) {
        errors.entry("avatar_url").or_insert(p);
    }
    if bio.chars().count() > 5000 {
        errors.insert(
            "bio",
            "A biography can have at most 5,000 characters.".into(),
        );
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let patch = UserPatch {
        display_name: display_name.into(),
        slug: wanted_slug,
        email,
        url: url.into(),
        bio: bio.into(),
        avatar_url: (!avatar.is_empty()).then(|| avatar.to_string()),
    };
    if patch.slug != current.slug {
        tracing::info!("author {} now at /author/{}/", current.id, patch.slug);
    }
    user::update_profile(db, user_id, &patch, &actor.audit()).await?;
    Ok(Ok(()))
}

/// Give a user another role. Nobody changes their own role, and the site keeps an administrator.
pub async fn change_role(db: &Db, actor: &Actor, user_id: i64, role: &str) -> Result<()> {
    actor.require(Cap::PromoteUsers, "change roles")?;
    let role = Role::parse(role).ok_or_else(|| {
        Error::Unprocessable(format!(
            "unknown role {role:?}: use subscriber, contributor, author, editor or administrator"
        ))
    })?;
    if actor.is(user_id) {
        return Err(Error::Forbidden(
            "You cannot change your own role; ask another administrator.".into(),
        ));
    }
    let target = user::get(db, user_id).await?.ok_or(Error::NotFound)?;
    if target.role == Role::Administrator.as_str()
        && role != Role::Administrator
        && user::count_with_role(db, Role::Administrator.as_str()).await? <= 1
    {
        return Err(Error::Conflict(
            "This is the site's only administrator; make someone else an administrator first."
                .into(),
        ));
    }
    user::set_role(db, user_id, role.as_str(), &actor.audit()).await
}

/// Set a password. Changing one's own needs the current password (unless the operator does it at
/// the command line); an administrator may set anyone's. Every other session of the user ends.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    target: &User,
    current: Option<&str>,
    new: &str,
    confirm: &str,
    keep_session: Option<&str>,
) -> Result<std::result::Result<(), FieldErrors>> {
    let mut errors = FieldErrors::new();
    if actor.is(target.id) {
        let stored = user::credentials(db, target.id)
            .await?
            .and_then(|c| c.password_hash);
        let ok = match (current, stored) {
            (Some(typed), Some(hash)) => verify_password(typed, &hash).await?,
            // An account without a password (made at the command line) sets its first one.
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if !ok {
            errors.insert(
                "current_password",
                "Your current password is not right.".into(),
            );
        }
    } else {
        actor.require(Cap::EditUsers, "change other people's passwords")?;
    }
    if let Some(problem) = password::problem(new, confirm, &target.login, &target.email) {
        errors.insert("password", problem);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let hash = hash_password(new).await?;
    user::set_password(db, target.id, &hash, keep_session, &actor.audit()).await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_web_addresses() {
        assert!(looks_like_email("ann@example.org"));
        assert!(!looks_like_email("ann@example"));
        assert!(!looks_like_email("ann example@x.org"));
        assert!(web_address_problem("", false).is_none());
        assert!(web_address_problem("https://e.org/me.jpg", false).is_none());
        assert!(web_address_problem("javascript:alert(1)", true).is_some());
        assert!(web_address_problem("/media/me.jpg", true).is_none());
        assert!(web_address_problem("//evil.example/x", true).is_some());
    }
}
