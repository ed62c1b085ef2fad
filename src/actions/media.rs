//! The media library's rules: uploading a picture (checked, straightened, stripped and sized off
//! the async runtime, stored once per picture, nothing left behind when anything fails), what is
//! written about it, deleting it (not while articles use it, unless an editor insists), and the
//! figures articles place.

use std::collections::HashMap;

use crate::actions::FieldErrors;
use crate::actions::capability::{self, Actor, Cap, not_allowed};
use crate::content::figure::Figure;
use crate::content::input::{self, Kind};
use crate::content::markdown::{self, Format};
use crate::content::picture::{self, Encoding, Limits};
use crate::db::Db;
use crate::db::article as articles;
use crate::db::media::{self, Media, MediaText, NewMedia, Use, Variant};
use crate::db::setting::Settings;
use crate::error::{Error, Result};
use crate::media_store::{self, MediaStore};

/// A file as it arrived, with what the uploader wrote about it.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub bytes: Vec<u8>,
    /// The file's name on the uploader's computer: a default title, never trusted for the format.
    pub file_name: String,
    pub text: MediaText,
}

/// An upload that was taken: the picture, and whether it was already in the library.
#[derive(Debug, Clone)]
pub struct Stored {
    pub media: Media,
    pub existed: bool,
}

/// The URL of a stored file.
pub fn url(key: &str) -> String {
    format!("/media/{key}")
}

/// A title from a file name: `harbour_at-dawn.JPG` → "harbour at dawn".
fn title_from(file_name: &str) -> String {
    let stem = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let title: String = stem
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    input::shown(title.trim(), Kind::Line)
        .replace('\u{FFFD}', "")
        .chars()
        .take(200)
        .collect()
}

fn check_text(text: &MediaText) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (name, value, max) in [
        ("title", &text.title, 200),
        ("alt", &text.alt, 500),
        ("caption", &text.caption, 1000),
        ("credit", &text.credit, 200),
    ] {
        if let Err(m) = input::check(value, Kind::Line) {
            errors.insert(name, m);
        } else if value.chars().count() > max {
            errors.insert(name, format!("At most {max} characters."));
        }
    }
    errors
}

/// Turns at processing pictures: as many as the machine has cores.
fn processing_turns() -> &'static tokio::sync::Semaphore {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    TURNS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    })
}

/// Take a picture into the library; Err(message) when the file is refused.
pub async fn upload(
    db: &Db,
    store: &MediaStore,
    settings: &Settings,
    actor: &Actor,
    mut upload: Upload,
) -> Result<std::result::Result<Stored, String>> {
    actor.require(Cap::UploadFiles, "upload pictures")?;
    let errors = check_text(&upload.text);
    if !errors.is_empty() {
        return Ok(Err(errors.into_values().collect::<Vec<_>>().join(" ")));
    }
    let source_hash = media_store::hash(&upload.bytes);
    if let Some(existing) = media::by_source_hash(db, &source_hash).await? {
        return Ok(Ok(Stored {
            media: existing,
            existed: true,
        }));
    }
    let limits = Limits {
        max_bytes: settings.media_max_mb as usize * 1024 * 1024,
        ..Limits::default()
    };
    let bytes = std::mem::take(&mut upload.bytes);
    // Decoding and encoding take CPU for a while: off the async runtime, so other requests go on,
    // and one picture per core at a time, so a burst of uploads cannot take all the memory.
    let _turn = processing_turns()
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("waiting to process a picture: {e}")))?;
    let processed = tokio::task::spawn_blocking(move || picture::process(&bytes, limits))
        .await
        .map_err(|e| Error::Internal(format!("processing a picture: {e}")))?;
    let processed = match processed {
        Ok(p) => p,
        Err(refusal) => return Ok(Err(refusal.message())),
    };
    match store_processed(db, store, actor, source_hash.clone(), &processed, &upload).await {
        Ok(media) => Ok(Ok(Stored {
            media,
            existed: false,
        })),
        // The same file sent twice at once (a double click): the other upload stored it first.
        Err(e) => match media::by_source_hash(db, &source_hash).await? {
            Some(existing) => Ok(Ok(Stored {
                media: existing,
                existed: true,
            })),
            None => Err(e),
        },
    }
}

/// Keep a processed picture: its files in the store, then its row. If anything fails, the files
/// this call wrote are taken away again, so nothing half-made is left.
pub async fn store_processed(
    db: &Db,
    store: &MediaStore,
    actor: &Actor,
    source_hash: String,
    processed: &picture::Processed,
    upload: &Upload,
) -> Result<Media> {
    let mut written: Vec<String> = Vec::new();
    let stored = async {
        let original_key = put(
            store,
            &processed.original.bytes,
            processed.original.encoding,
            &mut written,
        )
        .await?;
        let mut variants = Vec::new();
        for v in &processed.variants {
            let key = put(store, &v.bytes, v.encoding, &mut written).await?;
            variants.push(Variant {
                width: v.width,
                height: v.height,
                format: v.encoding,
                key,
                bytes: v.bytes.len() as u64,
            });
        }
        let mut text = upload.text.clone();
        if text.title.trim().is_empty() {
            text.title = title_from(&upload.file_name);
        }
        let id = media::insert(
            db,
            &NewMedia {
                source_hash,
                owner_id: actor.user_id,
                title: text.title.trim().into(),
                alt: text.alt.trim().into(),
                caption: text.caption.trim().into(),
                credit: text.credit.trim().into(),
                source_format: processed.source_format.into(),
                width: i64::from(processed.width),
                height: i64::from(processed.height),
                original_key,
                original_bytes: processed.original.bytes.len() as i64,
                variants,
            },
            &actor.audit(),
        )
        .await?;
        media::get(db, id).await?.ok_or(Error::NotFound)
    }
    .await;
    if stored.is_err() {
        for key in media::unused_keys(db, &written).await.unwrap_or_default() {
            let _ = store.delete(&key).await;
        }
    }
    stored
}

