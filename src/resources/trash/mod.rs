//! The trash. Deleting a centre, actor, event, training, session or document moves it here
//! whole (migration 000018): it leaves its table, so that every list and read loses it and
//! its tombstone appears in `/changes`, while its row, its links and what its deletion
//! cascaded to are kept until an administrator restores or purges it, or its retention ends.
//! Themes, a shared vocabulary rather than content, are deleted for good.

pub mod api;
pub mod model;

use diesel::QueryableByName;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::resources::audit::{self, Action};
use crate::state::AppState;

/// Moves the row `id` of `table` to the trash, under the collection name `collection`. A row
/// that others still need (a centre with events) stays: 409.
pub async fn move_to_trash(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    table: &'static str,
    collection: &'static str,
    id: Uuid,
) -> ApiResult<()> {
    let mut sql = Sql::from("SELECT relais_trash(");
    sql.bind(Bind::Text(table.to_string()))
        .push("::regclass, ")
        .bind(Bind::Text(collection.to_string()))
        .push(", ")
        .bind(Bind::Uuid(id))
        .push(", ");
    match caller.user_id {
        Some(user) => sql.bind(Bind::Uuid(user)),
        None => sql.push("NULL"),
    };
    sql.push(")");
    sql.execute(conn).await.map_err(ApiError::from_delete)?;
    Ok(())
}

/// Whether a slug of `table` is held by an item in the trash.
pub async fn holds_slug(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    slug: &str,
) -> ApiResult<bool> {
    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        held: bool,
    }
    let mut sql = Sql::from("SELECT EXISTS (SELECT 1 FROM trash WHERE table_name = ");
    sql.bind(Bind::Text(table.to_string()))
        .push(" AND slug = ")
        .bind(Bind::Text(slug.to_string()))
        .push(") AS held");
    Ok(sql.get_result::<Held>(conn).await?.held)
}

/// The slugs of `table` in the trash that start with `prefix`.
pub async fn slugs_like(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    base: &str,
) -> ApiResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::Text)]
        slug: String,
    }
    let mut sql = Sql::from("SELECT slug FROM trash WHERE table_name = ");
    sql.bind(Bind::Text(table.to_string()))
        .push(" AND (slug = ")
        .bind(Bind::Text(base.to_string()))
        .push(" OR slug LIKE ")
        .bind(Bind::Text(format!("{base}-%")))
        .push(")");
    let held: Vec<Held> = sql.load(conn).await?;
    Ok(held.into_iter().map(|h| h.slug).collect())
}

/// What a restore that the database refused means to the client.
fn restore_refused(error: DieselError) -> ApiError {
    match &error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::refused("slug-taken", msg!("restore-slug-taken"))
        }
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            ApiError::refused(
                "link-gone",
                msg!(
                    "restore-link-gone",
                    link = info.constraint_name().unwrap_or("a link").to_string()
                ),
            )
        }
        _ => ApiError::from(error),
    }
}

/// A purged item: its collection, and the file it carried, if any.
#[derive(QueryableByName)]
pub(crate) struct Purged {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    collection: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    file_key: Option<String>,
}

/// `DELETE … RETURNING` what a purge must still clean up: the file of a document.
const PURGED: &str = " RETURNING id, collection, snapshot #>> '{0,rows,0,file_key}' AS file_key";

/// Records the purges in the audit.
async fn record_purges(conn: &mut AsyncPgConnection, purged: &[Purged]) -> ApiResult<()> {
    for item in purged {
        audit::record::<()>(
            conn,
            collection_name(&item.collection),
            item.id,
            Action::Purge,
            None,
            None,
        )
        .await?;
    }
    Ok(())
}

/// The static name of a collection of the trash (the audit names collections statically).
fn collection_name(collection: &str) -> &'static str {
    [
        "centres",
        "actors",
        "events",
        "trainings",
        "sessions",
        "documents",
    ]
    .into_iter()
    .find(|name| *name == collection)
    .unwrap_or("trash")
}

/// Removes the files of purged items from the store; a failure is logged, since the rows
/// are gone already and the file is then only an orphan.
async fn remove_files(state: &AppState, purged: &[Purged]) {
    for key in purged.iter().filter_map(|item| item.file_key.as_deref()) {
        state.files.remove(key).await;
    }
}

/// Purges the items whose retention has ended; the server's own work, in the audit as
/// `system`.
pub async fn purge_expired(state: &AppState) -> ApiResult<usize> {
    let mut sql = Sql::from("DELETE FROM trash WHERE deleted_at < now() - ");
    sql.bind(Bind::Float(state.trash_retention.as_secs_f64()))
        .push(" * interval '1 second'")
        .push(PURGED);
    let mut conn = state.conn().await?;
    let gone = conn
        .transaction(async |c| {
            let gone: Vec<Purged> = sql.load(c).await?;
            record_purges(c, &gone).await?;
            Ok::<_, ApiError>(gone)
        })
        .await?;
    remove_files(state, &gone).await;
    Ok(gone.len())
}

/// Runs [`purge_expired`] every hour, for as long as the server runs.
pub async fn keep_emptying(state: actix_web::web::Data<AppState>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        match purge_expired(&state).await {
            Ok(0) => {}
            Ok(n) => log::info!("purged {n} items whose time in the trash had ended"),
            Err(e) => log::warn!("emptying the trash: {e}"),
        }
    }
}
