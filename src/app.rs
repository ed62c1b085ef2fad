//! The running application: `AppState` (db, theme, config, site snapshot), start-up, the change-log
//! follower that keeps every node's snapshot fresh, and `serve`.

use std::future::IntoFuture;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::actions;
use crate::config::Config;
use crate::db::{self, Db};
use crate::error::Result;
use crate::mail::Mailer;
use crate::media_store::MediaStore;
use crate::render::{Site, Theme};

/// Shared state of one running instance; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    theme: Theme,
    config: Config,
    mailer: Mailer,
    media: MediaStore,
    site: RwLock<Arc<Site>>,
    last_change: AtomicI64,
    metrics: Arc<crate::metrics::Metrics>,
    search: crate::search::Search,
    memo: crate::memo::Memo,
    page_cache: Arc<crate::cache::PageCache>,
    rows: crate::cache::rows::Rows,
    fences: crate::cache::fences::Fences,
    /// One follower of the change log at a time (the loop, a write's answer, a notification).
    following: tokio::sync::Mutex<()>,
    /// Calls to `follow_changes` so far, and how many of them a finished run has covered: a
    /// run covers every call made before it read the log, so a burst of writes (comments
    /// arriving together) shares one read of the log instead of one each.
    follow_calls: std::sync::atomic::AtomicU64,
    follow_covered: std::sync::atomic::AtomicU64,
    /// Stopping: answers ask clients to close their connections.
    draining: std::sync::atomic::AtomicBool,
    /// Woken when the database says the change log grew (PostgreSQL's NOTIFY).
    changes_waiting: tokio::sync::Notify,
    /// The newest change-log entry named by notifications since the follower last woke
    /// (`UNKNOWN_CHANGE` when one named none).
    changes_notified: std::sync::atomic::AtomicI64,
}

impl AppState {
    /// Connect, migrate, make sure the site secret exists, load the theme and the site snapshot.
    pub async fn open(config: Config) -> Result<AppState> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        actions::setup::ensure_secret(&db).await?;
        let theme = Theme::load(Some(&config.data_dir.join("theme")))?;
        let last_change = db::change::latest_id(&db).await?;
        let site = load_site(&db, &theme, &config.site_url).await?;
        let mailer = Mailer::from_config(&config)?;
        let media = MediaStore::in_data_dir(&config.data_dir);
        let (search, _) = crate::search::Search::open(&config.data_dir.join("search"))?;
        let config_cache_mb = config.page_cache_mb;
        Ok(AppState {
            inner: Arc::new(Inner {
                db,
                theme,
                config,
                mailer,
                media,
                site: RwLock::new(Arc::new(site)),
                last_change: AtomicI64::new(last_change),
                metrics: Arc::default(),
                search,
                memo: crate::memo::Memo::default(),
                page_cache: Arc::new(crate::cache::PageCache::new(config_cache_mb)),
                rows: crate::cache::rows::Rows::default(),
                fences: crate::cache::fences::Fences::default(),
                following: tokio::sync::Mutex::new(()),
                follow_calls: std::sync::atomic::AtomicU64::new(0),
                follow_covered: std::sync::atomic::AtomicU64::new(0),
                draining: std::sync::atomic::AtomicBool::new(false),
                changes_waiting: tokio::sync::Notify::new(),
                changes_notified: std::sync::atomic::AtomicI64::new(0),
            }),
        })
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The theme.
    pub fn theme(&self) -> &Theme {
        &self.inner.theme
    }

    /// Where picture files live.
    pub fn media(&self) -> &MediaStore {
        &self.inner.media
    }

    /// Where the site's mail goes.
    pub fn mailer(&self) -> &Mailer {
        &self.inner.mailer
    }

    /// Costly documents kept until the site changes (the sitemaps).
    pub fn memo(&self) -> &crate::memo::Memo {
        &self.inner.memo
    }

    /// This node's page cache.
    pub fn page_cache(&self) -> &Arc<crate::cache::PageCache> {
        &self.inner.page_cache
    }

    /// Terms, people and pictures kept in memory by id.
    pub fn rows(&self) -> &crate::cache::rows::Rows {
        &self.inner.rows
    }

    /// Where deep pages of each list start from.
    pub fn fences(&self) -> &crate::cache::fences::Fences {
        &self.inner.fences
    }

    /// Drop what `stale` names from everything this node keeps in memory: kept rows and fences
    /// first, so a page built after its drop reads them fresh.
    pub fn forget(&self, stale: &crate::cache::Stale) {
        self.inner.rows.invalidate(stale);
        self.inner.fences.invalidate(stale);
        self.inner.page_cache.invalidate(stale);
    }

