use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::api::{DocumentKind, DocumentStatus};
use crate::query::{Collection, Facet, KeyType, SortKey, Span, Visibility};
use crate::resources::values::Audience;
use crate::schema::documents;

/// What `from=` and `to=` compare: the day of publication.
pub const PUBLICATION: Span = Span::Day("t.published_on");

pub static DOCUMENTS: Collection = Collection {
    table: "documents",
    select: "t.id, t.slug, t.title, t.summary, t.body, t.kind, t.centre_id, t.published_on, \
             t.language, t.licence, t.external_url, t.audience, t.status, t.created_at, t.updated_at, \
             ARRAY(SELECT th.slug FROM document_themes l JOIN themes th ON th.id = l.theme_id \
                   WHERE l.document_id = t.id ORDER BY th.slug) AS themes, \
             ARRAY(SELECT l.actor_id FROM document_authors l WHERE l.document_id = t.id \
                   ORDER BY l.position) AS author_ids",
    sorts: &[
        SortKey::new("published_on", "t.published_on", KeyType::Date).null_as("-infinity"),
        SortKey::new("title", "t.title", KeyType::Text),
        SortKey::CREATED_AT,
        SortKey::UPDATED_AT,
    ],
    default_sort: "-published_on",
    visibility: Visibility::Published,
    facets: &[
        Facet::THEME,
        Facet::column("kind", "t.kind"),
        Facet::column("centre", "t.centre_id"),
        Facet::column("year", "extract(year FROM t.published_on)::int"),
        Facet::column("language", "t.language"),
    ],
    located: false,
};

#[derive(QueryableByName)]
#[diesel(table_name = documents, check_for_backend(diesel::pg::Pg))]
pub struct DocumentRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: Option<String>,
    pub kind: DocumentKind,
    pub centre_id: Uuid,
    pub published_on: Option<NaiveDate>,
    pub language: String,
    pub licence: Option<String>,
    pub external_url: Option<String>,
    pub audience: Audience,
    pub status: DocumentStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    pub themes: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    pub author_ids: Vec<Uuid>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = documents, treat_none_as_null = true)]
pub struct DocumentRecord {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: Option<String>,
    pub kind: DocumentKind,
    pub centre_id: Uuid,
    pub published_on: Option<NaiveDate>,
    pub language: String,
    pub licence: Option<String>,
    pub external_url: Option<String>,
    pub audience: Audience,
    pub status: DocumentStatus,
}
