//! Feeds: events and trainings as iCalendar, documents as Atom, each the list it is named from
//! (filters, visibility, paging), read by Python's `icalendar` and `feedparser`.

use serde_json::{Value, json};

use crate::contributions::PDF;
use crate::helpers::{As, Method, Reply, TestApp, available, parsed_by_python, parsed_calendar};

async fn text(app: &TestApp, path: &str, who: As) -> (Reply, String) {
    let response = app
        .request(Method::GET, path, who)
        .send()
        .await
        .expect("relais answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a body");
    let reply = Reply {
        status,
        headers,
        body: Value::Null,
    };
    (reply, body)
}

fn summaries(events: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["summary"].as_str().unwrap_or_default().to_string(),
                e["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[actix_web::test]
async fn the_events_list_is_a_calendar_with_every_filter() {
    if !available("python3:icalendar", "pip install icalendar") {
        return;
    }
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let other = app.centre("autre-pole").await;
    app.event(
        &centre,
        "Journée technique « mares et bocages »",
        12,
        json!({"venue": "Salle des fêtes", "city": "Saint-Pons-de-Thomières"}),
    )
    .await;
    app.event(
        &centre,
        "Rencontre annulée",
        13,
        json!({"status": "cancelled"}),
    )
    .await;
    app.event(
        &centre,
        "Atelier du réseau",
        14,
        json!({"audience": "members"}),
    )
    .await;
    app.event(&other, "Colloque d'ailleurs", 15, json!({}))
        .await;

    // The list names its feed, with the same filters.
    let list = app
        .get(
            "/api/v1/events?centre=pole-relais&sort=starts_at",
            As::Public,
        )
        .await;
    let links: Vec<&str> = list
        .headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        links.iter().any(|l| l.contains(
            "</api/v1/events.ics?centre=pole-relais&sort=starts_at>; rel=\"alternate\"; type=\"text/calendar\""
        )),
        "{links:?}"
    );

    let (reply, calendar) = text(&app, "/api/v1/events.ics?centre=pole-relais", As::Public).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    let events = parsed_calendar(&calendar);
    assert_eq!(
        summaries(&events),
        vec![(
            "Journée technique « mares et bocages »".to_string(),
            "CONFIRMED".to_string()
        ),],
        "the public sees published public events of that centre: {calendar}"
    );
    assert_eq!(events[0]["starts"], "2027-03-12T08:30:00+00:00");
    assert_eq!(
        events[0]["location"],
        "Salle des fêtes, Saint-Pons-de-Thomières"
    );
    assert!(
        events[0]["uid"]
            .as_str()
            .is_some_and(|uid| uid.ends_with("@relais"))
    );

    // Members see what is theirs; administrators the cancelled event too, marked so.
    let (_, calendar) = text(&app, "/api/v1/events.ics?centre=pole-relais", As::Member).await;
    assert_eq!(parsed_calendar(&calendar).as_array().map(Vec::len), Some(2));
    let (_, calendar) = text(
        &app,
        "/api/v1/events.ics?centre=pole-relais&status=cancelled",
        As::Admin,
    )
    .await;
    assert_eq!(
        summaries(&parsed_calendar(&calendar)),
        vec![("Rencontre annulée".to_string(), "CANCELLED".to_string())]
    );

    // Paging as the list pages, with the next page in `Link`.
    let (first, calendar) = text(&app, "/api/v1/events.ics?per_page=1", As::Public).await;
    assert_eq!(parsed_calendar(&calendar).as_array().map(Vec::len), Some(1));
    assert!(
        first
            .header("link")
            .is_some_and(|l| l.contains("rel=\"next\"")),
        "{:?}",
        first.header("link")
    );
    // A feed has no facets nor sparse fields; a wrong filter is the list's 400.
    let (facets, _) = text(&app, "/api/v1/events.ics?facets=kind", As::Public).await;
    assert_eq!(facets.status, 400);
    let (wrong, _) = text(&app, "/api/v1/events.ics?kind=concert", As::Public).await;
    assert_eq!(wrong.status, 400);
}

#[actix_web::test]
async fn trainings_are_a_calendar_of_their_sessions() {
    if !available("python3:icalendar", "pip install icalendar") {
        return;
    }
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let training = app
        .create(
            "trainings",
            json!({"title": "Formation « restaurer les mares »", "kind": "formation",
                   "modality": "in_person", "centre_id": centre["id"], "status": "published"}),
        )
        .await;
    let sessions = format!(
        "/api/v1/trainings/{}/sessions",
        training["id"].as_str().expect("id")
    );
    for (day, status) in [(10, "scheduled"), (17, "cancelled")] {
        app.post(
            &sessions,
            &json!({"starts_at": format!("2027-05-{day}T09:00:00+02:00"),
                    "ends_at": format!("2027-05-{day}T17:00:00+02:00"),
                    "city": "Montpellier", "status": status}),
            As::Admin,
        )
        .await
        .expect(201);
    }
    let list = app.get("/api/v1/trainings", As::Public).await;
    assert!(list.headers.get_all("link").iter().any(|l| {
        l.to_str()
            .is_ok_and(|l| l.contains("/api/v1/trainings.ics"))
    }),);
    let (reply, calendar) = text(&app, "/api/v1/trainings.ics", As::Public).await;
    assert_eq!(reply.status, 200);
    let events = parsed_calendar(&calendar);
    let found: Vec<(&str, &str, &str)> = events
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["summary"].as_str().unwrap_or_default(),
                e["starts"].as_str().unwrap_or_default(),
                e["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "Formation « restaurer les mares »",
                "2027-05-10T07:00:00+00:00",
                "CONFIRMED"
            ),
            (
                "Formation « restaurer les mares »",
                "2027-05-17T07:00:00+00:00",
                "CANCELLED"
            ),
        ]
    );
}

