//! Boots the application as in production on a database of its own, cloned from a migrated
//! template, on the private test cluster (or on the server of `DATABASE_URL` when set).

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use relais::auth::tokens::TokenService;
use relais::auth::{AccountRole, Role};
use relais::config::{LoginLimits, Pooling, Sharing};
use relais::db::{Durability, LocalCluster};
use relais::storage::{Files, Storage};
use relais::{AppState, app};
pub use reqwest::Method;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use uuid::Uuid;

/// Every database of a run is named `relais_test_<run>_…`; the run holds an advisory lock
/// on its number for as long as its process lives, so that a later run drops the databases of
/// runs that have ended (a test that panicked keeps its database) and only those.
const PREFIX: &str = "relais_test_";
const RUN_LOCK: i32 = 0x7265_6c61; // "rela"
pub const SECRET: &str = "a-test-secret-of-at-least-thirty-two-bytes";
pub const ISSUER: &str = "relais";
pub const AUDIENCE: &str = "relais-api";
pub const PASSWORD: &str = "mot-de-passe-de-test";
/// The file size limit of the test servers: small, so that a test can pass it.
pub const FILE_MAX_BYTES: u64 = 1024 * 1024;
/// The pool of a test's server: 4 connections, as long to wait and to run as in production.
pub const POOLING: Pooling = Pooling {
    size: 4,
    wait: std::time::Duration::from_secs(5),
    statement_timeout: std::time::Duration::from_secs(5),
};
/// The one origin whose pages may make authenticated calls to the test servers.
pub const PARTNER_ORIGIN: &str = "https://www.pole-zones-humides.example";

/// The server's admin URL, with `{db}` where the database name goes.
struct Server {
    url_pattern: String,
    /// This run's number, in the names of its databases.
    run: String,
    admin_id: Uuid,
    member_id: Uuid,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

fn server() -> &'static Server {
    let server = SERVER.get_or_init(|| {
        // Set up once for the whole run, on a thread with a runtime of its own.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(prepare())
        })
        .join()
        .map_err(|_| "the test set-up panicked".to_string())
        .and_then(|r| r)
    });
    match server {
        Ok(server) => server,
        Err(e) => panic!("cannot prepare the test database: {e}"),
    }
}

fn url_for(pattern: &str, db: &str) -> String {
    pattern.replace("{db}", db)
}

async fn prepare() -> Result<Server, String> {
    let url_pattern = match std::env::var("DATABASE_URL") {
        Ok(url) => {
            // Keep scheme, credentials and host; swap the database name.
            let (base, _) = url
                .rsplit_once('/')
                .ok_or_else(|| format!("DATABASE_URL has no database name: {url}"))?;
            format!("{base}/{{db}}")
        }
        Err(_) => {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".relais/test");
            let cluster = LocalCluster::start(&dir, Durability::Fast)?;
            // The test cluster stays up for later runs; .ci/run stops it.
            url_for(&cluster.url("{db}"), "{db}")
        }
    };
    let admin = url_for(&url_pattern, "postgres");
    let mut conn = AsyncPgConnection::establish(&admin)
        .await
        .map_err(|e| format!("cannot connect to {admin}: {e}"))?;
    let number = i32::from_be_bytes(Uuid::new_v4().as_bytes()[..4].try_into().expect("4 bytes"));
    hold_lease(&admin, number).await?;
    drop_ended_runs(&mut conn).await?;
    let run = format!("{:08x}", number);
    let template = format!("{PREFIX}{run}_template");
    diesel::sql_query(format!("CREATE DATABASE {template}"))
        .execute(&mut conn)
        .await
        .map_err(|e| format!("cannot create the template: {e}"))?;
    let template_url = url_for(&url_pattern, &template);
    relais::db::run_migrations(&template_url).await?;
    // Two accounts, hashed once here rather than in every test.
    let mut template = AsyncPgConnection::establish(&template_url)
        .await
        .map_err(|e| e.to_string())?;
    let admin_id = relais::resources::users::api::create_account(
        &mut template,
        "admin@relais.test",
        PASSWORD,
        AccountRole::Admin,
    )
    .await
    .map_err(|e| e.to_string())?;
    let member_id = relais::resources::users::api::create_account(
        &mut template,
        "membre@relais.test",
        PASSWORD,
        AccountRole::Member,
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(Server {
        url_pattern,
        run,
        admin_id,
        member_id,
    })
}

