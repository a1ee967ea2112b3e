use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{THEMES, Theme};
use crate::auth::{Admin, Caller};
use crate::error::{
    ApiError, ApiResult, CreateErrors, DeleteErrors, ListErrors, ReadErrors, UpdateErrors,
};
use crate::http::{JsonBody, MergePatch};
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::query::{Collection, Condition, Filters, Instant, ListQuery, Page, Paging, Shaping};
use crate::resources::linked_data::{self, node};
use crate::resources::links;
use crate::resources::relation::Relation;
use crate::resources::shape;
use crate::resources::values::validate_slug;
use crate::resources::{Resource, crud, slugs};
use crate::schema::themes;
use crate::state::AppState;

/// A theme to create, or a theme after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = themes, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
pub struct ThemeInput {
    /// Made from the label when omitted.
    #[validate(custom(function = "validate_slug"))]
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 120)]
    #[diesel(skip_insertion, skip_update)]
    pub slug: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(example = "Zones humides")]
    pub label: String,
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// The slug of the parent theme.
    #[schema(example = "milieux-naturels")]
    #[diesel(skip_insertion, skip_update)]
    pub parent: Option<String>,
}

/// Filters of the theme list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ThemeFilters {
    /// Full-text search in French: accents, case, plurals and common inflections do not
    /// matter. Ranked by relevance unless `sort` is given.
    #[param(example = "biodiversite")]
    pub q: Option<String>,
    /// Children of this theme (id or slug).
    pub parent: Option<String>,
    /// Themes changed at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub updated_since: Option<Instant>,
}

impl Filters for ThemeFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        if let Some(q) = &self.q {
            conditions.push(Condition::search(q, None)?);
        }
        if let Some(parent) = &self.parent {
            conditions.push(Condition::RefersTo {
                column: "t.parent_id",
                table: "themes",
                key: parent.clone(),
            });
        }
        conditions.extend(self.updated_since.map(Condition::updated_since));
        Ok(conditions)
    }
}

pub struct Themes;

impl Themes {
    /// The themes an item is tagged with, from its `themes` slugs: a relation of every
    /// collection that can be tagged.
    pub const TAGS: Relation = Relation {
        by_slug: true,
        ..shape::many::<Themes>("themes", "themes")
    };
}

impl Resource for Themes {
    type Item = Theme;
    type Input = ThemeInput;
    type Filters = ThemeFilters;
    type Parent = ();
    const COLLECTION: &'static Collection = &THEMES;
    const NAME: &'static str = "themes";
    const TRASHED: bool = false;
    const RELATIONS: &'static [Relation] = &[Relation {
        by_slug: true,
        ..shape::one::<Themes>("parent", "parent")
    }];

    fn id(item: &Theme) -> Uuid {
        item.id
    }

    async fn linked_data(
        _: &mut AsyncPgConnection,
        themes: &[Theme],
        origin: &str,
    ) -> ApiResult<Option<Vec<Value>>> {
        Ok(Some(
            themes.iter().map(|item| linked(item, origin)).collect(),
        ))
    }

    fn location(item: &Theme) -> String {
        format!("/api/v1/themes/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        mut input: ThemeInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        let parent_id = match &input.parent {
            None => None,
            Some(parent) => Some(parent_id(conn, parent, existing).await?),
        };
        let slug = slugs::choose(conn, "themes", input.slug.take(), &input.label).await?;
        let id = match existing {
            None => {
                diesel::insert_into(themes::table)
                    .values((
                        &input,
                        themes::slug.eq(&slug),
                        themes::parent_id.eq(parent_id),
                    ))
                    .returning(themes::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(themes::table.find(id))
                    .set((
                        &input,
                        themes::slug.eq(&slug),
                        themes::parent_id.eq(parent_id),
                        themes::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(themes::id)
                    .get_result(conn)
                    .await?
            }
        };
        Ok(id)
    }

    /// Deleting a theme unlinks it from every item tagged with it, and the database then
    /// rewrites each item's `theme_ids`: those items are locked first, in a fixed order.
    async fn before_delete(conn: &mut AsyncPgConnection, key: &str) -> ApiResult<()> {
        for (table, link) in &links::TAGGED {
            let mut sql = Sql::from("SELECT o.id FROM ");
            sql.push(table)
                .push(" o WHERE o.id IN (SELECT l.")
                .push(link.owner)
                .push(" FROM ")
                .push(link.table)
                .push(" l JOIN themes th ON th.id = l.theme_id WHERE ");
            match Uuid::parse_str(key) {
                Ok(id) => sql.push("th.id = ").bind(Bind::Uuid(id)),
                Err(_) => sql.push("th.slug = ").bind(Bind::Text(key.to_string())),
            };
            sql.push(") ORDER BY o.id FOR UPDATE OF o");
            sql.execute(conn).await?;
        }
        Ok(())
    }
}

/// The parent's id; refused when unknown, or when it would put a theme below itself.
async fn parent_id(
    conn: &mut AsyncPgConnection,
    slug: &str,
    theme: Option<Uuid>,
) -> ApiResult<Uuid> {
    let parent: Uuid = themes::table
        .filter(themes::slug.eq(slug))
        .select(themes::id)
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| {
            ApiError::invalid_field(
                "parent",
                "unknown_theme",
                msg!("theme-unknown", slug = slug.to_string()),
            )
        })?;
    if let Some(theme) = theme {
        // Re-parentings are serialised, so that two of them cannot together close a cycle.
        diesel::sql_query("LOCK TABLE themes IN SHARE ROW EXCLUSIVE MODE")
            .execute(conn)
            .await?;
        let mut seen = vec![theme];
        let mut ancestor = Some(parent);
        // The taxonomy is shallow: walking up from the new parent is a handful of lookups.
        while let Some(current) = ancestor {
            if seen.contains(&current) {
                return Err(ApiError::invalid_field(
                    "parent",
                    "cycle",
                    msg!("theme-cycle"),
                ));
            }
            seen.push(current);
            ancestor = themes::table
                .find(current)
                .select(themes::parent_id)
                .first(conn)
                .await?;
        }
    }
    Ok(parent)
}

/// List themes.
///
/// Includes (`include=`): `parent`.
///
/// Sortable fields: `label` (default), `slug`, `created_at`, `updated_at`.
#[utoipa::path(tag = "themes", operation_id = "list_themes", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(Paging, Shaping, ThemeFilters),
    responses(
        (status = 200, description = "A page of themes", body = Page<Theme>),
        ListErrors,
    ))]
