//! `Site`: what every page needs to know about the site (settings, permalink structure, timezone,
//! categories), as one immutable snapshot swapped whole when the change log says it changed.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Tz;

use crate::content::permalink::{PostParts, Structure};
use crate::content::{avatar, permalink};
use crate::db::article::{self, Article};
use crate::db::setting::Settings;
use crate::db::term::{self, Term};
use crate::db::user::User;

/// A snapshot of the site's configuration, shared by all requests until the next change.
#[derive(Debug, Clone)]
pub struct Site {
    pub settings: Settings,
    pub structure: Structure,
    pub tz: Tz,
    pub categories: Vec<Term>,
    pub css_url: String,
    /// The site's own address (`--site-url`), without a trailing slash: absolute links are built
    /// from it, never from a request's Host header, which anyone can forge.
    pub base_url: String,
}

impl Site {
    /// Build a snapshot; a bad stored structure or zone falls back to the default, logged.
    pub fn new(settings: Settings, categories: Vec<Term>, css_url: String) -> Site {
        let structure = Structure::parse(&settings.permalink_structure).unwrap_or_else(|e| {
            tracing::warn!(
                "permalink structure {:?}: {e}; using the default",
                settings.permalink_structure
            );
            Structure::default_structure()
        });
        let tz = settings.timezone.parse::<Tz>().unwrap_or_else(|_| {
            tracing::warn!("unknown timezone {:?}; using UTC", settings.timezone);
            Tz::UTC
        });
        Site {
            settings,
            structure,
            tz,
            categories,
            css_url,
            base_url: String::new(),
        }
    }

    /// A site path made absolute with the site's address; other URLs stay as they are.
    pub fn absolute(&self, url: &str) -> String {
        absolute_url(&self.base_url, url)
    }

    /// A time in the site's zone.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.tz)
    }

    /// The UTC instant of a local midnight (the start of a date archive's range).
    pub fn local_midnight(&self, year: i32, month: u32, day: u32) -> Option<DateTime<Utc>> {
        self.tz
            .with_ymd_and_hms(year, month, day, 0, 0, 0)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The public path of an article or page. `terms` are its terms (for `%category%`),
    /// `author_slug` its first byline's slug (for `%author%`).
    pub fn article_path(&self, a: &Article, terms: &[&Term], author_slug: &str) -> String {
        if a.kind == article::PAGE {
            return permalink::page_path(&a.slug);
        }
        let at = self.local(a.published_at.unwrap_or(a.created_at));
        let primary = terms
            .iter()
            .filter(|t| t.taxonomy == term::CATEGORY)
            .min_by_key(|t| t.id)
            .map(|t| self.category_chain(t.id))
            .unwrap_or_default();
        self.structure.build(&PostParts {
            id: a.id,
            slug: &a.slug,
            year: at.year(),
            month: at.month(),
            day: at.day(),
            category: primary.iter().map(|t| t.slug.as_str()).collect(),
            author: author_slug,
        })
    }

    /// The categories from the top down to `id`.
    pub fn category_chain(&self, id: i64) -> Vec<&Term> {
        term::ancestry(&self.categories, id)
    }

    /// The archive path of a term.
    pub fn term_path(&self, t: &Term) -> String {
        if t.taxonomy == term::CATEGORY {
            let chain = self.category_chain(t.id);
            permalink::category_path(&chain.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>())
        } else {
            permalink::tag_path(&t.slug)
        }
    }

    /// The avatar URL of a user: their own picture, or an identicon keyed by their id.
    pub fn user_avatar(&self, u: &User) -> String {
        match &u.avatar_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "/avatar/{}.svg",
                avatar::key(&self.settings.secret, &format!("user:{}", u.id))
            ),
        }
    }

    /// The avatar URL of a commenter, keyed by their email under the site secret.
    pub fn commenter_avatar(&self, email: &str, name: &str) -> String {
        let identity = if email.is_empty() { name } else { email };
        format!(
            "/avatar/{}.svg",
            avatar::key(&self.settings.secret, identity)
        )
    }
}

/// `url` made absolute against `base` when it is a site path (`/…`, not `//host/…`).
pub fn absolute_url(base: &str, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        format!("{base}{url}")
    } else {
        url.to_string()
    }
}
