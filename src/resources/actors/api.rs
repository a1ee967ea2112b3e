use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{ACTORS, Actor, ActorCategory, ActorKind};
use crate::auth::{Admin, Caller};
use crate::error::{ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{JsonBody, MergePatch};
use crate::query::geo::{DepartmentCode, GeoFilters, RegionCode};
use crate::query::sql::Bind;
use crate::query::{Collection, Condition, Filters, Instant, ListQuery, Page, Paging, Shaping};
use crate::resources::centres::api::Centres;
use crate::resources::linked_data::{self, node};
use crate::resources::links;
use crate::resources::relation::Relation;
use crate::resources::shape;
use crate::resources::territories;
use crate::resources::themes::api::Themes;
use crate::resources::values::{check_coordinates, validate_slug};
use crate::resources::{Resource, crud, slugs};
use crate::schema::actors;
use crate::state::AppState;

/// An actor to create, or an actor after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = actors, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_actor", skip_on_field_errors = false))]
pub struct ActorInput {
    /// Made from the name when omitted.
    #[validate(custom(function = "validate_slug"))]
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    #[diesel(skip_insertion, skip_update)]
    pub slug: Option<String>,
    pub kind: ActorKind,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub organisation: Option<String>,
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub job_title: Option<String>,
    pub category: Option<ActorCategory>,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub territory: Option<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub bio: Option<String>,
    #[validate(email)]
    #[schema(format = Email)]
    pub email: Option<String>,
    #[validate(length(max = 40))]
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[validate(url)]
    #[schema(format = "uri")]
    pub website: Option<String>,
    #[serde(default)]
    pub is_expert: bool,
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
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub centre_ids: Vec<Uuid>,
    /// Expertise theme slugs.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub themes: Vec<String>,
}

fn check_actor(input: &ActorInput) -> Result<(), validator::ValidationError> {
    check_coordinates(input.latitude, input.longitude)
}

/// Filters of the actor list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActorFilters {
    /// Full-text search in French: accents, case, plurals and common inflections do not
    /// matter, and names tolerate small typos. Ranked by relevance unless `sort` is given.
    #[param(example = "ecologue")]
    pub q: Option<String>,
    pub kind: Option<ActorKind>,
    pub category: Option<ActorCategory>,
    /// Members of this centre's network (id or slug).
    pub centre: Option<String>,
    /// With this expertise theme or one below it (slug or id).
    pub theme: Option<String>,
    pub is_expert: Option<bool>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for ActorFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(q) = &self.q {
            conditions.push(Condition::search(q, Some("t.name"))?);
        }
        if let Some(kind) = self.kind {
            conditions.push(Condition::text("t.kind", kind.as_str()));
        }
        if let Some(category) = self.category {
            conditions.push(Condition::text("t.category", category.as_str()));
        }
        if let Some(centre) = &self.centre {
            conditions.push(Condition::Linked {
                link: &links::NETWORK,
                key: centre.clone(),
            });
        }
        if let Some(theme) = &self.theme {
            conditions.push(Condition::Tagged { key: theme.clone() });
        }
        if let Some(is_expert) = self.is_expert {
            conditions.push(Condition::Equals {
                column: "t.is_expert",
                value: Bind::Bool(is_expert),
            });
        }
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Actors;

impl Resource for Actors {
    type Item = Actor;
    type Input = ActorInput;
    type Filters = ActorFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &ACTORS;
    const NAME: &'static str = "actors";
    const RELATIONS: &'static [Relation] = &[
        shape::many::<Centres>("centres", "centre_ids"),
        Themes::TAGS,
    ];
    const READ_ONLY: &'static [&'static str] = &["id", "created_at", "updated_at", "distance_km"];

    fn present(actor: &mut Actor, caller: &Caller) {
        if !caller.is_member() {
            actor.email = None;
            actor.phone = None;
        }
    }

    fn id(item: &Actor) -> Uuid {
        item.id
    }

    async fn linked_data(
        _: &mut AsyncPgConnection,
        actors: &[Actor],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        Ok(Some(
            actors.iter().map(|item| linked(item, origin)).collect(),
        ))
    }

    fn location(item: &Actor) -> String {
        format!("/api/v1/actors/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: ActorInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        (input.region_code, input.department_code) = territories::place(
            conn,
            "actors",
            existing,
            input.region_code.take(),
            input.department_code.take(),
        )
        .await?;
        let slug = slugs::choose(conn, "actors", input.slug.take(), &input.name).await?;
        let id = match existing {
            None => {
                diesel::insert_into(actors::table)
                    .values((&input, actors::slug.eq(&slug)))
                    .returning(actors::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(actors::table.find(id))
                    .set((
                        &input,
                        actors::slug.eq(&slug),
                        actors::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(actors::id)
                    .get_result(conn)
                    .await?
            }
        };
        links::replace(conn, &links::NETWORK, id, &input.centre_ids).await?;
        links::replace_themes(conn, &links::ACTOR_THEMES, id, &input.themes).await?;
        Ok(id)
    }
}

/// List actors of the network.
///
/// Includes (`include=`): `centres`, `themes`.
///
/// Facets (`facets=`): `theme`, `kind`, `category`, `centre`, `region`, `department`.
/// Sortable fields: `name` (default), `created_at`, `updated_at`. Contact details are present
/// for members only.
#[utoipa::path(tag = "actors", operation_id = "list_actors", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, Shaping, GeoFilters, ActorFilters),
    responses((status = 200, description = "A page of actors", body = Page<Actor>), ListErrors))]
