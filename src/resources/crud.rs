//! The steps every collection's handlers share: list, read, create, patch, delete. Each write
//! runs in one transaction with its audit entry; a deletion moves the item to the trash.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::audit::{self, Action};
use super::{Resource, feeds, shown, trash};
use crate::auth::{Caller, Role};
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
    let mut response = match shape {
        None => rows.respond(&query, |row| shown::<R>(row, caller))?,
        Some(shape) => {
            let (items, end) = rows.items(|row| shown::<R>(row, caller))?;
            match shape.is_plain() {
                true => end.respond(&query, items)?,
                false => {
                    let shaped = shape.apply(&mut conn, caller, items).await?;
                    end.respond(&query, shaped)?
                }
            }
        }
    };
    if let Some(feed) = R::FEED
        && let Ok(link) = HeaderValue::from_str(&feeds::alternate(feed, &query))
    {
        response.headers_mut().append(header::LINK, link);
    }
    Ok(response)
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
