//! Request bodies, JSON Merge Patch and conditional requests (ETag), written once for every
//! resource.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, Schema};
use validator::Validate;

use crate::error::{ApiError, ApiResult, FieldError};
use crate::msg;

pub mod caching;
pub mod cors;
pub mod idempotency;
pub mod language;
pub mod methods;
pub mod negotiation;
pub mod peer;

pub use peer::origin;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A JSON body, deserialised strictly (unknown fields are a 400) and validated (422).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(req: &HttpRequest, also: &[&str]) -> bool {
    let Some(Ok(content_type)) = req.headers().get(header::CONTENT_TYPE).map(|v| v.to_str()) else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || also.contains(&essence.as_str())
}

fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    accepted: &'static [&'static str],
) -> LocalBoxFuture<'static, ApiResult<web::Bytes>> {
    let json = is_json(req, accepted);
    // The size limit is actix's `PayloadConfig`, which the app sets to MAX_BODY_BYTES.
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if !json {
            let mut expected = vec!["application/json"];
            expected.extend_from_slice(accepted);
            return Err(ApiError::unsupported_media_type(msg!(
                "body-media-type",
                expected = expected.join(" or ")
            )));
        }
        let bytes = bytes.await.map_err(|e| {
            if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large(msg!("body-too-large", limit = MAX_BODY_BYTES))
            } else {
                ApiError::bad_request(msg!("body-unreadable", reason = e.to_string()))
            }
        })?;
        if bytes.len() > MAX_BODY_BYTES {
            return Err(ApiError::payload_too_large(msg!(
                "body-too-large",
                limit = MAX_BODY_BYTES
            )));
        }
        Ok(bytes)
    })
}

impl<T: DeserializeOwned + Validate + PartialSchema + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, ApiResult<Self>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload, &[]);
        Box::pin(async move {
            let value: T = from_object(parse_json(&body.await?)?)?;
            value.validate()?;
            Ok(JsonBody(value))
        })
    }
}

/// A JSON value read as `serde_json::Value` reads it, except that an object naming a key
/// twice is refused: which of the two counts would be a guess, and a proxy or a firewall in
/// front of us may guess the other way.
struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(serde_json::Value::Object(object))
    }
}

/// Deserialises with the failing field's path: syntax errors, unknown fields and keys given
/// twice are 400, a missing field or a value of the wrong type is a 422 that names the field.
pub fn parse_json(bytes: &[u8]) -> ApiResult<serde_json::Value> {
    // PostgreSQL text cannot hold NUL: refuse it here rather than fail there.
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(ApiError::bad_request(msg!("body-nul")));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let Strict(value) = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        json_error(path, e.into_inner())
    })?;
    deserializer
        .end()
        .map_err(|e| ApiError::bad_request(msg!("json-malformed", reason = e.to_string())))?;
    Ok(value)
}

