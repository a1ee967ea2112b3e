//! Rules the server enforces that the generated schemas do not say by themselves, written into
//! the document so that clients, validators and fuzzers know them: no empty query value, no
//! NUL in any text of a request body (PostgreSQL text cannot hold it), the refusals every
//! operation of its kind may answer, the shape of a sparse `fields=` answer, and the links from
//! each creation to what can then be done with the created item.

use std::collections::{BTreeMap, BTreeSet};

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{
    AdditionalProperties, AnyOfBuilder, ArrayItems, Object, Schema, SchemaType, Type,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// The text that refuses NUL: any character but U+0000.
const NO_NUL: &str = "^[^\\u0000]*$";

/// A `problem+json` answer.
pub fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// The operations of `item`, each with its method.
fn operations(item: &PathItem) -> impl Iterator<Item = (&'static str, &Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("patch", &item.patch),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_ref()?)))
}

/// [`operations`], to change.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_mut()?)))
}

/// States the rules in `api`.
pub fn state(api: &mut OpenApi) {
    let mut named = Vec::new();
    for item in api.paths.paths.values_mut() {
        for (_, operation) in operations_mut(item) {
            non_empty_query_values(operation);
            refusals(operation);
            let contents = operation
                .request_body
                .iter_mut()
                .flat_map(|body| match body {
                    RefOr::T(body) => body.content.values_mut().collect(),
                    RefOr::Ref(_) => Vec::new(),
                });
            for content in contents {
                if let RefOr::T(content) = content
                    && let Some(schema) = content.schema.as_mut()
                {
                    refuse_nul(schema, &mut named);
                }
            }
        }
    }
    // The components the bodies name, and those they name in turn.
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let mut seen = BTreeSet::new();
    while let Some(name) = named.pop() {
        if seen.insert(name.clone())
            && let Some(schema) = components.schemas.get_mut(&name)
        {
            refuse_nul(schema, &mut named);
        }
    }
    sparse_fieldsets(api);
    links(api);
    unstated_rules(api);
}

/// The sentence that opens, in an operation's description, the rules its schema cannot state.
pub const UNSTATED: &str = "Beyond what its schema states:";

/// Names of body fields that refer to other items, which must exist.
const REFERENCES: [&str; 6] = [
    "centre_id",
    "centre_ids",
    "themes",
    "author_ids",
    "actor_id",
    "parent",
];

/// The rules of single operations that JSON Schema cannot state: where a webhook may point,
/// and what a file holds.
const RULES_OF: [(&str, &str, &str); 3] = [
    (
        "post",
        "/api/v1/webhooks",
        "`url` is `https`, without credentials, to a host outside private networks (else `422`).",
    ),
    (
        "patch",
        "/api/v1/webhooks/{id}",
        "`url` is `https`, without credentials, to a host outside private networks (else `422`).",
    ),
    (
        "put",
        "/api/v1/documents/{key}/file",
        "The file's content, read from its bytes, is of one of the types listed above (else `415`).",
    ),
];

