//! The OpenAPI document: generated from the handlers' annotations, served at `/openapi.json`,
//! committed as `openapi/openapi.json` and checked for drift by the tests.

use std::sync::LazyLock;

use actix_web::http::header::ContentType;
use actix_web::{App, HttpResponse, web};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};
use utoipa_swagger_ui::SwaggerUi;

mod rules;

use crate::error::{ApiError, ApiResult};
use crate::health;
use crate::http::methods::Methods;
use crate::patterns::Whitelists;
use crate::resources::actors::api::Actors;
use crate::resources::centres::api::Centres;
use crate::resources::documents::api::Documents;
use crate::resources::events::api::Events;
use crate::resources::relation::Relation;
use crate::resources::sessions::api::Sessions;
use crate::resources::shape;
use crate::resources::themes::api::Themes;
use crate::resources::trainings::api::Trainings;
use crate::resources::{
    Resource, accounts, actors, audit, centres, changes, contributions, documents, events,
    registrations, search, sessions, territories, themes, trainings, trash, users, webhooks,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "relais",
        description = "The JSON API of resource centres (centres de ressources): their network of \
actors, their events, trainings and documents, and the shared theme taxonomy.\n\n\
Requests without a token are `public`; a bearer JWT (from `POST /api/v1/auth/token`) carries \
the role `member` or `admin`. Each operation lists the roles that may call it in `x-roles`. \
Errors are `application/problem+json` (RFC 9457). Their `title`, `detail` and field \
`message`s are in English, or in French with `Accept-Language: fr`; `Content-Language` says \
which, and `type` and each field's `code` are the same in both.",
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerAuth),
    tags(
        (name = "centres", description = "Resource centres"),
        (name = "actors", description = "People and organisations of the network"),
        (name = "events", description = "Journées techniques, rencontres, groupes de travail…"),
        (name = "trainings", description = "Formations, webinaires, e-learning and their dated sessions"),
        (name = "registrations", description = "Places at events and training sessions, waitlists, attendance, a member's calendar"),
        (name = "documents", description = "Guides, notes techniques, retours d'expérience…"),
        (name = "contributions", description = "What members write and propose, and its moderation"),
        (name = "themes", description = "The shared, hierarchical taxonomy"),
        (name = "search", description = "One French full-text search across every type"),
        (name = "territories", description = "INSEE regions and departments, for `territory=`"),
        (name = "changes", description = "Deletions, for integrators that keep a mirror in sync"),
        (name = "auth", description = "Tokens and the caller's account"),
        (name = "users", description = "Accounts, managed by administrators"),
        (name = "audit", description = "The trail of every write: who, what, when, which fields"),
        (name = "trash", description = "Deleted items, until they are restored or purged"),
        (name = "webhooks", description = "Endpoints told of every change to a public item, signed (Standard Webhooks)"),
        (name = "health", description = "Liveness and readiness"),
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldProblem,
        crate::resources::audit::Action,
        // Query values with schemas of their own, which parameters do not collect.
        crate::query::DateBound,
        crate::query::geo::Territories,
        crate::query::geo::Point,
        crate::query::geo::BoundingBox
    )),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Every operation. Only handlers registered here with `.service` reach the document.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(
            scope::scope(API)
                .service(under(&["centres"]).configure(centres::api::routes))
                .service(under(&["actors"]).configure(actors::api::routes))
                .service(
                    under(&["events", "trainings"])
                        .configure(events::api::routes)
                        .configure(trainings::api::routes)
                        .configure(sessions::api::routes)
                        .configure(registrations::api::routes),
                )
                .configure(registrations::me::routes)
                .service(under(&["documents"]).configure(documents::routes))
                .configure(contributions::api::routes)
                .service(under(&["themes"]).configure(themes::api::routes))
                .configure(changes::routes)
                .configure(search::routes)
                .configure(territories::routes)
                .configure(accounts::api::routes)
                .service(under(&["users"]).configure(users::api::routes))
                .configure(audit::api::routes)
                .service(under(&["trash"]).configure(trash::api::routes))
                .service(under(&["webhooks"]).configure(webhooks::api::routes)),
        );
}

