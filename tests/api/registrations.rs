//! Registrations: places never over capacity whatever the concurrency, on two server
//! processes; the waitlist moved up by `confirm` and by `offer`; refusals that say why; the
//! administrators' lists, CSV and attendance; a member's own list and calendar.

use diesel_async::RunQueryDsl;
use futures_util::future::join_all;
use relais::resources::registrations::offers;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use uuid::Uuid;

use crate::helpers::{As, Method, Process, Reply, TestApp, available, parsed_calendar};

/// Member accounts made for a test, with their tokens.
struct Members {
    tokens: Vec<String>,
}

async fn members(app: &TestApp, prefix: &str, count: usize) -> Members {
    let tokens = app
        .members(prefix, count)
        .await
        .into_iter()
        .map(|account| account.token)
        .collect();
    Members { tokens }
}

/// A request as the member holding `token`, to `base`.
async fn call(app: &TestApp, base: &str, method: Method, path: &str, token: &str) -> Reply {
    app.send(
        app.client
            .request(method, format!("{base}{path}"))
            .bearer_auth(token),
    )
    .await
}

async fn register(app: &TestApp, path: &str, token: &str) -> Reply {
    call(
        app,
        &app.base,
        Method::POST,
        &format!("{path}/registrations"),
        token,
    )
    .await
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    app.get_with(path, token).await.expect(200)
}

/// A published public event in March 2027 with `extra`; its path.
async fn event(app: &TestApp, title: &str, extra: Value) -> String {
    let centre = match app.get("/api/v1/centres/pole-relais", As::Public).await {
        reply if reply.status == 200 => reply.body,
        _ => app.centre("pole-relais").await,
    };
    let event = app.event(&centre, title, 12, extra).await;
    format!(
        "/api/v1/events/{}",
        event["id"].as_str().expect("as set up by the test")
    )
}

