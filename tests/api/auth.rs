use crate::helpers::{AUDIENCE, As, ISSUER, Method, PASSWORD, SECRET, TestApp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use relais::auth::Role;
use relais::auth::tokens::ExternalProvider;
use serde_json::{Value, json};
use std::time::Duration;

#[actix_web::test]
async fn a_user_exchanges_a_password_for_a_token_pair() {
    let app = TestApp::spawn().await;
    let reply = app.login("Admin@Relais.test", PASSWORD).await;
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let token = reply.expect(200);
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 900);
    assert!(
        token["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 40)
    );
    let me = app
        .get_with("/api/v1/me", token["access_token"].as_str().expect("token"))
        .await
        .expect(200);
    assert_eq!(me["email"], "admin@relais.test");
    assert_eq!(me["role"], "admin");
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    let app = TestApp::spawn().await;
    let first = app.login("membre@relais.test", PASSWORD).await.expect(200);
    let refresh = |token: &Value| json!({"refresh_token": token["refresh_token"]});
    let second = app
        .post("/api/v1/auth/refresh", &refresh(&first), As::Public)
        .await
        .expect(200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        app.get_with(
            "/api/v1/me",
            second["access_token"].as_str().expect("token")
        )
        .await
        .status,
        200
    );
    let third = app
        .post("/api/v1/auth/refresh", &refresh(&second), As::Public)
        .await
        .expect(200);
    // The first token again: a replay. It fails, and so does the latest one of its family.
    assert_eq!(
        app.post("/api/v1/auth/refresh", &refresh(&first), As::Public)
            .await
            .status,
        401
    );
    assert_eq!(
        app.post("/api/v1/auth/refresh", &refresh(&third), As::Public)
            .await
            .status,
        401
    );
    // Passwords are argon2id at the OWASP minimum or above.
    let hash: String = {
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        relais::schema::users::table
            .filter(relais::schema::users::email.eq("membre@relais.test"))
            .select(relais::schema::users::password_hash)
            .first(&mut app.db().await)
            .await
            .expect("hash")
    };
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    // Stored hashed: the database never holds the token itself.
    let stored = stored_token_hashes(&app).await;
    let presented = third["refresh_token"].as_str().expect("token");
    assert!(
        stored
            .iter()
            .all(|hash| hash.len() == 32 && hash != presented.as_bytes())
    );
    // A fresh login is a new family, and logout revokes it.
    let other = app.login("membre@relais.test", PASSWORD).await.expect(200);
    assert_eq!(
        app.post("/api/v1/auth/logout", &refresh(&other), As::Public)
            .await
            .status,
        204
    );
    assert_eq!(
        app.post("/api/v1/auth/refresh", &refresh(&other), As::Public)
            .await
            .status,
        401
    );
    assert_eq!(
        app.post("/api/v1/auth/logout", &refresh(&other), As::Public)
            .await
            .status,
        204
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": "inconnu"}),
            As::Public
        )
        .await
        .status,
        401
    );
}

async fn stored_token_hashes(app: &TestApp) -> Vec<Vec<u8>> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    relais::schema::refresh_tokens::table
        .select(relais::schema::refresh_tokens::token_hash)
        .load(&mut app.db().await)
        .await
        .expect("hashes")
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_emails_look_the_same() {
    let app = TestApp::spawn().await;
    let wrong = app.login("admin@relais.test", "faux").await;
    let unknown = app.login("personne@relais.test", "faux").await;
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
async fn repeated_failures_are_throttled_then_allowed_after_the_window() {
    // The test app allows 3 failures per account and 6 per address within 2 seconds.
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        assert_eq!(app.login("membre@relais.test", "faux").await.status, 401);
    }
    let throttled = app.login("membre@relais.test", PASSWORD).await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    let retry: u64 = throttled
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry));
    // Another account from the same address still has room, until the address is over too.
    for _ in 0..3 {
        assert_eq!(app.login("admin@relais.test", "faux").await.status, 401);
    }
    assert_eq!(app.login("quelqu-un@relais.test", "faux").await.status, 429);
    actix_web::rt::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(app.login("membre@relais.test", PASSWORD).await.status, 200);
}

fn claims(exp: i64, aud: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": uuid::Uuid::new_v4(), "role": "admin", "iss": ISSUER, "aud": aud, "exp": exp, "iat": now, "jti": uuid::Uuid::new_v4()})
}

fn sign_hs256(claims: &Value, secret: &str, kid: Option<&str>) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = kid.map(str::to_string);
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

/// The kid the server gives a secret.
fn kid_of(secret: &str) -> String {
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(&sha2::Sha256::digest(secret.as_bytes())[..9])
}

