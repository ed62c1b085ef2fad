//! Moving in from WordPress: `newsroom import wxr FILE…`. Each file is read three times as a
//! stream, so its size does not matter: once to check all of it (a broken or hostile file is
//! refused before anything is written), once for the pictures (processed like any upload, before
//! the database is touched), and once for the articles, written many at a time inside one
//! transaction with the authors, sections, tags, pictures and comments: a failed import leaves
//! the site as it was, and a second run of the same file finds everything there and changes
//! nothing (what each WordPress id became is kept in `imported`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::actions::capability::{Actor, Cap};
use crate::actions::media::{figure_of, url};
use crate::content::figure::Figure;
use crate::content::markdown::{self, Format};
use crate::content::picture::{self, Limits};
use crate::content::wordpress::{self, Context, MediaKey, MediaRef};
use crate::content::{slug, text};
use crate::db::Db;
use crate::db::article::{self as articles, status};
use crate::db::comment::status as comment_status;
use crate::db::import::{ImportedComment, ImportedPost, Table, Tx};
use crate::db::media::{self, Media, NewMedia, Variant};
use crate::db::setting::Settings;
use crate::db::term::{self, NewTerm};
use crate::db::user::NewUser;
use crate::error::{Error, Result};
use crate::media_store::{self, MediaStore};
use crate::wxr::{self, Item, Record};

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub files: Vec<PathBuf>,
    /// A copy of the old site's wp-content/uploads, where attachments' files are found.
    pub uploads: Option<PathBuf>,
    /// Do everything but keep nothing: report what would happen.
    pub dry_run: bool,
}

/// Someone watching the import (a progress bar on a terminal, or nobody).
pub trait Progress: Sync {
    /// A new phase of `total` steps begins.
    fn phase(&self, name: &str, total: u64);
    /// `done` steps of the phase are done.
    fn advance(&self, done: u64);
}

/// Nobody watching.
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// How many of one kind of thing were created and how many were there already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub created: u64,
    pub existing: u64,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub dry_run: bool,
    /// By kind: "articles", "pages", "comments", "authors", "sections", "tags", "pictures".
    pub counts: BTreeMap<&'static str, Count>,
    /// What was left out and why, with how many of each.
    pub skipped: BTreeMap<String, u64>,
    /// Files of attachments that were not found, and pictures in the text that are not in the library.
    pub missing_files: Vec<String>,
    /// Things worth knowing that are not failures.
    pub notes: Vec<String>,
}

impl Summary {
    fn created(&mut self, kind: &'static str) {
        self.counts.entry(kind).or_default().created += 1;
    }

    fn existing(&mut self, kind: &'static str) {
        self.counts.entry(kind).or_default().existing += 1;
    }

    fn skip(&mut self, reason: impl Into<String>) {
        *self.skipped.entry(reason.into()).or_default() += 1;
    }

    fn missing(&mut self, what: String) {
        if self.missing_files.len() < 10_000 && !self.missing_files.contains(&what) {
            self.missing_files.push(what);
        }
    }

    /// The summary as lines for a person.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.dry_run {
            out.push("Dry run: nothing was changed. The import would do this:".into());
        }
        for (kind, c) in &self.counts {
            out.push(format!(
                "  {kind}: {} new, {} already here",
                c.created, c.existing
            ));
        }
        for (reason, n) in &self.skipped {
            out.push(format!("  skipped {n}: {reason}"));
        }
        if !self.missing_files.is_empty() {
            out.push(format!(
                "  {} picture file(s) not found (the rest of the import went ahead):",
                self.missing_files.len()
            ));
            for m in self.missing_files.iter().take(20) {
                out.push(format!("    {m}"));
            }
            if self.missing_files.len() > 20 {
                out.push(format!("    … and {} more", self.missing_files.len() - 20));
            }
        }
        for n in &self.notes {
            out.push(format!("  note: {n}"));
        }
        out
    }
}

/// A source site: what its ids are recorded under.
fn source_of(channel: &wxr::Channel) -> String {
    let base = if channel.base_site_url.is_empty() {
        &channel.link
    } else {
        &channel.base_site_url
    };
    base.trim().trim_end_matches('/').to_lowercase()
}

/// Everything the first pass learns, small enough to keep (no article bodies).
#[derive(Debug, Default)]
struct Scan {
    channel: wxr::Channel,
    authors: Vec<wxr::Author>,
    categories: Vec<wxr::Category>,
    tags: Vec<wxr::Tag>,
    terms: Vec<wxr::Term>,
    attachments: Vec<Attachment>,
    max_post_id: i64,
    max_comment_id: i64,
    items: u64,
}

/// An attachment item, without its text body.
#[derive(Debug, Clone)]
struct Attachment {
    wp_id: i64,
    title: String,
    caption: String,
    alt: String,
    credit: String,
    url: String,
    /// `_wp_attached_file`: the path under wp-content/uploads.
    file: String,
    creator: String,
    date: Option<DateTime<Utc>>,
    /// A library id on the Newsroom site this came from (round trips).
    newsroom_id: Option<i64>,
}

/// Read a whole file once, checking it and keeping what is small.
fn scan(path: &Path, progress: &dyn Progress) -> Result<Scan> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    progress.phase("Checking the file", size);
    let mut reader = open(path)?;
    let mut s = Scan::default();
    loop {
        let record = reader.next_record().map_err(|e| refused(path, &e))?;
        let Some(record) = record else { break };
        match record {
            Record::Channel(c) => s.channel = c,
            Record::Author(a) => s.authors.push(a),
            Record::Category(c) => s.categories.push(c),
            Record::Tag(t) => s.tags.push(t),
            Record::Term(t) => s.terms.push(t),
            Record::Item(item) => {
                s.items += 1;
                s.max_post_id = s.max_post_id.max(item.post_id);
                for c in &item.comments {
                    s.max_comment_id = s.max_comment_id.max(c.id);
                }
                if item.post_type == "attachment" {
                    s.attachments.push(attachment(&item));
                }
                if s.items % 256 == 0 {
                    progress.advance(reader.position());
                }
            }
        }
    }
    progress.advance(size);
    Ok(s)
}

