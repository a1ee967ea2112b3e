//! The body of a list: `data`, `meta` (total, paging, facets) and `links`, also sent as a
//! `Link` header.

use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::collection::FacetCount;
use super::cursor::{self, Sort};
use super::params::{DEFAULT_PER_PAGE, ListQuery, MAX_PAGE};
use crate::error::{ApiError, ApiResult};

/// `meta` of every list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    /// Items matching the filters (see `total_is_estimate`).
    pub total: i64,
    /// `true` when `total` is the planner's estimate, for lists of more than 10,000 items.
    pub total_is_estimate: bool,
    /// The page number; null when paging by cursor.
    pub page: Option<u32>,
    pub per_page: u32,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// With `facets=`: for each dimension asked, the counts of the matching items by value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

/// `links` of every list; also sent as a `Link` header.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub next: Option<String>,
    pub prev: Option<String>,
    pub first: String,
    pub last: Option<String>,
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
    pub links: PageLinks,
}

/// A page of rows as read, before they become items.
pub struct Rows<R> {
    pub rows: Vec<R>,
    pub(super) total: i64,
    pub(super) total_is_estimate: bool,
    pub(super) has_more: bool,
    pub(super) resume: Resume,
    pub(super) facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

impl<R> Rows<R> {
    /// The matches of the list, all pages together.
    pub fn total(&self) -> i64 {
        self.total
    }
}

/// Where the page after this one starts.
pub(super) enum Resume {
    /// After the last row's values of the sort keys.
    Keyset(Sort),
    /// After the last row's rank (relevance or distance) in the ranking `signature` names.
    Ranked {
        signature: String,
        last: Option<f64>,
    },
}

impl<R> Rows<R> {
    /// A page of rows ranked elsewhere (`GET /search`); `last` is the rank of the page's last
    /// row, as the database computed it.
    pub(crate) fn ranked(
        mut rows: Vec<R>,
        per_page: u32,
        total: i64,
        facets: Option<BTreeMap<String, Vec<FacetCount>>>,
        signature: String,
        last: Option<f64>,
    ) -> Self {
        let has_more = rows.len() > per_page as usize;
        rows.truncate(per_page as usize);
        Rows {
            rows,
            total,
            total_is_estimate: false,
            has_more,
            resume: Resume::Ranked { signature, last },
            facets,
        }
    }

    /// Turns the rows into items and the page into its body, links and `Link` header. For
    /// lists whose items take no `fields` or `include`.
    pub fn respond<T, F>(
        self,
        query: &ListQuery<F>,
        to_item: impl Fn(R) -> T,
    ) -> ApiResult<HttpResponse>
    where
        T: Serialize,
    {
        query.unshaped()?;
        let (data, end) = self.items(to_item)?;
        end.respond(query, data)
    }

    /// The page's items, and what its body needs besides them. The next cursor is read from
    /// the last item here, before any `fields=` can leave its sort values out.
    pub fn items<T>(self, to_item: impl Fn(R) -> T) -> ApiResult<(Vec<T>, PageEnd)>
    where
        T: Serialize,
    {
        let Rows {
            rows,
            total,
            total_is_estimate,
            has_more,
            resume,
            facets,
        } = self;
        let data: Vec<T> = rows.into_iter().map(to_item).collect();
        let next_cursor = match (has_more, resume, data.last()) {
            (true, Resume::Keyset(sort), Some(last)) => Some(cursor::encode_keyset(&sort, last)?),
            (
                true,
                Resume::Ranked {
                    signature,
                    last: Some(rank),
                },
                Some(last),
            ) => {
                let item = serde_json::to_value(last)
                    .map_err(|e| ApiError::internal(format!("serialising a cursor: {e}")))?;
                let id = item["id"]
                    .as_str()
                    .ok_or_else(|| ApiError::internal("a ranked item without an id"))?;
                Some(cursor::encode_ranked(&signature, rank, id)?)
            }
            _ => None,
        };
        Ok((
            data,
            PageEnd {
                total,
                total_is_estimate,
                has_more,
                next_cursor,
                facets,
            },
        ))
    }
}

/// A page's metadata, once its items are out.
pub struct PageEnd {
    total: i64,
    total_is_estimate: bool,
    has_more: bool,
    next_cursor: Option<String>,
    facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

impl PageEnd {
    /// The body (`data`, `meta`, `links`) and its `Link` header.
    pub fn respond<T: Serialize, F>(
        self,
        query: &ListQuery<F>,
        data: Vec<T>,
    ) -> ApiResult<HttpResponse> {
        let links = self.links(query);
        let header_value = links.header();
        let body = Page {
            data,
            meta: PageMeta {
                total: self.total,
                total_is_estimate: self.total_is_estimate,
                page: query
                    .paging
                    .cursor
                    .is_none()
                    .then(|| query.paging.page.unwrap_or(1)),
                per_page: query.paging.per_page.unwrap_or(DEFAULT_PER_PAGE),
                next_cursor: self.next_cursor,
                facets: self.facets,
            },
            links,
        };
        Ok(HttpResponse::Ok()
            .insert_header((header::LINK, header_value))
            .json(body))
    }

