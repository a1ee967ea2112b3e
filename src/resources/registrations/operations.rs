//! What members and administrators do with registrations, the same for an event and for a
//! training session ([`Target`]). Places are counted and given in the database (migration
//! 000017): every change locks the event's or session's row first, through
//! `relais_fill_places`, which also passes on lapsed offers and moves the waitlist up.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{Attendance, REGISTRATIONS, Registration, RegistrationStatus};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http::{created_response, item_response, updated_response};
use crate::i18n::Message;
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::query::{Condition, Filters, ListQuery, Lock, Plan};
use crate::resources::audit;
use crate::resources::values::local_time;
use crate::state::AppState;

/// What registrations are for: an event or a training session that the caller may see.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub kind: TargetKind,
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Event,
    Session,
}

impl Target {
    /// `event, session` as the SQL functions take them: the one that is not this is NULL.
    fn arguments(&self) -> Sql {
        let mut sql = Sql::new();
        match self.kind {
            TargetKind::Event => sql.bind(Bind::Uuid(self.id)).push(", NULL"),
            TargetKind::Session => sql.push("NULL, ").bind(Bind::Uuid(self.id)),
        };
        sql
    }

    /// Keeps a query to this target's registrations.
    pub fn scope(&self) -> Condition {
        Condition::Equals {
            column: "t.item_id",
            value: Bind::Uuid(self.id),
        }
    }

    fn name(&self) -> &'static str {
        match self.kind {
            TargetKind::Event => "event",
            TargetKind::Session => "session",
        }
    }

    fn has_started(&self) -> bool {
        self.starts_at <= Utc::now()
    }
}

/// The caller's registrations only.
pub fn own(caller: &Caller) -> ApiResult<Condition> {
    let user = caller.user_id.ok_or_else(ApiError::credentials_required)?;
    Ok(Condition::Equals {
        column: "t.user_id",
        value: Bind::Uuid(user),
    })
}

/// Where a member reads one of its registrations.
pub fn location(id: Uuid) -> String {
    format!("/api/v1/me/registrations/{id}")
}

/// A registration as sent: its dates in the time zone of what it is for.
fn shown(mut registration: Registration) -> Registration {
    registration.starts_at = local_time(registration.starts_at.to_utc(), &registration.timezone);
    registration.ends_at = local_time(registration.ends_at.to_utc(), &registration.timezone);
    registration
}

/// One registration, within `scope`; 404 when there is none.
pub async fn read(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    scope: &[Condition],
) -> ApiResult<Registration> {
    let row = REGISTRATIONS
        .find::<Registration>(conn, &Caller::PUBLIC, &id.to_string(), scope, Lock::None)
        .await?;
    Ok(shown(row))
}

/// A page of registrations within `scope`, or with `Accept: text/csv` all of them, as CSV.
pub async fn list<F: Filters>(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    query: ListQuery<F>,
    scope: Vec<Condition>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    if wants_csv(req) {
        let mut conditions = scope;
        conditions.extend(query.filters.conditions()?);
        let rows = REGISTRATIONS
            .find_matching::<Registration>(&mut conn, &conditions, "t.created_at, t.id")
            .await?;
        return csv_response(rows.into_iter().map(shown));
    }
    Plan::new(&REGISTRATIONS, caller.role, &query, scope)?
        .run::<Registration>(&mut conn, &state.counts)
        .await?
        .respond(&query, shown)
}

/// Whether the client asks for CSV (`Accept: text/csv`).
fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|media| media.split(';').next().unwrap_or_default().trim() == "text/csv")
}

/// RFC 4180: a header of the fields' names, one row per registration, UTF-8.
pub fn csv_response(rows: impl Iterator<Item = Registration>) -> ApiResult<HttpResponse> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"registrations.csv\"",
        ))
        .body(body))
}

#[derive(QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Uuid>)]
    registration_id: Option<Uuid>,
}