fn attachment(item: &Item) -> Attachment {
    Attachment {
        wp_id: item.post_id,
        title: item.title.trim().to_string(),
        caption: text_of(&item.excerpt),
        alt: item
            .meta("_wp_attachment_image_alt")
            .unwrap_or_default()
            .trim()
            .to_string(),
        credit: item
            .meta("_newsroom_credit")
            .unwrap_or_default()
            .trim()
            .to_string(),
        url: item.attachment_url.clone(),
        file: item
            .meta("_wp_attached_file")
            .unwrap_or_default()
            .trim()
            .to_string(),
        creator: item.creator.clone(),
        date: item_date(&item.post_date_gmt, &item.post_date),
        newsroom_id: item
            .meta("_newsroom_media_id")
            .and_then(|v| v.trim().parse().ok()),
    }
}

fn open(path: &Path) -> Result<wxr::Reader<BufReader<std::fs::File>>> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::BadRequest(format!("cannot open {}: {e}", path.display())))?;
    Ok(wxr::Reader::new(BufReader::with_capacity(256 * 1024, file)))
}

fn refused(path: &Path, e: &wxr::read::ReadError) -> Error {
    let line = wxr::read::line_of(path, e.offset)
        .map(|l| format!("line {l}"))
        .unwrap_or_else(|| format!("byte {}", e.offset));
    Error::BadRequest(format!("{}, {line}: {}", path.display(), e.message))
}

/// WordPress's `Y-m-d H:i:s` in UTC (`…_gmt`), or the local date when the GMT one is the zero
/// date WordPress writes for drafts.
fn item_date(gmt: &str, local: &str) -> Option<DateTime<Utc>> {
    let parse = |s: &str| {
        NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S")
            .ok()
            .filter(|d| d.and_utc().timestamp() > 0)
            .map(|d| d.and_utc())
    };
    parse(gmt).or_else(|| parse(local))
}

/// Plain text of a field WordPress may have put markup in (excerpts, captions).
fn text_of(s: &str) -> String {
    crate::content::sanitize::plain_text(s).trim().to_string()
}

/// A picture ready to be stored: processed and its files written, or found in the library.
struct Prepared {
    wp_id: i64,
    attachment: Attachment,
    new: Option<(NewMedia, Figure)>,
    existing: Option<Media>,
}

