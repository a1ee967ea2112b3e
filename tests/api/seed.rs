//! `relais seed`: the demo data set loads, meets its minimums, and loads again changing nothing.

use crate::helpers::{As, TestApp};

#[actix_web::test]
async fn the_demo_data_set_is_realistic_and_idempotent() {
    let app = TestApp::spawn().await;
    let mut conn = app.db().await;
    let first = relais::seed::run(&mut conn).await.expect("first load");
    let second = relais::seed::run(&mut conn).await.expect("second load");
    assert_eq!(first, second, "a second load changes nothing");
    for (path, minimum) in [
        ("centres", 2),
        ("actors", 40),
        ("events", 30),
        ("trainings", 10),
        ("documents", 60),
        ("themes", 20),
    ] {
        let total = app
            .get(&format!("/api/v1/{path}?per_page=1"), As::Admin)
            .await
            .expect(200)["meta"]["total"]
            .as_i64();
        assert!(
            total.is_some_and(|t| t >= minimum),
            "{path}: {total:?} < {minimum}"
        );
    }
    // Both kinds of centre, members-only workspace documents, and sessions for dated trainings.
    let members_only = app
        .get("/api/v1/documents?audience=members", As::Member)
        .await
        .expect(200);
    assert!(
        members_only["meta"]["total"]
            .as_i64()
            .is_some_and(|t| t > 0)
    );
    assert_eq!(
        app.get("/api/v1/documents?audience=members", As::Public)
            .await
            .expect(200)["meta"]["total"],
        0
    );
    let jeudis = app
        .get("/api/v1/events?q=jeudi", As::Public)
        .await
        .expect(200);
    assert!(jeudis["meta"]["total"].as_i64().is_some_and(|t| t > 0));
    let dated = app
        .get(
            "/api/v1/trainings?modality=in_person&per_page=1",
            As::Public,
        )
        .await
        .expect(200);
    let slug = dated["data"][0]["slug"].as_str().expect("a dated training");
    let sessions = app
        .get(&format!("/api/v1/trainings/{slug}/sessions"), As::Public)
        .await
        .expect(200);
    assert!(sessions["meta"]["total"].as_i64().is_some_and(|t| t >= 1));
}