/// Holds this run's advisory lock on a connection of its own, on a thread of its own, until
/// the process ends.
async fn hold_lease(admin: &str, number: i32) -> Result<(), String> {
    let admin = admin.to_string();
    let (taken, lease) = std::sync::mpsc::channel::<Result<(), String>>();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return drop(taken.send(Err(e.to_string()))),
        };
        runtime.block_on(async {
            let lock = async || {
                let mut conn = AsyncPgConnection::establish(&admin)
                    .await
                    .map_err(|e| e.to_string())?;
                diesel::sql_query(format!("SELECT pg_advisory_lock({RUN_LOCK}, {number})"))
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok::<_, String>(conn)
            };
            let mut conn = match lock().await {
                Ok(conn) => conn,
                Err(e) => return drop(taken.send(Err(e))),
            };
            drop(taken.send(Ok(())));
            // Should the server close the connection (an idle timeout), the lease is taken
            // again at once, so that no other run takes this one for ended.
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                if diesel::sql_query("SELECT 1")
                    .execute(&mut conn)
                    .await
                    .is_err()
                    && let Ok(again) = lock().await
                {
                    conn = again;
                }
            }
        });
    });
    lease
        .recv()
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot take this run's lease: {e}"))
}

/// Drops the databases of runs that have ended: those whose lease no process holds.
async fn drop_ended_runs(conn: &mut AsyncPgConnection) -> Result<(), String> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Free {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        free: bool,
    }
    let names: Vec<Name> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE left(datname, {}) = '{PREFIX}'",
        PREFIX.len()
    ))
    .load(conn)
    .await
    .map_err(|e| e.to_string())?;
    let mut ended: Vec<String> = Vec::new();
    for name in names {
        let rest = name.datname.strip_prefix(PREFIX).unwrap_or_default();
        let run = rest.split('_').next().unwrap_or_default();
        let number = u32::from_str_radix(run, 16).ok().filter(|_| run.len() == 8);
        let Some(number) = number.map(|n| n as i32) else {
            // Named before runs had numbers: dropped unless something still uses it.
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\"", name.datname))
                .execute(conn)
                .await;
            continue;
        };
        let is_ended = ended.iter().any(|r| r == run) || {
            let free: Free = diesel::sql_query(format!(
                "SELECT pg_try_advisory_lock({RUN_LOCK}, {number}) AS free"
            ))
            .get_result(conn)
            .await
            .map_err(|e| e.to_string())?;
            if free.free {
                diesel::sql_query(format!("SELECT pg_advisory_unlock({RUN_LOCK}, {number})"))
                    .execute(conn)
                    .await
                    .map_err(|e| e.to_string())?;
                ended.push(run.to_string());
            }
            free.free
        };
        if is_ended {
            drop_database(conn, &name.datname).await?;
        }
    }
    Ok(())
}

async fn drop_database(conn: &mut AsyncPgConnection, name: &str) -> Result<(), String> {
    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(|e| format!("cannot drop {name}: {e}"))
}

