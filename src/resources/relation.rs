//! Something an item refers to, that `include=` can embed: below the collections, which
//! declare their relations, and below `shape`, which builds and follows them.

use diesel_async::AsyncPgConnection;
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use std::collections::HashMap;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::query::Keys;

/// Reads the items of a relation's target, by the key the relation holds (id or slug).
pub type Loader = for<'a> fn(
    &'a mut AsyncPgConnection,
    &'a Caller,
    Keys,
) -> LocalBoxFuture<'a, ApiResult<HashMap<String, Value>>>;

/// Something an item refers to, that `include=` can embed.
#[derive(Debug)]
pub struct Relation {
    /// The name in `include=`, and under `included`.
    pub name: &'static str,
    /// The item's field that holds the reference(s): an id or slug, or a list of them.
    pub field: &'static str,
    /// Reads the target collection.
    pub load: Loader,
    /// The schema of the target's items.
    pub schema: fn() -> String,
    /// Whether the field holds slugs (themes) rather than ids.
    pub by_slug: bool,
    /// Whether the field holds a list.
    pub many: bool,
}
