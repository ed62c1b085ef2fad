//! Who may do what: WordPress's five roles and their capabilities, and the checks on one article
//! or comment ("meta capabilities"), decided here so the admin, the REST API and the CLI share them.
//!
//! Roles nest as in WordPress: each has everything the one below has. Contributors write drafts and
//! submit them for review; authors publish and edit their own; editors publish, edit and moderate
//! everything; administrators also manage users and settings.

use serde::Serialize;

use crate::db::activity::Audit;
use crate::db::article::{self as articles, Article, status};
use crate::db::user::User;
use crate::error::{Error, Result};

/// A role, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Role {
    Subscriber,
    Contributor,
    Author,
    Editor,
    Administrator,
}

/// A capability, named as WordPress names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    Read,
    /// Add pictures to the library (WordPress gives it to authors; the newsroom to contributors too).
    UploadFiles,
    EditPosts,
    DeletePosts,
    PublishPosts,
    EditPublishedPosts,
    DeletePublishedPosts,
    EditOthersPosts,
    DeleteOthersPosts,
    EditPrivatePosts,
    ReadPrivatePosts,
    EditPages,
    PublishPages,
    ManageCategories,
    ModerateComments,
    ListUsers,
    CreateUsers,
    EditUsers,
    PromoteUsers,
    ManageOptions,
    ViewActivity,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 5] = [
        Role::Subscriber,
        Role::Contributor,
        Role::Author,
        Role::Editor,
        Role::Administrator,
    ];

    /// The stored name (`administrator`, `editor`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Subscriber => "subscriber",
            Role::Contributor => "contributor",
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Administrator => "administrator",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Role::Subscriber => "Subscriber",
            Role::Contributor => "Contributor",
            Role::Author => "Author",
            Role::Editor => "Editor",
            Role::Administrator => "Administrator",
        }
    }

    /// Read a stored or typed role name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether this role has a capability.
    pub fn has(self, cap: Cap) -> bool {
        use Cap::*;
        let least = match cap {
            Read => Role::Subscriber,
            EditPosts | DeletePosts | UploadFiles => Role::Contributor,
            PublishPosts | EditPublishedPosts | DeletePublishedPosts => Role::Author,
            EditOthersPosts | DeleteOthersPosts | EditPrivatePosts | ReadPrivatePosts
            | EditPages | PublishPages | ManageCategories | ModerateComments => Role::Editor,
            ListUsers | CreateUsers | EditUsers | PromoteUsers | ManageOptions | ViewActivity => {
                Role::Administrator
            }
        };
        self >= least
    }
}

/// Who is acting: a signed-in user, or the operator at the command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub role: Role,
    pub ip: String,
}

impl Actor {
    /// A signed-in user acting from `ip`. An unknown stored role has no rights beyond reading.
    pub fn user(u: &User, ip: &str) -> Actor {
        Actor {
            user_id: Some(u.id),
            name: u.display_name.clone(),
            role: Role::parse(&u.role).unwrap_or(Role::Subscriber),
            ip: ip.to_string(),
        }
    }

    /// The operator at the command line: whoever can run the binary on the data can do anything.
    pub fn operator() -> Actor {
        Actor {
            user_id: None,
            name: "command line".into(),
            role: Role::Administrator,
            ip: String::new(),
        }
    }

    /// The site itself (the scheduler, first-start set-up).
    pub fn system(name: &str) -> Actor {
        Actor {
            name: name.into(),
            ..Actor::operator()
        }
    }

    /// Whether the actor has a capability.
    pub fn can(&self, cap: Cap) -> bool {
        self.role.has(cap)
    }

    /// Refuse with "Sorry, you are not allowed to {what}." unless the actor has `cap`.
    pub fn require(&self, cap: Cap, what: &str) -> Result<()> {
        if self.can(cap) {
            Ok(())
        } else {
            Err(not_allowed(what))
        }
    }

    /// Whether this actor is the user `id`.
    pub fn is(&self, id: i64) -> bool {
        self.user_id == Some(id)
    }

    /// Who to name in the activity log.
    pub fn audit(&self) -> Audit {
        Audit {
            user_id: self.user_id,
            user_name: self.name.clone(),
            ip: self.ip.clone(),
        }
    }
}

/// The error for an action the actor may not take.
pub fn not_allowed(what: &str) -> Error {
    Error::Forbidden(format!("Sorry, you are not allowed to {what}."))
}

/// What the rules need to know about one article or page.
#[derive(Debug, Clone)]
pub struct PostFacts {
    pub kind: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub author_ids: Vec<i64>,
}

impl PostFacts {
    /// The facts of an article row and its byline.
    pub fn of(a: &Article, author_ids: Vec<i64>) -> PostFacts {
        PostFacts {
            kind: a.kind.clone(),
            status: a.status.clone(),
            owner_id: a.owner_id,
            author_ids,
        }
    }

    fn is_published(&self) -> bool {
        self.status == status::PUBLISHED || self.status == status::SCHEDULED
    }

    fn is_page(&self) -> bool {
        self.kind == articles::PAGE
    }
}

/// Whether the article is the actor's own: they created it or are in its byline.
pub fn owns(actor: &Actor, post: &PostFacts) -> bool {
    actor
        .user_id
        .is_some_and(|id| post.owner_id == Some(id) || post.author_ids.contains(&id))
}

