use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::schema::themes;

pub static THEMES: Collection = Collection {
    table: "themes",
    select: "t.id, t.slug, t.label, t.description, t.created_at, t.updated_at, \
             (SELECT p.slug FROM themes p WHERE p.id = t.parent_id) AS parent",
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

#[derive(QueryableByName)]
#[diesel(table_name = themes, check_for_backend(diesel::pg::Pg))]
pub struct ThemeRow {
    pub id: Uuid,
    pub slug: String,
    pub label: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub parent: Option<String>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = themes, treat_none_as_null = true)]
pub struct ThemeRecord {
    pub slug: String,
    pub label: String,
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
}
