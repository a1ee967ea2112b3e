//! `POST /auth/token` and `GET /me`.

use actix_web::{HttpResponse, get, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::tokens::ACCESS_TOKEN_SECONDS;
use super::{Member, Role, password};
use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::JsonBody;
use crate::schema::users;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[validate(length(min = 3, max = 320))]
    #[schema(example = "claire.martin@example.fr")]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// The caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    /// The caller's actor profile, if linked.
    pub actor_id: Option<Uuid>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
struct Account {
    id: Uuid,
    email: String,
    password_hash: String,
    role: String,
    is_active: bool,
    actor_id: Option<Uuid>,
}

async fn account_by_email(conn: &mut AsyncPgConnection, email: &str) -> ApiResult<Option<Account>> {
    Ok(users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = lower(")
                .bind::<diesel::sql_types::Text, _>(email.to_string())
                .sql(")"),
        )
        .select(Account::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Exchange an email and password for an access token.
///
/// An unknown email and a wrong password give the same answer in the same time.
#[utoipa::path(tag = "auth", operation_id = "create_token", security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A bearer token", body = TokenResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/token")]
pub async fn create_token(
    state: web::Data<AppState>,
    body: JsonBody<TokenRequest>,
) -> ApiResult<HttpResponse> {
    let request = body.into_inner();
    let mut conn = state.conn().await?;
    let account = account_by_email(&mut conn, &request.email).await?;
    drop(conn);
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let verified = web::block(move || password::verify(&request.password, stored.as_deref()))
        .await
        .map_err(|e| ApiError::internal(format!("password check: {e}")))?;
    let account = match account {
        Some(account) if verified && account.is_active => account,
        _ => return Err(ApiError::invalid_credentials()),
    };
    let role = Role::for_account(&account.role).ok_or_else(|| {
        ApiError::internal(format!("account {} has role {}", account.id, account.role))
    })?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: state.tokens.issue(account.id, role)?,
            token_type: "Bearer".into(),
            expires_in: ACCESS_TOKEN_SECONDS,
        }))
}

/// The caller's account.
#[utoipa::path(tag = "auth", operation_id = "get_me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = Me),
        (status = 401, description = "Missing or invalid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account no longer exists", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, member: Member) -> ApiResult<HttpResponse> {
    let id = member.0.user_id.ok_or_else(ApiError::not_found)?;
    let mut conn = state.conn().await?;
    let account: Account = users::table
        .find(id)
        .select(Account::as_select())
        .first(&mut conn)
        .await?;
    let role = Role::for_account(&account.role).unwrap_or(Role::Member);
    Ok(HttpResponse::Ok().json(Me {
        id: account.id,
        email: account.email,
        role,
        actor_id: account.actor_id,
    }))
}

/// Creates an account (for `relais create-user`); a taken email is a 409.
pub async fn create_user(
    conn: &mut AsyncPgConnection,
    email: &str,
    password: &str,
    role: Role,
) -> ApiResult<Uuid> {
    if !email.contains('@') || email.len() > 320 {
        return Err(ApiError::invalid_field(
            "email",
            "email",
            "must be an email address",
        ));
    }
    if password.chars().count() < 12 {
        return Err(ApiError::invalid_field(
            "password",
            "length",
            "must be at least 12 characters long",
        ));
    }
    let owned = password.to_string();
    let hash = web::block(move || password::hash(&owned))
        .await
        .map_err(|e| ApiError::internal(format!("password hashing: {e}")))??;
    Ok(diesel::insert_into(users::table)
        .values((
            users::email.eq(email.trim()),
            users::password_hash.eq(hash),
            users::role.eq(role.as_str()),
        ))
        .returning(users::id)
        .get_result(conn)
        .await?)
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_token).service(get_me);
}
