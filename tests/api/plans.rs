//! Every filter and every sort of every large list starts at the right place of an index:
//! `EXPLAIN` on the page statement of each, as each role sends it, over tables large enough
//! for the planner to care (20,000 events and documents, 5,000 actors, 2,000 trainings with
//! 10,000 sessions). A sequential scan of one of them, a sort of a whole set of matches, or a
//! scan that reads a thousand rows to drop them, fails. Centres, themes and users stay small in every network: a scan is their right plan.

use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use relais::auth::Role;
use relais::query::sql::{Bind, Sql};
use relais::query::{Collection, Condition, Filters, ListQuery, Plan};
use relais::resources::actors::{api::ActorFilters, model::ACTORS};
use relais::resources::contributions::{api::ContributionFilters, model::CONTRIBUTIONS};
use relais::resources::documents::{api::DocumentFilters, model::DOCUMENTS};
use relais::resources::events::{api::EventFilters, model::EVENTS};
use relais::resources::sessions::{api::SessionFilters, model::SESSIONS};
use relais::resources::trainings::{api::TrainingFilters, model::TRAININGS};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::TestApp;

/// Every role.
const ALL: &[Role] = &[Role::Public, Role::Member, Role::Admin];
/// Tables of this many rows or more are never to be scanned whole.
const LARGE: i64 = 1_000;
/// A sort of more rows than this is a sort of a set of matches, not of a page.
const PAGE_SORT: f64 = 1_000.0;
/// A scan that reads and drops more rows than this for a page of 20 did not start where the
/// page starts (`from=` on events once walked every past event).
const DROPPED: f64 = 1_000.0;

const DATA: &str = "
INSERT INTO events (slug, title, kind, centre_id, starts_at, ends_at, format, audience, status,
                    latitude, longitude, region_code, department_code, created_at, updated_at)
SELECT 'evenement-' || g, 'Journée technique ' || g,
    (ARRAY['journee_technique', 'rencontre', 'atelier', 'groupe_travail', 'seminaire', 'colloque',
           'visite_terrain', 'webinaire', 'remise_prix'])[1 + g % 9],
    (SELECT id FROM centres ORDER BY slug OFFSET g % (SELECT count(*) FROM centres) LIMIT 1),
    now() - interval '3 years' + interval '4 years' * g / 20000,
    now() - interval '3 years' + interval '4 years' * g / 20000
        + CASE WHEN g % 500 = 0 THEN interval '21 days' WHEN g % 7 = 0 THEN interval '2 days' ELSE interval '3 hours' END,
    (ARRAY['in_person', 'online', 'hybrid'])[1 + g % 3],
    CASE WHEN g % 10 = 0 THEN 'members' ELSE 'public' END,
    CASE WHEN g % 25 = 0 THEN 'draft' WHEN g % 40 = 1 THEN 'cancelled' ELSE 'published' END,
    43 + (g % 500) / 100.0, 1 + (g % 300) / 100.0,
    CASE WHEN g % 3 = 0 THEN '76' END, CASE WHEN g % 6 = 0 THEN '34' END,
    now() - interval '4 years' + interval '1 hour' * g, now() - interval '1 year' + interval '1 hour' * (g * 7919 % 20000)
FROM generate_series(1, 20000) AS g;
INSERT INTO documents (slug, title, kind, centre_id, published_on, language, audience, status,
                       rejection_reason, created_at, updated_at)
SELECT 'document-' || g, 'Guide ' || g,
    (ARRAY['guide', 'note_technique', 'retour_experience', 'publication', 'support_sensibilisation',
           'compte_rendu', 'dossier', 'actualite'])[1 + g % 8],
    (SELECT id FROM centres ORDER BY slug OFFSET g % (SELECT count(*) FROM centres) LIMIT 1),
    CASE WHEN g % 50 <> 0 THEN DATE '2015-01-01' + g % 4000 END,
    CASE WHEN g % 20 = 0 THEN 'en' ELSE 'fr' END,
    CASE WHEN g % 10 = 0 THEN 'members' ELSE 'public' END,
    (ARRAY['draft', 'submitted', 'published', 'published', 'published', 'published', 'published',
           'published', 'rejected', 'archived'])[1 + g % 10],
    CASE WHEN g % 10 = 8 THEN 'Références manquantes' END,
    now() - interval '4 years' + interval '1 hour' * g, now() - interval '1 year' + interval '1 hour' * (g * 7919 % 20000)
