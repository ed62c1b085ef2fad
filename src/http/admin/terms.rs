//! Sections (categories) and tags: the list with how many articles use each, add, edit, delete.

use std::collections::HashMap;

use axum::extract::{Query, State};

use crate::http::PathParam;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::actions::capability::Cap;
use crate::actions::term::{self as terms, TermForm};
use crate::app::AppState;
use crate::db::term::{self, Term};
use crate::error::{Error, Result};
use crate::http::admin::form::{Fields, Posted};
use crate::http::admin::page::{render_status, see_other, shell};
use crate::http::admin::posts::category_options;
use crate::http::admin::session::Staff;
use crate::render::admin::{Errors, OptionView};

#[derive(Debug, Serialize)]
struct TermRow {
    id: i64,
    name: String,
    slug: String,
    description: String,
    uses: i64,
    depth: usize,
    public_url: String,
}

/// The first `n` characters of a text, with an ellipsis if cut.
fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(n).collect::<String>().trim_end())
    }
}

/// The sections a section may sit inside (none of `excluded`: itself and those below it).
fn parent_options(all: &[Term], chosen: Option<i64>, excluded: &[i64]) -> Vec<OptionView> {
    let mut options = vec![OptionView::new("", "None (top level)", chosen.is_none())];
    options.extend(
        category_options(all, &chosen.into_iter().collect::<Vec<_>>())
            .into_iter()
            .filter(|o| o.value.parse().is_ok_and(|id: i64| !excluded.contains(&id))),
    );
    options
}

fn base_of(taxonomy: &str) -> &'static str {
    if taxonomy == term::CATEGORY {
        "/admin/categories"
    } else {
        "/admin/tags"
    }
}

fn form_of(fields: &Fields) -> TermForm {
    TermForm {
        name: fields.get("name").into(),
        slug: fields.get("slug").into(),
        parent_id: fields.id("parent_id"),
        description: fields.get("description").into(),
    }
}

/// The list page, with the add form (filled again when it was refused).
async fn list(
    state: &AppState,
    staff: &Staff,
    q: &HashMap<String, String>,
    taxonomy: &str,
    sent: Option<(&TermForm, Errors)>,
) -> Result<Response> {
    staff
        .actor
        .require(Cap::ManageCategories, "manage sections and tags")?;
    let base = base_of(taxonomy);
    let shell = shell(state, staff, base, q).await?;
    let site = state.site();
    let with_counts = term::all_with_counts(state.db(), taxonomy).await?;
    let all: Vec<Term> = with_counts.iter().map(|(t, _)| t.clone()).collect();
    let uses: HashMap<i64, i64> = with_counts.iter().map(|(t, n)| (t.id, *n)).collect();
    // Sections in tree order (each under its parent); tags by name.
    let order: Vec<(i64, usize)> = if taxonomy == term::CATEGORY {
        category_options(&all, &[])
            .into_iter()
            .filter_map(|o| o.value.parse().ok().map(|id| (id, o.depth)))
            .collect()
    } else {
        all.iter().map(|t| (t.id, 0)).collect()
    };
    let rows: Vec<TermRow> = order
        .into_iter()
        .filter_map(|(id, depth)| all.iter().find(|t| t.id == id).map(|t| (t, depth)))
        .map(|(t, depth)| TermRow {
            id: t.id,
            name: t.name.clone(),
            slug: t.slug.clone(),
            description: short(&t.description, 120),
            uses: uses.get(&t.id).copied().unwrap_or(0),
            depth,
            public_url: site.term_path(t),
        })
        .collect();
    let (form, errors, status) = match sent {
        Some((f, errors)) => (f.clone(), errors, StatusCode::UNPROCESSABLE_ENTITY),
        None => (TermForm::default(), Errors::new(), StatusCode::OK),
    };
    let mut parents = vec![OptionView {
        value: String::new(),
        label: "None (top level)".into(),
        selected: form.parent_id.is_none(),
        depth: 0,
    }];
    parents.extend(category_options(
        &all,
        &form.parent_id.into_iter().collect::<Vec<_>>(),
    ));
    let ctx = minijinja::context! {
        shell,
        title => if taxonomy == term::CATEGORY { "Sections" } else { "Tags" },
        taxonomy,
        base,
        rows,
        parents,
        form => minijinja::context! { name => form.name, slug => form.slug, description => form.description },
        errors,
    };
    render_status(state, status, "admin/terms.html", ctx)
}

