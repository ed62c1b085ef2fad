//! Demo content for a first start (hand-written articles in `demo/`, with authors, categories,
//! tags and comments) and generated articles for benchmarks.

use chrono::{Duration, Utc};

use crate::actions::capability::Actor;
use crate::actions::demo_pictures::{self, Scene};
use crate::actions::media::{self, Upload};
use crate::actions::publish::{self, Draft};
use crate::content::markdown::Format;
use crate::db::article::{self as articles, status};
use crate::db::comment::{self, NewComment};
use crate::db::media::MediaText;
use crate::db::term;
use crate::db::user::{self, NewUser};
use crate::db::{Db, now, setting};
use crate::error::{Error, Result};
use crate::media_store::MediaStore;

const ARTICLES: [&str; 6] = [
    include_str!("../../demo/istanbul-talks.md"),
    include_str!("../../demo/lviv-library.md"),
    include_str!("../../demo/vinyl-plant.md"),
    include_str!("../../demo/rates-hold.md"),
    include_str!("../../demo/telescope.md"),
    include_str!("../../demo/river-record.md"),
];
const ABOUT: &str = include_str!("../../demo/about.md");

struct DemoAuthor {
    login: &'static str,
    name: &'static str,
    bio: &'static str,
}

const AUTHORS: [DemoAuthor; 3] = [
    DemoAuthor {
        login: "olena-kovalenko",
        name: "Olena Kovalenko",
        bio: "Olena Kovalenko (Олена Коваленко) covers Ukraine and Eastern Europe from Kyiv. She has reported on the war since 2014 and speaks Ukrainian, Russian, Turkish and English.",
    },
    DemoAuthor {
        login: "marcus-reed",
        name: "Marcus Reed",
        bio: "Marcus Reed is our business and economics editor. Before journalism he spent eight years on a bond trading desk, which he says taught him to distrust round numbers.",
    },
    DemoAuthor {
        login: "aiko-tanaka",
        name: "Aiko Tanaka",
        bio: "Aiko Tanaka writes about science, climate and culture. She studied astrophysics in Kyoto and still keeps a telescope on her balcony.",
    },
];

/// True when the site has neither articles nor users: the only time demo content is added.
pub async fn site_is_empty(db: &Db) -> Result<bool> {
    Ok(articles::count(db, articles::POST).await? == 0 && user::count(db).await? == 0)
}

/// Demo metadata of one article file: `key: value` lines, `---`, then the Markdown body.
struct DemoArticle<'a> {
    title: &'a str,
    category: &'a str,
    parent: Option<&'a str>,
    tags: Vec<&'a str>,
    author: usize,
    source: Option<(&'a str, &'a str)>,
    days_ago: i64,
    sticky: bool,
    /// Scene | alt text | caption of the article's picture.
    picture: Option<(&'a str, &'a str, &'a str)>,
    body: &'a str,
}

fn parse(file: &str) -> Result<DemoArticle<'_>> {
    let (head, body) = file
        .split_once("\n---\n")
        .ok_or_else(|| Error::Internal("demo article without a --- line".into()))?;
    let mut a = DemoArticle {
        title: "",
        category: "",
        parent: None,
        tags: Vec::new(),
        author: 0,
        source: None,
        days_ago: 0,
        sticky: false,
        picture: None,
        body,
    };
    for line in head.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "title" => a.title = value,
            "category" => a.category = value,
            "parent" => a.parent = Some(value),
            "tags" => {
                a.tags = value
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            "author" => a.author = value.parse().unwrap_or(0) % AUTHORS.len(),
            "source" => a.source = value.split_once('|').map(|(n, u)| (n.trim(), u.trim())),
            "days_ago" => a.days_ago = value.parse().unwrap_or(0),
            "sticky" => a.sticky = value == "true",
            "picture" => {
                let mut parts = value.splitn(3, '|').map(str::trim);
                if let (Some(scene), Some(alt), Some(caption)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    a.picture = Some((scene, alt, caption));
                }
            }
            _ => {}
        }
    }
    Ok(a)
}

