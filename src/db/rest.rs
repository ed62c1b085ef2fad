//! The queries of the WordPress REST API's collections: published articles and pages filtered the
//! way `/wp-json/wp/v2/posts` takes its parameters, with the total for `X-WP-Total`.

use chrono::{DateTime, Utc};

use crate::db::article::{Article, FULL, List};
use crate::db::{Db, like_pattern};
use crate::error::Result;
use crate::on_pool;

/// A collection query (anonymous: published only).
#[derive(Debug, Clone, Default)]
pub struct PostQuery {
    pub kind: String,
    pub search: String,
    pub slugs: Vec<String>,
    pub authors: Vec<i64>,
    /// Groups of term ids (the categories asked for, the tags asked for): an article is in a
    /// group when it carries any of its terms, and must be in every group (WordPress's
    /// `tax_relation=AND`), or in any with `any_group`.
    pub term_groups: Vec<Vec<i64>>,
    pub any_group: bool,
    pub include: Vec<i64>,
    pub exclude: Vec<i64>,
    pub after: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
    /// `date`, `modified`, `id`, `title`, `slug`.
    pub orderby: String,
    pub ascending: bool,
    pub offset: i64,
    pub limit: i64,
    /// Newsroom's status names; empty means published only.
    pub statuses: Vec<String>,
    /// Only this user's own articles unless published (a writer listing drafts sees theirs).
    pub unpublished_of: Option<i64>,
}

impl PostQuery {
    /// The archive list this query reads, when it is one: live articles newest first, all of
    /// them, those of some terms or those of one person, with nothing else asked. Such a page
    /// can be read the way the site's archives read theirs (from a fence, not an offset).
    pub fn archive_list(&self) -> Option<List> {
        let plain = self.kind == crate::db::article::POST
            && self.statuses.is_empty()
            && self.unpublished_of.is_none()
            && self.search.trim().is_empty()
            && self.slugs.is_empty()
            && self.include.is_empty()
            && self.exclude.is_empty()
            && self.after.is_none()
            && self.before.is_none()
            && self.orderby == "date"
            && !self.ascending;
        if !plain {
            return None;
        }
        let groups: Vec<&Vec<i64>> = self.term_groups.iter().filter(|g| !g.is_empty()).collect();
        match (groups.as_slice(), self.authors.as_slice()) {
            ([], []) => Some(List::Newest),
            ([], [author]) => Some(List::Author(*author)),
            ([group], []) => {
                let mut ids = group.to_vec();
                ids.sort_unstable();
                ids.dedup();
                Some(List::Terms(ids))
            }
            _ => None,
        }
    }
}

