//! Accounts, managed by administrators: list, create, change the role of, link to an actor
//! profile, deactivate. A deactivated account's tokens stop working at once.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{USERS, User};
use crate::auth::{AccountRole, Admin, Caller, password, refresh};
use crate::error::{ApiError, ApiResult, CreateErrors, ListErrors, ReadErrors, UpdateErrors};
use crate::http::{JsonBody, MergePatch};
use crate::msg;
use crate::query::sql::Bind;
use crate::query::{Collection, Condition, Filters, Instant, ListQuery, Page, Paging, Shaping};
use crate::resources::{Resource, crud};
use crate::schema::users;
use crate::state::AppState;

/// An account to create.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[validate(email, length(max = 320))]
    #[schema(max_length = 320, format = Email)]
    pub email: String,
    #[validate(length(min = 12, max = 1024))]
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    pub role: AccountRole,
    pub actor_id: Option<Uuid>,
}

/// What an administrator may change of an account.
#[derive(Debug, Deserialize, Validate, ToSchema, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub role: AccountRole,
    pub is_active: bool,
    pub actor_id: Option<Uuid>,
}

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    pub role: Option<AccountRole>,
    pub is_active: Option<bool>,
    /// Changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for UserFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(role) = self.role {
            conditions.push(Condition::text("t.role", role.as_str()));
        }
        if let Some(active) = self.is_active {
            conditions.push(Condition::Equals {
                column: "t.is_active",
                value: Bind::Bool(active),
            });
        }
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Users;

impl Resource for Users {
    type Item = User;
    type Input = UserInput;
    type Filters = UserFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &USERS;
    const NAME: &'static str = "users";
    const TRASHED: bool = false;
    const SHAPED: bool = false;
    const READ_ONLY: &'static [&'static str] = &["id", "email", "created_at", "updated_at"];

    fn id(user: &User) -> Uuid {
        user.id
    }

    fn location(user: &User) -> String {
        format!("/api/v1/users/{}", user.id)
    }

    /// Creates an account; an unknown or taken actor leaves no account behind (the caller's
    /// transaction). An account is never replaced: [`Users::patch`] changes it.
    async fn save(
        conn: &mut AsyncPgConnection,
        input: UserInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        if existing.is_some() {
            return Err(ApiError::internal(
                "an account is changed by a patch, not replaced",
            ));
        }
        let id = create_account(conn, &input.email, &input.password, input.role).await?;
        if input.actor_id.is_some() {
            diesel::update(users::table.find(id))
                .set(users::actor_id.eq(input.actor_id))
                .execute(conn)
                .await?;
        }
        Ok(id)
    }

    /// Changes the role, activity or actor profile. Deactivating an account revokes its
    /// sessions; the last active administrator cannot be demoted or deactivated (409).
    async fn patch(
        conn: &mut AsyncPgConnection,
        _: &Caller,
        patch: MergePatch,
        current: &User,
        _: (),
    ) -> ApiResult<Uuid> {
        let Some(update) = patch.apply::<UserUpdate>(current, Self::READ_ONLY)? else {
            return Ok(current.id);
        };
        let stays_admin = update.role == AccountRole::Admin && update.is_active;
        if current.role == AccountRole::Admin && current.is_active && !stays_admin {
            // Serialise concurrent demotions: the check below must see every other one.
            diesel::sql_query("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
                .execute(conn)
                .await?;
            let others: i64 = users::table
                .filter(users::role.eq(AccountRole::Admin))
                .filter(users::is_active.eq(true))
                .filter(users::id.ne(current.id))
                .count()
                .get_result(conn)
                .await?;
            if others == 0 {
                return Err(ApiError::conflict(msg!("last-admin")));
            }
        }
        diesel::update(users::table.find(current.id))
            .set((&update, users::updated_at.eq(diesel::dsl::now)))
            .execute(conn)
            .await?;
        if !update.is_active {
            refresh::revoke_user(conn, current.id).await?;
        }
        Ok(current.id)
    }
}

/// List accounts (admin).
///
/// Sortable fields: `email` (default), `created_at`.
#[utoipa::path(tag = "users", operation_id = "list_users", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(Paging, UserFilters),
    responses(
        (status = 200, description = "A page of accounts", body = Page<User>),
        (status = 403, description = "Not an administrator", body = crate::error::Problem, content_type = "application/problem+json"),
        ListErrors,
    ))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    admin: Admin,
    query: ListQuery<UserFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Users>(&state, &admin.0, query, Vec::new()).await
}

/// Read an account (admin).
#[utoipa::path(tag = "users", operation_id = "get_user", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = Uuid, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account", body = User, headers(("ETag" = String))),
        (status = 403, description = "Not an administrator", body = crate::error::Problem, content_type = "application/problem+json"),
        ReadErrors,
    ))]
#[get("/users/{id}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Users>(&req, &state, &admin.0, &id, Vec::new(), &shaping).await
}

/// Create an account (admin).
#[utoipa::path(tag = "users", operation_id = "create_user", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = UserInput,
    responses(
        (status = 201, description = "Created", body = User, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<UserInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Users>(&state, &admin.0, body.into_inner(), ()).await
}

/// Change an account's role, activity or actor profile with a JSON Merge Patch (admin).
///
/// Deactivating an account revokes its sessions. The last active administrator cannot be
/// demoted or deactivated (409).
#[utoipa::path(tag = "users", operation_id = "update_user", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = Uuid, Path, description = "Account id"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = UserUpdate, content_type = "application/merge-patch+json", description = "A JSON Merge Patch"),
    responses((status = 200, description = "Updated", body = User, headers(("ETag" = String))), UpdateErrors))]
#[patch("/users/{id}")]
pub async fn update_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Users>(&req, &state, &admin.0, &id, patch, Vec::new(), ()).await
}

/// Creates an account (for `relais create-user` and the admin API); a taken email is a 409.
pub async fn create_account(
    conn: &mut AsyncPgConnection,
    email: &str,
    password: &str,
    role: AccountRole,
) -> ApiResult<Uuid> {
    let email = email.trim();
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(ApiError::invalid_field(
            "email",
            "email",
            msg!("not-an-email"),
        ));
    }
    if password.chars().count() < 12 {
        return Err(ApiError::invalid_field(
            "password",
            "length",
            msg!("length-at-least", min = 12),
        ));
    }
    let hash = password::hash(password.to_string()).await?;
    Ok(diesel::insert_into(users::table)
        .values((
            users::email.eq(email),
            users::password_hash.eq(hash),
            users::role.eq(role),
        ))
        .returning(users::id)
        .get_result(conn)
        .await?)
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_users)
        .service(get_user)
        .service(create_user)
        .service(update_user);
}
