//! The trash: a deleted item disappears from every list and read, leaves a tombstone and keeps
//! its slug; restored, it comes back with its links; purged, or past its retention, it is
//! gone for good.

use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{As, TestApp};

fn total(reply: &Value) -> i64 {
    reply["meta"]["total"].as_i64().unwrap_or(-1)
}

#[actix_web::test]
async fn a_deleted_event_is_hidden_keeps_its_slug_and_comes_back_with_its_links() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    app.theme("mares", None).await;
    let speaker = app.actor("Camille Roux").await;
    let event = app
        .event(
            &centre,
            "Jeudi des mares",
            5,
            json!({"themes": ["mares"], "speaker_ids": [speaker["id"]], "capacity": 2}),
        )
        .await;
    let id = event["id"].as_str().expect("id");
    let path = format!("/api/v1/events/{id}");
    let members = app.members("participant", 3).await;
    for member in &members {
        let registered = app
            .send(
                app.request_with(
                    crate::helpers::Method::POST,
                    &format!("{path}/registrations"),
                    &member.token,
                )
                .json(&json!({})),
            )
            .await;
        assert_eq!(registered.status, 201);
    }
    let since = "2000-01-01T00:00:00Z";

    assert_eq!(app.delete(&path, As::Admin).await.status, 204);
    // Gone from reads, lists, facets and search, for every role.
    for who in [As::Public, As::Member, As::Admin] {
        assert_eq!(app.get(&path, who).await.status, 404);
        assert_eq!(
            app.get(
                &format!("/api/v1/events/{}", event["slug"].as_str().expect("slug")),
                who
            )
            .await
            .status,
            404
        );
        assert_eq!(total(&app.get("/api/v1/events", who).await.expect(200)), 0);
    }
    assert_eq!(
        total(
            &app.get("/api/v1/events?q=mares", As::Admin)
                .await
                .expect(200)
        ),
        0
    );
    let tombstones = app
        .get(
            &format!("/api/v1/changes?since={since}&collection=events"),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(tombstones["data"][0]["id"], event["id"]);
    // In the trash, where its slug stays reserved.
    let trash = app.get("/api/v1/trash", As::Admin).await.expect(200);
    assert_eq!(trash["data"][0]["id"], event["id"]);
    assert_eq!(trash["data"][0]["label"], "Jeudi des mares");
    assert_eq!(trash["data"][0]["location"], path);
    let same_slug = app.post("/api/v1/events", &json!({"slug": event["slug"], "title": "Autre", "kind": "journee_technique", "format": "in_person", "centre_id": centre["id"], "starts_at": "2027-04-01T09:00:00Z", "ends_at": "2027-04-01T12:00:00Z"}), As::Admin).await;
    assert_eq!(same_slug.status, 409);
    let namesake = app.event(&centre, "Jeudi des mares", 6, json!({})).await;
    assert_eq!(
        namesake["slug"],
        format!("{}-2", event["slug"].as_str().expect("slug"))
    );

    // Restored: the same id, its themes, speakers and registrations (places counted again).
    let restored = app
        .post(
            &format!("/api/v1/trash/events/{id}/restore"),
            &json!({}),
            As::Admin,
        )
        .await;
    assert_eq!(restored.status, 204, "{}", restored.body);
    assert_eq!(restored.header("location"), Some(path.as_str()));
    let back = app.get(&path, As::Public).await.expect(200);
    assert_eq!(back["themes"], json!(["mares"]));
    assert_eq!(back["speaker_ids"], json!([speaker["id"]]));
    assert_eq!(back["remaining_places"], 0);
    let registrations = app
        .get(&format!("{path}/registrations"), As::Admin)
        .await
        .expect(200);
    let statuses: Vec<&str> = registrations["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|r| r["status"].as_str())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "confirmed").count(), 2);
    assert_eq!(statuses.iter().filter(|s| **s == "waitlisted").count(), 1);
    // Its tombstone is gone, and mirrors see it again as changed.
    let tombstones = app
        .get(
            &format!("/api/v1/changes?since={since}&collection=events"),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(total(&tombstones), 0);
    assert!(back["updated_at"].as_str() > event["updated_at"].as_str());
    assert_eq!(
        total(&app.get("/api/v1/trash", As::Admin).await.expect(200)),
        0
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/trash/events/{id}/restore"),
            &json!({}),
            As::Admin
        )
        .await
        .status,
        404
    );

    // Purged: gone for good, slug free.
    assert_eq!(app.delete(&path, As::Admin).await.status, 204);
    assert_eq!(
        app.delete(&format!("/api/v1/trash/documents/{id}"), As::Admin)
            .await
            .status,
        404,
        "another collection's trash"
    );
    assert_eq!(
        app.delete(&format!("/api/v1/trash/events/{id}"), As::Admin)
            .await
            .status,
        204
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/trash/events/{id}/restore"),
            &json!({}),
            As::Admin
        )
        .await
        .status,
        404
    );
    let reused = app.post("/api/v1/events", &json!({"slug": event["slug"], "title": "Jeudi des mares (nouvelle date)", "kind": "journee_technique", "format": "in_person", "centre_id": centre["id"], "starts_at": "2027-04-01T09:00:00Z", "ends_at": "2027-04-01T12:00:00Z"}), As::Admin).await;
    assert_eq!(reused.status, 201, "{}", reused.body);
    let actions: Vec<String> = app
        .get(&format!("/api/v1/audit?item={id}&sort=at"), As::Admin)
        .await
        .expect(200)["data"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(actions, ["create", "delete", "restore", "delete", "purge"]);
}

#[actix_web::test]
async fn a_restore_that_cannot_come_back_as_it_was_is_a_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let centre = app.centre("cnfpt").await;
    let training = app.create("trainings", json!({"title": "Formation génie écologique", "kind": "formation", "modality": "in_person", "centre_id": centre["id"], "status": "published"})).await;
    let training_id = training["id"].as_str().expect("id");
    let session = app.post(&format!("/api/v1/trainings/{training_id}/sessions"), &json!({"starts_at": "2027-05-10T09:00:00+02:00", "ends_at": "2027-05-12T17:00:00+02:00", "city": "Montpellier"}), As::Admin).await.expect(201);
    let session_id = session["id"].as_str().expect("id");

    // A session whose training is in the trash cannot come back alone.
    assert_eq!(
        app.delete(
            &format!("/api/v1/trainings/{training_id}/sessions/{session_id}"),
            As::Admin
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.delete(&format!("/api/v1/trainings/{training_id}"), As::Admin)
            .await
            .status,
        204
    );
    let alone = app
        .post(
            &format!("/api/v1/trash/sessions/{session_id}/restore"),
            &json!({}),
            As::Admin,
        )
        .await;
    assert_eq!(alone.status, 409);
    assert_eq!(alone.body["type"], "urn:relais:problem:link-gone");
    assert_eq!(
        total(
            &app.get("/api/v1/trash?collection=sessions", As::Admin)
                .await
                .expect(200)
        ),
        1,
        "the trash is as it was"
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/trash/trainings/{training_id}/restore"),
            &json!({}),
            As::Admin
        )
        .await
        .status,
        204
    );
    let restored = app
        .post(
            &format!("/api/v1/trash/sessions/{session_id}/restore"),
            &json!({}),
            As::Admin,
        )
        .await;
    assert_eq!(restored.status, 204);
    assert_eq!(
        restored.header("location"),
        Some(format!("/api/v1/trainings/{training_id}/sessions/{session_id}").as_str())
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/trainings/{training_id}/sessions/{session_id}"),
            As::Public
        )
        .await
        .status,
        200
    );

    // A slug taken meanwhile (here by an import straight into the database): 409 slug-taken.
    let document = app.create("documents", json!({"title": "Guide des haies", "kind": "guide", "centre_id": centre["id"], "status": "published"})).await;
    let document_id = document["id"].as_str().expect("id");
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{document_id}"), As::Admin)
            .await
            .status,
        204
    );
    let mut conn = app.db().await;
    diesel::sql_query(format!("INSERT INTO documents (slug, title, kind, centre_id) VALUES ('guide-des-haies', 'Import', 'guide', '{}')", centre["id"].as_str().expect("id")))
        .execute(&mut conn).await.expect("an import");
    let taken = app
        .post(
            &format!("/api/v1/trash/documents/{document_id}/restore"),
            &json!({}),
            As::Admin,
        )
        .await;
    assert_eq!(taken.status, 409);
    assert_eq!(taken.body["type"], "urn:relais:problem:slug-taken");

    // A centre that other items still need is not deleted at all.
    let refused = app
        .delete(
            &format!("/api/v1/centres/{}", centre["id"].as_str().expect("id")),
            As::Admin,
        )
        .await;
    assert_eq!(refused.status, 409);
}