    /// This node's search index.
    pub fn search(&self) -> &crate::search::Search {
        &self.inner.search
    }

    /// Keep this node's search index following the change log (in the background); each commit
    /// of the index drops the kept search answers (before a search waiting for it goes on); each
    /// run is counted in the metrics.
    pub fn spawn_search_follower(&self) -> tokio::task::JoinHandle<()> {
        // The cache alone, not the whole state (which holds the index: a cycle never freed).
        let cache = self.inner.page_cache.clone();
        self.inner.search.on_commit(move || {
            let search = [crate::cache::deps::Tag::Search].into_iter().collect();
            cache.invalidate(&crate::cache::Stale::Tags(search));
        });
        let state = self.clone();
        crate::search::follow::spawn(
            self.inner.db.clone(),
            self.inner.search.clone(),
            Arc::new(move |run| state.metrics().job("search_index", run.ok)),
        )
    }

    /// This process's metrics.
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.inner.metrics
    }

    /// The metrics' readings that are only known when asked (pools, change-log lag, cache).
    pub async fn readings(&self) -> crate::metrics::Readings {
        let mut pools = Vec::new();
        let mut pool = |name: &'static str, size: u32, idle: usize| {
            let size = i64::from(size);
            let idle = i64::try_from(idle).unwrap_or(size);
            pools.push((name, (size - idle).max(0), idle));
        };
        match self.db() {
            Db::Sqlite(p) => {
                pool("read", p.read.size(), p.read.num_idle());
                pool("write", p.write.size(), p.write.num_idle());
            }
            Db::Postgres(p) => pool("postgres", p.pool.size(), p.pool.num_idle()),
        }
        let latest = db::change::latest_id(self.db()).await.ok();
        let behind = |applied: i64| latest.map_or(-1, |latest| (latest - applied).max(0));
        let change_lag = behind(self.inner.last_change.load(Ordering::Acquire));
        let search_lag = behind(self.search().cursor());
        let s = self.page_cache().stats();
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        crate::metrics::Readings {
            pools,
            change_lag,
            search_lag,
            cache: vec![
                ("hits", n(s.hits)),
                ("misses", n(s.misses)),
                ("passes", n(s.passes)),
                ("invalidated", n(s.invalidated)),
                ("entries", n(s.entries as u64)),
                ("bytes", n(s.bytes)),
            ],
        }
    }

    /// Whether this node is stopping (each answer then closes its connection, and /readyz says 503).
    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::Acquire)
    }

    /// The configuration this instance runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The current site snapshot.
    pub fn site(&self) -> Arc<Site> {
        match self.inner.site.read() {
            Ok(site) => site.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-read settings and categories now (after a local write, or when the log says so).
    pub async fn reload_site(&self) -> Result<()> {
        let site = Arc::new(
            load_site(
                &self.inner.db,
                &self.inner.theme,
                &self.inner.config.site_url,
            )
            .await?,
        );
        match self.inner.site.write() {
            Ok(mut slot) => *slot = site,
            Err(poisoned) => *poisoned.into_inner() = site,
        }
        Ok(())
    }

    /// Read the change log since last time: reload the snapshot if settings or terms changed,
    /// drop the kept pages that show what changed, ping the WebSub hub.
    pub async fn follow_changes(&self) -> Result<()> {
        self.follow(None).await
    }

    /// `follow_changes` for a write that knows the newest entry it can have written: nothing to
    /// do once this node has applied that far, perhaps by a run (a notification's) that was
    /// under way when the write committed.
    pub async fn follow_changes_to(&self, newest: i64) -> Result<()> {
        if self.changes_followed() >= newest {
            return Ok(());
        }
        self.follow(Some(newest)).await
    }

    async fn follow(&self, newest: Option<i64>) -> Result<()> {
        let call = self.inner.follow_calls.fetch_add(1, Ordering::AcqRel) + 1;
        let _one = self.inner.following.lock().await;
        if self.inner.follow_covered.load(Ordering::Acquire) >= call
            || newest.is_some_and(|id| self.changes_followed() >= id)
        {
            // A run that began after this call read the log already, or one applied far enough.
            return Ok(());
        }
        let covers = self.inner.follow_calls.load(Ordering::Acquire);
        self.follow_changes_now().await?;
        self.inner.follow_covered.store(covers, Ordering::Release);
        Ok(())
    }

    async fn follow_changes_now(&self) -> Result<()> {
        loop {
            let after = self.inner.last_change.load(Ordering::Acquire);
            let changes = db::change::since(&self.inner.db, after, 1000).await?;
            let Some(last) = changes.last() else {
                return Ok(());
            };
            let before = self.site();
            if changes
                .iter()
                .any(|c| matches!(c.entity.as_str(), "setting" | "term" | "site"))
            {
                self.reload_site().await?;
            }
            // After the snapshot is new, so a page built from the old one is not kept.
            let after_site = self.site();
            let is_category = |id: i64| {
                before.categories.iter().any(|t| t.id == id)
                    || after_site.categories.iter().any(|t| t.id == id)
            };
            let stale = crate::cache::invalidate::stale(&changes, is_category);
            self.forget(&stale);
            self.tell_hub(&changes).await?;
            self.inner.last_change.store(last.id, Ordering::Release);
            if changes.len() < 1000 {
                return Ok(());
            }
        }
    }

    /// The newest change-log entry this node has applied.
    pub fn changes_followed(&self) -> i64 {
        self.inner.last_change.load(Ordering::Acquire)
    }

    /// Say that the change log grew (a notification from the database), up to `newest` if the
    /// notification named it: the follower reads the log only if this node has not applied
    /// that far by the time it wakes.
    pub fn changes_arrived(&self, newest: Option<i64>) {
        let newest = newest.unwrap_or(UNKNOWN_CHANGE);
        if newest <= self.changes_followed() {
            return;
        }
        self.inner
            .changes_notified
            .fetch_max(newest, Ordering::AcqRel);
        self.inner.changes_waiting.notify_one();
    }

    /// Ping the WebSub hub (if one is set) when these changes put a live article on the site.
    async fn tell_hub(&self, changes: &[db::change::Change]) -> Result<()> {
        let site = self.site();
        let hub = site.settings.websub_hub.clone();
        if hub.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = changes
            .iter()
            .filter(|c| {
                c.entity == "post" && matches!(c.action.as_str(), "create" | "status" | "update")
            })
            .map(|c| c.entity_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let now = db::now();
        let published = db::article::by_ids(&self.inner.db, &ids)
            .await?
            .iter()
            .any(|a| a.kind == db::article::POST && a.is_live(now));
        if published {
            let topics = crate::websub::topics(&site.base_url);
            tokio::spawn(async move { crate::websub::ping(&hub, &topics).await });
        }
        Ok(())
    }

    /// Stop background users of the pool and close it.
    pub async fn close(&self) {
        self.inner.db.close().await;
    }
}

async fn forget_expired(db: &Db) -> Result<()> {
    let now = db::now();
    let spent = now - chrono::Duration::seconds(2 * crate::content::form_token::MAX_AGE_SECONDS);
    db::comment::forget_tokens_before(db, spent).await?;
    db::session::purge_expired(db, now).await?;
    db::password_reset::purge_expired(db, now).await?;
    db::throttle::purge_before(db, now - chrono::Duration::days(1)).await?;
    db::presence::purge_before(db, now - chrono::Duration::hours(1)).await?;
    Ok(())
}

async fn load_site(db: &Db, theme: &Theme, site_url: &str) -> Result<Site> {
    let settings = db::setting::load(db).await?;
    let categories = db::term::all(db, db::term::CATEGORY).await?;
    let mut site = Site::new(settings, categories, theme.css_url().to_string());
    site.base_url = site_url.trim_end_matches('/').to_string();
    Ok(site)
}

/// Background upkeep: publish due scheduled articles every second; hourly, forget what has
/// expired (spent comment-form tokens, sessions, sign-in attempts, reset links, editors'
/// presence).
pub fn spawn_upkeep(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let scheduler = actions::capability::Actor::system("scheduler").audit();
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            // Every second, so an article goes live on time; the query reads one index range.
            let published = db::article::publish_due(state.db(), &scheduler).await;
            state.metrics().job("publish_scheduled", published.is_ok());
            match published {
                // This node's pages show the new articles at once; others follow the log.
                Ok(n) if n > 0 => {
                    if let Err(e) = state.follow_changes().await {
                        tracing::warn!("following the change log: {e}");
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("publishing scheduled articles: {e}"),
            }
            if n.is_multiple_of(3600)
                && let Err(e) = forget_expired(state.db()).await
            {
                tracing::warn!("forgetting expired rows: {e}");
            }
            n += 1;
        }
    })
}

/// What a notification that names no entry counts as: newer than any.
const UNKNOWN_CHANGE: i64 = i64::MAX;

/// Follow the change log: at once when the database says it grew (PostgreSQL's LISTEN/NOTIFY,
/// so a write on another node reaches this one's cache in milliseconds), and every 250 ms
/// whatever happens, which also covers a lost notification or SQLite written by another process.
pub fn spawn_change_follower(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let listen = async {
            match state.db().change_listener() {
                Some(listener) => {
                    let notified = state.clone();
                    listener
                        .run(move |newest| notified.changes_arrived(newest))
                        .await
                }
                None => std::future::pending().await,
            }
        };
        let follow = async {
            loop {
                let notified = tokio::time::timeout(
                    Duration::from_millis(250),
                    state.inner.changes_waiting.notified(),
                )
                .await;
                let newest = state.inner.changes_notified.swap(0, Ordering::AcqRel);
                let followed = if notified.is_ok() && newest != UNKNOWN_CHANGE {
                    // Usually this node's own write, followed before it was answered.
                    state.follow_changes_to(newest).await
                } else {
                    state.follow_changes().await
                };
                state.metrics().job("follow_changes", followed.is_ok());
                if let Err(e) = followed {
                    tracing::warn!("following the change log: {e}");
                }
            }
        };
        tokio::join!(listen, follow);
    })
}

