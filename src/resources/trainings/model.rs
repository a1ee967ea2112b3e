use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::api::{Modality, TrainingKind};
use crate::query::{Collection, Facet, KeyType, SortKey, Visibility};
use crate::resources::values::{Audience, PublicationStatus};
use crate::schema::trainings;

pub static TRAININGS: Collection = Collection {
    table: "trainings",
    select: "t.id, t.slug, t.title, t.summary, t.body, t.kind, t.modality, t.centre_id, \
             t.objectives, t.prerequisites, t.duration_hours, t.audience, t.status, \
             t.created_at, t.updated_at, \
             ARRAY(SELECT th.slug FROM training_themes l JOIN themes th ON th.id = l.theme_id \
                   WHERE l.training_id = t.id ORDER BY th.slug) AS themes, \
             ARRAY(SELECT l.actor_id FROM training_trainers l WHERE l.training_id = t.id \
                   ORDER BY l.position) AS trainer_ids",
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

#[derive(QueryableByName)]
#[diesel(table_name = trainings, check_for_backend(diesel::pg::Pg))]
pub struct TrainingRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: Option<String>,
    pub kind: TrainingKind,
    pub modality: Modality,
    pub centre_id: Uuid,
    pub objectives: Option<String>,
    pub prerequisites: Option<String>,
    pub duration_hours: Option<f64>,
    pub audience: Audience,
    pub status: PublicationStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    pub themes: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    pub trainer_ids: Vec<Uuid>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = trainings, treat_none_as_null = true)]
pub struct TrainingRecord {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: Option<String>,
    pub kind: TrainingKind,
    pub modality: Modality,
    pub centre_id: Uuid,
    pub objectives: Option<String>,
    pub prerequisites: Option<String>,
    pub duration_hours: Option<f64>,
    pub audience: Audience,
    pub status: PublicationStatus,
}