#[get("/themes")]
pub async fn list_themes(
    state: web::Data<AppState>,
    caller: Caller,
    query: ListQuery<ThemeFilters>,
) -> ApiResult<HttpResponse> {
    crud::list::<Themes>(&state, &caller, query, Vec::new()).await
}

/// Read a theme by id or slug.
///
/// Includes (`include=`): `parent`.
#[utoipa::path(tag = "themes", operation_id = "get_theme", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    params(("key" = String, Path, description = "Id or slug"), Shaping),
    responses(
        (status = 200, description = "The theme", body = Theme, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ReadErrors,
    ))]
#[get("/themes/{key}")]
pub async fn get_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    shaping: Shaping,
) -> ApiResult<HttpResponse> {
    crud::get::<Themes>(&req, &state, &caller, &key, Vec::new(), &shaping).await
}

/// Create a theme (admin).
#[utoipa::path(tag = "themes", operation_id = "create_theme", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = ThemeInput,
    responses(
        (status = 201, description = "Created", body = Theme, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/themes")]
pub async fn create_theme(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<ThemeInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Themes>(&state, &admin.0, body.into_inner(), ()).await
}

/// Change a theme with a JSON Merge Patch (admin).
#[utoipa::path(tag = "themes", operation_id = "update_theme", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = ThemeInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change, null to clear"),
    responses(
        (status = 200, description = "Updated", body = Theme, headers(("ETag" = String))),
        UpdateErrors,
    ))]
#[patch("/themes/{key}")]
pub async fn update_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    crud::update::<Themes>(&req, &state, &admin.0, &key, patch, Vec::new(), ()).await
}

/// Delete a theme (admin). Items lose the tag; a theme with children cannot be deleted (409).
#[utoipa::path(tag = "themes", operation_id = "delete_theme", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("key" = String, Path, description = "Id or slug"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        DeleteErrors,
    ))]
#[delete("/themes/{key}")]
pub async fn delete_theme(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Themes>(&req, &state, &admin.0, &key, Vec::new()).await
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_themes)
        .service(get_theme)
        .service(create_theme)
        .service(update_theme)
        .service(delete_theme);
}

/// A theme as schema.org says it: a `DefinedTerm` of the shared taxonomy.
fn linked(theme: &Theme, origin: &str) -> Value {
    node(json!({
        "@type": "DefinedTerm",
        "@id": format!("{origin}{}", Themes::location(theme)),
        "termCode": theme.slug,
        "name": theme.label,
        "description": theme.description,
        "inDefinedTermSet": linked_data::reference(origin, "/api/v1/themes".to_string()),
    }))
}
