//! `fields=` (sparse fieldsets) and `include=` (related items embedded under `included`), on
//! every collection's lists and items, written once.
//!
//! An included relation is loaded in one query for the whole page, through the target
//! collection's own select list and visibility: the caller sees embedded items exactly as it
//! would read them (no hidden document, no contact details for the public).

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use super::Resource;
use super::actors::api::Actors;
use super::centres::api::Centres;
use super::documents::api::Documents;
use super::events::api::Events;
use super::sessions::api::Sessions;
use super::themes::api::Themes;
use super::trainings::api::Trainings;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::patterns::Whitelists;
use crate::query::{Keys, Shaping};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

/// The collection a relation points into.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Centres,
    Actors,
    Trainings,
    Documents,
    Themes,
}

impl Target {
    fn schema(self) -> &'static str {
        match self {
            Target::Centres => "Centre",
            Target::Actors => "Actor",
            Target::Trainings => "Training",
            Target::Documents => "Document",
            Target::Themes => "Theme",
        }
    }
}

/// Something an item refers to, that `include=` can embed.
#[derive(Debug)]
pub struct Relation {
    /// The name in `include=`, and under `included`.
    pub name: &'static str,
    /// The item's field that holds the reference(s): an id or slug, or a list of them.
    pub field: &'static str,
    pub target: Target,
    /// Whether the field holds slugs (themes) rather than ids.
    pub by_slug: bool,
    /// Whether the field holds a list.
    pub many: bool,
}

impl Relation {
    /// One item, by the id in `field`.
    pub const fn one(name: &'static str, field: &'static str, target: Target) -> Relation {
        Relation {
            name,
            field,
            target,
            by_slug: false,
            many: false,
        }
    }

    /// Items, by the list of ids in `field`, in its order.
    pub const fn many(name: &'static str, field: &'static str, target: Target) -> Relation {
        Relation {
            many: true,
            ..Relation::one(name, field, target)
        }
    }

    /// The themes an item is tagged with, from its `themes` slugs.
    pub const THEMES: Relation = Relation {
        by_slug: true,
        ..Relation::many("themes", "themes", Target::Themes)
    };
}

/// How the items of a response are to be shaped.
pub struct Shape {
    /// Top-level fields to keep (always with `id` and `included`); all when `None`.
    fields: Option<BTreeSet<String>>,
    include: Vec<&'static Relation>,
}

fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|n| !n.is_empty())
}

