use crate::helpers::{As, Crud, TestApp, check_crud, check_visibility};
use serde_json::json;

#[actix_web::test]
async fn events_follow_the_crud_contract() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-genie-ecologique").await;
    let speaker = app.actor("Claire Martin").await;
    app.theme("zones-humides", None).await;
    let event = check_crud(&app, Crud {
        path: "/api/v1/events",
        valid: json!({
            "title": "Journée technique « Restaurer les zones humides »",
            "summary": "Retours d'expérience de gestionnaires et visite de chantier.",
            "kind": "journee_technique",
            "centre_id": centre["id"],
            "themes": ["zones-humides"],
            "starts_at": "2027-03-12T08:30:00Z",
            "ends_at": "2027-03-12T16:00:00Z",
            "format": "hybrid",
            "venue": "Maison de l'environnement",
            "city": "Montpellier",
            "capacity": 80,
            "status": "published",
            "speaker_ids": [speaker["id"]],
        }),
        generated_slug: "journee-technique-restaurer-les-zones-humides",
        invalid: json!({
            "title": "Fin avant le début", "kind": "journee_technique", "centre_id": centre["id"],
            "starts_at": "2027-03-12T16:00:00+01:00", "ends_at": "2027-03-12T09:00:00+01:00",
            "format": "in_person", "capacity": -1, "timezone": "Mars/Olympus",
        }),
        invalid_fields: &["capacity", "ends_at", "timezone"],
        patch: json!({"capacity": 120, "venue": "Salle des fêtes"}),
        nullable: "venue",
    })
    .await;
    // Shown in the event's own time zone, with the places left.
    assert_eq!(event["starts_at"], "2027-03-12T09:30:00+01:00");
    assert_eq!(event["timezone"], "Europe/Paris");
    assert_eq!(event["remaining_places"], 80);
    assert_eq!(event["speaker_ids"], json!([speaker["id"]]));
    // A reference to nothing is a 422 naming the field.
    let mut orphan = json!({"title": "Orphelin", "kind": "rencontre", "centre_id": uuid::Uuid::new_v4(),
        "starts_at": "2027-03-12T09:00:00+01:00", "ends_at": "2027-03-12T12:00:00+01:00", "format": "online"});
    assert_eq!(
        app.post("/api/v1/events", &orphan, As::Admin)
            .await
            .error_fields(),
        ["centre_id"]
    );
    orphan["centre_id"] = centre["id"].clone();
    orphan["speaker_ids"] = json!([uuid::Uuid::new_v4()]);
    assert_eq!(
        app.post("/api/v1/events", &orphan, As::Admin)
            .await
            .error_fields(),
        ["speaker_ids"]
    );
    // Every missing field is named at once, not only the first.
    let missing = app
        .post(
            "/api/v1/events",
            &json!({"title": "Sans date", "kind": "rencontre"}),
            As::Admin,
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.error_fields(),
        ["centre_id", "starts_at", "ends_at", "format"]
    );
    // Values of the wrong type are all named too, with what is missing.
    let mut wrong = app
        .post(
            "/api/v1/events",
            &json!({"title": "Mauvais types", "kind": "inconnu", "centre_id": centre["id"],
                    "starts_at": "demain", "ends_at": 12, "capacity": "beaucoup"}),
            As::Admin,
        )
        .await
        .error_fields();
    wrong.sort();
    assert_eq!(
        wrong,
        ["capacity", "ends_at", "format", "kind", "starts_at"]
    );
    // A patch that clears a required field is refused by name.
    let path = format!("/api/v1/events/{}", event["id"].as_str().expect("id"));
    let cleared = app
        .patch(&path, &json!({"title": null, "format": null}), As::Admin)
        .await;
    assert_eq!(cleared.status, 422);
    assert_eq!(cleared.error_fields(), ["title", "format"]);
    // A body must be an object: an array is not read as the fields in order.
    let array = app
        .post(
            "/api/v1/events",
            &json!(["Tableau", "rencontre", centre["id"]]),
            As::Admin,
        )
        .await;
    assert_eq!(array.status, 400, "{}", array.body);
    // Instants the API could not send back in RFC 3339 in the event's time zone.
    for (field, value) in [
        ("starts_at", "9999-12-31T23:00:00-05:00"),
        ("starts_at", "0001-01-01T00:00:00+14:00"),
        ("registration_closes_at", "9999-12-31T23:59:00-12:00"),
    ] {
        let mut event = json!({"title": "Hors du temps", "kind": "rencontre", "centre_id": centre["id"],
            "starts_at": "2027-03-12T09:00:00+01:00", "ends_at": "9999-12-31T20:00:00+01:00", "format": "online"});
        event[field] = json!(value);
        let reply = app.post("/api/v1/events", &event, As::Admin).await;
        assert_eq!(reply.status, 422, "{field} {value}: {}", reply.body);
        assert_eq!(reply.error_fields(), [field], "{value}");
    }
}

