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

use crate::i18n::{Language, Message};
use crate::msg;

pub type ApiResult<T> = Result<T, ApiError>;

/// One invalid field of a request body or query.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: Message,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: Message) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message,
        }
    }
}

/// One invalid field, as a problem lists it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FieldError)]
pub struct FieldProblem {
    /// The field, as named in the request (`ends_at`, `themes[2]`).
    pub field: String,
    /// A stable, machine-readable code (`length`, `required`, `unknown_theme`…).
    pub code: String,
    /// A human-readable explanation, in the language of `Content-Language`.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:relais:problem:validation")]
    pub kind: String,
    /// The status's name, in the language of `Content-Language` (`Accept-Language: fr` for
    /// French).
    #[schema(example = "Unprocessable Content")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong, in the language of `Content-Language`.
    #[schema(example = "2 fields are invalid")]
    pub detail: String,
    /// Present on validation failures (422): one entry per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    detail: Message,
    errors: Vec<FieldError>,
    /// A header the problem needs (`Retry-After` on a 429, `Allow` on a 405).
    /// (Boxed: it is rare, and errors travel in every `Result`.)
    header: Option<Box<(header::HeaderName, String)>>,
}

impl ApiError {
    /// The same problem, with a header it needs.
    fn with_header(mut self, name: header::HeaderName, value: String) -> Self {
        self.header = Some(Box::new((name, value)));
        self
    }

    fn new(status: StatusCode, kind: &'static str, detail: Message) -> Self {
        ApiError {
            status,
            kind,
            detail,
            errors: Vec::new(),
            header: None,
        }
    }

