//! The registrations of an event (`/events/{event}/registrations`) and of a training session
//! (`/trainings/{training}/sessions/{session}/registrations`): the same operations, on either
//! [`Target`].

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{Attendance, Registration, RegistrationStatus};
use super::operations::{self, Target, TargetKind};
use crate::auth::{Admin, Caller, Member};
use crate::error::{ApiResult, Problem};
use crate::http::JsonBody;
use crate::query::sql::Bind;
use crate::query::{Condition, Filters, Instant, ListQuery, NoParams, Page, Paging};
use crate::resources::crud;
use crate::resources::events::api::Events;
use crate::resources::sessions::api::{Sessions, training_scope};
use crate::state::AppState;

/// Filters of registration lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegistrationFilters {
    pub status: Option<RegistrationStatus>,
    pub attendance: Option<Attendance>,
    /// `true`: for events and sessions not over yet; `false`: for those over.
    pub upcoming: Option<bool>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for RegistrationFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        conditions.extend(self.status.map(|v| Condition::text("t.status", v.as_str())));
        conditions.extend(
            self.attendance
                .map(|v| Condition::text("t.attendance", v.as_str())),
        );
        let now = Bind::Timestamp(Utc::now());
        conditions.extend(self.upcoming.map(|upcoming| match upcoming {
            true => Condition::AtOrAfter {
                column: "t.ends_at",
                at: now.clone(),
            },
            false => Condition::Before {
                column: "t.ends_at",
                at: now.clone(),
            },
        }));
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

/// What an administrator marks of a confirmed registration.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// Null: not marked.
    pub attendance: Option<Attendance>,
}

/// The errors of registering, cancelling and accepting.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum RegistrationErrors {
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// No such event or session, hidden from the caller, or no registration of the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not allowed now, and `type` says why: `already-registered` (with `Location`), `draft`,
    /// `cancelled`, `started`, `no-registration`, `registration-not-open`,
    /// `registration-closed`, `no-offer`.
    #[response(status = 409, content_type = "application/problem+json",
        headers(("Location" = String, description = "With `already-registered`: the registration in force")))]
    Conflict(Problem),
}

/// The errors of the administrators' operations.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum AdminErrors {
    /// Unknown parameter, unknown sort field or malformed value.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Not an administrator.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such event, session or registration.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not allowed now, and `type` says why: `already-cancelled`, `not-started`,
    /// `not-confirmed`.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
}

async fn event(state: &AppState, caller: &Caller, key: &str) -> ApiResult<Target> {
    let mut conn = state.conn().await?;
    let event = crud::find::<Events>(&mut conn, caller, key, Vec::new()).await?;
    Ok(Target {
        kind: TargetKind::Event,
        id: event.id,
        starts_at: event.starts_at.to_utc(),
    })
}

async fn session(state: &AppState, caller: &Caller, path: &(String, String)) -> ApiResult<Target> {
    let (_, scope) = training_scope(state, caller, &path.0).await?;
    let mut conn = state.conn().await?;
    let session = crud::find::<Sessions>(&mut conn, caller, &path.1, scope).await?;
    Ok(Target {
        kind: TargetKind::Session,
        id: session.id,
        starts_at: session.starts_at.to_utc(),
    })
}

/// Register for an event (members).
///
/// `confirmed` while places are left, `waitlisted` after, never over capacity however many
/// requests arrive at once. Registering twice is a 409 whose `Location` is the registration.
#[utoipa::path(tag = "registrations", operation_id = "register_for_event", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("event" = String, Path, description = "Event id or slug")),
    responses((status = 201, description = "Registered", body = Registration, headers(("Location" = String), ("ETag" = String))), RegistrationErrors))]
#[post("/events/{event}/registrations")]
pub async fn register_for_event(
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &member.0, &key).await?;
    operations::register(&state, &member.0, target).await
}

/// The caller's registration for an event: the one in force, or else the latest.
#[utoipa::path(tag = "registrations", operation_id = "get_my_event_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("event" = String, Path, description = "Event id or slug")),
    responses((status = 200, description = "The caller's registration", body = Registration, headers(("ETag" = String))), RegistrationErrors))]
#[get("/events/{event}/registrations/me")]
pub async fn get_my_event_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &member.0, &key).await?;
    operations::mine(&req, &state, &member.0, target).await
}

