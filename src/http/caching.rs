//! What shared caches (a partner's proxy, a CDN) may keep: a public read for
//! `RELAIS_CACHE_MAX_AGE` seconds, then served stale for `RELAIS_CACHE_STALE_SECONDS` while it
//! revalidates (its `ETag` makes that a `304`); nothing that depends on the caller.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

use crate::state::AppState;

/// Middleware: a `Cache-Control` on every answer whose handler did not set one.
pub async fn cache_control(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let public = read && !req.headers().contains_key(header::AUTHORIZATION);
    let policy = req
        .app_data::<web::Data<AppState>>()
        .map(|state| (state.sharing.cache_max_age, state.sharing.cache_stale));
    let mut response = next.call(req).await?;
    if response.headers().contains_key(header::CACHE_CONTROL) {
        return Ok(response);
    }
    let kept = matches!(
        response.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    let value = match (public && kept, policy) {
        (true, Some((max_age, stale))) => HeaderValue::from_str(&format!(
            "public, max-age={max_age}, stale-while-revalidate={stale}"
        ))
        .unwrap_or(HeaderValue::from_static("no-cache")),
        // A caller's own answer: its browser may keep it, asking again each time.
        _ if read && kept => HeaderValue::from_static("private, no-cache"),
        _ => HeaderValue::from_static("no-store"),
    };
    response.headers_mut().insert(header::CACHE_CONTROL, value);
    Ok(response)
}
