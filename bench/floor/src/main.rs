//! The yardstick of the list benchmark (`bench/lists.sh`): a bare actix-web handler that runs
//! the page statement relais runs for a call, through tokio-postgres with `prepare_cached`, and
//! sends its rows as JSON. No total, no facets, no auth, no shaping, no links: what is left is
//! the price of the database and of HTTP. The statements come from relais's own `Plan`, made
//! once at start, so they are the server's to the byte.
//!
//!   DATABASE_URL=… FLOOR_BIND=127.0.0.1:18081 FLOOR_CALLS=calls.txt relais-floor
//!
//! `FLOOR_CALLS` names a file of calls, one a line: `name role path`, where role is `public`
//! or `member` and path a relais path with its query (`/api/v1/events?from=2026-12-02`).
//! `GET /name` then runs that call's statement. With the argument `explain`, it prints each
//! call's plan as PostgreSQL runs it (`EXPLAIN (ANALYZE, BUFFERS)`) instead of serving.

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, NaiveDate, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use relais::auth::Role;
use relais::query::sql::{Bind, Sql};
use relais::query::{Collection, Filters, ListQuery, Lock, Plan};
use relais::resources::actors::{api::ActorFilters, model::ACTORS};
use relais::resources::documents::{api::DocumentFilters, model::DOCUMENTS};
use relais::resources::events::{api::EventFilters, model::EVENTS};
use serde_json::{Map, Value};
use std::collections::HashMap;
use tokio_postgres::types::{ToSql, Type};
use uuid::Uuid;

/// A call's statement and its values, bound as relais binds them.
struct Statement {
    text: String,
    binds: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Statement {
    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.binds
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

struct Floor {
    pool: Pool,
    calls: std::sync::Arc<HashMap<String, Statement>>,
}

#[actix_web::main]
async fn main() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let calls = std::fs::read_to_string(var("FLOOR_CALLS")?).map_err(|e| e.to_string())?;
    // relais names a list's themes as ids before its page (one round trip): done once here.
    let namer = AsyncPgConnection::establish(&var("DATABASE_URL")?)
        .await
        .map_err(|e| e.to_string())?;
    let mut statements = HashMap::new();
    for line in calls.lines().filter(|line| !line.trim().is_empty()) {
        let (name, statement) = call(&namer, line).await?;
        statements.insert(name, statement);
    }
    let calls = statements;
    let pool_size = std::env::var("RELAIS_DB_POOL_SIZE")
        .ok()
        .and_then(|size| size.parse().ok())
        .unwrap_or(16usize);
    let config: tokio_postgres::Config =
        var("DATABASE_URL")?.parse().map_err(|e| format!("{e}"))?;
    // A pool per worker, opened on its thread, as relais has: tokio-postgres drives each
    // connection from the runtime that opened it, so a pool shared by actix's single-threaded
    // workers would make statements cross threads.
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let pool = move || {
        Pool::builder(Manager::from_config(
            config.clone(),
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        ))
        .max_size(pool_size.div_ceil(workers))
        .build()
        .map_err(|e| e.to_string())
    };
    if std::env::args().nth(1).as_deref() == Some("explain") {
        return explain(&pool()?, &calls).await;
    }
    let calls = std::sync::Arc::new(calls);
    HttpServer::new(move || {
        let floor = pool().map(|pool| Floor {
            pool,
            calls: calls.clone(),
        });
        App::new()
            .app_data(web::Data::new(floor))
            .route("/{call}", web::get().to(run))
    })
    .workers(workers)
    .bind(var("FLOOR_BIND")?)
    .map_err(|e| e.to_string())?
    .run()
    .await
    .map_err(|e| e.to_string())
}

async fn run(floor: web::Data<Result<Floor, String>>, name: web::Path<String>) -> HttpResponse {
    let floor = match floor.as_ref() {
        Ok(floor) => floor,
        Err(e) => return HttpResponse::InternalServerError().body(e.clone()),
    };
    let Some(statement) = floor.calls.get(name.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    match rows(&floor.pool, statement).await {
        Ok(data) => HttpResponse::Ok().json(serde_json::json!({ "data": data })),
        Err(e) => HttpResponse::InternalServerError().body(e),
    }
}

async fn rows(pool: &Pool, statement: &Statement) -> Result<Vec<Value>, String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let prepared = client
        .prepare_cached(&statement.text)
        .await
        .map_err(|e| e.to_string())?;
    let rows = client
        .query(&prepared, &statement.params())
        .await
        .map_err(|e| e.to_string())?;
    rows.iter().map(json).collect()
}

/// Prints each call's statement and its plan, as run.
async fn explain(pool: &Pool, calls: &HashMap<String, Statement>) -> Result<(), String> {
    let client = pool.get().await.map_err(|e| e.to_string())?;
    let mut names: Vec<&String> = calls.keys().collect();
    names.sort();
    for name in names {
        let statement = &calls[name];
        let text = format!("EXPLAIN (ANALYZE, BUFFERS) {}", statement.text);
        let plan = client
            .query(&text, &statement.params())
            .await
            .map_err(|e| e.to_string())?;
        println!("== {name}\n{}", statement.text);
        for line in plan {
            println!(
                "{}",
                line.try_get::<_, String>(0).map_err(|e| e.to_string())?
            );
        }
        println!();
    }
    Ok(())
}

/// A row as a JSON object, each column by its type.
fn json(row: &tokio_postgres::Row) -> Result<Value, String> {
    let mut object = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let value = match *column.type_() {
            Type::UUID => to_value(row.try_get::<_, Option<Uuid>>(i)),
            Type::TEXT | Type::VARCHAR => to_value(row.try_get::<_, Option<String>>(i)),
            Type::TIMESTAMPTZ => to_value(row.try_get::<_, Option<DateTime<Utc>>>(i)),
            Type::DATE => to_value(row.try_get::<_, Option<NaiveDate>>(i)),
            Type::INT4 => to_value(row.try_get::<_, Option<i32>>(i)),
            Type::INT8 => to_value(row.try_get::<_, Option<i64>>(i)),
            Type::FLOAT8 => to_value(row.try_get::<_, Option<f64>>(i)),
            Type::BOOL => to_value(row.try_get::<_, Option<bool>>(i)),
            Type::TEXT_ARRAY => to_value(row.try_get::<_, Option<Vec<String>>>(i)),
            Type::UUID_ARRAY => to_value(row.try_get::<_, Option<Vec<Uuid>>>(i)),
            Type::INT4_ARRAY => to_value(row.try_get::<_, Option<Vec<i32>>>(i)),
            Type::JSONB => to_value(row.try_get::<_, Option<Value>>(i)),
            ref other => Err(format!("no JSON for a column of type {other}")),
        }?;
        object.insert(column.name().to_string(), value);
    }
    Ok(Value::Object(object))
}

