//! Every table as plain rows, read at one moment and written back on either backend: what backups
//! hold. A row is a list of JSON values in SQLite's terms (numbers, text, booleans, timestamps as
//! the RFC 3339 text sqlx stores on SQLite, JSON columns as their text), so a dump taken on one
//! backend restores onto the other.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Column as _, Row, TypeInfo, ValueRef};

use super::Db;
use crate::error::{Error, Result};

/// Tables that are not the site's content: sqlx's own bookkeeping.
const NOT_DUMPED: &[&str] = &["_sqlx_migrations"];

/// Tables a freshly made site already writes to (its secret, its log); they do not make it
/// "not empty" for a restore.
const HOUSEKEEPING: &[&str] = &["settings", "changes", "jobs"];

/// How a PostgreSQL column stores its values (SQLite stores what it is given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Real,
    Text,
    Bool,
    Time,
    Json,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// One table, with the columns that point at its own rows (a reply's parent comment, a
/// section's parent): those are written after every row is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub self_refs: Vec<String>,
}

/// Every table of the site, each after the tables it references.
pub async fn tables(db: &Db) -> Result<Vec<Table>> {
    let mut found: Vec<(Table, Vec<String>)> = Vec::new();
    match db {
        Db::Sqlite(pools) => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(&pools.read)
            .await?;
            for name in names
                .into_iter()
                .filter(|n| !NOT_DUMPED.contains(&n.as_str()))
            {
                let columns = sqlx::query(&format!("PRAGMA table_info({})", quote(&name)))
                    .fetch_all(&pools.read)
                    .await?
                    .iter()
                    .map(|r| {
                        let declared: String = r.get("type");
                        Column {
                            name: r.get("name"),
                            kind: sqlite_kind(&declared),
                        }
                    })
                    .collect();
                let targets: Vec<(String, String)> =
                    sqlx::query(&format!("PRAGMA foreign_key_list({})", quote(&name)))
                        .fetch_all(&pools.read)
                        .await?
                        .iter()
                        .map(|r| (r.get("table"), r.get("from")))
                        .collect();
                found.push(split_refs(name, columns, targets));
            }
        }
        Db::Postgres(pg) => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY table_name",
            )
            .fetch_all(&pg.pool)
            .await?;
            for name in names
                .into_iter()
                .filter(|n| !NOT_DUMPED.contains(&n.as_str()))
            {
                let columns = sqlx::query(
                    "SELECT column_name::text AS name, data_type::text AS kind \
                     FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 \
                     ORDER BY ordinal_position",
                )
                .bind(&name)
                .fetch_all(&pg.pool)
                .await?
                .iter()
                .map(|r| {
                    let kind: String = r.get("kind");
                    Column {
                        name: r.get("name"),
                        kind: postgres_kind(&kind),
                    }
                })
                .collect();
                let targets: Vec<(String, String)> = sqlx::query(
                    "SELECT target.relname::text AS target, a.attname::text AS column_name \
                     FROM pg_constraint c \
                     JOIN pg_class source ON source.oid = c.conrelid \
                     JOIN pg_class target ON target.oid = c.confrelid \
                     JOIN pg_namespace n ON n.oid = source.relnamespace \
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
                     WHERE c.contype = 'f' AND n.nspname = current_schema() AND source.relname = $1",
                )
                .bind(&name)
                .fetch_all(&pg.pool)
                .await?
                .iter()
                .map(|r| (r.get("target"), r.get("column_name")))
                .collect();
                found.push(split_refs(name, columns, targets));
            }
        }
    }
    order_by_references(found)
}

fn split_refs(
    name: String,
    columns: Vec<Column>,
    targets: Vec<(String, String)>,
) -> (Table, Vec<String>) {
    let mut self_refs = Vec::new();
    let mut others = Vec::new();
    for (target, column) in targets {
        if target == name {
            self_refs.push(column);
        } else if !others.contains(&target) {
            others.push(target);
        }
    }
    (
        Table {
            name,
            columns,
            self_refs,
        },
        others,
    )
}

