//! TestApp: the real router on 127.0.0.1:0 over a fresh SQLite file or a fresh PostgreSQL database,
//! and `both_backends!`, which runs each test once per backend.

#![allow(dead_code)]

pub mod admin;
pub mod browser_tools;
pub mod comments;
pub mod html;
pub mod pictures;
pub mod python;
pub mod smtp;

pub use html::{attrs, texts};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use newsroom::actions::publish::{self, Draft};
use newsroom::app::AppState;
use newsroom::config::Config;
use newsroom::db::term;
use newsroom::db::user::{self, NewUser};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running site for one test.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub backend: Backend,
    pub dir: PathBuf,
    pg_database: Option<String>,
    server: tokio::task::JoinHandle<()>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The PostgreSQL server tests use (override with NEWSROOM_TEST_PG).
pub fn pg_admin_url() -> String {
    std::env::var("NEWSROOM_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Make a fresh PostgreSQL database; None (with a printed reason) when the server is missing
/// outside CI. Under CI=true a missing server fails the test.
pub async fn fresh_pg_database() -> Option<(String, String)> {
    use sqlx::Connection;
    let admin = pg_admin_url();
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("PostgreSQL is required under CI=true but {admin} is unreachable: {e}");
            }
            eprintln!("skipping PostgreSQL test: {admin} is unreachable ({e})");
            return None;
        }
    };
    let name = unique("newsroom_test");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (prefix, _) = admin
        .rsplit_once('/')
        .expect("admin URL has a database part");
    Some((name.clone(), format!("{prefix}/{name}")))
}

/// Drop a test database, whoever is still connected.
pub fn drop_pg_database(name: &str) {
    let name = name.to_string();
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        });
    })
    .join();
}

impl TestApp {
    /// Start a site on a backend; None when PostgreSQL is missing outside CI.
    pub async fn start(backend: Backend) -> Option<TestApp> {
        Self::start_with(backend, |_| {}).await
    }

    /// Start a site after preparing its data folder (e.g. writing a theme override) and config.
    pub async fn start_with(
        backend: Backend,
        prepare: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let dir = std::env::temp_dir().join(unique("newsroom_it"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (pg_database, url) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                let (name, url) = fresh_pg_database().await?;
                (Some(name), Some(url))
            }
        };
        let mut config = Config::for_data(&dir, url);
        prepare(&mut config);
        let state = AppState::open(config).await.expect("open app");
        // The search index and the page cache follow the change log as under `serve`.
        state.spawn_search_follower();
        newsroom::app::spawn_change_follower(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = newsroom::http::router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("server");
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Some(TestApp {
            base: format!("http://{addr}"),
            client,
            state,
            backend,
            dir,
            pg_database,
            server,
        })
    }

    /// The absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GET a path; returns status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    /// GET a path expecting a redirect; returns status and Location.
    pub async fn redirect(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().expect("ascii location").to_string())
            .unwrap_or_default();
        (r.status().as_u16(), location)
    }

    /// GET a path that must answer 200; returns the body.
    pub async fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(
            status,
            200,
            "GET {path} answered {status}: {}",
            &body[..body.len().min(500)]
        );
        body
    }

    /// Add the hand-written demo site.
    pub async fn seed_demo(&self) {
        newsroom::actions::demo::seed(self.state.db(), self.state.media())
            .await
            .expect("seed demo");
        self.state.reload_site().await.expect("reload");
        self.follow().await;
    }

    /// Apply the change log now, as a write through this node's HTTP does before it answers
    /// (the helpers here write to the database directly, like another process would).
    pub async fn follow(&self) {
        self.state
            .follow_changes()
            .await
            .expect("follow the change log");
        // And the search index, so a page warmed next is not built across its commit (the cache
        // does not keep a page something it shows changed under).
        // (A new index is filled by the follower's first run: until then it is not current.)
        let started = std::time::Instant::now();
        while !newsroom::search::follow::current(
            self.state.db(),
            self.state.search(),
            std::time::Duration::from_secs(10),
        )
        .await
        .expect("read the change log")
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the search index follows the change log"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Add an author.
    pub async fn author(&self, slug: &str, name: &str) -> i64 {
        let id = user::insert(
            self.state.db(),
            &NewUser {
                login: slug.into(),
                slug: slug.into(),
                display_name: name.into(),
                email: format!("{slug}@staff.invalid"),
                url: String::new(),
                bio: format!("{name} writes for us."),
                avatar_url: None,
                role: "author".into(),
                password_hash: None,
            },
            None,
        )
        .await
        .expect("insert author");
        self.follow().await;
        id
    }

    /// Add a category (under `parent`) and refresh the site snapshot.
    pub async fn category(&self, name: &str, parent: Option<i64>) -> i64 {
        let id = publish::ensure_term(self.state.db(), term::CATEGORY, name, parent)
            .await
            .expect("category");
        self.state.reload_site().await.expect("reload");
        self.follow().await;
        id
    }

    /// Add a tag.
    pub async fn tag(&self, name: &str) -> i64 {
        let id = publish::ensure_term(self.state.db(), term::TAG, name, None)
            .await
            .expect("tag");
        self.follow().await;
        id
    }

    /// Store an article.
    pub async fn publish(&self, draft: &Draft) -> i64 {
        let id = publish::create(self.state.db(), draft)
            .await
            .expect("publish");
        self.follow().await;
        id
    }

    /// Run one SQL statement on this app's database (to age a row, say); rows affected. Such an
    /// edit bypasses the change log, so the page cache is emptied, as an operator must after
    /// editing the database by hand.
    pub async fn sql(&self, statement: &str) -> u64 {
        let rows = match self.state.db() {
            newsroom::db::Db::Sqlite(pools) => sqlx::query(statement)
                .execute(&pools.write)
                .await
                .expect("sql")
                .rows_affected(),
            newsroom::db::Db::Postgres(pg) => sqlx::query(statement)
                .execute(&pg.pool)
                .await
                .expect("sql")
                .rows_affected(),
        };
        self.state.forget(&newsroom::cache::Stale::Everything);
        rows
    }

    /// A second node on the same database (its own state and router on another port), as
    /// several `newsroom serve` processes share one PostgreSQL; its base URL.
    pub async fn second_node(&self) -> (String, AppState) {
        let config = self.state.config().clone();
        let state = AppState::open(config).await.expect("open second node");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        newsroom::app::spawn_change_follower(state.clone());
        let app = newsroom::http::router(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await;
        });
        (format!("http://{addr}"), state)
    }

    /// Where this app keeps its data.
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(name) = &self.pg_database {
            drop_pg_database(name);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Run each test body on SQLite and on PostgreSQL: `name::sqlite`, `name::postgres`.
/// `async fn name(app) where |config| …; { … }` adjusts the config before the app starts.
#[macro_export]
macro_rules! both_backends {
    (@prep) => { |_: &mut newsroom::config::Config| {} };
    (@prep $prep:expr) => { $prep };
    ($(async fn $name:ident($app:ident) $(where $prep:expr;)? $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let $app = $crate::support::TestApp::start_with($crate::support::Backend::Sqlite, $crate::both_backends!(@prep $($prep)?))
                        .await
                        .expect("sqlite app");
                    $body
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some($app) = $crate::support::TestApp::start_with($crate::support::Backend::Postgres, $crate::both_backends!(@prep $($prep)?))
                        .await
                    else {
                        return;
                    };
                    $body
                }
            }
        )*
    };
}

/// A published article draft by one author.
pub fn draft(title: &str, author: i64) -> Draft {
    Draft::article(
        title,
        "First paragraph of the story.\n\nSecond paragraph.",
        vec![author],
    )
}
