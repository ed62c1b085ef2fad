//! The article page (and static pages): body, bylines, terms, comments, related and the form.

use std::sync::Arc;

use axum::response::Html;
use rand::Rng;
use serde::Serialize;

use crate::actions::comment::comments_open;
use crate::app::AppState;
use crate::content::form_token;
use crate::content::permalink::Parsed;
use crate::content::post_password;
use crate::db::article::{self as articles, Article};
use crate::db::term::{self, Term};
use crate::db::user::{self, User};
use crate::db::{self, comment};
use crate::error::{Error, Result};
use crate::http::site::Found;
use crate::http::site::gather::{self, Related};
use crate::http::visitor::Visitor;
use crate::render::Site;
use crate::render::structured;
use crate::render::views::{
    self, ArticleView, CardView, CommentFormView, CommentView, CorrectionView, DateView, LinkView,
    PaginationView, SiteView,
};

/// Name of the honeypot field: hidden from people, filled in by bots.
pub const HONEYPOT: &str = "newsroom_hp";

#[derive(Serialize)]
struct ArticlePage {
    site: SiteView,
    title: String,
    canonical: String,
    article: ArticleView,
    comments: Vec<CommentView>,
    comment_count: usize,
    /// The visitor's own comments still held for moderation, shown to them alone.
    held_count: usize,
    comment_pages: PaginationView,
    related: Vec<CardView>,
    form: CommentFormView,
    /// A draft shown to its editors or reviewers: a banner, no comments, not for search engines.
    preview: Option<String>,
    /// schema.org JSON-LD, escaped for a `<script>`.
    json_ld: String,
    /// The picture social cards show (absolute).
    og_image: String,
}

