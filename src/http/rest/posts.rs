//! `/wp/v2/posts`, `/wp/v2/pages` and `/wp/v2/search`: published articles and pages in
//! WordPress's shape, with `_embed` (authors, terms, featured picture).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::auth::{self, Caller};
use super::{
    Answer, Paging, Rest, ascending, base, dates, href, id_list, ids, json_answer, read_body, text,
};
use crate::actions::article::{self, Edit, Saved};
use crate::actions::capability::{self, Actor, Cap};
use crate::app::AppState;
use crate::content::html_tags;
use crate::content::markdown::Format;
use crate::content::post_password;
use crate::db::Window;
use crate::db::article::status;
use crate::db::article::{self as articles, Article, List};
use crate::db::rest::{self as queries, PostQuery};
use crate::http::site::gather::Related;
use crate::http::site::listing;

/// GET /wp/v2/posts
pub async fn list_posts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    list(&state, caller.as_ref(), articles::POST, "posts", &q).await
}

/// GET /wp/v2/pages
pub async fn list_pages(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    list(&state, caller.as_ref(), articles::PAGE, "pages", &q).await
}

/// GET /wp/v2/posts/{id}
pub async fn one_post(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    one(&state, caller.as_ref(), articles::POST, &id, &q).await
}

/// GET /wp/v2/pages/{id}
pub async fn one_page(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    one(&state, caller.as_ref(), articles::PAGE, &id, &q).await
}

/// Apply what a client sent to an article's edit (WordPress's field names).
async fn apply(state: &AppState, edit: &mut Edit, body: &Value) -> Result<(), Rest> {
    if let Some(t) = text(body, "title") {
        edit.title = t;
    }
    if let Some(c) = text(body, "content") {
        edit.body = c;
        edit.format = Format::Html;
    }
    if let Some(e) = text(body, "excerpt") {
        edit.excerpt = e;
    }
    if let Some(s) = text(body, "slug") {
        edit.slug = s;
    }
    if let Some(s) = body["status"].as_str() {
        // "future" is a publication with a later date, which the save itself makes scheduled.
        edit.status = match status::from_wordpress(s) {
            Some(status::SCHEDULED) => status::PUBLISHED,
            Some(ok) if ok != status::TRASH => ok,
            _ => {
                return Err(Rest::invalid_param(
                    "status",
                    &format!(
                        "status is not one of publish, future, draft, pending, private ({s})."
                    ),
                ));
            }
        }
        .into();
    }
    if let Some(d) = body["date_gmt"].as_str().or_else(|| body["date"].as_str()) {
        let q = HashMap::from([("date".to_string(), d.to_string())]);
        edit.published_at = super::date(&q, "date")?;
    }
    if let Some(ids) = id_list(body, "categories") {
        edit.category_ids = ids;
    }
    if let Some(ids) = id_list(body, "tags") {
        let mut names = Vec::new();
        for id in ids {
            if let Some(t) = crate::db::term::get(state.db(), id).await? {
                names.push(t.name);
            }
        }
        edit.tags = names;
    }
    if let Some(a) = body["author"].as_i64() {
        edit.author_ids = vec![a];
    }
    if let Some(s) = body["sticky"].as_bool() {
        edit.sticky = s;
    }
    if let Some(c) = body["comment_status"].as_str() {
        edit.comments_open = c == "open";
    }
    if let Some(m) = body["featured_media"].as_i64() {
        edit.featured_media_id = (m > 0).then_some(m);
    }
    Ok(())
}

/// The answer to a save: the article as stored, or why not.
async fn saved(state: &AppState, actor: &Actor, result: Saved, created: bool) -> Answer {
    match result {
        Saved::Done { id, .. } => {
            let a = articles::get(state.db(), id)
                .await?
                .ok_or(crate::error::Error::NotFound)?;
            let mut items = shape_all(state, std::slice::from_ref(&a), false, Some(actor)).await?;
            let item = items.remove(0);
            if created {
                let route = if a.kind == articles::PAGE {
                    "pages"
                } else {
                    "posts"
                };
                return Ok(super::created(state, item, route, id));
            }
            Ok(json_answer(item, &HashMap::new()))
        }
        Saved::Invalid(errors) => {
            let (field, message) = errors
                .into_iter()
                .next()
                .unwrap_or(("title", "Invalid.".into()));
            Err(Rest::invalid_param(field, &message))
        }
        Saved::Conflict { .. } => Err(Rest::new(
            StatusCode::CONFLICT,
            "rest_post_conflict",
            "Someone saved this article after you read it: read it again, then save.",
        )),
    }
}

