//! Lists, written once: paging (offset or keyset cursor), sorting from a whitelist, filters,
//! visibility by role, totals that stay cheap on large tables, and the `data`/`meta`/`links`
//! body with its `Link` header.
//!
//! A collection describes itself with a [`Collection`]; its filter parameters are a struct that
//! turns into [`Condition`]s. Everything else is here.

pub mod geo;
pub mod sql;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::future::{Ready, ready};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use sql::{Bind, SqlBuilder};

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Totals are exact up to this many rows; beyond, the planner's estimate is given (and
/// `meta.total_is_estimate` says so), so that a list never counts a million rows.
pub const EXACT_TOTAL_LIMIT: i64 = 10_000;

/// How a collection is stored and what of it may be sorted.
pub struct Collection {
    /// The table, always aliased `t` in queries.
    pub table: &'static str,
    /// The select list, over `t`, including the aggregated links of each row.
    pub select: &'static str,
    pub sorts: &'static [SortKey],
    /// Used when the request gives no `sort`.
    pub default_sort: &'static str,
    pub visibility: Visibility,
    /// What `facets=` may count.
    pub facets: &'static [Facet],
    /// Whether its rows have coordinates: they then also read a `distance_km` column, the
    /// distance from `near=` (null without it).
    pub located: bool,
}

/// A dimension that `facets=` counts items by.
pub struct Facet {
    pub name: &'static str,
    /// Joined to `t` when the value lives in a link table (alias `l`).
    pub join: &'static str,
    /// The value counted, as SQL over `t` (and the join); it may be set-returning (`unnest`).
    pub value: &'static str,
    /// What a count is labelled with, as SQL over its value `f.value`.
    pub label: &'static str,
}

/// A theme's slug, the label of its id `f.value`.
pub const THEME_LABEL: &str = "(SELECT th.slug FROM themes th WHERE th.id = f.value)";

impl Facet {
    /// By the value of a column of the items.
    pub const fn column(name: &'static str, value: &'static str) -> Facet {
        Facet {
            name,
            join: "",
            value,
            label: "f.value",
        }
    }

    /// By theme, through the copy of its theme links each item keeps (`theme_ids`).
    pub const THEME: Facet = Facet {
        name: "theme",
        join: "",
        value: "unnest(t.theme_ids)",
        label: THEME_LABEL,
    };
    /// By INSEE region, for collections with places.
    pub const REGION: Facet = Facet::column("region", "t.region_code");
    /// By INSEE department, for collections with places.
    pub const DEPARTMENT: Facet = Facet::column("department", "t.department_code");
}

/// How many items of the current filter have one value of a facet.
#[derive(Debug, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct FacetCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub value: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub count: i64,
}

/// The values of a facet counted, at most this many, the most frequent first.
pub const FACET_VALUES: usize = 50;

/// A field that may be sorted on.
pub struct SortKey {
    /// The name in `sort=`, which is also the field's name in the items.
    pub name: &'static str,
    pub column: &'static str,
    /// Its SQL type, to read a cursor's value back.
    pub sql_type: &'static str,
    /// For a nullable column, the value NULL sorts as (`-infinity`: first going up, last going
    /// down). The sort runs on `coalesce(column, null_as)`, never NULL, so that a cursor can
    /// always seek; an index on that expression (documents' `published_on`) serves it.
    pub null_as: Option<&'static str>,
}

impl SortKey {
    /// Every collection sorts on when its items were created and last changed.
    pub const CREATED_AT: SortKey = SortKey {
        name: "created_at",
        column: "t.created_at",
        sql_type: "timestamptz",
        null_as: None,
    };
    pub const UPDATED_AT: SortKey = SortKey {
        name: "updated_at",
        column: "t.updated_at",
        sql_type: "timestamptz",
        null_as: None,
    };

    /// What the list is ordered by. Text sorts in French order (migration 000012), which the
    /// sort indexes follow.
    fn expression(&self) -> String {
        let column = match self.sql_type {
            "text" => format!("{} COLLATE relais_french", self.column),
            _ => self.column.to_string(),
        };
        match self.null_as {
            Some(value) => format!("coalesce({column}, '{value}'::{})", self.sql_type),
            None => column,
        }
    }
}

/// What of a collection each role sees.
pub enum Visibility {
    /// Everything, to everyone (centres, actors, themes).
    Everyone,
    /// Published items; members also see those reserved to members; admins see all.
    Published,
    /// As `Published`, judged on the parent row (a training's sessions).
    PublishedParent {
        table: &'static str,
        foreign_key: &'static str,
    },
    /// Tombstones: to the roles that lost sight of the item (its `lost_by`).
    LostBy,
}

/// One filter, ready to become SQL.
#[derive(Clone, Debug)]
pub enum Condition {
    /// `column = value`
    Equals { column: &'static str, value: Bind },
    /// `column` refers to the row of `table` whose id or slug is `key`.
    RefersTo {
        column: &'static str,
        table: &'static str,
        key: String,
    },
    /// The row is linked through `link(owner, target)` to the row of `table` named by `key`.
    Linked {
        link: &'static str,
        owner: &'static str,
        target: &'static str,
        table: &'static str,
        key: String,
    },
    /// The row is tagged, through `link(owner, theme_id)`, with the theme `key` or one below it.
    Tagged {
        link: &'static str,
        owner: &'static str,
        key: String,
    },
    /// `column >= at`
    AtOrAfter { column: &'static str, at: Bind },
    /// `column < at`
    Before { column: &'static str, at: Bind },
    /// `column <= at`
    AtOrBefore { column: &'static str, at: Bind },
    /// French full-text search on `t.search`; with `typo`, that column also matches with
    /// small typos (trigram similarity).
    Search {
        text: String,
        typo: Option<&'static str>,
    },
    /// In one of these INSEE regions or departments.
    Territory(geo::Territories),
    /// Near a point: ordered by distance when nothing else orders the list.
    Near(geo::Near),
    /// Inside a box.
    Within(geo::BoundingBox),
}

/// The most a `q` may hold.
const MAX_QUERY_CHARS: usize = 200;

impl Condition {
    /// `column = value` for a text value (an enumerated filter).
    pub fn text(column: &'static str, value: &str) -> Condition {
        Condition::Equals {
            column,
            value: Bind::Text(value.to_string()),
        }
    }

    /// `q=`, checked: a 400 when empty or too long.
    pub fn search(text: &str, typo: Option<&'static str>) -> ApiResult<Condition> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::bad_request(format!(
                "`q` must hold between 1 and {MAX_QUERY_CHARS} characters"
            )));
        }
        Ok(Condition::Search {
            text: text.to_string(),
            typo,
        })
    }

