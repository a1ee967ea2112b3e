//! The SQL of representative lists, snapshotted: a filtered, sorted, faceted, ranked and
//! cursor-paged list of each kind, as each role sends it. A change to a statement shows here
//! as a diff to review (`cargo insta review`); no database is needed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use relais::auth::Role;
use relais::query::{Collection, Condition, Filters, ListQuery, Plan};
use relais::resources::actors::{api::ActorFilters, model::ACTORS};
use relais::resources::centres::{api::CentreFilters, model::CENTRES};
use relais::resources::documents::{api::DocumentFilters, model::DOCUMENTS};
use relais::resources::events::{api::EventFilters, model::EVENTS};
use relais::resources::sessions::{api::SessionFilters, model::SESSIONS};
use relais::resources::themes::{api::ThemeFilters, model::THEMES};
use relais::resources::trainings::{api::TrainingFilters, model::TRAININGS};
use serde_json::json;
use uuid::Uuid;

/// The statements of a list, one after the other, each with its values.
fn statements<F: Filters>(
    collection: &'static Collection,
    role: Role,
    query: &str,
    scope: Vec<Condition>,
) -> String {
    let query = ListQuery::<F>::parse("/api/v1/list", query).expect("a valid query");
    let mut plan = Plan::new(collection, role, &query, scope).expect("a valid plan");
    // A theme's ids come from the database: the nil id stands for them here.
    plan.name_themes_with(|_| vec![Uuid::nil()]);
    plan.statements()
        .iter()
        .map(|sql| {
            let (text, binds) = sql.render();
            format!("{text}\n-- {binds:?}")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A cursor as the lists give them, after a row with these sort values.
fn cursor(sort: &str, values: &[&str]) -> String {
    let mut v: Vec<Option<String>> = values.iter().map(|v| Some(v.to_string())).collect();
    v.push(Some(Uuid::nil().to_string()));
    URL_SAFE_NO_PAD.encode(json!({"s": sort, "v": v}).to_string())
}

#[test]
fn events() {
    let after = cursor("starts_at", &["2027-03-12T09:30:00+01:00"]);
    insta::assert_snapshot!(statements::<EventFilters>(
        &EVENTS,
        Role::Public,
        &format!(
            "from=2027-01-01&to=2027-06-30&theme=zones-humides&centre=pole-relais-zones-humides&kind=journee_technique&facets=theme,kind&cursor={after}"
        ),
        Vec::new(),
    ));
    insta::assert_snapshot!(
        "events_ranked",
        statements::<EventFilters>(
            &EVENTS,
            Role::Member,
            "q=zones%20humides&near=43.6045,1.4440&radius_km=50&page=3",
            Vec::new()
        )
    );
}

#[test]
fn documents() {
    let after = cursor("-published_on,title", &["-infinity", "Guide des mares"]);
    insta::assert_snapshot!(statements::<DocumentFilters>(
        &DOCUMENTS,
        Role::Member,
        &format!(
            "kind=guide&theme=mares&from=2020-01-01&sort=-published_on,title&facets=year,kind&cursor={after}"
        ),
        Vec::new(),
    ));
    insta::assert_snapshot!(
        "documents_ranked",
        statements::<DocumentFilters>(&DOCUMENTS, Role::Public, "q=restauration", Vec::new())
    );
}

#[test]
fn actors() {
    insta::assert_snapshot!(statements::<ActorFilters>(
        &ACTORS,
        Role::Public,
        "is_expert=true&theme=zones-humides&centre=pole-relais-zones-humides&territory=region:76,department:34&facets=theme&sort=-name",
        Vec::new(),
    ));
    insta::assert_snapshot!(
        "actors_ranked",
        statements::<ActorFilters>(&ACTORS, Role::Admin, "q=Dupond", Vec::new())
    );
}

#[test]
fn centres_trainings_and_themes() {
    insta::assert_snapshot!(
        "centres",
        statements::<CentreFilters>(
            &CENTRES,
            Role::Public,
            "bbox=1.0,43.3,2.0,43.9&facets=region,department",
            Vec::new()
        )
    );
    let after = cursor("title", &["Formation « mares »"]);
    insta::assert_snapshot!(
        "trainings",
        statements::<TrainingFilters>(
            &TRAININGS,
            Role::Member,
            &format!("theme=zones-humides&sort=title&cursor={after}&facets=modality"),
            Vec::new()
        )
    );
    insta::assert_snapshot!(
        "themes",
        statements::<ThemeFilters>(&THEMES, Role::Public, "per_page=100", Vec::new())
    );
}

#[test]
fn sessions_of_a_training() {
    let scope = vec![Condition::Equals {
        column: "t.training_id",
        value: relais::query::sql::Bind::Uuid(Uuid::nil()),
    }];
    insta::assert_snapshot!(statements::<SessionFilters>(
        &SESSIONS,
        Role::Public,
        "from=2027-01-01&sort=-starts_at",
        scope,
    ));
}

#[test]
fn search_across_every_type() {
    use relais::auth::Caller;
    use relais::resources::search::{SearchFilters, parts, statement};
    let query = ListQuery::<SearchFilters>::parse(
        "/api/v1/search",
        "q=zones%20humides&theme=mares&from=2026-01-01&per_page=10",
    )
    .expect("a valid query");
    let mut parts = parts(&query).expect("a valid search");
    assert!(!parts.is_empty(), "types to search");
    parts.name_themes(&[Uuid::nil()]);
    let sql = statement(&Caller::PUBLIC, &query, Some((0.25, Uuid::nil())), &parts);
    let (text, binds) = sql.render();
    insta::assert_snapshot!(format!("{text}\n-- {binds:?}"));
}
