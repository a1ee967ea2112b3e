//! Partner sites: cross-origin calls from their pages, and the shared caches in front of
//! relais, tested through a real nginx `proxy_cache` on loopback.

use std::process::{Child, Command, Stdio};

use serde_json::json;

use crate::helpers::{As, Method, PARTNER_ORIGIN, Reply, TestApp, available};

const ELSEWHERE: &str = "https://www.mairie-saint-pons.example";

async fn preflight(app: &TestApp, path: &str, origin: &str, method: &str, headers: &str) -> Reply {
    let request = app
        .client
        .request(Method::OPTIONS, format!("{}{path}", app.base))
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers);
    app.send(request).await
}

fn listed(reply: &Reply, name: &str) -> Vec<String> {
    reply
        .headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect()
}

#[actix_web::test]
async fn public_reads_are_open_to_every_origin_and_tokens_to_the_listed_ones() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let event = app
        .event(&centre, "Journée zones humides", 12, json!({}))
        .await;
    let item = format!("/api/v1/events/{}", event["slug"].as_str().expect("slug"));

    // A public read from any page: `*`, no credentials, no `Vary: Origin`, headers exposed.
    let read = app
        .send(
            app.client
                .get(format!("{}/api/v1/events", app.base))
                .header("origin", ELSEWHERE),
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("access-control-allow-origin"), Some("*"));
    assert_eq!(read.header("access-control-allow-credentials"), None);
    let exposed = listed(&read, "access-control-expose-headers");
    for header in ["etag", "link", "location"] {
        assert!(exposed.contains(&header.to_string()), "{exposed:?}");
    }
    assert!(!listed(&read, "vary").contains(&"origin".to_string()));

    // The preflight of a route answers its methods and headers, for as long as it may.
    let asked = preflight(&app, &item, ELSEWHERE, "GET", "if-none-match").await;
    assert_eq!(asked.status, 204);
    assert_eq!(asked.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        listed(&asked, "access-control-allow-methods"),
        ["get", "head", "patch", "delete"]
    );
    let headers = listed(&asked, "access-control-allow-headers");
    assert!(headers.contains(&"if-none-match".to_string()));
    assert!(headers.contains(&"if-match".to_string()));
    assert!(
        !headers.contains(&"authorization".to_string()),
        "no token from an origin that is not listed: {headers:?}"
    );
    assert_eq!(asked.header("access-control-max-age"), Some("7200"));
    let list = preflight(&app, "/api/v1/events", ELSEWHERE, "POST", "content-type").await;
    assert_eq!(
        listed(&list, "access-control-allow-methods"),
        ["get", "head", "post"]
    );

    // A listed origin may send a token: its origin named, with credentials, never `*`.
    let partner = preflight(
        &app,
        "/api/v1/events",
        PARTNER_ORIGIN,
        "POST",
        "authorization, content-type",
    )
    .await;
    assert_eq!(partner.status, 204);
    assert_eq!(
        partner.header("access-control-allow-origin"),
        Some(PARTNER_ORIGIN)
    );
    assert_eq!(
        partner.header("access-control-allow-credentials"),
        Some("true")
    );
    let allowed = listed(&partner, "access-control-allow-headers");
    assert!(
        allowed.contains(&"authorization".to_string()),
        "{allowed:?}"
    );
    assert!(allowed.contains(&"content-type".to_string()), "{allowed:?}");
    let elsewhere = preflight(
        &app,
        "/api/v1/events",
        ELSEWHERE,
        "POST",
        "authorization, content-type",
    )
    .await;
    assert!(
        !listed(&elsewhere, "access-control-allow-headers").contains(&"authorization".to_string())
    );
    assert_eq!(elsewhere.header("access-control-allow-credentials"), None);

    // An authenticated call: the listed origin is named and `Vary: Origin` said; another
    // origin gets no CORS answer, so its page cannot read it.
    let member = |origin: &str| {
        app.request(Method::GET, "/api/v1/me", As::Member)
            .header("origin", origin)
    };
    let from_partner = app.send(member(PARTNER_ORIGIN)).await;
    assert_eq!(from_partner.status, 200);
    assert_eq!(
        from_partner.header("access-control-allow-origin"),
        Some(PARTNER_ORIGIN)
    );
    assert!(listed(&from_partner, "vary").contains(&"origin".to_string()));
    let from_elsewhere = app.send(member(ELSEWHERE)).await;
    assert_eq!(from_elsewhere.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn public_answers_are_for_shared_caches_and_callers_answers_are_not() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let event = app
        .event(&centre, "Journée zones humides", 12, json!({}))
        .await;
    let item = format!("/api/v1/events/{}", event["id"].as_str().expect("id"));
    let shared = "public, max-age=60, stale-while-revalidate=300";

    let list = app.get("/api/v1/events", As::Public).await;
    assert_eq!(list.header("cache-control"), Some(shared));
    let read = app.get(&item, As::Public).await;
    assert_eq!(read.header("cache-control"), Some(shared));
    let etag = read.header("etag").expect("an ETag").to_string();
    let unchanged = app
        .send(
            app.client
                .get(format!("{}{item}", app.base))
                .header("if-none-match", etag),
        )
        .await;
    assert_eq!(unchanged.status, 304);
    assert_eq!(unchanged.header("cache-control"), Some(shared));
    assert_eq!(
        app.get(&item, As::Member).await.header("cache-control"),
        Some("private, no-cache")
    );
    assert_eq!(
        app.get("/api/v1/nothing-here", As::Public)
            .await
            .header("cache-control"),
        Some("no-store")
    );
    let created = app
        .post(
            "/api/v1/themes",
            &json!({"slug": "haies", "label": "Haies bocagères"}),
            As::Admin,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    assert_eq!(
        app.get("/health/ready", As::Public)
            .await
            .header("cache-control"),
        Some("no-store")
    );
}

/// nginx with a `proxy_cache` in front of `upstream`, on a port of its own; stopped when
/// dropped.
struct Proxy {
    child: Child,
    base: String,
    dir: std::path::PathBuf,
}

impl Proxy {
    async fn start(upstream: &str) -> Proxy {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("relais-nginx-{port}"));
        std::fs::create_dir_all(&dir).expect("a folder for nginx");
        let path = dir.display();
        let conf = format!(
            "daemon off; master_process off; worker_processes 1; pid {path}/nginx.pid;
             error_log {path}/error.log warn;
             events {{}}
             http {{
               access_log off;
               client_body_temp_path {path}/body; proxy_temp_path {path}/proxy;
               fastcgi_temp_path {path}/fastcgi; uwsgi_temp_path {path}/uwsgi;
               scgi_temp_path {path}/scgi;
               proxy_cache_path {path}/cache keys_zone=relais:1m;
               server {{
                 listen 127.0.0.1:{port};
                 location / {{
                   proxy_pass {upstream};
                   proxy_cache relais;
                   add_header X-Cache-Status $upstream_cache_status always;
                 }}
               }}
             }}"
        );
        let file = dir.join("nginx.conf");
        std::fs::write(&file, conf).expect("write nginx.conf");
        let child = Command::new("nginx")
            .args(["-e", &format!("{path}/error.log"), "-c"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (apt-get install nginx-light)");
        let proxy = Proxy {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return proxy;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("nginx did not start");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[actix_web::test]
async fn a_shared_cache_serves_public_reads_again_and_never_a_members() {
    if !available("nginx", "apt-get install nginx-light") {
        return;
    }
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    app.event(&centre, "Journée zones humides", 12, json!({}))
        .await;
    let proxy = Proxy::start(&app.base).await;
    let through = |who: As| {
        let request = app
            .client
            .get(format!("{}/api/v1/events?centre=pole-relais", proxy.base));
        match app.token(who) {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    };

    let first = app.send(through(As::Public)).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("x-cache-status"), Some("MISS"));
    let second = app.send(through(As::Public)).await;
    assert_eq!(second.header("x-cache-status"), Some("HIT"));
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("access-control-allow-origin"), Some("*"));

    // A member's answer is its own: the cache neither serves the public one nor keeps it.
    for _ in 0..2 {
        let member = app.send(through(As::Member)).await;
        assert_eq!(member.status, 200);
        assert_ne!(member.header("x-cache-status"), Some("HIT"));
    }
}
