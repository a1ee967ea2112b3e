use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{SESSIONS, Session, SessionStatus};
use crate::auth::{Admin, Caller};
use crate::error::{
    ApiError, ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors,
};
use crate::http::{JsonBody, MergePatch};
use crate::msg;
use crate::query::sql::Bind;
use crate::query::{
    Collection, Condition, DateBound, Filters, Instant, ListQuery, Page, Paging, Shaping, Span,
};
use crate::resources::linked_data::{self, Instance};
use crate::resources::relation::Relation;
use crate::resources::shape;
use crate::resources::trainings::api::Trainings;
use crate::resources::trainings::model::Modality;
use crate::resources::values::{
    RegistrationMode, TimeZoneName, WaitlistPromotion, check_coordinates, check_instant,
    check_period, check_registration_instants, check_registration_window, default_offer_hours,
    default_timezone, local_time, validate_slug, validate_timezone,
};
use crate::resources::{Resource, crud, places, slugs};
use crate::schema::{training_sessions, trainings};
use crate::state::AppState;

/// A session to create, or a session after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = training_sessions, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_session", skip_on_field_errors = false))]
pub struct SessionInput {
    /// Made from the training's slug and the date when omitted.
    #[validate(custom(function = "validate_slug"))]
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    #[diesel(skip_insertion, skip_update)]
    pub slug: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    #[serde(default = "default_timezone")]
    #[validate(custom(function = "validate_timezone"))]
    #[schema(value_type = TimeZoneName)]
    pub timezone: String,
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub venue: Option<String>,
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
    #[validate(url)]
    #[schema(format = "uri")]
    pub online_url: Option<String>,
    /// Null: unlimited.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub capacity: Option<i32>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// `none`: free entry, no registration.
    #[serde(default)]
    pub registration: RegistrationMode,
    #[serde(default)]
    pub waitlist_promotion: WaitlistPromotion,
    /// With `offer`: how long a freed place is held for the first waitlisted member.
    #[serde(default = "default_offer_hours")]
    #[validate(range(min = 1, max = 720))]
    #[schema(minimum = 1, maximum = 720)]
    pub offer_hours: i32,
    #[serde(default)]
    pub status: SessionStatus,
}

fn check_session(input: &SessionInput) -> Result<(), validator::ValidationError> {
    check_instant("starts_at", input.starts_at.to_utc(), &input.timezone)?;
    check_instant("ends_at", input.ends_at.to_utc(), &input.timezone)?;
    check_registration_instants(input.registration_opens_at, input.registration_closes_at)?;
    check_period(&input.starts_at, &input.ends_at)?;
    check_coordinates(input.latitude, input.longitude)?;
    check_registration_window(input.registration_opens_at, input.registration_closes_at)
}

/// Filters of a training's sessions.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionFilters {
    pub status: Option<SessionStatus>,
    /// `true`: sessions with places left (or unlimited); `false`: full ones.
    pub has_places: Option<bool>,
    /// Sessions not over by then: a date (Paris time) or an RFC 3339 date-time.
    #[param(example = "2027-01-01")]
    pub from: Option<DateBound>,
    /// Sessions started by then: a date (to its end, Paris time) or an RFC 3339 date-time.
    #[param(example = "2027-06-30")]
    pub to: Option<DateBound>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for SessionFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(status) = self.status {
            conditions.push(Condition::text("t.status", status.as_str()));
        }
        conditions.extend(self.has_places.map(Condition::has_places));
        conditions.extend(Condition::during(Span::SCHEDULE, self.from, self.to));
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Sessions;

impl Resource for Sessions {
    type Item = Session;
    type Input = SessionInput;
    type Filters = SessionFilters;
    /// The training the session belongs to.
    type Parent = Uuid;
    const COLLECTION: &'static Collection = &SESSIONS;
    const NAME: &'static str = "sessions";
    const RELATIONS: &'static [Relation] = &[shape::one::<Trainings>("training", "training_id")];
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "training_id",
        "created_at",
        "updated_at",
        "remaining_places",
    ];

    fn present(session: &mut Session, _: &Caller) {
        session.starts_at = local_time(session.starts_at.to_utc(), &session.timezone);
        session.ends_at = local_time(session.ends_at.to_utc(), &session.timezone);
    }

    fn id(item: &Session) -> Uuid {
        item.id
    }

    async fn linked_data(
        _: &mut AsyncPgConnection,
        sessions: &[Session],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        Ok(Some(
            sessions.iter().map(|item| linked(item, origin)).collect(),
        ))
    }

    fn location(item: &Session) -> String {
        format!(
            "/api/v1/trainings/{}/sessions/{}",
            item.training_id, item.id
        )
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: SessionInput,
        existing: Option<Uuid>,
        training: Uuid,
    ) -> ApiResult<Uuid> {
        let (training_slug, modality): (String, Modality) = trainings::table
            .find(training)
            .select((trainings::slug, trainings::modality))
            .first(conn)
            .await?;
        if modality == Modality::SelfPaced {
            return Err(ApiError::invalid_field(
                "training_id",
                "self_paced",
                msg!("self-paced-no-sessions"),
            ));
        }
        let source = format!("{training_slug} {}", input.starts_at.format("%Y-%m-%d"));
        let slug = slugs::choose(conn, "training_sessions", input.slug.take(), &source).await?;
        let record = (
            &input,
            training_sessions::slug.eq(&slug),
            training_sessions::training_id.eq(training),
        );
        let id = match existing {
            None => {
                diesel::insert_into(training_sessions::table)
                    .values(record)
                    .returning(training_sessions::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                places::check_capacity(conn, "training_sessions", id, input.capacity).await?;
                diesel::update(training_sessions::table.find(id))
                    .set((record, training_sessions::updated_at.eq(diesel::dsl::now)))
                    .returning(training_sessions::id)
                    .get_result(conn)
                    .await?
            }
        };
        Ok(id)
    }
}

