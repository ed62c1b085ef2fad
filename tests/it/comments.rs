//! Comments readers and editors can trust: posting, refusals that lose nothing, moderation rules,
//! spam defences, threading, privacy and safety.

use newsroom::actions::comment::{Moderation, moderate_comment};
use newsroom::db::comment;

use crate::both_backends;
use crate::support::comments::{comment_id, cookies_of};
use crate::support::{attrs, texts};

fn trust_loopback(config: &mut newsroom::config::Config) {
    config.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

const READER: [(&str, &str); 4] = [
    ("author", "Reader One"),
    ("email", "reader.one@example.net"),
    ("url", "https://reader.example"),
    ("comment", "A thoughtful comment about the talks."),
];

both_backends! {
    async fn an_accepted_comment_redirects_to_its_anchor_and_is_published(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let form = app.open_form(&path).await;
        let r = app.send_comment(&form, "203.0.113.10", &READER, None).await;
        assert_eq!(r.status().as_u16(), 303);
        let location = r.headers()["location"].to_str().expect("ascii").to_string();
        let id = comment_id(&r);
        assert_eq!(location, format!("{}#comment-{id}", newsroom::content::permalink::encode_path(&path)));
        let html = app.page(&path).await;
        assert!(texts(&html, &format!("#comment-{id} .comment-content"))[0].contains("A thoughtful comment"));
        assert_eq!(attrs(&html, &format!("#comment-{id} .comment-author a"), "rel"), vec!["external nofollow ugc"]);
        assert_eq!(texts(&html, "#comments-title"), vec!["4 Comments"]);
        let stored = comment::get(app.state.db(), id).await.expect("get").expect("row");
        assert_eq!((stored.status.as_str(), stored.reason.as_str()), ("approved", "passed every rule"));
        assert_eq!(stored.author_ip, "203.0.113.10", "the trusted proxy's X-Forwarded-For is the client");
    }

    async fn a_first_time_commenter_is_held_and_only_they_see_the_notice(app) where trust_loopback; {
        app.seed_demo().await;
        app.set("comment_min_seconds", "0").await;
        let path = app.first_article().await;
        let form = app.open_form(&path).await;
        let r = app.send_comment(&form, "203.0.113.11", &READER, None).await;
        assert_eq!(r.status().as_u16(), 303);
        let id = comment_id(&r);
        let cookie = cookies_of(&r);
        let stored = comment::get(app.state.db(), id).await.expect("get").expect("row");
        assert_eq!((stored.status.as_str(), stored.reason.as_str()), ("pending", "first comment from this email"));

        let mine = app.client.get(app.url(&path)).header("cookie", &cookie).send().await.expect("get").text().await.expect("body");
        assert_eq!(texts(&mine, &format!("#comment-{id} .comment-awaiting-moderation")), vec!["Your comment is awaiting moderation."]);
        let heading = texts(&mine, "#comments-title").join(" ");
        assert!(heading.contains("1 of yours awaiting moderation") || heading == "1 comment awaiting moderation", "{heading}");
        let theirs = app.page(&path).await;
        assert!(!theirs.contains("awaiting moderation") && !theirs.contains("A thoughtful comment"));
        let forged = cookie.replace("newsroom_held=", "newsroom_held=9");
        let forged_view = app.client.get(app.url(&path)).header("cookie", forged).send().await.expect("get").text().await.expect("body");
        assert!(!forged_view.contains("A thoughtful comment"), "a tampered cookie shows nothing");

        assert!(moderate_comment(app.state.db(), &newsroom::actions::capability::Actor::operator(), id, Moderation::Approve).await.expect("approve"));
        app.follow().await;
        assert!(app.page(&path).await.contains("A thoughtful comment"));
        // Now previously approved: the same reader's next comment goes straight out.
        let form = app.open_form(&path).await;
        let again = [("author", "Reader One"), ("email", "reader.one@example.net"), ("comment", "And a follow-up.")];
        let r = app.send_comment(&form, "203.0.113.12", &again, None).await;
        let next = comment::get(app.state.db(), comment_id(&r)).await.expect("get").expect("row");
        assert_eq!(next.status, "approved");
    }

    async fn every_refused_form_comes_back_with_what_the_reader_typed(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let long = "x".repeat(65_526);
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("author", ""), ("email", "kept@example.net"), ("comment", "Typed text that must survive")], "author"),
            (vec![("author", "Kept Name"), ("email", ""), ("comment", "Typed text that must survive")], "email"),
            (vec![("author", "Kept Name"), ("email", "not-an-email"), ("comment", "Typed text that must survive")], "email"),
            (vec![("author", "Kept Name"), ("email", "kept@example.net"), ("url", "javascript:alert(1)"), ("comment", "Typed text that must survive")], "url"),
            (vec![("author", "Kept Name"), ("email", "kept@example.net"), ("comment", "")], "comment"),
            (vec![("author", "Kept Name"), ("email", "kept@example.net"), ("comment", long.as_str())], "comment"),
        ];
        for (i, (fields, bad)) in cases.iter().enumerate() {
            let form = app.open_form(&path).await;
            let r = app.send_comment(&form, &format!("203.0.113.{}", 20 + i), fields, None).await;
            assert_eq!(r.status().as_u16(), 422, "case {i}");
            assert_eq!(r.headers()["cache-control"], "private, no-store", "case {i}");
            let html = r.text().await.expect("body");
            assert_eq!(texts(&html, &format!("#{bad}-error")).len(), 1, "case {i}: message beside {bad}");
            assert_eq!(attrs(&html, &format!("#{bad}"), "aria-invalid"), vec!["true"], "case {i}");
            for (name, value) in fields.iter().filter(|(n, _)| *n != "comment") {
                assert_eq!(attrs(&html, &format!("#{name}"), "value"), vec![value.to_string()], "case {i}: {name} kept");
            }
            let typed = fields.iter().find(|(n, _)| *n == "comment").map(|(_, v)| *v).unwrap_or("");
            assert_eq!(texts(&html, "textarea#comment"), vec![typed.trim().to_string()], "case {i}: comment kept");
            assert!(html.contains("Ukrainian and Russian delegations"), "case {i}: the article page comes back");
        }
        assert_eq!(comment::count(app.state.db(), "pending").await.expect("count") + comment::count(app.state.db(), "approved").await.expect("count"), 3, "nothing was stored");
    }

    async fn each_moderation_rule_holds_or_spams_and_records_why(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let mut ip = 30;
        let mut post = |fields: Vec<(&'static str, String)>| {
            ip += 1;
            let app = &app;
            let path = path.clone();
            async move {
                let form = app.open_form(&path).await;
                let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = app.send_comment(&form, &format!("198.51.100.{ip}"), &borrowed, None).await;
                assert_eq!(r.status().as_u16(), 303);
                let c = comment::get(app.state.db(), comment_id(&r)).await.expect("get").expect("row");
                (c.status, c.reason)
            }
        };
        let base = |text: &str, email: &str| vec![("author", "Mod Test".to_string()), ("email", email.to_string()), ("comment", text.to_string())];

        assert_eq!(post(base("three links http://a.example http://b.example http://c.example", "l@example.net")).await, ("pending".into(), "3 links (more than 2)".into()));
        app.set("moderation_keys", "bitcoin").await;
        assert_eq!(post(base("Buy BITCOIN now", "k@example.net")).await, ("pending".into(), "moderation key: bitcoin".into()));
        app.set("disallowed_keys", "spammer@example.net\n198.51.100.99").await;
        assert_eq!(post(base("Hello there", "spammer@example.net")).await, ("spam".into(), "disallowed key: spammer@example.net".into()));
        let mut bot = base("Totally human", "bot@example.net");
        bot.push(("newsroom_hp", "http://bot.example".to_string()));
        assert_eq!(post(bot).await, ("spam".into(), "honeypot field filled in".into()));
        app.set("comment_moderation", "1").await;
        assert_eq!(post(base("Plain and polite", "m@example.net")).await, ("pending".into(), "manual moderation is on".into()));
        let html = app.page(&path).await;
        for hidden in ["three links", "BITCOIN", "Hello there", "Totally human", "Plain and polite"] {
            assert!(!html.contains(hidden), "{hidden} is not public");
        }
    }

    async fn duplicates_floods_and_bad_tokens_are_refused_and_keep_the_text(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let form = app.open_form(&path).await;
        assert_eq!(app.send_comment(&form, "192.0.2.1", &READER, None).await.status().as_u16(), 303);

        let replay = app.send_comment(&form, "192.0.2.2", &[("author", "R"), ("email", "r@example.net"), ("comment", "Replayed form")], None).await;
        assert_eq!(replay.status().as_u16(), 422);
        let html = replay.text().await.expect("body");
        assert!(html.contains("already sent") && html.contains("Replayed form"));

        let dup = app.send_comment(&app.open_form(&path).await, "192.0.2.3", &READER, None).await;
        assert_eq!(dup.status().as_u16(), 409);
        assert!(dup.text().await.expect("body").contains("A thoughtful comment about the talks."));

        let flood_text = [("author", "Fast"), ("email", "fast@example.net"), ("comment", "Second one too soon")];
        let flood = app.send_comment(&app.open_form(&path).await, "192.0.2.1", &flood_text, None).await;
        assert_eq!(flood.status().as_u16(), 429);
        assert!(flood.text().await.expect("body").contains("Second one too soon"));

        let forged = app.send_comment(&app.open_form(&path).await, "192.0.2.4", &[("newsroom_token", "123-1-00.deadbeef"), ("author", "F"), ("email", "f@example.net"), ("comment", "Forged form text")], None).await;
        assert_eq!(forged.status().as_u16(), 422);
        let html = forged.text().await.expect("body");
        assert!(html.contains("could not be verified") && html.contains("Forged form text"));
        let fresh = attrs(&html, "input[name=newsroom_token]", "value")[0].clone();
        assert_ne!(fresh, "123-1-00.deadbeef", "a refused token is replaced so the reader can resend");

        let missing = app.send_comment(&app.open_form(&path).await, "192.0.2.5", &[("newsroom_token", ""), ("author", "M"), ("email", "m@example.net"), ("comment", "No token")], None).await;
        assert_eq!(missing.status().as_u16(), 422);

        // A token made for another article does not carry over.
        let other = app.page("/").await;
        let second = attrs(&other, ".card-title a", "href")[1].clone();
        let other_form = app.open_form(&second).await;
        let mut wrong = app.open_form(&path).await;
        wrong.token = other_form.token;
        let r = app.send_comment(&wrong, "192.0.2.6", &[("author", "W"), ("email", "w@example.net"), ("comment", "Wrong article")], None).await;
        assert_eq!(r.status().as_u16(), 422);

        app.set("comment_min_seconds", "3").await;
        let quick = app.send_comment(&app.open_form(&path).await, "192.0.2.7", &[("author", "Q"), ("email", "q@example.net"), ("comment", "Too quick")], None).await;
        assert_eq!(quick.status().as_u16(), 422);
        assert!(quick.text().await.expect("body").contains("quicker than a person"));
    }

    async fn a_spoofed_forwarded_header_does_not_dodge_flood_control(app) {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let first = app.send_comment(&app.open_form(&path).await, "192.0.2.50", &READER, None).await;
        assert_eq!(first.status().as_u16(), 303);
        let stored = comment::get(app.state.db(), comment_id(&first)).await.expect("get").expect("row");
        assert_eq!(stored.author_ip, "127.0.0.1", "an untrusted peer's header is ignored");
        let second = app.send_comment(&app.open_form(&path).await, "192.0.2.51", &[("author", "B"), ("email", "b@example.net"), ("comment", "Other text")], None).await;
        assert_eq!(second.status().as_u16(), 429);
    }

    async fn replies_thread_under_their_parent_within_the_depth_limit(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        app.set("thread_comments_depth", "3").await;
        let path = app.first_article().await;
        let mut parent = "0".to_string();
        let mut ids = Vec::new();
        for depth in 1..=3 {
            let form = app.open_form(&path).await;
            let text = format!("Reply at depth {depth}");
            let r = app.send_comment(&form, &format!("192.0.2.{}", 60 + depth), &[("author", "T"), ("email", "t@example.net"), ("comment", &text), ("comment_parent", &parent)], None).await;
            assert_eq!(r.status().as_u16(), 303, "depth {depth}");
            let id = comment_id(&r);
            ids.push(id);
            parent = id.to_string();
        }
        let html = app.page(&path).await;
        let nested = format!("#comment-{} > .children > #comment-{} > .children > #comment-{}", ids[0], ids[1], ids[2]);
        assert_eq!(texts(&html, &format!("{nested} > .comment-body .comment-content")), vec!["Reply at depth 3"]);
        assert!(attrs(&html, &format!("#comment-{} > .comment-body .comment-reply-link", ids[2]), "href").is_empty(), "no reply link at max depth");
        let reply_link = attrs(&html, &format!("#comment-{} > .comment-body .comment-reply-link", ids[0]), "href")[0].clone();
        let reply_page = app.page(&format!("{path}{reply_link}").replace("#respond", "")).await;
        assert_eq!(attrs(&reply_page, "#comment_parent", "value"), vec![ids[0].to_string()], "?replytocom fills the parent");

        let too_deep = app.send_comment(&app.open_form(&path).await, "192.0.2.70", &[("author", "T"), ("email", "t@example.net"), ("comment", "Too deep"), ("comment_parent", &ids[2].to_string())], None).await;
        assert_eq!(too_deep.status().as_u16(), 422);
        assert!(too_deep.text().await.expect("body").contains("Too deep"));

        // Replying across articles, or to a comment that is not published, is refused.
        let home = app.page("/").await;
        let other = attrs(&home, ".card-title a", "href")[1].clone();
        let cross = app.send_comment(&app.open_form(&other).await, "192.0.2.71", &[("author", "T"), ("email", "t@example.net"), ("comment", "Cross reply"), ("comment_parent", &ids[0].to_string())], None).await;
        assert_eq!(cross.status().as_u16(), 422);
        assert!(cross.text().await.expect("body").contains("belongs to another article"));
        assert!(moderate_comment(app.state.db(), &newsroom::actions::capability::Actor::operator(), ids[1], Moderation::Unapprove).await.expect("unapprove"));
        let to_pending = app.send_comment(&app.open_form(&path).await, "192.0.2.72", &[("author", "T"), ("email", "t@example.net"), ("comment", "To pending"), ("comment_parent", &ids[1].to_string())], None).await;
        assert_eq!(to_pending.status().as_u16(), 422);
    }

    async fn closed_articles_refuse_comments_clearly_and_keep_the_text(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let form = app.open_form(&path).await;
        app.set("close_comments_days", "1").await;
        let html = app.page(&path).await;
        assert!(attrs(&html, "form#commentform", "action").is_empty(), "no form on a closed article");
        assert!(texts(&html, ".no-comments")[0].contains("closed"));
        let r = app.send_comment(&form, "192.0.2.80", &[("author", "Late"), ("email", "late@example.net"), ("comment", "Late words kept")], None).await;
        assert_eq!(r.status().as_u16(), 403);
        let html = r.text().await.expect("body");
        assert!(html.contains("comments are closed") && texts(&html, "textarea#comment") == vec!["Late words kept"]);
    }

    async fn xss_payloads_in_comments_are_inert(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "<a href=\"javascript:alert(1)\">click</a>",
            "<a href=\"jAvAsCrIpT:alert(1)\">click2</a>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<body onload=alert(1)>",
            "<b onmouseover=alert(1)>bold</b>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<<SCRIPT>alert(1);//<</SCRIPT>",
            "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
            "<a href=\"https://ok.example\" onclick=\"alert(1)\">ok link</a>",
            "\"><script>alert(1)</script>",
            "<math><mi xlink:href=\"javascript:alert(1)\">m</mi></math>",
        ];
        for (i, payload) in payloads.iter().enumerate() {
            let form = app.open_form(&path).await;
            let author = format!("<script>alert({i})</script>");
            let r = app.send_comment(&form, &format!("192.0.2.{}", 100 + i), &[("author", &author), ("email", &format!("x{i}@example.net")), ("comment", payload)], None).await;
            assert_eq!(r.status().as_u16(), 303, "payload {i}");
        }
        let html = app.page(&path).await;
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse(".comment-content, .comment-author").expect("selector");
        let comments: String = doc.select(&sel).map(|e| e.inner_html()).collect::<Vec<_>>().join("\n");
        assert!(comments.matches("alert(").count() >= payloads.len(), "the payloads are there, as text");
        for bad in ["<script", "onerror", "onload", "onmouseover", "onclick", "javascript:", "<iframe", "<svg", "style=", "<img", "xlink:href", "<math"] {
            assert!(!comments.to_lowercase().contains(&bad.to_lowercase()), "{bad} survived in comments: {comments}");
        }
        assert!(comments.contains("&lt;script&gt;alert(0)&lt;/script&gt;"), "names are escaped text");
        assert!(comments.contains("<a href=\"https://ok.example\" rel=\"nofollow ugc\">ok link</a>"), "{comments}");
        assert!(comments.contains("<b>bold</b>"));
    }

    async fn comment_emails_and_ips_never_reach_a_public_response(app) where trust_loopback; {
        app.seed_demo().await;
        app.set("comment_min_seconds", "0").await;
        let path = app.first_article().await;
        let approved = app.send_comment(&app.open_form(&path).await, "203.0.113.201", &[("author", "Approved A"), ("email", "approved.secret@example.net"), ("comment", "Published text")], None).await;
        moderate_comment(app.state.db(), &newsroom::actions::capability::Actor::operator(), comment_id(&approved), Moderation::Approve).await.expect("approve");
        let held = app.send_comment(&app.open_form(&path).await, "203.0.113.202", &[("author", "Held H"), ("email", "held.secret@example.net"), ("comment", "Held text")], None).await;
        let held_cookie = cookies_of(&held);
        let pages = crate::privacy::crawl(&app, 200).await;
        assert!(pages.iter().any(|(_, b)| b.contains("Published text")));
        let mine = app.client.get(app.url(&path)).header("cookie", held_cookie).send().await.expect("get").text().await.expect("body");
        for (where_, body) in pages.iter().map(|(p, b)| (p.as_str(), b.as_str())).chain([("held view", mine.as_str())]) {
            for secret in ["approved.secret@example.net", "held.secret@example.net", "203.0.113.201", "203.0.113.202"] {
                assert!(!body.contains(secret), "{secret} leaked on {where_}");
            }
        }
        assert!(mine.contains("Held text"), "the commenter sees their own held comment");
    }

    async fn consenting_readers_are_remembered_and_others_forgotten(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let mut fields = READER.to_vec();
        fields.push(("wp-comment-cookies-consent", "yes"));
        let r = app.send_comment(&app.open_form(&path).await, "192.0.2.150", &fields, None).await;
        assert_eq!(r.status().as_u16(), 303);
        let set: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().expect("ascii").to_string()).collect();
        assert!(set.iter().all(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax")));
        let cookie = cookies_of(&r);
        let prefilled = app.client.get(app.url(&path)).header("cookie", &cookie).send().await.expect("get");
        assert_eq!(prefilled.headers()["cache-control"], "private, no-store", "a page with the reader's email is never shared-cached");
        let html = prefilled.text().await.expect("body");
        assert_eq!(attrs(&html, "#author", "value"), vec!["Reader One"]);
        assert_eq!(attrs(&html, "#email", "value"), vec!["reader.one@example.net"]);
        assert_eq!(attrs(&html, "#url", "value"), vec!["https://reader.example"]);
        assert_eq!(attrs(&html, "#wp-comment-cookies-consent", "checked").len(), 1);
        assert!(attrs(&app.page(&path).await, "#author", "value") == vec![String::new()], "nobody else is pre-filled");

        let later = [("author", "Reader One"), ("email", "reader.one@example.net"), ("comment", "No consent this time")];
        let r = app.send_comment(&app.open_form(&path).await, "192.0.2.151", &later, Some(&cookie)).await;
        let cleared: Vec<String> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().expect("ascii").to_string()).collect();
        assert!(cleared.iter().filter(|c| c.starts_with("comment_author")).all(|c| c.contains("Max-Age=0")) && cleared.len() >= 3);
    }

    async fn many_comments_paginate_at_the_configured_size(app) where trust_loopback; {
        app.seed_demo().await;
        app.relax_comment_rules().await;
        app.set("comments_per_page", "2").await;
        let path = app.first_article().await;
        let r = app.send_comment(&app.open_form(&path).await, "192.0.2.160", &READER, None).await;
        assert_eq!(r.status().as_u16(), 303);
        let html = app.page(&path).await;
        assert_eq!(texts(&html, ".comment-list > li").len(), 2, "two threads a page");
        let next = attrs(&html, ".comments-pagination a[rel=next]", "href")[0].clone();
        assert_eq!(next, format!("{path}comment-page-2/#comments"));
        let page2 = app.page(&format!("{path}comment-page-2/")).await;
        assert_eq!(texts(&page2, ".comment-list > li .comment-author"), vec!["Reader One"]);
        assert_eq!(texts(&page2, "#comments-title"), vec!["4 Comments"]);
        assert_eq!(app.get(&format!("{path}comment-page-3/")).await.0, 404);
        // A fourth thread fills page 2 (two threads a page), and the redirect goes to that page.
        let reply = [("author", "Page Two"), ("email", "p2@example.net"), ("comment", "Lands on page two")];
        let r = app.send_comment(&app.open_form(&path).await, "192.0.2.161", &reply, None).await;
        let id = comment_id(&r);
        let location = r.headers()["location"].to_str().expect("ascii").to_string();
        assert!(location.ends_with(&format!("/comment-page-2/#comment-{id}")), "{location}");
        let page2 = app.page(&format!("{path}comment-page-2/")).await;
        assert_eq!(texts(&page2, &format!("#comment-{id} .comment-author")), vec!["Page Two"]);
        assert_eq!(app.redirect(&format!("{path}comment-page-1/")).await, (301, path.clone()));
    }

    async fn bad_requests_to_the_comment_endpoint_get_clear_errors(app) {
        app.seed_demo().await;
        let r = app.client.post(app.url("/wp-comments-post.php")).form(&[("comment_post_ID", "99999"), ("comment", "x")]).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 404);
        assert!(r.text().await.expect("body").contains("Sorry, we can’t find that page"));
        let r = app.client.post(app.url("/wp-comments-post.php")).header("content-type", "application/json").body("{}").send().await.expect("post");
        assert_eq!(r.status().as_u16(), 400);
        let r = app.client.post(app.url("/wp-comments-post.php")).form(&[("comment_post_ID", "abc")]).send().await.expect("post");
        assert_eq!(r.status().as_u16(), 404);
    }
}

