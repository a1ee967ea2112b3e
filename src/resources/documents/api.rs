use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{DOCUMENTS, Document, DocumentFile, DocumentKind, DocumentStatus, PUBLICATION};
use crate::auth::{Admin, Caller, Member};
use crate::error::{ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{JsonBody, MergePatch};
use crate::query::{
    Authorship, Collection, Condition, DateBound, FeedPaging, Filters, Instant, ListQuery, Page,
    Paging, Shaping,
};
use crate::resources::actors::api::Actors;
use crate::resources::centres::api::Centres;
use crate::resources::contributions::{
    self, Contributed, DecisionErrors, Rejection, Submission, Submitting,
};
use crate::resources::feeds::{self, AtomEntry, Feed};
use crate::resources::linked_data::{self, node};
use crate::resources::links;
use crate::resources::relation::Relation;
use crate::resources::shape;
use crate::resources::themes::api::Themes;
use crate::resources::values::{Audience, default_language, validate_date, validate_slug};
use crate::resources::{Resource, crud, slugs};
use crate::schema::documents;
use crate::state::AppState;

/// A document to create, or a document after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = documents, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
pub struct DocumentInput {
    /// Made from the title when omitted.
    #[validate(custom(function = "validate_slug"))]
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    #[diesel(skip_insertion, skip_update)]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub summary: String,
    #[validate(length(max = 200000))]
    #[schema(max_length = 200000)]
    pub body: Option<String>,
    pub kind: DocumentKind,
    pub centre_id: Uuid,
    /// Theme slugs.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub themes: Vec<String>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub author_ids: Vec<Uuid>,
    #[validate(custom(function = "validate_date"))]
    pub published_on: Option<NaiveDate>,
    /// ISO 639-1 code; `fr` when omitted.
    #[serde(default = "default_language")]
    #[validate(length(equal = 2))]
    pub language: String,
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub licence: Option<String>,
    #[validate(url)]
    #[schema(format = "uri")]
    pub external_url: Option<String>,
    #[serde(default)]
    pub audience: Audience,
    /// When omitted: `submitted` for a member's new document, `draft` for an
    /// administrator's, and unchanged by a patch. A member's document is `draft` or
    /// `submitted`; an administrator decides on it through `/publication` or `/rejection`.
    #[serde(default)]
    #[diesel(skip_insertion, skip_update)]
    pub status: Option<DocumentStatus>,
    /// Set by the server: the member who created it.
    #[serde(skip)]
    #[diesel(skip_update)]
    pub submitted_by: Option<Uuid>,
    /// Set by the server: when it last entered moderation.
    #[serde(skip)]
    pub submitted_at: Option<DateTime<Utc>>,
}

/// Filters of the document list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilters {
    /// Full-text search in French: accents, case, plurals and common inflections do not
    /// matter. Ranked by relevance unless `sort` is given.
    #[param(example = "guide zones humides")]
    pub q: Option<String>,
    /// Documents of this centre (id or slug).
    pub centre: Option<String>,
    /// Tagged with this theme or one below it (slug or id).
    pub theme: Option<String>,
    pub kind: Option<DocumentKind>,
    pub audience: Option<Audience>,
    pub status: Option<DocumentStatus>,
    /// ISO 639-1 code.
    pub language: Option<String>,
    /// Published on or after this date.
    #[param(example = "2026-01-01")]
    pub from: Option<DateBound>,
    /// Published on or before this date.
    #[param(example = "2026-12-31")]
    pub to: Option<DateBound>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for DocumentFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(q) = &self.q {
            conditions.push(Condition::search(q, None)?);
        }
        if let Some(centre) = &self.centre {
            conditions.push(Condition::RefersTo {
                column: "t.centre_id",
                table: "centres",
                key: centre.clone(),
            });
        }
        if let Some(theme) = &self.theme {
            conditions.push(Condition::Tagged { key: theme.clone() });
        }
        conditions.extend(self.kind.map(|v| Condition::text("t.kind", v.as_str())));
        conditions.extend(
            self.audience
                .map(|v| Condition::text("t.audience", v.as_str())),
        );
        conditions.extend(self.status.map(|v| Condition::text("t.status", v.as_str())));
        conditions.extend(
            self.language
                .as_deref()
                .map(|v| Condition::text("t.language", v)),
        );
        conditions.extend(Condition::during(PUBLICATION, self.from, self.to));
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Documents;

impl Resource for Documents {
    type Item = Document;
    type Input = DocumentInput;
    type Filters = DocumentFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &DOCUMENTS;
    const NAME: &'static str = "documents";
    const FEED: Option<&'static Feed> = Some(&feeds::ATOM);
    const CONTRIBUTED: Option<Authorship> = Some(Authorship {
        coauthors: Some("t.author_ids"),
    });
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "created_at",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "decided_at",
        "rejection_reason",
        "file",
    ];
    const RELATIONS: &'static [Relation] = &[
        shape::one::<Centres>("centre", "centre_id"),
        Themes::TAGS,
        shape::many::<Actors>("authors", "author_ids"),
    ];

    fn present(item: &mut Document, caller: &Caller) {
        if !contributions::sees_submitter(caller, item.submitted_by) {
            item.submitted_by = None;
        }
    }

    fn may_change(caller: &Caller, current: &Document) -> ApiResult<()> {
        contributions::may_edit::<Self>(caller, current)
    }

    fn admit(
        caller: &Caller,
        current: Option<&Document>,
        input: &mut DocumentInput,
    ) -> ApiResult<()> {
        contributions::admit::<Self>(caller, current, input)
    }

    fn id(item: &Document) -> Uuid {
        item.id
    }

    async fn linked_data(
        _: &mut AsyncPgConnection,
        documents: &[Document],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        Ok(Some(documents.iter().map(|d| linked(d, origin)).collect()))
    }

    fn location(item: &Document) -> String {
        format!("/api/v1/documents/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: DocumentInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        let slug = slugs::choose(conn, "documents", input.slug.take(), &input.title).await?;
        // Set by `admit`, which every write goes through.
        let status = documents::status.eq(input.status.unwrap_or_default());
        input.language.make_ascii_lowercase();
        let id = match existing {
            None => {
                diesel::insert_into(documents::table)
                    .values((&input, documents::slug.eq(&slug), status))
                    .returning(documents::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(documents::table.find(id))
                    .set((
                        &input,
                        documents::slug.eq(&slug),
                        status,
                        documents::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(documents::id)
                    .get_result(conn)
                    .await?
            }
        };
        links::replace_themes(conn, &links::DOCUMENT_THEMES, id, &input.themes).await?;
        links::replace(conn, &links::AUTHORS, id, &input.author_ids).await?;
        Ok(id)
    }
}

/// List documents.
///
/// Includes (`include=`): `centre`, `themes`, `authors`.
///
/// Facets (`facets=`): `theme`, `kind`, `centre`, `year`, `language`.
/// Sortable fields: `published_on` (default, newest first; undated documents sort as the
/// oldest), `title`, `created_at`, `updated_at`.
#[utoipa::path(tag = "documents", operation_id = "list_documents", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, Shaping, DocumentFilters),
    responses((status = 200, description = "A page of documents", body = Page<Document>), ListErrors))]
#[get("/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<DocumentFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Documents>(&state, &caller, query, Vec::new()).await
}