fn to_value<T: serde::Serialize>(value: Result<T, tokio_postgres::Error>) -> Result<Value, String> {
    serde_json::to_value(value.map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

/// `name role path` → the call's name and its statement.
async fn call(namer: &AsyncPgConnection, line: &str) -> Result<(String, Statement), String> {
    let mut parts = line.split_whitespace();
    let (Some(name), Some(role), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("a call is `name role path`: {line}"));
    };
    let role = match role {
        "public" => Role::Public,
        "member" => Role::Member,
        other => return Err(format!("unknown role {other}")),
    };
    let sql = statement(namer, role, path)
        .await
        .map_err(|e| format!("{line}: {e}"))?;
    let (text, binds) = sql.render();
    let binds = binds.into_iter().map(bind).collect();
    Ok((name.to_string(), Statement { text, binds }))
}

/// The statement relais runs for `path` read by `role`: a page, or an item by id or slug.
async fn statement(namer: &AsyncPgConnection, role: Role, path: &str) -> Result<Sql, String> {
    let (route, query) = path.split_once('?').unwrap_or((path, ""));
    let segments: Vec<&str> = route.trim_start_matches("/api/v1/").split('/').collect();
    match segments.as_slice() {
        ["events"] => page::<EventFilters>(&EVENTS, role, query, namer).await,
        ["documents"] => page::<DocumentFilters>(&DOCUMENTS, role, query, namer).await,
        ["actors"] => page::<ActorFilters>(&ACTORS, role, query, namer).await,
        [collection, key] => {
            let collection = match *collection {
                "events" => &EVENTS,
                "documents" => &DOCUMENTS,
                "actors" => &ACTORS,
                other => return Err(format!("no collection {other}")),
            };
            collection
                .find_statement(role, key, &[], Lock::None)
                .ok_or_else(|| format!("{key} names nothing"))
        }
        _ => Err("not a list or an item of events, documents or actors".to_string()),
    }
}

async fn page<F: Filters>(
    collection: &'static Collection,
    role: Role,
    query: &str,
    namer: &AsyncPgConnection,
) -> Result<Sql, String> {
    let query = ListQuery::<F>::parse("/", query).map_err(|e| format!("{e:?}"))?;
    let mut plan = Plan::new(collection, role, &query, Vec::new()).map_err(|e| format!("{e:?}"))?;
    plan.name_themes(namer).await.map_err(|e| e.to_string())?;
    Ok(plan.page())
}

fn bind(value: Bind) -> Box<dyn ToSql + Sync + Send> {
    match value {
        Bind::Text(v) => Box::new(v),
        Bind::Uuid(v) => Box::new(v),
        Bind::Bool(v) => Box::new(v),
        Bind::Int(v) => Box::new(v),
        Bind::Float(v) => Box::new(v),
        Bind::Timestamp(v) => Box::new(v),
        Bind::Date(v) => Box::new(v),
        Bind::Texts(v) => Box::new(v),
        Bind::Uuids(v) => Box::new(v),
    }
}