    /// The order this condition gives a list when `sort` is not given: by relevance to a
    /// search (the weighted text rank, plus the name's similarity when typos are tolerated),
    /// or by distance from a point.
    /// Returns the expression and its direction.
    fn rank(&self, b: &mut SqlBuilder) -> Option<(String, &'static str)> {
        match self {
            Condition::Search { text, typo } => {
                let q = b.param(Bind::Text(text.clone()));
                let mut rank = format!("ts_rank(t.search, relais_query({q}), 32)");
                if let Some(column) = typo {
                    rank =
                        format!("({rank} + similarity(relais_fold({column}), relais_fold({q})))");
                }
                Some((rank, "DESC"))
            }
            Condition::Near(near) => Some((near.distance(b), "ASC")),
            _ => None,
        }
    }
}

/// A collection's filter parameters.
pub trait Filters: DeserializeOwned {
    fn conditions(&self) -> ApiResult<Vec<Condition>>;
}

fn id_or_slug(builder: &mut SqlBuilder, table: &str, key: &str) -> String {
    match Uuid::parse_str(key) {
        Ok(id) => builder.param(Bind::Uuid(id)),
        Err(_) => {
            let slug = builder.param(Bind::Text(key.to_string()));
            format!("(SELECT id FROM {table} WHERE slug = {slug})")
        }
    }
}

impl Condition {
    fn render(&self, b: &mut SqlBuilder) {
        let sql = match self {
            Condition::Equals { column, value } => {
                format!(" AND {column} = {}", b.param(value.clone()))
            }
            Condition::RefersTo { column, table, key } => {
                format!(" AND {column} = {}", id_or_slug(b, table, key))
            }
            Condition::Linked {
                link,
                owner,
                target,
                table,
                key,
            } => format!(
                " AND EXISTS (SELECT 1 FROM {link} l WHERE l.{owner} = t.id AND l.{target} = {})",
                id_or_slug(b, table, key)
            ),
            Condition::Tagged { link, owner, key } => {
                let root = id_or_slug(b, "themes", key);
                format!(
                    " AND EXISTS (SELECT 1 FROM {link} l WHERE l.{owner} = t.id AND l.theme_id IN (\
                     WITH RECURSIVE below(id) AS (SELECT id FROM themes WHERE id = {root} \
                     UNION SELECT c.id FROM themes c JOIN below ON c.parent_id = below.id) \
                     SELECT id FROM below))"
                )
            }
            Condition::AtOrAfter { column, at } => {
                format!(" AND {column} >= {}", b.param(at.clone()))
            }
            Condition::Before { column, at } => format!(" AND {column} < {}", b.param(at.clone())),
            Condition::AtOrBefore { column, at } => {
                format!(" AND {column} <= {}", b.param(at.clone()))
            }
            Condition::Search { text, typo } => {
                let q = b.param(Bind::Text(text.clone()));
                let words = format!("t.search @@ relais_query({q})");
                match typo {
                    Some(column) => {
                        format!(" AND ({words} OR relais_fold({column}) % relais_fold({q}))")
                    }
                    None => format!(" AND {words}"),
                }
            }
            Condition::Territory(territories) => territories.render(b),
            Condition::Near(near) => near.render(b),
            Condition::Within(bbox) => bbox.render(b),
        };
        b.push(&sql);
    }
}

impl Visibility {
    fn render(&self, role: Role, b: &mut SqlBuilder) {
        let rule = |alias: &str| match role {
            Role::Admin => String::new(),
            Role::Member => format!(" AND {alias}.status = 'published'"),
            Role::Public => {
                format!(" AND {alias}.status = 'published' AND {alias}.audience = 'public'")
            }
        };
        match self {
            Visibility::Everyone => {}
            Visibility::Published => {
                b.push(&rule("t"));
            }
            Visibility::PublishedParent { table, foreign_key } => {
                let rule = rule("p");
                if !rule.is_empty() {
                    b.push(&format!(
                        " AND EXISTS (SELECT 1 FROM {table} p WHERE p.id = t.{foreign_key}{rule})"
                    ));
                }
            }
            Visibility::LostBy => {
                b.push(&format!(" AND '{}' = ANY (t.lost_by)", role.as_str()));
            }
        }
    }
}

/// The paging and sorting parameters every list takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1 (offset paging).
    #[param(minimum = 1, example = 1)]
    pub page: Option<u32>,
    /// Items per page, at most 100.
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<u32>,
    /// Comma-separated fields from the operation's sortable list; `-` sorts descending
    /// (`sort=-starts_at,title`).
    pub sort: Option<String>,
    /// Keyset paging: the `meta.next_cursor` of the previous page. Its cost does not grow
    /// with depth. Not combined with `page`.
    pub cursor: Option<String>,
    /// Comma-separated dimensions to count the matching items by, into `meta.facets`
    /// (`facets=theme,kind,centre,year`; each list names its own in its description).
    pub facets: Option<String>,
}

