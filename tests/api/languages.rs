//! Problems in the reader's language: `Accept-Language: fr` puts a problem's `title`, `detail`
//! and field messages in French, `Content-Language` says which, and what programs read (`type`,
//! `status`, each field's `field` and `code`) stays the same.

use serde_json::{Value, json};

use crate::helpers::{As, Method, Reply, TestApp};

async fn in_language(app: &TestApp, request: reqwest::RequestBuilder, language: &str) -> Reply {
    app.send(request.header("accept-language", language)).await
}

/// What a program reads of a problem: all but the words.
fn for_programs(problem: &Value) -> Value {
    let fields: Vec<Value> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| json!([e["field"], e["code"]]))
                .collect()
        })
        .unwrap_or_default();
    json!([problem["type"], problem["status"], fields])
}

fn vary(reply: &Reply) -> Vec<String> {
    reply
        .headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

#[actix_web::test]
async fn a_french_reader_reads_validation_messages_in_french() {
    let app = TestApp::spawn().await;
    let invalid = json!({
        "slug": "Pôle Relais",
        "name": "",
        "scope": "national",
        "email": "contact-at-pole-relais",
        "latitude": 123.4,
    });
    let create = || {
        app.request(Method::POST, "/api/v1/centres", As::Admin)
            .json(&invalid)
    };
    let english = app.send(create()).await;
    let french = in_language(&app, create(), "fr-FR,fr;q=0.9,en;q=0.5").await;
    assert_eq!(english.status, 422);
    assert_eq!(french.status, 422);
    assert_eq!(english.header("content-language"), Some("en"));
    assert_eq!(french.header("content-language"), Some("fr"));
    for reply in [&english, &french] {
        assert!(vary(reply).contains(&"accept-language".to_string()));
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
    }
    assert_eq!(for_programs(&english.body), for_programs(&french.body));
    assert_eq!(english.body["title"], "Unprocessable Entity");
    assert_eq!(french.body["title"], "Contenu invalide");
    assert_eq!(english.body["detail"], "5 fields are invalid");
    assert_eq!(french.body["detail"], "5 champs sont invalides");
    let message = |reply: &Reply, field: &str| -> String {
        reply.body["errors"]
            .as_array()
            .and_then(|errors| errors.iter().find(|e| e["field"] == field))
            .and_then(|e| e["message"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(message(&english, "email"), "must be an email address");
    assert_eq!(message(&french, "email"), "doit être une adresse e-mail");
    assert_eq!(
        message(&french, "name"),
        "doit compter entre 1 et 300 caractères"
    );
    assert_eq!(
        message(&french, "longitude"),
        "est obligatoire avec latitude"
    );
    assert!(
        message(&french, "slug").starts_with("doit être fait de minuscules"),
        "{}",
        french.body
    );

    // One invalid field: the detail names it, in French too.
    let one = in_language(
        &app,
        app.request(Method::POST, "/api/v1/themes", As::Admin)
            .json(&json!({"slug": "mares", "label": ""})),
        "fr",
    )
    .await;
    assert_eq!(one.status, 422, "{}", one.body);
    assert_eq!(
        one.body["detail"],
        "label: doit compter entre 1 et 200 caractères"
    );
}

#[actix_web::test]
async fn every_layer_answers_in_the_reader_language() {
    let app = TestApp::spawn().await;
    // A list's 400, from the query parser.
    let list = in_language(
        &app,
        app.request(Method::GET, "/api/v1/events?sort=lieu", As::Public),
        "fr",
    )
    .await;
    assert_eq!(list.status, 400);
    assert_eq!(list.body["type"], "urn:relais:problem:bad-request");
    assert_eq!(list.body["title"], "Requête incorrecte");
    assert!(
        list.body["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("impossible de trier par `lieu` ; champs triables :")),
        "{}",
        list.body
    );

    // A refused token, from the identifying middleware: French in the body, while the
    // challenge header stays the ASCII English RFC 6750 asks for.
    let token = in_language(
        &app,
        app.client
            .get(format!("{}/api/v1/events", app.base))
            .bearer_auth("pas-un-jeton"),
        "fr",
    )
    .await;
    assert_eq!(token.status, 401);
    assert_eq!(token.body["title"], "Authentification requise");
    assert_eq!(
        token.body["detail"],
        "jeton invalide : ce n'est pas un JWT bien formé"
    );
    let challenge = token.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.contains("error_description=\"invalid token: it is not a well-formed JWT\""),
        "{challenge}"
    );

    // A malformed Idempotency-Key, from the idempotency middleware.
    let key = in_language(
        &app,
        app.request(Method::POST, "/api/v1/themes", As::Admin)
            .header("idempotency-key", "")
            .json(&json!({"slug": "mares", "label": "Mares"})),
        "fr",
    )
    .await;
    assert_eq!(key.status, 400, "{}", key.body);
    assert!(
        key.body["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("l'Idempotency-Key doit compter")),
        "{}",
        key.body
    );

    // An unrouted path and a refused method.
    let missing = in_language(
        &app,
        app.request(Method::GET, "/api/v1/nulle-part", As::Public),
        "fr",
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["detail"], "cette ressource n'existe pas");
    let method = in_language(
        &app,
        app.request(Method::PUT, "/api/v1/events", As::Public),
        "fr",
    )
    .await;
    assert_eq!(method.status, 405);
    assert_eq!(method.body["title"], "Méthode non permise");
    assert!(method.header("allow").is_some());

    // A conflict from the database: a slug taken.
    app.theme("mares", None).await;
    let taken = in_language(
        &app,
        app.request(Method::POST, "/api/v1/themes", As::Admin)
            .json(&json!({"slug": "mares", "label": "Mares"})),
        "fr",
    )
    .await;
    assert_eq!(taken.status, 409);
    assert_eq!(taken.body["type"], "urn:relais:problem:conflict");
    assert_eq!(
        taken.body["detail"],
        "cette valeur de `slug` est déjà utilisée"
    );
}

#[actix_web::test]
async fn the_first_language_of_ours_wins_and_english_is_the_default() {
    let app = TestApp::spawn().await;
    let detail = |reply: &Reply| {
        reply.body["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let ask = |language: &'static str| {
        let request = app.request(Method::GET, "/api/v1/events/inconnu", As::Public);
        in_language(&app, request, language)
    };
    let cases = [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("de-DE, fr;q=0.8, en;q=0.5", "fr"),
        ("en-GB, fr;q=0.9", "en"),
        ("de, *;q=0.5, fr;q=0.1", "en"),
        ("fr;q=0, en", "en"),
        ("fr;q=0", "en"),
        ("de", "en"),
        ("n'importe quoi", "en"),
    ];
    for (accepted, expected) in cases {
        let reply = ask(accepted).await;
        assert_eq!(reply.status, 404);
        assert_eq!(
            reply.header("content-language"),
            Some(expected),
            "{accepted}"
        );
        let words = if expected == "fr" {
            "cette ressource n'existe pas"
        } else {
            "no such resource"
        };
        assert_eq!(detail(&reply), words, "{accepted}");
    }
    let unasked = app.get("/api/v1/events/inconnu", As::Public).await;
    assert_eq!(unasked.header("content-language"), Some("en"));

    // What succeeds is data, not words: no Content-Language.
    let ok = in_language(
        &app,
        app.request(Method::GET, "/api/v1/events", As::Public),
        "fr",
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("content-language"), None);
}
