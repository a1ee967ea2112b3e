//! The steps every collection's handlers share: list, read, create, patch, delete.

use actix_web::{HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::{Resource, shown};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http::{MergePatch, Preconditions, created_response, item_response, updated_response};
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
    // A list that takes no shaping refuses it as it always has: once its query is known good.
    let shape = R::SHAPED
        .then(|| Shape::parse::<R>(&query.shaping))
        .transpose()?;
    let mut conn = state.conn().await?;
    let rows = Plan::new(R::COLLECTION, caller.role, &query, scope)?
        .run::<R::Item>(&mut conn, &state.counts)
        .await?;
    let Some(shape) = shape else {
        return rows.respond(&query, |row| shown::<R>(row, caller));
    };
    let (items, end) = rows.items(|row| shown::<R>(row, caller))?;
    if shape.is_plain() {
        return end.respond(&query, items);
    }
    let shaped = shape.apply(&mut conn, caller, items).await?;
    end.respond(&query, shaped)
}

/// One item as `caller` sees it, by id or slug; 404 when hidden.
pub async fn find<R: Resource>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &str,
    scope: Vec<Condition>,
) -> ApiResult<R::Item> {
    let row = R::COLLECTION
        .find::<R::Item>(conn, caller, key, &scope, Lock::None)
        .await?;
    Ok(shown::<R>(row, caller))
}

/// One item, shaped by `fields=` and `include=`. Its ETag is that of the representation sent.
pub async fn get<R: Resource>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    key: &str,
    scope: Vec<Condition>,
    shaping: &Shaping,
) -> ApiResult<HttpResponse> {
    let shape = Shape::parse::<R>(shaping)?;
    let mut conn = state.conn().await?;
    let item = find::<R>(&mut conn, caller, key, scope).await?;
    if shape.is_plain() {
        return item_response(req, &item);
    }
    let shaped = shape.apply(&mut conn, caller, vec![item]).await?;
    item_response(req, &shaped.into_iter().next())
}

pub async fn create<R: Resource>(
    state: &AppState,
    caller: &Caller,
    input: R::Input,
    parent: R::Parent,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let id = conn
        .transaction(async |c| R::save(c, input, None, parent).await)
        .await?;
    let item = find::<R>(&mut conn, caller, &id.to_string(), Vec::new()).await?;
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
    let id = conn
        .transaction(async |c| {
            let row = R::COLLECTION
                .find::<R::Item>(c, caller, key, &scope, Lock::ForUpdate)
                .await?;
            let current = shown::<R>(row, caller);
            preconditions.check(&current)?;
            R::patch(c, patch, &current, parent).await
        })
        .await?;
    let item = find::<R>(&mut conn, caller, &id.to_string(), Vec::new()).await?;
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
        R::before_delete(c, key).await?;
        let row = R::COLLECTION
            .find::<R::Item>(c, caller, key, &scope, Lock::ForUpdate)
            .await?;
        let current = shown::<R>(row, caller);
        preconditions.check(&current)?;
        let mut sql = Sql::from("DELETE FROM ");
        sql.push(R::COLLECTION.table)
            .push(" WHERE id = ")
            .bind(Bind::Uuid(R::id(&current)));
        sql.execute(c).await.map_err(ApiError::from_delete)?;
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
