//! The `pattern`s the spec gives the list parameters `sort`, `facets`, `fields` and
//! `include`, from what each collection takes. Below both the collections and the spec, so
//! that each documents its own without importing the other.

/// `^-?(?:a|b)(?:,-?(?:a|b))*$`: a comma-separated list of `names`, each after `sign` (`-?`
/// for sorts, which may be descending).
fn list_pattern(names: &[&str], sign: &str) -> String {
    let one = format!("{sign}(?:{})", names.join("|"));
    format!("^{one}(?:,{one})*$")
}

/// What a list or item operation takes in `sort`, `facets`, `fields` and `include`, given as a
/// `pattern` on those parameters so that clients and fuzzers can check a value before sending
/// it. The operations are those whose answer is `schema` (an item) or `Page_{schema}`.
pub struct Whitelists<'a> {
    pub schema: &'a str,
    pub sorts: Vec<&'a str>,
    pub facets: Vec<&'a str>,
    pub fields: Vec<&'a str>,
    pub includes: Vec<&'a str>,
}

impl<'a> Whitelists<'a> {
    /// What `sort=` and `facets=` of `collection` take; its items' schema is `schema`.
    pub fn of(collection: &crate::query::Collection, schema: &'a str) -> Whitelists<'a> {
        Whitelists {
            schema,
            sorts: collection.sorts.iter().map(|key| key.name).collect(),
            facets: collection.facets.iter().map(|facet| facet.name).collect(),
            fields: Vec::new(),
            includes: Vec::new(),
        }
    }

    /// States the whitelists on the operations whose answer is the item or a page of them, and
    /// on the list's feeds (`/events.ics` beside `/events`). A list that counts by nothing
    /// takes no `facets`.
    pub fn document(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, Schema};
        let item = format!("#/components/schemas/{}", self.schema);
        let page = format!("#/components/schemas/Page_{}", self.schema);
        let answer = |operation: &utoipa::openapi::path::Operation| {
            let response = operation.responses.responses.get("200")?;
            let RefOr::T(response) = response else {
                return None;
            };
            let RefOr::T(content) = response.content.get("application/json")? else {
                return None;
            };
            match &content.schema {
                Some(RefOr::Ref(reference)) => Some(reference.ref_location.clone()),
                _ => None,
            }
        };
        let lists: Vec<String> = api
            .paths
            .paths
            .iter()
            .filter(|(_, path)| path.get.as_ref().and_then(answer) == Some(page.clone()))
            .map(|(name, _)| format!("{name}."))
            .collect();
        for (name, path) in api.paths.paths.iter_mut() {
            let Some(operation) = path.get.as_mut() else {
                continue;
            };
            let read = answer(operation);
            let is_feed = lists.iter().any(|list| name.starts_with(list));
            if read != Some(item.clone()) && read != Some(page.clone()) && !is_feed {
                continue;
            }
            if self.facets.is_empty()
                && let Some(parameters) = operation.parameters.as_mut()
            {
                parameters.retain(|p| !matches!(p, RefOr::T(p) if p.name == "facets"));
            }
            for parameter in operation.parameters.iter_mut().flatten() {
                let RefOr::T(parameter) = parameter else {
                    continue;
                };
                let (names, sign) = match parameter.name.as_str() {
                    "sort" => (&self.sorts, "-?"),
                    "facets" => (&self.facets, ""),
                    "fields" => (&self.fields, ""),
                    "include" => (&self.includes, ""),
                    _ => continue,
                };
                if let (false, Some(RefOr::T(Schema::Object(schema)))) =
                    (names.is_empty(), parameter.schema.as_mut())
                {
                    schema.pattern = Some(list_pattern(names, sign));
                }
            }
        }
    }
}
