//! What the router does not say by itself: `HEAD` answers as `GET` does, without the body,
//! and a path that exists for other methods answers `405` with `Allow` rather than `404`.
//! Which methods a path takes is read from the OpenAPI document, so it cannot drift.

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;

use crate::error::{ApiError, ApiResult};

/// Every documented path, with the `Allow` value of its methods.
pub struct Methods(Vec<(ResourceDef, String)>);

impl Methods {
    pub fn of(api: &OpenApi) -> Methods {
        let paths = api.paths.paths.iter().map(|(path, item)| {
            let methods = [
                ("GET", item.get.is_some()),
                ("HEAD", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            let allow: Vec<&str> = methods
                .iter()
                .filter(|(_, documented)| *documented)
                .map(|(method, _)| *method)
                .collect();
            (ResourceDef::new(path.as_str()), allow.join(", "))
        });
        Methods(paths.collect())
    }

    /// The `Allow` value of the documented path `path` matches, if any.
    fn allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(pattern, _)| pattern.is_match(path))
            .map(|(_, allow)| allow.as_str())
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
