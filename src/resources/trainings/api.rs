use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{Modality, TRAININGS, Training, TrainingKind};
use crate::auth::{Admin, Caller};
use crate::error::{
    ApiError, ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors,
};
use crate::http::{JsonBody, MergePatch};
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::query::{
    Collection, Condition, FeedPaging, Filters, Instant, ListQuery, Page, Paging, Shaping,
};
use crate::resources::actors::api::Actors;
use crate::resources::centres::api::Centres;
use crate::resources::feeds::{self, CalendarEntry, Feed};
use crate::resources::linked_data::{self, Instance, node};
use crate::resources::links;
use crate::resources::relation::Relation;
use crate::resources::shape;
use crate::resources::themes::api::Themes;
use crate::resources::values::{Audience, PublicationStatus, validate_slug};
use crate::resources::{Resource, crud, slugs};
use crate::schema::{training_sessions, trainings};
use crate::state::AppState;

/// A training to create, or a training after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = trainings, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
pub struct TrainingInput {
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
    #[validate(length(max = 100000))]
    #[schema(max_length = 100000)]
    pub body: Option<String>,
    pub kind: TrainingKind,
    pub modality: Modality,
    pub centre_id: Uuid,
    /// Theme slugs.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub themes: Vec<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub objectives: Option<String>,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub prerequisites: Option<String>,
    #[validate(range(exclusive_min = 0.0, max = 10000.0))]
    #[schema(exclusive_minimum = 0.0, maximum = 10000.0)]
    pub duration_hours: Option<f64>,
    #[serde(default)]
    pub audience: Audience,
    #[serde(default)]
    pub status: PublicationStatus,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub trainer_ids: Vec<Uuid>,
}

/// Filters of the training list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TrainingFilters {
    /// Full-text search in French: accents, case, plurals and common inflections do not
    /// matter. Ranked by relevance unless `sort` is given.
    #[param(example = "revitalisation centre-bourg")]
    pub q: Option<String>,
    /// Trainings of this centre (id or slug).
    pub centre: Option<String>,
    /// Tagged with this theme or one below it (slug or id).
    pub theme: Option<String>,
    pub kind: Option<TrainingKind>,
    pub modality: Option<Modality>,
    pub audience: Option<Audience>,
    pub status: Option<PublicationStatus>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for TrainingFilters {
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
            self.modality
                .map(|v| Condition::text("t.modality", v.as_str())),
        );
        conditions.extend(
            self.audience
                .map(|v| Condition::text("t.audience", v.as_str())),
        );
        conditions.extend(self.status.map(|v| Condition::text("t.status", v.as_str())));
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Trainings;

impl Resource for Trainings {
    type Item = Training;
    type Input = TrainingInput;
    type Filters = TrainingFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &TRAININGS;
    const FEED: Option<&'static Feed> = Some(&feeds::CALENDAR);
    const NAME: &'static str = "trainings";
    const RELATIONS: &'static [Relation] = &[
        shape::one::<Centres>("centre", "centre_id"),
        Themes::TAGS,
        shape::many::<Actors>("trainers", "trainer_ids"),
    ];

    fn id(item: &Training) -> Uuid {
        item.id
    }

    async fn linked_data(
        conn: &mut AsyncPgConnection,
        trainings: &[Training],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        let sessions = sessions_of(conn, trainings).await?;
        Ok(Some(
            trainings
                .iter()
                .map(|training| linked(training, &sessions, origin))
                .collect(),
        ))
    }

    fn location(item: &Training) -> String {
        format!("/api/v1/trainings/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: TrainingInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        if let Some(id) = existing
            && input.modality == Modality::SelfPaced
        {
            let sessions: i64 = training_sessions::table
                .filter(training_sessions::training_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            if sessions > 0 {
                return Err(ApiError::invalid_field(
                    "modality",
                    "has_sessions",
                    msg!("has-sessions"),
                ));
            }
        }
        let slug = slugs::choose(conn, "trainings", input.slug.take(), &input.title).await?;
        let id = match existing {
            None => {
                diesel::insert_into(trainings::table)
                    .values((&input, trainings::slug.eq(&slug)))
                    .returning(trainings::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(trainings::table.find(id))
                    .set((
                        &input,
                        trainings::slug.eq(&slug),
                        trainings::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(trainings::id)
                    .get_result(conn)
                    .await?
            }
        };
        links::replace_themes(conn, &links::TRAINING_THEMES, id, &input.themes).await?;
        links::replace(conn, &links::TRAINERS, id, &input.trainer_ids).await?;
        Ok(id)
    }
}

/// List trainings.
///
/// Includes (`include=`): `centre`, `themes`, `trainers`.
///
/// Facets (`facets=`): `theme`, `kind`, `modality`, `centre`.
/// Sortable fields: `title` (default), `duration_hours` (trainings without a duration sort as
/// the shortest), `created_at`, `updated_at`.
#[utoipa::path(tag = "trainings", operation_id = "list_trainings", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, Shaping, TrainingFilters),
    responses((status = 200, description = "A page of trainings", body = Page<Training>), ListErrors))]
#[get("/trainings")]
pub async fn list_trainings(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<TrainingFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Trainings>(&state, &caller, query, Vec::new()).await
}

/// One session of a training, as its feed and its linked data read it.
#[derive(QueryableByName)]
struct TrainingSession {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    training_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    starts_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    ends_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    venue: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    address: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    city: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    latitude: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    longitude: Option<f64>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    online_url: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    capacity: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    cancelled: bool,
}

/// The sessions of these trainings, in order.
async fn sessions_of(
    conn: &mut AsyncPgConnection,
    trainings: &[Training],
) -> ApiResult<Vec<TrainingSession>> {
    let mut sql = Sql::from(
        "SELECT s.id, s.training_id, s.starts_at, s.ends_at, s.updated_at, s.venue, s.address, \
         s.city, s.latitude, s.longitude, s.online_url, s.capacity, \
         s.status = 'cancelled' AS cancelled FROM training_sessions s \
         WHERE s.training_id = ANY(",
    );
    sql.bind(Bind::Uuids(trainings.iter().map(|t| t.id).collect()))
        .push(") ORDER BY s.starts_at, s.id");
    Ok(sql.load::<TrainingSession>(conn).await?)
}

fn session_path(session: &TrainingSession) -> String {
    format!(
        "/api/v1/trainings/{}/sessions/{}",
        session.training_id, session.id
    )
}

/// List trainings' sessions as an iCalendar feed (RFC 5545), for calendar applications.
///
/// The trainings list's filters, sort and paging apply, as the caller sees the list (`Link`
/// to the next page of trainings); each session of those trainings is a `VEVENT` in UTC
/// named after its training, whose `UID` is `<session id>@relais`, `STATUS:CANCELLED` once
/// the session or its training is cancelled. The list names this feed in its `Link` header
/// (`rel="alternate"`).
#[utoipa::path(tag = "trainings", operation_id = "list_trainings_calendar", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(FeedPaging, TrainingFilters),
    responses((status = 200, description = "The sessions as iCalendar", body = String, content_type = "text/calendar"), ListErrors))]
