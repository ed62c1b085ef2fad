//! Pictures: every format accepted or refused by its bytes, metadata and GPS stripped, turned
//! upright, bombs and oversized files refused with nothing left behind, one file per picture,
//! responsive markup on the site, the alt-text rule, permissions per role and delete-while-used.

use newsroom::db::article as articles;
use newsroom::db::media;

use crate::both_backends;
use crate::support::admin::post_id;
use crate::support::pictures::{self, has_exif, has_gps};
use crate::support::{TestApp, attrs, texts};

/// Every file under the data folder's media store.
fn stored_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let root = app.data_dir().join("media");
    let mut out = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(&root) {
        for dir in dirs.flatten() {
            for f in std::fs::read_dir(dir.path()).expect("dir").flatten() {
                out.push(f.path());
            }
        }
    }
    out.sort();
    out
}

/// The bytes of each stored file of a picture (original and every size).
async fn files_of(app: &TestApp, id: i64) -> Vec<(String, Vec<u8>)> {
    let m = media::get(app.state.db(), id)
        .await
        .expect("db")
        .expect("media");
    let mut keys = vec![m.original_key.clone()];
    keys.extend(m.variants.0.iter().map(|v| v.key.clone()));
    let mut out = Vec::new();
    for key in keys {
        let bytes = app
            .state
            .media()
            .read(&key)
            .await
            .expect("read")
            .expect("file");
        out.push((key, bytes));
    }
    out
}

