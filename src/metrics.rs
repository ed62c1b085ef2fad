//! What a monitoring system scrapes: requests by route and status, latency, comment outcomes,
//! background job runs, and (read at each scrape) database pools, change-log lag, the page
//! cache and the process's memory and open files. Labels are fixed small sets, never paths.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The labels of a request count.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommentLabels {
    outcome: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    kind: &'static str,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.1 ms to about 3 s: a kept page answers in well under a millisecond, a cold one in a few.
    Histogram::new(exponential_buckets(0.0001, 2.5, 12))
}

/// Values only known when asked: filled in by whoever serves the scrape.
#[derive(Debug, Default, Clone)]
pub struct Readings {
    /// (pool, in use, idle)
    pub pools: Vec<(&'static str, i64, i64)>,
    /// Change-log entries this node has not applied yet.
    pub change_lag: i64,
    /// Change-log entries the search index has not applied yet (-1 when unknown).
    pub search_lag: i64,
    /// (kind, value): hits, misses, passes, entries, bytes…
    pub cache: Vec<(&'static str, i64)>,
}

/// Every metric of one process.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    comments: Family<CommentLabels, Counter>,
    jobs: Family<JobLabels, Counter>,
    pools: Family<PoolLabels, Gauge>,
    change_lag: Gauge,
    search_lag: Gauge,
    cache: Family<CacheLabels, Gauge>,
    resident_bytes: Gauge,
    open_files: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("newsroom");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(latency_histogram);
        let comments = Family::<CommentLabels, Counter>::default();
        let jobs = Family::<JobLabels, Counter>::default();
        let pools = Family::<PoolLabels, Gauge>::default();
        let change_lag = Gauge::default();
        let search_lag = Gauge::default();
        let cache = Family::<CacheLabels, Gauge>::default();
        let resident_bytes = Gauge::default();
        let open_files = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            latency.clone(),
        );
        registry.register(
            "comments",
            "Comments sent through the form: stored (approved, pending, spam) or refused, and why",
            comments.clone(),
        );
        registry.register(
            "job_runs",
            "Runs of background jobs, by job and outcome",
            jobs.clone(),
        );
        registry.register(
            "db_connections",
            "Database connections by pool, in use or idle",
            pools.clone(),
        );
        registry.register(
            "change_log_lag",
            "Change-log entries written that this node has not applied yet",
            change_lag.clone(),
        );
        registry.register(
            "search_index_lag",
            "Change-log entries this node's search index has not applied yet",
            search_lag.clone(),
        );
        registry.register(
            "page_cache",
            "The page cache: hits, misses and passes since start; entries and bytes kept",
            cache.clone(),
        );
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of this process",
            resident_bytes.clone(),
        );
        registry.register(
            "process_open_files",
            "Open file descriptors of this process",
            open_files.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            comments,
            jobs,
            pools,
            change_lag,
            search_lag,
            cache,
            resident_bytes,
            open_files,
        }
    }
}

impl Metrics {
    /// Count one answered request.
    pub fn request(&self, route: &'static str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels { route, status })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    /// Count one comment sent through the form.
    pub fn comment(&self, outcome: &'static str, reason: &'static str) {
        self.comments
            .get_or_create(&CommentLabels { outcome, reason })
            .inc();
    }

    /// Count one run of a background job.
    pub fn job(&self, job: &'static str, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.jobs.get_or_create(&JobLabels { job, outcome }).inc();
    }

    /// The Prometheus/OpenMetrics text of every metric, with `readings` as of now.
    pub fn render(&self, readings: &Readings) -> String {
        for (pool, busy, idle) in &readings.pools {
            self.pools
                .get_or_create(&PoolLabels {
                    pool,
                    state: "busy",
                })
                .set(*busy);
            self.pools
                .get_or_create(&PoolLabels {
                    pool,
                    state: "idle",
                })
                .set(*idle);
        }
        self.change_lag.set(readings.change_lag);
        self.search_lag.set(readings.search_lag);
        for (kind, value) in &readings.cache {
            self.cache.get_or_create(&CacheLabels { kind }).set(*value);
        }
        let (rss, files) = process_readings();
        self.resident_bytes.set(rss);
        self.open_files.set(files);
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::warn!("encoding metrics failed");
        }
        out
    }
}

