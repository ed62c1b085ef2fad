//! Running the site from the admin: the comment queue, settings (reaching every node), pages,
//! sections and tags, profiles, users and the activity log.

use newsroom::db::comment;
use newsroom::db::{activity, term, user};

use crate::both_backends;
use crate::support::admin::post_id;
use crate::support::comments::comment_id;
use crate::support::{attrs, texts};

fn trust_loopback(config: &mut newsroom::config::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

both_backends! {
    async fn moderators_work_the_comment_queue(app) where trust_loopback; {
        app.seed_demo().await;
        app.set("comment_min_seconds", "0").await;
        let path = app.first_article().await;
        let mut held = Vec::new();
        for (i, who) in ["Una", "Dara", "Cian"].iter().enumerate() {
            let form = app.open_form(&path).await;
            let email = format!("{}@example.net", who.to_lowercase());
            let text = format!("Held comment number {i} from {who}.");
            let r = app.send_comment(&form, &format!("203.0.113.{}", 20 + i), &[("author", who), ("email", &email), ("comment", &text)], None).await;
            held.push(comment_id(&r));
        }
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let dash = ed.page("/admin/").await;
        assert!(texts(&dash, ".admin-nav .badge")[0].starts_with('3'), "a badge counts what waits");
        let queue = ed.page("/admin/comments?status=pending").await;
        assert_eq!(texts(&queue, "tbody tr").len(), 3);
        assert!(queue.contains("first comment from this email"), "each comment's reason");
        assert!(queue.contains("una@example.net") && queue.contains("203.0.113.20"), "moderators see email and IP");
        let back = "/admin/comments?status=pending";
        ed.post_ok(&format!("/admin/comments/{}/approve", held[0]), &[("back", back)]).await;
        assert!(app.page(&path).await.contains("Held comment number 0"), "approved comments appear at once");
        let (b, c) = (held[1].to_string(), held[2].to_string());
        let location = ed.post_ok("/admin/comments/bulk", &[("action", "spam"), ("comment", &b), ("comment", &c), ("back", back)]).await;
        assert!(location.ends_with("done=comments&n=2"), "{location}");
        assert_eq!(comment::get(app.state.db(), held[1]).await.expect("db").expect("row").status, "spam");
        let spam = ed.page("/admin/comments?status=spam").await;
        assert_eq!(texts(&spam, "tbody tr").len(), 2);
        ed.post_ok(&format!("/admin/comments/{}/delete", held[2]), &[("back", "/admin/comments?status=spam")]).await;
        assert!(comment::get(app.state.db(), held[2]).await.expect("db").is_none());
        ed.post_ok(&format!("/admin/comments/{}/unapprove", held[1]), &[]).await;

        // A staff reply is the staff member's, published, and approves the comment it answers.
        ed.post_ok(&format!("/admin/comments/{}/reply", held[1]), &[("content", "Thanks, Dara — we have corrected it.")]).await;
        let replies = comment::list(app.state.db(), "approved", 100).await.expect("list");
        let reply = replies.iter().find(|c| c.content.starts_with("Thanks, Dara")).expect("reply");
        assert_eq!(reply.user_id, Some(ed.user_id));
        assert_eq!(reply.parent_id, Some(held[1]));
        assert_eq!(reply.author_name, "ed");
        assert_eq!(comment::get(app.state.db(), held[1]).await.expect("db").expect("row").status, "approved");
        let page = app.page(&path).await;
        assert!(page.contains("Thanks, Dara") && !page.contains("ed@example.org"), "the staff email stays private");
        ed.post_ok(&format!("/admin/comments/{}/edit", held[1]), &[("content", "Edited by a moderator.")]).await;
        assert!(app.page(&path).await.contains("Edited by a moderator."));
        let log = activity::list(app.state.db(), Some(ed.user_id), None, 0, 50).await.expect("log");
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        for a in ["approve comment", "mark comment as spam", "delete comment", "edit comment"] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        // Authors moderate the comments on their own articles only.
        let au = app.signed_in_as("au@example.org", "author").await;
        let queue = au.page("/admin/comments").await;
        assert_eq!(texts(&queue, "tbody tr"), vec!["No comments here."]);
        assert_eq!(au.post(&format!("/admin/comments/{}/approve", held[1]), &[]).await.status().as_u16(), 403);
    }

    async fn settings_change_the_site_at_once_on_every_node(app) {
        app.seed_demo().await;
        let admin = app.signed_in_as("admin@example.org", "administrator").await;
        let (_, other) = app.second_node().await;
        let article = app.first_article().await;
        let r = admin.post("/admin/settings", &[("tab", "general"), ("title", "The Evening Post"), ("tagline", "News at six"),
            ("timezone", "Mars/Base"), ("date_format", "j F Y"), ("time_format", "H:i"), ("posts_per_page", "2"),
            ("permalink_structure", "/%postname%/")]).await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.expect("body");
        assert!(html.contains("Choose a time zone"), "the bad field is named");
        assert_eq!(app.state.site().settings.title, "The Newsroom Ledger", "nothing saved");
        admin.post_ok("/admin/settings", &[("tab", "general"), ("title", "The Evening Post"), ("tagline", "News at six"),
            ("timezone", "Europe/Kyiv"), ("date_format", "j F Y"), ("time_format", "H:i"), ("posts_per_page", "2"),
            ("permalink_structure", "/%postname%/")]).await;
        let home = app.page("/").await;
        assert!(home.contains("The Evening Post") && home.contains("News at six"));
        assert_eq!(texts(&home, ".card").len(), 2, "articles per page");
        let slug = article.trim_end_matches('/').rsplit('/').next().expect("slug").to_string();
        assert_eq!(app.redirect(&article).await, (301, format!("/{slug}/")), "old addresses redirect after a permalink change");
        let page = app.page(&format!("/{slug}/")).await;
        let date = texts(&page, ".byline time")[0].clone();
        assert!(date.split_whitespace().nth(1).is_some_and(|m| m.chars().all(char::is_alphabetic)), "j F Y: {date}");
        other.follow_changes().await.expect("follow");
        assert_eq!(other.site().settings.title, "The Evening Post", "another node follows the change log");
        admin.post_ok("/admin/settings", &[("tab", "discussion"), ("comment_max_links", "5"), ("moderation_keys", "casino"),
            ("disallowed_keys", ""), ("close_comments_days", "0"), ("thread_comments_depth", "3"), ("comments_per_page", "50"),
            ("comment_min_seconds", "3")]).await;
        let s = app.state.site().settings.clone();
        assert!(!s.comment_moderation && !s.comment_previously_approved, "unticked boxes are saved as off");
        assert_eq!((s.comment_max_links, s.thread_comments_depth), (5, 3));
        admin.post_ok("/admin/settings", &[("tab", "security"), ("two_factor_roles", "editor"), ("two_factor_roles", "author"), ("preview_link_days", "3")]).await;
        assert_eq!(app.state.site().settings.two_factor_roles, "editor,author");
        let log = activity::list(app.state.db(), None, Some("change setting"), 0, 100).await.expect("log");
        assert!(log.iter().any(|e| e.summary == "title = The Evening Post"));
        assert!(log.iter().all(|e| !e.summary.contains("secret")));
        let page = admin.page("/admin/activity?action=change+setting").await;
        assert!(page.contains("title = The Evening Post"));
    }

    async fn pages_sections_tags_and_profiles_are_edited_with_the_same_rules(app) {
        let admin = app.signed_in_as("admin@example.org", "administrator").await;
        let location = admin.post_ok("/admin/pages/new", &[("kind", "page"), ("title", "Contact us"), ("body", "Write to us."), ("do", "publish")]).await;
        assert!(app.page("/contact-us/").await.contains("Write to us."));
        assert!(admin.page("/admin/pages").await.contains("Contact us"));
        assert!(location.ends_with("?done=published"), "{location}");
        assert!(post_id(&location) > 0);

        admin.post_ok("/admin/categories", &[("name", "World"), ("description", "Reports from abroad.")]).await;
        let world = term::by_slug(app.state.db(), term::CATEGORY, "world").await.expect("db").expect("term");
        let world_id = world.id.to_string();
        admin.post_ok("/admin/categories", &[("name", "Європа"), ("parent_id", &world_id)]).await;
        let europe = term::by_slug(app.state.db(), term::CATEGORY, "європа").await.expect("db").expect("a Unicode slug");
        assert_eq!(europe.parent_id, Some(world.id));
        let dup = admin.post("/admin/categories", &[("name", "World")]).await;
        assert_eq!(dup.status().as_u16(), 422);
        assert!(dup.text().await.expect("body").contains("already has the address"));
        let cycle = admin.post(&format!("/admin/terms/{}", world.id), &[("name", "World"), ("slug", "world"), ("parent_id", &europe.id.to_string())]).await;
        assert_eq!(cycle.status().as_u16(), 422, "a section cannot sit inside its own subsection");
        admin.post_ok(&format!("/admin/terms/{}", world.id), &[("name", "World news"), ("slug", "world")]).await;
        assert!(texts(&app.page("/").await, ".site-nav a").contains(&"World news".to_string()), "the menu follows at once");
        admin.post_ok("/admin/tags", &[("name", "Kyiv")]).await;
        let tags = admin.page("/admin/tags").await;
        assert_eq!(texts(&tags, ".row-title"), vec!["Kyiv"]);
        let kyiv = term::by_slug(app.state.db(), term::TAG, "kyiv").await.expect("db").expect("tag");
        admin.post_ok(&format!("/admin/terms/{}/delete", kyiv.id), &[]).await;
        assert!(term::by_slug(app.state.db(), term::TAG, "kyiv").await.expect("db").is_none());

        let au = app.signed_in_as("olena@example.org", "author").await;
        let mut d = crate::support::draft("A story by Olena", au.user_id);
        d.status = "published".into();
        app.publish(&d).await;
        au.post_ok("/admin/profile", &[("display_name", "Olena Kovalenko"), ("slug", ""), ("email", "olena@example.org"),
            ("bio", "Covers Eastern Europe from Kyiv."), ("url", "https://olena.example"), ("avatar_url", "")]).await;
        let page = app.page("/author/olena-kovalenko/").await;
        assert!(page.contains("Covers Eastern Europe from Kyiv.") && !page.contains("olena@example.org"));
        let bad = au.post("/admin/profile", &[("display_name", "Olena"), ("email", "admin@example.org"), ("avatar_url", "javascript:alert(1)")]).await;
        assert_eq!(bad.status().as_u16(), 422);
        let html = bad.text().await.expect("body");
        assert!(html.contains("Another account already uses this email") && html.contains("starting with https://"));
        assert_eq!(au.get(&format!("/admin/users/{}", admin.user_id)).await.0, 403, "authors edit only themselves");
    }

    async fn administrators_add_people_and_change_roles_but_keep_an_administrator(app) {
        let admin = app.signed_in_as("admin@example.org", "administrator").await;
        let location = admin.post_ok("/admin/users/new", &[("email", "New.Reporter@Example.org"), ("name", "New Reporter"), ("role", "contributor"), ("password", "")]).await;
        let id: i64 = location.trim_start_matches("/admin/users/").split('?').next().and_then(|i| i.parse().ok()).expect("id");
        let u = user::get(app.state.db(), id).await.expect("db").expect("user");
        assert_eq!((u.email.as_str(), u.role.as_str(), u.login.as_str()), ("new.reporter@example.org", "contributor", "new-reporter"));
        let again = admin.post("/admin/users/new", &[("email", "new.reporter@example.org"), ("role", "author")]).await;
        assert_eq!(again.status().as_u16(), 422, "one account per email");
        admin.post_ok(&format!("/admin/users/{id}/role"), &[("role", "editor")]).await;
        assert_eq!(user::get(app.state.db(), id).await.expect("db").expect("user").role, "editor");
        assert_eq!(admin.post(&format!("/admin/users/{}/role", admin.user_id), &[("role", "author")]).await.status().as_u16(), 403, "not one's own role");
        let list = admin.page("/admin/users").await;
        assert!(texts(&list, "tbody tr").iter().any(|r| r.contains("New Reporter") && r.contains("Editor")));
        admin.post_ok(&format!("/admin/users/{id}/password"), &[("password", "a long new password"), ("confirm", "a long new password")]).await;
        assert_eq!(app.post_login(&crate::support::admin::cookie_client(), "new.reporter@example.org", "a long new password").await.status().as_u16(), 303);
        let log = activity::list(app.state.db(), Some(admin.user_id), None, 0, 20).await.expect("log");
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"add user") && actions.contains(&"change role") && actions.contains(&"change password"), "{actions:?}");
        let page = admin.page("/admin/activity").await;
        assert!(texts(&page, "tbody tr").iter().any(|r| r.contains("change role") && r.contains("contributor → editor")));
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        assert_eq!(ed.get("/admin/activity").await.0, 403, "the log is for administrators");
        assert!(attrs(&admin.page("/admin/").await, "#recent-title", "id").len() == 1);
        // The last administrator cannot be demoted by the command line either.
        let err = newsroom::actions::account::change_role(app.state.db(), &newsroom::actions::capability::Actor::operator(), admin.user_id, "editor").await;
        assert!(err.is_err_and(|e| e.to_string().contains("only administrator")));
    }
}
