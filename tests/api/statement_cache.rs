//! A list's statements are parsed and planned once per connection, then reused: their text
//! is the same for every request of one shape, whatever the values.

use crate::helpers::{As, TestApp};
use diesel_async::RunQueryDsl;
use serde_json::json;

#[derive(diesel::QueryableByName)]
struct Prepared {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    page: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

#[actix_web::test]
async fn list_statements_are_prepared_once_per_connection() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    for day in 1..=3 {
        app.event(&centre, &format!("Journée {day}"), day, json!({}))
            .await;
    }
    for kind in ["journee_technique", "atelier", "colloque"]
        .iter()
        .cycle()
        .take(24)
    {
        app.get(
            // One per page: the journées have a next page, so their count runs (when it is
            // not kept from an earlier request under the same snapshot).
            &format!("/api/v1/events?kind={kind}&sort=-title&per_page=1"),
            As::Public,
        )
        .await
        .expect(200);
    }
    // Every connection of the worker's pool at once: each holds the list's page and count
    // once at most.
    let pools = app.state.pools();
    let worker = pools.last().expect("the worker's pool");
    let mut connections = Vec::new();
    for _ in 0..worker.status().max_size {
        connections.push(worker.get().await.expect("a connection"));
    }
    let (mut pages, mut counts) = (0, 0);
    for conn in &mut connections {
        let prepared: Prepared = diesel::sql_query(
            "SELECT count(*) FILTER (WHERE statement LIKE 'SELECT t.id, t.slug, t.title%FROM events t%ORDER BY t.title COLLATE relais_french DESC%') AS page, \
                    count(*) FILTER (WHERE statement LIKE 'SELECT count(*) AS n FROM (SELECT 1 FROM events t%') AS count \
             FROM pg_prepared_statements",
        )
        .get_result(&mut **conn)
        .await
        .expect("read pg_prepared_statements");
        assert!(
            prepared.page <= 1 && prepared.count <= 1,
            "{} {}",
            prepared.page,
            prepared.count
        );
        pages += prepared.page;
        counts += prepared.count;
    }
    // 24 requests, prepared on the connections that served them and no more.
    assert!((1..=4).contains(&pages), "{pages}");
    assert!((1..=4).contains(&counts), "{counts}");
}
