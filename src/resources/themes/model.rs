//! A theme of the taxonomy as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::row;
use crate::schema::themes;

row! {
    /// A theme of the shared taxonomy.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = themes, check_for_backend(diesel::pg::Pg))]
    pub struct Theme {
        pub id: Uuid,
        #[schema(example = "zones-humides")]
        pub slug: String,
        #[schema(example = "Zones humides")]
        pub label: String,
        pub description: Option<String>,
        /// The slug of the parent theme; null at the top of the taxonomy.
        #[schema(example = "milieux-naturels")]
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        pub parent: Option<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static THEMES: Collection = Collection {
    table: "themes",
    fields: Theme::FIELDS,
    computed: &[(
        "parent",
        "(SELECT p.slug FROM themes p WHERE p.id = t.parent_id)",
    )],
    sorts: &[
        SortKey::new("label", "t.label", KeyType::Text),
        SortKey::new("slug", "t.slug", KeyType::Text),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "label",
    visibility: Visibility::Everyone,
    facets: &[],
    located: false,
};
