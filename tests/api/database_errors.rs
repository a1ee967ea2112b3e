//! Database errors are told apart by SQLSTATE and constraint name, never by the server's
//! message, which is in the language of its `lc_messages`.

use crate::helpers::{As, TestApp};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;

/// Makes the test database speak French to every new connection; false when this machine
/// has no French locale (`localedef -i fr_FR -f UTF-8 fr_FR.UTF-8`, which `.ci/run` does).
async fn speak_french(app: &TestApp) -> bool {
    let mut conn = AsyncPgConnection::establish(&app.database_url)
        .await
        .expect("connect");
    let database = app
        .database_url
        .rsplit('/')
        .next()
        .expect("a database name");
    let set = diesel::sql_query(format!(
        "ALTER DATABASE \"{database}\" SET lc_messages = 'fr_FR.UTF-8'"
    ))
    .execute(&mut conn)
    .await;
    if let Err(e) = set {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs the fr_FR.UTF-8 locale before PostgreSQL starts: {e}"
        );
        eprintln!("skipped: no fr_FR.UTF-8 locale for PostgreSQL here ({e})");
        return false;
    }
    // A new connection now gets its errors in French.
    let mut french = AsyncPgConnection::establish(&app.database_url)
        .await
        .expect("connect");
    let error = diesel::sql_query("SELECT 1 / 0")
        .execute(&mut french)
        .await
        .expect_err("a division by zero");
    assert!(error.to_string().contains("division par z"), "{error}");
    true
}

#[actix_web::test]
async fn conflicts_are_named_whatever_the_language_of_the_server() {
    let app = TestApp::spawn().await;
    if !speak_french(&app).await {
        return;
    }
    let centre = app.centre("pole-zones-humides").await;
    app.event(&centre, "Journée mares", 12, json!({})).await;
    let refused = app
        .delete("/api/v1/centres/pole-zones-humides", As::Admin)
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(
        refused.body["detail"],
        "events still refer to it: delete or change them first"
    );
    let taken = app
        .post(
            "/api/v1/centres",
            &json!({"slug": "pole-zones-humides", "name": "Autre", "scope": "local"}),
            As::Admin,
        )
        .await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.body["detail"], "this slug is already in use");
    let unknown = app
        .post(
            "/api/v1/events",
            &json!({"title": "Sans centre", "kind": "atelier", "centre_id": uuid::Uuid::nil(),
                    "starts_at": "2027-03-12T09:30:00+01:00", "ends_at": "2027-03-12T17:00:00+01:00",
                    "format": "online"}),
            As::Admin,
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(unknown.error_fields(), ["centre_id"]);
}
