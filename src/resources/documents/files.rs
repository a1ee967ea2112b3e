//! The file a document carries: uploaded whole by `PUT` (its type read from its first bytes,
//! never from its name or declared type), served with its SHA-256 as `ETag` and single
//! ranges, to whoever may see the document. See [`crate::storage`] for why a failed or
//! concurrent upload never shows.

use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue, Range,
};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, delete, get, put, web};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use object_store::buffered::BufWriter;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;
use uuid::Uuid;

use super::api::Documents;
use super::model::Document;
use crate::auth::{Caller, Member};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{holds, range_applies, updated_response};
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::resources::audit::{self, Action};
use crate::resources::{Resource, crud};
use crate::state::AppState;

/// The types accepted, as their magic bytes tell them (the `infer` crate's names).
const ACCEPTED: &[&str] = &[
    "application/pdf",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "image/png",
    "image/jpeg",
    "image/webp",
];

/// The spec's answers of `GET /documents/{key}/file` name each type a file may have, where
/// the annotations can only say one.
pub fn document_types(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    let Some(get) = api
        .paths
        .paths
        .get_mut("/api/v1/documents/{key}/file")
        .and_then(|item| item.get.as_mut())
    else {
        return;
    };
    for status in ["200", "206"] {
        if let Some(RefOr::T(response)) = get.responses.responses.get_mut(status)
            && let Some(content) = response.content.shift_remove("application/octet-stream")
        {
            for media in ACCEPTED.iter().chain(&["text/plain", "text/csv"]) {
                response.content.insert(media.to_string(), content.clone());
            }
        }
    }
}

/// How much of the start of a file its type is read from: Office Open XML names its parts
/// in the zip's first entries.
const SNIFFED_BYTES: usize = 64 * 1024;

/// A file's bytes.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary, min_length = 1)]
#[allow(dead_code)]
pub struct FileContent(Vec<u8>);

/// Checks, chunk after chunk, that a file is text: UTF-8 without control characters other
/// than tabs, line and page breaks (plain text and CSV have no magic bytes).
#[derive(Default)]
struct TextCheck {
    /// The start of a character cut by the end of the last chunk.
    carry: Vec<u8>,
}

impl TextCheck {
    fn feed(&mut self, bytes: &[u8]) -> bool {
        let mut buffer = std::mem::take(&mut self.carry);
        buffer.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&buffer) {
            Ok(text) => text,
            Err(e) if e.error_len().is_none() => {
                self.carry = buffer[e.valid_up_to()..].to_vec();
                // Checked just above: the bytes up to there are UTF-8.
                std::str::from_utf8(&buffer[..e.valid_up_to()]).unwrap_or_default()
            }
            Err(_) => return false,
        };
        !valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    }

    fn finish(&self) -> bool {
        self.carry.is_empty()
    }
}

/// What the start of a file says it is; plain text and CSV, which have no magic bytes, are
/// told apart by what the client declared.
fn sniff(head: &[u8], declared: &str) -> ApiResult<&'static str> {
    if let Some(kind) = infer::get(head) {
        return ACCEPTED
            .iter()
            .find(|accepted| **accepted == kind.mime_type())
            .copied()
            .ok_or_else(|| refused_type(Some(kind.mime_type())));
    }
    if TextCheck::default().feed(head) {
        return Ok(match declared {
            "text/csv" => "text/csv",
            _ => "text/plain",
        });
    }
    Err(refused_type(None))
}

fn refused_type(found: Option<&str>) -> ApiError {
    ApiError::unsupported_media_type(match found {
        Some(found) => msg!("file-type", found = found.to_string()),
        None => msg!("file-type-unknown"),
    })
}

