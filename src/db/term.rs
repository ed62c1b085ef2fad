//! Terms: categories (hierarchical) and tags. Their rows and SQL.

use crate::db::activity::Audit;
use crate::db::{Db, like_pattern};
use crate::error::Result;
use crate::{log_activity, log_change, on_pool, on_writer};

/// The taxonomy of hierarchical sections.
pub const CATEGORY: &str = "category";
/// The taxonomy of flat keywords.
pub const TAG: &str = "tag";

/// A term row.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct Term {
    pub id: i64,
    pub taxonomy: String,
    pub name: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub description: String,
}

/// A term to insert.
#[derive(Debug, Clone)]
pub struct NewTerm {
    pub taxonomy: String,
    pub name: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub description: String,
}

const COLUMNS: &str = "id, taxonomy, name, slug, parent_id, description";

/// The insert of a term, shared with the import.
pub(crate) const INSERT: &str = "INSERT INTO terms (taxonomy, name, slug, parent_id, description) VALUES ($1, $2, $3, $4, $5) RETURNING id";

/// Insert a term, returning its id; with an `audit`, the activity log names who added it.
pub async fn insert(db: &Db, new: &NewTerm, audit: Option<&Audit>) -> Result<i64> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let id: i64 = sqlx::query_scalar(INSERT)
            .bind(&new.taxonomy)
            .bind(&new.name)
            .bind(&new.slug)
            .bind(new.parent_id)
            .bind(&new.description)
            .fetch_one(&mut *tx)
            .await?;
        log_change!(tx, "term", id, "create")?;
        if let Some(audit) = audit {
            log_activity!(
                tx,
                audit,
                "add term",
                new.taxonomy.as_str(),
                Some(id),
                &new.name
            )?;
        }
        tx.commit().await?;
        Ok(id)
    })
}

/// Change a term's name, slug, parent and description.
pub async fn update(db: &Db, id: i64, patch: &NewTerm, audit: &Audit) -> Result<()> {
    const SQL: &str =
        "UPDATE terms SET name = $2, slug = $3, parent_id = $4, description = $5 WHERE id = $1";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let done = sqlx::query(SQL)
            .bind(id)
            .bind(&patch.name)
            .bind(&patch.slug)
            .bind(patch.parent_id)
            .bind(&patch.description)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::Error::NotFound);
        }
        log_change!(tx, "term", id, "update")?;
        log_activity!(
            tx,
            audit,
            "edit term",
            patch.taxonomy.as_str(),
            Some(id),
            &patch.name
        )?;
        tx.commit().await?;
        Ok(())
    })
}

/// Delete a term; its articles lose it and its child categories move to the top level.
pub async fn delete(db: &Db, id: i64, audit: &Audit) -> Result<bool> {
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        let gone: Option<(String, String)> =
            sqlx::query_as("DELETE FROM terms WHERE id = $1 RETURNING name, taxonomy")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, taxonomy)) = gone else {
            return Ok(false);
        };
        log_change!(tx, "term", id, "delete")?;
        log_activity!(tx, audit, "delete term", taxonomy.as_str(), Some(id), &name)?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Every term of a taxonomy with how many articles (of any status) carry it.
pub async fn all_with_counts(db: &Db, taxonomy: &str) -> Result<Vec<(Term, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        term: Term,
        uses: i64,
    }
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM post_terms pt WHERE pt.term_id = terms.id) AS uses \
         FROM terms WHERE taxonomy = $1 ORDER BY name, id"
    );
    let rows: Vec<Row> = on_pool!(db, |pool| sqlx::query_as::<_, Row>(&sql)
        .bind(taxonomy)
        .fetch_all(pool)
        .await?);
    Ok(rows.into_iter().map(|r| (r.term, r.uses)).collect())
}

/// Tags whose name starts with `prefix` (any case), most used first: the editor's completion.
pub async fn suggest(db: &Db, taxonomy: &str, prefix: &str, limit: i64) -> Result<Vec<String>> {
    const SQL: &str = "SELECT name FROM terms WHERE taxonomy = $1 AND LOWER(name) LIKE $2 ESCAPE '\\' \
         ORDER BY (SELECT COUNT(*) FROM post_terms pt WHERE pt.term_id = terms.id) DESC, name LIMIT $3";
    Ok(on_pool!(db, |pool| sqlx::query_scalar(SQL)
        .bind(taxonomy)
        .bind(like_pattern(prefix, false))
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// Terms with live articles whose name starts with `prefix` (any case), by name: what a search
/// that found nothing suggests.
pub async fn live_starting_with(
    db: &Db,
    taxonomy: &str,
    prefix: &str,
    limit: i64,
) -> Result<Vec<Term>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM terms WHERE taxonomy = $1 AND LOWER(name) LIKE $2 ESCAPE '\\' \
         AND EXISTS (SELECT 1 FROM post_terms pt WHERE pt.term_id = terms.id AND pt.live_at IS NOT NULL) \
         ORDER BY name LIMIT $3"
    );
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Term>(&sql)
        .bind(taxonomy)
        .bind(like_pattern(prefix, false))
        .bind(limit)
        .fetch_all(pool)
        .await?))
}

