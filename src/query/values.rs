//! Typed values of the query string: date bounds and instants.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use super::sql::Bind;

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

impl utoipa::PartialSchema for DateBound {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat};
        let text = |format| {
            ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(text(KnownFormat::Date))
            .item(text(KnownFormat::DateTime))
            .description(Some(
                "A date (`2026-03-01`, a day in Paris time) or an RFC 3339 date-time.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for DateBound {}

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
