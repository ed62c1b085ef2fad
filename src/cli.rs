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
    use actions::comment::{Moderation, delete_comment, moderate_comment};
    let db = state.db();
    let (verb, ids, action) = match cmd {
        CommentsCommand::List { status } => {
            if status != "all" && !db::comment::status::ALL.contains(&status.as_str()) {
                anyhow::bail!(
                    "unknown status {status:?}: use pending, approved, spam, trash or all"
                );
            }
            let rows = db::comment::list(db, &status, 200).await?;
            println!(
                "{:>6}  {:<9} {:>6}  {:<20} {:<28} {:<15} {:<30} comment",
                "id", "status", "post", "created (UTC)", "author", "ip", "reason"
            );
            for c in &rows {
                let text: String = c
                    .content
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .replace('\n', " ");
                println!(
                    "{:>6}  {:<9} {:>6}  {:<20} {:<28} {:<15} {:<30} {text}",
                    c.id,
                    c.status,
                    c.post_id,
                    c.created_at.format("%Y-%m-%d %H:%M:%S"),
                    format!("{} <{}>", c.author_name, c.author_email)
                        .chars()
                        .take(28)
                        .collect::<String>(),
                    c.author_ip,
                    c.reason.chars().take(30).collect::<String>(),
                );
            }
            println!("{} comment(s)", rows.len());
            return Ok(());
        }
        CommentsCommand::Count => {
            let counts = db::comment::counts(db).await?;
            for (status, n) in &counts {
                println!("{status} {n}");
            }
            println!("total {}", counts.iter().map(|(_, n)| n).sum::<i64>());
            return Ok(());
        }
        CommentsCommand::Approve { ids } => ("approved", ids, Some(Moderation::Approve)),
        CommentsCommand::Unapprove { ids } => ("unapproved", ids, Some(Moderation::Unapprove)),
        CommentsCommand::Spam { ids } => ("marked as spam", ids, Some(Moderation::Spam)),
        CommentsCommand::Trash { ids } => ("trashed", ids, Some(Moderation::Trash)),
        CommentsCommand::Delete { ids } => ("deleted", ids, None),
    };
    if ids.is_empty() {
        anyhow::bail!("name the comment ids, e.g. `newsroom comments approve 12 13`");
    }
    let mut missing = Vec::new();
    for id in ids {
        let done = match action {
            Some(m) => moderate_comment(db, id, m).await?,
            None => delete_comment(db, id).await?,
        };
        if done {
            println!("comment {id} {verb}");
        } else {
            missing.push(id.to_string());
        }
    }
    if !missing.is_empty() {
        anyhow::bail!("no comment with id {}", missing.join(", "));
    }
    Ok(())
}
