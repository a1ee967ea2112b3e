//! Rules the server enforces that the generated schemas do not say by themselves, written into
//! the document so that clients, validators and fuzzers know them: no empty query value, and
//! no NUL in any text of a request body (PostgreSQL text cannot hold it).
//!
//! These walk the document as JSON, where a rule about "every string" is a few lines.

use serde_json::Value;
use utoipa::openapi::OpenApi;

/// The document as JSON, with the rules stated.
pub fn stated(api: &OpenApi) -> Value {
    let mut document = serde_json::to_value(api).unwrap_or_default();
    non_empty_query_values(&mut document);
    no_nul_in_bodies(&mut document);
    document
}

/// Whether `schema` is a string, or a string or null.
fn is_text(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(types) => types.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// `?theme=` names no theme: every text query parameter is at least one character.
fn non_empty_query_values(document: &mut Value) {
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for parameter in parameters.iter_mut().filter(|p| p["in"] == "query") {
            let schema = &mut parameter["schema"];
            if is_text(schema) && schema.get("minLength").is_none() && schema.get("enum").is_none()
            {
                schema["minLength"] = 1.into();
            }
        }
    }
}

/// The text that refuses NUL: any character but U+0000.
const NO_NUL: &str = "^[^\\u0000]*$";

/// Every text field of every schema a request body names, at any depth, refuses NUL, unless
/// its own pattern already says what it may hold.
fn no_nul_in_bodies(document: &mut Value) {
    let mut named = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for operation in paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
        {
            if let Some(contents) = operation["requestBody"]["content"].as_object() {
                for content in contents.values() {
                    references(&content["schema"], &mut named);
                }
            }
        }
    }
    // The schemas those name, in turn.
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = named.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = document
            .pointer_mut(&format!("/components/schemas/{name}"))
            .filter(|schema| schema.is_object());
        if let Some(schema) = schema {
            references(schema, &mut named);
            refuse_nul(schema);
        }
    }
    if let Some(paths) = document["paths"].as_object_mut() {
        for operation in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| item.values_mut())
        {
            let contents = operation
                .get_mut("requestBody")
                .and_then(|body| body.get_mut("content"))
                .and_then(Value::as_object_mut);
            if let Some(contents) = contents {
                for content in contents.values_mut() {
                    refuse_nul(&mut content["schema"]);
                }
            }
        }
    }
}

/// The component names `schema` refers to.
fn references(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref")
                && let Some(name) = target.strip_prefix("#/components/schemas/")
            {
                names.push(name.to_string());
            }
            map.values().for_each(|v| references(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, names)),
        _ => {}
    }
}

fn refuse_nul(schema: &mut Value) {
    if is_text(schema)
        && schema.get("pattern").is_none()
        && schema.get("enum").is_none()
        && schema.get("format").is_none()
    {
        schema["pattern"] = NO_NUL.into();
    }
    for key in [
        "properties",
        "items",
        "oneOf",
        "anyOf",
        "allOf",
        "additionalProperties",
    ] {
        match schema.get_mut(key) {
            Some(Value::Object(map)) if key == "properties" => {
                map.values_mut().for_each(refuse_nul)
            }
            Some(Value::Array(list)) => list.iter_mut().for_each(refuse_nul),
            Some(inner @ Value::Object(_)) => refuse_nul(inner),
            _ => {}
        }
    }
}
