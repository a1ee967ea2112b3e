//! What every handler can reach: its worker's pool, the token service, the login limiter, the
//! counts kept by the lists, the metrics, the file store, the trash's retention and how other
//! sites are answered.

use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::auth::limiter::LoginLimiter;
use crate::auth::tokens::TokenService;
use crate::config::{LoginLimits, Pooling, Sharing};
use crate::db::{self, DbConn, DbPool};
use crate::error::ApiResult;
use crate::metrics;
use crate::query::Counts;
use crate::storage::Files;

/// What every handler can reach: a pool of its own worker's connections, and the rest shared
/// by the whole process.
///
/// tokio-postgres drives each connection from a task of the runtime that opened it. A pool
/// shared by actix's workers (each a single-threaded runtime) hands a worker connections
/// driven by another thread, so every statement crossed threads twice: the thread that had
/// opened them did the database's I/O for all (80 % of a core under load, seen in `top -H`).
/// Each worker therefore has its own pool, opened on its own thread ([`AppState::for_worker`]).
pub struct AppState {
    pub pool: DbPool,
    shared: Arc<Shared>,
}

/// What the workers share.
pub struct Shared {
    pub tokens: TokenService,
    pub limiter: LoginLimiter,
    pub counts: Counts,
    pub metrics: metrics::Metrics,
    pub files: Files,
    /// How long deleted items stay in the trash.
    pub trash_retention: Duration,
    /// How other origins and shared caches are answered.
    pub sharing: Sharing,
    database_url: String,
    /// The size and timeouts of each pool.
    pooling: Pooling,
    /// Every pool of the process, for the metrics.
    pools: Mutex<Vec<DbPool>>,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl AppState {
    /// The state, with a pool of `pooling` connections to `database_url` for whoever holds it
    /// (the background tasks, the tests), and as large a pool for each worker of
    /// [`AppState::for_worker`].
    pub fn new(
        database_url: &str,
        pooling: Pooling,
        tokens: TokenService,
        limits: LoginLimits,
        files: Files,
        trash_retention: Duration,
        sharing: Sharing,
    ) -> Result<Self, String> {
        let metrics = metrics::Metrics::default();
        let pool = db::pool(database_url, pooling, metrics.database_queries.clone())?;
        Ok(AppState {
            pool: pool.clone(),
            shared: Arc::new(Shared {
                tokens,
                limiter: LoginLimiter::new(limits),
                counts: Counts::default(),
                metrics,
                files,
                trash_retention,
                sharing,
                database_url: database_url.to_string(),
                pooling,
                pools: Mutex::new(vec![pool]),
            }),
        })
    }

    /// The state of a worker, called on its thread: the shared part, and a pool of its own,
    /// opened there. A pool that cannot be built (it never could: its settings already built
    /// one) leaves the worker on the process's pool.
    pub fn for_worker(&self) -> AppState {
        let pool = match db::pool(
            &self.database_url,
            self.pooling,
            self.metrics.database_queries.clone(),
        ) {
            Ok(pool) => pool,
            Err(e) => {
                log::error!("{e}; this worker shares the process's pool");
                self.pool.clone()
            }
        };
        if let Ok(mut pools) = self.pools.lock() {
            pools.push(pool.clone());
        }
        AppState {
            pool,
            shared: self.shared.clone(),
        }
    }

    pub async fn conn(&self) -> ApiResult<DbConn> {
        Ok(self.pool.get().await?)
    }
}

impl Shared {
    /// Every pool of the process: the first is the holder's, then each worker's.
    pub fn pools(&self) -> Vec<DbPool> {
        match self.pools.lock() {
            Ok(pools) => pools.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Every pool of the process together: its connections, those idle, and the requests
    /// waiting for one.
    pub fn pools_status(&self) -> db::PoolsStatus {
        self.pools()
            .iter()
            .map(DbPool::status)
            .fold(db::PoolsStatus::default(), |total, status| {
                db::PoolsStatus {
                    size: total.size + status.size,
                    max_size: total.max_size + status.max_size,
                    available: total.available + status.available,
                    waiting: total.waiting + status.waiting,
                }
            })
    }
}
