//! `fields=` and `include=` on lists and items: embedded items as the caller may see them, a
//! fixed number of queries whatever the page size, and bad names refused.

use crate::helpers::{As, TestApp};
use serde_json::{Value, json};

/// The statements the application has sent to its database so far.
async fn queries(app: &TestApp) -> u64 {
    let metrics = app
        .send(app.request(reqwest::Method::GET, "/metrics", As::Public))
        .await;
    let text = metrics
        .body
        .as_str()
        .map(str::to_string)
        .unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix("relais_database_queries_total "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no query counter in {text}"))
}

/// A centre with `count` events, each with two speakers, two themes and a public and a
/// members-only document.
async fn programme(app: &TestApp, count: u32) -> Value {
    let centre = app.centre("pole-relais-mares").await;
    app.theme("mares", None).await;
    app.theme("zones-humides", None).await;
    let speakers = [
        app.actor("Élodie Vasseur").await,
        app.actor("Yannick Le Goff").await,
    ];
    let document = |title: &str, audience: &str| {
        json!({"title": title, "kind": "guide", "centre_id": centre["id"], "status": "published",
               "audience": audience, "published_on": "2026-02-02"})
    };
    let public = app
        .create("documents", document("Guide des mares", "public"))
        .await;
    let members = app
        .create(
            "documents",
            document("Relevé du groupe de travail", "members"),
        )
        .await;
    for day in 1..=count {
        app.event(
            &centre,
            &format!("Atelier mares n° {day}"),
            day,
            json!({"themes": ["mares", "zones-humides"],
                   "speaker_ids": [speakers[0]["id"], speakers[1]["id"]],
                   "document_ids": [members["id"], public["id"]]}),
        )
        .await;
    }
    centre
}

#[actix_web::test]
async fn include_embeds_related_items_as_the_caller_sees_them() {
    let app = TestApp::spawn().await;
    let centre = programme(&app, 2).await;
    let page = app
        .get(
            "/api/v1/events?include=centre,speakers,themes,documents&per_page=1",
            As::Public,
        )
        .await
        .expect(200);
    let included = &page["data"][0]["included"];
    assert_eq!(included["centre"]["id"], centre["id"]);
    assert_eq!(included["centre"]["name"], "Centre pole-relais-mares");
    let names: Vec<_> = included["speakers"]
        .as_array()
        .expect("speakers")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        ["Élodie Vasseur", "Yannick Le Goff"],
        "in billing order"
    );
    // The public sees no contact details, and not the members-only document.
    assert!(included["speakers"][0].get("email").is_none());
    let documents = included["documents"].as_array().expect("documents");
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["title"], "Guide des mares");
    let themes: Vec<_> = included["themes"]
        .as_array()
        .expect("themes")
        .iter()
        .map(|t| t["label"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(themes, ["mares", "zones humides"]);
    // Paging still works.
    assert!(page["meta"]["next_cursor"].is_string());

    // A member sees both documents and the speakers' contact details.
    let event_path = format!(
        "/api/v1/events/{}?include=speakers,documents",
        page["data"][0]["slug"].as_str().expect("slug")
    );
    let member = app.get(&event_path, As::Member).await.expect(200);
    assert_eq!(
        member["included"]["documents"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        member["included"]["speakers"][0]["email"],
        "contact@example.fr"
    );
    // Items of other collections include theirs.
    let actors = app
        .get("/api/v1/themes/mares?include=parent", As::Public)
        .await
        .expect(200);
    assert_eq!(actors["included"]["parent"], Value::Null);
    let documents = app
        .get("/api/v1/documents?include=centre&fields=title", As::Public)
        .await
        .expect(200);
    assert_eq!(
        documents["data"][0]["included"]["centre"]["id"],
        centre["id"]
    );
}

#[actix_web::test]
async fn included_relations_cost_one_query_each_whatever_the_page_size() {
    let app = TestApp::spawn().await;
    programme(&app, 12).await;
    let mut costs = Vec::new();
    // Last pages, of 1 and of 12 items: their totals need no count.
    for (per_page, page) in [(1, 12), (12, 1)] {
        let before = queries(&app).await;
        let page = app
            .get(
                &format!(
                    "/api/v1/events?per_page={per_page}&page={page}&include=centre,speakers,themes,documents"
                ),
                As::Public,
            )
            .await
            .expect(200);
        assert_eq!(page["data"].as_array().map(Vec::len), Some(per_page));
        assert_eq!(page["meta"]["total"], 12);
        costs.push(queries(&app).await - before);
    }
    // The snapshot, the page, and one query per relation (the pool reuses a connection
    // without checking it first).
    assert_eq!(costs, [6, 6]);
    let before = queries(&app).await;
    app.get("/api/v1/events?per_page=12", As::Public)
        .await
        .expect(200);
    assert_eq!(queries(&app).await - before, 2);
}

#[actix_web::test]
async fn fields_keeps_the_fields_asked_and_the_id() {
    let app = TestApp::spawn().await;
    programme(&app, 3).await;
    let page = app
        .get(
            "/api/v1/events?fields=title,starts_at&per_page=2",
            As::Public,
        )
        .await
        .expect(200);
    let first = page["data"][0].as_object().expect("item");
    let mut keys: Vec<_> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "starts_at", "title"]);
    // The cursor still resumes after the last item, even when `fields` leaves out the sort key.
    let first_page = app
        .get(
            "/api/v1/events?fields=title&sort=-starts_at&per_page=2",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(first_page["data"][1]["title"], "Atelier mares n° 2");
    let resumed = app
        .get(
            &format!(
                "/api/v1/events?fields=title&sort=-starts_at&per_page=2&cursor={}",
                first_page["meta"]["next_cursor"].as_str().expect("cursor")
            ),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(resumed["data"][0]["title"], "Atelier mares n° 1");

    // A single item, with an ETag of its own representation.
    let path = format!(
        "/api/v1/events/{}",
        page["data"][0]["id"].as_str().expect("id")
    );
    let whole = app.get(&path, As::Public).await;
    let shaped = app.get(&format!("{path}?fields=slug"), As::Public).await;
    let etag = shaped.header("etag").expect("ETag").to_string();
    assert_ne!(whole.header("etag"), Some(etag.as_str()));
    let body = shaped.expect(200);
    assert_eq!(body.as_object().map(|o| o.len()), Some(2));
    let again = app
        .send(
            app.request(
                reqwest::Method::GET,
                &format!("{path}?fields=slug"),
                As::Public,
            )
            .header("if-none-match", etag),
        )
        .await;
    assert_eq!(again.status, 304);
}

#[actix_web::test]
async fn unknown_fields_relations_and_parameters_are_refused() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-a").await;
    let event = app.event(&centre, "Jeudi", 3, json!({})).await;
    let item = format!("/api/v1/events/{}", event["id"].as_str().expect("id"));
    for path in [
        "/api/v1/events?fields=titre".to_string(),
        "/api/v1/events?fields=".to_string(),
        "/api/v1/events?include=authors".to_string(),
        "/api/v1/events?include=".to_string(),
        "/api/v1/events?include=,".to_string(),
        "/api/v1/centres?include=speakers".to_string(),
        "/api/v1/themes?include=centre".to_string(),
        "/api/v1/changes?fields=id".to_string(),
        "/api/v1/search?q=mares&include=centre".to_string(),
        format!("{item}?fields=titre"),
        format!("{item}?include=trainers"),
        format!("{item}?expand=centre"),
        "/api/v1/territories?region=76".to_string(),
        // Geographic filters belong to the lists of items with places.
        "/api/v1/changes?territory=region:76".to_string(),
        "/api/v1/trainings?bbox=1,43,2,44".to_string(),
    ] {
        let reply = app.get(&path, As::Public).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.body);
        assert!(
            reply.body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{path}"
        );
    }
    let detail = app
        .get("/api/v1/events?include=authors", As::Public)
        .await
        .body["detail"]
        .clone();
    assert_eq!(
        detail,
        "cannot include `authors`; this collection includes: centre, themes, speakers, documents"
    );
}
