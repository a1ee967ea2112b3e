//! The security list, as tests: what a hostile caller tries, answered as the contract says,
//! and nothing written. (Deactivated accounts, replayed refresh tokens and the role of every
//! operation are in `auth.rs` and `roles.rs`; other members' contributions in
//! `contributions.rs`.)

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{As, Method, TestApp, count};

/// How many rows the tables a write could touch hold: the same before and after an attack.
async fn rows(app: &TestApp) -> Vec<i64> {
    let mut conn = app.db().await;
    let mut counts = Vec::new();
    for table in [
        "events",
        "documents",
        "themes",
        "centres",
        "actors",
        "users",
        "registrations",
        "audit_entries",
    ] {
        counts.push(count(&mut conn, &format!("SELECT count(*) AS count FROM {table}")).await);
    }
    counts
}

#[actix_web::test]
async fn a_member_cannot_reach_another_members_registrations() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let event = app
        .event(&centre, "Jeudi de la restauration", 14, json!({}))
        .await;
    let accounts = app.members("voisin", 2).await;
    let (owner, other) = (&accounts[0], &accounts[1]);
    let path = format!(
        "/api/v1/events/{}/registrations",
        event["id"].as_str().expect("id")
    );
    let registered = app
        .send(app.request_with(Method::POST, &path, &owner.token))
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let id = registered.body["id"].as_str().expect("id").to_string();
    let before = rows(&app).await;
    // Another member: no such registration, not in its own list, no access to the event's.
    let theirs = format!("/api/v1/me/registrations/{id}");
    let read = app
        .send(app.request_with(Method::GET, &theirs, &other.token))
        .await;
    assert_eq!(read.status, 404, "{}", read.body);
    let mine = app
        .send(app.request_with(Method::GET, "/api/v1/me/registrations", &other.token))
        .await;
    assert_eq!(mine.body["data"], json!([]), "{}", mine.body);
    let listed = app
        .send(app.request_with(Method::GET, &path, &other.token))
        .await;
    assert_eq!(listed.status, 403);
    let cancelled = app
        .send(app.request_with(Method::DELETE, &format!("{path}/{id}"), &other.token))
        .await;
    assert_eq!(cancelled.status, 403);
    assert_eq!(rows(&app).await, before);
    let still = app
        .send(app.request_with(Method::GET, &theirs, &owner.token))
        .await;
    assert_eq!(still.body["status"], "confirmed", "{}", still.body);
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[actix_web::test]
async fn a_hidden_item_is_missing_with_the_same_answer_in_the_same_time() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let hidden = app
        .create(
            "documents",
            json!({"title": "Note interne du réseau", "kind": "note_technique",
                   "centre_id": centre["id"], "status": "published", "audience": "members"}),
        )
        .await;
    let hidden = format!("/api/v1/documents/{}", hidden["id"].as_str().expect("id"));
    let missing = format!("/api/v1/documents/{}", uuid::Uuid::new_v4());
    let hidden_reply = app.get(&hidden, As::Public).await;
    let missing_reply = app.get(&missing, As::Public).await;
    assert_eq!(hidden_reply.status, 404);
    assert_eq!(hidden_reply.body, missing_reply.body);
    for name in ["content-type", "cache-control", "vary", "content-length"] {
        assert_eq!(
            hidden_reply.header(name),
            missing_reply.header(name),
            "{name}"
        );
    }
    // Interleaved, so that both see the same server and the same caches.
    let (mut hidden_times, mut missing_times) = (Vec::new(), Vec::new());
    for _ in 0..40 {
        for (path, times) in [(&hidden, &mut hidden_times), (&missing, &mut missing_times)] {
            let started = Instant::now();
            assert_eq!(app.get(path, As::Public).await.status, 404);
            times.push(started.elapsed());
        }
    }
    let (hidden_time, missing_time) = (median(hidden_times), median(missing_times));
    let slack = Duration::from_millis(3);
    assert!(
        hidden_time < missing_time * 2 + slack && missing_time < hidden_time * 2 + slack,
        "hidden {hidden_time:?}, missing {missing_time:?}"
    );
}

/// What SQL or JSON a filter value might smuggle in.
const INJECTIONS: [&str; 6] = [
    "' OR '1'='1",
    "1; DROP TABLE events; --",
    "%' OR 1=1 --",
    "\") OR true --",
    "{\"$ne\": null}",
    "$1::text || (SELECT password_hash FROM users LIMIT 1)",
];