/// Import WordPress exports.
pub async fn wxr(
    db: &Db,
    store: &MediaStore,
    settings: &Settings,
    actor: &Actor,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Summary> {
    actor.require(Cap::ManageOptions, "import a WordPress site")?;
    if options.files.is_empty() {
        return Err(Error::BadRequest("name at least one WXR file".into()));
    }
    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    for path in &options.files {
        let scanned = scan(path, progress)?;
        let mut written = Vec::new();
        let result = one_file(
            db,
            store,
            settings,
            options,
            path,
            scanned,
            &mut written,
            &mut summary,
            progress,
        )
        .await;
        // Files of pictures whose rows did not make it (a failure, or a dry run) go again.
        if result.is_err() || options.dry_run {
            for key in media::unused_keys(db, &written).await.unwrap_or_default() {
                let _ = store.delete(&key).await;
            }
        }
        result?;
    }
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
async fn one_file(
    db: &Db,
    store: &MediaStore,
    settings: &Settings,
    options: &Options,
    path: &Path,
    scanned: Scan,
    written: &mut Vec<String>,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> Result<()> {
    let source = source_of(&scanned.channel);
    if !["", "1.0", "1.1", "1.2"].contains(&scanned.channel.wxr_version.as_str()) {
        summary.notes.push(format!(
            "{}: WXR version {} is newer than 1.2; read as 1.2",
            path.display(),
            scanned.channel.wxr_version
        ));
    }
    let prepared = prepare_pictures(
        db,
        store,
        settings,
        options,
        &scanned.attachments,
        written,
        summary,
        progress,
    )
    .await?;
    let mut tx = Tx::begin(db).await?;
    let outcome = async {
        let people = import_people(&mut tx, &source, &scanned, summary).await?;
        let terms = import_terms(&mut tx, &source, &scanned, summary).await?;
        let pictures = import_pictures(&mut tx, &source, prepared, &people, summary).await?;
        import_items(
            &mut tx, db, &source, path, &scanned, people, terms, pictures, summary, progress,
        )
        .await?;
        let changed = summary.counts.values().any(|c| c.created > 0);
        tx.finish(changed).await
    }
    .await;
    match outcome {
        Ok(()) if !options.dry_run => {
            tx.commit().await?;
            crate::db::refresh_statistics(db).await
        }
        Ok(()) => tx.rollback().await,
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// Find each attachment's file, and process the ones the library does not have yet, one per core.
#[allow(clippy::too_many_arguments)]
async fn prepare_pictures(
    db: &Db,
    store: &MediaStore,
    settings: &Settings,
    options: &Options,
    attachments: &[Attachment],
    written: &mut Vec<String>,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> Result<Vec<Prepared>> {
    if attachments.is_empty() {
        return Ok(Vec::new());
    }
    progress.phase("Pictures", attachments.len() as u64);
    let Some(uploads) = &options.uploads else {
        summary.notes.push(format!(
            "{} attachment(s) in the file: give --uploads DIR (a copy of wp-content/uploads) to bring their pictures",
            attachments.len()
        ));
        for a in attachments {
            summary.skip("attachments without --uploads");
            summary.missing(a.url.clone());
        }
        return Ok(Vec::new());
    };
    let limits = Limits {
        max_bytes: settings.media_max_mb as usize * 1024 * 1024,
        ..Limits::default()
    };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut out = Vec::new();
    let mut done = 0u64;
    for group in attachments.chunks(cores) {
        let mut jobs = Vec::new();
        for a in group {
            let Some(file) = attachment_file(uploads, a) else {
                summary.missing(if a.file.is_empty() {
                    a.url.clone()
                } else {
                    a.file.clone()
                });
                summary.skip("attachments whose file is not in --uploads");
                continue;
            };
            let bytes = tokio::fs::read(&file)
                .await
                .map_err(|e| Error::Internal(format!("reading {}: {e}", file.display())))?;
            let hash = media_store::hash(&bytes);
            if let Some(existing) = media::by_source_hash(db, &hash).await? {
                out.push(Prepared {
                    wp_id: a.wp_id,
                    attachment: a.clone(),
                    new: None,
                    existing: Some(existing),
                });
                continue;
            }
            if options.dry_run {
                // Checked to exist and to be a picture, not processed.
                match picture::sniff(&bytes) {
                    Ok(_) => out.push(Prepared {
                        wp_id: a.wp_id,
                        attachment: a.clone(),
                        new: None,
                        existing: None,
                    }),
                    Err(r) => summary.skip(format!("attachments refused: {}", r.message())),
                }
                continue;
            }
            let a = a.clone();
            jobs.push(tokio::task::spawn_blocking(move || {
                (a, hash, picture::process(&bytes, limits))
            }));
        }
        for job in jobs {
            let (a, hash, processed) = job
                .await
                .map_err(|e| Error::Internal(format!("processing a picture: {e}")))?;
            match processed {
                Ok(p) => {
                    let new = store_files(store, &a, hash, &p, written).await?;
                    let fig = figure_of(&as_media(0, &new));
                    out.push(Prepared {
                        wp_id: a.wp_id,
                        attachment: a,
                        new: Some((new, fig)),
                        existing: None,
                    });
                }
                Err(refusal) => {
                    summary.skip(format!("attachments refused: {}", refusal.message()));
                }
            }
        }
        done += group.len() as u64;
        progress.advance(done);
    }
    Ok(out)
}

/// The file of an attachment under the uploads folder, if it is there (never outside it).
fn attachment_file(uploads: &Path, a: &Attachment) -> Option<PathBuf> {
    let relative = if a.file.is_empty() {
        let path = a.url.split(['?', '#']).next()?;
        let (_, rest) = path.split_once("/wp-content/uploads/")?;
        percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        a.file.clone()
    };
    let relative = Path::new(&relative);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let full = uploads.join(relative);
    full.is_file().then_some(full)
}

async fn store_files(
    store: &MediaStore,
    a: &Attachment,
    source_hash: String,
    p: &picture::Processed,
    written: &mut Vec<String>,
) -> Result<NewMedia> {
    let mut put = async |bytes: &[u8], encoding| -> Result<String> {
        let key = store.put(bytes, encoding).await?;
        written.push(key.clone());
        Ok(key)
    };
    let original_key = put(&p.original.bytes, p.original.encoding).await?;
    let mut variants = Vec::new();
    for v in &p.variants {
        variants.push(Variant {
            width: v.width,
            height: v.height,
            format: v.encoding,
            key: put(&v.bytes, v.encoding).await?,
            bytes: v.bytes.len() as u64,
        });
    }
    let title = if a.title.is_empty() {
        a.file.rsplit('/').next().unwrap_or_default().to_string()
    } else {
        a.title.clone()
    };
    Ok(NewMedia {
        source_hash,
        owner_id: None,
        title,
        alt: a.alt.clone(),
        caption: a.caption.clone(),
        credit: a.credit.clone(),
        source_format: p.source_format.into(),
        width: i64::from(p.width),
        height: i64::from(p.height),
        original_key,
        original_bytes: p.original.bytes.len() as i64,
        variants,
    })
}

fn as_media(id: i64, n: &NewMedia) -> Media {
    Media {
        id,
        source_hash: n.source_hash.clone(),
        owner_id: n.owner_id,
        title: n.title.clone(),
        alt: n.alt.clone(),
        caption: n.caption.clone(),
        credit: n.credit.clone(),
        source_format: n.source_format.clone(),
        width: n.width,
        height: n.height,
        original_key: n.original_key.clone(),
        original_bytes: n.original_bytes,
        variants: sqlx::types::Json(n.variants.clone()),
        created_at: crate::db::now(),
    }
}

/// Who the file's people became: by WordPress login (lowercase) and by WordPress user id.
#[derive(Debug, Default)]
struct People {
    by_login: HashMap<String, i64>,
    by_wp_id: HashMap<i64, i64>,
}

async fn import_people(
    tx: &mut Tx,
    source: &str,
    scanned: &Scan,
    summary: &mut Summary,
) -> Result<People> {
    let mapped = tx.mapped(source, "user").await?;
    let mut people = People::default();
    let mut records = Vec::new();
    for a in &scanned.authors {
        let login = a.login.trim();
        if login.is_empty() {
            summary.skip("authors without a login");
            continue;
        }
        let local = match a.id.and_then(|id| mapped.get(&id).copied()) {
            Some(id) => {
                summary.existing("authors");
                id
            }
            None => {
                let email = if a.email.trim().is_empty() {
                    format!("{}@users.invalid", slug::slugify(login))
                } else {
                    a.email.trim().to_lowercase()
                };
                match tx.user_by_login_or_email(login, &email).await? {
                    Some(id) => {
                        summary.existing("authors");
                        id
                    }
                    None => {
                        summary.created("authors");
                        let user = new_user(tx, a, login, &email).await?;
                        let id = tx.insert_user(&user).await?;
                        if let Some(wp) = a.id {
                            records.push((wp, id));
                        }
                        id
                    }
                }
            }
        };
        people.by_login.insert(login.to_lowercase(), local);
        if let Some(wp) = a.id {
            people.by_wp_id.insert(wp, local);
        }
    }
    tx.record(source, "user", &records).await?;
    Ok(people)
}

async fn new_user(tx: &mut Tx, a: &wxr::Author, login: &str, email: &str) -> Result<NewUser> {
    let wanted = slug::slugify(login);
    let mut candidate = wanted.clone();
    let mut n = 2;
    while tx.user_slug_taken(&candidate).await? {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    let full_name = format!("{} {}", a.first_name.trim(), a.last_name.trim());
    let display_name = [a.display_name.trim(), full_name.trim(), login]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or(login)
        .to_string();
    Ok(NewUser {
        login: login.to_string(),
        slug: candidate,
        display_name,
        email: email.to_string(),
        url: a.url.trim().to_string(),
        bio: a.description.trim().to_string(),
        avatar_url: None,
        // WordPress's export does not say what role people had; those who write are authors,
        // and an administrator can raise anyone afterwards.
        role: "author".into(),
        // No password comes in a WXR file: people sign in with the one they had once
        // `newsroom import wp-users` brings the hashes, or set one through "forgot password".
        password_hash: None,
    })
}

/// Sections and tags by (taxonomy, slug).
type Terms = HashMap<(String, String), i64>;

/// A term the channel declares: (taxonomy, slug, name, parent slug, description, WordPress id).
type Declared = (&'static str, String, String, String, String, Option<i64>);

fn taxonomy_of(domain: &str) -> Option<&'static str> {
    match domain {
        "category" | "" => Some(term::CATEGORY),
        "post_tag" | "tag" => Some(term::TAG),
        _ => None,
    }
}

/// WordPress keeps term names HTML-escaped (`Ports &amp; Shipping`): the name as text.
fn term_name(name: &str) -> String {
    crate::content::html_tags::decode(name.trim())
}

fn term_slug(nicename: &str, name: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(nicename.trim())
        .decode_utf8_lossy()
        .into_owned();
    if slug::is_slug(&decoded) {
        decoded
    } else if !decoded.trim().is_empty() {
        slug::slugify(&decoded)
    } else {
        slug::slugify(name)
    }
}

async fn import_terms(
    tx: &mut Tx,
    source: &str,
    scanned: &Scan,
    summary: &mut Summary,
) -> Result<Terms> {
    // Every declared term as (taxonomy, slug, name, parent slug, description, wp id).
    let mut declared: Vec<Declared> = Vec::new();
    for c in &scanned.categories {
        declared.push((
            term::CATEGORY,
            term_slug(&c.nicename, &c.name),
            term_name(&c.name),
            term_slug(&c.parent, ""),
            c.description.clone(),
            c.term_id,
        ));
    }
    for t in &scanned.tags {
        declared.push((
            term::TAG,
            term_slug(&t.slug, &t.name),
            term_name(&t.name),
            String::new(),
            t.description.clone(),
            t.term_id,
        ));
    }
    for t in &scanned.terms {
        match taxonomy_of(&t.taxonomy) {
            Some(tax) if !t.taxonomy.is_empty() => declared.push((
                tax,
                term_slug(&t.slug, &t.name),
                term_name(&t.name),
                if t.parent.trim().is_empty() {
                    String::new()
                } else {
                    term_slug(&t.parent, "")
                },
                t.description.clone(),
                t.term_id,
            )),
            _ => summary.skip(format!("terms of the taxonomy {:?}", t.taxonomy)),
        }
    }
    // WordPress writes each category and tag twice (as wp:category/wp:tag and as wp:term): once is enough.
    let mut once = HashSet::new();
    declared.retain(|d| once.insert((d.0, d.1.clone())));
    let mut terms = Terms::new();
    let mut records = Vec::new();
    // Parents first: keep going over what is left while something could be placed.
    let mut left: Vec<_> = declared.iter().collect();
    let mut seen = HashSet::new();
    while !left.is_empty() {
        let before = left.len();
        let mut later = Vec::new();
        for d in left {
            let (tax, slug, name, parent, description, wp_id) = d;
            let parent_slug = if parent == "untitled" {
                ""
            } else {
                parent.as_str()
            };
            let parent_id = if parent_slug.is_empty() {
                None
            } else if let Some(id) = terms.get(&(tax.to_string(), parent_slug.to_string())) {
                Some(*id)
            } else if declared
                .iter()
                .any(|o| o.0 == *tax && o.1 == parent_slug && !seen.contains(&(o.0, o.1.clone())))
            {
                later.push(d);
                continue;
            } else {
                None
            };
            seen.insert((*tax, slug.clone()));
            let kind: &'static str = if *tax == term::TAG {
                "tags"
            } else {
                "sections"
            };
            let id = match tx.term_by_slug(tax, slug).await? {
                Some(id) => {
                    summary.existing(kind);
                    id
                }
                None => {
                    summary.created(kind);
                    let name = if name.trim().is_empty() {
                        slug.as_str()
                    } else {
                        name.trim()
                    };
                    tx.insert_term(&NewTerm {
                        taxonomy: tax.to_string(),
                        name: name.to_string(),
                        slug: slug.clone(),
                        parent_id,
                        description: description.trim().to_string(),
                    })
                    .await?
                }
            };
            if let Some(wp) = wp_id {
                records.push((*wp, id));
            }
            terms.insert((tax.to_string(), slug.clone()), id);
        }
        if later.len() == before {
            // A loop of parents: place the rest at the top.
            for (tax, slug, ..) in later.iter().map(|d| (d.0, &d.1)) {
                let key = (tax.to_string(), slug.clone());
                if let std::collections::hash_map::Entry::Vacant(slot) = terms.entry(key) {
                    let id = match tx.term_by_slug(tax, slug).await? {
                        Some(id) => id,
                        None => {
                            tx.insert_term(&NewTerm {
                                taxonomy: tax.to_string(),
                                name: slug.clone(),
                                slug: slug.clone(),
                                parent_id: None,
                                description: String::new(),
                            })
                            .await?
                        }
                    };
                    slot.insert(id);
                }
            }
            break;
        }
        left = later;
    }
    tx.record(source, "term", &records).await?;
    Ok(terms)
}

/// The pictures of the import: by attachment id, by old file, and their figures.
#[derive(Default)]
struct Pictures {
    by_wp_id: HashMap<i64, MediaRef>,
    by_upload_key: HashMap<String, MediaRef>,
    /// Library ids of the Newsroom site an export came from → ids here.
    by_newsroom_id: HashMap<i64, i64>,
    figures: HashMap<i64, Figure>,
}

async fn import_pictures(
    tx: &mut Tx,
    source: &str,
    prepared: Vec<Prepared>,
    people: &People,
    summary: &mut Summary,
) -> Result<Pictures> {
    let mapped = tx.mapped(source, "media").await?;
    let mut pictures = Pictures::default();
    let mut records = Vec::new();
    for p in prepared {
        let a = &p.attachment;
        let (id, media) = if let Some(m) = p.existing {
            summary.existing("pictures");
            (m.id, Some(m))
        } else if let Some(id) = mapped.get(&p.wp_id) {
            summary.existing("pictures");
            (*id, None)
        } else if let Some((mut new, _)) = p.new {
            match tx.media_by_hash(&new.source_hash).await? {
                Some(id) => {
                    summary.existing("pictures");
                    (id, None)
                }
                None => {
                    summary.created("pictures");
                    new.owner_id = people.by_login.get(&a.creator.to_lowercase()).copied();
                    let id = tx
                        .insert_media(&new, a.date.unwrap_or_else(crate::db::now))
                        .await?;
                    records.push((p.wp_id, id));
                    (id, Some(as_media(id, &new)))
                }
            }
        } else {
            // A dry run: the picture would be new.
            summary.created("pictures");
            continue;
        };
        let (full_url, figure) = match &media {
            Some(m) => (url(&m.original_key), Some(figure_of(m))),
            None => (String::new(), None),
        };
        let r = MediaRef { id, full_url };
        if let Some(f) = figure {
            pictures.figures.insert(id, f);
        }
        pictures.by_wp_id.insert(p.wp_id, r.clone());
        for key in [
            wordpress::upload_key(&a.url),
            (!a.file.is_empty()).then(|| a.file.to_lowercase()),
        ]
        .into_iter()
        .flatten()
        {
            pictures.by_upload_key.insert(key, r.clone());
        }
        if let Some(n) = a.newsroom_id {
            pictures.by_newsroom_id.insert(n, id);
        }
    }
    tx.record(source, "media", &records).await?;
    Ok(pictures)
}

/// How many articles are converted and written at a time.
const BATCH: usize = 500;

#[allow(clippy::too_many_arguments)]
async fn import_items(
    tx: &mut Tx,
    db: &Db,
    source: &str,
    path: &Path,
    scanned: &Scan,
    people: People,
    terms: Terms,
    pictures: Pictures,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> Result<()> {
    let mut terms = Arc::new(terms);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    progress.phase("Articles and comments", size);
    let mapped = tx.mapped(source, "post").await?;
    let mut ids = Ids {
        next_post: tx.max_id(Table::Posts).await?.max(scanned.max_post_id) + 1,
        next_comment: tx
            .max_id(Table::Comments)
            .await?
            .max(scanned.max_comment_id)
            + 1,
        taken_posts: tx.all_ids(Table::Posts).await?,
        taken_comments: tx.all_ids(Table::Comments).await?,
        taken_slugs: HashMap::from([
            (articles::POST, tx.all_slugs(articles::POST).await?),
            (articles::PAGE, tx.all_slugs(articles::PAGE).await?),
        ]),
    };
    let mut reader = open(path)?;
    let mut figures = pictures.figures.clone();
    // Pictures the library already had (found by their bytes) are placed with their own figures.
    let missing: Vec<i64> = pictures
        .by_wp_id
        .values()
        .map(|r| r.id)
        .filter(|id| !figures.contains_key(id))
        .collect();
    figures.extend(crate::actions::media::figures(db, &missing).await?);
    let cx = Arc::new(ItemContext {
        base_url: scanned
            .channel
            .base_site_url
            .trim_end_matches('/')
            .to_string(),
        blog_url: scanned
            .channel
            .base_blog_url
            .trim_end_matches('/')
            .to_string(),
        people,
        pictures,
        figures,
    });
    // While one batch is written, the next is converted: the database and the conversion each
    // have a core to work on.
    let mut converted: Option<Vec<Converted>> = None;
    // The file is read on a thread of its own, a few batches ahead of the conversion.
    let (sender, mut chunks) = tokio::sync::mpsc::channel::<Result<(Vec<Item>, u64)>>(2);
    let reading = {
        let path = path.to_path_buf();
        std::thread::spawn(move || {
            let mut chunk = Vec::with_capacity(BATCH);
            loop {
                let record = match reader.next_record() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = sender.blocking_send(Err(refused(&path, &e)));
                        return;
                    }
                };
                let end = record.is_none();
                if let Some(Record::Item(item)) = record {
                    chunk.push(*item);
                }
                if chunk.len() >= BATCH || (end && !chunk.is_empty()) {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(BATCH));
                    if sender.blocking_send(Ok((full, reader.position()))).is_err() {
                        return; // the import stopped
                    }
                }
                if end {
                    return;
                }
            }
        })
    };
    while let Some(chunk) = chunks.recv().await {
        let (items, position) = chunk?;
        let mut batch = Vec::with_capacity(items.len());
        for item in items {
            match item.post_type.as_str() {
                "post" | "page" => {
                    if mapped.contains_key(&item.post_id) {
                        summary.existing(kind_name(&item.post_type));
                        summary.counts.entry("comments").or_default().existing +=
                            item.comments.len() as u64;
                    } else {
                        batch.push(item);
                    }
                }
                "attachment" => {}
                other => summary.skip(format!("WordPress items of type {other:?}")),
            }
        }
        if !batch.is_empty() {
            let items = batch;
            make_terms(tx, &items, Arc::make_mut(&mut terms), summary).await?;
            let usable = usable_items(items, summary);
            let (cx_next, terms_next) = (Arc::clone(&cx), Arc::clone(&terms));
            let converting =
                tokio::task::spawn_blocking(move || convert_all(&usable, &cx_next, &terms_next));
            if let Some(done) = converted.take() {
                write_batch(tx, source, done, &cx, &mut ids, summary).await?;
            }
            converted = Some(converting.await.map_err(|_| {
                Error::Internal("converting articles' bodies failed unexpectedly".into())
            })??);
        }
        progress.advance(position);
    }
    reading
        .join()
        .map_err(|_| Error::Internal("reading the export failed unexpectedly".into()))?;
    if let Some(done) = converted.take() {
        write_batch(tx, source, done, &cx, &mut ids, summary).await?;
    }
    progress.advance(size);
    Ok(())
}

fn kind_name(post_type: &str) -> &'static str {
    if post_type == "page" {
        "pages"
    } else {
        "articles"
    }
}

/// Ids and slugs taken: the site's, and those handed out in this run.
struct Ids {
    next_post: i64,
    next_comment: i64,
    taken_posts: HashSet<i64>,
    taken_comments: HashSet<i64>,
    taken_slugs: HashMap<&'static str, HashSet<String>>,
}

struct ItemContext {
    base_url: String,
    blog_url: String,
    people: People,
    pictures: Pictures,
    figures: HashMap<i64, Figure>,
}

/// An item turned into rows, before ids and slugs are settled.
struct Converted {
    post: ImportedPost,
    wp_id: i64,
    comments: Vec<wxr::Comment>,
    unknown_shortcodes: Vec<String>,
    missing_pictures: Vec<String>,
}

/// Make the terms the items name that the channel did not declare.
async fn make_terms(
    tx: &mut Tx,
    items: &[Item],
    terms: &mut Terms,
    summary: &mut Summary,
) -> Result<()> {
    for item in items {
        for t in &item.terms {
            let Some(tax) = taxonomy_of(&t.domain) else {
                continue;
            };
            let slug = term_slug(&t.nicename, &t.name);
            let key = (tax.to_string(), slug.clone());
            if terms.contains_key(&key) {
                continue;
            }
            let id = match tx.term_by_slug(tax, &slug).await? {
                Some(id) => id,
                None => {
                    summary.created(if tax == term::TAG { "tags" } else { "sections" });
                    tx.insert_term(&NewTerm {
                        taxonomy: tax.into(),
                        name: if t.name.trim().is_empty() {
                            slug.clone()
                        } else {
                            term_name(&t.name)
                        },
                        slug: slug.clone(),
                        parent_id: None,
                        description: String::new(),
                    })
                    .await?
                }
            };
            terms.insert(key, id);
        }
    }
    Ok(())
}

/// The items with a status an article can have; the others are counted as skipped.
fn usable_items(items: Vec<Item>, summary: &mut Summary) -> Vec<Item> {
    let mut usable = Vec::with_capacity(items.len());
    for item in items {
        match status::from_wordpress(&item.status) {
            Some(_) => usable.push(item),
            None => summary.skip(format!("items with the status {:?}", item.status)),
        }
    }
    usable
}

/// Convert and sanitize the items' bodies on every core.
fn convert_all(usable: &[Item], cx: &ItemContext, terms: &Terms) -> Result<Vec<Converted>> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per = usable.len().div_ceil(cores).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = usable
            .chunks(per)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|i| convert(i, cx, terms))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(usable.len());
        for h in handles {
            // A conversion that panicked must fail the import, not drop its articles.
            all.extend(h.join().map_err(|_| {
                Error::Internal("converting an article's body failed unexpectedly".into())
            })?);
        }
        Ok::<_, Error>(all)
    })
}

