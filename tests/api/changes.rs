//! Keeping a mirror in sync: `updated_since=` on the lists, `/changes` for deletions.

use crate::helpers::{As, TestApp};
use serde_json::json;

#[actix_web::test]
async fn a_mirror_catches_up_with_updates_and_deletions() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    app.event(&centre, "Journée mares", 3, json!({"slug": "mares"}))
        .await;
    app.event(&centre, "Journée haies", 4, json!({"slug": "haies"}))
        .await;
    app.event(
        &centre,
        "Réunion interne",
        5,
        json!({"slug": "interne", "audience": "members"}),
    )
    .await;
    // The mirror syncs now.
    let now = app
        .get("/api/v1/events/haies", As::Public)
        .await
        .expect(200)["updated_at"]
        .as_str()
        .expect("date")
        .to_string();
    let since = now.replace('+', "%2B");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    app.patch(
        "/api/v1/events/mares",
        &json!({"summary": "Nouveau programme"}),
        As::Admin,
    )
    .await
    .expect(200);
    assert_eq!(
        app.delete("/api/v1/events/haies", As::Admin).await.status,
        204
    );
    assert_eq!(
        app.delete("/api/v1/events/interne", As::Admin).await.status,
        204
    );

    let updated = app
        .get(&format!("/api/v1/events?updated_since={since}"), As::Public)
        .await
        .expect(200);
    assert_eq!(updated["data"][0]["slug"], "mares");
    assert_eq!(updated["meta"]["total"], 1);
    let deleted = app
        .get(&format!("/api/v1/changes?since={since}"), As::Public)
        .await
        .expect(200);
    assert_eq!(
        deleted["meta"]["total"], 1,
        "the public never saw the members-only event: {deleted}"
    );
    assert_eq!(deleted["data"][0]["slug"], "haies");
    assert_eq!(deleted["data"][0]["collection"], "events");
    let for_members = app
        .get(
            &format!("/api/v1/changes?since={since}&collection=events"),
            As::Member,
        )
        .await
        .expect(200);
    assert_eq!(for_members["meta"]["total"], 2);
    // Cascades leave tombstones too: a training's sessions go with it.
    let training = app
        .create(
            "trainings",
            json!({"slug": "formation", "title": "Formation", "kind": "formation",
        "modality": "in_person", "centre_id": centre["id"], "status": "published"}),
        )
        .await;
    app.post(
        "/api/v1/trainings/formation/sessions",
        &json!({"starts_at": "2027-02-04T09:00:00+01:00",
        "ends_at": "2027-02-04T12:00:00+01:00"}),
        As::Admin,
    )
    .await
    .expect(201);
    assert_eq!(
        app.delete(
            &format!("/api/v1/trainings/{}", training["id"].as_str().expect("id")),
            As::Admin
        )
        .await
        .status,
        204
    );
    let sessions = app
        .get("/api/v1/changes?collection=sessions", As::Public)
        .await
        .expect(200);
    assert_eq!(sessions["meta"]["total"], 1);
    assert_eq!(
        app.get("/api/v1/changes?since=hier", As::Public)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/changes?collection=planetes", As::Public)
            .await
            .status,
        400
    );
}
