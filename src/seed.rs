//! `relais seed`: a realistic French demo data set, drawn from an OFB thematic biodiversity
//! centre and a regional territorial-development centre. It is plain SQL (`seed.sql`) that
//! refers to rows by slug and skips what exists, so running it again changes nothing.

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

const SEED: &str = include_str!("seed.sql");

#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::Text)]
    summary: String,
}

/// Loads the data set in one transaction; returns what the database then holds.
pub async fn run(conn: &mut AsyncPgConnection) -> Result<String, String> {
    conn.transaction::<_, diesel::result::Error, _>(async |c| c.batch_execute(SEED).await)
        .await
        .map_err(|e| format!("loading the data set: {e}"))?;
    let counts: Counts = diesel::sql_query(
        "SELECT format('%s centres, %s actors, %s events, %s trainings with %s sessions, \
                        %s documents, %s themes',
                 (SELECT count(*) FROM centres), (SELECT count(*) FROM actors),
                 (SELECT count(*) FROM events), (SELECT count(*) FROM trainings),
                 (SELECT count(*) FROM training_sessions), (SELECT count(*) FROM documents),
                 (SELECT count(*) FROM themes)) AS summary",
    )
    .get_result(conn)
    .await
    .map_err(|e| format!("counting: {e}"))?;
    Ok(counts.summary)
}