/// Settle the ids and slugs of converted articles, and write them with their comments.
async fn write_batch(
    tx: &mut Tx,
    source: &str,
    mut converted: Vec<Converted>,
    cx: &ItemContext,
    ids: &mut Ids,
    summary: &mut Summary,
) -> Result<()> {
    // Ids: WordPress's own where free, so /?p=ID keeps working.
    let mut renumbered = 0;
    for c in &mut converted {
        if c.wp_id > 0 && !ids.taken_posts.contains(&c.wp_id) {
            c.post.id = c.wp_id;
        } else {
            c.post.id = ids.next_post;
            ids.next_post += 1;
            renumbered += 1;
        }
        ids.taken_posts.insert(c.post.id);
    }
    if renumbered > 0 {
        summary.notes.push(format!(
            "{renumbered} article(s) got a new id because theirs was taken here; their old addresses redirect"
        ));
    }
    // Slugs: free ones, as WordPress would pick (`x-2`).
    for kind in [articles::POST, articles::PAGE] {
        let taken = ids.taken_slugs.entry(kind).or_default();
        for c in converted.iter_mut().filter(|c| c.post.kind == kind) {
            let wanted = c.post.slug.clone();
            let mut candidate = wanted.clone();
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{wanted}-{n}");
                n += 1;
            }
            if candidate != wanted {
                summary.notes.push(format!(
                    "the slug {wanted:?} was taken here: that {} is at {candidate:?}, its old address redirects",
                    if kind == articles::PAGE { "page" } else { "article" }
                ));
            }
            taken.insert(candidate.clone());
            c.post.slug = candidate;
        }
    }
    // Comments, parents before replies, keeping WordPress's ids where free.
    let mut comments = Vec::new();
    for c in &converted {
        comments.extend(comments_of(c, cx, ids, summary));
    }
    let mut records = Vec::with_capacity(converted.len());
    let mut posts = Vec::with_capacity(converted.len());
    for c in converted {
        summary.created(kind_name(&c.post.kind));
        for s in c.unknown_shortcodes {
            summary.notes.push(format!(
                "the shortcode [{s}] was kept as text (in {:?})",
                c.post.title
            ));
        }
        for m in c.missing_pictures {
            summary.missing(m);
        }
        records.push((c.wp_id, c.post.id));
        posts.push(c.post);
    }
    tx.insert_posts(&posts).await?;
    tx.insert_comments(&comments).await?;
    tx.record(source, "post", &records).await?;
    Ok(())
}

