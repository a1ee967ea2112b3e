//! `GET /search`: one French full-text search across centres, actors, events, trainings and
//! documents, with highlighted snippets, scores and facet counts, each type filtered by what
//! the caller may see. One SQL `UNION ALL` of the types, so ranking and counts are global.

use actix_web::{HttpResponse, get, web};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ListErrors};
use crate::query::sql::{Bind, SqlBuilder};
use crate::query::{
    Collection, Condition, DateBound, FacetCount, Filters, ListQuery, Page, Paging, Rows,
};
use crate::resources::actors::model::ACTORS;
use crate::resources::centres::model::CENTRES;
use crate::resources::documents::model::DOCUMENTS;
use crate::resources::events::model::EVENTS;
use crate::resources::trainings::model::TRAININGS;
use crate::resources::values::text_enum;

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
    /// The theme link: table and owner column.
    themes: (&'static str, &'static str),
    /// Names that tolerate typos.
    typo: Option<&'static str>,
}

const SEARCHED: [Searched; 5] = [
    Searched {
        kind: HitType::Centres,
        collection: &CENTRES,
        title: "t.name",
        text: "coalesce(t.description, t.name)",
        centre: "t.id",
        kind_column: "NULL",
        year: "NULL",
        themes: ("centre_themes", "centre_id"),
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
        themes: ("actor_themes", "actor_id"),
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
        themes: ("event_themes", "event_id"),
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
        themes: ("training_themes", "training_id"),
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
        themes: ("document_themes", "document_id"),
        typo: None,
    },
];

/// One search hit.
#[derive(Debug, Serialize, ToSchema, QueryableByName)]
pub struct Hit {
    #[serde(rename = "type")]
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "type")]
    pub kind: HitType,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub slug: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub title: String,
    /// An extract around the words found, which are wrapped in `<mark>…</mark>`.
    #[schema(example = "Restaurer les <mark>zones</mark> <mark>humides</mark> dégradées…")]
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub snippet: String,
    /// Relevance: higher is better; comparable within one search.
    #[diesel(sql_type = diesel::sql_types::Double)]
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
    pub types: Option<String>,
    /// Items of this centre (id or slug); for centres, the centre itself.
    pub centre: Option<String>,
    /// Tagged with this theme or one below it (slug or id).
    pub theme: Option<String>,
    /// Of this kind (types without kinds are then left out).
    pub kind: Option<String>,
    /// Events not over by then, documents published since then.
    #[param(value_type = Option<String>, example = "2026-01-01")]
    pub from: Option<DateBound>,
    /// Events started by then, documents published by then.
    #[param(value_type = Option<String>, example = "2027-12-31")]
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
                ApiError::bad_request(format!(
                    "unknown type `{name}` in `types`; types: centres, actors, events, trainings, documents"
                ))
            })?;
            chosen.extend(SEARCHED.iter().filter(|s| s.kind == kind));
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
                link: "actor_centres",
                owner: "actor_id",
                target: "centre_id",
                table: "centres",
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
        let (link, owner) = searched.themes;
        conditions.push(Condition::Tagged {
            link,
            owner,
            key: theme.clone(),
        });
    }
    if let Some(kind) = &filters.kind {
        if searched.kind_column == "NULL" {
            return Ok(None);
        }
        conditions.push(Condition::Equals {
            column: searched.kind_column,
            value: Bind::Text(kind.clone()),
        });
    }
    let (from_column, to_column) = match searched.kind {
        HitType::Events => ("t.ends_at", "t.starts_at"),
        HitType::Documents => ("t.published_on", "t.published_on"),
        _ if filters.from.is_some() || filters.to.is_some() => return Ok(None),
        _ => ("", ""),
    };
    let dates = searched.kind == HitType::Documents;
    if let Some(from) = filters.from {
        let at = if dates { from.date() } else { from.start() };
        conditions.push(Condition::AtOrAfter {
            column: from_column,
            at,
        });
    }
    if let Some(to) = filters.to {
        conditions.push(if dates {
            Condition::AtOrBefore {
                column: to_column,
                at: to.date(),
            }
        } else {
            Condition::Before {
                column: to_column,
                at: to.end(),
            }
        });
    }
    Ok(Some(conditions))
}

