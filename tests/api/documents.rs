use crate::helpers::{As, Crud, TestApp, check_crud, check_visibility};
use serde_json::json;

#[actix_web::test]
async fn documents_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let author = app.actor("Julien Moreau").await;
    app.theme("genie-ecologique", None).await;
    let document = check_crud(&app, Crud {
        path: "/api/v1/documents",
        valid: json!({
            "title": "Guide méthodologique de restauration des cours d'eau",
            "summary": "Méthodes, retours d'expérience et fiches techniques.",
            "kind": "guide",
            "centre_id": centre["id"],
            "themes": ["genie-ecologique"],
            "author_ids": [author["id"]],
            "published_on": "2026-06-15",
            "licence": "Etalab-2.0",
            "external_url": "https://www.example.fr/guide.pdf",
            "status": "published",
        }),
        generated_slug: "guide-methodologique-de-restauration-des-cours-d-eau",
        invalid: json!({"title": "Mauvais", "kind": "guide", "centre_id": centre["id"], "language": "français", "external_url": "pas une url"}),
        invalid_fields: &["external_url", "language"],
        // A published document stays visible to members, whose patch is then a 403: they
        // are not its authors.
        patch: json!({"summary": "Deuxième édition, avec les retours d'expérience de 2026."}),
        nullable: "licence",
    })
    .await;
    assert_eq!(document["language"], "fr");
    assert_eq!(document["author_ids"], json!([author["id"]]));
}

#[actix_web::test]
async fn members_only_and_draft_documents_are_hidden() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-territorial").await;
    check_visibility(
        &app,
        "/api/v1/documents",
        json!({
            "title": "Compte rendu du groupe de travail",
            "kind": "compte_rendu",
            "centre_id": centre["id"],
        }),
    )
    .await;
}

#[actix_web::test]
async fn documents_filter_by_publication_date() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    for (slug, date) in [
        ("ancien", "2024-05-02"),
        ("recent", "2026-10-01"),
        ("sans-date", ""),
    ] {
        let published_on = if date.is_empty() {
            json!(null)
        } else {
            json!(date)
        };
        app.create(
            "documents",
            json!({"slug": slug, "title": slug, "kind": "note_technique",
            "centre_id": centre["id"], "status": "published", "published_on": published_on}),
        )
        .await;
    }
    let list = app.get("/api/v1/documents", As::Public).await.expect(200);
    let slugs: Vec<&str> = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|d| d["slug"].as_str())
        .collect();
    assert_eq!(
        slugs,
        ["recent", "ancien", "sans-date"],
        "newest first, undated last"
    );
    assert_eq!(
        app.get("/api/v1/documents?from=2026-01-01", As::Public)
            .await
            .expect(200)["meta"]["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/documents?to=2025-12-31", As::Public)
            .await
            .expect(200)["meta"]["total"],
        1
    );
}

#[actix_web::test]
async fn impossible_dates_are_refused_by_name() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let reply = app
        .post(
            "/api/v1/documents",
            &json!({"title": "Archives", "kind": "dossier", "centre_id": centre["id"],
        "published_on": "-9999-01-01"}),
            As::Admin,
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_fields(), ["published_on"]);
}

#[actix_web::test]
async fn a_language_code_is_stored_in_lower_case() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let document = app
        .create(
            "documents",
            json!({"title": "Note technique", "kind": "note_technique", "centre_id": centre["id"], "language": "EN"}),
        )
        .await;
    assert_eq!(document["language"], "en");
    let path = format!("/api/v1/documents/{}", document["id"].as_str().expect("id"));
    let patched = app
        .patch(&path, &json!({"language": "De"}), As::Admin)
        .await
        .expect(200);
    assert_eq!(patched["language"], "de");
}
