//! A commenter's email and IP never reach a public page.

use std::collections::{BTreeSet, VecDeque};

use crate::both_backends;
use crate::support::attrs;

/// Visit every same-site link reachable from `/`, returning (path, body) pairs.
pub async fn crawl(app: &crate::support::TestApp, limit: usize) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if pages.len() >= limit || !seen.insert(path.clone()) {
            continue;
        }
        let (status, body) = app.get(&path).await;
        assert!(status < 500, "{path} answered {status}");
        for href in attrs(&body, "a[href], link[href], img[src]", "href")
            .into_iter()
            .chain(attrs(&body, "img[src]", "src"))
        {
            let href = href.split('#').next().unwrap_or_default().to_string();
            if href.starts_with('/') && !href.starts_with("//") {
                queue.push_back(href);
            }
        }
        pages.push((path, body));
    }
    pages
}

both_backends! {
    async fn commenter_emails_and_ips_appear_in_no_public_response(app) {
        app.seed_demo().await;
        let pages = crawl(&app, 200).await;
        assert!(pages.len() > 15, "the crawl reached the site: {}", pages.len());
        assert!(pages.iter().any(|(_, body)| body.contains("Mehmet Yılmaz")), "comments were rendered");
        for (path, body) in &pages {
            for secret in ["mehmet@example.org", "hanna@example.org", "tom@example.org", "olena-kovalenko@newsroom.invalid", "marcus-reed@newsroom.invalid", "gravatar"] {
                assert!(!body.contains(secret), "{secret} leaked on {path}");
            }
        }
    }
}
