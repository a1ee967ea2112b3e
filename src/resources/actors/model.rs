use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::api::{ActorCategory, ActorKind};
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::schema::actors;

pub static ACTORS: Collection = Collection {
    table: "actors",
    select: "t.id, t.slug, t.kind, t.name, t.organisation, t.job_title, t.category, t.territory, \
             t.bio, t.email, t.phone, t.website, t.is_expert, t.latitude, t.longitude, t.region_code, t.department_code, \
             t.created_at, t.updated_at, \
             ARRAY(SELECT l.centre_id FROM actor_centres l WHERE l.actor_id = t.id \
                   ORDER BY l.centre_id) AS centre_ids, \
             ARRAY(SELECT th.slug FROM actor_themes l JOIN themes th ON th.id = l.theme_id \
                   WHERE l.actor_id = t.id ORDER BY th.slug) AS themes",
    sorts: &[
        SortKey::new("name", "t.name", KeyType::Text),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "name",
    visibility: Visibility::Everyone,
    facets: &[
        Facet::THEME,
        Facet::column("kind", "t.kind"),
        Facet::column("category", "t.category"),
        Facet {
            name: "centre",
            join: "JOIN actor_centres l ON l.actor_id = t.id",
            value: "l.centre_id",
            label: "f.value",
        },
        Facet::REGION,
        Facet::DEPARTMENT,
    ],
    located: true,
};

#[derive(QueryableByName)]
#[diesel(table_name = actors, check_for_backend(diesel::pg::Pg))]
pub struct ActorRow {
    pub id: Uuid,
    pub slug: String,
    pub kind: ActorKind,
    pub name: String,
    pub organisation: Option<String>,
    pub job_title: Option<String>,
    pub category: Option<ActorCategory>,
    pub territory: Option<String>,
    pub bio: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub is_expert: bool,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    pub distance_km: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    pub centre_ids: Vec<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    pub themes: Vec<String>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = actors, treat_none_as_null = true)]
pub struct ActorRecord {
    pub slug: String,
    pub kind: ActorKind,
    pub name: String,
    pub organisation: Option<String>,
    pub job_title: Option<String>,
    pub category: Option<ActorCategory>,
    pub territory: Option<String>,
    pub bio: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub is_expert: bool,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
}
