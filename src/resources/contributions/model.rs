//! A contribution as its lists read and send it: any contributed item, summed up with where
//! moderation stands, over the `contributions` view of every contributed table.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Nullable, Text, Timestamptz};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Authorship, Collection, Facet, KeyType, SortKey, Visibility};
use crate::resources::values::Audience;
use crate::row;

text_enum! {
    /// The collections members contribute to.
    ContributedCollection {
        Documents = "documents",
        Events = "events",
    }
}

text_enum! {
    /// A contribution's status: its collection's (documents are `archived`, events
    /// `cancelled`).
    ContributionStatus {
        Draft = "draft",
        Submitted = "submitted",
        Published = "published",
        Rejected = "rejected",
        Archived = "archived",
        Cancelled = "cancelled",
    }
}

row! {
    /// A document or a proposed event, summed up with where its moderation stands; `location`
    /// reads it in full.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    pub struct Contribution {
        #[diesel(sql_type = Text)]
        pub collection: ContributedCollection,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub id: Uuid,
        #[diesel(sql_type = Text)]
        #[schema(example = "compte-rendu-jeudi-zones-humides")]
        pub slug: String,
        #[diesel(sql_type = Text)]
        #[schema(example = "Compte rendu du Jeudi « zones humides et agriculture »")]
        pub title: String,
        /// Its collection's kind (`compte_rendu`, `journee_technique`…).
        #[diesel(sql_type = Text)]
        #[schema(example = "compte_rendu")]
        pub kind: String,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub centre_id: Uuid,
        #[diesel(sql_type = Text)]
        pub audience: Audience,
        #[diesel(sql_type = Text)]
        pub status: ContributionStatus,
        /// The member who submitted it, shown to administrators and to that member.
        #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
        pub submitted_by: Option<Uuid>,
        /// Co-authors (actor ids), for documents.
        #[diesel(sql_type = Array<diesel::sql_types::Uuid>)]
        pub author_ids: Vec<Uuid>,
        /// When it last entered moderation.
        #[diesel(sql_type = Nullable<Timestamptz>)]
        pub submitted_at: Option<DateTime<Utc>>,
        /// When an administrator last published or rejected it.
        #[diesel(sql_type = Nullable<Timestamptz>)]
        pub decided_at: Option<DateTime<Utc>>,
        /// Why it was rejected, for its authors.
        #[diesel(sql_type = Nullable<Text>)]
        pub rejection_reason: Option<String>,
        /// Where to read it in full.
        #[diesel(sql_type = Text)]
        #[schema(example = "/api/v1/documents/3f9c6f9e-8d0e-4b8f-9a52-1c0f3a7d2b10")]
        pub location: String,
        #[diesel(sql_type = Timestamptz)]
        pub created_at: DateTime<Utc>,
        #[diesel(sql_type = Timestamptz)]
        pub updated_at: DateTime<Utc>,
    }
}

/// Who the contributions of the view belong to (events name no co-authors: `'{}'`).
pub const AUTHORSHIP: Authorship = Authorship {
    coauthors: Some("t.author_ids"),
};

/// Every contribution, read in full by its authors and administrators (lists run as an
/// administrator's, within the scope of the caller's), sorted by its time in moderation.
pub static CONTRIBUTIONS: Collection = Collection {
    table: "contributions",
    fields: Contribution::FIELDS,
    computed: &[("location", "'/api/v1/' || t.collection || '/' || t.id")],
    sorts: &[
        SortKey::new("submitted_at", "t.submitted_at", KeyType::Timestamp).null_as("infinity"),
        SortKey::UPDATED_AT,
        SortKey::CREATED_AT,
        SortKey::new("title", "t.title", KeyType::Text),
    ],
    default_sort: "submitted_at",
    visibility: Visibility::Published,
    facets: &[
        Facet::column("collection", "t.collection"),
        Facet::column("status", "t.status"),
        Facet::column("centre", "t.centre_id"),
    ],
    located: false,
};