    /// The total the page knows.
    pub fn total(&self) -> i64 {
        self.total
    }

    /// The page as another representation than JSON (`body`), with its `Link` header.
    pub fn respond_as<F>(
        self,
        query: &ListQuery<F>,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((header::LINK, self.links(query).header()))
            .content_type(content_type)
            .body(body)
    }

    /// The `Link` header of the page alone, for the representations without a body of
    /// links (feeds).
    pub fn link_header<F>(&self, query: &ListQuery<F>) -> String {
        self.links(query).header()
    }

    /// The links to this page, its neighbours and the ends of the list, keeping the request's
    /// other parameters.
    fn links<F>(&self, query: &ListQuery<F>) -> PageLinks {
        let per_page = query.paging.per_page.unwrap_or(DEFAULT_PER_PAGE);
        let by_cursor = query.paging.cursor.is_some();
        let page = query.paging.page.unwrap_or(1);
        let last_page = ((self.total.max(1) - 1) / i64::from(per_page) + 1) as u32;
        let link = |changes: &[(&str, Option<String>)]| {
            let mut pairs: Vec<(String, String)> = query
                .pairs
                .iter()
                .filter(|(name, _)| !changes.iter().any(|(n, _)| n == name))
                .cloned()
                .collect();
            for (name, value) in changes {
                if let Some(value) = value {
                    pairs.push((name.to_string(), value.clone()));
                }
            }
            match serde_urlencoded::to_string(&pairs) {
                Ok(qs) if !qs.is_empty() => format!("{}?{qs}", query.path),
                _ => query.path.clone(),
            }
        };
        let to_page = |p: u32| link(&[("page", Some(p.to_string())), ("cursor", None)]);
        PageLinks {
            self_: link(&[]),
            next: match (&self.next_cursor, by_cursor) {
                (Some(cursor), by_cursor) if by_cursor || page >= MAX_PAGE => {
                    Some(link(&[("cursor", Some(cursor.clone())), ("page", None)]))
                }
                _ if self.has_more && !by_cursor => Some(to_page(page + 1)),
                _ => None,
            },
            // Past the end, the previous page that has items is the last one.
            prev: (!by_cursor && page > 1).then(|| {
                to_page(
                    if self.total_is_estimate {
                        page - 1
                    } else {
                        (page - 1).min(last_page)
                    }
                    .min(MAX_PAGE),
                )
            }),
            first: to_page(1),
            last: (!self.total_is_estimate && last_page <= MAX_PAGE).then(|| to_page(last_page)),
        }
    }
}

impl PageLinks {
    /// The `Link` header of RFC 8288 that says the same.
    fn header(&self) -> String {
        [
            ("self", Some(&self.self_)),
            ("first", Some(&self.first)),
            ("prev", self.prev.as_ref()),
            ("next", self.next.as_ref()),
            ("last", self.last.as_ref()),
        ]
        .into_iter()
        .filter_map(|(rel, url)| url.map(|url| format!("<{url}>; rel=\"{rel}\"")))
        .collect::<Vec<_>>()
        .join(", ")
    }
}
