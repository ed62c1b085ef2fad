//! The backup archive: a gzip'd tar (any `tar` opens it) whose last entry, `manifest.json`, lists
//! every other entry with its size and SHA-256, so a damaged or altered archive is refused before
//! anything is restored from it.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// What `format` says in every Newsroom backup.
pub const FORMAT: &str = "newsroom-backup";
/// The layout of the archive this binary writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's name, last in the archive.
pub const MANIFEST: &str = "manifest.json";
/// The folders an archive may hold (anything else is refused).
pub const FOLDERS: &[&str] = &["database", "media", "theme"];

/// One file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What an archive holds and where it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub newsroom_version: String,
    pub schema_version: i64,
    pub backend: String,
    pub created_at: DateTime<Utc>,
    /// Rows per table.
    pub tables: BTreeMap<String, i64>,
    pub files: Vec<Entry>,
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A writer that counts and hashes what passes through it.
pub struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    /// Wrap `inner`.
    pub fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// The inner writer, the size and the hex SHA-256 of everything written.
    pub fn finish(self) -> (W, u64, String) {
        (self.inner, self.bytes, hex::encode(self.hasher.finalize()))
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Whether `path` is a plain relative path inside one of the archive's folders (no `..`, not
/// absolute): an archive must not write outside the site's folder.
pub fn is_safe_path(path: &str) -> bool {
    let p = Path::new(path);
    let mut parts = p.components();
    let Some(Component::Normal(first)) = parts.next() else {
        return false;
    };
    FOLDERS.iter().any(|f| first == *f)
        && parts.clone().next().is_some()
        && parts.all(|c| matches!(c, Component::Normal(_)))
}

/// Read the whole archive, hash every entry and check it against the manifest; the manifest, or
/// why the archive is refused.
pub fn verify(file: &Path) -> Result<Manifest> {
    let refuse = |why: String| Error::BadRequest(format!("{}: {why}", file.display()));
    let opened = std::fs::File::open(file).map_err(|e| refuse(format!("cannot open: {e}")))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(opened));
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let entries = archive
        .entries()
        .map_err(|e| refuse(format!("not a backup archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| refuse(format!("damaged archive: {e}")))?;
        let path = entry
            .path()
            .map_err(|e| refuse(format!("damaged archive: {e}")))?
            .to_string_lossy()
            .into_owned();
        if manifest.is_some() {
            return Err(refuse(format!("{path} follows the manifest")));
        }
        if !entry.header().entry_type().is_file() {
            return Err(refuse(format!("{path} is not a plain file")));
        }
        if path == MANIFEST {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| refuse(format!("damaged manifest: {e}")))?;
            manifest = Some(
                serde_json::from_str(&text)
                    .map_err(|e| refuse(format!("unreadable manifest: {e}")))?,
            );
            continue;
        }
        if !is_safe_path(&path) {
            return Err(refuse(format!(
                "{path} is outside the folders a backup holds"
            )));
        }
        let mut sink = Hashing::new(std::io::sink());
        std::io::copy(&mut entry, &mut sink)
            .map_err(|e| refuse(format!("damaged archive: {e}")))?;
        let (_, bytes, sha) = sink.finish();
        seen.insert(path, (bytes, sha));
    }
    let manifest =
        manifest.ok_or_else(|| refuse("no manifest: not a whole Newsroom backup".into()))?;
    if manifest.format != FORMAT {
        return Err(refuse("not a Newsroom backup".into()));
    }
    if manifest.format_version > FORMAT_VERSION {
        return Err(refuse(format!(
            "written in backup format {}, newer than this Newsroom reads ({FORMAT_VERSION})",
            manifest.format_version
        )));
    }
    for listed in &manifest.files {
        match seen.remove(&listed.path) {
            None => return Err(refuse(format!("{} is missing", listed.path))),
            Some((bytes, sha)) if bytes != listed.bytes || sha != listed.sha256 => {
                return Err(refuse(format!(
                    "{} does not match its checksum: the archive is damaged or was altered",
                    listed.path
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = seen.keys().next() {
        return Err(refuse(format!("{extra} is not in the manifest")));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_backup_folders_are_safe() {
        assert!(is_safe_path("media/ab/abcdef.jpg"));
        assert!(is_safe_path("database/001-users.jsonl"));
        assert!(is_safe_path("theme/article.html"));
        for bad in [
            "/etc/passwd",
            "media/../../etc/passwd",
            "../media/x",
            "other/x",
            "media",
            "media/",
            "",
        ] {
            assert!(!is_safe_path(bad), "{bad}");
        }
    }

    #[test]
    fn hashing_counts_and_hashes_what_it_writes() {
        let mut w = Hashing::new(Vec::new());
        w.write_all(b"abc").expect("write");
        let (inner, bytes, sha) = w.finish();
        assert_eq!(inner, b"abc");
        assert_eq!(bytes, 3);
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha, sha256_hex(b"abc"));
    }
}
