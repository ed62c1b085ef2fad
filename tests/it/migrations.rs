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
