//! Brute-force protection for logins: failures are counted per account and per client
//! address over a sliding window; past the limit, `429` with `Retry-After` until the oldest
//! failure leaves the window. The counts are kept in PostgreSQL (`login_failures`, counted by
//! `relais_login_attempt`), so every process behind a balancer shares them.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::config::LoginLimits;
use crate::error::{ApiError, ApiResult};
use crate::schema::login_failures;

pub struct LoginLimiter {
    limits: LoginLimits,
}

/// An attempt counted: a success takes it back.
pub struct Attempt {
    account: String,
    address_row: i64,
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Nullable<Integer>)]
    wait_seconds: Option<i32>,
    #[diesel(sql_type = Nullable<BigInt>)]
    attempt_id: Option<i64>,
}

fn number(value: impl TryInto<i32>) -> i32 {
    value.try_into().unwrap_or(i32::MAX)
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        LoginLimiter { limits }
    }

    /// Counts an attempt before its password is checked, or refuses it with `429` while the
    /// account or the address is over its limit.
    pub async fn attempt(
        &self,
        conn: &mut AsyncPgConnection,
        account: &str,
        address: Option<&str>,
    ) -> ApiResult<Attempt> {
        let account = format!("account:{}", account.trim().to_lowercase());
        let counted: Counted = diesel::sql_query(
            "SELECT wait_seconds, attempt_id FROM relais_login_attempt($1, $2, $3, $4, $5)",
        )
        .bind::<Text, _>(&account)
        .bind::<Text, _>(format!("address:{}", address.unwrap_or("unknown")))
        .bind::<Integer, _>(number(self.limits.window_seconds))
        .bind::<Integer, _>(number(self.limits.per_account))
        .bind::<Integer, _>(number(self.limits.per_address))
        .get_result(conn)
        .await?;
        match counted {
            Counted {
                wait_seconds: Some(wait),
                ..
            } => Err(ApiError::too_many_requests(
                wait.max(1).unsigned_abs().into(),
            )),
            Counted {
                attempt_id: Some(address_row),
                ..
            } => Ok(Attempt {
                account,
                address_row,
            }),
            _ => Err(ApiError::internal("relais_login_attempt answered nothing")),
        }
    }

    /// A success clears the account's failures and takes back this attempt from the address.
    pub async fn succeeded(&self, conn: &mut AsyncPgConnection, attempt: Attempt) -> ApiResult<()> {
        diesel::delete(
            login_failures::table.filter(
                login_failures::key
                    .eq(attempt.account)
                    .or(login_failures::id.eq(attempt.address_row)),
            ),
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}