#[actix_web::test]
async fn members_only_and_draft_events_are_hidden() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-territorial").await;
    check_visibility(
        &app,
        "/api/v1/events",
        json!({
            "title": "Les Jeudis du Centre de ressources",
            "kind": "rencontre",
            "centre_id": centre["id"],
            "starts_at": "2027-01-14T14:00:00+01:00",
            "ends_at": "2027-01-14T16:00:00+01:00",
            "format": "online",
        }),
    )
    .await;
}

#[actix_web::test]
async fn events_filter_by_date_kind_format_centre_and_theme() {
    let app = TestApp::spawn().await;
    let ofb = app.centre("ofb").await;
    let region = app.centre("region").await;
    app.theme("eau", None).await;
    app.theme("zones-humides", Some("eau")).await;
    app.event(
        &ofb,
        "Mares et amphibiens",
        3,
        json!({"themes": ["zones-humides"]}),
    )
    .await;
    app.event(
        &ofb,
        "Webinaire trame bleue",
        10,
        json!({"kind": "webinaire", "format": "online"}),
    )
    .await;
    app.event(
        &region,
        "Les Jeudis : centres-bourgs",
        24,
        json!({"kind": "rencontre"}),
    )
    .await;
    let count = async |query: &str| {
        app.get(&format!("/api/v1/events?{query}"), As::Public)
            .await
            .expect(200)["meta"]["total"]
            .clone()
    };
    assert_eq!(count("centre=ofb").await, 2);
    assert_eq!(
        count(&format!("centre={}", region["id"].as_str().expect("id"))).await,
        1
    );
    assert_eq!(count("theme=eau").await, 1);
    assert_eq!(count("kind=webinaire").await, 1);
    assert_eq!(count("format=in_person").await, 2);
    assert_eq!(count("from=2027-03-10").await, 2);
    assert_eq!(count("to=2027-03-10").await, 2);
    assert_eq!(count("from=2027-03-04&to=2027-03-23").await, 1);
    assert_eq!(count("from=2027-03-10T18:00:00%2B01:00").await, 1);
    assert_eq!(
        app.get("/api/v1/events?from=demain", As::Public)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/events?format=teleportation", As::Public)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/events?kind=rencontre&kind=webinaire", As::Public)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn related_documents_the_caller_cannot_see_are_left_out() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let mut ids = Vec::new();
    for (slug, audience, status) in [
        ("public", "public", "published"),
        ("membres", "members", "published"),
        ("brouillon", "public", "draft"),
    ] {
        let document = app
            .create(
                "documents",
                json!({"slug": slug, "title": slug, "kind": "compte_rendu",
            "centre_id": centre["id"], "audience": audience, "status": status}),
            )
            .await;
        ids.push(document["id"].clone());
    }
    app.event(
        &centre,
        "Journée avec documents",
        8,
        json!({"slug": "journee", "document_ids": ids}),
    )
    .await;
    for (who, visible) in [(As::Public, 1), (As::Member, 2), (As::Admin, 3)] {
        let event = app.get("/api/v1/events/journee", who).await.expect(200);
        assert_eq!(event["document_ids"], json!(ids[..visible]), "{who:?}");
    }
}