/// POST /wp/v2/posts (and /pages): a new article, through the admin's rules.
pub async fn create(
    State(state): State<AppState>,
    super::auth::Caller(caller): super::auth::Caller,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let Some(actor) = caller else {
        return Err(Rest::new(
            StatusCode::UNAUTHORIZED,
            "rest_cannot_create",
            "Sorry, you are not allowed to create posts as this user.",
        ));
    };
    let kind = if uri.path().ends_with("/pages") {
        articles::PAGE
    } else {
        articles::POST
    };
    let body = read_body(&headers, &bytes)?;
    let mut edit = Edit::blank(kind);
    edit.author_ids = actor.user_id.into_iter().collect();
    apply(&state, &mut edit, &body).await?;
    let result = match article::save(state.db(), &actor, None, 0, &edit).await {
        Err(crate::error::Error::Forbidden(_)) => {
            return Err(Rest::new(
                StatusCode::FORBIDDEN,
                "rest_cannot_create",
                "Sorry, you are not allowed to create posts as this user.",
            ));
        }
        other => other?,
    };
    saved(&state, &actor, result, true).await
}

/// POST/PUT/PATCH /wp/v2/posts/{id}: change an article, through the admin's rules.
pub async fn update(
    State(state): State<AppState>,
    super::auth::Caller(caller): super::auth::Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let Some(actor) = caller else {
        return Err(Rest::new(
            StatusCode::UNAUTHORIZED,
            "rest_cannot_edit",
            "Sorry, you are not allowed to edit this post.",
        ));
    };
    let invalid = || {
        Rest::new(
            StatusCode::NOT_FOUND,
            "rest_post_invalid_id",
            "Invalid post ID.",
        )
    };
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let (a, _) = match article::editable(state.db(), &actor, id).await {
        Err(crate::error::Error::NotFound) => return Err(invalid()),
        Err(crate::error::Error::Forbidden(_)) => {
            return Err(Rest::new(
                StatusCode::FORBIDDEN,
                "rest_cannot_edit",
                "Sorry, you are not allowed to edit this post.",
            ));
        }
        other => other?,
    };
    let body = read_body(&headers, &bytes)?;
    let mut edit = article::edit_of(state.db(), &a).await?;
    apply(&state, &mut edit, &body).await?;
    let result = article::save(state.db(), &actor, Some(id), a.version, &edit).await?;
    saved(&state, &actor, result, false).await
}

/// Whether the request asks for `context=edit` (raw fields), refusing it to those who cannot edit.
fn edit_context(
    caller: Option<&Actor>,
    kind: &str,
    q: &HashMap<String, String>,
) -> Result<bool, Rest> {
    match q.get("context").map(String::as_str) {
        None | Some("view" | "embed") => Ok(false),
        Some("edit") if caller.is_some_and(|a| a.can(edit_cap(kind))) => Ok(true),
        Some("edit") => Err(Rest::new(
            auth::required_status(caller),
            "rest_forbidden_context",
            "Sorry, you are not allowed to edit posts in this post type.",
        )),
        Some(_) => Err(Rest::invalid_param(
            "context",
            "context is not one of view, embed, edit.",
        )),
    }
}

fn edit_cap(kind: &str) -> Cap {
    if kind == articles::PAGE {
        Cap::EditPages
    } else {
        Cap::EditPosts
    }
}

/// The statuses a list asks for (`status=draft,pending`, `any`), refused to those who may not see
/// unpublished work; and whose unpublished work they may see (None: everyone's).
fn statuses(
    caller: Option<&Actor>,
    kind: &str,
    q: &HashMap<String, String>,
) -> Result<(Vec<String>, Option<i64>), Rest> {
    let Some(asked) = q.get("status").filter(|s| !s.is_empty()) else {
        return Ok((Vec::new(), None));
    };
    let mut out = Vec::new();
    for name in asked.split(',').map(str::trim) {
        if name == "any" {
            out.extend(
                status::ALL
                    .iter()
                    .filter(|s| **s != status::TRASH)
                    .map(|s| s.to_string()),
            );
            continue;
        }
        match status::from_wordpress(name) {
            Some(s) => out.push(s.to_string()),
            None => {
                return Err(Rest::invalid_param(
                    "status",
                    &format!(
                        "status[0] is not one of publish, future, draft, pending, private, trash, any ({name})."
                    ),
                ));
            }
        }
    }
    if out.iter().all(|s| s == status::PUBLISHED) {
        return Ok((Vec::new(), None));
    }
    let Some(actor) = caller.filter(|a| a.can(edit_cap(kind))) else {
        return Err(Rest::invalid_param("status", "Status is forbidden."));
    };
    let everyone = kind == articles::PAGE
        || (actor.can(Cap::EditOthersPosts) && actor.can(Cap::ReadPrivatePosts));
    Ok((out, if everyone { None } else { actor.user_id }))
}

