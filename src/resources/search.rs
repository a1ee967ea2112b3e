//! `GET /search`: one French full-text search across centres, actors, events, trainings and
//! documents, with highlighted snippets, scores and facet counts, each type filtered by what
//! the caller may see. One SQL `UNION ALL` of the types, so ranking and counts are global.

use actix_web::{HttpResponse, get, web};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::auth::Caller;
use crate::enums::text_enum;
use crate::error::{ApiError, ApiResult, ListErrors};
use crate::msg;
use crate::query::condition::{name_themes, search_score, themes_below};
use crate::query::cursor::{after_rank, ranked_after, ranking_signature};
use crate::query::geo::GeoFilters;
use crate::query::sql::{Bind, Sql};
use crate::query::{
    Collection, Condition, DateBound, Direction, FACET_VALUES, FacetCount, Filters, ListQuery,
    Page, Rows, Span,
};
use crate::resources::actors::model::ACTORS;
use crate::resources::centres::model::CENTRES;
use crate::resources::documents::model::DOCUMENTS;
use crate::resources::documents::model::PUBLICATION;
use crate::resources::events::model::EVENTS;
use crate::resources::links;
use crate::resources::trainings::model::TRAININGS;
use crate::state::AppState;

text_enum! {
    /// What a search hit is.
    HitType { Centres = "centres", Actors = "actors", Events = "events", Trainings = "trainings", Documents = "documents" }
}

/// How one type takes part in the search.
struct Searched {
    kind: HitType,
    collection: &'static Collection,
    title: &'static str,
    /// The text the snippet is cut from.
    text: &'static str,
    /// The centre an item belongs to (`NULL` when none).
    centre: &'static str,
    /// Its kind (`NULL` when the type has none).
    kind_column: &'static str,
    /// Its year (`NULL` when the type has none).
    year: &'static str,
    /// What `from=` and `to=` compare (`None`: the type is left out when they are given).
    period: Option<Span>,
    /// Names that tolerate typos.
    typo: Option<&'static str>,
}

static SEARCHED: [Searched; 5] = [
    Searched {
        kind: HitType::Centres,
        collection: &CENTRES,
        title: "t.name",
        text: "coalesce(t.description, t.name)",
        centre: "t.id",
        kind_column: "NULL",
        year: "NULL",
        period: None,
        typo: Some("t.name"),
    },
    Searched {
        kind: HitType::Actors,
        collection: &ACTORS,
        title: "t.name",
        text: "concat_ws(' — ', t.job_title, t.organisation, t.bio)",
        centre: "NULL",
        kind_column: "t.kind",
        year: "NULL",
        period: None,
        typo: Some("t.name"),
    },
    Searched {
        kind: HitType::Events,
        collection: &EVENTS,
        title: "t.title",
        text: "concat_ws(' — ', t.summary, t.body)",
        centre: "t.centre_id",
        kind_column: "t.kind",
        year: "extract(year FROM t.starts_at AT TIME ZONE 'Europe/Paris')",
        period: Some(Span::SCHEDULE),
        typo: None,
    },
    Searched {
        kind: HitType::Trainings,
        collection: &TRAININGS,
        title: "t.title",
        text: "concat_ws(' — ', t.summary, t.objectives)",
        centre: "t.centre_id",
        kind_column: "t.kind",
        year: "NULL",
        period: None,
        typo: None,
    },
    Searched {
        kind: HitType::Documents,
        collection: &DOCUMENTS,
        title: "t.title",
        text: "concat_ws(' — ', t.summary, t.body)",
        centre: "t.centre_id",
        kind_column: "t.kind",
        year: "extract(year FROM t.published_on)",
        period: Some(PUBLICATION),
        typo: None,
    },
];

/// One search hit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Hit {
    #[serde(rename = "type")]
    pub kind: HitType,
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// An extract around the words found, which are wrapped in `<mark>…</mark>`.
    #[schema(example = "Restaurer les <mark>zones</mark> <mark>humides</mark> dégradées…")]
    pub snippet: String,
    /// Relevance: higher is better; comparable within one search.
    pub score: f64,
}

