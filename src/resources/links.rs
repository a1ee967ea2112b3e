//! Many-to-many links (themes, speakers, authors, trainers, network membership), each
//! described once here and used by the filters, the writes, the search and the deletions of
//! themes alike. Links are replaced as a whole on every write, in the transaction that holds
//! the item's row; the database copies them onto the row as arrays (migrations 000008, 000016),
//! which the lists read.

use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, FieldError};
use crate::msg;
use crate::query::LinkTable;
use crate::query::sql::{Bind, Sql};

pub static CENTRE_THEMES: LinkTable = LinkTable::themes("centre_themes", "centre_id");
pub static ACTOR_THEMES: LinkTable = LinkTable::themes("actor_themes", "actor_id");
pub static EVENT_THEMES: LinkTable = LinkTable::themes("event_themes", "event_id");
pub static TRAINING_THEMES: LinkTable = LinkTable::themes("training_themes", "training_id");
pub static DOCUMENT_THEMES: LinkTable = LinkTable::themes("document_themes", "document_id");

/// The centres whose network an actor belongs to.
pub static NETWORK: LinkTable = LinkTable {
    table: "actor_centres",
    owner: "actor_id",
    target: "centre_id",
    targets: "centres",
    field: "centre_ids",
    ordered: false,
};
pub static SPEAKERS: LinkTable = LinkTable {
    table: "event_speakers",
    owner: "event_id",
    target: "actor_id",
    targets: "actors",
    field: "speaker_ids",
    ordered: true,
};
pub static EVENT_DOCUMENTS: LinkTable = LinkTable {
    table: "event_documents",
    owner: "event_id",
    target: "document_id",
    targets: "documents",
    field: "document_ids",
    ordered: true,
};
pub static AUTHORS: LinkTable = LinkTable {
    table: "document_authors",
    owner: "document_id",
    target: "actor_id",
    targets: "actors",
    field: "author_ids",
    ordered: true,
};
pub static TRAINERS: LinkTable = LinkTable {
    table: "training_trainers",
    owner: "training_id",
    target: "actor_id",
    targets: "actors",
    field: "trainer_ids",
    ordered: true,
};

/// The collections that can be tagged: their table and their theme links.
pub static TAGGED: [(&str, &LinkTable); 5] = [
    ("centres", &CENTRE_THEMES),
    ("actors", &ACTOR_THEMES),
    ("events", &EVENT_THEMES),
    ("trainings", &TRAINING_THEMES),
    ("documents", &DOCUMENT_THEMES),
];

/// Replaces the targets of `owner`. Unknown targets are a 422 naming the field.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    link: &LinkTable,
    owner: Uuid,
    targets: &[Uuid],
) -> ApiResult<()> {
    let mut unique: Vec<Uuid> = Vec::with_capacity(targets.len());
    for target in targets {
        if !unique.contains(target) {
            unique.push(*target);
        }
    }
    let mut delete = Sql::from("DELETE FROM ");
    delete
        .push(link.table)
        .push(" WHERE ")
        .push(link.owner)
        .push(" = ")
        .bind(Bind::Uuid(owner));
    delete.execute(conn).await?;
    if unique.is_empty() {
        return Ok(());
    }
    let mut insert = Sql::from("INSERT INTO ");
    insert
        .push(link.table)
        .push(" (")
        .push(link.owner)
        .push(", ")
        .push(link.target)
        .push(if link.ordered { ", position" } else { "" })
        .push(") SELECT ")
        .bind(Bind::Uuid(owner))
        .push(if link.ordered { ", u.x, u.n" } else { ", u.x" })
        .push(" FROM unnest(")
        .bind(Bind::Uuids(unique))
        .push("::uuid[]) WITH ORDINALITY AS u(x, n)");
    insert
        .execute(conn)
        .await
        .map_err(|e| match ApiError::from(e) {
            error if error.status().as_u16() == 422 => {
                ApiError::invalid_field(link.field, "unknown_reference", msg!("link-unknown"))
            }
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
    link: &LinkTable,
    owner: Uuid,
    slugs: &[String],
) -> ApiResult<()> {
    let mut query = Sql::from("SELECT id, slug FROM themes WHERE slug = ANY(");
    query.bind(Bind::Texts(slugs.to_vec())).push(")");
    let found: Vec<ThemeId> = query.load(conn).await?;
    let unknown: Vec<FieldError> = slugs
        .iter()
        .enumerate()
        .filter(|(_, slug)| !found.iter().any(|t| &t.slug == *slug))
        .map(|(i, slug)| {
            FieldError::new(
                format!("themes[{i}]"),
                "unknown_theme",
                msg!("theme-unknown", slug = slug.to_string()),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::unprocessable(unknown));
    }
    let ids: Vec<Uuid> = found.into_iter().map(|t| t.id).collect();
    replace(conn, link, owner, &ids).await
}