async fn list(
    state: &AppState,
    caller: Option<&Actor>,
    kind: &str,
    route: &str,
    q: &HashMap<String, String>,
) -> Answer {
    let paging = Paging::read(q)?;
    let edit = edit_context(caller, kind, q)?;
    let (statuses, unpublished_of) = statuses(caller, kind, q)?;
    let orderby = q.get("orderby").map_or("date", String::as_str);
    if ![
        "date",
        "modified",
        "id",
        "title",
        "slug",
        "relevance",
        "include",
        "author",
        "parent",
        "include_slugs",
    ]
    .contains(&orderby)
    {
        return Err(Rest::invalid_param(
            "orderby",
            "orderby is not one of author, date, id, include, modified, parent, relevance, slug, include_slugs, title.",
        ));
    }
    // WordPress's own refusals of an order that has nothing to order by.
    let given = |name: &str| q.get(name).is_some_and(|v| !v.trim().is_empty());
    if orderby == "relevance" && !given("search") {
        return Err(Rest::new(
            StatusCode::BAD_REQUEST,
            "rest_no_search_term_defined",
            "You need to define a search term to order by relevance.",
        ));
    }
    if orderby == "include" && !given("include") {
        return Err(Rest::new(
            StatusCode::BAD_REQUEST,
            "rest_orderby_include_missing_include",
            "You need to define an include parameter to order by include.",
        ));
    }
    let any_group = match q.get("tax_relation").map(String::as_str) {
        None | Some("AND") => false,
        Some("OR") => true,
        Some(_) => {
            return Err(Rest::invalid_param(
                "tax_relation",
                "tax_relation is not one of AND, OR.",
            ));
        }
    };
    let query = PostQuery {
        kind: kind.into(),
        search: q
            .get("search")
            .cloned()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect(),
        slugs: q
            .get("slug")
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        authors: ids(q, "author")?,
        term_groups: vec![ids(q, "categories")?, ids(q, "tags")?],
        any_group,
        include: ids(q, "include")?,
        exclude: ids(q, "exclude")?,
        after: super::date(q, "after")?,
        before: super::date(q, "before")?,
        orderby: orderby.into(),
        ascending: ascending(q)?,
        offset: paging.offset,
        limit: paging.per_page,
        statuses,
        unpublished_of,
    };
    let (rows, total) = match query.archive_list() {
        Some(list) => archive_page(state, &list, &query).await?,
        None => match super::words::from_index(state, &query).await? {
            Some(found) => found,
            None => queries::posts(state.db(), &query).await?,
        },
    };
    let editor = if edit { caller } else { None };
    let items = shape_all(state, &rows, q.contains_key("_embed"), editor).await?;
    if caller.is_none() {
        note_list(kind, &query);
    }
    paging.answer(Value::Array(items), total, route, &base(state), q)
}

/// A page of one of the archives' lists (every live article, a section's, a person's) read as
/// the site's archive pages read theirs: from the fence above it, so page 5,000 costs about what
/// page 1 does, and counted from the fences once a deep page has read them.
async fn archive_page(
    state: &AppState,
    list: &List,
    q: &PostQuery,
) -> crate::error::Result<(Vec<Article>, i64)> {
    let window = Window {
        offset: q.offset,
        limit: q.limit,
    };
    let (fence, rest) = listing::from_fence(state, list, window).await?;
    let ids = articles::ids_from(state.db(), list, fence.as_ref(), rest).await?;
    let total = listing::count(state, list).await?;
    Ok((articles::full_in_order(state.db(), &ids).await?, total))
}