#[actix_web::test]
async fn bad_tokens_are_401_never_5xx() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let kid = kid_of(SECRET);
    let unsigned = |header: Value, claims: Value| {
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    };
    let tokens = [
        (
            "expired beyond the leeway",
            sign_hs256(&claims(now - 31, AUDIENCE), SECRET, Some(&kid)),
        ),
        (
            "wrong audience",
            sign_hs256(&claims(now + 600, "autre-api"), SECRET, Some(&kid)),
        ),
        (
            "no audience",
            sign_hs256(
                &json!({"sub": uuid::Uuid::new_v4(), "role": "admin", "iss": ISSUER, "exp": now + 600}),
                SECRET,
                Some(&kid),
            ),
        ),
        (
            "wrong issuer",
            sign_hs256(
                &json!({"sub": uuid::Uuid::new_v4(), "role": "admin", "iss": "ailleurs", "aud": AUDIENCE, "exp": now + 600}),
                SECRET,
                Some(&kid),
            ),
        ),
        (
            "wrong secret",
            sign_hs256(
                &claims(now + 600, AUDIENCE),
                "un-autre-secret-de-trente-deux-octets-au-moins",
                Some(&kid),
            ),
        ),
        (
            "unknown kid",
            sign_hs256(&claims(now + 600, AUDIENCE), SECRET, Some("inconnu")),
        ),
        (
            "no kid",
            sign_hs256(&claims(now + 600, AUDIENCE), SECRET, None),
        ),
        (
            "exp of the wrong type",
            sign_hs256(
                &json!({"sub": uuid::Uuid::new_v4(), "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": "never"}),
                SECRET,
                Some(&kid),
            ),
        ),
        (
            "role of the wrong type",
            sign_hs256(
                &json!({"sub": uuid::Uuid::new_v4(), "role": 7, "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600}),
                SECRET,
                Some(&kid),
            ),
        ),
        (
            "alg none",
            unsigned(
                json!({"alg": "none", "typ": "JWT", "kid": kid}),
                claims(now + 600, AUDIENCE),
            ),
        ),
        ("garbage", "pas.un.jeton".to_string()),
    ];
    for (what, token) in tokens {
        let reply = app.get_with("/api/v1/centres", &token).await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
        assert!(
            reply
                .header("www-authenticate")
                .is_some_and(|h| h.contains("invalid_token")),
            "{what}"
        );
        // The reason is the client's business, not the decoder's internals.
        let detail = reply.body["detail"].as_str().expect("detail");
        assert!(
            detail.starts_with("invalid token: ") && !detail.contains("line"),
            "{what}: {detail}"
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
}

#[actix_web::test]
async fn expiry_has_a_leeway_of_exactly_thirty_seconds() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let member = app.member_id();
    let token = |exp: i64| {
        sign_hs256(
            &json!({"sub": member, "role": "member", "iss": ISSUER, "aud": AUDIENCE, "exp": exp, "iat": now, "jti": uuid::Uuid::new_v4()}),
            SECRET,
            Some(&kid_of(SECRET)),
        )
    };
    assert_eq!(
        app.get_with("/api/v1/me", &token(now - 29)).await.status,
        200
    );
    assert_eq!(
        app.get_with("/api/v1/me", &token(now - 31)).await.status,
        401
    );
}

#[actix_web::test]
async fn secrets_rotate_without_logging_anyone_out() {
    const OLD: &str = "l-ancien-secret-de-trente-deux-octets-ou-plus";
    let app = TestApp::spawn_with(|tokens| tokens.with_previous_secrets([OLD.as_bytes()])).await;
    let member = app.member_id();
    let now = chrono::Utc::now().timestamp();
    let old = sign_hs256(
        &json!({"sub": member, "role": "member", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "iat": now, "jti": uuid::Uuid::new_v4()}),
        OLD,
        Some(&kid_of(OLD)),
    );
    assert_eq!(
        app.get_with("/api/v1/me", &old).await.status,
        200,
        "a token of the previous secret still works"
    );
    // New tokens are signed with the current secret.
    let fresh = app.login("membre@relais.test", PASSWORD).await.expect(200);
    let header = jsonwebtoken::decode_header(fresh["access_token"].as_str().expect("token"))
        .expect("header");
    assert_eq!(header.kid.as_deref(), Some(kid_of(SECRET).as_str()));
    assert_eq!(header.alg, Algorithm::HS256);
}

#[actix_web::test]
async fn deactivated_accounts_lose_their_tokens_and_roles_change_at_once() {
    let app = TestApp::spawn().await;
    let pair = app.login("membre@relais.test", PASSWORD).await.expect(200);
    let access = pair["access_token"].as_str().expect("token").to_string();
    let user = format!("/api/v1/users/{}", app.member_id());
    app.patch(&user, &json!({"role": "admin"}), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        app.get_with("/api/v1/me", &access).await.expect(200)["role"],
        "admin"
    );
    app.patch(
        &user,
        &json!({"role": "member", "is_active": false}),
        As::Admin,
    )
    .await
    .expect(200);
    assert_eq!(app.get_with("/api/v1/me", &access).await.status, 401);
    let refresh = json!({"refresh_token": pair["refresh_token"]});
    assert_eq!(
        app.post("/api/v1/auth/refresh", &refresh, As::Public)
            .await
            .status,
        401
    );
    assert_eq!(app.login("membre@relais.test", PASSWORD).await.status, 401);
}

/// An identity provider of the tests' own, with an RSA and an Ed25519 key.
struct Provider {
    rsa: EncodingKey,
    ed: EncodingKey,
    jwks: String,
}

fn provider() -> Provider {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::traits::PublicKeyParts;
    let mut rng = rand_core::OsRng;
    let rsa_key = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("RSA key");
    let ed_key = ed25519_dalek::SigningKey::generate(&mut rng);
    let jwks = json!({"keys": [
        {"kty": "RSA", "kid": "region-rsa", "use": "sig", "alg": "RS256",
         "n": URL_SAFE_NO_PAD.encode(rsa_key.n().to_bytes_be()), "e": URL_SAFE_NO_PAD.encode(rsa_key.e().to_bytes_be())},
        {"kty": "OKP", "kid": "region-ed", "use": "sig", "alg": "EdDSA", "crv": "Ed25519",
         "x": URL_SAFE_NO_PAD.encode(ed_key.verifying_key().as_bytes())},
    ]});
    Provider {
        rsa: EncodingKey::from_rsa_der(rsa_key.to_pkcs1_der().expect("DER").as_bytes()),
        ed: EncodingKey::from_ed_der(ed_key.to_pkcs8_der().expect("DER").as_bytes()),
        jwks: jwks.to_string(),
    }
}

#[actix_web::test]
async fn tokens_of_an_external_identity_provider_are_accepted_through_its_jwks() {
    let idp = provider();
    let external = ExternalProvider::from_jwks(
        &idp.jwks,
        "https://sso.region.example",
        AUDIENCE,
        "groups",
        vec![
            ("relais-admin".into(), Role::Admin),
            ("agents".into(), Role::Member),
        ],
    )
    .expect("JWKS");
    let app = TestApp::spawn_with(|tokens| tokens.with_external_provider(external)).await;
    let now = chrono::Utc::now().timestamp();
    let claims = |groups: Value, iss: &str| json!({"sub": "agent-42", "iss": iss, "aud": AUDIENCE, "exp": now + 300, "groups": groups});
    let sign = |alg: Algorithm, kid: &str, key: &EncodingKey, claims: &Value| {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_string());
        encode(&header, claims, key).expect("sign")
    };
    let iss = "https://sso.region.example";
    let member = sign(
        Algorithm::RS256,
        "region-rsa",
        &idp.rsa,
        &claims(json!(["agents"]), iss),
    );
    let admin = sign(
        Algorithm::EdDSA,
        "region-ed",
        &idp.ed,
        &claims(json!(["agents", "relais-admin"]), iss),
    );
    // Members see contact details; admins may write.
    let actor = app.actor("Léa Garnier").await;
    let path = format!("/api/v1/actors/{}", actor["id"].as_str().expect("id"));
    assert_eq!(
        app.get_with(&path, &member).await.expect(200)["email"],
        "contact@example.fr"
    );
    let write = |token: &str| {
        app.client
            .delete(format!("{}{path}", app.base))
            .bearer_auth(token.to_string())
    };
    assert_eq!(app.send(write(&member)).await.status, 403);
    assert_eq!(app.send(write(&admin)).await.status, 204);
    // No mapped role, a wrong issuer, or a key used with another algorithm: 401.
    let nobody = sign(
        Algorithm::RS256,
        "region-rsa",
        &idp.rsa,
        &claims(json!(["visiteurs"]), iss),
    );
    let elsewhere = sign(
        Algorithm::RS256,
        "region-rsa",
        &idp.rsa,
        &claims(json!(["agents"]), "https://ailleurs.example"),
    );
    let confused = sign(
        Algorithm::HS256,
        "region-rsa",
        &EncodingKey::from_secret(idp.jwks.as_bytes()),
        &claims(json!(["relais-admin"]), iss),
    );
    let ed_as_rsa = sign(
        Algorithm::RS256,
        "region-ed",
        &idp.rsa,
        &claims(json!(["agents"]), iss),
    );
    for token in [nobody, elsewhere, confused, ed_as_rsa] {
        assert_eq!(app.get_with("/api/v1/actors", &token).await.status, 401);
    }
}
