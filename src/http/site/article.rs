//! The article page (and static pages): body, bylines, terms, comments, related and the form.

use axum::http::HeaderMap;
use axum::response::Html;
use serde::Serialize;

use crate::app::AppState;
use crate::content::permalink::Parsed;
use crate::db::article::{self as articles, Article};
use crate::db::{self, comment};
use crate::error::{Error, Result};
use crate::http::site::{Found, gather};
use crate::render::Site;
use crate::render::views::{
    self, ArticleView, CardView, CommentFormView, CommentView, PaginationView, SiteView,
};

#[derive(Serialize)]
struct ArticlePage {
    site: SiteView,
    title: String,
    canonical: String,
    article: ArticleView,
    comments: Vec<CommentView>,
    comment_count: usize,
    comment_pages: PaginationView,
    related: Vec<CardView>,
    form: CommentFormView,
}

/// Find the article or page a path names; redirect old slugs and non-canonical forms.
pub async fn show(
    state: &AppState,
    segs: &[String],
    parsed: &Parsed,
    requested: &str,
    headers: &HeaderMap,
) -> Result<Found> {
    let site = state.site();
    let db = state.db();
    let now = db::now();
    if let Some(m) = site.structure.matches(segs) {
        let found = match (&m.slug, m.id) {
            (_, Some(id)) => articles::get(db, id).await?,
            (Some(slug), None) => articles::by_slug(db, articles::POST, slug).await?,
            (None, None) => None,
        };
        if let Some(a) = found.filter(|a| a.is_live(now) && a.kind == articles::POST) {
            return page_or_redirect(state, &site, &a, parsed, requested, headers).await;
        }
        if let Some(slug) = &m.slug
            && let Some(a) = articles::by_old_slug(db, slug)
                .await?
                .filter(|a| a.is_live(now))
        {
            return Ok(Found::Canonical(
                gather::article_path(state, &site, &a).await?,
            ));
        }
    }
    if let [slug] = segs
        && let Some(p) = articles::by_slug(db, articles::PAGE, slug)
            .await?
            .filter(|a| a.is_live(now))
    {
        return page_or_redirect(state, &site, &p, parsed, requested, headers).await;
    }
    // WordPress guesses: a path ending in an article's slug (a bare slug, or a link made under an
    // older permalink structure) goes to its permalink.
    let slug = segs.last().ok_or(Error::NotFound)?;
    for found in [
        articles::by_slug(db, articles::POST, slug).await?,
        articles::by_old_slug(db, slug).await?,
    ] {
        if let Some(a) = found.filter(|a| a.is_live(now)) {
            return Ok(Found::Canonical(
                gather::article_path(state, &site, &a).await?,
            ));
        }
    }
    Err(Error::NotFound)
}

async fn page_or_redirect(
    state: &AppState,
    site: &Site,
    a: &Article,
    parsed: &Parsed,
    requested: &str,
    headers: &HeaderMap,
) -> Result<Found> {
    let _ = headers;
    let base = gather::article_path(state, site, a).await?;
    let canonical = match parsed.comment_page {
        Some(n) if n > 1 => format!("{base}comment-page-{n}/"),
        _ => base,
    };
    if canonical != requested {
        return Ok(Found::Canonical(canonical));
    }
    let form = CommentFormView {
        author: String::new(),
        ..Default::default()
    };
    render(state, site, a, parsed.comment_page.unwrap_or(1), form)
        .await
        .map(Found::Page)
}

/// Whether comments on this article are open now (its own switch and the site's age limit).
pub fn comments_open(site: &Site, a: &Article) -> bool {
    if a.comment_status != "open" {
        return false;
    }
    let days = site.settings.close_comments_days;
    days == 0
        || a.published_at
            .is_none_or(|p| db::now() - p < chrono::Duration::days(i64::from(days)))
}

/// Render the article page with a given form state (blank, or sent back with errors).
pub async fn render(
    state: &AppState,
    site: &Site,
    a: &Article,
    comment_page: u32,
    mut form: CommentFormView,
) -> Result<Html<String>> {
    let db = state.db();
    let related_rows = gather::Related::load(state, std::slice::from_ref(a)).await?;
    let extras = related_rows.extras();
    let terms = extras.terms.get(&a.id).cloned().unwrap_or_default();
    let authors = extras.authors.get(&a.id).cloned().unwrap_or_default();
    let open = comments_open(site, a);
    let article = ArticleView::new(site, a, &terms, &authors, open);

    let approved = comment::approved_for_post(db, a.id).await?;
    let comment_count = approved.len();
    let mut threads = views::thread(site, &approved, site.settings.thread_comments_depth, open);
    let per_page = site.settings.comments_per_page as usize;
    let has_more = threads.len() > comment_page as usize * per_page;
    if comment_page > 1 && threads.len() <= (comment_page as usize - 1) * per_page {
        return Err(Error::NotFound);
    }
    let threads: Vec<CommentView> = threads
        .drain(..)
        .skip((comment_page as usize - 1) * per_page)
        .take(per_page)
        .collect();
    let comment_pages = PaginationView {
        page: comment_page,
        newer_url: has_more
            .then(|| format!("{}comment-page-{}/#comments", article.url, comment_page + 1)),
        older_url: (comment_page > 1).then(|| {
            if comment_page == 2 {
                format!("{}#comments", article.url)
            } else {
                format!("{}comment-page-{}/#comments", article.url, comment_page - 1)
            }
        }),
    };

    let term_ids: Vec<i64> = terms.iter().map(|t| t.id).collect();
    let related = if a.kind == articles::POST {
        let rows = articles::related(db, a.id, &term_ids, 3).await?;
        gather::cards(state, site, &rows).await?
    } else {
        Vec::new()
    };

    form.action = "/wp-comments-post.php".into();
    form.post_id = a.id;
    form.open = open;
    if !open && form.closed_reason.is_empty() {
        form.closed_reason = "Comments are closed.".into();
    }
    let page = ArticlePage {
        site: SiteView::new(site, &article.url),
        title: format!("{} – {}", a.title, site.settings.title),
        canonical: article.url.clone(),
        article,
        comments: threads,
        comment_count,
        comment_pages,
        related,
        form,
    };
    let template = if a.kind == articles::PAGE {
        "page.html"
    } else {
        "article.html"
    };
    Ok(Html(state.theme().render(template, page)?))
}
