//! Structured data for search engines (schema.org JSON-LD): `NewsArticle` and its breadcrumbs on
//! an article, `WebSite` with a search box on the home page, `Person` on an author's page. Every
//! URL is absolute, built from the site's own address.

use serde_json::{Value, json};

use crate::render::Site;
use crate::render::views::{ArticleView, AuthorView, LinkView};

/// The publisher: the site, with its icon as logo.
fn publisher(site: &Site) -> Value {
    let base = &site.base_url;
    json!({
        "@type": "Organization",
        "@id": format!("{base}/#organization"),
        "name": site.settings.title,
        "url": format!("{base}/"),
        "logo": {
            "@type": "ImageObject",
            "url": format!("{base}/icon-512.png"),
            "width": 512,
            "height": 512,
        },
    })
}

fn person(site: &Site, a: &AuthorView) -> Value {
    let mut p = json!({
        "@type": "Person",
        "name": a.name,
        "url": site.absolute(&a.url),
    });
    if !a.website.is_empty() {
        p["sameAs"] = json!([a.website]);
    }
    p
}

fn breadcrumbs(site: &Site, trail: &[(String, String)]) -> Value {
    let items: Vec<Value> = std::iter::once(("Home".to_string(), "/".to_string()))
        .chain(trail.iter().cloned())
        .enumerate()
        .map(|(i, (name, url))| {
            json!({
                "@type": "ListItem",
                "position": i + 1,
                "name": name,
                "item": site.absolute(&url),
            })
        })
        .collect();
    json!({ "@type": "BreadcrumbList", "itemListElement": items })
}

/// An article's (or a static page's) graph: the story and its breadcrumbs.
pub fn article(site: &Site, a: &ArticleView, trail: &[LinkView]) -> Value {
    let url = site.absolute(&a.url);
    if a.kind == "page" {
        return graph(vec![
            json!({
                "@type": "WebPage",
                "@id": url,
                "url": url,
                "name": a.title,
                "description": a.excerpt,
                "datePublished": a.published.iso,
                "dateModified": a.modified.iso,
                "publisher": { "@id": format!("{}/#organization", site.base_url) },
            }),
            breadcrumbs(site, &[(a.title.clone(), a.url.clone())]),
            publisher(site),
        ]);
    }
    let mut story = json!({
        "@type": "NewsArticle",
        "@id": format!("{url}#article"),
        "mainEntityOfPage": { "@type": "WebPage", "@id": url },
        "url": url,
        "headline": headline(&a.title),
        "description": a.excerpt,
        "datePublished": a.published.iso,
        "dateModified": a.modified.iso,
        "author": a.authors.iter().map(|p| person(site, p)).collect::<Vec<_>>(),
        "publisher": publisher(site),
        "articleSection": a.categories.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        "keywords": a.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "wordCount": a.word_count,
        "inLanguage": "en",
    });
    if let Some(image) = &a.image {
        story["image"] = json!([site.absolute(&image.url)]);
    } else {
        // Google asks for an image on every article: the site's logo stands in.
        story["image"] = json!([format!("{}/icon-512.png", site.base_url)]);
    }
    if let Some(source) = &a.source {
        let mut credit = json!({ "@type": "CreativeWork", "name": source.name });
        if !source.url.is_empty() {
            credit["url"] = json!(source.url);
        }
        story["isBasedOn"] = credit;
    }
    let mut crumbs: Vec<(String, String)> = trail
        .iter()
        .map(|l| (l.name.clone(), l.url.clone()))
        .collect();
    crumbs.push((a.title.clone(), a.url.clone()));
    graph(vec![story, breadcrumbs(site, &crumbs)])
}

/// Google shows at most 110 characters of a headline.
fn headline(title: &str) -> String {
    if title.chars().count() <= 110 {
        title.to_string()
    } else {
        let cut: String = title.chars().take(109).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The home page: the site, its publisher and its search box.
pub fn home(site: &Site) -> Value {
    let base = &site.base_url;
    graph(vec![
        json!({
            "@type": "WebSite",
            "@id": format!("{base}/#website"),
            "url": format!("{base}/"),
            "name": site.settings.title,
            "description": site.settings.tagline,
            "inLanguage": "en",
            "publisher": { "@id": format!("{base}/#organization") },
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": format!("{base}/?s={{search_term_string}}"),
                },
                "query-input": "required name=search_term_string",
            },
        }),
        publisher(site),
    ])
}

/// An archive: its place in the site; an author's page also describes the person.
pub fn archive(site: &Site, heading: &str, canonical: &str, author: Option<&AuthorView>) -> Value {
    let mut nodes = vec![breadcrumbs(
        site,
        &[(heading.to_string(), canonical.to_string())],
    )];
    if let Some(a) = author {
        let mut p = person(site, a);
        p["@id"] = json!(format!("{}#person", site.absolute(&a.url)));
        if !a.bio.is_empty() {
            p["description"] = json!(crate::content::sanitize::plain_text(&a.bio));
        }
        p["image"] = json!(site.absolute(&a.avatar_url));
        nodes.push(json!({
            "@type": "ProfilePage",
            "url": site.absolute(canonical),
            "mainEntity": { "@id": p["@id"].clone() },
        }));
        nodes.push(p);
    }
    graph(nodes)
}

fn graph(nodes: Vec<Value>) -> Value {
    json!({ "@context": "https://schema.org", "@graph": nodes })
}

/// JSON-LD ready to sit in a `<script>`: `<`, `>` and `&` escaped so no text can close it.
pub fn to_script(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::setting::Settings;

    #[test]
    fn home_has_a_search_action_and_scripts_cannot_be_closed() {
        let mut site = Site::new(Settings::default(), Vec::new(), "/s.css".into());
        site.base_url = "https://n.example".into();
        site.settings.title = "</script><b>".into();
        let v = home(&site);
        assert_eq!(
            v["@graph"][0]["potentialAction"]["target"]["urlTemplate"],
            "https://n.example/?s={search_term_string}"
        );
        let s = to_script(&v);
        assert!(!s.contains("</script>") && !s.contains('<'));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["@graph"][0]["name"], "</script><b>");
    }

    #[test]
    fn long_headlines_are_cut_to_110() {
        assert_eq!(headline(&"a".repeat(200)).chars().count(), 110);
        assert_eq!(headline("Short"), "Short");
    }
}
