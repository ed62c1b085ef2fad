//! The WordPress REST API as WordPress clients use it, on both backends: the JSON shapes of
//! WordPress 6.1's answers (recorded in tests/fixtures/wp-rest), its headers and errors, and
//! nothing private for anonymous callers.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::both_backends;
use crate::support::TestApp;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/wp-rest/");

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}{name}.json")).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The same keys, each with a value of the same JSON type, as WordPress's (nulls aside).
fn same_shape(what: &str, expected: &Value, got: &Value) {
    assert_eq!(keys(expected), keys(got), "{what}: keys");
    for (k, e) in expected.as_object().expect("object") {
        let g = &got[k];
        let kind = |v: &Value| match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !e.is_null() && !g.is_null() && k != "_links" {
            assert_eq!(kind(e), kind(g), "{what}.{k}: type of {g}");
        }
    }
}

async fn get(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = app.client.get(app.url(path)).send().await.expect("get");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.json::<Value>().await.expect("JSON");
    (status, headers, body)
}

both_backends! {
    async fn collections_and_items_have_wordpress_s_shapes(app) {
        app.seed_demo().await;
        for (route, name) in [
            ("/wp-json/wp/v2/posts", "posts"),
            ("/wp-json/wp/v2/pages", "pages"),
            ("/wp-json/wp/v2/categories", "categories"),
            ("/wp-json/wp/v2/tags", "tags"),
            ("/wp-json/wp/v2/users", "users"),
            ("/wp-json/wp/v2/comments", "comments"),
            ("/wp-json/wp/v2/search?search=talks", "search"),
        ] {
            let (status, headers, body) = get(&app, route).await;
            assert_eq!(status, 200, "{route}");
            let items = body.as_array().expect("a list");
            assert!(!items.is_empty(), "{route} has items");
            same_shape(name, &fixture(name)[0], &items[0]);
            for h in ["x-wp-total", "x-wp-totalpages"] {
                assert!(headers.contains_key(h), "{route}: {h}");
            }
            assert_eq!(headers["content-type"], "application/json; charset=UTF-8");
        }
        let (_, _, posts) = get(&app, "/wp-json/wp/v2/posts").await;
        let id = posts[0]["id"].as_i64().expect("id");
        let (status, _, post) = get(&app, &format!("/wp-json/wp/v2/posts/{id}")).await;
        assert_eq!(status, 200);
        same_shape("post", &fixture("post"), &post);
        assert_eq!(keys(&fixture("post")["_links"]).difference(&keys(&post["_links"])).count(), 0, "links");
        assert!(post["content"]["rendered"].as_str().expect("html").contains("<p>"));
        for name in ["types", "taxonomies", "statuses"] {
            let (status, _, body) = get(&app, &format!("/wp-json/wp/v2/{name}")).await;
            assert_eq!(status, 200);
            let expected = fixture(name);
            let first = expected.as_object().and_then(|o| o.keys().next().cloned()).expect("entry");
            same_shape(name, &expected[&first], &body[&first]);
        }
        let (status, _, index) = get(&app, "/wp-json/").await;
        assert_eq!(status, 200);
        assert_eq!(keys(&fixture("index")), keys(&index), "index keys");
        assert!(index["namespaces"].as_array().expect("list").contains(&Value::from("wp/v2")));
        assert!(index["routes"]["/wp/v2/posts"]["methods"].as_array().is_some());
    }

    async fn paging_errors_and_wordpress_s_other_addresses(app) {
        app.seed_demo().await;
        let (status, headers, body) = get(&app, "/wp-json/wp/v2/posts?per_page=2&page=2").await;
        assert_eq!(status, 200);
        assert_eq!(body.as_array().expect("list").len(), 2);
        assert_eq!(headers["x-wp-total"], "6");
        assert_eq!(headers["x-wp-totalpages"], "3");
        let link = headers["link"].to_str().expect("link");
        assert!(link.contains("page=1>; rel=\"prev\"") && link.contains("page=3>; rel=\"next\""), "{link}");
        // Errors in WordPress's envelope, codes and statuses.
        for (path, name, status) in [
            ("/wp-json/wp/v2/posts/999999", "error-post-invalid-id", 404),
            ("/wp-json/wp/v2/posts?per_page=101", "error-per-page", 400),
        ] {
            let (got, _, body) = get(&app, path).await;
            assert_eq!(got, status, "{path}");
            assert_eq!(body, fixture(name), "{path}");
        }
        let (got, _, body) = get(&app, "/wp-json/wp/v2/posts?page=99").await;
        assert_eq!((got, body["code"].as_str()), (400, Some("rest_post_invalid_page_number")));
        let (got, _, body) = get(&app, "/wp-json/wp/v2/nothing-here").await;
        assert_eq!((got, body["code"].as_str()), (404, Some("rest_no_route")));
        let r = app.client.post(app.url("/wp-json/wp/v2/posts")).json(&serde_json::json!({"title": "x"})).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 401);
        assert_eq!(r.json::<Value>().await.expect("json"), fixture("error-create-unauthorized"));
        let r = app.client.post(app.url("/wp-json/wp/v2/comments")).json(&serde_json::json!({"post": 1, "content": "x"})).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 401);
        assert_eq!(r.json::<Value>().await.expect("json"), fixture("error-anonymous-comment"));
        // ?rest_route= is the same API; pages say where the API is.
        let (status, _, body) = get(&app, "/?rest_route=/wp/v2/posts&per_page=1").await;
        assert_eq!((status, body.as_array().map(Vec::len)), (200, Some(1)));
        let home = app.client.get(app.url("/")).send().await.expect("home");
        assert_eq!(home.headers()["link"], "<http://127.0.0.1/wp-json/>; rel=\"https://api.w.org/\"");
        // _fields and _embed.
        let (_, _, body) = get(&app, "/wp-json/wp/v2/posts?_fields=id,title&per_page=1").await;
        assert_eq!(keys(&body[0]), BTreeSet::from(["id".to_string(), "title".to_string()]));
        let (_, _, body) = get(&app, "/wp-json/wp/v2/posts?_embed&per_page=1").await;
        assert!(body[0]["_embedded"]["author"][0]["name"].is_string());
        assert!(body[0]["_embedded"]["wp:term"][0].is_array());
        // Filters.
        let (_, _, cats) = get(&app, "/wp-json/wp/v2/categories?per_page=100").await;
        let cat = cats[0]["id"].as_i64().expect("category");
        let (_, h, body) = get(&app, &format!("/wp-json/wp/v2/posts?categories={cat}")).await;
        for p in body.as_array().expect("list") {
            assert!(p["categories"].as_array().expect("ids").contains(&Value::from(cat)));
        }
        assert!(h["x-wp-total"].to_str().expect("n").parse::<i64>().expect("n") >= 1);
        let slug = body[0]["slug"].as_str().expect("slug").to_string();
        let (_, _, one) = get(&app, &format!("/wp-json/wp/v2/posts?slug={slug}")).await;
        assert_eq!(one.as_array().map(Vec::len), Some(1));
        // Categories and tags together: articles with both, as WordPress's tax_relation=AND, or
        // either with tax_relation=OR.
        let ann = app.author("ann-tax", "Ann Tax").await;
        let world = app.category("World desk", None).await;
        let talks = app.tag("Truce talks").await;
        let mut both = crate::support::draft("In World with the tag", ann);
        both.term_ids = vec![world, talks];
        let both = app.publish(&both).await;
        let mut only_world = crate::support::draft("In World without it", ann);
        only_world.term_ids = vec![world];
        let only_world = app.publish(&only_world).await;
        let mut only_tag = crate::support::draft("Tagged elsewhere", ann);
        only_tag.term_ids = vec![talks];
        let only_tag = app.publish(&only_tag).await;
        let ids_of = |body: &Value| -> BTreeSet<i64> { body.as_array().expect("list").iter().map(|p| p["id"].as_i64().expect("id")).collect() };
        let (_, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?categories={world}&tags={talks}")).await;
        assert_eq!(ids_of(&body), BTreeSet::from([both]));
        let (_, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?categories={world}&tags={talks}&tax_relation=OR")).await;
        assert_eq!(ids_of(&body), BTreeSet::from([both, only_world, only_tag]));
        let (status, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?categories={world}&tax_relation=XOR")).await;
        assert_eq!((status, body["code"].as_str()), (400, Some("rest_invalid_param")));
        // A page past any list (fuzzing found it overflowing the offset) is a clear 400 on every list.
        for list in ["posts", "pages", "categories", "tags", "users", "comments", "media", "search"] {
            let (status, _, body) = get(&app, &format!("/wp-json/wp/v2/{list}?page=4444444444444444444")).await;
            assert_eq!((status, body["code"].as_str()), (400, Some("rest_invalid_param")), "{list}: {body}");
        }
    }

    async fn anonymous_callers_see_only_what_the_site_shows(app) {
        app.seed_demo().await;
        let author = app.author("hidden-writer", "Hidden Writer").await;
        let mut draft = crate::support::draft("Embargoed draft story", author);
        draft.status = "draft".into();
        let draft_id = app.publish(&draft).await;
        let mut private = crate::support::draft("Private staff memo", author);
        private.status = "private".into();
        let private_id = app.publish(&private).await;
        app.sql("UPDATE comments SET author_email = 'secret.reader@example.org'").await;
        app.sql("UPDATE comments SET status = 'pending' WHERE id = (SELECT MIN(id) FROM comments)").await;
        for path in ["/wp-json/wp/v2/posts?per_page=100", "/wp-json/wp/v2/search?search=story", "/wp-json/wp/v2/comments?per_page=100", "/wp-json/wp/v2/users?per_page=100", "/wp-json/wp/v2/media"] {
            let text = app.client.get(app.url(path)).send().await.expect("get").text().await.expect("body");
            assert!(!text.contains("Embargoed draft") && !text.contains("Private staff memo"), "{path}");
            assert!(!text.contains("@example.org"), "{path}: no email");
            assert!(!text.contains("\"email\""), "{path}");
        }
        for id in [draft_id, private_id] {
            assert_eq!(get(&app, &format!("/wp-json/wp/v2/posts/{id}")).await.0, 404);
        }
        // Someone with no published work is not listed.
        assert_eq!(get(&app, &format!("/wp-json/wp/v2/users/{author}")).await.0, 404);
        let (_, _, comments) = get(&app, "/wp-json/wp/v2/comments?per_page=100").await;
        let min: i64 = comments.as_array().expect("list").iter().filter_map(|c| c["id"].as_i64()).min().unwrap_or(i64::MAX);
        assert!(min > 1 || comments.as_array().expect("list").iter().all(|c| c["status"] == "approved"));
        let (status, _, body) = get(&app, "/wp-json/wp/v2/settings").await;
        assert_eq!((status, body["code"].as_str()), (401, Some("rest_forbidden")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_route_of_the_index() {
    let app = TestApp::start(crate::support::Backend::Sqlite)
        .await
        .expect("app");
    let (status, _, doc) = get(&app, "/wp-json/newsroom/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let (_, _, index) = get(&app, "/wp-json/").await;
    for route in index["routes"].as_object().expect("routes").keys() {
        if !route.starts_with("/wp/v2/") {
            continue;
        }
        let path = route
            .replace("(?P<id>[\\d]+)", "{id}")
            .replace("(?P<type>[\\w-]+)", "{type}")
            .replace("(?P<taxonomy>[\\w-]+)", "{taxonomy}");
        assert!(
            doc["paths"][&path].is_object(),
            "{route} described as {path}"
        );
    }
}

both_backends! {
    async fn tools_write_with_application_passwords_under_the_admin_s_rules(app) {
        app.seed_demo().await;
        let (author, author_pw) = app.app_password("writer@example.org", "author").await;
        let (contributor, contributor_pw) = app.app_password("intern@example.org", "contributor").await;
        let me = app.client.get(app.url("/wp-json/wp/v2/users/me")).basic_auth(&author, Some(&author_pw)).send().await.expect("me");
        assert_eq!(me.status().as_u16(), 200);
        let me: Value = me.json().await.expect("json");
        assert_eq!(me["email"], "writer@example.org");
        assert_eq!(get(&app, "/wp-json/wp/v2/users/me").await.0, 401);

        // An author publishes their own article, as in the admin.
        let (_, _, cats) = get(&app, "/wp-json/wp/v2/categories").await;
        let cat = cats[0]["id"].as_i64().expect("category");
        let r = app.client.post(app.url("/wp-json/wp/v2/posts")).basic_auth(&author, Some(&author_pw))
            .json(&serde_json::json!({"title": "Ferry timetable changes", "content": "<p>From Monday the ferry leaves at six.</p>", "status": "publish", "categories": [cat]}))
            .send().await.expect("create");
        assert_eq!(r.status().as_u16(), 201);
        assert!(r.headers().contains_key("location"));
        let post: Value = r.json().await.expect("json");
        assert_eq!(post["status"], "publish");
        assert!(post["categories"].as_array().expect("ids").contains(&Value::from(cat)));
        let id = post["id"].as_i64().expect("id");
        let link = post["link"].as_str().expect("link").replace("http://127.0.0.1", "");
        assert!(app.page(&link).await.contains("From Monday the ferry leaves at six."), "on the site");

        // Editing it; a contributor cannot publish or touch it.
        let r = app.client.put(app.url(&format!("/wp-json/wp/v2/posts/{id}"))).basic_auth(&author, Some(&author_pw))
            .json(&serde_json::json!({"title": "Ferry timetable changes again"})).send().await.expect("update");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.json::<Value>().await.expect("json")["title"]["rendered"], "Ferry timetable changes again");
        let r = app.client.put(app.url(&format!("/wp-json/wp/v2/posts/{id}"))).basic_auth(&contributor, Some(&contributor_pw))
            .json(&serde_json::json!({"title": "Hijacked"})).send().await.expect("update");
        assert_eq!(r.status().as_u16(), 403);
        let r = app.client.post(app.url("/wp-json/wp/v2/posts")).basic_auth(&contributor, Some(&contributor_pw))
            .json(&serde_json::json!({"title": "Intern scoop", "content": "<p>Text.</p>", "status": "publish"}))
            .send().await.expect("create");
        let status = r.status().as_u16();
        let body: Value = r.json().await.expect("json");
        assert!(status == 403 || (status == 201 && body["status"] != "publish"), "a contributor cannot publish: {status} {body}");

        // Wrong and revoked passwords are refused; guessing is throttled like the sign-in form.
        let wrong = app.client.get(app.url("/wp-json/wp/v2/posts")).basic_auth(&author, Some("aaaa bbbb cccc dddd eeee ffff")).send().await.expect("get");
        assert_eq!(wrong.status().as_u16(), 401);
        assert_eq!(wrong.json::<Value>().await.expect("json")["code"], "incorrect_password");
        let mut last = 0;
        for _ in 0..6 {
            last = app.client.get(app.url("/wp-json/wp/v2/users/me")).basic_auth(&author, Some("nope")).send().await.expect("get").status().as_u16();
        }
        assert_eq!(last, 429, "throttled after repeated failures");
        let uid = newsroom::db::user::by_email(app.state.db(), &contributor).await.expect("db").expect("user").id;
        let listed = newsroom::db::app_password::of_user(app.state.db(), uid).await.expect("list");
        assert!(listed[0].last_used_at.is_some(), "last use is recorded");
        newsroom::actions::app_password::revoke(app.state.db(), &newsroom::actions::capability::Actor::operator(), uid, listed[0].id).await.expect("revoke");
        let r = app.client.get(app.url("/wp-json/wp/v2/users/me")).basic_auth(&contributor, Some(&contributor_pw)).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 401, "a revoked password no longer works");
    }
}

both_backends! {
    async fn application_passwords_are_made_and_revoked_in_the_profile(app) {
        let me = app.signed_in_as("desk@example.org", "editor").await;
        let r = me.post("/admin/profile/app-passwords", &[("name", "")]).await;
        assert_eq!(r.status().as_u16(), 422, "a name is needed");
        let r = me.post("/admin/profile/app-passwords", &[("name", "Desk app")]).await;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await.expect("page");
        let password = crate::support::texts(&html, "code.app-password").pop().expect("shown once");
        assert_eq!(password.len(), 29, "{password}");
        let ok = app.client.get(app.url("/wp-json/wp/v2/users/me")).basic_auth("desk@example.org", Some(&password)).send().await.expect("get");
        assert_eq!(ok.status().as_u16(), 200);
        let page = me.page("/admin/profile").await;
        assert!(page.contains("Desk app") && !page.contains(&password), "listed, never shown again");
        let id = crate::support::attrs(&page, "#app-passwords input[name=id]", "value").pop().expect("revoke form");
        me.post_ok("/admin/profile/app-passwords/revoke", &[("id", id.as_str())]).await;
        let gone = app.client.get(app.url("/wp-json/wp/v2/users/me")).basic_auth("desk@example.org", Some(&password)).send().await.expect("get");
        assert_eq!(gone.status().as_u16(), 401);
    }
}

both_backends! {
    async fn lists_of_everything_a_section_or_a_person_page_deep_and_count_right(app) {
        // Many fences' worth (one stands every 20 rows) in pages of 7, with pairs published in
        // the same second (ties settled by id) and sticky articles, which a REST list orders
        // by date like any other.
        use chrono::{TimeZone, Utc};
        let ann = app.author("ann", "Ann").await;
        let bob = app.author("bob", "Bob").await;
        let world = app.category("World", None).await;
        let sport = app.category("Sport", None).await;
        let harbour = app.tag("Harbour").await;
        let base = Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).single().expect("date");
        // (published, id, author, terms)
        let mut stored: Vec<(chrono::DateTime<Utc>, i64, i64, Vec<i64>)> = Vec::new();
        for i in 0..150i64 {
            let author = if i % 4 == 0 { bob } else { ann };
            let mut d = crate::support::draft(&format!("Story {i:03}"), author);
            let at = base + chrono::Duration::minutes(i / 2);
            d.published_at = Some(at);
            d.sticky = i % 17 == 7;
            d.term_ids = vec![if i % 3 == 0 { sport } else { world }];
            if i % 5 == 0 {
                d.term_ids.push(harbour);
            }
            let id = newsroom::actions::publish::create(app.state.db(), &d).await.expect("publish");
            stored.push((at, id, author, d.term_ids.clone()));
        }
        app.follow().await;
        type Row = (chrono::DateTime<Utc>, i64, i64, Vec<i64>);
        type Keep = Box<dyn Fn(&Row) -> bool>;
        let lists: Vec<(String, Keep)> = vec![
            (String::new(), Box::new(|_| true)),
            (format!("categories={world}"), Box::new(move |r: &Row| r.3.contains(&world))),
            (format!("categories={sport},{world}"), Box::new(|_| true)),
            (format!("tags={harbour}"), Box::new(move |r: &Row| r.3.contains(&harbour))),
            (format!("author={bob}"), Box::new(move |r: &Row| r.2 == bob)),
        ];
        let check = |stored: Vec<Row>| {
            let app = &app;
            let lists = &lists;
            async move {
                for (filter, keep) in lists {
                    let mut expected: Vec<&Row> = stored.iter().filter(|r| keep(r)).collect();
                    expected.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
                    let expected: Vec<i64> = expected.iter().map(|r| r.1).collect();
                    let pages = expected.len().div_ceil(7);
                    // Page 1 first (counted in the index), then the deep ones (from fences).
                    for page in 1..=pages {
                        let path = format!("/wp-json/wp/v2/posts?{filter}&per_page=7&page={page}");
                        let (status, headers, body) = get(app, &path).await;
                        assert_eq!(status, 200, "{path}: {body}");
                        let ids: Vec<i64> = body.as_array().expect("list").iter().map(|p| p["id"].as_i64().expect("id")).collect();
                        let want: Vec<i64> = expected.iter().skip((page - 1) * 7).take(7).copied().collect();
                        assert_eq!(ids, want, "{path}");
                        assert_eq!(headers["x-wp-total"].to_str().expect("total"), expected.len().to_string(), "{path}");
                        assert_eq!(headers["x-wp-totalpages"].to_str().expect("pages"), pages.to_string(), "{path}");
                    }
                    let path = format!("/wp-json/wp/v2/posts?{filter}&per_page=7&page={}", pages + 1);
                    let (status, _, body) = get(app, &path).await;
                    assert_eq!((status, body["code"].as_str()), (400, Some("rest_post_invalid_page_number")), "{path}");
                }
            }
        };
        check(stored.clone()).await;

        // A new article on top shifts every page of the lists it is in; the kept answers and
        // fences of those lists are dropped, so each page and total says so at once.
        let mut d = crate::support::draft("Story new", bob);
        d.term_ids = vec![world, harbour];
        let id = app.publish(&d).await;
        let live = newsroom::db::article::get(app.state.db(), id).await.expect("read").expect("stored");
        stored.push((live.published_at.expect("published"), id, bob, d.term_ids.clone()));
        check(stored).await;
    }
}

both_backends! {
    async fn lists_come_in_every_order_wordpress_offers(app) {
        app.seed_demo().await;
        let ann = app.author("ann-order", "Ann Order").await;
        let bob = app.author("bob-order", "Bob Order").await;
        let a = app.publish(&crate::support::draft("Alpha by Bob", bob)).await;
        let b = app.publish(&crate::support::draft("Bravo by Ann", ann)).await;
        let c = app.publish(&crate::support::draft("Charlie by Bob", bob)).await;
        let ids = |body: &Value| -> Vec<i64> { body.as_array().expect("list").iter().map(|p| p["id"].as_i64().expect("id")).collect() };
        // As the client listed them (a block editor asks for chosen articles this way).
        let (status, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?include={c},{a},{b}&orderby=include")).await;
        assert_eq!((status, ids(&body)), (200, vec![c, a, b]));
        let slugs = |ids: &[i64], body: &Value| -> Vec<String> {
            ids.iter().map(|id| body.as_array().expect("list").iter().find(|p| p["id"] == *id).expect("listed")["slug"].as_str().expect("slug").to_string()).collect()
        };
        let s = slugs(&[a, b, c], &body);
        let (status, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?slug={},{},{}&orderby=include_slugs", s[1], s[2], s[0])).await;
        assert_eq!((status, ids(&body)), (200, vec![b, c, a]));
        // By the author's id (Ann's is the smaller), then by id, both going up.
        assert!(ann < bob);
        let (status, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?include={a},{b},{c}&orderby=author&order=asc")).await;
        assert_eq!((status, ids(&body)), (200, vec![b, a, c]));
        let (_, _, body) = get(&app, &format!("/wp-json/wp/v2/posts?include={a},{b},{c}&orderby=author")).await;
        assert_eq!(ids(&body), vec![c, a, b]);
        let (status, _, body) = get(&app, "/wp-json/wp/v2/posts?orderby=parent").await;
        assert_eq!((status, ids(&body).len()), (200, 9));
        // Orders that have nothing to order by are refused as WordPress refuses them.
        let (status, _, body) = get(&app, "/wp-json/wp/v2/posts?orderby=relevance").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("rest_no_search_term_defined")));
        let (status, _, body) = get(&app, "/wp-json/wp/v2/posts?orderby=include").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("rest_orderby_include_missing_include")));
        let (status, _, body) = get(&app, "/wp-json/wp/v2/posts?orderby=popularity").await;
        assert_eq!((status, body["code"].as_str()), (400, Some("rest_invalid_param")));
    }
}
