//! Other representations of items and lists, by `Accept`: schema.org JSON-LD, expanded by a
//! maintained JSON-LD processor (PyLD) and checked against schema.org's vocabulary as rdflib
//! ships it; CSV, read back by the `csv` crate; `406` naming what can be served.

use serde_json::{Value, json};

use crate::contributions::PDF;
use crate::helpers::{As, Method, Reply, TestApp, available, parsed_by_python};

async fn read_as(app: &TestApp, path: &str, accept: &str) -> (Reply, String) {
    let response = app
        .request(Method::GET, path, As::Public)
        .header("accept", accept)
        .send()
        .await
        .expect("relais answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let reply = Reply {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    };
    (reply, text)
}

/// The types of a JSON-LD document once expanded, and the terms schema.org does not define.
fn expanded(text: &str) -> Value {
    let script = r#"
import json, sys
from pyld import jsonld
from rdflib import URIRef
from rdflib.namespace import SDO
expanded = jsonld.expand(json.loads(sys.stdin.read()))
types, unknown = set(), set()
def known(iri):
    if iri.startswith("https://schema.org/") and URIRef(iri) not in SDO:
        unknown.add(iri)
def walk(node):
    if isinstance(node, list):
        for item in node:
            walk(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                for t in value:
                    types.add(t)
                    known(t)
            elif key == "@id":
                known(value)
            elif not key.startswith("@"):
                known(key)
                walk(value)
walk(expanded)
print(json.dumps({"types": sorted(types), "unknown": sorted(unknown), "nodes": len(expanded)}))
"#;
    parsed_by_python(script, text)
}

#[actix_web::test]
async fn every_item_and_list_is_schema_org_linked_data() {
    if !available("python3:pyld", "pip install PyLD rdflib")
        || !available("python3:rdflib", "pip install rdflib")
    {
        return;
    }
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    let theme = app.theme("zones-humides", None).await;
    let speaker = app.actor("Claire Martin").await;
    let event = app
        .event(
            &centre,
            "Journée technique « mares et bocages »",
            12,
            json!({"format": "hybrid", "venue": "Salle des fêtes", "city": "Saint-Pons",
                   "latitude": 43.49, "longitude": 2.77, "online_url": "https://visio.example.fr/mares",
                   "speaker_ids": [speaker["id"]], "themes": ["zones-humides"]}),
        )
        .await;
    let training = app
        .create(
            "trainings",
            json!({"title": "Restaurer les mares", "kind": "formation", "modality": "in_person",
                   "centre_id": centre["id"], "status": "published", "duration_hours": 14.0,
                   "trainer_ids": [speaker["id"]]}),
        )
        .await;
    let training_path = format!("/api/v1/trainings/{}", training["id"].as_str().expect("id"));
    let session = app
        .post(
            &format!("{training_path}/sessions"),
            &json!({"starts_at": "2027-05-10T09:00:00+02:00", "ends_at": "2027-05-10T17:00:00+02:00",
                    "city": "Montpellier"}),
            As::Admin,
        )
        .await
        .expect(201);
    let document = app
        .create(
            "documents",
            json!({"title": "Compte rendu du Jeudi des mares", "kind": "compte_rendu",
                   "centre_id": centre["id"], "status": "published", "published_on": "2026-10-01",
                   "author_ids": [speaker["id"]], "licence": "Etalab-2.0"}),
        )
        .await;
    let document_path = format!("/api/v1/documents/{}", document["id"].as_str().expect("id"));
    app.send(
        app.request(Method::PUT, &format!("{document_path}/file"), As::Admin)
            .header("content-type", "application/pdf")
            .body(PDF.to_vec()),
    )
    .await
    .expect(200);
    let id = |item: &Value| item["id"].as_str().expect("id").to_string();
    let cases = [
        (format!("/api/v1/events/{}", id(&event)), "Event"),
        ("/api/v1/events".to_string(), "ItemList"),
        (training_path.clone(), "Course"),
        ("/api/v1/trainings".to_string(), "ItemList"),
        (
            format!("{training_path}/sessions/{}", id(&session)),
            "CourseInstance",
        ),
        (document_path.clone(), "Report"),
        ("/api/v1/documents".to_string(), "ItemList"),
        (format!("/api/v1/centres/{}", id(&centre)), "Organization"),
        ("/api/v1/centres".to_string(), "ItemList"),
        (format!("/api/v1/actors/{}", id(&speaker)), "Person"),
        ("/api/v1/actors".to_string(), "ItemList"),
        (format!("/api/v1/themes/{}", id(&theme)), "DefinedTerm"),
        ("/api/v1/themes".to_string(), "ItemList"),
    ];
    for (path, kind) in cases {
        let (reply, text) = read_as(&app, &path, "application/ld+json").await;
        assert_eq!(reply.status, 200, "{path}: {text}");
        assert_eq!(reply.header("content-type"), Some("application/ld+json"));
        assert_eq!(reply.body["@type"], kind, "{path}: {text}");
        let found = expanded(&text);
        assert_eq!(found["unknown"], json!([]), "{path}: {text}");
        assert!(
            found["types"]
                .as_array()
                .is_some_and(|t| t.contains(&json!(format!("https://schema.org/{kind}")))),
            "{path}: {found}"
        );
    }
    // What each says, as a search engine would read it.
    let (_, text) = read_as(
        &app,
        &format!("/api/v1/events/{}", id(&event)),
        "application/ld+json",
    )
    .await;
    let event_ld: Value = serde_json::from_str(&text).expect("JSON-LD");
    assert_eq!(
        event_ld["eventAttendanceMode"]["@id"],
        "https://schema.org/MixedEventAttendanceMode"
    );
    assert_eq!(event_ld["location"][0]["@type"], "Place");
    assert_eq!(
        event_ld["location"][0]["address"]["addressLocality"],
        "Saint-Pons"
    );
    assert_eq!(event_ld["location"][1]["@type"], "VirtualLocation");
    let (_, text) = read_as(&app, &training_path, "application/ld+json").await;
    let course: Value = serde_json::from_str(&text).expect("JSON-LD");
    assert_eq!(course["hasCourseInstance"][0]["@type"], "CourseInstance");
    assert_eq!(course["timeRequired"], "PT840M");
    let (_, text) = read_as(&app, &document_path, "application/ld+json").await;
    let report: Value = serde_json::from_str(&text).expect("JSON-LD");
    assert_eq!(report["encoding"]["encodingFormat"], "application/pdf");
    let (list, _) = read_as(&app, "/api/v1/events", "application/ld+json").await;
    assert_eq!(list.body["numberOfItems"], 1);
    assert_eq!(list.body["itemListElement"][0]["position"], 1);
}

#[actix_web::test]
async fn a_list_exports_as_csv_and_what_cannot_be_served_is_a_406() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais").await;
    app.event(
        &centre,
        "Rencontre « haies, bocages et paysages »",
        12,
        json!({"city": "Saint-Pons-de-Thomières", "themes": []}),
    )
    .await;
    app.event(&centre, "Atelier du réseau", 13, json!({})).await;

    let (reply, text) = read_as(&app, "/api/v1/events?sort=starts_at", "text/csv").await;
    assert_eq!(reply.status, 200, "{text}");
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8; header=present")
    );
    assert!(
        reply
            .headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().is_ok_and(|v| v.contains("Accept")))
    );
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().expect("a header row").clone();
    let title = header
        .iter()
        .position(|h| h == "title")
        .expect("a title column");
    let city = header
        .iter()
        .position(|h| h == "city")
        .expect("a city column");
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("a row")).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(
        &records[0][title],
        "Rencontre « haies, bocages et paysages »"
    );
    assert_eq!(&records[0][city], "Saint-Pons-de-Thomières");
    // Sparse fields choose the columns.
    let (_, text) = read_as(&app, "/api/v1/events?fields=slug,title", "text/csv").await;
    assert_eq!(text.lines().next(), Some("id,slug,title"));

    // An item is JSON or JSON-LD; anything else is a 406 that names them.
    let event = app
        .get("/api/v1/events?per_page=1", As::Public)
        .await
        .expect(200);
    let path = format!(
        "/api/v1/events/{}",
        event["data"][0]["id"].as_str().expect("id")
    );
    let (refused, _) = read_as(&app, &path, "text/csv").await;
    assert_eq!(refused.status, 406);
    assert_eq!(refused.body["type"], "urn:relais:problem:not-acceptable");
    assert!(
        refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("application/json") && d.contains("application/ld+json"))
    );
    let (html, _) = read_as(&app, "/api/v1/events", "text/html").await;
    assert_eq!(html.status, 406);
    let (preferred, _) = read_as(&app, &path, "text/html, application/json;q=0.5").await;
    assert_eq!(preferred.status, 200);
    assert_eq!(preferred.header("content-type"), Some("application/json"));
}