FROM generate_series(1, 20000) AS g;
INSERT INTO actors (slug, kind, name, category, is_expert, latitude, longitude, region_code,
                    created_at, updated_at)
SELECT 'acteur-' || g, CASE WHEN g % 6 = 0 THEN 'organisation' ELSE 'person' END, 'Acteur ' || g,
    (ARRAY['technicien', 'elu', 'agent_developpement', 'charge_mission', 'expert', 'chercheur',
           'animateur', 'autre'])[1 + g % 8],
    g % 5 = 0, 43 + (g % 500) / 100.0, 1 + (g % 300) / 100.0, CASE WHEN g % 3 = 0 THEN '76' END,
    now() - interval '4 years' + interval '4 hours' * g, now() - interval '1 year' + interval '1 hour' * (g * 7919 % 5000)
FROM generate_series(1, 5000) AS g;
INSERT INTO trainings (slug, title, kind, modality, centre_id, audience, status, duration_hours,
                       created_at, updated_at)
SELECT 'formation-' || g, 'Formation ' || g,
    (ARRAY['formation', 'webinaire', 'e_learning', 'cycle_qualification'])[1 + g % 4],
    (ARRAY['in_person', 'online', 'hybrid', 'self_paced'])[1 + g % 4],
    (SELECT id FROM centres ORDER BY slug OFFSET g % (SELECT count(*) FROM centres) LIMIT 1),
    CASE WHEN g % 10 = 0 THEN 'members' ELSE 'public' END,
    CASE WHEN g % 25 = 0 THEN 'draft' ELSE 'published' END,
    CASE WHEN g % 4 <> 2 THEN 3.5 * (1 + g % 12) END,
    now() - interval '4 years' + interval '10 hours' * g, now() - interval '1 year' + interval '1 hour' * (g * 7919 % 2000)
FROM generate_series(1, 2000) AS g;
INSERT INTO training_sessions (slug, training_id, starts_at, ends_at, created_at, updated_at)
SELECT 'session-' || g, (SELECT id FROM trainings WHERE slug = 'formation-1'),
    now() - interval '3 years' + interval '4 years' * g / 10000,
    now() - interval '3 years' + interval '4 years' * g / 10000 + interval '7 hours',
    now() - interval '4 years' + interval '2 hours' * g, now() - interval '1 year' + interval '1 hour' * (g * 7919 % 10000)
FROM generate_series(1, 10000) AS g;
-- Contributions: a quarter of the documents went through moderation, and some events wait in it.
UPDATE documents SET submitted_at = created_at + interval '1 day'
    WHERE status <> 'draft' AND abs(hashtext(slug)) % 4 = 0;
UPDATE events SET status = 'submitted', submitted_at = created_at
    WHERE status = 'draft' AND abs(hashtext(slug)) % 2 = 0;
INSERT INTO event_themes (event_id, theme_id)
SELECT e.id, t.id FROM events e, themes t
WHERE abs(hashtext(e.slug || t.slug)) % 10 = 0
ON CONFLICT DO NOTHING;
INSERT INTO document_themes (document_id, theme_id)
SELECT d.id, t.id FROM documents d, themes t
WHERE abs(hashtext(d.slug || t.slug)) % 10 = 0
ON CONFLICT DO NOTHING;
INSERT INTO actor_themes (actor_id, theme_id)
SELECT a.id, t.id FROM actors a, themes t
WHERE abs(hashtext(a.slug || t.slug)) % 10 = 0
ON CONFLICT DO NOTHING;
INSERT INTO actor_centres (actor_id, centre_id)
SELECT a.id, c.id FROM actors a, centres c
WHERE abs(hashtext(a.slug || c.slug)) % 4 = 0
ON CONFLICT DO NOTHING;
INSERT INTO training_themes (training_id, theme_id)
SELECT r.id, t.id FROM trainings r, themes t
WHERE abs(hashtext(r.slug || t.slug)) % 10 = 0
ON CONFLICT DO NOTHING;
";

