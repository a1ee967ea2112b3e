use crate::helpers::{As, Crud, TestApp, check_crud};
use serde_json::json;

#[actix_web::test]
async fn actors_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-territorial").await;
    app.theme("politique-de-la-ville", None).await;
    let actor = check_crud(&app, Crud {
        path: "/api/v1/actors",
        valid: json!({
            "kind": "person",
            "name": "Amélie Durand",
            "organisation": "Communauté d'agglomération du Grand Albigeois",
            "job_title": "Cheffe de projet politique de la ville",
            "category": "charge_mission",
            "email": "amelie.durand@example.fr",
            "phone": "+33 5 63 00 00 00",
            "is_expert": true,
            "centre_ids": [centre["id"]],
            "themes": ["politique-de-la-ville"],
        }),
        generated_slug: "amelie-durand",
        invalid: json!({"kind": "person", "name": "", "email": "pas-un-courriel", "centre_ids": []}),
        invalid_fields: &["email", "name"],
        patch: json!({"job_title": "Directrice du contrat de ville"}),
        nullable: "phone",
    })
    .await;
    assert_eq!(actor["centre_ids"], json!([centre["id"]]));
    let unknown_centre = app
        .post(
            "/api/v1/actors",
            &json!({"kind": "person", "name": "X", "centre_ids": [uuid::Uuid::new_v4()]}),
            As::Admin,
        )
        .await;
    assert_eq!(unknown_centre.status, 422);
    assert_eq!(unknown_centre.error_fields(), ["centre_ids"]);
}

#[actix_web::test]
async fn contact_details_are_for_members_only() {
    let app = TestApp::spawn().await;
    let actor = app.actor("Bruno Lefèvre").await;
    let path = format!("/api/v1/actors/{}", actor["slug"].as_str().expect("slug"));
    let public = app.get(&path, As::Public).await.expect(200);
    assert!(
        public.get("email").is_none() && public.get("phone").is_none(),
        "{public}"
    );
    let listed = app.get("/api/v1/actors", As::Public).await.expect(200);
    assert!(listed["data"][0].get("email").is_none());
    let member = app.get(&path, As::Member).await.expect(200);
    assert_eq!(member["email"], "contact@example.fr");
    assert_eq!(member["phone"], "+33 5 61 00 00 00");
}

#[actix_web::test]
async fn actors_filter_by_network_theme_and_expertise() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pnr-grands-causses").await;
    app.theme("agriculture", None).await;
    app.theme("pastoralisme", Some("agriculture")).await;
    app.create(
        "actors",
        json!({"kind": "person", "name": "Expert pastoral", "is_expert": true,
        "centre_ids": [centre["id"]], "themes": ["pastoralisme"]}),
    )
    .await;
    app.create(
        "actors",
        json!({"kind": "organisation", "name": "Chambre d'agriculture", "category": "autre"}),
    )
    .await;
    let in_network = app
        .get("/api/v1/actors?centre=pnr-grands-causses", As::Public)
        .await
        .expect(200);
    assert_eq!(in_network["meta"]["total"], 1);
    // A parent theme finds actors tagged with its children.
    let by_theme = app
        .get("/api/v1/actors?theme=agriculture", As::Public)
        .await
        .expect(200);
    assert_eq!(by_theme["data"][0]["name"], "Expert pastoral");
    assert_eq!(
        app.get("/api/v1/actors?is_expert=true", As::Public)
            .await
            .expect(200)["meta"]["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/actors?kind=organisation", As::Public)
            .await
            .expect(200)["meta"]["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/actors?is_expert=peut-etre", As::Public)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/actors?kind=robot", As::Public)
            .await
            .status,
        400
    );
    // Hidden fields cannot be sorted on.
    assert_eq!(
        app.get("/api/v1/actors?sort=email", As::Public)
            .await
            .status,
        400
    );
}
