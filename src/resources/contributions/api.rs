use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::model::{
    AUTHORSHIP, CONTRIBUTIONS, ContributedCollection, Contribution, ContributionStatus,
};
use super::sees_submitter;
use crate::auth::{Admin, Caller, Member, Role};
use crate::error::{AdminListErrors, ApiError, ApiResult, ListErrors};
use crate::query::{Condition, Filters, Instant, ListQuery, Page, Paging, Plan};
use crate::state::AppState;

/// Filters of contribution lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContributionFilters {
    /// Documents or proposed events only.
    pub collection: Option<ContributedCollection>,
    pub status: Option<ContributionStatus>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for ContributionFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        conditions.extend(
            self.collection
                .map(|v| Condition::text("t.collection", v.as_str())),
        );
        conditions.extend(self.status.map(|v| Condition::text("t.status", v.as_str())));
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
        .run::<Contribution>(&mut conn, &state.counts)
        .await?
        .respond(&query, |mut row| {
            if !sees_submitter(caller, row.submitted_by) {
                row.submitted_by = None;
            }
            row
        })
}

/// List the caller's contributions: the documents it submitted or co-authors and the events
/// it proposed, in every status, with the moderation's decision and reason.
///
/// Facets (`facets=`): `collection`, `status`, `centre`.
/// Sortable fields: `submitted_at` (default; drafts never submitted come last),
/// `updated_at`, `created_at`, `title`.
#[utoipa::path(tag = "contributions", operation_id = "list_my_contributions", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(Paging, ContributionFilters),
    responses((status = 200, description = "A page of the caller's contributions", body = Page<Contribution>), ListErrors))]
#[get("/me/contributions")]
pub async fn list_my_contributions(
    state: web::Data<AppState>,
    member: Member,
    query: ListQuery<ContributionFilters>,
) -> ApiResult<HttpResponse> {
    let mine = Condition::contributed_by(&member.0, AUTHORSHIP).ok_or_else(ApiError::not_found)?;
    contributions(&state, &member.0, query, vec![mine]).await
}

/// List the contributions that entered moderation (admin); `status=submitted` is the
/// moderation queue, oldest first.
///
/// Facets (`facets=`): `collection`, `status`, `centre`.
/// Sortable fields: `submitted_at` (default, oldest first), `updated_at`, `created_at`,
/// `title`.
#[utoipa::path(tag = "contributions", operation_id = "list_contributions", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(Paging, ContributionFilters),
    responses((status = 200, description = "A page of contributions", body = Page<Contribution>), AdminListErrors))]
#[get("/contributions")]
pub async fn list_contributions(
    state: web::Data<AppState>,
    admin: Admin,
    query: ListQuery<ContributionFilters>,
) -> ApiResult<HttpResponse> {
    let submitted = Condition::Present("t.submitted_at");
    contributions(&state, &admin.0, query, vec![submitted]).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_my_contributions)
        .service(list_contributions);
}
