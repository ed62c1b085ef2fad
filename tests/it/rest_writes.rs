//! Writing through the WordPress REST API, on both backends: the admin's cookie with its nonce,
//! drafts and `context=edit`, trash and delete, terms, comment moderation, uploads, settings and
//! users — each under the roles `actions` enforces, with WordPress's codes and statuses.

use serde_json::{Value, json};

use crate::both_backends;
use crate::support::TestApp;

/// Send `method` to `path` as `who` (None: anonymous) with a JSON body; status and JSON answer.
async fn call(
    app: &TestApp,
    who: Option<&(String, String)>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = app.client.request(method, app.url(path));
    if let Some((login, pw)) = who {
        r = r.basic_auth(login, Some(pw));
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

use reqwest::Method;

both_backends! {
    async fn the_admin_s_scripts_use_the_session_cookie_with_its_nonce(app) {
        let me = app.signed_in_as("desk@example.org", "editor").await;
        let page = me.page("/admin/").await;
        let nonce = crate::support::attrs(&page, "meta[name=wp-rest-nonce]", "content").pop().expect("nonce in the admin");
        let ajax = me.client.get(me.url("/wp-admin/admin-ajax.php?action=rest-nonce")).send().await.expect("ajax");
        assert_eq!(ajax.status().as_u16(), 200);
        assert_eq!(ajax.text().await.expect("text"), nonce, "the same nonce for the same session");
        let anon = app.client.get(app.url("/wp-admin/admin-ajax.php?action=rest-nonce")).send().await.expect("ajax");
        assert_eq!((anon.status().as_u16(), anon.text().await.expect("text")), (400, "0".to_string()));

        let post = json!({"title": "Written from the editor's script", "status": "draft"});
        let with = me.client.post(me.url("/wp-json/wp/v2/posts")).header("X-WP-Nonce", &nonce).json(&post).send().await.expect("post");
        assert_eq!(with.status().as_u16(), 201);
        // The cookie alone is what a forged cross-site request carries: it counts as anonymous.
        let without = me.client.post(me.url("/wp-json/wp/v2/posts")).json(&post).send().await.expect("post");
        assert_eq!(without.status().as_u16(), 401);
        let me_anon = me.client.get(me.url("/wp-json/wp/v2/users/me")).send().await.expect("me");
        assert_eq!(me_anon.status().as_u16(), 401);
        let bad = me.client.get(me.url("/wp-json/wp/v2/users/me")).header("X-WP-Nonce", "0123456789").send().await.expect("me");
        assert_eq!(bad.status().as_u16(), 403);
        assert_eq!(bad.json::<Value>().await.expect("json")["code"], "rest_cookie_invalid_nonce");
        let by_query = me.client.get(me.url(&format!("/wp-json/wp/v2/users/me?_wpnonce={nonce}"))).send().await.expect("me");
        assert_eq!(by_query.json::<Value>().await.expect("json")["email"], "desk@example.org");
        // Another browser with the nonce but no session is refused, not taken for anyone.
        let stolen = app.client.get(app.url("/wp-json/wp/v2/users/me")).header("X-WP-Nonce", &nonce).send().await.expect("me");
        assert_eq!(stolen.status().as_u16(), 403);
        // After signing out the nonce is worth nothing.
        me.post_ok("/admin/logout", &[]).await;
        let after = me.client.get(me.url("/wp-json/wp/v2/users/me")).header("X-WP-Nonce", &nonce).send().await.expect("me");
        assert_eq!(after.status().as_u16(), 403);
    }
}

both_backends! {
    async fn drafts_show_only_to_those_who_may_edit_them(app) {
        let ann = app.app_password("ann@example.org", "author").await;
        let bob = app.app_password("bob@example.org", "author").await;
        let ed = app.app_password("ed@example.org", "editor").await;
        let (s, draft) = call(&app, Some(&ann), Method::POST, "/wp-json/wp/v2/posts",
            Some(json!({"title": "Embargoed budget", "content": "<p>Numbers at noon.</p>", "excerpt": "Numbers", "status": "draft"}))).await;
        assert_eq!(s, 201);
        let id = draft["id"].as_i64().expect("id");
        let path = format!("/wp-json/wp/v2/posts/{id}");
        assert_eq!(call(&app, None, Method::GET, &path, None).await.0, 404, "no draft for the anonymous");
        assert_eq!(call(&app, Some(&bob), Method::GET, &path, None).await.0, 403, "nor for another author");
        let (s, mine) = call(&app, Some(&ann), Method::GET, &format!("{path}?context=edit"), None).await;
        assert_eq!(s, 200);
        assert_eq!(mine["status"], "draft");
        assert_eq!(mine["title"]["raw"], "Embargoed budget");
        assert_eq!(mine["content"]["raw"], "<p>Numbers at noon.</p>");
        assert_eq!(mine["excerpt"]["raw"], "Numbers");
        let (s, err) = call(&app, None, Method::GET, "/wp-json/wp/v2/posts?context=edit", None).await;
        assert_eq!((s, err["code"].as_str()), (401, Some("rest_forbidden_context")));

        let (s, err) = call(&app, None, Method::GET, "/wp-json/wp/v2/posts?status=draft", None).await;
        assert_eq!((s, err["code"].as_str()), (400, Some("rest_invalid_param")));
        let ids = |v: &Value| v.as_array().expect("list").iter().map(|p| p["id"].as_i64().expect("id")).collect::<Vec<_>>();
        let (_, ann_list) = call(&app, Some(&ann), Method::GET, "/wp-json/wp/v2/posts?status=draft", None).await;
        assert_eq!(ids(&ann_list), vec![id]);
        let (_, bob_list) = call(&app, Some(&bob), Method::GET, "/wp-json/wp/v2/posts?status=draft", None).await;
        assert!(ids(&bob_list).is_empty(), "an author lists only their own drafts");
        let (_, ed_list) = call(&app, Some(&ed), Method::GET, "/wp-json/wp/v2/posts?status=draft,pending&context=edit", None).await;
        assert_eq!(ids(&ed_list), vec![id], "an editor lists everyone's");
        assert_eq!(ed_list[0]["title"]["raw"], "Embargoed budget");
        let (_, public) = call(&app, None, Method::GET, "/wp-json/wp/v2/posts", None).await;
        assert!(!ids(&public).contains(&id));
    }
}

both_backends! {
    async fn articles_go_to_the_trash_and_are_deleted_for_good(app) {
        let ann = app.app_password("ann@example.org", "author").await;
        let con = app.app_password("con@example.org", "contributor").await;
        let (_, post) = call(&app, Some(&ann), Method::POST, "/wp-json/wp/v2/posts",
            Some(json!({"title": "Short-lived", "content": "<p>Soon gone.</p>", "status": "publish"}))).await;
        let id = post["id"].as_i64().expect("id");
        let path = format!("/wp-json/wp/v2/posts/{id}");
        let link = post["link"].as_str().expect("link").replace("http://127.0.0.1", "");
        assert_eq!(app.get(&link).await.0, 200);
        let (s, err) = call(&app, None, Method::DELETE, &path, None).await;
        assert_eq!((s, err["code"].as_str()), (401, Some("rest_cannot_delete")));
        assert_eq!(call(&app, Some(&con), Method::DELETE, &path, None).await.0, 403);
        let (s, trashed) = call(&app, Some(&ann), Method::DELETE, &path, None).await;
        assert_eq!((s, trashed["status"].as_str()), (200, Some("trash")));
        assert_ne!(app.get(&link).await.0, 200, "off the site");
        let (s, err) = call(&app, Some(&ann), Method::DELETE, &path, None).await;
        assert_eq!((s, err["code"].as_str()), (410, Some("rest_already_trashed")));
        let (s, gone) = call(&app, Some(&ann), Method::DELETE, &format!("{path}?force=true"), None).await;
        assert_eq!(s, 200);
        assert_eq!(gone["deleted"], true);
        assert_eq!(gone["previous"]["id"], id);
        assert_eq!(call(&app, Some(&ann), Method::GET, &path, None).await.0, 404);
        // A method a route does not take is WordPress's unknown route, in JSON.
        let (s, err) = call(&app, Some(&ann), Method::DELETE, "/wp-json/wp/v2/posts", None).await;
        assert_eq!((s, err["code"].as_str()), (404, Some("rest_no_route")));
    }
}

both_backends! {
    async fn sections_and_tags_are_managed_by_editors(app) {
        let ed = app.app_password("ed@example.org", "editor").await;
        let ann = app.app_password("ann@example.org", "author").await;
        let (s, parent) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/categories",
            Some(json!({"name": "Regions", "description": "Around the country"}))).await;
        assert_eq!(s, 201);
        let parent_id = parent["id"].as_i64().expect("id");
        let (s, child) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/categories",
            Some(json!({"name": "North", "parent": parent_id}))).await;
        assert_eq!((s, child["parent"].as_i64()), (201, Some(parent_id)));
        app.state.follow_changes().await.expect("follow");
        assert_eq!(app.get("/category/regions/north/").await.0, 200);
        let (s, dup) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/categories", Some(json!({"name": "Regions"}))).await;
        assert_eq!((s, dup["code"].as_str()), (400, Some("term_exists")));
        assert_eq!(dup["data"]["term_id"], parent_id);
        let (s, err) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/categories", Some(json!({"description": "no name"}))).await;
        assert_eq!((s, err["code"].as_str()), (400, Some("rest_missing_callback_param")));
        let (s, err) = call(&app, Some(&ann), Method::POST, "/wp-json/wp/v2/tags", Some(json!({"name": "Mine"}))).await;
        assert_eq!((s, err["code"].as_str()), (403, Some("rest_cannot_create")));
        assert_eq!(call(&app, None, Method::POST, "/wp-json/wp/v2/tags", Some(json!({"name": "Mine"}))).await.0, 401);

        let (s, tag) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/tags", Some(json!({"name": "Floods"}))).await;
        assert_eq!(s, 201);
        let tag_path = format!("/wp-json/wp/v2/tags/{}", tag["id"]);
        let (s, renamed) = call(&app, Some(&ed), Method::POST, &tag_path, Some(json!({"name": "Flooding", "slug": "flooding"}))).await;
        assert_eq!((s, renamed["slug"].as_str()), (200, Some("flooding")));
        let (s, err) = call(&app, Some(&ed), Method::POST, &tag_path, Some(json!({"parent": parent_id}))).await;
        assert_eq!((s, err["code"].as_str()), (400, Some("rest_taxonomy_not_hierarchical")));
        let (s, err) = call(&app, Some(&ed), Method::DELETE, &tag_path, None).await;
        assert_eq!((s, err["code"].as_str()), (501, Some("rest_trash_not_supported")));
        let (s, gone) = call(&app, Some(&ed), Method::DELETE, &format!("{tag_path}?force=true"), None).await;
        assert_eq!((s, gone["deleted"].as_bool()), (200, Some(true)));
        assert_eq!(call(&app, None, Method::GET, &tag_path, None).await.0, 404);
        // Without pretty permalinks (`?rest_route=`) a write carries its body and credentials too.
        let (s, plain) = call(&app, Some(&ed), Method::POST, "/?rest_route=/wp/v2/tags", Some(json!({"name": "Storms"}))).await;
        assert_eq!((s, plain["slug"].as_str()), (201, Some("storms")));
        // The categories route does not reach tags.
        let (s, _) = call(&app, Some(&ed), Method::POST, &format!("/wp-json/wp/v2/tags/{parent_id}"), Some(json!({"name": "x"}))).await;
        assert_eq!(s, 404);
    }
}

