//! Filters, ready to become SQL: each renders as ` AND …` on the row aliased `t`.

use diesel::QueryableByName;
use diesel::result::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::geo::{self, GEO_PARAMS};
use super::sql::{Bind, Sql};
use super::values::{DateBound, Instant};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::msg;

/// A many-to-many link table `table(owner, target)`, described once and used by the filters,
/// the writes and the search alike.
#[derive(Debug)]
pub struct LinkTable {
    pub table: &'static str,
    /// The column naming the item (`event_id`).
    pub owner: &'static str,
    /// The column naming what it is linked to (`actor_id`), and the table it refers to.
    pub target: &'static str,
    pub targets: &'static str,
    /// The input field the links come from, to name it in errors (`speaker_ids`).
    pub field: &'static str,
    /// Whether the order given is kept (speakers, authors).
    pub ordered: bool,
}

impl LinkTable {
    /// The theme links of a collection: `table(owner, theme_id)`, given as `themes` (slugs).
    pub const fn themes(table: &'static str, owner: &'static str) -> LinkTable {
        LinkTable {
            table,
            owner,
            target: "theme_id",
            targets: "themes",
            field: "themes",
            ordered: false,
        }
    }
}

/// What a date range (`from=`, `to=`) is compared with.
#[derive(Clone, Copy, Debug)]
pub enum Span {
    /// Items that take time: not over by `from` (`ends >= from`), started by `to`. `range`
    /// is the span as a range, as the table's GiST index holds it.
    Instants {
        starts: &'static str,
        ends: &'static str,
        range: &'static str,
    },
    /// Items of a day (a date column), both bounds included; undated items match neither.
    /// `indexed` is the column as its sort index holds it (undated items last).
    Day {
        column: &'static str,
        indexed: &'static str,
    },
}

impl Span {
    /// From `t.starts_at` to `t.ends_at`: events and sessions.
    pub const SCHEDULE: Span = Span::Instants {
        starts: "t.starts_at",
        ends: "t.ends_at",
        range: "tstzrange(t.starts_at, t.ends_at, '[]')",
    };
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
    /// The row is linked through `link` to the row named by `key` (id or slug).
    Linked {
        link: &'static LinkTable,
        key: String,
    },
    /// The row is tagged with the theme `key` (id or slug) or one below it: named as ids by
    /// [`name_themes`] before it is rendered.
    Tagged { key: String },
    /// The row is tagged with one of these themes (`t.theme_ids`, kept from its links).
    TaggedWith(Vec<Uuid>),
    /// `column >= at`
    AtOrAfter { column: &'static str, at: Bind },
    /// `column < at`
    Before { column: &'static str, at: Bind },
    /// `from=` and `to=` over a span.
    During {
        span: Span,
        from: Option<DateBound>,
        to: Option<DateBound>,
    },
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
    /// No row: the filters ask for what the caller may not see.
    Nothing,
    /// `column IS NOT NULL`
    Present(&'static str),
    /// Submitted by this account, or naming its actor profile among the co-authors.
    ContributedBy {
        user: Uuid,
        actor: Option<Uuid>,
        authorship: Authorship,
    },
}

/// Who a collection's contributions belong to: the member who submitted each (`t.submitted_by`),
/// and the members whose actor profiles a column of actor ids names as co-authors, where the
/// collection has one.
#[derive(Clone, Copy, Debug)]
pub struct Authorship {
    pub coauthors: Option<&'static str>,
}

/// The most a `q` may hold.
const MAX_QUERY_CHARS: usize = 200;

/// The direction of a ranking: relevance goes down, distance up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    pub(super) fn keyword(self) -> &'static str {
        match self {
            Direction::Ascending => " ASC",
            Direction::Descending => " DESC",
        }
    }

    /// The comparison that keeps what comes after a value.
    pub(super) fn after(self) -> &'static str {
        match self {
            Direction::Ascending => " > ",
            Direction::Descending => " < ",
        }
    }
}

impl Condition {
    /// `column = value` for a text value (an enumerated filter).
    pub fn text(column: &'static str, value: &str) -> Condition {
        Condition::Equals {
            column,
            value: Bind::Text(value.to_string()),
        }
    }

    /// `from=` and `to=` over `span`, when either is given.
    pub fn during(span: Span, from: Option<DateBound>, to: Option<DateBound>) -> Option<Condition> {
        (from.is_some() || to.is_some()).then_some(Condition::During { span, from, to })
    }

    /// `has_places=`: events or sessions with places left (or unlimited), or full ones.
    pub fn has_places(value: bool) -> Condition {
        Condition::Equals {
            column: "t.has_places",
            value: Bind::Bool(value),
        }
    }

    /// What `caller` contributed (see [`Condition::ContributedBy`]); `None` for a caller
    /// without an account.
    pub fn contributed_by(caller: &Caller, authorship: Authorship) -> Option<Condition> {
        caller.user_id.map(|user| Condition::ContributedBy {
            user,
            actor: caller.actor_id,
            authorship,
        })
    }