/// Filters with a value each, as a partner or an integrator sends them.
const EVENT_FILTERS: &[&str] = &[
    "centre=pole-relais-zones-humides",
    "theme=eau-et-milieux-aquatiques",
    "kind=atelier",
    "format=online",
    "audience=members",
    "status=published",
    "from=2026-12-02",
    "to=2026-12-02",
    "from=2026-12-02&to=2027-01-31",
    "from=2026-12-02&centre=pole-relais-zones-humides",
    "from=2026-12-02&theme=zones-humides",
    "updated_since=2026-12-01T00:00:00Z",
    "territory=region:76",
];
const DOCUMENT_FILTERS: &[&str] = &[
    "centre=pole-relais-zones-humides",
    "theme=biodiversite",
    "kind=guide",
    "kind=guide&theme=biodiversite",
    "audience=members",
    "status=published",
    "language=en",
    "from=2024-01-01",
    "to=2016-01-01",
    "updated_since=2026-12-01T00:00:00Z",
];
const ACTOR_FILTERS: &[&str] = &[
    "kind=organisation",
    "category=elu",
    "centre=pole-relais-zones-humides",
    "theme=zones-humides",
    "is_expert=true",
    "is_expert=true&theme=zones-humides",
    "updated_since=2026-12-01T00:00:00Z",
    "territory=region:76",
];
const TRAINING_FILTERS: &[&str] = &[
    "centre=pole-relais-zones-humides",
    "theme=biodiversite",
    "kind=webinaire",
    "modality=online",
    "audience=members",
    "status=published",
    "updated_since=2026-12-01T00:00:00Z",
];
const CONTRIBUTION_FILTERS: &[&str] = &[
    "status=submitted",
    "collection=events",
    "collection=documents&status=submitted",
    "updated_since=2026-12-01T00:00:00Z",
];
const SESSION_FILTERS: &[&str] = &[
    "status=scheduled",
    "from=2026-12-02",
    "to=2026-12-02",
    "updated_since=2026-12-01T00:00:00Z",
];

