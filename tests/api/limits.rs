//! Limits: bodies, media types, runaway statements, an exhausted pool and the depth of
//! `page=`, each answered as a problem in bounded time, and no connection lost.

use std::time::{Duration, Instant};

use diesel_async::RunQueryDsl;
use relais::config::Pooling;
use serde_json::json;

use crate::helpers::{As, Locked, Method, TestApp};

/// Every connection of the pool is back in it, idle and healthy.
async fn pool_is_whole(app: &TestApp) {
    for _ in 0..50 {
        let status = app.state.pools_status();
        if status.available == status.size {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let status = app.state.pools_status();
    assert_eq!(status.available, status.size, "{status:?}");
    for _ in 0..(status.max_size * 2) {
        app.get("/api/v1/themes", As::Public).await.expect(200);
    }
}

#[actix_web::test]
async fn a_runaway_statement_is_cancelled_into_a_503_and_its_connection_kept() {
    let app = TestApp::spawn_pooled(Pooling {
        size: 2,
        wait: Duration::from_secs(5),
        statement_timeout: Duration::from_millis(300),
    })
    .await;
    let locked = Locked::table(&app, "themes").await;
    // More requests than connections: each is cancelled in turn, and its connection reused.
    for _ in 0..5 {
        let started = Instant::now();
        let reply = app.get("/api/v1/themes", As::Public).await;
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert_eq!(reply.body["type"], "urn:relais:problem:unavailable");
        assert_eq!(
            reply.body["detail"],
            "the request took too long and was stopped"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    // A write cancelled the same way leaves nothing behind.
    let write = app
        .post(
            "/api/v1/themes",
            &json!({"slug": "mares", "label": "Mares"}),
            As::Admin,
        )
        .await;
    assert_eq!(write.status, 503, "{}", write.body);
    locked.release().await;
    pool_is_whole(&app).await;
    app.get("/api/v1/themes/mares", As::Public)
        .await
        .expect(404);
}

#[actix_web::test]
async fn an_exhausted_pool_answers_503_with_retry_after_within_its_wait() {
    let app = TestApp::spawn_pooled(Pooling {
        size: 2,
        wait: Duration::from_millis(200),
        statement_timeout: Duration::from_secs(3),
    })
    .await;
    let locked = Locked::table(&app, "themes").await;
    // Two requests hold the two connections, waiting for the lock.
    let held: Vec<_> = (0..2)
        .map(|_| {
            let request = app.request(Method::GET, "/api/v1/themes", As::Public);
            actix_web::rt::spawn(async move { request.send().await.map(|r| r.status()) })
        })
        .collect();
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let refused = app.get("/api/v1/events", As::Public).await;
    let waited = started.elapsed();
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(
        refused.body["detail"],
        "every database connection is busy; retry shortly"
    );
    assert!(waited >= Duration::from_millis(150), "{waited:?}");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
    // Liveness needs no connection.
    app.get("/health/live", As::Public).await.expect(200);
    locked.release().await;
    for request in held {
        let status = request.await.expect("joined").expect("answered");
        assert_eq!(status, 200);
    }
    pool_is_whole(&app).await;
}

#[actix_web::test]
async fn bodies_past_the_limit_and_of_another_type_are_refused() {
    let app = TestApp::spawn().await;
    let huge = json!({"slug": "mares", "label": "x".repeat(300 * 1024)});
    let too_large = app.post("/api/v1/themes", &huge, As::Admin).await;
    assert_eq!(too_large.status, 413, "{}", too_large.body);
    assert_eq!(
        too_large.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        too_large.body["type"],
        "urn:relais:problem:payload-too-large"
    );
    let form = app
        .send(
            app.request(Method::POST, "/api/v1/themes", As::Admin)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("slug=mares&label=Mares"),
        )
        .await;
    assert_eq!(form.status, 415, "{}", form.body);
    assert_eq!(
        form.body["type"],
        "urn:relais:problem:unsupported-media-type"
    );
    app.get("/api/v1/themes/mares", As::Public)
        .await
        .expect(404);
}

#[actix_web::test]
async fn page_goes_to_one_hundred_and_the_cursor_goes_beyond() {
    let app = TestApp::spawn().await;
    let mut conn = app.db().await;
    diesel::sql_query(
        "INSERT INTO themes (slug, label) \
         SELECT 'theme-' || lpad(i::text, 5, '0'), 'Thème ' || i FROM generate_series(1, 10050) i",
    )
    .execute(&mut conn)
    .await
    .expect("themes");
    let per_page =
        |page: u32, size: u32| format!("/api/v1/themes?sort=slug&page={page}&per_page={size}");
    // Page 100 of 100 starts at item 9,901: the deepest page.
    let deepest = app.get(&per_page(100, 100), As::Public).await.expect(200);
    assert_eq!(deepest["data"][0]["slug"], "theme-09901");
    let next = deepest["links"]["next"].as_str().expect("a next link");
    let names: Vec<&str> = next
        .split(['?', '&'])
        .skip(1)
        .filter_map(|pair| pair.split('=').next())
        .collect();
    assert!(
        names.contains(&"cursor") && !names.contains(&"page"),
        "{next}"
    );
    assert!(deepest["links"]["last"].is_null(), "{}", deepest["links"]);
    let beyond = app.get(next, As::Public).await.expect(200);
    assert_eq!(beyond["data"][0]["slug"], "theme-10001");
    let too_deep = app.get(&per_page(101, 20), As::Public).await;
    assert_eq!(too_deep.status, 400, "{}", too_deep.body);
    assert!(
        too_deep.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("up to 100") && d.contains("`cursor`")),
        "{}",
        too_deep.body
    );
    // Shallow pages still know the last one, when it is within reach.
    let shallow = app.get(&per_page(1, 100), As::Public).await.expect(200);
    assert!(shallow["links"]["last"].is_null());
    drop(conn);
    let mut conn = app.db().await;
    diesel::sql_query("DELETE FROM themes WHERE slug > 'theme-05000'")
        .execute(&mut conn)
        .await
        .expect("fewer themes");
    let within = app.get(&per_page(1, 100), As::Public).await.expect(200);
    assert!(
        within["links"]["last"]
            .as_str()
            .is_some_and(|l| l.contains("page=50")),
        "{}",
        within["links"]
    );
}