    /// `updated_since=`: changed at or after this instant.
    pub fn updated_since(at: Instant) -> Condition {
        Condition::AtOrAfter {
            column: "t.updated_at",
            at: Bind::Timestamp(at.0),
        }
    }

    /// `q=`, checked: a 400 when empty or too long.
    pub fn search(text: &str, typo: Option<&'static str>) -> ApiResult<Condition> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
            return Err(ApiError::bad_request(msg!(
                "q-length",
                max = MAX_QUERY_CHARS
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
    pub(super) fn rank(&self) -> Option<(Sql, Direction)> {
        match self {
            Condition::Search { text, typo } => {
                Some((search_score(text, *typo), Direction::Descending))
            }
            Condition::Near(near) => Some((near.distance(), Direction::Ascending)),
            _ => None,
        }
    }

    /// A condition that no one range of an index serves, as two parts that no row meets
    /// both: the first meets few rows, found through an index of their own; the second is a
    /// range of an index in sort order. `from=` on a span (`ends >= from`) is met by the
    /// items running at `from`, found in the span's range index, and by those starting from
    /// it: a page sorted by start then reads from `from` on, where `ends >= from` alone walks
    /// every item started before it.
    pub(super) fn parts(&self) -> Option<[Sql; 2]> {
        let Condition::During {
            span,
            from: Some(from),
            to,
        } = self
        else {
            return None;
        };
        let Span::Instants { starts, range, .. } = span else {
            return None;
        };
        let at = from.start();
        let mut running = Sql::from(" AND ");
        running
            .push(range)
            .push(" @> ")
            .bind(at.clone())
            .push("::timestamptz AND ")
            .push(starts)
            .push(" < ")
            .bind(at.clone());
        let mut starting = Sql::from(" AND ");
        starting.push(starts).push(" >= ").bind(at);
        let until = during(*span, None, *to);
        running.append(&until);
        starting.append(&until);
        Some([running, starting])
    }

    pub(super) fn render(&self) -> Sql {
        let mut sql = Sql::from(" AND ");
        match self {
            Condition::Equals { column, value } => {
                sql.push(column).push(" = ").bind(value.clone());
            }
            Condition::RefersTo { column, table, key } => {
                sql.push(column).push(" = ").append(&id_or_slug(table, key));
            }
            Condition::Linked { link, key } => {
                sql.append(&linked(link))
                    .push(link.target)
                    .push(" = ")
                    .append(&id_or_slug(link.targets, key))
                    .push(")");
            }
            // Not yet named, it matches nothing rather than everything.
            Condition::Tagged { .. } => {
                sql.push("FALSE");
            }
            Condition::TaggedWith(themes) => {
                sql.push("t.theme_ids && ")
                    .bind(Bind::Uuids(themes.clone()));
            }
            Condition::AtOrAfter { column, at } => {
                sql.push(column).push(" >= ").bind(at.clone());
            }
            Condition::Before { column, at } => {
                sql.push(column).push(" < ").bind(at.clone());
            }
            Condition::During { span, from, to } => return during(*span, *from, *to),
            Condition::Search { text, typo } => {
                let words = |sql: &mut Sql| {
                    sql.push("t.search @@ relais_query(")
                        .bind(Bind::Text(text.clone()))
                        .push(")");
                };
                match typo {
                    Some(column) => {
                        sql.push("(");
                        words(&mut sql);
                        sql.push(" OR relais_fold(")
                            .push(column)
                            .push(") % relais_fold(")
                            .bind(Bind::Text(text.clone()))
                            .push("))");
                    }
                    None => words(&mut sql),
                }
            }
            Condition::Territory(territories) => return territories.render(),
            Condition::Near(near) => return near.render(),
            Condition::Within(bbox) => return bbox.render(),
            Condition::Nothing => {
                sql.push("FALSE");
            }
            Condition::Present(column) => {
                sql.push(column).push(" IS NOT NULL");
            }
            Condition::ContributedBy {
                user,
                actor,
                authorship,
            } => {
                sql.push("(t.submitted_by = ").bind(Bind::Uuid(*user));
                if let (Some(actor), Some(coauthors)) = (actor, authorship.coauthors) {
                    sql.push(" OR ")
                        .push(coauthors)
                        .push(" @> ")
                        .bind(Bind::Uuids(vec![*actor]));
                }
                sql.push(")");
            }
        }
        sql
    }
}

/// The relevance of a row of `t` to the words `text`: its weighted text rank, plus the
/// similarity of `typo` (a name) when typos are tolerated.
pub(crate) fn search_score(text: &str, typo: Option<&'static str>) -> Sql {
    let mut score = Sql::from("ts_rank(t.search, relais_query(");
    score.bind(Bind::Text(text.to_string())).push("), 32)");
    if let Some(column) = typo {
        score
            .push(" + similarity(relais_fold(")
            .push(column)
            .push("), relais_fold(")
            .bind(Bind::Text(text.to_string()))
            .push("))");
    }
    let mut sql = Sql::from("(");
    sql.append(&score).push(")");
    sql
}

/// `EXISTS (SELECT 1 FROM link l WHERE l.owner = t.id AND l.`, to be completed.
fn linked(link: &LinkTable) -> Sql {
    let mut sql = Sql::from("EXISTS (SELECT 1 FROM ");
    sql.push(link.table)
        .push(" l WHERE l.")
        .push(link.owner)
        .push(" = t.id AND l.");
    sql
}

#[derive(QueryableByName)]
struct ThemeId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
}

/// The ids of the theme `key` (id or slug) and of every theme below it; none when it names
/// no theme.
pub async fn themes_below(conn: &AsyncPgConnection, key: &str) -> QueryResult<Vec<Uuid>> {
    let mut below = Sql::from("WITH RECURSIVE below(id) AS (SELECT id FROM themes WHERE id = ");
    below.append(&id_or_slug("themes", key)).push(
        " UNION SELECT c.id FROM themes c JOIN below ON c.parent_id = below.id) \
         SELECT id FROM below",
    );
    let themes = below.load::<ThemeId>(&mut &*conn).await?;
    Ok(themes.into_iter().map(|theme| theme.id).collect())
}

/// Names the themes of each [`Condition::Tagged`] with the ids `below` gives for its key.
///
/// Bound as values, the ids let the planner weigh the themes by how often each appears in
/// the rows' `theme_ids`, where a subquery got its default guess: on 10,000 events it hashed
/// every theme link to find a theme's upcoming events (12 ms), where walking the start index
/// stops after some sixty rows (0.2 ms).
pub fn name_themes(conditions: &mut [Condition], mut below: impl FnMut(&str) -> Vec<Uuid>) {
    for condition in conditions {
        if let Condition::Tagged { key } = condition {
            *condition = Condition::TaggedWith(below(key));
        }
    }
}

/// The id of the row of `table` named by `key`: the key itself when it is a UUID, else the
/// row whose slug it is.
fn id_or_slug(table: &'static str, key: &str) -> Sql {
    match Uuid::parse_str(key) {
        Ok(id) => {
            let mut sql = Sql::new();
            sql.bind(Bind::Uuid(id));
            sql
        }
        Err(_) => {
            let mut sql = Sql::from("(SELECT id FROM ");
            sql.push(table)
                .push(" WHERE slug = ")
                .bind(Bind::Text(key.to_string()))
                .push(")");
            sql
        }
    }
}

fn during(span: Span, from: Option<DateBound>, to: Option<DateBound>) -> Sql {
    let mut sql = Sql::new();
    match span {
        Span::Instants { starts, ends, .. } => {
            if let Some(from) = from {
                sql.push(" AND ").push(ends).push(" >= ").bind(from.start());
            }
            if let Some(to) = to {
                sql.push(" AND ").push(starts).push(" < ").bind(to.end());
            }
        }
        Span::Day { column, indexed } => {
            if let Some(from) = from {
                sql.push(" AND ")
                    .push(indexed)
                    .push(" >= ")
                    .bind(from.date());
            }
            if let Some(to) = to {
                sql.push(" AND ")
                    .push(indexed)
                    .push(" <= ")
                    .bind(to.date())
                    .push(" AND ")
                    .push(column)
                    .push(" IS NOT NULL");
            }
        }
    }
    sql
}

/// The geographic filters as conditions, checked.
impl geo::GeoFilters {
    /// The first of them given, if any.
    pub fn first_given(&self) -> Option<&'static str> {
        let given = [
            self.territory.is_some(),
            self.near.is_some(),
            self.radius_km.is_some(),
            self.bbox.is_some(),
        ];
        GEO_PARAMS
            .iter()
            .zip(given)
            .find_map(|(name, given)| given.then_some(*name))
    }

    /// The conditions they make, checked together.
    pub fn conditions(&self) -> ApiResult<Vec<Condition>> {
        geographic(
            self.territory.as_ref(),
            self.near,
            self.radius_km,
            self.bbox,
        )
    }
}

fn geographic(
    territory: Option<&geo::Territories>,
    near: Option<geo::Point>,
    radius_km: Option<f64>,
    bbox: Option<geo::BoundingBox>,
) -> ApiResult<Vec<Condition>> {
    let mut conditions = Vec::new();
    if let Some(territory) = territory {
        conditions.push(Condition::Territory(territory.clone()));
    }
    if let Some(radius) = radius_km
        && !(radius > 0.0 && radius <= geo::MAX_RADIUS_KM)
    {
        return Err(ApiError::bad_request(msg!(
            "radius-range",
            max = geo::MAX_RADIUS_KM
        )));
    }
    match (near, radius_km) {
        (Some(center), radius_km) => {
            conditions.push(Condition::Near(geo::Near { center, radius_km }))
        }
        (None, Some(_)) => {
            return Err(ApiError::bad_request(msg!("radius-needs-near")));
        }
        (None, None) => {}
    }
    if let Some(bbox) = bbox {
        conditions.push(Condition::Within(bbox));
    }
    Ok(conditions)
}

/// A collection's filter parameters.
pub trait Filters: serde::de::DeserializeOwned {
    fn conditions(&self) -> ApiResult<Vec<Condition>>;
}