/// Whether the actor may open and save the article (trashed ones must be restored first).
pub fn can_edit(actor: &Actor, post: &PostFacts) -> bool {
    if post.status == status::TRASH {
        return false;
    }
    if post.is_page() {
        return actor.can(Cap::EditPages);
    }
    if owns(actor, post) {
        actor.can(Cap::EditPosts) && (!post.is_published() || actor.can(Cap::EditPublishedPosts))
    } else {
        actor.can(Cap::EditOthersPosts)
            && (!post.is_published() || actor.can(Cap::EditPublishedPosts))
            && (post.status != status::PRIVATE || actor.can(Cap::EditPrivatePosts))
    }
}

/// Whether the actor may trash, restore or delete the article.
pub fn can_delete(actor: &Actor, post: &PostFacts) -> bool {
    if post.is_page() {
        return actor.can(Cap::EditPages);
    }
    let published = post.is_published() && actor.can(Cap::DeletePublishedPosts);
    if owns(actor, post) {
        actor.can(Cap::DeletePosts) && (!post.is_published() || published)
    } else {
        actor.can(Cap::DeleteOthersPosts)
            && (!post.is_published() || published)
            && (post.status != status::PRIVATE || actor.can(Cap::EditPrivatePosts))
    }
}

/// Whether the actor may publish, schedule or privately publish articles of this kind.
pub fn can_publish(actor: &Actor, kind: &str) -> bool {
    if kind == articles::PAGE {
        actor.can(Cap::PublishPages)
    } else {
        actor.can(Cap::PublishPosts)
    }
}

/// Whether the actor may see the article in the admin list (others' private ones need a capability).
pub fn can_see(actor: &Actor, post: &PostFacts) -> bool {
    post.status != status::PRIVATE || owns(actor, post) || actor.can(Cap::ReadPrivatePosts)
}

/// Whether the actor may moderate comments on this article: editors everywhere, authors on the
/// published articles that are theirs (WordPress maps `edit_comment` to editing the article).
pub fn can_moderate(actor: &Actor, post: &PostFacts) -> bool {
    actor.can(Cap::ModerateComments) || (owns(actor, post) && actor.can(Cap::EditPublishedPosts))
}

/// Whether the actor may change, delete or place a picture of the library: their own, or any
/// for editors.
pub fn can_use_media(actor: &Actor, owner_id: Option<i64>) -> bool {
    actor.can(Cap::EditOthersPosts) || owner_id.is_some_and(|o| actor.is(o))
}

/// Whether the actor may make an article sticky (WordPress asks for both of these).
pub fn can_stick(actor: &Actor) -> bool {
    actor.can(Cap::EditOthersPosts) && actor.can(Cap::PublishPosts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, id: i64) -> Actor {
        Actor {
            user_id: Some(id),
            name: format!("user {id}"),
            role,
            ip: String::new(),
        }
    }

    fn post(status: &str, owner: i64, authors: &[i64]) -> PostFacts {
        PostFacts {
            kind: articles::POST.into(),
            status: status.into(),
            owner_id: Some(owner),
            author_ids: authors.to_vec(),
        }
    }

    #[test]
    fn roles_nest_and_parse() {
        assert!(Role::Administrator.has(Cap::ManageOptions));
        assert!(!Role::Editor.has(Cap::ManageOptions));
        assert!(Role::Editor.has(Cap::ModerateComments));
        assert!(Role::Author.has(Cap::PublishPosts) && !Role::Contributor.has(Cap::PublishPosts));
        assert!(Role::Subscriber.has(Cap::Read) && !Role::Subscriber.has(Cap::EditPosts));
        assert_eq!(Role::parse(" Editor "), Some(Role::Editor));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn contributors_edit_their_own_unpublished_work_only() {
        let c = actor(Role::Contributor, 1);
        assert!(can_edit(&c, &post(status::DRAFT, 1, &[1])));
        assert!(can_edit(&c, &post(status::PENDING, 1, &[1])));
        assert!(!can_edit(&c, &post(status::PUBLISHED, 1, &[1])));
        assert!(!can_edit(&c, &post(status::DRAFT, 2, &[2])));
        assert!(!can_publish(&c, articles::POST));
        assert!(can_delete(&c, &post(status::DRAFT, 1, &[1])));
        assert!(!can_delete(&c, &post(status::PUBLISHED, 1, &[1])));
    }

    #[test]
    fn authors_own_their_published_work_and_bylines_count_as_own() {
        let a = actor(Role::Author, 3);
        assert!(can_edit(&a, &post(status::PUBLISHED, 3, &[3])));
        assert!(
            can_edit(&a, &post(status::PUBLISHED, 9, &[9, 3])),
            "co-author"
        );
        assert!(!can_edit(&a, &post(status::DRAFT, 9, &[9])));
        assert!(can_moderate(&a, &post(status::PUBLISHED, 3, &[3])));
        assert!(!can_moderate(&a, &post(status::PUBLISHED, 9, &[9])));
        assert!(!can_stick(&a));
        let page = PostFacts {
            kind: articles::PAGE.into(),
            ..post(status::PUBLISHED, 3, &[3])
        };
        assert!(!can_edit(&a, &page), "pages are for editors");
    }

    #[test]
    fn editors_edit_everything_but_trash_must_be_restored_first() {
        let e = actor(Role::Editor, 5);
        assert!(can_edit(&e, &post(status::PRIVATE, 1, &[1])));
        assert!(can_see(&e, &post(status::PRIVATE, 1, &[1])));
        assert!(!can_see(
            &actor(Role::Author, 3),
            &post(status::PRIVATE, 1, &[1])
        ));
        assert!(!can_edit(&e, &post(status::TRASH, 1, &[1])));
        assert!(can_delete(&e, &post(status::TRASH, 1, &[1])));
        assert!(can_stick(&e));
    }
}
