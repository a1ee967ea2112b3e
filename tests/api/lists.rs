use crate::helpers::{As, TestApp};
use serde_json::{Value, json};

async fn themes(app: &TestApp, count: usize) {
    for i in 0..count {
        app.create(
            "themes",
            json!({"slug": format!("theme-{i:02}"), "label": format!("Thème {:02}", count - i)}),
        )
        .await;
    }
}

fn slugs(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|t| t["slug"].as_str().map(str::to_string))
        .collect()
}

#[actix_web::test]
async fn pages_carry_meta_links_and_a_link_header() {
    let app = TestApp::spawn().await;
    themes(&app, 7).await;
    let reply = app
        .get("/api/v1/themes?per_page=3&page=2&sort=slug", As::Public)
        .await;
    let link = reply.header("link").expect("Link header").to_string();
    let page = reply.expect(200);
    assert_eq!(slugs(&page), ["theme-03", "theme-04", "theme-05"]);
    assert_eq!(
        page["meta"],
        json!({"total": 7, "total_is_estimate": false, "page": 2, "per_page": 3, "next_cursor": page["meta"]["next_cursor"]})
    );
    assert!(page["meta"]["next_cursor"].is_string());
    let links = &page["links"];
    assert_eq!(links["self"], "/api/v1/themes?per_page=3&page=2&sort=slug");
    assert_eq!(links["next"], "/api/v1/themes?per_page=3&sort=slug&page=3");
    assert_eq!(links["prev"], "/api/v1/themes?per_page=3&sort=slug&page=1");
    assert_eq!(links["first"], "/api/v1/themes?per_page=3&sort=slug&page=1");
    assert_eq!(links["last"], "/api/v1/themes?per_page=3&sort=slug&page=3");
    for rel in ["self", "next", "prev", "first", "last"] {
        assert!(link.contains(&format!("rel=\"{rel}\"")), "{link}");
    }
    let last = app
        .get("/api/v1/themes?per_page=3&page=3&sort=slug", As::Public)
        .await
        .expect(200);
    assert_eq!(slugs(&last), ["theme-06"]);
    assert!(last["links"]["next"].is_null() && last["meta"]["next_cursor"].is_null());
    // The default page size, and a page past the end.
    assert_eq!(
        app.get("/api/v1/themes", As::Public).await.expect(200)["meta"]["per_page"],
        20
    );
    let past = app
        .get("/api/v1/themes?per_page=3&page=9", As::Public)
        .await
        .expect(200);
    assert_eq!(slugs(&past).len(), 0);
    // From past the end, the previous page with items is the last.
    assert_eq!(past["links"]["prev"], "/api/v1/themes?per_page=3&page=3");
    assert!(past["links"]["next"].is_null());
}

#[actix_web::test]
async fn sorting_follows_the_whitelist_in_both_directions() {
    let app = TestApp::spawn().await;
    themes(&app, 4).await;
    // Labels run opposite to slugs.
    let by_label = app
        .get("/api/v1/themes?sort=label", As::Public)
        .await
        .expect(200);
    assert_eq!(
        slugs(&by_label),
        ["theme-03", "theme-02", "theme-01", "theme-00"]
    );
    let by_slug_desc = app
        .get("/api/v1/themes?sort=-slug", As::Public)
        .await
        .expect(200);
    assert_eq!(
        slugs(&by_slug_desc),
        ["theme-03", "theme-02", "theme-01", "theme-00"]
    );
    let two_keys = app
        .get("/api/v1/themes?sort=-created_at,label", As::Public)
        .await
        .expect(200);
    // Newest first; the labels, which run the other way, only break ties of the same instant.
    assert_eq!(
        slugs(&two_keys),
        ["theme-03", "theme-02", "theme-01", "theme-00"]
    );
    // A field sorted on again adds nothing, as in SQL's `ORDER BY a, a DESC`.
    let again = app
        .get("/api/v1/themes?sort=-slug,slug,-slug", As::Public)
        .await
        .expect(200);
    assert_eq!(
        slugs(&again),
        ["theme-03", "theme-02", "theme-01", "theme-00"]
    );
    for bad in [
        "sort=",
        "sort=password_hash",
        "page=0",
        "page=2147483648",
        "per_page=0",
        "per_page=abc",
        "page=1&cursor=x",
        "cursor=nimporte",
    ] {
        let reply = app.get(&format!("/api/v1/themes?{bad}"), As::Public).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
    }
}