/// A table after every table it references (a topological order; ties by name).
fn order_by_references(mut left: Vec<(Table, Vec<String>)>) -> Result<Vec<Table>> {
    let mut ordered: Vec<Table> = Vec::new();
    while !left.is_empty() {
        let ready = left.iter().position(|(_, refs)| {
            refs.iter().all(|r| {
                ordered.iter().any(|t| &t.name == r) || !left.iter().any(|(t, _)| &t.name == r)
            })
        });
        match ready {
            Some(i) => ordered.push(left.remove(i).0),
            None => {
                return Err(Error::Internal(format!(
                    "tables reference each other in a cycle: {}",
                    left.iter()
                        .map(|(t, _)| t.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
    }
    Ok(ordered)
}

fn sqlite_kind(declared: &str) -> Kind {
    let d = declared.to_ascii_uppercase();
    if d.contains("INT") {
        Kind::Integer
    } else if d.contains("BOOL") {
        Kind::Bool
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
        Kind::Real
    } else {
        Kind::Text
    }
}

fn postgres_kind(data_type: &str) -> Kind {
    match data_type {
        "bigint" | "integer" | "smallint" => Kind::Integer,
        "double precision" | "real" | "numeric" => Kind::Real,
        "boolean" => Kind::Bool,
        "timestamp with time zone" | "timestamp without time zone" => Kind::Time,
        "json" | "jsonb" => Kind::Json,
        _ => Kind::Text,
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The same timestamp text sqlx writes on SQLite, so a restored SQLite file sorts and compares
/// its dates exactly as one written by Newsroom.
fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A read-only view of the whole database at one moment (one transaction: SQLite's WAL snapshot,
/// PostgreSQL's repeatable read), while the site goes on writing.
pub enum Snapshot {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Snapshot {
    /// Begin the snapshot; it is fixed at its first read.
    pub async fn begin(db: &Db) -> Result<Snapshot> {
        Ok(match db {
            Db::Sqlite(pools) => {
                let mut tx = pools.read.begin().await?;
                // The snapshot starts at the first read: make it now.
                sqlx::query("SELECT COUNT(*) FROM sqlite_master")
                    .fetch_one(&mut *tx)
                    .await?;
                Snapshot::Sqlite(tx)
            }
            Db::Postgres(pg) => {
                let mut tx = pg.pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Snapshot::Postgres(tx)
            }
        })
    }

    /// How many rows `table` holds in this snapshot.
    pub async fn count(&mut self, table: &Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", quote(&table.name));
        Ok(match self {
            Snapshot::Sqlite(tx) => sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?,
            Snapshot::Postgres(tx) => sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?,
        })
    }

    /// Hand every row of `table` to `each`, one at a time, in the columns' order.
    pub async fn rows(
        &mut self,
        table: &Table,
        mut each: impl FnMut(Vec<Value>) -> Result<()>,
    ) -> Result<()> {
        let list = table
            .columns
            .iter()
            .map(|c| quote(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {list} FROM {}", quote(&table.name));
        match self {
            Snapshot::Sqlite(tx) => {
                let mut stream = sqlx::query(&sql).fetch(&mut **tx);
                while let Some(row) = stream.try_next().await? {
                    each(sqlite_values(&row)?)?;
                }
            }
            Snapshot::Postgres(tx) => {
                let mut stream = sqlx::query(&sql).fetch(&mut **tx);
                while let Some(row) = stream.try_next().await? {
                    each(postgres_values(&row, &table.columns)?)?;
                }
            }
        }
        Ok(())
    }

    /// End the snapshot.
    pub async fn finish(self) -> Result<()> {
        match self {
            Snapshot::Sqlite(tx) => tx.rollback().await?,
            Snapshot::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

fn sqlite_values(row: &sqlx::sqlite::SqliteRow) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            out.push(Value::Null);
            continue;
        }
        let kind = raw.type_info().name().to_string();
        out.push(match kind.as_str() {
            "INTEGER" | "BOOLEAN" => Value::from(row.try_get::<i64, _>(i)?),
            "REAL" => Value::from(row.try_get::<f64, _>(i)?),
            "TEXT" => Value::from(row.try_get::<String, _>(i)?),
            other => {
                return Err(Error::Internal(format!(
                    "column {} holds a value of type {other}, which backups do not carry",
                    row.column(i).name()
                )));
            }
        });
    }
    Ok(out)
}

fn postgres_values(row: &sqlx::postgres::PgRow, columns: &[Column]) -> Result<Vec<Value>> {
    let mut out = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        out.push(
            match column.kind {
                Kind::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
                Kind::Real => row.try_get::<Option<f64>, _>(i)?.map(Value::from),
                Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Value::from),
                Kind::Time => row
                    .try_get::<Option<DateTime<Utc>>, _>(i)?
                    .map(|t| Value::from(time_text(t))),
                Kind::Json => row
                    .try_get::<Option<Value>, _>(i)?
                    .map(|v| Value::from(v.to_string())),
                Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::from),
            }
            .unwrap_or(Value::Null),
        );
    }
    Ok(out)
}

/// Rows written per statement when restoring (well under both backends' limits on parameters).
const ROWS_PER_INSERT: usize = 200;

/// Writes dumped rows into a site, all in one transaction: a restore that fails changes nothing.
pub enum Restore {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Restore {
    /// Begin, emptying every table first (newest references first).
    pub async fn begin(db: &Db, tables: &[Table]) -> Result<Restore> {
        let mut restore = match db {
            Db::Sqlite(pools) => Restore::Sqlite(pools.write.begin().await?),
            Db::Postgres(pg) => Restore::Postgres(pg.pool.begin().await?),
        };
        for table in tables.iter().rev() {
            restore
                .execute(&format!("DELETE FROM {}", quote(&table.name)), Vec::new())
                .await?;
        }
        Ok(restore)
    }

    /// Add `rows` (values in the order of `names`) to `table`; the table's own references are
    /// left empty here and set by `link`.
    pub async fn insert(
        &mut self,
        table: &Table,
        names: &[String],
        rows: &[Vec<Value>],
    ) -> Result<()> {
        let columns: Vec<&Column> = names
            .iter()
            .map(|n| {
                table.columns.iter().find(|c| &c.name == n).ok_or_else(|| {
                    Error::BadRequest(format!(
                        "the backup has a column {}.{n} this site does not have",
                        table.name
                    ))
                })
            })
            .collect::<Result<_>>()?;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                quote(&table.name),
                names
                    .iter()
                    .map(|n| quote(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let mut params = Vec::with_capacity(chunk.len() * names.len());
            for (r, row) in chunk.iter().enumerate() {
                if row.len() != names.len() {
                    return Err(Error::BadRequest(format!(
                        "a row of {} has {} values for {} columns",
                        table.name,
                        row.len(),
                        names.len()
                    )));
                }
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for (c, (column, value)) in columns.iter().zip(row).enumerate() {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    let value = if table.self_refs.contains(&column.name) {
                        Value::Null
                    } else {
                        value.clone()
                    };
                    params.push((column.kind, value));
                    sql.push_str(&format!("${}", params.len()));
                }
                sql.push(')');
            }
            self.execute(&sql, params).await?;
        }
        Ok(())
    }

    /// Set the table's references to its own rows once they all exist (a reply written before
    /// its parent in the dump, a section moved under a newer one).
    pub async fn link(
        &mut self,
        table: &Table,
        names: &[String],
        rows: &[Vec<Value>],
    ) -> Result<()> {
        let Some(id_at) = names.iter().position(|n| n == "id") else {
            return Ok(());
        };
        for column in &table.self_refs {
            let Some(at) = names.iter().position(|n| n == column) else {
                continue;
            };
            let sql = format!(
                "UPDATE {} SET {} = $1 WHERE id = $2",
                quote(&table.name),
                quote(column)
            );
            for row in rows.iter().filter(|r| !r[at].is_null()) {
                self.execute(
                    &sql,
                    vec![
                        (Kind::Integer, row[at].clone()),
                        (Kind::Integer, row[id_at].clone()),
                    ],
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Commit; on PostgreSQL, move each id sequence past the restored ids first.
    pub async fn commit(mut self, tables: &[Table]) -> Result<()> {
        if let Restore::Postgres(_) = self {
            for table in tables
                .iter()
                .filter(|t| t.columns.iter().any(|c| c.name == "id"))
            {
                let name = quote(&table.name);
                self.execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {name}",
                        name.replace('\'', "''")
                    ),
                    Vec::new(),
                )
                .await?;
            }
        }
        match self {
            Restore::Sqlite(tx) => tx.commit().await?,
            Restore::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    async fn execute(&mut self, sql: &str, params: Vec<(Kind, Value)>) -> Result<()> {
        match self {
            Restore::Sqlite(tx) => {
                let mut q = sqlx::query(sql);
                for (_, value) in params {
                    q = match value {
                        Value::Null => q.bind(None::<String>),
                        Value::Bool(b) => q.bind(b),
                        Value::Number(n) => match n.as_i64() {
                            Some(i) => q.bind(i),
                            None => q.bind(n.as_f64()),
                        },
                        Value::String(s) => q.bind(s),
                        other => q.bind(other.to_string()),
                    };
                }
                q.execute(&mut **tx).await?;
            }
            Restore::Postgres(tx) => {
                let mut q = sqlx::query(sql);
                for (kind, value) in params {
                    q = bind_postgres(q, kind, value)?;
                }
                q.execute(&mut **tx).await?;
            }
        }
        Ok(())
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Bind a dumped value as the PostgreSQL column's own type (a SQLite dump has booleans as 0/1,
/// timestamps and JSON as text).
fn bind_postgres(q: PgQuery<'_>, kind: Kind, value: Value) -> Result<PgQuery<'_>> {
    let wrong = |v: &Value| Error::BadRequest(format!("a {kind:?} column cannot hold {v}"));
    Ok(match kind {
        Kind::Integer => q.bind(match &value {
            Value::Null => None,
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Number(n) => Some(n.as_i64().ok_or_else(|| wrong(&value))?),
            Value::String(s) => Some(s.parse::<i64>().map_err(|_| wrong(&value))?),
            _ => return Err(wrong(&value)),
        }),
        Kind::Real => q.bind(match &value {
            Value::Null => None,
            Value::Number(n) => Some(n.as_f64().ok_or_else(|| wrong(&value))?),
            _ => return Err(wrong(&value)),
        }),
        Kind::Bool => q.bind(match &value {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::Number(n) => Some(n.as_i64() != Some(0)),
            _ => return Err(wrong(&value)),
        }),
        Kind::Time => q.bind(match &value {
            Value::Null => None,
            Value::String(s) => Some(parse_time(s).ok_or_else(|| wrong(&value))?),
            _ => return Err(wrong(&value)),
        }),
        Kind::Json => q.bind(match value {
            Value::Null => None,
            Value::String(s) => Some(
                serde_json::from_str::<Value>(&s)
                    .map_err(|_| Error::BadRequest(format!("a JSON column cannot hold {s}")))?,
            ),
            other => Some(other),
        }),
        Kind::Text => q.bind(match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }),
    })
}

/// A timestamp as SQLite holds it: RFC 3339 (what sqlx writes), or `YYYY-MM-DD HH:MM:SS` in UTC.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

/// Rows in the tables that hold the site's content (not its secret or its change log).
pub async fn content_rows(db: &Db, tables: &[Table]) -> Result<i64> {
    let mut total = 0;
    for table in tables
        .iter()
        .filter(|t| !HOUSEKEEPING.contains(&t.name.as_str()))
    {
        let sql = format!("SELECT COUNT(*) FROM {}", quote(&table.name));
        let n: i64 = crate::on_pool!(db, |pool| sqlx::query_scalar(&sql).fetch_one(pool).await?);
        total += n;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> Table {
        Table {
            name: name.into(),
            columns: Vec::new(),
            self_refs: Vec::new(),
        }
    }

    #[test]
    fn tables_come_after_what_they_reference() {
        let ordered = order_by_references(vec![
            (table("comments"), vec!["posts".into(), "users".into()]),
            (table("posts"), Vec::new()),
            (table("post_terms"), vec!["posts".into(), "terms".into()]),
            (table("terms"), Vec::new()),
            (table("users"), Vec::new()),
        ])
        .expect("order");
        let at = |n: &str| ordered.iter().position(|t| t.name == n).expect("present");
        assert!(at("posts") < at("comments") && at("users") < at("comments"));
        assert!(at("posts") < at("post_terms") && at("terms") < at("post_terms"));
        assert!(
            order_by_references(vec![
                (table("a"), vec!["b".into()]),
                (table("b"), vec!["a".into()]),
            ])
            .is_err()
        );
    }

    #[test]
    fn timestamps_read_back_as_sqlx_writes_them() {
        let t = parse_time("2026-11-27T20:43:16+00:00").expect("rfc 3339");
        assert_eq!(time_text(t), "2026-11-27T20:43:16+00:00");
        let plain = parse_time("2026-11-27 20:43:16").expect("plain");
        assert_eq!(plain, t);
        assert!(parse_time("yesterday").is_none());
    }
}
