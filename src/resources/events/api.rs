use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{EVENTS, Event, EventKind, EventStatus};
use crate::auth::{Admin, Caller, Member};
use crate::error::{ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{JsonBody, MergePatch};
use crate::query::geo::{DepartmentCode, GeoFilters, RegionCode};
use crate::query::visibility::{Publicity, sees};
use crate::query::{
    Authorship, Collection, Condition, DateBound, FeedPaging, Filters, Instant, ListQuery, Page,
    Paging, Shaping, Span,
};
use crate::resources::actors::api::Actors;
use crate::resources::centres::api::Centres;
use crate::resources::contributions::{
    self, Contributed, DecisionErrors, Rejection, Submission, Submitting,
};
use crate::resources::documents::api::Documents;
use crate::resources::feeds::{self, CalendarEntry, Feed};
use crate::resources::linked_data::{self, node};
use crate::resources::links;
use crate::resources::relation::Relation;
use crate::resources::shape;
use crate::resources::territories;
use crate::resources::themes::api::Themes;
use crate::resources::values::{
    Audience, Format, RegistrationMode, TimeZoneName, WaitlistPromotion, check_coordinates,
    check_instant, check_period, check_registration_instants, check_registration_window,
    default_offer_hours, default_timezone, local_time, validate_slug, validate_timezone,
};
use crate::resources::{Resource, crud, places, slugs};
use crate::schema::events;
use crate::state::AppState;

/// An event to create, or an event after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "check_event", skip_on_field_errors = false))]
pub struct EventInput {
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
    pub kind: EventKind,
    pub centre_id: Uuid,
    /// Theme slugs.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub themes: Vec<String>,
    /// RFC 3339, with its offset.
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    #[serde(default = "default_timezone")]
    #[validate(custom(function = "validate_timezone"))]
    #[schema(value_type = TimeZoneName)]
    pub timezone: String,
    pub format: Format,
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
    /// INSEE region code (`76`: Occitanie); may be left out when a department is given.
    #[validate(length(min = 2, max = 2))]
    #[schema(value_type = Option<RegionCode>)]
    pub region_code: Option<String>,
    /// INSEE department code (`34`, `2A`, `974`).
    #[validate(length(min = 2, max = 3))]
    #[schema(value_type = Option<DepartmentCode>)]
    pub department_code: Option<String>,
    #[validate(url)]
    #[schema(format = "uri")]
    pub online_url: Option<String>,
    #[serde(default)]
    pub audience: Audience,
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
    /// When omitted: `submitted` for a member's new event (a proposal), `draft` for an
    /// administrator's, and unchanged by a patch. A member's event is `draft` or
    /// `submitted`; an administrator decides on it through `/publication` or `/rejection`.
    #[serde(default)]
    #[diesel(skip_insertion, skip_update)]
    pub status: Option<EventStatus>,
    /// Set by the server: the member who proposed it.
    #[serde(skip)]
    #[diesel(skip_update)]
    pub submitted_by: Option<Uuid>,
    /// Set by the server: when it last entered moderation.
    #[serde(skip)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub speaker_ids: Vec<Uuid>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[diesel(skip_insertion, skip_update)]
    pub document_ids: Vec<Uuid>,
}

fn check_event(input: &EventInput) -> Result<(), validator::ValidationError> {
    check_instant("starts_at", input.starts_at.to_utc(), &input.timezone)?;
    check_instant("ends_at", input.ends_at.to_utc(), &input.timezone)?;
    check_registration_instants(input.registration_opens_at, input.registration_closes_at)?;
    check_period(&input.starts_at, &input.ends_at)?;
    check_coordinates(input.latitude, input.longitude)?;
    check_registration_window(input.registration_opens_at, input.registration_closes_at)
}

/// Filters of the event list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventFilters {
    /// Full-text search in French: accents, case, plurals and common inflections do not
    /// matter. Ranked by relevance unless `sort` is given.
    #[param(example = "journee technique")]
    pub q: Option<String>,
    /// Events of this centre (id or slug).
    pub centre: Option<String>,
    /// Tagged with this theme or one below it (slug or id).
    pub theme: Option<String>,
    pub kind: Option<EventKind>,
    pub format: Option<Format>,
    pub audience: Option<Audience>,
    pub status: Option<EventStatus>,
    /// `true`: events with places left (or unlimited); `false`: full ones.
    pub has_places: Option<bool>,
    /// Events not over by then: a date (Paris time) or an RFC 3339 date-time.
    #[param(example = "2026-03-01")]
    pub from: Option<DateBound>,
    /// Events started by then: a date (to its end, Paris time) or an RFC 3339 date-time.
    #[param(example = "2026-03-31")]
    pub to: Option<DateBound>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for EventFilters {
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
        conditions.extend(self.format.map(|v| Condition::text("t.format", v.as_str())));
        conditions.extend(
            self.audience
                .map(|v| Condition::text("t.audience", v.as_str())),
        );
        conditions.extend(self.status.map(|v| Condition::text("t.status", v.as_str())));
        conditions.extend(self.has_places.map(Condition::has_places));
        conditions.extend(Condition::during(Span::SCHEDULE, self.from, self.to));
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Events;

impl Resource for Events {
    type Item = Event;
    type Input = EventInput;
    type Filters = EventFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &EVENTS;
    const NAME: &'static str = "events";
    const FEED: Option<&'static Feed> = Some(&feeds::CALENDAR);
    // A proposal is its proposer's: speakers are often from outside the network.
    const CONTRIBUTED: Option<Authorship> = Some(Authorship { coauthors: None });
    const RELATIONS: &'static [Relation] = &[
        shape::one::<Centres>("centre", "centre_id"),
        Themes::TAGS,
        shape::many::<Actors>("speakers", "speaker_ids"),
        shape::many::<Documents>("documents", "document_ids"),
    ];
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "created_at",
        "updated_at",
        "remaining_places",
        "distance_km",
        "submitted_by",
        "submitted_at",
        "decided_at",
        "rejection_reason",
    ];

    fn present(event: &mut Event, caller: &Caller) {
        if !contributions::sees_submitter(caller, event.submitted_by) {
            event.submitted_by = None;
        }
        event.starts_at = local_time(event.starts_at.to_utc(), &event.timezone);
        event.ends_at = local_time(event.ends_at.to_utc(), &event.timezone);
        // Related documents the caller may not see are left out, not even their ids.
        let mut publicity = event.document_publicity.iter();
        event.document_ids.retain(|_| {
            let level = publicity.next().copied().unwrap_or_default();
            let publicity = Publicity {
                published: level & 2 != 0,
                public: level & 1 != 0,
            };
            sees(caller.role, publicity)
        });
    }

    fn may_change(caller: &Caller, current: &Event) -> ApiResult<()> {
        contributions::may_edit::<Self>(caller, current)
    }

    fn admit(caller: &Caller, current: Option<&Event>, input: &mut EventInput) -> ApiResult<()> {
        contributions::admit::<Self>(caller, current, input)
    }

    fn id(item: &Event) -> Uuid {
        item.id
    }

    async fn linked_data(
        _: &mut AsyncPgConnection,
        events: &[Event],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        Ok(Some(events.iter().map(|e| linked(e, origin)).collect()))
    }

    fn location(item: &Event) -> String {
        format!("/api/v1/events/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: EventInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        (input.region_code, input.department_code) = territories::place(
            conn,
            "events",
            existing,
            input.region_code.take(),
            input.department_code.take(),
        )
        .await?;
        let slug = slugs::choose(conn, "events", input.slug.take(), &input.title).await?;
        // Set by `admit`, which every write goes through.
        let status = events::status.eq(input.status.unwrap_or_default());
        let id = match existing {
            None => {
                diesel::insert_into(events::table)
                    .values((&input, events::slug.eq(&slug), status))
                    .returning(events::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                places::check_capacity(conn, "events", id, input.capacity).await?;
                diesel::update(events::table.find(id))
                    .set((
                        &input,
                        events::slug.eq(&slug),
                        status,
                        events::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(events::id)
                    .get_result(conn)
                    .await?
            }
        };
        links::replace_themes(conn, &links::EVENT_THEMES, id, &input.themes).await?;
        links::replace(conn, &links::SPEAKERS, id, &input.speaker_ids).await?;
        links::replace(conn, &links::EVENT_DOCUMENTS, id, &input.document_ids).await?;
        Ok(id)
    }
}

/// List events.
///
/// Includes (`include=`): `centre`, `themes`, `speakers`, `documents`.
///
/// Facets (`facets=`): `theme`, `kind`, `format`, `centre`, `year`, `region`, `department`.
/// Sortable fields: `starts_at` (default), `ends_at`, `title`, `created_at`, `updated_at`.
/// The public sees published events open to everyone; members also those reserved to members;
/// administrators see drafts, proposals and cancelled events too.
#[utoipa::path(tag = "events", operation_id = "list_events", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, Shaping, GeoFilters, EventFilters),
    responses((status = 200, description = "A page of events", body = Page<Event>), ListErrors))]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<EventFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Events>(&state, &caller, query, Vec::new()).await
}

