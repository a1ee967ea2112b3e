//! A document as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Span, Visibility};
use crate::resources::values::Audience;
use crate::row;
use crate::schema::documents;

text_enum! {
    /// What kind of document it is.
    DocumentKind {
        Guide = "guide",
        NoteTechnique = "note_technique",
        RetourExperience = "retour_experience",
        Publication = "publication",
        SupportSensibilisation = "support_sensibilisation",
        CompteRendu = "compte_rendu",
        Dossier = "dossier",
        Actualite = "actualite",
    }
}

text_enum! {
    /// The life of a document: members submit, administrators publish or reject.
    #[derive(Default)]
    DocumentStatus {
        #[default] Draft = "draft",
        Submitted = "submitted",
        Published = "published",
        Rejected = "rejected",
        Archived = "archived",
    }
}

row! {
    /// A document published by a centre.
    #[derive(Debug, Serialize, ToSchema, QueryableByName)]
    #[diesel(table_name = documents, check_for_backend(diesel::pg::Pg))]
    pub struct Document {
        pub id: Uuid,
        #[schema(example = "guide-restauration-des-mares")]
        pub slug: String,
        #[schema(example = "Guide technique de restauration des mares")]
        pub title: String,
        pub summary: String,
        pub body: Option<String>,
        pub kind: DocumentKind,
        pub centre_id: Uuid,
        /// Theme slugs.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
        pub themes: Vec<String>,
        /// Authors (actor ids), in order.
        #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
        pub author_ids: Vec<Uuid>,
        #[schema(example = "2026-06-15")]
        pub published_on: Option<NaiveDate>,
        /// ISO 639-1 code.
        #[schema(example = "fr")]
        pub language: String,
        #[schema(example = "Etalab-2.0")]
        pub licence: Option<String>,
        /// Where the document can be read, when it is not attached.
        pub external_url: Option<String>,
        pub audience: Audience,
        pub status: DocumentStatus,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

pub static DOCUMENTS: Collection = Collection {
    table: "documents",
    fields: Document::FIELDS,
    computed: &[("themes", "t.theme_slugs")],
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

/// What `from=` and `to=` compare: the day of publication.
pub const PUBLICATION: Span = Span::Day {
    column: "t.published_on",
    indexed: "coalesce(t.published_on, '-infinity'::date)",
};
