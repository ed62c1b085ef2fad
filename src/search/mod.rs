//! Full-text search over live articles with tantivy: the index lives in the data folder
//! (`search/`), follows the change log (`follow`), rebuilds itself when missing, corrupt or of an
//! older layout, and answers searches (BM25, title first, newer first on a tie) and "related
//! articles" (more like this).

pub mod follow;
pub mod query;
mod stem;
mod words;

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, InvertedIndexRangeQuery, MoreLikeThisQuery, Occur, PhraseQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, TantivyDocument, Term,
};

use crate::content::text;
use crate::db::article::Article;
use crate::db::term::Term as SiteTerm;
use crate::db::user::User;
use crate::error::{Error, Result};

/// Bumped whenever the fields or analysis change: an index of another layout is rebuilt.
const LAYOUT: &str = "newsroom-search-2";

/// The analyzer every text field uses.
const ANALYZER: &str = "news";

/// The fields of an indexed article.
#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    excerpt: Field,
    body: Field,
    terms: Field,
    authors: Field,
    term_ids: Field,
    author_ids: Field,
    published: Field,
}

/// Text fields searched for a word, with their weight: a match in the title counts most.
const WEIGHTS: [(&str, Score); 5] = [
    ("title", 3.0),
    ("terms", 2.0),
    ("authors", 2.0),
    ("excerpt", 1.5),
    ("body", 1.0),
];

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { o.set_stored() } else { o }
    };
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text(true)),
        excerpt: b.add_text_field("excerpt", text(false)),
        body: b.add_text_field("body", text(true)),
        terms: b.add_text_field("terms", text(false)),
        authors: b.add_text_field("authors", text(false)),
        term_ids: b.add_u64_field("term_ids", INDEXED),
        author_ids: b.add_u64_field("author_ids", INDEXED),
        published: b.add_i64_field("published", INDEXED | FAST),
    };
    (b.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(words::WordTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(stem::ScriptStemmer)
        .build()
}

fn engine_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("search index: {e}"))
}

/// The search index of one node; cheap to clone.
#[derive(Clone)]
pub struct Search {
    inner: Arc<Engine>,
}

struct Engine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
    /// The last change-log entry the index reflects (its commit payload); watched by those
    /// waiting for the index to catch up with a write (`reach`).
    cursor: tokio::sync::watch::Sender<i64>,
    /// Asks the follower to run now rather than at its next tick.
    wanted: tokio::sync::Notify,
    /// A wait for the follower timed out and the cursor has not moved since: later searches do
    /// not wait for a follower that is stuck (they are answered from the database meanwhile).
    lagging: std::sync::atomic::AtomicBool,
    /// Told of each commit before anyone waiting for it is woken (the page cache drops its search
    /// answers there, so an answer built for a waiter is not dropped by the commit it waited for).
    on_commit: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// One writer at a time (tantivy's own lock would refuse a second).
    writing: tokio::sync::Mutex<()>,
    /// Made empty at opening: it must be filled from the database before it follows the log.
    fresh: std::sync::atomic::AtomicBool,
    /// How many times this node changed the index.
    commits: std::sync::atomic::AtomicU64,
    /// Related articles already worked out, by (article, how many): "more like this" reads and
    /// stems the whole article and was a third of an uncached article page's time.
    related_memo: quick_cache::sync::Cache<(i64, usize), Arc<Remembered>>,
}

/// Related articles as the index gave them after `commits` commits, at `at`.
struct Remembered {
    commits: u64,
    at: std::time::Instant,
    ids: Vec<i64>,
}

/// How long remembered related articles may serve after the index changed (a new article
/// may be more alike; an unpublished one is dropped anyway, as results are re-read).
const RELATED_KEPT: std::time::Duration = std::time::Duration::from_secs(300);

/// How many articles' related lists are remembered.
const RELATED_MEMO_ENTRIES: usize = 20_000;

/// A search as a reader asks it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub text: String,
    /// Groups of terms (a category and its children; the tags asked for): a match carries a
    /// term of every group.
    pub term_groups: Vec<Vec<i64>>,
    /// A match has one of these people among its authors (any, when empty).
    pub author_ids: Vec<i64>,
    /// Published in `[from, to)`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub offset: usize,
    pub limit: usize,
}