both_backends! {
    async fn signed_in_users_comment_and_moderators_moderate(app) {
        app.seed_demo().await;
        app.set("comment_previously_approved", "1").await;
        let reader = app.app_password("reader@example.org", "subscriber").await;
        let ed = app.app_password("ed@example.org", "editor").await;
        let (_, posts) = call(&app, None, Method::GET, "/wp-json/wp/v2/posts?per_page=1", None).await;
        let post = posts[0]["id"].as_i64().expect("a post");
        let (s, err) = call(&app, None, Method::POST, "/wp-json/wp/v2/comments", Some(json!({"post": post, "content": "Hi", "author_name": "A", "author_email": "a@example.org"}))).await;
        assert_eq!((s, err["code"].as_str()), (401, Some("rest_comment_login_required")));
        let (s, held) = call(&app, Some(&reader), Method::POST, "/wp-json/wp/v2/comments", Some(json!({"post": post, "content": "First time commenting here."}))).await;
        assert_eq!(s, 201);
        assert_eq!(held["status"], "hold", "a first comment waits, as from the form");
        assert!(held.get("author_email").is_none(), "a commenter does not get moderators' fields");
        let cid = held["id"].as_i64().expect("id");
        let (s, err) = call(&app, Some(&reader), Method::POST, "/wp-json/wp/v2/comments", Some(json!({"post": post, "content": "First time commenting here."}))).await;
        assert_eq!((s, err["code"].as_str()), (409, Some("comment_duplicate")));
        let (s, err) = call(&app, Some(&reader), Method::POST, "/wp-json/wp/v2/comments", Some(json!({"post": post, "content": "  "}))).await;
        assert_eq!((s, err["code"].as_str()), (400, Some("rest_comment_content_invalid")));
        let (s, err) = call(&app, Some(&reader), Method::POST, "/wp-json/wp/v2/comments", Some(json!({"post": 999_999, "content": "Where?"}))).await;
        assert_eq!((s, err["code"].as_str()), (403, Some("rest_comment_invalid_post_id")));

        // Held comments are for moderators only, with the private fields.
        let (s, err) = call(&app, None, Method::GET, "/wp-json/wp/v2/comments?status=hold", None).await;
        assert_eq!((s, err["code"].as_str()), (401, Some("rest_forbidden_param")));
        assert_eq!(call(&app, None, Method::GET, &format!("/wp-json/wp/v2/comments/{cid}"), None).await.0, 404);
        let (_, queue) = call(&app, Some(&ed), Method::GET, "/wp-json/wp/v2/comments?status=hold", None).await;
        let found = queue.as_array().expect("list").iter().find(|c| c["id"] == cid).expect("held comment listed").clone();
        assert_eq!(found["author_email"], "reader@example.org");
        let (s, err) = call(&app, Some(&reader), Method::POST, &format!("/wp-json/wp/v2/comments/{cid}"), Some(json!({"status": "approved"}))).await;
        assert_eq!((s, err["code"].as_str()), (403, Some("rest_cannot_edit")));
        let (s, ok) = call(&app, Some(&ed), Method::POST, &format!("/wp-json/wp/v2/comments/{cid}"), Some(json!({"status": "approve", "content": "First time commenting here!"}))).await;
        assert_eq!((s, ok["status"].as_str()), (200, Some("approved")));
        let (_, public) = call(&app, None, Method::GET, &format!("/wp-json/wp/v2/comments/{cid}"), None).await;
        assert!(public["content"]["rendered"].as_str().expect("html").contains("First time commenting here!"));
        assert!(public.get("author_email").is_none() && !public.to_string().contains("reader@example.org"), "no email for the public");
        // A moderator's own comment is approved at once; then the first one goes away.
        let (s, mine) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/comments", Some(json!({"post": post, "parent": cid, "content": "Welcome!"}))).await;
        assert_eq!((s, mine["status"].as_str(), mine["parent"].as_i64()), (201, Some("approved"), Some(cid)));
        let (s, trashed) = call(&app, Some(&ed), Method::DELETE, &format!("/wp-json/wp/v2/comments/{cid}"), None).await;
        assert_eq!((s, trashed["status"].as_str()), (200, Some("trash")));
        let (s, gone) = call(&app, Some(&ed), Method::DELETE, &format!("/wp-json/wp/v2/comments/{cid}?force=true"), None).await;
        assert_eq!((s, gone["deleted"].as_bool()), (200, Some(true)));
        assert_eq!(call(&app, Some(&ed), Method::GET, &format!("/wp-json/wp/v2/comments/{cid}"), None).await.0, 404);
    }
}

