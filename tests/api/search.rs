//! French full-text search on the lists (`q=`).

use crate::helpers::{As, TestApp};
use futures_util::future::{join, join_all};
use serde_json::{Value, json};

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|d| d["title"].as_str().map(str::to_string))
        .collect()
}

#[actix_web::test]
async fn q_ignores_accents_case_and_plurals_and_ranks_title_over_summary_over_body() {
    let app = TestApp::spawn().await;
    let centre = app.centre("ofb").await;
    let document = async |slug: &str, title: &str, summary: &str, body: &str, audience: &str| {
        app.create(
            "documents",
            json!({"slug": slug, "title": title, "summary": summary, "body": body, "kind": "guide",
            "centre_id": centre["id"], "status": "published", "audience": audience}),
        )
        .await;
    };
    document(
        "corps",
        "Note de chantier",
        "Compte rendu de visite.",
        "Des continuités écologiques restaurées.",
        "public",
    )
    .await;
    document(
        "titre",
        "Guide des continuités écologiques",
        "Méthodes.",
        "",
        "public",
    )
    .await;
    document(
        "resume",
        "Trame verte et bleue",
        "Restaurer les continuités ÉCOLOGIQUES en ville.",
        "",
        "public",
    )
    .await;
    document(
        "zones",
        "Gestion des zones humides",
        "Mares, tourbières et prairies.",
        "",
        "public",
    )
    .await;
    document(
        "reserve",
        "Continuité écologique : dossier interne",
        "Réservé aux membres.",
        "",
        "members",
    )
    .await;

    let search = async |q: &str, who: As| {
        app.get(&format!("/api/v1/documents?q={q}"), who)
            .await
            .expect(200)
    };
    // Accents, case and plurals do not matter; title beats summary beats body.
    let found = search("continuite%20ecologique", As::Public).await;
    assert_eq!(
        titles(&found),
        [
            "Guide des continuités écologiques",
            "Trame verte et bleue",
            "Note de chantier"
        ]
    );
    assert_eq!(found["meta"]["total"], 3);
    assert_eq!(
        titles(&search("zone%20humide", As::Public).await),
        ["Gestion des zones humides"]
    );
    assert_eq!(
        titles(&search("TOURBIERE", As::Public).await),
        ["Gestion des zones humides"]
    );
    // Plurals the stemmer keeps apart: « élu » / « élus », « lieu » / « lieux ».
    document(
        "elus",
        "Former les élus aux lieux humides",
        "Les élus des communes rurales.",
        "",
        "public",
    )
    .await;
    for q in ["elu", "%C3%A9lus", "lieu", "LIEUX"] {
        let found = search(q, As::Public).await;
        assert_eq!(titles(&found), ["Former les élus aux lieux humides"], "{q}");
    }
    let snippet = app
        .get("/api/v1/search?q=elu", As::Public)
        .await
        .expect(200)["data"][0]["snippet"]
        .clone();
    assert!(
        snippet
            .as_str()
            .is_some_and(|s| s.contains("<mark>élus</mark>")),
        "{snippet}"
    );
    // Members also find what is reserved to them.
    assert_eq!(
        search("continuite%20ecologique", As::Member).await["meta"]["total"],
        4
    );
    // Web-search syntax: quoted phrases and exclusions.
    assert_eq!(
        titles(&search("%22zones%20humides%22", As::Public).await),
        ["Gestion des zones humides"]
    );
    assert_eq!(
        search("ecologique%20-chantier", As::Public).await["meta"]["total"],
        2
    );
    // With a sort, the sort wins, and cursors work; relevance pages by page only.
    let sorted = app
        .get(
            "/api/v1/documents?q=ecologique&sort=title&per_page=1",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(titles(&sorted), ["Guide des continuités écologiques"]);
    let cursor = sorted["meta"]["next_cursor"].as_str().expect("cursor");
    let next = app
        .get(
            &format!("/api/v1/documents?q=ecologique&sort=title&per_page=1&cursor={cursor}"),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(titles(&next), ["Note de chantier"]);
    let ranked = app
        .get("/api/v1/documents?q=ecologique&per_page=2", As::Public)
        .await
        .expect(200);
    assert_eq!(
        ranked["links"]["next"],
        "/api/v1/documents?q=ecologique&per_page=2&page=2"
    );
    // Ranked results page by cursor too; the cursor is null only on the last page.
    let cursor = ranked["meta"]["next_cursor"].as_str().expect("cursor");
    let rest = app
        .get(
            &format!("/api/v1/documents?q=ecologique&per_page=2&cursor={cursor}"),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(titles(&rest), ["Note de chantier"]);
    assert!(rest["meta"]["next_cursor"].is_null());
    assert_eq!(
        app.get("/api/v1/documents?q=ecologique&cursor=abc", As::Public)
            .await
            .status,
        400
    );
    let wrong_order = format!("/api/v1/documents?q=ecologique&sort=title&cursor={cursor}");
    assert_eq!(app.get(&wrong_order, As::Public).await.status, 400);
    assert_eq!(
        app.get("/api/v1/documents?q=", As::Public).await.status,
        400
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/documents?q={}", "a".repeat(201)),
            As::Public
        )
        .await
        .status,
        400
    );
}

#[actix_web::test]
async fn names_of_actors_and_centres_match_with_small_typos() {
    let app = TestApp::spawn().await;
    app.create(
        "actors",
        json!({"kind": "person", "name": "Amélie Durand", "job_title": "Écologue"}),
    )
    .await;
    app.create(
        "actors",
        json!({"kind": "person", "name": "Bruno Lefèvre", "job_title": "Hydrologue"}),
    )
    .await;
    app.create(
        "centres",
        json!({"name": "Pôle-relais lagunes méditerranéennes", "scope": "national"}),
    )
    .await;
    let names = |page: Value| -> Vec<String> {
        page["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|d| d["name"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        names(
            app.get("/api/v1/actors?q=amelie%20durant", As::Public)
                .await
                .expect(200)
        ),
        ["Amélie Durand"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/actors?q=lefevre", As::Public)
                .await
                .expect(200)
        ),
        ["Bruno Lefèvre"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/actors?q=ecologues", As::Public)
                .await
                .expect(200)
        ),
        ["Amélie Durand"]
    );
    assert_eq!(
        names(
            app.get("/api/v1/centres?q=lagune%20mediterraneenne", As::Public)
                .await
                .expect(200)
        )
        .len(),
        1
    );
    assert_eq!(
        names(
            app.get("/api/v1/centres?q=pole%20relai%20lagunes", As::Public)
                .await
                .expect(200)
        )
        .len(),
        1
    );
}

#[actix_web::test]
async fn q_combines_with_filters_on_every_searchable_list() {
    let app = TestApp::spawn().await;
    let centre = app.centre("region").await;
    app.event(
        &centre,
        "Les Jeudis : revitalisation des centres-bourgs",
        4,
        json!({"kind": "rencontre"}),
    )
    .await;
    app.event(&centre, "Journée technique haies bocagères", 9, json!({}))
        .await;
    app.create(
        "trainings",
        json!({"title": "Cycle revitalisation des centres-bourgs", "kind": "cycle_qualification",
        "modality": "hybrid", "centre_id": centre["id"], "status": "published"}),
    )
    .await;
    app.create(
        "themes",
        json!({"label": "Revitalisation des centres-bourgs"}),
    )
    .await;
    for (path, total) in [
        ("events?q=centre-bourg", 1),
        ("events?q=centres%20bourgs&kind=journee_technique", 0),
        ("events?q=bocagere", 1),
        ("trainings?q=revitaliser", 1),
        ("themes?q=centre-bourg", 1),
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/{path}"), As::Public)
                .await
                .expect(200)["meta"]["total"],
            total,
            "{path}"
        );
    }
}

#[actix_web::test]
async fn facets_count_the_current_filter_as_the_caller_sees_it() {
    let app = TestApp::spawn().await;
    let ofb = app.centre("ofb").await;
    let region = app.centre("region").await;
    app.theme("eau", None).await;
    app.theme("bocage", None).await;
    app.event(
        &ofb,
        "Mares",
        3,
        json!({"themes": ["eau"], "kind": "webinaire", "format": "online"}),
    )
    .await;
    app.event(&ofb, "Rivières", 4, json!({"themes": ["eau", "bocage"]}))
        .await;
    app.event(
        &region,
        "Haies",
        5,
        json!({"themes": ["bocage"], "audience": "members"}),
    )
    .await;
    let facets = async |query: &str, who: As| {
        app.get(&format!("/api/v1/events?{query}"), who)
            .await
            .expect(200)["meta"]["facets"]
            .clone()
    };
    let public = facets("facets=theme,kind,centre,year", As::Public).await;
    assert_eq!(
        public["theme"],
        json!([{"value": "eau", "count": 2}, {"value": "bocage", "count": 1}])
    );
    assert_eq!(
        public["kind"],
        json!([{"value": "journee_technique", "count": 1}, {"value": "webinaire", "count": 1}])
    );
    assert_eq!(public["centre"], json!([{"value": ofb["id"], "count": 2}]));
    assert_eq!(public["year"], json!([{"value": "2027", "count": 2}]));
    // Members count what they see; filters narrow the counts.
    let member = facets("facets=theme", As::Member).await;
    assert_eq!(
        member["theme"],
        json!([{"value": "bocage", "count": 2}, {"value": "eau", "count": 2}])
    );
    assert_eq!(
        facets("facets=format&centre=ofb&format=in_person", As::Public).await["format"],
        json!([{"value": "in_person", "count": 1}])
    );
    assert!(
        app.get("/api/v1/events", As::Public).await.expect(200)["meta"]
            .get("facets")
            .is_none()
    );
    assert_eq!(
        app.get("/api/v1/events?facets=couleur", As::Public)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/themes?facets=kind", As::Public)
            .await
            .status,
        400
    );
    let documents = app
        .get("/api/v1/documents?facets=kind,language&q=rien", As::Public)
        .await
        .expect(200);
    assert_eq!(
        documents["meta"]["facets"],
        json!({"kind": [], "language": []})
    );
}

/// Theme counts read the copy of its theme links each item keeps (`theme_ids`): it follows
/// every change to the links, made through the API or by a cascade.
#[actix_web::test]
async fn theme_counts_follow_every_change_to_the_themes() {
    let app = TestApp::spawn().await;
    let ofb = app.centre("ofb").await;
    app.theme("eau", None).await;
    app.theme("bocage", None).await;
    let mares = app
        .event(&ofb, "Mares temporaires", 3, json!({"themes": ["eau"]}))
        .await;
    let counts = async || {
        let list = app
            .get("/api/v1/events?facets=theme", As::Public)
            .await
            .expect(200);
        let search = app
            .get("/api/v1/search?q=mares", As::Public)
            .await
            .expect(200);
        assert_eq!(
            list["meta"]["facets"]["theme"],
            search["meta"]["facets"]["theme"]
        );
        list["meta"]["facets"]["theme"].clone()
    };
    assert_eq!(counts().await, json!([{"value": "eau", "count": 1}]));
    let path = format!("/api/v1/events/{}", mares["id"].as_str().expect("an id"));
    app.patch(&path, &json!({"themes": ["bocage", "eau"]}), As::Admin)
        .await
        .expect(200);
    assert_eq!(
        counts().await,
        json!([{"value": "bocage", "count": 1}, {"value": "eau", "count": 1}])
    );
    app.patch(&path, &json!({"themes": ["bocage"]}), As::Admin)
        .await
        .expect(200);
    assert_eq!(counts().await, json!([{"value": "bocage", "count": 1}]));
    // Deleting a theme unlinks it everywhere (a cascade), and the counts see it.
    app.delete("/api/v1/themes/bocage", As::Admin)
        .await
        .expect(204);
    assert_eq!(counts().await, json!([]));
    assert_eq!(
        app.get(&path, As::Public).await.expect(200)["themes"],
        json!([])
    );
}

/// Theme deletions and saves of the items they tag, all at once: none fails (deletions lock
/// the tagged items first, as saves do), and the counts still match the links.
#[actix_web::test]
async fn theme_deletions_during_saves_keep_the_counts_right() {
    let app = TestApp::spawn().await;
    let ofb = app.centre("ofb").await;
    let slugs: Vec<String> = (0..6).map(|i| format!("theme-{i}")).collect();
    for slug in &slugs {
        app.theme(slug, None).await;
    }
    let mut paths = Vec::new();
    for day in 1..=4 {
        let event = app
            .event(
                &ofb,
                &format!("Journée {day}"),
                day,
                json!({"themes": slugs}),
            )
            .await;
        paths.push(format!(
            "/api/v1/events/{}",
            event["id"].as_str().expect("an id")
        ));
    }
    let kept = json!({"themes": ["theme-4", "theme-5"]});
    let themes: Vec<String> = slugs[..4]
        .iter()
        .map(|slug| format!("/api/v1/themes/{slug}"))
        .collect();
    let deletions = join_all(themes.iter().map(|path| app.delete(path, As::Admin)));
    let saves = join_all(paths.iter().map(|path| app.patch(path, &kept, As::Admin)));
    let (deleted, saved) = join(deletions, saves).await;
    for reply in deleted {
        reply.expect(204);
    }
    for reply in saved {
        reply.expect(200);
    }
    for path in &paths {
        assert_eq!(
            app.get(path, As::Public).await.expect(200)["themes"],
            kept["themes"]
        );
    }
    let counts = json!([{"value": "theme-4", "count": 4}, {"value": "theme-5", "count": 4}]);
    let list = app
        .get("/api/v1/events?facets=theme", As::Public)
        .await
        .expect(200);
    assert_eq!(list["meta"]["facets"]["theme"], counts);
    let search = app
        .get("/api/v1/search?q=journee", As::Public)
        .await
        .expect(200);
    assert_eq!(search["meta"]["facets"]["theme"], counts);
}

#[actix_web::test]
async fn one_search_finds_every_type_the_caller_may_see() {
    let app = TestApp::spawn().await;
    let centre = app.create("centres", json!({"slug": "pole-zones-humides", "name": "Pôle-relais zones humides", "scope": "national"})).await;
    app.theme("eau", None).await;
    app.create("actors", json!({"kind": "person", "name": "Claire Martin", "job_title": "Chargée de mission zones humides", "themes": ["eau"]})).await;
    app.event(
        &centre,
        "Journée technique zones humides",
        12,
        json!({"themes": ["eau"]}),
    )
    .await;
    app.event(
        &centre,
        "Atelier réservé : zones humides",
        13,
        json!({"audience": "members", "kind": "atelier"}),
    )
    .await;
    app.create("documents", json!({"title": "Guide de gestion des zones humides", "summary": "Méthodes et retours d'expérience.",
        "kind": "guide", "centre_id": centre["id"], "status": "published", "published_on": "2026-05-02", "themes": ["eau"]})).await;
    app.create(
        "documents",
        json!({"title": "Brouillon zones humides", "kind": "guide", "centre_id": centre["id"]}),
    )
    .await;

    let found = app
        .get("/api/v1/search?q=zone%20humide", As::Public)
        .await
        .expect(200);
    assert_eq!(found["meta"]["total"], 4, "{found}");
    let types: Vec<&str> = found["data"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["type"].as_str())
        .collect();
    for kind in ["centres", "actors", "events", "documents"] {
        assert!(types.contains(&kind), "{kind} missing: {types:?}");
    }
    let hit = &found["data"][0];
    assert!(
        hit["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("<mark>")),
        "{hit}"
    );
    assert!(hit["score"].as_f64().is_some_and(|s| s > 0.0));
    let facets = &found["meta"]["facets"];
    assert_eq!(facets["theme"], json!([{"value": "eau", "count": 3}]));
    assert_eq!(
        facets["year"],
        json!([{"value": "2026", "count": 1}, {"value": "2027", "count": 1}])
    );
    assert!(facets["type"].as_array().is_some_and(|t| t.len() == 4));
    // Members see the members-only event, in hits and counts; admins also the draft.
    assert_eq!(
        app.get("/api/v1/search?q=zone%20humide", As::Member)
            .await
            .expect(200)["meta"]["total"],
        5
    );
    assert_eq!(
        app.get("/api/v1/search?q=zone%20humide", As::Admin)
            .await
            .expect(200)["meta"]["total"],
        6
    );
    // Filters of the lists apply.
    let documents = app
        .get(
            "/api/v1/search?q=zone%20humide&types=documents,events&from=2026-01-01&to=2026-12-31",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(documents["meta"]["total"], 1);
    assert_eq!(documents["data"][0]["type"], "documents");
    assert_eq!(
        app.get("/api/v1/search?q=zone%20humide&kind=guide", As::Public)
            .await
            .expect(200)["meta"]["total"],
        1
    );
    assert_eq!(
        app.get(
            "/api/v1/search?q=zone%20humide&theme=eau&centre=pole-zones-humides",
            As::Public
        )
        .await
        .expect(200)["meta"]["total"],
        2
    );
    // Paging by page or by the offset cursor.
    let first = app
        .get("/api/v1/search?q=zone%20humide&per_page=3", As::Public)
        .await
        .expect(200);
    let cursor = first["meta"]["next_cursor"].as_str().expect("cursor");
    let rest = app
        .get(
            &format!("/api/v1/search?q=zone%20humide&per_page=3&cursor={cursor}"),
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(rest["data"].as_array().map(Vec::len), Some(1));
    for bad in [
        "",
        "?q=",
        "?q=x&types=planetes",
        "?q=x&sort=title",
        "?q=x&couleur=vert",
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/search{bad}"), As::Public)
                .await
                .status,
            400,
            "{bad}"
        );
    }
}

/// The ids of a list's or a search's pages, walked by cursor.
async fn walk(app: &TestApp, path: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next = format!("{path}&per_page=2");
    loop {
        let page = app.get(&next, As::Public).await.expect(200);
        ids.extend(
            page["data"]
                .as_array()
                .expect("data")
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_string)),
        );
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => next = format!("{path}&per_page=2&cursor={cursor}"),
            None => return ids,
        }
    }
}

