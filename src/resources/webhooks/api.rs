use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::model::{DELIVERIES, Delivery, DeliveryStatus, WEBHOOKS, WatchedCollection, Webhook};
use super::{check_endpoint, check_secret};
use crate::auth::{Admin, Caller};
use crate::error::{
    AdminListErrors, ApiError, ApiResult, CreateErrors, DeleteErrors, Problem, ReadErrors,
    UpdateErrors,
};
use crate::http::{JsonBody, MergePatch};
use crate::msg;
use crate::query::sql::Bind;
use crate::query::{Collection, Condition, Filters, ListQuery, NoParams, Page, Paging};
use crate::resources::audit::Action;
use crate::resources::{Resource, crud};
use crate::schema::webhooks;
use crate::state::AppState;

/// An endpoint to register, or an endpoint after a patch.
#[derive(Debug, Deserialize, Validate, ToSchema, Insertable, AsChangeset)]
#[diesel(table_name = webhooks, treat_none_as_null = true)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// An `https` URL outside loopback and private networks (`http` and such addresses only
    /// with `RELAIS_WEBHOOKS_ALLOW_PRIVATE=true`, for development).
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    #[schema(example = "https://www.pole-zones-humides.org/relais/webhook")]
    pub url: String,
    /// The collections it wants; empty or omitted: all of them.
    #[serde(default)]
    #[validate(length(max = 7))]
    #[schema(max_items = 7)]
    pub collections: Vec<WatchedCollection>,
    /// The actions it wants; empty or omitted: all of them.
    #[serde(default)]
    #[validate(length(max = 9))]
    #[schema(max_items = 9)]
    pub actions: Vec<Action>,
    /// The signing secret, as Standard Webhooks writes it: `whsec_` and the base64 of 24
    /// bytes or more. Required to register; a patch that leaves it out keeps it. Never sent
    /// back.
    #[schema(
        value_type = String,
        required = true,
        pattern = "^whsec_(?:[A-Za-z0-9+/]{4}){8,}(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$",
        write_only
    )]
    #[diesel(skip_insertion, skip_update)]
    pub secret: Option<String>,
    /// Whether it receives deliveries; enabling it again clears its failures.
    #[serde(default = "enabled")]
    pub enabled: bool,
}

fn enabled() -> bool {
    true
}

pub struct Webhooks;

impl Resource for Webhooks {
    type Item = Webhook;
    type Input = WebhookInput;
    type Filters = NoParams;
    type Parent = ();
    const COLLECTION: &'static Collection = &WEBHOOKS;
    const NAME: &'static str = "webhooks";
    const TRASHED: bool = false;
    const SHAPED: bool = false;
    const READ_ONLY: &'static [&'static str] = &[
        "id",
        "created_at",
        "updated_at",
        "consecutive_failures",
        "disabled_reason",
    ];

    fn admit(_: &Caller, current: Option<&Webhook>, input: &mut WebhookInput) -> ApiResult<()> {
        check_endpoint(&input.url)?;
        match (&input.secret, current) {
            (Some(secret), _) => check_secret(secret),
            (None, None) => Err(ApiError::invalid_field(
                "secret",
                "required",
                msg!("webhook-secret-required"),
            )),
            (None, Some(_)) => Ok(()),
        }
    }

    fn id(item: &Webhook) -> Uuid {
        item.id
    }

    fn location(item: &Webhook) -> String {
        format!("/api/v1/webhooks/{}", item.id)
    }

    async fn save(
        conn: &mut AsyncPgConnection,
        input: WebhookInput,
        existing: Option<Uuid>,
        _: (),
    ) -> ApiResult<Uuid> {
        let id = match existing {
            None => {
                let secret = input.secret.clone().unwrap_or_default();
                diesel::insert_into(webhooks::table)
                    .values((&input, webhooks::secret.eq(secret)))
                    .returning(webhooks::id)
                    .get_result(conn)
                    .await?
            }
            Some(id) => {
                diesel::update(webhooks::table.find(id))
                    .set((&input, webhooks::updated_at.eq(diesel::dsl::now)))
                    .returning(webhooks::id)
                    .get_result(conn)
                    .await?
            }
        };
        if let (Some(secret), Some(_)) = (&input.secret, existing) {
            diesel::update(webhooks::table.find(id))
                .set(webhooks::secret.eq(secret))
                .execute(conn)
                .await?;
        }
        if input.enabled {
            diesel::update(
                webhooks::table
                    .find(id)
                    .filter(webhooks::consecutive_failures.gt(0)),
            )
            .set((
                webhooks::consecutive_failures.eq(0),
                webhooks::disabled_reason.eq(None::<String>),
            ))
            .execute(conn)
            .await?;
        }
        Ok(id)
    }
}