fn statuses(page: &Value) -> Vec<(String, Option<i64>)> {
    page["data"]
        .as_array()
        .expect("as set up by the test")
        .iter()
        .map(|r| {
            (
                r["status"]
                    .as_str()
                    .expect("as set up by the test")
                    .to_string(),
                r["position"].as_i64(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn places_go_first_come_first_served_and_the_waitlist_moves_up() {
    let app = TestApp::spawn().await;
    let m = members(&app, "file", 4).await;
    let path = event(&app, "Jeudi des tourbières", json!({"capacity": 2})).await;
    let mut answers = Vec::new();
    for token in &m.tokens {
        answers.push(register(&app, &path, token).await);
    }
    let bodies: Vec<Value> = answers.into_iter().map(|r| r.expect(201)).collect();
    assert_eq!(bodies[0]["status"], "confirmed");
    assert_eq!(bodies[1]["status"], "confirmed");
    assert_eq!(
        (bodies[2]["status"].as_str(), bodies[2]["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
    assert_eq!(
        (bodies[3]["status"].as_str(), bodies[3]["position"].as_i64()),
        (Some("waitlisted"), Some(2))
    );
    assert_eq!(bodies[0]["title"], "Jeudi des tourbières");
    assert_eq!(bodies[0]["attendee_name"], "Lefèvre, Anne 1");

    // Everyone reads the places left, and lists filter on them.
    let public = app.get(&path, As::Public).await.expect(200);
    assert_eq!(public["remaining_places"], 0);
    let full = app
        .get("/api/v1/events?has_places=false", As::Public)
        .await
        .expect(200);
    assert_eq!(full["meta"]["total"], 1);
    let open = app
        .get("/api/v1/events?has_places=true", As::Public)
        .await
        .expect(200);
    assert_eq!(open["meta"]["total"], 0);

    // Twice is a 409 that says where the registration is.
    let again = register(&app, &path, &m.tokens[1]).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["type"], "urn:relais:problem:already-registered");
    let location = again
        .header("location")
        .expect("as set up by the test")
        .to_string();
    assert_eq!(
        get(&app, &location, &m.tokens[1]).await["id"],
        bodies[1]["id"]
    );
    // Another member's registration is not there for them.
    assert_eq!(app.get_with(&location, &m.tokens[0]).await.status, 404);

    // The first confirmed cancels: the first waiting takes the place, the next moves up.
    let cancel = call(
        &app,
        &app.base,
        Method::DELETE,
        &format!("{path}/registrations/me"),
        &m.tokens[0],
    )
    .await;
    cancel.expect(204);
    let third = get(&app, &format!("{path}/registrations/me"), &m.tokens[2]).await;
    assert_eq!(third["status"], "confirmed");
    let fourth = get(&app, &format!("{path}/registrations/me"), &m.tokens[3]).await;
    assert_eq!(
        (fourth["status"].as_str(), fourth["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
    let first = get(&app, &format!("{path}/registrations/me"), &m.tokens[0]).await;
    assert_eq!(
        (first["status"].as_str(), first["cancellation"].as_str()),
        (Some("cancelled"), Some("member"))
    );
    // Cancelling again finds nothing in force.
    let twice = call(
        &app,
        &app.base,
        Method::DELETE,
        &format!("{path}/registrations/me"),
        &m.tokens[0],
    )
    .await;
    assert_eq!(twice.status, 404);

    // The administrators' list, in the order of the queue, with a status filter and facets.
    let list = app
        .get(&format!("{path}/registrations?facets=status"), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        statuses(&list),
        vec![
            ("cancelled".to_string(), None),
            ("confirmed".to_string(), None),
            ("confirmed".to_string(), None),
            ("waitlisted".to_string(), Some(1)),
        ]
    );
    let waiting = app
        .get(
            &format!("{path}/registrations?status=waitlisted"),
            As::Admin,
        )
        .await
        .expect(200);
    assert_eq!(waiting["meta"]["total"], 1);
    assert_eq!(
        app.get(&format!("{path}/registrations"), As::Member)
            .await
            .status,
        403
    );
    assert_eq!(
        app.get(&format!("{path}/registrations"), As::Public)
            .await
            .status,
        401
    );

    // A member's own list: only its own.
    let mine = get(&app, "/api/v1/me/registrations?upcoming=true", &m.tokens[2]).await;
    assert_eq!(statuses(&mine), vec![("confirmed".to_string(), None)]);
    let past = get(
        &app,
        "/api/v1/me/registrations?upcoming=false",
        &m.tokens[2],
    )
    .await;
    assert_eq!(past["meta"]["total"], 0);
    let bad = app
        .get_with("/api/v1/me/registrations?status=perdu", &m.tokens[2])
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        app.post(&format!("{path}/registrations"), &json!({}), As::Public)
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn refusals_say_why() {
    let app = TestApp::spawn().await;
    let m = members(&app, "refus", 1).await;
    let token = &m.tokens[0];
    let refused = |reply: Reply, kind: &str| {
        assert_eq!(reply.status, 409, "{kind}: {}", reply.body);
        assert_eq!(reply.body["type"], format!("urn:relais:problem:{kind}"));
        assert!(
            reply.body["detail"]
                .as_str()
                .expect("as set up by the test")
                .len()
                > 10
        );
    };
    let cancelled = event(&app, "Colloque annulé", json!({"status": "cancelled"})).await;
    // Hidden from members: a 404, never a hint.
    assert_eq!(register(&app, &cancelled, token).await.status, 404);
    let admin = app
        .token(As::Admin)
        .expect("as set up by the test")
        .to_string();
    refused(register(&app, &cancelled, &admin).await, "cancelled");
    let draft = event(&app, "Séminaire en préparation", json!({"status": "draft"})).await;
    refused(register(&app, &draft, &admin).await, "draft");
    let free = event(
        &app,
        "Webinaire en accès libre",
        json!({"registration": "none"}),
    )
    .await;
    refused(register(&app, &free, token).await, "no-registration");
    let early = event(
        &app,
        "Rencontre à venir",
        json!({"registration_opens_at": "2027-01-10T08:00:00Z"}),
    )
    .await;
    refused(register(&app, &early, token).await, "registration-not-open");
    let late = event(
        &app,
        "Rencontre close",
        json!({"registration_closes_at": "2026-01-10T08:00:00Z"}),
    )
    .await;
    refused(register(&app, &late, token).await, "registration-closed");
    let past = event(
        &app,
        "Journée passée",
        json!({"starts_at": "2025-03-12T09:30:00+01:00", "ends_at": "2025-03-12T17:00:00+01:00"}),
    )
    .await;
    refused(register(&app, &past, token).await, "started");
    // Members-only events are for members.
    let reserved = event(
        &app,
        "Groupe de travail des animateurs",
        json!({"audience": "members"}),
    )
    .await;
    register(&app, &reserved, token).await.expect(201);
    assert_eq!(
        app.post(&format!("{reserved}/registrations"), &json!({}), As::Public)
            .await
            .status,
        401
    );
    // A closing window before its opening is refused when written.
    let centre = app
        .get("/api/v1/centres/pole-relais", As::Public)
        .await
        .body;
    let reply = app
        .post(
            "/api/v1/events",
            &json!({"title": "Fenêtre à l'envers", "kind": "journee_technique", "centre_id": centre["id"],
                    "starts_at": "2027-03-12T09:30:00+01:00", "ends_at": "2027-03-12T17:00:00+01:00",
                    "format": "in_person", "registration_opens_at": "2027-02-10T08:00:00Z",
                    "registration_closes_at": "2027-02-01T08:00:00Z", "offer_hours": 0}),
            As::Admin,
        )
        .await;
    assert_eq!(reply.status, 422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["offer_hours", "registration_closes_at"]);
}

#[actix_web::test]
async fn offered_places_are_accepted_declined_or_lapse_to_the_next() {
    let app = TestApp::spawn().await;
    let m = members(&app, "offre", 4).await;
    let path = event(
        &app,
        "Formation terrain",
        json!({"capacity": 1, "waitlist_promotion": "offer", "offer_hours": 6}),
    )
    .await;
    for token in &m.tokens {
        register(&app, &path, token).await.expect(201);
    }
    let me = format!("{path}/registrations/me");
    let mine = |i: usize| get(&app, &me, &m.tokens[i]);
    call(&app, &app.base, Method::DELETE, &me, &m.tokens[0])
        .await
        .expect(204);
    // The place is held for the first waiting, and for nobody else.
    let second = mine(1).await;
    assert_eq!(second["status"], "offered");
    let until = chrono::DateTime::parse_from_rfc3339(
        second["offered_until"]
            .as_str()
            .expect("as set up by the test"),
    )
    .expect("as set up by the test");
    let hours = (until.to_utc() - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((5.9..=6.0).contains(&hours), "held {hours} h");
    assert_eq!(app.get(&path, As::Public).await.body["remaining_places"], 0);
    assert_eq!(mine(2).await["position"], 1);
    // Only an offered place can be accepted.
    let early = call(
        &app,
        &app.base,
        Method::POST,
        &format!("{me}/acceptance"),
        &m.tokens[2],
    )
    .await;
    assert_eq!(early.status, 409);
    assert_eq!(early.body["type"], "urn:relais:problem:no-offer");
    let accepted = call(
        &app,
        &app.base,
        Method::POST,
        &format!("{me}/acceptance"),
        &m.tokens[1],
    )
    .await
    .expect(200);
    assert_eq!(accepted["status"], "confirmed");

    // The confirmed one leaves: the next is offered the place and declines it.
    call(&app, &app.base, Method::DELETE, &me, &m.tokens[1])
        .await
        .expect(204);
    assert_eq!(mine(2).await["status"], "offered");
    call(&app, &app.base, Method::DELETE, &me, &m.tokens[2])
        .await
        .expect(204);
    assert_eq!(mine(2).await["cancellation"], "declined");
    assert_eq!(mine(3).await["status"], "offered");

    // The last lets it lapse: the sweep passes it on, and the place is free again.
    let mut conn = app.db().await;
    diesel::sql_query("UPDATE registrations SET offered_until = now() - interval '1 minute' WHERE status = 'offered'")
        .execute(&mut conn)
        .await
        .expect("as set up by the test");
    offers::pass_on_lapsed(&app.state)
        .await
        .expect("as set up by the test");
    let last = mine(3).await;
    assert_eq!(
        (last["status"].as_str(), last["cancellation"].as_str()),
        (Some("cancelled"), Some("lapsed"))
    );
    assert_eq!(app.get(&path, As::Public).await.body["remaining_places"], 1);
    let late = call(
        &app,
        &app.base,
        Method::POST,
        &format!("{me}/acceptance"),
        &m.tokens[3],
    )
    .await;
    assert_eq!(late.status, 409);
    // No place is ever held twice: the counter the database keeps agrees with the rows.
    let held: Vec<(i64, i32)> = held_places(&mut conn).await;
    assert!(
        held.iter()
            .all(|(counted, kept)| *counted == i64::from(*kept)),
        "{held:?}"
    );
}

/// Per event, the confirmed and offered registrations counted, and `held_places`.
async fn held_places(conn: &mut diesel_async::AsyncPgConnection) -> Vec<(i64, i32)> {
    #[derive(diesel::QueryableByName)]
    struct Held {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        counted: i64,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        kept: i32,
    }
    let rows: Vec<Held> = diesel::sql_query(
        "SELECT (SELECT count(*) FROM registrations r WHERE r.event_id = e.id \
         AND r.status IN ('confirmed', 'offered')) AS counted, e.held_places AS kept FROM events e",
    )
    .load(conn)
    .await
    .expect("as set up by the test");
    rows.into_iter().map(|h| (h.counted, h.kept)).collect()
}

#[actix_web::test]
async fn capacity_changes_move_the_waitlist_and_a_cancelled_event_keeps_its_registrations() {
    let app = TestApp::spawn().await;
    let m = members(&app, "capacite", 4).await;
    let path = event(&app, "Journée technique mares", json!({"capacity": 1})).await;
    for token in &m.tokens {
        register(&app, &path, token).await.expect(201);
    }
    let raised = app
        .patch(&path, &json!({"capacity": 3}), As::Admin)
        .await
        .expect(200);
    assert_eq!(raised["remaining_places"], 0);
    let list = app
        .get(&format!("{path}/registrations"), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        statuses(&list),
        vec![
            ("confirmed".to_string(), None),
            ("confirmed".to_string(), None),
            ("confirmed".to_string(), None),
            ("waitlisted".to_string(), Some(1)),
        ]
    );
    let lowered = app.patch(&path, &json!({"capacity": 2}), As::Admin).await;
    assert_eq!(lowered.status, 409);
    assert!(
        lowered.body["detail"]
            .as_str()
            .expect("as set up by the test")
            .starts_with("3 places are taken"),
        "{}",
        lowered.body
    );
    assert_eq!(app.get(&path, As::Admin).await.body["capacity"], 3);
    // Unlimited: everyone waiting is in.
    app.patch(&path, &json!({"capacity": null}), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        get(&app, &format!("{path}/registrations/me"), &m.tokens[3]).await["status"],
        "confirmed"
    );

    // An administrator cancels one registration, then the whole event.
    let fourth = get(&app, &format!("{path}/registrations/me"), &m.tokens[3]).await;
    let one = format!(
        "{path}/registrations/{}",
        fourth["id"].as_str().expect("as set up by the test")
    );
    app.delete(&one, As::Admin).await.expect(204);
    assert_eq!(app.delete(&one, As::Admin).await.status, 409);
    assert_eq!(
        app.delete(
            &format!("{path}/registrations/{}", Uuid::new_v4()),
            As::Admin
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(&app, &format!("{path}/registrations/me"), &m.tokens[3]).await["cancellation"],
        "admin"
    );
    app.patch(&path, &json!({"status": "cancelled"}), As::Admin)
        .await
        .expect(200);
    let kept = app
        .get(&format!("{path}/registrations"), As::Admin)
        .await
        .expect(200);
    assert_eq!(kept["meta"]["total"], 4);
    let marks: Vec<&str> = kept["data"]
        .as_array()
        .expect("as set up by the test")
        .iter()
        .map(|r| r["cancellation"].as_str().expect("as set up by the test"))
        .collect();
    assert_eq!(
        marks,
        vec![
            "cancelled_item",
            "cancelled_item",
            "cancelled_item",
            "admin"
        ]
    );
}

#[actix_web::test]
async fn two_hundred_members_on_two_servers_never_exceed_ten_places() {
    let app = TestApp::spawn().await;
    let m = members(&app, "course", 200).await;
    let servers = [
        Process::start(&app, &[]).await,
        Process::start(&app, &[]).await,
    ];
    for round in 0..20 {
        let path = event(&app, &format!("Jeudi n° {round}"), json!({"capacity": 10})).await;
        let registrations = format!("{path}/registrations");
        let replies = join_all(m.tokens.iter().enumerate().map(|(i, token)| {
            call(
                &app,
                &servers[i % 2].base,
                Method::POST,
                &registrations,
                token,
            )
        }))
        .await;
        let mut seen: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for reply in replies {
            assert_eq!(reply.status, 201, "round {round}: {}", reply.body);
            let status = reply.body["status"]
                .as_str()
                .expect("as set up by the test")
                .to_string();
            seen.entry(status)
                .or_default()
                .push(reply.body["position"].as_i64().unwrap_or(0));
        }
        assert_eq!(seen["confirmed"].len(), 10, "round {round}");
        let mut positions = seen["waitlisted"].clone();
        positions.sort();
        assert_eq!(positions, (1..=190).collect::<Vec<i64>>(), "round {round}");
        assert_eq!(app.get(&path, As::Public).await.body["remaining_places"], 0);
    }
    // One member, ten requests at once: one registration and nine 409s.
    let path = event(&app, "Jeudi de l'impatience", json!({"capacity": 10})).await;
    let registrations = format!("{path}/registrations");
    let replies = join_all((0..10).map(|i| {
        call(
            &app,
            &servers[i % 2].base,
            Method::POST,
            &registrations,
            &m.tokens[0],
        )
    }))
    .await;
    let mut codes: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    codes.sort();
    assert_eq!(codes, [vec![201], vec![409; 9]].concat());
    let list = app
        .get(&format!("{path}/registrations"), As::Admin)
        .await
        .expect(200);
    assert_eq!(list["meta"]["total"], 1);
    let mut conn = app.db().await;
    let held = held_places(&mut conn).await;
    assert!(
        held.iter()
            .all(|(counted, kept)| *counted == i64::from(*kept)),
        "{held:?}"
    );
}

#[actix_web::test]
async fn sessions_take_registrations_and_administrators_keep_the_attendance_sheet() {
    let app = TestApp::spawn().await;
    let m = members(&app, "stagiaire", 3).await;
    let centre = app.centre("centre-formation").await;
    app.create("trainings", json!({
        "slug": "restauration-des-mares", "title": "Restaurer les mares", "kind": "formation",
        "modality": "in_person", "centre_id": centre["id"], "status": "published", "audience": "public",
    }))
    .await;
    let session = app
        .post(
            "/api/v1/trainings/restauration-des-mares/sessions",
            &json!({"starts_at": "2027-02-04T09:00:00+01:00", "ends_at": "2027-02-05T17:00:00+01:00", "capacity": 2}),
            As::Admin,
        )
        .await
        .expect(201);
    let path = format!(
        "/api/v1/trainings/restauration-des-mares/sessions/{}",
        session["slug"].as_str().expect("as set up by the test")
    );
    for token in &m.tokens {
        register(&app, &path, token).await.expect(201);
    }
    let read = app.get(&path, As::Public).await.expect(200);
    assert_eq!(
        (
            read["remaining_places"].as_i64(),
            read["has_places"].as_bool()
        ),
        (Some(0), None)
    );
    let full = app
        .get(
            "/api/v1/trainings/restauration-des-mares/sessions?has_places=false",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(full["meta"]["total"], 1);

    // Attendance waits for the session to start.
    let list = app
        .get(&format!("{path}/registrations"), As::Admin)
        .await
        .expect(200);
    let ids: Vec<String> = list["data"]
        .as_array()
        .expect("as set up by the test")
        .iter()
        .map(|r| r["id"].as_str().expect("as set up by the test").to_string())
        .collect();
    let mark = |id: &str, attendance: Value| {
        app.send(
            app.request(
                Method::PUT,
                &format!("{path}/registrations/{id}/attendance"),
                As::Admin,
            )
            .json(&json!({"attendance": attendance})),
        )
    };
    let early = mark(&ids[0], json!("attended")).await;
    assert_eq!(
        (early.status.as_u16(), early.body["type"].as_str()),
        (409, Some("urn:relais:problem:not-started"))
    );
    let mut conn = app.db().await;
    diesel::sql_query(
        "UPDATE training_sessions SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour'",
    )
    .execute(&mut conn)
    .await
    .expect("as set up by the test");
    assert_eq!(
        mark(&ids[0], json!("attended")).await.expect(200)["attendance"],
        "attended"
    );
    mark(&ids[1], json!("absent")).await.expect(200);
    let waiting = mark(&ids[2], json!("attended")).await;
    assert_eq!(
        (waiting.status.as_u16(), waiting.body["type"].as_str()),
        (409, Some("urn:relais:problem:not-confirmed"))
    );
    assert_eq!(mark(&ids[0], json!("présent")).await.status, 422);
    // A member sees its own attendance, and may not mark it.
    let mine = get(
        &app,
        "/api/v1/me/registrations?upcoming=false",
        &m.tokens[0],
    )
    .await;
    assert_eq!(mine["data"][0]["attendance"], "attended");
    let own = call(
        &app,
        &app.base,
        Method::PUT,
        &format!("{path}/registrations/{}/attendance", ids[0]),
        &m.tokens[0],
    )
    .await;
    assert_eq!(own.status, 403);

    // The attendance sheet: CSV, RFC 4180, read back by a CSV parser.
    let csv = app
        .send(
            app.request(
                Method::GET,
                &format!("{path}/registrations?status=confirmed"),
                As::Admin,
            )
            .header("accept", "text/csv"),
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .expect("as set up by the test")
            .starts_with("text/csv")
    );
    let raw = app
        .client
        .get(format!("{}{path}/registrations?status=confirmed", app.base))
        .bearer_auth(app.token(As::Admin).expect("as set up by the test"))
        .header("accept", "text/csv")
        .send()
        .await
        .expect("as set up by the test")
        .text()
        .await
        .expect("as set up by the test");
    assert!(raw.contains("\"Lefèvre, Anne 1\""), "{raw}");
    let mut reader = csv::Reader::from_reader(raw.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("as set up by the test")
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .expect("as set up by the test")
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][column("attendee_name")], "Lefèvre, Anne 1");
    assert_eq!(
        &rows[0][column("attendee_organisation")],
        "Syndicat mixte du bassin de l'Orb"
    );
    assert_eq!(&rows[0][column("attendance")], "attended");
    assert_eq!(&rows[1][column("attendance")], "absent");
    assert_eq!(&rows[1][column("title")], "Restaurer les mares");
}

#[actix_web::test]
async fn a_member_subscribes_to_its_confirmed_registrations() {
    if !available("python3:icalendar", "pip install icalendar") {
        return;
    }
    let app = TestApp::spawn().await;
    let m = members(&app, "agenda", 2).await;
    let confirmed = event(
        &app,
        "Jeudi des haies, bocages et paysages",
        json!({"capacity": 1, "venue": "Salle des fêtes", "city": "Saint-Pons"}),
    )
    .await;
    let waited = event(&app, "Atelier complet", json!({"capacity": 0})).await;
    register(&app, &confirmed, &m.tokens[0]).await.expect(201);
    register(&app, &waited, &m.tokens[0]).await.expect(201);
    register(&app, &confirmed, &m.tokens[1]).await.expect(201);

    let me = get(&app, "/api/v1/me", &m.tokens[0]).await;
    let url = me["calendar_url"]
        .as_str()
        .expect("as set up by the test")
        .to_string();
    assert!(url.starts_with("/api/v1/calendar/") && url.ends_with(".ics"));
    let reply = app
        .client
        .get(format!("{}{url}", app.base))
        .send()
        .await
        .expect("as set up by the test");
    assert_eq!(reply.status(), 200);
    assert!(
        reply.headers()["content-type"]
            .to_str()
            .expect("as set up by the test")
            .starts_with("text/calendar")
    );
    let events = parsed_calendar(&reply.text().await.expect("as set up by the test"));
    assert_eq!(
        events.as_array().expect("as set up by the test").len(),
        1,
        "{events}"
    );
    assert_eq!(events[0]["summary"], "Jeudi des haies, bocages et paysages");
    assert_eq!(events[0]["starts"], "2027-03-12T08:30:00+00:00");
    assert_eq!(events[0]["ends"], "2027-03-12T16:00:00+00:00");
    assert_eq!(events[0]["location"], "Salle des fêtes, Saint-Pons");
    // Another member's calendar holds none of it.
    let other = get(&app, "/api/v1/me", &m.tokens[1]).await;
    let text = app
        .client
        .get(format!(
            "{}{}",
            app.base,
            other["calendar_url"]
                .as_str()
                .expect("as set up by the test")
        ))
        .send()
        .await
        .expect("as set up by the test")
        .text()
        .await
        .expect("as set up by the test");
    assert_eq!(
        parsed_calendar(&text)
            .as_array()
            .expect("as set up by the test")
            .len(),
        0
    );

    // A new URL ends the old one.
    let rotated = call(
        &app,
        &app.base,
        Method::POST,
        "/api/v1/me/calendar-token",
        &m.tokens[0],
    )
    .await
    .expect(200);
    let new_url = rotated["calendar_url"]
        .as_str()
        .expect("as set up by the test");
    assert_ne!(new_url, url);
    assert_eq!(app.get(&url, As::Public).await.status, 404);
    assert_eq!(app.get(new_url, As::Public).await.status, 200);
    assert_eq!(
        get(&app, "/api/v1/me", &m.tokens[0]).await["calendar_url"],
        new_url
    );
    assert_eq!(
        app.get("/api/v1/calendar/inconnu.ics", As::Public)
            .await
            .status,
        404
    );
}