/// `fields=` and `include=`: the shape of the items, on lists and on single items.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Shaping {
    /// Comma-separated fields to return (a sparse fieldset); `id` always comes
    /// (`fields=slug,title,starts_at`). The item's other fields, required ones included, are
    /// then left out.
    pub fields: Option<String>,
    /// Comma-separated related items to embed under `included`, each loaded in one query for
    /// the whole page (`include=centre,themes,speakers`). Each operation lists its own.
    pub include: Option<String>,
}

impl Shaping {
    pub fn is_empty(&self) -> bool {
        self.fields.is_none() && self.include.is_none()
    }
}

const SHAPING_PARAMS: [&str; 2] = ["fields", "include"];

/// The query string's pairs, refusing a NUL (PostgreSQL text cannot hold one).
fn query_pairs(req: &HttpRequest) -> ApiResult<Vec<(String, String)>> {
    // serde_urlencoded would replace bytes that are not UTF-8 (`%FF`) and go on.
    if percent_encoding::percent_decode_str(req.query_string())
        .decode_utf8()
        .is_err()
    {
        return Err(ApiError::bad_request(
            "the query string is not UTF-8 once percent-decoded",
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?;
    if let Some((name, _)) = pairs
        .iter()
        .find(|(n, v)| n.contains('\0') || v.contains('\0'))
    {
        return Err(ApiError::bad_request(format!(
            "query parameter `{name}` holds a NUL character"
        )));
    }
    // `?theme=` names no theme: refused like any malformed value, rather than matching nothing.
    if let Some((name, _)) = pairs.iter().find(|(_, v)| v.is_empty()) {
        return Err(ApiError::bad_request(format!(
            "query parameter `{name}` is empty: give it a value or leave it out"
        )));
    }
    Ok(pairs)
}

/// A single item's query: only `fields` and `include`; anything else is a 400.
impl FromRequest for Shaping {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query_pairs(req).and_then(|pairs| parse_pairs(&pairs)))
    }
}

/// A query that takes no parameter at all: anything given is a 400.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl FromRequest for NoParams {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query_pairs(req).and_then(|pairs| parse_pairs(&pairs)))
    }
}

/// A list request: paging, shaping, geography, then the collection's own filters.
pub struct ListQuery<F> {
    pub paging: Paging,
    pub shaping: Shaping,
    /// Taken by the lists of collections with places ([`Collection::located`]).
    pub geo: geo::GeoFilters,
    pub filters: F,
    /// The request's parameters, to build the `links`.
    pairs: Vec<(String, String)>,
    path: String,
}

const PAGING_PARAMS: [&str; 5] = ["page", "per_page", "sort", "cursor", "facets"];

fn unknown_parameter(name: &str) -> ApiError {
    ApiError::bad_request(format!("unknown query parameter `{name}`"))
}

fn parse_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> ApiResult<T> {
    let encoded = serde_urlencoded::to_string(pairs)
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {e}")))?;
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            unknown_parameter(rest.split('`').next().unwrap_or_default())
        } else if message.starts_with("duplicate field") {
            ApiError::bad_request(format!("query parameter given twice: {message}"))
        } else {
            ApiError::bad_request(format!(
                "invalid value for query parameter `{field}`: {message}"
            ))
        }
    })
}

impl<F: Filters> ListQuery<F> {
    fn parse(req: &HttpRequest) -> ApiResult<Self> {
        let pairs = query_pairs(req)?;
        let (paging, rest): (Vec<_>, Vec<_>) = pairs
            .iter()
            .cloned()
            .partition(|(name, _)| PAGING_PARAMS.contains(&name.as_str()));
        let (shaping, rest): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|(name, _)| SHAPING_PARAMS.contains(&name.as_str()));
        let (geo, filters): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|(name, _)| geo::GEO_PARAMS.contains(&name.as_str()));
        let paging: Paging = parse_pairs(&paging)?;
        // The spec types `page` as an int32.
        if let Some(page) = paging.page
            && !(1..=i32::MAX as u32).contains(&page)
        {
            return Err(ApiError::bad_request(format!(
                "`page` must be between 1 and {}",
                i32::MAX
            )));
        }
        if let Some(per_page) = paging.per_page
            && !(1..=MAX_PER_PAGE).contains(&per_page)
        {
            return Err(ApiError::bad_request(format!(
                "`per_page` must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        if paging.cursor.is_some() && paging.page.is_some() {
            return Err(ApiError::bad_request(
                "give either `page` or `cursor`, not both",
            ));
        }
        Ok(ListQuery {
            paging,
            shaping: parse_pairs(&shaping)?,
            geo: parse_pairs(&geo)?,
            filters: parse_pairs(&filters)?,
            pairs,
            path: req.path().to_string(),
        })
    }
}

impl<F: Filters> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req))
    }
}

/// `meta` of every list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    /// Items matching the filters (see `total_is_estimate`).
    pub total: i64,
    /// `true` when `total` is the planner's estimate, for lists of more than 10,000 items.
    pub total_is_estimate: bool,
    /// The page number; null when paging by cursor.
    pub page: Option<u32>,
    pub per_page: u32,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// With `facets=`: for each dimension asked, the counts of the matching items by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

/// `links` of every list; also sent as a `Link` header.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub next: Option<String>,
    pub prev: Option<String>,
    pub first: String,
    pub last: Option<String>,
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
    pub links: PageLinks,
}