/// What an anonymous list shows beyond its articles (which `shape_all` notes): which articles
/// it holds, so it can be kept until that changes. A list chosen by words, slugs or titles, or
/// ordered by the time of the last edit, depends on articles it does not show: any article's
/// change may move it.
fn note_list(kind: &str, q: &PostQuery) {
    use crate::cache::deps::{self, Tag};
    let terms: Vec<i64> = q.term_groups.iter().flatten().copied().collect();
    if !q.search.is_empty()
        || !q.slugs.is_empty()
        || !matches!(q.orderby.as_str(), "date" | "id" | "include")
    {
        deps::note(Tag::AnyPost);
    } else if terms.is_empty() && q.authors.is_empty() {
        deps::note(if kind == articles::PAGE {
            Tag::Pages
        } else {
            Tag::Posts
        });
    } else {
        // Only articles of these terms or people: an article enters or leaves such a list only
        // by entering or leaving one of their archives, which names them.
        deps::note_all(terms.iter().map(|id| Tag::TermPosts(*id)));
        deps::note_all(q.authors.iter().map(|id| Tag::AuthorPosts(*id)));
    }
    deps::complete();
}

fn invalid_id() -> Rest {
    Rest::new(
        StatusCode::NOT_FOUND,
        "rest_post_invalid_id",
        "Invalid post ID.",
    )
}

async fn one(
    state: &AppState,
    caller: Option<&Actor>,
    kind: &str,
    id: &str,
    q: &HashMap<String, String>,
) -> Answer {
    let edit = edit_context(caller, kind, q)?;
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    let a = articles::get(state.db(), id)
        .await?
        .filter(|a| a.kind == kind)
        .ok_or_else(invalid_id)?;
    let live = a.is_live(crate::db::now());
    if edit || !live {
        // Unpublished work is shown only to those who may edit it; to anyone else it does not
        // exist, so its id tells nothing.
        let Some(actor) = caller else {
            return Err(invalid_id());
        };
        let (_, facts) = article::load(state.db(), id).await?;
        if !(capability::can_edit(actor, &facts) && capability::can_see(actor, &facts)) {
            return Err(if live {
                Rest::new(
                    StatusCode::FORBIDDEN,
                    "rest_forbidden_context",
                    "Sorry, you are not allowed to edit this post.",
                )
            } else {
                Rest::new(
                    StatusCode::FORBIDDEN,
                    "rest_forbidden",
                    "Sorry, you are not allowed to do that.",
                )
            });
        }
    }
    let mut items = shape_all(
        state,
        std::slice::from_ref(&a),
        q.contains_key("_embed"),
        if edit || !live { caller } else { None },
    )
    .await?;
    if caller.is_none() {
        // A live article as anyone sees it: `shape_all` noted it, its terms, people, picture.
        crate::cache::deps::complete();
    }
    Ok(json_answer(items.remove(0), q))
}

