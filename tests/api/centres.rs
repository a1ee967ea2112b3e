use crate::helpers::{As, Crud, TestApp, check_crud};
use serde_json::json;

#[actix_web::test]
async fn centres_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    app.theme("genie-ecologique", None).await;
    let centre = check_crud(
        &app,
        Crud {
            path: "/api/v1/centres",
            valid: json!({
                "name": "Centre de ressources Génie écologique",
                "acronym": "CRGE",
                "operator": "Office français de la biodiversité",
                "scope": "national",
                "themes": ["genie-ecologique"],
                "latitude": 43.6, "longitude": 1.44,
            }),
            generated_slug: "centre-de-ressources-genie-ecologique",
            invalid: json!({"name": "", "scope": "planetaire", "website": "pas une adresse"}),
            invalid_fields: &["scope"],
            patch: json!({"territory": "Occitanie", "acronym": "CR-GE"}),
            nullable: "acronym",
        },
    )
    .await;
    assert_eq!(centre["themes"], json!(["genie-ecologique"]));

    let invalid = app.post("/api/v1/centres", &json!({"name": "", "scope": "national", "website": "pas une adresse", "latitude": 91.0}), As::Admin).await;
    let mut fields = invalid.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["latitude", "longitude", "name", "website"],
        "{}",
        invalid.body
    );
    let unknown_theme = app
        .post(
            "/api/v1/centres",
            &json!({"name": "X", "scope": "local", "themes": ["inconnu"]}),
            As::Admin,
        )
        .await;
    assert_eq!(unknown_theme.status, 422);
    assert_eq!(unknown_theme.error_fields(), ["themes[0]"]);
}

#[actix_web::test]
async fn a_centre_with_events_cannot_be_deleted() {
    let app = TestApp::spawn().await;
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
    assert_eq!(
        app.get("/api/v1/centres/pole-zones-humides", As::Public)
            .await
            .status,
        200
    );
}