/// An item's rows (ids and slugs still to settle). Pure: runs on any thread.
fn convert(item: &Item, cx: &ItemContext, terms: &Terms) -> Converted {
    let kind = if item.post_type == "page" {
        articles::PAGE
    } else {
        articles::POST
    };
    let status = status::from_wordpress(&item.status).unwrap_or(status::DRAFT);
    let date = item_date(&item.post_date_gmt, &item.post_date);
    let modified = item_date(&item.post_modified_gmt, &item.post_modified)
        .or(date)
        .unwrap_or_else(crate::db::now);
    let published_at = match status {
        status::DRAFT | status::PENDING => None,
        _ => date,
    };
    let title = match item.title.trim() {
        "" => "(no title)".to_string(),
        t => t.to_string(),
    };
    let wanted_slug = {
        let decoded = percent_encoding::percent_decode_str(&item.post_name)
            .decode_utf8_lossy()
            .into_owned();
        if slug::is_slug(&decoded) {
            decoded
        } else if !decoded.trim().is_empty() {
            slug::slugify(&decoded)
        } else {
            slug::slugify(&title)
        }
    };
    let media_lookup = |key: MediaKey<'_>| match key {
        MediaKey::AttachmentId(id) => cx.pictures.by_wp_id.get(&id).cloned(),
        MediaKey::Url(u) => {
            wordpress::upload_key(u).and_then(|k| cx.pictures.by_upload_key.get(&k).cloned())
        }
    };
    let featured = item
        .meta("_thumbnail_id")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|id| cx.pictures.by_wp_id.get(&id))
        .map(|r| r.id);
    let mut unknown_shortcodes = Vec::new();
    let mut missing_pictures = Vec::new();
    let (body_source, format) = match item.meta("_newsroom_body") {
        // A Newsroom export: the body as written (Markdown or HTML), its pictures renumbered.
        Some(body) => (
            renumber_media(body, &cx.pictures.by_newsroom_id),
            Format::parse(item.meta("_newsroom_format").unwrap_or("html")),
        ),
        None => {
            let c = wordpress::to_html(
                &item.content,
                &Context {
                    base_url: &cx.base_url,
                    media: &media_lookup,
                },
            );
            unknown_shortcodes = c.unknown_shortcodes;
            missing_pictures = c.missing_pictures;
            let html = if cx.blog_url != cx.base_url && !cx.blog_url.is_empty() {
                c.html
                    .replace(&format!("href=\"{}/", cx.blog_url), "href=\"/")
            } else {
                c.html
            };
            (html, Format::Html)
        }
    };
    let body_html = markdown::render_with(&body_source, format, &|id| cx.figures.get(&id).cloned());
    let custom_excerpt = text_of(&item.excerpt);
    let excerpt = if custom_excerpt.is_empty() {
        text::excerpt(&body_html)
    } else {
        custom_excerpt.clone()
    };
    let mut media_ids = markdown::media_ids(&body_source, format);
    if let Some(f) = featured
        && !media_ids.contains(&f)
    {
        media_ids.push(f);
    }
    let mut author_ids: Vec<i64> = Vec::new();
    let bylines = item.meta("_newsroom_authors").unwrap_or(&item.creator);
    for login in bylines.split(',').map(|l| l.trim().to_lowercase()) {
        if let Some(id) = cx.people.by_login.get(&login)
            && !author_ids.contains(id)
        {
            author_ids.push(*id);
        }
    }
    let mut term_ids = Vec::new();
    for t in &item.terms {
        if let Some(tax) = taxonomy_of(&t.domain)
            && let Some(id) = terms.get(&(tax.to_string(), term_slug(&t.nicename, &t.name)))
            && !term_ids.contains(id)
        {
            term_ids.push(*id);
        }
    }
    let old_slugs = item
        .metas("_wp_old_slug")
        .map(|s| {
            percent_encoding::percent_decode_str(s.trim())
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|s| !s.is_empty() && *s != wanted_slug)
        .collect();
    let old_paths = old_path(&item.link, &cx.base_url).into_iter().collect();
    Converted {
        wp_id: item.post_id,
        comments: item.comments.clone(),
        unknown_shortcodes,
        missing_pictures,
        post: ImportedPost {
            id: 0,
            kind: kind.into(),
            title,
            slug: wanted_slug,
            body_format: if format == Format::Html {
                "html".into()
            } else {
                "markdown".into()
            },
            body_source,
            body_html,
            excerpt,
            custom_excerpt,
            status: status.into(),
            published_at,
            modified_at: modified,
            created_at: date.unwrap_or(modified),
            sticky: item.is_sticky,
            comment_status: if item.comment_status == "closed" {
                "closed".into()
            } else {
                "open".into()
            },
            source_name: item
                .meta("_newsroom_source_name")
                .unwrap_or_default()
                .into(),
            source_url: item.meta("_newsroom_source_url").unwrap_or_default().into(),
            featured_image_url: item
                .meta("_newsroom_featured_image_url")
                .unwrap_or_default()
                .into(),
            featured_image_alt: item
                .meta("_newsroom_featured_image_alt")
                .unwrap_or_default()
                .into(),
            owner_id: author_ids.first().copied(),
            featured_media_id: featured,
            password: item.post_password.clone(),
            author_ids,
            term_ids,
            media_ids,
            old_slugs,
            old_paths,
        },
    }
}

