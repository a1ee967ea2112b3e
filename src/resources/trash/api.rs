use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::model::{TRASH, TrashEntry, TrashedCollection};
use super::{PURGED, Purged, collection_name, record_purges, remove_files, restore_refused};
use crate::auth::Admin;
use crate::error::{AdminListErrors, ApiError, ApiResult, Problem};
use crate::query::sql::{Bind, Sql};
use crate::query::{Condition, Filters, ListQuery, Lock, Page, Paging, Plan};
use crate::resources::audit::{self, Action};
use crate::state::AppState;

/// Filters of the trash.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrashFilters {
    pub collection: Option<TrashedCollection>,
}

impl Filters for TrashFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        Ok(self
            .collection
            .map(|v| Condition::text("t.collection", v.as_str()))
            .into_iter()
            .collect())
    }
}

/// List the trash (admin): deleted items, the latest first.
///
/// Sortable fields: `deleted_at` (default: `-deleted_at`), `label`. Items are purged for good
/// once their retention ends (`RELAIS_TRASH_RETENTION_DAYS`, 30 days by default).
#[utoipa::path(tag = "trash", operation_id = "list_trash", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(Paging, TrashFilters),
    responses((status = 200, description = "A page of deleted items", body = Page<TrashEntry>), AdminListErrors))]
#[get("/trash")]
pub async fn list_trash(
    state: web::Data<AppState>,
    admin: Admin,
    query: ListQuery<TrashFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Plan::new(&TRASH, admin.0.role, &query, Vec::new())?
        .run::<TrashEntry>(&mut conn, &state.counts)
        .await?
        .respond(&query, |entry| entry)
}

/// The trash entry `id` of `collection`, locked; 404 when there is none.
async fn locked(
    conn: &mut diesel_async::AsyncPgConnection,
    admin: &Admin,
    collection: TrashedCollection,
    id: Uuid,
) -> ApiResult<TrashEntry> {
    let scope = [Condition::text("t.collection", collection.as_str())];
    TRASH
        .find::<TrashEntry>(conn, &admin.0, &id.to_string(), &scope, Lock::ForUpdate)
        .await
}

/// The errors of restoring and purging.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum TrashErrors {
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Not an administrator.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such item in the trash.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// It cannot come back as it was, and `type` says why: `slug-taken`, `link-gone`.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
}

/// Restore an item from the trash (admin), with its links; `Location` says where it is.
///
/// `409` when it cannot come back as it was: its slug is used by another item now
/// (`slug-taken`), or it refers to an item that is gone, such as the training of a session
/// or the centre of an event (`link-gone`); the trash is then left as it was.
#[utoipa::path(tag = "trash", operation_id = "restore_trash_item", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("collection" = TrashedCollection, Path), ("id" = Uuid, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Restored", headers(("Location" = String, description = "The restored item"))),
        TrashErrors,
    ))]
#[post("/trash/{collection}/{id}/restore")]
pub async fn restore_trash_item(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(TrashedCollection, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (collection, id) = path.into_inner();
    let mut conn = state.conn().await?;
    let location = conn
        .transaction(async |c| {
            audit::begin(c, &admin.0).await?;
            let entry = locked(c, &admin, collection, id).await?;
            let mut restore = Sql::from("SELECT relais_restore(");
            restore.bind(Bind::Uuid(id)).push(")");
            restore.execute(c).await.map_err(restore_refused)?;
            audit::record::<()>(
                c,
                collection_name(collection.as_str()),
                id,
                Action::Restore,
                None,
                None,
            )
            .await?;
            Ok::<_, ApiError>(entry.location)
        })
        .await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::LOCATION, location))
        .finish())
}

/// Purge an item from the trash for good (admin), with its file.
#[utoipa::path(tag = "trash", operation_id = "purge_trash_item", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("collection" = TrashedCollection, Path), ("id" = Uuid, Path, description = "The item's id")),
    responses((status = 204, description = "Purged"), TrashErrors))]
#[delete("/trash/{collection}/{id}")]
pub async fn purge_trash_item(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(TrashedCollection, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (collection, id) = path.into_inner();
    let mut conn = state.conn().await?;
    let gone = conn
        .transaction(async |c| {
            audit::begin(c, &admin.0).await?;
            let mut sql = Sql::from("DELETE FROM trash WHERE id = ");
            sql.bind(Bind::Uuid(id))
                .push(" AND collection = ")
                .bind(Bind::Text(collection.as_str().to_string()))
                .push(PURGED);
            let gone: Vec<Purged> = sql.load(c).await?;
            if gone.is_empty() {
                return Err(ApiError::not_found());
            }
            record_purges(c, &gone).await?;
            Ok(gone)
        })
        .await?;
    remove_files(&state, &gone).await;
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_trash)
        .service(restore_trash_item)
        .service(purge_trash_item);
}
