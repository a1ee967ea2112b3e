use crate::helpers::{As, Reply, TestApp, available, parsed_by_python};
use reqwest::Method;
use serde_json::{Value, json};

/// The spec as the code generates it.
fn generated_spec() -> Value {
    serde_json::from_str(&relais::openapi::document_json().expect("generate")).expect("JSON")
}

/// The slug of a seeded training that has dated sessions, and the id of its first session.
async fn dated_training(app: &TestApp) -> (String, String) {
    let trainings = app
        .get("/api/v1/trainings?per_page=100", As::Admin)
        .await
        .expect(200);
    let training = trainings["data"]
        .as_array()
        .expect("trainings")
        .iter()
        .find(|t| t["modality"] != "e_learning")
        .and_then(|t| t["slug"].as_str())
        .expect("a dated training")
        .to_string();
    let sessions = app
        .get(&format!("/api/v1/trainings/{training}/sessions"), As::Admin)
        .await
        .expect(200);
    let session = sessions["data"][0]["id"]
        .as_str()
        .expect("a session")
        .to_string();
    (training, session)
}

#[test]
fn the_committed_spec_matches_the_code() {
    let generated = relais::openapi::document_json().expect("generate");
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_default();
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_documented_with_its_security_and_errors() {
    let spec = generated_spec();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15);
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{method} {path}");
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name} has no operationId"));
            assert!(ids.insert(id.to_string()), "{id} is used twice");
            // `<verb>_<resource>`, as generated clients name their methods.
            let (verb, resource) = id.split_once('_').unwrap_or((id, ""));
            assert!(
                !verb.is_empty()
                    && !resource.is_empty()
                    && id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{id} is not <verb>_<resource>"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name} has no summary"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has no tag"
            );
            assert!(
                operation["security"].is_array(),
                "{name} does not say who may call it"
            );
            let responses = operation["responses"].as_object().expect("responses");
            if path.starts_with("/api/") {
                assert!(
                    responses.keys().any(|s| s.starts_with('4')),
                    "{name} documents no error"
                );
            }
            // Writes not open to the public must require a token and document the refusals.
            let roles = operation["x-roles"].to_string();
            let writes = matches!(method.as_str(), "post" | "patch" | "delete");
            if writes && !roles.contains("public") {
                let security = operation["security"].to_string();
                assert!(
                    security.contains("bearer") && !security.contains("{}"),
                    "{name} must require a token"
                );
                assert!(responses.contains_key("401"), "{name} must document 401");
                if !roles.contains("member") {
                    assert!(responses.contains_key("403"), "{name} must document 403");
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_spec_and_the_docs_are_served() {
    let app = TestApp::spawn().await;
    let served = app.get("/openapi.json", As::Public).await.expect(200);
    let generated = generated_spec();
    assert_eq!(served, generated);
    let docs = app.get("/docs", As::Public).await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.body
            .as_str()
            .is_some_and(|html| html.contains("swagger")),
        "{}",
        docs.body
    );
    // The page loads the document the server serves, made once for every worker.
    let initializer = app
        .get("/docs/swagger-initializer.js", As::Public)
        .await
        .expect(200);
    assert!(
        initializer
            .as_str()
            .is_some_and(|script| script.contains("\"/openapi.json\"")),
        "{initializer}"
    );
    assert_eq!(
        app.get("/health/live", As::Public).await.expect(200)["status"],
        "ok"
    );
    assert_eq!(
        app.get("/health/ready", As::Public).await.expect(200)["status"],
        "ok"
    );
}

#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/themes/inconnu", As::Public)
        .await
        .expect(404);
    app.get("/api/v1/themes", As::Public).await.expect(200);
    let reply = app.get("/metrics", As::Public).await;
    assert!(
        reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/openmetrics-text; version=1.0.0")),
        "{:?}",
        reply.headers
    );
    let text = reply.expect(200);
    let text = text.as_str().expect("text");
    if !available("python3:prometheus_client", "pip install prometheus-client") {
        return;
    }
    // The exposition as Prometheus's own Python client parses it: each sample's name,
    // labels and value.
    let script = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append({"family": family.name, "type": family.type, "name": sample.name,
                        "labels": sample.labels, "value": sample.value})
print(json.dumps(samples))
"#;
    let samples = parsed_by_python(script, text);
    let value = |name: &str, labels: Value| -> Option<f64> {
        samples
            .as_array()?
            .iter()
            .find(|s| s["name"] == name && s["labels"] == labels)?["value"]
            .as_f64()
    };
    let route = |route: &str| json!({"method": "GET", "route": route});
    assert_eq!(
        value(
            "relais_http_requests_total",
            json!({"method": "GET", "route": "/api/v1/themes/{key}", "status": "404"})
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            "relais_http_request_duration_seconds_count",
            route("/api/v1/themes")
        ),
        Some(1.0),
        "{text}"
    );
    // The request reading the metrics is in flight.
    assert_eq!(
        value("relais_http_requests_in_flight", json!({})),
        Some(1.0)
    );
    // Every pool of the process: the test's own and its one worker's, 4 connections each.
    assert_eq!(
        value("relais_db_pool_connections", json!({"state": "max"})),
        Some(8.0)
    );
    assert!(value("relais_db_pool_connections", json!({"state": "in_use"})).is_some());
    assert!(value("relais_db_pool_waiting", json!({})).is_some());
    assert!(value("relais_database_queries_total", json!({})).is_some_and(|n| n > 0.0));
}

