//! The pictures and theme of a backup, held still while the database is read: each file is
//! hard-linked into a hidden folder of the data folder (no bytes copied; a file deleted from the
//! site afterwards lives on there until the backup is written), and the folder goes when the
//! backup is done.

use std::path::{Path, PathBuf};

use super::{files_under, io_error};
use crate::error::Result;

/// Files pinned for one backup, laid out as in the data folder (`<dir>/media/ab/…`).
pub struct Pins {
    dir: PathBuf,
    folders: Vec<(&'static str, PathBuf)>,
}

impl Pins {
    /// Pin every file of `folders` (name in the archive, folder on disk) now.
    pub fn take(data_dir: &Path, folders: &[(&'static str, PathBuf)]) -> Result<Pins> {
        static TAKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = TAKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = data_dir.join(format!(".backup-pins-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let pins = Pins {
            dir,
            folders: folders.to_vec(),
        };
        pins.top_up()?;
        Ok(pins)
    }

    /// Pin the files that appeared since (pictures uploaded while the database was read).
    pub fn top_up(&self) -> Result<()> {
        for (name, folder) in &self.folders {
            for path in files_under(folder) {
                let Ok(relative) = path.strip_prefix(folder) else {
                    continue;
                };
                let pinned = self.dir.join(name).join(relative);
                if pinned.exists() {
                    continue;
                }
                if let Some(parent) = pinned.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
                }
                match std::fs::hard_link(&path, &pinned) {
                    Ok(()) => {}
                    // Deleted between the listing and now: not part of the site any more.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    // A file system without hard links: a copy holds it still as well.
                    Err(_) => match std::fs::copy(&path, &pinned) {
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(io_error(&path, e)),
                    },
                }
            }
        }
        Ok(())
    }

    /// The folder holding the pinned files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Pins {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_deleted_after_pinning_stays_and_one_added_before_the_top_up_joins() {
        let data = std::env::temp_dir().join(format!("newsroom-pins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let media = data.join("media");
        std::fs::create_dir_all(media.join("ab")).unwrap();
        std::fs::write(media.join("ab/abc.jpg"), b"old picture").unwrap();
        std::fs::write(media.join("ab/.abc.jpg.1.tmp"), b"half").unwrap();
        let folders = [("media", media.clone()), ("theme", data.join("theme"))];

        let pins = Pins::take(&data, &folders).unwrap();
        std::fs::remove_file(media.join("ab/abc.jpg")).unwrap();
        std::fs::create_dir_all(media.join("cd")).unwrap();
        std::fs::write(media.join("cd/cde.webp"), b"new picture").unwrap();
        pins.top_up().unwrap();

        let dir = pins.dir().to_path_buf();
        assert_eq!(
            std::fs::read(dir.join("media/ab/abc.jpg")).unwrap(),
            b"old picture"
        );
        assert_eq!(
            std::fs::read(dir.join("media/cd/cde.webp")).unwrap(),
            b"new picture"
        );
        assert_eq!(files_under(&dir.join("media")).len(), 2, "no upload halves");
        drop(pins);
        assert!(!dir.exists(), "the pins go with the backup");
        std::fs::remove_dir_all(&data).unwrap();
    }
}