#[actix_web::test]
async fn injections_in_every_filter_are_values_and_nothing_more() {
    let app = TestApp::spawn().await;
    let spec = app.get("/openapi.json", As::Public).await.expect(200);
    let before = rows(&app).await;
    let mut tried = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(list) = item.get("get") else {
            continue;
        };
        if path.contains('{')
            || !list["responses"]["200"]["content"]["application/json"].is_object()
        {
            continue;
        }
        let everything = app.get(path, As::Admin).await;
        if everything.status != 200 {
            continue;
        }
        let total = everything.body["meta"]["total"].as_i64();
        let parameters: Vec<&str> = list["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query" && p["name"] != "cursor")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in parameters {
            for injection in INJECTIONS {
                let query = serde_urlencoded::to_string([(name, injection)]).expect("encoded");
                let reply = app.get(&format!("{path}?{query}"), As::Admin).await;
                let status = reply.status.as_u16();
                assert!(
                    status == 200 || status == 400,
                    "GET {path}?{name}={injection}: {status} {}",
                    reply.body
                );
                if status == 400 {
                    assert_eq!(
                        reply.header("content-type"),
                        Some("application/problem+json")
                    );
                }
                // A value that matched everything would betray a filter turned into SQL.
                if let (200, Some(total), Some(found)) =
                    (status, total, reply.body["meta"]["total"].as_i64())
                    && name != "q"
                {
                    assert!(
                        found < total || total == 0,
                        "GET {path}?{name}={injection} matched all {total}"
                    );
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 500, "only {tried} injections tried");
    assert_eq!(rows(&app).await, before);
    // And the cursor, which the server decodes: a forged one is refused.
    let forged = app
        .get("/api/v1/events?cursor=eyJzIjoic3RhcnRzX2F0IiwidiI6WyInOyBEUk9QIFRBQkxFIGV2ZW50czsgLS0iXX0", As::Public)
        .await;
    assert_eq!(forged.status, 400, "{}", forged.body);
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[actix_web::test]
async fn hostile_bodies_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.theme("mares", None).await;
    let before = rows(&app).await;
    let send = |method: Method, path: &str, content_type: &str, body: String| {
        app.send(
            app.request(method, path, As::Admin)
                .header("content-type", content_type)
                .body(body),
        )
    };
    // Deeply nested JSON, in a create and in a merge patch.
    for depth in [200, 50_000] {
        let body = format!("{{\"slug\": \"profond\", \"label\": {}}}", nested(depth));
        let reply = send(Method::POST, "/api/v1/themes", "application/json", body).await;
        assert!(
            matches!(reply.status.as_u16(), 400 | 422),
            "{depth}: {}",
            reply.body
        );
        let patch = format!("{{\"label\": {}}}", nested(depth));
        let reply = send(
            Method::PATCH,
            "/api/v1/themes/mares",
            "application/merge-patch+json",
            patch,
        )
        .await;
        assert!(
            matches!(reply.status.as_u16(), 400 | 422),
            "{depth}: {}",
            reply.body
        );
    }
    // Larger than the limit, even when chunked without a length.
    let huge = format!(
        "{{\"slug\": \"vaste\", \"label\": \"{}\"}}",
        "é".repeat(200_000)
    );
    let reply = send(Method::POST, "/api/v1/themes", "application/json", huge).await;
    assert_eq!(reply.status, 413);
    // The same key twice, a prototype key, a NUL: refused rather than half-read.
    for body in [
        r#"{"slug": "double", "label": "Mares", "label": "Étangs"}"#,
        r#"{"slug": "proto", "label": "Mares", "__proto__": {"role": "admin"}}"#,
        r#"{"slug": "nul", "label": "Mares\u0000"}"#,
    ] {
        let reply = send(
            Method::POST,
            "/api/v1/themes",
            "application/json",
            body.to_string(),
        )
        .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
    }
    assert_eq!(rows(&app).await, before);
    let unchanged = app
        .get("/api/v1/themes/mares", As::Public)
        .await
        .expect(200);
    assert_eq!(unchanged["label"], "mares");
}

/// A request written byte by byte, as no well-behaved client would send it.
fn raw(app: &TestApp, request: &[u8]) -> String {
    let address = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a timeout");
    stream.write_all(request).expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).to_string()
}

fn status_of(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[actix_web::test]
async fn headers_with_control_characters_or_bytes_that_are_not_text_are_refused() {
    let app = TestApp::spawn().await;
    let before = rows(&app).await;
    let token = app.token(As::Admin).expect("a token").to_string();
    // Control characters: the HTTP parser refuses the request before it reaches relais.
    for header in [
        "X-Request-Id: a\x01b",
        "Accept-Language: fr\x7f",
        "Authorization: Bearer abc\x00def",
    ] {
        let request = format!(
            "GET /api/v1/themes HTTP/1.1\r\nHost: relais\r\n{header}\r\nConnection: close\r\n\r\n"
        );
        let answer = raw(&app, request.as_bytes());
        assert_eq!(status_of(&answer), 400, "{header:?}: {answer}");
    }
    // Bytes past ASCII, which HTTP lets through: each header is read as the text it is not.
    let cases: [(&str, &[u8], u16); 5] = [
        ("GET", b"Authorization: Bearer \xff\xfe", 401),
        ("GET", b"Accept-Language: \xe9", 200),
        ("GET", b"X-Request-Id: \xff", 200),
        ("GET", b"If-None-Match: \"\xff\"", 200),
        ("POST", b"Idempotency-Key: \xff", 400),
    ];
    for (method, header, expected) in cases {
        let body = r#"{"slug": "etangs", "label": "Étangs"}"#;
        let mut request = format!(
            "{method} /api/v1/themes HTTP/1.1\r\nHost: relais\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n",
            if method == "POST" { body.len() } else { 0 }
        )
        .into_bytes();
        if method == "POST" && !header.starts_with(b"Authorization") {
            request.extend_from_slice(format!("Authorization: Bearer {token}\r\n").as_bytes());
        }
        request.extend_from_slice(header);
        request.extend_from_slice(b"\r\n\r\n");
        if method == "POST" {
            request.extend_from_slice(body.as_bytes());
        }
        let answer = raw(&app, &request);
        assert_eq!(
            status_of(&answer),
            expected,
            "{}: {answer}",
            String::from_utf8_lossy(header)
        );
        if expected >= 400 {
            assert!(answer.contains("application/problem+json"), "{answer}");
        }
        if header.starts_with(b"X-Request-Id") {
            let id = answer
                .lines()
                .find_map(|l| l.strip_prefix("x-request-id: "))
                .unwrap_or_default();
            assert!(uuid::Uuid::parse_str(id.trim()).is_ok(), "{answer}");
        }
    }
    assert_eq!(rows(&app).await, before);
}