/// The training as the caller sees it (404 when hidden), and the condition that keeps a
/// query to its sessions.
pub(crate) async fn training_scope(
    state: &AppState,
    caller: &Caller,
    training: &str,
) -> ApiResult<(Uuid, Vec<Condition>)> {
    let mut conn = state.conn().await?;
    let training = crud::find::<Trainings>(&mut conn, caller, training, Vec::new()).await?;
    let scope = vec![Condition::Equals {
        column: "t.training_id",
        value: Bind::Uuid(training.id),
    }];
    Ok((training.id, scope))
}

/// List a training's sessions.
///
/// Includes (`include=`): `training`.
///
/// Sortable fields: `starts_at` (default), `created_at`, `updated_at`.
#[utoipa::path(tag = "trainings", operation_id = "list_sessions", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), Paging, Shaping, SessionFilters),
    responses(
        (status = 200, description = "A page of sessions", body = Page<Session>),
        (status = 404, description = "No such training", body = crate::error::Problem, content_type = "application/problem+json"),
        ListErrors,
    ))]
#[get("/trainings/{training}/sessions")]
pub async fn list_sessions(
    state: web::Data<AppState>,
    caller: Caller,
    training: web::Path<String>,
    query: ListQuery<SessionFilters>,
) -> ApiResult<HttpResponse> {
    let (_, scope) = training_scope(&state, &caller, &training).await?;
    crud::list::<Sessions>(&state, &caller, query, scope).await
}

/// Read a session by id or slug.
///
/// Includes (`include=`): `training`.
#[utoipa::path(tag = "trainings", operation_id = "get_session", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug"), Shaping),
    responses(
        (status = 200, description = "The session", body = Session, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/trainings/{training}/sessions/{session}")]
pub async fn get_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    let (training, session) = path.into_inner();
    let (_, scope) = training_scope(&state, &caller, &training).await?;
    crud::get::<Sessions>(&req, &state, &caller, &session, scope, &shaping).await
}

/// Add a session to a training (admin). Self-paced trainings have none (422).
#[utoipa::path(tag = "trainings", operation_id = "create_session", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("training" = String, Path, description = "Training id or slug")),
    request_body = SessionInput,
    responses(
        (status = 201, description = "Created", body = Session, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/trainings/{training}/sessions")]
pub async fn create_session(
    state: web::Data<AppState>,
    admin: Admin,
    training: web::Path<String>,
    body: JsonBody<SessionInput>,
) -> ApiResult<HttpResponse> {
    let (training, _) = training_scope(&state, &admin.0, &training).await?;
    crud::create::<Sessions>(&state, &admin.0, body.into_inner(), training).await
}

/// Change a session with a JSON Merge Patch (admin).
#[utoipa::path(tag = "trainings", operation_id = "update_session", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = SessionInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses((status = 200, description = "Updated", body = Session, headers(("ETag" = String))), UpdateErrors))]
#[patch("/trainings/{training}/sessions/{session}")]
pub async fn update_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    let (training, session) = path.into_inner();
    let (training, scope) = training_scope(&state, &admin.0, &training).await?;
    crud::update::<Sessions>(&req, &state, &admin.0, &session, patch, scope, training).await
}

/// Delete a session (admin).
#[utoipa::path(tag = "trainings", operation_id = "delete_session", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/trainings/{training}/sessions/{session}")]
pub async fn delete_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (training, session) = path.into_inner();
    let (_, scope) = training_scope(&state, &admin.0, &training).await?;
    crud::delete::<Sessions>(&req, &state, &admin.0, &session, scope).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_sessions)
        .service(get_session)
        .service(create_session)
        .service(update_session)
        .service(delete_session);
}

/// A session as schema.org says it: a `CourseInstance`.
fn linked(session: &Session, origin: &str) -> Value {
    linked_data::course_instance(Instance {
        url: format!("{origin}{}", Sessions::location(session)),
        starts_at: session.starts_at.to_rfc3339(),
        ends_at: session.ends_at.to_rfc3339(),
        venue: &session.venue,
        address: &session.address,
        city: &session.city,
        latitude: session.latitude,
        longitude: session.longitude,
        online_url: &session.online_url,
        capacity: session.capacity,
        cancelled: session.status == SessionStatus::Cancelled,
        instructors: Vec::new(),
    })
}
