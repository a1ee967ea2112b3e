//! A webhook endpoint and its deliveries as stored, read and sent, and how the list engine
//! sees them.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, KeyType, SortKey, Visibility};
use crate::row;
use crate::schema::{webhook_deliveries, webhooks};

text_enum! {
    /// The collections whose public items webhooks tell of.
    WatchedCollection {
        Centres = "centres",
        Actors = "actors",
        Events = "events",
        Trainings = "trainings",
        Sessions = "sessions",
        Documents = "documents",
        Themes = "themes",
    }
}

text_enum! {
    /// Where a delivery stands: waiting for its next attempt, received, or given up.
    DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Failed = "failed",
    }
}

row! {
    /// An endpoint that receives the changes of public items, signed as the Standard Webhooks
    /// specification says. Its secret is never sent back.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
    pub struct Webhook {
        pub id: Uuid,
        #[schema(example = "https://www.pole-zones-humides.org/relais/webhook")]
        pub url: String,
        /// The collections it wants; empty: all of them.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        #[schema(value_type = Vec<WatchedCollection>)]
        pub collections: Vec<String>,
        /// The actions it wants (`create`, `update`, `delete`, `publish`…); empty: all of them.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        #[schema(value_type = Vec<crate::resources::audit::Action>)]
        pub actions: Vec<String>,
        pub enabled: bool,
        /// Failed attempts in a row; at the server's limit the endpoint is disabled.
        pub consecutive_failures: i32,
        /// Why the server disabled it.
        pub disabled_reason: Option<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static WEBHOOKS: Collection = Collection {
    table: "webhooks",
    fields: Webhook::FIELDS,
    computed: &[],
    sorts: &[SortKey::CREATED_AT, SortKey::UPDATED_AT],
    default_sort: "created_at",
    visibility: Visibility::Everyone,
    facets: &[],
    located: false,
};

row! {
    /// One change sent to an endpoint, with its attempts.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
    pub struct Delivery {
        /// Also its `webhook-id` header, the same on every attempt.
        pub id: Uuid,
        pub webhook_id: Uuid,
        #[schema(example = "events.update")]
        pub event_type: String,
        /// What is sent: `type`, `timestamp` and `data` (the item's collection, id, action,
        /// changed fields and location).
        pub payload: serde_json::Value,
        pub status: DeliveryStatus,
        pub attempts: i32,
        pub next_attempt_at: DateTime<Utc>,
        /// The endpoint's last answer.
        pub last_status: Option<i32>,
        pub last_error: Option<String>,
        pub created_at: DateTime<Utc>,
        pub delivered_at: Option<DateTime<Utc>>,
    }
}

pub static DELIVERIES: Collection = Collection {
    table: "webhook_deliveries",
    fields: Delivery::FIELDS,
    computed: &[],
    sorts: &[
        SortKey::CREATED_AT,
        SortKey::new("next_attempt_at", "t.next_attempt_at", KeyType::Timestamp),
    ],
    default_sort: "-created_at",
    visibility: Visibility::Everyone,
    facets: &[],
    located: false,
};