/// One result: the article's id and its highlighted title and passage (escaped HTML with
/// `<mark>`; empty when no word of the search is in them).
#[derive(Debug, Clone)]
pub struct Hit {
    pub id: i64,
    pub title_html: String,
    pub snippet_html: String,
}

/// How the articles a search matches are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Best match first, a newer one first on a tie (as the search page lists them).
    Relevance,
    Newest,
    Oldest,
}

/// The articles having every word of a search, one page of them in order.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    /// How many there are in all.
    pub total: usize,
    pub ids: Vec<i64>,
}

/// What a search found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// No article had every word, so these have some of them.
    pub relaxed: bool,
}

impl Search {
    /// Open the index in `dir`, or make an empty one (and say it must be filled) when it is
    /// missing, unreadable or of another layout.
    pub fn open(dir: &Path) -> Result<(Search, bool)> {
        match Self::open_existing(dir) {
            Ok(Some(s)) => return Ok((s, false)),
            Ok(None) => {}
            Err(e) => tracing::warn!(
                "search index in {} is unusable ({e}); rebuilding",
                dir.display()
            ),
        }
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(engine_error)?;
        }
        std::fs::create_dir_all(dir).map_err(engine_error)?;
        let (schema, _) = schema();
        let index = Index::create_in_dir(dir, schema).map_err(engine_error)?;
        std::fs::write(dir.join("LAYOUT"), LAYOUT).map_err(engine_error)?;
        // Record a position at once, so another process opening the folder finds a whole index.
        let writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(1, 15_000_000)
            .map_err(engine_error)?;
        commit_at(writer, 0)?;
        let s = Self::wrap(index, dir, 0)?;
        s.inner.fresh.store(true, Ordering::Release);
        Ok((s, true))
    }

    fn open_existing(dir: &Path) -> std::result::Result<Option<Search>, String> {
        match std::fs::read_to_string(dir.join("LAYOUT")) {
            Ok(l) if l == LAYOUT => {}
            _ => return Ok(None),
        }
        let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
        let metas = index.load_metas().map_err(|e| e.to_string())?;
        let cursor = metas
            .payload
            .as_deref()
            .and_then(|p| p.parse().ok())
            .ok_or("no change-log position recorded")?;
        // Open every segment now, so a damaged file shows here and not under a reader.
        let s = Self::wrap(index, dir, cursor).map_err(|e| e.to_string())?;
        let searcher = s.inner.reader.searcher();
        for segment in searcher.segment_readers() {
            segment.get_store_reader(1).map_err(|e| e.to_string())?;
        }
        Ok(Some(s))
    }

    fn wrap(index: Index, dir: &Path, cursor: i64) -> Result<Search> {
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            // Our own commits reload at once; this also picks up a `newsroom reindex` run beside.
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(engine_error)?;
        let (_, fields) = schema();
        Ok(Search {
            inner: Arc::new(Engine {
                index,
                reader,
                fields,
                dir: dir.to_path_buf(),
                cursor: tokio::sync::watch::Sender::new(cursor),
                wanted: tokio::sync::Notify::new(),
                lagging: std::sync::atomic::AtomicBool::new(false),
                on_commit: std::sync::OnceLock::new(),
                writing: tokio::sync::Mutex::new(()),
                fresh: std::sync::atomic::AtomicBool::new(false),
                commits: std::sync::atomic::AtomicU64::new(0),
                related_memo: quick_cache::sync::Cache::new(RELATED_MEMO_ENTRIES),
            }),
        })
    }

    /// The folder the index lives in.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Whether the index was made empty at opening and has not been filled since.
    pub fn is_fresh(&self) -> bool {
        self.inner.fresh.load(Ordering::Acquire)
    }

    /// How many times this node changed the index (what it answers may differ after each).
    pub fn commits(&self) -> u64 {
        self.inner.commits.load(Ordering::Acquire)
    }

    /// The last change-log entry the index reflects.
    pub fn cursor(&self) -> i64 {
        *self.inner.cursor.borrow()
    }

    /// Note that the index reflects the log up to `cursor` when those entries changed nothing in
    /// it (comments, settings): no commit is needed for them.
    pub fn advance(&self, cursor: i64) {
        let moved = self.inner.cursor.send_if_modified(|c| {
            let later = cursor > *c;
            if later {
                *c = cursor;
            }
            later
        });
        if moved {
            self.inner.lagging.store(false, Ordering::Release);
        }
    }

    /// Wait (up to `within`) until the index reflects the change log up to entry `id`, asking
    /// the follower to run now; whether it does. What a client just wrote is then found by the
    /// search it makes next. Once a wait has timed out, later ones do not wait until the index
    /// moves again.
    pub async fn reach(&self, id: i64, within: std::time::Duration) -> bool {
        let mut seen = self.inner.cursor.subscribe();
        self.inner.wanted.notify_one();
        if self.inner.lagging.load(Ordering::Acquire) {
            return *seen.borrow() >= id;
        }
        let reached = tokio::time::timeout(within, seen.wait_for(|c| *c >= id))
            .await
            .is_ok_and(|r| r.is_ok());
        if !reached {
            self.inner.lagging.store(true, Ordering::Release);
        }
        reached
    }

    /// Call `f` at each commit of the index, before those waiting for it are woken (once per
    /// index; a second hook is ignored).
    pub fn on_commit(&self, f: impl Fn() + Send + Sync + 'static) {
        let _ = self.inner.on_commit.set(Box::new(f));
    }

    /// A commit changed what the index answers: tell the hook, then the waiters.
    fn committed(&self, cursor: i64) {
        self.inner.commits.fetch_add(1, Ordering::AcqRel);
        if let Some(hook) = self.inner.on_commit.get() {
            hook();
        }
        self.advance(cursor);
    }

    /// Resolves when someone waits for the index (`reach`): the follower's cue to run at once.
    pub async fn wanted(&self) {
        self.inner.wanted.notified().await
    }

    /// How many articles are indexed.
    pub fn len(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An index document for a live article with its terms and bylines.
    fn document(&self, a: &Article, terms: &[&SiteTerm], authors: &[&User]) -> TantivyDocument {
        let f = self.inner.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, a.id as u64);
        doc.add_text(f.title, &a.title);
        if a.password.is_empty() {
            // A protected article is found by its title only: its text is for those with the password.
            doc.add_text(f.excerpt, &a.excerpt);
            doc.add_text(f.body, text::plain(&a.body_html));
        }
        for t in terms {
            doc.add_text(f.terms, &t.name);
            doc.add_u64(f.term_ids, t.id as u64);
        }
        for u in authors {
            doc.add_text(f.authors, &u.display_name);
            doc.add_u64(f.author_ids, u.id as u64);
        }
        doc.add_i64(
            f.published,
            a.published_at.unwrap_or(a.created_at).timestamp(),
        );
        doc
    }

    /// The index documents of a batch's articles, with their ids.
    fn documents(&self, batch: &Batch) -> Vec<(i64, TantivyDocument)> {
        batch
            .upserts
            .iter()
            .map(|(a, terms, users)| {
                let terms: Vec<&SiteTerm> = terms.iter().collect();
                let users: Vec<&User> = users.iter().collect();
                (a.id, self.document(a, &terms, &users))
            })
            .collect()
    }

    /// Apply a batch: replace the documents of `upserts`, remove `removals`, record `cursor`.
    /// With `clear`, everything else is dropped first (a rebuild's first batch).
    pub async fn write(&self, batch: Batch, cursor: i64) -> Result<()> {
        let _one = self.inner.writing.lock().await;
        let engine = self.inner.clone();
        let docs = self.documents(&batch);
        let removals = batch.removals;
        tokio::task::spawn_blocking(move || -> Result<()> {
            let writer: IndexWriter<TantivyDocument> = engine
                .index
                .writer_with_num_threads(1, 32_000_000)
                .map_err(engine_error)?;
            for id in removals.iter().chain(docs.iter().map(|(id, _)| id)) {
                writer.delete_term(Term::from_field_u64(engine.fields.id, *id as u64));
            }
            for (_, doc) in docs {
                writer.add_document(doc).map_err(engine_error)?;
            }
            commit_at(writer, cursor)?;
            engine.reader.reload().map_err(engine_error)?;
            Ok(())
        })
        .await
        .map_err(engine_error)??;
        self.committed(cursor);
        Ok(())
    }

    /// Refill the index from the batches `batches` brings, replacing everything, and record
    /// `cursor`. Uses up to four cores.
    pub async fn rebuild(
        &self,
        cursor: i64,
        mut batches: tokio::sync::mpsc::Receiver<Result<Batch>>,
    ) -> Result<usize> {
        let _one = self.inner.writing.lock().await;
        let engine = self.inner.clone();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .min(4);
        let writer: Arc<IndexWriter<TantivyDocument>> = Arc::new(
            tokio::task::spawn_blocking(move || {
                engine
                    .index
                    .writer_with_num_threads(threads, 64_000_000 * threads)
            })
            .await
            .map_err(engine_error)?
            .map_err(engine_error)?,
        );
        writer.delete_all_documents().map_err(engine_error)?;
        let mut count = 0;
        // Read the next batch from the database while this one is handed to the indexer.
        let mut pending: Option<tokio::task::JoinHandle<Result<()>>> = None;
        while let Some(batch) = batches.recv().await {
            let batch = batch?;
            let docs: Vec<TantivyDocument> =
                self.documents(&batch).into_iter().map(|(_, d)| d).collect();
            count += docs.len();
            if let Some(p) = pending.take() {
                p.await.map_err(engine_error)??;
            }
            let w = writer.clone();
            pending = Some(tokio::task::spawn_blocking(move || {
                for doc in docs {
                    w.add_document(doc).map_err(engine_error)?;
                }
                Ok(())
            }));
        }
        if let Some(p) = pending.take() {
            p.await.map_err(engine_error)??;
        }
        let engine = self.inner.clone();
        tokio::task::spawn_blocking(move || -> Result<()> {
            let writer = Arc::into_inner(writer)
                .ok_or_else(|| Error::Internal("search writer still shared".into()))?;
            commit_at(writer, cursor)?;
            engine.reader.reload().map_err(engine_error)?;
            Ok(())
        })
        .await
        .map_err(engine_error)??;
        self.inner.fresh.store(false, Ordering::Release);
        self.committed(cursor);
        Ok(count)
    }

    /// The analyzed tokens of a word or phrase, as the index holds them.
    fn tokens(&self, text: &str) -> Vec<String> {
        let mut a = analyzer();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    fn field(&self, name: &str) -> Field {
        let f = self.inner.fields;
        match name {
            "title" => f.title,
            "terms" => f.terms,
            "authors" => f.authors,
            "excerpt" => f.excerpt,
            _ => f.body,
        }
    }

    /// The query of a search text: all words (or any, `all == false`), every phrase, and none of
    /// the excluded words.
    fn text_query(&self, parsed: &query::Parsed, all: bool) -> Option<Box<dyn Query>> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let word_occur = if all { Occur::Must } else { Occur::Should };
        for word in &parsed.words {
            let tokens = self.tokens(word);
            if tokens.is_empty() {
                continue;
            }
            if tokens.len() > 1 {
                // Characters of an unspaced script: the word is the phrase they make.
                parts.push((word_occur, self.phrase_query(&tokens)));
                continue;
            }
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for token in &tokens {
                for (name, weight) in WEIGHTS {
                    let term = Term::from_field_text(self.field(name), token);
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                            weight,
                        )),
                    ));
                }
            }
            if parsed.prefix.as_deref() == Some(word.as_str()) {
                // The word being typed also matches as the start of a longer word.
                for name in ["title", "body"] {
                    let q = longer_words(self.field(name), word, tokens.contains(word));
                    alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), 0.5))));
                }
            }
            parts.push((word_occur, Box::new(BooleanQuery::new(alternatives))));
        }
        for phrase in &parsed.phrases {
            let tokens = self.tokens(phrase);
            if tokens.len() < 2 {
                continue;
            }
            parts.push((Occur::Must, self.phrase_query(&tokens)));
        }
        if parts.is_empty() {
            return None;
        }
        for word in &parsed.excluded {
            let tokens = self.tokens(word);
            let refused: Box<dyn Query> = if tokens.len() > 1 {
                self.phrase_query(&tokens)
            } else if let Some(token) = tokens.first() {
                Box::new(BooleanQuery::new(
                    ["title", "excerpt", "body"]
                        .iter()
                        .map(|name| {
                            let term = Term::from_field_text(self.field(name), token);
                            (
                                Occur::Should,
                                Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                                    as Box<dyn Query>,
                            )
                        })
                        .collect(),
                ))
            } else {
                continue;
            };
            parts.push((Occur::MustNot, refused));
        }
        Some(Box::new(BooleanQuery::new(parts)))
    }

    /// These tokens in this order in the title, the summary or the text.
    fn phrase_query(&self, tokens: &[String]) -> Box<dyn Query> {
        let alternatives: Vec<(Occur, Box<dyn Query>)> = ["title", "excerpt", "body"]
            .iter()
            .map(|name| {
                let field = self.field(name);
                let terms = tokens
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect();
                (
                    Occur::Should,
                    Box::new(PhraseQuery::new(terms)) as Box<dyn Query>,
                )
            })
            .collect();
        Box::new(BooleanQuery::new(alternatives))
    }

    /// Filters of a request, as required clauses.
    fn filters(&self, r: &Request) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.inner.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let any_of = |field: Field, ids: &[i64]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                ids.iter()
                    .map(|id| {
                        (
                            Occur::Should,
                            Box::new(TermQuery::new(
                                Term::from_field_u64(field, *id as u64),
                                IndexRecordOption::Basic,
                            )) as Box<dyn Query>,
                        )
                    })
                    .collect(),
            ))
        };
        for group in r.term_groups.iter().filter(|g| !g.is_empty()) {
            out.push((Occur::Must, any_of(f.term_ids, group)));
        }
        if !r.author_ids.is_empty() {
            out.push((Occur::Must, any_of(f.author_ids, &r.author_ids)));
        }
        if r.from.is_some() || r.to.is_some() {
            let bound = |at: Option<DateTime<Utc>>, inclusive: bool| match at {
                None => Bound::Unbounded,
                Some(t) if inclusive => {
                    Bound::Included(Term::from_field_i64(f.published, t.timestamp()))
                }
                Some(t) => Bound::Excluded(Term::from_field_i64(f.published, t.timestamp())),
            };
            out.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(r.from, true), bound(r.to, false))),
            ));
        }
        out
    }

    /// Search: every word first; if nothing has them all, any of them (`relaxed`).
    pub fn search(&self, r: &Request) -> Result<Found> {
        let parsed = query::parse(&r.text);
        if parsed.is_empty() || r.limit == 0 {
            return Ok(Found::default());
        }
        let found = self.run(&parsed, r, true)?;
        if found.total > 0 || parsed.words.len() + parsed.phrases.len() < 2 {
            return Ok(found);
        }
        let mut any = self.run(&parsed, r, false)?;
        any.relaxed = any.total > 0;
        Ok(any)
    }

    /// The whole query of a search: its words (all of them, or any) and its filters.
    fn query(&self, parsed: &query::Parsed, r: &Request, all: bool) -> Option<BooleanQuery> {
        let text_query = self.text_query(parsed, all)?;
        let mut clauses = vec![(Occur::Must, text_query)];
        clauses.extend(self.filters(r));
        Some(BooleanQuery::new(clauses))
    }

    /// The articles having every word of `r.text` that pass its filters, the page `r.offset` and
    /// `r.limit` ask for, in `order`; no snippets. What the REST API's searches list.
    pub fn matching(&self, r: &Request, order: Order) -> Result<Matches> {
        let parsed = query::parse(&r.text);
        let Some(q) = self.query(&parsed, r, true) else {
            return Ok(Matches::default());
        };
        if r.limit == 0 {
            return Ok(Matches::default());
        }
        let searcher = self.inner.reader.searcher();
        let (total, docs) = match order {
            Order::Relevance => self.ranked(&searcher, &q, r)?,
            Order::Newest | Order::Oldest => {
                let direction = if order == Order::Newest {
                    tantivy::Order::Desc
                } else {
                    tantivy::Order::Asc
                };
                // Publication time, then id, as the database orders its lists.
                use tantivy::collector::sort_key::SortByStaticFastValue;
                let key = (
                    (
                        SortByStaticFastValue::<i64>::for_field("published"),
                        direction,
                    ),
                    (SortByStaticFastValue::<u64>::for_field("id"), direction),
                );
                let top = TopDocs::with_limit(r.limit)
                    .and_offset(r.offset)
                    .order_by(key);
                let (docs, total) = searcher.search(&q, &(top, Count)).map_err(engine_error)?;
                (total, docs.into_iter().map(|(_, d)| d).collect())
            }
        };
        let mut ids = Vec::with_capacity(docs.len());
        for address in docs {
            let id = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("id")
                .ok()
                .and_then(|c| c.first(address.doc_id));
            ids.extend(id.map(|id| id as i64));
        }
        Ok(Matches { total, ids })
    }

    /// The page `r.offset`/`r.limit` of the matches of `q` by relevance, and how many match.
    fn ranked(
        &self,
        searcher: &tantivy::Searcher,
        q: &BooleanQuery,
        r: &Request,
    ) -> Result<(usize, Vec<DocAddress>)> {
        // Two phases, so the engine can skip blocks that cannot make the top (block-max WAND):
        // the best by relevance alone, then those re-ranked with their age. Counting is its own
        // pass, which needs no scores.
        let limit = r.limit.clamp(1, 100);
        if r.offset > MAX_RANKED {
            // Ranking that deep would hold every match in memory: the count alone is answered.
            return Ok((
                searcher.search(q, &Count).map_err(engine_error)?,
                Vec::new(),
            ));
        }
        let offset = r.offset;
        let pool = offset + limit + RERANK_EXTRA;
        let best = searcher
            .search(q, &TopDocs::with_limit(pool).order_by_score())
            .map_err(engine_error)?;
        let total = if best.len() < pool {
            best.len()
        } else {
            searcher.search(q, &Count).map_err(engine_error)?
        };
        let now = Utc::now().timestamp();
        let mut ranked: Vec<(Score, DocAddress)> = best
            .into_iter()
            .map(|(score, address)| {
                let at = searcher
                    .segment_reader(address.segment_ord)
                    .fast_fields()
                    .i64("published")
                    .ok()
                    .and_then(|c| c.first(address.doc_id))
                    .unwrap_or(now);
                (score * recency(now - at), address)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let docs = ranked
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(_, d)| d)
            .collect();
        Ok((total, docs))
    }

    fn run(&self, parsed: &query::Parsed, r: &Request, all: bool) -> Result<Found> {
        let Some(q) = self.query(parsed, r, all) else {
            return Ok(Found::default());
        };
        let searcher = self.inner.reader.searcher();
        let (total, docs) = self.ranked(&searcher, &q, r)?;
        let f = self.inner.fields;
        let mut title_snippets =
            SnippetGenerator::create(&searcher, &q, f.title).map_err(engine_error)?;
        title_snippets.set_max_num_chars(300);
        let mut body_snippets =
            SnippetGenerator::create(&searcher, &q, f.body).map_err(engine_error)?;
        body_snippets.set_max_num_chars(220);
        let mut hits = Vec::with_capacity(docs.len());
        for address in docs {
            let doc: TantivyDocument = searcher.doc(address).map_err(engine_error)?;
            let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) else {
                continue;
            };
            let mut title = title_snippets.snippet_from_doc(&doc);
            title.set_snippet_prefix_postfix("<mark>", "</mark>");
            // The passage is looked for in the opening of the text (news puts what matters
            // first); reading whole bodies for ten results would cost more than the search.
            let text = doc
                .get_first(f.body)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let mut body = body_snippets.snippet(opening(text, SNIPPET_SOURCE_BYTES));
            body.set_snippet_prefix_postfix("<mark>", "</mark>");
            hits.push(Hit {
                id: id as i64,
                title_html: if title.highlighted().is_empty() {
                    String::new()
                } else {
                    title.to_html()
                },
                snippet_html: if body.highlighted().is_empty() {
                    String::new()
                } else {
                    body.to_html()
                },
            });
        }
        Ok(Found {
            total,
            hits,
            relaxed: false,
        })
    }

    /// Up to `limit` articles most like article `id` in words (more like this), best first.
    pub fn related(&self, id: i64, limit: usize) -> Result<Vec<i64>> {
        let commits = self.commits();
        if let Some(r) = self.inner.related_memo.get(&(id, limit))
            && (r.commits == commits || r.at.elapsed() < RELATED_KEPT)
        {
            return Ok(r.ids.clone());
        }
        let Some(ids) = self.related_now(id, limit)? else {
            // Not in the index yet (published this second): nothing to remember.
            return Ok(Vec::new());
        };
        let remembered = Remembered {
            commits,
            at: std::time::Instant::now(),
            ids: ids.clone(),
        };
        self.inner
            .related_memo
            .insert((id, limit), Arc::new(remembered));
        Ok(ids)
    }

    fn related_now(&self, id: i64, limit: usize) -> Result<Option<Vec<i64>>> {
        let f = self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let me = Term::from_field_u64(f.id, id as u64);
        let found = searcher
            .search(
                &TermQuery::new(me.clone(), IndexRecordOption::Basic),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(engine_error)?;
        let Some((_, address)) = found.first() else {
            return Ok(None);
        };
        let address: DocAddress = *address;
        let docs = searcher.num_docs();
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency(max_doc_frequency(docs))
            .with_min_term_frequency(1)
            .with_min_word_length(3)
            .with_max_query_terms(30)
            .with_stop_words(STOP_WORDS.iter().map(|w| w.to_string()).collect())
            .with_document(address);
        let q = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like) as Box<dyn Query>),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(me, IndexRecordOption::Basic)),
            ),
        ]);
        let top = searcher
            .search(&q, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(engine_error)?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(engine_error)?;
            if let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) {
                ids.push(id as i64);
            }
        }
        Ok(Some(ids))
    }
}

