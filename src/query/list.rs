//! Running a list: the request is first resolved into a [`Plan`] (conditions, order, where
//! the page starts, facets), which then gives the statements of the page, its total and its
//! facets; they run together, pipelined on one connection.

use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::result::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

use super::collection::{Collection, FACET_VALUES, Facet, FacetCount};
use super::condition::{self, Condition, Direction, Filters};
use super::counts::{Counts, Key, Snapshot, Tally};
use super::cursor::{self, Position, Sort};
use super::geo::Near;
use super::page::{Resume, Rows};
use super::params::{DEFAULT_PER_PAGE, ListQuery, unknown_parameter};
use super::sql::{Bind, Sql};
use crate::auth::Role;
use crate::error::{ApiError, ApiResult};
use crate::msg;

/// Totals are exact up to this many rows; beyond, the planner's estimate is given (and
/// `meta.total_is_estimate` says so), so that a list never counts a million rows.
pub const EXACT_TOTAL_LIMIT: i64 = 10_000;

/// How a page is ordered.
enum Order {
    /// By `sort=` (or the collection's default), then by id.
    Sorted(Sort),
    /// Without `sort`, `q` puts the most relevant first, and `near` the nearest.
    Ranked {
        rank: Sql,
        direction: Direction,
        signature: String,
    },
}

/// A list request resolved against its collection, before any SQL runs.
pub struct Plan {
    collection: &'static Collection,
    role: Role,
    conditions: Vec<Condition>,
    order: Order,
    /// Rows skipped (`page=`), or the last row of the previous page (`cursor=`).
    offset: u64,
    after: Option<Position>,
    per_page: u32,
    facets: Vec<&'static Facet>,
    near: Option<Near>,
}

impl Plan {
    pub fn new<F: Filters>(
        collection: &'static Collection,
        role: Role,
        query: &ListQuery<F>,
        scope: Vec<Condition>,
    ) -> ApiResult<Plan> {
        let mut conditions = scope;
        conditions.extend(query.filters.conditions()?);
        match (collection.located, query.geo.first_given()) {
            (true, _) => conditions.extend(query.geo.conditions()?),
            (false, Some(name)) => return Err(unknown_parameter(name)),
            (false, None) => {}
        }
        if conditions
            .iter()
            .any(|c| collection.visibility.hides_all(role, c))
        {
            conditions.push(Condition::Nothing);
        }
        let order = order(collection, query.paging.sort.as_deref(), &conditions)?;
        let after = match (&query.paging.cursor, &order) {
            (None, _) => None,
            (Some(text), Order::Sorted(sort)) => Some(cursor::decode_keyset(text, sort)?),
            (Some(text), Order::Ranked { signature, .. }) => {
                let (rank, id) = cursor::decode_ranked(text, signature)?;
                Some(Position::Ranked { rank, id })
            }
        };
        let per_page = query.paging.per_page.unwrap_or(DEFAULT_PER_PAGE);
        let near = conditions.iter().find_map(|c| match c {
            Condition::Near(near) => Some(*near),
            _ => None,
        });
        Ok(Plan {
            collection,
            role,
            offset: query.paging.offset(),
            after,
            per_page,
            facets: facets(collection, query.paging.facets.as_deref())?,
            near,
            order,
            conditions,
        })
    }

    /// Names, as ids, the themes its filters name by key: a round trip, for a plan that the
    /// planner can weigh (see [`condition::name_themes`]).
    pub async fn name_themes(&mut self, conn: &AsyncPgConnection) -> QueryResult<()> {
        for condition in &mut self.conditions {
            if let Condition::Tagged { key } = condition {
                *condition = Condition::TaggedWith(condition::themes_below(conn, key).await?);
            }
        }
        Ok(())
    }

    /// Names the themes its filters name by key with the ids `below` gives for each key.
    pub fn name_themes_with(&mut self, below: impl FnMut(&str) -> Vec<Uuid>) {
        condition::name_themes(&mut self.conditions, below);
    }

    /// ` WHERE …`: what the caller may see, then the conditions.
    fn filter(&self) -> Sql {
        self.collection.filter(self.role, &self.conditions)
    }