/// The same rules, for a JSON object already parsed: a body, or a merged JSON Merge Patch.
/// Anything but an object is a 400. A 422 names every faulty field at once, though serde stops
/// at the first: each faulty field is taken out and the rest read again, and the fields `T`
/// requires that are missing are read from its schema.
pub fn from_object<T: DeserializeOwned + PartialSchema>(value: serde_json::Value) -> ApiResult<T> {
    let serde_json::Value::Object(object) = value else {
        return Err(ApiError::bad_request(msg!("body-not-object")));
    };
    let mut rest = serde_json::Value::Object(object);
    let mut faults = Vec::new();
    // serde's own word on a missing field, in case the schema has nothing to add.
    let mut missing = None;
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(&rest) {
            Ok(value) if faults.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(error) => error,
        };
        let path = error.path().to_string();
        let fault = json_fault(&path, error.into_inner())?;
        if path == "." && fault.code == "required" {
            missing = Some(fault);
            break;
        }
        faults.push(fault);
        // `themes[2]` or `place.latitude`: the top-level field it belongs to goes.
        let key = path.split(['.', '[']).next().unwrap_or_default();
        let removed = match &mut rest {
            serde_json::Value::Object(map) => map.remove(key).is_some(),
            _ => false,
        };
        if !removed {
            break;
        }
    }
    let count = faults.len();
    // Built only on this path: the schema is assembled at each call.
    if let RefOr::T(Schema::Object(schema)) = T::schema() {
        let taken_out: Vec<String> = faults
            .iter()
            .map(|f| {
                f.field
                    .split(['.', '['])
                    .next()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        let present = |field: &str| match &rest {
            serde_json::Value::Object(map) => map.contains_key(field),
            _ => false,
        };
        faults.extend(
            schema
                .required
                .iter()
                .filter(|field| !present(field) && !taken_out.contains(field))
                .map(|field| FieldError::new(field, "required", msg!("required-not-null"))),
        );
    }
    if faults.len() == count
        && let Some(fault) = missing
        && !faults.iter().any(|f| f.field == fault.field)
    {
        faults.push(fault);
    }
    Err(ApiError::unprocessable(faults))
}

/// What serde found wrong with a field, or the 400 for what is not a field's fault (malformed
/// JSON, an unknown field).
fn json_fault(path: &str, error: serde_json::Error) -> ApiResult<FieldError> {
    use serde_json::error::Category;
    let message = error.to_string();
    // serde_json appends " at line L column C", which says nothing once the field is named.
    let message = match message.find(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    };
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => Err(ApiError::bad_request(msg!(
            "json-malformed",
            reason = error.to_string()
        ))),
        Category::Data if message.starts_with("duplicate field") => {
            let key = message.split('`').nth(1).unwrap_or_default().to_string();
            let at = if path == "." {
                key
            } else {
                format!("{path}.{key}")
            };
            Err(ApiError::bad_request(msg!("json-duplicate-key", key = at)))
        }
        Category::Data if message.starts_with("unknown field") => Err(ApiError::bad_request(msg!(
            "json-unknown-field",
            reason = message
        ))),
        Category::Data => Ok(match message.strip_prefix("missing field `") {
            Some(rest) => {
                let name = rest.trim_end_matches('`');
                let field = if path == "." {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                FieldError::new(
                    field,
                    "required",
                    msg!("json-missing-field", reason = message),
                )
            }
            None => FieldError::new(
                path,
                "invalid_type",
                msg!("json-invalid-type", reason = message),
            ),
        }),
    }
}

fn json_error(path: String, error: serde_json::Error) -> ApiError {
    match json_fault(&path, error) {
        Ok(fault) => ApiError::unprocessable(vec![fault]),
        Err(error) => error,
    }
}

/// A JSON Merge Patch (RFC 7386) document: always an object for our resources.
#[derive(Debug)]
pub struct MergePatch(pub serde_json::Map<String, serde_json::Value>);

impl FromRequest for MergePatch {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, ApiResult<Self>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload, &["application/merge-patch+json"]);
        Box::pin(async move {
            match parse_json(&body.await?)? {
                serde_json::Value::Object(map) => Ok(MergePatch(map)),
                _ => Err(ApiError::bad_request(msg!("merge-patch-not-object"))),
            }
        })
    }
}

impl MergePatch {
    /// Applies the patch to the writable form of `current` and returns the result as an input
    /// form, so that a patched item goes through exactly the validation of a created one.
    /// Fields the client may not write are refused by name (422), unknown ones are a 400.
    /// `None` when the patch changes nothing: the item is then left as it is, `updated_at`
    /// included, so that clients in sync are not sent a change that did not happen.
    pub fn apply<T: DeserializeOwned + Validate + PartialSchema>(
        self,
        current: &impl Serialize,
        read_only: &[&str],
    ) -> ApiResult<Option<T>> {
        let refused: Vec<FieldError> = self
            .0
            .keys()
            .filter(|key| read_only.contains(&key.as_str()))
            .map(|key| FieldError::new(key.as_str(), "read_only", msg!("read-only")))
            .collect();
        if !refused.is_empty() {
            return Err(ApiError::unprocessable(refused));
        }
        let mut target = serde_json::to_value(current)
            .map_err(|e| ApiError::internal(format!("serialising for a patch: {e}")))?;
        if let serde_json::Value::Object(map) = &mut target {
            map.retain(|key, _| !read_only.contains(&key.as_str()));
        }
        let before = target.clone();
        merge(&mut target, serde_json::Value::Object(self.0));
        if target == before {
            return Ok(None);
        }
        let input: T = from_object(target)?;
        input.validate()?;
        Ok(Some(input))
    }
}

/// RFC 7386, section 2.
fn merge(target: &mut serde_json::Value, patch: serde_json::Value) {
    match patch {
        serde_json::Value::Object(patch) => {
            if !target.is_object() {
                *target = serde_json::Value::Object(Default::default());
            }
            if let serde_json::Value::Object(map) = target {
                for (key, value) in patch {
                    if value.is_null() {
                        map.remove(&key);
                    } else {
                        merge(map.entry(key).or_insert(serde_json::Value::Null), value);
                    }
                }
            }
        }
        other => *target = other,
    }
}

/// A strong ETag: the SHA-256 of the representation the caller receives, the same across
/// releases of Rust and of relais, so that an `If-Match` stays valid after an upgrade.
pub fn etag_of(value: &impl Serialize) -> ApiResult<String> {
    Ok(Tagged::of(value)?.etag)
}

/// A representation serialised once, with its ETag: what is hashed is what is sent.
struct Tagged {
    body: Vec<u8>,
    etag: String,
    content_type: &'static str,
}

impl Tagged {
    fn of(value: &impl Serialize) -> ApiResult<Tagged> {
        let body = serde_json::to_vec(value)
            .map_err(|e| ApiError::internal(format!("serialising a representation: {e}")))?;
        Ok(Tagged::raw(body, "application/json"))
    }