/// List documents as an Atom feed (RFC 4287), for feed readers.
///
/// The list's filters, sort (newest first by default) and paging apply, as the caller sees
/// the list (`Link` to the next page). Each entry's `id` is `urn:uuid:<document id>`, with its
/// `updated`, its `published` date, its kind and themes as categories, a link to the
/// document and, when it carries a file, an `enclosure`. The list names this feed in its
/// `Link` header (`rel="alternate"`).
#[utoipa::path(tag = "documents", operation_id = "list_documents_feed", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(FeedPaging, DocumentFilters),
    responses((status = 200, description = "The documents as Atom", body = String, content_type = "application/atom+xml"), ListErrors))]
#[get("/documents.atom")]
pub async fn list_documents_feed(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<DocumentFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (documents, end) =
        feeds::page::<Documents>(&mut conn, &state.counts, &caller, &query, Vec::new()).await?;
    let origin = &query.origin;
    let entries = documents
        .into_iter()
        .map(|document| {
            let file: Option<DocumentFile> = document
                .file
                .clone()
                .and_then(|file| serde_json::from_value(file).ok());
            let mut categories = vec![document.kind.as_str().to_string()];
            categories.extend(document.themes.iter().cloned());
            AtomEntry {
                id: document.id,
                url: format!("{origin}{}", Documents::location(&document)),
                published: document
                    .published_on
                    .and_then(|day| day.and_hms_opt(0, 0, 0))
                    .map(|midnight| midnight.and_utc().fixed_offset()),
                enclosure: file
                    .map(|file| (format!("{origin}{}", file.url), file.media_type, file.size)),
                categories,
                updated_at: document.updated_at,
                title: document.title,
                summary: document.summary,
            }
        })
        .collect();
    let url = format!("{origin}{}", query.alternate(feeds::ATOM.suffix));
    let feed = feeds::atom("relais : documents", &url, entries);
    Ok(feeds::respond(&feeds::ATOM, feed, end.link_header(&query)))
}

