//! A document as stored, read and sent, and how the list engine sees the collection.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;
use crate::query::{Collection, Facet, KeyType, SortKey, Span, Visibility};
use crate::resources::contributions::Moderated;
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

impl Moderated for DocumentStatus {
    const DRAFT: Self = Self::Draft;
    const SUBMITTED: Self = Self::Submitted;
    const PUBLISHED: Self = Self::Published;
    const REJECTED: Self = Self::Rejected;
    fn name(self) -> &'static str {
        self.as_str()
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
        /// The member who submitted it, shown to administrators and to that member.
        pub submitted_by: Option<Uuid>,
        /// When it last entered moderation.
        pub submitted_at: Option<DateTime<Utc>>,
        /// When an administrator last published or rejected it.
        pub decided_at: Option<DateTime<Utc>>,
        /// Why it was rejected, for its authors.
        #[schema(example = "Merci de préciser les références du protocole de suivi.")]
        pub rejection_reason: Option<String>,
        /// The attached file (`PUT /documents/{id}/file`), if any.
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Jsonb>)]
        #[schema(value_type = Option<DocumentFile>)]
        pub file: Option<serde_json::Value>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

/// The file a document carries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DocumentFile {
    /// Its original name.
    #[schema(example = "compte-rendu-jeudi-zones-humides.pdf")]
    pub name: String,
    /// What its content is, read from its first bytes.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    /// In bytes.
    pub size: i64,
    /// SHA-256 of the content, in hex: also its `ETag`.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it.
    #[schema(example = "/api/v1/documents/3f9c6f9e-8d0e-4b8f-9a52-1c0f3a7d2b10/file")]
    pub url: String,
}

/// The `file` field, from the row's columns (the storage key stays inside).
const FILE: &str = "CASE WHEN t.file_key IS NULL THEN NULL ELSE jsonb_build_object(\
     'name', t.file_name, 'media_type', t.file_media_type, 'size', t.file_size, \
     'sha256', t.file_sha256, 'uploaded_at', t.file_uploaded_at, \
     'url', '/api/v1/documents/' || t.id || '/file') END";

pub static DOCUMENTS: Collection = Collection {
    table: "documents",
    fields: Document::FIELDS,
    computed: &[("themes", "t.theme_slugs"), ("file", FILE)],
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