#[actix_web::test]
async fn ranked_lists_and_search_page_by_keyset_cursor() {
    let app = TestApp::spawn().await;
    let centre = app.centre("pole-relais-mares").await;
    // Titles, summaries and bodies that rank apart, and twins that tie (then ordered by id).
    for (title, summary, body) in [
        ("Guide des mares", "", ""),
        ("Mares et mares temporaires", "Les mares", ""),
        ("Note technique", "Entretenir les mares", ""),
        ("Retour d'expérience", "Un chantier", "Des mares restaurées"),
        ("Fiche", "Les mares agricoles", ""),
        ("Fiche", "Les mares agricoles", ""),
        ("Fiche", "Les mares agricoles", ""),
        ("Mares de village", "", "Les mares communales"),
        ("Inventaire des mares", "Mares et étangs", "Mares"),
    ] {
        app.create(
            "documents",
            json!({"title": title, "summary": summary, "body": body, "kind": "guide",
                   "centre_id": centre["id"], "status": "published"}),
        )
        .await;
    }
    let whole = app
        .get("/api/v1/documents?q=mares&per_page=100", As::Public)
        .await
        .expect(200);
    let ranked: Vec<String> = whole["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|d| d["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ranked.len(), 9);
    assert_eq!(walk(&app, "/api/v1/documents?q=mares").await, ranked);

    // The same for one search across everything.
    let all = app
        .get("/api/v1/search?q=mares&per_page=100", As::Public)
        .await
        .expect(200);
    let hits: Vec<String> = all["data"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(hits.len(), 10, "the centre too: {all}");
    assert_eq!(walk(&app, "/api/v1/search?q=mares").await, hits);

    // A cursor belongs to its search.
    let first = app
        .get("/api/v1/documents?q=mares&per_page=2", As::Public)
        .await
        .expect(200);
    let cursor = first["meta"]["next_cursor"].as_str().expect("cursor");
    assert_eq!(first["meta"]["total"], 9);
    for other in [
        format!("/api/v1/documents?q=etangs&cursor={cursor}"),
        format!("/api/v1/documents?q=mares&sort=title&cursor={cursor}"),
    ] {
        assert_eq!(app.get(&other, As::Public).await.status, 400, "{other}");
    }
    // A type named twice is searched once.
    let twice = app
        .get(
            "/api/v1/search?q=mares&types=documents,documents",
            As::Public,
        )
        .await
        .expect(200);
    assert_eq!(twice["meta"]["total"], 9);
}

/// Links changed in bulk, as an import or a cascade changes them: each item's `theme_ids` is
/// still exactly its links, whatever the statement (insert, update, delete, truncate).
#[actix_web::test]
async fn theme_ids_follow_links_changed_in_bulk() {
    use diesel::QueryableByName;
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let app = TestApp::spawn().await;
    let ofb = app.centre("ofb").await;
    for slug in ["eau", "bocage", "sols", "climat"] {
        app.theme(slug, None).await;
    }
    for day in 1..=5 {
        app.event(&ofb, &format!("Journée {day}"), day, json!({}))
            .await;
    }
    let mut conn = app.db().await;
    let wrong = "SELECT count(*) AS n FROM events e WHERE e.theme_ids <> \
                 ARRAY(SELECT l.theme_id FROM event_themes l WHERE l.event_id = e.id ORDER BY 1)";
    let linked = "SELECT count(*) AS n FROM events WHERE theme_ids <> '{}'";
    let mut check = async |statement: &str, expected_linked: i64| {
        conn.batch_execute(statement).await.expect(statement);
        let wrong: Count = diesel::sql_query(wrong)
            .get_result(&mut conn)
            .await
            .expect("count");
        assert_eq!(wrong.n, 0, "after {statement}");
        let linked: Count = diesel::sql_query(linked)
            .get_result(&mut conn)
            .await
            .expect("count");
        assert_eq!(linked.n, expected_linked, "after {statement}");
    };
    // Every event gets two to four themes in one statement.
    check(
        "INSERT INTO event_themes (event_id, theme_id) SELECT e.id, t.id FROM events e, themes t \
         WHERE t.slug <> 'climat' OR e.title > 'Journée 3'",
        5,
    )
    .await;
    // One statement moves links from an item to another, and changes themes on others.
    check(
        "UPDATE event_themes SET theme_id = (SELECT id FROM themes WHERE slug = 'climat') \
         WHERE theme_id = (SELECT id FROM themes WHERE slug = 'sols') \
           AND event_id IN (SELECT id FROM events WHERE title <= 'Journée 3')",
        5,
    )
    .await;
    check(
        "DELETE FROM event_themes WHERE event_id IN (SELECT id FROM events WHERE title < 'Journée 3')",
        3,
    )
    .await;
    check("DELETE FROM themes WHERE slug IN ('eau', 'climat')", 3).await;
    check("TRUNCATE event_themes", 0).await;
}