/// DELETE /wp/v2/posts/{id} (and pages): to the trash, or for good with `force=true`.
pub async fn delete(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Answer {
    let cannot = |status| {
        Rest::new(
            status,
            "rest_cannot_delete",
            "Sorry, you are not allowed to delete this post.",
        )
    };
    let Some(actor) = caller else {
        return Err(cannot(StatusCode::UNAUTHORIZED));
    };
    let id: i64 = id.parse().map_err(|_| invalid_id())?;
    let (a, facts) = match article::load(state.db(), id).await {
        Err(crate::error::Error::NotFound) => return Err(invalid_id()),
        other => other?,
    };
    if !capability::can_delete(&actor, &facts) || !capability::can_see(&actor, &facts) {
        return Err(cannot(StatusCode::FORBIDDEN));
    }
    let force = super::forced(&q, &headers, &bytes);
    let previous = shape_all(&state, std::slice::from_ref(&a), false, Some(&actor))
        .await?
        .remove(0);
    if force {
        if a.status != status::TRASH {
            article::trash(state.db(), &actor, id).await?;
        }
        article::delete(state.db(), &actor, id).await?;
        return Ok(super::deleted(previous));
    }
    if a.status == status::TRASH {
        return Err(Rest::new(
            StatusCode::GONE,
            "rest_already_trashed",
            "The post has already been trashed.",
        ));
    }
    article::trash(state.db(), &actor, id).await?;
    let trashed = articles::get(state.db(), id)
        .await?
        .ok_or(crate::error::Error::NotFound)?;
    let mut items = shape_all(&state, std::slice::from_ref(&trashed), false, Some(&actor)).await?;
    Ok(json_answer(items.remove(0), &HashMap::new()))
}

/// WordPress's JSON for articles, loading their terms, bylines and pictures in one go.
/// With an `editor`, the articles they may edit also carry the raw fields of `context=edit`.
pub async fn shape_all(
    state: &AppState,
    rows: &[Article],
    embed: bool,
    editor: Option<&Actor>,
) -> Result<Vec<Value>, Rest> {
    let site = state.site();
    let related = Related::load(state, rows).await?;
    let extras = related.extras();
    let base = base(state);
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let route = if a.kind == articles::PAGE {
            "pages"
        } else {
            "posts"
        };
        let link = format!("{base}{}", extras.path_of(&site, a));
        let published = a.published_at.unwrap_or(a.created_at);
        let (date, date_gmt) = dates(&site, published);
        let (modified, modified_gmt) = dates(&site, a.modified_at);
        let terms = extras.terms.get(&a.id).cloned().unwrap_or_default();
        let authors = extras.authors.get(&a.id).cloned().unwrap_or_default();
        let protected = !a.password.is_empty();
        let raw = editor.filter(|actor| {
            let ids = authors.iter().map(|u| u.id).collect();
            capability::can_edit(actor, &capability::PostFacts::of(a, ids))
        });
        let (content, excerpt) = if protected && raw.is_none() {
            (
                String::new(),
                format!("<p>{}</p>\n", post_password::NO_EXCERPT),
            )
        } else {
            (
                a.body_html.clone(),
                format!("<p>{}</p>\n", html_tags::escape(&a.excerpt)),
            )
        };
        let author = authors.first().map_or(a.owner_id.unwrap_or(0), |u| u.id);
        let mut v = json!({
            "id": a.id,
            "date": date,
            "date_gmt": date_gmt,
            "guid": { "rendered": format!("{base}/?p={}", a.id) },
            "modified": modified,
            "modified_gmt": modified_gmt,
            "slug": a.slug,
            "status": status::to_wordpress(&a.status),
            "type": if a.kind == articles::PAGE { "page" } else { "post" },
            "link": link,
            "title": { "rendered": html_tags::escape(&a.title) },
            "content": { "rendered": content, "protected": protected },
            "excerpt": { "rendered": excerpt, "protected": protected },
            "author": author,
            "featured_media": a.featured_media_id.unwrap_or(0),
            "comment_status": a.comment_status,
            "ping_status": "closed",
            "template": "",
            "meta": [],
        });
        let map = v.as_object_mut().expect("an object");
        if raw.is_some() {
            map["title"]["raw"] = json!(a.title);
            map["content"]["raw"] = json!(a.body_source);
            map["excerpt"]["raw"] = json!(a.excerpt);
            map.insert("password".into(), json!(a.password));
        }
        if a.kind == articles::PAGE {
            map.insert("parent".into(), json!(0));
            map.insert("menu_order".into(), json!(0));
        } else {
            map.insert("sticky".into(), json!(a.sticky));
            map.insert("format".into(), json!("standard"));
            let of = |tax: &str| -> Vec<i64> {
                terms
                    .iter()
                    .filter(|t| t.taxonomy == tax)
                    .map(|t| t.id)
                    .collect()
            };
            map.insert("categories".into(), json!(of(crate::db::term::CATEGORY)));
            map.insert("tags".into(), json!(of(crate::db::term::TAG)));
        }
        let mut links = json!({
            "self": href(format!("{base}/wp-json/wp/v2/{route}/{}", a.id)),
            "collection": href(format!("{base}/wp-json/wp/v2/{route}")),
            "about": href(format!("{base}/wp-json/wp/v2/types/{}", if a.kind == articles::PAGE { "page" } else { "post" })),
            "author": authors.iter().map(|u| json!({"embeddable": true, "href": format!("{base}/wp-json/wp/v2/users/{}", u.id)})).collect::<Vec<_>>(),
            "replies": [{"embeddable": true, "href": format!("{base}/wp-json/wp/v2/comments?post={}", a.id)}],
            "version-history": [{"count": 0, "href": format!("{base}/wp-json/wp/v2/{route}/{}/revisions", a.id)}],
            "wp:attachment": href(format!("{base}/wp-json/wp/v2/media?parent={}", a.id)),
            "curies": [{"name": "wp", "href": "https://api.w.org/{rel}", "templated": true}],
        });
        if let Some(m) = a.featured_media_id {
            links["wp:featuredmedia"] =
                json!([{"embeddable": true, "href": format!("{base}/wp-json/wp/v2/media/{m}")}]);
        }
        if a.kind == articles::POST {
            links["wp:term"] = json!([
                {"taxonomy": "category", "embeddable": true, "href": format!("{base}/wp-json/wp/v2/categories?post={}", a.id)},
                {"taxonomy": "post_tag", "embeddable": true, "href": format!("{base}/wp-json/wp/v2/tags?post={}", a.id)},
            ]);
        }
        map.insert("_links".into(), links);
        if embed {
            let mut embedded = serde_json::Map::new();
            embedded.insert(
                "author".into(),
                Value::Array(
                    authors
                        .iter()
                        .map(|u| super::users::shape(&site, &base, u))
                        .collect(),
                ),
            );
            if a.kind == articles::POST {
                let counts = HashMap::new();
                let group = |tax: &str| -> Value {
                    Value::Array(
                        terms
                            .iter()
                            .filter(|t| t.taxonomy == tax)
                            .map(|t| super::terms::shape(&site, &base, t, &counts))
                            .collect(),
                    )
                };
                embedded.insert(
                    "wp:term".into(),
                    json!([
                        group(crate::db::term::CATEGORY),
                        group(crate::db::term::TAG)
                    ]),
                );
            }
            if let Some(m) = a.featured_media_id
                && let Some(media) = crate::db::media::get(state.db(), m).await?
            {
                crate::cache::deps::note(crate::cache::deps::Tag::Media(m));
                embedded.insert(
                    "wp:featuredmedia".into(),
                    json!([super::media::shape(&site, &base, &media)]),
                );
            }
            map.insert("_embedded".into(), Value::Object(embedded));
        }
        out.push(v);
    }
    Ok(out)
}

