//! Tokens (`/auth/token`, `/auth/refresh`, `/auth/logout`) and the caller's own account
//! (`/me`, `/me/password`).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::Account;
use crate::auth::tokens::ACCESS_TOKEN_SECONDS;
use crate::auth::{Member, Role, password, refresh};
use crate::error::{ApiError, ApiResult, FieldError, Problem, UpdateErrors};
use crate::http::peer::client_address;
use crate::http::{JsonBody, MergePatch, item_response};
use crate::i18n::Message;
use crate::msg;
use crate::query::NoParams;
use crate::resources::actors::api::Actors;
use crate::resources::actors::model::Actor;
use crate::resources::audit;
use crate::resources::crud;
use crate::resources::registrations::me::calendar_url;
use crate::schema::users;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[validate(length(min = 3, max = 320))]
    #[schema(min_length = 3, max_length = 320)]
    #[schema(example = "claire.martin@example.fr")]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Single use: `POST /auth/refresh` exchanges it for a new pair. Valid 14 days.
    pub refresh_token: String,
}

/// The caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    /// The caller's actor profile, if linked.
    pub actor_id: Option<Uuid>,
    /// The caller's confirmed registrations as a private iCalendar feed: anyone with the URL
    /// reads it; `POST /api/v1/me/calendar-token` replaces it.
    #[schema(
        example = "/api/v1/calendar/3f2a9c0d4b8e4f6a9d1c7b5e2a8f0c3d6e9b1a4c7d0f3e6b9a2c5d8e1f4a7b0c.ics"
    )]
    pub calendar_url: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    #[validate(length(min = 12, max = 1024))]
    #[schema(min_length = 12, max_length = 1024)]
    pub new_password: String,
}

async fn account_by_email(conn: &mut AsyncPgConnection, email: &str) -> ApiResult<Option<Account>> {
    Ok(users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email.trim().to_string())
                .sql(")"),
        )
        .select(Account::as_select())
        .first(conn)
        .await
        .optional()?)
}

async fn account(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Account> {
    Ok(users::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .await?)
}

fn token_response(access_token: String, refresh_token: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TOKEN_SECONDS,
            refresh_token,
        })
}

/// Exchange an email and password for an access token and a refresh token.
///
/// An unknown email and a wrong password give the same answer in the same time. After 5
/// failures for one account, or 20 from one address, within 15 minutes, logins are refused
/// with `429` and `Retry-After` until the oldest failure is 15 minutes old.
#[utoipa::path(tag = "auth", operation_id = "create_token", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A token pair", body = TokenResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or a deactivated account", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
#[post("/auth/token")]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: JsonBody<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.into_inner();
    let address = client_address(&req).map(|a| a.to_string());
    let mut conn = state.conn().await?;
    let attempt = state
        .limiter
        .attempt(&mut conn, &request.email, address.as_deref())
        .await?;
    let account = account_by_email(&mut conn, &request.email).await?;
    let verified = password::verify(
        request.password,
        account.as_ref().map(|a| a.password_hash.clone()),
    )
    .await?;
    let account = match account {
        Some(account) if verified && account.is_active => account,
        _ => return Err(ApiError::invalid_credentials()),
    };
    state.limiter.succeeded(&mut conn, attempt).await?;
    let role = Role::from(account.role);
    let refresh = refresh::issue(&mut conn, account.id, None).await?;
    Ok(token_response(
        state.tokens.issue(account.id, role)?,
        refresh,
    ))
}

/// Exchange a refresh token for a new pair. Each refresh token works once: presenting one
/// that was already used revokes every token descended from the same login.
#[utoipa::path(tag = "auth", operation_id = "refresh_token", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/refresh")]
pub async fn rotate_refresh_token(
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (user, next) = refresh::rotate(&mut conn, &body.into_inner().refresh_token).await?;
    let account = account(&mut conn, user).await?;
    let role = Role::from(account.role);
    Ok(token_response(state.tokens.issue(user, role)?, next))
}

