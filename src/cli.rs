//! Subcommands: each resolves the config, opens the store and calls into `app` or `actions`.

use crate::app::{self, AppState};
use std::io::{BufRead, IsTerminal};

use crate::actions::account::{self, NewAccount};
use crate::actions::capability::{Actor, Role};
use crate::config::{
    Cli, Command, CommentsCommand, Config, ExportCommand, ImportCommand, MediaCommand, ServeArgs,
    UserCommand,
};
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
        Command::Migrate(args) => {
            let db = db::Db::connect(&config.database_url).await?;
            let result = migrate(&db, args.check).await;
            db.close().await;
            result
        }
        Command::Backup(args) => {
            let db = db::Db::connect(&config.database_url).await?;
            let out = args
                .out
                .unwrap_or_else(|| crate::backup::default_path(&config.backup_dir));
            let progress = Bar::on_terminal();
            let started = std::time::Instant::now();
            let result = crate::backup::make(&db, &config.data_dir, &out, &progress).await;
            progress.done();
            db.close().await;
            let summary = result?;
            eprintln!(
                "backed up {} rows and {} files in {:.1} s: {} ({})",
                summary.rows,
                summary.files,
                started.elapsed().as_secs_f64(),
                summary.path.display(),
                human_bytes(summary.bytes)
            );
            Ok(())
        }
        Command::Restore(args) => {
            let db = db::Db::connect(&config.database_url).await?;
            let progress = Bar::on_terminal();
            let started = std::time::Instant::now();
            let result =
                crate::backup::restore(&args.file, &db, &config.data_dir, args.force, &progress)
                    .await;
            progress.done();
            db.close().await;
            let summary = result?;
            eprintln!(
                "restored {} rows and {} files in {:.1} s into {} ({})",
                summary.rows,
                summary.files,
                started.elapsed().as_secs_f64(),
                config.data_dir.display(),
                db.backend()
            );
            Ok(())
        }
        Command::Demo(args) => {
            let state = AppState::open(config).await?;
            if actions::demo::site_is_empty(state.db()).await? {
                actions::demo::seed(state.db(), state.media()).await?;
            } else {
                println!("the site already has people or articles: no demo articles added");
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
        Command::User(cmd) => {
            let state = AppState::open(config).await?;
            let result = users(&state, cmd).await;
            state.close().await;
            result
        }
        Command::Media(MediaCommand::Add {
            files,
            alt,
            caption,
            credit,
        }) => {
            let state = AppState::open(config).await?;
            let text = crate::db::media::MediaText {
                alt,
                caption,
                credit,
                ..Default::default()
            };
            let result = add_media(&state, &files, &text).await;
            state.close().await;
            result
        }
        Command::Import(cmd) => {
            let state = AppState::open(config).await?;
            let result = import(&state, cmd).await;
            state.close().await;
            result
        }
        Command::Reindex => {
            let state = AppState::open(config).await?;
            let started = std::time::Instant::now();
            let result = crate::search::follow::rebuild(state.db(), state.search()).await;
            if let Ok(n) = &result {
                let secs = started.elapsed().as_secs_f64();
                println!(
                    "search index rebuilt: {n} articles in {secs:.2} s ({:.0} articles/s), {}",
                    *n as f64 / secs.max(1e-9),
                    state.search().dir().display()
                );
            }
            state.close().await;
            result.map(|_| ()).map_err(Into::into)
        }
        Command::Export(ExportCommand::Wxr { out, uploads }) => {
            let state = AppState::open(config).await?;
            let result = export_wxr(&state, out, uploads).await;
            state.close().await;
            result
        }
    }
}

/// `migrate`: run what is pending, or with `check` only say what would run (exit 1 if anything).
async fn migrate(db: &db::Db, check: bool) -> anyhow::Result<()> {
    let status = db::schema::status(db).await?;
    if let Some(refusal) = status.too_new() {
        return Err(refusal.into());
    }
    if check {
        if status.pending.is_empty() {
            println!(
                "schema is up to date at version {} ({})",
                status.current,
                db.backend()
            );
            return Ok(());
        }
        println!(
            "schema at version {}; migrate would run ({}):",
            status.current,
            db.backend()
        );
        for step in &status.pending {
            println!("  {:04} {}", step.version, step.description);
        }
        std::process::exit(1);
    }
    let ran = status.pending.len();
    db.migrate().await?;
    println!(
        "schema is up to date at version {} ({}; {ran} migration{} run)",
        status.known,
        db.backend(),
        if ran == 1 { "" } else { "s" }
    );
    Ok(())
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1u32 << 20)),
        n => format!("{:.1} KB", n as f64 / 1024.0),
    }
}

