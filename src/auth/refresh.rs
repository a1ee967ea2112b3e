//! Refresh tokens: random, stored as SHA-256 hashes, rotated on every use. A login starts a
//! family; presenting a token that was already used means it was stolen or replayed, so the
//! whole family is revoked and the reuse is logged.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::msg;
use crate::schema::{refresh_tokens, users};

pub const REFRESH_TOKEN_DAYS: i64 = 14;

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A new token in `family` (a new family when `None`).
pub async fn issue(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    family: Option<Uuid>,
) -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user),
            refresh_tokens::family_id.eq(family.unwrap_or_else(Uuid::new_v4)),
            refresh_tokens::token_hash.eq(hash(&token)),
            refresh_tokens::expires_at.eq(Utc::now() + Duration::days(REFRESH_TOKEN_DAYS)),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

#[derive(Queryable)]
struct Stored {
    id: Uuid,
    user_id: Uuid,
    family_id: Uuid,
    expires_at: chrono::DateTime<Utc>,
    used_at: Option<chrono::DateTime<Utc>>,
    revoked_at: Option<chrono::DateTime<Utc>>,
}

fn refused() -> ApiError {
    ApiError::unauthorized(msg!("refresh-invalid"))
}

/// Exchanges `presented` for a new token of the same family; returns the account and the
/// new token. Reuse of a spent token revokes its family (and still fails).
pub async fn rotate(conn: &mut AsyncPgConnection, presented: &str) -> ApiResult<(Uuid, String)> {
    let presented_hash = hash(presented);
    let outcome = conn
        .transaction::<_, ApiError, _>(async |c| {
            let stored: Stored = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&presented_hash))
                .select((
                    refresh_tokens::id,
                    refresh_tokens::user_id,
                    refresh_tokens::family_id,
                    refresh_tokens::expires_at,
                    refresh_tokens::used_at,
                    refresh_tokens::revoked_at,
                ))
                .for_update()
                .first(c)
                .await
                .optional()?
                .ok_or_else(refused)?;
            if stored.revoked_at.is_some() {
                return Ok(Err(refused()));
            }
            if stored.used_at.is_some() {
                log::warn!(
                    "refresh token reuse: user {} family {}; the family is revoked",
                    stored.user_id,
                    stored.family_id
                );
                revoke_family(c, stored.family_id).await?;
                return Ok(Err(refused()));
            }
            if stored.expires_at <= Utc::now() {
                return Ok(Err(refused()));
            }
            let active: bool = users::table
                .find(stored.user_id)
                .select(users::is_active)
                .first(c)
                .await
                .optional()?
                .unwrap_or(false);
            if !active {
                return Ok(Err(ApiError::unauthorized(msg!("account-deactivated"))));
            }
            diesel::update(refresh_tokens::table.find(stored.id))
                .set(refresh_tokens::used_at.eq(diesel::dsl::now))
                .execute(c)
                .await?;
            let next = issue(c, stored.user_id, Some(stored.family_id)).await?;
            Ok(Ok((stored.user_id, next)))
        })
        .await?;
    // The family's revocation is committed even though the request fails.
    outcome
}

async fn revoke_family(conn: &mut AsyncPgConnection, family: Uuid) -> ApiResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Logout: revokes the family of `presented`, if it is one of ours.
pub async fn revoke(conn: &mut AsyncPgConnection, presented: &str) -> ApiResult<()> {
    let family: Option<Uuid> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash(presented)))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, family).await?;
    }
    Ok(())
}

/// Every session of an account (deactivation, password change).
pub async fn revoke_user(conn: &mut AsyncPgConnection, user: Uuid) -> ApiResult<()> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(())
}
