//! Hostile bytes on every surface: NUL and other control characters in paths, query values and
//! form fields are refused with a clear 4xx (404 paths, 400 queries, 422 forms keeping the text),
//! the same on SQLite and PostgreSQL, and never reach a store (PostgreSQL cannot hold NUL at all).

use crate::both_backends;
use crate::support::admin::Signed;
use crate::support::{TestApp, attrs};

fn trust_loopback(config: &mut newsroom::config::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

/// Control characters as they arrive percent-encoded.
const BAD: [&str; 5] = ["%00", "%01", "%1B", "%7F", "%C2%85"];

/// Every `<form method=post>` of a page: its action and its fields with their current values.
fn forms_of(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let doc = scraper::Html::parse_document(html);
    let form_sel = scraper::Selector::parse("form[method=post]").expect("selector");
    let field_sel =
        scraper::Selector::parse("input[name], textarea[name], select[name]").expect("selector");
    let option_sel = scraper::Selector::parse("option").expect("selector");
    let mut out = Vec::new();
    for form in doc.select(&form_sel) {
        let action = form.value().attr("action").unwrap_or_default().to_string();
        let mut fields = Vec::new();
        for f in form.select(&field_sel) {
            let v = f.value();
            let name = v.attr("name").unwrap_or_default().to_string();
            let value = match v.name() {
                "textarea" => f.text().collect(),
                "select" => f
                    .select(&option_sel)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or_default()
                    .to_string(),
                _ => v.attr("value").unwrap_or("on").to_string(),
            };
            fields.push((name, value));
        }
        out.push((action, fields));
    }
    out
}

/// Send every field of every form on `page` with a NUL in it; each must come back 422.
async fn every_field_refuses_nul(s: &Signed, page: &str) -> usize {
    let html = s.page(page).await;
    let mut sent = 0;
    for (action, fields) in forms_of(&html) {
        for (target, _) in fields.iter().filter(|(n, _)| n != "csrf") {
            let mut body: Vec<(&str, String)> = fields
                .iter()
                .map(|(n, v)| (n.as_str(), v.clone()))
                .collect();
            for (n, v) in body.iter_mut() {
                if n == target {
                    *v = format!("x\u{0}y{v}");
                }
            }
            let r = s
                .client
                .post(s.url(&action))
                .form(&body)
                .send()
                .await
                .expect("post");
            let status = r.status().as_u16();
            let text = r.text().await.expect("body");
            assert_eq!(
                status,
                422,
                "{action} with NUL in {target}: {}",
                &text[..text.len().min(300)]
            );
            assert!(
                text.contains("control character") && text.contains('\u{FFFD}'),
                "{action}/{target}: the text is handed back"
            );
            sent += 1;
        }
    }
    sent
}

async fn public_paths_refuse_control_characters(app: &TestApp) {
    let article = app.first_article().await;
    for bad in BAD {
        for path in [
            format!("/tag/{bad}/"),
            format!("/author/x{bad}/"),
            format!("/about{bad}/"),
            format!("/{bad}"),
            format!("/category/world{bad}/"),
            format!("/2025/{bad}/"),
            format!("/..%2F{bad}/"),
            format!("/../{bad}"),
            format!("{article}{bad}"),
            format!("/static/style{bad}.css"),
            format!("/avatar/{bad}.svg"),
            format!("/preview/{bad}"),
            format!("/admin/{bad}"),
            format!("/admin/posts/{bad}"),
            format!("/wp-comments-post.php{bad}"),
        ] {
            let (status, body) = app.get(&path).await;
            assert_eq!(status, 404, "GET {path}");
            assert!(
                body.contains("<!DOCTYPE html>"),
                "{path}: a page, not a bare error"
            );
        }
        for query in [
            format!("/?tag={bad}"),
            format!("/?p=1{bad}"),
            format!("/?s=a{bad}b"),
            format!("{article}?replytocom={bad}"),
            format!("/admin/login?next={bad}"),
            format!("/?{bad}=x"),
        ] {
            assert_eq!(app.get(&query).await.0, 400, "GET {query}");
        }
    }
}

both_backends! {
    async fn control_characters_are_refused_on_every_public_path_and_field(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        public_paths_refuse_control_characters(&app).await;
        let path = app.first_article().await;
        let fields = [("author", "Ann"), ("email", "ann@example.net"), ("url", "https://ann.example"), ("comment", "hello world")];
        for (i, (target, _)) in fields.iter().enumerate() {
            let form = app.open_form(&path).await;
            let sent: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, if k == target { format!("{v}\u{0}x") } else { v.to_string() })).collect();
            let as_refs: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = app.send_comment(&form, &format!("203.0.113.{}", 40 + i), &as_refs, None).await;
            assert_eq!(r.status().as_u16(), 422, "comment form with NUL in {target}");
            let html = r.text().await.expect("body");
            assert!(html.contains("control character (U+0000)"), "{target}: named beside the field");
            if *target == "comment" {
                assert!(html.contains("hello world\u{FFFD}x"), "the reader's text is kept");
            }
        }
        let ctl = app.open_form(&path).await;
        let r = app.send_comment(&ctl, "203.0.113.60", &[("author", "Ann"), ("email", "ann@example.net"), ("comment", "tab\tand\nnew line are fine")], None).await;
        assert_eq!(r.status().as_u16(), 303, "tabs and line breaks are text");
        assert_eq!(newsroom::db::comment::count(app.state.db(), "approved").await.expect("count"), 4);
    }

    async fn control_characters_are_refused_in_every_admin_route_and_form(app) {
        app.seed_demo().await;
        // Sign-in forms, before any session.
        let client = crate::support::admin::cookie_client();
        let token = app.login_token(&client).await;
        for field in ["log", "pwd", "next"] {
            let mut f = vec![("csrf", token.clone()), ("log", "a@example.org".to_string()), ("pwd", "x".to_string()), ("next", "/admin/".to_string())];
            for (k, v) in f.iter_mut() {
                if *k == field {
                    v.push('\u{0}');
                }
            }
            let r = client.post(app.url("/admin/login")).form(&f).send().await.expect("post");
            assert_eq!(r.status().as_u16(), 422, "login with NUL in {field}");
        }
        let admin = app.signed_in_as("admin@example.org", "administrator").await;
        let id = newsroom::db::article::latest(app.state.db(), newsroom::db::Window { offset: 0, limit: 1 }).await.expect("db")[0].id;
        let term = app.category("World", None).await;
        let someone = app.user("someone@example.org", "author").await;
        let pages = [
            "/admin/".to_string(), "/admin/posts".into(), "/admin/posts/new".into(), format!("/admin/posts/{id}"),
            "/admin/comments".into(), "/admin/categories".into(), format!("/admin/terms/{term}"), "/admin/users/new".into(),
            format!("/admin/users/{someone}"), "/admin/profile".into(), "/admin/profile/two-factor".into(),
            "/admin/settings".into(), "/admin/settings?tab=discussion".into(), "/admin/settings?tab=security".into(),
            format!("/admin/posts/{id}/revisions"), "/admin/pages".into(), "/admin/tags".into(),
        ];
        let mut sent = 0;
        for page in &pages {
            for bad in BAD {
                assert_eq!(admin.get(&format!("{page}{}{bad}", if page.contains('?') { "&x=" } else { "?x=" })).await.0, 400, "{page} query");
            }
            sent += every_field_refuses_nul(&admin, page).await;
        }
        assert!(sent > 100, "the crawl reached the admin's forms: {sent} fields");
        for (path, body) in [
            ("/admin/api/render", serde_json::json!({"body": "a\u{0}b"})),
            ("/admin/api/autosave", serde_json::json!({"id": id, "title": "t\u{0}"})),
        ] {
            let (status, json) = admin.api(path, body).await;
            assert_eq!(status, 422, "{path}: {json}");
            assert_eq!(json["data"]["status"], 422);
        }
        let (status, json) = admin.api("/admin/api/paste", serde_json::json!({"html": "<p>a\u{0}b</p>"})).await;
        assert_eq!((status, json["markdown"].as_str()), (200, Some("ab")), "pasted control characters are dropped");
        let titles = attrs(&admin.page("/admin/posts").await, ".row-title", "href");
        assert!(!titles.is_empty(), "the site still answers");
    }
}
