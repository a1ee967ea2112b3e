//! Reading rows by key: one item by id or slug as a role sees it, several at once, and every
//! row that meets conditions (exports).

use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::cell::RefCell;
use std::collections::HashMap;
use uuid::Uuid;

use super::collection::{Collection, Keys, Lock};
use super::condition::Condition;
use super::sql::{Bind, Sql};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};

impl Collection {
    /// ` WHERE …`: what `role` may see, then the conditions.
    pub(crate) fn filter(&self, role: Role, conditions: &[Condition]) -> Sql {
        self.where_clause(role, conditions.iter().map(Condition::render))
    }

    /// ` WHERE …`: what `role` may see, then the conditions, rendered.
    pub(super) fn where_clause(
        &self,
        role: Role,
        conditions: impl IntoIterator<Item = Sql>,
    ) -> Sql {
        let mut sql = Sql::from(" WHERE TRUE");
        sql.append(&self.visibility.render(role));
        for condition in conditions {
            sql.append(&condition);
        }
        sql
    }

    /// `SELECT columns FROM table t WHERE` what `role` sees `AND` `key`.
    fn select_one(&self, role: Role, scope: &[Condition], key: Sql) -> Sql {
        let mut sql = Sql::from("SELECT ");
        sql.append(&self.select_list(None))
            .append(&self.from())
            .append(&self.filter(role, scope))
            .append(&key);
        sql
    }

    /// The rows the caller may see among those of `keys`: one query, whatever their number.
    pub async fn find_all<R>(
        &self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        keys: Keys,
    ) -> ApiResult<Vec<R>>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        let mut key = Sql::new();
        match keys {
            Keys::Slugs(slugs) => key.push(" AND t.slug = ANY(").bind(Bind::Texts(slugs)),
            Keys::Ids(ids) => key.push(" AND t.id = ANY(").bind(Bind::Uuids(ids)),
        };
        key.push(")");
        let sql = self.select_one(caller.role, &[], key);
        sql.load::<R>(conn).await.map_err(ApiError::from)
    }

    /// Every row that meets `conditions`, in `order`: exports, which are not paged.
    pub async fn find_matching<R>(
        &self,
        conn: &mut AsyncPgConnection,
        conditions: &[Condition],
        order: &'static str,
    ) -> ApiResult<Vec<R>>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        let mut order_by = Sql::from(" ORDER BY ");
        order_by.push(order);
        let sql = self.select_one(Role::Admin, conditions, order_by);
        sql.load::<R>(conn).await.map_err(ApiError::from)
    }

    /// One row by id or slug, if the caller may see it; with [`Lock::ForUpdate`], locked for
    /// the rest of the transaction.
    pub async fn find<R>(
        &self,
        conn: &mut AsyncPgConnection,
        caller: &Caller,
        key: &str,
        scope: &[Condition],
        lock: Lock,
    ) -> ApiResult<R>
    where
        R: QueryableByName<Pg> + Send + 'static,
    {
        let sql = self
            .find_statement(caller.role, key, scope, lock)
            .ok_or_else(ApiError::not_found)?;
        sql.get_result::<R>(conn).await.map_err(ApiError::from)
    }

    /// The statement that reads one row by id or slug as `role` sees it; `None` for a key
    /// that can name no row.
    pub fn find_statement(
        &self,
        role: Role,
        key: &str,
        scope: &[Condition],
        lock: Lock,
    ) -> Option<Sql> {
        let (column, value) = match Uuid::parse_str(key) {
            Ok(id) => (" AND t.id = ", Bind::Uuid(id)),
            // Rows without a slug (accounts) are named by id only.
            Err(_) if !self.fields.contains(&"slug") => return None,
            Err(_) => (" AND t.slug = ", Bind::Text(key.to_string())),
        };
        let mut sql = if scope.is_empty() {
            self.read_by_key(role, column)
        } else {
            self.select_one(role, scope, Sql::from(column))
        };
        sql.bind(value);
        if lock == Lock::ForUpdate {
            sql.push(" FOR UPDATE OF t");
        }
        Some(sql)
    }

    /// `SELECT … WHERE` what `role` sees `AND t.<key> = `, made once per worker thread and
    /// kept frozen: an item read is the commonest statement, and its text never changes.
    fn read_by_key(&self, role: Role, column: &'static str) -> Sql {
        thread_local! {
            static READS: RefCell<HashMap<(usize, Role, &'static str), Sql>> =
                RefCell::new(HashMap::new());
        }
        // Collections are statics: an address names one for the life of the process.
        let key = (std::ptr::from_ref(self) as usize, role, column);
        READS.with_borrow_mut(|reads| {
            reads
                .entry(key)
                .or_insert_with(|| self.select_one(role, &[], Sql::from(column)).frozen())
                .clone()
        })
    }
}