both_backends! {
    async fn an_article_with_comments_switched_off_refuses_them(app) where trust_loopback; {
        app.relax_comment_rules().await;
        let author = app.author("ann", "Ann").await;
        let mut d = crate::support::draft("No comments here", author);
        d.comments_open = false;
        app.publish(&d).await;
        let path = app.first_article().await;
        let html = app.page(&path).await;
        assert!(attrs(&html, "form#commentform", "action").is_empty());
        assert_eq!(texts(&html, ".no-comments"), vec!["Comments are closed."]);
        let post_id = attrs(&html, "article.article", "id")[0].trim_start_matches("post-").to_string();
        let form = crate::support::comments::OpenForm { path: path.clone(), post_id, token: String::new() };
        let r = app.send_comment(&form, "192.0.2.200", &READER, None).await;
        assert_eq!(r.status().as_u16(), 403);
        assert!(r.text().await.expect("body").contains("A thoughtful comment about the talks."));
    }
}

both_backends! {
    async fn comments_sent_together_are_each_stored_once_and_acknowledged_after_commit(app) where trust_loopback; {
        // Comments arriving together share one transaction (group commit): every acknowledged
        // one is stored, a replayed form among them is refused alone.
        app.seed_demo().await;
        app.relax_comment_rules().await;
        let path = app.first_article().await;
        let total = || async { comment::counts(app.state.db()).await.expect("count").iter().map(|(_, n)| n).sum::<i64>() };
        let before = total().await;
        let mut forms = Vec::new();
        for _ in 0..40 {
            forms.push(app.open_form(&path).await);
        }
        let mut sends = tokio::task::JoinSet::new();
        for (i, form) in forms.iter().chain(std::iter::once(&forms[0])).enumerate() {
            let client = app.client.clone();
            let url = app.url("/wp-comments-post.php");
            let fields = vec![
                ("comment_post_ID".to_string(), form.post_id.clone()),
                ("newsroom_token".to_string(), form.token.clone()),
                ("comment_parent".to_string(), "0".to_string()),
                ("author".to_string(), format!("Reader {i}")),
                ("email".to_string(), format!("reader{i}@example.net")),
                ("comment".to_string(), format!("Comment number {i} about the talks.")),
            ];
            sends.spawn(async move {
                let r = client.post(url).form(&fields).header("x-forwarded-for", format!("198.51.100.{}", i + 1)).send().await.expect("post");
                r.status().as_u16()
            });
        }
        let statuses: Vec<u16> = sends.join_all().await;
        let acknowledged = statuses.iter().filter(|s| **s == 303).count();
        assert_eq!(acknowledged, 40, "{statuses:?}");
        assert_eq!(statuses.len() - acknowledged, 1, "the replayed form is refused: {statuses:?}");
        let after = total().await;
        assert_eq!(after - before, 40, "every acknowledged comment is stored, once");
    }

    async fn a_comment_that_cannot_be_stored_fails_alone_in_its_batch(app) {
        let author = app.author("ann", "Ann").await;
        let post = app.publish(&crate::support::draft("Talks resume", author)).await;
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..30i64 {
            let db = app.state.db().clone();
            writes.spawn(async move {
                // Number 13 names an article that does not exist: its insert breaks its batch.
                let target = if i == 13 { 9_999_999 } else { post };
                let new = comment::NewComment {
                    post_id: target,
                    author_name: format!("Reader {i}"),
                    author_email: format!("r{i}@example.net"),
                    content: format!("Comment {i}"),
                    status: comment::status::APPROVED.into(),
                    ..Default::default()
                };
                (i, comment::insert_once(&db, &new, Some(&format!("token-{i}"))).await)
            });
        }
        for (i, result) in writes.join_all().await {
            if i == 13 {
                assert!(result.is_err(), "a comment on a missing article is an error");
            } else {
                assert!(matches!(result, Ok(Some(_))), "comment {i}: {result:?}");
            }
        }
        assert_eq!(comment::approved_for_post(app.state.db(), post).await.expect("read").len(), 29);
    }

    async fn a_batch_gives_each_comment_its_own_id_and_spends_each_token_once(app) {
        let author = app.author("ann", "Ann").await;
        let post = app.publish(&crate::support::draft("Talks resume", author)).await;
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..40i64 {
            let db = app.state.db().clone();
            writes.spawn(async move {
                // Twenty forms sent twice each (ten tokens), then twenty comments with no token.
                let token = (i < 20).then(|| format!("twice-{}", i % 10));
                let new = comment::NewComment {
                    post_id: post,
                    author_name: format!("Reader {i}"),
                    content: format!("Comment {i}"),
                    status: if i % 2 == 0 { comment::status::APPROVED } else { comment::status::PENDING }.into(),
                    ..Default::default()
                };
                (i, comment::insert_once(&db, &new, token.as_deref()).await.expect("write"))
            });
        }
        let results = writes.join_all().await;
        let stored: Vec<(i64, i64)> = results.iter().filter_map(|(i, id)| id.map(|id| (*i, id))).collect();
        assert_eq!(stored.len(), 30, "each token once, and every comment without one: {results:?}");
        for token in 0..10 {
            let kept = stored.iter().filter(|(i, _)| *i < 20 && i % 10 == token).count();
            assert_eq!(kept, 1, "token twice-{token}");
        }
        let mut ids: Vec<i64> = stored.iter().map(|(_, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 30, "distinct ids");
        for (i, id) in stored {
            let c = comment::get(app.state.db(), id).await.expect("read").expect("stored");
            assert_eq!(c.content, format!("Comment {i}"), "the id answered is the comment's own");
            assert_eq!(c.status, if i % 2 == 0 { comment::status::APPROVED } else { comment::status::PENDING });
        }
    }
    async fn histories_read_together_each_answer_their_own_comment(app) {
        // On PostgreSQL the histories of comments arriving together are one statement: each
        // comment must get its own answer back, not a neighbour's.
        let author = app.author("ann", "Ann").await;
        let post = app.publish(&crate::support::draft("Talks resume", author)).await;
        let known = comment::NewComment {
            post_id: post,
            author_name: "Known".into(),
            author_email: "known@example.net".into(),
            author_ip: "203.0.113.9".into(),
            content: "Said before.".into(),
            status: comment::status::APPROVED.into(),
            ..Default::default()
        };
        comment::insert(app.state.db(), &known).await.expect("insert");
        let mut reads = tokio::task::JoinSet::new();
        for i in 0..60 {
            let db = app.state.db().clone();
            reads.spawn(async move {
                let email = if i % 3 == 0 { "known@example.net".to_string() } else { format!("new{i}@example.net") };
                let content = if i % 5 == 0 { "Said before.".to_string() } else { format!("Text {i}") };
                let ip = if i % 2 == 0 { "203.0.113.9".to_string() } else { format!("198.51.100.{i}") };
                (i, comment::history(&db, post, &email, &content, &ip).await.expect("history"))
            });
        }
        for (i, history) in reads.join_all().await {
            assert_eq!(history.duplicate, i % 15 == 0, "comment {i}: {history:?}");
            assert_eq!(history.last_from_ip.is_some(), i % 2 == 0, "comment {i}: {history:?}");
            assert_eq!(history.approved_before, i % 3 == 0, "comment {i}: {history:?}");
        }
    }
}
