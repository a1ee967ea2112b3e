use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::api::SessionStatus;
use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::schema::training_sessions;

pub static SESSIONS: Collection = Collection {
    table: "training_sessions",
    select: "t.id, t.slug, t.training_id, t.starts_at, t.ends_at, t.timezone, t.venue, t.address, \
             t.city, t.latitude, t.longitude, t.online_url, t.capacity, t.status, \
             t.created_at, t.updated_at",
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

#[derive(QueryableByName)]
#[diesel(table_name = training_sessions, check_for_backend(diesel::pg::Pg))]
pub struct SessionRow {
    pub id: Uuid,
    pub slug: String,
    pub training_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub capacity: Option<i32>,
    pub status: SessionStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = training_sessions, treat_none_as_null = true)]
pub struct SessionRecord {
    pub slug: String,
    pub training_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub timezone: String,
    pub venue: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub capacity: Option<i32>,
    pub status: SessionStatus,
}
