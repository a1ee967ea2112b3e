use crate::helpers::{As, PASSWORD, TestApp};
use serde_json::json;

#[actix_web::test]
async fn administrators_manage_accounts() {
    let app = TestApp::spawn().await;
    let created = app
        .post("/api/v1/users", &json!({"email": "nouvelle@relais.test", "password": "un mot de passe long", "role": "member"}), As::Admin)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.header("location").expect("Location").to_string();
    let user = created.body;
    assert_eq!(user["role"], "member");
    assert_eq!(user["is_active"], true);
    assert!(user.get("password_hash").is_none());
    assert_eq!(
        app.get(&location, As::Admin).await.expect(200)["email"],
        "nouvelle@relais.test"
    );
    // The email is unique whatever its case; passwords are at least 12 characters.
    let again = json!({"email": "NOUVELLE@relais.test", "password": "un mot de passe long", "role": "member"});
    assert_eq!(
        app.post("/api/v1/users", &again, As::Admin).await.status,
        409
    );
    let short = app
        .post(
            "/api/v1/users",
            &json!({"email": "x@relais.test", "password": "court", "role": "member"}),
            As::Admin,
        )
        .await;
    assert_eq!(short.error_fields(), ["password"]);
    assert_eq!(
        app.post(
            "/api/v1/users",
            &json!({"email": "y@relais.test", "password": "un mot de passe long", "role": "roi"}),
            As::Admin
        )
        .await
        .status,
        422
    );
    assert_eq!(
        app.login("nouvelle@relais.test", "un mot de passe long")
            .await
            .status,
        200
    );
    // Lists and filters.
    let members = app
        .get("/api/v1/users?role=member&sort=-created_at", As::Admin)
        .await
        .expect(200);
    assert_eq!(members["meta"]["total"], 2);
    assert_eq!(members["data"][0]["email"], "nouvelle@relais.test");
    // Promote, then demote; the email cannot be changed this way.
    assert_eq!(
        app.patch(&location, &json!({"role": "admin"}), As::Admin)
            .await
            .expect(200)["role"],
        "admin"
    );
    assert_eq!(
        app.patch(&location, &json!({"email": "autre@relais.test"}), As::Admin)
            .await
            .status,
        422
    );
    assert_eq!(
        app.get("/api/v1/users/pas-un-id", As::Admin).await.status,
        404
    );
    assert_eq!(app.get(&location, As::Member).await.status, 403);
}

#[actix_web::test]
async fn the_last_active_administrator_stays() {
    let app = TestApp::spawn().await;
    let admins = app
        .get("/api/v1/users?role=admin", As::Admin)
        .await
        .expect(200);
    let admin = format!(
        "/api/v1/users/{}",
        admins["data"][0]["id"].as_str().expect("id")
    );
    assert_eq!(
        app.patch(&admin, &json!({"is_active": false}), As::Admin)
            .await
            .status,
        409
    );
    assert_eq!(
        app.patch(&admin, &json!({"role": "member"}), As::Admin)
            .await
            .status,
        409
    );
    assert_eq!(
        app.get(&admin, As::Admin).await.expect(200)["role"],
        "admin"
    );
}