/// List events as an iCalendar feed (RFC 5545), for calendar applications.
///
/// The list's filters, sort and paging apply, as the caller sees the list (`Link` to the
/// next page; `per_page=100` for the most). Each event is a `VEVENT` in UTC whose `UID` is
/// `<id>@relais`, `STATUS:CANCELLED` once cancelled. The list names this feed in its `Link`
/// header (`rel="alternate"`).
#[utoipa::path(tag = "events", operation_id = "list_events_calendar", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(FeedPaging, GeoFilters, EventFilters),
    responses((status = 200, description = "The events as iCalendar", body = String, content_type = "text/calendar"), ListErrors))]
#[get("/events.ics")]
pub async fn list_events_calendar(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<EventFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (events, end) =
        feeds::page::<Events>(&mut conn, &state.counts, &caller, &query, Vec::new()).await?;
    let origin = &query.origin;
    let entries = events.into_iter().map(|event| CalendarEntry {
        id: event.id,
        url: format!("{origin}{}", Events::location(&event)),
        place: feeds::place(&[&event.venue, &event.address, &event.city])
            .or(event.online_url.clone()),
        cancelled: event.status == EventStatus::Cancelled,
        starts_at: event.starts_at.to_utc(),
        ends_at: event.ends_at.to_utc(),
        updated_at: event.updated_at,
        title: event.title,
        summary: event.summary,
    });
    let calendar = feeds::calendar("relais : événements", entries);
    Ok(feeds::respond(
        &feeds::CALENDAR,
        calendar,
        end.link_header(&query),
    ))
}