/// Resident memory and open files from /proc (0 where there is no /proc).
fn process_readings() -> (i64, i64) {
    let rss = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map(|pages| pages * 4096)
        .unwrap_or(0);
    let files = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count() as i64)
        .unwrap_or(0);
    (rss, files)
}

/// The route label of a path: a fixed small set, so the metrics' size never grows with the site.
pub fn route_of(path: &str, query: Option<&str>) -> &'static str {
    let query = query.unwrap_or_default();
    if path.starts_with("/admin") {
        "admin"
    } else if path.starts_with("/wp-json") || query.contains("rest_route=") {
        "rest"
    } else if path == "/wp-comments-post.php" {
        "comment"
    } else if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        "health"
    } else if ["/static/", "/media/", "/avatar/"]
        .iter()
        .any(|p| path.starts_with(p))
        || path.ends_with(".png")
        || path.ends_with(".ico")
        || path.ends_with(".webmanifest")
        || path == "/robots.txt"
    {
        "asset"
    } else if path.contains("sitemap") && path.ends_with(".xml") {
        "sitemap"
    } else if path.contains("/feed") || query.contains("feed=") {
        "feed"
    } else if path.starts_with("/search/") || query.split('&').any(|p| p.starts_with("s=")) {
        "search"
    } else if path == "/" && query.is_empty() {
        "home"
    } else if path.starts_with("/preview/") {
        "preview"
    } else {
        "page"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_a_small_fixed_set() {
        assert_eq!(route_of("/", None), "home");
        assert_eq!(route_of("/2026/11/27/talks/", None), "page");
        assert_eq!(route_of("/category/world/feed/", None), "feed");
        assert_eq!(route_of("/", Some("s=talks")), "search");
        assert_eq!(route_of("/wp-sitemap-posts-post-1.xml", None), "sitemap");
        assert_eq!(route_of("/wp-json/wp/v2/posts", None), "rest");
        assert_eq!(route_of("/", Some("rest_route=/wp/v2/posts")), "rest");
        assert_eq!(route_of("/admin/posts", None), "admin");
        assert_eq!(route_of("/media/ab/abcd.webp", None), "asset");
        assert_eq!(route_of("/wp-comments-post.php", None), "comment");
        assert_eq!(route_of("/readyz", None), "health");
    }

    #[test]
    fn the_text_holds_what_was_counted() {
        let m = Metrics::default();
        m.request("home", 200, 0.0004);
        m.request("home", 200, 0.0004);
        m.comment("refused", "flood");
        m.job("backup", true);
        let text = m.render(&Readings {
            pools: vec![("read", 1, 7)],
            change_lag: 3,
            search_lag: 2,
            cache: vec![("hits", 10)],
        });
        assert!(
            text.contains("newsroom_http_requests_total{route=\"home\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(
            text.contains(
                "newsroom_http_request_duration_seconds_bucket{le=\"0.00025\",route=\"home\"} 0"
            ) || text.contains(
                "newsroom_http_request_duration_seconds_bucket{route=\"home\",le=\"0.00025\"} 0"
            ),
            "{text}"
        );
        assert!(
            text.contains("newsroom_comments_total{outcome=\"refused\",reason=\"flood\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("newsroom_job_runs_total{job=\"backup\",outcome=\"ok\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("newsroom_db_connections{pool=\"read\",state=\"idle\"} 7"),
            "{text}"
        );
        assert!(text.contains("newsroom_change_log_lag 3"), "{text}");
        assert!(text.contains("newsroom_search_index_lag 2"), "{text}");
        assert!(
            text.contains("newsroom_page_cache{kind=\"hits\"} 10"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