/// List the webhook endpoints (admin).
///
/// Sortable fields: `created_at` (default), `updated_at`.
#[utoipa::path(tag = "webhooks", operation_id = "list_webhooks", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(Paging),
    responses((status = 200, description = "A page of endpoints", body = Page<Webhook>), AdminListErrors))]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    admin: Admin,
    query: ListQuery<NoParams>,
) -> ApiResult<HttpResponse> {
    crud::list::<Webhooks>(&state, &admin.0, query, Vec::new()).await
}

/// Read a webhook endpoint (admin).
#[utoipa::path(tag = "webhooks", operation_id = "get_webhook", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The endpoint", body = Webhook, headers(("ETag" = String))), ReadErrors))]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    let shaping = Default::default();
    crud::get::<Webhooks>(
        &req,
        &state,
        &admin.0,
        &id.to_string(),
        Vec::new(),
        &shaping,
    )
    .await
}

/// Register a webhook endpoint (admin).
///
/// Every committed change to a public item of the collections it wants is sent to it as a
/// JSON `POST` signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`), from an outbox written in the change's own transaction; failed
/// attempts are retried with exponential backoff, and the endpoint is disabled after
/// repeated failure. The URL must be `https` outside loopback and private networks: a
/// rule the schema cannot state (`422` `url`).
#[utoipa::path(tag = "webhooks", operation_id = "create_webhook", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    request_body = WebhookInput,
    responses(
        (status = 201, description = "Registered", body = Webhook, headers(("Location" = String), ("ETag" = String))),
        CreateErrors,
    ))]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    admin: Admin,
    body: JsonBody<WebhookInput>,
) -> ApiResult<HttpResponse> {
    crud::create::<Webhooks>(&state, &admin.0, body.into_inner(), ()).await
}

/// Change a webhook endpoint with a JSON Merge Patch (admin).
#[utoipa::path(tag = "webhooks", operation_id = "update_webhook", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body(content = WebhookInput, content_type = "application/merge-patch+json", description = "A JSON Merge Patch (RFC 7386): only the fields to change"),
    responses((status = 200, description = "Updated", body = Webhook, headers(("ETag" = String))), UpdateErrors))]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
    patch: MergePatch,
) -> ApiResult<HttpResponse> {
    let key = id.to_string();
    crud::update::<Webhooks>(&req, &state, &admin.0, &key, patch, Vec::new(), ()).await
}

/// Remove a webhook endpoint and its delivery log (admin).
#[utoipa::path(tag = "webhooks", operation_id = "delete_webhook", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses((status = 204, description = "Removed"), DeleteErrors))]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    crud::delete::<Webhooks>(&req, &state, &admin.0, &id.to_string(), Vec::new()).await
}

/// Filters of a delivery log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilters {
    pub status: Option<DeliveryStatus>,
}

impl Filters for DeliveryFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        Ok(self
            .status
            .map(|v| Condition::text("t.status", v.as_str()))
            .into_iter()
            .collect())
    }
}

/// List an endpoint's deliveries, newest first (admin): what was sent, how many attempts,
/// the endpoint's last answer.
///
/// Sortable fields: `created_at` (default, newest first), `next_attempt_at`.
#[utoipa::path(tag = "webhooks", operation_id = "list_webhook_deliveries", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(("id" = Uuid, Path), Paging, DeliveryFilters),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<Delivery>),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        AdminListErrors,
    ))]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Uuid>,
    query: ListQuery<DeliveryFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    crud::find::<Webhooks>(&mut conn, &admin.0, &id.to_string(), Vec::new()).await?;
    let of = Condition::Equals {
        column: "t.webhook_id",
        value: Bind::Uuid(*id),
    };
    crate::query::Plan::new(&DELIVERIES, admin.0.role, &query, vec![of])?
        .run::<Delivery>(&mut conn, &state.counts)
        .await?
        .respond(&query, |delivery| delivery)
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_webhooks)
        .service(get_webhook)
        .service(create_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(list_webhook_deliveries);
}