    /// The select list, over `t`; with `near`, the rows' distances from it.
    fn columns(&self) -> Sql {
        let distance = self.near.map(|near| near.distance());
        self.collection.select_list(distance.as_ref())
    }

    /// The page, one row more than asked: that row tells whether there is a next page.
    pub fn page(&self) -> Sql {
        match &self.order {
            Order::Sorted(sort) => self.sorted_page(sort),
            Order::Ranked {
                rank, direction, ..
            } => self.ranked_page(rank, *direction),
        }
    }

    /// A sorted page. Where a condition is met by parts ([`Condition::parts`]), the page is
    /// cut from the union of the few rows of the first part, read whole through their own
    /// index, and of the second part's rows in order up to the page's end; both give only
    /// ids and sort keys, and only the page's rows are then read whole.
    fn sorted_page(&self, sort: &Sort) -> Sql {
        let Some([few, ordered]) = self.parted_filters() else {
            let mut sql = Sql::from("SELECT ");
            sql.append(&self.columns())
                .append(&self.collection.from())
                .append(&self.filter())
                .append(&self.after_cursor(sort));
            order_by(&mut sql, sort);
            self.limit(&mut sql);
            return sql;
        };
        let mut sql = Sql::from("SELECT ");
        sql.append(&self.columns())
            .push(" FROM (SELECT * FROM (")
            .append(&self.keys_of(sort, &few))
            .push(" UNION ALL (")
            .append(&self.keys_of(sort, &ordered));
        order_by(&mut sql, sort);
        sql.push(" LIMIT ")
            .bind(Bind::Int(self.rows_to_read()))
            .push(")) t");
        order_by(&mut sql, sort);
        self.limit(&mut sql);
        sql.push(") r JOIN ")
            .push(self.collection.table)
            .push(" t ON t.id = r.id");
        order_by(&mut sql, sort);
        sql
    }

    /// `SELECT t.id` and the sort's columns `FROM table t` `filter`, after the cursor.
    fn keys_of(&self, sort: &Sort, filter: &Sql) -> Sql {
        let mut sql = Sql::from("SELECT t.id");
        for (key, _) in sort {
            sql.push(", ").push(key.column);
        }
        sql.append(&self.collection.from())
            .append(filter)
            .append(&self.after_cursor(sort));
        sql
    }

    /// ` AND` what comes after the cursor, if any.
    fn after_cursor(&self, sort: &Sort) -> Sql {
        match &self.after {
            Some(Position::Keyset { values, id }) => cursor::after_keyset(sort, values, *id),
            _ => Sql::new(),
        }
    }

    /// The ` WHERE …` of each part, when a condition is met by parts.
    fn parted_filters(&self) -> Option<[Sql; 2]> {
        let (parted, parts) = self
            .conditions
            .iter()
            .enumerate()
            .find_map(|(index, condition)| Some((index, condition.parts()?)))?;
        Some(parts.map(|part| {
            let conditions =
                self.conditions
                    .iter()
                    .enumerate()
                    .map(|(index, condition)| match index == parted {
                        true => part.clone(),
                        false => condition.render(),
                    });
            self.collection.where_clause(self.role, conditions)
        }))
    }

    /// The rows a page reads: those it skips, its own, and one more.
    fn rows_to_read(&self) -> i64 {
        let offset = i64::try_from(self.offset).unwrap_or(i64::MAX);
        offset.saturating_add(i64::from(self.per_page) + 1)
    }

    /// ` LIMIT per_page + 1 OFFSET offset`.
    fn limit(&self, sql: &mut Sql) {
        sql.push(" LIMIT ")
            .bind(Bind::Int(i64::from(self.per_page) + 1))
            .push(" OFFSET ")
            .bind(Bind::Int(i64::try_from(self.offset).unwrap_or(i64::MAX)));
    }