/// Registers the member: confirmed while places are left, waitlisted after. One statement,
/// `relais_register`, which locks the target's row, so that concurrent requests, on any
/// number of servers, take places one after the other.
pub async fn register(
    state: &AppState,
    member: &Caller,
    target: Target,
) -> ApiResult<HttpResponse> {
    let user = member.user_id.ok_or_else(ApiError::credentials_required)?;
    let mut conn = state.conn().await?;
    let mut sql = Sql::from("SELECT outcome, registration_id FROM relais_register(");
    sql.append(&target.arguments())
        .push(", ")
        .bind(Bind::Uuid(user))
        .push(")");
    let Outcome {
        outcome,
        registration_id,
    } = conn
        .transaction(async |c| {
            audit::begin(c, member).await?;
            Ok::<_, ApiError>(sql.get_result::<Outcome>(c).await?)
        })
        .await?;
    let name = target.name();
    let refused = |kind, detail: Message| Err(ApiError::refused(kind, detail.with("item", name)));
    match (outcome.as_str(), registration_id) {
        ("created", Some(id)) => {
            let registration = read(&mut conn, id, &[]).await?;
            created_response(&location(id), &registration)
        }
        ("exists", Some(id)) => Err(ApiError::already_registered(&location(id))),
        ("missing", _) => Err(ApiError::not_found()),
        ("draft", _) => refused("draft", msg!("registration-draft")),
        ("cancelled", _) => refused("cancelled", msg!("registration-cancelled")),
        ("started", _) => refused("started", msg!("registration-started")),
        ("no_registration", _) => refused("no-registration", msg!("registration-none")),
        ("not_yet_open", _) => refused("registration-not-open", msg!("registration-not-open")),
        ("closed", _) => refused("registration-closed", msg!("registration-closed")),
        (other, _) => Err(ApiError::internal(format!(
            "relais_register answered `{other}`"
        ))),
    }
}

/// Locks the target's row, passes on lapsed offers and gives free places to the waitlist.
async fn fill_places(conn: &mut AsyncPgConnection, target: Target) -> ApiResult<()> {
    let mut sql = Sql::from("SELECT relais_fill_places(");
    sql.append(&target.arguments()).push(")");
    sql.execute(conn).await?;
    Ok(())
}

/// Sets what `change` says on the registrations it names (with `RETURNING id`), target locked
/// first and waitlist moved up after; the id of the registration changed, if any.
async fn change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    target: Target,
    change: Sql,
) -> ApiResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Changed {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    conn.transaction(async |c| {
        audit::begin(c, caller).await?;
        fill_places(c, target).await?;
        let changed = change.get_results::<Changed>(c).await?;
        fill_places(c, target).await?;
        Ok::<_, ApiError>(changed.into_iter().next().map(|row| row.id))
    })
    .await
}

/// ` WHERE` the registration in force of `user` for `target`.
fn in_force(target: Target, user: Uuid) -> Sql {
    let mut sql = Sql::from(" WHERE item_id = ");
    sql.bind(Bind::Uuid(target.id))
        .push(" AND user_id = ")
        .bind(Bind::Uuid(user))
        .push(" AND status <> 'cancelled'");
    sql
}

/// The member's registration for the target: the one in force, or else the latest.
async fn latest(
    conn: &mut AsyncPgConnection,
    member: &Caller,
    target: Target,
) -> ApiResult<Option<Registration>> {
    let mine = [own(member)?, target.scope()];
    let rows = REGISTRATIONS
        .find_matching::<Registration>(conn, &mine, "t.status <> 'cancelled' DESC, t.queued DESC")
        .await?;
    Ok(rows.into_iter().next().map(shown))
}

/// The member's registration for the target, as [`latest`] finds it; 404 without one.
pub async fn mine(
    req: &HttpRequest,
    state: &AppState,
    member: &Caller,
    target: Target,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let registration = latest(&mut conn, member, target)
        .await?
        .ok_or_else(ApiError::not_found)?;
    item_response(req, &registration)
}

