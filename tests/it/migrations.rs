//! The two migration folders stay twins: same files, same tables and columns.

use std::collections::BTreeSet;

fn listing(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn tables_and_columns(sql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut table = String::new();
    for line in sql.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            table = rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            out.insert(table.clone());
        } else if !table.is_empty() && line.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.insert(format!(
                "{table}.{}",
                line.split_whitespace().next().unwrap_or_default()
            ));
        } else if line.starts_with(");") {
            table.clear();
        } else if let Some(rest) = line
            .strip_prefix("CREATE INDEX ")
            .or_else(|| line.strip_prefix("CREATE UNIQUE INDEX "))
        {
            out.insert(format!(
                "index {}",
                rest.split_whitespace().next().unwrap_or_default()
            ));
        } else if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
            // `ALTER TABLE t ADD COLUMN c …`: a column added to an earlier table.
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [table, "ADD", "COLUMN", column, ..] = words.as_slice() {
                out.insert(format!("{table}.{column}"));
            }
        }
    }
    out
}

#[test]
fn sqlite_and_postgres_migrations_are_twins() {
    let sqlite = listing("sqlite");
    assert_eq!(sqlite, listing("postgres"));
    assert!(!sqlite.is_empty());
    for name in sqlite {
        let read = |b: &str| {
            std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(b)
                    .join(&name),
            )
            .expect("read")
        };
        let (s, p) = (
            tables_and_columns(&read("sqlite")),
            tables_and_columns(&read("postgres")),
        );
        // Every migration defines a table or an index (or, on PostgreSQL alone, a trigger); one
        // the parser read nothing of is a parser that no longer understands the SQL.
        assert!(
            s.iter().any(|item| !item.contains('.'))
                || (s.is_empty() && read("postgres").contains("CREATE TRIGGER")),
            "{name}: no table or index was parsed"
        );
        assert_eq!(s, p, "{name} differs between backends");
    }
}

/// Each table's rows, each row by column.
type Tables =
    std::collections::BTreeMap<String, Vec<std::collections::BTreeMap<String, serde_json::Value>>>;

/// Every row a database holds, table by table, each row as column name → value.
async fn everything(db: &newsroom::db::Db) -> Tables {
    use newsroom::db::dump;
    let tables = dump::tables(db).await.expect("tables");
    let mut snapshot = dump::Snapshot::begin(db).await.expect("snapshot");
    let mut out = std::collections::BTreeMap::new();
    for table in &tables {
        let mut rows = Vec::new();
        snapshot
            .rows(table, |row| {
                rows.push(
                    table
                        .columns
                        .iter()
                        .map(|c| c.name.clone())
                        .zip(row)
                        .collect(),
                );
                Ok(())
            })
            .await
            .expect("rows");
        rows.sort_by_key(
            |r: &std::collections::BTreeMap<String, serde_json::Value>| {
                serde_json::to_string(r).expect("json")
            },
        );
        out.insert(table.name.clone(), rows);
    }
    snapshot.finish().await.expect("finish");
    out
}

/// Rows a site of the first schema already had: people, sections, articles and their links,
/// comments (one a reply), settings.
async fn fill(db: &newsroom::db::Db) {
    let at = newsroom::db::now();
    let statements: &[&str] = &[
        "INSERT INTO users (id, login, slug, display_name, email, created_at) VALUES (7, 'ann', 'ann', 'Ann Lee', 'ann@example.org', $1)",
        "INSERT INTO terms (id, taxonomy, name, slug) VALUES (3, 'category', 'World', 'world')",
        "INSERT INTO terms (id, taxonomy, name, slug, parent_id) VALUES (4, 'category', 'Europe', 'europe', 3)",
        "INSERT INTO posts (id, kind, title, slug, body_source, body_html, status, published_at, modified_at, created_at, sticky) \
         VALUES (11, 'post', 'Talks resume', 'talks-resume', 'Talks *resume*', '<p>Talks <em>resume</em></p>', 'publish', $1, $1, $1, TRUE)",
        "INSERT INTO post_authors (post_id, user_id, position, live_at) VALUES (11, 7, 0, $1)",
        "INSERT INTO post_terms (post_id, term_id, live_at) VALUES (11, 4, $1)",
        "INSERT INTO comments (id, post_id, author_name, author_email, content, status, created_at) VALUES (21, 11, 'Bo', 'bo@example.net', 'First!', 'approved', $1)",
        "INSERT INTO comments (id, post_id, parent_id, author_name, author_email, content, status, created_at) VALUES (22, 11, 21, 'Cy', 'cy@example.net', 'A reply', 'pending', $1)",
        "INSERT INTO settings (name, value) VALUES ('title', 'The Daily Test')",
    ];
    for sql in statements {
        let n = if sql.contains("$1") { 1 } else { 0 };
        newsroom::on_pool!(db, |pool| {
            let mut q = sqlx::query(sql);
            if n == 1 {
                q = q.bind(at);
            }
            q.execute(pool).await.expect(sql).rows_affected()
        });
    }
}

