//! The schema's version: which migrations this binary knows, which the database has, and what an
//! upgrade would run. Migrations are forward-only; sqlx runs each one in its own transaction, so an
//! upgrade that fails leaves the database at the last migration that succeeded, never half of one.

use sqlx::migrate::Migrator;

use super::Db;
use crate::error::{Error, Result};

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

/// A migration an upgrade would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub version: i64,
    pub description: String,
}

/// Where a database stands against this binary's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The newest migration the database has applied (0: none).
    pub current: i64,
    /// The newest migration this binary knows.
    pub known: i64,
    /// What `migrate` would run, oldest first.
    pub pending: Vec<Pending>,
    /// Applied migrations this binary does not know: a newer Newsroom wrote this database.
    pub unknown: Vec<i64>,
}

impl Status {
    /// Up to date: nothing to run, nothing unknown.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }

    /// The refusal to use a database a newer Newsroom has upgraded, or None.
    pub fn too_new(&self) -> Option<Error> {
        (!self.unknown.is_empty()).then(|| {
            Error::Internal(format!(
                "the database's schema is at version {}, newer than this Newsroom knows (up to {}): \
                 run the Newsroom that upgraded it ({}), or restore a backup made with this version",
                self.current,
                self.known,
                env!("CARGO_PKG_NAME")
            ))
        })
    }
}

fn migrator(db: &Db) -> &'static Migrator {
    match db {
        Db::Sqlite(_) => &SQLITE,
        Db::Postgres(_) => &POSTGRES,
    }
}

/// The newest schema version this binary knows.
pub fn known_version() -> i64 {
    SQLITE.iter().map(|m| m.version).max().unwrap_or(0)
}

/// Compare the database's applied migrations with this binary's.
pub async fn status(db: &Db) -> Result<Status> {
    let applied = applied(db).await?;
    let migrator = migrator(db);
    let known: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let pending = migrator
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| Pending {
            version: m.version,
            description: m.description.to_string(),
        })
        .collect();
    let unknown = applied
        .iter()
        .copied()
        .filter(|v| !known.contains(v))
        .collect();
    Ok(Status {
        current: applied.iter().copied().max().unwrap_or(0),
        known: known.iter().copied().max().unwrap_or(0),
        pending,
        unknown,
    })
}

/// Run every pending migration, refusing a database a newer Newsroom has upgraded.
pub async fn upgrade(db: &Db) -> Result<()> {
    if let Some(refusal) = status(db).await?.too_new() {
        return Err(refusal);
    }
    match db {
        Db::Sqlite(pools) => SQLITE.run(&pools.write).await?,
        Db::Postgres(pg) => POSTGRES.run(&pg.pool).await?,
    }
    Ok(())
}

/// Run the migrations up to and including `version` only (tests build every earlier schema so).
pub async fn upgrade_to(db: &Db, version: i64) -> Result<()> {
    let partial = Migrator {
        migrations: std::borrow::Cow::Owned(
            migrator(db)
                .iter()
                .filter(|m| m.version <= version)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    match db {
        Db::Sqlite(pools) => partial.run(&pools.write).await?,
        Db::Postgres(pg) => partial.run(&pg.pool).await?,
    }
    Ok(())
}

/// Versions of the migrations applied successfully (empty before the first).
async fn applied(db: &Db) -> Result<Vec<i64>> {
    let exists_sql = match db {
        Db::Sqlite(_) => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Db::Postgres(_) => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let exists: i64 = crate::on_pool!(db, |pool| sqlx::query_scalar(exists_sql)
        .fetch_one(pool)
        .await?);
    if exists == 0 {
        return Ok(Vec::new());
    }
    let versions: Vec<i64> = crate::on_pool!(db, |pool| sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version"
    )
    .fetch_all(pool)
    .await?);
    Ok(versions)
}
