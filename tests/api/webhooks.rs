//! Webhooks: a receiver on loopback verifies each delivery's signature with the Standard
//! Webhooks implementation; changes to public items arrive, hidden ones and rolled-back writes
//! do not, failed attempts are retried, nothing is lost across a server restart, an endpoint
//! that keeps failing is disabled, and private addresses are refused.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use diesel::QueryableByName;
use diesel_async::SimpleAsyncConnection;

use crate::helpers::{As, Method, Process, Reply, TestApp};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the receiver saw.
#[derive(Default)]
struct Received {
    verified: Mutex<Vec<(String, Value)>>,
    forged: AtomicUsize,
    refused: AtomicUsize,
    failing: AtomicBool,
}

struct Receiver {
    url: String,
    seen: Arc<Received>,
    server: actix_web::dev::ServerHandle,
}

impl Receiver {
    async fn start() -> Receiver {
        let seen = Arc::new(Received::default());
        let shared = web::Data::from(seen.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let port = listener.local_addr().expect("a port").port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/hook", web::post().to(receive))
        })
        .workers(1)
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            seen,
            server: handle,
        }
    }

    fn types(&self) -> Vec<String> {
        self.seen
            .verified
            .lock()
            .expect("the receiver's log")
            .iter()
            .map(|(_, payload)| payload["type"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..200 {
            if self.types().len() >= count {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.types()
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, seen: web::Data<Received>) -> HttpResponse {
    if seen.failing.load(Ordering::SeqCst) {
        seen.refused.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::ServiceUnavailable().finish();
    }
    let mut headers = reqwest::header::HeaderMap::new();
    for (name, value) in req.headers() {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(name.as_str().as_bytes()),
            reqwest::header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.insert(name, value);
        }
    }
    let verifier = standardwebhooks::Webhook::new(SECRET).expect("the secret");
    if verifier.verify(&body, &headers).is_err() {
        seen.forged.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::BadRequest().finish();
    }
    let id = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let payload: Value = serde_json::from_slice(&body).expect("a JSON payload");
    seen.verified
        .lock()
        .expect("the receiver's log")
        .push((id, payload));
    HttpResponse::NoContent().finish()
}

async fn as_admin(
    app: &TestApp,
    base: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = app
        .client
        .request(method.clone(), format!("{base}{path}"))
        .bearer_auth(app.token(As::Admin).expect("an admin token"));
    if let Some(body) = body {
        request = match method {
            Method::PATCH => request
                .header("content-type", "application/merge-patch+json")
                .body(body.to_string()),
            _ => request.json(&body),
        };
    }
    app.send(request).await
}

const DEVELOPMENT: [(&str, &str); 3] = [
    ("RELAIS_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ("RELAIS_WEBHOOK_RETRY_MS", "200"),
    ("RELAIS_WEBHOOK_MAX_FAILURES", "4"),
];

#[actix_web::test]
async fn public_changes_reach_a_verifying_receiver_even_across_a_restart() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let receiver = Receiver::start().await;
    let server = Process::start(&app, &DEVELOPMENT).await;
    let hook = as_admin(
        &app,
        &server.base,
        Method::POST,
        "/api/v1/webhooks",
        Some(json!({"url": receiver.url, "collections": ["events"], "secret": SECRET})),
    )
    .await;
    assert_eq!(hook.status, 201, "{}", hook.body);
    assert!(
        hook.body.get("secret").is_none(),
        "the secret is never sent back"
    );
    let hook_path = format!("/api/v1/webhooks/{}", hook.body["id"].as_str().expect("id"));

    // A draft and a refused write send nothing; a public event's creation and change do.
    let event = |title: &str, status: &str| {
        json!({"title": title, "kind": "rencontre", "centre_id": centre["id"],
               "starts_at": "2027-04-08T14:00:00+02:00", "ends_at": "2027-04-08T16:00:00+02:00",
               "format": "online", "status": status})
    };
    as_admin(
        &app,
        &server.base,
        Method::POST,
        "/api/v1/events",
        Some(event("Brouillon", "draft")),
    )
    .await
    .expect(201);
    let public = as_admin(
        &app,
        &server.base,
        Method::POST,
        "/api/v1/events",
        Some(event("Jeudi du réseau : les haies", "published")),
    )
    .await
    .expect(201);
    let path = format!("/api/v1/events/{}", public["id"].as_str().expect("id"));
    let refused = as_admin(
        &app,
        &server.base,
        Method::PATCH,
        &path,
        Some(json!({"title": ""})),
    )
    .await;
    assert_eq!(refused.status, 422);
    as_admin(
        &app,
        &server.base,
        Method::PATCH,
        &path,
        Some(json!({"title": "Jeudi du réseau : haies et bocages"})),
    )
    .await
    .expect(200);
    assert_eq!(
        receiver.wait_for(2).await,
        ["events.create", "events.update"]
    );
    let update = receiver.seen.verified.lock().expect("log")[1].1.clone();
    assert_eq!(update["data"]["id"], public["id"]);
    assert_eq!(update["data"]["fields"], json!(["title"]));
    assert_eq!(update["data"]["location"], path);
    assert!(update["timestamp"].is_string());

    // The receiver fails, the server stops with the change still to send, and a new one
    // delivers it once the receiver is back: with retries, and the same webhook-id.
    receiver.seen.failing.store(true, Ordering::SeqCst);
    as_admin(&app, &server.base, Method::DELETE, &path, None)
        .await
        .expect(204);
    for _ in 0..100 {
        if receiver.seen.refused.load(Ordering::SeqCst) >= 2 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(receiver.seen.refused.load(Ordering::SeqCst) >= 2, "retried");
    drop(server);
    receiver.seen.failing.store(false, Ordering::SeqCst);
    let restarted = Process::start(&app, &DEVELOPMENT).await;
    assert_eq!(
        receiver.wait_for(3).await,
        ["events.create", "events.update", "events.delete"]
    );
    assert_eq!(receiver.seen.forged.load(Ordering::SeqCst), 0);
    let log = as_admin(
        &app,
        &restarted.base,
        Method::GET,
        &format!("{hook_path}/deliveries?status=delivered"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(log["meta"]["total"], 3);
    let deletion = &log["data"][0];
    assert_eq!(deletion["event_type"], "events.delete");
    // A refused attempt was recorded before the stop (one in flight at the stop may not be),
    // then the delivery.
    assert!(
        deletion["attempts"].as_i64().is_some_and(|n| n >= 2),
        "{deletion}"
    );
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn an_endpoint_that_keeps_failing_is_disabled() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    receiver.seen.failing.store(true, Ordering::SeqCst);
    let server = Process::start(&app, &DEVELOPMENT).await;
    let hook = as_admin(
        &app,
        &server.base,
        Method::POST,
        "/api/v1/webhooks",
        Some(json!({"url": receiver.url, "secret": SECRET})),
    )
    .await
    .expect(201);
    let hook_path = format!("/api/v1/webhooks/{}", hook["id"].as_str().expect("id"));
    as_admin(
        &app,
        &server.base,
        Method::POST,
        "/api/v1/themes",
        Some(json!({"label": "Haies bocagères"})),
    )
    .await
    .expect(201);
    let mut disabled = Value::Null;
    for _ in 0..200 {
        disabled = as_admin(&app, &server.base, Method::GET, &hook_path, None)
            .await
            .expect(200);
        if disabled["enabled"] == false {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(disabled["enabled"], false, "{disabled}");
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .is_some_and(|r| r.contains("503"))
    );
    assert_eq!(receiver.seen.refused.load(Ordering::SeqCst), 4);
    let log = as_admin(
        &app,
        &server.base,
        Method::GET,
        &format!("{hook_path}/deliveries"),
        None,
    )
    .await
    .expect(200);
    assert_eq!(log["data"][0]["status"], "failed");
    assert_eq!(log["data"][0]["last_status"], 503);
    // Enabled again, its failures are cleared.
    let enabled = as_admin(
        &app,
        &server.base,
        Method::PATCH,
        &hook_path,
        Some(json!({"enabled": true})),
    )
    .await
    .expect(200);
    assert_eq!(enabled["consecutive_failures"], 0);
    assert_eq!(enabled["disabled_reason"], Value::Null);
    receiver.server.stop(false).await;
}

#[actix_web::test]
async fn endpoints_are_https_outside_private_networks_with_a_real_secret() {
    let app = TestApp::spawn().await;
    for url in [
        "http://hooks.example.org/relais",
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://intranet/hook",
        "https://user:motdepasse@hooks.example.org/hook",
        "pas une adresse",
    ] {
        let refused = app
            .post(
                "/api/v1/webhooks",
                &json!({"url": url, "secret": SECRET}),
                As::Admin,
            )
            .await;
        assert_eq!(refused.status, 422, "{url}: {}", refused.body);
        assert_eq!(refused.error_fields(), ["url"], "{url}");
    }
    for secret in [None, Some("whsec_court"), Some("pas-un-secret")] {
        let mut body = json!({"url": "https://hooks.example.org/relais"});
        if let Some(secret) = secret {
            body["secret"] = json!(secret);
        }
        let refused = app.post("/api/v1/webhooks", &body, As::Admin).await;
        assert_eq!(refused.status, 422, "{secret:?}");
        assert_eq!(refused.error_fields(), ["secret"]);
    }
    let created = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.org/relais", "secret": SECRET,
                    "collections": ["documents"], "actions": ["publish"]}),
            As::Admin,
        )
        .await
        .expect(201);
    assert_eq!(created["collections"], json!(["documents"]));
    assert_eq!(app.get("/api/v1/webhooks", As::Member).await.status, 403);
    // The outbox is written in the change's own transaction: a rolled-back change leaves no
    // delivery, a committed one leaves one per endpoint that wants it.
    let mut conn = app.db().await;
    let change = "INSERT INTO documents (slug, title, kind, centre_id, status, audience) \
        SELECT 'guide-des-mares', 'Guide des mares', 'guide', id, 'published', 'public' \
        FROM centres LIMIT 1; \
        SELECT relais_audit('documents', (SELECT id FROM documents WHERE slug = 'guide-des-mares'), \
                            'publish', NULL, NULL);";
    app.centre("pole-relais").await;
    conn.batch_execute(&format!("BEGIN; {change} ROLLBACK;"))
        .await
        .expect("a rolled-back change");
    let deliveries = || async {
        use diesel_async::RunQueryDsl;
        let mut conn = app.db().await;
        diesel::sql_query("SELECT count(*) AS n FROM webhook_deliveries")
            .get_result::<Count>(&mut conn)
            .await
            .expect("count")
            .n
    };
    assert_eq!(deliveries().await, 0);
    conn.batch_execute(&format!("BEGIN; {change} COMMIT;"))
        .await
        .expect("a committed change");
    assert_eq!(deliveries().await, 1);
    // Its secret stays out of the audit trail's values.
    let trail = app
        .get(
            &format!("/api/v1/audit?item={}", created["id"].as_str().expect("id")),
            As::Admin,
        )
        .await
        .expect(200);
    assert!(!trail.to_string().contains(SECRET));
}
