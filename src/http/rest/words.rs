//! Lists chosen by words (`/wp/v2/posts?search=`, `/wp/v2/search`) answered from the search
//! index, as the site's own search page is: words in any form, in titles, summaries, texts,
//! sections and bylines, in milliseconds at any size, where reading every row took ~50 ms at
//! 10,000 articles. Lists the index cannot answer (pages, drafts, slugs, other orders) and the
//! moments it cannot answer yet are read from the database.

use std::time::Duration;

use crate::app::AppState;
use crate::db::article::{self as articles, Article};
use crate::db::rest::PostQuery;
use crate::error::Result;
use crate::search::{self, Order};

/// How long a search waits for the index to take in writes made before it (the follower runs
/// at once when asked, and applies a write in milliseconds); then the database answers.
const INDEX_WAIT: Duration = Duration::from_secs(2);

/// The index's request and order for a list, when the index holds what it asks for: live
/// articles with words, filtered by terms, people and publication dates only, by date or by
/// relevance.
pub fn indexed(q: &PostQuery) -> Option<(search::Request, Order)> {
    let groups: Vec<Vec<i64>> = q
        .term_groups
        .iter()
        .filter(|g| !g.is_empty())
        .cloned()
        .collect();
    let plain = q.kind == articles::POST
        && q.statuses.is_empty()
        && q.unpublished_of.is_none()
        && !search::query::parse(&q.search).is_empty()
        && q.slugs.is_empty()
        && q.include.is_empty()
        && q.exclude.is_empty()
        && !(q.any_group && groups.len() > 1);
    let order = match (q.orderby.as_str(), q.ascending) {
        ("relevance", _) => Order::Relevance,
        ("date", false) => Order::Newest,
        ("date", true) => Order::Oldest,
        _ => return None,
    };
    if !plain {
        return None;
    }
    let request = search::Request {
        text: q.search.clone(),
        term_groups: groups,
        author_ids: q.authors.clone(),
        // The index keeps whole seconds; `after` is exclusive, as WordPress reads it.
        from: q.after.map(|t| t + chrono::Duration::seconds(1)),
        to: q.before,
        offset: usize::try_from(q.offset).unwrap_or(0),
        limit: usize::try_from(q.limit).unwrap_or(0),
    };
    Some((request, order))
}

/// The page of a list `indexed` can answer and how many it holds in all, from the index once it
/// has taken in every write made before; None when the database must answer.
pub async fn from_index(state: &AppState, q: &PostQuery) -> Result<Option<(Vec<Article>, i64)>> {
    let Some((request, order)) = indexed(q) else {
        return Ok(None);
    };
    if !search::follow::current(state.db(), state.search(), INDEX_WAIT).await? {
        return Ok(None);
    }
    let found = state.search().matching(&request, order)?;
    // Found by sections' and bylines' names too: kept until the index changes, as the search
    // page is.
    crate::cache::deps::note(crate::cache::deps::Tag::Search);
    let now = crate::db::now();
    // The database has the last word: an article unpublished a moment ago is not listed even if
    // the index has not heard yet.
    let rows = articles::full_in_order(state.db(), &found.ids)
        .await?
        .into_iter()
        .filter(|a| a.kind == articles::POST && a.is_live(now))
        .collect();
    Ok(Some((rows, i64::try_from(found.total).unwrap_or(i64::MAX))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> PostQuery {
        PostQuery {
            kind: articles::POST.into(),
            search: text.into(),
            orderby: "date".into(),
            limit: 10,
            ..PostQuery::default()
        }
    }

    #[test]
    fn the_index_answers_live_articles_by_words_dates_terms_and_people() {
        let (r, order) = indexed(&PostQuery {
            term_groups: vec![vec![3, 4], vec![], vec![9]],
            authors: vec![2],
            offset: 20,
            ..words("ceasefire talks")
        })
        .unwrap();
        assert_eq!(order, Order::Newest);
        assert_eq!(r.term_groups, vec![vec![3, 4], vec![9]]);
        assert_eq!((r.author_ids, r.offset, r.limit), (vec![2], 20, 10));
        let relevance = PostQuery {
            orderby: "relevance".into(),
            ..words("talks")
        };
        assert_eq!(indexed(&relevance).unwrap().1, Order::Relevance);
    }

    #[test]
    fn the_database_answers_what_the_index_does_not_hold() {
        let cases = [
            PostQuery {
                kind: articles::PAGE.into(),
                ..words("about")
            },
            PostQuery {
                statuses: vec!["draft".into()],
                ..words("talks")
            },
            PostQuery {
                slugs: vec!["talks".into()],
                ..words("talks")
            },
            PostQuery {
                orderby: "title".into(),
                ..words("talks")
            },
            PostQuery {
                include: vec![1],
                ..words("talks")
            },
            PostQuery {
                term_groups: vec![vec![1], vec![2]],
                any_group: true,
                ..words("talks")
            },
            words("-gaza"),
            words(""),
        ];
        for q in cases {
            assert!(indexed(&q).is_none(), "{q:?}");
        }
    }
}
