//! `fields=` (sparse fieldsets) and `include=` (related items embedded under `included`), on
//! every collection's lists and items, written once.
//!
//! An included relation is loaded in one query for the whole page, through the target
//! collection's own select list and visibility: the caller sees embedded items exactly as it
//! would read them (no hidden document, no contact details for the public).

use diesel_async::AsyncPgConnection;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use utoipa::openapi::{RefOr, Schema};
use uuid::Uuid;

use super::relation::Relation;
use super::{Resource, shown};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::msg;
use crate::query::{Keys, Shaping};

/// A relation to one item of `R`, by the id in `field`.
pub const fn one<R: Resource>(name: &'static str, field: &'static str) -> Relation {
    Relation {
        name,
        field,
        load: load_from::<R>,
        schema: schema_name::<R>,
        by_slug: false,
        many: false,
    }
}

/// A relation to items of `R`, by the list of ids in `field`, in its order.
pub const fn many<R: Resource>(name: &'static str, field: &'static str) -> Relation {
    Relation {
        many: true,
        ..one::<R>(name, field)
    }
}

fn schema_name<R: Resource>() -> String {
    <R::Item as utoipa::ToSchema>::name().into_owned()
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
        if !R::SHAPED
            && let Some(name) = [("fields", &shaping.fields), ("include", &shaping.include)]
                .into_iter()
                .find_map(|(name, given)| given.is_some().then_some(name))
        {
            return Err(ApiError::bad_request(msg!(
                "unknown-parameter",
                name = name
            )));
        }
        let fields = match &shaping.fields {
            None => None,
            Some(list) => {
                let known = item_fields::<R::Item>();
                let mut chosen = BTreeSet::new();
                for name in names(list) {
                    if !known.iter().any(|k| k == name) {
                        return Err(ApiError::bad_request(msg!(
                            "fields-unknown",
                            name = name.to_string(),
                            fields = known.join(", ")
                        )));
                    }
                    chosen.insert(name.to_string());
                }
                if chosen.is_empty() {
                    return Err(ApiError::bad_request(msg!("fields-empty")));
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
            return Err(ApiError::bad_request(msg!("include-empty")));
        }
        for name in shaping.include.as_deref().map(names).into_iter().flatten() {
            let relation = R::RELATIONS
                .iter()
                .find(|r| r.name == name)
                .ok_or_else(|| {
                    let known: Vec<_> = R::RELATIONS.iter().map(|r| r.name).collect();
                    ApiError::bad_request(match known.as_slice() {
                        [] => msg!("include-none", name = name.to_string()),
                        _ => msg!(
                            "include-unknown",
                            name = name.to_string(),
                            relations = known.join(", ")
                        ),
                    })
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
                let keys = if relation.by_slug {
                    Keys::Slugs(keys.into_iter().collect())
                } else {
                    Keys::Ids(
                        keys.iter()
                            .filter_map(|k| Uuid::parse_str(k).ok())
                            .collect(),
                    )
                };
                (relation.load)(conn, caller, keys).await?
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

/// The items of `R` with these keys, as the caller sees them, by key.
fn load_from<'a, R: Resource>(
    conn: &'a mut AsyncPgConnection,
    caller: &'a Caller,
    keys: Keys,
) -> LocalBoxFuture<'a, ApiResult<HashMap<String, Value>>> {
    Box::pin(async move {
        let key = match keys {
            Keys::Slugs(_) => "slug",
            Keys::Ids(_) => "id",
        };
        let rows = R::COLLECTION
            .find_all::<R::Item>(conn, caller, keys)
            .await?;
        rows.into_iter()
            .map(|row| {
                let value = serde_json::to_value(shown::<R>(row, caller))
                    .map_err(|e| ApiError::internal(format!("serialising an item: {e}")))?;
                let found = value[key].as_str().unwrap_or_default().to_string();
                Ok((found, value))
            })
            .collect()
    })
}

/// The top-level fields of an item, from its schema: what `fields=` may name.
pub fn item_fields<T: utoipa::PartialSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}