/// `![alt](/media/12)` or `<img src="/media/12">` of the site an export came from → the same
/// picture's id here.
fn renumber_media(body: &str, ids: &HashMap<i64, i64>) -> String {
    static MEDIA: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(\(|src=")/media/(\d+)\b"#).expect("a valid pattern")
    });
    MEDIA
        .replace_all(body, |c: &regex::Captures<'_>| {
            let id = c[2].parse::<i64>().ok().and_then(|old| ids.get(&old));
            match id {
                Some(id) => format!("{}/media/{id}", &c[1]),
                None => c[0].to_string(),
            }
        })
        .into_owned()
}

/// The path of an item's old link on its site, as the redirects table keeps it.
fn old_path(link: &str, base_url: &str) -> Option<String> {
    let rest = link.trim().strip_prefix(base_url.trim_end_matches('/'))?;
    if rest.contains('?') || rest.trim_matches('/').is_empty() {
        return None;
    }
    Some(redirect_key(rest))
}

/// How an old path is looked up: percent-decoded, without its trailing slash, lowercase.
pub fn redirect_key(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    format!("/{}", decoded.trim_matches('/')).to_lowercase()
}

fn comments_of(
    c: &Converted,
    cx: &ItemContext,
    ids: &mut Ids,
    summary: &mut Summary,
) -> Vec<ImportedComment> {
    let mut kept: Vec<&wxr::Comment> = Vec::new();
    for m in &c.comments {
        match m.kind.as_str() {
            "" | "comment" => kept.push(m),
            other => summary.skip(format!(
                "comments of type {other:?} (pingbacks, trackbacks…)"
            )),
        }
    }
    // Parents before replies, whatever order the file has them in.
    let present: HashSet<i64> = kept.iter().map(|m| m.id).collect();
    let mut ordered: Vec<&wxr::Comment> = Vec::with_capacity(kept.len());
    let mut placed: HashSet<i64> = HashSet::new();
    let mut left = kept;
    while !left.is_empty() {
        let before = left.len();
        let (ready, wait): (Vec<_>, Vec<_>) = left.into_iter().partition(|m| {
            m.parent == 0 || !present.contains(&m.parent) || placed.contains(&m.parent)
        });
        for m in &ready {
            placed.insert(m.id);
        }
        ordered.extend(ready);
        if wait.len() == before {
            ordered.extend(wait);
            break;
        }
        left = wait;
    }
    let mut local: HashMap<i64, i64> = HashMap::new();
    let mut out = Vec::with_capacity(ordered.len());
    for m in ordered {
        let id = if m.id > 0 && !ids.taken_comments.contains(&m.id) {
            m.id
        } else {
            ids.next_comment += 1;
            ids.next_comment - 1
        };
        ids.taken_comments.insert(id);
        local.insert(m.id, id);
        let status = match m.approved.as_str() {
            "1" | "approve" | "approved" => comment_status::APPROVED,
            "spam" => comment_status::SPAM,
            "trash" | "post-trashed" => comment_status::TRASH,
            _ => comment_status::PENDING,
        };
        summary.created("comments");
        out.push(ImportedComment {
            id,
            post_id: c.post.id,
            parent_id: local.get(&m.parent).copied().filter(|_| m.parent != 0),
            user_id: (m.user_id > 0)
                .then(|| cx.people.by_wp_id.get(&m.user_id).copied())
                .flatten(),
            author_name: match m.author.trim() {
                "" => "Anonymous".into(),
                a => a.into(),
            },
            author_email: m.author_email.trim().to_lowercase(),
            author_url: m.author_url.trim().into(),
            author_ip: m.author_ip.trim().into(),
            user_agent: String::new(),
            content: m.content.clone(),
            status: status.into(),
            created_at: item_date(&m.date_gmt, &m.date).unwrap_or(c.post.modified_at),
        });
    }
    out
}