/// Who sends a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum As {
    Public,
    Member,
    Admin,
}

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub client: reqwest::Client,
    admin: String,
    member: String,
    database: String,
    server: actix_web::dev::ServerHandle,
    /// The server's state: its pool, to look at its connections.
    pub state: actix_web::web::Data<AppState>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// The field names of a 422's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|tokens| tokens).await
    }

    /// With the token service adapted (previous secrets, an external provider).
    pub async fn spawn_with(adapt: impl FnOnce(TokenService) -> TokenService) -> TestApp {
        Self::spawn_full(adapt, POOLING).await
    }

    /// With its pool of database connections set as `pooling` says.
    pub async fn spawn_pooled(pooling: Pooling) -> TestApp {
        Self::spawn_full(|tokens| tokens, pooling).await
    }

    async fn spawn_full(
        adapt: impl FnOnce(TokenService) -> TokenService,
        pooling: Pooling,
    ) -> TestApp {
        // RUST_LOG=relais=debug shows the server's log, captured per test.
        let _ = env_logger::builder().is_test(true).try_init();
        let server = server();
        let database = format!("{PREFIX}{}_{}", server.run, Uuid::new_v4().simple());
        let admin_url = url_for(&server.url_pattern, "postgres");
        let mut conn = AsyncPgConnection::establish(&admin_url)
            .await
            .expect("connect to the test server");
        diesel::sql_query(format!(
            "CREATE DATABASE {database} TEMPLATE {PREFIX}{}_template",
            server.run
        ))
        .execute(&mut conn)
        .await
        .expect("create the test database");
        let database_url = url_for(&server.url_pattern, &database);
        let tokens = TokenService::new(SECRET.as_bytes(), ISSUER, AUDIENCE).expect("token service");
        let admin = tokens
            .issue(server.admin_id, Role::Admin)
            .expect("admin token");
        let member = tokens
            .issue(server.member_id, Role::Member)
            .expect("member token");
        let state = actix_web::web::Data::new(
            AppState::new(
                &database_url,
                pooling,
                adapt(
                    TokenService::new(SECRET.as_bytes(), ISSUER, AUDIENCE).expect("token service"),
                ),
                LoginLimits {
                    window_seconds: 2,
                    per_account: 3,
                    per_address: 6,
                },
                Files::open(
                    &Storage::Folder(std::env::temp_dir().join(format!("relais-files-{database}"))),
                    FILE_MAX_BYTES,
                )
                .expect("a folder for files"),
                std::time::Duration::from_secs(30 * 86_400),
                Sharing {
                    cors_origins: vec![PARTNER_ORIGIN.to_string()],
                    ..Sharing::default()
                },
            )
            .expect("state"),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        let served = state.clone();
        let http = actix_web::HttpServer::new(move || app(served.clone()))
            .workers(1)
            .listen(listener)
            .expect("listen")
            .run();
        let handle = http.handle();
        actix_web::rt::spawn(http);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            database_url,
            client: reqwest::Client::new(),
            admin,
            member,
            database,
            server: handle,
            state,
        }
    }

    pub fn token(&self, who: As) -> Option<&str> {
        match who {
            As::Public => None,
            As::Member => Some(&self.member),
            As::Admin => Some(&self.admin),
        }
    }

    /// A request as `who`, to a path under the server.
    pub fn request(&self, method: Method, path: &str, who: As) -> reqwest::RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match self.token(who) {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("send the request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("read the body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, who: As) -> Reply {
        self.send(self.request(Method::GET, path, who)).await
    }

    pub async fn post(&self, path: &str, body: &Value, who: As) -> Reply {
        self.send(self.request(Method::POST, path, who).json(body))
            .await
    }

    pub async fn patch(&self, path: &str, body: &Value, who: As) -> Reply {
        let request = self
            .request(Method::PATCH, path, who)
            .header("content-type", "application/merge-patch+json")
            .body(body.to_string());
        self.send(request).await
    }

    pub async fn delete(&self, path: &str, who: As) -> Reply {
        self.send(self.request(Method::DELETE, path, who)).await
    }

    /// Creates an item as admin and returns it.
    pub async fn create(&self, collection: &str, body: Value) -> Value {
        self.post(&format!("/api/v1/{collection}"), &body, As::Admin)
            .await
            .expect(201)
    }

    pub async fn theme(&self, slug: &str, parent: Option<&str>) -> Value {
        self.create(
            "themes",
            json!({"slug": slug, "label": slug.replace('-', " "), "parent": parent}),
        )
        .await
    }

    pub async fn centre(&self, slug: &str) -> Value {
        self.create(
            "centres",
            json!({"slug": slug, "name": format!("Centre {slug}"), "scope": "regional", "territory": "Occitanie"}),
        )
        .await
    }

    pub async fn actor(&self, name: &str) -> Value {
        self.create(
            "actors",
            json!({"kind": "person", "name": name, "email": "contact@example.fr", "phone": "+33 5 61 00 00 00"}),
        )
        .await
    }

    /// A published public event of `centre` on `day` (2027-03-DD).
    pub async fn event(&self, centre: &Value, title: &str, day: u32, extra: Value) -> Value {
        let mut body = json!({
            "title": title,
            "kind": "journee_technique",
            "centre_id": centre["id"],
            "starts_at": format!("2027-03-{day:02}T09:30:00+01:00"),
            "ends_at": format!("2027-03-{day:02}T17:00:00+01:00"),
            "format": "in_person",
            "status": "published",
            "capacity": 40,
        });
        merge(&mut body, extra);
        self.create("events", body).await
    }
}

