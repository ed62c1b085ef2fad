//! Sections (categories, nested) and tags, edited from the admin: names, slugs, parents and
//! descriptions, with the same rules as articles (Unicode slugs, no control characters).

use crate::actions::FieldErrors;
use crate::actions::capability::{Actor, Cap};
use crate::content::input::{self, Kind};
use crate::content::slug;
use crate::db::Db;
use crate::db::term::{self, NewTerm};
use crate::error::{Error, Result};

/// A term as the form sends it.
#[derive(Debug, Clone, Default)]
pub struct TermForm {
    pub name: String,
    /// Empty: made from the name.
    pub slug: String,
    pub parent_id: Option<i64>,
    pub description: String,
}

impl TermForm {
    /// What its slug is made from: the slug typed, else the name.
    pub fn slug_or_name(&self) -> &str {
        if self.slug.trim().is_empty() {
            self.name.trim()
        } else {
            self.slug.trim()
        }
    }
}

/// Add (`id` None) or change a category or tag; its id, or what is wrong with the fields.
pub async fn save(
    db: &Db,
    actor: &Actor,
    taxonomy: &str,
    id: Option<i64>,
    form: &TermForm,
) -> Result<std::result::Result<i64, FieldErrors>> {
    actor.require(Cap::ManageCategories, "manage sections and tags")?;
    if taxonomy != term::CATEGORY && taxonomy != term::TAG {
        return Err(Error::NotFound);
    }
    if let Some(id) = id {
        term::get(db, id)
            .await?
            .filter(|t| t.taxonomy == taxonomy)
            .ok_or(Error::NotFound)?;
    }
    let name = form.name.trim();
    let description = form.description.trim();
    let mut errors = FieldErrors::new();
    for (field, value, kind) in [
        ("name", name, Kind::Line),
        ("slug", form.slug.trim(), Kind::Line),
        ("description", description, Kind::Long),
    ] {
        if let Err(m) = input::check(value, kind) {
            errors.insert(field, m);
        }
    }
    if name.is_empty() {
        errors
            .entry("name")
            .or_insert_with(|| "Please give it a name.".into());
    } else if name.chars().count() > 200 {
        errors.insert("name", "A name can have at most 200 characters.".into());
    }
    if description.chars().count() > 5000 {
        errors.insert(
            "description",
            "A description can have at most 5,000 characters.".into(),
        );
    }
    let slug = slug::slugify(form.slug_or_name());
    if term::by_slug(db, taxonomy, &slug)
        .await?
        .is_some_and(|t| Some(t.id) != id)
    {
        errors.insert(
            "slug",
            format!("Another one already has the address “{slug}”."),
        );
    }
    let parent_id = if taxonomy == term::CATEGORY {
        form.parent_id.filter(|p| *p > 0)
    } else {
        None
    };
    if let Some(parent) = parent_id {
        let all = term::all(db, term::CATEGORY).await?;
        if !all.iter().any(|t| t.id == parent) {
            errors.insert("parent_id", "That parent section no longer exists.".into());
        } else if let Some(id) = id
            && term::descendants(&all, id).contains(&parent)
        {
            errors.insert(
                "parent_id",
                "A section cannot sit inside itself or one of its own subsections.".into(),
            );
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let new = NewTerm {
        taxonomy: taxonomy.into(),
        name: name.into(),
        slug,
        parent_id,
        description: description.into(),
    };
    let audit = actor.audit();
    match id {
        Some(id) => {
            term::update(db, id, &new, &audit).await?;
            Ok(Ok(id))
        }
        None => Ok(Ok(term::insert(db, &new, Some(&audit)).await?)),
    }
}

/// Delete a category or tag (its articles lose it; subsections move up a level).
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<()> {
    actor.require(Cap::ManageCategories, "manage sections and tags")?;
    if term::delete(db, id, &actor.audit()).await? {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}