/// One line of `wp user list --fields=user_login,user_email,user_pass --format=csv` (or a
/// `SELECT user_login, user_email, user_pass FROM wp_users` exported as CSV/TSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WpUser {
    pub login: String,
    pub email: String,
    pub hash: String,
}

/// Read such a file: a header naming the columns, then one user per line.
pub fn parse_wp_users(text: &str) -> Result<Vec<WpUser>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines
        .next()
        .ok_or_else(|| Error::BadRequest("the users file is empty".into()))?;
    let sep = if header.contains('\t') { '\t' } else { ',' };
    let names: Vec<String> = split_row(header, sep)
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    let (Some(login), Some(hash)) = (
        col(&["user_login", "login"]),
        col(&["user_pass", "pass", "password_hash"]),
    ) else {
        return Err(Error::BadRequest(
            "the users file needs a header with user_login and user_pass columns (and user_email)"
                .into(),
        ));
    };
    let email = col(&["user_email", "email"]);
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let row = split_row(line, sep);
        let get = |i: usize| row.get(i).map(|s| s.trim().to_string()).unwrap_or_default();
        let user = WpUser {
            login: get(login),
            email: email.map(get).unwrap_or_default(),
            hash: get(hash),
        };
        if user.login.is_empty() {
            return Err(Error::BadRequest(format!(
                "line {} of the users file has no login",
                n + 2
            )));
        }
        out.push(user);
    }
    Ok(out)
}

