//! What the router does not say by itself: `HEAD` answers as `GET` does, without the body,
//! and a path that exists for other methods answers `405` with `Allow` rather than `404`.
//! Which methods a path takes is read from the OpenAPI document, so it cannot drift.

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::ParameterIn;

use crate::error::{ApiError, ApiResult};

/// A documented path: the `Allow` value of its methods, and the request headers its
/// operations read (what a CORS preflight may ask for).
pub struct Route {
    pattern: ResourceDef,
    pub allow: String,
    /// Lowercase, comma-separated; `authorization` when an operation takes a token.
    pub headers: String,
}

/// Every documented path.
pub struct Methods(Vec<Route>);

impl Methods {
    pub fn of(api: &OpenApi) -> Methods {
        let paths = api.paths.paths.iter().map(|(path, item)| {
            let operations = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            let mut allow = Vec::new();
            let mut headers = vec!["accept", "accept-language"];
            for (method, operation) in operations {
                let Some(operation) = operation else {
                    continue;
                };
                allow.push(method);
                if method == "GET" {
                    allow.push("HEAD");
                    headers.push("if-none-match");
                }
                if operation.request_body.is_some() {
                    headers.push("content-type");
                }
                let bearer = operation.security.iter().flatten().any(|requirement| {
                    serde_json::to_value(requirement)
                        .is_ok_and(|value| value.get("bearer").is_some())
                });
                if bearer {
                    headers.push("authorization");
                }
                for parameter in operation.parameters.iter().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    if parameter.parameter_in == ParameterIn::Header {
                        match parameter.name.to_ascii_lowercase().as_str() {
                            "if-match" => headers.push("if-match"),
                            "range" => headers.extend(["range", "if-range"]),
                            "content-disposition" => headers.push("content-disposition"),
                            "idempotency-key" => headers.push("idempotency-key"),
                            _ => {}
                        }
                    }
                }
            }
            headers.sort_unstable();
            headers.dedup();
            Route {
                pattern: ResourceDef::new(path.as_str()),
                allow: allow.join(", "),
                headers: headers.join(", "),
            }
        });
        Methods(paths.collect())
    }

    /// The documented path `path` matches, if any.
    pub fn route(&self, path: &str) -> Option<&Route> {
        self.0.iter().find(|route| route.pattern.is_match(path))
    }

    /// The `Allow` value of the documented path `path` matches, if any.
    fn allowed(&self, path: &str) -> Option<&str> {
        self.route(path).map(|route| route.allow.as_str())
    }

    /// What a request no route took gets: `405` where the path exists, `404` elsewhere.
    pub fn unrouted(&self, req: &HttpRequest) -> ApiResult<HttpResponse> {
        Err(match self.allowed(req.path()) {
            Some(allow) => ApiError::method_not_allowed(req.method().as_str(), allow),
            None => ApiError::not_found(),
        })
    }
}

/// `HEAD` is routed as `GET`. The HTTP/1 codec remembers the request was a `HEAD` and sends
/// the headers only (with the `Content-Length` of the body a `GET` gets).
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::OpenApiBuilder;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};

    #[test]
    fn a_documented_path_lists_its_methods_and_head_with_get() {
        let api = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path(
                        "/api/v1/themes/{key}",
                        PathItem::new(HttpMethod::Get, OperationBuilder::new()),
                    )
                    .path(
                        "/api/v1/themes",
                        PathItem::new(HttpMethod::Post, OperationBuilder::new()),
                    ),
            )
            .build();
        let methods = Methods::of(&api);
        assert_eq!(
            methods.allowed("/api/v1/themes/zones-humides"),
            Some("GET, HEAD")
        );
        assert_eq!(methods.allowed("/api/v1/themes"), Some("POST"));
        assert_eq!(methods.allowed("/api/v1/themes/a/b"), None);
        assert_eq!(methods.allowed("/nowhere"), None);
    }
}
