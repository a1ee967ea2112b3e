//! The query string: the paging, shaping and geographic parameters every list takes, the
//! collection's own filters, and the typed values they hold (dates, instants).

use actix_web::dev::Payload;
use actix_web::mime::{self, Mime};
use actix_web::{FromRequest, HttpRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};
use utoipa::IntoParams;

use super::condition::Filters;
use super::geo;
use crate::error::{ApiError, ApiResult};
use crate::http::negotiation;
use crate::msg;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// How deep `page=` reads: at most 100 pages of at most [`MAX_PER_PAGE`], an offset of at most
/// 9,900 rows, which the database reads and drops; further items are reached by `cursor`,
/// whose cost does not grow with depth. A plain maximum, so that the spec can state it.
pub const MAX_PAGE: u32 = 100;

/// The paging and sorting parameters every list takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1 (offset paging), up to 100. Past page 100, the `next` link pages by
    /// `cursor`.
    #[param(minimum = 1, maximum = 100, example = 1)]
    pub page: Option<u32>,
    /// Items per page, at most 100.
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub per_page: Option<u32>,
    /// Comma-separated fields from the operation's sortable list; `-` sorts descending
    /// (`sort=-starts_at,title`).
    pub sort: Option<String>,
    /// Keyset paging: the `meta.next_cursor` of the previous page. Its cost does not grow
    /// with depth. Not combined with `page`.
    pub cursor: Option<String>,
    /// Comma-separated dimensions to count the matching items by, into `meta.facets`
    /// (`facets=theme,kind,centre,year`; each list names its own in its description).
    pub facets: Option<String>,
}

/// The paging and sorting parameters of a list's feed: a list's, without facets (documented
/// for feeds, which [`ListQuery`] reads as it reads a list's; [`ListQuery::plain`] refuses
/// the others).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedPaging {
    /// Page number, from 1 (offset paging), up to 100. Past page 100, the `next` link pages by
    /// `cursor`.
    #[param(minimum = 1, maximum = 100, example = 1)]
    pub page: Option<u32>,
    /// Items per page, at most 100.
    #[param(minimum = 1, maximum = 100, example = 100)]
    pub per_page: Option<u32>,
    /// Comma-separated fields from the list's sortable ones; `-` sorts descending.
    pub sort: Option<String>,
    /// Keyset paging: from the `Link` header's `next`.
    pub cursor: Option<String>,
}

/// `fields=` and `include=`: the shape of the items, on lists and on single items.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Shaping {
    /// Comma-separated fields to return (a sparse fieldset); `id` always comes
    /// (`fields=slug,title,starts_at`). The item's other fields, required ones included, are
    /// then left out.
    pub fields: Option<String>,
    /// Comma-separated related items to embed under `included`, each loaded in one query for
    /// the whole page (`include=centre,themes,speakers`). Each operation lists its own.
    pub include: Option<String>,
}

impl Paging {
    /// The rows before the page: none when paging by cursor.
    pub fn offset(&self) -> u64 {
        if self.cursor.is_some() {
            return 0;
        }
        u64::from(self.page.unwrap_or(1).saturating_sub(1))
            * u64::from(self.per_page.unwrap_or(DEFAULT_PER_PAGE))
    }
}

impl Shaping {
    pub fn is_empty(&self) -> bool {
        self.fields.is_none() && self.include.is_none()
    }
}

const SHAPING_PARAMS: [&str; 2] = ["fields", "include"];

/// The query string's pairs, refusing a NUL (PostgreSQL text cannot hold one).
fn query_pairs(query: &str) -> ApiResult<Vec<(String, String)>> {
    // serde_urlencoded would replace bytes that are not UTF-8 (`%FF`) and go on.
    if percent_encoding::percent_decode_str(query)
        .decode_utf8()
        .is_err()
    {
        return Err(ApiError::bad_request(msg!("query-not-utf8")));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| ApiError::bad_request(msg!("query-invalid", reason = e.to_string())))?;
    if let Some((name, _)) = pairs
        .iter()
        .find(|(n, v)| n.contains('\0') || v.contains('\0'))
    {
        return Err(ApiError::bad_request(msg!(
            "query-nul",
            name = name.clone()
        )));
    }
    // `?theme=` names no theme: refused like any malformed value, rather than matching nothing.
    if let Some((name, _)) = pairs.iter().find(|(_, v)| v.is_empty()) {
        return Err(ApiError::bad_request(msg!(
            "query-empty",
            name = name.clone()
        )));
    }
    Ok(pairs)
}

/// A single item's query: only `fields` and `include`; anything else is a 400.
impl FromRequest for Shaping {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query_pairs(req.query_string()).and_then(|pairs| parse_pairs(&pairs)))
    }
}

/// A query that takes no parameter at all: anything given is a 400. Also the filters of a
/// list that takes none besides its paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

impl Filters for NoParams {
    fn conditions(&self) -> ApiResult<Vec<super::Condition>> {
        Ok(Vec::new())
    }
}

