//! Command-line arguments and the resolved `Config`: parsed once in `main`, passed down, never global.
//!
//! Precedence for every setting: command-line flag, then environment variable, then `newsroom.toml`
//! (from `--config`, else the data folder, else the working directory), then the built-in default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;
use serde::Deserialize;

/// Newsroom: a news site in one binary.
#[derive(Debug, Parser)]
#[command(name = "newsroom", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, so scripts can drive any of them the same way.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// Folder holding the SQLite database, the theme override and uploads.
    #[arg(long, global = true, env = "NEWSROOM_DATA")]
    pub data: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: SQLite in the data folder.
    #[arg(long, global = true, env = "NEWSROOM_DATABASE_URL")]
    pub database: Option<String>,
    /// A newsroom.toml to read settings from.
    #[arg(long, global = true, env = "NEWSROOM_CONFIG")]
    pub config: Option<PathBuf>,
    /// The site's public address, e.g. https://news.example.org (links in emails are built from it,
    /// never from a request's Host header). Default: http://<listen address>.
    #[arg(long, global = true, env = "NEWSROOM_SITE_URL")]
    pub site_url: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (creates the schema and, on an empty site, demo content).
    Serve(ServeArgs),
    /// Bring the database schema up to date (forward only, one transaction per step), then exit.
    Migrate(MigrateArgs),
    /// Back the site up while it serves: database, pictures and theme in one checked archive.
    Backup(BackupArgs),
    /// Restore a backup into an empty site, on either backend.
    Restore(RestoreArgs),
    /// Add demo content, optionally with many generated articles (for benchmarks).
    Demo(DemoArgs),
    /// Moderate comments from the shell.
    #[command(subcommand)]
    Comments(CommentsCommand),
    /// Manage the people who sign in to the admin.
    #[command(subcommand)]
    User(UserCommand),
    /// Add pictures to the media library from the shell.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Move a site in: WordPress exports (WXR) and WordPress password hashes.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write the site out: a WordPress export (WXR 1.2) that WordPress's importer accepts.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Rebuild this node's search index from the database (it also rebuilds itself when missing
    /// or damaged).
    Reindex,
}

/// Options of `migrate`.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// Say what would run and change nothing; exit 1 when something would.
    #[arg(long)]
    pub check: bool,
}

/// Options of `backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// Where to write the archive (default: newsroom-<time>.tar.gz in the backup folder,
    /// `backups` in the data folder unless NEWSROOM_BACKUP_DIR says otherwise).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Options of `restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// The archive `newsroom backup` wrote.
    pub file: PathBuf,
    /// Replace what the site already holds (refused otherwise).
    #[arg(long)]
    pub force: bool,
}

/// `newsroom import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import WordPress exports (Tools → Export → All content): articles, pages, authors,
    /// sections, tags, comments and pictures, keeping their ids, slugs and dates.
    Wxr {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A copy of the old site's wp-content/uploads folder, where the pictures are.
        #[arg(long)]
        uploads: Option<PathBuf>,
        /// Check everything and report what would happen, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Bring WordPress password hashes so people sign in with the password they had: a CSV with
    /// user_login, user_email and user_pass columns, e.g. from
    /// `wp user list --fields=user_login,user_email,user_pass --format=csv`.
    WpUsers { file: PathBuf },
}

/// `newsroom export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Everything as one WXR 1.2 file.
    Wxr {
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also copy each picture's original here as wp-content/uploads would hold it.
        #[arg(long)]
        uploads: Option<PathBuf>,
    },
}

/// `newsroom media …`.
#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Add picture files (JPEG, PNG, WebP, GIF) to the library.
    Add {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Description for readers who cannot see them (alt text).
        #[arg(long, default_value = "")]
        alt: String,
        /// Caption.
        #[arg(long, default_value = "")]
        caption: String,
        /// Credit (photographer / agency).
        #[arg(long, default_value = "")]
        credit: String,
    },
}