#[actix_web::test]
async fn an_actor_comes_back_with_its_account_and_themes_are_deleted_for_good() {
    let app = TestApp::spawn().await;
    let accounts = app.members("profil", 1).await;
    let actor = accounts[0].actor_id;
    assert_eq!(
        app.delete(&format!("/api/v1/actors/{actor}"), As::Admin)
            .await
            .status,
        204
    );
    let unlinked = app
        .get(&format!("/api/v1/users/{}", accounts[0].id), As::Admin)
        .await
        .expect(200);
    assert!(unlinked["actor_id"].is_null());
    assert_eq!(
        app.post(
            &format!("/api/v1/trash/actors/{actor}/restore"),
            &json!({}),
            As::Admin
        )
        .await
        .status,
        204
    );
    let linked = app
        .get(&format!("/api/v1/users/{}", accounts[0].id), As::Admin)
        .await
        .expect(200);
    assert_eq!(linked["actor_id"], actor.to_string());

    // Themes are a shared vocabulary, not content: no trash.
    app.theme("haies", None).await;
    assert_eq!(
        app.delete("/api/v1/themes/haies", As::Admin).await.status,
        204
    );
    assert_eq!(
        total(&app.get("/api/v1/trash", As::Admin).await.expect(200)),
        0
    );

    // Administrators only.
    assert_eq!(app.get("/api/v1/trash", As::Member).await.status, 403);
    assert_eq!(app.get("/api/v1/trash", As::Public).await.status, 401);
    assert_eq!(
        app.post(
            &format!("/api/v1/trash/actors/{actor}/restore"),
            &json!({}),
            As::Member
        )
        .await
        .status,
        403
    );
}