/// The most articles a word may be in and still say what an article is about ("more like
/// this"). A quarter of a small site; on a large one a word in more than a twentieth of the
/// articles says little and reading its list would make each related search cost O(articles),
/// so the share shrinks and is capped: a search reads at most 30 lists of at most 20,000.
fn max_doc_frequency(docs: u64) -> u64 {
    (docs / 4).min(100 + docs / 20).clamp(2, 20_000)
}

/// Commit what `writer` holds with the change-log position it reflects (the commit payload a
/// restart resumes from), and let its merges finish.
fn commit_at(mut writer: IndexWriter<TantivyDocument>, cursor: i64) -> Result<()> {
    let mut commit = writer.prepare_commit().map_err(engine_error)?;
    commit.set_payload(&cursor.to_string());
    commit.commit().map_err(engine_error)?;
    writer.wait_merging_threads().map_err(engine_error)
}

/// Candidates beyond the page re-ranked with their age (a newer article can overtake an older
/// one this far down by relevance).
const RERANK_EXTRA: usize = 40;

/// The deepest a list by relevance is read (a page beyond it is empty; lists by date go on).
const MAX_RANKED: usize = 10_000;

/// Indexed words of `field` that start with `prefix` (up to 30 of them), leaving out `prefix`
/// itself when `asked_already`: a common word's own list is the longest one read, and the
/// word's term queries read it already (this clause read it a second time, a sixth of the time
/// of a search for a word in half the articles).
fn longer_words(field: Field, prefix: &str, asked_already: bool) -> InvertedIndexRangeQuery {
    let start = Term::from_field_text(field, prefix);
    let lower = if asked_already {
        Bound::Excluded(start)
    } else {
        Bound::Included(start)
    };
    let upper = match prefix_end(prefix.as_bytes()) {
        Some(end) => {
            let mut term = Term::from_field_text(field, "");
            term.append_bytes(&end);
            Bound::Excluded(term)
        }
        None => Bound::Unbounded,
    };
    let mut q = InvertedIndexRangeQuery::new(lower, upper);
    q.limit(30);
    q
}