/// Each operation's description names the rules the server enforces that JSON Schema cannot
/// state (a relation between two values, or with the database), after [`UNSTATED`]; the
/// schemathesis runs excuse exactly those (tests/schemathesis/schemathesis.toml).
fn unstated_rules(api: &mut OpenApi) {
    // The properties of each component, which the bodies name.
    let properties: BTreeMap<String, BTreeSet<String>> = api
        .components
        .iter()
        .flat_map(|components| &components.schemas)
        .filter_map(|(name, schema)| match schema {
            RefOr::T(Schema::Object(object)) => {
                Some((name.clone(), object.properties.keys().cloned().collect()))
            }
            _ => None,
        })
        .collect();
    let bodies = |operation: &Operation| -> BTreeSet<String> {
        let Some(RefOr::T(body)) = &operation.request_body else {
            return BTreeSet::new();
        };
        body.content
            .values()
            .filter_map(|content| match content {
                RefOr::T(content) => match &content.schema {
                    Some(RefOr::Ref(target)) => properties
                        .get(
                            target
                                .ref_location
                                .trim_start_matches("#/components/schemas/"),
                        )
                        .cloned(),
                    Some(RefOr::T(Schema::Object(object))) => {
                        Some(object.properties.keys().cloned().collect())
                    }
                    _ => None,
                },
                RefOr::Ref(_) => None,
            })
            .flatten()
            .collect()
    };
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            let fields = bodies(operation);
            let takes = |name: &str| {
                operation
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == name))
            };
            let has = |name: &str| fields.contains(name);
            let named: Vec<&str> = REFERENCES.into_iter().filter(|name| has(name)).collect();
            let mut rules = Vec::new();
            if takes("If-Match") {
                rules.push("`If-Match` names the item's current `ETag` (else `412`).".to_string());
            }
            if takes("radius_km") {
                rules.push(
                    "`radius_km` comes with `near`, and a `bbox`'s west is not east of its \
                     east, nor its south north of its north (else `400`)."
                        .to_string(),
                );
            }
            if !named.is_empty() {
                let named: Vec<String> = named.iter().map(|name| format!("`{name}`")).collect();
                rules.push(format!(
                    "The items {} name exist (else `422`).",
                    named.join(", ")
                ));
            }
            if has("starts_at") && has("ends_at") {
                rules.push("`ends_at` is after `starts_at` (else `422`).".to_string());
            }
            if has("region_code") && has("department_code") {
                rules.push("The department lies in the region (else `422`).".to_string());
            }
            if has("latitude") && has("longitude") {
                rules.push("`latitude` and `longitude` come together (else `422`).".to_string());
            }
            if has("current_password") {
                rules.push("`current_password` is the account's (else `422`).".to_string());
            }
            for (of_method, of_path, rule) in RULES_OF {
                if of_method == method && of_path == path {
                    rules.push(rule.to_string());
                }
            }
            if !rules.is_empty() {
                let rules = rules.join(" ");
                operation.description = Some(match operation.description.take() {
                    Some(description) if !description.is_empty() => {
                        format!("{description}\n\n{UNSTATED} {rules}")
                    }
                    _ => format!("{UNSTATED} {rules}"),
                });
            }
        }
    }
}

/// The refusals an operation may answer by its kind, where its annotations leave them out:
/// `401` without a token and `403` for a member where the public or members may not call it
/// (`x-roles`), and `400`, `415` and `422` where it takes a JSON body.
fn refusals(operation: &mut Operation) {
    let roles = operation
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get("x-roles"))
        .and_then(|roles| roles.as_array())
        .map(|roles| roles.iter().filter_map(|r| r.as_str()).collect::<Vec<_>>())
        .unwrap_or_default();
    let takes_json = matches!(&operation.request_body, Some(RefOr::T(body))
        if body.content.keys().any(|media| media.ends_with("json")));
    let refusals = [
        (
            !roles.is_empty() && !roles.contains(&"public"),
            "401",
            "Missing or invalid bearer token",
        ),
        (
            !roles.is_empty() && !roles.contains(&"member"),
            "403",
            "The caller's role may not do this",
        ),
        (takes_json, "400", "Malformed JSON or unknown field"),
        (takes_json, "415", "Body is not JSON"),
        (takes_json, "422", "Invalid fields"),
    ];
    for (applies, status, description) in refusals {
        if applies && !operation.responses.responses.contains_key(status) {
            let answer = problem(description).into();
            operation
                .responses
                .responses
                .insert(status.to_string(), answer);
        }
    }
}

