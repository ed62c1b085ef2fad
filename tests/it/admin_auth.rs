//! Signing in to the admin: sessions in the database, safe cookies, throttling, CSRF tokens,
//! forgotten passwords by mail, and two-factor sign-in.

use newsroom::content::totp;

use crate::both_backends;
use crate::support::admin::{PASSWORD, cookie_client};
use crate::support::{attrs, smtp, texts};

fn trust_loopback(config: &mut newsroom::config::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

/// The `newsroom_session` Set-Cookie of a response.
fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("newsroom_session="))
        .unwrap_or_else(|| panic!("no session cookie in {:?}", r.headers()))
        .to_string()
}

/// A client that sends exactly this session cookie and nothing else.
async fn status_with_cookie(app: &crate::support::TestApp, cookie: &str, path: &str) -> u16 {
    let pair = cookie.split(';').next().expect("pair");
    app.client
        .get(app.url(path))
        .header("cookie", pair)
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

both_backends! {
    async fn every_admin_page_sends_strangers_to_sign_in(app) {
        for path in ["/admin/", "/admin/posts", "/admin/posts/new", "/admin/posts/1", "/admin/pages", "/admin/comments",
                     "/admin/categories", "/admin/tags", "/admin/users", "/admin/users/1", "/admin/profile",
                     "/admin/profile/two-factor", "/admin/settings", "/admin/activity", "/admin/posts/1/revisions"] {
            let (status, location) = app.redirect(path).await;
            assert_eq!(status, 303, "{path}");
            assert!(location.starts_with("/admin/login"), "{path} → {location}");
        }
        for (wordpress, ours) in [("/wp-admin/", "/admin/"), ("/wp-login.php", "/admin/login")] {
            assert_eq!(app.redirect(wordpress).await, (303, ours.to_string()), "a WordPress bookmark");
        }
        let (_, location) = app.redirect("/admin/posts?status=draft").await;
        assert_eq!(location, "/admin/login?next=%2Fadmin%2Fposts%3Fstatus%3Ddraft", "comes back to where it was going");
        let r = app.client.post(app.url("/admin/posts/new")).form(&[("title", "x")]).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 303, "a form without a session changes nothing");
        let r = app.client.post(app.url("/admin/api/render")).json(&serde_json::json!({"body": "x"})).send().await.expect("api");
        assert_eq!(r.status().as_u16(), 401);
        let body: serde_json::Value = r.json().await.expect("json");
        assert_eq!(body["code"], "rest_not_logged_in");
        assert_eq!(body["data"]["status"], 401);
        let page = app.page("/admin/login").await;
        assert_eq!(attrs(&page, "#user_login", "autocomplete"), vec!["username"]);
        assert_eq!(attrs(&page, "#user_pass", "type"), vec!["password"]);
    }

    async fn signing_in_rotates_the_session_and_signing_out_ends_it_on_the_server(app) where trust_loopback; {
        app.user("ann@example.org", "administrator").await;
        let client = cookie_client();
        let token = app.login_token(&client).await;
        let url = app.url("/admin/login");
        let login = |log: &'static str| {
            let (client, token, url) = (&client, token.clone(), url.clone());
            async move {
                client.post(url).form(&[("csrf", token.as_str()), ("log", log), ("pwd", PASSWORD)])
                    .send().await.expect("login")
            }
        };
        let first = login("ann@example.org").await;
        assert_eq!(first.status().as_u16(), 303);
        assert_eq!(first.headers()["location"], "/admin/");
        let first_cookie = session_cookie(&first);
        assert!(first_cookie.contains("HttpOnly") && first_cookie.contains("SameSite=Lax"), "{first_cookie}");
        assert!(!first_cookie.contains("Secure"), "plain HTTP: no Secure flag");
        assert!(!first_cookie.contains("Max-Age"), "without “remember me” the cookie ends with the browser");
        assert_eq!(status_with_cookie(&app, &first_cookie, "/admin/").await, 200);
        // Sessions live in the database: another node on it knows this one.
        let (other, _) = app.second_node().await;
        let r = app.client.get(format!("{other}/admin/")).header("cookie", first_cookie.split(';').next().expect("pair"))
            .send().await.expect("get");
        assert_eq!(r.status().as_u16(), 200, "signed in on the second node too");

        // Signing in again (same browser) gives a new id and ends the old session.
        let second = login("ANN").await;
        assert_eq!(second.status().as_u16(), 303, "the login works in any case too");
        let second_cookie = session_cookie(&second);
        assert_ne!(first_cookie.split(';').next(), second_cookie.split(';').next());
        assert_eq!(status_with_cookie(&app, &first_cookie, "/admin/").await, 303, "the old id is dead");

        // Signing out ends the session in the database, not only in this browser.
        let html = client.get(app.url("/admin/")).send().await.expect("get").text().await.expect("body");
        let csrf = attrs(&html, "meta[name=csrf-token]", "content")[0].clone();
        let out = client.post(app.url("/admin/logout")).form(&[("csrf", csrf.as_str())]).send().await.expect("logout");
        assert_eq!(out.headers()["location"], "/admin/login?done=signed-out");
        assert_eq!(status_with_cookie(&app, &second_cookie, "/admin/").await, 303);

        // "Remember me" keeps the cookie two weeks; over HTTPS (a trusted proxy says so) it is Secure.
        let client = cookie_client();
        let token = app.login_token(&client).await;
        let r = client.post(app.url("/admin/login")).header("x-forwarded-proto", "https")
            .form(&[("csrf", token.as_str()), ("log", "ann@example.org"), ("pwd", PASSWORD), ("rememberme", "forever")])
            .send().await.expect("login");
        let cookie = session_cookie(&r);
        let max_age: i64 = cookie.split("Max-Age=").nth(1).and_then(|v| v.split(';').next()).and_then(|v| v.parse().ok()).expect("max-age");
        assert!(cookie.contains("Secure") && (1_209_000..=1_209_600).contains(&max_age), "{cookie}");
    }

    async fn wrong_passwords_are_throttled_per_account_and_per_ip(app) where trust_loopback; {
        app.user("ann@example.org", "editor").await;
        app.user("bob@example.org", "author").await;
        let attempt = |login: &'static str, password: &'static str, ip: &'static str| {
            let app = &app;
            async move {
                let client = cookie_client();
                let token = app.login_token(&client).await;
                client.post(app.url("/admin/login")).header("x-forwarded-for", ip)
                    .form(&[("csrf", token.as_str()), ("log", login), ("pwd", password)])
                    .send().await.expect("login")
            }
        };
        for _ in 0..5 {
            let r = attempt("ann@example.org", "wrong password", "198.51.100.7").await;
            assert_eq!(r.status().as_u16(), 200);
            let html = r.text().await.expect("body");
            assert!(texts(&html, "#form-error")[0].contains("not right"), "{html}");
            assert_eq!(attrs(&html, "#user_login", "value"), vec!["ann@example.org"], "the typed name is kept");
        }
        // Now even the right password is refused, from anywhere, under the login name too.
        for (login, ip) in [("ann@example.org", "198.51.100.7"), ("ann", "203.0.113.99")] {
            let r = attempt(login, PASSWORD, ip).await;
            assert_eq!(r.status().as_u16(), 429, "{login} from {ip}");
            let wait: i64 = r.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
            assert!((800..=900).contains(&wait), "about fifteen minutes: {wait}");
            let html = r.text().await.expect("body");
            assert!(html.contains("Too many failed sign-in attempts"), "{html}");
        }
        // Another account is not locked by Ann's attacker…
        assert_eq!(attempt("bob@example.org", PASSWORD, "203.0.113.5").await.status().as_u16(), 303);
        // …but an IP that tries many accounts is.
        for i in 0..20 {
            let names = ["x1@example.org", "x2@example.org", "x3@example.org", "x4@example.org"];
            attempt(names[i % 4], "guess", "192.0.2.66").await;
        }
        assert_eq!(attempt("bob@example.org", PASSWORD, "192.0.2.66").await.status().as_u16(), 429);
        // The counts live in the database, so another node refuses too.
        let (other, _) = app.second_node().await;
        let client = cookie_client();
        let html = client.get(format!("{other}/admin/login")).send().await.expect("get").text().await.expect("body");
        let token = attrs(&html, "input[name=csrf]", "value")[0].clone();
        let r = client.post(format!("{other}/admin/login"))
            .form(&[("csrf", token.as_str()), ("log", "ann@example.org"), ("pwd", PASSWORD)])
            .send().await.expect("login");
        assert_eq!(r.status().as_u16(), 429, "the second node knows");
    }

    async fn forms_without_their_token_are_refused_and_lose_nothing(app) {
        app.user("ann@example.org", "administrator").await;
        let client = cookie_client();
        app.login_token(&client).await;
        let r = client.post(app.url("/admin/login")).form(&[("log", "ann@example.org"), ("pwd", PASSWORD)]).send().await.expect("login");
        assert_eq!(r.status().as_u16(), 403, "a sign-in form needs its token");
        let stranger = cookie_client();
        let token = app.login_token(&client).await;
        let r = stranger.post(app.url("/admin/login")).form(&[("csrf", token.as_str()), ("log", "ann@example.org"), ("pwd", PASSWORD)]).send().await.expect("login");
        assert_eq!(r.status().as_u16(), 403, "another browser's token is no good");

        let ann = app.sign_in("ann@example.org").await;
        let r = ann.client.post(ann.url("/admin/settings"))
            .form(&[("csrf", "forged"), ("tab", "general"), ("title", "Hijacked title")])
            .send().await.expect("post");
        assert_eq!(r.status().as_u16(), 403);
        let html = r.text().await.expect("body");
        assert!(html.contains("Hijacked title"), "what was sent is shown back, not lost");
        assert_ne!(app.state.site().settings.title, "Hijacked title");
        let r = ann.client.post(ann.url("/admin/settings")).header("origin", "https://evil.example")
            .form(&[("csrf", ann.csrf.as_str()), ("tab", "general"), ("title", "Hijacked title")])
            .send().await.expect("post");
        assert_eq!(r.status().as_u16(), 403, "a form posted from another site");
        // Behind a proxy that passes requests on under its own Host, the site's address is its origin.
        let site = app.state.config().site_url.clone();
        let r = ann.client.post(ann.url("/admin/settings")).header("origin", &site).header("host", "backend.internal:8080")
            .form(&[("csrf", ann.csrf.as_str()), ("tab", "general"), ("title", "Proxied title"), ("tagline", "t"),
                    ("timezone", "UTC"), ("date_format", "F j, Y"), ("time_format", "g:i a"), ("posts_per_page", "10"),
                    ("permalink_structure", "/%year%/%monthnum%/%day%/%postname%/")])
            .send().await.expect("post");
        assert_eq!(r.status().as_u16(), 303, "the configured site address is this site");
        assert_eq!(app.state.site().settings.title, "Proxied title");
        let r = ann.client.get(ann.url("/admin/logout")).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 405);
        assert_eq!(r.headers()["allow"], "POST");
        assert!(r.text().await.expect("body").contains("does not take that kind of request"), "a page, not bare text");
        assert_eq!(app.redirect("/admin/posts/").await, (301, "/admin/posts".to_string()));
        let (status, html) = ann.get("/admin/posts/not-a-number").await;
        assert_eq!(status, 404);
        assert!(html.contains("This page does not exist"), "a themed page, not a bare 400");
        let r = ann.client.post(ann.url("/admin/api/render")).json(&serde_json::json!({"body": "x"})).send().await.expect("api");
        assert_eq!(r.status().as_u16(), 403, "script calls need the token header");
    }

    async fn people_see_and_end_their_other_sessions(app) {
        app.user("ann@example.org", "author").await;
        let laptop = app.sign_in("ann@example.org").await;
        let phone = app.sign_in("ann@example.org").await;
        let html = laptop.page("/admin/profile").await;
        assert_eq!(texts(&html, "#sessions .plain-list li").len(), 2);
        assert_eq!(texts(&html, "#sessions strong"), vec!["This browser"]);
        let other = attrs(&html, "#sessions input[name=session]", "value");
        assert_eq!(other.len(), 1);
        let location = laptop.post_ok("/admin/profile/sessions/end", &[("session", &other[0])]).await;
        assert!(location.contains("done=session-ended"));
        assert_eq!(phone.get("/admin/").await.0, 303, "the phone is signed out");
        assert_eq!(laptop.get("/admin/").await.0, 200);
        let r = laptop.post("/admin/profile/sessions/end", &[("session", "not-a-session")]).await;
        assert_eq!(r.status().as_u16(), 404);
    }

    async fn a_forgotten_password_is_reset_by_a_mailed_single_use_link(app) {
        // Configured after start: the mailer is read from the config when the app opens.
        let (smtp_url, inbox) = smtp::start().await;
        let mut config = app.state.config().clone();
        config.smtp_url = Some(smtp_url);
        config.site_url = "https://news.example.org".into();
        let state = newsroom::app::AppState::open(config).await.expect("open");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let router = newsroom::http::router(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
        });
        app.user("ann@example.org", "editor").await;
        let client = cookie_client();
        let forgot = client.get(format!("{base}/admin/forgot")).send().await.expect("get").text().await.expect("body");
        let token = attrs(&forgot, "input[name=csrf]", "value")[0].clone();
        let ask = |log: &'static str| {
            let (client, base, token) = (&client, &base, token.clone());
            async move {
                client.post(format!("{base}/admin/forgot")).form(&[("csrf", token.as_str()), ("log", log)])
                    .send().await.expect("post").text().await.expect("body")
            }
        };
        let answer_known = ask("ann@example.org").await;
        let answer_unknown = ask("nobody@example.org").await;
        let notice = |html: &str| texts(html, ".notice");
        assert_eq!(notice(&answer_known), notice(&answer_unknown), "the answer never tells whether an account exists");
        let mail = inbox.wait_for(1).await;
        assert!(mail.contains("To: ann@example.org") && mail.contains("Password reset"), "{mail}");
        let link = mail.lines().find(|l| l.starts_with("https://news.example.org/admin/reset?token=")).expect("link in mail");
        let path = link.trim_start_matches("https://news.example.org").to_string();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(inbox.messages().len(), 1, "no mail for an unknown address");

        let form = client.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(form.status().as_u16(), 200);
        let html = form.text().await.expect("body");
        let csrf = attrs(&html, "input[name=csrf]", "value")[0].clone();
        let reset_token = attrs(&html, "input[name=token]", "value")[0].clone();
        let send = |password: &'static str, confirm: &'static str| {
            let (client, base, csrf, reset_token) = (&client, &base, csrf.clone(), reset_token.clone());
            async move {
                client.post(format!("{base}/admin/reset"))
                    .form(&[("csrf", csrf.as_str()), ("token", reset_token.as_str()), ("password", password), ("confirm", confirm)])
                    .send().await.expect("post")
            }
        };
        assert_eq!(send("short", "short").await.status().as_u16(), 422, "weak passwords are named");
        let done = send("a brand new passphrase", "a brand new passphrase").await;
        assert_eq!(done.status().as_u16(), 303);
        assert_eq!(done.headers()["location"], "/admin/login?done=reset");
        assert_eq!(send("another new passphrase", "another new passphrase").await.status().as_u16(), 410, "single use");
        assert_eq!(app.post_login(&cookie_client(), "ann@example.org", PASSWORD).await.status().as_u16(), 200, "the old password is gone");
        assert_eq!(app.post_login(&cookie_client(), "ann@example.org", "a brand new passphrase").await.status().as_u16(), 303);

        // Links expire after an hour.
        ask("ann@example.org").await;
        let mail = inbox.wait_for(2).await;
        let link = mail.lines().find(|l| l.contains("/admin/reset?token=")).expect("link");
        app.sql("UPDATE password_resets SET expires_at = created_at WHERE used_at IS NULL").await;
        let expired = client.get(link.replace("https://news.example.org", &base)).send().await.expect("get");
        assert_eq!(expired.status().as_u16(), 410);
        assert!(expired.text().await.expect("body").contains("expired"));
    }

    async fn two_factor_sign_in_asks_for_a_code_that_works_once(app) {
        app.user("ann@example.org", "editor").await;
        let ann = app.sign_in("ann@example.org").await;
        let setup = ann.page("/admin/profile/two-factor").await;
        assert!(setup.contains("<svg"), "a QR code to scan");
        let key: String = texts(&setup, "[data-secret]")[0].split_whitespace().collect();
        let token = attrs(&setup, "input[name=token]", "value")[0].clone();
        let now = || chrono::Utc::now().timestamp() as u64;
        let r = ann.post("/admin/profile/two-factor/enable", &[("token", &token), ("code", "000000")]).await;
        assert_eq!(r.status().as_u16(), 422, "a wrong code does not turn it on");
        let code = totp::code_at(&key, now()).expect("code");
        let r = ann.post("/admin/profile/two-factor/enable", &[("token", &token), ("code", &code)]).await;
        assert_eq!(r.status().as_u16(), 200);
        let codes = texts(&r.text().await.expect("body"), "[data-codes] li");
        assert_eq!(codes.len(), 10, "recovery codes, shown once");

        // The password alone is no longer enough.
        let client = cookie_client();
        let r = app.post_login(&client, "ann@example.org", PASSWORD).await;
        assert!(r.headers()["location"].to_str().expect("ascii").starts_with("/admin/login/two-factor"));
        assert_eq!(client.get(app.url("/admin/")).send().await.expect("get").status().as_u16(), 303, "not signed in yet");
        let step = client.get(app.url("/admin/login/two-factor")).send().await.expect("get").text().await.expect("body");
        let csrf = attrs(&step, "input[name=csrf]", "value")[0].clone();
        let send = |code: String| {
            let (client, csrf) = (&client, csrf.clone());
            let url = app.url("/admin/login/two-factor");
            async move { client.post(url).form(&[("csrf", csrf.as_str()), ("code", code.as_str())]).send().await.expect("post") }
        };
        let wrong = send("123456".into()).await;
        assert_eq!(wrong.status().as_u16(), 200);
        assert!(wrong.text().await.expect("body").contains("not right"));
        // The code of the next 30 s step: the current one was spent turning 2FA on.
        let next = totp::code_at(&key, now() + 30).expect("code");
        let ok = send(next.clone()).await;
        assert_eq!(ok.status().as_u16(), 303);
        assert_eq!(client.get(app.url("/admin/")).send().await.expect("get").status().as_u16(), 200);

        // The same code cannot sign in twice; a recovery code works once.
        let client2 = cookie_client();
        app.post_login(&client2, "ann@example.org", PASSWORD).await;
        let step = client2.get(app.url("/admin/login/two-factor")).send().await.expect("get").text().await.expect("body");
        let csrf2 = attrs(&step, "input[name=csrf]", "value")[0].clone();
        let post2 = |code: String| {
            let (client2, csrf2) = (&client2, csrf2.clone());
            let url = app.url("/admin/login/two-factor");
            async move { client2.post(url).form(&[("csrf", csrf2.as_str()), ("code", code.as_str())]).send().await.expect("post").status().as_u16() }
        };
        assert_eq!(post2(next).await, 200, "a replayed code is refused");
        assert_eq!(post2(codes[0].to_uppercase()).await, 303, "a recovery code, typed sloppily");
        let client3 = cookie_client();
        app.post_login(&client3, "ann@example.org", PASSWORD).await;
        let step = client3.get(app.url("/admin/login/two-factor")).send().await.expect("get").text().await.expect("body");
        let csrf3 = attrs(&step, "input[name=csrf]", "value")[0].clone();
        let again = client3.post(app.url("/admin/login/two-factor")).form(&[("csrf", csrf3.as_str()), ("code", codes[0].as_str())]).send().await.expect("post");
        assert_eq!(again.status().as_u16(), 200, "each recovery code works once");
    }

    async fn a_role_that_must_use_two_factor_sets_it_up_before_anything_else(app) {
        app.set("two_factor_roles", "editor,administrator").await;
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let r = ed.get("/admin/posts").await;
        assert_eq!(r.0, 303);
        let r = ed.client.get(ed.url("/admin/posts")).send().await.expect("get");
        assert_eq!(r.headers()["location"], "/admin/profile/two-factor?required=1");
        let page = ed.page("/admin/profile/two-factor?required=1").await;
        assert!(page.contains("requires two-factor sign-in for your role"));
        let author = app.signed_in_as("au@example.org", "author").await;
        assert_eq!(author.get("/admin/posts").await.0, 200, "authors are not asked");
    }
}