/// What to search for, and in what.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchFilters {
    /// The words, in French: accents, case and plurals do not matter.
    #[param(example = "zones humides")]
    pub q: String,
    /// Comma-separated types to search (default: all): centres, actors, events, trainings,
    /// documents.
    #[param(
        pattern = "^(?:centres|actors|events|trainings|documents)(?:,(?:centres|actors|events|trainings|documents))*$"
    )]
    pub types: Option<String>,
    /// Items of this centre (id or slug); for centres, the centre itself.
    pub centre: Option<String>,
    /// Tagged with this theme or one below it (slug or id).
    pub theme: Option<String>,
    /// Of this kind (types without kinds are then left out).
    pub kind: Option<String>,
    /// Events not over by then, documents published since then.
    #[param(example = "2026-01-01")]
    pub from: Option<DateBound>,
    /// Events started by then, documents published by then.
    #[param(example = "2027-12-31")]
    pub to: Option<DateBound>,
}

impl Filters for SearchFilters {
    /// The search's conditions depend on the type: see [`type_conditions`].
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        Ok(vec![Condition::search(&self.q, None)?])
    }
}

impl SearchFilters {
    fn types(&self) -> ApiResult<Vec<&'static Searched>> {
        let Some(types) = &self.types else {
            return Ok(SEARCHED.iter().collect());
        };
        let mut chosen = Vec::new();
        for name in types.split(',').map(str::trim) {
            let kind: HitType = name.parse().map_err(|_| {
                ApiError::bad_request(msg!("search-type-unknown", name = name.to_string()))
            })?;
            // A type named twice is searched once.
            if !chosen.iter().any(|c: &&Searched| c.kind == kind) {
                chosen.extend(SEARCHED.iter().filter(|s| s.kind == kind));
            }
        }
        Ok(chosen)
    }
}

/// The conditions of one type, or `None` when a filter rules the whole type out.
fn type_conditions(
    searched: &Searched,
    filters: &SearchFilters,
) -> ApiResult<Option<Vec<Condition>>> {
    let mut conditions = vec![Condition::search(&filters.q, searched.typo)?];
    if let Some(centre) = &filters.centre {
        conditions.push(match searched.kind {
            HitType::Centres => Condition::RefersTo {
                column: "t.id",
                table: "centres",
                key: centre.clone(),
            },
            HitType::Actors => Condition::Linked {
                link: &links::NETWORK,
                key: centre.clone(),
            },
            _ => Condition::RefersTo {
                column: "t.centre_id",
                table: "centres",
                key: centre.clone(),
            },
        });
    }
    if let Some(theme) = &filters.theme {
        conditions.push(Condition::Tagged { key: theme.clone() });
    }
    if let Some(kind) = &filters.kind {
        if searched.kind_column == "NULL" {
            return Ok(None);
        }
        conditions.push(Condition::text(searched.kind_column, kind));
    }
    match searched.period {
        Some(span) => conditions.extend(Condition::during(span, filters.from, filters.to)),
        None if filters.from.is_some() || filters.to.is_some() => return Ok(None),
        None => {}
    }
    Ok(Some(conditions))
}

/// `(… UNION ALL …)`: one narrow row per visible match of every type searched, with what
/// ranking and facets need. Slugs, titles and snippets are read later, for the page only.
fn union(caller: &Caller, text: &str, parts: &[(&Searched, Vec<Condition>)]) -> Sql {
    let branches = parts.iter().map(|(searched, conditions)| {
        let mut sql = Sql::from("SELECT '");
        sql.push(searched.kind.as_str())
            .push("'::text AS type, t.id, ")
            .append(&search_score(text, searched.typo))
            .push("::float8 AS score, (")
            .push(searched.centre)
            .push(")::uuid AS centre_id, (")
            .push(searched.kind_column)
            .push(")::text AS kind, (")
            .push(searched.year)
            .push(")::int AS year, t.theme_ids FROM ")
            .push(searched.collection.table)
            .push(" t")
            .append(&searched.collection.filter(caller.role, conditions));
        sql
    });
    let mut sql = Sql::from("(");
    sql.append(&Sql::join(branches, " UNION ALL ")).push(")");
    sql
}

/// The slug, title and snippet of a page's hit `p`, read from its type's table (a lateral
/// subquery: one branch per type, each skipped unless the hit is of its type).
fn details(parts: &[(&Searched, Vec<Condition>)], text: &str) -> Sql {
    let branches = parts.iter().map(|(searched, _)| {
        let mut sql = Sql::from("SELECT t.slug, ");
        sql.push(searched.title)
            .push(" AS title, coalesce(ts_headline('relais_french', ")
            .push(searched.text)
            .push(", relais_query(")
            .bind(Bind::Text(text.to_string()))
            .push(
                "), 'MaxWords=30, MinWords=10, MaxFragments=1, StartSel=<mark>, StopSel=</mark>'), '') \
                 AS snippet FROM ",
            )
            .push(searched.collection.table)
            .push(" t WHERE p.type = '")
            .push(searched.kind.as_str())
            .push("' AND t.id = p.id");
        sql
    });
    let mut sql = Sql::from("CROSS JOIN LATERAL (");
    sql.append(&Sql::join(branches, " UNION ALL ")).push(") d");
    sql
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total: i64,
    #[diesel(sql_type = diesel::sql_types::Json)]
    hits: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Json)]
    facets: serde_json::Value,
    /// The score of the page's last hit, for the next cursor (read as sent, in binary).
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    last_score: Option<f64>,
}

