//! Every page type passes the Nu HTML checker (vnu.jar from npm's vnu-jar, run with the machine's Java).

use std::path::Path;
use std::process::Command;

use crate::support::{Backend, TestApp, attrs};

fn checker() -> Option<std::path::PathBuf> {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if jar.exists() && java {
        return Some(jar);
    }
    let why = "the HTML check needs Java and vnu.jar (cd tests/browser && npm ci)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipping: {why}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_is_valid_html() {
    let Some(jar) = checker() else { return };
    let app = TestApp::start(Backend::Sqlite).await.expect("app");
    app.seed_demo().await;
    app.set("comment_min_seconds", "0").await;
    app.set("posts_per_page", "4").await;
    let home = app.page("/").await;
    let article = attrs(&home, ".card-title a", "href")[0].clone();
    let mut pages = vec![("home".to_string(), home)];
    for path in [
        article.as_str(),
        "/category/world/",
        "/category/world/europe/",
        "/tag/diplomacy/",
        "/author/olena-kovalenko/",
        "/about/",
        "/page/2/",
    ] {
        pages.push((path.to_string(), app.get(path).await.1));
    }
    let year = attrs(&pages[0].1, ".card time", "datetime")[0][..4].to_string();
    pages.push(("date".into(), app.page(&format!("/{year}/")).await));
    pages.push(("404".into(), app.get("/no-such-page/").await.1));
    let form = app.open_form(&article).await;
    let refused = app
        .send_comment(
            &form,
            "198.51.100.1",
            &[("author", ""), ("email", "bad"), ("comment", "kept")],
            None,
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    pages.push((
        "refused comment".into(),
        refused.text().await.expect("body"),
    ));

    let dir = app.data_dir().join("html");
    std::fs::create_dir_all(&dir).expect("dir");
    let mut files = Vec::new();
    for (i, (name, html)) in pages.iter().enumerate() {
        assert!(html.starts_with("<!DOCTYPE html>"), "{name} is a page");
        let file = dir.join(format!("{i}.html"));
        std::fs::write(&file, html).expect("write");
        files.push(file);
    }
    let out = tokio::task::spawn_blocking(move || {
        Command::new("java")
            .arg("-jar")
            .arg(jar)
            .arg("--errors-only")
            .args(&files)
            .output()
    })
    .await
    .expect("join")
    .expect("run vnu");
    let report =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.trim().is_empty(),
        "the Nu HTML checker found errors:\n{report}"
    );
}
