//! Taking a reader's comment: validate → check the form token → refuse duplicates and floods →
//! moderate → store (one transaction with its change-log entry). Also the moderator's actions.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::actions::account;
use crate::actions::capability::{self, Actor, Cap, PostFacts};
use crate::content::form_token::{self, Problem};
use crate::content::input::{self, Kind};
use crate::content::moderation;
use crate::db::article::{self as articles, Article};
use crate::db::comment::{self, NewComment, status};
use crate::db::setting::Settings;
use crate::db::{Db, now};
use crate::error::{Error, Result};

/// WordPress's field limits, in characters.
pub const MAX_AUTHOR: usize = 245;
pub const MAX_EMAIL: usize = 100;
pub const MAX_URL: usize = 200;
pub const MAX_CONTENT: usize = 65_525;
/// One IP may post once per this many seconds (WordPress's flood interval).
pub const FLOOD_SECONDS: i64 = 15;

/// A comment form as it arrived, with where it came from.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub parent_id: i64,
    pub author: String,
    pub email: String,
    pub url: String,
    pub content: String,
    pub token: String,
    /// The hidden field people never fill in.
    pub honeypot: String,
    pub ip: String,
    pub user_agent: String,
}

/// Why a comment was not taken. Nothing is stored; the form goes back with the reader's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Field name → what is wrong with it.
    Fields(BTreeMap<&'static str, String>),
    Closed,
    BadParent(String),
    Token(Problem),
    Replayed,
    Duplicate,
    Flood,
}

impl Rejection {
    /// A short name of the reason, for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Fields(_) => "fields",
            Rejection::Closed => "closed",
            Rejection::BadParent(_) => "bad_parent",
            Rejection::Token(_) => "token",
            Rejection::Replayed => "replayed",
            Rejection::Duplicate => "duplicate",
            Rejection::Flood => "flood",
        }
    }

    /// The message shown above the form.
    pub fn message(&self) -> String {
        match self {
            Rejection::Fields(_) => "Please check the highlighted fields.".into(),
            Rejection::Closed => "Sorry, comments are closed for this article.".into(),
            Rejection::BadParent(why) => why.clone(),
            Rejection::Token(p) => p.message().into(),
            Rejection::Replayed => "This form was already sent. Your text is still here if you meant to send another comment.".into(),
            Rejection::Duplicate => "Duplicate comment detected; it looks as though you’ve already said that!".into(),
            Rejection::Flood => "You are posting comments too quickly. Slow down, and try again in a few seconds.".into(),
        }
    }
}

/// A stored comment and the rule that decided its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub id: i64,
    pub status: String,
    pub reason: String,
}

/// Whether comments on this article are open at `at` (its own switch and the site's age limit).
pub fn comments_open(settings: &Settings, a: &Article, at: DateTime<Utc>) -> bool {
    if a.comment_status != "open" {
        return false;
    }
    let days = settings.close_comments_days;
    days == 0
        || a.published_at
            .is_none_or(|p| at - p < Duration::days(i64::from(days)))
}

