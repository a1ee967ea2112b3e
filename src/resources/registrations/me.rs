//! A member's own registrations (`/me/registrations`) and its private calendar: its confirmed
//! registrations as an iCalendar feed at an unguessable URL (`/calendar/{token}.ics`), which
//! `POST /me/calendar-token` replaces.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::api::RegistrationFilters;
use super::model::Registration;
use super::operations;
use crate::auth::Member;
use crate::error::{ApiError, ApiResult, ListErrors, Problem, ReadErrors};
use crate::http::item_response;
use crate::query::sql::{Bind, Sql};
use crate::query::{ListQuery, NoParams, Page, Paging};
use crate::resources::audit;
use crate::resources::feeds::{self, CalendarEntry};
use crate::state::AppState;

/// List the caller's registrations, for events and training sessions.
///
/// Sortable fields: `created_at` (default), `starts_at`, `attendee_name`, `updated_at`.
/// `upcoming=true&sort=starts_at` is the member's agenda.
#[utoipa::path(tag = "registrations", operation_id = "list_my_registrations", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(Paging, RegistrationFilters),
    responses((status = 200, description = "A page of the caller's registrations", body = Page<Registration>), ListErrors))]
#[get("/me/registrations")]
pub async fn list_my_registrations(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    query: ListQuery<RegistrationFilters>,
) -> ApiResult<HttpResponse> {
    let own = operations::own(&member.0)?;
    operations::list(&req, &state, &member.0, query, vec![own]).await
}

/// Read one of the caller's registrations.
#[utoipa::path(tag = "registrations", operation_id = "get_my_registration", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("registration" = Uuid, Path, description = "Registration id")),
    responses((status = 200, description = "The registration", body = Registration, headers(("ETag" = String))), ReadErrors))]
#[get("/me/registrations/{registration}")]
pub async fn get_my_registration(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    id: web::Path<Uuid>,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    let own = operations::own(&member.0)?;
    let mut conn = state.conn().await?;
    let registration = operations::read(&mut conn, *id, &[own]).await?;
    item_response(&req, &registration)
}

/// Where the caller's calendar is.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarLink {
    /// The caller's confirmed registrations as iCalendar (RFC 5545). Anyone with the URL reads
    /// it: keep it private.
    #[schema(
        example = "/api/v1/calendar/3f2a9c0d4b8e4f6a9d1c7b5e2a8f0c3d6e9b1a4c7d0f3e6b9a2c5d8e1f4a7b0c.ics"
    )]
    pub calendar_url: String,
    /// The token alone, as `GET /api/v1/calendar/{token}.ics` takes it.
    #[schema(
        example = "3f2a9c0d4b8e4f6a9d1c7b5e2a8f0c3d6e9b1a4c7d0f3e6b9a2c5d8e1f4a7b0c",
        pattern = "^[0-9a-f]{64}$"
    )]
    pub calendar_token: String,
}

/// The path of the calendar of `token`.
pub fn calendar_url(token: &str) -> String {
    format!("/api/v1/calendar/{token}.ics")
}

