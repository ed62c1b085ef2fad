//! Changing the site's settings from the admin: each value checked before it is stored, all of a
//! page's values in one transaction, named in the activity log, reaching every node via the change log.

use crate::actions::FieldErrors;
use crate::actions::capability::{Actor, Cap, Role};
use crate::content::input::{self, Kind};
use crate::content::permalink::Structure;
use crate::db::{Db, setting};
use crate::error::Result;

/// The settings the admin may change, each with how its value is checked.
const EDITABLE: &[(&str, Check)] = &[
    ("title", Check::Line { required: true }),
    ("tagline", Check::Line { required: false }),
    ("timezone", Check::Timezone),
    ("date_format", Check::Line { required: true }),
    ("time_format", Check::Line { required: true }),
    ("posts_per_page", Check::Number { min: 1, max: 100 }),
    ("permalink_structure", Check::Permalink),
    ("two_factor_roles", Check::Roles),
    ("preview_link_days", Check::Number { min: 1, max: 90 }),
    ("media_max_mb", Check::Number { min: 1, max: 200 }),
    ("comment_moderation", Check::Flag),
    ("comment_previously_approved", Check::Flag),
    ("comment_max_links", Check::Number { min: 0, max: 100 }),
    ("moderation_keys", Check::Lines),
    ("disallowed_keys", Check::Lines),
    ("close_comments_days", Check::Number { min: 0, max: 3650 }),
    ("thread_comments_depth", Check::Number { min: 1, max: 10 }),
    ("comments_per_page", Check::Number { min: 1, max: 500 }),
    ("comment_min_seconds", Check::Number { min: 0, max: 600 }),
    ("feed_full_content", Check::Flag),
    ("posts_per_feed", Check::Number { min: 1, max: 100 }),
    ("websub_hub", Check::Url),
    ("backup_every_hours", Check::Number { min: 0, max: 720 }),
    ("backup_keep", Check::Number { min: 1, max: 365 }),
    (
        "site_icon",
        Check::Number {
            min: 0,
            max: u32::MAX,
        },
    ),
];

#[derive(Debug, Clone, Copy)]
enum Check {
    Line {
        required: bool,
    },
    Lines,
    Number {
        min: u32,
        max: u32,
    },
    Flag,
    Timezone,
    Permalink,
    Roles,
    /// An http(s) address, or nothing.
    Url,
}

/// Whether a setting can be changed from the admin.
pub fn is_editable(name: &str) -> bool {
    EDITABLE.iter().any(|(n, _)| *n == name)
}

/// A value made ready to store, or what is wrong with it.
fn normalize(check: Check, value: &str) -> std::result::Result<String, String> {
    let kind = if matches!(check, Check::Lines) {
        Kind::Long
    } else {
        Kind::Line
    };
    input::check(value, kind)?;
    let v = value.trim();
    match check {
        Check::Line { required } => {
            if required && v.is_empty() {
                Err("This cannot be empty.".into())
            } else if v.chars().count() > 200 {
                Err("At most 200 characters.".into())
            } else {
                Ok(v.to_string())
            }
        }
        Check::Lines => Ok(v.replace("\r\n", "\n")),
        Check::Number { min, max } => match v.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            _ => Err(format!("Enter a whole number from {min} to {max}.")),
        },
        Check::Flag => Ok(if matches!(v, "1" | "on" | "true" | "yes") {
            "1".into()
        } else {
            "0".into()
        }),
        Check::Timezone => v
            .parse::<chrono_tz::Tz>()
            .map(|tz| tz.name().to_string())
            .map_err(|_| "Choose a time zone from the list, e.g. Europe/Kyiv.".into()),
        Check::Permalink => Structure::parse(v)
            .map(|_| v.to_string())
            .map_err(|e| format!("This structure does not work: {e}.")),
        Check::Url => {
            let lower = v.to_ascii_lowercase();
            if v.is_empty()
                || (lower.starts_with("https://") || lower.starts_with("http://"))
                    && !v.contains(char::is_whitespace)
                    && v.len() <= 500
            {
                Ok(v.to_string())
            } else {
                Err("Enter an address starting with https://, or leave it empty.".into())
            }
        }
        Check::Roles => {
            let mut roles = Vec::new();
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let role = Role::parse(part).ok_or_else(|| format!("{part:?} is not a role."))?;
                roles.push(role.as_str());
            }
            Ok(roles.join(","))
        }
    }
}

/// Save a page of settings (`values` as the form sent them; unchecked boxes are absent, so every
/// flag named in `flags_on_page` that is missing is saved as off).
pub async fn save(
    db: &Db,
    actor: &Actor,
    values: &[(String, String)],
    flags_on_page: &[&str],
) -> Result<std::result::Result<(), FieldErrors>> {
    actor.require(Cap::ManageOptions, "change the site's settings")?;
    let mut errors = FieldErrors::new();
    let mut ready = Vec::new();
    for (name, check) in EDITABLE {
        let given = values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str());
        let value = match (given, check) {
            (Some(v), _) => v,
            (None, Check::Flag) if flags_on_page.contains(name) => "0",
            (None, _) => continue,
        };
        match normalize(*check, value) {
            Ok(v) => ready.push((name.to_string(), v)),
            Err(m) => {
                errors.insert(name, m);
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    setting::set_many(db, &ready, &actor.audit()).await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_normalized() {
        assert_eq!(
            normalize(Check::Number { min: 1, max: 100 }, " 20 "),
            Ok("20".into())
        );
        assert!(normalize(Check::Number { min: 1, max: 100 }, "0").is_err());
        assert_eq!(
            normalize(Check::Timezone, "Europe/Kyiv"),
            Ok("Europe/Kyiv".into())
        );
        assert!(normalize(Check::Timezone, "Mars/Base").is_err());
        assert!(normalize(Check::Permalink, "/%year%/").is_err());
        assert_eq!(
            normalize(Check::Permalink, "/%postname%/"),
            Ok("/%postname%/".into())
        );
        assert_eq!(
            normalize(Check::Roles, "Editor, administrator"),
            Ok("editor,administrator".into())
        );
        assert!(normalize(Check::Roles, "root").is_err());
        assert_eq!(normalize(Check::Flag, "on"), Ok("1".into()));
        assert!(normalize(Check::Line { required: true }, "  ").is_err());
        assert!(normalize(Check::Line { required: false }, "a\0b").is_err());
        assert_eq!(
            normalize(Check::Lines, "casino\r\nviagra"),
            Ok("casino\nviagra".into())
        );
        assert!(normalize(Check::Url, "ftp://hub").is_err());
        assert_eq!(
            normalize(Check::Url, " https://pubsubhubbub.appspot.com/ "),
            Ok("https://pubsubhubbub.appspot.com/".into())
        );
        assert!(is_editable("title") && !is_editable("secret"));
    }
}
