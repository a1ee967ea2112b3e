//! schema.org as JSON-LD (`Accept: application/ld+json`): each collection says what its items
//! are ([`crate::resources::Resource::linked_data`]); here are the pieces they share, and the
//! documents of an item and of a page. Terms are schema.org's, under one `@vocab`, so that a
//! JSON-LD processor expands them without fetching a context; enumerated values
//! (`eventAttendanceMode`, `eventStatus`) are schema.org IRIs.

use serde_json::{Map, Value, json};

/// The context of every document: schema.org's terms, as they are.
fn context() -> Value {
    json!({"@vocab": "https://schema.org/"})
}

/// A schema.org term as an IRI value (`OnlineEventAttendanceMode`).
pub fn term(name: &str) -> Value {
    json!({"@id": format!("https://schema.org/{name}")})
}

/// One item as a JSON-LD document.
pub fn document(node: Value) -> Value {
    let mut document = Map::new();
    document.insert("@context".into(), context());
    if let Value::Object(node) = node {
        document.extend(node);
    }
    Value::Object(document)
}

/// A page of items as an `ItemList`: its total, and each item at its place in the whole list.
pub fn item_list(nodes: Vec<Value>, offset: u64, total: i64) -> Value {
    let elements: Vec<Value> = nodes
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            json!({"@type": "ListItem", "position": offset + i as u64 + 1, "item": item})
        })
        .collect();
    json!({
        "@context": context(),
        "@type": "ItemList",
        "numberOfItems": total,
        "itemListElement": elements,
    })
}

/// Drops the properties that have no value, so that nothing says `null`.
pub fn node(properties: Value) -> Value {
    match properties {
        Value::Object(properties) => Value::Object(
            properties
                .into_iter()
                .filter(|(_, value)| !value.is_null() && value != &json!([]))
                .collect(),
        ),
        other => other,
    }
}

/// Where something is: a `Place` with its address and coordinates, when it has any.
pub fn place(
    name: &Option<String>,
    street: &Option<String>,
    city: &Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Option<Value> {
    if name.is_none() && street.is_none() && city.is_none() && latitude.is_none() {
        return None;
    }
    let address = (street.is_some() || city.is_some()).then(|| {
        node(json!({
            "@type": "PostalAddress",
            "streetAddress": street,
            "addressLocality": city,
            "addressCountry": "FR",
        }))
    });
    let geo = latitude.zip(longitude).map(|(latitude, longitude)| {
        json!({"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude})
    });
    Some(node(json!({
        "@type": "Place",
        "name": name,
        "address": address,
        "geo": geo,
    })))
}

/// An online place.
pub fn virtual_location(url: &Option<String>) -> Option<Value> {
    url.as_ref()
        .map(|url| json!({"@type": "VirtualLocation", "url": url}))
}

/// How people attend, from an item's format or modality.
pub fn attendance_mode(format: &str) -> Value {
    term(match format {
        "online" | "self_paced" => "OnlineEventAttendanceMode",
        "hybrid" => "MixedEventAttendanceMode",
        _ => "OfflineEventAttendanceMode",
    })
}

/// A reference to another item of relais, by its URL.
pub fn reference(origin: &str, path: String) -> Value {
    json!({"@id": format!("{origin}{path}")})
}

/// A dated session of a course (schema.org `CourseInstance`).
pub struct Instance<'a> {
    pub url: String,
    pub starts_at: String,
    pub ends_at: String,
    pub venue: &'a Option<String>,
    pub address: &'a Option<String>,
    pub city: &'a Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: &'a Option<String>,
    pub capacity: Option<i32>,
    pub cancelled: bool,
    /// References to its trainers.
    pub instructors: Vec<Value>,
}

pub fn course_instance(instance: Instance<'_>) -> Value {
    let location: Vec<Value> = place(
        instance.venue,
        instance.address,
        instance.city,
        instance.latitude,
        instance.longitude,
    )
    .into_iter()
    .chain(virtual_location(instance.online_url))
    .collect();
    let mode = match (location.len(), instance.online_url.is_some()) {
        (2, _) => "hybrid",
        (1, true) => "online",
        _ => "in_person",
    };
    node(json!({
        "@type": "CourseInstance",
        "@id": instance.url,
        "startDate": instance.starts_at,
        "endDate": instance.ends_at,
        "location": location,
        "courseMode": mode.replace('_', " "),
        "eventAttendanceMode": attendance_mode(mode),
        "eventStatus": event_status(instance.cancelled),
        "maximumAttendeeCapacity": instance.capacity,
        "instructor": instance.instructors,
    }))
}

/// Its status: scheduled, or cancelled.
pub fn event_status(cancelled: bool) -> Value {
    term(if cancelled {
        "EventCancelled"
    } else {
        "EventScheduled"
    })
}
