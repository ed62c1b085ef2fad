//! WebSub publishing: when something is published, tell the configured hub that the site's feeds
//! changed, so subscribers (feed readers, aggregators) fetch them at once instead of polling.

use std::time::Duration;

/// The feeds a hub is told about (absolute URLs under `base`).
pub fn topics(base: &str) -> Vec<String> {
    ["/feed/", "/feed/atom/", "/feed/json/"]
        .iter()
        .map(|p| format!("{base}{p}"))
        .collect()
}

/// Ping `hub` for each topic (`hub.mode=publish`, as the WebSub spec's publishers do); failures
/// are logged, never fatal: the feeds are there for the next poll anyway.
pub async fn ping(hub: &str, topics: &[String]) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("Newsroom/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("WebSub: cannot make an HTTP client: {e}");
            return;
        }
    };
    for topic in topics {
        let sent = client
            .post(hub)
            .form(&[("hub.mode", "publish"), ("hub.url", topic.as_str())])
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => tracing::debug!("WebSub: {hub} told of {topic}"),
            Ok(r) => tracing::warn!("WebSub: {hub} answered {} for {topic}", r.status()),
            Err(e) => tracing::warn!("WebSub: {hub}: {e}"),
        }
    }
}
