//! `Idempotency-Key` on `POST`: a retry gets the first answer and creates nothing, also when
//! both requests arrive at once on two server processes; another body with the key is a `422`;
//! keys expire after 24 hours.

use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{As, Method, Process, Reply, TestApp};

fn centre_body(name: &str) -> Value {
    json!({"name": name, "scope": "national"})
}

async fn post_with_key(app: &TestApp, base: &str, key: &str, body: &Value) -> Reply {
    let request = app
        .client
        .request(Method::POST, format!("{base}/api/v1/centres"))
        .bearer_auth(app.token(As::Admin).expect("an admin token"))
        .header("idempotency-key", key)
        .json(body);
    app.send(request).await
}

async fn centres(app: &TestApp) -> i64 {
    app.get("/api/v1/centres", As::Admin).await.expect(200)["meta"]["total"]
        .as_i64()
        .expect("a total")
}

#[actix_web::test]
async fn a_retry_gets_the_first_answer_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let body = centre_body("Centre de ressources Génie écologique");
    let first = post_with_key(&app, &app.base, "7c1f0d6e-cree-centre", &body).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = post_with_key(&app, &app.base, "7c1f0d6e-cree-centre", &body).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(centres(&app).await, 1);

    // The same key for another request is refused, and writes nothing.
    let other = post_with_key(
        &app,
        &app.base,
        "7c1f0d6e-cree-centre",
        &centre_body("Un autre centre"),
    )
    .await;
    assert_eq!(other.status, 422);
    assert_eq!(
        other.body["type"],
        "urn:relais:problem:idempotency-key-reused"
    );
    assert_eq!(centres(&app).await, 1);

    // A refusal is an answer too: its retry gets it again.
    let invalid = json!({"name": "", "scope": "national"});
    let refused = post_with_key(&app, &app.base, "centre-vide", &invalid).await;
    assert_eq!(refused.status, 422);
    let refused_again = post_with_key(&app, &app.base, "centre-vide", &invalid).await;
    assert_eq!(refused_again.body, refused.body);
    assert_eq!(refused_again.header("idempotent-replayed"), Some("true"));

    // Keys belong to their caller: a member's same key is the member's own.
    let members = app
        .send(
            app.request(Method::POST, "/api/v1/centres", As::Member)
                .header("idempotency-key", "7c1f0d6e-cree-centre")
                .json(&body),
        )
        .await;
    assert_eq!(members.status, 403);

    // A key is kept 24 hours; after that, it is a new key.
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' \
         WHERE key = '7c1f0d6e-cree-centre'",
    )
    .execute(&mut conn)
    .await
    .expect("age the key");
    let later = post_with_key(
        &app,
        &app.base,
        "7c1f0d6e-cree-centre",
        &centre_body("Un autre centre"),
    )
    .await;
    assert_eq!(later.status, 201, "{}", later.body);
    assert_eq!(centres(&app).await, 2);

    // A key is 1 to 255 visible characters.
    let long = post_with_key(&app, &app.base, &"k".repeat(256), &body).await;
    assert_eq!(long.status, 400);
}

#[actix_web::test]
async fn two_servers_given_one_key_at_once_create_one_item() {
    let app = TestApp::spawn().await;
    let servers = [
        Process::start(&app, &[]).await,
        Process::start(&app, &[]).await,
    ];
    for round in 0..5 {
        let key = format!("creation-simultanee-{round}");
        let body = centre_body(&format!("Centre de ressources numéro {round}"));
        let answers = join_all(
            servers
                .iter()
                .cycle()
                .take(6)
                .map(|server| post_with_key(&app, &server.base, &key, &body)),
        )
        .await;
        let ids: Vec<&Value> = answers
            .iter()
            .map(|answer| {
                assert_eq!(answer.status, 201, "{}", answer.body);
                &answer.body["id"]
            })
            .collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        let replayed = answers
            .iter()
            .filter(|a| a.header("idempotent-replayed") == Some("true"))
            .count();
        assert_eq!(replayed, 5, "one ran, five were replayed");
    }
    assert_eq!(centres(&app).await, 5);
}
