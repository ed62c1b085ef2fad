//! The article page holds everything the reference WordPress page does.

use crate::both_backends;
use crate::support::{attrs, texts};

both_backends! {
    async fn article_page_holds_headline_byline_body_source_terms_author_box_and_comments(app) {
        app.seed_demo().await;
        let home = app.page("/").await;
        let first = attrs(&home, ".card-title a", "href")[0].clone();
        assert!(first.starts_with("/20"), "default permalinks are dated: {first}");
        let html = app.page(&first).await;

        assert_eq!(texts(&html, "h1").len(), 1, "one h1");
        assert!(texts(&html, "h1")[0].starts_with("Ukrainian and Russian delegations"));
        assert_eq!(texts(&html, ".article-header .label"), vec!["Europe"]);
        let time = attrs(&html, ".byline time", "datetime");
        assert!(time[0].contains('T'), "machine-readable date: {time:?}");
        assert!(html.contains("min read"));
        assert!(texts(&html, ".byline .author").contains(&"Olena Kovalenko".to_string()));
        // Typographic quotes and dashes from smart punctuation, Cyrillic names intact.
        let body = texts(&html, ".article-body").join(" ");
        assert!(body.contains("“new and unacceptable demands,”"), "curly quotes");
        assert!(body.contains(" — "), "em dashes");
        assert!(body.contains("Рустем Умєров"));
        assert!(texts(&html, ".article-body p").len() >= 20, "twenty paragraphs");
        assert_eq!(texts(&html, ".source"), vec!["Source: BBC"]);
        assert_eq!(attrs(&html, ".source a", "href"), vec!["https://www.bbc.co.uk/news/world-europe"]);
        assert!(texts(&html, ".tags a").contains(&"Ukraine Russia conflict".to_string()));
        assert!(attrs(&html, ".tags a", "href")[0].starts_with("/tag/"));
        let about = texts(&html, ".author-box h2");
        assert!(about.iter().all(|h| h == "About The Author") && !about.is_empty());
        assert!(texts(&html, ".author-bio")[0].contains("Олена Коваленко"));
        assert_eq!(attrs(&html, ".author-box .author-name a", "href")[0], "/author/olena-kovalenko/");
        assert!(attrs(&html, ".author-box img", "src")[0].starts_with("/avatar/"));
        assert!(!texts(&html, ".related .card-title").is_empty(), "related articles");

        // Stored comments, threaded: the reply sits inside its parent's children list.
        assert_eq!(texts(&html, "#comments-title"), vec!["3 Comments"]);
        assert_eq!(texts(&html, ".comment-list > li").len(), 2, "two top-level threads");
        assert_eq!(texts(&html, ".comment-list > li > .children > li .comment-author"), vec!["Ганна Шевчук"]);
        assert!(attrs(&html, ".comment-list li", "id").iter().all(|id| id.starts_with("comment-")));
    }

    async fn comment_form_uses_wordpress_field_names_and_marks_required_fields(app) {
        app.seed_demo().await;
        let home = app.page("/").await;
        let html = app.page(&attrs(&home, ".card-title a", "href")[0]).await;
        assert_eq!(texts(&html, "#reply-title"), vec!["Leave a Reply"]);
        assert!(texts(&html, ".comment-notes")[0].contains("Your email address will not be published. Required fields are marked *"));
        assert_eq!(attrs(&html, "form#commentform", "action"), vec!["/wp-comments-post.php"]);
        assert_eq!(attrs(&html, "form#commentform", "method"), vec!["post"]);
        for name in ["author", "email", "url", "comment", "comment_post_ID", "comment_parent", "wp-comment-cookies-consent"] {
            assert_eq!(attrs(&html, &format!("form#commentform [name=\"{name}\"]"), "name").len(), 1, "field {name}");
        }
        for required in ["author", "email", "comment"] {
            let label = texts(&html, &format!("label[for=\"{required}\"]"));
            assert!(label[0].ends_with('*'), "{required} is marked required: {label:?}");
            assert_eq!(attrs(&html, &format!("#{required}"), "required").len(), 1);
        }
        assert!(texts(&html, "label[for=\"url\"]")[0] == "Website");
        assert!(html.contains("Save my name, email, and website in this browser for the next time I comment."));
    }

    async fn hostile_article_bodies_are_sanitized(app) {
        let author = app.author("eve", "Eve").await;
        let mut d = crate::support::draft("Hostile", author);
        d.body = "Fine text.\n\n<script>alert('x')</script><img src=x onerror=alert(1)><a href=\"javascript:alert(2)\">link</a>\
                  <iframe src=\"https://evil.example\"></iframe><p style=\"position:fixed\" onclick=\"steal()\">styled</p>".into();
        app.publish(&d).await;
        let home = app.page("/").await;
        let html = app.page(&attrs(&home, ".card-title a", "href")[0]).await;
        let body = html.split("class=\"article-body\"").nth(1).expect("body").split("</div>").next().expect("end");
        for bad in ["<script", "onerror", "javascript:", "<iframe", "onclick", "style="] {
            assert!(!body.contains(bad), "{bad} survived: {body}");
        }
        assert!(body.contains("Fine text.") && body.contains("styled"));
    }

    async fn static_pages_render_at_their_slug(app) {
        app.seed_demo().await;
        let html = app.page("/about/").await;
        assert_eq!(texts(&html, "h1"), vec!["About"]);
        assert!(html.contains("demonstration site"));
    }
}
