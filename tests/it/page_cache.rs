//! The page cache: every kind of change refreshes exactly the pages that show it (and leaves the
//! others kept), pages for one visitor are never shared, the comment form's token stays fresh
//! and single-use in kept pages, HTTP's validators and codings, and two `newsroom serve`
//! processes on one PostgreSQL stay coherent.

use std::io::Read;
use std::time::{Duration, Instant};

use newsroom::actions::capability::Actor;
use newsroom::actions::publish::Draft;
use newsroom::db::{article, comment, setting, term, user};

use crate::support::{TestApp, attrs, draft};

/// GET a path as an anonymous reader: status, whether the cache answered, body.
async fn look(app: &TestApp, path: &str) -> (u16, bool, String) {
    let r = app.client.get(app.url(path)).send().await.expect("request");
    let hit = r.headers().get("x-cache").is_some_and(|v| v == "HIT");
    (r.status().as_u16(), hit, r.text().await.expect("body"))
}

/// Paths that must still be answered from the cache.
async fn still_kept(app: &TestApp, paths: &[&str], after: &str) {
    for p in paths {
        let (status, hit, _) = look(app, p).await;
        assert_eq!(status, 200, "{p}");
        assert!(hit, "{p} has nothing to do with {after} but was dropped");
    }
}

/// Paths that must be built afresh and show `text`.
async fn refreshed(app: &TestApp, paths: &[&str], text: &str, after: &str) {
    for p in paths {
        let (status, hit, body) = look(app, p).await;
        assert_eq!(status, 200, "{p}");
        assert!(!hit, "{p} shows {after} but was still kept");
        assert!(
            body.contains(text),
            "{p} does not show {text:?} after {after}"
        );
    }
}

/// Fill the cache with these pages (and check the second look is a hit).
async fn warm(app: &TestApp, paths: &[&str]) {
    for p in paths {
        let (status, _, _) = look(app, p).await;
        assert_eq!(status, 200, "{p}");
        let (_, hit, _) = look(app, p).await;
        assert!(hit, "{p} is kept after one look");
    }
}

async fn path_of(app: &TestApp, id: i64) -> String {
    let (status, location) = app.redirect(&format!("/?p={id}")).await;
    assert_eq!(status, 301);
    location
}

async fn save(app: &TestApp, id: i64, change: impl FnOnce(&mut newsroom::actions::article::Edit)) {
    let db = app.state.db();
    let (a, _) = newsroom::actions::article::load(db, id)
        .await
        .expect("load");
    let mut edit = newsroom::actions::article::edit_of(db, &a)
        .await
        .expect("edit");
    change(&mut edit);
    newsroom::actions::article::save(db, &Actor::operator(), Some(id), a.version, &edit)
        .await
        .expect("save");
    app.follow().await;
}

/// Take an article back to draft, as an editor does, and follow the change log.
async fn unpublish(app: &TestApp, id: i64) {
    let change = article::StatusChange {
        status: "draft",
        published_at: None,
        only_from: None,
        bump_version: true,
        action: "unpublish",
    };
    article::set_status(app.state.db(), id, &change, &Actor::operator().audit())
        .await
        .expect("unpublish");
    app.follow().await;
}

/// Give a person a new byline name and bio, as they do on their profile, and follow the log.
async fn set_profile(app: &TestApp, id: i64, slug: &str, name: &str, bio: &str) {
    let patch = user::UserPatch {
        display_name: name.into(),
        slug: slug.into(),
        email: format!("{slug}@staff.invalid"),
        url: String::new(),
        bio: bio.into(),
        avatar_url: None,
    };
    user::update_profile(app.state.db(), id, &patch, &Actor::operator().audit())
        .await
        .expect("profile");
    app.follow().await;
}

/// Rename a tag (keeping its slug) and follow the log.
async fn rename_tag(app: &TestApp, id: i64, name: &str, slug: &str) {
    let renamed = term::NewTerm {
        taxonomy: term::TAG.into(),
        name: name.into(),
        slug: slug.into(),
        parent_id: None,
        description: String::new(),
    };
    term::update(app.state.db(), id, &renamed, &Actor::operator().audit())
        .await
        .expect("rename");
    app.follow().await;
}

