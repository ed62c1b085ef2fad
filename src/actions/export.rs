//! Writing the site out as a WordPress export (`newsroom export wxr`): authors, sections, tags,
//! pictures (as attachments), articles and pages of every status with their comments. WordPress's
//! importer reads it; Newsroom's reads back what WordPress has no place for (Markdown sources,
//! bylines, source lines, credits) from `_newsroom_*` meta, so a round trip loses nothing.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::actions::capability::{Actor, Cap};
use crate::db::article::{PAGE, status};
use crate::db::comment::status as comment_status;
use crate::db::setting::Settings;
use crate::db::term::{self, Term};
use crate::db::{Db, export};
use crate::error::{Error, Result};
use crate::media_store::MediaStore;
use crate::wxr::write::Writer;
use crate::wxr::{self, Author, Category, Channel, Item, ItemTerm, Tag};

/// How much was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub authors: u64,
    pub terms: u64,
    pub pictures: u64,
    pub articles: u64,
    pub comments: u64,
}

fn wp_date(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "0000-00-00 00:00:00".to_string(),
        |d| d.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

fn io(e: std::io::Error) -> Error {
    Error::Internal(format!("writing the export: {e}"))
}

/// Write the whole site to `out`; with `uploads`, copy each picture's original there too (as
/// `newsroom/<key>`, which the attachments name in `_wp_attached_file`).
pub async fn wxr<W: Write>(
    db: &Db,
    store: &MediaStore,
    settings: &Settings,
    site_url: &str,
    actor: &Actor,
    out: W,
    uploads: Option<&Path>,
) -> Result<(W, Counts)> {
    actor.require(Cap::ManageOptions, "export the site")?;
    let base = site_url.trim_end_matches('/').to_string();
    let mut counts = Counts::default();
    let channel = Channel {
        title: settings.title.clone(),
        link: base.clone(),
        description: settings.tagline.clone(),
        language: "en".into(),
        wxr_version: "1.2".into(),
        base_site_url: base.clone(),
        base_blog_url: base.clone(),
    };
    let mut w = Writer::start(
        out,
        &channel,
        &format!("Newsroom/{}", env!("CARGO_PKG_VERSION")),
    )
    .map_err(io)?;
    let users = crate::db::user::list_with_counts(db).await?;
    let login_of: HashMap<i64, String> =
        users.iter().map(|(u, _)| (u.id, u.login.clone())).collect();
    for (u, _) in &users {
        w.author(&Author {
            id: Some(u.id),
            login: u.login.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            description: u.bio.clone(),
            url: u.url.clone(),
            ..Author::default()
        })
        .map_err(io)?;
        counts.authors += 1;
    }
    let categories = term::all(db, term::CATEGORY).await?;
    let by_id: HashMap<i64, &Term> = categories.iter().map(|t| (t.id, t)).collect();
    // Parents before children, as WordPress writes them.
    let mut ordered: Vec<&Term> = categories.iter().collect();
    ordered.sort_by_key(|t| term::ancestry(&categories, t.id).len());
    for c in ordered {
        w.category(&Category {
            term_id: Some(c.id),
            nicename: c.slug.clone(),
            parent: c
                .parent_id
                .and_then(|p| by_id.get(&p))
                .map(|p| p.slug.clone())
                .unwrap_or_default(),
            name: c.name.clone(),
            description: c.description.clone(),
        })
        .map_err(io)?;
        counts.terms += 1;
    }
    for t in term::all(db, term::TAG).await? {
        w.tag(&Tag {
            term_id: Some(t.id),
            slug: t.slug.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
        })
        .map_err(io)?;
        counts.terms += 1;
    }
    // Attachments are posts in WordPress: their ids must not meet the articles'.
    let offset = crate::db::article::max_id(db).await?;
    let attachment_id = |media_id: i64| media_id + offset;
    for m in export::all_media(db).await? {
        let file = format!("newsroom/{}", m.original_key);
        if let Some(dir) = uploads {
            let bytes = store.read(&m.original_key).await?.ok_or_else(|| {
                Error::Internal(format!("the file of picture {} is missing", m.id))
            })?;
            let path = dir.join(&file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            std::fs::write(&path, bytes).map_err(io)?;
        }
        let mut meta = vec![
            ("_wp_attached_file".to_string(), file),
            ("_newsroom_media_id".to_string(), m.id.to_string()),
        ];
        if !m.alt.is_empty() {
            meta.push(("_wp_attachment_image_alt".into(), m.alt.clone()));
        }
        if !m.credit.is_empty() {
            meta.push(("_newsroom_credit".into(), m.credit.clone()));
        }
        let url = format!("{base}/media/{}", m.original_key);
        w.item(&Item {
            title: m.title.clone(),
            link: url.clone(),
            pub_date: m.created_at.to_rfc2822(),
            creator: m
                .owner_id
                .and_then(|o| login_of.get(&o).cloned())
                .unwrap_or_default(),
            guid: url.clone(),
            excerpt: m.caption.clone(),
            post_id: attachment_id(m.id),
            post_date: wp_date(Some(m.created_at)),
            post_date_gmt: wp_date(Some(m.created_at)),
            post_modified: wp_date(Some(m.created_at)),
            post_modified_gmt: wp_date(Some(m.created_at)),
            comment_status: "closed".into(),
            ping_status: "closed".into(),
            post_name: crate::content::slug::slugify(&m.title),
            status: "inherit".into(),
            post_type: "attachment".into(),
            attachment_url: url,
            meta,
            ..Item::default()
        })
        .map_err(io)?;
        counts.pictures += 1;
    }
    let mut after = 0;
    loop {
        let page = export::posts_after(db, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let ids: Vec<i64> = page.iter().map(|a| a.id).collect();
        let passwords = export::passwords(db, &ids).await?;
        let mut bylines: HashMap<i64, Vec<String>> = HashMap::new();
        for b in crate::db::article::bylines(db, &ids).await? {
            bylines.entry(b.post_id).or_default().push(b.user.login);
        }
        let mut terms: HashMap<i64, Vec<ItemTerm>> = HashMap::new();
        for pt in term::of_posts(db, &ids).await? {
            terms.entry(pt.post_id).or_default().push(ItemTerm {
                domain: if pt.term.taxonomy == term::TAG {
                    "post_tag".into()
                } else {
                    "category".into()
                },
                nicename: pt.term.slug,
                name: pt.term.name,
            });
        }
        let mut comments: HashMap<i64, Vec<wxr::Comment>> = HashMap::new();
        for c in export::comments_of(db, &ids).await? {
            counts.comments += 1;
            comments.entry(c.post_id).or_default().push(wxr::Comment {
                id: c.id,
                author: c.author_name,
                author_email: c.author_email,
                author_url: c.author_url,
                author_ip: c.author_ip,
                date: wp_date(Some(c.created_at)),
                date_gmt: wp_date(Some(c.created_at)),
                content: c.content,
                approved: match c.status.as_str() {
                    comment_status::APPROVED => "1",
                    comment_status::SPAM => "spam",
                    comment_status::TRASH => "trash",
                    _ => "0",
                }
                .into(),
                kind: "comment".into(),
                parent: c.parent_id.unwrap_or(0),
                user_id: c.user_id.unwrap_or(0),
                meta: Vec::new(),
            });
        }
        let mut old: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, slug) in export::old_slugs(db, &ids).await? {
            old.entry(id).or_default().push(slug);
        }
        for a in page {
            let logins = bylines.remove(&a.id).unwrap_or_default();
            let mut meta = vec![
                ("_newsroom_body".to_string(), a.body_source.clone()),
                ("_newsroom_format".to_string(), a.body_format.clone()),
            ];
            if logins.len() > 1 {
                meta.push(("_newsroom_authors".into(), logins.join(",")));
            }
            if !a.source_name.is_empty() {
                meta.push(("_newsroom_source_name".into(), a.source_name.clone()));
            }
            if !a.source_url.is_empty() {
                meta.push(("_newsroom_source_url".into(), a.source_url.clone()));
            }
            if !a.featured_image_url.is_empty() {
                meta.push((
                    "_newsroom_featured_image_url".into(),
                    a.featured_image_url.clone(),
                ));
                meta.push((
                    "_newsroom_featured_image_alt".into(),
                    a.featured_image_alt.clone(),
                ));
            }
            if let Some(m) = a.featured_media_id {
                meta.push(("_thumbnail_id".into(), attachment_id(m).to_string()));
            }
            for s in old.remove(&a.id).unwrap_or_default() {
                meta.push(("_wp_old_slug".into(), s));
            }
            let link = if a.kind == PAGE {
                format!("{base}/?page_id={}", a.id)
            } else {
                format!("{base}/?p={}", a.id)
            };
            let date = a.published_at.unwrap_or(a.created_at);
            w.item(&Item {
                title: a.title.clone(),
                link: link.clone(),
                pub_date: date.to_rfc2822(),
                creator: logins
                    .first()
                    .cloned()
                    .or_else(|| a.owner_id.and_then(|o| login_of.get(&o).cloned()))
                    .unwrap_or_default(),
                guid: link,
                content: a.body_html.clone(),
                excerpt: a.custom_excerpt.clone(),
                post_id: a.id,
                post_date: wp_date(Some(date)),
                post_date_gmt: wp_date(a.published_at),
                post_modified: wp_date(Some(a.modified_at)),
                post_modified_gmt: wp_date(Some(a.modified_at)),
                comment_status: a.comment_status.clone(),
                ping_status: "closed".into(),
                post_name: a.slug.clone(),
                status: status::to_wordpress(&a.status).into(),
                post_type: a.kind.clone(),
                post_password: passwords.get(&a.id).cloned().unwrap_or_default(),
                is_sticky: a.sticky,
                terms: terms.remove(&a.id).unwrap_or_default(),
                meta,
                comments: comments.remove(&a.id).unwrap_or_default(),
                ..Item::default()
            })
            .map_err(io)?;
            counts.articles += 1;
        }
    }
    let out = w.finish().map_err(io)?;
    Ok((out, counts))
}
