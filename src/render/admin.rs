//! The admin's view structs: what the templates under `admin/` see. Kept apart from the public
//! theme contract (`views.rs`), so a site theme never has to know the admin.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::actions::capability::{Actor, Cap, Role};
use crate::render::Site;

/// The frame of every signed-in admin page.
#[derive(Debug, Clone, Serialize)]
pub struct ShellView {
    pub site_title: String,
    pub user_name: String,
    pub user_id: i64,
    pub role: String,
    pub nav: Vec<NavView>,
    /// Sent back with every form that changes something.
    pub csrf: String,
    /// The nonce scripts send to the REST API with the session cookie (`X-WP-Nonce`).
    pub rest_nonce: String,
    pub css_url: String,
    pub js_url: String,
    /// A message about what just happened ("Article saved.").
    pub notice: Option<String>,
    /// How many comments wait for moderation (a badge in the menu).
    pub pending_comments: i64,
}

/// One entry of the admin menu.
#[derive(Debug, Clone, Serialize)]
pub struct NavView {
    pub label: String,
    pub url: String,
    pub current: bool,
    pub badge: i64,
}

impl ShellView {
    /// The frame for `actor` on the page at `path`; the menu holds only what they may use.
    pub fn new(
        site: &Site,
        actor: &Actor,
        user_id: i64,
        (csrf, rest_nonce): (&str, &str),
        (css_url, js_url): (&str, &str),
        path: &str,
        pending_comments: i64,
    ) -> ShellView {
        let mut items: Vec<(&str, &str, bool)> = vec![("Dashboard", "/admin/", true)];
        if actor.can(Cap::EditPosts) {
            items.push(("Articles", "/admin/posts", true));
            items.push(("New article", "/admin/posts/new", true));
        }
        if actor.can(Cap::EditPages) {
            items.push(("Pages", "/admin/pages", true));
        }
        if actor.can(Cap::UploadFiles) {
            items.push(("Media", "/admin/media", true));
        }
        if actor.can(Cap::ModerateComments) || actor.can(Cap::EditPublishedPosts) {
            items.push(("Comments", "/admin/comments", true));
        }
        if actor.can(Cap::ManageCategories) {
            items.push(("Sections", "/admin/categories", true));
            items.push(("Tags", "/admin/tags", true));
        }
        if actor.can(Cap::ListUsers) {
            items.push(("Users", "/admin/users", true));
        }
        if actor.can(Cap::ManageOptions) {
            items.push(("Settings", "/admin/settings", true));
        }
        if actor.can(Cap::ViewActivity) {
            items.push(("Activity", "/admin/activity", true));
        }
        items.push(("Your profile", "/admin/profile", true));
        // The longest menu URL that prefixes the path is the current section.
        let current = items
            .iter()
            .filter(|(_, url, _)| {
                path == *url || (url.len() > "/admin/".len() && path.starts_with(url))
            })
            .map(|(_, url, _)| *url)
            .max_by_key(|url| url.len())
            .unwrap_or("/admin/");
        let nav = items
            .into_iter()
            .map(|(label, url, _)| NavView {
                label: label.into(),
                url: url.into(),
                current: url == current,
                badge: if url == "/admin/comments" {
                    pending_comments
                } else {
                    0
                },
            })
            .collect();
        ShellView {
            site_title: site.settings.title.clone(),
            user_name: actor.name.clone(),
            user_id,
            role: actor.role.label().into(),
            nav,
            csrf: csrf.into(),
            rest_nonce: rest_nonce.into(),
            css_url: css_url.into(),
            js_url: js_url.into(),
            notice: None,
            pending_comments,
        }
    }
}

/// The frame of the pages before signing in (sign-in, second factor, forgotten password).
#[derive(Debug, Clone, Serialize)]
pub struct AuthShellView {
    pub site_title: String,
    pub css_url: String,
    /// The pre-session form token (tied to a cookie of this browser).
    pub csrf: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// A link with a count, for status tabs and filters.
#[derive(Debug, Clone, Serialize)]
pub struct TabView {
    pub label: String,
    pub url: String,
    pub count: i64,
    pub current: bool,
}

/// An option of a select or a checkbox of a list.
#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// Nesting level, for the hierarchical section picker.
    pub depth: usize,
}

impl OptionView {
    /// A flat option.
    pub fn new(value: impl ToString, label: impl Into<String>, selected: bool) -> OptionView {
        OptionView {
            value: value.to_string(),
            label: label.into(),
            selected,
            depth: 0,
        }
    }
}

/// Field name → message, for forms sent back.
pub type Errors = BTreeMap<String, String>;

/// The roles as options, `current` selected.
pub fn role_options(current: &str) -> Vec<OptionView> {
    Role::ALL
        .iter()
        .rev()
        .map(|r| OptionView::new(r.as_str(), r.label(), r.as_str() == current))
        .collect()
}

/// The article editor.
#[derive(Debug, Clone, Serialize)]
pub struct EditorView {
    /// None until the article is first saved.
    pub id: Option<i64>,
    pub kind: String,
    /// The version this form was opened on (sent back to detect a later save by someone else).
    pub version: i64,
    /// Where the form posts.
    pub action: String,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub format: String,
    pub excerpt: String,
    pub source_name: String,
    pub source_url: String,
    pub featured_image_url: String,
    pub featured_image_alt: String,
    /// Comma-separated tag names.
    pub tags: String,
    /// Tags to complete from (the most used).
    pub known_tags: Vec<String>,
    pub sections: Vec<OptionView>,
    /// One select per byline position.
    pub byline: Vec<Vec<OptionView>>,
    pub status: String,
    pub status_label: String,
    pub statuses: Vec<OptionView>,
    /// `YYYY-MM-DDTHH:MM:SS` in the site's zone, for `<input type=datetime-local>`.
    pub published_at: String,
    pub timezone: String,
    pub sticky: bool,
    pub can_stick: bool,
    pub comments_open: bool,
    pub can_publish: bool,
    /// Published or scheduled: saving updates it where it stands.
    pub is_out: bool,
    pub public_url: Option<String>,
    pub preview_url: Option<String>,
    pub words: usize,
    pub reading_minutes: u32,
    /// Who else has it open.
    pub others: Vec<String>,
    /// A newer autosave of this writer's, if any.
    pub autosave_at: Option<String>,
    pub from_autosave: bool,
    pub revisions: usize,
    pub corrections: Vec<CorrectionRowView>,
    pub review_link: Option<String>,
    pub conflict: Option<ConflictView>,
    pub errors: Errors,
    pub can_trash: bool,
    pub minor: bool,
    /// The chosen picture of the library, shown small.
    pub featured: Option<PictureView>,
    /// Pictures the writer may choose from (newest first).
    pub media_choices: Vec<OptionView>,
    pub can_upload: bool,
}

/// A picture of the library, shown small in the editor.
#[derive(Debug, Clone, Serialize)]
pub struct PictureView {
    pub id: i64,
    pub title: String,
    pub thumb: String,
    pub described: bool,
}

/// A correction note in the editor's list.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionRowView {
    pub date: String,
    pub note: String,
}

/// A save refused because someone else saved first: who, when, and how the texts differ.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView {
    pub who: String,
    pub when: String,
    pub their_title: String,
    pub title_differs: bool,
    pub diff: Vec<crate::content::diff::Line>,
    pub added: usize,
    pub removed: usize,
}