/// Find the article or page a path names; redirect old slugs and non-canonical forms.
pub async fn show(
    state: &AppState,
    segs: &[String],
    parsed: &Parsed,
    requested: &str,
    visitor: &Visitor,
) -> Result<Found> {
    let site = state.site();
    let db = state.db();
    let now = db::now();
    if let Some(a) = find_live(state, segs).await? {
        return page_or_redirect(state, &site, &a, parsed, requested, visitor).await;
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

/// The live article or page a path names exactly (no old slugs or guesses).
pub async fn find_live(state: &AppState, segs: &[String]) -> Result<Option<Arc<Article>>> {
    let site = state.site();
    let now = db::now();
    if let Some(m) = site.structure.matches(segs) {
        let found = match (&m.slug, m.id) {
            (_, Some(id)) => gather::article(state, id).await?,
            (Some(slug), None) => gather::article_by_slug(state, articles::POST, slug).await?,
            (None, None) => None,
        };
        if let Some(a) = found.filter(|a| a.is_live(now) && a.kind == articles::POST) {
            return Ok(Some(a));
        }
    }
    if let [slug] = segs {
        return Ok(gather::article_by_slug(state, articles::PAGE, slug)
            .await?
            .filter(|a| a.is_live(now)));
    }
    Ok(None)
}

async fn page_or_redirect(
    state: &AppState,
    site: &Site,
    a: &Article,
    parsed: &Parsed,
    requested: &str,
    visitor: &Visitor,
) -> Result<Found> {
    let related = Loaded::of(state, a).await?;
    let base = related.extras.path_of(site, a);
    let canonical = match parsed.comment_page {
        Some(n) if n > 1 => format!("{base}comment-page-{n}/"),
        _ => base,
    };
    if canonical != requested {
        return Ok(Found::Canonical(canonical));
    }
    let mut form = blank_form(site, a);
    form.author = visitor.author.clone();
    form.email = visitor.email.clone();
    form.url = visitor.url.clone();
    form.remember = visitor.remember;
    if let Some(parent) = visitor.reply_to
        && comment::get(state.db(), parent)
            .await?
            .is_some_and(|c| c.post_id == a.id && c.status == comment::status::APPROVED)
    {
        form.parent_id = parent;
    }
    let page = parsed.comment_page.unwrap_or(1);
    if !a.password.is_empty()
        && !post_password::unlocks(
            &site.settings.secret,
            &a.password,
            visitor.post_pass.as_deref(),
        )
    {
        // Protected: the form in place of the text, and no comments, until the password is typed.
        let mut locked = a.clone();
        locked.body_html = post_password::form_html(requested);
        locked.comment_status = "closed".into();
        return render_loaded(state, site, &locked, &related, page, form, &[], true)
            .await
            .map(Found::Page);
    }
    render_loaded(state, site, a, &related, page, form, &visitor.held, false)
        .await
        .map(Found::Page)
}

/// An empty form for an article, with a fresh token.
pub fn blank_form(site: &Site, a: &Article) -> CommentFormView {
    CommentFormView {
        token: fresh_token(site, a.id),
        honeypot: HONEYPOT.into(),
        ..Default::default()
    }
}

/// A new form token for an article.
pub fn fresh_token(site: &Site, post_id: i64) -> String {
    form_token::issue(
        &site.settings.secret,
        post_id,
        db::now(),
        rand::rng().random(),
    )
}

/// Render the article page with a given form state (blank, or sent back with errors) and the
/// visitor's held comments.
pub async fn render(
    state: &AppState,
    site: &Site,
    a: &Article,
    form: CommentFormView,
    held: &[i64],
) -> Result<Html<String>> {
    let related = Loaded::of(state, a).await?;
    render_loaded(state, site, a, &related, 1, form, held, false).await
}

/// An article's extras loaded together with those of its related articles (one batch for both).
struct Loaded {
    /// Extras of the article and of the related ones.
    extras: Related,
    /// Related articles found from the words; empty when the search index had none.
    related: Vec<Article>,
}

impl Loaded {
    async fn of(state: &AppState, a: &Article) -> Result<Loaded> {
        let related = if a.kind == articles::POST {
            related_by_words(state, a).await?
        } else {
            Vec::new()
        };
        let mut list = Vec::with_capacity(related.len() + 1);
        list.push(a.clone());
        list.extend(related.iter().cloned());
        Ok(Loaded {
            extras: Related::load(state, &list).await?,
            related,
        })
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_loaded(
    state: &AppState,
    site: &Site,
    a: &Article,
    loaded: &Loaded,
    comment_page: u32,
    mut form: CommentFormView,
    held: &[i64],
    locked: bool,
) -> Result<Html<String>> {
    let db = state.db();
    let extras = loaded.extras.extras();
    let terms = extras.terms.get(&a.id).cloned().unwrap_or_default();
    let authors = extras.authors.get(&a.id).cloned().unwrap_or_default();
    let open = comments_open(&site.settings, a, db::now());
    if open
        && site.settings.close_comments_days > 0
        && let Some(published) = a.published_at
    {
        // The form closes by itself when the article reaches the site's age limit.
        let closes =
            published + chrono::Duration::days(i64::from(site.settings.close_comments_days));
        let left = (closes - db::now()).num_seconds().max(1);
        crate::cache::deps::expires_in(left as u64);
    }
    let article = ArticleView::new(site, a, (&terms, &authors), &extras.media, open);

    let mut shown = if locked {
        Vec::new()
    } else {
        gather::approved_comments(state, a.id).await?.to_vec()
    };
    let comment_count = shown.len();
    // The visitor's own held comments, shown to them alone with the moderation notice.
    shown.extend(comment::by_ids(db, held).await?.into_iter().filter(|c| {
        c.post_id == a.id
            && c.status != comment::status::APPROVED
            && c.status != comment::status::TRASH
    }));
    let held_count = shown.len() - comment_count;
    shown.sort_by_key(|c| (c.created_at, c.id));
    let mut threads = views::thread(site, &shown, site.settings.thread_comments_depth, open);
    let per_page = site.settings.comments_per_page as usize;
    let first = (comment_page as usize - 1) * per_page;
    if comment_page > 1 && threads.len() <= first {
        return Err(Error::NotFound);
    }
    let has_more = threads.len() > first + per_page;
    let threads: Vec<CommentView> = threads.drain(..).skip(first).take(per_page).collect();
    let page_url = |n: u32| {
        if n <= 1 {
            format!("{}#comments", article.url)
        } else {
            format!("{}comment-page-{n}/#comments", article.url)
        }
    };
    let comment_pages = PaginationView {
        page: comment_page,
        newer_url: has_more.then(|| page_url(comment_page + 1)),
        older_url: (comment_page > 1).then(|| page_url(comment_page - 1)),
    };

    let mut article = article;
    article.corrections = corrections_of(state, site, a.id).await?;
    let term_ids: Vec<i64> = terms.iter().map(|t| t.id).collect();
    let related = if a.kind != articles::POST {
        Vec::new()
    } else if loaded.related.is_empty() {
        // The index does not know the article yet (published this second): those sharing the
        // most sections and topics.
        let rows = gather::related_by_terms(state, a.id, &term_ids).await?;
        gather::cards(state, site, &rows).await?
    } else {
        loaded
            .related
            .iter()
            .map(|r| CardView::new(site, r, &extras))
            .collect()
    };

    form.action = "/wp-comments-post.php".into();
    form.post_id = a.id;
    form.open = open;
    if !open && form.closed_reason.is_empty() {
        form.closed_reason = "Comments are closed.".into();
    }
    let trail: Vec<LinkView> = terms
        .iter()
        .filter(|t| t.taxonomy == term::CATEGORY)
        .min_by_key(|t| t.id)
        .map(|t| {
            site.category_chain(t.id)
                .into_iter()
                .map(|c| LinkView {
                    name: c.name.clone(),
                    url: site.term_path(c),
                    current: false,
                })
                .collect()
        })
        .unwrap_or_default();
    let json_ld = structured::to_script(&structured::article(site, &article, &trail));
    let page = ArticlePage {
        site: SiteView::new(site, &article.url),
        title: format!("{} – {}", a.title, site.settings.title),
        json_ld,
        og_image: og_image(site, &article),
        canonical: article.url.clone(),
        article,
        comments: threads,
        comment_count,
        held_count,
        comment_pages,
        related,
        form,
        preview: None,
    };
    Ok(Html(state.theme().render(template_of(a), page)?))
}

/// Up to three live articles most like this one in words (from the search index).
async fn related_by_words(state: &AppState, a: &Article) -> Result<Vec<Article>> {
    let now = db::now();
    let ids = match state.search().related(a.id, 6) {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!("related articles of {}: {e}", a.id);
            Vec::new()
        }
    };
    Ok(gather::cards_by_ids(state, &ids)
        .await?
        .into_iter()
        .filter(|r| r.is_live(now) && r.kind == articles::POST)
        .take(3)
        .map(Arc::unwrap_or_clone)
        .collect())
}

/// The article's picture for social cards, else the site's icon (absolute either way).
fn og_image(site: &Site, a: &ArticleView) -> String {
    match &a.image {
        Some(i) => site.absolute(&i.url),
        None => site.absolute("/icon-512.png"),
    }
}

fn template_of(a: &Article) -> &'static str {
    if a.kind == articles::PAGE {
        "page.html"
    } else {
        "article.html"
    }
}

async fn corrections_of(state: &AppState, site: &Site, id: i64) -> Result<Vec<CorrectionView>> {
    Ok(gather::corrections(state, id)
        .await?
        .iter()
        .map(|c| CorrectionView {
            date: DateView::new(site, c.created_at),
            note: c.note.clone(),
        })
        .collect())
}

/// An article as readers will see it, whatever its status, marked as a preview with `note`: no
/// comments, no related articles. `chosen` holds the section and byline ids of an unsaved form;
/// None reads the stored ones.
pub async fn render_preview(
    state: &AppState,
    site: &Site,
    a: &Article,
    chosen: Option<(&[i64], &[i64])>,
    note: &str,
) -> Result<String> {
    let db = state.db();
    let featured: Vec<i64> = a.featured_media_id.into_iter().collect();
    let media = crate::actions::media::figures(db, &featured).await?;
    let (terms, authors) = match chosen {
        None => {
            let related = Related::load(state, std::slice::from_ref(a)).await?;
            (
                related
                    .terms
                    .into_iter()
                    .map(|pt| pt.term)
                    .collect::<Vec<_>>(),
                related
                    .bylines
                    .into_iter()
                    .map(|b| b.user)
                    .collect::<Vec<_>>(),
            )
        }
        Some((category_ids, author_ids)) => {
            let terms = term::all(db, term::CATEGORY)
                .await?
                .into_iter()
                .filter(|t| category_ids.contains(&t.id))
                .collect();
            let mut authors = Vec::new();
            for id in author_ids {
                authors.extend(user::get(db, *id).await?);
            }
            (terms, authors)
        }
    };
    let term_refs: Vec<&Term> = terms.iter().collect();
    let author_refs: Vec<&User> = authors.iter().collect();
    let mut article = ArticleView::new(site, a, (&term_refs, &author_refs), &media, false);
    if a.id > 0 {
        article.corrections = corrections_of(state, site, a.id).await?;
    }
    let page = ArticlePage {
        site: SiteView::new(site, &article.url),
        title: format!("Preview: {} – {}", a.title, site.settings.title),
        canonical: String::new(),
        article,
        comments: Vec::new(),
        comment_count: 0,
        held_count: 0,
        comment_pages: PaginationView::new("/", 1, false),
        related: Vec::new(),
        form: CommentFormView::default(),
        preview: Some(note.to_string()),
        json_ld: String::new(),
        og_image: String::new(),
    };
    state.theme().render(template_of(a), page)
}