both_backends! {
    async fn pictures_are_uploaded_as_wordpress_clients_send_them(app) {
        let ann = app.app_password("ann@example.org", "author").await;
        let sub = app.app_password("sub@example.org", "subscriber").await;
        let jpeg = crate::support::pictures::jpeg(640, 480);
        // The raw body, named by Content-Disposition (what wpapi and the block editor send).
        let r = app.client.post(app.url("/wp-json/wp/v2/media")).basic_auth(&ann.0, Some(&ann.1))
            .header("Content-Type", "image/jpeg")
            .header("Content-Disposition", "attachment; filename=\"harbour.jpg\"")
            .body(jpeg.clone()).send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 201);
        let m: Value = r.json().await.expect("json");
        assert_eq!(m["media_details"]["width"], 640);
        assert_eq!(m["mime_type"], "image/jpeg");
        let id = m["id"].as_i64().expect("id");
        let url = m["source_url"].as_str().expect("url").replace("http://127.0.0.1", "");
        assert_eq!(app.get(&url).await.0, 200, "served");
        let (s, mine) = call(&app, Some(&ann), Method::GET, &format!("/wp-json/wp/v2/media/{id}"), None).await;
        assert_eq!((s, mine["id"].as_i64()), (200, Some(id)), "the uploader sees it");
        assert_eq!(call(&app, None, Method::GET, &format!("/wp-json/wp/v2/media/{id}"), None).await.0, 404, "unused: private");
        // A multipart form with the text fields.
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(crate::support::pictures::png_with_alpha(300, 200)).file_name("logo.png").mime_str("image/png").expect("mime"))
            .text("alt_text", "The paper's logo")
            .text("caption", "Our logo");
        let r = app.client.post(app.url("/wp-json/wp/v2/media")).basic_auth(&ann.0, Some(&ann.1)).multipart(form).send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 201);
        let m: Value = r.json().await.expect("json");
        assert_eq!(m["alt_text"], "The paper's logo");
        let logo = format!("/wp-json/wp/v2/media/{}", m["id"]);
        let (s, described) = call(&app, Some(&ann), Method::POST, &logo, Some(json!({"alt_text": "The Gazette's logo", "title": "Logo"}))).await;
        assert_eq!((s, described["alt_text"].as_str()), (200, Some("The Gazette's logo")));
        let (s, err) = call(&app, Some(&sub), Method::POST, &logo, Some(json!({"alt_text": "Mine now"}))).await;
        assert_eq!((s, err["code"].as_str()), (403, Some("rest_cannot_edit")));
        let (s, err) = call(&app, Some(&ann), Method::DELETE, &logo, None).await;
        assert_eq!((s, err["code"].as_str()), (501, Some("rest_trash_not_supported")));
        let (s, gone) = call(&app, Some(&ann), Method::DELETE, &format!("{logo}?force=true"), None).await;
        assert_eq!((s, gone["deleted"].as_bool()), (200, Some(true)));
        assert_eq!(call(&app, Some(&ann), Method::GET, &logo, None).await.0, 404);
        // Refusals.
        let r = app.client.post(app.url("/wp-json/wp/v2/media")).basic_auth(&ann.0, Some(&ann.1)).body(jpeg.clone()).send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 400);
        assert_eq!(r.json::<Value>().await.expect("json")["code"], "rest_upload_no_content_disposition");
        let r = app.client.post(app.url("/wp-json/wp/v2/media")).basic_auth(&ann.0, Some(&ann.1))
            .header("Content-Disposition", "attachment; filename=\"notes.jpg\"").body("not a picture at all").send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 400);
        assert_eq!(r.json::<Value>().await.expect("json")["code"], "rest_upload_sideload_error");
        let r = app.client.post(app.url("/wp-json/wp/v2/media")).basic_auth(&sub.0, Some(&sub.1))
            .header("Content-Disposition", "attachment; filename=\"x.jpg\"").body(jpeg.clone()).send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 403);
        let r = app.client.post(app.url("/wp-json/wp/v2/media"))
            .header("Content-Disposition", "attachment; filename=\"x.jpg\"").body(jpeg).send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 401);
    }
}

