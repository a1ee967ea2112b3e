//! Who is calling: bearer JWTs, roles, and the extractors handlers take to require one.
//!
//! A handler that needs an administrator takes an [`Admin`] argument; one that only adapts what
//! it shows takes a [`Caller`]. The role check is the extractor, written once.

pub mod api;
pub mod password;
pub mod tokens;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

/// What a caller may do. `Public` is anyone without a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Public,
    Member,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Public => "public",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }

    /// The roles an account can hold (a token never says `public`).
    pub fn for_account(name: &str) -> Option<Role> {
        match name {
            "member" => Some(Role::Member),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// The authenticated caller of a request, or the public.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub role: Role,
    pub user_id: Option<Uuid>,
}

impl Caller {
    pub const PUBLIC: Caller = Caller {
        role: Role::Public,
        user_id: None,
    };

    pub fn is_member(&self) -> bool {
        self.role >= Role::Member
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

fn caller_of(req: &HttpRequest) -> Result<Caller, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Caller::PUBLIC);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state is missing"))?;
    let claims = state.tokens.verify(token)?;
    Ok(Caller {
        role: claims.role,
        user_id: Some(claims.sub),
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req))
    }
}

/// A caller with at least the member role: 401 without credentials.
#[derive(Clone, Copy, Debug)]
pub struct Member(pub Caller);

impl FromRequest for Member {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller_of(req).and_then(|caller| match caller.role {
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
        ready(caller_of(req).and_then(|caller| match caller.role {
            Role::Public => Err(ApiError::credentials_required()),
            Role::Member => Err(ApiError::forbidden()),
            Role::Admin => Ok(Admin(caller)),
        }))
    }
}