/// With `fields=`, an item holds only the fields asked for, and its `id`: where an operation
/// takes `fields`, its item is an `X` or an `XFields`, the same properties with only `id`
/// required. A page's items are then either too.
fn sparse_fieldsets(api: &mut OpenApi) {
    const PREFIX: &str = "#/components/schemas/";
    let mut sparse = BTreeSet::new();
    for item in api.paths.paths.values_mut() {
        let Some(get) = item.get.as_mut() else {
            continue;
        };
        let takes_fields = get.parameters.iter().flatten().any(|parameter| {
            matches!(parameter, RefOr::T(p) if p.name == "fields" && p.parameter_in == ParameterIn::Query)
        });
        if !takes_fields {
            continue;
        }
        let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else {
            continue;
        };
        let Some(RefOr::T(content)) = ok.content.get_mut("application/json") else {
            continue;
        };
        let Some(RefOr::Ref(reference)) = &content.schema else {
            continue;
        };
        let name = reference
            .ref_location
            .trim_start_matches(PREFIX)
            .to_string();
        match name.strip_prefix("Page_") {
            Some(item) => {
                sparse.insert(item.to_string());
            }
            None => {
                content.schema = Some(either(&name).into());
                sparse.insert(name);
            }
        }
    }
    let Some(components) = api.components.as_mut() else {
        return;
    };
    for name in sparse {
        if let Some(RefOr::T(Schema::Object(page))) =
            components.schemas.get_mut(&format!("Page_{name}"))
            && let Some(RefOr::T(Schema::Array(data))) = page.properties.get_mut("data")
        {
            data.items = ArrayItems::RefOrSchema(Box::new(either(&name).into()));
        }
        let Some(RefOr::T(Schema::Object(full))) = components.schemas.get(&name) else {
            continue;
        };
        let mut fields = full.clone();
        fields.required.retain(|property| property == "id");
        fields.description = Some(format!(
            "{name} with only the fields `fields=` asked for, and its `id`."
        ));
        components
            .schemas
            .insert(format!("{name}Fields"), fields.into());
    }
}

/// A full `name`, or one with only some of its fields.
fn either(name: &str) -> Schema {
    AnyOfBuilder::new()
        .item(Ref::from_schema_name(name))
        .item(Ref::from_schema_name(format!("{name}Fields")))
        .into()
}

