//! Subcommands: each resolves the config, opens the store and calls into `app` or `actions`.

use crate::app::{self, AppState};
use crate::config::{Cli, Command, CommentsCommand, Config, ServeArgs};
use crate::{actions, db};

/// Run the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let serve_args = match &cli.command {
        Command::Serve(args) => args.clone(),
        _ => ServeArgs {
            no_demo: true,
            ..Default::default()
        },
    };
    let config = Config::resolve(&cli.global, &serve_args)?;
    match cli.command {
        Command::Serve(_) => app::serve(config).await,
        Command::Migrate => {
            let state = AppState::open(config).await?;
            println!("schema is up to date ({})", state.db().backend());
            state.close().await;
            Ok(())
        }
        Command::Demo(args) => {
            let state = AppState::open(config).await?;
            if actions::demo::site_is_empty(state.db()).await? {
                actions::demo::seed(state.db()).await?;
            }
            if args.articles > 0 {
                actions::demo::generate(state.db(), args.articles).await?;
            }
            let n = db::article::count(state.db(), db::article::POST).await?;
            println!("the site has {n} articles");
            state.close().await;
            Ok(())
        }
        Command::Comments(cmd) => {
            let state = AppState::open(config).await?;
            let result = comments(&state, cmd).await;
            state.close().await;
            result
        }
    }
}

async fn comments(state: &AppState, cmd: CommentsCommand) -> anyhow::Result<()> {
    let _ = (state, cmd);
    anyhow::bail!("comment moderation from the shell is not available yet")
}
