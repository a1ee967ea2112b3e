//! SQL made only from safe pieces: text written in the code (`&'static str`: keywords,
//! whitelisted table and column names) and values, which always travel as bind parameters.
//! There is no way to put a string made at run time into the text of a statement.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Bool, Date, Double, Text, Timestamptz, Untyped};
use std::sync::Arc;
use uuid::Uuid;

/// A value bound to a statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    Text(String),
    Uuid(Uuid),
    Bool(bool),
    Int(i64),
    Float(f64),
    Timestamp(DateTime<Utc>),
    Date(NaiveDate),
    Texts(Vec<String>),
    Uuids(Vec<Uuid>),
}

#[derive(Clone, Debug)]
enum Piece {
    Code(&'static str),
    /// Consecutive `Code` pieces joined once ([`Sql::frozen`]): still only text of the code.
    Joined(Arc<str>),
    Value(Bind),
}

/// A statement, or a part of one, to be appended to another.
#[derive(Clone, Debug, Default)]
pub struct Sql {
    pieces: Vec<Piece>,
}

impl From<&'static str> for Sql {
    fn from(code: &'static str) -> Sql {
        Sql {
            pieces: vec![Piece::Code(code)],
        }
    }
}

impl Sql {
    pub fn new() -> Sql {
        Sql::default()
    }

    /// Appends text written in the code.
    pub fn push(&mut self, code: &'static str) -> &mut Self {
        self.pieces.push(Piece::Code(code));
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: Bind) -> &mut Self {
        self.pieces.push(Piece::Value(value));
        self
    }

    /// Appends another fragment, its values with it.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        self.pieces.extend(other.pieces.iter().cloned());
        self
    }

    /// The fragments one after the other, with `separator` between them.
    pub fn join(parts: impl IntoIterator<Item = Sql>, separator: &'static str) -> Sql {
        let mut joined = Sql::new();
        for (index, part) in parts.into_iter().enumerate() {
            if index > 0 {
                joined.push(separator);
            }
            joined.pieces.extend(part.pieces);
        }
        joined
    }

    /// The same statement with each run of text joined into one piece: cheap to clone and to
    /// walk, for a statement kept and reused.
    pub fn frozen(&self) -> Sql {
        let mut pieces = Vec::new();
        let mut text = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Code(code) => text.push_str(code),
                Piece::Joined(joined) => text.push_str(joined),
                Piece::Value(_) => {
                    if !text.is_empty() {
                        pieces.push(Piece::Joined(Arc::from(std::mem::take(&mut text))));
                    }
                    pieces.push(piece.clone());
                }
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Joined(Arc::from(text)));
        }
        Sql { pieces }
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The text, with `$1`, `$2`… where the values go, and the values in that order.
    pub fn render(&self) -> (String, Vec<Bind>) {
        let mut text = String::new();
        let mut binds = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Code(code) => text.push_str(code),
                Piece::Joined(joined) => text.push_str(joined),
                Piece::Value(value) => {
                    binds.push(value.clone());
                    text.push('$');
                    text.push_str(&binds.len().to_string());
                }
            }
        }
        (text, binds)
    }
}

/// A statement's text is made of its static pieces, with `$n` for each value: the same for
/// every request of a shape, whatever the values. The connection's statement cache keys
/// prepared statements by that text, so each shape is parsed and planned once per connection.
impl QueryFragment<Pg> for Sql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Code(code) => out.push_sql(code),
                Piece::Joined(joined) => out.push_sql(joined),
                Piece::Value(value) => match value {
                    Bind::Text(v) => out.push_bind_param::<Text, _>(v)?,
                    Bind::Uuid(v) => out.push_bind_param::<diesel::sql_types::Uuid, _>(v)?,
                    Bind::Bool(v) => out.push_bind_param::<Bool, _>(v)?,
                    Bind::Int(v) => out.push_bind_param::<BigInt, _>(v)?,
                    Bind::Float(v) => out.push_bind_param::<Double, _>(v)?,
                    Bind::Timestamp(v) => out.push_bind_param::<Timestamptz, _>(v)?,
                    Bind::Date(v) => out.push_bind_param::<Date, _>(v)?,
                    Bind::Texts(v) => out.push_bind_param::<Array<Text>, _>(v)?,
                    Bind::Uuids(v) => {
                        out.push_bind_param::<Array<diesel::sql_types::Uuid>, _>(v)?
                    }
                },
            }
        }
        Ok(())
    }
}

impl QueryId for Sql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_numbered_in_order_and_never_in_the_text() {
        let mut inner = Sql::from("t.slug = ");
        inner.bind(Bind::Text("'; DROP TABLE events; --".into()));
        let mut sql = Sql::from("SELECT 1 FROM events t WHERE t.id = ");
        sql.bind(Bind::Int(7)).push(" AND ").append(&inner);
        let (text, binds) = sql.render();
        assert_eq!(
            text,
            "SELECT 1 FROM events t WHERE t.id = $1 AND t.slug = $2"
        );
        assert_eq!(binds.len(), 2);
        let joined = Sql::join([Sql::from("a"), Sql::from("b"), Sql::from("c")], ", ");
        assert_eq!(joined.render().0, "a, b, c");
        let frozen = sql.frozen();
        assert_eq!(frozen.pieces.len(), 4, "{frozen:?}");
        assert_eq!(frozen.render(), sql.render());
    }
}