both_backends! {
    async fn settings_and_users_are_for_administrators(app) {
        let admin = app.app_password("boss@example.org", "administrator").await;
        let ed = app.app_password("ed@example.org", "editor").await;
        assert_eq!(call(&app, None, Method::GET, "/wp-json/wp/v2/settings", None).await.0, 401);
        assert_eq!(call(&app, Some(&ed), Method::GET, "/wp-json/wp/v2/settings", None).await.0, 403);
        let (s, settings) = call(&app, Some(&admin), Method::GET, "/wp-json/wp/v2/settings", None).await;
        assert_eq!(s, 200);
        for key in ["title", "description", "url", "timezone", "date_format", "posts_per_page"] {
            assert!(settings.get(key).is_some(), "{key}");
        }
        let (s, changed) = call(&app, Some(&admin), Method::POST, "/wp-json/wp/v2/settings",
            Some(json!({"title": "The Harbour Gazette", "description": "News from the coast", "posts_per_page": 7}))).await;
        assert_eq!((s, changed["title"].as_str(), changed["posts_per_page"].as_i64()), (200, Some("The Harbour Gazette"), Some(7)));
        let (s, err) = call(&app, Some(&admin), Method::POST, "/wp-json/wp/v2/settings", Some(json!({"timezone": "Mars/Base"}))).await;
        assert_eq!((s, err["code"].as_str()), (400, Some("rest_invalid_param")));
        app.state.follow_changes().await.expect("follow");
        assert!(app.page("/").await.contains("The Harbour Gazette"), "the site shows the new title");

        // Users: administrators add and see everyone; people change their own profile.
        let (s, err) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/users", Some(json!({"username": "x", "email": "x@example.org", "password": "a long enough passphrase"}))).await;
        assert_eq!((s, err["code"].as_str()), (403, Some("rest_cannot_create_user")));
        let (s, err) = call(&app, Some(&admin), Method::POST, "/wp-json/wp/v2/users", Some(json!({"username": "newbie"}))).await;
        assert_eq!((s, err["code"].as_str()), (400, Some("rest_missing_callback_param")));
        let (s, user) = call(&app, Some(&admin), Method::POST, "/wp-json/wp/v2/users",
            Some(json!({"username": "newbie", "name": "Nina Newbie", "email": "nina@example.org", "password": "tide tables every morning", "roles": ["author"]}))).await;
        assert_eq!(s, 201, "{user}");
        assert_eq!((user["roles"][0].as_str(), user["email"].as_str()), (Some("author"), Some("nina@example.org")));
        let nina = user["id"].as_i64().expect("id");
        let (_, listed) = call(&app, Some(&admin), Method::GET, "/wp-json/wp/v2/users?context=edit&per_page=100", None).await;
        assert!(listed.as_array().expect("list").iter().any(|u| u["id"] == nina && u["email"] == "nina@example.org"));
        let (s, _) = call(&app, None, Method::GET, "/wp-json/wp/v2/users?context=edit", None).await;
        assert_eq!(s, 401);
        let (_, public) = call(&app, None, Method::GET, "/wp-json/wp/v2/users?per_page=100", None).await;
        assert!(!public.to_string().contains("nina@example.org"), "no email for the public");
        let (s, me) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/users/me", Some(json!({"description": "Night editor.", "name": "Ed Itor"}))).await;
        assert_eq!((s, me["description"].as_str(), me["name"].as_str()), (200, Some("Night editor."), Some("Ed Itor")));
        let (s, err) = call(&app, Some(&ed), Method::POST, &format!("/wp-json/wp/v2/users/{nina}"), Some(json!({"description": "Hacked"}))).await;
        assert_eq!((s, err["code"].as_str()), (403, Some("rest_cannot_edit")));
        let (s, promoted) = call(&app, Some(&admin), Method::POST, &format!("/wp-json/wp/v2/users/{nina}"), Some(json!({"roles": ["editor"]}))).await;
        assert_eq!((s, promoted["roles"][0].as_str()), (200, Some("editor")));
        let (s, err) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/users/me", Some(json!({"roles": ["administrator"]}))).await;
        assert_eq!(s, 403, "{err}");
        let (s, _) = call(&app, Some(&admin), Method::POST, &format!("/wp-json/wp/v2/users/{nina}"), Some(json!({"password": "a fresh passphrase for nina"}))).await;
        assert_eq!(s, 200);
        let signed = app.post_login(&crate::support::admin::cookie_client(), "nina@example.org", "a fresh passphrase for nina").await;
        assert_eq!(signed.status().as_u16(), 303, "the new password signs in");
    }
}

