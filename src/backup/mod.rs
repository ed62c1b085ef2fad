//! Backups while the site serves, and restoring them onto either backend: the database read at
//! one moment (`db::dump`), the pictures and the theme pinned around it (`pin`), in one checked
//! archive (`archive`).

pub mod archive;
mod pin;
pub mod schedule;

use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::actions::import::Progress;
use crate::db::{self, Db, dump};
use crate::error::{Error, Result};
use archive::{Entry, Hashing, Manifest};

/// The first line of each table's file in the archive.
#[derive(Debug, Serialize, Deserialize)]
struct TableHeader {
    table: String,
    columns: Vec<String>,
}

/// What a backup or a restore did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    pub rows: i64,
    pub files: usize,
    pub bytes: u64,
    pub tables: BTreeMap<String, i64>,
}

/// Where a backup goes when nobody says: `newsroom-<UTC time>.tar.gz` in the backup folder.
pub fn default_path(dir: &Path) -> PathBuf {
    dir.join(format!(
        "newsroom-{}.tar.gz",
        chrono::Utc::now().format("%Y%m%d-%H%M%S")
    ))
}

/// A folder of this site's data folder that a backup copies as it is (pictures, theme).
fn copied_folders(data_dir: &Path) -> [(&'static str, PathBuf); 2] {
    [
        ("media", data_dir.join("media")),
        ("theme", data_dir.join("theme")),
    ]
}

/// Back the site up to `out`: written beside it and renamed when whole, readable only by its
/// owner (it holds password hashes, readers' emails and the site's secret).
pub async fn make(
    db: &Db,
    data_dir: &Path,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Summary> {
    let schema = db::schema::status(db).await?;
    if let Some(refusal) = schema.too_new() {
        return Err(refusal);
    }
    if schema.current == 0 {
        return Err(Error::BadRequest(
            "there is no Newsroom site in this database (no schema): check --data or --database"
                .into(),
        ));
    }
    let tables = dump::tables(db).await?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let staging = parent.join(format!(
        ".newsroom-backup-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&staging).map_err(|e| io_error(&staging, e))?;
    // Pinned before the database is read, so a picture deleted while the backup runs is still
    // in the archive if the rows read name it; pinned again after, for pictures uploaded between.
    let pins = pin::Pins::take(data_dir, &copied_folders(data_dir))?;
    let result = async {
        let (counts, entries) = dump_tables(db, &tables, &staging, progress).await?;
        pins.top_up()?;
        let manifest = Manifest {
            format: archive::FORMAT.into(),
            format_version: archive::FORMAT_VERSION,
            newsroom_version: env!("CARGO_PKG_VERSION").into(),
            schema_version: schema.current,
            backend: db.backend().into(),
            created_at: db::now(),
            tables: counts,
            files: entries,
        };
        let (out, pinned, staging) = (out.to_path_buf(), pins.dir().to_path_buf(), staging.clone());
        tokio::task::spawn_blocking(move || write_archive(&out, &pinned, &staging, manifest))
            .await
            .map_err(|e| Error::Internal(format!("backup task: {e}")))?
    }
    .await;
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Write each table to `staging/database/NNN-table.jsonl` from one snapshot; rows per table and
/// the entries written.
async fn dump_tables(
    db: &Db,
    tables: &[dump::Table],
    staging: &Path,
    progress: &dyn Progress,
) -> Result<(BTreeMap<String, i64>, Vec<Entry>)> {
    let folder = staging.join("database");
    std::fs::create_dir_all(&folder).map_err(|e| io_error(&folder, e))?;
    let mut snapshot = dump::Snapshot::begin(db).await?;
    let mut expected = 0;
    for table in tables {
        expected += snapshot.count(table).await?;
    }
    progress.phase("database", expected as u64);
    let mut counts = BTreeMap::new();
    let mut entries = Vec::new();
    let mut done = 0u64;
    for (i, table) in tables.iter().enumerate() {
        let name = format!("database/{:03}-{}.jsonl", i + 1, table.name);
        let path = staging.join(&name);
        let file = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
        let mut w = Hashing::new(BufWriter::new(file));
        let header = TableHeader {
            table: table.name.clone(),
            columns: table.columns.iter().map(|c| c.name.clone()).collect(),
        };
        write_line(
            &mut w,
            &serde_json::to_string(&header).map_err(json_error)?,
            &path,
        )?;
        let mut rows = 0i64;
        snapshot
            .rows(table, |row| {
                write_line(&mut w, &Value::Array(row).to_string(), &path)?;
                rows += 1;
                done += 1;
                if done.is_multiple_of(1000) {
                    progress.advance(done);
                }
                Ok(())
            })
            .await?;
        let (inner, bytes, sha256) = w.finish();
        inner
            .into_inner()
            .map_err(|e| io_error(&path, e.into_error()))?;
        counts.insert(table.name.clone(), rows);
        entries.push(Entry {
            path: name,
            bytes,
            sha256,
        });
    }
    progress.advance(done);
    snapshot.finish().await?;
    Ok((counts, entries))
}

fn write_line(w: &mut impl Write, line: &str, path: &Path) -> Result<()> {
    w.write_all(line.as_bytes())
        .and_then(|_| w.write_all(b"\n"))
        .map_err(|e| io_error(path, e))
}

/// Every regular file under `dir`, sorted (none if it does not exist).
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in read.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                // Half-written uploads are hidden files ending in .tmp: not part of the site.
                Ok(t) if t.is_file() && !entry.file_name().to_string_lossy().starts_with('.') => {
                    out.push(path)
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// Assemble the archive: the table files, the pictures and theme (pinned in `pinned`, laid out
/// as in the data folder), the manifest last.
fn write_archive(
    out: &Path,
    pinned: &Path,
    staging: &Path,
    mut manifest: Manifest,
) -> Result<Summary> {
    let partial = out.with_extension("partial");
    let file = create_private(&partial)?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        BufWriter::new(file),
        flate2::Compression::fast(),
    ));
    tar.mode(tar::HeaderMode::Deterministic);
    let mtime = u64::try_from(manifest.created_at.timestamp()).unwrap_or_default();
    let add = |tar: &mut tar::Builder<_>, name: &str, size: u64, data: &mut dyn std::io::Read| {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        header.set_cksum();
        tar.append_data(&mut header, name, data)
            .map_err(|e| io_error(out, e))
    };
    for entry in &manifest.files {
        let path = staging.join(&entry.path);
        let mut file = std::fs::File::open(&path).map_err(|e| io_error(&path, e))?;
        add(&mut tar, &entry.path, entry.bytes, &mut file)?;
    }
    let mut copied = 0usize;
    for (folder, dir) in copied_folders(pinned) {
        for path in files_under(&dir) {
            let Ok(relative) = path.strip_prefix(&dir) else {
                continue;
            };
            let name = format!("{folder}/{}", relative.to_string_lossy());
            if !archive::is_safe_path(&name) {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
            add(&mut tar, &name, bytes.len() as u64, &mut bytes.as_slice())?;
            manifest.files.push(Entry {
                path: name,
                bytes: bytes.len() as u64,
                sha256: archive::sha256_hex(&bytes),
            });
            copied += 1;
        }
    }
    let text = serde_json::to_vec_pretty(&manifest).map_err(json_error)?;
    add(
        &mut tar,
        archive::MANIFEST,
        text.len() as u64,
        &mut text.as_slice(),
    )?;
    let gz = tar.into_inner().map_err(|e| io_error(out, e))?;
    let file = gz
        .finish()
        .map_err(|e| io_error(out, e))?
        .into_inner()
        .map_err(|e| io_error(out, e.into_error()))?;
    file.sync_all().map_err(|e| io_error(&partial, e))?;
    std::fs::rename(&partial, out).map_err(|e| io_error(out, e))?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or_default();
    Ok(Summary {
        path: out.to_path_buf(),
        rows: manifest.tables.values().sum(),
        files: copied,
        bytes,
        tables: manifest.tables,
    })
}

fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| io_error(path, e))
}

/// Restore `file` into the site in `data_dir` on `db`. The archive is checked whole first; a
/// site that already has content is refused unless `force`. The database is written in one
/// transaction and the pictures and theme moved in only after it commits.
pub async fn restore(
    file: &Path,
    db: &Db,
    data_dir: &Path,
    force: bool,
    progress: &dyn Progress,
) -> Result<Summary> {
    let checked = file.to_path_buf();
    let manifest = tokio::task::spawn_blocking(move || archive::verify(&checked))
        .await
        .map_err(|e| Error::Internal(format!("restore task: {e}")))??;
    let known = db::schema::known_version();
    if manifest.schema_version > known {
        return Err(Error::BadRequest(format!(
            "the backup's schema is at version {}, newer than this Newsroom knows (up to {known}): \
             restore it with Newsroom {} or later",
            manifest.schema_version, manifest.newsroom_version
        )));
    }
    let status = db::schema::status(db).await?;
    if let Some(refusal) = status.too_new() {
        return Err(refusal);
    }
    // Rows go in at the backup's own schema, then the later migrations carry them forward, as
    // they would have carried the site's own database.
    if status.current < manifest.schema_version {
        db::schema::upgrade_to(db, manifest.schema_version).await?;
    }
    let tables = dump::tables(db).await?;
    if !force {
        let rows = dump::content_rows(db, &tables).await?;
        let files: usize = copied_folders(data_dir)
            .iter()
            .map(|(_, d)| files_under(d).len())
            .sum();
        if rows > 0 || files > 0 {
            return Err(Error::Conflict(format!(
                "this site is not empty ({rows} rows, {files} files in {}): restore into an empty \
                 one, or pass --force to replace what it holds",
                data_dir.display()
            )));
        }
    }
    let staging = data_dir.join(format!(".restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| io_error(&staging, e))?;
    let result = restore_into(file, db, &tables, &manifest, &staging, progress).await;
    let outcome = match result {
        Ok(summary) => move_into_place(data_dir, &staging).map(|_| summary),
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&staging);
    let mut summary = outcome?;
    db.migrate().await?;
    db::refresh_statistics(db).await?;
    // The search index is this node's own: it is rebuilt from the restored database at start.
    let index = data_dir.join("search");
    if index.exists() {
        std::fs::remove_dir_all(&index).map_err(|e| io_error(&index, e))?;
    }
    summary.path = file.to_path_buf();
    Ok(summary)
}

/// What the archive reader hands the database writer.
enum Item {
    Table(TableHeader),
    Rows(Vec<Vec<Value>>),
    Done { files: usize },
}

/// Rows handed over per message.
const BATCH: usize = 1000;

async fn restore_into(
    file: &Path,
    db: &Db,
    tables: &[dump::Table],
    manifest: &Manifest,
    staging: &Path,
    progress: &dyn Progress,
) -> Result<Summary> {
    progress.phase("database", manifest.tables.values().sum::<i64>() as u64);
    let (send, mut receive) = tokio::sync::mpsc::channel::<Result<Item>>(4);
    let (path, folder) = (file.to_path_buf(), staging.to_path_buf());
    let reader = tokio::task::spawn_blocking(move || {
        if let Err(e) = read_archive(&path, &folder, &send) {
            let _ = send.blocking_send(Err(e));
        }
    });
    let mut restore = dump::Restore::begin(db, tables).await?;
    let mut current: Option<(&dump::Table, Vec<String>)> = None;
    let mut links: Vec<Vec<Value>> = Vec::new();
    let mut counts = BTreeMap::new();
    let mut rows = 0i64;
    let mut files = 0;
    while let Some(item) = receive.recv().await {
        match item? {
            Item::Table(header) => {
                if let Some((table, names)) = current.take() {
                    restore.link(table, &names, &links).await?;
                    links.clear();
                }
                let table = tables
                    .iter()
                    .find(|t| t.name == header.table)
                    .ok_or_else(|| {
                        Error::BadRequest(format!(
                            "the backup has a table {} this site does not have",
                            header.table
                        ))
                    })?;
                counts.insert(table.name.clone(), 0);
                current = Some((table, header.columns));
            }
            Item::Rows(batch) => {
                let Some((table, names)) = &current else {
                    return Err(Error::BadRequest("rows before their table".into()));
                };
                restore.insert(table, names, &batch).await?;
                let refs: Vec<usize> = names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| table.self_refs.contains(n))
                    .map(|(i, _)| i)
                    .collect();
                links.extend(
                    batch
                        .iter()
                        .filter(|r| refs.iter().any(|&i| r.get(i).is_some_and(|v| !v.is_null())))
                        .cloned(),
                );
                rows += batch.len() as i64;
                *counts.entry(table.name.clone()).or_insert(0) += batch.len() as i64;
                progress.advance(rows as u64);
            }
            Item::Done { files: n } => files = n,
        }
    }
    reader
        .await
        .map_err(|e| Error::Internal(format!("restore reader: {e}")))?;
    if let Some((table, names)) = current.take() {
        restore.link(table, &names, &links).await?;
    }
    for (table, expected) in &manifest.tables {
        let got = counts.get(table).copied().unwrap_or_default();
        if got != *expected {
            return Err(Error::BadRequest(format!(
                "the backup lists {expected} rows of {table} but holds {got}"
            )));
        }
    }
    restore.commit(tables).await?;
    Ok(Summary {
        path: file.to_path_buf(),
        rows,
        files,
        bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or_default(),
        tables: counts,
    })
}

/// Read the (already verified) archive: table rows go to the writer, pictures and theme files
/// into `staging`.
fn read_archive(
    file: &Path,
    staging: &Path,
    send: &tokio::sync::mpsc::Sender<Result<Item>>,
) -> Result<()> {
    let opened = std::fs::File::open(file).map_err(|e| io_error(file, e))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(opened));
    let mut files = 0;
    let gone = || Error::Internal("the restore stopped".into());
    for entry in archive.entries().map_err(|e| io_error(file, e))? {
        let entry = entry.map_err(|e| io_error(file, e))?;
        let name = entry
            .path()
            .map_err(|e| io_error(file, e))?
            .to_string_lossy()
            .into_owned();
        if name == archive::MANIFEST {
            continue;
        }
        if !archive::is_safe_path(&name) {
            return Err(Error::BadRequest(format!(
                "{name}: outside the backup's folders"
            )));
        }
        if name.starts_with("database/") {
            let mut lines = std::io::BufReader::new(entry).lines();
            let first = lines
                .next()
                .ok_or_else(|| Error::BadRequest(format!("{name} is empty")))?
                .map_err(|e| io_error(file, e))?;
            let header: TableHeader = serde_json::from_str(&first)
                .map_err(|e| Error::BadRequest(format!("{name}: {e}")))?;
            send.blocking_send(Ok(Item::Table(header)))
                .map_err(|_| gone())?;
            let mut batch = Vec::with_capacity(BATCH);
            for line in lines {
                let line = line.map_err(|e| io_error(file, e))?;
                let Value::Array(row) = serde_json::from_str(&line)
                    .map_err(|e| Error::BadRequest(format!("{name}: {e}")))?
                else {
                    return Err(Error::BadRequest(format!("{name}: a row is not a list")));
                };
                batch.push(row);
                if batch.len() == BATCH {
                    send.blocking_send(Ok(Item::Rows(std::mem::take(&mut batch))))
                        .map_err(|_| gone())?;
                }
            }
            if !batch.is_empty() {
                send.blocking_send(Ok(Item::Rows(batch)))
                    .map_err(|_| gone())?;
            }
        } else {
            let target = staging.join(&name);
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
            }
            let mut out = std::fs::File::create(&target).map_err(|e| io_error(&target, e))?;
            let mut entry = entry;
            std::io::copy(&mut entry, &mut out).map_err(|e| io_error(&target, e))?;
            files += 1;
        }
    }
    send.blocking_send(Ok(Item::Done { files }))
        .map_err(|_| gone())?;
    Ok(())
}

/// Put the restored pictures and theme where the site reads them, replacing what was there.
fn move_into_place(data_dir: &Path, staging: &Path) -> Result<()> {
    for (folder, target) in copied_folders(data_dir) {
        let restored = staging.join(folder);
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|e| io_error(&target, e))?;
        }
        if restored.exists() {
            std::fs::rename(&restored, &target).map_err(|e| io_error(&target, e))?;
        }
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Internal(format!("{}: {e}", path.display()))
}

fn json_error(e: serde_json::Error) -> Error {
    Error::Internal(format!("JSON: {e}"))
}