/// A CSV row with double-quoted fields ("" inside quotes is a quote).
fn split_row(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Give people moved from WordPress their WordPress password hashes, so they sign in with the
/// password they had (and it is rehashed to argon2id at that moment). A user who has set a
/// password here already keeps it. Returns (set, kept, unknown) counts.
pub async fn wp_users(db: &Db, actor: &Actor, users: &[WpUser]) -> Result<(u64, u64, u64)> {
    actor.require(Cap::ManageOptions, "bring WordPress passwords")?;
    let mut tx = Tx::begin(db).await?;
    let (mut set, mut kept, mut unknown) = (0, 0, 0);
    for u in users {
        if !crate::content::wp_password::is_wordpress_hash(&u.hash) {
            unknown += 1;
            continue;
        }
        match tx.user_by_login_or_email(&u.login, &u.email).await? {
            Some(id) if tx.set_missing_password(id, &u.hash).await? => set += 1,
            Some(_) => kept += 1,
            None => unknown += 1,
        }
    }
    tx.commit().await?;
    Ok((set, kept, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_fall_back_from_gmt_to_local() {
        let d = item_date("0000-00-00 00:00:00", "2022-05-25 17:10:01").expect("date");
        assert_eq!(d.to_rfc3339(), "2022-05-25T17:10:01+00:00");
        assert!(item_date("", "").is_none());
    }

    #[test]
    fn old_paths_are_kept_decoded_and_without_slashes() {
        assert_eq!(
            old_path(
                "http://old.example/2022/05/25/Story-%d0%ba/",
                "http://old.example"
            ),
            Some("/2022/05/25/story-к".into())
        );
        assert_eq!(
            old_path("http://old.example/?p=3", "http://old.example"),
            None
        );
        assert_eq!(old_path("http://old.example/", "http://old.example"), None);
        assert_eq!(redirect_key("/About/Team/"), "/about/team");
    }

    #[test]
    fn wp_users_files_from_wp_cli_or_mysql() {
        let csv = "user_login,user_email,user_pass\nohart,o@example.com,\"$P$Babc\"\n\"a,b\",ab@example.com,$wp$2y$10$x\n";
        let users = parse_wp_users(csv).expect("reads");
        assert_eq!(users.len(), 2);
        assert_eq!(users[1].login, "a,b");
        assert_eq!(users[0].hash, "$P$Babc");
        let tsv = "user_login\tuser_pass\nx\t$P$B1\n";
        assert_eq!(parse_wp_users(tsv).expect("tsv")[0].hash, "$P$B1");
        assert!(parse_wp_users("name,email\nx,y").is_err());
    }

    #[test]
    fn markdown_pictures_are_renumbered() {
        let ids = HashMap::from([(3, 41)]);
        assert_eq!(
            renumber_media("![a](/media/3 \"c\") ![b](/media/30)", &ids),
            "![a](/media/41 \"c\") ![b](/media/30)"
        );
        assert_eq!(
            renumber_media(
                r#"<img src="/media/3" alt=""><img src="/media/3a.jpg">"#,
                &ids
            ),
            r#"<img src="/media/41" alt=""><img src="/media/3a.jpg">"#
        );
    }
}
