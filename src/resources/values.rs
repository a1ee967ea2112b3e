//! Enumerated values shared by the collections, and the field rules of their inputs.

use chrono::{DateTime, FixedOffset, Utc};
use validator::ValidationError;

use crate::enums::text_enum;

text_enum! {
    /// Who may see an item: everyone, or members only.
    #[derive(Default)]
    Audience { #[default] Public = "public", Members = "members" }
}

text_enum! {
    /// How an event or a session takes place.
    Format { InPerson = "in_person", Online = "online", Hybrid = "hybrid" }
}

pub fn default_timezone() -> String {
    "Europe/Paris".to_string()
}

pub fn default_language() -> String {
    "fr".to_string()
}

/// `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 120 characters, and not a UUID: paths take an id or a
/// slug, and read a UUID as an id.
pub fn validate_slug(slug: &str) -> Result<(), ValidationError> {
    if uuid::Uuid::parse_str(slug).is_ok() {
        return Err(ValidationError::new("slug").with_message("slug-uuid".into()));
    }
    let well_formed = !slug.is_empty()
        && slug.len() <= 120
        && slug.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if well_formed {
        Ok(())
    } else {
        Err(ValidationError::new("slug").with_message("slug-form".into()))
    }
}

/// A calendar date PostgreSQL stores: years 1 to 9999.
pub fn validate_date(date: &chrono::NaiveDate) -> Result<(), ValidationError> {
    use chrono::Datelike;
    if (1..=9999).contains(&date.year()) {
        Ok(())
    } else {
        Err(ValidationError::new("range").with_message("date-years".into()))
    }
}

/// An IANA time zone name, as the spec states it: one of those [`validate_timezone`] takes.
pub struct TimeZoneName;

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name());
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .description(Some(
                "An IANA time zone name (`Europe/Paris`, `America/Cayenne`).",
            ))
            .enum_values(Some(names))
            .into()
    }
}

impl utoipa::ToSchema for TimeZoneName {}

/// An IANA time zone name (`Europe/Paris`, `America/Cayenne`).
pub fn validate_timezone(name: &str) -> Result<(), ValidationError> {
    name.parse::<chrono_tz::Tz>()
        .map(|_| ())
        .map_err(|_| ValidationError::new("timezone").with_message("timezone".into()))
}

/// An error on `field`, for rules that compare several fields; `message` is its id in the
/// catalogues of `i18n`.
pub fn field_error(
    field: &'static str,
    code: &'static str,
    message: &'static str,
) -> ValidationError {
    let mut error = ValidationError::new(code).with_message(message.into());
    error.add_param("field".into(), &field);
    error
}

/// Latitude and longitude come together or not at all.
pub fn check_coordinates(
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Result<(), ValidationError> {
    match (latitude, longitude) {
        (Some(_), None) => Err(field_error(
            "longitude",
            "required",
            "required-with-latitude",
        )),
        (None, Some(_)) => Err(field_error(
            "latitude",
            "required",
            "required-with-longitude",
        )),
        _ => Ok(()),
    }
}

/// A start strictly before an end.
pub fn check_period(
    starts_at: &DateTime<FixedOffset>,
    ends_at: &DateTime<FixedOffset>,
) -> Result<(), ValidationError> {
    if ends_at > starts_at {
        Ok(())
    } else {
        Err(field_error("ends_at", "before_start", "after-start"))
    }
}

/// An instant the API can send back as it takes it: RFC 3339 in the item's time zone, so a
/// year from 1 to 9999 and a whole-minute offset there. (`9999-12-31T23:00:00-05:00` is year
/// 10000 in Paris; before 1912, Paris was 9 minutes 21 seconds ahead of UTC.)
pub fn check_instant(
    field: &'static str,
    at: DateTime<Utc>,
    timezone: &str,
) -> Result<(), ValidationError> {
    use chrono::{Datelike, Offset};
    let local = local_time(at, timezone);
    if (1..=9999).contains(&local.year()) && local.offset().fix().local_minus_utc() % 60 == 0 {
        Ok(())
    } else {
        Err(field_error(field, "out_of_range", "unwritable-instant"))
    }
}

/// A stored instant shown in the item's own time zone (`2026-03-12T09:30:00+01:00`).
pub fn local_time(at: DateTime<Utc>, timezone: &str) -> DateTime<FixedOffset> {
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).fixed_offset(),
        Err(_) => at.fixed_offset(),
    }
}

text_enum! {
    /// The life of an event or a training: only `published` ones are shown to non-admins.
    #[derive(Default)]
    PublicationStatus { #[default] Draft = "draft", Published = "published", Cancelled = "cancelled" }
}

text_enum! {
    /// How an event or session takes registrations: through relais, or not at all (free
    /// entry).
    #[derive(Default)]
    RegistrationMode { #[default] Required = "required", None = "none" }
}

text_enum! {
    /// How a freed place goes to the first waitlisted member: `confirm` gives it at once;
    /// `offer` holds it `offer_hours` for them to accept, then passes it to the next.
    #[derive(Default)]
    WaitlistPromotion { #[default] Confirm = "confirm", Offer = "offer" }
}

/// `remaining_places` of an event or a session: its capacity less the places confirmed or
/// offered, which the database counts in `held_places` (migration 000017).
pub const REMAINING_PLACES: &str =
    "CASE WHEN t.capacity IS NULL THEN NULL ELSE greatest(t.capacity - t.held_places, 0) END";

/// The instants of a registration window, each writable in RFC 3339 (in UTC).
pub fn check_registration_instants(
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
) -> Result<(), ValidationError> {
    for (field, at) in [
        ("registration_opens_at", opens),
        ("registration_closes_at", closes),
    ] {
        if let Some(at) = at {
            check_instant(field, at, "UTC")?;
        }
    }
    Ok(())
}

/// A registration window closes after it opens.
pub fn check_registration_window(
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
) -> Result<(), ValidationError> {
    match (opens, closes) {
        (Some(opens), Some(closes)) if closes <= opens => Err(field_error(
            "registration_closes_at",
            "before_opening",
            "after-registration-opens",
        )),
        _ => Ok(()),
    }
}

/// How long an offered place is held, unless said otherwise: two days.
pub fn default_offer_hours() -> i32 {
    48
}
