//! Problems in the reader's language: `Accept-Language` picks English or French for a
//! problem's `title`, `detail` and field messages, and `Content-Language` says which. Every
//! problem is written in English first ([`ApiError`]'s `error_response`); this middleware,
//! outside the others, writes it again for a French reader, from the error the response still
//! carries, so an error raised in any layer is translated.

use actix_web::HttpRequest;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptLanguage, Header, HeaderValue, Preference, Quality};
use actix_web::middleware::Next;

use crate::error::ApiError;
use crate::i18n::Language;

/// The reader's language, from a ranked `Accept-Language` (RFC 9110 §12.5.4).
fn reader_language(req: &HttpRequest) -> Language {
    let Ok(AcceptLanguage(mut accepted)) = AcceptLanguage::parse(req) else {
        return Language::English;
    };
    // `q=0` is a refusal, which `ranked` would still list.
    accepted.retain(|item| item.quality > Quality::ZERO);
    let ranked = AcceptLanguage(accepted).ranked();
    Language::preferred(ranked.iter().map(|preference| match preference {
        Preference::Any => None,
        Preference::Specific(tag) => Some(tag.primary_language()),
    }))
}

/// Middleware: a French reader's problems in French. Only problems read the header, so an
/// answer that is not one costs nothing here.
pub async fn in_reader_language(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    // Our layers answer their errors (`req.error_response`) rather than return them, so the
    // error is still on the response here.
    let response = next.call(req).await?.map_into_left_body();
    let Some(error) = response
        .response()
        .error()
        .and_then(|error| error.as_error::<ApiError>())
    else {
        return Ok(response);
    };
    let language = reader_language(response.request());
    if language == Language::English {
        return Ok(response);
    }
    let problem = error.body(language);
    Ok(response.map_body(|head, _| {
        head.headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(language.tag()),
        );
        EitherBody::right(BoxBody::new(problem))
    }))
}
