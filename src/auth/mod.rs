//! Who is calling: bearer JWTs, roles, and the extractors handlers take to require one.
//!
//! A handler that needs an administrator takes an [`Admin`] argument; one that only adapts what
//! it shows takes a [`Caller`]. The role check is the extractor, written once.

pub mod limiter;
pub mod password;
pub mod refresh;
pub mod roles;
pub mod tokens;

pub use roles::{AccountRole, Caller, Role};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::future::{Ready, ready};

use crate::error::ApiError;
use crate::msg;
use crate::state::AppState;

/// The bearer token of a request, if any; a malformed `Authorization` header is a 401.
fn bearer(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Some(t.to_string()))
        .ok_or_else(|| ApiError::unauthorized(msg!("bearer-malformed")))
}

/// Verifies the token, then, for our own accounts, that the account is still active: its
/// current role applies, and a deactivated account's tokens stop working at once.
async fn caller_of(
    state: Option<web::Data<AppState>>,
    token: Result<Option<String>, ApiError>,
) -> Result<Caller, ApiError> {
    let Some(token) = token? else {
        return Ok(Caller::PUBLIC);
    };
    let state = state.ok_or_else(|| ApiError::internal("application state is missing"))?;
    let verified = state.tokens.verify(&token)?;
    let Some(user) = verified.user_id else {
        return Ok(Caller {
            role: verified.role,
            user_id: None,
            actor_id: None,
        });
    };
    let mut conn = state.conn().await?;
    let account: Option<(AccountRole, bool, Option<uuid::Uuid>)> = crate::schema::users::table
        .find(user)
        .select((
            crate::schema::users::role,
            crate::schema::users::is_active,
            crate::schema::users::actor_id,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    match account {
        Some((role, true, actor_id)) => Ok(Caller {
            role: role.into(),
            user_id: Some(user),
            actor_id,
        }),
        Some((_, false, _)) => Err(ApiError::unauthorized(msg!("account-deactivated"))),
        None => Err(ApiError::unauthorized(msg!("account-gone"))),
    }
}

/// The caller of a request, resolved once by [`identify`] before any extractor runs.
#[derive(Clone)]
struct Identified(Result<Caller, ApiError>);

/// Middleware: resolves the caller before the handler's arguments are extracted, so that a
/// role check (401/403) always comes before what the body or the query would say (400/422).
pub async fn identify(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let token = bearer(req.request());
    let caller = caller_of(state, token).await;
    req.extensions_mut().insert(Identified(caller));
    let mut response = next.call(req).await?;
    // What a response holds depends on who asks: a shared cache must keep one per token.
    response.headers_mut().append(
        header::VARY,
        header::HeaderValue::from_static("Authorization"),
    );
    Ok(response)
}

fn identified(req: &HttpRequest) -> Result<Caller, ApiError> {
    req.extensions()
        .get::<Identified>()
        .map(|identified| identified.0.clone())
        .unwrap_or_else(|| Err(ApiError::internal("the identify middleware is missing")))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identified(req))
    }
}

/// A caller with at least the member role: 401 without credentials.
#[derive(Clone, Copy, Debug)]
pub struct Member(pub Caller);

impl FromRequest for Member {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identified(req).and_then(|caller| match caller.role {
            Role::Public => Err(ApiError::credentials_required()),
            _ => Ok(Member(caller)),
        }))
    }
}

/// An administrator: 401 without credentials, 403 with a member's.
#[derive(Clone, Copy, Debug)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identified(req).and_then(|caller| match caller.role {
            Role::Public => Err(ApiError::credentials_required()),
            Role::Member => Err(ApiError::forbidden()),
            Role::Admin => Ok(Admin(caller)),
        }))
    }
}