/// Read a document by id or slug.
///
/// Includes (`include=`): `centre`, `themes`, `authors`.
#[utoipa::path(tag = "documents", operation_id = "get_document", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), Shaping),
    responses(
        (status = 200, description = "The document", body = Document, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/documents/{key}")]
pub async fn get_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Documents>(&req, &state, &caller, &key, Vec::new(), &shaping).await
}

/// Create a document; a member's is a contribution.
///
/// A member's document is visible to its authors (the member, and the members whose actor
/// profiles it names in `author_ids`) and to administrators only, `draft` or `submitted`
/// (the default), until an administrator publishes or rejects it. Another `status` from a
/// member is a `403`.
#[utoipa::path(tag = "documents", operation_id = "create_document", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    request_body = DocumentInput,
    responses(
        (status = 201, description = "Created", body = Document, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    member: Member,
    body: JsonBody<DocumentInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Documents>(&state, &member.0, body.into_inner(), ()).await
}

/// Change a document with a JSON Merge Patch; members change their own contributions.
///
/// A contribution's authors edit it until it is published (`409` `not-editable` after, and
/// `403` on a document they did not write); an edit of a rejected one submits it again. Its
/// `status` changes as [`create_document`] says; a submitted or rejected document's status
/// is decided through `/publication` and `/rejection`, never a patch (`409`
/// `moderated-status`).
#[utoipa::path(tag = "documents", operation_id = "update_document", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = DocumentInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses((status = 200, description = "Updated", body = Document, headers(("ETag" = String))), UpdateErrors))]
#[patch("/documents/{key}")]
pub async fn update_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Documents>(&req, &state, &member.0, &key, patch, Vec::new(), ()).await
}

/// Delete a document (admin): it goes to the trash.
#[utoipa::path(tag = "documents", operation_id = "delete_document", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/documents/{key}")]
pub async fn delete_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Documents>(&req, &state, &admin.0, &key, Vec::new()).await
}

impl Contributed for Documents {
    type Status = DocumentStatus;
    const ITEM: &'static str = "document";
    const ON_PUBLICATION: &'static str = ", published_on = coalesce(published_on, current_date)";

    fn submission(item: &Document) -> Submission<'_, DocumentStatus> {
        Submission {
            status: item.status,
            submitted_by: item.submitted_by,
            submitted_at: item.submitted_at,
            coauthors: &item.author_ids,
        }
    }

    fn submitting(input: &mut DocumentInput) -> Submitting<'_, DocumentStatus> {
        Submitting {
            status: &mut input.status,
            submitted_by: &mut input.submitted_by,
            submitted_at: &mut input.submitted_at,
        }
    }
}

/// Publish a submitted document (admin).
///
/// Its `published_on` becomes today unless it has one. Only a `submitted` document is
/// published this way (`409` otherwise, naming its status).
#[utoipa::path(tag = "documents", operation_id = "publish_document", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Published", body = Document, headers(("ETag" = String))), DecisionErrors))]
#[post("/documents/{key}/publication")]
pub async fn publish_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    contributions::decide::<Documents>(&req, &state, &admin.0, &key, None).await
}

/// Reject a submitted document with a reason (admin); its authors read it on the document.
///
/// Only a `submitted` document is rejected this way (`409` otherwise, naming its status).
/// Its authors may then edit it, which submits it again.
#[utoipa::path(tag = "documents", operation_id = "reject_document", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = Rejection,
    responses((status = 200, description = "Rejected", body = Document, headers(("ETag" = String))), UpdateErrors))]
#[post("/documents/{key}/rejection")]
pub async fn reject_document(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    body: JsonBody<Rejection>,
) -> ApiResult<HttpResponse> {
    let reason = Some(body.into_inner().reason);
    contributions::decide::<Documents>(&req, &state, &admin.0, &key, reason).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_documents)
        .service(list_documents_feed)
        .service(get_document)
        .service(create_document)
        .service(update_document)
        .service(delete_document)
        .service(publish_document)
        .service(reject_document);
}

/// A document as schema.org says it: a `Report`, an article or a `CreativeWork` by its kind,
/// published by its centre, with its file as its `encoding`.
fn linked(document: &Document, origin: &str) -> Value {
    let kind = match document.kind {
        DocumentKind::NoteTechnique
        | DocumentKind::RetourExperience
        | DocumentKind::CompteRendu => "Report",
        DocumentKind::Publication => "ScholarlyArticle",
        DocumentKind::Actualite => "NewsArticle",
        DocumentKind::Guide | DocumentKind::SupportSensibilisation | DocumentKind::Dossier => {
            "CreativeWork"
        }
    };
    let file: Option<DocumentFile> = document
        .file
        .clone()
        .and_then(|file| serde_json::from_value(file).ok());
    let encoding = file.map(|file| {
        json!({
            "@type": "MediaObject",
            "name": file.name,
            "contentUrl": format!("{origin}{}", file.url),
            "encodingFormat": file.media_type,
            "contentSize": file.size.to_string(),
            "sha256": file.sha256,
        })
    });
    let authors: Vec<Value> = document
        .author_ids
        .iter()
        .map(|id| linked_data::reference(origin, format!("/api/v1/actors/{id}")))
        .collect();
    node(json!({
        "@type": kind,
        "@id": format!("{origin}{}", Documents::location(document)),
        "identifier": document.slug,
        "name": document.title,
        "abstract": document.summary,
        "genre": document.kind.as_str(),
        "datePublished": document.published_on.map(|day| day.to_string()),
        "dateModified": document.updated_at.to_rfc3339(),
        "inLanguage": document.language,
        "license": document.licence,
        "url": document.external_url,
        "encoding": encoding,
        "author": authors,
        "publisher": linked_data::reference(origin, format!("/api/v1/centres/{}", document.centre_id)),
        "keywords": document.themes,
    }))
}
