//! A training's session as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, FixedOffset, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Nullable};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::resources::values::{REMAINING_PLACES, RegistrationMode, WaitlistPromotion};
use crate::row;
use crate::schema::training_sessions;

text_enum! {
    /// Whether a session takes place.
    #[derive(Default)]
    SessionStatus { #[default] Scheduled = "scheduled", Cancelled = "cancelled" }
}

row! {
    /// A dated session of a training. It is visible whenever its training is.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = training_sessions, check_for_backend(diesel::pg::Pg))]
    pub struct Session {
        pub id: Uuid,
        #[schema(example = "formation-restauration-des-zones-humides-2027-02-04")]
        pub slug: String,
        pub training_id: Uuid,
        /// In the session's time zone.
        #[schema(example = "2027-02-04T09:00:00+01:00")]
        #[diesel(deserialize_as = DateTime<Utc>)]
        pub starts_at: DateTime<FixedOffset>,
        #[schema(example = "2027-02-05T17:00:00+01:00")]
        #[diesel(deserialize_as = DateTime<Utc>)]
        pub ends_at: DateTime<FixedOffset>,
        #[schema(example = "Europe/Paris")]
        pub timezone: String,
        pub venue: Option<String>,
        pub address: Option<String>,
        pub city: Option<String>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        pub online_url: Option<String>,
        /// Null: unlimited.
        pub capacity: Option<i32>,
        /// Places left for the caller to take; null when unlimited.
        #[diesel(sql_type = Nullable<Integer>)]
        pub remaining_places: Option<i32>,
        pub registration_opens_at: Option<DateTime<Utc>>,
        pub registration_closes_at: Option<DateTime<Utc>>,
        pub registration: RegistrationMode,
        pub waitlist_promotion: WaitlistPromotion,
        /// With `offer`: how long a freed place is held for the first waitlisted member.
        #[schema(example = 48)]
        pub offer_hours: i32,
        pub status: SessionStatus,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static SESSIONS: Collection = Collection {
    table: "training_sessions",
    fields: Session::FIELDS,
    computed: &[("remaining_places", REMAINING_PLACES)],
    sorts: &[
        SortKey::new("starts_at", "t.starts_at", KeyType::Timestamp),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "starts_at",
    visibility: Visibility::PublishedParent {
        table: "trainings",
        foreign_key: "training_id",
    },
    facets: &[],
    located: false,
};
