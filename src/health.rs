//! Liveness, readiness and metrics, for load balancers, orchestrators and monitoring.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, get, web};
use prometheus_client::metrics::gauge::Gauge;
use serde::Serialize;
use std::time::Instant;
use utoipa::ToSchema;

use crate::error::Problem;
use crate::query::NoParams;
use crate::state::AppState;

/// A query parameter these operations do not take.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum UnknownParameter {
    /// An unknown query parameter.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", operation_id = "get_health_live", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    responses((status = 200, description = "The process answers", body = Health), UnknownParameter))]
#[get("/health/live")]
pub async fn live(_: NoParams) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(NOT_KEPT)
        .json(Health { status: "ok" })
}

/// What health and metrics are now, never what a cache kept.
const NOT_KEPT: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

/// The process can serve requests: the database answers.
#[utoipa::path(tag = "health", operation_id = "get_health_ready", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, description = "The database is unreachable", body = Health),
        UnknownParameter,
    ))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>, _: NoParams) -> HttpResponse {
    if crate::db::is_ready(&state.pool).await {
        HttpResponse::Ok()
            .insert_header(NOT_KEPT)
            .json(Health { status: "ok" })
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(NOT_KEPT)
            .json(Health {
                status: "unavailable",
            })
    }
}

/// The id a request is known by in the logs: the caller's `X-Request-Id` when it is a sane
/// token (a proxy's or a client's, 1 to 128 letters, digits and `-._:`), else a new UUID.
fn request_id(req: &ServiceRequest) -> HeaderValue {
    let given = req.headers().get(REQUEST_ID).filter(|value| {
        let bytes = value.as_bytes();
        (1..=128).contains(&bytes.len())
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-._:".contains(b))
    });
    match given {
        Some(value) => value.clone(),
        // From the thread's generator, not a system call per request.
        None => {
            let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
            HeaderValue::from_str(
                id.hyphenated()
                    .encode_lower(&mut uuid::Uuid::encode_buffer()),
            )
            .unwrap_or(HeaderValue::from_static("unknown"))
        }
    }
}

const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Counts a request in flight for as long as it lives, even if its future is dropped.
struct InFlight(Gauge);

impl InFlight {
    fn enter(gauge: &Gauge) -> InFlight {
        gauge.inc();
        InFlight(gauge.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The middleware that gives every request its id (`X-Request-Id`, answered back), counts it
/// and logs one line for it: method, route, status, duration and id.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let in_flight = state
        .as_ref()
        .map(|s| InFlight::enter(&s.metrics.in_flight));
    let mut response = next.call(req).await?;
    drop(in_flight);
    let seconds = started.elapsed().as_secs_f64();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let method = response.request().method().as_str().to_string();
    let status = response.status().as_u16();
    if let Some(state) = state {
        state.metrics.record(&method, &route, status, seconds);
    }
    log::info!(
        "{method} {route} {status} {:.1}ms id={}",
        seconds * 1000.0,
        id.to_str().unwrap_or_default()
    );
    response.headers_mut().insert(REQUEST_ID, id);
    Ok(response)
}

/// Prometheus metrics.
#[utoipa::path(tag = "health", operation_id = "get_metrics", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8"), UnknownParameter))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, _: NoParams) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(NOT_KEPT)
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(state.metrics.render(state.pools_status()))
}