/// Store a file, noting its key in `written` when this call made it (not when it was there).
async fn put(
    store: &MediaStore,
    bytes: &[u8],
    encoding: Encoding,
    written: &mut Vec<String>,
) -> Result<String> {
    let key = format!("{}.{}", media_store::hash(bytes), encoding.extension());
    let existed = store.exists(&key).await;
    let key = store.put(bytes, encoding).await?;
    if !existed {
        written.push(key.clone());
    }
    Ok(key)
}

/// A picture the actor may change or delete (404 when missing, 403 when not theirs).
pub async fn editable(db: &Db, actor: &Actor, id: i64) -> Result<Media> {
    let m = media::get(db, id).await?.ok_or(Error::NotFound)?;
    if !capability::can_use_media(actor, m.owner_id) {
        return Err(not_allowed("change other people's pictures"));
    }
    Ok(m)
}

/// Change what is written about a picture; the articles placing it show the new text at once.
pub async fn update_text(
    db: &Db,
    actor: &Actor,
    id: i64,
    text: &MediaText,
) -> Result<std::result::Result<(), FieldErrors>> {
    editable(db, actor, id).await?;
    let errors = check_text(text);
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let text = MediaText {
        title: text.title.trim().into(),
        alt: text.alt.trim().into(),
        caption: text.caption.trim().into(),
        credit: text.credit.trim().into(),
    };
    media::update_text(db, id, &text, &actor.audit()).await?;
    rerender_uses(db, id).await?;
    Ok(Ok(()))
}

/// Render again the articles that place a picture (its caption or alt text changed).
async fn rerender_uses(db: &Db, media_id: i64) -> Result<()> {
    for u in media::uses(db, media_id).await? {
        if let Some(a) = articles::get(db, u.post_id).await? {
            let format = Format::parse(&a.body_format);
            let ids = markdown::media_ids(&a.body_source, format);
            let figures = figures(db, &ids).await?;
            let html =
                markdown::render_with(&a.body_source, format, &|id| figures.get(&id).cloned());
            // A picture that only leads the article is not in its body: nothing to write.
            if html != a.body_html {
                articles::set_body_html(db, a.id, &html).await?;
            }
        }
    }
    Ok(())
}

/// Delete a picture and its files. While articles use it, Err(those articles), unless an editor
/// `force`s it (the articles lose the picture).
pub async fn delete(
    db: &Db,
    store: &MediaStore,
    actor: &Actor,
    id: i64,
    force: bool,
) -> Result<std::result::Result<(), Vec<Use>>> {
    editable(db, actor, id).await?;
    let uses = media::uses(db, id).await?;
    let insists = force && actor.can(Cap::EditOthersPosts);
    if !uses.is_empty() && !insists {
        return Ok(Err(uses));
    }
    let Some(keys) = media::delete(db, id, &actor.audit()).await? else {
        return Err(Error::NotFound);
    };
    for key in media::unused_keys(db, &keys).await? {
        store.delete(&key).await?;
    }
    for u in &uses {
        if let Some(a) = articles::get(db, u.post_id).await? {
            let format = Format::parse(&a.body_format);
            let html = markdown::render(&a.body_source, format);
            // Written even when the body is the same: the article lost its leading picture too,
            // and this entry is what tells the caches so.
            articles::set_body_html(db, a.id, &html).await?;
        }
    }
    Ok(Ok(()))
}

/// What a figure needs of a stored picture.
pub fn figure_of(m: &Media) -> Figure {
    let sizes = |want: &dyn Fn(Encoding) -> bool| -> Vec<(u32, String)> {
        m.variants
            .0
            .iter()
            .filter(|v| want(v.format))
            .map(|v| (v.width, url(&v.key)))
            .collect()
    };
    Figure {
        alt: m.alt.clone(),
        caption: m.caption.clone(),
        credit: m.credit.clone(),
        width: m.width as u32,
        height: m.height as u32,
        webp: sizes(&|f| f == Encoding::Webp),
        fallback: sizes(&|f| f != Encoding::Webp),
    }
}

/// The figures of these pictures, by id (missing ones are left out).
pub async fn figures(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Figure>> {
    Ok(media::by_ids(db, ids)
        .await?
        .iter()
        .map(|m| (m.id, figure_of(m)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(title_from("harbour_at-dawn.JPG"), "harbour at dawn");
        assert_eq!(title_from("C:\\\\Photos\\\\kyiv.png"), "kyiv");
        assert_eq!(title_from("no-extension"), "no extension");
        assert_eq!(title_from("bad\u{0}name.jpg"), "badname");
    }
}
