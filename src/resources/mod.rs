//! The collections. Each lives in its own folder with the same shape (`model.rs`: rows and
//! records; `api.rs`: items, inputs, filters and handlers) and implements [`Resource`], through
//! which the shared steps of reading and writing are written once in [`crud`].

pub mod accounts;
pub mod actors;
pub mod audit;
pub mod centres;
pub mod changes;
pub mod contributions;
pub mod crud;
pub mod documents;
pub mod events;
pub mod feeds;
pub mod linked_data;
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
pub mod trash;
pub mod users;
pub mod values;
pub mod webhooks;

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
use crate::query::{Authorship, Collection, Filters};
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
    /// The collection's name in paths, the audit trail and the trash.
    const NAME: &'static str;
    /// Whether members contribute items (documents, proposed events), and who their authors
    /// are: those read and edit theirs before they are published (see [`contributions`]).
    const CONTRIBUTED: Option<Authorship> = None;
    /// Whether a deletion moves items to the trash (see [`trash`]) rather than for good.
    const TRASHED: bool = true;
    /// What `include=` may embed.
    const RELATIONS: &'static [Relation] = &[];
    /// Whether its lists and items take `fields=` and `include=`.
    const SHAPED: bool = true;
    /// The feed of its lists, which name it in `Link: rel="alternate"`.
    const FEED: Option<&'static feeds::Feed> = None;
    /// Fields of the item that a patch may not touch.
    const READ_ONLY: &'static [&'static str] = &["id", "created_at", "updated_at"];

    /// Adapts a row to who reads it (contact details for members only, related items the
    /// caller may see); nothing by default.
    fn present(item: &mut Self::Item, caller: &Caller) {
        let _ = (item, caller);
    }
    /// Whether `caller` may change `current` at all (patch it, even to no effect, or attach
    /// to it), beyond the role its handler's extractor checks. Yes by default.
    fn may_change(caller: &Caller, current: &Self::Item) -> ApiResult<()> {
        let _ = (caller, current);
        Ok(())
    }
    /// What a write by `caller` must respect beyond the caller's role, which the handler's
    /// extractor checks: `current` is the item patched (`None` for a creation), `input` what
    /// it would become, which the rule may complete. Nothing by default.
    fn admit(
        caller: &Caller,
        current: Option<&Self::Item>,
        input: &mut Self::Input,
    ) -> ApiResult<()> {
        let _ = (caller, current, input);
        Ok(())
    }
    /// The items as schema.org nodes ([`linked_data`]), for `Accept: application/ld+json`;
    /// `None` where the collection is not described there. `origin` makes links absolute.
    fn linked_data(
        conn: &mut AsyncPgConnection,
        items: &[Self::Item],
        origin: &str,
    ) -> impl Future<Output = ApiResult<Option<Vec<serde_json::Value>>>> + Send {
        let _ = (conn, items, origin);
        async { Ok(None) }
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
        caller: &Caller,
        patch: MergePatch,
        current: &Self::Item,
        parent: Self::Parent,
    ) -> impl Future<Output = ApiResult<Uuid>> + Send {
        async move {
            match patch.apply::<Self::Input>(current, Self::READ_ONLY)? {
                Some(mut input) => {
                    Self::admit(caller, Some(current), &mut input)?;
                    Self::save(conn, input, Some(Self::id(current)), parent).await
                }
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