/// Shallow-merges `extra` into `body`.
pub fn merge(body: &mut Value, extra: Value) {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent at once; waiting for it would block this very runtime.
        drop(self.server.stop(false));
        drop_database_now(&self.database);
    }
}

/// What the contract check needs to know of a collection.
pub struct Crud<'a> {
    /// `/api/v1/centres`
    pub path: &'a str,
    /// A valid body, without a slug.
    pub valid: Value,
    /// The slug the server makes from it.
    pub generated_slug: &'a str,
    /// A body with invalid fields…
    pub invalid: Value,
    /// …and the fields the 422 must name.
    pub invalid_fields: &'a [&'a str],
    /// A patch and the field it sets.
    pub patch: Value,
    /// A nullable field that a `null` in a patch clears.
    pub nullable: &'a str,
}

/// Walks one collection through every status of the contract: 201, 200, 304, 204, 400, 401,
/// 403, 404, 409, 412, 415 and 422.
pub async fn check_crud(app: &TestApp, crud: Crud<'_>) -> Value {
    let path = crud.path;
    let existing = app.get(path, As::Admin).await.expect(200)["meta"]["total"]
        .as_i64()
        .unwrap_or_default();
    // Writes need an administrator.
    let anonymous = app.post(path, &crud.valid, As::Public).await;
    assert_eq!(anonymous.status, 401);
    assert!(
        anonymous
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer"))
    );
    assert_eq!(
        anonymous.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        app.post(path, &crud.valid, As::Member).await.expect(403)["status"],
        403
    );
    let bad_token = app
        .send(
            app.client
                .post(format!("{}{path}", app.base))
                .bearer_auth("pas-un-jeton")
                .json(&crud.valid),
        )
        .await;
    assert_eq!(bad_token.status, 401);

    // 201 with Location and ETag; the slug is made from the title or name.
    let created = app.post(path, &crud.valid, As::Admin).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.header("location").expect("Location").to_string();
    let etag = created.header("etag").expect("ETag").to_string();
    let item = created.body.clone();
    assert_eq!(item["slug"], crud.generated_slug);
    for field in ["id", "slug", "created_at", "updated_at"] {
        assert!(!item[field].is_null(), "{field} is missing from {item}");
    }
    let id = item["id"].as_str().expect("id");
    assert!(
        location.starts_with("/api/v1/") && location.ends_with(&format!("/sessions/{id}"))
            || location == format!("{path}/{id}"),
        "{location}"
    );

    // Read back by id and by slug; If-None-Match gives 304.
    let read = app.get(&location, As::Admin).await;
    assert_eq!(read.header("etag"), Some(etag.as_str()));
    assert_eq!(read.expect(200), item);
    let by_slug = app
        .get(&format!("{path}/{}", crud.generated_slug), As::Admin)
        .await
        .expect(200);
    assert_eq!(by_slug["id"], item["id"]);
    let cached = app
        .send(
            app.request(Method::GET, &location, As::Admin)
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(cached.status, 304);

    // The same slug again is a conflict; the same title gets a fresh slug.
    let mut duplicate = crud.valid.clone();
    merge(&mut duplicate, json!({"slug": crud.generated_slug}));
    assert_eq!(
        app.post(path, &duplicate, As::Admin).await.expect(409)["status"],
        409
    );
    let second = app.post(path, &crud.valid, As::Admin).await.expect(201);
    assert_eq!(second["slug"], format!("{}-2", crud.generated_slug));

    // 422 names each invalid field; 400 for malformed JSON and unknown fields; 415 for non-JSON.
    let invalid = app.post(path, &crud.invalid, As::Admin).await;
    assert_eq!(invalid.status, 422, "{}", invalid.body);
    let mut fields = invalid.error_fields();
    fields.sort();
    let mut expected: Vec<String> = crud.invalid_fields.iter().map(|f| f.to_string()).collect();
    expected.sort();
    assert_eq!(fields, expected, "{}", invalid.body);
    let malformed = app
        .request(Method::POST, path, As::Admin)
        .header("content-type", "application/json")
        .body("{\"name\":");
    assert_eq!(app.send(malformed).await.status, 400);
    let mut unknown = crud.valid.clone();
    merge(&mut unknown, json!({"couleur": "vert"}));
    let unknown = app.post(path, &unknown, As::Admin).await;
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("couleur"))
    );
    let text = app
        .request(Method::POST, path, As::Admin)
        .header("content-type", "text/plain")
        .body("bonjour");
    assert_eq!(app.send(text).await.status, 415);

    // PATCH: 200 with the change; null clears; a stale If-Match is 412; ids are read-only.
    let patched = app
        .patch(&location, &crud.patch, As::Admin)
        .await
        .expect(200);
    for (field, value) in crud.patch.as_object().expect("patch object") {
        assert_eq!(&patched[field], value, "{field} after patch");
    }
    assert_eq!(patched["slug"], item["slug"], "a patch keeps the slug");
    assert!(patched["updated_at"].as_str() > item["updated_at"].as_str());
    let cleared = app
        .patch(&location, &json!({crud.nullable: null}), As::Admin)
        .await
        .expect(200);
    assert!(
        cleared[crud.nullable].is_null(),
        "{} not cleared: {cleared}",
        crud.nullable
    );
    let stale = app
        .request(Method::PATCH, &location, As::Admin)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", &etag)
        .body(crud.patch.to_string());
    assert_eq!(app.send(stale).await.status, 412);
    let current = app.get(&location, As::Admin).await;
    let fresh_etag = current.header("etag").expect("ETag").to_string();
    // If-Match compares strongly: a weak tag never matches. If-None-Match: * on an item that
    // exists fails, and so does a read asking for a version that is not the current one.
    let conditional = |name: &str, value: String| {
        app.request(Method::PATCH, &location, As::Admin)
            .header("content-type", "application/merge-patch+json")
            .header(name, value)
            .body(crud.patch.to_string())
    };
    for (name, value) in [
        ("if-match", format!("W/{fresh_etag}")),
        ("if-none-match", "*".to_string()),
        ("if-none-match", fresh_etag.clone()),
    ] {
        let reply = app.send(conditional(name, value.clone())).await;
        assert_eq!(reply.status, 412, "{name}: {value}");
    }
    let stale_read = app
        .request(Method::GET, &location, As::Admin)
        .header("if-match", &etag);
    assert_eq!(app.send(stale_read).await.status, 412);
    let fresh = app
        .request(Method::PATCH, &location, As::Admin)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", &fresh_etag)
        .body(crud.patch.to_string());
    assert_eq!(app.send(fresh).await.status, 200);
    let read_only = app
        .patch(&location, &json!({"id": Uuid::new_v4()}), As::Admin)
        .await;
    assert_eq!(read_only.status, 422);
    assert_eq!(read_only.error_fields(), vec!["id"]);
    let invalid_patch = app.patch(&location, &crud.invalid, As::Admin).await;
    assert_eq!(invalid_patch.status, 422);
    assert_eq!(
        app.get(&location, As::Admin).await.expect(200)["slug"],
        item["slug"],
        "nothing half-written"
    );
    assert_eq!(
        app.patch(&location, &crud.patch, As::Member).await.status,
        403
    );
    assert_eq!(
        app.patch(&location, &crud.patch, As::Public).await.status,
        401
    );
    assert_eq!(
        app.patch(
            &format!("{path}/{}", Uuid::new_v4()),
            &crud.patch,
            As::Admin
        )
        .await
        .status,
        404
    );
    let array = app
        .request(Method::PATCH, &location, As::Admin)
        .header("content-type", "application/merge-patch+json")
        .body("[]");
    assert_eq!(app.send(array).await.status, 400);

    // Lists: 200 with both items; unknown parameters and sort fields are 400.
    let list = app.get(path, As::Admin).await.expect(200);
    assert_eq!(list["meta"]["total"], existing + 2);
    assert_eq!(
        app.get(&format!("{path}?couleur=vert"), As::Admin)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get(&format!("{path}?sort=couleur"), As::Admin)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get(&format!("{path}?per_page=101"), As::Admin)
            .await
            .status,
        400
    );

    // DELETE: 403, 401, 204, then 404.
    assert_eq!(app.delete(&location, As::Member).await.status, 403);
    assert_eq!(app.delete(&location, As::Public).await.status, 401);
    assert_eq!(app.delete(&location, As::Admin).await.status, 204);
    assert_eq!(
        app.get(&location, As::Admin).await.expect(404)["status"],
        404
    );
    assert_eq!(app.delete(&location, As::Admin).await.status, 404);
    second
}

