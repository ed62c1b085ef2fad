//! How fast the admin is for the people who use it all day: the editor page and a save, over
//! real HTTP against the real server, on a site of 1,000 articles (NEWSROOM_BENCH_ARTICLES for
//! another size; SQLite by default, NEWSROOM_BENCH_PG=postgres://… to measure PostgreSQL).
//! Prints figures; passes or fails nothing.
//!
//! cargo bench --bench admin [-- ROUNDS]

use std::time::{Duration, Instant};

use newsroom::actions::account::{self, NewAccount};
use newsroom::actions::capability::Actor;
use newsroom::app::AppState;
use newsroom::config::Config;

const PASSWORD: &str = "benchmark password";

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{name:<28} n={:<5} mean {:>7.2} ms   p50 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        times.len(),
        ms(mean),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(*times.last().expect("times"))
    );
}

/// The `value` of the first input named `name` (HTML entities of a headline decoded).
fn field(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\"");
    html.split(&needle)
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .and_then(|tag| tag.split("value=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("newsroom_bench_admin_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let database = std::env::var("NEWSROOM_BENCH_PG").ok();
    let state = AppState::open(Config::for_data(&dir, database.clone()))
        .await
        .expect("open");
    let db = state.db();
    if newsroom::actions::demo::site_is_empty(db)
        .await
        .expect("db")
    {
        newsroom::actions::demo::seed(db, state.media())
            .await
            .expect("seed");
        let articles = std::env::var("NEWSROOM_BENCH_ARTICLES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        newsroom::actions::demo::generate(db, articles)
            .await
            .expect("generate");
    }
    state.reload_site().await.expect("reload");
    account::add_user(
        db,
        &Actor::operator(),
        &NewAccount {
            email: "bench@example.org".into(),
            name: "Bench Editor".into(),
            role: "editor".into(),
            password: Some(PASSWORD.into()),
        },
    )
    .await
    .expect("user")
    .expect("valid");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let router = newsroom::http::router(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let started = Instant::now();
    let r = client
        .post(format!("{base}/admin/login"))
        .form(&[
            ("csrf", field(&login, "csrf").as_str()),
            ("log", "bench@example.org"),
            ("pwd", PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 303, "signed in");
    println!(
        "Newsroom admin on {} with {} articles; {rounds} rounds each, one client, sequential",
        db.backend(),
        newsroom::db::article::count(db, "post")
            .await
            .expect("count")
    );
    summary("sign in (argon2id verify)", vec![started.elapsed()]);
    let id = newsroom::db::article::latest(
        db,
        newsroom::db::Window {
            offset: 0,
            limit: 1,
        },
    )
    .await
    .expect("latest")[0]
        .id;
    let editor = format!("{base}/admin/posts/{id}");
    let mut page = String::new();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = client.get(&editor).send().await.expect("editor");
        assert_eq!(r.status().as_u16(), 200);
        page = r.text().await.expect("body");
        times.push(t.elapsed());
    }
    summary("editor page (GET)", times);
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = client
            .get(format!("{base}/admin/posts"))
            .send()
            .await
            .expect("list");
        assert_eq!(r.status().as_u16(), 200);
        r.bytes().await.expect("body");
        times.push(t.elapsed());
    }
    summary("article list (GET)", times);
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("csrf")
        .to_string();
    let title = field(&page, "title");
    let body = page
        .split("name=\"body\"")
        .nth(1)
        .and_then(|r| r.split_once('>'))
        .and_then(|(_, r)| r.split("</textarea>").next())
        .unwrap_or_default()
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let first_version: i64 = field(&page, "version").parse().expect("version");
    let mut times = Vec::new();
    // Each save makes the next version.
    for (i, version) in (0..rounds).zip(first_version..) {
        let text = format!("{body}\n\nEdit number {i}.");
        let version_s = version.to_string();
        let t = Instant::now();
        let r = client
            .post(&editor)
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", version_s.as_str()),
                ("title", title.as_str()),
                ("body", text.as_str()),
                ("status", "published"),
                ("comments_open", "on"),
                ("do", "save"),
            ])
            .send()
            .await
            .expect("save");
        times.push(t.elapsed());
        assert_eq!(r.status().as_u16(), 303, "saved");
    }
    summary("save (POST, revision kept)", times);
    let mut times = Vec::new();
    for i in 0..rounds {
        let t = Instant::now();
        let r = client
            .post(format!("{base}/admin/api/autosave"))
            .header("x-csrf-token", &csrf)
            .json(&serde_json::json!({"id": id, "title": title, "body": format!("{body} {i}")}))
            .send()
            .await
            .expect("autosave");
        times.push(t.elapsed());
        assert_eq!(r.status().as_u16(), 200);
    }
    summary("autosave (POST JSON)", times);
    state.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
