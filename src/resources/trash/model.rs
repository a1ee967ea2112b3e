//! An item in the trash as listed, and how the list engine sees the trash.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::row;
use crate::schema::trash;

text_enum! {
    /// The collections whose deleted items go to the trash.
    TrashedCollection {
        Centres = "centres",
        Actors = "actors",
        Events = "events",
        Trainings = "trainings",
        Sessions = "sessions",
        Documents = "documents",
    }
}

row! {
    /// A deleted item, kept until it is restored or purged.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = trash, check_for_backend(diesel::pg::Pg))]
    pub struct TrashEntry {
        /// The item's id, which it keeps when restored.
        pub id: Uuid,
        pub collection: TrashedCollection,
        /// Its slug, reserved while it is in the trash.
        #[schema(example = "guide-restauration-des-mares")]
        pub slug: String,
        /// Its title or name.
        #[schema(example = "Guide technique de restauration des mares")]
        pub label: String,
        /// Where it will be once restored.
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[schema(example = "/api/v1/documents/3f9c6f9e-8d0e-4b8f-9a52-1c0f3a7d2b10")]
        pub location: String,
        /// The account that deleted it.
        pub deleted_by: Option<Uuid>,
        pub deleted_at: DateTime<Utc>,
    }
}

pub static TRASH: Collection = Collection {
    table: "trash",
    fields: TrashEntry::FIELDS,
    computed: &[(
        "location",
        "CASE t.collection WHEN 'sessions' \
         THEN '/api/v1/trainings/' || (t.snapshot #>> '{0,rows,0,training_id}') || '/sessions/' || t.id \
         ELSE '/api/v1/' || t.collection || '/' || t.id END",
    )],
    sorts: &[
        SortKey::new("deleted_at", "t.deleted_at", KeyType::Timestamp),
        SortKey::new("label", "t.label", KeyType::Text),
    ],
    default_sort: "-deleted_at",
    visibility: Visibility::Everyone,
    facets: &[],
    located: false,
};