/// A reader's comment on `post` with this status, straight into the store.
async fn comment_on(app: &TestApp, post: i64, name: &str, text: &str, status: &str) -> i64 {
    comment::insert(
        app.state.db(),
        &comment::NewComment {
            post_id: post,
            author_name: name.into(),
            author_email: "reader@example.org".into(),
            content: text.into(),
            status: status.into(),
            ..Default::default()
        },
    )
    .await
    .expect("comment")
}

crate::both_backends! {
    async fn every_change_refreshes_the_pages_that_show_it_and_no_others(app) {
        let db = app.state.db().clone();
        let audit = Actor::operator().audit();
        let ann = app.author("ann", "Ann Alder").await;
        let bob = app.author("bob", "Bob Birch").await;
        let world = app.category("World", None).await;
        let sport = app.category("Sport", None).await;
        let talks = app.tag("Talks").await;
        // Texts with no word in common: y's page does not offer x among its related articles.
        let mut x = draft("Ceasefire talks resume", ann);
        x.body = "Delegations gathered in Istanbul.".into();
        x.term_ids = vec![world, talks];
        let x = app.publish(&x).await;
        let mut y = draft("Cup final tonight", bob);
        y.body = "The stadium filled before kickoff.".into();
        y.term_ids = vec![sport];
        let y = app.publish(&y).await;
        let x_path = path_of(&app, x).await;
        let y_path = path_of(&app, y).await;
        let shows_x = ["/", x_path.as_str(), "/category/world/", "/tag/talks/", "/author/ann/", "/feed/"];
        let about_y = [y_path.as_str(), "/category/sport/", "/author/bob/", "/category/sport/feed/"];
        warm(&app, &shows_x).await;
        warm(&app, &about_y).await;

        // The text of an article: its page (and the cards made from it), not the others'.
        save(&app, x, |e| e.body = "Negotiators met again in Geneva.".into()).await;
        refreshed(&app, &[x_path.as_str()], "Negotiators met again in Geneva.", "a body edit").await;
        still_kept(&app, &about_y, "x's body").await;

        // Its title: every list that shows it.
        save(&app, x, |e| e.title = "Ceasefire talks collapse".into()).await;
        refreshed(&app, &shows_x[..5], "Ceasefire talks collapse", "a new title").await;
        refreshed(&app, &["/feed/"], "Ceasefire talks collapse", "a new title").await;
        still_kept(&app, &about_y, "x's title").await;

        // Its slug: the old address moves, the lists link the new one.
        save(&app, x, |e| e.slug = "talks-collapse".into()).await;
        let new_path = path_of(&app, x).await;
        assert!(new_path.contains("talks-collapse"), "{new_path}");
        assert_eq!(app.redirect(&x_path).await, (301, new_path.clone()));
        refreshed(&app, &["/", "/category/world/"], &new_path, "a new slug").await;
        still_kept(&app, &about_y, "x's slug").await;
        let shows_x = ["/", new_path.as_str(), "/category/world/", "/tag/talks/", "/author/ann/", "/feed/"];
        warm(&app, &shows_x).await;

        // An author's bio: the pages with their byline box.
        set_profile(&app, ann, "ann", "Ann Alder", "Ann covers diplomacy from Vienna.").await;
        refreshed(&app, &[new_path.as_str(), "/author/ann/"], "Ann covers diplomacy from Vienna.", "a new bio").await;
        still_kept(&app, &about_y, "ann's bio").await;
        set_profile(&app, ann, "ann", "Ann Alder-Ray", "Ann covers diplomacy from Vienna.").await;
        refreshed(&app, &["/"], "Ann Alder-Ray", "a new byline").await;
        still_kept(&app, &about_y, "ann's name").await;

        // A tag's name: its articles and its archive.
        rename_tag(&app, talks, "Peace talks", "talks").await;
        refreshed(&app, &[new_path.as_str(), "/tag/talks/"], "Peace talks", "a renamed tag").await;
        still_kept(&app, &about_y, "a tag of x").await;

        // A comment held for moderation changes no public page; approving it changes its article's.
        warm(&app, &[new_path.as_str()]).await;
        let held = comment_on(&app, x, "Reader One", "Talks always collapse in November.", comment::status::PENDING).await;
        app.follow().await;
        still_kept(&app, &[new_path.as_str()], "a held comment").await;
        comment::set_status(&db, held, comment::status::APPROVED, "approve", &audit).await.expect("approve");
        app.follow().await;
        refreshed(&app, &[new_path.as_str(), "/comments/feed/"], "Talks always collapse in November.", "an approval").await;
        still_kept(&app, &about_y, "a comment on x").await;

        // A scheduled article coming due: the lists it joins, not the others.
        let mut z = draft("Late kickoff moved to Sunday", bob);
        z.term_ids = vec![sport];
        z.published_at = Some(chrono::Utc::now() + chrono::Duration::seconds(2));
        let z = app.publish(&z).await;
        warm(&app, &["/category/sport/", "/category/world/", "/author/ann/", "/tag/talks/"]).await;
        still_kept(&app, &["/category/sport/"], "a scheduled article").await;
        // The scheduler's clock counts whole seconds.
        tokio::time::sleep(Duration::from_millis(3100)).await;
        let scheduler = Actor::system("scheduler").audit();
        assert_eq!(article::publish_due(&db, &scheduler).await.expect("publish due"), 1);
        app.follow().await;
        refreshed(&app, &["/category/sport/", "/", "/author/bob/"], "Late kickoff moved to Sunday", "its time").await;
        still_kept(&app, &["/category/world/", "/author/ann/", "/tag/talks/"], "a sport article").await;
        let z_path = path_of(&app, z).await;
        assert_eq!(look(&app, &z_path).await.0, 200);

        // Unpublishing: its page goes, its lists lose it; other sections stay kept.
        warm(&app, &[y_path.as_str(), "/category/sport/"]).await;
        unpublish(&app, y).await;
        assert_eq!(look(&app, &y_path).await.0, 404, "an unpublished article is gone at once");
        let (_, hit, sport_page) = look(&app, "/category/sport/").await;
        assert!(!hit && !sport_page.contains("Cup final tonight"));
        still_kept(&app, &["/category/world/", "/tag/talks/", "/author/ann/"], "a sport article").await;

        // A setting shows on every page.
        setting::set(&db, "title", "The Evening Ledger").await.expect("title");
        app.follow().await;
        refreshed(&app, &["/", new_path.as_str(), "/category/world/", "/tag/talks/"], "The Evening Ledger", "a new site title").await;

        let stats = app.state.page_cache().stats();
        assert!(stats.hits > 40 && stats.invalidated > 20, "{stats:?}");
    }

    async fn anonymous_rest_reads_are_kept_until_what_they_show_changes(app) {
        let ann = app.author("ann", "Ann Alder").await;
        let world = app.category("World", None).await;
        let sport = app.category("Sport", None).await;
        let mut x = draft("Ceasefire talks resume", ann);
        x.term_ids = vec![world];
        let x = app.publish(&x).await;
        let mut y = draft("Cup final tonight", ann);
        y.term_ids = vec![sport];
        let y = app.publish(&y).await;
        let all = "/wp-json/wp/v2/posts".to_string();
        let one_x = format!("/wp-json/wp/v2/posts/{x}?_embed=1");
        let one_y = format!("/?rest_route=/wp/v2/posts/{y}");
        let in_world = format!("/wp-json/wp/v2/posts?categories={world}");
        let in_sport = format!("/wp-json/wp/v2/posts?categories={sport}&_fields=id,title");
        warm(&app, &[&all, &one_x, &one_y, &in_world, &in_sport]).await;
        let r = app.client.get(app.url(&all)).send().await.expect("get");
        assert_eq!(r.headers()["x-wp-total"], "2", "kept answers keep WordPress's headers");
        assert!(r.headers()["content-type"].to_str().expect("ascii").starts_with("application/json"));

        // An edit of x: every answer that shows x, not y's.
        save(&app, x, |e| e.title = "Ceasefire talks collapse".into()).await;
        refreshed(&app, &[&all, &one_x, &in_world], "Ceasefire talks collapse", "a new title").await;
        still_kept(&app, &[&one_y, &in_sport], "x's title").await;

        // A new article in Sport joins the lists it belongs to.
        let mut z = draft("Late kickoff moved to Sunday", ann);
        z.term_ids = vec![sport];
        app.publish(&z).await;
        app.follow().await;
        refreshed(&app, &[&all, &in_sport], "Late kickoff moved to Sunday", "a new article").await;
        still_kept(&app, &[&one_x, &one_y, &in_world], "an article in another section").await;

        // Unpublished: gone from the lists at once, and its own answer is a 404.
        unpublish(&app, y).await;
        assert_eq!(look(&app, &one_y).await.0, 404);
        let (_, hit, body) = look(&app, &in_sport).await;
        assert!(!hit && !body.contains("Cup final tonight"), "{body}");

        // Lists chosen by words, slugs or ordered by edits depend on articles they do not show:
        // kept until any article changes.
        let by_words = ["/wp-json/wp/v2/posts?search=talks", "/wp-json/wp/v2/posts?orderby=modified"];
        let by_slug = "/wp-json/wp/v2/posts?slug=late-kickoff-moved-to-sunday";
        warm(&app, &by_words).await;
        warm(&app, &[by_slug]).await;
        save(&app, x, |e| e.title = "Ceasefire talks resume in Oslo".into()).await;
        refreshed(&app, &by_words, "Ceasefire talks resume in Oslo", "an edit of an article").await;
        refreshed(&app, &[by_slug], "Late kickoff moved to Sunday", "an edit of another article").await;
        // Never kept: what a signed-in client is answered.
        let signed = app.client.get(app.url(&all)).basic_auth("nobody", Some("not a password")).send().await.expect("get");
        assert!(signed.headers().get("x-cache").is_none_or(|v| v != "HIT"), "an answer for a caller came from the shared cache");
    }

    async fn anonymous_rest_answers_about_people_terms_comments_and_pictures_are_kept_until_they_change(app) {
        let db = app.state.db().clone();
        let ann = app.author("ann", "Ann Alder").await;
        let bob = app.author("bob", "Bob Birch").await;
        let world = app.category("World", None).await;
        let talks = app.tag("Talks").await;
        let editor = app.app_password("pictures@example.org", "editor").await;
        let r = app.client.post(app.url("/wp-json/wp/v2/media")).basic_auth(&editor.0, Some(&editor.1))
            .header("Content-Type", "image/jpeg")
            .header("Content-Disposition", "attachment; filename=\"harbour.jpg\"")
            .body(crate::support::pictures::jpeg(320, 240)).send().await.expect("upload");
        assert_eq!(r.status().as_u16(), 201);
        let picture = r.json::<serde_json::Value>().await.expect("json")["id"].as_i64().expect("id");
        let mut x = draft("Ceasefire talks resume", ann);
        x.term_ids = vec![world, talks];
        x.featured_media_id = Some(picture);
        let x = app.publish(&x).await;
        let first = comment_on(&app, x, "Reader One", "About time they talked.", comment::status::APPROVED).await;
        app.follow().await;

        let users = "/wp-json/wp/v2/users".to_string();
        let ann_one = format!("/wp-json/wp/v2/users/{ann}");
        let bob_one = format!("/wp-json/wp/v2/users/{bob}");
        let tags = "/wp-json/wp/v2/tags".to_string();
        let talks_one = format!("/wp-json/wp/v2/tags/{talks}");
        let categories = "/wp-json/wp/v2/categories?hide_empty=true".to_string();
        let comments = format!("/wp-json/wp/v2/comments?post={x}");
        let comment_one = format!("/wp-json/wp/v2/comments/{first}");
        let media = "/wp-json/wp/v2/media".to_string();
        let media_one = format!("/wp-json/wp/v2/media/{picture}");
        let search = "/wp-json/wp/v2/search?search=ceasefire".to_string();
        let (index, types) = ("/wp-json/".to_string(), "/wp-json/wp/v2/types".to_string());
        let all = [&users, &ann_one, &tags, &talks_one, &categories, &comments, &comment_one, &media, &media_one, &search, &index, &types];
        let all: Vec<&str> = all.iter().map(|p| p.as_str()).collect();
        warm(&app, &all).await;
        assert_eq!(look(&app, &bob_one).await.0, 404, "no live article yet: not public");
        let (_, _, listed) = look(&app, &users).await;
        assert!(listed.contains("Ann Alder") && !listed.contains("Bob Birch"), "{listed}");

        // A bio: the people answers, nothing else.
        set_profile(&app, ann, "ann", "Ann Alder", "Ann covers diplomacy from Vienna.").await;
        refreshed(&app, &[&users, &ann_one], "Ann covers diplomacy from Vienna.", "a new bio").await;
        still_kept(&app, &[&tags, &talks_one, &comments, &comment_one, &media_one, &index, &types], "a bio").await;

        // A tag's name: the tag answers.
        rename_tag(&app, talks, "Peace talks", "talks").await;
        refreshed(&app, &[&tags, &talks_one], "Peace talks", "a renamed tag").await;
        still_kept(&app, &[&users, &ann_one, &comments, &comment_one, &media, &media_one, &index], "a tag's name").await;

        // A second comment: the comment lists.
        comment_on(&app, x, "Reader Two", "They said that last year.", comment::status::APPROVED).await;
        app.follow().await;
        refreshed(&app, &[&comments], "They said that last year.", "a new comment").await;
        // Any comment's change reaches every comment answer (a coarse tag: replies, statuses).
        refreshed(&app, &[&comment_one], "About time they talked.", "a new comment").await;
        still_kept(&app, &[&users, &ann_one, &tags, &talks_one, &media, &media_one, &index], "a comment").await;

        // A picture's words: the picture answers.
        let r = app.client.post(app.url(&media_one)).basic_auth(&editor.0, Some(&editor.1))
            .json(&serde_json::json!({"alt_text": "Boats in the harbour at dawn"})).send().await.expect("describe");
        assert_eq!(r.status().as_u16(), 200);
        refreshed(&app, &[&media, &media_one], "Boats in the harbour at dawn", "a new alt text").await;
        still_kept(&app, &[&users, &ann_one, &tags, &talks_one, &comments, &comment_one, &index], "a picture").await;

        // Bob's first live article: he is public now, the tag counts two, the search finds it.
        let all: Vec<&str> = all.iter().copied().filter(|p| *p != comments.as_str()).collect();
        warm(&app, &all).await;
        let mut y = draft("Ceasefire holds in the north", bob);
        y.term_ids = vec![world, talks];
        app.publish(&y).await;
        app.follow().await;
        refreshed(&app, &[&users, &bob_one], "Bob Birch", "his first article").await;
        refreshed(&app, &[&talks_one], "\"count\":2", "a second article with the tag").await;
        refreshed(&app, &[&search], "Ceasefire holds in the north", "a new article").await;
        // (A picture's answers follow every article: any of them may start or stop showing it.)
        still_kept(&app, &[&ann_one, &comment_one, &index, &types], "someone else's article").await;

        // A setting: everything, the API's index too.
        setting::set(&db, "title", "The Evening Ledger").await.expect("title");
        app.follow().await;
        refreshed(&app, &[&index], "The Evening Ledger", "a new site title").await;
    }

    async fn kept_pages_carry_fresh_single_use_tokens_validators_and_codings(app) {
        let db = app.state.db().clone();
        setting::set(&db, "comment_min_seconds", "0").await.expect("set");
        setting::set(&db, "comment_previously_approved", "0").await.expect("set");
        app.follow().await;
        let ann = app.author("ann", "Ann Alder").await;
        let x = app.publish(&Draft::article("Harbour reopens", "Ships are back.", vec![ann])).await;
        let path = path_of(&app, x).await;
        let token = |html: &str| attrs(html, "input[name=newsroom_token]", "value").pop().expect("a form token");

        let (_, first_hit, first) = look(&app, &path).await;
        let (_, hit, second) = look(&app, &path).await;
        assert!(!first_hit && hit);
        let (t1, t2) = (token(&first), token(&second));
        assert_ne!(t1, t2, "each reader of a kept page gets a token of their own");
        assert_eq!(first.replace(&t1, ""), second.replace(&t2, ""), "the rest is the kept page");

        let post = |t: String, text: &'static str| {
            let app = &app;
            async move {
                app.client
                    .post(app.url("/wp-comments-post.php"))
                    .form(&[
                        ("comment_post_ID", x.to_string()),
                        ("author", "Reader".to_string()),
                        ("email", "reader@example.org".to_string()),
                        ("comment", text.to_string()),
                        ("newsroom_token", t),
                    ])
                    .send()
                    .await
                    .expect("post")
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(post(t2.clone(), "First from a kept page.").await, 303);
        assert_ne!(post(t2, "The same form again.").await, 303, "a token is spent once");
        // The comment is on the page for the next reader at once: the post applied the change log.
        let (_, hit, after) = look(&app, &path).await;
        assert!(!hit && after.contains("First from a kept page."));
        // (The flood check allows one comment per address every 15 s: move the first away. A
        // hand edit of the database empties the cache.)
        app.sql("UPDATE comments SET author_ip = '192.0.2.1'").await;
        look(&app, &path).await;
        let (_, hit, again) = look(&app, &path).await;
        assert!(hit);
        assert_eq!(post(token(&again), "Second, from the kept page.").await, 303);
        app.sql("UPDATE comments SET author_ip = '192.0.2.1'").await;
        look(&app, &path).await;

        // gzip: the token is fresh inside the compressed bytes too, and it works.
        let gz = app.client.get(app.url(&path)).header("accept-encoding", "gzip").send().await.expect("gzip");
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        assert_eq!(gz.headers()["vary"], "Accept-Encoding");
        let mut html = String::new();
        flate2::read::GzDecoder::new(&gz.bytes().await.expect("bytes")[..])
            .read_to_string(&mut html)
            .expect("valid gzip");
        let t3 = token(&html);
        assert!(html.contains("Second, from the kept page."));
        assert_eq!(post(t3, "Third, from gzip.").await, 303);

        // brotli for pages without a form; ETag and Last-Modified answer 304.
        look(&app, "/").await;
        let br = app.client.get(app.url("/")).header("accept-encoding", "gzip, br").send().await.expect("br");
        assert_eq!(br.headers()["content-encoding"], "br");
        let etag = br.headers()["etag"].to_str().expect("etag").to_string();
        let modified = br.headers()["last-modified"].to_str().expect("date").to_string();
        let tags = br.headers()["cache-tag"].to_str().expect("tags").to_string();
        assert!(tags.split(',').any(|t| t == format!("post-{x}")) && tags.contains("posts"), "{tags}");
        assert_eq!(br.headers()["surrogate-key"].to_str().expect("keys"), tags);
        let cc = br.headers()["cache-control"].to_str().expect("cc").to_string();
        assert!(cc.contains("public") && cc.contains("stale-while-revalidate"), "{cc}");
        let mut home = String::new();
        brotli::Decompressor::new(&br.bytes().await.expect("bytes")[..], 4096)
            .read_to_string(&mut home)
            .expect("valid brotli");
        assert!(home.contains("Harbour reopens"));
        let not_modified = app.client.get(app.url("/")).header("if-none-match", &etag).send().await.expect("304");
        assert_eq!(not_modified.status().as_u16(), 304);
        let not_modified = app.client.get(app.url("/")).header("if-modified-since", &modified).send().await.expect("304");
        assert_eq!(not_modified.status().as_u16(), 304);
        let head = app.client.head(app.url("/")).send().await.expect("head");
        assert_eq!(head.status().as_u16(), 200);
        assert_eq!(head.headers()["etag"].to_str().expect("etag"), etag.trim_end_matches("-br\"").to_string() + "\"");

        // A visitor with remembered details or held comments gets a page of their own.
        let mine = app.client.get(app.url(&path)).header("cookie", "comment_author=Reader").send().await.expect("get");
        assert!(mine.headers().get("x-cache").is_none(), "never from the shared cache");
        let mine = app.client.get(app.url(&path)).header("cookie", "comment_author=Reader").send().await.expect("get");
        assert!(mine.headers().get("x-cache").is_none());
        assert!(mine.headers()["cache-control"].to_str().expect("cc").contains("private"));
        let body = mine.text().await.expect("body");
        assert!(body.contains("value=\"Reader\""), "their name is in their form");
        let (_, _, shared) = look(&app, &path).await;
        assert!(!shared.contains("value=\"Reader\""), "and never in anyone else's");
        // Only pages the cache could have shared count as made for one visitor: not the admin.
        let passes = app.state.page_cache().stats().passes;
        assert!(passes >= 2, "the two personal pages are counted");
        app.get("/admin/login").await;
        app.get("/wp-json/wp/v2/posts").await;
        assert_eq!(app.state.page_cache().stats().passes, passes);
    }
}

crate::both_backends! {
    // With the page cache off every answer is built again, from rows kept in memory (the
    // article, its links, comments and corrections): each change shows on the very next request.
    async fn with_the_page_cache_off_each_change_shows_on_the_next_request(app)
    where |c: &mut newsroom::config::Config| c.page_cache_mb = 0;
    {
        app.relax_comment_rules().await;
        let ann = app.author("ann", "Ann Alder").await;
        let bob = app.author("bob", "Bob Birch").await;
        let world = app.category("World", None).await;
        let sport = app.category("Sport", None).await;
        let mut x = draft("Harbour cranes idle", ann);
        x.term_ids = vec![world];
        let x = app.publish(&x).await;
        let path = path_of(&app, x).await;
        let shown = |html: &str, text: &str| html.contains(text);
        for _ in 0..2 {
            let (status, hit, html) = look(&app, &path).await;
            assert_eq!(status, 200);
            assert!(!hit, "nothing is kept with the cache off");
            assert!(shown(&html, "Harbour cranes idle") && shown(&html, "Ann Alder"));
        }

        save(&app, x, |e| e.body = "Dockers walked out at dawn.".into()).await;
        assert!(shown(&look(&app, &path).await.2, "Dockers walked out at dawn."), "a body edit");

        save(&app, x, |e| {
            e.author_ids = vec![ann, bob];
            e.category_ids = vec![sport];
        })
        .await;
        let html = look(&app, &path).await.2;
        assert!(shown(&html, "Bob Birch"), "a second byline");
        assert_eq!(attrs(&html, "meta[property='article:section']", "content"), ["Sport"], "a new section");

        newsroom::actions::article::add_correction(app.state.db(), &Actor::operator(), x, "An earlier version misnamed the port.")
            .await
            .expect("correction");
        app.follow().await;
        assert!(shown(&look(&app, &path).await.2, "An earlier version misnamed the port."), "a correction");

        let form = app.open_form(&path).await;
        let r = app
            .send_comment(&form, "203.0.113.9", &[("author", "Reader Two"), ("email", "two@example.org"), ("comment", "The cranes were idle all week.")], None)
            .await;
        assert_eq!(r.status(), 303);
        let html = look(&app, &path).await.2;
        assert!(shown(&html, "The cranes were idle all week."), "a comment published as it was sent");

        save(&app, x, |e| e.slug = "cranes-idle".into()).await;
        let moved = path_of(&app, x).await;
        assert!(moved.contains("cranes-idle"), "{moved}");
        assert_eq!(app.redirect(&path).await, (301, moved.clone()), "the old address moves");
        assert_eq!(look(&app, &moved).await.0, 200);

        let form = app.open_form(&moved).await;
        unpublish(&app, x).await;
        assert_eq!(look(&app, &moved).await.0, 404, "an unpublished article is gone at once");
        let r = app
            .send_comment(&form, "203.0.113.9", &[("author", "Reader Two"), ("email", "two@example.org"), ("comment", "Still here?")], None)
            .await;
        assert_eq!(r.status(), 404, "no comments on an article that is not live");
    }
}

/// Two `newsroom serve` processes on one PostgreSQL: a comment posted through one shows on the
/// other's kept page well within a second (LISTEN/NOTIFY; the 250 ms poll is the fallback).
#[tokio::test]
async fn two_serve_processes_on_one_postgresql_stay_coherent() {
    let Some((name, url)) = crate::support::fresh_pg_database().await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("newsroom_nodes_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let state = newsroom::app::AppState::open(newsroom::config::Config::for_data(
            &dir.join("a"),
            Some(url.clone()),
        ))
        .await
        .expect("open");
        newsroom::actions::demo::seed(state.db(), state.media())
            .await
            .expect("seed");
        setting::set(state.db(), "comment_min_seconds", "0")
            .await
            .expect("set");
        setting::set(state.db(), "comment_previously_approved", "0")
            .await
            .expect("set");
        state.close().await;
    }
    let (_a, base_a, _) = crate::binary::spawn_server(&dir.join("a"), Some(&url), &["--no-demo"]);
    let (_b, base_b, _) = crate::binary::spawn_server(&dir.join("b"), Some(&url), &["--no-demo"]);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let get = |base: &str, path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let r = client.get(url).send().await.expect("get");
            let hit = r.headers().get("x-cache").is_some_and(|v| v == "HIT");
            (hit, r.text().await.expect("body"))
        }
    };
    let (_, home) = get(&base_b, "/").await;
    let path = attrs(&home, ".card-title a", "href")
        .into_iter()
        .next()
        .expect("an article");
    let path = path
        .strip_prefix("http://127.0.0.1")
        .map(|p| p.split_once('/').map_or(p, |(_, rest)| rest))
        .map(|p| format!("/{p}"))
        .unwrap_or(path);
    get(&base_b, &path).await;
    let (hit, _) = get(&base_b, &path).await;
    assert!(hit, "node B keeps the article");

    let (_, page_a) = get(&base_a, &path).await;
    let token = attrs(&page_a, "input[name=newsroom_token]", "value")
        .pop()
        .expect("token");
    let post_id = attrs(&page_a, "input[name=comment_post_ID]", "value")
        .pop()
        .expect("post id");
    let posted = client
        .post(format!("{base_a}/wp-comments-post.php"))
        .form(&[
            ("comment_post_ID", post_id.as_str()),
            ("author", "Node Reader"),
            ("email", "node@example.org"),
            ("comment", "Seen from the other node."),
            ("newsroom_token", token.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        posted.status().as_u16(),
        303,
        "the comment is accepted on node A"
    );
    let written = Instant::now();
    loop {
        let (_, page_b) = get(&base_b, &path).await;
        if page_b.contains("Seen from the other node.") {
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "node B still showed its old page after a second"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "a comment on node A showed on node B after {:?}",
        written.elapsed()
    );
    let _ = std::fs::remove_dir_all(&dir);
    crate::support::drop_pg_database(&name);
}

/// Change-log entries become visible in the order of their ids, even when the transaction that
/// took the lower id commits last: otherwise a follower, whose cursor is the newest id it read,
/// would pass over the lower one for good and keep a stale page. PostgreSQL (SQLite writes one
/// transaction at a time).
#[tokio::test]
async fn change_log_entries_are_read_in_the_order_they_commit() {
    let Some((name, url)) = crate::support::fresh_pg_database().await else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("newsroom_order_{}", std::process::id()));
    let state =
        newsroom::app::AppState::open(newsroom::config::Config::for_data(&dir, Some(url.clone())))
            .await
            .expect("open");
    let db = state.db().clone();
    let newsroom::db::Db::Postgres(pg) = &db else {
        panic!("a PostgreSQL URL opened another backend");
    };
    let start = newsroom::db::change::latest_id(&db).await.expect("latest");
    // The first writer appends and stays open; a second appends and commits meanwhile.
    let mut first = pg.pool.begin().await.expect("begin");
    newsroom::log_change!(first, "post", 900_001i64, "update").expect("log");
    let pool = pg.pool.clone();
    let second = tokio::spawn(async move {
        let mut tx = pool.begin().await?;
        newsroom::log_change!(tx, "post", 900_002i64, "update")?;
        tx.commit().await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A follower reads now, and again after both have committed, from where it got to.
    let mut read = newsroom::db::change::since(&db, start, 100)
        .await
        .expect("read");
    let cursor = read.last().map_or(start, |c| c.id);
    first.commit().await.expect("commit");
    second.await.expect("task").expect("second writer");
    read.extend(
        newsroom::db::change::since(&db, cursor, 100)
            .await
            .expect("read"),
    );
    let seen: Vec<i64> = read
        .iter()
        .filter(|c| c.entity == "post")
        .map(|c| c.entity_id)
        .collect();
    assert_eq!(
        seen,
        [900_001, 900_002],
        "the follower must see both entries, in order"
    );
    state.close().await;
    crate::support::drop_pg_database(&name);
    let _ = std::fs::remove_dir_all(&dir);
}