#[get("/trainings.ics")]
pub async fn list_trainings_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<TrainingFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (trainings, end) =
        feeds::page::<Trainings>(&mut conn, &state.counts, &caller, &query, Vec::new()).await?;
    let sessions = sessions_of(&mut conn, &trainings).await?;
    let origin = &query.origin;
    let entries = sessions.into_iter().filter_map(|session| {
        let training = trainings.iter().find(|t| t.id == session.training_id)?;
        Some(CalendarEntry {
            id: session.id,
            title: training.title.clone(),
            summary: training.summary.clone(),
            starts_at: session.starts_at,
            ends_at: session.ends_at,
            updated_at: session.updated_at.max(training.updated_at),
            place: feeds::place(&[&session.venue, &session.address, &session.city])
                .or(session.online_url.clone()),
            url: format!("{origin}{}", session_path(&session)),
            cancelled: session.cancelled || training.status == PublicationStatus::Cancelled,
        })
    });
    let calendar = feeds::calendar("relais : formations", entries);
    Ok(feeds::respond(
        &feeds::CALENDAR,
        calendar,
        end.link_header(&query),
    ))
}

/// Read a training by id or slug.
///
/// Includes (`include=`): `centre`, `themes`, `trainers`.
#[utoipa::path(tag = "trainings", operation_id = "get_training", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), Shaping),
    responses(
        (status = 200, description = "The training", body = Training, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/trainings/{key}")]
pub async fn get_training(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Trainings>(&req, &state, &caller, &key, Vec::new(), &shaping).await
}

/// Create a training (admin).
#[utoipa::path(tag = "trainings", operation_id = "create_training", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = TrainingInput,
    responses(
        (status = 201, description = "Created", body = Training, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/trainings")]
pub async fn create_training(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<TrainingInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Trainings>(&state, &admin.0, body.into_inner(), ()).await
}

/// Change a training with a JSON Merge Patch (admin).
#[utoipa::path(tag = "trainings", operation_id = "update_training", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = TrainingInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses((status = 200, description = "Updated", body = Training, headers(("ETag" = String))), UpdateErrors))]
#[patch("/trainings/{key}")]
pub async fn update_training(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Trainings>(&req, &state, &admin.0, &key, patch, Vec::new(), ()).await
}

/// Delete a training and its sessions (admin).
#[utoipa::path(tag = "trainings", operation_id = "delete_training", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/trainings/{key}")]
pub async fn delete_training(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Trainings>(&req, &state, &admin.0, &key, Vec::new()).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_trainings)
        .service(list_trainings_calendar)
        .service(get_training)
        .service(create_training)
        .service(update_training)
        .service(delete_training);
}

/// A training as schema.org says it: a `Course` given by its centre, each session a
/// `CourseInstance`.
fn linked(training: &Training, sessions: &[TrainingSession], origin: &str) -> Value {
    let instructors: Vec<Value> = training
        .trainer_ids
        .iter()
        .map(|id| linked_data::reference(origin, format!("/api/v1/actors/{id}")))
        .collect();
    let instances: Vec<Value> = sessions
        .iter()
        .filter(|session| session.training_id == training.id)
        .map(|session| {
            linked_data::course_instance(Instance {
                url: format!("{origin}{}", session_path(session)),
                starts_at: session.starts_at.to_rfc3339(),
                ends_at: session.ends_at.to_rfc3339(),
                venue: &session.venue,
                address: &session.address,
                city: &session.city,
                latitude: session.latitude,
                longitude: session.longitude,
                online_url: &session.online_url,
                capacity: session.capacity,
                cancelled: session.cancelled || training.status == PublicationStatus::Cancelled,
                instructors: instructors.clone(),
            })
        })
        .collect();
    node(json!({
        "@type": "Course",
        "@id": format!("{origin}{}", Trainings::location(training)),
        "courseCode": training.slug,
        "name": training.title,
        "description": training.summary,
        "teaches": training.objectives,
        "coursePrerequisites": training.prerequisites,
        "timeRequired": training.duration_hours.map(|hours| format!("PT{}M", (hours * 60.0).round() as i64)),
        "provider": linked_data::reference(origin, format!("/api/v1/centres/{}", training.centre_id)),
        "keywords": training.themes,
        "hasCourseInstance": instances,
    }))
}