    /// A page ranked by relevance or distance. The matches are ranked and counted by id
    /// alone, the page is cut after the cursor's rank, and only its rows are read whole: a
    /// page costs the same at any depth. The rank is computed below the count (`OFFSET 0`
    /// keeps it there), so the count buffers ids and ranks, not whole rows.
    fn ranked_page(&self, rank: &Sql, direction: Direction) -> Sql {
        let mut sql = Sql::from("SELECT ");
        sql.append(&self.columns())
            .push(
                ", r.ranking, r.total_count FROM (SELECT s.id, s.ranking, s.total_count FROM \
                 (SELECT m.id, m.ranking, count(*) OVER () AS total_count FROM (SELECT t.id, (",
            )
            .append(rank)
            .push(")::float8 AS ranking")
            .append(&self.collection.from())
            .append(&self.filter())
            .push(" OFFSET 0) m) s");
        if let Some(Position::Ranked { rank, id }) = self.after {
            sql.push(" WHERE ").append(&cursor::after_rank(
                "s.ranking",
                "s.id",
                direction,
                rank,
                id,
            ));
        }
        sql.push(" ORDER BY s.ranking")
            .push(direction.keyword())
            .push(", s.id");
        self.limit(&mut sql);
        sql.push(") r JOIN ")
            .push(self.collection.table)
            .push(" t ON t.id = r.id ORDER BY r.ranking")
            .push(direction.keyword())
            .push(", t.id");
        sql
    }

    /// The matches counted, up to one more than [`EXACT_TOTAL_LIMIT`].
    pub fn count(&self) -> Sql {
        let mut sql = Sql::from("SELECT count(*) AS n FROM (SELECT 1");
        sql.append(&self.collection.from())
            .append(&self.filter())
            .push(" LIMIT ")
            .bind(Bind::Int(EXACT_TOTAL_LIMIT + 1))
            .push(") c");
        sql
    }

    /// The planner's estimate of the matches, for totals beyond [`EXACT_TOTAL_LIMIT`].
    fn estimate(&self) -> Sql {
        let mut sql = Sql::from("EXPLAIN (FORMAT JSON) SELECT 1");
        sql.append(&self.collection.from()).append(&self.filter());
        sql
    }

    /// The most frequent values of `facet` among the matches.
    pub fn facet(&self, facet: &Facet) -> Sql {
        let mut sql = Sql::from("SELECT * FROM (SELECT (");
        sql.push(facet.label)
            .push(")::text AS value, f.count FROM (SELECT v.value, count(*) AS count FROM (SELECT ")
            .push(facet.value)
            .push(" AS value")
            .append(&self.collection.from())
            .push(" ")
            .push(facet.join)
            .append(&self.filter())
            .push(
                ") v WHERE v.value IS NOT NULL GROUP BY 1) f) l WHERE l.value IS NOT NULL \
                 ORDER BY 2 DESC, 1 LIMIT ",
            )
            .bind(Bind::Int(FACET_VALUES));
        sql
    }

    /// The statements a page may run: its page, its count (unless ranked: the page counts
    /// its matches as it ranks them) and its facets. Counts kept from an earlier request
    /// ([`Counts`]) and a last page's total are not run again.
    pub fn statements(&self) -> Vec<Sql> {
        let count = matches!(self.order, Order::Sorted(_)).then(|| self.count());
        std::iter::once(self.page())
            .chain(count)
            .chain(self.facets.iter().map(|facet| self.facet(facet)))
            .collect()
    }
}

/// ` ORDER BY` the sort's keys, then the id.
fn order_by(sql: &mut Sql, sort: &Sort) {
    sql.push(" ORDER BY ");
    for (key, direction) in sort {
        sql.append(&key.expression())
            .push(direction.keyword())
            .push(", ");
    }
    sql.push("t.id ASC");
}

/// The order of a list: ranked when it searches or starts from a point and `sort` is not
/// given, else sorted.
fn order(
    collection: &Collection,
    sort: Option<&str>,
    conditions: &[Condition],
) -> ApiResult<Order> {
    let ranking = sort.is_none().then(|| {
        let search = conditions
            .iter()
            .find(|c| matches!(c, Condition::Search { .. }));
        search.or_else(|| conditions.iter().find(|c| matches!(c, Condition::Near(_))))
    });
    match ranking.flatten() {
        Some(ranking) => {
            let (rank, direction) = ranking
                .rank()
                .ok_or_else(|| ApiError::internal("a ranking condition without a rank"))?;
            Ok(Order::Ranked {
                rank,
                direction,
                signature: cursor::ranking_signature(ranking),
            })
        }
        None => Ok(Order::Sorted(parse_sort(collection, sort)?)),
    }
}