/// Appends `(… UNION ALL …) h`: one row per visible match of every type searched.
fn union(b: &mut SqlBuilder, caller: &Caller, parts: &[(&Searched, Vec<Condition>)]) {
    b.push("(");
    for (index, (searched, conditions)) in parts.iter().enumerate() {
        if index > 0 {
            b.push(" UNION ALL ");
        }
        let q = match conditions.as_slice().first() {
            Some(Condition::Search { text, .. }) => b.param(Bind::Text(text.clone())),
            _ => b.param(Bind::Text(String::new())),
        };
        let query = format!("websearch_to_tsquery('relais_french', {q})");
        let mut score = format!("ts_rank_cd(t.search, {query}, 32)");
        if let Some(column) = searched.typo {
            score = format!("{score} + similarity(relais_fold({column}), relais_fold({q}))");
        }
        let (link, owner) = searched.themes;
        b.push(&format!(
            "SELECT '{kind}'::text AS type, t.id, t.slug, {title} AS title, \
             ts_headline('relais_french', {text}, {query}, \
                         'MaxWords=30, MinWords=10, MaxFragments=1, StartSel=<mark>, StopSel=</mark>') AS snippet, \
             ({score})::float8 AS score, ({centre})::uuid AS centre_id, ({kind_column})::text AS kind, \
             ({year})::int::text AS year, \
             ARRAY(SELECT th.slug FROM {link} l JOIN themes th ON th.id = l.theme_id WHERE l.{owner} = t.id) AS themes \
             FROM {table} t",
            kind = searched.kind.as_str(),
            title = searched.title,
            text = searched.text,
            centre = searched.centre,
            kind_column = searched.kind_column,
            year = searched.year,
            table = searched.collection.table,
        ));
        searched.collection.filter(b, caller, conditions);
    }
    b.push(") h");
}

#[derive(QueryableByName)]
struct Total {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

const FACETS: [(&str, &str); 5] = [
    ("type", "h.type"),
    ("centre", "h.centre_id::text"),
    ("theme", "unnest(h.themes)"),
    ("kind", "h.kind"),
    ("year", "h.year"),
];

/// Search everything.
///
/// Hits of every type the caller may see, most relevant first, with a highlighted snippet and
/// a score; `meta.facets` counts all the hits by type, centre, theme, kind and year. Pages by
/// `page`, or by the offset cursor of `meta.next_cursor`.
#[utoipa::path(tag = "search", operation_id = "search", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, SearchFilters),
    responses((status = 200, description = "A page of hits", body = Page<Hit>), ListErrors))]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<SearchFilters>,
) -> ApiResult<HttpResponse> {
    if query.paging.sort.is_some() || query.paging.facets.is_some() {
        return Err(ApiError::bad_request(
            "search results are ranked by relevance and always carry their facets",
        ));
    }
    let mut parts = Vec::new();
    for searched in query.filters.types()? {
        if let Some(conditions) = type_conditions(searched, &query.filters)? {
            parts.push((searched, conditions));
        }
    }
    let per_page = query
        .paging
        .per_page
        .unwrap_or(crate::query::DEFAULT_PER_PAGE);
    let offset = Rows::<Hit>::ranked_offset(&query)?;
    if parts.is_empty() {
        return Rows::<Hit>::ranked(Vec::new(), per_page, offset, 0, Some(BTreeMap::new()))
            .respond(&query, |h| h);
    }
    let mut hits =
        SqlBuilder::new("SELECT h.type, h.id, h.slug, h.title, h.snippet, h.score FROM ");
    union(&mut hits, &caller, &parts);
    hits.push(&format!(
        " ORDER BY h.score DESC, h.id LIMIT {} OFFSET {offset}",
        per_page + 1
    ));
    let mut total = SqlBuilder::new("SELECT count(*) AS n FROM ");
    union(&mut total, &caller, &parts);
    let facet_queries: Vec<_> = FACETS
        .iter()
        .map(|(_, value)| {
            let mut b = SqlBuilder::new(&format!(
                "SELECT value, count(*) AS count FROM (SELECT {value} AS value FROM "
            ));
            union(&mut b, &caller, &parts);
            b.push(") v WHERE value IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 50");
            b.into_query()
        })
        .collect();

    let conn = state.conn().await?;
    let conn_ref: &AsyncPgConnection = &conn;
    let mut handles = vec![conn_ref; facet_queries.len()];
    let facet_loads = handles
        .iter_mut()
        .zip(facet_queries)
        .map(|(handle, query)| query.load::<FacetCount>(handle));
    let ((rows, total), counts) = futures_util::future::try_join(
        futures_util::future::try_join(
            hits.into_query().load::<Hit>(&mut &*conn_ref),
            total.into_query().get_result::<Total>(&mut &*conn_ref),
        ),
        futures_util::future::try_join_all(facet_loads),
    )
    .await?;
    let facets = FACETS
        .iter()
        .map(|(name, _)| name.to_string())
        .zip(counts)
        .collect();
    Rows::ranked(rows, per_page, offset, total.n, Some(facets)).respond(&query, |hit| hit)
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(search);
}
