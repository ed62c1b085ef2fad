//! Storage: one `Db` over two real backends, SQLite (embedded default) and PostgreSQL.
//!
//! Each file holds one noun's row types and all of its SQL. SQL is written once with `$1`
//! placeholders (SQLite accepts them too) and run on either pool through `on_pool!`; where the
//! dialects really differ, the function matches on the backend and says why.

pub mod activity;
pub mod app_password;
pub mod article;
pub mod batch;
pub mod change;
pub mod comment;
pub mod comment_intake;
pub mod correction;
pub mod dump;
pub mod export;
pub mod import;
pub mod job;
pub mod media;
pub mod password_reset;
pub mod presence;
pub mod rest;
pub mod revision;
pub mod schema;
pub mod session;
pub mod setting;
pub mod sitemap;
pub mod term;
pub mod throttle;
pub mod user;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::{Error, Result};

/// Connection pools on one of the two backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePools),
    Postgres(PgPools),
}

/// SQLite's pools: many readers beside one writer. SQLite takes one write at a time anyway; with a
/// single writer connection, writes wait their turn in order inside the process instead of
/// retrying on `SQLITE_BUSY` with sleeps, which made the slowest writes wait hundreds of ms.
#[derive(Clone, Debug)]
pub struct SqlitePools {
    pub read: SqlitePool,
    pub write: SqlitePool,
    intake: Arc<comment_intake::Intake>,
}

/// PostgreSQL's pool, and the comments waiting to be written to it.
#[derive(Clone, Debug)]
pub struct PgPools {
    pub pool: PgPool,
    intake: Arc<comment_intake::Intake>,
}

/// Run the same read against whichever pool `db` holds; `$pool` is bound to it.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        $crate::on_sqlite_side!($db, read, |$pool| $body)
    };
}

/// Run the same write (or read-then-write transaction) against the backend's writer.
#[macro_export]
macro_rules! on_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        $crate::on_sqlite_side!($db, write, |$pool| $body)
    };
}

/// The one match behind `on_pool!` and `on_writer!`: SQLite's `$side` pool, or PostgreSQL's pool.
#[doc(hidden)]
#[macro_export]
macro_rules! on_sqlite_side {
    ($db:expr, $side:ident, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pools) => {
                let $pool = &pools.$side;
                $body
            }
            $crate::db::Db::Postgres(pg) => {
                let $pool = &pg.pool;
                $body
            }
        }
    };
}

impl Db {
    /// Open a pool for a `sqlite://` or `postgres://` URL, creating a SQLite file if missing.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // A connection that sat idle may have been dropped by the server or a proxy: ping it
            // first. A busy one is not pinged: that doubled every query's round trips.
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > Duration::from_secs(30) {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await?;
            Ok(Db::Postgres(PgPools {
                pool,
                intake: Arc::default(),
            }))
        } else if url.starts_with("sqlite:") {
            if let Some(parent) = sqlite_path(url).and_then(|p| p.parent().map(|p| p.to_path_buf()))
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(&parent).map_err(|e| {
                    Error::Internal(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            // WAL lets readers run beside the one writer; FULL sync makes an acknowledged
            // write survive power loss, which the comment promise needs.
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            // An embedded file connection cannot go stale, so no ping before each query (sqlx's
            // default): each ping was a round trip to the connection's thread.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.clone())
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(SqlitePools {
                read,
                write,
                intake: Arc::default(),
            }))
        } else {
            Err(Error::BadRequest(format!(
                "unsupported database URL {url:?}: use sqlite://PATH or postgres://…"
            )))
        }
    }

    /// Bring the schema up to date with the migrations of this backend (refusing a newer one).
    pub async fn migrate(&self) -> Result<()> {
        schema::upgrade(self).await
    }

    /// Something that wakes this node when another appends to the change log (PostgreSQL's
    /// LISTEN/NOTIFY); None on SQLite, where polling the file is as quick.
    pub fn change_listener(&self) -> Option<ChangeListener> {
        match self {
            Db::Sqlite(_) => None,
            Db::Postgres(pg) => Some(ChangeListener {
                pool: pg.pool.clone(),
            }),
        }
    }

    /// Where comments wait to be written together.
    pub fn comment_intake(&self) -> &comment_intake::Intake {
        match self {
            Db::Sqlite(pools) => &pools.intake,
            Db::Postgres(pg) => &pg.intake,
        }
    }

    /// "sqlite" or "postgres".
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Close every connection.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(pools) => {
                pools.read.close().await;
                pools.write.close().await;
            }
            Db::Postgres(pg) => pg.pool.close().await,
        }
    }
}

fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// Rows of `T` whose id is one of `ids`: `select` is the query up to and including `WHERE`
/// (`SELECT … FROM t WHERE`), `tail` what follows the id list (an ORDER BY, or nothing).
pub(crate) async fn rows_with_ids<T>(
    db: &Db,
    select: &str,
    ids: &[i64],
    tail: &str,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} id IN ({}) {tail}", term::placeholders(ids.len()));
    on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, T>(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(pool).await?)
    })
}

/// The current time as stored: UTC, whole seconds (WordPress's precision, and equal text on SQLite).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// Bring the planner's statistics up to date after a bulk load (an import, a restore). On
/// PostgreSQL freshly filled tables have none until autovacuum analyzes them (never where it is
/// off), and a plan made without them read half a million rows for a 1,000-row batch of the
/// search index's refill (836 ms; 1.8 ms after, at 1,000,000 articles). SQLite's plans do not rely
/// on statistics (the queries that need an index name it), so it is left as it is.
pub async fn refresh_statistics(db: &Db) -> Result<()> {
    if let Db::Postgres(pg) = db {
        sqlx::query("ANALYZE").execute(&pg.pool).await?;
    }
    Ok(())
}

/// A `LIKE … ESCAPE '\'` pattern for text containing `words` (or starting with them), to compare
/// with a `LOWER(column)`; `%`, `_` and `\` in the words match themselves.
pub(crate) fn like_pattern(words: &str, anywhere: bool) -> String {
    let escaped = words
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    if anywhere {
        format!("%{escaped}%")
    } else {
        format!("{escaped}%")
    }
}

/// A window of a listing: which rows to skip and how many to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: i64,
    pub limit: i64,
}

impl Window {
    /// Page `page` (1-based) of `per_page` items, asking for one extra row to learn whether more follow.
    pub fn page(page: u32, per_page: u32) -> Window {
        let page = i64::from(page.max(1));
        let per_page = i64::from(per_page.max(1));
        Window {
            offset: (page - 1) * per_page,
            limit: per_page + 1,
        }
    }
}

/// The channel the change log's trigger notifies (migrations 0008 and 0010).
const CHANGES_CHANNEL: &str = "newsroom_changes";

/// Listens for the change log's notifications on a connection of its own.
pub struct ChangeListener {
    pool: PgPool,
}

impl ChangeListener {
    /// Call `on_change` with the newest entry each notification names (None after each
    /// (re)connection, for whatever was missed meanwhile) until the pool closes.
    pub async fn run(self, on_change: impl Fn(Option<i64>) + Send + 'static) {
        while !self.pool.is_closed() {
            match sqlx::postgres::PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => match listener.listen(CHANGES_CHANNEL).await {
                    Ok(()) => {
                        on_change(None);
                        while let Ok(notification) = listener.recv().await {
                            on_change(notification.payload().parse().ok());
                        }
                    }
                    Err(e) => tracing::warn!("listening for changes: {e}"),
                },
                Err(e) if !self.pool.is_closed() => {
                    tracing::warn!("connecting to listen for changes: {e}")
                }
                Err(_) => {}
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            sqlite_path("sqlite://data/x.db?mode=rwc"),
            Some("data/x.db".into())
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 50% Off_ ", true), "%50\\% off\\_%");
        assert_eq!(like_pattern("Ukr", false), "ukr%");
    }

    #[test]
    fn windows_ask_for_one_extra_row() {
        assert_eq!(
            Window::page(1, 10),
            Window {
                offset: 0,
                limit: 11
            }
        );
        assert_eq!(
            Window::page(3, 10),
            Window {
                offset: 20,
                limit: 11
            }
        );
        assert_eq!(
            Window::page(0, 10),
            Window {
                offset: 0,
                limit: 11
            }
        );
    }
}