/// Published public, published members-only and draft items of a collection: the public sees
/// the first only, members the first two, administrators all three; hidden ones are 404.
pub async fn check_visibility(app: &TestApp, path: &str, body: Value) {
    let mut ids = Vec::new();
    for (audience, status) in [
        ("public", "published"),
        ("members", "published"),
        ("public", "draft"),
    ] {
        let mut item = body.clone();
        merge(
            &mut item,
            json!({"audience": audience, "status": status, "slug": format!("{audience}-{status}")}),
        );
        let created = app.post(path, &item, As::Admin).await.expect(201);
        ids.push(created["id"].as_str().expect("id").to_string());
    }
    for (who, visible) in [(As::Public, 1), (As::Member, 2), (As::Admin, 3)] {
        let list = app.get(path, who).await.expect(200);
        assert_eq!(list["meta"]["total"], visible, "{who:?} sees {visible}");
        assert_eq!(list["data"].as_array().map(Vec::len), Some(visible));
        for (index, id) in ids.iter().enumerate() {
            let status = app.get(&format!("{path}/{id}"), who).await.status;
            assert_eq!(
                status,
                if index < visible { 200 } else { 404 },
                "{who:?} reading item {index}"
            );
        }
    }
    // Filtering on a hidden status finds nothing for the public, and reveals nothing.
    let drafts = app
        .get(&format!("{path}?status=draft"), As::Public)
        .await
        .expect(200);
    assert_eq!(drafts["meta"]["total"], 0);
    let members = app
        .get(&format!("{path}?audience=members"), As::Public)
        .await
        .expect(200);
    assert_eq!(members["meta"]["total"], 0);
    // Hidden items cannot be changed by members either (the write needs an admin anyway).
    assert_eq!(
        app.get(&format!("{path}/public-draft"), As::Member)
            .await
            .status,
        404
    );
}