/// An Atom text as `feedparser` reads it: whether it was well-formed, and its entries.
fn parsed_atom(text: &str) -> Value {
    let script = r#"
import feedparser, json, sys
feed = feedparser.parse(sys.stdin.read())
print(json.dumps({
    "bozo": bool(feed.bozo), "version": feed.version, "title": feed.feed.get("title"),
    "updated": feed.feed.get("updated"),
    "entries": [{"id": e.id, "title": e.title, "updated": e.get("updated"),
                 "published": e.get("published"), "summary": e.get("summary"),
                 "categories": [t["term"] for t in e.get("tags", [])],
                 "enclosures": [l["href"] for l in e.get("links", []) if l.get("rel") == "enclosure"]}
                for e in feed.entries],
}))
"#;
    parsed_by_python(script, text)
}

#[actix_web::test]
async fn the_documents_list_is_an_atom_feed_newest_first() {
    if !available("python3:feedparser", "pip install feedparser") {
        return;
    }
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let older = app
        .create(
            "documents",
            json!({"title": "Guide des mares temporaires", "kind": "guide",
                   "centre_id": centre["id"], "status": "published", "published_on": "2025-03-01",
                   "summary": "Reconnaître et gérer les mares temporaires."}),
        )
        .await;
    let newer = app
        .create(
            "documents",
            json!({"title": "Guide des haies champêtres", "kind": "guide",
                   "centre_id": centre["id"], "status": "published", "published_on": "2026-06-15"}),
        )
        .await;
    app.create(
        "documents",
        json!({"title": "Note sur les castors", "kind": "note_technique",
               "centre_id": centre["id"], "status": "published"}),
    )
    .await;
    let path = format!(
        "/api/v1/documents/{}/file",
        older["id"].as_str().expect("id")
    );
    app.send(
        app.request(Method::PUT, &path, As::Admin)
            .header("content-type", "application/pdf")
            .body(PDF.to_vec()),
    )
    .await
    .expect(200);

    let (reply, feed) = text(&app, "/api/v1/documents.atom?kind=guide", As::Public).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let parsed = parsed_atom(&feed);
    assert_eq!(parsed["bozo"], false, "{feed}");
    assert_eq!(parsed["version"], "atom10");
    assert!(parsed["updated"].is_string());
    let entries = parsed["entries"].as_array().expect("entries");
    let ids: Vec<&str> = entries.iter().filter_map(|e| e["id"].as_str()).collect();
    let id = |document: &Value| format!("urn:uuid:{}", document["id"].as_str().expect("id"));
    assert_eq!(
        ids,
        vec![id(&newer), id(&older)],
        "newest first, guides only"
    );
    assert!(entries.iter().all(|e| e["updated"].is_string()));
    assert!(
        entries[1]["published"]
            .as_str()
            .is_some_and(|p| p.starts_with("2025-03-01"))
    );
    assert_eq!(
        entries[1]["summary"],
        "Reconnaître et gérer les mares temporaires."
    );
    assert_eq!(entries[1]["categories"][0], "guide");
    assert!(
        entries[1]["enclosures"][0]
            .as_str()
            .is_some_and(|href| href.ends_with(&path)),
        "{}",
        entries[1]
    );
    // The same entry keeps its id from one read to the next.
    let again = parsed_atom(
        &text(&app, "/api/v1/documents.atom?kind=guide", As::Public)
            .await
            .1,
    );
    assert_eq!(again["entries"][0]["id"], parsed["entries"][0]["id"]);
}
