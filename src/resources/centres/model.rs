//! A resource centre as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::row;
use crate::schema::centres;

text_enum! {
    /// The territory a centre serves.
    Scope { National = "national", Regional = "regional", Departmental = "departmental", Local = "local" }
}

row! {
    /// A resource centre.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = centres, check_for_backend(diesel::pg::Pg))]
    pub struct Centre {
        pub id: Uuid,
        #[schema(example = "centre-de-ressources-zones-humides")]
        pub slug: String,
        #[schema(example = "Pôle-relais zones humides")]
        pub name: String,
        #[schema(example = "PRZH")]
        pub acronym: Option<String>,
        /// The body that runs it (porteur).
        #[schema(example = "Office français de la biodiversité")]
        pub operator: Option<String>,
        pub scope: Scope,
        #[schema(example = "Occitanie")]
        pub territory: Option<String>,
        pub description: Option<String>,
        pub email: Option<String>,
        pub phone: Option<String>,
        pub website: Option<String>,
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
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
        pub distance_km: Option<f64>,
        /// Theme slugs.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        pub themes: Vec<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static CENTRES: Collection = Collection {
    table: "centres",
    fields: Centre::FIELDS,
    computed: &[("themes", "t.theme_slugs")],
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