#[actix_web::test]
async fn the_trash_is_emptied_after_its_retention_by_the_server() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let old = app
        .create(
            "documents",
            json!({"title": "Ancienne note", "kind": "note_technique", "centre_id": centre["id"]}),
        )
        .await;
    let recent = app
        .create(
            "documents",
            json!({"title": "Note récente", "kind": "note_technique", "centre_id": centre["id"]}),
        )
        .await;
    for document in [&old, &recent] {
        assert_eq!(
            app.delete(
                &format!("/api/v1/documents/{}", document["id"].as_str().expect("id")),
                As::Admin
            )
            .await
            .status,
            204
        );
    }
    let mut conn = app.db().await;
    diesel::sql_query(format!(
        "UPDATE trash SET deleted_at = now() - interval '31 days' WHERE id = '{}'",
        old["id"].as_str().expect("id")
    ))
    .execute(&mut conn)
    .await
    .expect("an old deletion");
    let purged = relais::resources::trash::purge_expired(&app.state)
        .await
        .expect("a purge");
    assert_eq!(purged, 1);
    let trash = app.get("/api/v1/trash", As::Admin).await.expect(200);
    assert_eq!(total(&trash), 1);
    assert_eq!(trash["data"][0]["id"], recent["id"]);
    let entry = app
        .get(
            &format!(
                "/api/v1/audit?item={}&action=purge",
                old["id"].as_str().expect("id")
            ),
            As::Admin,
        )
        .await
        .expect(200);
    assert_eq!(entry["data"][0]["role"], "system");
}
