//! `GET /changes`: the tombstones of items that left the caller's view, for integrators that
//! mirror the API. Together with `updated_since=` on each list, a mirror stays in sync without
//! re-reading everything. The database writes them (migrations 000005 and 000009): an item
//! deleted is listed to every role that could see it; an item withdrawn (archived, cancelled,
//! back to draft, or reserved to members) to the roles that no longer see it.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::enums::text_enum;
use crate::error::{ApiResult, ListErrors};
use crate::query::sql::Bind;
use crate::query::{
    Collection, Condition, Filters, Instant, KeyType, ListQuery, Page, Paging, Plan, SortKey,
    Visibility,
};
use crate::schema::deletions;
use crate::state::AppState;

text_enum! {
    /// The collection a deleted item belonged to.
    CollectionName {
        Centres = "centres",
        Actors = "actors",
        Events = "events",
        Trainings = "trainings",
        Sessions = "sessions",
        Documents = "documents",
        Themes = "themes",
    }
}

pub static DELETIONS: Collection = Collection {
    table: "deletions",
    fields: Deletion::FIELDS,
    computed: &[],
    sorts: &[SortKey::new(
        "deleted_at",
        "t.deleted_at",
        KeyType::Timestamp,
    )],
    default_sort: "deleted_at",
    visibility: Visibility::LostBy,
    facets: &[],
    located: false,
};

crate::row! {
    /// An item deleted, or withdrawn from the caller's view.
    #[derive(Debug, Serialize, ToSchema, diesel::QueryableByName)]
    #[diesel(table_name = deletions, check_for_backend(diesel::pg::Pg))]
    pub struct Deletion {
        /// The id the item had.
        pub id: Uuid,
        pub collection: CollectionName,
        pub slug: String,
        /// When the item was deleted, or stopped being visible to the caller.
        pub deleted_at: DateTime<Utc>,
    }
}

/// Filters of the deletion feed.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeFilters {
    /// Tombstones at or after this instant (RFC 3339): the time of your last sync.
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<Instant>,
    pub collection: Option<CollectionName>,
}

impl Filters for ChangeFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(since) = self.since {
            conditions.push(Condition::AtOrAfter {
                column: "t.deleted_at",
                at: Bind::Timestamp(since.0),
            });
        }
        if let Some(collection) = self.collection {
            conditions.push(Condition::text("t.collection", collection.as_str()));
        }
        Ok(conditions)
    }
}

/// Items that left the caller's view, oldest first: deleted, or withdrawn from it (a document
/// archived, an event cancelled or back to draft, an item reserved to members).
///
/// Keep a mirror in sync: read each list with `updated_since=<last sync>`, then this feed with
/// `since=<last sync>`, and remove what it lists. An item that comes back into view is listed
/// again by `updated_since=`, and its tombstone is gone. Sortable field: `deleted_at` (default).
#[utoipa::path(tag = "changes", operation_id = "list_changes", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, ChangeFilters),
    responses((status = 200, description = "A page of deletions", body = Page<Deletion>), ListErrors))]
#[get("/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<ChangeFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let rows = Plan::new(&DELETIONS, caller.role, &query, Vec::new())?
        .run::<Deletion>(&mut conn, &state.counts)
        .await?;
    rows.respond(&query, |deletion| deletion)
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_changes);
}
