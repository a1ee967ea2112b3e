use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::api::EventKind;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::resources::values::{Audience, Format, PublicationStatus};
use crate::schema::events;

pub static EVENTS: Collection = Collection {
    table: "events",
    select: "t.id, t.slug, t.title, t.summary, t.body, t.kind, t.centre_id, t.starts_at, t.ends_at, \
             t.timezone, t.format, t.venue, t.address, t.city, t.latitude, t.longitude, t.region_code, t.department_code, \
             t.online_url, t.audience, t.capacity, t.registration_opens_at, \
             t.registration_closes_at, t.status, t.created_at, t.updated_at, \
             ARRAY(SELECT th.slug FROM event_themes l JOIN themes th ON th.id = l.theme_id \
                   WHERE l.event_id = t.id ORDER BY th.slug) AS themes, \
             ARRAY(SELECT l.actor_id FROM event_speakers l WHERE l.event_id = t.id \
                   ORDER BY l.position) AS speaker_ids, \
             ARRAY(SELECT l.document_id FROM event_documents l WHERE l.event_id = t.id \
                   ORDER BY l.position) AS document_ids, \
             ARRAY(SELECT (d.status = 'published')::int * 2 + (d.audience = 'public')::int \
                   FROM event_documents l JOIN documents d ON d.id = l.document_id \
                   WHERE l.event_id = t.id ORDER BY l.position) AS document_publicity",
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

#[derive(QueryableByName)]
#[diesel(table_name = events, check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: Option<String>,
    pub kind: EventKind,
    pub centre_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub format: Format,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    pub distance_km: Option<f64>,
    pub online_url: Option<String>,
    pub audience: Audience,
    pub capacity: Option<i32>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub status: PublicationStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    pub themes: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    pub speaker_ids: Vec<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    pub document_ids: Vec<Uuid>,
    /// Whether each related document is published (2) and open to everyone (1), added up.
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Integer>)]
    pub document_publicity: Vec<i32>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventRecord {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: Option<String>,
    pub kind: EventKind,
    pub centre_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub format: Format,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
    pub online_url: Option<String>,
    pub audience: Audience,
    pub capacity: Option<i32>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub status: PublicationStatus,
}
