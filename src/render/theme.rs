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

/// A static file ready to serve.
#[derive(Debug, Clone)]
pub struct Asset {
    pub body: Vec<u8>,
    pub content_type: &'static str,
}

/// The loaded theme: a template environment and the fingerprinted stylesheet.
#[derive(Debug)]
pub struct Theme {
    env: Environment<'static>,
    override_dir: Option<PathBuf>,
    css_url: String,
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
        let css = read_file(override_dir.as_deref(), "static/style.css")
            .ok_or_else(|| Error::Internal("the theme has no static/style.css".into()))?;
        let css_url = format!("/static/style.{}.css", fingerprint(&css));
        let theme = Theme {
            env,
            override_dir,
            css_url,
        };
        // Fail at start-up, not on the first visitor, if a template does not compile.
        for name in [
            "base.html",
            "home.html",
            "archive.html",
            "article.html",
            "page.html",
            "error.html",
        ] {
            theme.env.get_template(name)?;
        }
        Ok(theme)
    }

    /// Render a template with a context.
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> Result<String> {
        Ok(self.env.get_template(name)?.render(ctx)?)
    }

    /// The URL of the stylesheet, with a content hash so it can be cached for a year.
    pub fn css_url(&self) -> &str {
        &self.css_url
    }

    /// A static file by its URL name. `style.<hash>.css` is the stylesheet.
    pub fn asset(&self, name: &str) -> Option<(Asset, bool)> {
        if name.contains("..") || name.contains('/') {
            return None;
        }
        let (file, immutable): (Cow<str>, bool) = if format!("/static/{name}") == self.css_url {
            ("style.css".into(), true)
        } else {
            (name.into(), false)
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
    Sha256::digest(bytes)[..5]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
