//! `Idempotency-Key` on `POST`: a retry with the same key and the same request gets the first
//! answer again (status, headers, body) and creates nothing; the same key with another request
//! is a `422`. Keys belong to the caller that sent them and last 24 hours.
//!
//! The first request of a key inserts its row in `idempotency_keys`, runs, and stores its
//! answer there; a request that finds the row waits for that answer, so that two requests sent
//! at once, to one server or to several, run once. An answer of `5xx` is not kept: the retry
//! runs again.

use std::time::Duration;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpResponse, web};
use diesel::QueryableByName;
use diesel::sql_types::{Bytea, Integer, Jsonb, Nullable, Text};
use diesel_async::RunQueryDsl;
use sha2::{Digest, Sha256};

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::msg;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";
/// How long a key is kept.
pub const KEPT_HOURS: i32 = 24;
/// How long a retry waits for the first request's answer before a `409`.
const WAIT: Duration = Duration::from_secs(10);
/// The headers of an answer that are its own, and so replayed; the others are the middleware's
/// around this one (CORS, `Vary`, caching).
const REPLAYED: [&str; 5] = ["content-type", "location", "etag", "link", "retry-after"];

#[derive(QueryableByName)]
struct Kept {
    #[diesel(sql_type = Text)]
    request_sha256: String,
    #[diesel(sql_type = Nullable<Integer>)]
    status: Option<i32>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    headers: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Bytea>)]
    body: Option<Vec<u8>>,
}

#[derive(QueryableByName)]
struct Inserted {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    inserted: bool,
}

/// The key of a request, checked: 1 to 255 visible ASCII characters.
fn key_of(req: &ServiceRequest) -> ApiResult<Option<String>> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_string()))
        }
        _ => Err(ApiError::bad_request(msg!("idempotency-key-malformed"))),
    }
}

/// Whether a `POST` to `path` honours `Idempotency-Key`: every creation and action, but not
/// the token operations, whose answers (tokens) are never kept, and are safe to send again.
pub fn applies_to(path: &str) -> bool {
    !path.starts_with("/api/v1/auth/")
}

