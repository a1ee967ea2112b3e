use crate::helpers::{As, Crud, TestApp, check_crud};
use serde_json::{Value, json};

async fn training(app: &TestApp, slug: &str, modality: &str, audience: &str) -> Value {
    let centre = app.centre(&format!("centre-{slug}")).await;
    app.create("trainings", json!({
        "slug": slug, "title": format!("Formation {slug}"), "kind": "formation", "modality": modality,
        "centre_id": centre["id"], "status": "published", "audience": audience,
    }))
    .await
}

#[actix_web::test]
async fn sessions_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    let training = training(&app, "restauration-des-mares", "in_person", "public").await;
    let session = check_crud(&app, Crud {
        path: "/api/v1/trainings/restauration-des-mares/sessions",
        valid: json!({
            "starts_at": "2027-02-04T09:00:00+01:00",
            "ends_at": "2027-02-05T17:00:00+01:00",
            "venue": "Domaine de la Tour du Valat",
            "city": "Arles",
            "capacity": 18,
        }),
        generated_slug: "restauration-des-mares-2027-02-04",
        invalid: json!({"starts_at": "2027-02-04T09:00:00+01:00", "ends_at": "2027-02-04T08:00:00+01:00", "capacity": -5}),
        invalid_fields: &["capacity", "ends_at"],
        patch: json!({"capacity": 24}),
        nullable: "venue",
    })
    .await;
    assert_eq!(session["training_id"], training["id"]);
    assert_eq!(session["remaining_places"], 18);
    // Sessions belong to their training: not reachable under another one.
    training_in(&app).await;
    let elsewhere = format!(
        "/api/v1/trainings/autre/sessions/{}",
        session["id"].as_str().expect("id")
    );
    assert_eq!(app.get(&elsewhere, As::Admin).await.status, 404);
    assert_eq!(
        app.get("/api/v1/trainings/inconnue/sessions", As::Public)
            .await
            .status,
        404
    );
}

async fn training_in(app: &TestApp) {
    training(app, "autre", "online", "public").await;
}

#[actix_web::test]
async fn self_paced_trainings_have_no_sessions() {
    let app = TestApp::spawn().await;
    training(&app, "module-e-learning", "self_paced", "public").await;
    let refused = app
        .post("/api/v1/trainings/module-e-learning/sessions",
            &json!({"starts_at": "2027-02-04T09:00:00+01:00", "ends_at": "2027-02-04T12:00:00+01:00"}), As::Admin)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["training_id"]);
}

#[actix_web::test]
async fn sessions_of_hidden_trainings_are_hidden() {
    let app = TestApp::spawn().await;
    training(&app, "reservee", "in_person", "members").await;
    let created = app
        .post("/api/v1/trainings/reservee/sessions",
            &json!({"starts_at": "2027-02-04T09:00:00+01:00", "ends_at": "2027-02-04T12:00:00+01:00"}), As::Admin)
        .await
        .expect(201);
    let path = format!(
        "/api/v1/trainings/reservee/sessions/{}",
        created["slug"].as_str().expect("slug")
    );
    assert_eq!(
        app.get("/api/v1/trainings/reservee/sessions", As::Public)
            .await
            .status,
        404
    );
    assert_eq!(app.get(&path, As::Public).await.status, 404);
    assert_eq!(app.get(&path, As::Member).await.status, 200);
    assert_eq!(
        app.get("/api/v1/trainings/reservee/sessions", As::Member)
            .await
            .expect(200)["meta"]["total"],
        1
    );
}