/// Replace the caller's calendar URL: the old one then answers 404.
#[utoipa::path(tag = "registrations", operation_id = "rotate_calendar_token", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    responses(
        (status = 200, description = "The new calendar URL", body = CalendarLink),
        (status = 401, description = "Missing or invalid bearer token", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/me/calendar-token")]
pub async fn rotate_calendar_token(
    state: web::Data<AppState>,
    member: Member,
) -> ApiResult<HttpResponse> {
    #[derive(QueryableByName)]
    struct Token {
        #[diesel(sql_type = Text)]
        calendar_token: String,
    }
    let user = member
        .0
        .user_id
        .ok_or_else(ApiError::credentials_required)?;
    let mut sql = Sql::from(
        "UPDATE users SET calendar_token = \
         replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '') WHERE id = ",
    );
    sql.bind(Bind::Uuid(user)).push(" RETURNING calendar_token");
    let mut conn = state.conn().await?;
    let token = conn
        .transaction(async |c| {
            audit::begin(c, &member.0).await?;
            let token = sql.get_result::<Token>(c).await?;
            audit::record_secret(c, "users", user, "calendar_token").await?;
            Ok::<_, ApiError>(token)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CalendarLink {
        calendar_url: calendar_url(&token.calendar_token),
        calendar_token: token.calendar_token,
    }))
}

/// One confirmed registration, as the calendar shows it.
#[derive(QueryableByName)]
struct Entry {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    summary: String,
    #[diesel(sql_type = Timestamptz)]
    starts_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    ends_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    place: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    online_url: Option<String>,
    #[diesel(sql_type = Text)]
    item_status: String,
    #[diesel(sql_type = Text)]
    path: String,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

/// The confirmed registrations of an account, with their places.
const ENTRIES: &str = "SELECT r.id, coalesce(e.title, tr.title) AS title, \
    coalesce(e.summary, tr.summary) AS summary, \
    coalesce(e.starts_at, s.starts_at) AS starts_at, coalesce(e.ends_at, s.ends_at) AS ends_at, \
    nullif(concat_ws(', ', coalesce(e.venue, s.venue), coalesce(e.address, s.address), \
        coalesce(e.city, s.city)), '') AS place, \
    coalesce(e.online_url, s.online_url) AS online_url, \
    coalesce(e.status, CASE s.status WHEN 'cancelled' THEN 'cancelled' ELSE tr.status END) AS item_status, \
    CASE WHEN e.id IS NOT NULL THEN '/api/v1/events/' || e.slug \
         ELSE '/api/v1/trainings/' || tr.slug || '/sessions/' || s.slug END AS path, \
    greatest(r.updated_at, coalesce(e.updated_at, s.updated_at)) AS updated_at \
    FROM registrations r \
    LEFT JOIN events e ON e.id = r.event_id \
    LEFT JOIN training_sessions s ON s.id = r.session_id \
    LEFT JOIN trainings tr ON tr.id = s.training_id \
    WHERE r.status = 'confirmed' AND r.user_id = ";

/// A member's private calendar: its confirmed registrations, in UTC (RFC 5545).
///
/// The token is the credential: no bearer token is needed, so that calendar applications can
/// subscribe. An unknown or replaced token is a 404.
#[utoipa::path(tag = "registrations", operation_id = "get_calendar", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("token" = String, Path, description = "The calendar token, from `GET /api/v1/me`", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The calendar", body = String, content_type = "text/calendar"),
        (status = 404, description = "No calendar at this URL", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/calendar/{token}.ics")]
pub async fn get_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    #[derive(QueryableByName)]
    struct Owner {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::not_found());
    }
    let mut conn = state.conn().await?;
    let mut owner = Sql::from("SELECT id FROM users WHERE is_active AND calendar_token = ");
    owner.bind(Bind::Text(token.to_string()));
    let owner = owner.get_result::<Owner>(&mut conn).await?;
    let mut sql = Sql::from(ENTRIES);
    sql.bind(Bind::Uuid(owner.id))
        .push(" ORDER BY starts_at, r.id");
    let entries = sql.load::<Entry>(&mut conn).await?;
    let origin = crate::http::origin(&req);
    let entries = entries.into_iter().map(|entry| CalendarEntry {
        id: entry.id,
        title: entry.title,
        summary: entry.summary,
        starts_at: entry.starts_at,
        ends_at: entry.ends_at,
        updated_at: entry.updated_at,
        place: entry.place.or(entry.online_url),
        url: format!("{origin}{}", entry.path),
        cancelled: entry.item_status == "cancelled",
    });
    let calendar = feeds::calendar("relais : mes inscriptions", entries);
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(calendar))
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_my_registrations)
        .service(get_my_registration)
        .service(rotate_calendar_token)
        .service(get_calendar);
}
