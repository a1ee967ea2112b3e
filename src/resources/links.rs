//! Many-to-many links (themes, speakers, authors, network membership), replaced as a whole
//! on every write and read back as arrays in the collection's select list.

use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, FieldError};
use crate::query::sql::{Bind, SqlBuilder};

/// A link table `table(owner, target[, position])`.
pub struct Link {
    pub table: &'static str,
    pub owner: &'static str,
    pub target: &'static str,
    /// The input field it comes from, to name it in errors.
    pub field: &'static str,
    /// Whether the order given is kept (speakers, authors).
    pub ordered: bool,
}

/// Replaces the targets of `owner`. Unknown targets are a 422 naming the field.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    link: &Link,
    owner: Uuid,
    targets: &[Uuid],
) -> ApiResult<()> {
    let mut unique: Vec<Uuid> = Vec::with_capacity(targets.len());
    for target in targets {
        if !unique.contains(target) {
            unique.push(*target);
        }
    }
    let mut delete = SqlBuilder::new(&format!(
        "DELETE FROM {} WHERE {} = ",
        link.table, link.owner
    ));
    let id = delete.param(Bind::Uuid(owner));
    delete.push(&id);
    delete.into_query().execute(conn).await?;
    if unique.is_empty() {
        return Ok(());
    }
    let (columns, values) = if link.ordered {
        (
            format!("{}, {}, position", link.owner, link.target),
            "u.x, u.n",
        )
    } else {
        (format!("{}, {}", link.owner, link.target), "u.x")
    };
    let mut insert = SqlBuilder::new(&format!("INSERT INTO {} ({columns}) SELECT ", link.table));
    let owner = insert.param(Bind::Uuid(owner));
    let targets = insert.param(Bind::Uuids(unique));
    insert.push(&format!(
        "{owner}, {values} FROM unnest({targets}::uuid[]) WITH ORDINALITY AS u(x, n)"
    ));
    insert
        .into_query()
        .execute(conn)
        .await
        .map_err(|e| match ApiError::from(e) {
            error if error.status().as_u16() == 422 => ApiError::invalid_field(
                link.field,
                "unknown_reference",
                "names something that does not exist",
            ),
            error => error,
        })?;
    Ok(())
}

#[derive(QueryableByName)]
struct ThemeId {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    slug: String,
}

/// Replaces the themes of `owner`, given by slug; an unknown slug is a 422 on `themes[i]`.
pub async fn replace_themes(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    owner_column: &'static str,
    owner: Uuid,
    slugs: &[String],
) -> ApiResult<()> {
    let mut query = SqlBuilder::new("SELECT id, slug FROM themes WHERE slug = ANY(");
    let wanted = query.param(Bind::Texts(slugs.to_vec()));
    query.push(&format!("{wanted})"));
    let found: Vec<ThemeId> = query.into_query().load(conn).await?;
    let unknown: Vec<FieldError> = slugs
        .iter()
        .enumerate()
        .filter(|(_, slug)| !found.iter().any(|t| &t.slug == *slug))
        .map(|(i, slug)| {
            FieldError::new(
                format!("themes[{i}]"),
                "unknown_theme",
                format!("there is no theme `{slug}`"),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::unprocessable(unknown));
    }
    let link = Link {
        table,
        owner: owner_column,
        target: "theme_id",
        field: "themes",
        ordered: false,
    };
    let ids: Vec<Uuid> = found.into_iter().map(|t| t.id).collect();
    replace(conn, &link, owner, &ids).await
}