#[derive(QueryableByName)]
struct Explained {
    #[diesel(column_name = "QUERY PLAN", sql_type = diesel::sql_types::Json)]
    plan: Value,
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// What is wrong with a plan: each scan of a `large` table, each sort of many rows, each scan
/// that drops many rows.
fn faults(node: &Value, large: &[String], faults: &mut Vec<String>) {
    let kind = node["Node Type"].as_str().unwrap_or_default();
    let rows = node["Plan Rows"].as_f64().unwrap_or_default();
    let relation = node["Relation Name"].as_str().unwrap_or_default();
    if kind == "Seq Scan" && large.iter().any(|table| table == relation) {
        faults.push(format!("a sequential scan of {relation}"));
    }
    let dropped = node["Rows Removed by Filter"].as_f64().unwrap_or_default()
        * node["Actual Loops"].as_f64().unwrap_or(1.0);
    if dropped > DROPPED && large.iter().any(|table| table == relation) {
        faults.push(format!(
            "{kind} on {relation} reads {dropped} rows it drops"
        ));
    }
    if kind == "Sort" {
        let input = node["Plans"][0]["Plan Rows"].as_f64().unwrap_or_default();
        if input > PAGE_SORT {
            faults.push(format!("a sort of {input} rows (to {rows})"));
        }
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        self::faults(child, large, faults);
    }
}

/// Whether the plan stops at a condition known false (`One-Time Filter: false`).
fn knows_nothing_matches(node: &Value) -> bool {
    node["One-Time Filter"] == "false"
        || node["Plans"]
            .as_array()
            .is_some_and(|children| children.iter().any(knows_nothing_matches))
}

fn uses_an_index(node: &Value) -> bool {
    node["Index Name"].is_string()
        || node["Plans"]
            .as_array()
            .is_some_and(|children| children.iter().any(uses_an_index))
}

/// The page statement of `query`, for each role, explained; the faults of each.
async fn check<F: Filters>(
    app: &TestApp,
    collection: &'static Collection,
    queries: &[String],
    scope: &[Condition],
    roles: &[Role],
) -> Vec<String> {
    let mut conn = app.db().await;
    let large: Vec<String> = diesel::sql_query(
        "SELECT relname::text AS name FROM pg_class WHERE relkind = 'r' AND reltuples >= $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(LARGE)
    .load::<Table>(&mut conn)
    .await
    .expect("the large tables")
    .into_iter()
    .map(|table| table.name)
    .collect();
    let mut found = Vec::new();
    for query in queries {
        for &role in roles {
            let parsed = ListQuery::<F>::parse("/", query).expect("a valid query");
            let mut plan =
                Plan::new(collection, role, &parsed, scope.to_vec()).expect("a valid plan");
            plan.name_themes(&conn).await.expect("the themes named");
            let mut explain = Sql::from("EXPLAIN (ANALYZE, FORMAT JSON) ");
            explain.append(&plan.page());
            let explained: Explained = explain
                .get_result(&mut conn)
                .await
                .expect("EXPLAIN the page");
            let root = &explained.plan[0]["Plan"];
            let mut wrong = Vec::new();
            faults(root, &large, &mut wrong);
            // Each plan reads an index, unless it knows there is nothing to read.
            let nothing = knows_nothing_matches(root);
            if !nothing && !uses_an_index(root) {
                wrong.push("no index read".to_string());
            }
            for fault in wrong {
                found.push(format!(
                    "{} ?{query} as {role:?}: {fault}",
                    collection.table
                ));
            }
        }
    }
    found
}

/// Each filter with the default order, then each sort both ways without a filter.
fn queries(collection: &Collection, filters: &[&str]) -> Vec<String> {
    let sorts = collection
        .sorts
        .iter()
        .flat_map(|key| [format!("sort={}", key.name), format!("sort=-{}", key.name)]);
    filters.iter().map(|f| f.to_string()).chain(sorts).collect()
}

#[actix_web::test]
async fn every_filter_and_sort_starts_at_the_right_place_of_an_index() {
    let app = TestApp::spawn().await;
    let mut conn = app.db().await;
    relais::seed::run(&mut conn).await.expect("the seed");
    conn.batch_execute(DATA).await.expect("the data");
    conn.batch_execute("ANALYZE").await.expect("ANALYZE");
    let training: Uuid = {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
        }
        let id: Id = diesel::sql_query("SELECT id FROM trainings WHERE slug = 'formation-1'")
            .get_result(&mut conn)
            .await
            .expect("the training");
        id.id
    };
    let sessions_of = [Condition::Equals {
        column: "t.training_id",
        value: Bind::Uuid(training),
    }];
    let mut faults = Vec::new();
    faults.extend(
        check::<EventFilters>(&app, &EVENTS, &queries(&EVENTS, EVENT_FILTERS), &[], ALL).await,
    );
    faults.extend(
        check::<DocumentFilters>(
            &app,
            &DOCUMENTS,
            &queries(&DOCUMENTS, DOCUMENT_FILTERS),
            &[],
            ALL,
        )
        .await,
    );
    faults.extend(
        check::<ActorFilters>(&app, &ACTORS, &queries(&ACTORS, ACTOR_FILTERS), &[], ALL).await,
    );
    faults.extend(
        check::<TrainingFilters>(
            &app,
            &TRAININGS,
            &queries(&TRAININGS, TRAINING_FILTERS),
            &[],
            ALL,
        )
        .await,
    );
    faults.extend(
        check::<SessionFilters>(
            &app,
            &SESSIONS,
            &queries(&SESSIONS, SESSION_FILTERS),
            &sessions_of,
            ALL,
        )
        .await,
    );
    // Contribution lists are read as an administrator's, within their scope: the moderation
    // queue, and one member's.
    let queue = [Condition::Present("t.submitted_at")];
    let contributions = queries(&CONTRIBUTIONS, CONTRIBUTION_FILTERS);
    faults.extend(
        check::<ContributionFilters>(&app, &CONTRIBUTIONS, &contributions, &queue, &[Role::Admin])
            .await,
    );
    let caller = relais::auth::Caller {
        role: Role::Member,
        user_id: Some(Uuid::new_v4()),
        actor_id: Some(Uuid::new_v4()),
    };
    let mine =
        Condition::contributed_by(&caller, relais::resources::contributions::model::AUTHORSHIP)
            .into_iter()
            .collect::<Vec<_>>();
    faults.extend(
        check::<ContributionFilters>(&app, &CONTRIBUTIONS, &contributions, &mine, &[Role::Admin])
            .await,
    );
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}