/// The file's name: `filename*` or `filename` of the request's `Content-Disposition`, without
/// any folder, or else the document's slug with the type's extension.
fn file_name(req: &HttpRequest, document: &Document, media_type: &str) -> String {
    let given = req
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|value| ContentDisposition::from_raw(value).ok())
        .and_then(|disposition| {
            let extended = disposition
                .get_filename_ext()
                .and_then(|ext| String::from_utf8(ext.value.clone()).ok());
            extended.or_else(|| disposition.get_filename().map(str::to_string))
        })
        .map(|name| {
            let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
            base.chars()
                .filter(|c| !c.is_control())
                .take(200)
                .collect::<String>()
        })
        .filter(|name| !name.trim().is_empty());
    given.unwrap_or_else(|| {
        let extension = match media_type {
            "application/pdf" => "pdf",
            "application/vnd.oasis.opendocument.text" => "odt",
            "application/vnd.oasis.opendocument.spreadsheet" => "ods",
            "application/vnd.oasis.opendocument.presentation" => "odp",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/webp" => "webp",
            "text/csv" => "csv",
            _ => "txt",
        };
        format!("{}.{extension}", document.slug)
    })
}

/// What an upload wrote.
struct Uploaded {
    size: u64,
    sha256: String,
    media_type: &'static str,
}

/// Streams the body into `writer`, hashing and checking it on the way; the caller aborts the
/// writer on an error.
async fn transfer(
    payload: &mut web::Payload,
    writer: &mut BufWriter,
    max_bytes: u64,
    declared: &str,
) -> ApiResult<Uploaded> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::new();
    let mut media_type = None;
    let mut text = TextCheck::default();
    // Whether all read so far is text: what plain text and CSV must be from end to end.
    let mut is_text = true;
    let too_large = || ApiError::payload_too_large(msg!("file-too-large", max = max_bytes));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(msg!("file-unreadable", reason = e.to_string())))?;
        size += chunk.len() as u64;
        if size > max_bytes {
            return Err(too_large());
        }
        hasher.update(&chunk);
        if media_type.is_none() {
            let room = SNIFFED_BYTES - head.len();
            head.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if head.len() == SNIFFED_BYTES {
                media_type = Some(sniff(&head, declared)?);
            }
        }
        if is_text && media_type.is_none_or(|t| t.starts_with("text/")) {
            is_text = text.feed(&chunk);
        }
        if media_type.is_some_and(|t| t.starts_with("text/")) && !is_text {
            return Err(refused_type(None));
        }
        writer
            .put(chunk)
            .await
            .map_err(|e| ApiError::unavailable(msg!("file-store", reason = e.to_string())))?;
    }
    if size == 0 {
        return Err(ApiError::bad_request(msg!("file-empty")));
    }
    let media_type = match media_type {
        Some(media_type) => media_type,
        None => sniff(&head, declared)?,
    };
    if media_type.starts_with("text/") && !(is_text && text.finish()) {
        return Err(refused_type(None));
    }
    Ok(Uploaded {
        size,
        sha256: format!("{:x}", hasher.finalize()),
        media_type,
    })
}

#[derive(QueryableByName)]
struct StoredFile {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    file_key: Option<String>,
}