async fn upgrade_from_every_earlier_schema(
    url: impl AsyncFn(i64) -> Option<(String, Option<String>)>,
) {
    use newsroom::db::{Db, schema};
    let known = schema::known_version();
    assert!(known >= 2, "there are earlier schemas to upgrade from");
    for version in 1..known {
        let Some((url, pg_name)) = url(version).await else {
            return;
        };
        let db = Db::connect(&url).await.expect("connect");
        schema::upgrade_to(&db, version)
            .await
            .expect("build the old schema");
        let status = schema::status(&db).await.expect("status");
        assert_eq!(status.current, version);
        assert_eq!(status.pending.len() as i64, known - version, "{status:?}");
        fill(&db).await;
        let before = everything(&db).await;
        db.migrate().await.expect("upgrade");
        assert!(schema::status(&db).await.expect("status").is_current());
        let after = everything(&db).await;
        assert_same_rows(&before, &after, &format!("after upgrading from {version}"));
        assert_eq!(before["comments"].len(), 2, "the fill reached the database");
        // And the upgraded site serves its old article.
        let found = newsroom::db::article::count(&db, newsroom::db::article::POST)
            .await
            .expect("count");
        assert_eq!(found, 1);
        db.close().await;
        if let Some(name) = pg_name {
            crate::support::drop_pg_database(&name);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_databases_of_every_earlier_schema_upgrade_without_loss() {
    let dir = std::env::temp_dir().join(format!("newsroom_upgrade_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    upgrade_from_every_earlier_schema(async |v| {
        Some((
            format!("sqlite://{}", dir.join(format!("v{v}.db")).display()),
            None,
        ))
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_databases_of_every_earlier_schema_upgrade_without_loss() {
    upgrade_from_every_earlier_schema(async |_| {
        let (name, url) = crate::support::fresh_pg_database().await?;
        Some((url, Some(name)))
    })
    .await;
}

/// A backup taken by a site still at an earlier schema restores onto a current site of either
/// backend: its rows go in at their own schema and the later migrations carry them forward.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_of_every_earlier_schema_restore_onto_both_backends() {
    use newsroom::actions::import::Quiet;
    use newsroom::db::{Db, schema};
    let dir = std::env::temp_dir().join(format!("newsroom_old_backup_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let known = schema::known_version();
    for version in 1..known {
        let source_dir = dir.join(format!("source-v{version}"));
        std::fs::create_dir_all(&source_dir).expect("dir");
        let source = Db::connect(&format!(
            "sqlite://{}",
            source_dir.join("newsroom.db").display()
        ))
        .await
        .expect("connect");
        schema::upgrade_to(&source, version)
            .await
            .expect("build the old schema");
        fill(&source).await;
        let before = everything(&source).await;
        let archive = dir.join(format!("v{version}.tar.gz"));
        let made = newsroom::backup::make(&source, &source_dir, &archive, &Quiet)
            .await
            .expect("backup at the old schema");
        source.close().await;
        assert!(made.rows >= 9, "{made:?}");

        let mut targets = vec![(
            format!(
                "sqlite://{}",
                dir.join(format!("target-v{version}.db")).display()
            ),
            None,
        )];
        match crate::support::fresh_pg_database().await {
            Some((name, url)) => targets.push((url, Some(name))),
            None => eprintln!("PostgreSQL not reachable; restoring onto SQLite only"),
        }
        for (url, pg_name) in targets {
            let target = Db::connect(&url).await.expect("connect");
            let target_dir = dir.join(format!("target-files-v{version}"));
            let _ = std::fs::remove_dir_all(&target_dir);
            newsroom::backup::restore(&archive, &target, &target_dir, false, &Quiet)
                .await
                .unwrap_or_else(|e| panic!("restore of schema {version} onto {url}: {e}"));
            assert!(
                schema::status(&target).await.expect("status").is_current(),
                "restored and upgraded to the current schema"
            );
            let after = everything(&target).await;
            assert_same_rows(
                &before,
                &after,
                &format!("restored from schema {version} onto {url}"),
            );
            assert_eq!(after["comments"].len(), 2, "{url}");
            target.close().await;
            if let Some(name) = pg_name {
                crate::support::drop_pg_database(&name);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every table of `before` has as many rows in `after`, and each column of each row the same
/// value (added columns aside), in the terms both backends share.
fn assert_same_rows(before: &Tables, after: &Tables, context: &str) {
    for (table, rows) in before {
        let now = &after[table];
        assert_eq!(rows.len(), now.len(), "{table} rows {context}");
        for (was, is) in rows.iter().zip(now) {
            for (column, value) in was {
                assert_eq!(
                    Some(same_terms(value)),
                    is.get(column).map(same_terms),
                    "{table}.{column} {context}"
                );
            }
        }
    }
}

/// A value as both backends can hold it: PostgreSQL reads a boolean where SQLite reads 0 or 1.
fn same_terms(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Bool(b) => serde_json::Value::from(i64::from(*b)),
        other => other.clone(),
    }
}