/// Every minute, run a scheduled backup if one is due and no other node has claimed it.
pub fn spawn_backups(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let settings = state.site().settings.clone();
            let config = state.config();
            let ran = crate::backup::schedule::run_if_due(
                state.db(),
                &config.data_dir,
                &config.backup_dir,
                settings.backup_every_hours,
                settings.backup_keep,
            )
            .await;
            match ran {
                Ok(Some(_)) => state.metrics().job("backup", true),
                Ok(None) => {}
                Err(e) => {
                    state.metrics().job("backup", false);
                    tracing::error!("scheduled backup failed: {e}");
                }
            }
        }
    })
}

/// Serve /metrics and the health checks on the private metrics address, if one is set.
async fn spawn_metrics_listener(
    state: &AppState,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(address) = state.config().metrics_listen else {
        return Ok(None);
    };
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {address}: {e}"))?;
    tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
    let app = crate::http::metrics::private_router(state.clone());
    Ok(Some(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!("metrics listener: {e}");
        }
    })))
}

/// Run the site until Ctrl-C / SIGTERM: migrate, seed demo content into an empty site, serve.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let state = AppState::open(config.clone()).await?;
    if config.demo && actions::demo::site_is_empty(state.db()).await? {
        tracing::info!("empty site: adding demo content (start with --no-demo to skip)");
        actions::demo::seed(state.db(), state.media()).await?;
        state.reload_site().await?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(
        "Newsroom serving http://{} ({} at {})",
        listener.local_addr()?,
        state.db().backend(),
        config
            .database_url
            .split('@')
            .next_back()
            .unwrap_or_default()
    );
    if db::user::count_with_role(state.db(), "administrator").await? == 0 {
        // Never a default password: the operator makes the first administrator themselves.
        tracing::warn!(
            "no administrator yet; create one with: newsroom user add you@example.org --role administrator{}",
            if config.data_dir == std::path::Path::new("newsroom-data") {
                String::new()
            } else {
                format!(" --data {}", config.data_dir.display())
            }
        );
    }
    let metrics = spawn_metrics_listener(&state).await?;
    let upkeep = spawn_upkeep(state.clone());
    let backups = spawn_backups(state.clone());
    let follower = spawn_change_follower(state.clone());
    let search = state.spawn_search_follower();
    let app = crate::http::router(state.clone());
    let stopping = Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown({
        let state = state.clone();
        async move {
            shutdown_signal().await;
            // First a short drain while still listening: every answer says `Connection: close`,
            // so a client never sends its next request down a kept-alive connection just as
            // the server closes it (which it would see as a reset).
            state.inner.draining.store(true, Ordering::Release);
            tracing::info!("stopping: closing kept-alive connections");
            tokio::time::sleep(DRAIN).await;
            tracing::info!(
                "stopping: no new connections; finishing requests in flight (up to {} s)",
                SHUTDOWN_GRACE.as_secs()
            );
            signalled.notify_one();
        }
    })
    .into_future();
    // Requests in flight finish, but a client that never finishes its own cannot hold the stop.
    tokio::select! {
        served = server => served?,
        _ = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => tracing::warn!(
            "requests still unfinished after {} s: stopping anyway",
            SHUTDOWN_GRACE.as_secs()
        ),
    }
    upkeep.abort();
    backups.abort();
    if let Some(m) = metrics {
        m.abort();
    }
    follower.abort();
    search.abort();
    state.close().await;
    Ok(())
}

/// How long a stopping server waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(15);

/// How long a stopping node goes on answering (each answer closing its connection) before it
/// stops listening.
const DRAIN: Duration = Duration::from_secs(1);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
