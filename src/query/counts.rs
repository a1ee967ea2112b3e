//! Totals and facet counts kept between requests for as long as what they count cannot have
//! changed. A list reads the database's snapshot (`pg_current_snapshot()`: which transactions'
//! writes it sees) with its page. A count kept under the same snapshot text is still exact: no
//! transaction has written or ended since, in any session of any server, as the snapshot would
//! then differ. So a list of the same shape and values costs its page alone until the next
//! write, and writes from elsewhere invalidate it as surely as ours. The cache is bounded; the
//! counts least used go first.

use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::collection::FacetCount;
use super::sql::Sql;

/// How many counts are kept: a total is a few bytes, a facet's counts at most 50 values.
const KEPT: usize = 1024;

/// What a statement counted.
#[derive(Clone)]
pub enum Tally {
    Total { total: i64, estimate: bool },
    Facet(Arc<[FacetCount]>),
}

#[derive(Clone)]
struct Kept {
    snapshot: Arc<str>,
    tally: Tally,
}

/// The counts kept by one server, for its database.
pub struct Counts {
    kept: Cache<[u8; 32], Kept>,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            kept: Cache::new(KEPT),
        }
    }
}

/// The snapshot a list's statements see, or one a moment later.
#[derive(QueryableByName)]
pub(super) struct Snapshot {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub snapshot: String,
}

impl Snapshot {
    pub(super) async fn read(conn: &AsyncPgConnection) -> diesel::QueryResult<Arc<str>> {
        let read: Snapshot = Sql::from("SELECT pg_current_snapshot()::text AS snapshot")
            .get_result(&mut &*conn)
            .await?;
        Ok(read.snapshot.into())
    }
}

/// A counting statement, named by the hash of its text and values.
pub(super) struct Key([u8; 32]);

impl Key {
    pub(super) fn of(statement: &Sql) -> Key {
        let (text, binds) = statement.render();
        let mut hash = Sha256::new();
        hash.update(text.as_bytes());
        hash.update([0]);
        hash.update(format!("{binds:?}").as_bytes());
        Key(hash.finalize().into())
    }
}

impl Counts {
    /// What the statement `key` counted, if it was counted under `snapshot`.
    pub(super) fn get(&self, key: &Key, snapshot: &str) -> Option<Tally> {
        let kept = self.kept.get(&key.0)?;
        (*kept.snapshot == *snapshot).then_some(kept.tally)
    }

    /// Keeps what the statement `key` counted, run after `snapshot` was read.
    pub(super) fn keep(&self, key: Key, snapshot: &Arc<str>, tally: Tally) {
        let snapshot = snapshot.clone();
        self.kept.insert(key.0, Kept { snapshot, tally });
    }
}
