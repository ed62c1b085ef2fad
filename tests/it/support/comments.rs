//! Helpers for comment tests: open an article's form, send it from a chosen client IP.

use newsroom::db::setting;

use super::{TestApp, attrs};

/// A comment form as the page rendered it.
#[derive(Debug, Clone)]
pub struct OpenForm {
    pub path: String,
    pub post_id: String,
    pub token: String,
}

impl TestApp {
    /// Set a site setting and reload the snapshot.
    pub async fn set(&self, name: &str, value: &str) {
        setting::set(self.state.db(), name, value)
            .await
            .expect("set setting");
        self.follow().await;
    }

    /// A site where forms may come back at once and everyone's first comment is published,
    /// so a test sees only the rule it is about.
    pub async fn relax_comment_rules(&self) {
        self.set("comment_min_seconds", "0").await;
        self.set("comment_previously_approved", "0").await;
    }

    /// GET an article and read its comment form.
    pub async fn open_form(&self, path: &str) -> OpenForm {
        let html = self.page(path).await;
        OpenForm {
            path: path.to_string(),
            post_id: attrs(&html, "input[name=comment_post_ID]", "value")[0].clone(),
            token: attrs(&html, "input[name=newsroom_token]", "value")[0].clone(),
        }
    }

    /// POST a comment form with these fields (plus post id and token unless overridden), as if
    /// from `ip` through a trusted proxy (the app must trust 127.0.0.1 for that to count).
    pub async fn send_comment(
        &self,
        form: &OpenForm,
        ip: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> reqwest::Response {
        let mut all: Vec<(String, String)> = vec![
            ("comment_post_ID".into(), form.post_id.clone()),
            ("newsroom_token".into(), form.token.clone()),
            ("comment_parent".into(), "0".into()),
        ];
        for (k, v) in fields {
            all.retain(|(key, _)| key != k);
            all.push((k.to_string(), v.to_string()));
        }
        let mut req = self
            .client
            .post(self.url("/wp-comments-post.php"))
            .form(&all)
            .header("x-forwarded-for", ip);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.expect("post comment")
    }

    /// The first article on the home page.
    pub async fn first_article(&self) -> String {
        let home = self.page("/").await;
        attrs(&home, ".card-title a", "href")[0].clone()
    }
}

/// The `name=value` pairs of a response's Set-Cookie headers, joined for a Cookie header.
pub fn cookies_of(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The comment id in a `…#comment-ID` Location.
pub fn comment_id(r: &reqwest::Response) -> i64 {
    let location = r.headers()["location"].to_str().expect("ascii");
    location
        .rsplit("#comment-")
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no comment anchor in {location}"))
}
