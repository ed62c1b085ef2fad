//! Search in-process: the 20 typical queries of bench/search.sh run against a built index (no
//! HTTP, no database), each many times; prints p50/p99 per query and over all. Passes or fails
//! nothing. bench/search.sh builds the index and runs this with NEWSROOM_SEARCH_DIR set.
//!
//! NEWSROOM_SEARCH_DIR=DIR cargo bench --bench search [-- ROUNDS]

use std::time::{Duration, Instant};

use newsroom::search::{Request, Search};

/// What readers of a news site type: words, two-word topics, phrases, a word being typed.
pub const QUERIES: [&str; 20] = [
    "ceasefire",
    "minister talks",
    "\"court ruling\"",
    "flood",
    "energy grid",
    "vaccine trial",
    "election count",
    "budget deficit",
    "rail strike",
    "port cargo",
    "harbour",
    "summit",
    "market shares",
    "river flood",
    "union",
    "crane",
    "elect",
    "\"energy grid\"",
    "trial",
    "strike union rail",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let Ok(dir) = std::env::var("NEWSROOM_SEARCH_DIR") else {
        eprintln!("set NEWSROOM_SEARCH_DIR to a site's search index (bench/search.sh does)");
        return;
    };
    let rounds: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(200);
    let (search, fresh) = Search::open(std::path::Path::new(&dir)).expect("open index");
    assert!(!fresh, "no index in {dir}");
    println!(
        "in-process search over {} articles, {rounds} rounds",
        search.len()
    );
    let mut all = Vec::new();
    for q in QUERIES {
        let request = Request {
            text: q.to_string(),
            limit: 10,
            ..Default::default()
        };
        let mut times = Vec::with_capacity(rounds);
        let mut total = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            total = search.search(&request).expect("search").total;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "  {q:<22} {total:>7} found   p50 {:>8.3} ms   p99 {:>8.3} ms",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "all queries: p50 {:.3} ms, p99 {:.3} ms (goal over HTTP: p50 < 2 ms, p99 < 20 ms)",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3
    );
}
