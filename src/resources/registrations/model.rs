//! A registration as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, FixedOffset, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::resources::actors::model::ActorCategory;
use crate::row;

text_enum! {
    /// `confirmed`: a place is the member's. `waitlisted`: waiting for one, at `position`.
    /// `offered`: a place is held for the member until `offered_until`, to accept or decline.
    /// `cancelled`: ended, as `cancellation` says.
    RegistrationStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Offered = "offered",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// What ended a registration: the member, an administrator, the member declining an
    /// offered place, an offer left to lapse, or the event or session being cancelled.
    Cancellation {
        Member = "member",
        Admin = "admin",
        Declined = "declined",
        Lapsed = "lapsed",
        CancelledItem = "cancelled_item",
    }
}

text_enum! {
    /// Whether the member came, marked by an administrator once the event has started.
    Attendance { Attended = "attended", Absent = "absent" }
}

row! {
    /// A member's registration for an event or a training session.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(check_for_backend(diesel::pg::Pg))]
    pub struct Registration {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub id: Uuid,
        /// The event, for an event's registration.
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
        pub event_id: Option<Uuid>,
        /// The session, and its training, for a session's registration.
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
        pub session_id: Option<Uuid>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
        pub training_id: Option<Uuid>,
        /// The event's or the session's slug.
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub item_slug: String,
        /// The event's title, or the session's training's.
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[schema(example = "Jeudi des zones humides : restaurer les tourbières")]
        pub title: String,
        /// In the event's or session's time zone.
        #[diesel(sql_type = diesel::sql_types::Timestamptz, deserialize_as = DateTime<Utc>)]
        pub starts_at: DateTime<FixedOffset>,
        #[diesel(sql_type = diesel::sql_types::Timestamptz, deserialize_as = DateTime<Utc>)]
        pub ends_at: DateTime<FixedOffset>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub timezone: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub status: RegistrationStatus,
        /// On the waitlist: 1 for the first waiting. Null otherwise.
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        pub position: Option<i32>,
        /// Until when an offered place is held (kept afterwards, as a record).
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
        pub offered_until: Option<DateTime<Utc>>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        pub cancellation: Option<Cancellation>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        pub attendance: Option<Attendance>,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub user_id: Uuid,
        /// The member's actor profile's name (its email without one).
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[schema(example = "Anne Lefèvre")]
        pub attendee_name: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        pub attendee_organisation: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        pub attendee_category: Option<ActorCategory>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub attendee_email: String,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        pub created_at: DateTime<Utc>,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        pub updated_at: DateTime<Utc>,
    }
}

/// Registrations are read through the view `registration_rows` (migration 000017). Who sees
/// which is the scope of each list: a member its own, an administrator an item's.
pub static REGISTRATIONS: Collection = Collection {
    table: "registration_rows",
    fields: Registration::FIELDS,
    computed: &[],
    sorts: &[
        // First come, first served: the order of the queue.
        SortKey::new("created_at", "t.created_at", KeyType::Timestamp),
        SortKey::new("starts_at", "t.starts_at", KeyType::Timestamp),
        SortKey::new("attendee_name", "t.attendee_name", KeyType::Text),
        SortKey::UPDATED_AT,
    ],
    default_sort: "created_at",
    visibility: Visibility::Everyone,
    facets: &[
        Facet::column("status", "t.status"),
        Facet::column("attendance", "t.attendance"),
    ],
    located: false,
};