/// GET /wp/v2/search: articles and pages whose title or excerpt has the words.
pub async fn search(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let paging = Paging::read(&q)?;
    let words: String = q
        .get("search")
        .cloned()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let kinds: Vec<&str> = match q.get("subtype").map(String::as_str) {
        Some("post") => vec![articles::POST],
        Some("page") => vec![articles::PAGE],
        _ => vec![articles::POST, articles::PAGE],
    };
    let base = base(&state);
    let site = state.site();
    // Articles (best match first) then pages, as one list: each part is read from where the
    // page of the whole list begins in it.
    let mut page = Vec::new();
    let mut total = 0;
    let mut skip = paging.offset;
    for kind in kinds {
        let query = PostQuery {
            kind: kind.into(),
            search: words.clone(),
            orderby: if kind == articles::POST {
                "relevance"
            } else {
                "date"
            }
            .into(),
            offset: skip,
            limit: (paging.per_page - page.len() as i64).max(1),
            ..PostQuery::default()
        };
        let (rows, n) = match super::words::from_index(&state, &query).await? {
            Some(found) => found,
            None => queries::posts(state.db(), &query).await?,
        };
        if page.len() < paging.per_page as usize {
            page.extend(rows);
        }
        page.truncate(paging.per_page as usize);
        total += n;
        skip = (skip - n).max(0);
    }
    // Only titles and addresses are shown, not the bylines or pictures loading them notes.
    let related = crate::cache::deps::unnoted(Related::load(&state, &page)).await?;
    let extras = related.extras();
    let items: Vec<Value> = page
        .iter()
        .map(|a| {
            let route = if a.kind == articles::PAGE { "pages" } else { "posts" };
            json!({
                "id": a.id,
                "title": html_tags::escape(&a.title),
                "url": format!("{base}{}", extras.path_of(&site, a)),
                "type": "post",
                "subtype": if a.kind == articles::PAGE { "page" } else { "post" },
                "_links": {
                    "self": [{"embeddable": true, "href": format!("{base}/wp-json/wp/v2/{route}/{}", a.id)}],
                    "about": href(format!("{base}/wp-json/wp/v2/types/{}", if a.kind == articles::PAGE { "page" } else { "post" })),
                    "collection": href(format!("{base}/wp-json/wp/v2/search")),
                },
            })
        })
        .collect();
    // Any article's words, title or status can move it into or out of the results.
    super::shows(
        [crate::cache::deps::Tag::AnyPost]
            .into_iter()
            .chain(page.iter().map(|a| crate::cache::deps::Tag::Post(a.id))),
    );
    paging.answer(Value::Array(items), total, "search", &base, &q)
}