/// An empty database (no migrations), dropped when the value goes.
pub struct EmptyDatabase {
    pub url: String,
    name: String,
}

impl EmptyDatabase {
    pub async fn create() -> EmptyDatabase {
        let server = server();
        let name = format!("{PREFIX}{}_{}", server.run, Uuid::new_v4().simple());
        let mut conn = AsyncPgConnection::establish(&url_for(&server.url_pattern, "postgres"))
            .await
            .expect("connect");
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE template0"))
            .execute(&mut conn)
            .await
            .expect("create an empty database");
        EmptyDatabase {
            url: url_for(&server.url_pattern, &name),
            name,
        }
    }
}

impl Drop for EmptyDatabase {
    fn drop(&mut self) {
        drop_database_now(&self.name);
    }
}

/// Drops a database from `Drop`, which cannot await: on a thread with a runtime of its own.
fn drop_database_now(name: &str) {
    let name = name.to_string();
    let admin_url = url_for(&server().url_pattern, "postgres");
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        runtime.block_on(async {
            let mut conn = AsyncPgConnection::establish(&admin_url).await.ok()?;
            drop_database(&mut conn, &name).await.ok()
        })
    })
    .join();
}

impl TestApp {
    /// Logs in through the API and returns the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/token",
            &json!({"email": email, "password": password}),
            As::Public,
        )
        .await
    }

    /// A request with an explicit bearer token.
    pub async fn get_with(&self, path: &str, token: &str) -> Reply {
        self.send(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
        )
        .await
    }

    /// A direct connection to this test's database, to check what the API stored.
    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.database_url)
            .await
            .expect("connect to the test database")
    }

    /// The member account's id.
    pub fn member_id(&self) -> Uuid {
        server().member_id
    }
}

