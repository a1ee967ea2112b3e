//! Liveness, readiness and metrics, for load balancers, orchestrators and monitoring.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, get, web};
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

/// The middleware that counts every answered request.
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await?;
    if let Some(state) = state {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        state.metrics.record(
            response.request().method().as_str(),
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

/// Prometheus metrics.
#[utoipa::path(tag = "health", operation_id = "get_metrics", security(()),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"), UnknownParameter))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, _: NoParams) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(NOT_KEPT)
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}