/// Log out: revoke a refresh token and every token of its login. Idempotent.
#[utoipa::path(tag = "auth", operation_id = "revoke_token", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Revoked (or already unknown)"),
        (status = 400, description = "Malformed JSON or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    refresh::revoke(&mut conn, &body.into_inner().refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account.
#[utoipa::path(tag = "auth", operation_id = "get_me", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    responses(
        (status = 200, description = "The caller's account", body = Me),
        (status = 400, description = "A query parameter (this operation takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The token is not one of an account of ours", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/me")]
pub async fn get_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    let id = member.0.user_id.ok_or_else(ApiError::not_found)?;
    let mut conn = state.conn().await?;
    let account = account(&mut conn, id).await?;
    let role = Role::from(account.role);
    let me = Me {
        id: account.id,
        email: account.email,
        role,
        actor_id: account.actor_id,
        calendar_url: calendar_url(&account.calendar_token),
    };
    item_response(&req, &me)
}

/// What `PATCH /me` refuses, and why: the account's own fields (its login `email` and password
/// have operations of their own), and the networks the actor belongs to, which the centres'
/// administrators keep. `email` and `phone` in a patch are the profile's contact details.
fn not_yours(field: &str) -> Option<Message> {
    match field {
        "id" | "user_id" => Some(msg!("read-only")),
        "role" | "is_active" | "actor_id" => Some(msg!("set-by-admins")),
        "password" => Some(msg!("password-elsewhere")),
        "centre_ids" => Some(msg!("networks-by-admins")),
        _ => None,
    }
}

/// The caller's actor profile as `PATCH /me` takes it: an actor without its `centre_ids`.
pub struct ProfileInput;

impl utoipa::PartialSchema for ProfileInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{RefOr, schema::Schema};
        let mut schema =
            <crate::resources::actors::api::ActorInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            object.properties.shift_remove("centre_ids");
            object.required.retain(|name| name != "centre_ids");
        }
        schema
    }
}

impl utoipa::ToSchema for ProfileInput {}

/// Edit the caller's own actor profile with a JSON Merge Patch.
///
/// Only the profile, contact details included (`email`, `phone`); the account's fields and the
/// profile's `centre_ids`, which administrators keep, are refused by name (422).
#[utoipa::path(tag = "auth", operation_id = "update_me", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = ProfileInput, content_type = "application/merge-patch+json",
        description = "A JSON Merge Patch of the caller's actor profile"),
    responses(
        (status = 200, description = "The updated profile", body = Actor, headers(("ETag" = String))),
        (status = 409, description = "No actor profile is linked to the account", body = Problem, content_type = "application/problem+json"),
        UpdateErrors,
    ))]
#[patch("/me")]
pub async fn update_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    let refused: Vec<FieldError> = patch
        .0
        .keys()
        .filter_map(|field| not_yours(field).map(|why| FieldError::new(field, "read_only", why)))
        .collect();
    if !refused.is_empty() {
        return Err(ApiError::unprocessable(refused));
    }
    let id = member.0.user_id.ok_or_else(ApiError::not_found)?;
    let actor = {
        let mut conn = state.conn().await?;
        account(&mut conn, id).await?.actor_id
    };
    let actor = actor.ok_or_else(|| ApiError::conflict(msg!("no-actor-profile")))?;
    crud::update::<Actors>(
        &req,
        &state,
        &member.0,
        &actor.to_string(),
        patch,
        Vec::new(),
        (),
    )
    .await
}

/// Change the caller's password; the current one is required. Other sessions are logged out.
#[utoipa::path(tag = "auth", operation_id = "change_password", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Malformed JSON or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The token is not one of an account of ours", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or a new one under 12 characters", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    body: JsonBody<PasswordChange>,
) -> ApiResult<HttpResponse> {
    let change = body.into_inner();
    let id = member.0.user_id.ok_or_else(ApiError::not_found)?;
    let mut conn = state.conn().await?;
    let account = account(&mut conn, id).await?;
    let address = client_address(&req).map(|a| a.to_string());
    let attempt = state
        .limiter
        .attempt(&mut conn, &account.email, address.as_deref())
        .await?;
    if !password::verify(change.current_password, Some(account.password_hash)).await? {
        return Err(ApiError::invalid_field(
            "current_password",
            "wrong_password",
            msg!("wrong-password"),
        ));
    }
    state.limiter.succeeded(&mut conn, attempt).await?;
    let hash = password::hash(change.new_password).await?;
    // The new password and the end of the other sessions land together, or not at all.
    conn.transaction(async |c| {
        audit::begin(c, &member.0).await?;
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(hash),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .execute(c)
            .await?;
        audit::record_secret(c, "users", id, "password").await?;
        refresh::revoke_user(c, id).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_token)
        .service(rotate_refresh_token)
        .service(logout)
        .service(get_me)
        .service(update_me)
        .service(change_password);
}