/// A member account made for a test, with its actor profile and a token.
pub struct Account {
    pub id: Uuid,
    pub actor_id: Uuid,
    pub token: String,
}

impl TestApp {
    /// `count` member accounts named `prefix-N`, each with a linked actor profile, in one
    /// statement.
    pub async fn members(&self, prefix: &str, count: usize) -> Vec<Account> {
        #[derive(diesel::QueryableByName)]
        struct Ids {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            actor_id: Uuid,
        }
        let mut conn = self.db().await;
        let rows: Vec<Ids> = diesel::sql_query(format!(
            "WITH profiles AS (
                 INSERT INTO actors (slug, kind, name, organisation, category)
                 SELECT '{prefix}-' || n, 'person', 'Lefèvre, Anne ' || n, 'Syndicat mixte du bassin de l''Orb', 'technicien'
                 FROM generate_series(1, {count}) n RETURNING id, slug)
             INSERT INTO users (email, password_hash, role, actor_id)
             SELECT slug || '@exemple.fr', 'sans-objet', 'member', id FROM profiles
             ORDER BY slug COLLATE \"C\" RETURNING id, actor_id"
        ))
        .load(&mut conn)
        .await
        .expect("member accounts");
        let tokens = TokenService::new(SECRET.as_bytes(), ISSUER, AUDIENCE).expect("token service");
        rows.into_iter()
            .map(|row| Account {
                id: row.id,
                actor_id: row.actor_id,
                token: tokens.issue(row.id, Role::Member).expect("token"),
            })
            .collect()
    }

    /// A request as the holder of `token`.
    pub fn request_with(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
    }
}

/// Holds `table` locked from another session until dropped: every statement that reads it
/// waits.
pub struct Locked(AsyncPgConnection);