/// The storage key of the document's file.
async fn stored_key(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Option<String>> {
    let mut sql = Sql::from("SELECT file_key FROM documents WHERE id = ");
    sql.bind(Bind::Uuid(id));
    Ok(sql.get_result::<StoredFile>(conn).await?.file_key)
}

/// Names `key` (or nothing) as the document's file, under the row lock, with its audit entry;
/// returns the document after and the key it replaced.
async fn replace_file(
    state: &AppState,
    caller: &Caller,
    key: &str,
    file: Option<(&str, &str, &Uploaded)>,
) -> ApiResult<(Document, Option<String>)> {
    let mut conn = state.conn().await?;
    conn.transaction(async |c| {
        audit::begin(c, caller).await?;
        let current = crud::find_for_update::<Documents>(c, caller, key, &[]).await?;
        Documents::may_change(caller, &current)?;
        let previous = stored_key(c, current.id).await?;
        let mut sql = Sql::from("UPDATE documents SET updated_at = now(), ");
        match file {
            Some((file_key, name, uploaded)) => {
                sql.push("file_key = ")
                    .bind(Bind::Text(file_key.to_string()))
                    .push(", file_name = ")
                    .bind(Bind::Text(name.to_string()))
                    .push(", file_media_type = ")
                    .bind(Bind::Text(uploaded.media_type.to_string()))
                    .push(", file_size = ")
                    .bind(Bind::Int(uploaded.size as i64))
                    .push(", file_sha256 = ")
                    .bind(Bind::Text(uploaded.sha256.clone()))
                    .push(", file_uploaded_at = now()");
            }
            None => {
                sql.push(
                    "file_key = NULL, file_name = NULL, file_media_type = NULL, \
                     file_size = NULL, file_sha256 = NULL, file_uploaded_at = NULL",
                );
            }
        }
        sql.push(" WHERE id = ").bind(Bind::Uuid(current.id));
        sql.execute(c).await?;
        let after = crud::find::<Documents>(c, caller, &current.id.to_string(), Vec::new()).await?;
        let action = match file {
            Some(_) => Action::Upload,
            None => Action::RemoveFile,
        };
        audit::record(
            c,
            "documents",
            current.id,
            action,
            Some(&current),
            Some(&after),
        )
        .await?;
        Ok::<_, ApiError>((after, previous))
    })
    .await
}

/// The errors of an upload.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum UploadErrors {
    /// An empty file, or a body cut short.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Not one of the document's authors.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such document, or hidden from the caller.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The document is published, and its authors no longer change it (`not-editable`).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// Larger than the limit (`RELAIS_FILE_MAX_BYTES`, 50 MiB by default).
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// The content is of a type not accepted.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
}

/// Attach a file to a document, replacing any previous one.
///
/// The body is the file itself. Its type is read from its content (PDF, OpenDocument, Office
/// Open XML, PNG, JPEG, WebP; otherwise UTF-8 text, `text/csv` when declared so and else
/// `text/plain`); its name from `Content-Disposition` (`filename*` or `filename`), or else the
/// document's slug. Administrators attach files to any document, its authors to their
/// contribution until it is published. The previous file stays in place until the new one
/// is stored whole.
#[utoipa::path(tag = "documents", operation_id = "upload_document_file", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"),
           ("Content-Disposition" = Option<String>, Header, description = "`attachment; filename*=UTF-8''compte-rendu.pdf`: the file's name")),
    request_body(content = FileContent, content_type = "application/octet-stream", description = "The file"),
    responses((status = 200, description = "The document with its file", body = Document, headers(("ETag" = String))), UploadErrors))]
#[put("/documents/{key}/file")]
pub async fn upload_document_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let caller = member.0;
    let max_bytes = state.files.max_bytes;
    let declared_size = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let document = {
        let mut conn = state.conn().await?;
        crud::find::<Documents>(&mut conn, &caller, &key, Vec::new()).await?
    };
    Documents::may_change(&caller, &document)?;
    if declared_size.is_some_and(|size| size > max_bytes) {
        return Err(ApiError::payload_too_large(msg!(
            "file-too-large",
            max = max_bytes
        )));
    }
    let declared = req.content_type().to_ascii_lowercase();
    let file_key = format!("documents/{}/{}", document.id, Uuid::new_v4());
    let mut writer = state.files.writer(&file_key);
    let uploaded = match transfer(&mut payload, &mut writer, max_bytes, &declared).await {
        Ok(uploaded) => uploaded,
        Err(e) => {
            if let Err(abort) = writer.abort().await {
                log::warn!("aborting the upload {file_key}: {abort}");
            }
            return Err(e);
        }
    };
    writer
        .shutdown()
        .await
        .map_err(|e| ApiError::unavailable(msg!("file-store", reason = e.to_string())))?;
    let name = file_name(&req, &document, uploaded.media_type);
    let replaced = replace_file(
        &state,
        &caller,
        &document.id.to_string(),
        Some((&file_key, &name, &uploaded)),
    )
    .await;
    match replaced {
        Ok((after, previous)) => {
            if let Some(previous) = previous {
                state.files.remove(&previous).await;
            }
            updated_response(&after)
        }
        Err(e) => {
            state.files.remove(&file_key).await;
            Err(e)
        }
    }
}

