//! Writing and publishing from the admin: the editor, review, scheduling, no silent overwrite,
//! revisions and autosave, corrections, slugs, trash, review links and the article list.

use newsroom::content::preview_link;
use newsroom::db::article::{self as articles, status};
use newsroom::db::{activity, revision};

use crate::both_backends;
use crate::support::admin::{Signed, post_id};
use crate::support::{TestApp, attrs, texts};

/// The fields of a new article's form.
fn article_form<'a>(title: &'a str, body: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "post"),
        ("format", "markdown"),
        ("title", title),
        ("body", body),
        ("comments_open", "on"),
        ("do", action),
    ]
}

/// The editor's form of an article as the page renders it, as name/value pairs to send back.
async fn form_of(s: &Signed, id: i64) -> Vec<(String, String)> {
    let html = s.page(&format!("/admin/posts/{id}")).await;
    let doc = scraper::Html::parse_document(&html);
    let mut out = Vec::new();
    let inputs = scraper::Selector::parse("#editor input, #editor textarea, #editor select")
        .expect("selector");
    for el in doc.select(&inputs) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        match (v.name(), v.attr("type")) {
            ("input", Some("checkbox" | "radio")) if v.attr("checked").is_some() => {
                out.push((
                    name.to_string(),
                    v.attr("value").unwrap_or("on").to_string(),
                ));
            }
            ("input", Some("checkbox" | "radio")) => {}
            ("input", _) => out.push((
                name.to_string(),
                v.attr("value").unwrap_or_default().to_string(),
            )),
            ("textarea", _) => out.push((name.to_string(), el.text().collect::<String>())),
            ("select", _) => {
                let opt = scraper::Selector::parse("option[selected]").expect("selector");
                if let Some(o) = el.select(&opt).next() {
                    out.push((
                        name.to_string(),
                        o.value().attr("value").unwrap_or_default().to_string(),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// Send an article's form back with some fields changed and the button `action`.
async fn resubmit(
    s: &Signed,
    id: i64,
    form: &[(String, String)],
    changes: &[(&str, &str)],
    action: &str,
) -> reqwest::Response {
    let mut fields: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k != "csrf" && !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    fields.extend(changes.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields.push(("do".into(), action.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    s.post(&format!("/admin/posts/{id}"), &pairs).await
}

async fn path_of(app: &TestApp, id: i64) -> String {
    let a = articles::get(app.state.db(), id)
        .await
        .expect("db")
        .expect("article");
    newsroom::http::site::gather::article_path(&app.state, &app.state.site(), &a)
        .await
        .expect("path")
}

both_backends! {
    async fn an_editor_writes_previews_and_publishes_and_readers_find_it(app) {
        let world = app.category("World", None).await;
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let new = ed.page("/admin/posts/new").await;
        assert_eq!(attrs(&new, "#editor", "action"), vec!["/admin/posts/new"]);
        let world_s = world.to_string();
        let me = ed.user_id.to_string();
        let mut form = article_form("Переговоры в Стамбуле — “talks” resume", "**Bold** start.\n\nSecond paragraph -- with a dash.", "publish");
        form.extend([("category", world_s.as_str()), ("tags", "Diplomacy, Новый тег"), ("author", me.as_str()),
                     ("source_name", "BBC"), ("source_url", "https://www.bbc.co.uk/news")]);
        let preview = ed.post("/admin/posts/preview", &form).await;
        assert_eq!(preview.status().as_u16(), 200);
        assert_eq!(preview.headers()["x-robots-tag"], "noindex, nofollow");
        let html = preview.text().await.expect("body");
        assert!(html.contains("preview-banner") && html.contains("<strong>Bold</strong>"), "the site's own renderer");
        assert!(articles::count(app.state.db(), articles::POST).await.expect("count") == 0, "a preview saves nothing");

        let location = ed.post_ok("/admin/posts/new", &form).await;
        assert!(location.ends_with("?done=published"), "{location}");
        let id = post_id(&location);
        let path = path_of(&app, id).await;
        assert!(path.ends_with("/переговоры-в-стамбуле-talks-resume/"), "a Unicode slug: {path}");
        let page = app.page(&newsroom::content::permalink::encode_path(&path)).await;
        assert!(page.contains("<strong>Bold</strong>") && page.contains("–"), "typographic dash");
        assert!(texts(&page, ".source")[0].contains("BBC"));
        assert!(app.page("/").await.contains("talks” resume"));
        assert!(app.page("/category/world/").await.contains("talks” resume"));
        assert!(app.page(&newsroom::content::permalink::encode_path("/tag/новый-тег/")).await.contains("talks” resume"), "a tag made on the fly");
        let edited = ed.page(&location).await;
        assert_eq!(texts(&edited, ".notice"), vec!["Published. It is on the site now."]);
        let log = activity::list(app.state.db(), None, Some("publish"), 0, 10).await.expect("log");
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].user_id, log[0].object_id), (Some(ed.user_id), Some(id)));
    }

    async fn a_contributor_submits_and_an_editor_publishes(app) {
        let con = app.signed_in_as("con@example.org", "contributor").await;
        let location = con.post_ok("/admin/posts/new", &article_form("A reader's scoop", "Draft text.", "submit")).await;
        assert!(location.ends_with("?done=submitted"));
        let id = post_id(&location);
        assert_eq!(articles::get(app.state.db(), id).await.expect("db").expect("row").status, status::PENDING);
        assert!(!app.page("/").await.contains("A reader&#39;s scoop"));
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let dash = ed.page("/admin/").await;
        assert!(texts(&dash, "#review-title + ul li a").iter().any(|t| t == "A reader's scoop"), "waiting for review");
        let form = form_of(&ed, id).await;
        let r = resubmit(&ed, id, &form, &[], "publish").await;
        assert_eq!(r.status().as_u16(), 303);
        assert!(app.page("/").await.contains("A reader&#39;s scoop"));
        assert_eq!(con.get(&format!("/admin/posts/{id}")).await.0, 403, "published, it is out of the contributor's hands");
    }

    async fn a_save_made_on_an_old_version_is_refused_with_a_diff_and_nothing_is_lost(app) {
        let ann = app.signed_in_as("ann@example.org", "editor").await;
        let bob = app.signed_in_as("bob@example.org", "editor").await;
        let id = post_id(&ann.post_ok("/admin/posts/new", &article_form("Budget vote", "Line one.\nLine two.\nLine three.", "publish")).await);
        let ann_form = form_of(&ann, id).await;
        let bob_page = bob.page(&format!("/admin/posts/{id}")).await;
        assert!(texts(&bob_page, "[data-presence]")[0].contains("ann"), "Bob sees that Ann has it open");
        let bob_form = form_of(&bob, id).await;
        assert_eq!(resubmit(&ann, id, &ann_form, &[("body", "Line one.\nLine two, by Ann.\nLine three.")], "save").await.status().as_u16(), 303);
        let refused = resubmit(&bob, id, &bob_form, &[("body", "Line one.\nLine two.\nLine three.\nBob's new line.")], "save").await;
        assert_eq!(refused.status().as_u16(), 409);
        let html = refused.text().await.expect("body");
        assert!(texts(&html, "#conflict-title")[0].contains("ann saved this article"), "{html}");
        assert!(texts(&html, "#field-body")[0].contains("Bob's new line."), "Bob's text is kept in the form");
        assert!(texts(&html, ".conflict .diff .added").iter().any(|l| l.contains("Bob's new line")));
        assert!(texts(&html, ".conflict .diff .removed").iter().any(|l| l.contains("by Ann")));
        let stored = articles::get(app.state.db(), id).await.expect("db").expect("row");
        assert!(stored.body_source.contains("by Ann") && !stored.body_source.contains("Bob"), "nothing overwritten");
        // Saving the form as it came back replaces Ann's version on purpose.
        let version = attrs(&html, "input[name=version]", "value")[0].clone();
        let again = resubmit(&bob, id, &bob_form, &[("body", "Line one.\nLine three.\nBob's new line."), ("version", &version)], "save").await;
        assert_eq!(again.status().as_u16(), 303);
        let stored = articles::get(app.state.db(), id).await.expect("db").expect("row");
        assert!(stored.body_source.contains("Bob's new line"));
    }

    async fn every_save_keeps_a_revision_that_can_be_compared_and_restored(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let id = post_id(&ed.post_ok("/admin/posts/new", &article_form("Rates hold", "First text.", "draft")).await);
        for body in ["Second text.", "Third text."] {
            let form = form_of(&ed, id).await;
            assert_eq!(resubmit(&ed, id, &form, &[("body", body)], "save").await.status().as_u16(), 303);
        }
        let revs = revision::of_post(app.state.db(), id).await.expect("revisions");
        assert_eq!(revs.len(), 3, "one per save");
        let page = ed.page(&format!("/admin/posts/{id}/revisions?from={}&to={}", revs[2].id, revs[0].id)).await;
        assert!(texts(&page, ".diff .removed").iter().any(|l| l.contains("First text.")));
        assert!(texts(&page, ".diff .added").iter().any(|l| l.contains("Third text.")));
        ed.post_ok(&format!("/admin/posts/{id}/revisions/{}/restore", revs[2].id), &[]).await;
        let stored = articles::get(app.state.db(), id).await.expect("db").expect("row");
        assert_eq!(stored.body_source, "First text.");
        assert_eq!(revision::of_post(app.state.db(), id).await.expect("revisions").len(), 4, "restoring is itself a revision");

        // Autosaves keep the latest unsaved text, one per writer, never a revision each.
        for body in ["Typing…", "Typing more…"] {
            let (status, json) = ed.api("/admin/api/autosave", serde_json::json!({"id": id, "title": "Rates hold", "body": body})).await;
            assert_eq!(status, 200, "{json}");
        }
        assert_eq!(revision::of_post(app.state.db(), id).await.expect("revisions").len(), 4);
        let saved = revision::autosave_of(app.state.db(), id, ed.user_id).await.expect("db").expect("autosave");
        assert_eq!(saved.snapshot.body_source, "Typing more…");
        let editor = ed.page(&format!("/admin/posts/{id}")).await;
        assert!(editor.contains("You have an autosave"), "offered when newer than the saved version");
        let loaded = ed.page(&format!("/admin/posts/{id}?autosave=1")).await;
        assert_eq!(texts(&loaded, "#field-body"), vec!["Typing more…"]);
        let form = form_of(&ed, id).await;
        resubmit(&ed, id, &form, &[], "save").await;
        assert!(revision::autosave_of(app.state.db(), id, ed.user_id).await.expect("db").is_none(), "a save supersedes the autosave");
        let (status, _) = ed.api("/admin/api/autosave", serde_json::json!({"id": id, "body": "bad\u{0}byte"})).await;
        assert_eq!(status, 422);
        // A new article's first autosave keeps it as a draft, so a closed tab loses nothing.
        let (status, json) = ed.api("/admin/api/autosave", serde_json::json!({"id": 0, "kind": "post", "title": "", "body": "Notes typed and never saved."})).await;
        assert_eq!(status, 200, "{json}");
        let created = json["created"]["id"].as_i64().expect("a draft was made");
        assert_eq!(json["created"]["edit_url"], format!("/admin/posts/{created}"));
        let draft = articles::get(app.state.db(), created).await.expect("db").expect("row");
        assert_eq!((draft.status.as_str(), draft.body_source.as_str()), ("draft", "Notes typed and never saved."));
    }

    async fn a_scheduled_article_goes_live_on_time_exactly_once_and_is_hidden_until_then(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let section = app.category("Science", None).await.to_string();
        let site = app.state.site();
        let at = chrono::Utc::now() + chrono::Duration::seconds(4);
        let local = site.local(at).format("%Y-%m-%dT%H:%M:%S").to_string();
        let me = ed.user_id.to_string();
        let mut form = article_form("Telescope sees first light", "Embargoed until launch.", "publish");
        form.extend([("published_at", local.as_str()), ("category", section.as_str()), ("author", me.as_str()), ("tags", "Space")]);
        let location = ed.post_ok("/admin/posts/new", &form).await;
        assert!(location.ends_with("?done=scheduled"), "{location}");
        let id = post_id(&location);
        let path = path_of(&app, id).await;
        let author = newsroom::db::user::get(app.state.db(), ed.user_id).await.expect("db").expect("user");
        let hidden_from = [
            "/".to_string(), "/category/science/".into(), "/tag/space/".into(), format!("/author/{}/", author.slug),
            format!("/{}/", site.local(at).format("%Y")),
        ];
        for p in &hidden_from {
            assert!(!app.get(p).await.1.contains("Telescope sees first light"), "hidden on {p}");
        }
        assert_eq!(app.get(&path).await.0, 404);
        assert_eq!(app.get(&format!("/?p={id}")).await.0, 404);
        let r = app.client.post(app.url("/wp-comments-post.php"))
            .form(&[("comment_post_ID", id.to_string().as_str()), ("author", "A"), ("email", "a@example.net"), ("comment", "early")])
            .send().await.expect("post");
        assert_eq!(r.status().as_u16(), 404, "the comment endpoint does not know it yet");

        // Two nodes run the scheduler on one database; the article goes out once.
        let (_, other) = app.second_node().await;
        let one = newsroom::app::spawn_upkeep(app.state.clone());
        let two = newsroom::app::spawn_upkeep(other);
        let mut live = false;
        for _ in 0..40 {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            if app.get(&path).await.0 == 200 {
                live = true;
                break;
            }
        }
        one.abort();
        two.abort();
        assert!(live, "published on time with no traffic");
        // Whichever node published it, this one's page cache follows the change log (every
        // 250 ms, or at once by NOTIFY on PostgreSQL); apply it now rather than wait.
        app.follow().await;
        let stored = articles::get(app.state.db(), id).await.expect("db").expect("row");
        assert_eq!(stored.status, status::PUBLISHED);
        assert!((stored.published_at.expect("date") - at).num_seconds().abs() <= 1, "dated when it was scheduled for");
        for p in &hidden_from {
            assert!(app.get(p).await.1.contains("Telescope sees first light"), "listed on {p}");
        }
        let log = activity::list(app.state.db(), None, Some("publish (scheduled)"), 0, 10).await.expect("log");
        assert_eq!(log.len(), 1, "exactly once, though two nodes raced");
    }

    async fn corrections_are_dated_above_the_body_and_minor_edits_keep_the_date(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let id = post_id(&ed.post_ok("/admin/posts/new", &article_form("Bridge reopens", "The bridge reopened on Monday.", "publish")).await);
        let old = "2020-01-01T00:00:00+00:00";
        app.sql(&format!("UPDATE posts SET modified_at = '{old}', published_at = '{old}' WHERE id = {id}")).await;
        let form = form_of(&ed, id).await;
        resubmit(&ed, id, &form, &[("body", "The bridge reopened on Monday. (typo fixed)"), ("minor", "on")], "save").await;
        let a = articles::get(app.state.db(), id).await.expect("db").expect("row");
        assert_eq!(a.modified_at.to_rfc3339(), "2020-01-01T00:00:00+00:00", "a minor edit keeps the updated date");
        let path = path_of(&app, id).await;
        assert!(app.page(&path).await.contains("(typo fixed)"));
        assert!(texts(&app.page(&path).await, ".byline").iter().all(|b| !b.contains("Updated")));
        ed.post_ok(&format!("/admin/posts/{id}/corrections"), &[("note", "An earlier version gave the wrong day.")]).await;
        let page = app.page(&path).await;
        let note = texts(&page, ".corrections p");
        assert_eq!(note.len(), 1);
        assert!(note[0].starts_with("Correction, ") && note[0].ends_with("An earlier version gave the wrong day."), "{note:?}");
        let body_at = page.find("article-body").expect("body");
        assert!(page.find("class=\"corrections\"").expect("corrections") < body_at, "above the body");
        assert!(texts(&page, ".byline")[0].contains("Updated"), "a correction updates the modified date");
        let r = ed.post(&format!("/admin/posts/{id}/corrections"), &[("note", "   ")]).await;
        assert_eq!(r.status().as_u16(), 422);
    }

    async fn a_new_slug_keeps_the_old_address_and_trash_can_be_undone(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let id = post_id(&ed.post_ok("/admin/posts/new", &article_form("River record", "Text.", "publish")).await);
        let old = path_of(&app, id).await;
        let form = form_of(&ed, id).await;
        resubmit(&ed, id, &form, &[("slug", "river-breaks-record")], "save").await;
        let new = path_of(&app, id).await;
        assert!(new.ends_with("/river-breaks-record/"));
        assert_eq!(app.redirect(&old).await, (301, new.clone()));
        ed.post_ok(&format!("/admin/posts/{id}/trash"), &[("back", "/admin/posts")]).await;
        assert_eq!(app.get(&new).await.0, 404, "trashed articles leave the site at once");
        let trash = ed.page("/admin/posts?status=trash").await;
        assert_eq!(texts(&trash, ".row-title"), vec!["River record"]);
        assert_eq!(ed.get(&format!("/admin/posts/{id}")).await.0, 409, "restore before editing");
        ed.post_ok(&format!("/admin/posts/{id}/restore"), &[]).await;
        assert_eq!(articles::get(app.state.db(), id).await.expect("db").expect("row").status, status::DRAFT, "restored as a draft");
        assert_eq!(ed.post(&format!("/admin/posts/{id}/delete"), &[]).await.status().as_u16(), 409, "only from the trash");
        ed.post_ok(&format!("/admin/posts/{id}/trash"), &[]).await;
        ed.post_ok(&format!("/admin/posts/{id}/delete"), &[]).await;
        assert!(articles::get(app.state.db(), id).await.expect("db").is_none());
    }

    async fn a_review_link_shows_a_draft_without_an_account_until_it_expires(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let id = post_id(&ed.post_ok("/admin/posts/new", &article_form("Draft for the lawyer", "Sensitive text.", "draft")).await);
        let location = ed.post_ok(&format!("/admin/posts/{id}/share"), &[]).await;
        let page = ed.page(&location).await;
        let link = texts(&page, ".review-link")[0].clone();
        let path = link.trim_start_matches(app.state.config().site_url.as_str()).to_string();
        assert!(path.starts_with("/preview/"), "{link}");
        let r = app.client.get(app.url(&path)).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["x-robots-tag"], "noindex, nofollow");
        assert_eq!(r.headers()["cache-control"], "private, no-store");
        let html = r.text().await.expect("body");
        assert!(html.contains("Sensitive text.") && html.contains("Shared for review"));
        assert!(!html.contains("commentform"), "no comment form on a preview");
        assert_eq!(app.get(&format!("{path}x")).await.0, 403, "a changed link opens nothing");
        let secret = app.state.site().settings.secret.clone();
        let expired = preview_link::issue(&secret, id, chrono::Utc::now() - chrono::Duration::seconds(1));
        assert_eq!(app.get(&format!("/preview/{expired}")).await.0, 403);
    }

    async fn the_article_list_searches_filters_counts_and_acts_in_bulk(app) {
        let world = app.category("World", None).await;
        let europe = app.category("Europe", Some(world)).await;
        let science = app.category("Science", None).await;
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let au = app.user("au@example.org", "author").await;
        let mut ids = Vec::new();
        for (title, cat, author, status_) in [
            ("Kyiv talks", europe, ed.user_id, status::PUBLISHED),
            ("Kyiv library", science, au, status::DRAFT),
            ("Moon landing", science, au, status::PUBLISHED),
        ] {
            let mut d = crate::support::draft(title, author);
            d.term_ids = vec![cat];
            d.status = status_.into();
            ids.push(app.publish(&d).await);
        }
        let titles = |html: &str| texts(html, ".row-title");
        assert_eq!(titles(&ed.page("/admin/posts?s=KYIV").await).len(), 2, "search ignores case");
        assert_eq!(titles(&ed.page(&format!("/admin/posts?category={world}")).await), vec!["Kyiv talks"], "a section includes its subsections");
        assert_eq!(titles(&ed.page(&format!("/admin/posts?author={au}&orderby=title")).await), vec!["Kyiv library", "Moon landing"]);
        let list = ed.page("/admin/posts").await;
        let tabs = texts(&list, ".tabs a");
        assert!(tabs.contains(&"All (3)".to_string()) && tabs.contains(&"Published (2)".to_string()) && tabs.contains(&"Draft (1)".to_string()), "{tabs:?}");
        let (a, b) = (ids[0].to_string(), ids[2].to_string());
        let location = ed.post_ok("/admin/posts/bulk", &[("action", "trash"), ("post", &a), ("post", &b), ("back", "/admin/posts")]).await;
        assert_eq!(location, "/admin/posts?done=trashed&n=2");
        assert_eq!(texts(&ed.page(&location).await, ".notice"), vec!["2 articles moved to the trash."]);
        assert_eq!(titles(&ed.page("/admin/posts?status=trash").await).len(), 2);
        ed.post_ok("/admin/posts/bulk", &[("action", "restore"), ("post", &a), ("post", &b)]).await;
        assert_eq!(titles(&ed.page("/admin/posts?status=draft").await).len(), 3);
        let c = ids[1].to_string();
        ed.post_ok("/admin/posts/bulk", &[("action", "publish"), ("post", &c)]).await;
        assert!(app.page("/").await.contains("Kyiv library"));
    }

    async fn a_refused_save_comes_back_with_every_word_and_a_message_per_field(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let long_body = "A long body worth keeping.\n\n".repeat(50).trim().to_string();
        let mut form = article_form("", &long_body, "publish");
        form.extend([("featured_image_url", "https://example.org/p.jpg"), ("published_at", "yesterday")]);
        let r = ed.post("/admin/posts/new", &form).await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.expect("body");
        assert_eq!(texts(&html, "#field-body")[0], long_body, "every word kept");
        assert_eq!(texts(&html, "#date-error").len(), 1);
        form.retain(|(k, _)| *k != "published_at");
        let r = ed.post("/admin/posts/new", &form).await;
        let html = r.text().await.expect("body");
        assert!(texts(&html, "#title-error")[0].contains("headline"));
        assert!(html.contains("Describe the picture"));
        assert_eq!(attrs(&html, "#field-featured_image_url", "value"), vec!["https://example.org/p.jpg"]);
        assert_eq!(articles::count(app.state.db(), articles::POST).await.expect("count"), 0);
        let draft = ed.post("/admin/posts/new", &article_form("", "Notes without a headline yet.", "save")).await;
        assert_eq!(draft.status().as_u16(), 303, "a draft may be unfinished");
    }

    async fn the_editor_script_previews_pastes_and_completes_tags(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let (status, json) = ed.api("/admin/api/render", serde_json::json!({"body": "\"Hi\" -- **there**\n\n<script>x()</script>", "format": "markdown"})).await;
        assert_eq!(status, 200);
        let html = json["html"].as_str().expect("html");
        assert!(html.contains("“Hi” – <strong>there</strong>") && !html.contains("script"), "{html}");
        assert_eq!(json["words"], 4);
        let word = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office"><body><p class=MsoNormal style='margin:0;font-family:Calibri'><b><span style='font-size:14pt'>Headline news</span></b><o:p></o:p></p><p class=MsoNormal>See <a href="https://example.org/?utm_source=x&amp;id=2">the report</a>.</p></body></html>"#;
        let (status, json) = ed.api("/admin/api/paste", serde_json::json!({"html": word})).await;
        assert_eq!(status, 200);
        assert_eq!(json["markdown"], "**Headline news**\n\nSee [the report](https://example.org/?id=2).");
        app.tag("Ukraine Russia conflict").await;
        app.tag("Ukulele").await;
        let tags: Vec<String> = ed.client.get(ed.url("/admin/api/tags?q=ukr")).send().await.expect("get").json().await.expect("json");
        assert_eq!(tags, vec!["Ukraine Russia conflict"]);
    }
}