async fn authors(db: &Db) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for a in &AUTHORS {
        let id = match user::by_slug(db, a.login).await? {
            Some(u) => u.id,
            None => {
                user::insert(
                    db,
                    &NewUser {
                        login: a.login.into(),
                        slug: a.login.into(),
                        display_name: a.name.into(),
                        email: format!("{}@newsroom.invalid", a.login),
                        url: String::new(),
                        bio: a.bio.into(),
                        avatar_url: None,
                        role: "author".into(),
                        password_hash: None,
                    },
                    None,
                )
                .await?
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

/// A demo article's picture, drawn and taken into the library like any upload.
async fn picture(
    db: &Db,
    store: &MediaStore,
    scene: &str,
    alt: &str,
    caption: &str,
) -> Result<Option<i64>> {
    let Some(scene) = Scene::parse(scene) else {
        return Ok(None);
    };
    let prepared = match tokio::task::spawn_blocking(move || demo_pictures::prepared(scene))
        .await
        .map_err(|e| Error::Internal(format!("drawing a demo picture: {e}")))?
    {
        Ok(p) => p,
        Err(why) => {
            tracing::warn!("demo picture {scene:?} was refused: {}", why.message());
            return Ok(None);
        }
    };
    let (bytes, processed) = &*prepared;
    let source_hash = crate::media_store::hash(bytes);
    if let Some(existing) = crate::db::media::by_source_hash(db, &source_hash).await? {
        return Ok(Some(existing.id));
    }
    let upload = Upload {
        bytes: Vec::new(),
        file_name: format!("{scene:?}.jpg").to_lowercase(),
        text: MediaText {
            title: format!("{scene:?} (demo illustration)"),
            alt: alt.into(),
            caption: caption.into(),
            credit: "Illustration: Newsroom demo".into(),
        },
    };
    let stored = media::store_processed(
        db,
        store,
        &Actor::system("demo"),
        source_hash,
        processed,
        &upload,
    )
    .await?;
    Ok(Some(stored.id))
}

/// Add the hand-written demo site: settings, authors, categories, tags, articles with pictures,
/// a page, comments.
pub async fn seed(db: &Db, store: &MediaStore) -> Result<()> {
    setting::set(db, "title", "The Newsroom Ledger").await?;
    setting::set(db, "tagline", "Independent news, told carefully").await?;
    let author_ids = authors(db).await?;
    let mut first_article = None;
    for file in ARTICLES {
        let d = parse(file)?;
        let parent = match d.parent {
            Some(p) => Some(publish::ensure_term(db, term::CATEGORY, p, None).await?),
            None => None,
        };
        let mut term_ids =
            vec![publish::ensure_term(db, term::CATEGORY, d.category, parent).await?];
        for tag in &d.tags {
            term_ids.push(publish::ensure_term(db, term::TAG, tag, None).await?);
        }
        let mut draft = Draft::article(d.title, d.body, vec![author_ids[d.author]]);
        if d.author == 0 && d.tags.len() > 2 {
            draft.author_ids.push(author_ids[1]);
        }
        draft.term_ids = term_ids;
        draft.sticky = d.sticky;
        draft.published_at = Some(now() - Duration::days(d.days_ago) - Duration::hours(3));
        if let Some((name, url)) = d.source {
            draft.source_name = name.into();
            draft.source_url = url.into();
        }
        if let Some((scene, alt, caption)) = d.picture {
            draft.featured_media_id = picture(db, store, scene, alt, caption).await?;
        }
        let id = publish::create(db, &draft).await?;
        first_article.get_or_insert(id);
    }
    let about = parse(ABOUT)?;
    let mut page = Draft::article(about.title, about.body, vec![author_ids[1]]);
    page.kind = articles::PAGE.into();
    page.comments_open = false;
    page.published_at = Some(now() - Duration::days(30));
    publish::create(db, &page).await?;
    if let Some(post_id) = first_article {
        seed_comments(db, post_id).await?;
    }
    Ok(())
}

async fn seed_comments(db: &Db, post_id: i64) -> Result<()> {
    let base = now() - Duration::hours(20);
    let c =
        |name: &str, email: &str, content: &str, parent: Option<i64>, minutes: i64| NewComment {
            post_id,
            parent_id: parent,
            author_name: name.into(),
            author_email: email.into(),
            content: content.into(),
            status: comment::status::APPROVED.into(),
            reason: "demo".into(),
            created_at: Some(base + Duration::minutes(minutes)),
            ..Default::default()
        };
    let first = comment::insert(db, &c("Mehmet Yılmaz", "mehmet@example.org", "Having the talks at Dolmabahçe is symbolic — the palace has hosted more than one “last chance” meeting. Let’s hope this one is different.", None, 0)).await?;
    comment::insert(db, &c("Ганна Шевчук", "hanna@example.org", "The prisoner exchange is what matters to families here. Everything else is theatre until the guns stop.", Some(first), 45)).await?;
    comment::insert(
        db,
        &c(
            "Tom Whitfield",
            "tom@example.org",
            "Good, sober write-up. Thanks for not pretending there was a breakthrough.",
            None,
            90,
        ),
    )
    .await?;
    Ok(())
}

/// Add `n` generated articles spread over the last years, across the demo's categories, tags and
/// authors (for benchmarks: "a site with 10,000 articles").
pub async fn generate(db: &Db, n: usize) -> Result<()> {
    let author_ids = authors(db).await?;
    let categories = term::all(db, term::CATEGORY).await?;
    let tags = term::all(db, term::TAG).await?;
    let bodies: Vec<&str> = ARTICLES
        .iter()
        .filter_map(|f| parse(f).ok().map(|d| d.body))
        .collect();
    if categories.is_empty() || bodies.is_empty() {
        return Err(Error::Internal(
            "seed the demo before generating articles".into(),
        ));
    }
    let start = Utc::now();
    for i in 0..n {
        let mut term_ids = vec![categories[i % categories.len()].id];
        if !tags.is_empty() {
            term_ids.push(tags[(i * 7) % tags.len()].id);
        }
        let mut draft = Draft::article(
            &format!("Generated report {i}: what the numbers say"),
            bodies[i % bodies.len()],
            vec![author_ids[i % author_ids.len()]],
        );
        draft.format = Format::Markdown;
        draft.status = status::PUBLISHED.into();
        draft.term_ids = term_ids;
        draft.published_at = Some(now() - Duration::minutes(37 * (i as i64 + 1)));
        publish::create(db, &draft).await?;
        if (i + 1) % 1000 == 0 {
            tracing::info!("generated {} articles in {:?}", i + 1, Utc::now() - start);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_file_parses_with_twenty_paragraphs() {
        for file in ARTICLES {
            let d = parse(file).unwrap();
            assert!(!d.title.is_empty() && !d.category.is_empty());
            let paragraphs = d
                .body
                .split("\n\n")
                .filter(|p| !p.trim().is_empty())
                .count();
            assert!(paragraphs >= 20, "{}: {paragraphs} paragraphs", d.title);
        }
        assert!(ARTICLES.iter().any(|f| parse(f).unwrap().source.is_some()));
        for file in ARTICLES {
            let (scene, alt, _) = parse(file)
                .unwrap()
                .picture
                .expect("every demo article has a picture");
            assert!(Scene::parse(scene).is_some() && !alt.is_empty());
        }
    }
}