/// Normalize and validate the fields; WordPress's rules and limits.
fn validate(s: &mut Submission) -> std::result::Result<(), BTreeMap<&'static str, String>> {
    s.author = s.author.trim().to_string();
    s.email = s.email.trim().to_string();
    s.url = s.url.trim().to_string();
    s.content = s.content.trim().to_string();
    let mut errors = BTreeMap::new();
    let chars = |v: &str| v.chars().count();
    if s.author.is_empty() {
        errors.insert("author", "Please enter your name.".to_string());
    } else if chars(&s.author) > MAX_AUTHOR {
        errors.insert(
            "author",
            format!("Your name is too long (at most {MAX_AUTHOR} characters)."),
        );
    }
    if s.email.is_empty() {
        errors.insert(
            "email",
            "Please enter your email address. It will not be published.".to_string(),
        );
    } else if chars(&s.email) > MAX_EMAIL {
        errors.insert(
            "email",
            format!("Your email address is too long (at most {MAX_EMAIL} characters)."),
        );
    } else if !account::looks_like_email(&s.email) {
        errors.insert(
            "email",
            "Please enter a valid email address, like name@example.com.".to_string(),
        );
    }
    if !s.url.is_empty() {
        if !s.url.contains("://") {
            s.url = format!("http://{}", s.url);
        }
        let lower = s.url.to_ascii_lowercase();
        if chars(&s.url) > MAX_URL {
            errors.insert(
                "url",
                format!("Your website address is too long (at most {MAX_URL} characters)."),
            );
        } else if !(lower.starts_with("http://") || lower.starts_with("https://"))
            || s.url.contains(char::is_whitespace)
            || !s
                .url
                .split("://")
                .nth(1)
                .is_some_and(|rest| rest.split('/').next().is_some_and(|h| h.contains('.')))
        {
            errors.insert(
                "url",
                "Please enter a web address starting with http:// or https://.".to_string(),
            );
        }
    }
    if s.content.is_empty() {
        errors.insert("comment", "Please type your comment.".to_string());
    } else if chars(&s.content) > MAX_CONTENT {
        errors.insert(
            "comment",
            format!("Your comment is too long (at most {MAX_CONTENT} characters)."),
        );
    }
    // Control characters (NUL…) are refused on every field, and say so rather than anything else about the field.
    for (name, value, kind) in [
        ("author", &s.author, Kind::Line),
        ("email", &s.email, Kind::Line),
        ("url", &s.url, Kind::Line),
        ("comment", &s.content, Kind::Long),
    ] {
        if let Err(message) = input::check(value, kind) {
            errors.insert(name, message);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Which status a valid comment gets, and why (stored with it for the moderator).
fn moderate(
    settings: &Settings,
    s: &Submission,
    previously_approved: bool,
) -> (&'static str, String) {
    let fields = [
        s.author.as_str(),
        s.email.as_str(),
        s.url.as_str(),
        s.content.as_str(),
        s.ip.as_str(),
        s.user_agent.as_str(),
    ];
    if !s.honeypot.is_empty() {
        return (status::SPAM, "honeypot field filled in".into());
    }
    if let Some(key) = moderation::find_key(&settings.disallowed_keys, &fields) {
        return (status::SPAM, format!("disallowed key: {key}"));
    }
    if settings.comment_moderation {
        return (status::PENDING, "manual moderation is on".into());
    }
    let links = moderation::count_links(&s.content);
    if links > settings.comment_max_links {
        return (
            status::PENDING,
            format!("{links} links (more than {})", settings.comment_max_links),
        );
    }
    if let Some(key) = moderation::find_key(&settings.moderation_keys, &fields) {
        return (status::PENDING, format!("moderation key: {key}"));
    }
    if settings.comment_previously_approved && !previously_approved {
        return (status::PENDING, "first comment from this email".into());
    }
    (status::APPROVED, "passed every rule".into())
}

/// Take a reader's comment on a live article.
pub async fn submit(
    db: &Db,
    settings: &Settings,
    article: &Article,
    mut s: Submission,
) -> Result<Result<Posted, Rejection>> {
    let at = now();
    if !comments_open(settings, article, at) {
        return Ok(Err(Rejection::Closed));
    }
    if let Err(errors) = validate(&mut s) {
        return Ok(Err(Rejection::Fields(errors)));
    }
    let parent_id = if s.parent_id > 0 {
        if let Err(why) = check_parent(db, settings, article.id, s.parent_id).await? {
            return Ok(Err(Rejection::BadParent(why)));
        }
        Some(s.parent_id)
    } else {
        None
    };
    if let Err(problem) = form_token::check(
        &settings.secret,
        &s.token,
        article.id,
        at,
        settings.comment_min_seconds,
    ) {
        return Ok(Err(Rejection::Token(problem)));
    }
    let history = comment::history(db, article.id, &s.email, &s.content, &s.ip).await?;
    if history.duplicate {
        return Ok(Err(Rejection::Duplicate));
    }
    if history
        .last_from_ip
        .is_some_and(|last| at - last < Duration::seconds(FLOOD_SECONDS))
    {
        return Ok(Err(Rejection::Flood));
    }
    let (status, reason) = moderate(settings, &s, history.approved_before);
    let new = NewComment {
        post_id: article.id,
        parent_id,
        user_id: None,
        author_name: s.author,
        author_email: s.email,
        author_url: s.url,
        author_ip: s.ip,
        user_agent: s.user_agent.chars().take(254).collect(),
        content: s.content,
        status: status.into(),
        reason: reason.clone(),
        created_at: Some(at),
    };
    match comment::insert_once(db, &new, Some(&s.token)).await? {
        Some(id) => Ok(Ok(Posted {
            id,
            status: status.into(),
            reason,
        })),
        None => Ok(Err(Rejection::Replayed)),
    }
}

/// A signed-in user comments on a live article (the REST API): their name, email and site come
/// from their account; moderators' comments are approved at once, everyone else's pass the same
/// rules as a reader's (closed articles, replies, duplicates, flood, moderation settings).
pub async fn submit_as_user(
    db: &Db,
    settings: &Settings,
    actor: &Actor,
    article: &Article,
    parent_id: i64,
    content: &str,
) -> Result<Result<Posted, Rejection>> {
    let at = now();
    let user_id = actor
        .user_id
        .ok_or_else(|| Error::BadRequest("commenting as a user needs a signed-in user".into()))?;
    let user = crate::db::user::get(db, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let facts = PostFacts::of(article, articles::author_ids(db, article.id).await?);
    let moderator = capability::can_moderate(actor, &facts);
    if !moderator && !comments_open(settings, article, at) {
        return Ok(Err(Rejection::Closed));
    }
    let mut s = Submission {
        parent_id,
        author: user.display_name,
        email: user.email,
        url: user.url,
        content: content.into(),
        ip: actor.ip.clone(),
        ..Default::default()
    };
    if let Err(errors) = validate(&mut s) {
        return Ok(Err(Rejection::Fields(errors)));
    }
    let parent = if s.parent_id > 0 {
        if let Err(why) = check_parent(db, settings, article.id, s.parent_id).await? {
            return Ok(Err(Rejection::BadParent(why)));
        }
        Some(s.parent_id)
    } else {
        None
    };
    if comment::is_duplicate(db, article.id, &s.email, &s.content).await? {
        return Ok(Err(Rejection::Duplicate));
    }
    let (status, reason) = if moderator {
        (
            status::APPROVED,
            format!("posted by moderator {}", actor.name),
        )
    } else {
        if comment::last_from_ip(db, &s.ip)
            .await?
            .is_some_and(|last| at - last < Duration::seconds(FLOOD_SECONDS))
        {
            return Ok(Err(Rejection::Flood));
        }
        let previously_approved = comment::has_approved_from(db, &s.email).await?;
        moderate(settings, &s, previously_approved)
    };
    let id = comment::insert(
        db,
        &NewComment {
            post_id: article.id,
            parent_id: parent,
            user_id: Some(user_id),
            author_name: s.author,
            author_email: s.email,
            author_url: s.url,
            author_ip: s.ip,
            content: s.content,
            status: status.into(),
            reason: reason.clone(),
            created_at: Some(at),
            ..Default::default()
        },
    )
    .await?;
    Ok(Ok(Posted {
        id,
        status: status.into(),
        reason,
    }))
}

/// A reply must answer an approved comment on the same article, within the thread depth.
async fn check_parent(
    db: &Db,
    settings: &Settings,
    post_id: i64,
    parent_id: i64,
) -> Result<std::result::Result<(), String>> {
    let Some(parent) = comment::get(db, parent_id).await? else {
        return Ok(Err(
            "The comment you are replying to no longer exists.".into()
        ));
    };
    if parent.post_id != post_id {
        return Ok(Err(
            "The comment you are replying to belongs to another article.".into(),
        ));
    }
    if parent.status != status::APPROVED {
        return Ok(Err(
            "The comment you are replying to is not published.".into()
        ));
    }
    let mut depth = 1;
    let mut up = parent.parent_id;
    while let Some(id) = up {
        depth += 1;
        if depth > 20 {
            break; // a loop in bad data
        }
        up = comment::get(db, id).await?.and_then(|c| c.parent_id);
    }
    if depth >= settings.thread_comments_depth {
        return Ok(Err(format!(
            "Replies nest at most {} deep. Please reply to an earlier comment in this thread.",
            settings.thread_comments_depth
        )));
    }
    Ok(Ok(()))
}

/// What a moderator can do to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Unapprove,
    Spam,
    Trash,
}

impl Moderation {
    fn status(self) -> &'static str {
        match self {
            Moderation::Approve => status::APPROVED,
            Moderation::Unapprove => status::PENDING,
            Moderation::Spam => status::SPAM,
            Moderation::Trash => status::TRASH,
        }
    }

    /// Read a moderation verb (`approve`, `unapprove`, `spam`, `trash`).
    pub fn parse(verb: &str) -> Option<Moderation> {
        match verb {
            "approve" => Some(Moderation::Approve),
            "unapprove" => Some(Moderation::Unapprove),
            "spam" => Some(Moderation::Spam),
            "trash" => Some(Moderation::Trash),
            _ => None,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Moderation::Approve => "approve comment",
            Moderation::Unapprove => "unapprove comment",
            Moderation::Spam => "mark comment as spam",
            Moderation::Trash => "trash comment",
        }
    }
}

/// The comment `id`, if the actor may moderate comments on its article. None: no such comment.
async fn moderatable(db: &Db, actor: &Actor, id: i64) -> Result<Option<comment::Comment>> {
    let Some(c) = comment::get(db, id).await? else {
        return Ok(None);
    };
    if !actor.can(Cap::ModerateComments) {
        let post = articles::get(db, c.post_id).await?.ok_or(Error::NotFound)?;
        let facts = PostFacts::of(&post, articles::author_ids(db, post.id).await?);
        if !capability::can_moderate(actor, &facts) {
            return Err(capability::not_allowed("moderate comments on this article"));
        }
    }
    Ok(Some(c))
}

/// Move a comment to the status a moderation action means; false if there is no such comment.
pub async fn moderate_comment(db: &Db, actor: &Actor, id: i64, action: Moderation) -> Result<bool> {
    if moderatable(db, actor, id).await?.is_none() {
        return Ok(false);
    }
    comment::set_status(db, id, action.status(), action.verb(), &actor.audit()).await
}

/// Replace a comment's text (a moderator's edit), within the same limit as readers'.
pub async fn edit_comment(db: &Db, actor: &Actor, id: i64, content: &str) -> Result<bool> {
    let content = checked_text(content)?;
    if moderatable(db, actor, id).await?.is_none() {
        return Ok(false);
    }
    comment::set_content(db, id, &content, &actor.audit()).await
}

/// Delete a comment for good; false if there is no such comment.
pub async fn delete_comment(db: &Db, actor: &Actor, id: i64) -> Result<bool> {
    if moderatable(db, actor, id).await?.is_none() {
        return Ok(false);
    }
    comment::delete(db, id, &actor.audit()).await
}

/// A staff member answers a comment: the reply is theirs (their name, their account) and published
/// at once, and answering a held comment approves it, as WordPress does.
pub async fn reply_as_staff(db: &Db, actor: &Actor, parent_id: i64, content: &str) -> Result<i64> {
    let content = checked_text(content)?;
    let parent = moderatable(db, actor, parent_id)
        .await?
        .ok_or(Error::NotFound)?;
    let user_id = actor
        .user_id
        .ok_or_else(|| Error::BadRequest("a staff reply needs a signed-in user".into()))?;
    let user = crate::db::user::get(db, user_id)
        .await?
        .ok_or(Error::NotFound)?;
    if parent.status == status::PENDING {
        comment::set_status(
            db,
            parent.id,
            status::APPROVED,
            "approve comment",
            &actor.audit(),
        )
        .await?;
    }
    comment::insert(
        db,
        &NewComment {
            post_id: parent.post_id,
            parent_id: Some(parent.id),
            user_id: Some(user.id),
            author_name: user.display_name,
            author_email: user.email,
            author_url: user.url,
            author_ip: actor.ip.clone(),
            content,
            status: status::APPROVED.into(),
            reason: format!("staff reply by {}", actor.name),
            ..Default::default()
        },
    )
    .await
}

/// A moderator's comment text: trimmed, 1 to `MAX_CONTENT` characters, no control characters.
fn checked_text(content: &str) -> Result<String> {
    let content = content.trim();
    input::check(content, Kind::Long).map_err(Error::Unprocessable)?;
    if content.is_empty() || content.chars().count() > MAX_CONTENT {
        return Err(Error::Unprocessable(format!(
            "A comment needs 1 to {MAX_CONTENT} characters."
        )));
    }
    Ok(content.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Submission {
        Submission {
            author: " Ann ".into(),
            email: "ann@example.com".into(),
            url: "example.com".into(),
            content: "Hello".into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation_trims_and_adds_a_scheme() {
        let mut s = valid();
        assert!(validate(&mut s).is_ok());
        assert_eq!(
            (s.author.as_str(), s.url.as_str()),
            ("Ann", "http://example.com")
        );
    }

    #[test]
    fn validation_names_each_bad_field() {
        let mut s = Submission {
            email: "not-an-email".into(),
            url: "javascript:alert(1)".into(),
            ..Default::default()
        };
        let errors = validate(&mut s).unwrap_err();
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            vec!["author", "comment", "email", "url"]
        );
        let mut long = valid();
        long.author = "a".repeat(MAX_AUTHOR + 1);
        long.content = "é".repeat(MAX_CONTENT);
        let errors = validate(&mut long).unwrap_err();
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            vec!["author"],
            "limits count characters, not bytes"
        );
    }

    #[test]
    fn each_moderation_rule_gives_its_reason() {
        let base = Settings::default();
        let s = valid();
        assert_eq!(moderate(&base, &s, true).0, status::APPROVED);
        assert_eq!(
            moderate(&base, &s, false),
            (status::PENDING, "first comment from this email".into())
        );
        let manual = Settings {
            comment_moderation: true,
            ..base.clone()
        };
        assert_eq!(moderate(&manual, &s, true).1, "manual moderation is on");
        let links = Submission {
            content: "http://a.example http://b.example http://c.example".into(),
            ..valid()
        };
        assert_eq!(moderate(&base, &links, true).0, status::PENDING);
        let keys = Settings {
            moderation_keys: "hello".into(),
            ..base.clone()
        };
        assert_eq!(moderate(&keys, &s, true).1, "moderation key: hello");
        let banned = Settings {
            disallowed_keys: "example.com".into(),
            ..base.clone()
        };
        assert_eq!(
            moderate(&banned, &s, true),
            (status::SPAM, "disallowed key: example.com".into())
        );
        let bot = Submission {
            honeypot: "x".into(),
            ..valid()
        };
        assert_eq!(moderate(&base, &bot, true).0, status::SPAM);
    }
}
