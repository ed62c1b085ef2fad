//! The theme: templates and static files embedded in the binary from `themes/default/`, each
//! overridable by a file of the same name under `<data>/theme/` without recompiling.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment};
use rust_embed::RustEmbed;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

#[derive(RustEmbed)]
#[folder = "themes/default/"]
struct DefaultTheme;

/// Every template, compiled at start-up so a broken override fails there, not on a visitor.
const TEMPLATES: &[&str] = &[
    "base.html",
    "home.html",
    "archive.html",
    "article.html",
    "page.html",
    "error.html",
    "admin/base.html",
    "admin/auth.html",
    "admin/login.html",
    "admin/two_factor_step.html",
    "admin/forgot.html",
    "admin/reset.html",
    "admin/dashboard.html",
    "admin/posts.html",
    "admin/editor.html",
    "admin/revisions.html",
    "admin/terms.html",
    "admin/term_edit.html",
    "admin/users.html",
    "admin/user_new.html",
    "admin/profile.html",
    "admin/two_factor.html",
    "admin/comments.html",
    "admin/settings.html",
    "admin/activity.html",
    "admin/term_fields.html",
    "admin/pagination.html",
    "admin/media.html",
    "admin/media_item.html",
    "partials/picture.html",
    "admin/refused.html",
    "admin/error.html",
    "admin/last_backup.html",
];

/// A static file ready to serve.
#[derive(Debug, Clone)]
pub struct Asset {
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

/// Static files served under a content-hashed name, so they can be cached for a year.
const FINGERPRINTED: [&str; 3] = ["style.css", "admin.css", "admin.js"];

/// The loaded theme: a template environment and the fingerprinted static files.
#[derive(Debug)]
pub struct Theme {
    env: Environment<'static>,
    override_dir: Option<PathBuf>,
    /// (file, URL) of each fingerprinted file.
    urls: Vec<(&'static str, String)>,
}

impl Theme {
    /// Load the default theme, with files under `override_dir` (if it exists) taking precedence.
    pub fn load(override_dir: Option<&Path>) -> Result<Theme> {
        let override_dir = override_dir.filter(|d| d.is_dir()).map(Path::to_path_buf);
        let mut env = Environment::new();
        let dir = override_dir.clone();
        env.set_loader(move |name| {
            if name.contains("..") {
                return Ok(None);
            }
            Ok(read_file(dir.as_deref(), &format!("templates/{name}"))
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
        });
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".svg") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(escape_html);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let mut urls = Vec::new();
        for file in FINGERPRINTED {
            let bytes = read_file(override_dir.as_deref(), &format!("static/{file}"))
                .ok_or_else(|| Error::Internal(format!("the theme has no static/{file}")))?;
            let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
            urls.push((
                file,
                format!("/static/{stem}.{}.{ext}", fingerprint(&bytes)),
            ));
        }
        let theme = Theme {
            env,
            override_dir,
            urls,
        };
        // Fail at start-up, not on the first visitor, if a template does not compile.
        for name in TEMPLATES {
            theme.env.get_template(name)?;
        }
        Ok(theme)
    }

    /// Render a template with a context.
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Result<String> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }

    /// The URL of the site's stylesheet, with a content hash so it can be cached for a year.
    pub fn css_url(&self) -> &str {
        self.asset_url("style.css")
    }

    /// The content-hashed URL of one of the fingerprinted static files (`admin.css`…).
    pub fn asset_url(&self, file: &str) -> &str {
        self.urls
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, url)| url.as_str())
            .unwrap_or_default()
    }

    /// A static file by its URL name; a fingerprinted name (`style.<hash>.css`) is immutable.
    pub fn asset(&self, name: &str) -> Option<(Asset, bool)> {
        if name.contains("..") || name.contains('/') {
            return None;
        }
        let hashed = self
            .urls
            .iter()
            .find(|(_, url)| url.strip_prefix("/static/") == Some(name));
        let (file, immutable): (Cow<str>, bool) = match hashed {
            Some((file, _)) => ((*file).into(), true),
            None => (name.into(), false),
        };
        let body = read_file(self.override_dir.as_deref(), &format!("static/{file}"))?;
        Some((
            Asset {
                body,
                content_type: content_type(&file),
            },
            immutable,
        ))
    }
}

/// Escape `& < > " '` only: minijinja's default also escapes `/`, which bloats every URL.
fn escape_html(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &minijinja::Value,
) -> std::result::Result<(), minijinja::Error> {
    if let (AutoEscape::Html, Some(s), false) =
        (state.auto_escape(), value.as_str(), value.is_safe())
    {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            out.write_str(&s[last..i]).map_err(minijinja::Error::from)?;
            out.write_str(rep).map_err(minijinja::Error::from)?;
            last = i + 1;
        }
        return out.write_str(&s[last..]).map_err(minijinja::Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

fn read_file(dir: Option<&Path>, rel: &str) -> Option<Vec<u8>> {
    if let Some(dir) = dir
        && let Ok(bytes) = std::fs::read(dir.join(rel))
    {
        return Some(bytes);
    }
    DefaultTheme::get(rel).map(|f| f.data.into_owned())
}

fn fingerprint(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..5])
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "js" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_loads_and_fingerprints_its_css() {
        let theme = Theme::load(None).unwrap();
        assert!(theme.css_url().starts_with("/static/style.") && theme.css_url().ends_with(".css"));
        let name = theme.css_url().trim_start_matches("/static/").to_string();
        let (asset, immutable) = theme.asset(&name).unwrap();
        assert!(immutable);
        assert_eq!(asset.content_type, "text/css; charset=utf-8");
        let js = theme
            .asset_url("admin.js")
            .trim_start_matches("/static/")
            .to_string();
        assert!(js.starts_with("admin.") && js.ends_with(".js"), "{js}");
        assert_eq!(
            theme.asset(&js).unwrap().0.content_type,
            "text/javascript; charset=utf-8"
        );
        assert!(theme.asset("../Cargo.toml").is_none());
    }

    #[test]
    fn a_file_on_disk_overrides_the_embedded_one() {
        let dir = std::env::temp_dir().join(format!("newsroom-theme-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("templates/error.html"), "custom {{ message }}").unwrap();
        let theme = Theme::load(Some(&dir)).unwrap();
        let html = theme
            .render("error.html", minijinja::context! { message => "<x>" })
            .unwrap();
        assert_eq!(html, "custom &lt;x&gt;");
        let html = theme
            .render(
                "error.html",
                minijinja::context! { message => "a/b \"c\" 'd' & é" },
            )
            .unwrap();
        assert_eq!(html, "custom a/b &quot;c&quot; &#39;d&#39; &amp; é");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
