//! The `newsroom` binary: parse the command line, set up logging, run one subcommand.

use clap::Parser;

/// A page is built from many small strings freed soon after; glibc's allocator spent a fifth of
/// an uncached page's time in malloc and free across threads, mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = newsroom::config::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("NEWSROOM_LOG")
        .unwrap_or_else(|_| "newsroom=info,warn".into());
    // A person at a terminal reads text; a log collector (journald, Docker, Kubernetes) gets one
    // JSON object per line, with the request id of each request's lines as a field.
    let json = match std::env::var("NEWSROOM_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !std::io::IsTerminal::is_terminal(&std::io::stdout()),
    };
    if json {
        tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    newsroom::cli::run(cli).await
}
