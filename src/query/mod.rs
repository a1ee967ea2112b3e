//! Lists, written once: paging (offset or keyset cursor), sorting from a whitelist, filters,
//! visibility by role, totals that stay cheap on large tables, and the `data`/`meta`/`links`
//! body with its `Link` header.
//!
//! A collection describes itself with a [`Collection`]; its filter parameters are a struct that
//! turns into [`Condition`]s. A request becomes a [`Plan`], whose statements are built from
//! [`sql::Sql`] fragments only.

pub mod collection;
pub mod condition;
pub mod counts;
pub mod cursor;
pub mod find;
pub mod geo;
pub mod list;
pub mod page;
pub mod params;
pub mod sql;
pub mod values;
pub mod visibility;

pub use collection::{
    Collection, FACET_VALUES, Facet, FacetCount, KeyType, Keys, Lock, SortKey, THEME_LABEL,
};
pub use condition::{Authorship, Condition, Direction, Filters, LinkTable, Span};
pub use counts::Counts;
pub use list::{EXACT_TOTAL_LIMIT, Plan};
pub use page::{Page, PageEnd, PageLinks, PageMeta, Rows};
pub use params::{
    DEFAULT_PER_PAGE, FeedPaging, ListQuery, MAX_PER_PAGE, NoParams, Paging, Shaping,
};
pub use values::{DateBound, Instant};
pub use visibility::Visibility;
