//! Contributions: members write documents (retours d'expérience, comptes rendus…) that stay
//! visible to their authors and administrators only until an administrator publishes them
//! or rejects them with a reason, through explicit operations rather than a status patch.
//!
//! The life of a contribution: `draft` ⇄ `submitted` (its authors), then `published` or
//! `rejected` (an administrator, `/publication` or `/rejection`). Its authors edit it until
//! it is published; an edit of a rejected contribution submits it again. Once published, it
//! is the centre's: its authors' edits are refused (409), and administrators edit it.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::api::Documents;
use super::model::{CONTRIBUTIONS, Document, DocumentKind, DocumentStatus};
use crate::auth::{Admin, Caller, Member, Role};
use crate::error::{AdminListErrors, ApiError, ApiResult, ListErrors, Problem, UpdateErrors};
use crate::http::{JsonBody, Preconditions, updated_response};
use crate::query::sql::{Bind, Sql};
use crate::query::{Condition, Filters, Instant, ListQuery, Page, Paging, Plan};
use crate::resources::audit::{self, Action};
use crate::resources::{crud, shown};
use crate::state::AppState;

/// An administrator's reason for rejecting a contribution, for its authors.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    #[validate(length(min = 1, max = 2000))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Merci de préciser les références du protocole de suivi."
    )]
    pub reason: String,
}

/// Publishes or rejects a submitted document, in one transaction with its audit entry.
async fn decide(
    req: &HttpRequest,
    state: &AppState,
    admin: &Caller,
    key: &str,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let preconditions = Preconditions::of(req);
    let (status, action) = match reason {
        None => (DocumentStatus::Published, Action::Publish),
        Some(_) => (DocumentStatus::Rejected, Action::Reject),
    };
    let mut conn = state.conn().await?;
    let item = conn
        .transaction(async |c| {
            audit::begin(c, admin).await?;
            let current = crud::find_for_update::<Documents>(c, admin, key, &[]).await?;
            preconditions.check(&current)?;
            if current.status != DocumentStatus::Submitted {
                return Err(ApiError::refused(
                    "not-submitted",
                    format!(
                        "this document is {}: only a submitted document is published or rejected",
                        current.status.as_str()
                    ),
                ));
            }
            let mut sql = Sql::from("UPDATE documents SET status = ");
            sql.bind(Bind::Text(status.as_str().to_string()))
                .push(", decided_at = now(), updated_at = now(), rejection_reason = ");
            match &reason {
                Some(reason) => sql.bind(Bind::Text(reason.clone())),
                None => sql.push("NULL, published_on = coalesce(published_on, current_date)"),
            };
            sql.push(" WHERE id = ").bind(Bind::Uuid(current.id));
            sql.execute(c).await?;
            let item =
                crud::find::<Documents>(c, admin, &current.id.to_string(), Vec::new()).await?;
            audit::record(
                c,
                "documents",
                current.id,
                action,
                Some(&current),
                Some(&item),
            )
            .await?;
            Ok::<_, ApiError>(item)
        })
        .await?;
    updated_response(&item)
}

/// The errors of a moderation decision.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum DecisionErrors {
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Not an administrator.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such document.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The document is not submitted (`not-submitted`): `detail` names its status.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` does not match the current ETag.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
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
    decide(&req, &state, &admin.0, &key, None).await
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
    let reason = body.into_inner().reason;
    decide(&req, &state, &admin.0, &key, Some(reason)).await
}

/// Filters of contribution lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContributionFilters {
    pub status: Option<DocumentStatus>,
    pub kind: Option<DocumentKind>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for ContributionFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        conditions.extend(self.status.map(|v| Condition::text("t.status", v.as_str())));
        conditions.extend(self.kind.map(|v| Condition::text("t.kind", v.as_str())));
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

/// A page of contributions that `caller` reads in full, as their authors or as an
/// administrator.
async fn contributions(
    state: &AppState,
    caller: &Caller,
    query: ListQuery<ContributionFilters>,
    scope: Vec<Condition>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Plan::new(&CONTRIBUTIONS, Role::Admin, &query, scope)?
        .run::<Document>(&mut conn, &state.counts)
        .await?
        .respond(&query, |row| shown::<Documents>(row, caller))
}

/// List the caller's contributions: the documents it submitted or co-authors, in every
/// status, with the moderation's decision and reason.
///
/// Sortable fields: `submitted_at` (default; drafts never submitted come last),
/// `updated_at`, `created_at`, `title`.
#[utoipa::path(tag = "documents", operation_id = "list_my_contributions", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(Paging, ContributionFilters),
    responses((status = 200, description = "A page of the caller's contributions", body = Page<Document>), ListErrors))]
#[get("/me/contributions")]
pub async fn list_my_contributions(
    state: web::Data<AppState>,
    member: Member,
    query: ListQuery<ContributionFilters>,
) -> ApiResult<HttpResponse> {
    let mine = Condition::contributed_by(&member.0).ok_or_else(ApiError::not_found)?;
    contributions(&state, &member.0, query, vec![mine]).await
}

/// List the contributions that entered moderation (admin); `status=submitted` is the
/// moderation queue, oldest first.
///
/// Sortable fields: `submitted_at` (default, oldest first), `updated_at`, `created_at`,
/// `title`.
#[utoipa::path(tag = "documents", operation_id = "list_contributions", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(Paging, ContributionFilters),
    responses((status = 200, description = "A page of contributions", body = Page<Document>), AdminListErrors))]
#[get("/contributions")]
pub async fn list_contributions(
    state: web::Data<AppState>,
    admin: Admin,
    query: ListQuery<ContributionFilters>,
) -> ApiResult<HttpResponse> {
    let submitted = Condition::Present("t.submitted_at");
    contributions(&state, &admin.0, query, vec![submitted]).await
}
