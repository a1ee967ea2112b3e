use crate::helpers::{As, Crud, TestApp, check_crud};
use serde_json::json;

#[actix_web::test]
async fn themes_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    app.theme("biodiversite", None).await;
    check_crud(&app, Crud {
        path: "/api/v1/themes",
        valid: json!({"label": "Zones humides", "parent": "biodiversite", "description": "Mares, tourbières, prairies humides"}),
        generated_slug: "zones-humides",
        invalid: json!({"label": "", "slug": "Pas Un Slug"}),
        invalid_fields: &["label", "slug"],
        patch: json!({"label": "Zones humides et mares"}),
        nullable: "description",
    })
    .await;
}

#[actix_web::test]
async fn the_taxonomy_is_a_tree() {
    let app = TestApp::spawn().await;
    app.theme("eau", None).await;
    app.theme("zones-humides", Some("eau")).await;
    app.theme("tourbieres", Some("zones-humides")).await;
    // A theme cannot go below itself or its descendants.
    let cycle = app
        .patch(
            "/api/v1/themes/eau",
            &json!({"parent": "tourbieres"}),
            As::Admin,
        )
        .await;
    assert_eq!(cycle.status, 422);
    assert_eq!(cycle.error_fields(), ["parent"]);
    let unknown = app
        .post(
            "/api/v1/themes",
            &json!({"label": "Mares", "parent": "inconnu"}),
            As::Admin,
        )
        .await;
    assert_eq!(unknown.error_fields(), ["parent"]);
    // Children of a theme, and no deleting a parent.
    let children = app
        .get("/api/v1/themes?parent=eau", As::Public)
        .await
        .expect(200);
    assert_eq!(children["data"][0]["slug"], "zones-humides");
    assert_eq!(children["meta"]["total"], 1);
    assert_eq!(
        app.delete("/api/v1/themes/zones-humides", As::Admin)
            .await
            .status,
        409
    );
    assert_eq!(
        app.delete("/api/v1/themes/tourbieres", As::Admin)
            .await
            .status,
        204
    );
}

#[actix_web::test]
async fn a_slug_cannot_pass_for_an_id() {
    let app = TestApp::spawn().await;
    let theme = app.theme("biodiversite", None).await;
    let id = theme["id"].as_str().expect("id");
    for slug in [id.to_string(), id.replace('-', "")] {
        let reply = app
            .post(
                "/api/v1/themes",
                &json!({"label": "Usurpateur", "slug": slug}),
                As::Admin,
            )
            .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.error_fields(), ["slug"]);
    }
}

#[actix_web::test]
async fn slugs_made_at_the_same_time_are_all_different() {
    let app = TestApp::spawn().await;
    let body = json!({"label": "Course concurrente"});
    let replies = futures_util::future::join_all(
        (0..8).map(|_| app.post("/api/v1/themes", &body, As::Admin)),
    )
    .await;
    let mut slugs: Vec<String> = replies
        .into_iter()
        .map(|reply| {
            reply.expect(201)["slug"]
                .as_str()
                .expect("slug")
                .to_string()
        })
        .collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 8, "{slugs:?}");
    assert!(slugs.contains(&"course-concurrente".to_string()));
    assert!(slugs.contains(&"course-concurrente-8".to_string()));
}