/// Middleware: runs a `POST` with an `Idempotency-Key` once per key.
pub async fn idempotent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() != Method::POST || !applies_to(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let key = match key_of(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
        Err(e) => return Ok(req.error_response(e)),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Keys are the caller's own: an account's, or else its token's (an external provider's
    // caller has no account here). A request without a valid token creates nothing: it goes on
    // to its handler's 401 as it would without a key.
    let caller = match Caller::extract(req.request()).await {
        Ok(caller) if caller.role != Role::Public => match caller.user_id {
            Some(user) => user.to_string(),
            None => {
                let token = req.headers().get(actix_web::http::header::AUTHORIZATION);
                let token = token.map(|t| t.as_bytes()).unwrap_or_default();
                format!("token:{:x}", Sha256::digest(token))
            }
        },
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    // The body is read whole to be hashed, then handed to the handler as it came.
    let bytes = match req.extract::<web::Bytes>().await {
        Ok(bytes) => bytes,
        Err(e) => return Ok(req.error_response(e)),
    };
    let mut hash = Sha256::new();
    hash.update(req.method().as_str());
    hash.update([0]);
    hash.update(req.uri().to_string());
    hash.update([0]);
    hash.update(&bytes);
    let request = format!("{:x}", hash.finalize());
    match claim(&state, &caller, &key, &request).await {
        Ok(true) => {}
        Ok(false) => {
            return Ok(match replay(&state, &caller, &key, &request).await {
                Ok(response) => req.into_response(response),
                Err(e) => req.error_response(e),
            });
        }
        Err(e) => return Ok(req.error_response(e)),
    }
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    req.set_payload(payload.into());
    let response = match next.call(req).await {
        Ok(response) => response,
        Err(e) => {
            let _ = forget(&state, &caller, &key).await;
            return Err(e);
        }
    };
    let (request_head, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = body::to_bytes(body).await.unwrap_or_default();
    let status = head.status();
    let kept = if status.is_server_error() {
        forget(&state, &caller, &key).await
    } else {
        keep(&state, &caller, &key, status, head.headers(), &bytes).await
    };
    if let Err(e) = kept {
        log::warn!("keeping the answer of Idempotency-Key {key}: {e}");
    }
    let response = head.set_body(bytes).map_into_boxed_body();
    Ok(ServiceResponse::new(request_head, response))
}

/// Takes the key for this request: `true` when it is the first (or the key had expired).
async fn claim(state: &AppState, caller: &str, key: &str, request: &str) -> ApiResult<bool> {
    let mut conn = state.conn().await?;
    diesel::sql_query(
        "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 \
         AND created_at < now() - $3 * interval '1 hour'",
    )
    .bind::<Text, _>(caller)
    .bind::<Text, _>(key)
    .bind::<Integer, _>(KEPT_HOURS)
    .execute(&mut conn)
    .await?;
    let inserted = diesel::sql_query(
        "INSERT INTO idempotency_keys (caller, key, request_sha256) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING RETURNING true AS inserted",
    )
    .bind::<Text, _>(caller)
    .bind::<Text, _>(key)
    .bind::<Text, _>(request)
    .load::<Inserted>(&mut conn)
    .await?;
    Ok(inserted.iter().any(|row| row.inserted))
}

/// The first answer to the key, once it is there.
async fn replay(
    state: &AppState,
    caller: &str,
    key: &str,
    request: &str,
) -> ApiResult<HttpResponse> {
    let started = std::time::Instant::now();
    loop {
        let mut conn = state.conn().await?;
        let kept = diesel::sql_query(
            "SELECT request_sha256, status, headers, body FROM idempotency_keys \
             WHERE caller = $1 AND key = $2",
        )
        .bind::<Text, _>(caller)
        .bind::<Text, _>(key)
        .load::<Kept>(&mut conn)
        .await?
        .into_iter()
        .next();
        drop(conn);
        let Some(kept) = kept else {
            // The first request failed and let the key go: this one is a new first.
            return Err(ApiError::idempotency_in_progress());
        };
        if kept.request_sha256 != request {
            return Err(ApiError::idempotency_key_reused());
        }
        if let (Some(status), Some(body)) = (kept.status, kept.body) {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            let mut response = HttpResponse::build(status);
            for (name, value) in kept.headers.iter().flat_map(|h| h.as_object()).flatten() {
                if let (Ok(name), Some(Ok(value))) = (
                    HeaderName::try_from(name.as_str()),
                    value.as_str().map(HeaderValue::from_str),
                ) {
                    response.insert_header((name, value));
                }
            }
            response.insert_header(("idempotent-replayed", "true"));
            return Ok(response.body(body));
        }
        if started.elapsed() > WAIT {
            return Err(ApiError::idempotency_in_progress());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn keep(
    state: &AppState,
    caller: &str,
    key: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<()> {
    let replayed: serde_json::Map<String, serde_json::Value> = REPLAYED
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?;
            Some((name.to_string(), serde_json::Value::from(value)))
        })
        .collect();
    let mut conn = state.conn().await?;
    diesel::sql_query(
        "UPDATE idempotency_keys SET status = $1, headers = $2, body = $3 \
         WHERE caller = $4 AND key = $5",
    )
    .bind::<Integer, _>(i32::from(status.as_u16()))
    .bind::<Jsonb, _>(serde_json::Value::Object(replayed))
    .bind::<Bytea, _>(body)
    .bind::<Text, _>(caller)
    .bind::<Text, _>(key)
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Lets the key go, so that a retry runs anew.
async fn forget(state: &AppState, caller: &str, key: &str) -> ApiResult<()> {
    let mut conn = state.conn().await?;
    diesel::sql_query("DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2")
        .bind::<Text, _>(caller)
        .bind::<Text, _>(key)
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Drops the keys older than a day, every hour.
pub async fn keep_expiring(state: web::Data<AppState>) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        let expired = async {
            let mut conn = state.conn().await?;
            let expired = diesel::sql_query(
                "DELETE FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 hour'",
            )
            .bind::<Integer, _>(KEPT_HOURS)
            .execute(&mut conn)
            .await?;
            Ok::<_, ApiError>(expired)
        };
        match expired.await {
            Ok(0) => {}
            Ok(n) => log::info!("forgot {n} idempotency keys older than {KEPT_HOURS} hours"),
            Err(e) => log::warn!("expiring idempotency keys: {e:?}"),
        }
    }
}
