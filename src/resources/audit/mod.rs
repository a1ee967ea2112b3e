//! The audit trail: each write of the API leaves one entry (who, what, when, and the fields it
//! changed with their old and new values) in the write's own transaction, so that a write
//! rolled back leaves none. Registrations, which change in SQL functions, are followed by a
//! trigger (migration 000018) that reads the same author.

pub mod api;
pub mod model;

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::enums::text_enum;
use crate::error::{ApiError, ApiResult};
use crate::query::sql::{Bind, Sql};

text_enum! {
    /// What a write did.
    Action {
        Create = "create",
        Update = "update",
        Delete = "delete",
        Restore = "restore",
        Purge = "purge",
        Publish = "publish",
        Reject = "reject",
        Upload = "upload",
        RemoveFile = "remove_file",
    }
}

/// Names `caller` as the author of what the rest of the transaction writes.
pub async fn begin(conn: &mut AsyncPgConnection, caller: &Caller) -> ApiResult<()> {
    let mut sql = Sql::from("SELECT set_config('relais.user_id', ");
    sql.bind(Bind::Text(
        caller.user_id.map(|id| id.to_string()).unwrap_or_default(),
    ))
    .push(", true), set_config('relais.role', ")
    .bind(Bind::Text(caller.role.as_str().to_string()))
    .push(", true)");
    sql.execute(conn).await?;
    Ok(())
}

/// Records that `action` changed the item from `before` to `after` (either absent for a
/// creation or a deletion): the database keeps the fields that differ.
pub async fn record<T: Serialize>(
    conn: &mut AsyncPgConnection,
    collection: &'static str,
    item: Uuid,
    action: Action,
    before: Option<&T>,
    after: Option<&T>,
) -> ApiResult<()> {
    let mut sql = Sql::from("SELECT relais_audit(");
    sql.bind(Bind::Text(collection.to_string()))
        .push(", ")
        .bind(Bind::Uuid(item))
        .push(", ")
        .bind(Bind::Text(action.as_str().to_string()));
    for state in [before, after] {
        sql.push(", ");
        match state {
            Some(state) => {
                let json = serde_json::to_string(state)
                    .map_err(|e| ApiError::internal(format!("serialising for the audit: {e}")))?;
                sql.bind(Bind::Text(json)).push("::jsonb");
            }
            None => {
                sql.push("NULL");
            }
        }
    }
    sql.push(")");
    sql.execute(conn).await?;
    Ok(())
}

/// Records that a secret of the item changed (a password, a calendar token): the entry names
/// the field, never a value.
pub async fn record_secret(
    conn: &mut AsyncPgConnection,
    collection: &'static str,
    item: Uuid,
    field: &'static str,
) -> ApiResult<()> {
    // Any two different values: `relais_changes` keeps only the name of a secret field.
    let before = serde_json::json!({ field: false });
    let after = serde_json::json!({ field: true });
    record(
        conn,
        collection,
        item,
        Action::Update,
        Some(&before),
        Some(&after),
    )
    .await
}
