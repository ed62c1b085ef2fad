//! `/wp-json/newsroom/v1/openapi.json`: an OpenAPI 3.1 description of the routes this API
//! answers, made from the same table the index lists, so the two cannot disagree.

use std::collections::HashMap;

use axum::extract::{Query, State};
use serde_json::{Map, Value, json};

use super::discovery::{ROUTES, args_of};
use super::{Answer, base, json_answer, shows};
use crate::app::AppState;

/// `/wp/v2/posts/(?P<id>[\d]+)` → `/wp/v2/posts/{id}`, and the names of its path parameters.
fn openapi_path(route: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut names = Vec::new();
    let mut rest = route;
    while let Some(start) = rest.find("(?P<") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        let Some(end) = after.find('>') else { break };
        let name = &after[..end];
        names.push(name.to_string());
        out.push_str(&format!("{{{name}}}"));
        let close = after.find(')').map_or(after.len(), |i| i + 1);
        rest = &after[close..];
    }
    out.push_str(rest);
    (out, names)
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The document.
pub fn document(base: &str) -> Value {
    let mut paths = Map::new();
    for (route, methods) in ROUTES {
        let (path, names) = openapi_path(route);
        let mut item = Map::new();
        for method in methods.iter() {
            let mut parameters: Vec<Value> = names
                .iter()
                .map(|n| json!({"name": n, "in": "path", "required": true, "schema": {"type": if n == "id" { "integer" } else { "string" }}}))
                .collect();
            if *method == "GET" {
                parameters.extend(args_of(route).iter().map(|a| {
                    let schema = match *a {
                        "page" | "offset" => json!({"type": "integer", "minimum": if *a == "page" { 1 } else { 0 }}),
                        "per_page" => json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 10}),
                        "order" => json!({"type": "string", "enum": ["asc", "desc"]}),
                        "after" | "before" => json!({"type": "string", "format": "date-time"}),
                        "author" | "categories" | "tags" | "include" | "exclude" | "post" | "parent" => {
                            json!({"type": "string", "description": "An id, or ids separated by commas."})
                        }
                        _ => json!({"type": "string"}),
                    };
                    json!({"name": a, "in": "query", "required": false, "schema": schema})
                }));
            }
            let mut responses = Map::new();
            if *method == "GET" {
                let collection =
                    names.is_empty() && !route.ends_with("/me") && route.matches('/').count() >= 3;
                let mut ok = json!({"description": "WordPress's JSON for this route.", "content": {"application/json": {"schema": {"type": if collection { "array" } else { "object" }}}}});
                if collection {
                    ok["headers"] = json!({
                        "X-WP-Total": {"schema": {"type": "integer"}, "description": "How many items match."},
                        "X-WP-TotalPages": {"schema": {"type": "integer"}, "description": "How many pages of per_page items."},
                        "Link": {"schema": {"type": "string"}, "description": "rel=prev and rel=next pages."},
                    });
                    responses.insert("400".into(), error_response("A parameter out of range (rest_invalid_param, rest_post_invalid_page_number)."));
                }
                responses.insert("200".into(), ok);
                if !names.is_empty() {
                    responses.insert(
                        "404".into(),
                        error_response("No such item (rest_post_invalid_id, rest_term_invalid…)."),
                    );
                }
            } else {
                let done = match *method {
                    "POST" if names.is_empty() => {
                        ("201", "Created: the new item, with its URL in Location.")
                    }
                    "DELETE" => (
                        "200",
                        "Trashed (the item), or deleted with force=true ({deleted, previous}).",
                    ),
                    _ => ("200", "Changed: the item as stored."),
                };
                responses.insert(
                    done.0.into(),
                    json!({"description": done.1, "content": {"application/json": {"schema": {"type": "object"}}}}),
                );
                responses.insert(
                    "400".into(),
                    error_response("A field is missing or wrong (rest_invalid_param…)."),
                );
                responses.insert("401".into(), error_response("No credentials: an application password (HTTP Basic) or the admin's cookie with X-WP-Nonce."));
                responses.insert(
                    "403".into(),
                    error_response(
                        "The user's role may not do this (rest_cannot_create, rest_cannot_edit…).",
                    ),
                );
                if !names.is_empty() {
                    responses.insert("404".into(), error_response("No such item."));
                }
            }
            let secured = *method != "GET";
            let summary = format!("{method} {path}");
            let mut operation =
                json!({"summary": summary, "parameters": parameters, "responses": responses});
            if secured {
                operation["security"] = json!([{"applicationPassword": []}, {"cookieNonce": []}]);
                if *method != "DELETE" {
                    operation["requestBody"] = json!({"required": false, "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    }});
                }
            }
            item.insert(method.to_lowercase(), operation);
        }
        paths.insert(path, Value::Object(item));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Newsroom: the WordPress REST API (wp/v2)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The routes of WordPress's REST API that Newsroom answers, with WordPress's JSON shapes, parameters, headers and errors. Anonymous reads show what the public site shows; writes need an application password (HTTP Basic) or the admin's session cookie with its nonce (X-WP-Nonce), and follow the same role rules as the admin.",
        },
        "servers": [{"url": format!("{base}/wp-json")}],
        "paths": paths,
        "components": {
          "securitySchemes": {
            "applicationPassword": {"type": "http", "scheme": "basic", "description": "user login or email, and an application password"},
            "cookieNonce": {"type": "apiKey", "in": "header", "name": "X-WP-Nonce", "description": "with the admin's session cookie; the nonce is in the admin's pages and at /wp-admin/admin-ajax.php?action=rest-nonce"},
          },
          "schemas": {"Error": {
            "type": "object",
            "required": ["code", "message", "data"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "data": {"type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}}},
            },
        }}},
    })
}

/// GET /wp-json/newsroom/v1/openapi.json
pub async fn openapi(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    shows([crate::cache::deps::Tag::Site]);
    Ok(json_answer(document(&base(&state)), &q))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_the_openapi_way() {
        assert_eq!(
            openapi_path("/wp/v2/posts/(?P<id>[\\d]+)"),
            ("/wp/v2/posts/{id}".to_string(), vec!["id".to_string()])
        );
        assert_eq!(
            openapi_path("/wp/v2/types"),
            ("/wp/v2/types".to_string(), vec![])
        );
        let doc = document("https://news.example");
        assert!(
            doc["paths"]["/wp/v2/posts"]["get"]["responses"]["200"]["headers"]["X-WP-Total"]
                .is_object()
        );
        assert!(doc["paths"]["/wp/v2/posts/{id}"]["get"]["parameters"][0]["in"] == "path");
    }
}
