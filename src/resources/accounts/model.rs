//! An account as the caller's own endpoints read it: with its password hash.

use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AccountRole;
use crate::schema::users;

#[derive(Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: AccountRole,
    pub is_active: bool,
    pub actor_id: Option<Uuid>,
    pub calendar_token: String,
}