/// A progress bar on a terminal (standard error), nothing otherwise.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn on_terminal() -> Bar {
        Bar(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg:24} [{bar:40}] {percent:>3}% {elapsed_precise}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        }))
    }

    fn done(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl actions::import::Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        if let Some(bar) = &self.0 {
            bar.reset();
            bar.set_length(total);
            bar.set_message(name.to_string());
        }
    }

    fn advance(&self, done: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(done);
        }
    }
}

async fn export_wxr(
    state: &AppState,
    out: Option<std::path::PathBuf>,
    uploads: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let site = state.site();
    let operator = Actor::operator();
    let write = async |w: Box<dyn std::io::Write>| {
        actions::export::wxr(
            state.db(),
            state.media(),
            &site.settings,
            &state.config().site_url,
            &operator,
            w,
            uploads.as_deref(),
        )
        .await
    };
    match &out {
        Some(path) => {
            // Written beside the target and renamed at the end: never half a file under its name.
            let partial = path.with_extension("partial");
            let file = std::fs::File::create(&partial)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", partial.display()))?;
            let (_, counts) = write(Box::new(std::io::BufWriter::new(file))).await?;
            std::fs::rename(&partial, path)?;
            eprintln!(
                "wrote {}: {} articles and pages, {} comments, {} pictures, {} authors, {} sections and tags",
                path.display(),
                counts.articles,
                counts.comments,
                counts.pictures,
                counts.authors,
                counts.terms
            );
        }
        None => {
            write(Box::new(std::io::BufWriter::new(std::io::stdout()))).await?;
        }
    }
    Ok(())
}

async fn import(state: &AppState, cmd: ImportCommand) -> anyhow::Result<()> {
    let operator = Actor::operator();
    match cmd {
        ImportCommand::Wxr {
            files,
            uploads,
            dry_run,
        } => {
            let progress = Bar::on_terminal();
            let started = std::time::Instant::now();
            let options = actions::import::Options {
                files,
                uploads,
                dry_run,
            };
            let site = state.site();
            let summary = actions::import::wxr(
                state.db(),
                state.media(),
                &site.settings,
                &operator,
                &options,
                &progress,
            )
            .await;
            if let Some(bar) = &progress.0 {
                bar.finish_and_clear();
            }
            let summary = summary?;
            for line in summary.lines() {
                println!("{line}");
            }
            println!(
                "{} in {:.1} s",
                if dry_run { "checked" } else { "imported" },
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        ImportCommand::WpUsers { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let users = actions::import::parse_wp_users(&text)?;
            let (set, kept, unknown) =
                actions::import::wp_users(state.db(), &operator, &users).await?;
            println!(
                "{set} password(s) brought from WordPress; {kept} kept (already set here); {unknown} skipped (no such user here, or not a WordPress hash)"
            );
            Ok(())
        }
    }
}

async fn add_media(
    state: &AppState,
    files: &[std::path::PathBuf],
    text: &crate::db::media::MediaText,
) -> anyhow::Result<()> {
    let operator = Actor::operator();
    let site = state.site();
    let mut refused = 0;
    for path in files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                refused += 1;
                continue;
            }
        };
        let upload = actions::media::Upload {
            bytes,
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            text: text.clone(),
        };
        match actions::media::upload(state.db(), state.media(), &site.settings, &operator, upload)
            .await?
        {
            Ok(s) if s.existed => println!(
                "{}: already in the library as picture {}, place it with ![{}](/media/{})",
                path.display(),
                s.media.id,
                s.media.alt,
                s.media.id
            ),
            Ok(s) => println!(
                "{}: added as picture {} ({}×{}), place it with ![{}](/media/{})",
                path.display(),
                s.media.id,
                s.media.width,
                s.media.height,
                s.media.alt,
                s.media.id
            ),
            Err(message) => {
                eprintln!("{}: {message}", path.display());
                refused += 1;
            }
        }
    }
    if refused > 0 {
        anyhow::bail!("{refused} of {} file(s) were not added", files.len());
    }
    Ok(())
}