const API: &str = "/api/v1";

/// The routes of paths whose first segment under [`API`] is one of `segments` (`events`,
/// `events/…` or `events.ics`), as a scope that adds nothing to their paths. actix tries the
/// routes in order, matching each pattern with parameters as a regular expression; this
/// scope's check of the first segment lets a request skip every pattern of other resources
/// (an item read matched some thirty, an eighth of its instructions).
fn under(
    segments: &'static [&'static str],
) -> scope::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    scope::scope("").guard(actix_web::guard::fn_guard(move |ctx| {
        let path = ctx.head().uri.path();
        let first = path
            .strip_prefix(API)
            .and_then(|rest| rest.strip_prefix('/'))
            .map(|rest| rest.split('/').next().unwrap_or(rest))
            .unwrap_or_default();
        // As the router reads it: `%64ocuments` is `documents` (borrowed when nothing is encoded).
        let first = percent_encoding::percent_decode_str(first).decode_utf8_lossy();
        segments.iter().any(|segment| {
            first
                .strip_prefix(segment)
                .is_some_and(|tail| tail.is_empty() || tail.starts_with('.'))
        })
    }))
}

/// What the annotations cannot say: each item's `included`, from the relations that fill it.
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    included(&mut api);
    Whitelists::of(&users::model::USERS, "User").document(&mut api);
    Whitelists::of(&changes::DELETIONS, "Deletion").document(&mut api);
    Whitelists::of(&registrations::model::REGISTRATIONS, "Registration").document(&mut api);
    Whitelists::of(&audit::model::AUDIT, "AuditEntry").document(&mut api);
    Whitelists::of(&trash::model::TRASH, "TrashEntry").document(&mut api);
    Whitelists::of(&webhooks::model::WEBHOOKS, "Webhook").document(&mut api);
    Whitelists::of(&webhooks::model::DELIVERIES, "Delivery").document(&mut api);
    Whitelists::of(&contributions::model::CONTRIBUTIONS, "Contribution").document(&mut api);
    documents::files::document_types(&mut api);
    patch_schemas(&mut api);
    idempotency_keys(&mut api);
    page_items(&mut api);
    prune_schemas(&mut api);
    rules::state(&mut api);
    api
}

/// Every `POST` takes an `Idempotency-Key` ([`crate::http::idempotency`]): the header, and the
/// answers it adds where the operation does not have them already.
fn idempotency_keys(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::Required;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    for (path, item) in api.paths.paths.iter_mut() {
        let Some(post) = item.post.as_mut() else {
            continue;
        };
        if !crate::http::idempotency::applies_to(path) {
            continue;
        }
        let key = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe: the same key with the same request, within 24 hours, gets \
                 the first answer again (`Idempotent-Replayed: true`) and changes nothing; \
                 with another request it is a `422`.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build();
        post.parameters
            .get_or_insert_with(Vec::new)
            .push(key.into());
        let answers = [
            ("400", "A malformed Idempotency-Key."),
            (
                "409",
                "The first request with this Idempotency-Key has not answered yet (`Retry-After`).",
            ),
            ("422", "This Idempotency-Key was used with another request."),
        ];
        for (status, description) in answers {
            match post.responses.responses.get_mut(status) {
                Some(RefOr::T(response)) => {
                    response.description = format!("{} Or: {description}", response.description);
                }
                Some(RefOr::Ref(_)) => {}
                None => {
                    let answer = rules::problem(description).into();
                    post.responses.responses.insert(status.to_string(), answer);
                }
            }
        }
    }
}

/// A page's `data` names its item's schema rather than repeating it without `included`:
/// generated clients then share one type for an item, listed or read.
fn page_items(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::ArrayItems;
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let pages: Vec<(String, String)> = components
        .schemas
        .keys()
        .filter_map(|name| {
            let item = name.strip_prefix("Page_")?;
            components
                .schemas
                .contains_key(item)
                .then(|| (name.clone(), item.to_string()))
        })
        .collect();
    for (page, item) in pages {
        if let Some(RefOr::T(Schema::Object(page))) = components.schemas.get_mut(&page)
            && let Some(RefOr::T(Schema::Array(data))) = page.properties.get_mut("data")
        {
            data.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(item).into()));
        }
    }
}

