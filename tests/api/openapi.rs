use crate::helpers::{As, TestApp};
use serde_json::Value;

#[test]
fn the_committed_spec_matches_the_code() {
    let generated = relais::openapi::document_json().expect("generate");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_default();
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_documented_with_its_security_and_errors() {
    let spec: Value =
        serde_json::from_str(&relais::openapi::document_json().expect("generate")).expect("JSON");
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15);
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{method} {path}");
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no operationId"));
            assert!(ids.insert(id.to_string()), "{id} is used twice");
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has no tag"
            );
            assert!(
                operation["security"].is_array(),
                "{name} does not say who may call it"
            );
            let responses = operation["responses"].as_object().expect("responses");
            if path.starts_with("/api/") {
                assert!(
                    responses.keys().any(|s| s.starts_with('4')),
                    "{name} documents no error"
                );
            }
            // Writes not open to the public must require a token and document the refusals.
            let roles = operation["x-roles"].to_string();
            let writes = matches!(method.as_str(), "post" | "patch" | "delete");
            if writes && !roles.contains("public") {
                let security = operation["security"].to_string();
                assert!(
                    security.contains("bearer") && !security.contains("{}"),
                    "{name} must require a token"
                );
                assert!(responses.contains_key("401"), "{name} must document 401");
                if !roles.contains("member") {
                    assert!(responses.contains_key("403"), "{name} must document 403");
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_spec_and_the_docs_are_served() {
    let app = TestApp::spawn().await;
    let served = app.get("/openapi.json", As::Public).await.expect(200);
    let generated: Value =
        serde_json::from_str(&relais::openapi::document_json().expect("generate")).expect("JSON");
    assert_eq!(served, generated);
    let docs = app.get("/docs/", As::Public).await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.body
            .as_str()
            .is_some_and(|html| html.contains("swagger")),
        "{}",
        docs.body
    );
    assert_eq!(
        app.get("/health/live", As::Public).await.expect(200)["status"],
        "ok"
    );
    assert_eq!(
        app.get("/health/ready", As::Public).await.expect(200)["status"],
        "ok"
    );
}

#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/themes/inconnu", As::Public)
        .await
        .expect(404);
    app.get("/api/v1/themes", As::Public).await.expect(200);
    let reply = app.get("/metrics", As::Public).await;
    assert!(
        reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/plain"))
    );
    let text = reply.expect(200);
    let text = text.as_str().expect("text");
    assert!(text.contains(r#"relais_http_requests_total{method="GET",route="/api/v1/themes/{key}",status="404"} 1"#), "{text}");
    assert!(
        text.contains(
            r#"relais_http_request_duration_seconds_count{method="GET",route="/api/v1/themes"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("relais_db_pool_connections{state=\"max\"} 4"),
        "{text}"
    );
}

/// The names in backquotes after `label` in an operation's description.
fn listed(description: &str, label: &str) -> Option<Vec<String>> {
    let line = description.lines().find(|l| l.starts_with(label))?;
    Some(
        line.split('`')
            .skip(3)
            .step_by(2)
            .map(|name| name.to_string())
            .collect(),
    )
}

#[actix_web::test]
async fn each_list_documents_exactly_the_facets_and_includes_it_takes() {
    let app = TestApp::spawn().await;
    let spec: Value =
        serde_json::from_str(&relais::openapi::document_json().expect("generate")).expect("json");
    let centre = app.centre("centre-des-listes").await;
    let training = app
        .create(
            "trainings",
            serde_json::json!({"title": "Formation", "kind": "formation", "modality": "online",
                               "centre_id": centre["id"], "status": "published"}),
        )
        .await;
    let training = training["slug"].as_str().expect("slug");
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(description) = item["get"]["description"].as_str() else {
            continue;
        };
        let path = path
            .replace("{training}", training)
            .replace("{key}", "inconnu");
        // What the server says it accepts, in the 400 for an unknown name.
        let accepted = |query: &'static str, after: &'static str| {
            let path = format!("{path}?{query}");
            let app = &app;
            async move {
                let reply = app.get(&path, As::Admin).await;
                let detail = reply.body["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                detail.split_once(after).map(|(_, names)| {
                    names
                        .split(", ")
                        .filter(|n| *n != "none" && *n != "nothing")
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
            }
        };
        if let Some(documented) = listed(description, "Facets (`facets=`)") {
            let taken = accepted("facets=inconnue", "facets of this list: ").await;
            assert_eq!(taken, Some(documented), "{path}: facets");
            checked += 1;
        }
        if let Some(documented) = listed(description, "Includes (`include=`)") {
            if path.ends_with("inconnu") {
                continue;
            }
            let taken = accepted("include=inconnu", "this collection includes: ").await;
            assert_eq!(taken, Some(documented), "{path}: includes");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} lists checked");
}
