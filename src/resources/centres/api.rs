use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{CENTRES, Centre, Scope};
use crate::auth::{Admin, Caller};
use crate::error::{ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{JsonBody, MergePatch};
use crate::query::geo::{DepartmentCode, GeoFilters, RegionCode};
use crate::query::{Collection, Condition, Filters, Instant, ListQuery, Page, Paging, Shaping};
use crate::resources::linked_data::{self, node};
use crate::resources::links;
use crate::resources::relation::Relation;
use crate::resources::territories;
use crate::resources::themes::api::Themes;
use crate::resources::values::{check_coordinates, validate_slug};
use crate::resources::{Resource, crud, slugs};
use crate::schema::centres;
use crate::state::AppState;

/// A centre to create, or a centre after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = centres, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_centre", skip_on_field_errors = false))]
pub struct CentreInput {
    /// Made from the name when omitted.
    #[validate(custom(function = "validate_slug"))]
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    #[diesel(skip_insertion, skip_update)]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[validate(length(max = 40))]
    #[schema(max_length = 40)]
    pub acronym: Option<String>,
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub operator: Option<String>,
    pub scope: Scope,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub territory: Option<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub description: Option<String>,
    #[validate(email)]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[validate(length(max = 40))]
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[validate(url)]
    #[schema(format = "uri")]
    pub website: Option<String>,
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub address: Option<String>,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub city: Option<String>,
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: Option<f64>,
    /// INSEE region code (`76`: Occitanie); may be left out when a department is given.
    #[validate(length(min = 2, max = 2))]
    #[schema(value_type = Option<RegionCode>)]
    pub region_code: Option<String>,
    /// INSEE department code (`34`, `2A`, `974`).
    #[validate(length(min = 2, max = 3))]
    #[schema(value_type = Option<DepartmentCode>)]
    pub department_code: Option<String>,
    /// Theme slugs.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
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
            conditions.push(Condition::Tagged { key: theme.clone() });
        }
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Centres;

impl Resource for Centres {
    type Item = Centre;
    type Input = CentreInput;
    type Filters = CentreFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &CENTRES;
    const NAME: &'static str = "centres";
    const RELATIONS: &'static [Relation] = &[Themes::TAGS];
    const READ_ONLY: &'static [&'static str] = &["id", "created_at", "updated_at", "distance_km"];

    fn id(item: &Centre) -> Uuid {
        item.id
    }

    async fn linked_data(
        _: &mut AsyncPgConnection,
        centres: &[Centre],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        Ok(Some(
            centres.iter().map(|item| linked(item, origin)).collect(),
        ))
    }

    fn location(item: &Centre) -> String {
        format!("/api/v1/centres/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: CentreInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        (input.region_code, input.department_code) = territories::place(
            conn,
            "centres",
            existing,
            input.region_code.take(),
            input.department_code.take(),
        )
        .await?;
        let slug = slugs::choose(conn, "centres", input.slug.take(), &input.name).await?;
        let id = match existing {
            None => {
                diesel::insert_into(centres::table)
                    .values((&input, centres::slug.eq(&slug)))
                    .returning(centres::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(centres::table.find(id))
                    .set((
                        &input,
                        centres::slug.eq(&slug),
                        centres::updated_at.eq(diesel::dsl::now),
                    ))
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

/// A centre as schema.org says it: an `Organization`, with its address and its operator.
fn linked(centre: &Centre, origin: &str) -> Value {
    let address = linked_data::place(&None, &centre.address, &centre.city, None, None)
        .and_then(|place| place.get("address").cloned());
    let geo = centre.latitude.zip(centre.longitude).map(|(latitude, longitude)| {
        json!({"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude})
    });
    let operator = centre
        .operator
        .as_ref()
        .map(|name| json!({"@type": "Organization", "name": name}));
    node(json!({
        "@type": "Organization",
        "@id": format!("{origin}{}", Centres::location(centre)),
        "identifier": centre.slug,
        "name": centre.name,
        "alternateName": centre.acronym,
        "description": centre.description,
        "email": centre.email,
        "telephone": centre.phone,
        "url": centre.website,
        "address": address,
        "geo": geo,
        "areaServed": centre.territory,
        "parentOrganization": operator,
        "knowsAbout": centre.themes,
    }))
}