/// The ids a REST list shows and its `X-WP-Total`.
async fn listed(app: &TestApp, who: Option<&(String, String)>, path: &str) -> (Vec<i64>, i64) {
    let mut r = app.client.get(app.url(path));
    if let Some((login, pw)) = who {
        r = r.basic_auth(login, Some(pw));
    }
    let r = r.send().await.expect("list");
    assert_eq!(r.status().as_u16(), 200, "{path}");
    let total = r.headers()["x-wp-total"]
        .to_str()
        .expect("total")
        .parse()
        .expect("number");
    let items: Value = r.json().await.expect("JSON");
    let ids = items
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["id"].as_i64().expect("id"))
        .collect();
    (ids, total)
}

both_backends! {
    async fn searches_find_words_in_the_text_in_any_form_and_what_was_just_written(app) {
        app.seed_demo().await;
        let ed = app.app_password("ed@example.org", "editor").await;
        let write = |route: &'static str, title: &'static str, text: &'static str, status: &'static str| {
            let (app, ed) = (&app, &ed);
            async move {
                let (s, v) = call(app, Some(ed), Method::POST, &format!("/wp-json/wp/v2/{route}"),
                    Some(json!({"title": title, "content": text, "status": status}))).await;
                assert_eq!(s, 201, "{v}");
                v["id"].as_i64().expect("id")
            }
        };
        // Each is searched at once after it is written: what a client just wrote is found.
        let census = write("posts", "Quokka census on the island", "<p>Rangers counted every quokka on the island.</p>", "publish").await;
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=quokka").await, (vec![census], 1));
        let ferry = write("posts", "Ferry timetable changes",
            "<p>The ferry leaves earlier.</p><p>Tourists come for the views.</p><p>Several quokkas were seen by the pier.</p>", "publish").await;
        let (ids, total) = listed(&app, None, "/wp-json/wp/v2/posts?search=quokkas").await;
        assert_eq!((ids, total), (vec![ferry, census], 2), "a word deep in the text, in any form; newest first");
        let zoo = write("posts", "Zoo opens a new enclosure", "<p>Kangaroos and a quokka share it.</p>", "publish").await;
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=quokka%20-kangaroo").await.0, vec![ferry, census], "-word leaves out");
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=quokka&order=asc").await.0, vec![census, ferry, zoo]);
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=quokka&per_page=2&page=2").await, (vec![census], 3));
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=%22quokka%20census%22").await.0, vec![census], "a quoted phrase");
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=quokka%20wombat").await, (vec![], 0), "every word must be there");
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=%25%25%20%2B").await, (vec![], 0), "no word, nothing found");
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/search?search=%25%25").await, (vec![], 0));

        // Found by a tag's name, and no longer once the tag is renamed (the kept answer too).
        let (s, tag) = call(&app, Some(&ed), Method::POST, "/wp-json/wp/v2/tags", Some(json!({"name": "Marsupials"}))).await;
        assert_eq!(s, 201, "{tag}");
        let tag = tag["id"].as_i64().expect("id");
        let (s, _) = call(&app, Some(&ed), Method::POST, &format!("/wp-json/wp/v2/posts/{census}"), Some(json!({"tags": [tag]}))).await;
        assert_eq!(s, 200);
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=marsupials").await.0, vec![census]);
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=marsupials").await.0, vec![census], "kept");
        let (s, _) = call(&app, Some(&ed), Method::POST, &format!("/wp-json/wp/v2/tags/{tag}"), Some(json!({"name": "Wildlife"}))).await;
        assert_eq!(s, 200);
        let mut renamed = false;
        for _ in 0..50 {
            if listed(&app, None, "/wp-json/wp/v2/posts?search=marsupials").await.0.is_empty() {
                renamed = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(renamed, "the old name finds nothing within five seconds of the rename");
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=wildlife").await.0, vec![census]);

        // The site-wide search: articles best first (the one about quokkas before those that
        // mention one), then pages, paged as one list.
        let page = write("pages", "Visiting the quokka reserve", "<p>Opening hours.</p>", "publish").await;
        let (ids, total) = listed(&app, None, "/wp-json/wp/v2/search?search=quokka").await;
        assert_eq!((ids[0], ids.last().copied(), total), (census, Some(page), 4), "{:?}", listed(&app, None, "/wp-json/wp/v2/search?search=quokka").await);
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/search?search=quokka&per_page=3&page=2").await, (vec![page], 4));
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/search?search=quokka&subtype=page").await, (vec![page], 1));
        assert!(!listed(&app, None, "/wp-json/wp/v2/posts?search=quokka").await.0.contains(&page));

        // Drafts are searched only by those who may see them (from the database: the index holds
        // what is live), and an article taken down leaves the results at once.
        let draft = write("posts", "Embargoed", "<p>Quokka numbers fell.</p>", "draft").await;
        assert_eq!(listed(&app, Some(&ed), "/wp-json/wp/v2/posts?search=quokka&status=draft").await.0, vec![draft]);
        assert!(!listed(&app, None, "/wp-json/wp/v2/search?search=quokka").await.0.contains(&draft));
        let (s, _) = call(&app, Some(&ed), Method::DELETE, &format!("/wp-json/wp/v2/posts/{ferry}"), None).await;
        assert_eq!(s, 200);
        assert_eq!(listed(&app, None, "/wp-json/wp/v2/posts?search=quokka").await, (vec![zoo, census], 2));
    }
}
