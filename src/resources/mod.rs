//! The collections. Each lives in its own folder with the same shape (`model.rs`: rows and
//! records; `api.rs`: items, inputs, filters and handlers) and implements [`Resource`], through
//! which the shared steps of reading and writing are written once in [`crud`].

pub mod accounts;
pub mod actors;
pub mod centres;
pub mod changes;
pub mod crud;
pub mod documents;
pub mod events;
pub mod links;
pub mod places;
pub mod registrations;
pub mod relation;
pub mod search;
pub mod sessions;
pub mod shape;
pub mod slugs;
pub mod territories;
pub mod themes;
pub mod trainings;
pub mod users;
pub mod values;

use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::MergePatch;
use crate::query::{Collection, Filters};
use relation::Relation;

/// A row as `caller` receives it.
pub fn shown<R: Resource>(mut item: R::Item, caller: &Caller) -> R::Item {
    R::present(&mut item, caller);
    item
}

/// What the shared handlers need to know of a collection.
pub trait Resource {
    /// A row as the collection's select list reads it, which is also what a caller receives
    /// (declared with [`crate::row!`]).
    type Item: QueryableByName<Pg> + Serialize + Send + Sync + utoipa::ToSchema + 'static;
    /// What a client sends to create an item, and what a patched item must still be.
    type Input: DeserializeOwned + Validate + utoipa::ToSchema + Send;
    /// The list's filter parameters.
    type Filters: Filters;
    /// What a write needs besides the input: `()`, or the parent's id for a sub-resource.
    type Parent: Copy + Send + Sync;

    const COLLECTION: &'static Collection;
    /// What `include=` may embed.
    const RELATIONS: &'static [Relation] = &[];
    /// Whether its lists and items take `fields=` and `include=`.
    const SHAPED: bool = true;
    /// Fields of the item that a patch may not touch.
    const READ_ONLY: &'static [&'static str] = &["id", "created_at", "updated_at"];

    /// Adapts a row to who reads it (contact details for members only, related items the
    /// caller may see); nothing by default.
    fn present(item: &mut Self::Item, caller: &Caller) {
        let _ = (item, caller);
    }
    fn id(item: &Self::Item) -> Uuid;
    fn location(item: &Self::Item) -> String;
    /// Inserts (`existing` is `None`) or replaces the row and its links; returns its id.
    fn save(
        conn: &mut AsyncPgConnection,
        input: Self::Input,
        existing: Option<Uuid>,
        parent: Self::Parent,
    ) -> impl Future<Output = ApiResult<Uuid>> + Send;

    /// Applies a JSON Merge Patch to `current`, which the transaction has locked, and saves
    /// the result; returns its id. By default the patched item must be a valid input again,
    /// and replaces the row; a patch that changes nothing writes nothing.
    fn patch(
        conn: &mut AsyncPgConnection,
        patch: MergePatch,
        current: &Self::Item,
        parent: Self::Parent,
    ) -> impl Future<Output = ApiResult<Uuid>> + Send {
        async move {
            match patch.apply::<Self::Input>(current, Self::READ_ONLY)? {
                Some(input) => Self::save(conn, input, Some(Self::id(current)), parent).await,
                None => Ok(Self::id(current)),
            }
        }
    }

    /// Runs first in a deletion's transaction, before the row named `key` is locked. A resource
    /// whose deletion rewrites other items locks them here: item before links, the order in
    /// which every save takes its locks, so that the two never wait on each other in a circle.
    fn before_delete(
        conn: &mut AsyncPgConnection,
        key: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send {
        let _ = (conn, key);
        async { Ok(()) }
    }
}
