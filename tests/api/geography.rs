//! Geography: INSEE territories (a region matches its departments), `near=` with distances,
//! `bbox=`, and the reference list of regions and departments.

use crate::helpers::{As, TestApp};
use serde_json::{Value, json};

fn slugs(page: &Value) -> Vec<&str> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|item| item["slug"].as_str())
        .collect()
}

fn sorted(mut slugs: Vec<&str>) -> Vec<&str> {
    slugs.sort_unstable();
    slugs
}

#[actix_web::test]
async fn a_region_matches_the_items_of_its_departments() {
    let app = TestApp::spawn().await;
    let centre = app.centre("crdt-occitanie").await;
    let place = |department: Option<&str>, region: Option<&str>| json!({"department_code": department, "region_code": region});
    app.event(&centre, "Jeudi à Montpellier", 4, place(Some("34"), None))
        .await;
    app.event(&centre, "Webinaire régional", 5, place(None, Some("76")))
        .await;
    app.event(&centre, "Colloque à Lyon", 6, place(Some("69"), None))
        .await;
    app.event(&centre, "Séminaire à Ajaccio", 7, place(Some("2a"), None))
        .await;
    app.event(&centre, "Webinaire national", 8, json!({})).await;

    let list = |territory: &str| {
        let path = format!("/api/v1/events?territory={territory}&per_page=100");
        let app = &app;
        async move { app.get(&path, As::Public).await.expect(200) }
    };
    assert_eq!(
        sorted(slugs(&list("region:76").await)),
        ["jeudi-a-montpellier", "webinaire-regional"]
    );
    assert_eq!(slugs(&list("department:34").await), ["jeudi-a-montpellier"]);
    assert_eq!(
        slugs(&list("region:84,department:2A").await),
        ["colloque-a-lyon", "seminaire-a-ajaccio"]
    );
    // The department's region is filled in, and codes are read in upper case.
    let ajaccio = &list("department:2a").await["data"][0];
    assert_eq!(
        (&ajaccio["region_code"], &ajaccio["department_code"]),
        (&json!("94"), &json!("2A"))
    );
    let counted = app
        .get("/api/v1/events?facets=region,department", As::Public)
        .await
        .expect(200);
    assert_eq!(
        counted["meta"]["facets"]["region"],
        json!([{"value": "76", "count": 2}, {"value": "84", "count": 1}, {"value": "94", "count": 1}])
    );
    assert_eq!(
        counted["meta"]["facets"]["department"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    for bad in [
        "76",
        "region:7",
        "department:99x",
        "commune:31555",
        "region:",
    ] {
        let reply = app
            .get(&format!("/api/v1/events?territory={bad}"), As::Public)
            .await;
        assert_eq!(reply.status, 400, "territory={bad}");
    }
}

#[actix_web::test]
async fn the_region_follows_the_department_on_every_write() {
    let app = TestApp::spawn().await;
    let created = app
        .create(
            "actors",
            json!({"kind": "person", "name": "Julie Causse", "department_code": "12"}),
        )
        .await;
    assert_eq!(created["region_code"], "76");

    // A region that contradicts the department is refused, naming the field.
    let contradiction = app
        .post(
            "/api/v1/actors",
            &json!({"kind": "person", "name": "Paul Marty", "department_code": "12", "region_code": "84"}),
            As::Admin,
        )
        .await;
    assert_eq!(contradiction.status, 422);
    assert_eq!(contradiction.error_fields(), ["region_code"]);
    for (body, field) in [
        (json!({"department_code": "99"}), "department_code"),
        (json!({"region_code": "99"}), "region_code"),
        (json!({"department_code": "2C"}), "department_code"),
    ] {
        let mut input = json!({"kind": "person", "name": "Inconnu"});
        crate::helpers::merge(&mut input, body.clone());
        let reply = app.post("/api/v1/actors", &input, As::Admin).await;
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(reply.error_fields(), [field], "{body}");
    }

    // A patch that moves the department moves the region with it.
    let path = format!("/api/v1/actors/{}", created["id"].as_str().expect("id"));
    let moved = app
        .patch(&path, &json!({"department_code": "69"}), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        (&moved["region_code"], &moved["department_code"]),
        (&json!("84"), &json!("69"))
    );
    // Clearing the department keeps the region; a region alone is kept as given.
    let cleared = app
        .patch(&path, &json!({"department_code": null}), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        (&cleared["region_code"], &cleared["department_code"]),
        (&json!("84"), &Value::Null)
    );
    let contradicted = app
        .patch(
            &path,
            &json!({"department_code": "34", "region_code": "11"}),
            As::Admin,
        )
        .await;
    assert_eq!(contradicted.status, 422);
    // distance_km is computed, never written.
    let read_only = app
        .patch(&path, &json!({"distance_km": 3}), As::Admin)
        .await;
    assert_eq!(read_only.status, 422);
    assert_eq!(read_only.error_fields(), ["distance_km"]);
}

#[actix_web::test]
async fn near_returns_distances_nearest_first_and_bbox_keeps_a_box() {
    let app = TestApp::spawn().await;
    for (name, latitude, longitude) in [
        ("Toulouse", Some(43.6045), Some(1.4440)),
        ("Albi", Some(43.9289), Some(2.1464)),
        ("Montpellier", Some(43.6108), Some(3.8767)),
        ("Paris", Some(48.8566), Some(2.3522)),
        ("Sans adresse", None, None),
    ] {
        app.create(
            "actors",
            json!({"kind": "organisation", "name": name, "latitude": latitude, "longitude": longitude}),
        )
        .await;
    }
    let get = |query: &str| {
        let path = format!("/api/v1/actors?{query}");
        let app = &app;
        async move { app.get(&path, As::Public).await.expect(200) }
    };

    let near = get("near=43.6045,1.4440&radius_km=100").await;
    assert_eq!(slugs(&near), ["toulouse", "albi"]);
    let distances: Vec<f64> = near["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|a| a["distance_km"].as_f64().expect("distance_km"))
        .collect();
    assert_eq!(distances[0], 0.0);
    // Toulouse to Albi is 66.6 km as the crow flies.
    assert!((distances[1] - 66.6).abs() < 0.5, "{distances:?}");

    // Without a radius: every item that has coordinates, nearest first.
    let all = get("near=43.6045,1.4440").await;
    assert_eq!(slugs(&all), ["toulouse", "albi", "montpellier", "paris"]);
    let paris = all["data"][3]["distance_km"].as_f64().expect("distance");
    assert!((paris - 588.0).abs() < 2.0, "{paris}");
    // The distance order pages by cursor like any other.
    let mut cursor_slugs = Vec::new();
    let mut next = Some("near=43.6045,1.4440&per_page=3".to_string());
    while let Some(query) = next {
        let page = get(&query).await;
        cursor_slugs.extend(slugs(&page).into_iter().map(str::to_string));
        next = page["meta"]["next_cursor"]
            .as_str()
            .map(|c| format!("near=43.6045,1.4440&per_page=3&cursor={c}"));
    }
    assert_eq!(cursor_slugs, ["toulouse", "albi", "montpellier", "paris"]);
    // `sort` orders instead, and the distances stay.
    let by_name = get("near=43.6045,1.4440&radius_km=250&sort=-name").await;
    assert_eq!(slugs(&by_name), ["toulouse", "montpellier", "albi"]);
    assert!(by_name["data"][1]["distance_km"].as_f64().is_some());
    // Without `near`, no distance at all.
    assert!(get("").await["data"][0].get("distance_km").is_none());

    let boxed = get("bbox=1.0,43.0,4.0,44.5&sort=name").await;
    assert_eq!(slugs(&boxed), ["albi", "montpellier", "toulouse"]);
    let both = get("bbox=1.0,43.0,4.0,44.5&near=48.8566,2.3522").await;
    assert_eq!(slugs(&both), ["albi", "toulouse", "montpellier"]);

    for bad in [
        "radius_km=10",
        "near=43.6",
        "near=91,2",
        "near=43,181",
        "near=abc,def",
        "near=43,1&radius_km=0",
        "near=43,1&radius_km=-5",
        "near=43,1&radius_km=NaN",
        "bbox=4,43,1,44",
        "bbox=1,45,4,44",
        "bbox=1,43,4",
    ] {
        let reply = app.get(&format!("/api/v1/actors?{bad}"), As::Public).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}

#[actix_web::test]
async fn centres_and_events_are_found_near_a_point() {
    let app = TestApp::spawn().await;
    let centre = app
        .create(
            "centres",
            json!({"name": "Pôle-relais tourbières", "scope": "national", "latitude": 46.8567, "longitude": 6.1797}),
        )
        .await;
    app.event(
        &centre,
        "Journée technique tourbières",
        10,
        json!({"latitude": 46.8567, "longitude": 6.1797, "department_code": "25"}),
    )
    .await;
    app.event(
        &centre,
        "Webinaire tourbières",
        11,
        json!({"format": "online"}),
    )
    .await;
    let events = app
        .get(
            "/api/v1/events?near=47.2378,6.0241&radius_km=50",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(slugs(&events), ["journee-technique-tourbieres"]);
    assert!(
        events["data"][0]["distance_km"]
            .as_f64()
            .is_some_and(|d| d > 40.0 && d < 45.0)
    );
    let centres = app
        .get(
            "/api/v1/centres?near=47.2378,6.0241&radius_km=50",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(slugs(&centres), ["pole-relais-tourbieres"]);
    // Lists without places take no geographic filter.
    let documents = app.get("/api/v1/documents?near=47,6", As::Public).await;
    assert_eq!(documents.status, 400);
}

#[actix_web::test]
async fn the_territories_list_gives_every_region_with_its_departments() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/territories", As::Public).await;
    let etag = reply.header("etag").expect("ETag").to_string();
    let regions = reply.expect(200)["data"].clone();
    let regions = regions.as_array().expect("data");
    assert_eq!(regions.len(), 18);
    let departments: usize = regions
        .iter()
        .map(|r| r["departments"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(departments, 101);
    let corse = regions.iter().find(|r| r["code"] == "94").expect("Corse");
    assert_eq!(corse["name"], "Corse");
    assert_eq!(
        corse["departments"],
        json!([{"code": "2A", "name": "Corse-du-Sud"}, {"code": "2B", "name": "Haute-Corse"}])
    );
    let again = app
        .send(
            app.request(reqwest::Method::GET, "/api/v1/territories", As::Public)
                .header("if-none-match", etag),
        )
        .await;
    assert_eq!(again.status, 304);
    // `territory=` takes exactly the codes listed, and refuses the others by name.
    let mut listed = Vec::new();
    for region in regions {
        listed.push(format!("region:{}", region["code"].as_str().expect("code")));
        for department in region["departments"].as_array().expect("departments") {
            listed.push(format!(
                "department:{}",
                department["code"].as_str().expect("code")
            ));
        }
    }
    for level in ["region", "department"] {
        for code in (0..100)
            .map(|n| format!("{n:02}"))
            .chain((970..980).map(|n| n.to_string()))
            .chain(["2A", "2B", "2C"].map(str::to_string))
        {
            let territory = format!("{level}:{code}");
            let reply = app
                .get(
                    &format!("/api/v1/centres?territory={territory}"),
                    As::Public,
                )
                .await;
            let expected = if listed.contains(&territory) {
                200
            } else {
                400
            };
            assert_eq!(reply.status, expected, "{territory}: {}", reply.body);
        }
    }
}

#[actix_web::test]
async fn one_search_across_everything_takes_the_geographic_filters() {
    let app = TestApp::spawn().await;
    let centre = app
        .create(
            "centres",
            json!({"name": "Centre de ressources des mares d'Occitanie", "scope": "regional",
                   "region_code": "76"}),
        )
        .await;
    app.event(
        &centre,
        "Atelier mares à Montpellier",
        4,
        json!({"department_code": "34", "latitude": 43.6108, "longitude": 3.8767}),
    )
    .await;
    app.event(
        &centre,
        "Atelier mares à Lyon",
        5,
        json!({"department_code": "69", "latitude": 45.764, "longitude": 4.8357}),
    )
    .await;
    app.create(
        "documents",
        json!({"title": "Guide des mares", "kind": "guide", "centre_id": centre["id"],
               "status": "published"}),
    )
    .await;
    let hits = |query: &str| {
        let path = format!("/api/v1/search?q=mares&{query}");
        let app = &app;
        async move {
            let page = app.get(&path, As::Public).await.expect(200);
            let mut titles: Vec<String> = page["data"]
                .as_array()
                .expect("hits")
                .iter()
                .filter_map(|h| h["title"].as_str().map(str::to_string))
                .collect();
            titles.sort();
            titles
        }
    };
    // Without a place filter, the document is found too.
    assert_eq!(hits("types=documents").await, ["Guide des mares"]);
    assert_eq!(
        hits("territory=region:76").await,
        [
            "Atelier mares à Montpellier",
            "Centre de ressources des mares d'Occitanie"
        ]
    );
    assert_eq!(
        hits("near=45.75,4.85&radius_km=20").await,
        ["Atelier mares à Lyon"]
    );
    assert_eq!(
        hits("bbox=3,43,5,44").await,
        ["Atelier mares à Montpellier"]
    );
    for bad in [
        "radius_km=5",
        "types=documents,trainings&territory=region:76",
    ] {
        let reply = app
            .get(&format!("/api/v1/search?q=mares&{bad}"), As::Public)
            .await;
        assert_eq!(reply.status, 400, "{bad}");
    }
}
