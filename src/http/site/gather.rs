//! Reads behind the views: one query per kind of extra (terms, bylines, comment counts) for a
//! whole listing, never one per article, and an article's own rows, through the rows kept in
//! memory (`cache::rows`) wherever a public page or the comment form reads them.

use std::collections::HashMap;
use std::sync::Arc;

use crate::actions::media;
use crate::app::AppState;
use crate::cache::deps::{self, Tag};
use crate::content::figure::Figure;
use crate::db::article::{self as articles, Article, Byline, Links};
use crate::db::comment::{self, Comment};
use crate::db::correction::{self, Correction};
use crate::db::term::{self, PostTerm};
use crate::db::user;
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
    /// Load the extras of these articles: one query for what links them to terms, people and
    /// comments; the terms, people and pictures themselves mostly from memory (`cache::rows`).
    pub async fn load(state: &AppState, list: &[Article]) -> Result<Related> {
        let db = state.db();
        let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
        let media_ids: Vec<i64> = list.iter().filter_map(|a| a.featured_media_id).collect();
        let rows = state.rows();
        let kept = rows
            .links
            .get_many(&ids, |missing| async move {
                Ok(articles::links(db, &missing)
                    .await?
                    .per_post(&missing)
                    .into_iter()
                    .map(|(id, l)| (id, Arc::new(l)))
                    .collect())
            })
            .await?;
        let links = Links::of(&ids, &kept);
        let term_ids: Vec<i64> = links.terms.iter().map(|(_, t)| *t).collect();
        let user_ids: Vec<i64> = links.authors.iter().map(|(_, _, u)| *u).collect();
        let terms = rows
            .terms
            .get_many(&term_ids, |missing| async move {
                Ok(term::by_ids(db, &missing)
                    .await?
                    .into_iter()
                    .map(|t| (t.id, t))
                    .collect())
            })
            .await?;
        let users = rows
            .users
            .get_many(&user_ids, |missing| async move {
                Ok(user::by_ids(db, &missing)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u))
                    .collect())
            })
            .await?;
        let media = rows
            .figures
            .get_many(&media_ids, |missing| async move {
                Ok(media::figures(db, &missing).await?.into_iter().collect())
            })
            .await?;
        let mut post_terms: Vec<PostTerm> = links
            .terms
            .iter()
            .filter_map(|(post_id, term_id)| {
                terms.get(term_id).map(|t| PostTerm {
                    post_id: *post_id,
                    term: t.clone(),
                })
            })
            .collect();
        post_terms.sort_by(|a, b| {
            a.term
                .name
                .cmp(&b.term.name)
                .then(a.term.id.cmp(&b.term.id))
        });
        let bylines: Vec<Byline> = links
            .authors
            .iter()
            .filter_map(|(post_id, position, user_id)| {
                users.get(user_id).map(|u| Byline {
                    post_id: *post_id,
                    position: *position,
                    user: u.clone(),
                })
            })
            .collect();
        let related = Related {
            terms: post_terms,
            bylines,
            comment_counts: links.comment_counts,
            media,
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

/// A whole article or page by id (live or not: callers check), from memory when kept.
pub async fn article(state: &AppState, id: i64) -> Result<Option<Arc<Article>>> {
    let db = state.db();
    state
        .rows()
        .posts
        .get(id, |id| async move {
            Ok(articles::get(db, id).await?.map(Arc::new))
        })
        .await
}

/// The article or page of a kind with this slug, from memory when kept.
pub async fn article_by_slug(
    state: &AppState,
    kind: &str,
    slug: &str,
) -> Result<Option<Arc<Article>>> {
    let rows = state.rows();
    // The hint may be old (slugs move); the kept article is current, so it settles it.
    if let Some(id) = rows.slug_hint(kind, slug)
        && let Some(a) = rows.posts.peek(id)
        && a.kind == kind
        && a.slug == slug
    {
        return Ok(Some(a));
    }
    let began = rows.posts.epoch();
    let Some(a) = articles::by_slug(state.db(), kind, slug).await? else {
        return Ok(None);
    };
    let a = Arc::new(a);
    rows.note_slug(kind, slug, a.id);
    rows.posts.keep_if_current(began, a.id, a.clone());
    Ok(Some(a))
}

/// Listing cards' rows of these articles (no text), in the order of `ids`, from memory when kept.
pub async fn cards_by_ids(state: &AppState, ids: &[i64]) -> Result<Vec<Arc<Article>>> {
    let db = state.db();
    let mut kept = state
        .rows()
        .cards
        .get_many(ids, |missing| async move {
            Ok(articles::by_ids(db, &missing)
                .await?
                .into_iter()
                .map(|a| (a.id, Arc::new(a)))
                .collect())
        })
        .await?;
    Ok(ids.iter().filter_map(|id| kept.remove(id)).collect())
}

/// An article's approved comments, oldest first, from memory when kept.
pub async fn approved_comments(state: &AppState, post_id: i64) -> Result<Arc<Vec<Comment>>> {
    let db = state.db();
    let kept = state
        .rows()
        .comments
        .get(post_id, |id| async move {
            Ok(Some(Arc::new(comment::approved_for_post(db, id).await?)))
        })
        .await?;
    Ok(kept.unwrap_or_default())
}

/// An article's corrections, oldest first, from memory when kept.
pub async fn corrections(state: &AppState, post_id: i64) -> Result<Arc<Vec<Correction>>> {
    let db = state.db();
    let kept = state
        .rows()
        .corrections
        .get(post_id, |id| async move {
            Ok(Some(Arc::new(correction::of_post(db, id).await?)))
        })
        .await?;
    Ok(kept.unwrap_or_default())
}

/// Up to three live articles sharing the most sections and topics with article `id` (whose
/// terms are `term_ids`), as cards; the choice is kept until a list of articles changes.
pub async fn related_by_terms(state: &AppState, id: i64, term_ids: &[i64]) -> Result<Vec<Article>> {
    let db = state.db();
    let ids = state
        .rows()
        .related_by_terms
        .get(id, |id| async move {
            Ok(Some(Arc::new(
                articles::related(db, id, term_ids, 3).await?,
            )))
        })
        .await?
        .unwrap_or_default();
    Ok(cards_by_ids(state, &ids)
        .await?
        .into_iter()
        .map(Arc::unwrap_or_clone)
        .collect())
}