/// Read an event by id or slug.
///
/// Includes (`include=`): `centre`, `themes`, `speakers`, `documents`.
#[utoipa::path(tag = "events", operation_id = "get_event", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), Shaping),
    responses(
        (status = 200, description = "The event", body = Event, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/events/{key}")]
pub async fn get_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Events>(&req, &state, &caller, &key, Vec::new(), &shaping).await
}

/// Create an event; a member's is a proposal.
///
/// A member's event is visible to the member and to administrators only, `draft` or
/// `submitted` (the default), until an administrator publishes or rejects it; it takes no
/// registration until then. Another `status` from a member is a `403`.
#[utoipa::path(tag = "events", operation_id = "create_event", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    request_body = EventInput,
    responses(
        (status = 201, description = "Created", body = Event, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    member: Member,
    body: JsonBody<EventInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Events>(&state, &member.0, body.into_inner(), ()).await
}

/// Change an event with a JSON Merge Patch; members change their own proposals.
///
/// A proposal's member edits it until it is published (`409` `not-editable` after, and `403`
/// on an event they did not propose); an edit of a rejected one submits it again. Its
/// `status` changes as [`create_event`] says; a submitted or rejected event's status is
/// decided through `/publication` and `/rejection`, never a patch (`409` `moderated-status`).
#[utoipa::path(tag = "events", operation_id = "update_event", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = EventInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses((status = 200, description = "Updated", body = Event, headers(("ETag" = String))), UpdateErrors))]
#[patch("/events/{key}")]
pub async fn update_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Events>(&req, &state, &member.0, &key, patch, Vec::new(), ()).await
}

/// Delete an event (admin): it goes to the trash.
#[utoipa::path(tag = "events", operation_id = "delete_event", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Deleted"), DeleteErrors))]
#[delete("/events/{key}")]
pub async fn delete_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Events>(&req, &state, &admin.0, &key, Vec::new()).await
}

