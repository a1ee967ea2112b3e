//! Slugs: given by the client, or made from the title and kept unique.

use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{ApiError, ApiResult};
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::resources::trash;

const MAX_BASE_LEN: usize = 80;

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = diesel::sql_types::Text)]
    slug: String,
}

/// The slug to store: the requested one as is (a duplicate is then a 409), or one made from
/// `source` (« Journée technique zones humides » → `journee-technique-zones-humides`), with a
/// `-2`, `-3`… suffix when taken. Called within the transaction that stores the slug.
pub async fn choose(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    requested: Option<String>,
    source: &str,
) -> ApiResult<String> {
    if let Some(slug) = requested {
        // An item in the trash keeps its slug, so that restoring it finds its URL free.
        if trash::holds_slug(conn, table, &slug).await? {
            return Err(ApiError::conflict(msg!("slug-in-trash")));
        }
        return Ok(slug);
    }
    let mut base = slug::slugify(source);
    if base.len() > MAX_BASE_LEN {
        base.truncate(MAX_BASE_LEN);
        base = base.trim_end_matches('-').to_string();
    }
    if base.is_empty() {
        base = table.trim_end_matches('s').replace('_', "-");
    }
    // Two writers making the same slug at once would both find it free, and the second would
    // get a 409 for a slug it never asked for: they take turns, until the first commits.
    let mut lock = Sql::from("SELECT pg_advisory_xact_lock(hashtext(");
    lock.bind(Bind::Text(format!("{table}/{base}"))).push("))");
    lock.execute(conn).await?;
    let mut query = Sql::from("SELECT slug FROM ");
    query
        .push(table)
        .push(" WHERE slug = ")
        .bind(Bind::Text(base.clone()))
        .push(" OR slug LIKE ")
        .bind(Bind::Text(format!("{base}-%")));
    let mut taken: Vec<String> = query
        .load::<Taken>(conn)
        .await?
        .into_iter()
        .map(|t| t.slug)
        .collect();
    taken.extend(trash::slugs_like(conn, table, &base).await?);
    if !taken.contains(&base) {
        return Ok(base);
    }
    let next = (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(base);
    Ok(next)
}
