use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::api::Scope;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::schema::centres;

pub static CENTRES: Collection = Collection {
    table: "centres",
    select: "t.id, t.slug, t.name, t.acronym, t.operator, t.scope, t.territory, t.description, \
             t.email, t.phone, t.website, t.address, t.city, t.latitude, t.longitude, t.region_code, t.department_code, \
             t.created_at, t.updated_at, \
             ARRAY(SELECT th.slug FROM centre_themes l JOIN themes th ON th.id = l.theme_id \
                   WHERE l.centre_id = t.id ORDER BY th.slug) AS themes",
    sorts: &[
        SortKey::new("name", "t.name", KeyType::Text),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "name",
    visibility: Visibility::Everyone,
    facets: &[
        Facet::THEME,
        Facet::column("scope", "t.scope"),
        Facet::REGION,
        Facet::DEPARTMENT,
    ],
    located: true,
};

#[derive(QueryableByName)]
#[diesel(table_name = centres, check_for_backend(diesel::pg::Pg))]
pub struct CentreRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub acronym: Option<String>,
    pub operator: Option<String>,
    pub scope: Scope,
    pub territory: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    pub distance_km: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    pub themes: Vec<String>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = centres, treat_none_as_null = true)]
pub struct CentreRecord {
    pub slug: String,
    pub name: String,
    pub acronym: Option<String>,
    pub operator: Option<String>,
    pub scope: Scope,
    pub territory: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub region_code: Option<String>,
    pub department_code: Option<String>,
}