impl Locked {
    pub async fn table(app: &TestApp, table: &str) -> Locked {
        let mut conn = app.db().await;
        diesel::sql_query("BEGIN")
            .execute(&mut conn)
            .await
            .expect("begin");
        diesel::sql_query(format!("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            .execute(&mut conn)
            .await
            .expect("lock");
        Locked(conn)
    }

    pub async fn release(mut self) {
        diesel::sql_query("ROLLBACK")
            .execute(&mut self.0)
            .await
            .expect("rollback");
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

/// The number a `SELECT count(*) AS count …` statement answers.
pub async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .expect(sql)
        .count
}

/// A `relais serve` process on the test's database, stopped when dropped.
pub struct Process {
    child: Child,
    pub base: String,
}

impl Process {
    /// With `env` added to the server's environment.
    pub async fn start(app: &TestApp, env: &[(&str, &str)]) -> Process {
        Self::start_on(app, &app.database_url, env).await
    }

    /// On the database of `database_url`.
    pub async fn start_on(app: &TestApp, database_url: &str, env: &[(&str, &str)]) -> Process {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("as set up by the test")
            .local_addr()
            .expect("as set up by the test")
            .port();
        let child = Process {
            child: Command::new(env!("CARGO_BIN_EXE_relais"))
                .arg("serve")
                .env("DATABASE_URL", database_url)
                .env("RELAIS_BIND", format!("127.0.0.1:{port}"))
                .env("RELAIS_JWT_SECRET", SECRET)
                .env("RELAIS_DB_POOL_SIZE", "8")
                .env("RUST_LOG", "warn")
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .spawn()
                .expect("start relais serve"),
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if let Ok(reply) = app
                .client
                .get(format!("{}/health/ready", child.base))
                .send()
                .await
                && reply.status() == 200
            {
                return child;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("relais serve did not get ready");
    }
}

impl Process {
    /// Sends `SIGTERM` and waits, at most 30 s, for the process to exit.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("the server's status") {
                return status;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("relais serve did not exit within 30 s of SIGTERM");
    }

    /// Kills the process at once (`SIGKILL`), as a crash would.
    pub fn kill(mut self) {
        self.child.kill().expect("kill the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a Python `script` prints as JSON after reading `text` from its standard input: the
/// feeds are read by maintained parsers that nobody here wrote.
pub fn parsed_by_python(script: &str, text: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("as set up by the test")
        .write_all(text.as_bytes())
        .expect("as set up by the test");
    let output = child.wait_with_output().expect("as set up by the test");
    assert!(output.status.success(), "the parser refused:\n{text}");
    serde_json::from_slice(&output.stdout).expect("as set up by the test")
}

/// The events of an iCalendar text, as Python's `icalendar` parser reads them: summary,
/// start and end (UTC, RFC 3339), location and status.
pub fn parsed_calendar(text: &str) -> Value {
    let script = r#"
import icalendar, json, sys
calendar = icalendar.Calendar.from_ical(sys.stdin.read())
assert calendar.get("VERSION") == "2.0", calendar.get("VERSION")
assert calendar.get("PRODID")
events = []
for event in calendar.walk("VEVENT"):
    events.append({"summary": str(event["SUMMARY"]), "uid": str(event["UID"]),
                   "starts": event.decoded("DTSTART").isoformat(), "ends": event.decoded("DTEND").isoformat(),
                   "location": str(event.get("LOCATION", "")), "status": str(event.get("STATUS", ""))})
print(json.dumps(events))
"#;
    parsed_by_python(script, text)
}

/// Whether a test's outside tool is here: a command on the `PATH`, a Python module
/// (`python3:icalendar`) or a path. Under CI (`CI=true`: `.ci/run` installs every tool) a
/// missing one fails the test; elsewhere the test is skipped with a note saying how to get
/// it, so that `cargo test` needs nothing but Rust and PostgreSQL.
pub fn available(tool: &str, install: &str) -> bool {
    let found = if let Some(module) = tool.strip_prefix("python3:") {
        Command::new("python3")
            .args(["-c", &format!("import {module}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    } else if tool.contains('/') {
        std::path::Path::new(tool).exists()
    } else {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
    };
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is missing ({install})"
        );
        eprintln!("skipped: {tool} is missing ({install})");
    }
    found
}
