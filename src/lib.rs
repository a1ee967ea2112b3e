//! relais: the headless JSON API of resource centres (centres de ressources).
//!
//! The library holds everything; `main.rs` only parses the command line. Tests and benches
//! build the application with [`app`], exactly as the server does.

pub mod auth;
pub mod commands;
pub mod config;
pub mod db;
pub mod enums;
pub mod error;
pub mod health;
pub mod http;
pub mod i18n;
pub mod metrics;
pub mod openapi;
pub mod patterns;
pub mod query;
pub mod resources;
pub mod schema;
pub mod seed;
pub mod state;
pub mod storage;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, middleware, web};
use utoipa_actix_web::AppExt;

use crate::auth::tokens::TokenService;
use crate::config::Config;
use crate::db::{Durability, LocalCluster};
use crate::resources::registrations::offers;
use crate::resources::{trash, webhooks};
pub use crate::state::AppState;

/// The application, as served and as tested.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // The routes; their document, which each worker collects anew, is dropped for the one made
    // once per process.
    let (app, _) = App::new()
        .into_utoipa_app()
        .configure(openapi::routes)
        .split_for_parts();
    let methods = openapi::published().methods.clone();
    // Called once per worker, on its thread: the worker's own pool is opened here.
    app.app_data(web::Data::new(state.for_worker()))
        .app_data(methods.clone())
        .app_data(web::PayloadConfig::new(http::MAX_BODY_BYTES))
        // An id that is not one (`/webhooks/nul`) names no resource: a 404 problem.
        .app_data(
            web::PathConfig::default().error_handler(|_, _| error::ApiError::not_found().into()),
        )
        .service(web::redirect("/docs", "/docs/").permanent())
        .route("/openapi.json", web::get().to(openapi::serve))
        .service(openapi::docs())
        .default_service(web::to(move |req: actix_web::HttpRequest| {
            let methods = methods.clone();
            async move { methods.unrouted(&req) }
        }))
        .wrap(middleware::from_fn(http::methods::head_as_get))
        .wrap(middleware::from_fn(http::idempotency::idempotent))
        .wrap(middleware::from_fn(http::caching::cache_control))
        .wrap(middleware::from_fn(auth::identify))
        .wrap(middleware::from_fn(http::cors::cors))
        .wrap(middleware::from_fn(health::track))
        .wrap(middleware::from_fn(http::language::in_reader_language))
        .wrap(middleware::Compress::default())
}

/// Where the data lives: a URL, and the private cluster when we started one.
pub struct Database {
    pub url: String,
    pub cluster: Option<LocalCluster>,
}

impl Database {
    /// `DATABASE_URL`, or the private cluster in the data folder (created on first use, with
    /// the French demo data unless `RELAIS_DEMO_DATA=false`). Migrations run before this
    /// returns. A database given by `DATABASE_URL` is never seeded unasked (`relais seed`).
    pub async fn open(config: &Config) -> Result<Database, String> {
        let (database, fresh) = match &config.database_url {
            Some(url) => (
                Database {
                    url: url.clone(),
                    cluster: None,
                },
                false,
            ),
            None => {
                let dir = config.data_dir.clone();
                let cluster = tokio::task::spawn_blocking(move || {
                    LocalCluster::start(&dir, Durability::Safe)
                })
                .await
                .map_err(|e| format!("starting the cluster: {e}"))??;
                let fresh = db::ensure_database(&cluster.url("postgres"), "relais").await?;
                let database = Database {
                    url: cluster.url("relais"),
                    cluster: Some(cluster),
                };
                (database, fresh)
            }
        };
        let applied = db::run_migrations(&database.url).await?;
        if !applied.is_empty() {
            log::info!("applied migrations: {}", applied.join(", "));
        }
        if fresh && config.demo_data {
            let pool = db::pool(
                &database.url,
                config::Pooling::command(1),
                Default::default(),
            )?;
            let mut conn = pool
                .get()
                .await
                .map_err(|e| format!("cannot connect: {e}"))?;
            let counts = seed::run(&mut conn)
                .await
                .map_err(|e| format!("loading the demo data failed: {e}"))?;
            log::info!(
                "a new private cluster: loaded the French demo data ({counts}); \
                 RELAIS_DEMO_DATA=false leaves it empty"
            );
        }
        Ok(database)
    }

    pub fn close(self) {
        if let Some(cluster) = self.cluster {
            cluster.stop();
        }
    }
}

/// `relais serve`: runs until SIGINT or SIGTERM, then stops the private cluster if it started it.
pub async fn serve(config: Config) -> Result<(), String> {
    let tokens = TokenService::from_config(&config)?;
    let database = Database::open(&config).await?;
    let files = storage::Files::open(&config.storage, config.file_max_bytes)?;
    // actix's own default, named so that the workers share the pool size out.
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let pooling = config::Pooling {
        size: config.pooling.size.div_ceil(workers),
        ..config.pooling
    };
    let state = web::Data::new(AppState::new(
        &database.url,
        pooling,
        tokens,
        config.login_limits,
        files,
        std::time::Duration::from_secs(config.trash_retention_days * 86_400),
        config.sharing.clone(),
    )?);
    log::info!("relais listens on http://{}", config.bind);
    log::info!("  its documentation: http://{}/docs/", config.bind);
    log::info!(
        "  the upcoming events: http://{}/api/v1/events?from={}",
        config.bind,
        chrono::Utc::now().date_naive()
    );
    log::info!(
        "  a partner page: python3 -m http.server 8000 -d examples/partner-embed, then \
         http://127.0.0.1:8000/?api=http://{}",
        config.bind
    );
    let sweep = tokio::spawn(offers::keep_passing_on(state.clone()));
    let emptying = tokio::spawn(trash::keep_emptying(state.clone()));
    let expiring = tokio::spawn(http::idempotency::keep_expiring(state.clone()));
    webhooks::configure(config.delivering);
    let delivering = tokio::spawn(webhooks::keep_delivering(state.clone()));
    // Made here, before the workers, which share it.
    openapi::published();
    let server = HttpServer::new(move || app(state.clone()))
        .workers(workers)
        .bind(&config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?
        .run();
    let result = server.await.map_err(|e| format!("server error: {e}"));
    sweep.abort();
    emptying.abort();
    expiring.abort();
    delivering.abort();
    tokio::task::spawn_blocking(move || database.close())
        .await
        .map_err(|e| format!("stopping the cluster: {e}"))?;
    result
}
