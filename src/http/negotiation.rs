//! Which representation an item or a list is sent as, from `Accept`: JSON (the default),
//! schema.org JSON-LD, or CSV for lists; `406` naming what can be served otherwise.

use actix_web::HttpRequest;
use actix_web::http::header::{Accept, Header, Quality};
use actix_web::mime::{self, Mime};

use crate::error::{ApiError, ApiResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Representation {
    Json,
    /// schema.org, as JSON-LD.
    LinkedData,
    /// RFC 4180, UTF-8, with a header row.
    Csv,
}

impl Representation {
    pub fn media_type(self) -> &'static str {
        match self {
            Representation::Json => "application/json",
            Representation::LinkedData => "application/ld+json",
            Representation::Csv => "text/csv",
        }
    }

    /// What the sent `Content-Type` says.
    pub fn content_type(self) -> &'static str {
        match self {
            Representation::Json => "application/json",
            Representation::LinkedData => "application/ld+json",
            Representation::Csv => "text/csv; charset=utf-8; header=present",
        }
    }

    fn matches(self, wanted: &Mime) -> bool {
        let kind = self.media_type().split('/').next().unwrap_or_default();
        match (wanted.type_(), wanted.subtype()) {
            (mime::STAR, _) => true,
            (wanted_kind, mime::STAR) => wanted_kind.as_str() == kind,
            // The essence keeps a suffix (`ld+json`) with its subtype.
            _ => wanted.essence_str() == self.media_type(),
        }
    }
}

/// The media ranges of a request's `Accept`, best first, without those it refuses (`q=0`).
/// None said, or none understood: anything.
pub fn accepted(req: &HttpRequest) -> Vec<Mime> {
    match Accept::parse(req) {
        Ok(accept) if !accept.is_empty() => {
            let wanted: Vec<_> = accept
                .0
                .into_iter()
                .filter(|item| item.quality > Quality::ZERO)
                .collect();
            Accept(wanted).ranked()
        }
        _ => vec![mime::STAR_STAR],
    }
}

/// The first of `offered` (the server's order of preference) that the best range of
/// `accepted` takes; `406` when none.
pub fn choose(accepted: &[Mime], offered: &[Representation]) -> ApiResult<Representation> {
    accepted
        .iter()
        .find_map(|wanted| offered.iter().copied().find(|r| r.matches(wanted)))
        .ok_or_else(|| {
            let offered: Vec<&str> = offered.iter().map(|r| r.media_type()).collect();
            ApiError::not_acceptable(&offered.join(", "))
        })
}

/// Items as a CSV table (RFC 4180, UTF-8): a column per field of the first item, in its order;
/// lists of values joined with `;`, objects as JSON. An empty page is an empty body.
pub fn csv_table(items: &[serde_json::Value]) -> ApiResult<Vec<u8>> {
    use serde_json::Value;
    let columns: Vec<String> = match items.first() {
        Some(Value::Object(first)) => first
            .keys()
            .filter(|name| name.as_str() != "included")
            .cloned()
            .collect(),
        _ => return Ok(Vec::new()),
    };
    let cell = |value: Option<&Value>| match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(values)) if values.iter().all(|v| !v.is_object()) => values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    };
    let failed = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
    let mut table = csv::Writer::from_writer(Vec::new());
    table.write_record(&columns).map_err(failed)?;
    for item in items {
        table
            .write_record(columns.iter().map(|column| cell(item.get(column))))
            .map_err(failed)?;
    }
    table
        .into_inner()
        .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header;
    use actix_web::test::TestRequest;

    fn chosen(accept: &str, offered: &[Representation]) -> ApiResult<Representation> {
        let req = TestRequest::default()
            .insert_header((header::ACCEPT, accept))
            .to_http_request();
        choose(&accepted(&req), offered)
    }

    #[test]
    fn the_best_range_the_server_offers_wins() {
        use Representation::*;
        let all = [Json, LinkedData, Csv];
        assert_eq!(chosen("*/*", &all).ok(), Some(Json));
        assert_eq!(chosen("text/csv", &all).ok(), Some(Csv));
        assert_eq!(chosen("text/*", &all).ok(), Some(Csv));
        assert_eq!(
            chosen("application/ld+json, application/json;q=0.5", &all).ok(),
            Some(LinkedData)
        );
        assert_eq!(chosen("text/html, */*;q=0.1", &all).ok(), Some(Json));
        assert_eq!(chosen("text/csv", &[Json, LinkedData]).ok(), None);
        assert_eq!(
            chosen("application/json;q=0, text/csv", &all).ok(),
            Some(Csv)
        );
        assert_eq!(chosen("text/html", &all).ok(), None);
    }
}
