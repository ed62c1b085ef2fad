//! Helpers for admin tests: accounts in every role, and a signed-in client that carries its
//! session cookie and sends each form with the page's CSRF token.

use newsroom::actions::account::{self, NewAccount};
use newsroom::actions::capability::Actor;

use super::{TestApp, attrs};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

/// A browser-like client: cookies kept, redirects not followed.
pub struct Signed {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub user_id: i64,
}

/// A client with its own cookie jar.
pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// Add a user with a role and the test password; their id.
    pub async fn user(&self, email: &str, role: &str) -> i64 {
        let name = email.split('@').next().unwrap_or(email).replace('.', " ");
        account::add_user(
            self.state.db(),
            &Actor::operator(),
            &NewAccount {
                email: email.into(),
                name,
                role: role.into(),
                password: Some(PASSWORD.into()),
            },
        )
        .await
        .expect("add user")
        .expect("valid user")
    }

    /// Add a user with a role and an application password: (their email, the password).
    pub async fn app_password(&self, email: &str, role: &str) -> (String, String) {
        let id = self.user(email, role).await;
        let password = newsroom::actions::app_password::create(
            self.state.db(),
            &Actor::operator(),
            id,
            "Test tool",
        )
        .await
        .expect("app password");
        (email.to_string(), password)
    }

    /// The pre-session token of a fresh login page for this client (it sets the cookie too).
    pub async fn login_token(&self, client: &reqwest::Client) -> String {
        let html = client
            .get(self.url("/admin/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        attrs(&html, "input[name=csrf]", "value")
            .first()
            .cloned()
            .expect("login form token")
    }

    /// POST the sign-in form from `client`; the raw response.
    pub async fn post_login(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        let token = self.login_token(client).await;
        client
            .post(self.url("/admin/login"))
            .form(&[("csrf", token.as_str()), ("log", login), ("pwd", password)])
            .send()
            .await
            .expect("post login")
    }

    /// Sign in as `email` (test password) and return the signed-in client.
    pub async fn sign_in(&self, email: &str) -> Signed {
        let client = cookie_client();
        let r = self.post_login(&client, email, PASSWORD).await;
        assert_eq!(
            r.status().as_u16(),
            303,
            "sign-in of {email} answered {}",
            r.status()
        );
        let mut signed = Signed {
            client,
            base: self.base.clone(),
            csrf: String::new(),
            user_id: newsroom::db::user::by_email(self.state.db(), email)
                .await
                .expect("db")
                .expect("user")
                .id,
        };
        signed.refresh_csrf().await;
        signed
    }

    /// Add a user in a role and sign them in.
    pub async fn signed_in_as(&self, email: &str, role: &str) -> Signed {
        self.user(email, role).await;
        self.sign_in(email).await
    }
}

impl Signed {
    /// The absolute URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Read this session's CSRF token from the profile page (or where it sends a user who
    /// must set up two-factor sign-in first).
    pub async fn refresh_csrf(&mut self) {
        let r = self
            .client
            .get(self.url("/admin/profile"))
            .send()
            .await
            .expect("get");
        let html = match r.status().as_u16() {
            200 => r.text().await.expect("body"),
            303 => {
                let location = r.headers()["location"].to_str().expect("ascii").to_string();
                self.page(&location).await
            }
            status => panic!("profile page answered {status}"),
        };
        self.csrf = attrs(&html, "meta[name=csrf-token]", "content")
            .first()
            .cloned()
            .expect("csrf meta");
    }

    /// GET a path: status and body.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(self.url(path)).send().await.expect("get");
        let status = r.status().as_u16();
        (status, r.text().await.expect("body"))
    }

    /// GET a path that must answer 200.
    pub async fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(
            status,
            200,
            "GET {path} answered {status}: {}",
            &body[..body.len().min(600)]
        );
        body
    }

    /// POST a form (the CSRF token added); the raw response.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("post")
    }

    /// POST a form that must redirect (303); the Location.
    pub async fn post_ok(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let r = self.post(path, fields).await;
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().expect("ascii").to_string())
            .unwrap_or_default();
        if status != 303 {
            let body = r.text().await.unwrap_or_default();
            panic!(
                "POST {path} answered {status}: {}",
                &body[..body.len().min(1500)]
            );
        }
        location
    }

    /// Upload files (name, bytes) to `path` as a multipart form with text `fields`; the response.
    pub async fn upload(
        &self,
        path: &str,
        files: &[(&str, Vec<u8>)],
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        for (name, bytes) in files {
            // A misleading type on purpose: pictures are known by their bytes.
            let part = reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str("text/plain")
                .expect("mime");
            form = form.part("files", part);
        }
        self.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// Upload one picture through the script's call; its library id (panics when refused).
    pub async fn upload_picture(&self, name: &str, bytes: Vec<u8>, alt: &str) -> i64 {
        let r = self
            .upload("/admin/api/media", &[(name, bytes)], &[("alt", alt)])
            .await;
        let status = r.status().as_u16();
        let json: serde_json::Value = r.json().await.expect("json");
        assert_eq!(status, 200, "{json}");
        json["items"][0]["id"].as_i64().expect("id")
    }

    /// POST JSON to the admin API with the CSRF header.
    pub async fn api(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("api");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// The article id in a `/admin/posts/ID?…` Location.
pub fn post_id(location: &str) -> i64 {
    location
        .trim_start_matches("/admin/posts/")
        .split(['?', '#'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no article id in {location}"))
}
