//! Faults: the database restarted under load, a server stopped with `SIGTERM` while it
//! answers, and a server killed in the middle of writes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use relais::db::{Durability, LocalCluster};
use serde_json::json;

use crate::helpers::{As, Locked, Process, TestApp, count};

/// What one request of the load saw.
struct Seen {
    started: Instant,
    took: Duration,
    status: u16,
}

/// `workers` clients reading `url` in a loop until `stop`.
fn load(
    client: &reqwest::Client,
    url: String,
    workers: usize,
    stop: Arc<AtomicBool>,
) -> Vec<actix_web::rt::task::JoinHandle<Vec<Seen>>> {
    (0..workers)
        .map(|_| {
            let (client, url, stop) = (client.clone(), url.clone(), stop.clone());
            actix_web::rt::spawn(async move {
                let mut seen = Vec::new();
                while !AtomicBool::load(&stop, Ordering::Relaxed) {
                    let started = Instant::now();
                    let status = match client
                        .get(&url)
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await
                    {
                        Ok(reply) => reply.status().as_u16(),
                        Err(_) => 0,
                    };
                    seen.push(Seen {
                        started,
                        took: started.elapsed(),
                        status,
                    });
                }
                seen
            })
        })
        .collect()
}

async fn ready(client: &reqwest::Client, base: &str) -> u16 {
    match client.get(format!("{base}/health/ready")).send().await {
        Ok(reply) => reply.status().as_u16(),
        Err(_) => 0,
    }
}

#[actix_web::test]
async fn a_database_restart_under_load_fails_fast_and_recovers() {
    let app = TestApp::spawn().await;
    let dir =
        std::env::temp_dir().join(format!("relais-restart-{}", uuid::Uuid::new_v4().simple()));
    let mut cluster = LocalCluster::start(&dir, Durability::Fast).expect("a cluster of its own");
    relais::db::ensure_database(&cluster.url("postgres"), "relais")
        .await
        .expect("its database");
    let url = cluster.url("relais");
    let server = Process::start_on(
        &app,
        &url,
        &[
            ("RELAIS_DB_POOL_WAIT_MS", "1000"),
            ("RELAIS_DB_POOL_SIZE", "4"),
        ],
    )
    .await;
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(
        &app.client,
        format!("{}/api/v1/themes", server.base),
        6,
        stop.clone(),
    );
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;

    cluster.stop();
    let down = Instant::now();
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(ready(&app.client, &server.base).await, 503);
    cluster
        .start_again(Durability::Fast)
        .expect("the cluster back");
    let mut recovered = None;
    for _ in 0..200 {
        if ready(&app.client, &server.base).await == 200 {
            recovered = Some(Instant::now());
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered = recovered.expect("ready again within 10 s");
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = Vec::new();
    for client in clients {
        seen.extend(client.await.expect("a client"));
    }
    cluster.stop();
    let _ = std::fs::remove_dir_all(&dir);

    let during: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.started > down && s.started < recovered)
        .collect();
    let after: Vec<&Seen> = seen.iter().filter(|s| s.started > recovered).collect();
    assert!(
        during.iter().any(|s| s.status == 503),
        "no 503 while the database was away"
    );
    for s in &during {
        assert!(
            matches!(s.status, 200 | 503),
            "{} while the database was away",
            s.status
        );
        assert!(
            s.took < Duration::from_secs(3),
            "a request hung {:?}",
            s.took
        );
    }
    assert!(after.len() > 10, "{} requests after recovery", after.len());
    let failed: Vec<u16> = after
        .iter()
        .map(|s| s.status)
        .filter(|s| *s != 200)
        .collect();
    assert!(failed.is_empty(), "after recovery: {failed:?}");
}

#[actix_web::test]
async fn sigterm_lets_the_requests_in_flight_finish_then_exits_0() {
    let app = TestApp::spawn().await;
    let server = Process::start(&app, &[]).await;
    // A request held inside the server: it waits on a lock this test keeps for a moment.
    let locked = Locked::table(&app, "themes").await;
    let in_flight = {
        let request = app.client.get(format!("{}/api/v1/themes", server.base));
        actix_web::rt::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
    };
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let base = server.base.clone();
    let stopping = actix_web::rt::spawn(server.terminate());
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    // Once told to stop, the server takes no new connection.
    assert!(
        app.client
            .get(format!("{base}/health/live"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_err()
    );
    locked.release().await;
    assert_eq!(in_flight.await.expect("joined").expect("answered"), 200);
    let status = stopping.await.expect("joined");
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[actix_web::test]
async fn a_server_killed_in_the_middle_of_writes_leaves_nothing_half_written() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    app.theme("mares", None).await;
    app.theme("zones-humides", None).await;
    let server = Process::start(&app, &[]).await;
    let token = app.token(As::Admin).expect("an admin token").to_string();
    let write = |i: usize| {
        let request = app
            .client
            .post(format!("{}/api/v1/events", server.base))
            .bearer_auth(&token)
            .json(&json!({
                "title": format!("Jeudi des zones humides n° {i}"),
                "kind": "journee_technique",
                "centre_id": centre["id"],
                "starts_at": "2027-04-01T09:30:00+02:00",
                "ends_at": "2027-04-01T17:00:00+02:00",
                "format": "in_person",
                "status": "published",
                "themes": ["mares", "zones-humides"],
            }));
        actix_web::rt::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
    };
    let mut done = 0;
    for i in 0..5 {
        if let Ok(Ok(201)) = write(i).await {
            done += 1;
        }
    }
    assert_eq!(done, 5);
    // The next writes are caught half-way: each has inserted its event and waits to link its
    // themes when the server dies.
    let locked = Locked::table(&app, "event_themes").await;
    let caught: Vec<_> = (5..25).map(write).collect();
    let mut waiting = 0;
    for _ in 0..100 {
        let mut watcher = app.db().await;
        waiting = count(
            &mut watcher,
            "SELECT count(*) AS count FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await;
        if waiting >= 4 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(waiting >= 4, "{waiting} writes waiting");
    server.kill();
    locked.release().await;
    for write in caught {
        assert!(
            !matches!(write.await, Ok(Ok(201))),
            "a write answered after the kill"
        );
    }
    let mut conn = app.db().await;
    let events = count(&mut conn, "SELECT count(*) AS count FROM events").await;
    assert_eq!(events, 5, "only the writes answered 201 are there");
    // Every event that exists is whole: its two themes and its audit entry, nothing else.
    let partial = count(
        &mut conn,
        "SELECT count(*) AS count FROM events e \
         WHERE (SELECT count(*) FROM event_themes t WHERE t.event_id = e.id) <> 2 \
            OR NOT EXISTS (SELECT 1 FROM audit_entries a WHERE a.item_id = e.id AND a.action = 'create')",
    )
    .await;
    assert_eq!(partial, 0, "{partial} of {events} events are half-written");
    let orphans = count(
        &mut conn,
        "SELECT count(*) AS count FROM audit_entries a WHERE a.collection = 'events' \
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = a.item_id)",
    )
    .await;
    assert_eq!(orphans, 0);
}