/// Remove a document's file (its authors until it is published, administrators always).
#[utoipa::path(tag = "documents", operation_id = "delete_document_file", security(("bearer" = [])),
    extensions(("x-roles" = json!(["member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug")),
    responses((status = 204, description = "Removed"), UploadErrors))]
#[delete("/documents/{key}/file")]
pub async fn delete_document_file(
    state: web::Data<AppState>,
    member: Member,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (_, previous) = replace_file(&state, &member.0, &key, None).await?;
    let Some(previous) = previous else {
        return Err(ApiError::not_found());
    };
    state.files.remove(&previous).await;
    Ok(HttpResponse::NoContent().finish())
}

/// The errors of a download.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
enum DownloadErrors {
    /// Invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// No such document, hidden from the caller, or without a file.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The range asked for starts past the end; `Content-Range` gives the size.
    #[response(status = 416, content_type = "application/problem+json")]
    RangeNotSatisfiable(Problem),
}

/// Download a document's file, to whoever may see the document.
///
/// `ETag` is the file's SHA-256; `If-None-Match` gives `304`. A single `Range` of bytes
/// gives `206` (`If-Range` with the ETag keeps it conditional); several ranges are answered
/// whole.
#[utoipa::path(tag = "documents", operation_id = "get_document_file", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"),
           ("Range" = Option<String>, Header, description = "`bytes=0-1023`: one range of bytes")),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = FileContent,
         headers(("ETag" = String), ("Content-Disposition" = String), ("Accept-Ranges" = String))),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream", body = FileContent,
         headers(("Content-Range" = String), ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        DownloadErrors,
    ))]
#[get("/documents/{key}/file")]
pub async fn get_document_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (document, file_key) = {
        let mut conn = state.conn().await?;
        let document = crud::find::<Documents>(&mut conn, &caller, &key, Vec::new()).await?;
        let file_key = stored_key(&mut conn, document.id).await?;
        (document, file_key)
    };
    let (Some(file), Some(file_key)) = (&document.file, file_key) else {
        return Err(ApiError::not_found());
    };
    let text = |name: &str| file[name].as_str().unwrap_or_default().to_string();
    let size = file["size"].as_u64().unwrap_or_default();
    let etag = format!("\"{}\"", text("sha256"));
    if holds(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let range = match req.get_header::<Range>() {
        Some(Range::Bytes(specs)) if specs.len() == 1 && range_applies(&req, &etag) => Some(
            specs[0]
                .to_satisfiable_range(size)
                .ok_or_else(|| ApiError::range_not_satisfiable(size))?,
        ),
        _ => None,
    };
    let body = state
        .files
        .read(&file_key, range.map(|(first, last)| first..last + 1))
        .await?;
    let name = text("name");
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(
                name.chars()
                    .map(|c| if c.is_ascii() { c } else { '_' })
                    .collect(),
            ),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_string()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    let mut response = match range {
        Some((first, last)) => {
            let mut partial = HttpResponse::PartialContent();
            partial.insert_header((
                header::CONTENT_RANGE,
                format!("bytes {first}-{last}/{size}"),
            ));
            partial
        }
        None => HttpResponse::Ok(),
    };
    let length = range.map_or(size, |(first, last)| last - first + 1);
    Ok(response
        .content_type(text("media_type"))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(disposition)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        // Bytes as stored: compressing them would break ranges and the ETag.
        .insert_header(header::ContentEncoding::Identity)
        .no_chunking(length)
        .streaming(body))
}