/// A page of rows as read, before they become items.
pub struct Rows<R> {
    pub rows: Vec<R>,
    total: i64,
    total_is_estimate: bool,
    has_more: bool,
    resume: Resume,
    facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

/// Where the page after this one starts.
enum Resume {
    /// After the last row's values of the sort keys.
    Keyset(Vec<(&'static SortKey, bool)>),
    /// After the last row's rank (relevance or distance) in the ranking `signature` names.
    Ranked {
        signature: String,
        last: Option<f64>,
    },
}

/// A row of a ranked page, with the number of rows that match.
struct Counted<R> {
    row: R,
    total: i64,
    rank: f64,
}

impl<R: QueryableByName<Pg>> QueryableByName<Pg> for Counted<R> {
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, Pg>) -> diesel::deserialize::Result<Self> {
        use diesel::row::NamedRow;
        Ok(Counted {
            row: R::build(row)?,
            total: NamedRow::get::<diesel::sql_types::BigInt, i64>(row, "total_count")?,
            rank: NamedRow::get::<diesel::sql_types::Double, f64>(row, "ranking")?,
        })
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Plan {
    #[diesel(column_name = "QUERY PLAN", sql_type = diesel::sql_types::Json)]
    plan: serde_json::Value,
}

impl Collection {
    /// What `sort=` and `facets=` take, as the spec documents them.
    pub fn whitelists<'a>(&self, schema: &'a str) -> crate::openapi::Whitelists<'a> {
        crate::openapi::Whitelists {
            schema,
            sorts: self.sorts.iter().map(|key| key.name).collect(),
            facets: self.facets.iter().map(|facet| facet.name).collect(),
            fields: Vec::new(),
            includes: Vec::new(),
        }
    }

    fn sort_key(&self, name: &str) -> Option<&'static SortKey> {
        self.sorts.iter().find(|key| key.name == name)
    }

