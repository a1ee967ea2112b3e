//! The places of events and sessions, as the database keeps them (migration 000017): what a
//! change of capacity must respect.

use diesel::QueryableByName;
use diesel::sql_types::Integer;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::msg;
use crate::query::sql::{Bind, Sql};

#[derive(QueryableByName)]
struct Held {
    #[diesel(sql_type = Integer)]
    held_places: i32,
}

/// A capacity below the places already confirmed or offered is refused (409), saying how many
/// they are; raising it moves the waitlist up (a trigger does). The row of `table` is locked
/// by the patch's transaction, so no registration slips in between.
pub async fn check_capacity(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    id: Uuid,
    capacity: Option<i32>,
) -> ApiResult<()> {
    let Some(capacity) = capacity else {
        return Ok(());
    };
    let mut sql = Sql::from("SELECT held_places FROM ");
    sql.push(table).push(" WHERE id = ").bind(Bind::Uuid(id));
    let held = sql.get_result::<Held>(conn).await?.held_places;
    if capacity < held {
        return Err(ApiError::conflict(msg!("capacity-below-held", held = held)));
    }
    Ok(())
}