#[actix_web::test]
async fn members_edit_their_own_profile_and_nothing_else() {
    let app = TestApp::spawn().await;
    let user = format!("/api/v1/users/{}", app.member_id());
    assert_eq!(
        app.patch(
            "/api/v1/me",
            &json!({"job_title": "Animatrice"}),
            As::Member
        )
        .await
        .status,
        409,
        "no profile yet"
    );
    let actor = app.actor("Camille Roux").await;
    app.patch(&user, &json!({"actor_id": actor["id"]}), As::Admin)
        .await
        .expect(200);
    let me = app.get("/api/v1/me", As::Member).await.expect(200);
    assert_eq!(me["actor_id"], actor["id"]);
    let edited = app
        .patch(
            "/api/v1/me",
            &json!({"job_title": "Animatrice de réseau", "bio": null}),
            As::Member,
        )
        .await
        .expect(200);
    assert_eq!(edited["job_title"], "Animatrice de réseau");
    assert_eq!(edited["id"], actor["id"]);
    for field in ["role", "id", "is_active", "centre_ids"] {
        let refused = app
            .patch(
                "/api/v1/me",
                &json!({field: "admin", "job_title": "Pirate"}),
                As::Member,
            )
            .await;
        assert_eq!(refused.status, 422, "{field}");
        assert_eq!(refused.error_fields(), [field]);
    }
    // Contact details are the profile's: the login email stays as it is.
    let contact = app
        .patch(
            "/api/v1/me",
            &json!({"email": "camille.roux@exemple.fr", "phone": "05 61 00 00 00"}),
            As::Member,
        )
        .await
        .expect(200);
    assert_eq!(contact["email"], "camille.roux@exemple.fr");
    let me = app.get("/api/v1/me", As::Member).await.expect(200);
    assert_eq!(me["role"], "member");
    assert_eq!(me["email"], "membre@relais.test");
    let path = format!("/api/v1/actors/{}", actor["id"].as_str().expect("id"));
    assert_eq!(
        app.get(&path, As::Member).await.expect(200)["job_title"],
        "Animatrice de réseau"
    );
    assert_eq!(
        app.patch("/api/v1/me", &json!({"job_title": "x"}), As::Public)
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn changing_a_password_needs_the_current_one() {
    let app = TestApp::spawn().await;
    let session = app.login("membre@relais.test", PASSWORD).await.expect(200);
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let wrong = app
        .post(
            "/api/v1/me/password",
            &change("faux", "un nouveau mot de passe"),
            As::Member,
        )
        .await;
    assert_eq!(wrong.error_fields(), ["current_password"]);
    let short = app
        .post(
            "/api/v1/me/password",
            &change(PASSWORD, "court"),
            As::Member,
        )
        .await;
    assert_eq!(short.error_fields(), ["new_password"]);
    assert_eq!(
        app.post(
            "/api/v1/me/password",
            &change(PASSWORD, "un nouveau mot de passe"),
            As::Member
        )
        .await
        .status,
        204
    );
    assert_eq!(app.login("membre@relais.test", PASSWORD).await.status, 401);
    assert_eq!(
        app.login("membre@relais.test", "un nouveau mot de passe")
            .await
            .status,
        200
    );
    // Other sessions are logged out.
    let refresh = json!({"refresh_token": session["refresh_token"]});
    assert_eq!(
        app.post("/api/v1/auth/refresh", &refresh, As::Public)
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn a_failed_account_creation_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    let body = |actor: serde_json::Value| json!({"email": "camille@relais.test", "password": "un mot de passe long", "role": "member", "actor_id": actor});
    let refused = app
        .post(
            "/api/v1/users",
            &body(json!(uuid::Uuid::new_v4())),
            As::Admin,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        app.post("/api/v1/users", &body(json!(null)), As::Admin)
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn the_account_list_takes_no_shaping() {
    let app = TestApp::spawn().await;
    for (query, detail) in [
        (
            "fields=email",
            "this list takes neither `fields` nor `include`",
        ),
        (
            "include=actor",
            "this list takes neither `fields` nor `include`",
        ),
        (
            "sort=password_hash&fields=email",
            "cannot sort by `password_hash`; sortable fields: email, created_at",
        ),
    ] {
        let refused = app.get(&format!("/api/v1/users?{query}"), As::Admin).await;
        assert_eq!(refused.expect(400)["detail"], detail, "{query}");
    }
    let id = app.get("/api/v1/users", As::Admin).await.expect(200)["data"][0]["id"].clone();
    let one = app
        .get(
            &format!("/api/v1/users/{}?fields=email", id.as_str().expect("id")),
            As::Admin,
        )
        .await;
    assert_eq!(
        one.expect(400)["detail"],
        "unknown query parameter `fields`"
    );
    assert_eq!(
        app.get("/api/v1/users/pas-un-id", As::Admin).await.status,
        404
    );
}