/// `GET /admin/categories`.
pub async fn list_categories(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    list(&state, &staff, &q, term::CATEGORY, None).await
}

/// `GET /admin/tags`.
pub async fn list_tags(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    list(&state, &staff, &q, term::TAG, None).await
}

async fn add(state: &AppState, form: Posted, taxonomy: &str) -> Result<Response> {
    let f = form_of(&form.fields);
    match terms::save(state.db(), &form.staff.actor, taxonomy, None, &f).await? {
        Ok(_) => {
            state.reload_site().await?;
            Ok(see_other(&format!("{}?done=term-saved", base_of(taxonomy))))
        }
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            list(
                state,
                &form.staff,
                &HashMap::new(),
                taxonomy,
                Some((&f, errors)),
            )
            .await
        }
    }
}

/// `POST /admin/categories`.
pub async fn add_category(State(state): State<AppState>, form: Posted) -> Result<Response> {
    add(&state, form, term::CATEGORY).await
}

/// `POST /admin/tags`.
pub async fn add_tag(State(state): State<AppState>, form: Posted) -> Result<Response> {
    add(&state, form, term::TAG).await
}

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    t: &Term,
    form: &TermForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response> {
    let base = base_of(&t.taxonomy);
    let shell = shell(state, staff, base, &HashMap::new()).await?;
    let all = term::all(state.db(), term::CATEGORY).await?;
    let parents = parent_options(&all, form.parent_id, &term::descendants(&all, t.id));
    let ctx = minijinja::context! {
        shell,
        title => format!("Edit “{}”", t.name),
        id => t.id,
        taxonomy => t.taxonomy.clone(),
        base,
        parents,
        form => minijinja::context! { name => form.name, slug => form.slug, description => form.description },
        errors,
        public_url => state.site().term_path(t),
    };
    render_status(state, status, "admin/term_edit.html", ctx)
}

/// `GET /admin/terms/{id}`.
pub async fn edit_term(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<i64>,
) -> Result<Response> {
    staff
        .actor
        .require(Cap::ManageCategories, "manage sections and tags")?;
    let t = term::get(state.db(), id).await?.ok_or(Error::NotFound)?;
    let form = TermForm {
        name: t.name.clone(),
        slug: t.slug.clone(),
        parent_id: t.parent_id,
        description: t.description.clone(),
    };
    edit_page(&state, &staff, &t, &form, Errors::new(), StatusCode::OK).await
}

/// `POST /admin/terms/{id}`.
pub async fn save_term(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    form.staff
        .actor
        .require(Cap::ManageCategories, "manage sections and tags")?;
    let t = term::get(state.db(), id).await?.ok_or(Error::NotFound)?;
    let f = form_of(&form.fields);
    match terms::save(state.db(), &form.staff.actor, &t.taxonomy, Some(id), &f).await? {
        Ok(_) => {
            state.reload_site().await?;
            Ok(see_other(&format!(
                "{}?done=term-saved",
                base_of(&t.taxonomy)
            )))
        }
        Err(errors) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            edit_page(
                &state,
                &form.staff,
                &t,
                &f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /admin/terms/{id}/delete`.
pub async fn delete_term(
    State(state): State<AppState>,
    PathParam(id): PathParam<i64>,
    form: Posted,
) -> Result<Response> {
    let t = term::get(state.db(), id).await?.ok_or(Error::NotFound)?;
    terms::delete(state.db(), &form.staff.actor, id).await?;
    state.reload_site().await?;
    Ok(see_other(&format!(
        "{}?done=term-deleted",
        base_of(&t.taxonomy)
    )))
}
