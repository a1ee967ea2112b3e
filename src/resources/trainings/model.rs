//! A training as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::resources::values::{Audience, PublicationStatus};
use crate::row;
use crate::schema::trainings;

text_enum! {
    /// What kind of training it is.
    TrainingKind {
        Formation = "formation",
        Webinaire = "webinaire",
        ELearning = "e_learning",
        CycleQualification = "cycle_qualification",
    }
}

text_enum! {
    /// How it is followed; `self_paced` trainings have no sessions.
    Modality { InPerson = "in_person", Online = "online", Hybrid = "hybrid", SelfPaced = "self_paced" }
}

row! {
    /// A training; its dated sessions are at `/trainings/{id}/sessions`.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = trainings, check_for_backend(diesel::pg::Pg))]
    pub struct Training {
        pub id: Uuid,
        #[schema(example = "formation-restauration-des-zones-humides")]
        pub slug: String,
        #[schema(example = "Restaurer les fonctionnalités des zones humides")]
        pub title: String,
        pub summary: String,
        pub body: Option<String>,
        pub kind: TrainingKind,
        pub modality: Modality,
        pub centre_id: Uuid,
        /// Theme slugs.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        pub themes: Vec<String>,
        pub objectives: Option<String>,
        pub prerequisites: Option<String>,
        #[schema(example = 14.0)]
        pub duration_hours: Option<f64>,
        pub audience: Audience,
        pub status: PublicationStatus,
        /// Trainers (actor ids).
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
        pub trainer_ids: Vec<Uuid>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static TRAININGS: Collection = Collection {
    table: "trainings",
    fields: Training::FIELDS,
    computed: &[("themes", "t.theme_slugs")],
    sorts: &[
        SortKey::new("title", "t.title", KeyType::Text),
        SortKey::new("duration_hours", "t.duration_hours", KeyType::Float).null_as("-infinity"),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "title",
    visibility: Visibility::Published,
    facets: &[
        Facet::THEME,
        Facet::column("kind", "t.kind"),
        Facet::column("modality", "t.modality"),
        Facet::column("centre", "t.centre_id"),
    ],
    located: false,
};
