//! Keyset cursors: where the next page starts, handed to the client as an opaque token and
//! decoded once, into typed values, when it comes back.
//!
//! On the wire a cursor is URL-safe base64 of `{"s": signature, "v": [values…, id]}`: the
//! `sort` (or the ranking) it was made for, then the last row's values of the sort keys (or its
//! rank) and its id.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::collection::{KeyType, SortKey};
use super::condition::{Condition, Direction};
use super::sql::{Bind, Sql};
use crate::error::{ApiError, ApiResult};
use crate::msg;

/// A sort of a list: its keys, each ascending or descending.
pub type Sort = Vec<(&'static SortKey, Direction)>;

#[derive(Serialize, Deserialize)]
struct Wire {
    s: String,
    v: Vec<Option<String>>,
}

impl Wire {
    fn encode(&self) -> ApiResult<String> {
        let json = serde_json::to_vec(self)
            .map_err(|e| ApiError::internal(format!("encoding a cursor: {e}")))?;
        Ok(URL_SAFE_NO_PAD.encode(json))
    }

    fn decode(text: &str) -> ApiResult<Wire> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

fn invalid() -> ApiError {
    ApiError::bad_request(msg!("cursor-invalid"))
}

/// A sort key's value in a cursor, typed as its column.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum KeyValue {
    Value(Bind),
    /// The value a nullable key's NULLs sort as ([`SortKey::null_as`]).
    NullAs(&'static str),
}

/// The last row of the previous page.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Position {
    /// Its values of the sort keys, then its id.
    Keyset { values: Vec<KeyValue>, id: Uuid },
    /// Its rank (relevance or distance), then its id.
    Ranked { rank: f64, id: Uuid },
}

/// `sort=` as a cursor names it (`-starts_at,title`).
fn signature(sort: &Sort) -> String {
    sort.iter()
        .map(|(key, direction)| match direction {
            Direction::Descending => format!("-{}", key.name),
            Direction::Ascending => key.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
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

fn uuid(value: &Option<String>) -> ApiResult<Uuid> {
    value
        .as_deref()
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(invalid)
}

/// A value of `key`, checked against its type, so that a tampered cursor is a 400 and the
/// database never parses text a client may have forged.
fn key_value(key: &SortKey, value: &Option<String>) -> ApiResult<KeyValue> {
    let value = value.as_deref().ok_or_else(invalid)?;
    if let Some(null_as) = key.null_as.filter(|null_as| *null_as == value) {
        return Ok(KeyValue::NullAs(null_as));
    }
    let bind = match key.key_type {
        // Years PostgreSQL can read back.
        KeyType::Timestamp => DateTime::parse_from_rfc3339(value)
            .ok()
            .filter(|at| (1..=9999).contains(&at.year()))
            .map(|at| Bind::Timestamp(at.with_timezone(&Utc))),
        KeyType::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .filter(|d| (1..=9999).contains(&d.year()))
            .map(Bind::Date),
        KeyType::Float => value
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Bind::Float),
        KeyType::Text => (!value.contains('\0')).then(|| Bind::Text(value.to_string())),
    };
    bind.map(KeyValue::Value).ok_or_else(invalid)
}

/// Decodes a cursor of a list sorted by `sort`.
pub(super) fn decode_keyset(text: &str, sort: &Sort) -> ApiResult<Position> {
    let wire = Wire::decode(text)?;
    if wire.s != signature(sort) {
        return Err(ApiError::bad_request(msg!("cursor-other-sort")));
    }
    let [values @ .., id] = wire.v.as_slice() else {
        return Err(invalid());
    };
    if values.len() != sort.len() {
        return Err(invalid());
    }
    let values = sort
        .iter()
        .zip(values)
        .map(|((key, _), value)| key_value(key, value))
        .collect::<ApiResult<_>>()?;
    Ok(Position::Keyset {
        values,
        id: uuid(id)?,
    })
}

/// The rank and id a ranked list resumes after, from its `cursor=`.
pub(crate) fn ranked_after(
    cursor: Option<&str>,
    signature: &str,
) -> ApiResult<Option<(f64, Uuid)>> {
    cursor
        .map(|text| decode_ranked(text, signature))
        .transpose()
}

/// Decodes a cursor of a list ranked as `signature` names: the last row's rank and id.
pub(super) fn decode_ranked(text: &str, signature: &str) -> ApiResult<(f64, Uuid)> {
    let wire = Wire::decode(text)?;
    if wire.s != signature {
        return Err(ApiError::bad_request(msg!("cursor-other-search")));
    }
    let [Some(rank), id] = wire.v.as_slice() else {
        return Err(invalid());
    };
    let rank = rank
        .parse::<f64>()
        .ok()
        .filter(|r| r.is_finite())
        .ok_or_else(invalid)?;
    Ok((rank, uuid(id)?))
}

/// The cursor after `last`, in a list sorted by `sort`: its sort values, read from the item
/// itself (a sort key is named as the item's field).
pub(super) fn encode_keyset(sort: &Sort, last: &impl Serialize) -> ApiResult<String> {
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
    Wire {
        s: signature(sort),
        v: values,
    }
    .encode()
}

/// The cursor after a ranked row.
pub(super) fn encode_ranked(signature: &str, rank: f64, id: &str) -> ApiResult<String> {
    Wire {
        s: signature.to_string(),
        v: vec![Some(rank.to_string()), Some(id.to_string())],
    }
    .encode()
}

fn key_value_sql(key: &SortKey, value: &KeyValue) -> Sql {
    let mut sql = Sql::new();
    match value {
        KeyValue::Value(bind) => sql.bind(bind.clone()),
        KeyValue::NullAs(null_as) => sql
            .push("'")
            .push(null_as)
            .push("'::")
            .push(key.key_type.sql_name()),
    };
    sql
}

/// ` AND …`: rows strictly after `(values, id)` in the order of `sort`, then ties by id.
pub(super) fn after_keyset(sort: &Sort, values: &[KeyValue], id: Uuid) -> Sql {
    let mut condition = Sql::from("t.id > ");
    condition.bind(Bind::Uuid(id));
    for ((key, direction), value) in sort.iter().zip(values).rev() {
        let column = key.expression();
        let value = key_value_sql(key, value);
        let mut wider = Sql::from("(");
        wider
            .append(&column)
            .push(direction.after())
            .append(&value)
            .push(" OR (")
            .append(&column)
            .push(" = ")
            .append(&value)
            .push(" AND ")
            .append(&condition)
            .push("))");
        condition = wider;
    }
    let mut sql = Sql::from(" AND ");
    sql.append(&condition);
    // The same bound, in a form an index scan can start from, so that the cost of a page does
    // not grow with its depth.
    if let (Some((key, direction)), Some(value)) = (sort.first(), values.first()) {
        let op = match direction {
            Direction::Descending => " <= ",
            Direction::Ascending => " >= ",
        };
        sql.push(" AND ")
            .append(&key.expression())
            .push(op)
            .append(&key_value_sql(key, value));
    }
    sql
}

/// Rows after `(rank, id)` in a ranked order (ties by id), as a condition on the columns
/// named.
pub(crate) fn after_rank(
    rank_column: &'static str,
    id_column: &'static str,
    direction: Direction,
    rank: f64,
    id: Uuid,
) -> Sql {
    let mut sql = Sql::from("(");
    sql.push(rank_column)
        .push(direction.after())
        .bind(Bind::Float(rank))
        .push(" OR (")
        .push(rank_column)
        .push(" = ")
        .bind(Bind::Float(rank))
        .push(" AND ")
        .push(id_column)
        .push(" > ")
        .bind(Bind::Uuid(id))
        .push("))");
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    static TITLE: SortKey = SortKey::new("title", "t.title", KeyType::Text);
    static PUBLISHED: SortKey =
        SortKey::new("published_on", "t.published_on", KeyType::Date).null_as("-infinity");

    #[test]
    fn a_cursor_comes_back_as_the_typed_values_it_was_made_of() {
        let sort: Sort = vec![
            (&PUBLISHED, Direction::Descending),
            (&TITLE, Direction::Ascending),
        ];
        let id = Uuid::new_v4();
        let item = serde_json::json!({"id": id, "published_on": null, "title": "Guide « mares »"});
        let text = encode_keyset(&sort, &item).expect("encode");
        assert_eq!(
            decode_keyset(&text, &sort).expect("decode"),
            Position::Keyset {
                values: vec![
                    KeyValue::NullAs("-infinity"),
                    KeyValue::Value(Bind::Text("Guide « mares »".into())),
                ],
                id,
            }
        );
        // Another sort, a forged value or a missing id is a 400.
        assert!(decode_keyset(&text, &vec![(&TITLE, Direction::Ascending)]).is_err());
        let forged = Wire {
            s: "-published_on,title".into(),
            v: vec![
                Some("demain".into()),
                Some("x".into()),
                Some(id.to_string()),
            ],
        };
        assert!(decode_keyset(&forged.encode().expect("encode"), &sort).is_err());
        let no_id = Wire {
            s: "-published_on,title".into(),
            v: vec![Some("2026-01-01".into()), Some("x".into()), None],
        };
        assert!(decode_keyset(&no_id.encode().expect("encode"), &sort).is_err());
    }
}