impl Shape {
    /// Checks `fields` against the item's schema and `include` against its relations: an
    /// unknown name is a 400 that lists the known ones.
    pub fn parse<R: Resource>(shaping: &Shaping) -> ApiResult<Shape> {
        let fields = match &shaping.fields {
            None => None,
            Some(list) => {
                let known = item_fields::<R::Item>();
                let mut chosen = BTreeSet::new();
                for name in names(list) {
                    if !known.iter().any(|k| k == name) {
                        return Err(ApiError::bad_request(format!(
                            "unknown field `{name}` in `fields`; fields: {}",
                            known.join(", ")
                        )));
                    }
                    chosen.insert(name.to_string());
                }
                if chosen.is_empty() {
                    return Err(ApiError::bad_request("`fields` names no field"));
                }
                Some(chosen)
            }
        };
        let mut include: Vec<&'static Relation> = Vec::new();
        if shaping
            .include
            .as_deref()
            .is_some_and(|list| names(list).next().is_none())
        {
            return Err(ApiError::bad_request("`include` names nothing to include"));
        }
        for name in shaping.include.as_deref().map(names).into_iter().flatten() {
            let relation = R::RELATIONS
                .iter()
                .find(|r| r.name == name)
                .ok_or_else(|| {
                    let known: Vec<_> = R::RELATIONS.iter().map(|r| r.name).collect();
                    ApiError::bad_request(format!(
                        "cannot include `{name}`; this collection includes: {}",
                        if known.is_empty() {
                            "nothing".to_string()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?;
            if !include.iter().any(|r| r.name == relation.name) {
                include.push(relation);
            }
        }
        Ok(Shape { fields, include })
    }

    /// Whether the items go out as they are.
    pub fn is_plain(&self) -> bool {
        self.fields.is_none() && self.include.is_empty()
    }

    /// The items, shaped: one query per included relation, for all of them at once.
    pub async fn apply<T: Serialize>(
        &self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        items: Vec<T>,
    ) -> ApiResult<Vec<Value>> {
        let mut values = items
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::internal(format!("serialising an item: {e}")))?;
        for relation in &self.include {
            let keys: BTreeSet<String> = values
                .iter()
                .flat_map(|v| references(&v[relation.field]))
                .collect();
            let found = if keys.is_empty() {
                HashMap::new()
            } else {
                load(conn, caller, relation, keys.into_iter().collect()).await?
            };
            for value in &mut values {
                let keys = references(&value[relation.field]);
                let embedded = if relation.many {
                    Value::Array(keys.iter().filter_map(|k| found.get(k).cloned()).collect())
                } else {
                    keys.first()
                        .and_then(|k| found.get(k).cloned())
                        .unwrap_or(Value::Null)
                };
                if let Value::Object(map) = value {
                    let included = map
                        .entry("included")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(included) = included {
                        included.insert(relation.name.to_string(), embedded);
                    }
                }
            }
        }
        if let Some(fields) = &self.fields {
            for value in &mut values {
                if let Value::Object(map) = value {
                    map.retain(|key, _| {
                        key == "id" || key == "included" || fields.contains(key.as_str())
                    });
                }
            }
        }
        Ok(values)
    }
}

/// The ids or slugs a field holds.
fn references(value: &Value) -> Vec<String> {
    match value {
        Value::String(key) => vec![key.clone()],
        Value::Array(keys) => keys
            .iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The items of a relation's target with these keys, as the caller sees them, by key.
async fn load(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    relation: &Relation,
    keys: Vec<String>,
) -> ApiResult<HashMap<String, Value>> {
    match relation.target {
        Target::Centres => load_from::<Centres>(conn, caller, relation.by_slug, keys).await,
        Target::Actors => load_from::<Actors>(conn, caller, relation.by_slug, keys).await,
        Target::Trainings => load_from::<Trainings>(conn, caller, relation.by_slug, keys).await,
        Target::Documents => load_from::<Documents>(conn, caller, relation.by_slug, keys).await,
        Target::Themes => load_from::<Themes>(conn, caller, relation.by_slug, keys).await,
    }
}

async fn load_from<R: Resource>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    by_slug: bool,
    keys: Vec<String>,
) -> ApiResult<HashMap<String, Value>> {
    let keys = if by_slug {
        Keys::Slugs(keys)
    } else {
        Keys::Ids(
            keys.iter()
                .filter_map(|k| Uuid::parse_str(k).ok())
                .collect(),
        )
    };
    let rows = R::COLLECTION
        .find_all::<R::Item>(conn, caller, keys)
        .await?;
    let key = if by_slug { "slug" } else { "id" };
    rows.into_iter()
        .map(|row| {
            let value = serde_json::to_value(super::shown::<R>(row, caller))
                .map_err(|e| ApiError::internal(format!("serialising an item: {e}")))?;
            let found = value[key].as_str().unwrap_or_default().to_string();
            Ok((found, value))
        })
        .collect()
}

/// The top-level fields of an item, from its schema: what `fields=` may name.
fn item_fields<T: utoipa::PartialSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Documents `included` in each item's schema, from the same relations that fill it.
/// Also gives `sort`, `facets`, `fields` and `include` the pattern of what each collection takes.
pub fn document(openapi: &mut OpenApi) {
    /// Documents `R`'s whitelists, and returns its item's schema name and its relations.
    fn documented<R: Resource>(openapi: &mut OpenApi) -> (String, &'static [Relation]) {
        let name = <R::Item as utoipa::ToSchema>::name().into_owned();
        let fields = item_fields::<R::Item>();
        let mut whitelists = Whitelists::of(R::COLLECTION, &name);
        whitelists.fields = fields.iter().map(String::as_str).collect();
        whitelists.includes = R::RELATIONS.iter().map(|r| r.name).collect();
        whitelists.document(openapi);
        (name, R::RELATIONS)
    }
    let all = [
        documented::<Centres>(openapi),
        documented::<Actors>(openapi),
        documented::<Events>(openapi),
        documented::<Trainings>(openapi),
        documented::<Sessions>(openapi),
        documented::<Documents>(openapi),
        documented::<Themes>(openapi),
    ];
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for (name, relations) in all {
        if relations.is_empty() {
            continue;
        }
        let Some(RefOr::T(Schema::Object(item))) = components.schemas.get_mut(&name) else {
            continue;
        };
        let mut included = ObjectBuilder::new().description(Some(
            "With `include=`: the related items asked for, as the caller may see them.",
        ));
        for relation in relations {
            let target = Ref::from_schema_name(relation.target.schema());
            let schema: RefOr<Schema> = if relation.many {
                ArrayBuilder::new().items(target).into()
            } else {
                // Null when the item refers to nothing, or to something hidden from the caller.
                OneOfBuilder::new()
                    .item(target)
                    .item(ObjectBuilder::new().schema_type(Type::Null))
                    .into()
            };
            included = included.property(relation.name, schema);
        }
        item.properties
            .insert("included".to_string(), included.into());
    }
}