/// The member cancels: a place held goes to the first waitlisted member, in the same
/// transaction. Declining an offered place is the same operation.
pub async fn cancel_mine(
    state: &AppState,
    member: &Caller,
    target: Target,
) -> ApiResult<HttpResponse> {
    let user = member.user_id.ok_or_else(ApiError::credentials_required)?;
    if target.has_started() {
        return Err(ApiError::refused(
            "started",
            msg!("registration-started", item = target.name()),
        ));
    }
    let mut sql = Sql::from(
        "UPDATE registrations SET status = 'cancelled', updated_at = now(), \
         cancellation = CASE WHEN status = 'offered' THEN 'declined' ELSE 'member' END",
    );
    sql.append(&in_force(target, user)).push(" RETURNING id");
    let mut conn = state.conn().await?;
    match change(&mut conn, member, target, sql).await? {
        Some(_) => Ok(HttpResponse::NoContent().finish()),
        None => Err(ApiError::not_found()),
    }
}

/// The member takes the place offered to it.
pub async fn accept_offer(
    state: &AppState,
    member: &Caller,
    target: Target,
) -> ApiResult<HttpResponse> {
    let user = member.user_id.ok_or_else(ApiError::credentials_required)?;
    let mut sql = Sql::from("UPDATE registrations SET status = 'confirmed', updated_at = now()");
    sql.append(&in_force(target, user))
        .push(" AND status = 'offered' RETURNING id");
    let mut conn = state.conn().await?;
    let Some(id) = change(&mut conn, member, target, sql).await? else {
        return Err(no_offer(&mut conn, member, target).await);
    };
    let registration = read(&mut conn, id, &[]).await?;
    updated_response(&registration)
}

/// Why there was no offer to accept: the registration is in another state (409), or there is
/// none (404).
async fn no_offer(conn: &mut AsyncPgConnection, member: &Caller, target: Target) -> ApiError {
    let current = match latest(conn, member, target).await {
        Ok(Some(current)) => current,
        Ok(None) => return ApiError::not_found(),
        Err(e) => return e,
    };
    let state = match current.cancellation {
        Some(how) => format!("cancelled ({})", how.as_str()),
        None => current.status.as_str().to_string(),
    };
    ApiError::refused("no-offer", msg!("no-offer", status = state.to_string()))
}

/// An administrator cancels a registration.
pub async fn cancel(
    state: &AppState,
    admin: &Caller,
    target: Target,
    id: Uuid,
) -> ApiResult<HttpResponse> {
    let mut sql = Sql::from(
        "UPDATE registrations SET status = 'cancelled', cancellation = 'admin', updated_at = now() \
         WHERE id = ",
    );
    sql.bind(Bind::Uuid(id))
        .push(" AND item_id = ")
        .bind(Bind::Uuid(target.id))
        .push(" AND status <> 'cancelled' RETURNING id");
    let mut conn = state.conn().await?;
    if change(&mut conn, admin, target, sql).await?.is_some() {
        return Ok(HttpResponse::NoContent().finish());
    }
    // Cancelled already (409), or not a registration of this target (404).
    read(&mut conn, id, &[target.scope()]).await?;
    Err(ApiError::refused(
        "already-cancelled",
        msg!("registration-already-cancelled"),
    ))
}

/// An administrator marks whether a confirmed member came (null: not marked), once the event
/// or session has started.
pub async fn mark_attendance(
    state: &AppState,
    admin: &Caller,
    target: Target,
    id: Uuid,
    attendance: Option<Attendance>,
) -> ApiResult<HttpResponse> {
    if !target.has_started() {
        return Err(ApiError::refused(
            "not-started",
            msg!("attendance-not-started", item = target.name()),
        ));
    }
    let mut conn = state.conn().await?;
    let registration = read(&mut conn, id, &[target.scope()]).await?;
    if registration.status != RegistrationStatus::Confirmed {
        return Err(ApiError::refused(
            "not-confirmed",
            msg!(
                "attendance-not-confirmed",
                status = registration.status.as_str()
            ),
        ));
    }
    let mut sql = Sql::from("UPDATE registrations SET attendance = ");
    match attendance {
        Some(attendance) => sql.bind(Bind::Text(attendance.as_str().to_string())),
        None => sql.push("NULL"),
    };
    sql.push(", updated_at = now() WHERE id = ")
        .bind(Bind::Uuid(id))
        .push(" AND status = 'confirmed'");
    conn.transaction(async |c| {
        audit::begin(c, admin).await?;
        Ok::<_, ApiError>(sql.execute(c).await?)
    })
    .await?;
    let registration = read(&mut conn, id, &[]).await?;
    updated_response(&registration)
}