/// The first byte string after every string starting with `prefix` (None: there is none).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// How much of an article's text a result's passage is chosen from: about 250 words, the
/// opening where news says what matters (analysing 3,000 bytes per result was a third of an
/// uncached search page's time at 100,000 articles).
const SNIPPET_SOURCE_BYTES: usize = 1500;

/// The first `max` bytes of `text`, cut at a character boundary.
fn opening(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A newer article ranks higher on equal relevance: ×2 today, ×1.5 at a month, towards ×1.
fn recency(age_seconds: i64) -> Score {
    let days = (age_seconds.max(0) as f32) / 86_400.0;
    1.0 + 1.0 / (1.0 + days / 30.0)
}

/// Words too common to say what an article is about (stemmed forms are checked too).
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "that", "with", "was", "are", "but", "not", "his", "her", "had", "has",
    "have", "this", "from", "they", "their", "them", "were", "been", "which", "would", "will",
    "said", "say", "also", "its", "who", "what", "when", "where", "there", "than", "then", "one",
    "two", "into", "more", "after", "about", "over", "other", "some", "could", "only", "new",
    "year", "thi", "wa", "ha", "veri", "onli",
];

/// What one write changes: articles to (re)index with their terms and bylines, ids to drop.
#[derive(Default)]
pub struct Batch {
    pub upserts: Vec<(Article, Vec<SiteTerm>, Vec<User>)>,
    pub removals: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stemming_follows_the_script() {
        let (s, fresh) = Search::open(
            &std::env::temp_dir().join(format!("newsroom-search-unit-{}", std::process::id())),
        )
        .unwrap();
        assert!(fresh);
        assert_eq!(s.tokens("Talks talking"), vec!["talk", "talk"]);
        assert_eq!(
            s.tokens("переговорах переговоры"),
            vec!["переговор", "переговор"]
        );
        assert_eq!(s.tokens("東京 café"), vec!["東", "京", "café"]);
        let _ = std::fs::remove_dir_all(s.dir());
    }

