//! A small SQL builder whose values are always bind parameters.
//!
//! Lists are assembled from a whitelist of column names (static strings in the code) and
//! filter values, which only ever travel as `$n` parameters.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Array, Bool, Date, Double, Text, Timestamptz};
use uuid::Uuid;

#[derive(Clone, Debug)]
pub enum Bind {
    Text(String),
    Uuid(Uuid),
    Bool(bool),
    Float(f64),
    Timestamp(DateTime<Utc>),
    Date(NaiveDate),
    Texts(Vec<String>),
    Uuids(Vec<Uuid>),
}

#[derive(Clone, Debug, Default)]
pub struct SqlBuilder {
    sql: String,
    binds: Vec<Bind>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        SqlBuilder {
            sql: sql.to_string(),
            binds: Vec::new(),
        }
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Adds a bind parameter and returns its placeholder.
    pub fn param(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn into_query(self) -> BoxedSqlQuery<'static, Pg, SqlQuery> {
        let mut query = diesel::sql_query(self.sql).into_boxed::<Pg>();
        for bind in self.binds {
            query = match bind {
                Bind::Text(v) => query.bind::<Text, _>(v),
                Bind::Uuid(v) => query.bind::<diesel::sql_types::Uuid, _>(v),
                Bind::Bool(v) => query.bind::<Bool, _>(v),
                Bind::Float(v) => query.bind::<Double, _>(v),
                Bind::Timestamp(v) => query.bind::<Timestamptz, _>(v),
                Bind::Date(v) => query.bind::<Date, _>(v),
                Bind::Texts(v) => query.bind::<Array<Text>, _>(v),
                Bind::Uuids(v) => query.bind::<Array<diesel::sql_types::Uuid>, _>(v),
            };
        }
        query
    }
}
