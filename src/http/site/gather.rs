//! Batch reads behind the views: one query per kind of extra (terms, bylines, comment counts)
//! for a whole listing, never one per article.

use std::collections::HashMap;

use crate::actions::media;
use crate::app::AppState;
use crate::cache::deps::{self, Tag};
use crate::content::figure::Figure;
use crate::db::article::{self as articles, Article, Byline};
use crate::db::comment;
use crate::db::term::{self, PostTerm};
use crate::error::Result;
use crate::render::Site;
use crate::render::views::{CardView, Extras};

/// Terms and bylines of some articles.
pub struct Related {
    pub terms: Vec<PostTerm>,
    pub bylines: Vec<Byline>,
    pub comment_counts: HashMap<i64, i64>,
    /// Featured pictures of the library, by media id.
    pub media: HashMap<i64, Figure>,
}

impl Related {
    /// Load the extras of these articles.
    pub async fn load(state: &AppState, list: &[Article]) -> Result<Related> {
        let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
        let media_ids: Vec<i64> = list.iter().filter_map(|a| a.featured_media_id).collect();
        let related = Related {
            terms: term::of_posts(state.db(), &ids).await?,
            bylines: articles::bylines(state.db(), &ids).await?,
            comment_counts: comment::approved_counts(state.db(), &ids).await?,
            media: media::figures(state.db(), &media_ids).await?,
        };
        // A page showing these articles shows all of this: it goes stale when any of it changes.
        deps::note_all(ids.iter().map(|id| Tag::Post(*id)));
        deps::note_all(media_ids.iter().map(|id| Tag::Media(*id)));
        deps::note_all(related.terms.iter().map(|pt| Tag::Term(pt.term.id)));
        deps::note_all(related.bylines.iter().map(|b| Tag::User(b.user.id)));
        Ok(related)
    }

    /// The public path of one of the loaded articles.
    pub fn path_of(&self, site: &Site, a: &Article) -> String {
        self.extras().path_of(site, a)
    }

    /// Borrowed, grouped by article, for the views.
    pub fn extras(&self) -> Extras<'_> {
        let mut e = Extras {
            comment_counts: self.comment_counts.clone(),
            media: self.media.clone(),
            ..Default::default()
        };
        for pt in &self.terms {
            e.terms.entry(pt.post_id).or_default().push(&pt.term);
        }
        for b in &self.bylines {
            e.authors.entry(b.post_id).or_default().push(&b.user);
        }
        e
    }
}

/// Listing cards for these articles.
pub async fn cards(state: &AppState, site: &Site, list: &[Article]) -> Result<Vec<CardView>> {
    let related = Related::load(state, list).await?;
    let extras = related.extras();
    Ok(list
        .iter()
        .map(|a| CardView::new(site, a, &extras))
        .collect())
}

/// The public path of one article (loads what `%category%` or `%author%` need).
pub async fn article_path(state: &AppState, site: &Site, a: &Article) -> Result<String> {
    Ok(Related::load(state, std::slice::from_ref(a))
        .await?
        .path_of(site, a))
}
