//! One error type for the whole API, rendered as `application/problem+json` (RFC 9457).
//!
//! Database errors are mapped here and nowhere else: a missing row is 404, a unique violation
//! 409, a broken reference 422 (or 409 when a delete would orphan something).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

pub type ApiResult<T> = Result<T, ApiError>;

/// One invalid field of a request body or query.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// The field, as named in the request (`ends_at`, `themes[2]`).
    pub field: String,
    /// A stable, machine-readable code (`length`, `required`, `unknown_theme`…).
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:relais:problem:validation")]
    pub kind: String,
    #[schema(example = "Unprocessable Content")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "2 fields are invalid")]
    pub detail: String,
    /// Present on validation failures (422): one entry per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    /// A header the problem needs (`Retry-After` on a 429, `Allow` on a 405).
    /// (Boxed: it is rare, and errors travel in every `Result`.)
    header: Option<Box<(header::HeaderName, String)>>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            header: None,
        }
    }

    /// `429` with `Retry-After`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        ApiError {
            header: Some(Box::new((header::RETRY_AFTER, retry_after.to_string()))),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                format!("too many failed attempts; retry in {retry_after} s"),
            )
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// A token was sent and refused.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid-token", detail)
    }

    /// A login with a wrong email or password (the same answer for both).
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            "wrong email or password",
        )
    }

    /// No token was sent to an operation that needs one.
    pub fn credentials_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "credentials-required",
            "this operation needs a bearer token",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role does not allow this operation",
        )
    }

    /// `403` saying which right is missing.
    pub fn forbidden_because(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "no such resource")
    }

    /// `405` with `Allow`: the path exists, for other methods only.
    pub fn method_not_allowed(method: &str, allow: &str) -> Self {
        ApiError {
            header: Some(Box::new((header::ALLOW, allow.to_string()))),
            ..Self::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!("{method} is not allowed here; allowed: {allow}"),
            )
        }
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// A registration, or a change of one, that the state of things does not allow (409): `kind`
    /// names why (`registration-closed`, `cancelled`…), `detail` says it.
    pub fn refused(kind: &'static str, detail: String) -> Self {
        Self::new(StatusCode::CONFLICT, kind, detail)
    }

    /// `409` with `Location`: the caller is registered already, there.
    pub fn already_registered(location: &str) -> Self {
        ApiError {
            header: Some(Box::new((header::LOCATION, location.to_string()))),
            ..Self::new(
                StatusCode::CONFLICT,
                "already-registered",
                format!("you are registered already: {location}"),
            )
        }
    }

    /// `422`: an `Idempotency-Key` sent again with another request.
    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "this Idempotency-Key was used with another request: send a new key for a new request",
        )
    }

    /// `409` with `Retry-After`: the first request with this `Idempotency-Key` is still running.
    pub fn idempotency_in_progress() -> Self {
        ApiError {
            header: Some(Box::new((header::RETRY_AFTER, "1".to_string()))),
            ..Self::new(
                StatusCode::CONFLICT,
                "idempotency-in-progress",
                "the first request with this Idempotency-Key has not answered yet; retry",
            )
        }
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "a precondition failed: the resource has changed since you read it (If-Match does not name its ETag), or If-None-Match names it",
        )
    }

    /// `406`: `Accept` takes none of what the operation serves, which `detail` lists.
    pub fn not_acceptable(offered: &str) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
            format!("Accept takes none of what this can be sent as: {offered}"),
        )
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            detail,
        )
    }

    /// `416` with the `Content-Range` that names the size.
    pub fn range_not_satisfiable(size: u64) -> Self {
        ApiError {
            header: Some(Box::new((header::CONTENT_RANGE, format!("bytes */{size}")))),
            ..Self::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range-not-satisfiable",
                format!("the range asked for is outside the file's {size} bytes"),
            )
        }
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", detail)
    }

    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        ApiError {
            errors,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", detail)
        }
    }

    pub fn invalid_field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::unprocessable(vec![FieldError::new(field, code, message)])
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    /// An unexpected failure: the context goes to the log, the client gets a generic 500.
    pub fn internal(context: impl fmt::Display) -> Self {
        log::error!("internal error: {context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an unexpected error occurred; it has been logged",
        )
    }

    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = Problem {
            kind: format!("urn:relais:problem:{}", self.kind),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
        };
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/problem+json");
        if let Some(header) = &self.header {
            let (name, value) = header.as_ref();
            response.insert_header((name.clone(), value.as_str()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750: no error code when the request simply had no credentials.
            let challenge = match self.kind {
                "invalid-token" => format!(
                    "Bearer realm=\"relais\", error=\"invalid_token\", error_description=\"{}\"",
                    self.detail.replace(['"', '\\'], "'")
                ),
                _ => "Bearer realm=\"relais\"".to_string(),
            };
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        match serde_json::to_string(&problem) {
            Ok(body) => response.body(body),
            Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
        }
    }
}

impl From<DieselError> for ApiError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => ApiError::not_found(),
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default().to_string();
                match kind {
                    DatabaseErrorKind::UniqueViolation => {
                        let field = unique_field(&constraint);
                        ApiError::conflict(format!("this {field} is already in use"))
                    }
                    DatabaseErrorKind::ForeignKeyViolation => ApiError::invalid_field(
                        &foreign_key_field(&constraint),
                        "unknown_reference",
                        "refers to something that does not exist",
                    ),
                    DatabaseErrorKind::CheckViolation => ApiError::invalid_field(
                        info.column_name().unwrap_or("body"),
                        "constraint",
                        format!("violates the rule {constraint}"),
                    ),
                    DatabaseErrorKind::SerializationFailure => {
                        ApiError::conflict("a concurrent change got in the way; retry")
                    }
                    _ => ApiError::internal(format!("database: {}", info.message())),
                }
            }
            other => ApiError::internal(format!("database: {other}")),
        }
    }
}