/// `newsroom user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user (asks for the password on a terminal).
    Add {
        email: String,
        /// subscriber, contributor, author, editor or administrator.
        #[arg(long)]
        role: String,
        /// The name readers see (default: the email's local part).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every user with their role.
    List,
    /// Set a user's password (asks on a terminal); their sessions end.
    Passwd {
        email: String,
        /// Read the password from the first line of standard input instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user another role.
    Role { email: String, role: String },
    /// Make an application password for the REST API (HTTP Basic), shown once.
    AppPassword {
        email: String,
        /// Which tool uses it (e.g. "Desk app").
        name: String,
    },
    /// List a user's application passwords, with when and where each was last used.
    AppPasswords { email: String },
    /// Revoke one of a user's application passwords by its id.
    RevokeAppPassword { email: String, id: i64 },
}

/// Options of `serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on. Default 127.0.0.1:8080.
    #[arg(long, env = "NEWSROOM_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Do not add demo content to an empty site.
    #[arg(long)]
    pub no_demo: bool,
    /// A proxy (IP or CIDR) whose X-Forwarded-For / Forwarded headers are believed. Repeatable.
    #[arg(
        long = "trusted-proxy",
        env = "NEWSROOM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Memory for finished pages, in megabytes (0 turns the page cache off). Default 64.
    #[arg(long, env = "NEWSROOM_PAGE_CACHE_MB")]
    pub page_cache_mb: Option<u64>,
    /// Serve /metrics on the public address to requests with `Authorization: Bearer TOKEN`.
    #[arg(long, env = "NEWSROOM_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Serve /metrics, /healthz and /readyz on this address as well, without a token (keep it
    /// private: a port only the monitoring network reaches).
    #[arg(long, env = "NEWSROOM_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
}

/// Options of `demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Generated articles to add beside the hand-written demo.
    #[arg(long, default_value_t = 0)]
    pub articles: usize,
}

/// `newsroom comments …`.
#[derive(Debug, Subcommand)]
pub enum CommentsCommand {
    /// List comments (newest first), by default those awaiting moderation.
    List {
        /// pending, approved, spam, trash or all.
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// How many comments there are in each status.
    Count,
    /// Approve comments.
    Approve { ids: Vec<i64> },
    /// Return comments to the moderation queue.
    Unapprove { ids: Vec<i64> },
    /// Mark comments as spam.
    Spam { ids: Vec<i64> },
    /// Move comments to the trash.
    Trash { ids: Vec<i64> },
    /// Delete comments for good.
    Delete { ids: Vec<i64> },
}

/// `newsroom.toml`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data: Option<PathBuf>,
    database: Option<String>,
    listen: Option<SocketAddr>,
    demo: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    site_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    page_cache_mb: Option<u64>,
    metrics_token: Option<String>,
    metrics_listen: Option<SocketAddr>,
    backup_dir: Option<PathBuf>,
}

/// The resolved configuration of one running instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub demo: bool,
    pub trusted_proxies: Vec<IpNet>,
    /// The site's public address without a trailing slash.
    pub site_url: String,
    /// Where mail goes out (`smtp://…`, `smtps://…`), if anywhere; else mail is written to the log.
    pub smtp_url: Option<String>,
    /// The sender of the site's mail.
    pub mail_from: String,
    /// Memory for the page cache in megabytes; 0 turns it off.
    pub page_cache_mb: u64,
    /// The bearer token that opens /metrics on the public address (None: not served there).
    pub metrics_token: Option<String>,
    /// A second, private address for /metrics and the health checks.
    pub metrics_listen: Option<SocketAddr>,
    /// Where scheduled backups are written (default: `backups` in the data folder).
    pub backup_dir: PathBuf,
}

impl Config {
    /// Resolve flags, environment and the optional TOML file into one `Config`.
    pub fn resolve(global: &GlobalArgs, serve: &ServeArgs) -> anyhow::Result<Config> {
        let file = load_file(global)?;
        let data_dir = global
            .data
            .clone()
            .or(file.data)
            .unwrap_or_else(|| PathBuf::from("newsroom-data"));
        let database_url = global
            .database
            .clone()
            .or(file.database)
            .unwrap_or_else(|| sqlite_url(&data_dir.join("newsroom.db")));
        let proxies = if serve.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            serve.trusted_proxies.clone()
        };
        let listen = serve
            .listen
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let site_url = match global.site_url.clone().or(file.site_url) {
            Some(url) => parse_site_url(&url)?,
            None => format!("http://{listen}"),
        };
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Ok(Config {
            database_url,
            listen,
            demo: !serve.no_demo && file.demo.unwrap_or(true),
            trusted_proxies: parse_proxies(&proxies)?,
            site_url,
            smtp_url: env("NEWSROOM_SMTP_URL").or(file.smtp_url),
            mail_from: env("NEWSROOM_MAIL_FROM")
                .or(file.mail_from)
                .unwrap_or_else(|| "Newsroom <newsroom@localhost>".into()),
            page_cache_mb: serve
                .page_cache_mb
                .or(file.page_cache_mb)
                .unwrap_or(crate::cache::DEFAULT_MB),
            metrics_token: serve
                .metrics_token
                .clone()
                .or(file.metrics_token)
                .filter(|t| !t.trim().is_empty()),
            metrics_listen: serve.metrics_listen.or(file.metrics_listen),
            backup_dir: env("NEWSROOM_BACKUP_DIR")
                .map(PathBuf::from)
                .or(file.backup_dir)
                .unwrap_or_else(|| data_dir.join("backups")),
            data_dir,
        })
    }

    /// A configuration for tests and tools: the given data folder and database, no demo.
    pub fn for_data(data_dir: &Path, database_url: Option<String>) -> Config {
        Config {
            data_dir: data_dir.to_path_buf(),
            database_url: database_url.unwrap_or_else(|| sqlite_url(&data_dir.join("newsroom.db"))),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo: false,
            trusted_proxies: Vec::new(),
            site_url: "http://127.0.0.1".into(),
            smtp_url: None,
            mail_from: "Newsroom <newsroom@localhost>".into(),
            page_cache_mb: crate::cache::DEFAULT_MB,
            metrics_token: None,
            metrics_listen: None,
            backup_dir: data_dir.join("backups"),
        }
    }
}