/// Drops the schemas nothing refers to (an input only its patch schema stands for), and
/// the patch descriptions' mention of them.
fn prune_schemas(api: &mut utoipa::openapi::OpenApi) {
    loop {
        let text = serde_json::to_string(&*api).unwrap_or_default();
        let Some(components) = api.components.as_mut() else {
            return;
        };
        let unused: Vec<String> = components
            .schemas
            .keys()
            .filter(|name| !text.contains(&format!("\"#/components/schemas/{name}\"")))
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        for name in unused {
            components.schemas.remove(&name);
            for schema in components.schemas.values_mut() {
                if let RefOr::T(Schema::Object(object)) = schema
                    && let Some(description) = &mut object.description
                {
                    *description = description
                        .replace(&format!(" of {name}:"), ":")
                        .replace(&format!("a valid {name}."), "valid as a whole.");
                }
            }
        }
    }
}

/// A JSON Merge Patch holds only the fields to change, while the schema a PATCH handler
/// validates the merged result against requires some: each PATCH body gets a schema of its own
/// (`ThemeInput` → `ThemePatch`), that one with no field required.
fn patch_schemas(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Ref, RefOr, Schema};
    const PREFIX: &str = "#/components/schemas/";
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for item in api.paths.paths.values_mut() {
        let Some(RefOr::T(body)) = item
            .patch
            .as_mut()
            .and_then(|operation| operation.request_body.as_mut())
        else {
            continue;
        };
        for content in body.content.values_mut() {
            let RefOr::T(content) = content else {
                continue;
            };
            let Some(RefOr::Ref(reference)) = &content.schema else {
                continue;
            };
            let target = reference
                .ref_location
                .trim_start_matches(PREFIX)
                .to_string();
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get(&target) else {
                continue;
            };
            let base = target.trim_end_matches("Input").trim_end_matches("Update");
            let name = format!("{base}Patch");
            let mut patch = object.clone();
            patch.required.clear();
            patch.description = Some(format!(
                "A JSON Merge Patch (RFC 7386) of {target}: any of its fields, each optional; \
                 null clears a field that may be empty. The result must be a valid {target}."
            ));
            components.schemas.insert(name.clone(), patch.into());
            content.schema = Some(Ref::from_schema_name(name).into());
        }
    }
}

/// The interactive documentation at `/docs`, served from the binary, of `/openapi.json`.
pub fn docs() -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").config(utoipa_swagger_ui::Config::from("/openapi.json"))
}

/// The document as the server publishes it, made once per process: every worker serves these
/// bytes and answers unrouted methods from this table. Each worker building its own kept
/// about 8 MiB of it in that worker's memory.
pub struct Published {
    json: Result<web::Bytes, String>,
    pub methods: web::Data<Methods>,
}

pub fn published() -> &'static Published {
    static PUBLISHED: LazyLock<Published> = LazyLock::new(|| {
        let api = document();
        Published {
            json: api
                .to_json()
                .map(web::Bytes::from)
                .map_err(|e| format!("cannot serialise the OpenAPI document: {e}")),
            methods: web::Data::new(Methods::of(&api)),
        }
    });
    &PUBLISHED
}