/// Facets counted on the matches `h` in one pass (grouping sets): name and column.
const FACETS: [(&str, &str); 4] = [
    ("type", "type"),
    ("centre", "centre_id"),
    ("kind", "kind"),
    ("year", "year"),
];

/// `counted`: for each facet of [`FACETS`], the matches counted by value.
fn counted() -> Sql {
    let mut sql = Sql::from("counted AS (SELECT CASE");
    for (name, column) in FACETS {
        sql.push(" WHEN GROUPING(")
            .push(column)
            .push(") = 0 THEN '")
            .push(name)
            .push("'");
    }
    sql.push(" END AS facet, coalesce(")
        .append(&Sql::join(
            FACETS.iter().map(|(_, column)| {
                let mut value = Sql::from(*column);
                value.push("::text");
                value
            }),
            ", ",
        ))
        .push(") AS value, count(*) AS count FROM h GROUP BY GROUPING SETS (")
        .append(&Sql::join(
            FACETS.iter().map(|(_, column)| {
                let mut set = Sql::from("(");
                set.push(column).push(")");
                set
            }),
            ", ",
        ))
        .push(")) ");
    sql
}

/// The JSON of one facet: its most frequent values, from `rows` (`value`, `count`).
fn facet_json(rows: &Sql) -> Sql {
    let mut sql = Sql::from(
        "coalesce((SELECT json_agg(json_build_object('value', value, 'count', count) \
         ORDER BY count DESC, value) FROM (SELECT value, count FROM (",
    );
    sql.append(rows)
        .push(") r WHERE value IS NOT NULL ORDER BY count DESC, value LIMIT ")
        .bind(Bind::Int(FACET_VALUES))
        .push(") f), '[]')");
    sql
}

/// `meta.facets`: each facet of [`FACETS`], then themes.
fn facets_json() -> Sql {
    let counted = FACETS.iter().map(|(name, _)| {
        let mut rows = Sql::from("SELECT value, count FROM counted WHERE facet = '");
        rows.push(name).push("'");
        let mut sql = Sql::from("'");
        sql.push(name).push("', ").append(&facet_json(&rows));
        sql
    });
    let themes = Sql::from(
        "SELECT (SELECT th.slug FROM themes th WHERE th.id = f.value) AS value, f.count FROM \
         (SELECT v.value, count(*) AS count FROM (SELECT unnest(h.theme_ids) AS value FROM h) v \
         GROUP BY 1) f",
    );
    let mut theme = Sql::from("'theme', ");
    theme.append(&facet_json(&themes));
    let mut sql = Sql::from("json_build_object(");
    sql.append(&Sql::join(counted.chain(std::iter::once(theme)), ", "))
        .push(")");
    sql
}

/// Search everything.
///
/// Hits of every type the caller may see, most relevant first, with a highlighted snippet and
/// a score; `meta.facets` counts all the hits by type, centre, theme, kind and year. Pages by
/// `page`, or by the keyset cursor of `meta.next_cursor`. The geographic filters keep the
/// types that have places (centres, actors, events).
#[utoipa::path(tag = "search", operation_id = "search_items", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    // The paging of the lists, less `sort` and `facets`: hits are ranked, facets always come.
    params(
        ("page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page number, from 1 (offset paging), up to 100; past page 100, the `next` link pages by `cursor`."),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Hits per page, at most 100."),
        ("cursor" = Option<String>, Query, description = "Keyset paging: the `meta.next_cursor` of the previous page. Not combined with `page`."),
        SearchFilters, GeoFilters),
    responses((status = 200, description = "A page of hits", body = Page<Hit>), ListErrors))]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<SearchFilters>,
) -> ApiResult<HttpResponse> {
    if query.paging.sort.is_some() || query.paging.facets.is_some() {
        return Err(ApiError::bad_request(msg!("search-ranked")));
    }
    let per_page = query
        .paging
        .per_page
        .unwrap_or(crate::query::DEFAULT_PER_PAGE);
    let signature = ranking_signature(&Condition::search(&query.filters.q, None)?);
    let after = ranked_after(query.paging.cursor.as_deref(), &signature)?;
    let mut parts = parts(&query)?;
    if parts.is_empty() {
        return Rows::<Hit>::ranked(
            Vec::new(),
            per_page,
            0,
            Some(BTreeMap::new()),
            signature,
            None,
        )
        .respond(&query, |h| h);
    }
    let mut conn = state.conn().await?;
    if let Some(key) = &query.filters.theme {
        parts.name_themes(&themes_below(&conn, key).await?);
    }
    let sql = statement(&caller, &query, after, &parts);
    let found: Found = sql.get_result(&mut conn).await?;
    let unreadable =
        |e: serde_json::Error| ApiError::internal(format!("reading search results: {e}"));
    let rows: Vec<Hit> = serde_json::from_value(found.hits).map_err(unreadable)?;
    let facets: BTreeMap<String, Vec<FacetCount>> =
        serde_json::from_value(found.facets).map_err(unreadable)?;
    Rows::ranked(
        rows,
        per_page,
        found.total,
        Some(facets),
        signature,
        found.last_score,
    )
    .respond(&query, |hit| hit)
}

