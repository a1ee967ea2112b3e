//! The steps every collection's handlers share: list, read, create, patch, delete. Each write
//! runs in one transaction with its audit entry; a deletion moves the item to the trash.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::audit::{self, Action};
use super::{Resource, feeds, linked_data, shown, trash};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::http::negotiation::{self, Representation};
use crate::http::{
    MergePatch, Preconditions, created_response, item_response, item_response_as, updated_response,
};
use crate::query::sql::{Bind, Sql};
use crate::query::{Condition, ListQuery, Lock, Plan, Shaping};
use crate::resources::shape::Shape;
use crate::state::AppState;
use diesel_async::RunQueryDsl;

pub async fn list<R: Resource>(
    state: &AppState,
    caller: &Caller,
    query: ListQuery<R::Filters>,
    scope: Vec<Condition>,
) -> ApiResult<HttpResponse> {
    use Representation::{Csv, Json, LinkedData};
    let representation = negotiation::choose(&query.accepted, &[Json, LinkedData, Csv])?;
    // A list that takes no shaping refuses it as it always has: once its query is known good.
    let shape = R::SHAPED
        .then(|| Shape::parse::<R>(&query.shaping))
        .transpose()?;
    let mut conn = state.conn().await?;
    let rows = Plan::new(R::COLLECTION, caller.role, &query, scope)?
        .run::<R::Item>(&mut conn, &state.counts)
        .await?;
    if shape.is_none() {
        query.unshaped()?;
    }
    let (items, end) = rows.items(|row| shown::<R>(row, caller))?;
    let mut response = match (representation, shape) {
        (LinkedData, _) => {
            let nodes = R::linked_data(&mut conn, &items, &query.origin)
                .await?
                .ok_or_else(|| ApiError::not_acceptable("application/json, text/csv"))?;
            let offset = query.paging.offset();
            let list = linked_data::item_list(nodes, offset, end.total());
            end.respond_as(&query, LinkedData.content_type(), to_json(&list)?)
        }
        (Csv, shape) => {
            let items = match shape {
                Some(shape) if !shape.is_plain() => shape.apply(&mut conn, caller, items).await?,
                _ => items.iter().map(to_value).collect::<ApiResult<_>>()?,
            };
            end.respond_as(&query, Csv.content_type(), negotiation::csv_table(&items)?)
        }
        (Json, Some(shape)) if !shape.is_plain() => {
            let shaped = shape.apply(&mut conn, caller, items).await?;
            end.respond(&query, shaped)?
        }
        (Json, _) => end.respond(&query, items)?,
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Accept"));
    if let Some(feed) = R::FEED
        && let Ok(link) = HeaderValue::from_str(&feeds::alternate(feed, &query))
    {
        headers.append(header::LINK, link);
    }
    Ok(response)
}

fn to_value(item: &impl serde::Serialize) -> ApiResult<serde_json::Value> {
    serde_json::to_value(item).map_err(|e| ApiError::internal(format!("an item as JSON: {e}")))
}

fn to_json(value: &serde_json::Value) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ApiError::internal(format!("serialising: {e}")))
}

/// The row named `key` as `caller` may see it. A member also sees, as an administrator
/// would, the contributions it authored ([`Condition::contributed_by`]), wherever the
/// collection has them: tried only when the first read finds nothing.
async fn locate<R: Resource>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &str,
    scope: &[Condition],
    lock: Lock,
) -> ApiResult<R::Item> {
    let found = R::COLLECTION
        .find::<R::Item>(conn, caller, key, scope, lock)
        .await;
    let contributor = match (&found, R::CONTRIBUTED) {
        (Err(e), Some(authorship)) if e.is_not_found() && caller.role == Role::Member => {
            Condition::contributed_by(caller, authorship)
        }
        _ => None,
    };
    let Some(contributor) = contributor else {
        return found;
    };
    let mut theirs = scope.to_vec();
    theirs.push(contributor);
    let as_author = Caller {
        role: Role::Admin,
        ..*caller
    };
    R::COLLECTION
        .find::<R::Item>(conn, &as_author, key, &theirs, lock)
        .await
}

/// One item as `caller` sees it, by id or slug; 404 when hidden.
pub async fn find<R: Resource>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &str,
    scope: Vec<Condition>,
) -> ApiResult<R::Item> {
    let row = locate::<R>(conn, caller, key, &scope, Lock::None).await?;
    Ok(shown::<R>(row, caller))
}

