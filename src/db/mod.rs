//! The connection pool, the embedded migrations and the private PostgreSQL cluster.

pub mod cluster;

use diesel::connection::InstrumentationEvent;
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use diesel_async::RunQueryDsl;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use prometheus_client::metrics::counter::Counter;
use std::sync::OnceLock;

use crate::config::Pooling;

pub use cluster::{Durability, LocalCluster};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Pools together, as deadpool counts each: connections open and allowed, those idle, and
/// the requests waiting for one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolsStatus {
    pub size: usize,
    pub max_size: usize,
    pub available: usize,
    pub waiting: usize,
}

/// A pool of `pooling.size` connections, each with its statement timeout. Each connection
/// counts the statements it runs into `queries` (the `relais_database_queries_total` metric).
pub fn pool(database_url: &str, pooling: Pooling, queries: Counter) -> Result<DbPool, String> {
    let mut config = ManagerConfig::default();
    // A connection handed back is reused without a `SELECT 1` round trip first: one whose
    // socket has closed is seen as broken and replaced all the same.
    config.recycling_method = RecyclingMethod::Fast;
    let timeout = pooling.statement_timeout.as_millis();
    config.custom_setup = Box::new(move |url| {
        let queries = queries.clone();
        let url = url.to_string();
        Box::pin(async move {
            let mut conn =
                <AsyncPgConnection as diesel_async::AsyncConnection>::establish(&url).await?;
            if timeout > 0 {
                learn_timeout_message(&mut conn).await;
                diesel::sql_query(format!("SET statement_timeout = {timeout}"))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
            }
            diesel_async::AsyncConnection::set_instrumentation(
                &mut conn,
                move |event: InstrumentationEvent<'_>| {
                    if let InstrumentationEvent::StartQuery { .. } = event {
                        queries.inc();
                    }
                },
            );
            Ok(conn)
        })
    });
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(pooling.size)
        .post_recycle(deadpool::managed::Hook::async_fn(|conn, metrics| {
            Box::pin(bound_statement_cache(conn, metrics.recycle_count))
        }))
        // A request waits at most this long for a connection, then gets a 503.
        .wait_timeout(Some(pooling.wait))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| format!("cannot build the database pool: {e}"))
}

/// What the server says when it cancels a statement for its timeout, in its own language
/// (`lc_messages`), which the driver gives us without the SQLSTATE: learnt from a statement
/// timed out on purpose.
static TIMEOUT_MESSAGE: OnceLock<String> = OnceLock::new();

async fn learn_timeout_message(conn: &mut AsyncPgConnection) {
    if TIMEOUT_MESSAGE.get().is_some() {
        return;
    }
    let probe = diesel::sql_query("SET statement_timeout = 1")
        .execute(conn)
        .await
        .and(
            diesel::sql_query("SELECT pg_sleep(0.1)")
                .execute(conn)
                .await,
        );
    match probe {
        Err(diesel::result::Error::DatabaseError(_, info)) => {
            let _ = TIMEOUT_MESSAGE.set(info.message().to_string());
        }
        other => log::warn!("the statement timeout could not be observed: {other:?}"),
    }
}

/// Whether the server's `message` says a statement ran past its timeout.
pub fn is_statement_timeout(message: &str) -> bool {
    TIMEOUT_MESSAGE.get().is_some_and(|known| known == message)
}

/// Prepared statements a connection keeps at most, give or take what it prepares between two
/// checks: each list shape is parsed and planned once per connection, and a client cycling
/// through every combination of filters cannot make a connection's memory grow without end.
const CACHED_STATEMENTS: i64 = 500;
/// Every how many checkouts a connection counts its prepared statements.
const CACHE_CHECK_EVERY: usize = 64;

#[derive(QueryableByName)]
struct Prepared {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// Empties a connection's statement cache once it holds more than [`CACHED_STATEMENTS`]
/// (diesel's cache is unbounded or disabled; emptying it deallocates its statements).
async fn bound_statement_cache(
    conn: &mut AsyncPgConnection,
    recycled: usize,
) -> deadpool::managed::HookResult<diesel_async::pooled_connection::PoolError> {
    use diesel::connection::CacheSize;
    use diesel_async::AsyncConnection;
    if recycled % CACHE_CHECK_EVERY != 0 {
        return Ok(());
    }
    let prepared: QueryResult<Prepared> =
        diesel::sql_query("SELECT count(*) AS count FROM pg_prepared_statements")
            .get_result(conn)
            .await;
    if prepared.is_ok_and(|p| p.count > CACHED_STATEMENTS) {
        conn.set_prepared_statement_cache_size(CacheSize::Disabled);
        conn.set_prepared_statement_cache_size(CacheSize::Unbounded);
    }
    Ok(())
}

/// Runs the pending migrations. Diesel's migration harness is synchronous, so it runs on a
/// blocking thread through the async connection wrapper (no libpq involved).
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, String> {
    let url = database_url.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| format!("cannot connect to the database to migrate it: {e}"))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| format!("migration failed: {e}"))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    })
    .await
    .map_err(|e| format!("migration task failed: {e}"))?
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Creates `name` on the server of `admin_url` unless it exists already; `true` when it
/// created it.
pub async fn ensure_database(admin_url: &str, name: &str) -> Result<bool, String> {
    use diesel_async::AsyncConnection;
    let mut conn = AsyncPgConnection::establish(admin_url)
        .await
        .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
    let found: Exists =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(&mut conn)
            .await
            .map_err(|e| format!("cannot list databases: {e}"))?;
    if !found.exists {
        // The name is ours (a constant or a generated test name), never user input.
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("cannot create database {name}: {e}"))?;
    }
    Ok(!found.exists)
}

/// `true` when a trivial query succeeds within a second.
pub async fn is_ready(pool: &DbPool) -> bool {
    let check = async {
        let mut conn = pool.get().await.ok()?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await.ok()
    };
    matches!(
        tokio::time::timeout(std::time::Duration::from_secs(1), check).await,
        Ok(Some(_))
    )
}
