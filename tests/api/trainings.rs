use crate::helpers::{Crud, TestApp, check_crud, check_visibility};
use serde_json::json;

#[actix_web::test]
async fn trainings_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-territorial").await;
    let trainer = app.actor("Sophie Bernard").await;
    app.theme("developpement-territorial", None).await;
    let training = check_crud(&app, Crud {
        path: "/api/v1/trainings",
        valid: json!({
            "title": "Cycle de qualification « Revitaliser les centres-bourgs »",
            "summary": "Quatre journées pour construire une stratégie de revitalisation.",
            "kind": "cycle_qualification",
            "modality": "hybrid",
            "centre_id": centre["id"],
            "themes": ["developpement-territorial"],
            "objectives": "Diagnostiquer, prioriser, conduire le projet.",
            "duration_hours": 28.0,
            "status": "published",
            "trainer_ids": [trainer["id"]],
        }),
        generated_slug: "cycle-de-qualification-revitaliser-les-centres-bourgs",
        invalid: json!({"title": "", "kind": "formation", "modality": "online", "centre_id": centre["id"], "duration_hours": -3.0}),
        invalid_fields: &["duration_hours", "title"],
        patch: json!({"prerequisites": "Être agent d'une collectivité"}),
        nullable: "objectives",
    })
    .await;
    assert_eq!(training["trainer_ids"], json!([trainer["id"]]));
}

#[actix_web::test]
async fn members_only_and_draft_trainings_are_hidden() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    check_visibility(
        &app,
        "/api/v1/trainings",
        json!({
            "title": "Webinaire génie écologique",
            "kind": "webinaire",
            "modality": "online",
            "centre_id": centre["id"],
        }),
    )
    .await;
}
