//! An entry of the audit trail as stored and sent, and how the list engine sees the trail.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::row;
use crate::schema::audit_entries;

row! {
    /// One write: who made it, on what, when, and what it changed.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = audit_entries, check_for_backend(diesel::pg::Pg))]
    pub struct AuditEntry {
        pub id: Uuid,
        pub at: DateTime<Utc>,
        /// The account that wrote; null for the server's own work and external tokens.
        pub user_id: Option<Uuid>,
        /// `member`, `admin`, or `system` for the server's own work (lapsed offers, the trash
        /// emptied after its retention).
        #[schema(example = "admin")]
        pub role: String,
        /// `centres`, `actors`, `events`, `trainings`, `sessions`, `documents`, `themes`,
        /// `users`, `registrations`.
        #[schema(example = "documents")]
        pub collection: String,
        pub item_id: Uuid,
        /// `create`, `update`, `delete` (to the trash), `restore`, `purge`, `publish`,
        /// `reject`, `upload`, `remove_file`.
        #[schema(example = "publish")]
        pub action: String,
        /// The fields changed, in the order of their names; secrets are named without values.
        #[schema(value_type = Vec<AuditChange>)]
        pub changes: serde_json::Value,
    }
}

/// A field a write changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditChange {
    #[schema(example = "status")]
    pub field: String,
    /// Its value before (null when it had none); absent for a secret.
    #[schema(example = "submitted")]
    pub old: Option<serde_json::Value>,
    /// Its value after (null when it has none); absent for a secret.
    #[schema(example = "published")]
    pub new: Option<serde_json::Value>,
}

pub static AUDIT: Collection = Collection {
    table: "audit_entries",
    fields: AuditEntry::FIELDS,
    computed: &[],
    sorts: &[SortKey::new("at", "t.at", KeyType::Timestamp)],
    default_sort: "-at",
    visibility: Visibility::Everyone,
    facets: &[],
    located: false,
};
