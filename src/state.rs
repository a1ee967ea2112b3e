//! What every handler can reach: the pool, the token service, the login limiter, the counts
//! kept by the lists, the metrics, the file store, the trash's retention and how other sites
//! are answered.

use std::time::Duration;

use crate::auth::limiter::LoginLimiter;
use crate::auth::tokens::TokenService;
use crate::config::{LoginLimits, Pooling, Sharing};
use crate::db::{self, DbConn, DbPool};
use crate::error::ApiResult;
use crate::metrics;
use crate::query::Counts;
use crate::storage::Files;

/// What every handler can reach.
pub struct AppState {
    pub pool: DbPool,
    pub tokens: TokenService,
    pub limiter: LoginLimiter,
    pub counts: Counts,
    pub metrics: metrics::Metrics,
    pub files: Files,
    /// How long deleted items stay in the trash.
    pub trash_retention: Duration,
    /// How other origins and shared caches are answered.
    pub sharing: Sharing,
}

impl AppState {
    /// The state, with a pool of connections to `database_url`.
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
        Ok(AppState {
            pool: db::pool(database_url, pooling, metrics.database_queries.clone())?,
            tokens,
            limiter: LoginLimiter::new(limits),
            counts: Counts::default(),
            metrics,
            files,
            trash_retention,
            sharing,
        })
    }
}

impl AppState {
    pub async fn conn(&self) -> ApiResult<DbConn> {
        Ok(self.pool.get().await?)
    }
}
