use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{CENTRES, CentreRecord, CentreRow};
use crate::auth::{Admin, Caller};
use crate::enums::text_enum;
use crate::error::{ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{JsonBody, MergePatch};
use crate::query::geo::GeoFilters;
use crate::query::{Collection, Condition, Filters, Instant, ListQuery, Page, Paging, Shaping};
use crate::resources::links;
use crate::resources::shape::Relation;
use crate::resources::territories;
use crate::resources::values::{check_coordinates, validate_slug};
use crate::resources::{Resource, crud, slugs};
use crate::schema::centres;
use crate::state::AppState;

text_enum! {
    /// The territory a centre serves.
    Scope { National = "national", Regional = "regional", Departmental = "departmental", Local = "local" }
}

/// A resource centre.
#[derive(Debug, Serialize, ToSchema)]
pub struct Centre {
    pub id: Uuid,
    #[schema(example = "centre-de-ressources-zones-humides")]
    pub slug: String,
    #[schema(example = "Pôle-relais zones humides")]
    pub name: String,
    #[schema(example = "PRZH")]
    pub acronym: Option<String>,
    /// The body that runs it (porteur).
    #[schema(example = "Office français de la biodiversité")]
    pub operator: Option<String>,
    pub scope: Scope,
    #[schema(example = "Occitanie")]
    pub territory: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// INSEE region code (`76`: Occitanie). Set from the department when only that is given.
    #[schema(example = "76")]
    pub region_code: Option<String>,
    /// INSEE department code (`34`, `2A`, `974`).
    #[schema(example = "34")]
    pub department_code: Option<String>,
    /// With `near=`: the distance from that point, in kilometres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Theme slugs.
    pub themes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A centre to create, or a centre after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_centre", skip_on_field_errors = false))]
pub struct CentreInput {
    /// Made from the name when omitted.
    #[validate(custom(function = "validate_slug"))]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 300))]
    pub name: String,
    #[validate(length(max = 40))]
    pub acronym: Option<String>,
    #[validate(length(max = 300))]
    pub operator: Option<String>,
    pub scope: Scope,
    #[validate(length(max = 200))]
    pub territory: Option<String>,
    #[validate(length(max = 20000))]
    pub description: Option<String>,
    #[validate(email)]
    pub email: Option<String>,
    #[validate(length(max = 40))]
    pub phone: Option<String>,
    #[validate(url)]
    pub website: Option<String>,
    #[validate(length(max = 500))]
    pub address: Option<String>,
    #[validate(length(max = 200))]
    pub city: Option<String>,
    #[validate(range(min = -90.0, max = 90.0))]
    pub latitude: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    pub longitude: Option<f64>,
    /// INSEE region code (`76`: Occitanie); may be left out when a department is given.
    #[validate(length(min = 2, max = 2))]
    pub region_code: Option<String>,
    /// INSEE department code (`34`, `2A`, `974`).
    #[validate(length(min = 2, max = 3))]
    pub department_code: Option<String>,
    /// Theme slugs.
    #[serde(default)]
    #[validate(length(max = 50))]
    pub themes: Vec<String>,
}

fn check_centre(input: &CentreInput) -> Result<(), validator::ValidationError> {
    check_coordinates(input.latitude, input.longitude)
}

/// Filters of the centre list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CentreFilters {
    /// Full-text search in French: accents, case, plurals and common inflections do not
    /// matter, and names tolerate small typos. Ranked by relevance unless `sort` is given.
    #[param(example = "zones humides")]
    pub q: Option<String>,
    pub scope: Option<Scope>,
    /// Tagged with this theme or one below it (slug or id).
    pub theme: Option<String>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for CentreFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(q) = &self.q {
            conditions.push(Condition::search(q, Some("t.name"))?);
        }
        if let Some(scope) = self.scope {
            conditions.push(Condition::text("t.scope", scope.as_str()));
        }
        if let Some(theme) = &self.theme {
            conditions.push(Condition::Tagged {
                link: &links::CENTRE_THEMES,
                key: theme.clone(),
            });
        }
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Centres;

impl Resource for Centres {
    type Row = CentreRow;
    type Item = Centre;
    type Input = CentreInput;
    type Filters = CentreFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &CENTRES;
    const RELATIONS: &'static [Relation] = &[Relation::THEMES];
    const READ_ONLY: &'static [&'static str] = &["id", "created_at", "updated_at", "distance_km"];

    fn item(row: CentreRow, _: &Caller) -> Centre {
        Centre {
            id: row.id,
            slug: row.slug,
            name: row.name,
            acronym: row.acronym,
            operator: row.operator,
            scope: row.scope,
            territory: row.territory,
            description: row.description,
            email: row.email,
            phone: row.phone,
            website: row.website,
            address: row.address,
            city: row.city,
            latitude: row.latitude,
            longitude: row.longitude,
            region_code: row.region_code,
            department_code: row.department_code,
            distance_km: row.distance_km,
            themes: row.themes,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    fn id(item: &Centre) -> Uuid {
        item.id
    }

    fn location(item: &Centre) -> String {
        format!("/api/v1/centres/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        input: CentreInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        let (region_code, department_code) = territories::place(
            conn,
            "centres",
            existing,
            input.region_code,
            input.department_code,
        )
        .await?;
        let record = CentreRecord {
            slug: slugs::choose(conn, "centres", input.slug, &input.name).await?,
            name: input.name,
            acronym: input.acronym,
            operator: input.operator,
            scope: input.scope,
            territory: input.territory,
            description: input.description,
            email: input.email,
            phone: input.phone,
            website: input.website,
            address: input.address,
            city: input.city,
            latitude: input.latitude,
            longitude: input.longitude,
            region_code,
            department_code,
        };
        let id = match existing {
            None => {
                diesel::insert_into(centres::table)
                    .values(&record)
                    .returning(centres::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(centres::table.find(id))
                    .set((&record, centres::updated_at.eq(diesel::dsl::now)))
                    .returning(centres::id)
                    .get_result(conn)
                    .await?
            }
        };
        links::replace_themes(conn, &links::CENTRE_THEMES, id, &input.themes).await?;
        Ok(id)
    }
}

/// List centres.
///
/// Includes (`include=`): `themes`.
///
/// Facets (`facets=`): `theme`, `scope`, `region`, `department`.
/// Sortable fields: `name` (default), `created_at`, `updated_at`.
#[utoipa::path(tag = "centres", operation_id = "list_centres", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, Shaping, GeoFilters, CentreFilters),
    responses((status = 200, description = "A page of centres", body = Page<Centre>), ListErrors))]
#[get("/centres")]
pub async fn list_centres(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<CentreFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Centres>(&state, &caller, query, Vec::new()).await
}

/// Read a centre by id or slug.
///
/// Includes (`include=`): `themes`.
#[utoipa::path(tag = "centres", operation_id = "get_centre", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), Shaping),
    responses(
        (status = 200, description = "The centre", body = Centre, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/centres/{key}")]
pub async fn get_centre(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Centres>(&req, &state, &caller, &key, Vec::new(), &shaping).await
}

/// Create a centre (admin).
#[utoipa::path(tag = "centres", operation_id = "create_centre", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = CentreInput,
    responses(
        (status = 201, description = "Created", body = Centre, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/centres")]
pub async fn create_centre(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<CentreInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Centres>(&state, &admin.0, body.into_inner(), ()).await
}

/// Change a centre with a JSON Merge Patch (admin).
#[utoipa::path(tag = "centres", operation_id = "update_centre", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = CentreInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses((status = 200, description = "Updated", body = Centre, headers(("ETag" = String))), UpdateErrors))]
#[patch("/centres/{key}")]
pub async fn update_centre(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Centres>(&req, &state, &admin.0, &key, patch, Vec::new(), ()).await
}

/// Delete a centre (admin); refused (409) while events, trainings or documents belong to it.
#[utoipa::path(tag = "centres", operation_id = "delete_centre", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/centres/{key}")]
pub async fn delete_centre(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Centres>(&req, &state, &admin.0, &key, Vec::new()).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_centres)
        .service(get_centre)
        .service(create_centre)
        .service(update_centre)
        .service(delete_centre);
}