/// A password from the first line of standard input, or asked twice on a terminal. Never a default.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let password = line.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            anyhow::bail!("no password on standard input");
        }
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "there is no terminal to ask for a password: pipe it in with --password-stdin"
        );
    }
    let first = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Password again: ")?;
    if first != again {
        anyhow::bail!("the two passwords do not match");
    }
    Ok(first)
}

/// A user by email, or a clear error.
async fn user_by_email(db: &db::Db, email: &str) -> anyhow::Result<db::user::User> {
    db::user::by_email(db, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user with email {email:?} (see `newsroom user list`)"))
}

fn field_errors(errors: actions::FieldErrors) -> anyhow::Error {
    anyhow::anyhow!(
        "{}",
        errors
            .into_iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

async fn users(state: &AppState, cmd: UserCommand) -> anyhow::Result<()> {
    let db = state.db();
    let operator = Actor::operator();
    match cmd {
        UserCommand::Add {
            email,
            role,
            name,
            password_stdin,
        } => {
            if Role::parse(&role).is_none() {
                anyhow::bail!(
                    "unknown role {role:?}: use subscriber, contributor, author, editor or administrator"
                );
            }
            let password = read_password(password_stdin)?;
            let new = NewAccount {
                email: email.clone(),
                name: name.unwrap_or_default(),
                role,
                password: Some(password),
            };
            let id = account::add_user(db, &operator, &new)
                .await?
                .map_err(field_errors)?;
            let u = db::user::get(db, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("user vanished"))?;
            println!(
                "added {} {} <{}> (login {}); sign in at {}/admin/login",
                u.role,
                u.display_name,
                u.email,
                u.login,
                state.config().site_url
            );
        }
        UserCommand::List => {
            let rows = db::user::list_with_counts(db).await?;
            println!(
                "{:>5}  {:<14} {:<32} {:<24} {:>8}",
                "id", "role", "email", "name", "articles"
            );
            for (u, articles) in &rows {
                println!(
                    "{:>5}  {:<14} {:<32} {:<24} {:>8}",
                    u.id,
                    u.role,
                    u.email,
                    u.display_name.chars().take(24).collect::<String>(),
                    articles
                );
            }
            println!("{} user(s)", rows.len());
        }
        UserCommand::Passwd {
            email,
            password_stdin,
        } => {
            let u = user_by_email(db, &email).await?;
            let password = read_password(password_stdin)?;
            account::set_password(db, &operator, &u, None, &password, &password, None)
                .await?
                .map_err(field_errors)?;
            println!("password of {} changed; their sessions ended", u.email);
        }
        UserCommand::Role { email, role } => {
            let u = user_by_email(db, &email).await?;
            account::change_role(db, &operator, u.id, &role).await?;
            println!("{} is now {}", u.email, role.trim().to_lowercase());
        }
        UserCommand::AppPassword { email, name } => {
            let u = user_by_email(db, &email).await?;
            let password = actions::app_password::create(db, &operator, u.id, &name).await?;
            println!("{password}");
            eprintln!(
                "application password {name:?} for {}: use it with their login ({}) over HTTP Basic; it is shown only now",
                u.email, u.login
            );
        }
        UserCommand::AppPasswords { email } => {
            let u = user_by_email(db, &email).await?;
            for p in actions::app_password::list(db, &operator, u.id).await? {
                println!(
                    "{:>5}  {:<30} created {}  last used {}",
                    p.id,
                    p.name,
                    p.created_at.format("%Y-%m-%d %H:%M"),
                    p.last_used_at.map_or_else(
                        || "never".to_string(),
                        |t| format!("{} from {}", t.format("%Y-%m-%d %H:%M"), p.last_ip)
                    )
                );
            }
        }
        UserCommand::RevokeAppPassword { email, id } => {
            let u = user_by_email(db, &email).await?;
            actions::app_password::revoke(db, &operator, u.id, id).await?;
            println!("application password {id} of {} revoked", u.email);
        }
    }
    Ok(())
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
    let operator = actions::capability::Actor::operator();
    let mut missing = Vec::new();
    for id in ids {
        let done = match action {
            Some(m) => moderate_comment(db, &operator, id, m).await?,
            None => delete_comment(db, &operator, id).await?,
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