    /// `429` with `Retry-After`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            msg!("too-many-attempts", seconds = retry_after),
        )
        .with_header(header::RETRY_AFTER, retry_after.to_string())
    }

    pub fn bad_request(detail: Message) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// A token was sent and refused.
    pub fn unauthorized(detail: Message) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid-token", detail)
    }

    /// A login with a wrong email or password (the same answer for both).
    pub fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid-credentials",
            msg!("invalid-credentials"),
        )
    }

    /// No token was sent to an operation that needs one.
    pub fn credentials_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "credentials-required",
            msg!("credentials-required"),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", msg!("forbidden"))
    }

    /// `403` saying which right is missing.
    pub fn forbidden_because(detail: Message) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", msg!("not-found"))
    }

    /// `405` with `Allow`: the path exists, for other methods only.
    pub fn method_not_allowed(method: &str, allow: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            msg!(
                "method-not-allowed",
                method = method.to_string(),
                allowed = allow.to_string()
            ),
        )
        .with_header(header::ALLOW, allow.to_string())
    }

    pub fn conflict(detail: Message) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", detail)
    }

    /// A registration, or a change of one, that the state of things does not allow (409): `kind`
    /// names why (`registration-closed`, `cancelled`…), `detail` says it.
    pub fn refused(kind: &'static str, detail: Message) -> Self {
        Self::new(StatusCode::CONFLICT, kind, detail)
    }

    /// `409` with `Location`: the caller is registered already, there.
    pub fn already_registered(location: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "already-registered",
            msg!("already-registered", location = location.to_string()),
        )
        .with_header(header::LOCATION, location.to_string())
    }

    /// `422`: an `Idempotency-Key` sent again with another request.
    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            msg!("idempotency-key-reused"),
        )
    }

    /// `409` with `Retry-After`: the first request with this `Idempotency-Key` is still running.
    pub fn idempotency_in_progress() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "idempotency-in-progress",
            msg!("idempotency-in-progress"),
        )
        .with_header(header::RETRY_AFTER, "1".to_string())
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            msg!("precondition-failed"),
        )
    }

    /// `406`: `Accept` takes none of what the operation serves, which `detail` lists.
    pub fn not_acceptable(offered: &str) -> Self {
        Self::new(
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
            msg!("not-acceptable", offered = offered.to_string()),
        )
    }

    pub fn unsupported_media_type(detail: Message) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            detail,
        )
    }

    /// `416` with the `Content-Range` that names the size.
    pub fn range_not_satisfiable(size: u64) -> Self {
        Self::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "range-not-satisfiable",
            msg!("range-not-satisfiable", size = size),
        )
        .with_header(header::CONTENT_RANGE, format!("bytes */{size}"))
    }

    pub fn payload_too_large(detail: Message) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", detail)
    }

    /// `422`; the detail names the field when there is one, or counts them.
    pub fn unprocessable(errors: Vec<FieldError>) -> Self {
        ApiError {
            errors,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                msg!("fields-invalid"),
            )
        }
    }

    pub fn invalid_field(field: &str, code: &str, message: Message) -> Self {
        Self::unprocessable(vec![FieldError::new(field, code, message)])
    }

    pub fn unavailable(detail: Message) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail)
    }

    /// An unexpected failure: the context goes to the log, the client gets a generic 500.
    pub fn internal(context: impl fmt::Display) -> Self {
        log::error!("internal error: {context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            msg!("internal"),
        )
    }

    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem document, in `language`.
    pub fn problem(&self, language: Language) -> Problem {
        let errors: Vec<FieldProblem> = self
            .errors
            .iter()
            .map(|error| FieldProblem {
                field: error.field.clone(),
                code: error.code.clone(),
                message: error.message.render(language),
            })
            .collect();
        let detail = match errors.as_slice() {
            [] => self.detail.render(language),
            [one] => format!("{}: {}", one.field, one.message),
            many => msg!("fields-invalid", count = many.len()).render(language),
        };
        let title = format!("status-{}", self.status.as_u16());
        Problem {
            kind: format!("urn:relais:problem:{}", self.kind),
            title: Message::new(title).render(language),
            status: self.status.as_u16(),
            detail,
            errors,
        }
    }

    /// The body of [`Self::problem`].
    pub fn body(&self, language: Language) -> String {
        serde_json::to_string(&self.problem(language)).unwrap_or_else(|e| e.to_string())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.status.as_u16(),
            self.problem(Language::English).detail
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// In English; `http::language` puts it in the reader's language.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response
            .content_type("application/problem+json")
            .insert_header((header::CONTENT_LANGUAGE, Language::English.tag()))
            .append_header((header::VARY, "Accept-Language"));
        if let Some(header) = &self.header {
            let (name, value) = header.as_ref();
            response.insert_header((name.clone(), value.as_str()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6750: no error code when the request simply had no credentials. The
            // description stays English: the header is for programs, and ASCII.
            let challenge = match self.kind {
                "invalid-token" => format!(
                    "Bearer realm=\"relais\", error=\"invalid_token\", error_description=\"{}\"",
                    self.detail
                        .render(Language::English)
                        .replace(['"', '\\'], "'")
                ),
                _ => "Bearer realm=\"relais\"".to_string(),
            };
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        response.body(self.body(Language::English))
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
                        ApiError::conflict(msg!("already-in-use", field = field))
                    }
                    DatabaseErrorKind::ForeignKeyViolation => ApiError::invalid_field(
                        &foreign_key_field(&constraint),
                        "unknown_reference",
                        msg!("unknown-reference"),
                    ),
                    DatabaseErrorKind::CheckViolation => ApiError::invalid_field(
                        info.column_name().unwrap_or("body"),
                        "constraint",
                        msg!("violates-rule", rule = constraint),
                    ),
                    // The server went away under the connection (a restart, a failover).
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand => {
                        log::warn!("database connection lost: {}", info.message());
                        ApiError::unavailable(msg!("database-unreachable"))
                    }
                    DatabaseErrorKind::SerializationFailure => {
                        ApiError::conflict(msg!("concurrent-change"))
                    }
                    DatabaseErrorKind::Unknown
                        if crate::db::is_statement_timeout(info.message()) =>
                    {
                        log::warn!("a statement ran past its timeout and was cancelled");
                        ApiError::unavailable(msg!("statement-timeout"))
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
                ApiError::conflict(msg!("still-referred", referrers = referrers))
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
        use deadpool::managed::{PoolError, TimeoutType};
        match error {
            // Every connection is busy: the pool's wait has passed. Soon one is free again.
            PoolError::Timeout(TimeoutType::Wait) => ApiError::unavailable(msg!("pool-busy"))
                .with_header(header::RETRY_AFTER, "1".to_string()),
            error => {
                log::warn!("database pool: {error}");
                ApiError::unavailable(msg!("database-unreachable"))
            }
        }
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
                // Our own rules name their message's id; validator's name none.
                let message = match &error.message {
                    Some(id) => Message::new(id.clone()),
                    None => default_message(&error.code, &error.params),
                };
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
) -> Message {
    let param = |name: &str| params.get(name).map(|v| v.to_string());
    let bounds = |id: &'static str, low: Option<String>, high: Option<String>| {
        let text = Message::new(id);
        let text = match low {
            Some(low) => text.with("min", low),
            None => text,
        };
        match high {
            Some(high) => text.with("max", high),
            None => text,
        }
    };
    match code {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => msg!("length-between", min = min, max = max),
            (Some(min), None) => msg!("length-at-least", min = min),
            (None, Some(max)) => msg!("length-at-most", max = max),
            _ => msg!("length-invalid"),
        },
        "range" => {
            let (min, above) = (param("min"), param("exclusive_min"));
            let (max, below) = (param("max"), param("exclusive_max"));
            match (
                min.is_some(),
                above.is_some(),
                max.is_some(),
                below.is_some(),
            ) {
                (true, _, true, _) => bounds("range-min-max", min, max),
                (true, _, _, true) => bounds("range-min-below", min, below),
                (_, true, true, _) => bounds("range-above-max", above, max),
                (_, true, _, true) => bounds("range-above-below", above, below),
                (true, ..) => bounds("range-min", min, None),
                (_, true, ..) => bounds("range-above", above, None),
                (.., true, _) => bounds("range-max", None, max),
                (.., true) => bounds("range-below", None, below),
                _ => msg!("range-invalid"),
            }
        }
        "email" => msg!("not-an-email"),
        "url" => msg!("not-a-url"),
        other => msg!("invalid-value", code = other.to_string()),
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