enum Bind {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

/// One page of published articles or pages, and how many match in all.
pub async fn posts(db: &Db, q: &PostQuery) -> Result<(Vec<Article>, i64)> {
    let mut binds = vec![Bind::Text(q.kind.clone())];
    let mut wheres = vec!["kind = $1".to_string()];
    let next = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if q.statuses.is_empty() {
        wheres.push("status = 'published'".to_string());
    } else {
        let l: Vec<String> = q
            .statuses
            .iter()
            .map(|s| next(&mut binds, Bind::Text(s.clone())))
            .collect();
        wheres.push(format!("status IN ({})", l.join(", ")));
    }
    if let Some(user) = q.unpublished_of {
        let p = next(&mut binds, Bind::Int(user));
        wheres.push(format!(
            "(status = 'published' OR owner_id = {p} OR id IN (SELECT post_id FROM post_authors WHERE user_id = {p}))"
        ));
    }
    let list = |binds: &mut Vec<Bind>, ids: &[i64]| {
        ids.iter()
            .map(|i| next(binds, Bind::Int(*i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !q.slugs.is_empty() {
        let l: Vec<String> = q
            .slugs
            .iter()
            .map(|s| next(&mut binds, Bind::Text(s.clone())))
            .collect();
        wheres.push(format!("slug IN ({})", l.join(", ")));
    }
    if !q.authors.is_empty() {
        let l = list(&mut binds, &q.authors);
        wheres.push(format!(
            "id IN (SELECT post_id FROM post_authors WHERE user_id IN ({l}))"
        ));
    }
    let groups: Vec<String> = q
        .term_groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            let l = list(&mut binds, g);
            format!("id IN (SELECT post_id FROM post_terms WHERE term_id IN ({l}))")
        })
        .collect();
    if !groups.is_empty() {
        let joint = if q.any_group { " OR " } else { " AND " };
        wheres.push(format!("({})", groups.join(joint)));
    }
    if !q.include.is_empty() {
        let l = list(&mut binds, &q.include);
        wheres.push(format!("id IN ({l})"));
    }
    if !q.exclude.is_empty() {
        let l = list(&mut binds, &q.exclude);
        wheres.push(format!("id NOT IN ({l})"));
    }
    if let Some(after) = q.after {
        let p = next(&mut binds, Bind::Time(after));
        wheres.push(format!("published_at > {p}"));
    }
    if let Some(before) = q.before {
        let p = next(&mut binds, Bind::Time(before));
        wheres.push(format!("published_at < {p}"));
    }
    // WordPress's reading of a search: every word or quoted phrase in the title, the summary
    // or the text (a protected article's text is not searched), none of the `-words`.
    let parsed = crate::search::query::parse(&q.search);
    if !q.search.trim().is_empty() && parsed.is_empty() && parsed.excluded.is_empty() {
        // Only punctuation: no word to find, so nothing is found (not everything).
        wheres.push("1 = 0".to_string());
    }
    let wanted = parsed.words.iter().chain(&parsed.phrases).map(|w| (w, ""));
    let refused = parsed.excluded.iter().map(|w| (w, "NOT "));
    for (words, not) in wanted.chain(refused) {
        let p = next(&mut binds, Bind::Text(like_pattern(words, true)));
        wheres.push(format!(
            "{not}(LOWER(title) LIKE {p} ESCAPE '\\' OR LOWER(excerpt) LIKE {p} ESCAPE '\\' \
             OR (password = '' AND LOWER(body_source) LIKE {p} ESCAPE '\\'))"
        ));
    }
    // The count reads the filter's parameters; the order's come after them.
    let counted = binds.len();
    let dir = if q.ascending { "ASC" } else { "DESC" };
    // Where each id or slug stands in the list asked for (WordPress's `post__in` order).
    let as_listed = |column: &str, places: Vec<String>| {
        let whens: Vec<String> = places
            .iter()
            .enumerate()
            .map(|(i, p)| format!("WHEN {p} THEN {i}"))
            .collect();
        format!(
            "CASE {column} {} ELSE {} END, id",
            whens.join(" "),
            places.len()
        )
    };
    let order = match q.orderby.as_str() {
        "include" if !q.include.is_empty() => {
            as_listed("id", q.include.iter().map(i64::to_string).collect())
        }
        "include_slugs" if !q.slugs.is_empty() => {
            let places = q
                .slugs
                .iter()
                .map(|s| next(&mut binds, Bind::Text(s.clone())))
                .collect();
            as_listed("slug", places)
        }
        // The first byline, which the answers call the `author`.
        "author" => format!(
            "COALESCE((SELECT pa.user_id FROM post_authors pa WHERE pa.post_id = posts.id \
             ORDER BY pa.position LIMIT 1), owner_id, 0) {dir}, id {dir}"
        ),
        "id" => format!("id {dir}"),
        "title" => format!("LOWER(title) {dir}, id {dir}"),
        "slug" => format!("slug {dir}, id {dir}"),
        "modified" => format!("modified_at {dir}, id {dir}"),
        _ => format!("published_at {dir}, id {dir}"),
    };
    let filter = wheres.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM posts WHERE {filter}");
    let limit = next(&mut binds, Bind::Int(q.limit));
    let offset = next(&mut binds, Bind::Int(q.offset));
    let sql = format!(
        "SELECT {FULL} FROM posts WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    on_pool!(db, |pool| {
        let mut rows_q = sqlx::query_as::<_, Article>(&sql);
        let mut count_q = sqlx::query_scalar::<_, i64>(&count_sql);
        for (i, b) in binds.iter().enumerate() {
            rows_q = match b {
                Bind::Int(v) => rows_q.bind(*v),
                Bind::Text(v) => rows_q.bind(v.clone()),
                Bind::Time(v) => rows_q.bind(*v),
            };
            if i < counted {
                count_q = match b {
                    Bind::Int(v) => count_q.bind(*v),
                    Bind::Text(v) => count_q.bind(v.clone()),
                    Bind::Time(v) => count_q.bind(*v),
                };
            }
        }
        let rows = rows_q.fetch_all(pool).await?;
        let total = count_q.fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// How many published articles each term has (WordPress's `count`, which counts posts, not
/// pages). Read from the archive index's `live_at` alone: no row of `posts` is visited.
pub async fn term_counts(db: &Db) -> Result<std::collections::HashMap<i64, i64>> {
    const SQL: &str = "SELECT term_id, COUNT(live_at) FROM post_terms GROUP BY term_id";
    let rows: Vec<(i64, i64)> = on_pool!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await?);
    Ok(rows.into_iter().collect())
}

/// Approved comments of published, unprotected articles (optionally of some articles), newest
/// first unless `ascending`; and how many in all. With `held` (a moderator's list), the comments
/// of that status on any article instead.
pub async fn comments(
    db: &Db,
    posts: &[i64],
    held: Option<&str>,
    offset: i64,
    limit: i64,
    ascending: bool,
) -> Result<(Vec<crate::db::comment::Comment>, i64)> {
    let mut filter = match held {
        // Statuses are the fixed names of `comment::status`, never a client's text.
        Some(s) if crate::db::comment::status::ALL.contains(&s) => format!("c.status = '{s}'"),
        _ => "c.status = 'approved' AND p.status = 'published' AND p.password = ''".to_string(),
    };
    if !posts.is_empty() {
        filter.push_str(&format!(
            " AND c.post_id IN ({})",
            crate::db::term::placeholders(posts.len())
        ));
    }
    let n = posts.len();
    let dir = if ascending { "ASC" } else { "DESC" };
    let from = format!("FROM comments c JOIN posts p ON p.id = c.post_id WHERE {filter}");
    let sql = format!(
        "SELECT c.id, c.post_id, c.parent_id, c.user_id, c.author_name, c.author_email, c.author_url, c.author_ip, \
         c.user_agent, c.content, c.status, c.reason, c.created_at {from} \
         ORDER BY c.created_at {dir}, c.id {dir} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    on_pool!(db, |pool| {
        let mut q = sqlx::query_as::<_, crate::db::comment::Comment>(&sql);
        let mut c = sqlx::query_scalar::<_, i64>(&count_sql);
        for id in posts {
            q = q.bind(*id);
            c = c.bind(*id);
        }
        let rows = q.bind(limit).bind(offset).fetch_all(pool).await?;
        Ok((rows, c.fetch_one(pool).await?))
    })
}

/// Pictures that published, unprotected articles use (what readers can already see), newest
/// first, with words in the title, alt text or caption; and how many in all. A picture only a
/// draft uses stays private: it may be embargoed.
pub async fn public_media(
    db: &Db,
    search: &str,
    only: Option<i64>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<crate::db::media::Media>, i64)> {
    let filter = "EXISTS (SELECT 1 FROM post_media pm JOIN posts p ON p.id = pm.post_id \
         WHERE pm.media_id = media.id AND p.status = 'published' AND p.password = '') \
         AND ($1 = '' OR LOWER(title) LIKE $2 ESCAPE '\\' OR LOWER(alt) LIKE $2 ESCAPE '\\' OR LOWER(caption) LIKE $2 ESCAPE '\\') \
         AND ($3 = 0 OR id = $3)";
    let sql = format!(
        "SELECT id, source_hash, owner_id, title, alt, caption, credit, source_format, width, height, \
         original_key, original_bytes, variants, created_at FROM media WHERE {filter} \
         ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5"
    );
    let count = format!("SELECT COUNT(*) FROM media WHERE {filter}");
    let pattern = like_pattern(search, true);
    let search = search.trim();
    let only = only.unwrap_or(0);
    on_pool!(db, |pool| {
        let rows = sqlx::query_as::<_, crate::db::media::Media>(&sql)
            .bind(search)
            .bind(&pattern)
            .bind(only)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await?;
        let total: i64 = sqlx::query_scalar(&count)
            .bind(search)
            .bind(&pattern)
            .bind(only)
            .fetch_one(pool)
            .await?;
        Ok((rows, total))
    })
}

/// The people in the byline of at least one published article or page.
pub async fn published_authors(db: &Db) -> Result<std::collections::HashSet<i64>> {
    // Articles from the archive index's `live_at`; pages (few) through their own index.
    const SQL: &str = "SELECT user_id FROM post_authors WHERE live_at IS NOT NULL \
         UNION SELECT pa.user_id FROM posts p JOIN post_authors pa ON pa.post_id = p.id \
         WHERE p.kind = 'page' AND p.status = 'published'";
    let rows: Vec<i64> = on_pool!(db, |pool| sqlx::query_scalar(SQL).fetch_all(pool).await?);
    Ok(rows.into_iter().collect())
}