#[get("/actors")]
pub async fn list_actors(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<ActorFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Actors>(&state, &caller, query, Vec::new()).await
}

/// Read an actor by id or slug.
///
/// Includes (`include=`): `centres`, `themes`.
#[utoipa::path(tag = "actors", operation_id = "get_actor", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), Shaping),
    responses(
        (status = 200, description = "The actor", body = Actor, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/actors/{key}")]
pub async fn get_actor(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Actors>(&req, &state, &caller, &key, Vec::new(), &shaping).await
}

/// Create an actor (admin).
#[utoipa::path(tag = "actors", operation_id = "create_actor", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = ActorInput,
    responses(
        (status = 201, description = "Created", body = Actor, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/actors")]
pub async fn create_actor(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<ActorInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Actors>(&state, &admin.0, body.into_inner(), ()).await
}

/// Change an actor with a JSON Merge Patch (admin).
#[utoipa::path(tag = "actors", operation_id = "update_actor", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = ActorInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses((status = 200, description = "Updated", body = Actor, headers(("ETag" = String))), UpdateErrors))]
#[patch("/actors/{key}")]
pub async fn update_actor(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Actors>(&req, &state, &admin.0, &key, patch, Vec::new(), ()).await
}

/// Delete an actor (admin). They are removed from speakers, trainers and authors.
#[utoipa::path(tag = "actors", operation_id = "delete_actor", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/actors/{key}")]
pub async fn delete_actor(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Actors>(&req, &state, &admin.0, &key, Vec::new()).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_actors)
        .service(get_actor)
        .service(create_actor)
        .service(update_actor)
        .service(delete_actor);
}

/// An actor as schema.org says it: a `Person` (with its organisation and job) or an
/// `Organization`, member of its centres.
fn linked(actor: &Actor, origin: &str) -> Value {
    let person = actor.kind == ActorKind::Person;
    let centres: Vec<Value> = actor
        .centre_ids
        .iter()
        .map(|id| linked_data::reference(origin, format!("/api/v1/centres/{id}")))
        .collect();
    let works_for = actor
        .organisation
        .as_ref()
        .filter(|_| person)
        .map(|name| json!({"@type": "Organization", "name": name}));
    node(json!({
        "@type": if person { "Person" } else { "Organization" },
        "@id": format!("{origin}{}", Actors::location(actor)),
        "identifier": actor.slug,
        "name": actor.name,
        "jobTitle": actor.job_title.as_ref().filter(|_| person),
        "worksFor": works_for,
        "description": actor.bio,
        "email": actor.email.clone().flatten(),
        "telephone": actor.phone.clone().flatten(),
        "url": actor.website,
        "memberOf": centres,
        "knowsAbout": actor.themes,
    }))
}