/// Parses `sort=-a,b` against the whitelist. A field named again is already ordered by its
/// first mention, as in SQL's `ORDER BY a, a DESC`: it adds nothing, and is left out.
fn parse_sort(collection: &Collection, sort: Option<&str>) -> ApiResult<Sort> {
    let sort = sort.unwrap_or(collection.default_sort);
    let mut keys: Sort = Vec::new();
    for part in sort.split(',').map(str::trim) {
        let (name, direction) = match part.strip_prefix('-') {
            Some(name) => (name, Direction::Descending),
            None => (part, Direction::Ascending),
        };
        let key = collection.sort_key(name).ok_or_else(|| {
            let names: Vec<_> = collection.sorts.iter().map(|k| k.name).collect();
            ApiError::bad_request(msg!(
                "sort-unknown",
                name = name.to_string(),
                fields = names.join(", ")
            ))
        })?;
        if !keys.iter().any(|(k, _)| k.name == key.name) {
            keys.push((key, direction));
        }
    }
    Ok(keys)
}

/// The facets asked for, from the list's own.
fn facets(collection: &Collection, facets: Option<&str>) -> ApiResult<Vec<&'static Facet>> {
    let Some(facets) = facets else {
        return Ok(Vec::new());
    };
    let mut chosen: Vec<&'static Facet> = Vec::new();
    for name in facets.split(',').map(str::trim) {
        let facet = collection
            .facets
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| {
                let names: Vec<_> = collection.facets.iter().map(|f| f.name).collect();
                ApiError::bad_request(match names.as_slice() {
                    [] => msg!("facet-none", name = name.to_string()),
                    _ => msg!(
                        "facet-unknown",
                        name = name.to_string(),
                        facets = names.join(", ")
                    ),
                })
            })?;
        if !chosen.iter().any(|f| f.name == facet.name) {
            chosen.push(facet);
        }
    }
    Ok(chosen)
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
struct Estimate {
    #[diesel(column_name = "QUERY PLAN", sql_type = diesel::sql_types::Json)]
    plan: serde_json::Value,
}

/// A page as read: its rows, their ranks when ranked, and the matches counted when ranked
/// (`None` past the last match, where no row carries the count).
struct Fetched<R> {
    rows: Vec<R>,
    ranks: Vec<f64>,
    counted: Option<i64>,
}

