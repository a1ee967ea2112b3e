//! What a row keeps of its links (theme slugs, speakers, documents, authors, trainers, an
//! actor's centres) follows every change to them: through the API, a theme renamed, a linked
//! item deleted, and a link written by another client.

use diesel_async::SimpleAsyncConnection;
use serde_json::json;

use crate::helpers::{As, TestApp};

#[actix_web::test]
async fn kept_links_follow_renames_deletions_and_writes_from_elsewhere() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    app.theme("zones-humides", None).await;
    app.theme("mares", None).await;
    let claire = app.actor("Claire Martin").await;
    let paul = app.actor("Paul Durand").await;
    let event = app
        .event(
            &centre,
            "Journée technique mares",
            12,
            json!({"themes": ["zones-humides", "mares"], "speaker_ids": [paul["id"], claire["id"]]}),
        )
        .await;
    let path = format!("/api/v1/events/{}", event["slug"].as_str().expect("slug"));
    let read = async || app.get(&path, As::Admin).await.expect(200);
    let listed = async || app.get("/api/v1/events", As::Admin).await.expect(200)["data"][0].clone();
    assert_eq!(read().await["themes"], json!(["mares", "zones-humides"]));
    assert_eq!(
        read().await["speaker_ids"],
        json!([paul["id"], claire["id"]])
    );

    // Reordered and cut through the API.
    app.patch(&path, &json!({"speaker_ids": [claire["id"]]}), As::Admin)
        .await
        .expect(200);
    assert_eq!(listed().await["speaker_ids"], json!([claire["id"]]));

    // A theme renamed: its items show the new slug.
    app.patch(
        "/api/v1/themes/mares",
        &json!({"slug": "mares-et-etangs"}),
        As::Admin,
    )
    .await
    .expect(200);
    assert_eq!(
        listed().await["themes"],
        json!(["mares-et-etangs", "zones-humides"])
    );

    // A speaker deleted: the link goes with it.
    let claire_path = format!("/api/v1/actors/{}", claire["id"].as_str().expect("id"));
    app.delete(&claire_path, As::Admin).await.expect(204);
    assert_eq!(listed().await["speaker_ids"], json!([]));

    // Another client writes the links directly.
    let mut conn = app.db().await;
    conn.batch_execute(&format!(
        "INSERT INTO event_speakers (event_id, actor_id, position) VALUES ('{}', '{}', 1);
         DELETE FROM event_themes WHERE event_id = '{}';",
        event["id"].as_str().expect("id"),
        paul["id"].as_str().expect("id"),
        event["id"].as_str().expect("id"),
    ))
    .await
    .expect("write elsewhere");
    let item = listed().await;
    assert_eq!(item["speaker_ids"], json!([paul["id"]]));
    assert_eq!(item["themes"], json!([]));
}