#[actix_web::test]
async fn every_answer_names_its_request_id() {
    let app = TestApp::spawn().await;
    // A sane id from a proxy is kept.
    let kept = app
        .send(
            app.request(Method::GET, "/api/v1/themes", As::Public)
                .header("x-request-id", "nginx-7f3a9c.1"),
        )
        .await;
    assert_eq!(kept.header("x-request-id"), Some("nginx-7f3a9c.1"));
    // None, or one that is not a sane token, gets a new UUID, errors included.
    let made = app.get("/api/v1/themes/inconnu", As::Public).await;
    let fresh = |reply: &Reply| {
        reply
            .header("x-request-id")
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
            .is_some()
    };
    assert!(fresh(&made), "{:?}", made.headers);
    for insane in ["", "a b", "<script>", &"x".repeat(129)] {
        let reply = app
            .send(
                app.request(Method::GET, "/api/v1/themes", As::Public)
                    .header("x-request-id", insane),
            )
            .await;
        assert!(fresh(&reply), "{insane}: {:?}", reply.headers);
    }
    // Partner pages may read it.
    let cross = app
        .send(
            app.request(Method::GET, "/api/v1/themes", As::Public)
                .header("origin", "https://www.mairie-saint-pons.example"),
        )
        .await;
    assert!(
        cross
            .header("access-control-expose-headers")
            .is_some_and(|h| h.contains("X-Request-Id"))
    );
}

/// The names in backquotes after `label` in an operation's description.
fn listed(description: &str, label: &str) -> Option<Vec<String>> {
    let line = description.lines().find(|l| l.starts_with(label))?;
    Some(
        line.split('`')
            .skip(3)
            .step_by(2)
            .map(|name| name.to_string())
            .collect(),
    )
}