#[actix_web::test]
async fn cursors_walk_every_item_once_even_while_rows_are_added() {
    let app = TestApp::spawn().await;
    themes(&app, 9).await;
    for sort in ["slug", "-label", "-created_at,slug"] {
        let mut seen = Vec::new();
        let mut next = format!("/api/v1/themes?per_page=4&sort={sort}");
        let mut added = false;
        loop {
            let page = app.get(&next, As::Public).await.expect(200);
            seen.extend(slugs(&page));
            if !added {
                // A row inserted before the cursor's position must not shift what follows.
                app.create("themes", json!({"slug": format!("aaa-{}", sort.replace([',', '-', '_'], "")), "label": "Zzz"})).await;
                added = true;
            }
            match page["meta"]["next_cursor"].as_str() {
                Some(cursor) => {
                    next = format!("/api/v1/themes?per_page=4&sort={sort}&cursor={cursor}");
                    // In cursor mode, the next link carries the next cursor.
                    if page["meta"]["page"].is_null() {
                        assert!(
                            page["links"]["next"]
                                .as_str()
                                .is_some_and(|l| l.contains("cursor="))
                        );
                    }
                }
                None => break,
            }
        }
        let originals: Vec<&String> = seen.iter().filter(|s| s.starts_with("theme-")).collect();
        assert_eq!(originals.len(), 9, "{sort}: {seen:?}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "{sort}: no item twice");
    }
    // A cursor is tied to its sort.
    let first = app
        .get("/api/v1/themes?per_page=2&sort=slug", As::Public)
        .await
        .expect(200);
    let cursor = first["meta"]["next_cursor"].as_str().expect("cursor");
    assert_eq!(
        app.get(
            &format!("/api/v1/themes?sort=label&cursor={cursor}"),
            As::Public
        )
        .await
        .status,
        400
    );
}

/// Text sorts as a French reader expects, case and accents aside, not in byte order (which puts
/// « École » after « Zones »); cursors follow that order in both directions.
#[actix_web::test]
async fn text_sorts_in_french_order_and_cursors_follow_it() {
    let app = TestApp::spawn().await;
    for label in [
        "Zones humides",
        "École",
        "eau",
        "Forêt",
        "Élus locaux",
        "Eau potable",
    ] {
        app.create("themes", json!({"label": label})).await;
    }
    let french = [
        "eau",
        "Eau potable",
        "École",
        "Élus locaux",
        "Forêt",
        "Zones humides",
    ];
    let labels = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|t| t["label"].as_str().map(str::to_string))
            .collect()
    };
    for (sort, expected) in [
        ("label", french.to_vec()),
        ("-label", french.iter().rev().copied().collect()),
    ] {
        let whole = app
            .get(&format!("/api/v1/themes?sort={sort}"), As::Public)
            .await
            .expect(200);
        assert_eq!(labels(&whole), expected, "sort={sort}");
        let mut paged = Vec::new();
        let mut path = format!("/api/v1/themes?sort={sort}&per_page=2");
        loop {
            let page = app.get(&path, As::Public).await.expect(200);
            paged.extend(labels(&page));
            let Some(cursor) = page["meta"]["next_cursor"].as_str() else {
                break;
            };
            path = format!("/api/v1/themes?sort={sort}&per_page=2&cursor={cursor}");
        }
        assert_eq!(paged, expected, "sort={sort}, by cursor");
    }
}