/// Cancel the caller's registration for an event, or decline the place offered.
///
/// The place goes to the first waitlisted member in the same transaction.
#[utoipa::path(tag = "registrations", operation_id = "cancel_my_event_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("event" = String, Path, description = "Event id or slug")),
    responses((status = 204, description = "Cancelled"), RegistrationErrors))]
#[delete("/events/{event}/registrations/me")]
pub async fn cancel_my_event_registration(
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &member.0, &key).await?;
    operations::cancel_mine(&state, &member.0, target).await
}

/// Accept the place offered for an event (waitlist promotion by `offer`).
#[utoipa::path(tag = "registrations", operation_id = "accept_event_offer", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("event" = String, Path, description = "Event id or slug")),
    responses((status = 200, description = "Confirmed", body = Registration, headers(("ETag" = String))), RegistrationErrors))]
#[post("/events/{event}/registrations/me/acceptance")]
pub async fn accept_event_offer(
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &member.0, &key).await?;
    operations::accept_offer(&state, &member.0, target).await
}

/// List an event's registrations (admin), with the attendees' names, organisations and
/// categories.
///
/// With `Accept: text/csv`: every matching registration, not paged, as CSV (RFC 4180, UTF-8,
/// a header line): the attendance sheet is `status=confirmed`. Sortable fields: `created_at`
/// (default: the order of the queue), `starts_at`, `attendee_name`, `updated_at`. Facets:
/// `status`, `attendance`.
#[utoipa::path(tag = "registrations", operation_id = "list_event_registrations", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("event" = String, Path, description = "Event id or slug"), Paging, RegistrationFilters),
    responses(
        (status = 200, description = "A page of registrations", content(
            (Page<Registration> = "application/json"),
            (String = "text/csv"),
        )),
        AdminErrors,
    ))]
#[get("/events/{event}/registrations")]
pub async fn list_event_registrations(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    query: ListQuery<RegistrationFilters>,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &admin.0, &key).await?;
    operations::list(&req, &state, &admin.0, query, vec![target.scope()]).await
}

/// Cancel a registration for an event (admin).
#[utoipa::path(tag = "registrations", operation_id = "cancel_event_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("event" = String, Path, description = "Event id or slug"), ("registration" = Uuid, Path, description = "Registration id")),
    responses((status = 204, description = "Cancelled"), AdminErrors))]
#[delete("/events/{event}/registrations/{registration}")]
pub async fn cancel_event_registration(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &admin.0, &path.0).await?;
    operations::cancel(&state, &admin.0, target, path.1).await
}

/// Mark whether a confirmed member came to an event (admin), once it has started.
#[utoipa::path(tag = "registrations", operation_id = "mark_event_attendance", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("event" = String, Path, description = "Event id or slug"), ("registration" = Uuid, Path, description = "Registration id")),
    request_body = AttendanceInput,
    responses((status = 200, description = "Marked", body = Registration, headers(("ETag" = String))), AdminErrors))]
#[put("/events/{event}/registrations/{registration}/attendance")]
pub async fn mark_event_attendance(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, Uuid)>,
    body: JsonBody<AttendanceInput>,
) -> ApiResult<HttpResponse> {
    let target = event(&state, &admin.0, &path.0).await?;
    operations::mark_attendance(
        &state,
        &admin.0,
        target,
        path.1,
        body.into_inner().attendance,
    )
    .await
}

/// Register for a training session (members).
///
/// `confirmed` while places are left, `waitlisted` after, never over capacity however many
/// requests arrive at once. Registering twice is a 409 whose `Location` is the registration.
#[utoipa::path(tag = "registrations", operation_id = "register_for_session", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug")),
    responses((status = 201, description = "Registered", body = Registration, headers(("Location" = String), ("ETag" = String))), RegistrationErrors))]
#[post("/trainings/{training}/sessions/{session}/registrations")]
pub async fn register_for_session(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let target = session(&state, &member.0, &path).await?;
    operations::register(&state, &member.0, target).await
}

/// The caller's registration for a training session: the one in force, or else the latest.
#[utoipa::path(tag = "registrations", operation_id = "get_my_session_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug")),
    responses((status = 200, description = "The caller's registration", body = Registration, headers(("ETag" = String))), RegistrationErrors))]
#[get("/trainings/{training}/sessions/{session}/registrations/me")]
pub async fn get_my_session_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    let target = session(&state, &member.0, &path).await?;
    operations::mine(&req, &state, &member.0, target).await
}

