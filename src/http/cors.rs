//! Cross-origin calls: partner sites read public lists from their own pages; only the origins
//! of `RELAIS_CORS_ORIGINS` make authenticated calls.
//!
//! Written here rather than with `actix-cors` (0.7), which answers one list of methods for
//! every path and either `*` or the echoed origin for every request: relais answers each
//! preflight with the methods and headers of its route (read from the OpenAPI document, as
//! `Allow` is), `*` to every request without a token (so that a shared cache may serve one
//! answer to every site, with no `Vary: Origin`), and the echoed origin, with credentials,
//! only to a listed origin's authenticated calls. Credentials never go with `*`.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use super::methods::Methods;
use crate::state::AppState;

/// How long a browser keeps a preflight's answer (Chromium keeps at most 2 hours).
const MAX_AGE_SECONDS: &str = "7200";
/// What a page of another origin may read of a response besides the simple headers.
const EXPOSED: &str = "ETag, Link, Location, Content-Disposition, Content-Range, \
                       Accept-Ranges, Content-Language, Retry-After, WWW-Authenticate, X-Request-Id";

/// Whose call it is, for CORS.
enum Party {
    /// No token: public reads, open to every origin.
    Anyone,
    /// A token from a listed origin.
    Listed(HeaderValue),
    /// A token from another origin, or none said: no CORS answer.
    Refused,
}

fn party(req: &ServiceRequest, origins: &[String], authenticated: bool) -> Party {
    let origin = req.headers().get(header::ORIGIN);
    let listed = origin.filter(|origin| {
        origin
            .to_str()
            .is_ok_and(|origin| origins.iter().any(|o| o.eq_ignore_ascii_case(origin)))
    });
    match (authenticated, listed) {
        (false, _) => Party::Anyone,
        (true, Some(origin)) => Party::Listed(origin.clone()),
        (true, None) => Party::Refused,
    }
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers.insert(name, HeaderValue::from_static(value));
}

/// The origin headers of an answer to `party`.
fn allow_origin(headers: &mut HeaderMap, party: &Party) {
    match party {
        Party::Anyone => set(headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        Party::Listed(origin) => {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            set(headers, header::ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        Party::Refused => {}
    }
}

/// Middleware: answers preflights, and adds the CORS headers to every other answer.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The state is shared, not its list copied: this runs on every request.
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let origins = state
        .as_deref()
        .map_or(&[][..], |state| &state.sharing.cors_origins);
    let preflight = req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let route = req
            .app_data::<web::Data<Methods>>()
            .and_then(|methods| methods.route(req.path()))
            .map(|route| (route.allow.clone(), route.headers.clone()));
        if let Some((allow, headers)) = route {
            let asks_token = req
                .headers()
                .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    v.split(',')
                        .any(|h| h.trim().eq_ignore_ascii_case("authorization"))
                });
            let party = party(&req, origins, asks_token);
            let mut response = HttpResponse::NoContent().finish();
            let out = response.headers_mut();
            allow_origin(out, &party);
            let headers = match party {
                Party::Listed(_) => headers,
                // Without a listed origin, no token: the preflight leaves `authorization` out.
                _ => headers
                    .split(", ")
                    .filter(|h| *h != "authorization")
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            if let Ok(allow) = HeaderValue::from_str(&allow) {
                out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow);
            }
            if let Ok(headers) = HeaderValue::from_str(&headers) {
                out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, headers);
            }
            set(out, header::ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
            set(
                out,
                header::VARY,
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            );
            set(out, header::CACHE_CONTROL, "no-store");
            return Ok(req.into_response(response));
        }
    }
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let party = party(&req, origins, authenticated);
    let mut response = next.call(req).await?.map_into_boxed_body();
    let out = response.headers_mut();
    allow_origin(out, &party);
    if !matches!(party, Party::Refused) {
        set(out, header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
    }
    if authenticated {
        // Which origin is named depends on the request's.
        out.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response)
}
