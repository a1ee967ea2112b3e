//! The role matrix, proven from the spec: every operation declares in `x-roles` who may call
//! it, and each role gets exactly that.

use crate::helpers::{As, Method, TestApp};
use serde_json::json;

#[actix_web::test]
async fn every_operation_admits_exactly_the_roles_it_declares() {
    let app = TestApp::spawn().await;
    let spec = app.get("/openapi.json", As::Public).await.expect(200);
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let name = format!("{} {path}", method.to_uppercase());
            let roles: Vec<&str> = operation["x-roles"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} does not declare x-roles"))
                .iter()
                .filter_map(|r| r.as_str())
                .collect();
            // Any id will do: a caller without the right is refused before anything is looked up.
            let mut url = String::new();
            for segment in path.split('/').filter(|s| !s.is_empty()) {
                url.push('/');
                url.push_str(if segment.starts_with('{') {
                    "8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"
                } else {
                    segment
                });
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            for (who, role) in [
                (As::Public, "public"),
                (As::Member, "member"),
                (As::Admin, "admin"),
            ] {
                let mut request = app.request(method.clone(), &url, who);
                if operation.get("requestBody").is_some() {
                    let content_type = if method == Method::PATCH {
                        "application/merge-patch+json"
                    } else {
                        "application/json"
                    };
                    request = request.header("content-type", content_type).body("{}");
                }
                let status = app.send(request).await.status.as_u16();
                if roles.contains(&role) {
                    assert!(
                        status != 401 && status != 403,
                        "{name} as {role}: {status}, but it declares {roles:?}"
                    );
                } else {
                    let refused = if role == "public" { 401 } else { 403 };
                    assert_eq!(status, refused, "{name} as {role}: it declares {roles:?}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} calls checked");
}

#[actix_web::test]
async fn hidden_fields_cannot_be_reached_sideways() {
    let app = TestApp::spawn().await;
    for query in [
        "/api/v1/actors?sort=email",
        "/api/v1/actors?email=contact%40example.fr",
        "/api/v1/actors?phone=1",
        "/api/v1/users?password_hash=x",
        "/api/v1/events?sort=password_hash",
    ] {
        let who = if query.contains("/users") {
            As::Admin
        } else {
            As::Public
        };
        assert_eq!(app.get(query, who).await.status, 400, "{query}");
    }
    assert_eq!(
        app.get("/api/v1/users?sort=password_hash", As::Admin)
            .await
            .status,
        400
    );
    let user = app.get("/api/v1/users", As::Admin).await.expect(200);
    assert!(
        user["data"][0].get("password_hash").is_none() && user["data"][0].get("password").is_none()
    );
    // A members-only item stays hidden from the public through every view: item, list, filter.
    let centre = app.centre("centre").await;
    app.event(
        &centre,
        "Réservé",
        5,
        json!({"audience": "members", "slug": "reserve"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/events/reserve", As::Public).await.status,
        404
    );
    assert_eq!(
        app.get("/api/v1/events", As::Public).await.expect(200)["meta"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/events?audience=members", As::Public)
            .await
            .expect(200)["meta"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/events?sort=-starts_at&centre=centre", As::Public)
            .await
            .expect(200)["meta"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/events/reserve", As::Member).await.status,
        200
    );
}