    /// Parses `sort=-a,b` against the whitelist.
    fn parse_sort(&self, sort: Option<&str>) -> ApiResult<Vec<(&'static SortKey, bool)>> {
        let sort = sort.unwrap_or(self.default_sort);
        let mut keys: Vec<(&'static SortKey, bool)> = Vec::new();
        for part in sort.split(',').map(str::trim) {
            let (name, descending) = match part.strip_prefix('-') {
                Some(name) => (name, true),
                None => (part, false),
            };
            let key = self.sort_key(name).ok_or_else(|| {
                let names: Vec<_> = self.sorts.iter().map(|k| k.name).collect();
                ApiError::bad_request(format!(
                    "cannot sort by `{name}`; sortable fields: {}",
                    names.join(", ")
                ))
            })?;
            if keys.iter().any(|(k, _)| k.name == key.name) {
                return Err(ApiError::bad_request(format!(
                    "`{name}` is sorted on twice"
                )));
            }
            keys.push((key, descending));
        }
        Ok(keys)
    }

    /// The facets asked for, from the list's own.
    fn parse_facets(&self, facets: Option<&str>) -> ApiResult<Vec<&'static Facet>> {
        let Some(facets) = facets else {
            return Ok(Vec::new());
        };
        let mut chosen: Vec<&'static Facet> = Vec::new();
        for name in facets.split(',').map(str::trim) {
            let facet = self.facets.iter().find(|f| f.name == name).ok_or_else(|| {
                let names: Vec<_> = self.facets.iter().map(|f| f.name).collect();
                ApiError::bad_request(format!(
                    "cannot count by `{name}`; facets of this list: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            })?;
            if !chosen.iter().any(|f| f.name == facet.name) {
                chosen.push(facet);
            }
        }
        Ok(chosen)
    }

    /// Appends the select list and `FROM`; with `near`, the rows' distances from it.
    fn select_list(&self, b: &mut SqlBuilder, near: Option<geo::Near>) {
        self.select_columns(b, near);
        b.push(&format!(" FROM {} t", self.table));
    }

    /// The select list, over `t`; with `near`, the rows' distances from it.
    fn select_columns(&self, b: &mut SqlBuilder, near: Option<geo::Near>) {
        b.push(self.select);
        if self.located {
            let distance = match near {
                Some(near) => format!("round(({})::numeric, 2)::float8", near.distance(b)),
                None => "NULL::float8".to_string(),
            };
            b.push(&format!(", {distance} AS distance_km"));
        }
    }

    /// Appends the `WHERE` clause: what the caller may see, then the conditions.
    pub(crate) fn filter(&self, b: &mut SqlBuilder, caller: &Caller, conditions: &[Condition]) {
        b.push(" WHERE TRUE");
        self.visibility.render(caller.role, b);
        for condition in conditions {
            condition.render(b);
        }
    }

    /// One page of rows. The page and its total are sent together (pipelined on one
    /// connection), and each row carries its links, aggregated in the same query.
    pub async fn list<R, F>(
        &'static self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        query: &ListQuery<F>,
        scope: Vec<Condition>,
    ) -> ApiResult<Rows<R>>
    where
        R: QueryableByName<Pg> + Send + 'static,
        F: Filters,
    {
        let mut conditions = scope;
        conditions.extend(query.filters.conditions()?);
        match (self.located, query.geo.first_given()) {
            (true, _) => conditions.extend(query.geo.conditions()?),
            (false, Some(name)) => return Err(unknown_parameter(name)),
            (false, None) => {}
        }
        // Without `sort`, `q` puts the most relevant first, and `near` the nearest.
        let ranking = query
            .paging
            .sort
            .is_none()
            .then(|| {
                let search = conditions
                    .iter()
                    .find(|c| matches!(c, Condition::Search { .. }));
                search.or_else(|| conditions.iter().find(|c| matches!(c, Condition::Near(_))))
            })
            .flatten()
            .cloned();
        let sort = match ranking {
            Some(_) => Vec::new(),
            None => self.parse_sort(query.paging.sort.as_deref())?,
        };
        let per_page = query.paging.per_page.unwrap_or(DEFAULT_PER_PAGE);
        let signature = ranking.as_ref().map(ranking_signature);
        let (offset, after) = ranked_start(query, signature.as_deref())?;
        let near = conditions.iter().find_map(|c| match c {
            Condition::Near(near) => Some(*near),
            _ => None,
        });

        let mut data = SqlBuilder::new("SELECT ");
        match &ranking {
            Some(ranking) => {
                let (rank, direction) = ranking
                    .rank(&mut data)
                    .ok_or_else(|| ApiError::internal("a ranking condition without a rank"))?;
                self.ranked_page(
                    &mut data,
                    caller,
                    &conditions,
                    (&rank, direction),
                    near,
                    after,
                    per_page,
                    offset,
                );
            }
            None => {
                self.select_list(&mut data, near);
                self.filter(&mut data, caller, &conditions);
                if let Some(cursor) = &query.paging.cursor {
                    Cursor::decode(cursor, &sort)?.render(&sort, &mut data);
                }
                let order: Vec<String> = sort
                    .iter()
                    .map(|(key, desc)| {
                        let direction = if *desc { "DESC" } else { "ASC" };
                        format!("{} {direction}", key.expression())
                    })
                    .chain(std::iter::once("t.id ASC".to_string()))
                    .collect();
                // One row more than asked tells whether there is a next page.
                data.push(&format!(
                    " ORDER BY {} LIMIT {} OFFSET {offset}",
                    order.join(", "),
                    per_page + 1
                ));
            }
        }
        let facets = self.parse_facets(query.paging.facets.as_deref())?;
        let facet_queries: Vec<_> = facets
            .iter()
            .map(|facet| {
                let mut b = SqlBuilder::new(&format!(
                    "SELECT * FROM (SELECT ({})::text AS value, f.count FROM (SELECT v.value, \
                     count(*) AS count FROM (SELECT {} AS value FROM {} t {}",
                    facet.label, facet.value, self.table, facet.join
                ));
                self.filter(&mut b, caller, &conditions);
                b.push(&format!(
                    ") v WHERE v.value IS NOT NULL GROUP BY 1) f) l WHERE l.value IS NOT NULL \
                     ORDER BY 2 DESC, 1 LIMIT {FACET_VALUES}"
                ));
                b.into_query()
            })
            .collect();

        // The page, its total and its facets travel together on one connection (pipelined).
        // A ranked page already reads every match to rank it: it counts them as it goes
        // (`count(*) OVER ()`) rather than in a second scan.
        let ranked = ranking.is_some();
        let conn_ref: &AsyncPgConnection = conn;
        let mut handles = vec![conn_ref; facet_queries.len()];
        let facet_loads = handles
            .iter_mut()
            .zip(facet_queries)
            .map(|(handle, query)| query.load::<FacetCount>(handle));
        let page = async {
            if ranked {
                let rows = data
                    .into_query()
                    .load::<Counted<R>>(&mut &*conn_ref)
                    .await?;
                let total = rows.as_slice().first().map(|r| r.total);
                let ranks: Vec<f64> = rows.iter().map(|r| r.rank).collect();
                let rows = rows.into_iter().map(|r| r.row).collect::<Vec<R>>();
                Ok((rows, total, ranks))
            } else {
                let mut count = SqlBuilder::new(&format!(
                    "SELECT count(*) AS n FROM (SELECT 1 FROM {} t",
                    self.table
                ));
                self.filter(&mut count, caller, &conditions);
                count.push(&format!(" LIMIT {}) c", EXACT_TOTAL_LIMIT + 1));
                let (rows, counted) = futures_util::future::try_join(
                    data.into_query().load::<R>(&mut &*conn_ref),
                    count.into_query().get_result::<Count>(&mut &*conn_ref),
                )
                .await?;
                Ok::<_, diesel::result::Error>((rows, Some(counted.n), Vec::new()))
            }
        };
        let ((mut rows, counted, ranks), facet_counts) =
            futures_util::future::try_join(page, futures_util::future::try_join_all(facet_loads))
                .await?;
        // A ranked page past the last match has no row to carry the count.
        let counted = match counted {
            Some(n) => n,
            None if offset == 0 && query.paging.cursor.is_none() => 0,
            None => {
                let mut count =
                    SqlBuilder::new(&format!("SELECT count(*) AS n FROM {} t", self.table));
                self.filter(&mut count, caller, &conditions);
                count.into_query().get_result::<Count>(conn).await?.n
            }
        };
        let facets = (!facets.is_empty()).then(|| {
            facets
                .iter()
                .map(|f| f.name.to_string())
                .zip(facet_counts)
                .collect::<BTreeMap<_, _>>()
        });
        let (total, total_is_estimate) = if !ranked && counted > EXACT_TOTAL_LIMIT {
            let mut explain = SqlBuilder::new(&format!(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM {} t",
                self.table
            ));
            self.filter(&mut explain, caller, &conditions);
            let plan: Plan = explain.into_query().get_result(conn).await?;
            let estimate = plan.plan[0]["Plan"]["Plan Rows"]
                .as_f64()
                .unwrap_or_default();
            // The estimate cannot be below what we have already counted.
            ((estimate as i64).max(counted), true)
        } else {
            (counted, false)
        };
        let has_more = rows.len() > per_page as usize;
        rows.truncate(per_page as usize);
        let resume = match signature {
            Some(signature) => Resume::Ranked {
                signature,
                last: ranks.get(rows.len().wrapping_sub(1)).copied(),
            },
            None => Resume::Keyset(sort),
        };
        Ok(Rows {
            rows,
            total,
            total_is_estimate,
            has_more,
            resume,
            facets,
        })
    }

    /// A page of a list ranked by relevance or distance. The matches are ranked and counted
    /// by id alone, the page is cut after the cursor's rank, and only its rows are read whole:
    /// a page costs the same at any depth.
    #[allow(clippy::too_many_arguments)]
    fn ranked_page(
        &self,
        b: &mut SqlBuilder,
        caller: &Caller,
        conditions: &[Condition],
        (rank, direction): (&str, &str),
        near: Option<geo::Near>,
        after: Option<(f64, Uuid)>,
        per_page: u32,
        offset: u64,
    ) {
        self.select_columns(b, near);
        // The rank is computed below the count (`OFFSET 0` keeps it there), so the count
        // buffers ids and ranks, not whole rows.
        b.push(&format!(
            ", r.ranking, r.total_count FROM (SELECT s.id, s.ranking, s.total_count FROM \
             (SELECT m.id, m.ranking, count(*) OVER () AS total_count FROM \
             (SELECT t.id, ({rank})::float8 AS ranking FROM {} t",
            self.table
        ));
        self.filter(b, caller, conditions);
        b.push(" OFFSET 0) m) s");
        if let Some(after) = after {
            let condition = after_rank(b, "s.ranking", "s.id", direction, after);
            b.push(&format!(" WHERE {condition}"));
        }
        b.push(&format!(
            " ORDER BY s.ranking {direction}, s.id LIMIT {} OFFSET {offset}) r \
             JOIN {} t ON t.id = r.id ORDER BY r.ranking {direction}, t.id",
            per_page + 1,
            self.table
        ));
    }

    /// The rows the caller may see among those whose `id` (or, `by_slug`, whose `slug`) is one
    /// of `keys`: one query, whatever their number.
    pub async fn find_all<R>(
        &self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        by_slug: bool,
        keys: Vec<String>,
    ) -> ApiResult<Vec<R>>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        let mut b = SqlBuilder::new("SELECT ");
        self.select_list(&mut b, None);
        self.filter(&mut b, caller, &[]);
        let condition = if by_slug {
            format!(" AND t.slug = ANY({})", b.param(Bind::Texts(keys)))
        } else {
            let ids = keys
                .iter()
                .filter_map(|k| Uuid::parse_str(k).ok())
                .collect();
            format!(" AND t.id = ANY({})", b.param(Bind::Uuids(ids)))
        };
        b.push(&condition);
        b.into_query().load::<R>(conn).await.map_err(ApiError::from)
    }

    /// One row by id or slug, if the caller may see it.
    /// With `lock`, the row is locked for the rest of the transaction (`FOR UPDATE`).
    pub async fn find<R>(
        &self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        key: &str,
        scope: Vec<Condition>,
        lock: bool,
    ) -> ApiResult<R>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        let mut b = SqlBuilder::new("SELECT ");
        self.select_list(&mut b, None);
        self.filter(&mut b, caller, &scope);
        let condition = match Uuid::parse_str(key) {
            Ok(id) => format!(" AND t.id = {}", b.param(Bind::Uuid(id))),
            Err(_) => format!(" AND t.slug = {}", b.param(Bind::Text(key.to_string()))),
        };
        b.push(&condition);
        if lock {
            b.push(" FOR UPDATE OF t");
        }
        b.into_query()
            .get_result::<R>(conn)
            .await
            .map_err(ApiError::from)
    }
}

/// Where the next page starts: the sort values and id of the last row seen.
#[derive(Serialize, Deserialize)]
struct Cursor {
    /// The `sort` it was made for.
    s: String,
    /// The values of the sort keys, as text (null for SQL NULL), then the id.
    v: Vec<Option<String>>,
}

impl Cursor {
    fn signature(sort: &[(&'static SortKey, bool)]) -> String {
        sort.iter()
            .map(|(k, desc)| format!("{}{}", if *desc { "-" } else { "" }, k.name))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn parse(text: &str) -> ApiResult<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid_cursor())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())
    }

    /// A cursor into a ranked list: the rank and id of the last row seen.
    fn ranked(signature: &str, rank: f64, id: &str) -> String {
        Cursor {
            s: signature.to_string(),
            v: vec![Some(rank.to_string()), Some(id.to_string())],
        }
        .encode()
    }

    fn decode_ranked(text: &str, signature: &str) -> ApiResult<(f64, Uuid)> {
        let cursor = Self::parse(text)?;
        if cursor.s != signature {
            return Err(ApiError::bad_request(
                "`cursor` was made for another search or order; keep the same `q` (or `near`) and `sort` while paging",
            ));
        }
        match cursor.v.as_slice() {
            [Some(rank), Some(id)] => {
                let rank = rank.parse::<f64>().ok().filter(|r| r.is_finite());
                match (rank, Uuid::parse_str(id)) {
                    (Some(rank), Ok(id)) => Ok((rank, id)),
                    _ => Err(invalid_cursor()),
                }
            }
            _ => Err(invalid_cursor()),
        }
    }

    /// Checks every value against its column's type, so that a tampered cursor is a 400.
    fn decode(text: &str, sort: &[(&'static SortKey, bool)]) -> ApiResult<Cursor> {
        let cursor = Self::parse(text)?;
        if cursor.s != Self::signature(sort) {
            return Err(ApiError::bad_request(
                "`cursor` was made for another `sort`; keep the same `sort` while paging",
            ));
        }
        if cursor.v.len() != sort.len() + 1 {
            return Err(invalid_cursor());
        }
        let types = sort
            .iter()
            .map(|(key, _)| (key.sql_type, key.null_as))
            .chain(std::iter::once(("uuid", None)));
        for (value, (sql_type, null_as)) in cursor.v.iter().zip(types) {
            let Some(value) = value else {
                return Err(invalid_cursor());
            };
            let valid = null_as == Some(value.as_str())
                || match sql_type {
                    "uuid" => Uuid::parse_str(value).is_ok(),
                    // Years PostgreSQL can read back, as for dates.
                    "timestamptz" => DateTime::parse_from_rfc3339(value)
                        .is_ok_and(|at| (1..=9999).contains(&at.year())),
                    "date" => NaiveDate::parse_from_str(value, "%Y-%m-%d")
                        .is_ok_and(|d| (1..=9999).contains(&d.year())),
                    "float8" => value.parse::<f64>().is_ok_and(f64::is_finite),
                    _ => !value.contains('\0'),
                };
            if !valid {
                return Err(invalid_cursor());
            }
        }
        Ok(cursor)
    }

    /// Rows strictly after the cursor in the list's order. [`Cursor::decode`] has checked
    /// that every value is there.
    fn render(&self, sort: &[(&'static SortKey, bool)], b: &mut SqlBuilder) {
        let value = |i: usize| self.v.get(i).cloned().flatten().unwrap_or_default();
        let id = b.param(Bind::Uuid(
            Uuid::parse_str(&value(sort.len())).unwrap_or_default(),
        ));
        let mut condition = format!("t.id > {id}");
        for (i, (key, descending)) in sort.iter().enumerate().rev() {
            let column = key.expression();
            let v = typed_param(b, key, &value(i));
            let op = if *descending { "<" } else { ">" };
            condition = format!("({column} {op} {v} OR ({column} = {v} AND {condition}))");
        }
        b.push(&format!(" AND {condition}"));
        // The same bound, in a form an index scan can start from, so that the cost of a page
        // does not grow with its depth.
        if let Some((key, descending)) = sort.first() {
            let op = if *descending { "<=" } else { ">=" };
            let v = typed_param(b, key, &value(0));
            b.push(&format!(" AND {} {op} {v}", key.expression()));
        }
    }
}

/// Where a page starts: the offset of `page`; or, with a cursor, none, and for a ranked list
/// (whose ranking `signature` names) the rank and id after which it resumes.
pub(crate) fn ranked_start<F>(
    query: &ListQuery<F>,
    signature: Option<&str>,
) -> ApiResult<(u64, Option<(f64, Uuid)>)> {
    match (&query.paging.cursor, signature) {
        (Some(cursor), Some(signature)) => Ok((0, Some(Cursor::decode_ranked(cursor, signature)?))),
        (Some(_), None) => Ok((0, None)),
        (None, _) => Ok((
            u64::from(query.paging.page.unwrap_or(1) - 1)
                * u64::from(query.paging.per_page.unwrap_or(DEFAULT_PER_PAGE)),
            None,
        )),
    }
}

/// Rows after `(rank, id)` in a ranked order (`DESC` for relevance, `ASC` for distance; ties
/// by id), as a condition on the columns named.
pub(crate) fn after_rank(
    b: &mut SqlBuilder,
    rank_column: &str,
    id_column: &str,
    direction: &str,
    (rank, id): (f64, Uuid),
) -> String {
    let op = if direction == "DESC" { "<" } else { ">" };
    let rank = b.param(Bind::Float(rank));
    let id = b.param(Bind::Uuid(id));
    format!("({rank_column} {op} {rank} OR ({rank_column} = {rank} AND {id_column} > {id}))")
}

/// A cursor's value (checked by [`Cursor::decode`]) as a parameter of its column's type, so
/// that the database never has to parse text a client may have forged.
fn typed_param(b: &mut SqlBuilder, key: &SortKey, value: &str) -> String {
    let bind = match key.sql_type {
        _ if key.null_as == Some(value) => None,
        "timestamptz" => DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|at| Bind::Timestamp(at.with_timezone(&Utc))),
        "date" => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .map(Bind::Date),
        "float8" => value.parse().ok().map(Bind::Float),
        _ => None,
    };
    match bind {
        Some(bind) => b.param(bind),
        // Text, and our own sentinel for NULL (`-infinity`).
        None => format!(
            "{}::{}",
            b.param(Bind::Text(value.to_string())),
            key.sql_type
        ),
    }
}

/// What a ranked list's cursor is tied to: what ranks it (the words searched, or the point),
/// so that a cursor cannot be replayed on another search.
pub(crate) fn ranking_signature(ranking: &Condition) -> String {
    use sha2::Digest;
    let ranked_by = match ranking {
        Condition::Search { text, .. } => format!("q={text}"),
        Condition::Near(near) => near.describe(),
        _ => String::new(),
    };
    let digest = sha2::Sha256::digest(ranked_by.as_bytes());
    format!("~rank:{}", URL_SAFE_NO_PAD.encode(&digest[..9]))
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("`cursor` is not a cursor this list gave")
}

impl<R> Rows<R> {
    /// A page of rows ranked elsewhere (`GET /search`); `last` is the rank of the page's last
    /// row, as the database computed it.
    pub(crate) fn ranked(
        mut rows: Vec<R>,
        per_page: u32,
        total: i64,
        facets: Option<BTreeMap<String, Vec<FacetCount>>>,
        signature: String,
        last: Option<f64>,
    ) -> Self {
        let has_more = rows.len() > per_page as usize;
        rows.truncate(per_page as usize);
        Rows {
            rows,
            total,
            total_is_estimate: false,
            has_more,
            resume: Resume::Ranked { signature, last },
            facets,
        }
    }

    /// Turns the rows into items and the page into its body, links and `Link` header. For
    /// lists whose items take no `fields` or `include`.
    pub fn respond<T, F>(
        self,
        query: &ListQuery<F>,
        to_item: impl Fn(R) -> T,
    ) -> ApiResult<HttpResponse>
    where
        T: Serialize,
    {
        if !query.shaping.is_empty() {
            return Err(ApiError::bad_request(
                "this list takes neither `fields` nor `include`",
            ));
        }
        let (data, end) = self.items(to_item)?;
        end.respond(query, data)
    }

    /// The page's items, and what its body needs besides them. The next cursor is read from
    /// the last item here, before any `fields=` can leave its sort values out.
    pub fn items<T>(self, to_item: impl Fn(R) -> T) -> ApiResult<(Vec<T>, PageEnd)>
    where
        T: Serialize,
    {
        let Rows {
            rows,
            total,
            total_is_estimate,
            has_more,
            resume,
            facets,
        } = self;
        let data: Vec<T> = rows.into_iter().map(to_item).collect();
        let next_cursor = match (has_more, resume, data.last()) {
            (true, Resume::Keyset(sort), Some(last)) => Some(cursor_after(&sort, last)?),
            (
                true,
                Resume::Ranked {
                    signature,
                    last: Some(rank),
                },
                Some(last),
            ) => {
                let item = serde_json::to_value(last)
                    .map_err(|e| ApiError::internal(format!("serialising a cursor: {e}")))?;
                let id = item["id"]
                    .as_str()
                    .ok_or_else(|| ApiError::internal("a ranked item without an id"))?;
                Some(Cursor::ranked(&signature, rank, id))
            }
            _ => None,
        };
        Ok((
            data,
            PageEnd {
                total,
                total_is_estimate,
                has_more,
                next_cursor,
                facets,
            },
        ))
    }
}

/// A page's metadata, once its items are out.
pub struct PageEnd {
    total: i64,
    total_is_estimate: bool,
    has_more: bool,
    next_cursor: Option<String>,
    facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

impl PageEnd {
    /// The body (`data`, `meta`, `links`) and its `Link` header.
    pub fn respond<T: Serialize, F>(
        self,
        query: &ListQuery<F>,
        data: Vec<T>,
    ) -> ApiResult<HttpResponse> {
        let per_page = query.paging.per_page.unwrap_or(DEFAULT_PER_PAGE);
        let PageEnd {
            total,
            total_is_estimate,
            has_more,
            next_cursor,
            facets,
        } = self;
        let by_cursor = query.paging.cursor.is_some();
        let page = query.paging.page.unwrap_or(1);
        let last_page = ((total.max(1) - 1) / i64::from(per_page) + 1) as u32;
        let link = |changes: &[(&str, Option<String>)]| {
            let mut pairs: Vec<(String, String)> = query
                .pairs
                .iter()
                .filter(|(name, _)| !changes.iter().any(|(n, _)| n == name))
                .cloned()
                .collect();
            for (name, value) in changes {
                if let Some(value) = value {
                    pairs.push((name.to_string(), value.clone()));
                }
            }
            match serde_urlencoded::to_string(&pairs) {
                Ok(qs) if !qs.is_empty() => format!("{}?{qs}", query.path),
                _ => query.path.clone(),
            }
        };
        let to_page = |p: u32| link(&[("page", Some(p.to_string())), ("cursor", None)]);
        let links = PageLinks {
            self_: link(&[]),
            next: match (&next_cursor, by_cursor) {
                (Some(cursor), true) => Some(link(&[("cursor", Some(cursor.clone()))])),
                _ if has_more && !by_cursor => Some(to_page(page + 1)),
                _ => None,
            },
            // Past the end, the previous page that has items is the last one.
            prev: (!by_cursor && page > 1).then(|| {
                to_page(if total_is_estimate {
                    page - 1
                } else {
                    (page - 1).min(last_page)
                })
            }),
            first: to_page(1),
            last: (!total_is_estimate).then(|| to_page(last_page)),
        };
        let mut header_value = Vec::new();
        for (rel, url) in [
            ("self", Some(&links.self_)),
            ("first", Some(&links.first)),
            ("prev", links.prev.as_ref()),
            ("next", links.next.as_ref()),
            ("last", links.last.as_ref()),
        ] {
            if let Some(url) = url {
                header_value.push(format!("<{url}>; rel=\"{rel}\""));
            }
        }
        let body = Page {
            data,
            meta: PageMeta {
                total,
                total_is_estimate,
                page: (!by_cursor).then_some(page),
                per_page,
                next_cursor,
                facets,
            },
            links,
        };
        Ok(HttpResponse::Ok()
            .insert_header((header::LINK, header_value.join(", ")))
            .json(body))
    }
}

/// The cursor that starts after `last`: its sort values, read from the item itself.
fn cursor_after(sort: &[(&'static SortKey, bool)], last: &impl Serialize) -> ApiResult<String> {
    {
        let item = serde_json::to_value(last)
            .map_err(|e| ApiError::internal(format!("serialising a cursor: {e}")))?;
        let text = |value: &serde_json::Value| match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        };
        let mut values: Vec<Option<String>> = sort
            .iter()
            .map(|(key, _)| text(&item[key.name]).or(key.null_as.map(str::to_string)))
            .collect();
        values.push(text(&item["id"]));
        Ok(Cursor {
            s: Cursor::signature(sort),
            v: values,
        }
        .encode())
    }
}

/// A date or a date-time in a query (`from=2026-03-01` or `from=2026-03-01T09:00:00+01:00`).
/// A bare date is a day in Paris time.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct DateBound(DateTime<Utc>, Option<NaiveDate>);

impl TryFrom<String> for DateBound {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
            return Ok(DateBound(at.with_timezone(&Utc), None));
        }
        // Years PostgreSQL can store; chrono would also read signed and five-digit years.
        let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .ok_or_else(|| {
                format!("`{text}` is neither a date (YYYY-MM-DD) nor an RFC 3339 date-time")
            })?;
        Ok(DateBound(paris_midnight(date)?, Some(date)))
    }
}

fn paris_midnight(date: NaiveDate) -> Result<DateTime<Utc>, String> {
    chrono_tz::Europe::Paris
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| format!("{date} has no midnight in Paris"))
}

impl DateBound {
    /// The instant the bound starts.
    pub fn start(self) -> Bind {
        Bind::Timestamp(self.0)
    }

    /// The instant the bound ends: a bare date runs to the end of its day.
    pub fn end(self) -> Bind {
        match self
            .1
            .and_then(|d| d.succ_opt())
            .and_then(|d| paris_midnight(d).ok())
        {
            Some(next_day) => Bind::Timestamp(next_day),
            None => Bind::Timestamp(self.0),
        }
    }

    /// The bound as a calendar date, for date columns.
    pub fn date(self) -> Bind {
        Bind::Date(
            self.1
                .unwrap_or_else(|| self.0.with_timezone(&chrono_tz::Europe::Paris).date_naive()),
        )
    }
}

/// `updated_since=`: an RFC 3339 date-time.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(try_from = "String")]
pub struct Instant(pub DateTime<Utc>);

impl TryFrom<String> for Instant {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(&text)
            .map(|at| Instant(at.with_timezone(&Utc)))
            .map_err(|_| format!("`{text}` is not an RFC 3339 date-time"))
    }
}

impl Instant {
    pub fn updated_since(self) -> Condition {
        Condition::AtOrAfter {
            column: "t.updated_at",
            at: Bind::Timestamp(self.0),
        }
    }
}
