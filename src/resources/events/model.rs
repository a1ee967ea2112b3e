//! An event as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, FixedOffset, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Double, Integer, Nullable, Text};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::resources::contributions::Moderated;
use crate::resources::values::{
    Audience, Format, REMAINING_PLACES, RegistrationMode, WaitlistPromotion,
};
use crate::row;
use crate::schema::events;

text_enum! {
    /// What kind of event it is.
    EventKind {
        JourneeTechnique = "journee_technique",
        Rencontre = "rencontre",
        GroupeTravail = "groupe_travail",
        Seminaire = "seminaire",
        Colloque = "colloque",
        RemisePrix = "remise_prix",
        Webinaire = "webinaire",
        Atelier = "atelier",
        VisiteTerrain = "visite_terrain",
    }
}

text_enum! {
    /// The life of an event: members propose it, administrators publish or reject it, and
    /// may cancel it.
    #[derive(Default)]
    EventStatus {
        #[default] Draft = "draft",
        Submitted = "submitted",
        Published = "published",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

impl Moderated for EventStatus {
    const DRAFT: Self = Self::Draft;
    const SUBMITTED: Self = Self::Submitted;
    const PUBLISHED: Self = Self::Published;
    const REJECTED: Self = Self::Rejected;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

row! {
    /// An event of a centre.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = events, check_for_backend(diesel::pg::Pg))]
    pub struct Event {
        pub id: Uuid,
        #[schema(example = "journee-technique-zones-humides-2026")]
        pub slug: String,
        #[schema(example = "Journée technique « Restaurer les zones humides »")]
        pub title: String,
        pub summary: String,
        pub body: Option<String>,
        pub kind: EventKind,
        pub centre_id: Uuid,
        /// Theme slugs.
        #[diesel(sql_type = Array<Text>)]
        pub themes: Vec<String>,
        /// In the event's time zone.
        #[schema(example = "2026-03-12T09:30:00+01:00")]
        #[diesel(deserialize_as = DateTime<Utc>)]
        pub starts_at: DateTime<FixedOffset>,
        #[schema(example = "2026-03-12T17:00:00+01:00")]
        #[diesel(deserialize_as = DateTime<Utc>)]
        pub ends_at: DateTime<FixedOffset>,
        /// IANA time zone of the event.
        #[schema(example = "Europe/Paris")]
        pub timezone: String,
        pub format: Format,
        pub venue: Option<String>,
        pub address: Option<String>,
        pub city: Option<String>,
        pub latitude: Option<f64>,
        pub longitude: Option<f64>,
        /// INSEE region code (`76`: Occitanie). Set from the department when only that is given.
        #[schema(example = "76")]
        pub region_code: Option<String>,
        /// INSEE department code (`34`, `2A`, `974`).
        #[schema(example = "34")]
        pub department_code: Option<String>,
        /// With `near=`: the distance from that point, in kilometres.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[diesel(sql_type = Nullable<Double>)]
        pub distance_km: Option<f64>,
        pub online_url: Option<String>,
        pub audience: Audience,
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
        pub status: EventStatus,
        /// The member who proposed it, shown to administrators and to that member.
        pub submitted_by: Option<Uuid>,
        /// When it last entered moderation.
        pub submitted_at: Option<DateTime<Utc>>,
        /// When an administrator last published or rejected it.
        pub decided_at: Option<DateTime<Utc>>,
        /// Why it was rejected, for its proposer.
        #[schema(example = "Merci de préciser le lieu et le programme de la journée.")]
        pub rejection_reason: Option<String>,
        /// Speakers (actor ids), in billing order.
        #[diesel(sql_type = Array<diesel::sql_types::Uuid>)]
        pub speaker_ids: Vec<Uuid>,
        /// Related documents (ids).
        #[diesel(sql_type = Array<diesel::sql_types::Uuid>)]
        pub document_ids: Vec<Uuid>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        /// Whether each related document is published (2) and open to everyone (1), added up:
        /// who may see it. Not sent.
        #[serde(skip)]
        #[diesel(sql_type = Array<Integer>)]
        pub document_publicity: Vec<i32>,
    }
}

pub static EVENTS: Collection = Collection {
    table: "events",
    fields: Event::FIELDS,
    computed: &[
        ("themes", "t.theme_slugs"),
        ("remaining_places", REMAINING_PLACES),
        // Who may see each related document changes with the documents: read at each page,
        // for the events that have any.
        (
            "document_publicity",
            "CASE WHEN t.document_ids = '{}' THEN '{}'::int[] ELSE \
             ARRAY(SELECT (d.status = 'published')::int * 2 + (d.audience = 'public')::int \
             FROM unnest(t.document_ids) WITH ORDINALITY AS u(id, n) \
             JOIN documents d ON d.id = u.id ORDER BY u.n) END",
        ),
    ],
    sorts: &[
        SortKey::new("starts_at", "t.starts_at", KeyType::Timestamp),
        SortKey::new("ends_at", "t.ends_at", KeyType::Timestamp),
        SortKey::new("title", "t.title", KeyType::Text),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "starts_at",
    visibility: Visibility::Published,
    facets: &[
        Facet::THEME,
        Facet::column("kind", "t.kind"),
        Facet::column("format", "t.format"),
        Facet::column("centre", "t.centre_id"),
        Facet::column(
            "year",
            "extract(year FROM t.starts_at AT TIME ZONE 'Europe/Paris')::int",
        ),
        Facet::REGION,
        Facet::DEPARTMENT,
    ],
    located: true,
};