/// `GET /openapi.json`.
pub async fn serve() -> ApiResult<HttpResponse> {
    match &published().json {
        Ok(json) => Ok(HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(json.clone())),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// The document, as `relais openapi` prints it.
pub fn document() -> utoipa::openapi::OpenApi {
    finish(
        App::new()
            .into_utoipa_app()
            .openapi(base())
            .configure(routes)
            .split_for_parts()
            .1,
    )
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> Result<String, String> {
    document()
        .to_pretty_json()
        .map(|json| json + "\n")
        .map_err(|e| format!("cannot serialise the OpenAPI document: {e}"))
}

/// Documents `included` in each item's schema, from the same relations that fill it.
/// Also gives `sort`, `facets`, `fields` and `include` the pattern of what each collection takes.
pub fn included(openapi: &mut utoipa::openapi::OpenApi) {
    /// Documents `R`'s whitelists, and returns its item's schema name and its relations.
    fn documented<R: Resource>(
        openapi: &mut utoipa::openapi::OpenApi,
    ) -> (String, &'static [Relation]) {
        let name = <R::Item as utoipa::ToSchema>::name().into_owned();
        let fields = shape::item_fields::<R::Item>();
        let mut whitelists = Whitelists::of(R::COLLECTION, &name);
        whitelists.fields = fields.iter().map(String::as_str).collect();
        whitelists.includes = R::RELATIONS.iter().map(|r| r.name).collect();
        whitelists.document(openapi);
        (name, R::RELATIONS)
    }
    let all = [
        documented::<Centres>(openapi),
        documented::<Actors>(openapi),
        documented::<Events>(openapi),
        documented::<Trainings>(openapi),
        documented::<Sessions>(openapi),
        documented::<Documents>(openapi),
        documented::<Themes>(openapi),
    ];
    let names: Vec<&str> = all.iter().map(|(name, _)| name.as_str()).collect();
    representations(openapi, &names);
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for (name, relations) in all {
        if relations.is_empty() {
            continue;
        }
        let Some(RefOr::T(Schema::Object(item))) = components.schemas.get_mut(&name) else {
            continue;
        };
        let mut included = ObjectBuilder::new().description(Some(
            "With `include=`: the related items asked for, as the caller may see them.",
        ));
        for relation in relations {
            let target = Ref::from_schema_name((relation.schema)());
            let schema: RefOr<Schema> = if relation.many {
                ArrayBuilder::new().items(target).into()
            } else {
                // Null when the item refers to nothing, or to something hidden from the caller.
                OneOfBuilder::new()
                    .item(target)
                    .item(ObjectBuilder::new().schema_type(Type::Null))
                    .into()
            };
            included = included.property(relation.name, schema);
        }
        item.properties
            .insert("included".to_string(), included.into());
    }
}

/// What the items and lists of `names` may also be sent as ([`crate::http::negotiation`]):
/// schema.org JSON-LD, and CSV for lists; `406` otherwise.
fn representations(openapi: &mut utoipa::openapi::OpenApi, names: &[&str]) {
    use utoipa::openapi::{ContentBuilder, ResponseBuilder};
    const PREFIX: &str = "#/components/schemas/";
    for item in openapi.paths.paths.values_mut() {
        let Some(get) = item.get.as_mut() else {
            continue;
        };
        let Some(RefOr::T(answer)) = get.responses.responses.get_mut("200") else {
            continue;
        };
        let schema = match answer.content.get("application/json") {
            Some(RefOr::T(content)) => match &content.schema {
                Some(RefOr::Ref(reference)) => reference.ref_location.clone(),
                _ => continue,
            },
            _ => continue,
        };
        let target = schema.trim_start_matches(PREFIX);
        let list = target
            .strip_prefix("Page_")
            .is_some_and(|n| names.contains(&n));
        if !list && !names.contains(&target) {
            continue;
        }
        let linked = ObjectBuilder::new().description(Some(if list {
            "With `Accept: application/ld+json`: the page as a schema.org `ItemList` (JSON-LD)."
        } else {
            "With `Accept: application/ld+json`: the item as schema.org JSON-LD."
        }));
        answer.content.insert(
            "application/ld+json".to_string(),
            ContentBuilder::new().schema(Some(linked)).build().into(),
        );
        let mut offered = "application/json, application/ld+json";
        if list {
            let table = ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "With `Accept: text/csv`: the page as CSV (RFC 4180, UTF-8, a header row).",
                ));
            answer.content.insert(
                "text/csv".to_string(),
                ContentBuilder::new().schema(Some(table)).build().into(),
            );
            offered = "application/json, application/ld+json, text/csv";
        }
        let refused = ResponseBuilder::new()
            .description(format!("`Accept` takes none of: {offered}."))
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        get.responses
            .responses
            .insert("406".to_string(), refused.into());
    }
}