/// The types a search reads, each with its conditions.
pub struct Parts(Vec<(&'static Searched, Vec<Condition>)>);

impl Parts {
    /// Whether the filters rule every type out.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Names `theme=` in each type's conditions: `themes`, its theme and those below it.
    pub fn name_themes(&mut self, themes: &[Uuid]) {
        for (_, conditions) in &mut self.0 {
            name_themes(conditions, |_| themes.to_vec());
        }
    }
}

/// The types searched, each with its conditions. `territory`, `near` and `bbox` keep the
/// types that have places, and filter them.
pub fn parts(query: &ListQuery<SearchFilters>) -> ApiResult<Parts> {
    let mut parts = Vec::new();
    let geography = query.geo.conditions()?;
    let types = query.filters.types()?;
    if let Some(name) = query.geo.first_given()
        && !types.iter().any(|searched| searched.collection.located)
    {
        return Err(ApiError::bad_request(msg!(
            "search-filter-types",
            name = name.to_string()
        )));
    }
    for searched in types {
        if !geography.is_empty() && !searched.collection.located {
            continue;
        }
        if let Some(mut conditions) = type_conditions(searched, &query.filters)? {
            conditions.extend(geography.iter().cloned());
            parts.push((searched, conditions));
        }
    }
    Ok(Parts(parts))
}

/// The one statement of a search of `parts` (not empty, their themes named), after the
/// cursor's `(score, id)` when paging by cursor. The matches are gathered once
/// (materialised), then ranked, counted and faceted; snippets are cut for the page only. A
/// page costs the same at any depth: it is cut after the cursor's score and id.
pub fn statement(
    caller: &Caller,
    query: &ListQuery<SearchFilters>,
    after: Option<(f64, Uuid)>,
    parts: &Parts,
) -> Sql {
    let parts = parts.0.as_slice();
    let per_page = query
        .paging
        .per_page
        .unwrap_or(crate::query::DEFAULT_PER_PAGE);
    let text = &query.filters.q;
    let mut sql = Sql::from("WITH h AS MATERIALIZED ");
    sql.append(&union(caller, text.trim(), parts))
        .push(", page AS (SELECT type, id, score FROM h ");
    if let Some((rank, id)) = after {
        sql.push("WHERE ")
            .append(&after_rank("score", "id", Direction::Descending, rank, id))
            .push(" ");
    }
    sql.push("ORDER BY score DESC, id LIMIT ")
        .bind(Bind::Int(i64::from(per_page) + 1))
        .push(" OFFSET ")
        .bind(Bind::Int(
            i64::try_from(query.paging.offset()).unwrap_or(i64::MAX),
        ))
        .push("), ")
        .append(&counted())
        .push(
            "SELECT (SELECT coalesce(sum(count), 0)::bigint FROM counted WHERE facet = 'type') AS total, \
             coalesce((SELECT json_agg(json_build_object('type', p.type, 'id', p.id, 'slug', d.slug, \
             'title', d.title, 'snippet', d.snippet, 'score', p.score) ORDER BY p.score DESC, p.id) \
             FROM page p ",
        )
        .append(&details(parts, text))
        .push("), '[]') AS hits, ")
        .append(&facets_json())
        .push(" AS facets, (SELECT score FROM page ORDER BY score DESC, id OFFSET ")
        .bind(Bind::Int(i64::from(per_page) - 1))
        .push(" LIMIT 1) AS last_score");
    sql
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(search);
}
