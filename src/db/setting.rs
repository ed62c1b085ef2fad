//! Site settings: a name → value table, read into the typed `Settings` with WordPress's defaults.

use std::collections::HashMap;

use crate::db::Db;
use crate::db::activity::Audit;
use crate::error::Result;
use crate::{log_activity, log_change, on_pool, on_writer};

/// The site's settings, typed. Unknown or unparsable stored values fall back to the default.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub title: String,
    pub tagline: String,
    /// An IANA zone name; dates on pages and date archives use it.
    pub timezone: String,
    /// WordPress permalink structure, e.g. `/%year%/%monthnum%/%day%/%postname%/`.
    pub permalink_structure: String,
    pub posts_per_page: u32,
    /// Secret for signing form tokens and cookies and salting avatar hashes; made on first start.
    pub secret: String,
    /// Every comment waits for a moderator.
    pub comment_moderation: bool,
    /// A commenter needs one approved comment before the next goes out unmoderated.
    pub comment_previously_approved: bool,
    /// More links than this holds a comment for moderation.
    pub comment_max_links: usize,
    /// Words, IPs or emails (one a line) that hold a comment for moderation.
    pub moderation_keys: String,
    /// Words, IPs or emails (one a line) that mark a comment as spam.
    pub disallowed_keys: String,
    /// Close comments on articles older than this many days (0: never).
    pub close_comments_days: u32,
    pub thread_comments_depth: u32,
    pub comments_per_page: u32,
    /// A comment form sent back sooner than this after it was shown is refused as a bot's.
    pub comment_min_seconds: u32,
    /// How dates are shown, in WordPress's (PHP's) format letters, e.g. `F j, Y`.
    pub date_format: String,
    /// How times of day are shown, e.g. `g:i a`.
    pub time_format: String,
    /// Roles (comma-separated) whose members must sign in with a second factor.
    pub two_factor_roles: String,
    /// How long a shared review link of a draft stays valid.
    pub preview_link_days: u32,
    /// The largest picture file taken, in MB.
    pub media_max_mb: u32,
    /// The library picture the site's icons are made from; 0 for the default icon.
    pub site_icon: i64,
    /// Feeds carry whole articles (else the excerpt), WordPress's "For each post in a feed".
    pub feed_full_content: bool,
    /// Items in a feed (WordPress's posts_per_rss).
    pub posts_per_feed: u32,
    /// A WebSub hub to ping when something is published ('' = none).
    pub websub_hub: String,
    /// Hours between scheduled backups (0: none).
    pub backup_every_hours: u32,
    /// Backup archives kept in the backup folder; older ones are deleted.
    pub backup_keep: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            title: "Newsroom".into(),
            tagline: "News you can trust".into(),
            timezone: "UTC".into(),
            permalink_structure: "/%year%/%monthnum%/%day%/%postname%/".into(),
            posts_per_page: 10,
            secret: String::new(),
            comment_moderation: false,
            comment_previously_approved: true,
            comment_max_links: 2,
            moderation_keys: String::new(),
            disallowed_keys: String::new(),
            close_comments_days: 0,
            thread_comments_depth: 5,
            comments_per_page: 50,
            comment_min_seconds: 3,
            date_format: "F j, Y".into(),
            time_format: "g:i a".into(),
            two_factor_roles: String::new(),
            preview_link_days: 7,
            media_max_mb: 20,
            site_icon: 0,
            feed_full_content: true,
            posts_per_feed: 10,
            websub_hub: String::new(),
            backup_every_hours: 24,
            backup_keep: 7,
        }
    }
}