impl FromRequest for NoParams {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(query_pairs(req.query_string()).and_then(|pairs| parse_pairs(&pairs)))
    }
}

/// A list request: paging, shaping, geography, then the collection's own filters.
pub struct ListQuery<F> {
    pub paging: Paging,
    pub shaping: Shaping,
    /// Taken by the lists of collections with places ([`Collection::located`]).
    pub geo: geo::GeoFilters,
    pub filters: F,
    /// The request's parameters, to build the `links`.
    pub(super) pairs: Vec<(String, String)>,
    pub(super) path: String,
    /// What its `Accept` takes, best first ([`negotiation::accepted`]).
    pub accepted: Vec<Mime>,
    /// Where the server is, as the caller reaches it (`https://relais.example.fr`): other
    /// representations than JSON hold absolute links.
    pub origin: String,
}

const PAGING_PARAMS: [&str; 5] = ["page", "per_page", "sort", "cursor", "facets"];

pub(super) fn unknown_parameter(name: &str) -> ApiError {
    ApiError::bad_request(msg!("unknown-parameter", name = name.to_string()))
}

fn parse_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> ApiResult<T> {
    let encoded = serde_urlencoded::to_string(pairs)
        .map_err(|e| ApiError::bad_request(msg!("query-invalid", reason = e.to_string())))?;
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        if let Some(rest) = message.strip_prefix("unknown field `") {
            unknown_parameter(rest.split('`').next().unwrap_or_default())
        } else if message.starts_with("duplicate field") {
            ApiError::bad_request(msg!("query-twice", reason = message))
        } else {
            ApiError::bad_request(msg!("query-invalid-value", name = field, reason = message))
        }
    })
}

impl<F> ListQuery<F> {
    /// The same list as another representation (`.ics`, `.atom`): the path with `suffix`, and
    /// the request's filters and sort, without paging or shaping.
    pub fn alternate(&self, suffix: &str) -> String {
        const PAGE_ONLY: [&str; 5] = ["page", "cursor", "facets", "fields", "include"];
        let pairs: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(name, _)| !PAGE_ONLY.contains(&name.as_str()))
            .collect();
        match serde_urlencoded::to_string(&pairs) {
            Ok(qs) if !qs.is_empty() => format!("{}{suffix}?{qs}", self.path),
            _ => format!("{}{suffix}", self.path),
        }
    }

    /// Refuses shaping, for the lists whose items take no `fields` or `include`.
    pub fn unshaped(&self) -> ApiResult<()> {
        match self.shaping.is_empty() {
            true => Ok(()),
            false => Err(ApiError::bad_request(msg!("shaping-refused"))),
        }
    }

    /// Refuses what a feed does not take: shaping and facets.
    pub fn plain(&self) -> ApiResult<()> {
        if !self.shaping.is_empty() || self.paging.facets.is_some() {
            return Err(ApiError::bad_request(msg!("feed-shaping")));
        }
        Ok(())
    }
}

impl<F: Filters> ListQuery<F> {
    /// The list request of `path?query`.
    pub fn parse(path: &str, query: &str) -> ApiResult<Self> {
        let pairs = query_pairs(query)?;
        let (paging, rest): (Vec<_>, Vec<_>) = pairs
            .iter()
            .cloned()
            .partition(|(name, _)| PAGING_PARAMS.contains(&name.as_str()));
        let (shaping, rest): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|(name, _)| SHAPING_PARAMS.contains(&name.as_str()));
        let (geo, filters): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|(name, _)| geo::GEO_PARAMS.contains(&name.as_str()));
        let paging: Paging = parse_pairs(&paging)?;
        if paging.page == Some(0) {
            return Err(ApiError::bad_request(msg!("page-range")));
        }
        if let Some(per_page) = paging.per_page
            && !(1..=MAX_PER_PAGE).contains(&per_page)
        {
            return Err(ApiError::bad_request(msg!(
                "per-page-range",
                max = MAX_PER_PAGE
            )));
        }
        if paging.page.is_some_and(|page| page > MAX_PAGE) {
            return Err(ApiError::bad_request(msg!("page-too-deep", max = MAX_PAGE)));
        }
        if paging.cursor.is_some() && paging.page.is_some() {
            return Err(ApiError::bad_request(msg!("page-and-cursor")));
        }
        Ok(ListQuery {
            paging,
            shaping: parse_pairs(&shaping)?,
            geo: parse_pairs(&geo)?,
            filters: parse_pairs(&filters)?,
            pairs,
            path: path.to_string(),
            accepted: vec![mime::STAR_STAR],
            origin: String::new(),
        })
    }
}

impl<F: Filters> FromRequest for ListQuery<F> {
    type Error = ApiError;
    type Future = Ready<ApiResult<Self>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            Self::parse(req.path(), req.query_string()).map(|query| ListQuery {
                accepted: negotiation::accepted(req),
                origin: crate::http::origin(req),
                ..query
            }),
        )
    }
}