    #[tokio::test]
    async fn waits_for_the_index_end_when_it_catches_up_and_not_again_while_it_is_stuck() {
        let dir = std::env::temp_dir().join(format!("newsroom-search-wait-{}", std::process::id()));
        let (s, _) = Search::open(&dir).unwrap();
        let advance_later = |to: i64| {
            let s = s.clone();
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                s.advance(to);
            })
        };
        // Nobody follows the log here: the wait times out…
        assert!(!s.reach(3, std::time::Duration::from_millis(10)).await);
        // …and the next one answers at once, before the index moves.
        let mover = advance_later(3);
        assert!(!s.reach(3, std::time::Duration::from_secs(10)).await);
        mover.await.unwrap();
        assert!(s.reach(3, std::time::Duration::ZERO).await, "already there");
        // Moving again, it is waited for.
        let mover = advance_later(5);
        assert!(s.reach(5, std::time::Duration::from_secs(10)).await);
        mover.await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn related_words_are_rarer_on_larger_sites_and_their_lists_bounded() {
        assert_eq!(max_doc_frequency(3), 2, "a tiny site still relates");
        assert_eq!(
            max_doc_frequency(100),
            25,
            "a quarter of a small site, as before"
        );
        assert_eq!(max_doc_frequency(10_000), 600);
        assert_eq!(max_doc_frequency(1_000_000), 20_000);
        assert_eq!(max_doc_frequency(u64::MAX / 2), 20_000);
    }

    #[test]
    fn the_end_of_a_prefix_comes_after_every_longer_word() {
        assert_eq!(prefix_end(b"genev").as_deref(), Some(&b"genew"[..]));
        assert_eq!(prefix_end(&[b'a', 0xFF]).as_deref(), Some(&b"b"[..]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert!(prefix_end("genev".as_bytes()).unwrap().as_slice() > "geneva".as_bytes());
    }

    #[test]
    fn newer_counts_more_but_never_less_than_once() {
        assert!((recency(0) - 2.0).abs() < 1e-6);
        assert!(recency(30 * 86_400) > 1.49 && recency(30 * 86_400) < 1.51);
        assert!(recency(3650 * 86_400) > 1.0);
    }
}