both_backends! {
    async fn pictures_are_known_by_their_bytes_not_their_names(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        for (name, bytes, format) in [
            ("holiday.png", pictures::jpeg(900, 600), "jpeg"),
            ("logo.jpg", pictures::png_with_alpha(400, 200), "png"),
            ("still.gif", pictures::gif(300, 200), "gif"),
            ("modern.bin", pictures::webp(500, 300), "webp"),
        ] {
            let id = ed.upload_picture(name, bytes, "A test picture").await;
            let m = media::get(app.state.db(), id).await.expect("db").expect("row");
            assert_eq!(m.source_format, format, "{name}");
        }
        let transparent = media::by_ids(app.state.db(), &[2]).await.expect("db");
        assert!(transparent[0].variants.0.iter().any(|v| v.key.ends_with(".png")), "transparency keeps a PNG fallback");
        assert!(transparent[0].variants.0.iter().any(|v| v.key.ends_with(".webp")));
        for (name, bytes, says) in [
            ("drawing.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(), "SVG files are not taken"),
            ("phone.avif", b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec(), "AVIF files are not taken"),
            ("photo.jpg", b"this is not a picture at all".to_vec(), "not a picture"),
            ("torn.jpg", pictures::jpeg(200, 200)[..300].to_vec(), "could not be read"),
        ] {
            let r = ed.upload("/admin/api/media", &[(name, bytes)], &[]).await;
            assert_eq!(r.status().as_u16(), 422, "{name}");
            let json: serde_json::Value = r.json().await.expect("json");
            assert!(json["refused"][0]["message"].as_str().expect("message").contains(says), "{name}: {json}");
        }
        assert_eq!(media::list(app.state.db(), &Default::default()).await.expect("db").1, 4);
    }

    async fn location_and_camera_data_are_stripped_and_pictures_turned_upright(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        // Stored 64 wide and 32 tall, to be viewed turned a quarter clockwise.
        let upload = pictures::jpeg_with_exif(64, 32, 6);
        assert!(has_exif(&upload) && has_gps(&upload), "the test file does carry a position");
        let id = ed.upload_picture("from-the-phone.jpg", upload, "A phone photo").await;
        let m = media::get(app.state.db(), id).await.expect("db").expect("row");
        assert_eq!((m.width, m.height), (32, 64), "turned upright");
        for (key, bytes) in files_of(&app, id).await {
            assert!(!has_exif(&bytes), "{key} carries no EXIF at all");
            assert!(!has_gps(&bytes), "{key} carries no position");
            let img = image::load_from_memory(&bytes).expect("decodes");
            assert!(img.height() > img.width(), "{key} is upright");
        }
    }

    async fn bombs_and_oversized_files_are_refused_and_leave_nothing_behind(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let bomb = pictures::png_bomb(60_000, 60_000);
        assert!(bomb.len() < 200, "a tiny file");
        let r = ed.upload("/admin/api/media", &[("bomb.png", bomb)], &[]).await;
        assert_eq!(r.status().as_u16(), 422);
        let json: serde_json::Value = r.json().await.expect("json");
        assert!(json["refused"][0]["message"].as_str().expect("message").contains("60000 × 60000 pixels"), "{json}");
        app.set("media_max_mb", "1").await;
        let big = pictures::noisy_jpeg(1600, 1200);
        assert!(big.len() > 1024 * 1024, "over a megabyte: {}", big.len());
        let r = ed.upload("/admin/media", &[("big.jpg", big)], &[]).await;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await.expect("body");
        assert!(html.contains("Pictures can be at most 1 MB"), "{html}");
        assert!(stored_files(&app).is_empty(), "nothing half-written");
        assert_eq!(media::list(app.state.db(), &Default::default()).await.expect("db").1, 0);
    }

    async fn the_same_picture_is_stored_once_and_served_for_a_year(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let photo = pictures::jpeg(1800, 1200);
        let first = ed.upload_picture("harbour.jpg", photo.clone(), "The harbour").await;
        let files = stored_files(&app);
        assert_eq!(files.len(), 1 + 8, "an original and four sizes in two formats");
        let again = ed.upload_picture("harbour-copy.jpg", photo, "").await;
        assert_eq!(first, again, "one picture");
        assert_eq!(stored_files(&app), files, "no new files");
        let m = media::get(app.state.db(), first).await.expect("db").expect("row");
        let widths: Vec<u32> = m.variants.0.iter().map(|v| v.width).collect();
        assert_eq!(widths, vec![320, 320, 640, 640, 1024, 1024, 1600, 1600], "never upscaled, never wider than 1600");
        let webp = m.variants.0.iter().find(|v| v.key.ends_with(".webp")).expect("webp");
        let r = app.client.get(app.url(&format!("/media/{}", webp.key))).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/webp");
        assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
        let etag = r.headers()["etag"].to_str().expect("ascii").to_string();
        let again = app.client.get(app.url(&format!("/media/{}", webp.key))).header("if-none-match", &etag).send().await.expect("get");
        assert_eq!(again.status().as_u16(), 304);
        // A double click sends one file twice at once: one picture, every file of it still there.
        let photo = pictures::jpeg(1300, 900);
        let (first, second) = ([("twice.jpg", photo.clone())], [("twice.jpg", photo)]);
        let (a, b) = tokio::join!(
            ed.upload("/admin/api/media", &first, &[]),
            ed.upload("/admin/api/media", &second, &[]),
        );
        let id_of = |v: serde_json::Value| v["items"][0]["id"].as_i64().expect("id");
        let (a, b) = (id_of(a.json().await.expect("json")), id_of(b.json().await.expect("json")));
        assert_eq!(a, b, "one picture");
        assert_eq!(files_of(&app, a).await.len(), 9, "every file of it is there");
        assert_eq!(app.get("/media/..%2F..%2Fnewsroom.db").await.0, 404);
        assert_eq!(app.get(&format!("/media/{}.svg", "a".repeat(64))).await.0, 404);
    }

    async fn articles_show_responsive_pictures_with_caption_and_credit(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let id = ed.upload_picture("harbour.jpg", pictures::jpeg(1800, 1200), "Fishing boats at the harbour wall").await;
        let inline = ed.upload_picture("crowd.jpg", pictures::jpeg(800, 600), "").await;
        ed.post_ok(&format!("/admin/media/{id}"), &[("title", "Harbour"), ("alt", "Fishing boats at the harbour wall"),
            ("caption", "The harbour at dawn."), ("credit", "Photo: Ann Lee / Agency")]).await;
        let body = format!("First paragraph.\n\n![A crowd waits at the quay](/media/{inline} \"Waiting for the ferry\")\n\nLast paragraph.");
        let location = ed.post_ok("/admin/posts/new", &[("kind", "post"), ("title", "Harbour reopens"), ("body", &body),
            ("featured_media", &id.to_string()), ("do", "publish")]).await;
        let post = post_id(&location);
        let a = articles::get(app.state.db(), post).await.expect("db").expect("row");
        let path = newsroom::http::site::gather::article_path(&app.state, &app.state.site(), &a).await.expect("path");
        let page = app.page(&path).await;
        let webp = attrs(&page, ".featured source[type='image/webp']", "srcset");
        assert!(webp[0].contains(" 320w") && webp[0].contains(" 1600w"), "{webp:?}");
        assert_eq!(attrs(&page, ".featured img", "width"), vec!["1800"]);
        assert_eq!(attrs(&page, ".featured img", "height"), vec!["1200"]);
        assert_eq!(attrs(&page, ".featured img", "alt"), vec!["Fishing boats at the harbour wall"]);
        assert_eq!(texts(&page, ".featured figcaption"), vec!["The harbour at dawn. Photo: Ann Lee / Agency"]);
        assert_eq!(attrs(&page, ".article-body .media-figure img", "alt"), vec!["A crowd waits at the quay"]);
        assert_eq!(texts(&page, ".article-body .media-figure figcaption"), vec!["Waiting for the ferry"]);
        assert!(!attrs(&page, ".article-body .media-figure source", "srcset")[0].is_empty());
        let home = app.page("/").await;
        assert!(attrs(&home, ".card img.card-image", "srcset")[0].contains("320w"), "cards use the sizes too");
        // A changed caption shows at once in the article that places the picture.
        ed.post_ok(&format!("/admin/media/{inline}"), &[("title", "Crowd"), ("alt", ""), ("caption", "Queue at the quay."), ("credit", "Photo: Bo")]).await;
        let page = app.page(&path).await;
        assert_eq!(texts(&page, ".article-body .media-figure figcaption"), vec!["Waiting for the ferry Photo: Bo"]);
        let uses = media::uses(app.state.db(), inline).await.expect("db");
        assert_eq!(uses.iter().map(|u| u.post_id).collect::<Vec<_>>(), vec![post], "where it is used");
    }

    async fn an_article_cannot_go_out_with_an_undescribed_picture(app) {
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let bare = ed.upload_picture("dsc_0042.jpg", pictures::jpeg(640, 480), "").await;
        let bare_s = bare.to_string();
        let r = ed.post("/admin/posts/new", &[("kind", "post"), ("title", "Storm"), ("body", "Text."), ("featured_media", &bare_s), ("do", "publish")]).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.expect("body").contains("Describe “dsc 0042”"), "the picture is named");
        let body = format!("![](/media/{bare})");
        let r = ed.post("/admin/posts/new", &[("kind", "post"), ("title", "Storm"), ("body", &body), ("do", "publish")]).await;
        assert_eq!(r.status().as_u16(), 422, "a picture in the text needs a description too");
        let described_here = format!("![Waves over the sea wall](/media/{bare})");
        ed.post_ok("/admin/posts/new", &[("kind", "post"), ("title", "Storm"), ("body", &described_here), ("do", "publish")]).await;
        let draft = ed.post_ok("/admin/posts/new", &[("kind", "post"), ("title", "Storm draft"), ("body", "Text."), ("featured_media", &bare_s), ("do", "save")]).await;
        let id = post_id(&draft).to_string();
        let r = ed.post("/admin/posts/bulk", &[("action", "publish"), ("post", &id)]).await;
        assert_eq!(r.status().as_u16(), 422, "the bulk action follows the same rule");
    }

    async fn contributors_and_authors_use_their_own_pictures_and_editors_all(app) {
        let con = app.signed_in_as("con@example.org", "contributor").await;
        let au = app.signed_in_as("au@example.org", "author").await;
        let ed = app.signed_in_as("ed@example.org", "editor").await;
        let con_pic = con.upload_picture("con.jpg", pictures::jpeg(400, 300), "A contributor's picture").await;
        let au_pic = au.upload_picture("au.jpg", pictures::jpeg_with_exif(400, 300, 1), "An author's picture").await;
        let listed: Vec<serde_json::Value> = con.client.get(con.url("/admin/api/media")).send().await.expect("get").json().await.expect("json");
        assert_eq!(listed.iter().map(|m| m["id"].as_i64().expect("id")).collect::<Vec<_>>(), vec![con_pic], "their own only");
        assert_eq!(con.get(&format!("/admin/media/{au_pic}")).await.0, 403);
        assert_eq!(au.post(&format!("/admin/media/{con_pic}"), &[("title", "Mine now")]).await.status().as_u16(), 403);
        let r = con.post("/admin/posts/new", &[("kind", "post"), ("title", "Using theirs"), ("body", "x"), ("featured_media", &au_pic.to_string()), ("do", "submit")]).await;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await.expect("body").contains("is someone else"));
        let location = con.post_ok("/admin/posts/new", &[("kind", "post"), ("title", "Using mine"), ("body", "x"), ("featured_media", &con_pic.to_string()), ("do", "submit")]).await;
        assert!(location.contains("done=submitted"));
        assert_eq!(ed.get(&format!("/admin/media/{au_pic}")).await.0, 200, "editors see every picture");
        // In use: deleting is refused with the articles named, unless an editor insists.
        let r = con.post(&format!("/admin/media/{con_pic}/delete"), &[]).await;
        assert_eq!(r.status().as_u16(), 409);
        assert!(texts(&r.text().await.expect("body"), "#uses-title + ul li a").contains(&"Using mine".to_string()));
        let r = con.post(&format!("/admin/media/{con_pic}/delete"), &[("force", "1")]).await;
        assert_eq!(r.status().as_u16(), 409, "only an editor may insist");
        // The author's picture is the contributor's photo re-exported with its metadata: another
        // upload, the same pixels, so the same files, named by their content and kept for it.
        let own: Vec<_> = files_of(&app, con_pic).await.into_iter().map(|(k, _)| k).collect();
        let mut kept: Vec<_> = files_of(&app, au_pic).await.into_iter().map(|(k, _)| k).collect();
        kept.sort();
        kept.dedup();
        assert!(own.iter().all(|k| kept.contains(k)), "the test does share its files");
        ed.post_ok(&format!("/admin/media/{con_pic}/delete"), &[("force", "1")]).await;
        assert!(media::get(app.state.db(), con_pic).await.expect("db").is_none());
        let names = |app: &TestApp| -> Vec<String> {
            stored_files(app).iter().map(|p| p.file_name().expect("name").to_string_lossy().into_owned()).collect()
        };
        assert_eq!(names(&app), kept, "what the other picture names stays");
        let post = post_id(&location);
        assert_eq!(articles::get(app.state.db(), post).await.expect("db").expect("row").featured_media_id, None);
        au.post_ok(&format!("/admin/media/{au_pic}/delete"), &[]).await;
        assert!(names(&app).is_empty(), "the last picture naming them takes its files along");
        assert_eq!(con.upload("/admin/api/media", &[("x.jpg", pictures::jpeg(10, 10))], &[]).await.status().as_u16(), 200);
        let sub = app.signed_in_as("sub@example.org", "subscriber").await;
        assert_eq!(sub.upload("/admin/api/media", &[("x.jpg", pictures::jpeg(12, 12))], &[]).await.status().as_u16(), 403);
    }
}