#[actix_web::test]
async fn each_list_documents_exactly_the_facets_and_includes_it_takes() {
    let app = TestApp::spawn().await;
    let spec = generated_spec();
    let centre = app.centre("centre-des-listes").await;
    let training = app
        .create(
            "trainings",
            serde_json::json!({"title": "Formation", "kind": "formation", "modality": "online",
                               "centre_id": centre["id"], "status": "published"}),
        )
        .await;
    let training = training["slug"].as_str().expect("slug");
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(description) = item["get"]["description"].as_str() else {
            continue;
        };
        let path = path
            .replace("{training}", training)
            .replace("{key}", "inconnu");
        // What the server says it accepts, in the 400 for an unknown name.
        let accepted = |query: &'static str, after: &'static str| {
            let path = format!("{path}?{query}");
            let app = &app;
            async move {
                let reply = app.get(&path, As::Admin).await;
                let detail = reply.body["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                detail.split_once(after).map(|(_, names)| {
                    names
                        .split(", ")
                        .filter(|n| *n != "none" && *n != "nothing")
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
            }
        };
        if let Some(documented) = listed(description, "Facets (`facets=`)") {
            let taken = accepted("facets=inconnue", "facets of this list: ").await;
            assert_eq!(taken, Some(documented), "{path}: facets");
            checked += 1;
        }
        if let Some(documented) = listed(description, "Includes (`include=`)") {
            if path.ends_with("inconnu") {
                continue;
            }
            let taken = accepted("include=inconnu", "this collection includes: ").await;
            assert_eq!(taken, Some(documented), "{path}: includes");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} lists checked");
}

/// Where `value` breaks `schema` (a JSON Schema as OpenAPI 3.1 uses it), one line per fault.
fn violations(spec: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        let target = &spec["components"]["schemas"][name];
        assert!(!target.is_null(), "{at}: {reference} is not in the spec");
        return violations(spec, target, value, at, out);
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        violations(spec, part, value, at, out);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema[key].as_array() {
            let fits = options.iter().any(|option| {
                let mut faults = Vec::new();
                violations(spec, option, value, at, &mut faults);
                faults.is_empty()
            });
            if !fits {
                out.push(format!("{at}: {value} fits none of {key} {schema}"));
            }
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let is = |t: &str| match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    };
    if !types.is_empty() && !types.iter().any(|t| is(t)) {
        out.push(format!("{at}: {value} is not of type {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(format), Some(text)) = (schema["format"].as_str(), value.as_str()) {
        let fits = match format {
            "uuid" => uuid::Uuid::parse_str(text).is_ok(),
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
            "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
            _ => true,
        };
        if !fits {
            out.push(format!("{at}: {text:?} is not a {format}"));
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                out.push(format!("{at}: required `{name}` is missing"));
            }
        }
        for (name, field) in object {
            let at = format!("{at}.{name}");
            match (&schema["properties"][name], &schema["additionalProperties"]) {
                (Value::Null, Value::Bool(false)) => out.push(format!("{at} is not in the schema")),
                (Value::Null, Value::Object(_)) => {
                    violations(spec, &schema["additionalProperties"], field, &at, out)
                }
                (Value::Null, _) => {}
                (property, _) => violations(spec, property, field, &at, out),
            }
        }
    }
    if let (Some(items), Some(elements)) = (schema.get("items"), value.as_array()) {
        for (i, element) in elements.iter().enumerate() {
            violations(spec, items, element, &format!("{at}[{i}]"), out);
        }
    }
}

/// Every read of the demo data, by each role, answers what the spec says it answers: a client
/// generated from the spec reads every body, enums and formats included.
#[actix_web::test]
async fn every_read_answers_what_the_spec_describes() {
    let app = TestApp::spawn().await;
    relais::seed::run(&mut app.db().await).await.expect("seed");
    let spec = generated_spec();
    // A real key for each path parameter, from the lists.
    let first = |list: Value| list["data"][0].clone();
    let (training_slug, session) = dated_training(&app).await;
    let user = first(app.get("/api/v1/users", As::Admin).await.expect(200));
    let mut checked = 0;
    let mut faults = Vec::new();
    for (template, item) in spec["paths"].as_object().expect("paths") {
        let Some(operation) = item.get("get") else {
            continue;
        };
        let Some(schema) =
            operation["responses"]["200"]["content"]["application/json"].get("schema")
        else {
            continue;
        };
        let collection = template.split('/').nth(3).unwrap_or_default();
        let key = if template.contains("{key}") {
            let list = app
                .get(&format!("/api/v1/{collection}?per_page=1"), As::Public)
                .await
                .expect(200);
            first(list)["slug"].as_str().expect("slug").to_string()
        } else {
            String::new()
        };
        let path = template
            .replace("{key}", &key)
            .replace("{training}", &training_slug)
            .replace("{session}", &session)
            .replace("{id}", user["id"].as_str().expect("user id"));
        let path = match template.as_str() {
            "/api/v1/search" => "/api/v1/search?q=zones%20humides".to_string(),
            "/api/v1/changes" => "/api/v1/changes?since=2020-01-01T00:00:00Z".to_string(),
            _ => path,
        };
        for who in [As::Public, As::Member, As::Admin] {
            let reply = app.get(&path, who).await;
            if reply.status.as_u16() != 200 {
                continue;
            }
            violations(
                &spec,
                schema,
                &reply.body,
                &format!("{who:?} GET {path}"),
                &mut faults,
            );
            checked += 1;
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    assert!(checked >= 40, "only {checked} answers checked");
}

#[test]
fn a_merge_patch_needs_no_field_and_takes_no_unknown_one() {
    let spec = generated_spec();
    let mut checked = 0;
    let mut faults = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(operation) = item.get("patch") else {
            continue;
        };
        let schema = &operation["requestBody"]["content"]["application/merge-patch+json"]["schema"];
        assert!(schema.is_object(), "PATCH {path} documents no merge patch");
        // A patch holds only the fields it changes: none is required.
        violations(
            &spec,
            schema,
            &json!({}),
            &format!("PATCH {path} {{}}"),
            &mut faults,
        );
        // Still strict: an unknown field is refused, as the server refuses it.
        let mut unknown = Vec::new();
        violations(
            &spec,
            schema,
            &json!({"pas_un_champ": 1}),
            path,
            &mut unknown,
        );
        assert!(!unknown.is_empty(), "PATCH {path} takes unknown fields");
        checked += 1;
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    assert!(checked >= 9, "only {checked} PATCH operations checked");
}

#[actix_web::test]
async fn head_answers_as_get_and_a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    app.theme("zones-humides", None).await;
    for path in ["/api/v1/themes", "/api/v1/themes/zones-humides"] {
        let get = app.get(path, As::Public).await;
        let head = app.send(app.request(Method::HEAD, path, As::Public)).await;
        assert_eq!(head.status, 200, "HEAD {path}");
        assert_eq!(head.body, Value::Null, "HEAD {path} sends no body");
        for name in ["content-type", "etag", "content-length"] {
            assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
        }
    }
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/themes", "GET, HEAD, POST"),
        (
            Method::PUT,
            "/api/v1/themes/zones-humides",
            "GET, HEAD, PATCH, DELETE",
        ),
        (Method::POST, "/api/v1/search", "GET, HEAD"),
    ] {
        let reply = app.send(app.request(method.clone(), path, As::Admin)).await;
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(reply.body["status"], 405);
    }
    let nowhere = app.get("/api/v1/nulle-part", As::Public).await;
    assert_eq!(nowhere.status, 404);
    // A path is read as the router decodes it: an encoded letter names the same route.
    let encoded = app.get("/api/v1/th%65mes/zones-humides", As::Public).await;
    assert_eq!(encoded.status, 200, "{}", encoded.body);
}

#[actix_web::test]
async fn answers_vary_with_the_token() {
    let app = TestApp::spawn().await;
    for (path, status) in [
        ("/api/v1/documents", 200),
        ("/api/v1/documents/inconnu", 404),
    ] {
        let reply = app.get(path, As::Member).await;
        assert_eq!(reply.status, status);
        let vary: Vec<&str> = reply
            .headers
            .get_all("vary")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert!(
            vary.iter().any(|v| v.eq_ignore_ascii_case("authorization")),
            "{path}: Vary {vary:?}"
        );
    }
}

/// The names each `sort`, `facets`, `fields` and `include` pattern of the spec lists.
fn pattern_names(pattern: &str) -> Vec<String> {
    let start = pattern.find("(?:").expect("a group") + 3;
    let end = start + pattern[start..].find(')').expect("its end");
    pattern[start..end].split('|').map(str::to_string).collect()
}

#[actix_web::test]
async fn the_spec_patterns_of_list_parameters_are_what_the_server_takes() {
    let app = TestApp::spawn().await;
    relais::seed::run(&mut app.db().await).await.expect("seed");
    let spec = generated_spec();
    let slug_of = async |collection: &str| {
        let list = app
            .get(&format!("/api/v1/{collection}?per_page=1"), As::Admin)
            .await
            .expect(200);
        list["data"][0]["slug"].as_str().expect("slug").to_string()
    };
    let (training, session) = dated_training(&app).await;
    let webhook = app
        .post(
            "/api/v1/webhooks",
            &serde_json::json!({"url": "https://hooks.example.org/relais",
                                "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
            As::Admin,
        )
        .await
        .expect(201);
    let webhook = webhook["id"].as_str().expect("id").to_string();
    let mut checked = 0;
    for (template, item) in spec["paths"].as_object().expect("paths") {
        let Some(parameters) = item["get"]["parameters"].as_array() else {
            continue;
        };
        let collection = template.split('/').nth(3).unwrap_or_default();
        let path = if template.contains("{key}") {
            template.replace("{key}", &slug_of(collection).await)
        } else if template.contains("{event}") {
            template.replace("{event}", &slug_of("events").await)
        } else {
            template
                .replace("{training}", &training)
                .replace("{session}", &session)
                .replace("{id}", &webhook)
        };
        // Search takes its words first.
        let path = if template.ends_with("/search") {
            format!("{path}?q=zones&")
        } else {
            format!("{path}?")
        };
        for parameter in parameters {
            let (Some(pattern), "query") = (
                parameter["schema"]["pattern"].as_str(),
                parameter["in"].as_str().unwrap_or_default(),
            ) else {
                continue;
            };
            let name = parameter["name"].as_str().expect("name");
            if !["sort", "facets", "fields", "include", "types"].contains(&name) {
                continue;
            }
            for value in pattern_names(pattern) {
                let reply = app.get(&format!("{path}{name}={value}"), As::Admin).await;
                assert_eq!(reply.status, 200, "{path}{name}={value}: {}", reply.body);
                checked += 1;
            }
            let refused = app.get(&format!("{path}{name}=inconnu"), As::Admin).await;
            assert_eq!(refused.status, 400, "{path}{name}=inconnu");
        }
    }
    assert!(checked >= 150, "only {checked} names checked");
}
