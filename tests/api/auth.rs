use crate::helpers::{AUDIENCE, As, ISSUER, Method, PASSWORD, TestApp};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

#[actix_web::test]
async fn a_user_exchanges_a_password_for_a_token() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/auth/token",
            &json!({"email": "Admin@Relais.test", "password": PASSWORD}),
            As::Public,
        )
        .await;
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let token = reply.expect(200);
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 900);
    let access = token["access_token"].as_str().expect("token");
    let me = app
        .send(
            app.client
                .get(format!("{}/api/v1/me", app.base))
                .bearer_auth(access),
        )
        .await
        .expect(200);
    assert_eq!(me["email"], "admin@relais.test");
    assert_eq!(me["role"], "admin");
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_emails_look_the_same() {
    let app = TestApp::spawn().await;
    let wrong = app
        .post(
            "/api/v1/auth/token",
            &json!({"email": "admin@relais.test", "password": "faux"}),
            As::Public,
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/token",
            &json!({"email": "personne@relais.test", "password": "faux"}),
            As::Public,
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(
        app.post("/api/v1/auth/token", &json!({"email": "x"}), As::Public)
            .await
            .status,
        422
    );
}

#[actix_web::test]
async fn bad_tokens_are_401_never_5xx() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64, aud: &str| json!({"sub": uuid::Uuid::new_v4(), "role": "admin", "iss": ISSUER, "aud": aud, "exp": exp, "iat": now, "jti": uuid::Uuid::new_v4()});
    let sign = |claims: serde_json::Value, secret: &str| {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .expect("sign")
    };
    let secret = "a-test-secret-of-at-least-thirty-two-bytes";
    let tokens = [
        sign(claims(now - 120, AUDIENCE), secret),
        sign(claims(now + 600, "autre-api"), secret),
        sign(
            claims(now + 600, AUDIENCE),
            "un-autre-secret-de-trente-deux-octets-au-moins",
        ),
        sign(
            json!({"sub": "x", "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": "jamais"}),
            secret,
        ),
        // alg: none, unsigned.
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.".to_string(),
        "pas.un.jeton".to_string(),
    ];
    for token in tokens {
        let reply = app
            .send(
                app.client
                    .get(format!("{}/api/v1/centres", app.base))
                    .bearer_auth(&token),
            )
            .await;
        assert_eq!(reply.status, 401, "{token}: {}", reply.body);
        assert!(
            reply
                .header("www-authenticate")
                .is_some_and(|h| h.contains("invalid_token"))
        );
    }
    let basic = app
        .request(Method::GET, "/api/v1/me", As::Public)
        .header("authorization", "Basic YTpi");
    assert_eq!(app.send(basic).await.status, 401);
    let me = app.get("/api/v1/me", As::Public).await;
    assert_eq!(me.status, 401);
    assert_eq!(
        me.header("www-authenticate"),
        Some("Bearer realm=\"relais\"")
    );
    assert_eq!(
        app.get("/api/v1/me", As::Member).await.expect(200)["role"],
        "member"
    );
}