/// Links beyond those under a creating path: a registration of one's own is read under
/// `/me`, a calendar by its token, and a deleted item, listed in the trash, restored or purged
/// there. Each is the operation and path it starts from, the operation it leads to, and that
/// operation's parameters.
type Elsewhere = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);
const LINKS_ELSEWHERE: [Elsewhere; 5] = [
    (
        "post",
        "/api/v1/events/{event}/registrations",
        "get_my_registration",
        &[("registration", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/trainings/{training}/sessions/{session}/registrations",
        "get_my_registration",
        &[("registration", "$response.body#/id")],
    ),
    (
        "post",
        "/api/v1/me/calendar-token",
        "get_calendar",
        &[("token", "$response.body#/calendar_token")],
    ),
    (
        "get",
        "/api/v1/trash",
        "restore_trash_item",
        &[
            ("collection", "$response.body#/data/0/collection"),
            ("id", "$response.body#/data/0/id"),
        ],
    ),
    (
        "get",
        "/api/v1/trash",
        "purge_trash_item",
        &[
            ("collection", "$response.body#/data/0/collection"),
            ("id", "$response.body#/data/0/id"),
        ],
    ),
];

/// OpenAPI links from each `POST` that creates to the operations on what it created: those on
/// the paths below it whose parameters are all known (the creating path's own, and the created
/// item's `id`), and [`LINKS_ELSEWHERE`].
fn links(api: &mut OpenApi) {
    let mut targets = Vec::new();
    for (path, item) in &api.paths.paths {
        for (_, operation) in operations(item) {
            if let Some(id) = &operation.operation_id {
                targets.push((path.clone(), id.clone()));
            }
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let mut found = Vec::new();
        if let Some(post) = &item.post {
            found.extend(links_below(path, post, &targets));
        }
        for (method, source, operation_id, values) in LINKS_ELSEWHERE {
            if source == path {
                let values = values.iter().map(|(n, v)| (n.to_string(), v.to_string()));
                found.push((method, operation_id.to_string(), values.collect()));
            }
        }
        for (method, operation_id, values) in found {
            let operation = match method {
                "get" => item.get.as_mut(),
                _ => item.post.as_mut(),
            };
            let Some((_, RefOr::T(answer))) = operation.and_then(|operation| {
                operation
                    .responses
                    .responses
                    .iter_mut()
                    .find(|(status, _)| matches!(status.as_str(), "200" | "201"))
            }) else {
                continue;
            };
            let link = values
                .into_iter()
                .fold(
                    LinkBuilder::new().operation_id(&operation_id),
                    |link, (name, value)| link.parameter(name, value),
                )
                .build();
            answer.links.insert(operation_id, link.into());
        }
    }
}

/// A link to make: from the answer of the operation of this method, to the operation of this
/// id, with these parameters.
type Link = (&'static str, String, Vec<(String, String)>);

/// A link from the `post` at `path` to each of `targets` below it whose parameters are all
/// known: the path's own, and the created item's `id`.
fn links_below(path: &str, post: &Operation, targets: &[(String, String)]) -> Vec<Link> {
    let creates = post.responses.responses.contains_key("201");
    let own = parameters(path);
    let mut found = Vec::new();
    for (target, operation_id) in targets.iter().filter(|_| creates) {
        let Some(rest) = target.strip_prefix(&format!("{path}/")) else {
            continue;
        };
        let Some(created_id) = rest
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
            .map(|(name, _)| name)
        else {
            continue;
        };
        let values: Option<Vec<(String, String)>> = parameters(target)
            .into_iter()
            .map(|name| {
                if own.contains(&name) {
                    Some((name.clone(), format!("$request.path.{name}")))
                } else if name == created_id {
                    Some((name, "$response.body#/id".to_string()))
                } else {
                    None
                }
            })
            .collect();
        if let Some(values) = values {
            found.push(("post", operation_id.clone(), values));
        }
    }
    found
}

/// The names of the `{parameters}` of `path`, in order.
fn parameters(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Whether `object` is a string, or a string or null, free text (no enum, format or pattern).
fn is_free_text(object: &Object) -> bool {
    let text = match &object.schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    };
    text && object.enum_values.is_none()
}

/// `?theme=` names no theme: every text query parameter is at least one character, and none
/// holds NUL.
fn non_empty_query_values(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter
            && parameter.parameter_in == ParameterIn::Query
            && let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
            && is_free_text(object)
        {
            object.min_length.get_or_insert(1);
            if object.format.is_none() && object.pattern.is_none() {
                object.pattern = Some(NO_NUL.to_string());
            }
        }
    }
}

/// Every text field of `schema`, at any depth, refuses NUL, unless its own format or pattern
/// already says what it may hold; the components it names go to `named`.
fn refuse_nul(schema: &mut RefOr<Schema>, named: &mut Vec<String>) {
    let schema = match schema {
        RefOr::Ref(target) => {
            if let Some(name) = target.ref_location.strip_prefix("#/components/schemas/") {
                named.push(name.to_string());
            }
            return;
        }
        RefOr::T(schema) => schema,
    };
    match schema {
        Schema::Object(object) => {
            if is_free_text(object) && object.format.is_none() && object.pattern.is_none() {
                object.pattern = Some(NO_NUL.to_string());
            }
            for property in object.properties.values_mut() {
                refuse_nul(property, named);
            }
            if let Some(extra) = object.additional_properties.as_deref_mut()
                && let AdditionalProperties::RefOr(extra) = extra
            {
                refuse_nul(extra, named);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                refuse_nul(items, named);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(|s| refuse_nul(s, named)),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(|s| refuse_nul(s, named)),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(|s| refuse_nul(s, named)),
        _ => {}
    }
}
