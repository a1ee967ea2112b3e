//! Upcoming events and the totals of lists: `from=` keeps what is still running, in order and
//! across pages; totals and facet counts kept between requests are exact after any write,
//! wherever it comes from.

use diesel::connection::InstrumentationEvent;
use diesel_async::{AsyncConnection, SimpleAsyncConnection};
use relais::auth::Role;
use relais::query::{Counts, ListQuery, Plan};
use relais::resources::events::{api::EventFilters, model::EVENTS, model::Event};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::helpers::{As, TestApp};

/// The titles of a page.
fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| item["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A published event from `starts` to `ends` (March 2027, Paris time).
async fn event(app: &TestApp, centre: &Value, title: &str, starts: &str, ends: &str) {
    app.event(
        centre,
        title,
        1,
        json!({"starts_at": format!("2027-03-{starts}+01:00"), "ends_at": format!("2027-03-{ends}+01:00")}),
    )
    .await;
}

#[actix_web::test]
async fn upcoming_events_keep_those_still_running_in_order_and_across_pages() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    event(
        &app,
        &centre,
        "Cycle de visites de marais",
        "01T09:00:00",
        "20T17:00:00",
    )
    .await;
    event(&app, &centre, "Atelier passé", "05T09:00:00", "05T12:00:00").await;
    event(
        &app,
        &centre,
        "Séminaire de deux jours",
        "09T09:00:00",
        "11T17:00:00",
    )
    .await;
    event(
        &app,
        &centre,
        "Les Jeudis : tourbières",
        "12T14:00:00",
        "12T16:00:00",
    )
    .await;
    event(
        &app,
        &centre,
        "Journée technique mares",
        "15T09:00:00",
        "15T17:00:00",
    )
    .await;
    event(
        &app,
        &centre,
        "Fini la veille",
        "09T09:00:00",
        "09T23:00:00",
    )
    .await;
    let expected = [
        "Cycle de visites de marais",
        "Séminaire de deux jours",
        "Les Jeudis : tourbières",
        "Journée technique mares",
    ];

    let page = app
        .get("/api/v1/events?from=2027-03-10&sort=starts_at", As::Public)
        .await
        .expect(200);
    assert_eq!(titles(&page), expected);
    assert_eq!(page["meta"]["total"], 4);
    let page = app
        .get("/api/v1/events?from=2027-03-10&sort=-starts_at", As::Public)
        .await
        .expect(200);
    let mut reversed = expected;
    reversed.reverse();
    assert_eq!(titles(&page), reversed);
    let page = app
        .get("/api/v1/events?from=2027-03-10&sort=title", As::Public)
        .await
        .expect(200);
    let mut by_title = expected;
    by_title.sort();
    assert_eq!(titles(&page), by_title);

    // One a page, by cursor and by number: each once, in order, running ones first.
    let mut seen = Vec::new();
    let mut path = "/api/v1/events?from=2027-03-10&per_page=1".to_string();
    loop {
        let page = app.get(&path, As::Public).await.expect(200);
        seen.extend(titles(&page));
        assert_eq!(page["meta"]["total"], 4);
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/events?from=2027-03-10&per_page=1&cursor={cursor}")
            }
            None => break,
        }
    }
    assert_eq!(seen, expected);
    let page = app
        .get(
            "/api/v1/events?from=2027-03-10&per_page=2&page=2",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(titles(&page), &expected[2..]);
    let page = app
        .get("/api/v1/events?from=2027-03-10&to=2027-03-12", As::Public)
        .await
        .expect(200);
    assert_eq!(titles(&page), &expected[..3]);
}

#[actix_web::test]
async fn totals_and_facets_follow_every_write_wherever_it_comes_from() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    for day in 1..=3 {
        app.event(&centre, &format!("Journée {day}"), day, json!({}))
            .await;
    }
    let list = "/api/v1/events?per_page=1&facets=kind";
    let read = async || app.get(list, As::Public).await.expect(200);
    let page = read().await;
    assert_eq!(page["meta"]["total"], 3);
    assert_eq!(page["meta"]["facets"]["kind"][0]["count"], 3);
    // Read again: the same, whether kept or counted anew.
    assert_eq!(read().await["meta"], page["meta"]);

    // Another server (here a plain connection) hides one and retypes another.
    let mut conn = app.db().await;
    conn.batch_execute(
        "UPDATE events SET status = 'draft' WHERE title = 'Journée 1';
         UPDATE events SET kind = 'atelier' WHERE title = 'Journée 2';",
    )
    .await
    .expect("write elsewhere");
    let page = read().await;
    assert_eq!(page["meta"]["total"], 2);
    let kinds: Vec<(String, i64)> = page["meta"]["facets"]["kind"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["value"].as_str().unwrap_or_default().to_string(),
                f["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("atelier".to_string(), 1),
            ("journee_technique".to_string(), 1)
        ]
    );
    // And through the API.
    app.event(&centre, "Journée 4", 4, json!({})).await;
    assert_eq!(read().await["meta"]["total"], 3);
}

#[actix_web::test]
async fn a_count_is_kept_while_the_snapshot_stays_the_same() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    for day in 1..=3 {
        app.event(&centre, &format!("Journée {day}"), day, json!({}))
            .await;
    }
    // In a repeatable-read transaction the snapshot cannot change, whatever other tests write
    // to the cluster meanwhile: what the counts keep is then seen exactly.
    let mut conn = app.db().await;
    let statements = Arc::new(AtomicU64::new(0));
    let counted = statements.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { .. } = event {
            counted.fetch_add(1, Ordering::Relaxed);
        }
    });
    conn.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        .await
        .expect("begin");
    let counts = Counts::default();
    let query = ListQuery::<EventFilters>::parse("/", "per_page=1&facets=kind").expect("query");
    let run = async |conn: &mut diesel_async::AsyncPgConnection| {
        let before = statements.load(Ordering::Relaxed);
        let rows = Plan::new(&EVENTS, Role::Public, &query, Vec::new())
            .expect("plan")
            .run::<Event>(conn, &counts)
            .await
            .expect("run");
        (rows.total(), statements.load(Ordering::Relaxed) - before)
    };
    // The snapshot, the page, the count and the facet; then the snapshot and the page.
    assert_eq!(run(&mut conn).await, (3, 4));
    assert_eq!(run(&mut conn).await, (3, 2));

    // A write elsewhere: this transaction still sees 3, and its snapshot still says so.
    let mut other = app.db().await;
    other
        .batch_execute("UPDATE events SET status = 'draft' WHERE title = 'Journée 1'")
        .await
        .expect("write elsewhere");
    assert_eq!(run(&mut conn).await, (3, 2));
    conn.batch_execute("COMMIT").await.expect("commit");
    // Out of the transaction the snapshot has moved: counted again.
    assert_eq!(run(&mut conn).await, (2, 4));
}