/// One item as [`find`] reads it, locked for the rest of the transaction.
pub async fn find_for_update<R: Resource>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &str,
    scope: &[Condition],
) -> ApiResult<R::Item> {
    let row = locate::<R>(conn, caller, key, scope, Lock::ForUpdate).await?;
    Ok(shown::<R>(row, caller))
}

/// One item, shaped by `fields=` and `include=`, or as schema.org JSON-LD. Its ETag is that
/// of the representation sent.
pub async fn get<R: Resource>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    key: &str,
    scope: Vec<Condition>,
    shaping: &Shaping,
) -> ApiResult<HttpResponse> {
    use Representation::{Json, LinkedData};
    let accepted = negotiation::accepted(req);
    let representation = negotiation::choose(&accepted, &[Json, LinkedData])?;
    let shape = Shape::parse::<R>(shaping)?;
    let mut conn = state.conn().await?;
    let item = find::<R>(&mut conn, caller, key, scope).await?;
    let mut response = if representation == LinkedData {
        let origin = crate::http::origin(req);
        let node = R::linked_data(&mut conn, std::slice::from_ref(&item), &origin)
            .await?
            .and_then(|nodes| nodes.into_iter().next())
            .ok_or_else(|| ApiError::not_acceptable("application/json"))?;
        let document = linked_data::document(node);
        item_response_as(req, to_json(&document)?, LinkedData.content_type())?
    } else if shape.is_plain() {
        item_response(req, &item)?
    } else {
        let shaped = shape.apply(&mut conn, caller, vec![item]).await?;
        item_response(req, &shaped.into_iter().next())?
    };
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

pub async fn create<R: Resource>(
    state: &AppState,
    caller: &Caller,
    mut input: R::Input,
    parent: R::Parent,
) -> ApiResult<HttpResponse> {
    R::admit(caller, None, &mut input)?;
    let mut conn = state.conn().await?;
    let item = conn
        .transaction(async |c| {
            audit::begin(c, caller).await?;
            let id = R::save(c, input, None, parent).await?;
            let item = find::<R>(c, caller, &id.to_string(), Vec::new()).await?;
            audit::record(c, R::NAME, id, Action::Create, None, Some(&item)).await?;
            Ok::<_, ApiError>(item)
        })
        .await?;
    created_response(&R::location(&item), &item)
}

/// JSON Merge Patch: the patch is applied to the current item, and the result is validated
/// and saved as a whole, under a row lock, so that `If-Match` cannot race another writer.
pub async fn update<R: Resource>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    key: &str,
    patch: MergePatch,
    scope: Vec<Condition>,
    parent: R::Parent,
) -> ApiResult<HttpResponse> {
    let preconditions = Preconditions::of(req);
    let mut conn = state.conn().await?;
    let item = conn
        .transaction(async |c| {
            audit::begin(c, caller).await?;
            let current = find_for_update::<R>(c, caller, key, &scope).await?;
            R::may_change(caller, &current)?;
            preconditions.check(&current)?;
            let id = R::patch(c, caller, patch, &current, parent).await?;
            let item = find::<R>(c, caller, &id.to_string(), Vec::new()).await?;
            audit::record(c, R::NAME, id, Action::Update, Some(&current), Some(&item)).await?;
            Ok::<_, ApiError>(item)
        })
        .await?;
    updated_response(&item)
}

pub async fn delete<R: Resource>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    key: &str,
    scope: Vec<Condition>,
) -> ApiResult<HttpResponse> {
    let preconditions = Preconditions::of(req);
    let mut conn = state.conn().await?;
    conn.transaction(async |c| {
        audit::begin(c, caller).await?;
        R::before_delete(c, key).await?;
        let current = find_for_update::<R>(c, caller, key, &scope).await?;
        preconditions.check(&current)?;
        let id = R::id(&current);
        if R::TRASHED {
            trash::move_to_trash(c, caller, R::COLLECTION.table, R::NAME, id).await?;
        } else {
            let mut sql = Sql::from("DELETE FROM ");
            sql.push(R::COLLECTION.table)
                .push(" WHERE id = ")
                .bind(Bind::Uuid(id));
            sql.execute(c).await.map_err(ApiError::from_delete)?;
        }
        audit::record(c, R::NAME, id, Action::Delete, Some(&current), None).await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
