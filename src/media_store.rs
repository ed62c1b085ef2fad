//! Where picture files live, behind one small interface (put, read, delete), so an S3-compatible
//! store can join the local folder when several nodes serve one site. Files are named by the
//! SHA-256 of their bytes: the same bytes are one file, and a name never changes meaning, so
//! readers' browsers may keep them for a year.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::content::picture::Encoding;
use crate::error::{Error, Result};

/// A store of media files.
#[derive(Debug, Clone)]
pub enum MediaStore {
    /// `<data>/media/ab/abcdef….webp`.
    Folder(PathBuf),
}

/// The SHA-256 of some bytes, hex.
pub fn hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether a key is one this store makes (`<64 hex>.<ext>`): nothing else is ever read.
pub fn is_key(key: &str) -> bool {
    key.split_once('.').is_some_and(|(h, ext)| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && Encoding::from_extension(ext).is_some()
    })
}

impl MediaStore {
    /// The folder store under a data folder.
    pub fn in_data_dir(data_dir: &Path) -> MediaStore {
        MediaStore::Folder(data_dir.join("media"))
    }

    fn path(root: &Path, key: &str) -> PathBuf {
        root.join(&key[..2]).join(key)
    }

    /// Keep `bytes` as a file of this encoding; its key. Written to a temporary file, flushed to
    /// disk and renamed, so a file under its key is always whole.
    pub async fn put(&self, bytes: &[u8], encoding: Encoding) -> Result<String> {
        let key = format!("{}.{}", hash(bytes), encoding.extension());
        match self {
            MediaStore::Folder(root) => {
                let path = Self::path(root, &key);
                if self.exists(&key).await {
                    return Ok(key);
                }
                let dir = path.parent().unwrap_or(root).to_path_buf();
                let io =
                    |e: std::io::Error| Error::Internal(format!("writing {}: {e}", path.display()));
                tokio::fs::create_dir_all(&dir).await.map_err(io)?;
                // Unique per write: two uploads sharing a file may write it at the same moment.
                static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let tmp = dir.join(format!(".{key}.{}.{n}.tmp", std::process::id()));
                let bytes = bytes.to_vec();
                let (tmp2, path2, dir2) = (tmp.clone(), path.clone(), dir.clone());
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    use std::io::Write;
                    let mut f = std::fs::File::create(&tmp2)?;
                    f.write_all(&bytes)?;
                    f.sync_all()?;
                    std::fs::rename(&tmp2, &path2)?;
                    // The rename itself is on disk only once its folder is synced.
                    std::fs::File::open(&dir2)?.sync_all()
                })
                .await
                .map_err(|e| Error::Internal(format!("writing a media file: {e}")))?
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    io(e)
                })?;
                Ok(key)
            }
        }
    }

    /// Whether a file is there.
    pub async fn exists(&self, key: &str) -> bool {
        match self {
            MediaStore::Folder(root) => {
                is_key(key)
                    && tokio::fs::try_exists(Self::path(root, key))
                        .await
                        .unwrap_or(false)
            }
        }
    }

    /// The bytes of a file, if it exists.
    pub async fn read(&self, key: &str) -> Result<Option<Vec<u8>>> {
        if !is_key(key) {
            return Ok(None);
        }
        match self {
            MediaStore::Folder(root) => match tokio::fs::read(Self::path(root, key)).await {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::Internal(format!("reading media {key}: {e}"))),
            },
        }
    }

    /// Remove a file (gone already is fine).
    pub async fn delete(&self, key: &str) -> Result<()> {
        if !is_key(key) {
            return Ok(());
        }
        match self {
            MediaStore::Folder(root) => match tokio::fs::remove_file(Self::path(root, key)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::Internal(format!("deleting media {key}: {e}"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashes_with_known_extensions() {
        let h = hash(b"x");
        assert!(is_key(&format!("{h}.webp")));
        assert!(!is_key(&format!("{h}.svg")));
        assert!(!is_key("../../etc/passwd.jpg"));
        assert!(!is_key(&format!("{}.jpg", h.to_uppercase())));
    }

    #[tokio::test]
    async fn files_are_written_whole_and_once() {
        let dir = std::env::temp_dir().join(format!("newsroom-media-{}", std::process::id()));
        let store = MediaStore::in_data_dir(&dir);
        let key = store.put(b"pixels", Encoding::Jpeg).await.unwrap();
        assert_eq!(store.put(b"pixels", Encoding::Jpeg).await.unwrap(), key);
        assert_eq!(
            store.read(&key).await.unwrap().as_deref(),
            Some(&b"pixels"[..])
        );
        let folder = dir.join("media").join(&key[..2]);
        assert_eq!(
            std::fs::read_dir(&folder).unwrap().count(),
            1,
            "no temporary file left"
        );
        store.delete(&key).await.unwrap();
        assert_eq!(store.read(&key).await.unwrap(), None);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