impl Plan {
    /// The page's rows.
    async fn fetch<R>(&self, conn: &AsyncPgConnection) -> Result<Fetched<R>, diesel::result::Error>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        match self.order {
            Order::Ranked { .. } => {
                let rows = self.page().load::<Counted<R>>(&mut &*conn).await?;
                let counted = rows.as_slice().first().map(|r| r.total);
                let ranks = rows.iter().map(|r| r.rank).collect();
                Ok(Fetched {
                    rows: rows.into_iter().map(|r| r.row).collect(),
                    ranks,
                    counted,
                })
            }
            Order::Sorted(_) => Ok(Fetched {
                rows: self.page().load::<R>(&mut &*conn).await?,
                ranks: Vec::new(),
                counted: None,
            }),
        }
    }

    /// The facets' counts, in order: those kept under `snapshot`, the others counted now
    /// (together, pipelined).
    async fn count_facets(
        &self,
        conn: &AsyncPgConnection,
        counts: &Counts,
        snapshot: &Arc<str>,
    ) -> Result<Vec<Vec<FacetCount>>, diesel::result::Error> {
        let loads = self.facets.iter().map(|facet| async move {
            let statement = self.facet(facet);
            let key = Key::of(&statement);
            if let Some(Tally::Facet(kept)) = counts.get(&key, snapshot) {
                return Ok(kept.to_vec());
            }
            let counted = statement.load::<FacetCount>(&mut &*conn).await?;
            counts.keep(key, snapshot, Tally::Facet(counted.as_slice().into()));
            Ok(counted)
        });
        futures_util::future::try_join_all(loads).await
    }

    /// The total of a sorted list: known from the page when it is the last one (and not
    /// reached by cursor), else kept under `snapshot`, else counted exactly up to
    /// [`EXACT_TOTAL_LIMIT`] and estimated by the planner beyond.
    async fn sorted_total(
        &self,
        conn: &AsyncPgConnection,
        counts: &Counts,
        snapshot: &Arc<str>,
        rows: usize,
    ) -> Result<(i64, bool), diesel::result::Error> {
        let last_page = rows <= self.per_page as usize && (rows > 0 || self.offset == 0);
        if last_page && self.after.is_none() {
            let offset = i64::try_from(self.offset).unwrap_or(i64::MAX);
            return Ok((offset.saturating_add(rows as i64), false));
        }
        let statement = self.count();
        let key = Key::of(&statement);
        if let Some(Tally::Total { total, estimate }) = counts.get(&key, snapshot) {
            return Ok((total, estimate));
        }
        let counted = statement.get_result::<Count>(&mut &*conn).await?.n;
        let (total, estimate) = match counted <= EXACT_TOTAL_LIMIT {
            true => (counted, false),
            false => {
                let plan: Estimate = self.estimate().get_result(&mut &*conn).await?;
                let rows = plan.plan[0]["Plan"]["Plan Rows"]
                    .as_f64()
                    .unwrap_or_default();
                // The estimate cannot be below what has been counted.
                ((rows as i64).max(counted), true)
            }
        };
        counts.keep(key, snapshot, Tally::Total { total, estimate });
        Ok((total, estimate))
    }

    /// The total of a ranked list: the page counted its matches as it ranked them, unless it
    /// is past the last one.
    async fn ranked_total(
        &self,
        conn: &AsyncPgConnection,
        counted: Option<i64>,
    ) -> Result<(i64, bool), diesel::result::Error> {
        match counted {
            Some(n) => Ok((n, false)),
            None if self.offset == 0 && self.after.is_none() => Ok((0, false)),
            None => {
                let mut sql = Sql::from("SELECT count(*) AS n");
                sql.append(&self.collection.from()).append(&self.filter());
                Ok((sql.get_result::<Count>(&mut &*conn).await?.n, false))
            }
        }
    }

    /// Runs the plan: one page of rows, with its total and facets. The snapshot is read
    /// first, with the page (pipelined); what is not kept under it is then counted.
    pub async fn run<R>(
        mut self,
        conn: &mut AsyncPgConnection,
        counts: &Counts,
    ) -> ApiResult<Rows<R>>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        let conn: &AsyncPgConnection = conn;
        self.name_themes(conn).await?;
        let (snapshot, fetched) =
            futures_util::future::try_join(Snapshot::read(conn), self.fetch::<R>(conn)).await?;
        let total = async {
            match self.order {
                Order::Ranked { .. } => self.ranked_total(conn, fetched.counted).await,
                Order::Sorted(_) => {
                    let rows = fetched.rows.len();
                    self.sorted_total(conn, counts, &snapshot, rows).await
                }
            }
        };
        let ((total, total_is_estimate), facet_counts) =
            futures_util::future::try_join(total, self.count_facets(conn, counts, &snapshot))
                .await?;
        let facets = (!self.facets.is_empty()).then(|| {
            self.facets
                .iter()
                .map(|f| f.name.to_string())
                .zip(facet_counts)
                .collect::<BTreeMap<_, _>>()
        });
        let Fetched {
            mut rows, ranks, ..
        } = fetched;
        let per_page = self.per_page as usize;
        let has_more = rows.len() > per_page;
        rows.truncate(per_page);
        let resume = match self.order {
            Order::Ranked { signature, .. } => Resume::Ranked {
                signature,
                last: rows
                    .len()
                    .checked_sub(1)
                    .and_then(|i| ranks.get(i).copied()),
            },
            Order::Sorted(sort) => Resume::Keyset(sort),
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
}
