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

/// The slugs each role finds in `/changes?since=…`.
async fn tombstones(app: &TestApp, since: &str) -> [Vec<String>; 3] {
    let mut found = [Vec::new(), Vec::new(), Vec::new()];
    for (i, who) in [As::Public, As::Member, As::Admin].into_iter().enumerate() {
        let page = app
            .get(&format!("/api/v1/changes?since={since}"), who)
            .await
            .expect(200);
        found[i] = page["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|t| t["slug"].as_str().expect("slug").to_string())
            .collect();
        found[i].sort();
    }
    found
}

#[actix_web::test]
async fn items_leaving_a_role_s_view_are_tombstones_for_that_role_only() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    for (slug, extra) in [
        ("archive", json!({})),
        ("reserve", json!({})),
        ("aller-retour", json!({})),
        ("interne", json!({"audience": "members"})),
    ] {
        let mut body = json!({"slug": slug, "title": format!("Guide {slug}"), "kind": "guide",
                              "centre_id": centre["id"], "status": "published"});
        crate::helpers::merge(&mut body, extra);
        app.create("documents", body).await;
    }
    let since = chrono::Utc::now().to_rfc3339().replace('+', "%2B");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    let patch = |slug: &'static str, body: serde_json::Value| {
        let app = &app;
        async move {
            app.patch(&format!("/api/v1/documents/{slug}"), &body, As::Admin)
                .await
                .expect(200)
        }
    };
    // Archived: gone for the public and for members; admins still list it.
    patch("archive", json!({"status": "archived"})).await;
    // Reserved to members: gone for the public only.
    patch("reserve", json!({"audience": "members"})).await;
    // Withdrawn, then published again: no tombstone is left for anyone.
    patch("aller-retour", json!({"status": "draft"})).await;
    patch("aller-retour", json!({"status": "published"})).await;
    // An empty or unchanged patch changes nothing, not even `updated_at`.
    let before = app
        .get("/api/v1/documents/interne", As::Admin)
        .await
        .expect(200);
    let same = patch("interne", json!({})).await;
    assert_eq!(same["updated_at"], before["updated_at"]);
    let same = patch("interne", json!({"title": "Guide interne"})).await;
    assert_eq!(same["updated_at"], before["updated_at"]);
    let [public, member, admin] = tombstones(&app, &since).await;
    assert_eq!(public, ["archive", "reserve"]);
    assert_eq!(member, ["archive"]);
    assert!(admin.is_empty(), "{admin:?}");
    let updated = app
        .get(
            &format!("/api/v1/documents?updated_since={since}&sort=title"),
            As::Member,
        )
        .await
        .expect(200);
    let slugs: Vec<_> = updated["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|d| d["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("aller-retour"), json!("reserve")]);

    // Deleted after it was withdrawn: now a tombstone for admins too, still one per item.
    assert_eq!(
        app.delete("/api/v1/documents/archive", As::Admin)
            .await
            .status,
        204
    );
    // The members-only document, deleted: the public never saw it.
    assert_eq!(
        app.delete("/api/v1/documents/interne", As::Admin)
            .await
            .status,
        204
    );
    let [public, member, admin] = tombstones(&app, &since).await;
    assert_eq!(public, ["archive", "reserve"]);
    assert_eq!(member, ["archive", "interne"]);
    assert_eq!(admin, ["archive", "interne"]);
}

/// A training's sessions are seen by whoever sees the training: they leave a role's view with
/// it, come back with it (listed again by `updated_since=`), and a deleted session is a
/// tombstone only for the roles that saw its training.
#[actix_web::test]
async fn sessions_leave_and_come_back_with_their_training() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    for (slug, status) in [("formation-mares", "published"), ("brouillon", "draft")] {
        app.create(
            "trainings",
            json!({"slug": slug, "title": format!("Formation {slug}"), "kind": "formation",
                   "modality": "in_person", "centre_id": centre["id"], "status": status}),
        )
        .await;
        for day in [4, 5] {
            app.post(
                &format!("/api/v1/trainings/{slug}/sessions"),
                &json!({"slug": format!("{slug}-{day}"),
                        "starts_at": format!("2027-02-0{day}T09:00:00+01:00"),
                        "ends_at": format!("2027-02-0{day}T12:00:00+01:00")}),
                As::Admin,
            )
            .await
            .expect(201);
        }
    }
    let since = chrono::Utc::now().to_rfc3339().replace('+', "%2B");
    actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
    let training = "/api/v1/trainings/formation-mares";
    // Reserved to members: the training and its sessions leave the public's view.
    app.patch(training, &json!({"audience": "members"}), As::Admin)
        .await
        .expect(200);
    let [public, member, admin] = tombstones(&app, &since).await;
    assert_eq!(
        public,
        ["formation-mares", "formation-mares-4", "formation-mares-5"]
    );
    assert!(
        member.is_empty() && admin.is_empty(),
        "{member:?} {admin:?}"
    );
    // Open to everyone again: no tombstone left, and the sessions are listed as changed.
    app.patch(training, &json!({"audience": "public"}), As::Admin)
        .await
        .expect(200);
    let [public, _, _] = tombstones(&app, &since).await;
    assert!(public.is_empty(), "{public:?}");
    let changed = app
        .get(
            &format!("{training}/sessions?updated_since={since}"),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(changed["meta"]["total"], 2);
    // Deleted sessions: the draft's only for admins, who alone saw them; the training's
    // (deleted with it) for every role.
    app.delete(
        "/api/v1/trainings/brouillon/sessions/brouillon-4",
        As::Admin,
    )
    .await
    .expect(204);
    app.delete("/api/v1/trainings/brouillon", As::Admin)
        .await
        .expect(204);
    app.delete(training, As::Admin).await.expect(204);
    let [public, member, admin] = tombstones(&app, &since).await;
    let published = ["formation-mares", "formation-mares-4", "formation-mares-5"];
    assert_eq!(public, published);
    assert_eq!(member, published);
    assert_eq!(
        admin,
        [
            "brouillon",
            "brouillon-4",
            "brouillon-5",
            "formation-mares",
            "formation-mares-4",
            "formation-mares-5"
        ]
    );
}