/// A site URL as given: http(s), a host, no query; stored without a trailing slash.
pub fn parse_site_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => Ok(url.to_string()),
        _ => Err(anyhow::anyhow!(
            "site URL {url:?} must look like https://news.example.org"
        )),
    }
}

/// The SQLite URL of a database file.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn load_file(global: &GlobalArgs) -> anyhow::Result<FileConfig> {
    let candidates: Vec<PathBuf> = match &global.config {
        Some(path) => vec![path.clone()],
        None => {
            let mut c = Vec::new();
            if let Some(d) = &global.data {
                c.push(d.join("newsroom.toml"));
            }
            c.push(PathBuf::from("newsroom.toml"));
            c
        }
    };
    for path in candidates {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && global.config.is_none() => {}
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }
    Ok(FileConfig::default())
}

/// Parse proxy addresses, each an IP or a CIDR range.
pub fn parse_proxies(items: &[String]) -> anyhow::Result<Vec<IpNet>> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!("trusted proxy {s:?} is not an IP address or CIDR range")
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_accept_addresses_and_ranges_and_reject_names() {
        let parsed = parse_proxies(&["10.0.0.0/8".into(), "127.0.0.1".into()]).unwrap();
        assert_eq!(parsed.len(), 2);
        assert!(parsed[1].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_proxies(&["proxy.example".into()]).is_err());
    }

    #[test]
    fn a_toml_file_fills_what_flags_and_environment_leave_open() {
        let dir = std::env::temp_dir().join(format!("newsroom-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("newsroom.toml");
        std::fs::write(
            &file,
            "data = \"/srv/news\"\nlisten = \"127.0.0.1:9000\"\ndemo = false\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
        )
        .unwrap();
        let global = GlobalArgs {
            config: Some(file.clone()),
            ..Default::default()
        };
        let c = Config::resolve(&global, &ServeArgs::default()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/srv/news"));
        assert_eq!(c.database_url, "sqlite:///srv/news/newsroom.db");
        assert_eq!(c.listen.port(), 9000);
        assert!(!c.demo);
        assert_eq!(c.trusted_proxies.len(), 1);
        let flags = ServeArgs {
            listen: Some("127.0.0.1:7000".parse().unwrap()),
            ..Default::default()
        };
        assert_eq!(
            Config::resolve(&global, &flags).unwrap().listen.port(),
            7000,
            "a flag wins"
        );
        std::fs::write(&file, "listen = 5\n").unwrap();
        let err = Config::resolve(&global, &ServeArgs::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("newsroom.toml"),
            "a bad file names itself: {err}"
        );
        std::fs::write(&file, "bogus = 1\n").unwrap();
        assert!(
            Config::resolve(&global, &ServeArgs::default()).is_err(),
            "unknown keys are refused"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn flags_win_over_defaults() {
        let global = GlobalArgs {
            data: Some("/tmp/x".into()),
            config: Some("/nonexistent/newsroom.toml".into()),
            ..Default::default()
        };
        assert!(Config::resolve(&global, &ServeArgs::default()).is_err());
        let global = GlobalArgs {
            config: None,
            ..global
        };
        let c = Config::resolve(
            &global,
            &ServeArgs {
                no_demo: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.database_url, "sqlite:///tmp/x/newsroom.db");
        assert!(!c.demo);
        assert_eq!(c.listen.port(), 8080);
        assert_eq!(
            c.site_url, "http://127.0.0.1:8080",
            "the listen address by default"
        );
    }

    #[test]
    fn site_urls_are_checked_and_lose_their_trailing_slash() {
        assert_eq!(
            parse_site_url("https://news.example.org/").unwrap(),
            "https://news.example.org"
        );
        assert!(parse_site_url("news.example.org").is_err());
        assert!(parse_site_url("https://").is_err());
    }
}