impl Contributed for Events {
    type Status = EventStatus;
    const ITEM: &'static str = "event";

    fn submission(item: &Event) -> Submission<'_, EventStatus> {
        Submission {
            status: item.status,
            submitted_by: item.submitted_by,
            submitted_at: item.submitted_at,
            coauthors: &[],
        }
    }

    fn submitting(input: &mut EventInput) -> Submitting<'_, EventStatus> {
        Submitting {
            status: &mut input.status,
            submitted_by: &mut input.submitted_by,
            submitted_at: &mut input.submitted_at,
        }
    }
}

/// Publish a proposed event (admin): it is then listed, and takes registrations as its
/// settings say.
///
/// Only a `submitted` event is published this way (`409` otherwise, naming its status); an
/// administrator's own draft is published by a patch of its `status`.
#[utoipa::path(tag = "events", operation_id = "publish_event", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 200, description = "Published", body = Event, headers(("ETag" = String))), DecisionErrors))]
#[post("/events/{key}/publication")]
pub async fn publish_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    contributions::decide::<Events>(&req, &state, &admin.0, &key, None).await
}

/// Reject a proposed event with a reason (admin); its proposer reads it on the event.
///
/// Only a `submitted` event is rejected this way (`409` otherwise, naming its status). Its
/// proposer may then edit it, which submits it again.
#[utoipa::path(tag = "events", operation_id = "reject_event", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = Rejection,
    responses((status = 200, description = "Rejected", body = Event, headers(("ETag" = String))), UpdateErrors))]
#[post("/events/{key}/rejection")]
pub async fn reject_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    body: JsonBody<Rejection>,
) -> ApiResult<HttpResponse> {
    let reason = Some(body.into_inner().reason);
    contributions::decide::<Events>(&req, &state, &admin.0, &key, reason).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_events)
        .service(list_events_calendar)
        .service(get_event)
        .service(create_event)
        .service(update_event)
        .service(delete_event)
        .service(publish_event)
        .service(reject_event);
}

/// An event as schema.org says it: an `Event` at its place or online, organised by its centre.
fn linked(event: &Event, origin: &str) -> Value {
    let location: Vec<Value> = linked_data::place(
        &event.venue,
        &event.address,
        &event.city,
        event.latitude,
        event.longitude,
    )
    .into_iter()
    .chain(linked_data::virtual_location(&event.online_url))
    .collect();
    let performers: Vec<Value> = event
        .speaker_ids
        .iter()
        .map(|id| linked_data::reference(origin, format!("/api/v1/actors/{id}")))
        .collect();
    node(json!({
        "@type": "Event",
        "@id": format!("{origin}{}", Events::location(event)),
        "identifier": event.slug,
        "name": event.title,
        "description": event.summary,
        "startDate": event.starts_at.to_rfc3339(),
        "endDate": event.ends_at.to_rfc3339(),
        "eventAttendanceMode": linked_data::attendance_mode(event.format.as_str()),
        "eventStatus": linked_data::event_status(event.status == EventStatus::Cancelled),
        "location": location,
        "organizer": linked_data::reference(origin, format!("/api/v1/centres/{}", event.centre_id)),
        "performer": performers,
        "keywords": event.themes,
        "maximumAttendeeCapacity": event.capacity,
        "remainingAttendeeCapacity": event.remaining_places,
        "dateModified": event.updated_at.to_rfc3339(),
    }))
}
