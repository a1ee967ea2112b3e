//! Roles: what a caller may do, and the role an account holds.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::enums::text_enum;

/// What a caller may do. `Public` is anyone without a token.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
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
}

/// The authenticated caller of a request, or the public.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub role: Role,
    pub user_id: Option<Uuid>,
    /// The actor profile of the account, through which a member co-authors documents.
    pub actor_id: Option<Uuid>,
}

impl Caller {
    pub const PUBLIC: Caller = Caller {
        role: Role::Public,
        user_id: None,
        actor_id: None,
    };

    pub fn is_member(&self) -> bool {
        self.role >= Role::Member
    }
}

text_enum! {
    /// The role an account holds.
    AccountRole { Member = "member", Admin = "admin" }
}

impl From<AccountRole> for Role {
    fn from(role: AccountRole) -> Role {
        match role {
            AccountRole::Member => Role::Member,
            AccountRole::Admin => Role::Admin,
        }
    }
}