/// The term of a taxonomy with this slug.
pub async fn by_slug(db: &Db, taxonomy: &str, slug: &str) -> Result<Option<Term>> {
    let sql = format!("SELECT {COLUMNS} FROM terms WHERE taxonomy = $1 AND slug = $2");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Term>(&sql)
        .bind(taxonomy)
        .bind(slug)
        .fetch_optional(pool)
        .await?))
}

/// The term with this id.
pub async fn get(db: &Db, id: i64) -> Result<Option<Term>> {
    let sql = format!("SELECT {COLUMNS} FROM terms WHERE id = $1");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Term>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The terms with these ids (those that exist), in no particular order.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Term>> {
    let select = format!("SELECT {COLUMNS} FROM terms WHERE");
    crate::db::rows_with_ids(db, &select, ids, "").await
}

/// Every term of a taxonomy, by name. Categories are few, so trees are built from this in memory.
pub async fn all(db: &Db, taxonomy: &str) -> Result<Vec<Term>> {
    let sql = format!("SELECT {COLUMNS} FROM terms WHERE taxonomy = $1 ORDER BY name, id");
    Ok(on_pool!(db, |pool| sqlx::query_as::<_, Term>(&sql)
        .bind(taxonomy)
        .fetch_all(pool)
        .await?))
}

/// A term row tagged with the post it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostTerm {
    pub post_id: i64,
    #[sqlx(flatten)]
    pub term: Term,
}

/// The terms of many posts at once (one query for a whole listing).
pub async fn of_posts(db: &Db, post_ids: &[i64]) -> Result<Vec<PostTerm>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT pt.post_id, t.id, t.taxonomy, t.name, t.slug, t.parent_id, t.description \
         FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN ({}) ORDER BY t.name",
        placeholders(post_ids.len())
    );
    on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, PostTerm>(&sql);
        for id in post_ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(pool).await?)
    })
}

/// The ids of `root` and every category below it.
pub fn descendants(all: &[Term], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        for child in all.iter().filter(|t| t.parent_id == Some(parent)) {
            // Skipping ids already taken keeps a cycle in bad data from looping forever.
            if !out.contains(&child.id) {
                out.push(child.id);
            }
        }
        i += 1;
    }
    out
}

/// The chain of categories from the top down to `id`, for `/category/parent/child/` URLs.
pub fn ancestry(all: &[Term], id: i64) -> Vec<&Term> {
    let mut chain = Vec::new();
    let mut next = Some(id);
    while let Some(current) = next {
        let Some(term) = all.iter().find(|t| t.id == current) else {
            break;
        };
        if chain.iter().any(|t: &&Term| t.id == term.id) {
            break;
        }
        chain.push(term);
        next = term.parent_id;
    }
    chain.reverse();
    chain
}

/// `$1, $2, …, $n` for an IN list.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: i64, parent: Option<i64>) -> Term {
        Term {
            id,
            taxonomy: CATEGORY.into(),
            name: format!("t{id}"),
            slug: format!("t{id}"),
            parent_id: parent,
            description: String::new(),
        }
    }

    #[test]
    fn descendants_and_ancestry_follow_parents() {
        let all = vec![
            term(1, None),
            term(2, Some(1)),
            term(3, Some(2)),
            term(4, None),
        ];
        assert_eq!(descendants(&all, 1), vec![1, 2, 3]);
        let chain: Vec<i64> = ancestry(&all, 3).iter().map(|t| t.id).collect();
        assert_eq!(chain, vec![1, 2, 3]);
    }

    #[test]
    fn cycles_end() {
        let all = vec![term(1, Some(2)), term(2, Some(1))];
        assert_eq!(ancestry(&all, 1).len(), 2);
        assert_eq!(descendants(&all, 1), vec![1, 2]);
    }

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(placeholders(3), "$1, $2, $3");
    }
}