impl Settings {
    fn from_map(map: &HashMap<String, String>) -> Settings {
        let d = Settings::default();
        let text = |k: &str, def: String| map.get(k).cloned().unwrap_or(def);
        let num = |k: &str, def: u32| {
            map.get(k)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(def)
        };
        let flag = |k: &str, def: bool| {
            map.get(k)
                .map(|v| matches!(v.trim(), "1" | "true" | "yes" | "on"))
                .unwrap_or(def)
        };
        Settings {
            title: text("title", d.title),
            tagline: text("tagline", d.tagline),
            timezone: text("timezone", d.timezone),
            permalink_structure: text("permalink_structure", d.permalink_structure),
            posts_per_page: num("posts_per_page", d.posts_per_page).clamp(1, 100),
            secret: text("secret", d.secret),
            comment_moderation: flag("comment_moderation", d.comment_moderation),
            comment_previously_approved: flag(
                "comment_previously_approved",
                d.comment_previously_approved,
            ),
            comment_max_links: num("comment_max_links", d.comment_max_links as u32) as usize,
            moderation_keys: text("moderation_keys", d.moderation_keys),
            disallowed_keys: text("disallowed_keys", d.disallowed_keys),
            close_comments_days: num("close_comments_days", d.close_comments_days),
            thread_comments_depth: num("thread_comments_depth", d.thread_comments_depth)
                .clamp(1, 10),
            comments_per_page: num("comments_per_page", d.comments_per_page).clamp(1, 500),
            comment_min_seconds: num("comment_min_seconds", d.comment_min_seconds),
            date_format: text("date_format", d.date_format),
            time_format: text("time_format", d.time_format),
            two_factor_roles: text("two_factor_roles", d.two_factor_roles),
            preview_link_days: num("preview_link_days", d.preview_link_days).clamp(1, 90),
            media_max_mb: num("media_max_mb", d.media_max_mb).clamp(1, 200),
            site_icon: map
                .get("site_icon")
                .and_then(|v| v.trim().parse().ok())
                .filter(|v: &i64| *v > 0)
                .unwrap_or(d.site_icon),
            feed_full_content: flag("feed_full_content", d.feed_full_content),
            posts_per_feed: num("posts_per_feed", d.posts_per_feed).clamp(1, 100),
            websub_hub: text("websub_hub", d.websub_hub),
            backup_every_hours: num("backup_every_hours", d.backup_every_hours).min(720),
            backup_keep: num("backup_keep", d.backup_keep).clamp(1, 365),
        }
    }
}

/// Read every setting.
pub async fn load(db: &Db) -> Result<Settings> {
    const SQL: &str = "SELECT name, value FROM settings";
    let rows: Vec<(String, String)> =
        on_pool!(db, |pool| sqlx::query_as(SQL).fetch_all(pool).await?);
    Ok(Settings::from_map(&rows.into_iter().collect()))
}

/// Set one setting (insert or replace), logged as a change so every node reloads.
pub async fn set(db: &Db, name: &str, value: &str) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (name, value) VALUES ($1, $2) \
                       ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query(SQL)
            .bind(name)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        log_change!(tx, "setting", 0_i64, name)?;
        tx.commit().await?;
        Ok(())
    })
}

/// Set several settings in one transaction (a settings page saved), naming who did it.
pub async fn set_many(db: &Db, values: &[(String, String)], audit: &Audit) -> Result<()> {
    const SQL: &str = "INSERT INTO settings (name, value) VALUES ($1, $2) \
                       ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    const OLD: &str = "SELECT value FROM settings WHERE name = $1";
    on_writer!(db, |pool| {
        let mut tx = pool.begin().await?;
        for (name, value) in values {
            let old: Option<String> = sqlx::query_scalar(OLD)
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            if old.as_deref() == Some(value.as_str()) {
                continue;
            }
            sqlx::query(SQL)
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
            log_change!(tx, "setting", 0_i64, name.as_str())?;
            // The secret never reaches the log; other values are what the administrator typed.
            let summary = if name == "secret" {
                name.clone()
            } else {
                let shown: String = value.chars().take(120).collect();
                format!("{name} = {shown}")
            };
            log_activity!(tx, audit, "change setting", "setting", None::<i64>, summary)?;
        }
        tx.commit().await?;
        Ok(())
    })
}

/// Set a setting only if it has no value yet; true if this call set it. Safe when nodes race.
pub async fn set_if_missing(db: &Db, name: &str, value: &str) -> Result<bool> {
    const SQL: &str =
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";
    let affected = on_writer!(db, |pool| sqlx::query(SQL)
        .bind(name)
        .bind(value)
        .execute(pool)
        .await?
        .rows_affected());
    Ok(affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_fall_back_to_defaults() {
        let map: HashMap<String, String> = [
            ("posts_per_page".to_string(), "abc".to_string()),
            ("comment_moderation".to_string(), "1".to_string()),
            ("thread_comments_depth".to_string(), "99".to_string()),
        ]
        .into();
        let s = Settings::from_map(&map);
        assert_eq!(s.posts_per_page, 10);
        assert!(s.comment_moderation);
        assert_eq!(s.thread_comments_depth, 10);
    }
}
