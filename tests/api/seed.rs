//! `relais seed`: the demo data set loads, meets its minimums, and loads again changing nothing;
//! a first run on a new private cluster serves it.

use serde_json::Value;

use crate::helpers::{As, Process, TestApp};

#[actix_web::test]
async fn the_demo_data_set_is_realistic_and_idempotent() {
    let app = TestApp::spawn().await;
    let mut conn = app.db().await;
    let first = relais::seed::run(&mut conn).await.expect("first load");
    let second = relais::seed::run(&mut conn).await.expect("second load");
    assert_eq!(first, second, "a second load changes nothing");
    for (path, minimum) in [
        ("centres", 2),
        ("actors", 40),
        ("events", 30),
        ("trainings", 10),
        ("documents", 60),
        ("themes", 20),
    ] {
        let total = app
            .get(&format!("/api/v1/{path}?per_page=1"), As::Admin)
            .await
            .expect(200)["meta"]["total"]
            .as_i64();
        assert!(
            total.is_some_and(|t| t >= minimum),
            "{path}: {total:?} < {minimum}"
        );
    }
    // Both kinds of centre, members-only workspace documents, and sessions for dated trainings.
    let members_only = app
        .get("/api/v1/documents?audience=members", As::Member)
        .await
        .expect(200);
    assert!(
        members_only["meta"]["total"]
            .as_i64()
            .is_some_and(|t| t > 0)
    );
    assert_eq!(
        app.get("/api/v1/documents?audience=members", As::Public)
            .await
            .expect(200)["meta"]["total"],
        0
    );
    let jeudis = app
        .get("/api/v1/events?q=jeudi", As::Public)
        .await
        .expect(200);
    assert!(jeudis["meta"]["total"].as_i64().is_some_and(|t| t > 0));
    let dated = app
        .get(
            "/api/v1/trainings?modality=in_person&per_page=1",
            As::Public,
        )
        .await
        .expect(200);
    let slug = dated["data"][0]["slug"].as_str().expect("a dated training");
    let sessions = app
        .get(&format!("/api/v1/trainings/{slug}/sessions"), As::Public)
        .await
        .expect(200);
    assert!(sessions["meta"]["total"].as_i64().is_some_and(|t| t >= 1));
}

/// `relais serve` on a private cluster of its own in a new data folder; stopped with SIGTERM,
/// so that it stops its cluster.
async fn first_run(app: &TestApp, demo_data: Option<&str>) -> i64 {
    let dir = std::env::temp_dir().join(format!("relais-first-run-{}", uuid::Uuid::new_v4()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("a free port")
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_relais"));
    command
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("RELAIS_DATA_DIR", &dir)
        .env("RELAIS_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null());
    if let Some(value) = demo_data {
        command.env("RELAIS_DEMO_DATA", value);
    }
    let mut child = command.spawn().expect("start relais serve");
    let base = format!("http://127.0.0.1:{port}");
    let mut total = None;
    for _ in 0..600 {
        if let Ok(reply) = app.client.get(format!("{base}/api/v1/events")).send().await
            && reply.status() == 200
        {
            let page: Value = reply.json().await.expect("a page");
            total = page["meta"]["total"].as_i64();
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    total.expect("relais serve answered on its new cluster")
}

#[actix_web::test]
async fn a_first_run_serves_the_demo_data_and_a_given_database_is_never_seeded_unasked() {
    let app = TestApp::spawn().await;
    assert!(first_run(&app, None).await > 0, "the demo events");
    assert_eq!(first_run(&app, Some("false")).await, 0);
    let given = Process::start(&app, &[]).await;
    let page = app
        .client
        .get(format!("{}/api/v1/events", given.base))
        .send()
        .await
        .expect("relais answers")
        .json::<Value>()
        .await
        .expect("a page");
    assert_eq!(page["meta"]["total"], 0);
}