/// Cancel the caller's registration for a training session, or decline the place offered.
///
/// The place goes to the first waitlisted member in the same transaction.
#[utoipa::path(tag = "registrations", operation_id = "cancel_my_session_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug")),
    responses((status = 204, description = "Cancelled"), RegistrationErrors))]
#[delete("/trainings/{training}/sessions/{session}/registrations/me")]
pub async fn cancel_my_session_registration(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let target = session(&state, &member.0, &path).await?;
    operations::cancel_mine(&state, &member.0, target).await
}

/// Accept the place offered for a training session (waitlist promotion by `offer`).
#[utoipa::path(tag = "registrations", operation_id = "accept_session_offer", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug")),
    responses((status = 200, description = "Confirmed", body = Registration, headers(("ETag" = String))), RegistrationErrors))]
#[post("/trainings/{training}/sessions/{session}/registrations/me/acceptance")]
pub async fn accept_session_offer(
    state: web::Data<AppState>,
    member: Member,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let target = session(&state, &member.0, &path).await?;
    operations::accept_offer(&state, &member.0, target).await
}

/// List a training session's registrations (admin), with the attendees' names,
/// organisations and categories.
///
/// With `Accept: text/csv`: every matching registration, not paged, as CSV (RFC 4180, UTF-8,
/// a header line): the attendance sheet is `status=confirmed`. Sortable fields: `created_at`
/// (default: the order of the queue), `starts_at`, `attendee_name`, `updated_at`. Facets:
/// `status`, `attendance`.
#[utoipa::path(tag = "registrations", operation_id = "list_session_registrations", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug"), Paging, RegistrationFilters),
    responses(
        (status = 200, description = "A page of registrations", content(
            (Page<Registration> = "application/json"),
            (String = "text/csv"),
        )),
        AdminErrors,
    ))]
#[get("/trainings/{training}/sessions/{session}/registrations")]
pub async fn list_session_registrations(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String)>,
    query: ListQuery<RegistrationFilters>,
) -> ApiResult<HttpResponse> {
    let target = session(&state, &admin.0, &path).await?;
    operations::list(&req, &state, &admin.0, query, vec![target.scope()]).await
}

/// Cancel a registration for a training session (admin).
#[utoipa::path(tag = "registrations", operation_id = "cancel_session_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug"), ("registration" = Uuid, Path, description = "Registration id")),
    responses((status = 204, description = "Cancelled"), AdminErrors))]
#[delete("/trainings/{training}/sessions/{session}/registrations/{registration}")]
pub async fn cancel_session_registration(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (training, key, id) = path.into_inner();
    let target = session(&state, &admin.0, &(training, key)).await?;
    operations::cancel(&state, &admin.0, target, id).await
}

/// Mark whether a confirmed member came to a training session (admin), once it has started.
#[utoipa::path(tag = "registrations", operation_id = "mark_session_attendance", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("training" = String, Path, description = "Training id or slug"), ("session" = String, Path, description = "Session id or slug"), ("registration" = Uuid, Path, description = "Registration id")),
    request_body = AttendanceInput,
    responses((status = 200, description = "Marked", body = Registration, headers(("ETag" = String))), AdminErrors))]
#[put("/trainings/{training}/sessions/{session}/registrations/{registration}/attendance")]
pub async fn mark_session_attendance(
    state: web::Data<AppState>,
    admin: Admin,
    path: web::Path<(String, String, Uuid)>,
    body: JsonBody<AttendanceInput>,
) -> ApiResult<HttpResponse> {
    let (training, key, id) = path.into_inner();
    let target = session(&state, &admin.0, &(training, key)).await?;
    operations::mark_attendance(&state, &admin.0, target, id, body.into_inner().attendance).await
}

/// The routes, `me` before the ids, so that it is not read as one.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(register_for_event)
        .service(get_my_event_registration)
        .service(cancel_my_event_registration)
        .service(accept_event_offer)
        .service(list_event_registrations)
        .service(cancel_event_registration)
        .service(mark_event_attendance)
        .service(register_for_session)
        .service(get_my_session_registration)
        .service(cancel_my_session_registration)
        .service(accept_session_offer)
        .service(list_session_registrations)
        .service(cancel_session_registration)
        .service(mark_session_attendance);
}