impl ApiError {
    /// The error of a `DELETE`: there, a foreign key violated is a row that still refers to
    /// the one deleted (`documents_centre_id_fkey`: documents refer to it), named from the
    /// constraint, never from the server's message, whose language is the server's.
    pub fn from_delete(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                let constraint = info.constraint_name().unwrap_or_default();
                let field = foreign_key_field(constraint);
                let referrers = constraint
                    .strip_suffix("_fkey")
                    .and_then(|c| c.strip_suffix(&format!("_{field}")))
                    .unwrap_or("other items")
                    .replace('_', " ");
                ApiError::conflict(format!(
                    "{referrers} still refer to it: delete or change them first"
                ))
            }
            _ => ApiError::from(error),
        }
    }
}

/// `events_slug_key` → `slug`; `users_email_key` → `email`.
fn unique_field(constraint: &str) -> String {
    let trimmed = constraint.strip_suffix("_key").unwrap_or(constraint);
    ["slug", "email", "actor_id"]
        .into_iter()
        .find(|field| trimmed.ends_with(field))
        .unwrap_or("value")
        .to_string()
}

/// `events_centre_id_fkey` → `centre_id`; `event_speakers_actor_id_fkey` → `actor_id`.
fn foreign_key_field(constraint: &str) -> String {
    let trimmed = constraint.strip_suffix("_fkey").unwrap_or(constraint);
    [
        "centre_id",
        "parent_id",
        "actor_id",
        "training_id",
        "document_id",
        "region_code",
        "department_code",
    ]
    .into_iter()
    .find(|field| trimmed.ends_with(field))
    .unwrap_or("body")
    .to_string()
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        log::warn!("database pool: {error}");
        ApiError::unavailable("the database is unreachable; retry shortly")
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        for (field, list) in errors.field_errors() {
            for error in list {
                // Cross-field rules (`__all__`) name the field they are about in a parameter.
                let name = match error.params.get("field") {
                    Some(serde_json::Value::String(f)) => f.clone(),
                    _ => field.to_string(),
                };
                let message = error
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| default_message(&error.code, &error.params));
                fields.push(FieldError::new(name, &error.code, message));
            }
        }
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::unprocessable(fields)
    }
}

fn default_message(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    let param = |name: &str| params.get(name).map(|v| v.to_string());
    match code {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            _ => "has an invalid length".into(),
        },
        "range" => {
            let lower = match (param("min"), param("exclusive_min")) {
                (Some(min), _) => Some(format!("at least {min}")),
                (None, Some(min)) => Some(format!("more than {min}")),
                _ => None,
            };
            let upper = match (param("max"), param("exclusive_max")) {
                (Some(max), _) => Some(format!("at most {max}")),
                (None, Some(max)) => Some(format!("less than {max}")),
                _ => None,
            };
            match (lower, upper) {
                (Some(lower), Some(upper)) => format!("must be {lower} and {upper}"),
                (Some(bound), None) | (None, Some(bound)) => format!("must be {bound}"),
                _ => "is out of range".into(),
            }
        }
        "email" => "must be an email address".into(),
        "url" => "must be an absolute URL".into(),
        other => format!("is invalid ({other})"),
    }
}

/// The error responses of a list.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ListErrors {
    /// Unknown parameter, unknown sort field or malformed value.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
}

/// The error responses of a list reserved to administrators.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum AdminListErrors {
    /// Unknown parameter, unknown sort field or malformed value.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Not an administrator.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
}

/// The error responses of reading one item.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    /// Unknown query parameter, or a bad `fields` or `include`.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// No such item, or hidden from the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// The error responses of a create.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum CreateErrors {
    /// Malformed JSON, a body that is not an object, or an unknown field.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role does not allow it.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// The parent does not exist or is hidden.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The slug is already in use.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The body is larger than 256 KiB.
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Invalid fields, listed in `errors`.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
}

/// The error responses of a patch.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum UpdateErrors {
    /// Malformed JSON, a body that is not an object, or an unknown field.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role does not allow it.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such item, or hidden from the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The slug is already in use.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` does not match the current ETag.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is larger than 256 KiB.
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Invalid or read-only fields, listed in `errors`.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
}

/// The error responses of a delete.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum DeleteErrors {
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The caller's role does not allow it.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such item, or hidden from the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Other items still refer to this one.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` does not match the current ETag.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
}
