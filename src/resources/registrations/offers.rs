//! Offered places that lapse pass to the next waitlisted member. Every change of an item's
//! registrations passes on its lapsed offers first; this sweep does it for the items nobody
//! touches, on every server (the items' locks order them, so any number may sweep at once).

use actix_web::web;
use diesel_async::RunQueryDsl;
use std::time::Duration;

use crate::error::ApiResult;
use crate::query::sql::Sql;
use crate::state::AppState;

/// How often a server sweeps.
const EVERY: Duration = Duration::from_secs(30);

/// Sweeps every [`EVERY`], for as long as the server runs.
pub async fn keep_passing_on(state: web::Data<AppState>) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = pass_on_lapsed(&state).await {
            log::warn!("passing on lapsed offers: {e}");
        }
    }
}

/// Passes on every lapsed offer now: the place goes to the next waitlisted member, or back to
/// the pool. Items are locked in the order of their ids, as every sweep does.
pub async fn pass_on_lapsed(state: &AppState) -> ApiResult<()> {
    let mut conn = state.conn().await?;
    Sql::from(
        "SELECT relais_fill_places(event_id, session_id) FROM (SELECT DISTINCT item_id, \
         event_id, session_id FROM registrations WHERE status = 'offered' \
         AND offered_until <= now() ORDER BY item_id) lapsed",
    )
    .execute(&mut conn)
    .await?;
    Ok(())
}
