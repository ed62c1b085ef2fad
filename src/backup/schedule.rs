//! Scheduled backups: every few hours (a setting) one node claims the run (`db::job`), writes an
//! archive to the backup folder and deletes all but the newest few (a setting).

use std::path::{Path, PathBuf};

use crate::actions::import::Quiet;
use crate::db::{self, Db};
use crate::error::Result;

use super::Summary;

/// The job's name in the `jobs` table.
pub const JOB: &str = "backup";

/// What the archives this folder's retention counts are called: `newsroom-<UTC time>.tar.gz`.
fn is_archive(name: &str) -> bool {
    name.starts_with("newsroom-") && name.ends_with(".tar.gz")
}

/// Back up now if one is due (`every_hours` after the last began; 0: never) and this node claims
/// it, then keep the newest `keep` archives in `dir`. None when nothing was due here.
pub async fn run_if_due(
    db: &Db,
    data_dir: &Path,
    dir: &Path,
    every_hours: u32,
    keep: u32,
) -> Result<Option<Summary>> {
    if every_hours == 0 {
        return Ok(None);
    }
    let now = db::now();
    let due_before = now - chrono::Duration::hours(i64::from(every_hours));
    if !db::job::claim(db, JOB, now, due_before).await? {
        return Ok(None);
    }
    let out = super::default_path(dir);
    match super::make(db, data_dir, &out, &Quiet).await {
        Ok(summary) => {
            let removed = prune(dir, keep);
            let detail = format!(
                "{} ({} rows, {} files, {} bytes){}",
                summary.path.display(),
                summary.rows,
                summary.files,
                summary.bytes,
                if removed.is_empty() {
                    String::new()
                } else {
                    format!("; {} older deleted", removed.len())
                }
            );
            db::job::finish(db, JOB, true, &detail).await?;
            tracing::info!("scheduled backup: {detail}");
            Ok(Some(summary))
        }
        Err(e) => {
            db::job::finish(db, JOB, false, &e.to_string()).await?;
            Err(e)
        }
    }
}

/// Delete all but the newest `keep` archives in `dir` (their names sort by time); what went.
pub fn prune(dir: &Path, keep: u32) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut archives: Vec<PathBuf> = read
        .flatten()
        .filter(|e| is_archive(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    archives.sort();
    let excess = archives.len().saturating_sub(keep.max(1) as usize);
    archives
        .into_iter()
        .take(excess)
        .filter(|p| std::fs::remove_file(p).is_ok())
        .collect()
}