#[actix_web::test]
async fn updated_since_lists_what_changed() {
    let app = TestApp::spawn().await;
    themes(&app, 3).await;
    let changed = app
        .patch(
            "/api/v1/themes/theme-01",
            &json!({"label": "Modifié"}),
            As::Admin,
        )
        .await
        .expect(200);
    let since = changed["updated_at"]
        .as_str()
        .expect("updated_at")
        .replace('+', "%2B");
    let list = app
        .get(&format!("/api/v1/themes?updated_since={since}"), As::Public)
        .await
        .expect(200);
    assert_eq!(slugs(&list), ["theme-01"]);
    assert_eq!(
        app.get("/api/v1/themes?updated_since=hier", As::Public)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn unknown_routes_and_ids_are_problem_documents() {
    let app = TestApp::spawn().await;
    let missing = app.get("/api/v1/nulle-part", As::Public).await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        app.get("/api/v1/events/inconnu", As::Public)
            .await
            .expect(404)["type"],
        "urn:relais:problem:not-found"
    );
}

#[actix_web::test]
async fn tampered_cursors_nul_characters_and_impossible_dates_are_400() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    themes(&app, 3).await;
    let forge = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    for cursor in [
        forge(r#"{"s":"slug","v":["theme-01","pas-un-uuid"]}"#),
        forge(r#"{"s":"created_at","v":["hier","8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"]}"#),
        forge(r#"{"s":"slug","v":["theme-01",null]}"#),
        forge(r#"{"s":"slug","v":[]}"#),
        forge(r#"{"s":"~relevance","v":["-1"]}"#),
        // A year PostgreSQL cannot read.
        forge(
            r#"{"s":"created_at","v":["0000-01-01T00:00:00Z","8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"]}"#,
        ),
    ] {
        let sort = if cursor.starts_with("eyJzIjoiY3JlYXRlZF9hd") {
            "created_at"
        } else {
            "slug"
        };
        let reply = app
            .get(
                &format!("/api/v1/themes?sort={sort}&cursor={cursor}"),
                As::Public,
            )
            .await;
        assert_eq!(reply.status, 400, "{cursor}: {}", reply.body);
    }
    // Values chrono reads and PostgreSQL would not (an offset of 20 hours, a float below the
    // smallest): they travel typed, never as text to parse.
    for (path, cursor) in [
        (
            "/api/v1/themes?sort=created_at",
            forge(
                r#"{"s":"created_at","v":["2026-01-01T00:00:00+20:00","8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"]}"#,
            ),
        ),
        (
            "/api/v1/trainings?sort=duration_hours",
            forge(
                r#"{"s":"duration_hours","v":["1e-400","8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"]}"#,
            ),
        ),
    ] {
        let reply = app
            .get(&format!("{path}&cursor={cursor}"), As::Public)
            .await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    }
    // A ranked list's cursor: its rank and id, for its own search only.
    let first = app
        .get("/api/v1/themes?q=theme&per_page=1", As::Public)
        .await
        .expect(200);
    let signature = {
        let cursor = first["meta"]["next_cursor"].as_str().expect("cursor");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(cursor)
            .expect("base64");
        let cursor: Value = serde_json::from_slice(&bytes).expect("json");
        cursor["s"].as_str().expect("signature").to_string()
    };
    for values in [
        r#"["NaN","8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"]"#,
        r#"["0.5"]"#,
        r#"["0.5","pas-un-uuid"]"#,
        r#"["1e400","8f0e1c1a-3c1b-4c59-9a3e-0c6d0f3f5a10"]"#,
    ] {
        let cursor = forge(&format!(r#"{{"s":"{signature}","v":{values}}}"#));
        let reply = app
            .get(
                &format!("/api/v1/themes?q=theme&cursor={cursor}"),
                As::Public,
            )
            .await;
        assert_eq!(reply.status, 400, "{values}: {}", reply.body);
    }
    for query in [
        "/api/v1/themes?q=%00",
        "/api/v1/events?centre=a%00b",
        "/api/v1/events?from=-9999-01-01",
        "/api/v1/documents?to=0000-01-01",
        "/api/v1/documents?theme=",
        "/api/v1/documents?theme=%FF",
        "/api/v1/documents?q=%C3%28",
        "/api/v1/events?centre=&kind=journee_technique",
    ] {
        assert_eq!(app.get(query, As::Public).await.status, 400, "{query}");
    }
    let nul = app
        .post("/api/v1/themes", &json!({"label": "a\u{0}b"}), As::Admin)
        .await;
    assert_eq!(nul.status, 400, "{}", nul.body);
}

/// A new item of `collection`, published and public, numbered `n`; `dated` gives it values for
/// the nullable sort keys (publication date, duration), so that both NULLs and values are paged.
async fn numbered(app: &TestApp, collection: &str, centre: &Value, n: usize, dated: bool) {
    let name = format!("Élément {:02}", (n * 7) % 11);
    let hours = if dated {
        json!((1 + (n % 3) * 7) as f64)
    } else {
        Value::Null
    };
    let published_on = if dated {
        json!(format!("2026-0{}-01", 1 + n % 3))
    } else {
        Value::Null
    };
    let body = match collection {
        "centres" => json!({"name": name, "scope": "local"}),
        "actors" => json!({"kind": "person", "name": name}),
        "events" => json!({"title": name, "kind": "atelier", "centre_id": centre["id"],
            "starts_at": format!("2027-04-{:02}T09:00:00+02:00", 1 + n % 5),
            "ends_at": format!("2027-04-{:02}T12:00:00+02:00", 1 + n % 5),
            "format": "online", "status": "published"}),
        "trainings" => json!({"title": name, "kind": "formation", "modality": "online",
            "centre_id": centre["id"], "status": "published",
            "duration_hours": hours}),
        "documents" => json!({"title": name, "kind": "guide", "centre_id": centre["id"],
            "status": "published",
            "published_on": published_on}),
        _ => json!({"label": name}),
    };
    app.create(collection, body).await;
}

#[actix_web::test]
async fn every_list_pages_by_cursor_through_inserts_in_every_order() {
    let app = TestApp::spawn().await;
    let centre = app.centre("centre-des-listes").await;
    let sorts: [(&str, &[&str]); 6] = [
        ("centres", &["name", "created_at", "updated_at"]),
        ("actors", &["name", "created_at", "updated_at"]),
        (
            "events",
            &["starts_at", "ends_at", "title", "created_at", "updated_at"],
        ),
        (
            "trainings",
            &["title", "duration_hours", "created_at", "updated_at"],
        ),
        (
            "documents",
            &["published_on", "title", "created_at", "updated_at"],
        ),
        ("themes", &["label", "slug", "created_at", "updated_at"]),
    ];
    for (collection, keys) in sorts {
        for n in 0..8 {
            numbered(&app, collection, &centre, n, n % 3 != 0).await;
        }
        let originals: Vec<String> = {
            let all = app
                .get(&format!("/api/v1/{collection}?per_page=100"), As::Admin)
                .await
                .expect(200);
            all["data"]
                .as_array()
                .expect("data")
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_string))
                .collect()
        };
        let mut inserted = 8;
        for key in keys {
            let second = if *key == "created_at" {
                "-updated_at"
            } else {
                "-created_at"
            };
            for sort in [
                key.to_string(),
                format!("-{key}"),
                format!("{key},{second}"),
            ] {
                let mut seen: Vec<String> = Vec::new();
                let mut path = format!("/api/v1/{collection}?per_page=3&sort={sort}");
                for pages in 0.. {
                    let page = app.get(&path, As::Admin).await.expect(200);
                    seen.extend(
                        page["data"]
                            .as_array()
                            .expect("data")
                            .iter()
                            .filter_map(|item| item["id"].as_str().map(str::to_string)),
                    );
                    // Rows are added while paging: what was there is still seen once.
                    if pages < 2 {
                        numbered(&app, collection, &centre, inserted, inserted % 2 == 0).await;
                        inserted += 1;
                    }
                    match page["meta"]["next_cursor"].as_str() {
                        Some(cursor) => {
                            path = format!(
                                "/api/v1/{collection}?per_page=3&sort={sort}&cursor={cursor}"
                            )
                        }
                        None => break,
                    }
                }
                for id in &originals {
                    let times = seen.iter().filter(|s| *s == id).count();
                    assert_eq!(
                        times, 1,
                        "{collection} sort={sort}: {id} seen {times} times"
                    );
                }
                let mut unique = seen.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(
                    unique.len(),
                    seen.len(),
                    "{collection} sort={sort}: no item twice"
                );
            }
        }
    }
}