    fn raw(body: Vec<u8>, content_type: &'static str) -> Tagged {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
        );
        Tagged {
            body,
            etag,
            content_type,
        }
    }

    /// The response, with its `ETag` and body.
    fn send(self, mut response: actix_web::HttpResponseBuilder) -> HttpResponse {
        response
            .insert_header((header::ETAG, self.etag))
            .content_type(self.content_type)
            .body(self.body)
    }
}

/// How `If-Match` (strong: a weak tag never matches, RFC 9110 §13.1.1) and `If-None-Match`
/// (weak, §13.1.2) compare tags.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Strong,
    Weak,
}

/// Whether a conditional header's `value` names `etag`.
fn header_matches(value: &str, etag: &str, comparison: Comparison) -> bool {
    value.split(',').map(str::trim).any(|candidate| {
        candidate == "*"
            || candidate == etag
            || (comparison == Comparison::Weak && candidate.strip_prefix("W/") == Some(etag))
    })
}

fn header_value(req: &HttpRequest, name: header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The preconditions of a write (`If-Match`, `If-None-Match`), taken out of the request so
/// that a transaction can check them against the item it locked.
#[derive(Debug, Clone)]
pub struct Preconditions {
    if_match: Option<String>,
    if_none_match: Option<String>,
}

impl Preconditions {
    pub fn of(req: &HttpRequest) -> Self {
        Preconditions {
            if_match: header_value(req, header::IF_MATCH),
            if_none_match: header_value(req, header::IF_NONE_MATCH),
        }
    }

    /// 412 when `If-Match` does not name the current ETag, or `If-None-Match` does (or is
    /// `*`: the item exists).
    pub fn check(&self, current: &impl Serialize) -> ApiResult<()> {
        let etag = etag_of(current)?;
        let stale = self
            .if_match
            .as_deref()
            .is_some_and(|value| !header_matches(value, &etag, Comparison::Strong));
        let unwanted = self
            .if_none_match
            .as_deref()
            .is_some_and(|value| header_matches(value, &etag, Comparison::Weak));
        if stale || unwanted {
            return Err(ApiError::precondition_failed());
        }
        Ok(())
    }
}

/// Whether the request's `If-None-Match` names `etag`: the client holds it already.
pub fn holds(req: &HttpRequest, etag: &str) -> bool {
    header_value(req, header::IF_NONE_MATCH)
        .is_some_and(|value| header_matches(&value, etag, Comparison::Weak))
}

/// Whether the request's `If-Range`, if any, names `etag` exactly, so that its `Range`
/// applies (RFC 9110 §13.1.5).
pub fn range_applies(req: &HttpRequest, etag: &str) -> bool {
    header_value(req, header::IF_RANGE).is_none_or(|value| value.trim() == etag)
}

/// An item with its ETag; `304 Not Modified` when `If-None-Match` already names it.
pub fn item_response(req: &HttpRequest, item: &impl Serialize) -> ApiResult<HttpResponse> {
    conditional(req, Tagged::of(item)?)
}

/// An item in another representation than JSON, as [`item_response`] sends it: its ETag is
/// that of these bytes.
pub fn item_response_as(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
) -> ApiResult<HttpResponse> {
    conditional(req, Tagged::raw(body, content_type))
}

/// `200`, or `304` and `412` as the request's conditions say.
fn conditional(req: &HttpRequest, tagged: Tagged) -> ApiResult<HttpResponse> {
    // A read that asks for another version than the current one (RFC 9110 §13.1.1).
    if header_value(req, header::IF_MATCH)
        .is_some_and(|value| !header_matches(&value, &tagged.etag, Comparison::Strong))
    {
        return Err(ApiError::precondition_failed());
    }
    let if_none_match = header_value(req, header::IF_NONE_MATCH);
    if if_none_match.is_some_and(|value| header_matches(&value, &tagged.etag, Comparison::Weak)) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tagged.etag))
            .finish());
    }
    Ok(tagged.send(HttpResponse::Ok()))
}

/// `201 Created` with `Location` and `ETag`.
pub fn created_response(location: &str, item: &impl Serialize) -> ApiResult<HttpResponse> {
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, location.to_string()));
    Ok(Tagged::of(item)?.send(response))
}

/// `200 OK` after a change, with the new `ETag`.
pub fn updated_response(item: &impl Serialize) -> ApiResult<HttpResponse> {
    Ok(Tagged::of(item)?.send(HttpResponse::Ok()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_etag_is_the_sha256_of_the_json_sent() {
        // SHA-256 of `{"titre":"Mares"}` in URL-safe base64: fixed by the algorithm, not by
        // the compiler.
        assert_eq!(
            super::etag_of(&serde_json::json!({"titre": "Mares"})).expect("an ETag"),
            "\"FjYFyrh5i0WaoPl3ht8_GoZ0C5NArHlEjpvZRepqKF4\""
        );
    }
}
