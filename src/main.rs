//! The `newsroom` binary: parse the command line, set up logging, run one subcommand.

use clap::Parser;

/// A page is built from many small strings freed soon after; glibc's allocator spent a fifth of
/// an uncached page's time in malloc and free across threads, mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = newsroom::config::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NEWSROOM_LOG")
                .unwrap_or_else(|_| "newsroom=info,warn".into()),
        )
        .init();
    newsroom::cli::run(cli).await
}
