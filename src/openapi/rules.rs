//! Rules the server enforces that the generated schemas do not say by themselves, written into
//! the document so that clients, validators and fuzzers know them: no empty query value, and
//! no NUL in any text of a request body (PostgreSQL text cannot hold it).

use std::collections::BTreeSet;

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, Object, Schema, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr};

/// The text that refuses NUL: any character but U+0000.
const NO_NUL: &str = "^[^\\u0000]*$";

/// States the rules in `api`.
pub fn state(api: &mut OpenApi) {
    let mut named = Vec::new();
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            non_empty_query_values(operation);
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

/// `?theme=` names no theme: every text query parameter is at least one character.
fn non_empty_query_values(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter
            && parameter.parameter_in == ParameterIn::Query
            && let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
            && is_free_text(object)
            && object.min_length.is_none()
        {
            object.min_length = Some(1);
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
