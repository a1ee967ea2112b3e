//! An account as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AccountRole;
use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::schema::users;

pub static USERS: Collection = Collection {
    table: "users",
    fields: User::FIELDS,
    computed: &[],
    sorts: &[
        SortKey::new("email", "t.email", KeyType::Text),
        SortKey::CREATED_AT,
    ],
    default_sort: "email",
    visibility: Visibility::Everyone,
    facets: &[],
    located: false,
};

crate::row! {
    /// An account. Its password is never shown.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
    pub struct User {
        pub id: Uuid,
        #[schema(example = "claire.martin@example.fr")]
        pub email: String,
        pub role: AccountRole,
        /// A deactivated account cannot log in, and its tokens stop working.
        pub is_active: bool,
        /// The actor profile the account edits through `PATCH /me`.
        pub actor_id: Option<Uuid>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}
