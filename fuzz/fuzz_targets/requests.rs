//! Whole requests through the real router on a real SQLite demo site: any method, path, query,
//! cookie, form or JSON body (the comment form, the REST API, the admin, feeds, search) gets an
//! answer below 500 and never a panic.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, header};
use libfuzzer_sys::fuzz_target;
use newsroom::app::AppState;
use newsroom::config::Config;
use tower::ServiceExt;

struct Site {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let router = runtime.block_on(async {
            let dir = std::env::temp_dir().join(format!("newsroom-fuzz-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let state = AppState::open(Config::for_data(&dir, None))
                .await
                .expect("open");
            newsroom::actions::demo::seed(state.db(), state.media())
                .await
                .expect("demo");
            newsroom::db::setting::set(state.db(), "comment_min_seconds", "0")
                .await
                .expect("setting");
            state.reload_site().await.expect("reload");
            newsroom::http::router(state)
        });
        Site { runtime, router }
    })
}

const METHODS: [Method; 6] = [
    Method::GET,
    Method::POST,
    Method::HEAD,
    Method::PUT,
    Method::DELETE,
    Method::OPTIONS,
];

const TYPES: [&str; 4] = [
    "application/x-www-form-urlencoded",
    "application/json",
    "multipart/form-data; boundary=x",
    "text/plain",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let method = METHODS[usize::from(first) % METHODS.len()].clone();
    let content_type = TYPES[usize::from(first >> 4) % TYPES.len()];
    let mut parts = rest.splitn(3, |b| *b == b'\n');
    let target = parts.next().unwrap_or_default();
    let cookie = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default().to_vec();
    let Ok(target) = std::str::from_utf8(target) else {
        return;
    };
    let uri = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("/{target}")
    };
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, content_type);
    if !cookie.is_empty() {
        request = request.header(header::COOKIE, cookie);
    }
    // What hyper would refuse before the router sees it is not the router's to answer.
    let Ok(mut request) = request.body(Body::from(body)) else {
        return;
    };
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let site = site();
    let response = site
        .runtime
        .block_on(site.router.clone().oneshot(request))
        .expect("the router always answers");
    assert!(
        response.status().as_u16() < 500,
        "{} for {data:?}",
        response.status()
    );
});
