use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::Action;
use super::model::{AUDIT, AuditEntry};
use crate::auth::Admin;
use crate::error::{AdminListErrors, ApiResult};
use crate::query::sql::Bind;
use crate::query::{Condition, Filters, Instant, ListQuery, Page, Paging, Plan};
use crate::state::AppState;

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Entries of this collection.
    #[param(example = "documents", min_length = 1)]
    pub collection: Option<String>,
    /// Entries of this item (its id).
    pub item: Option<Uuid>,
    /// Entries written by this account.
    pub user: Option<Uuid>,
    pub action: Option<Action>,
    /// Written at or after this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<Instant>,
    /// Written before this instant (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<Instant>,
}

impl Filters for AuditFilters {
    fn conditions(&self) -> ApiResult<Vec<Condition>> {
        let mut conditions = Vec::new();
        conditions.extend(
            self.collection
                .as_deref()
                .map(|v| Condition::text("t.collection", v)),
        );
        conditions.extend(self.item.map(|id| Condition::Equals {
            column: "t.item_id",
            value: Bind::Uuid(id),
        }));
        conditions.extend(self.user.map(|id| Condition::Equals {
            column: "t.user_id",
            value: Bind::Uuid(id),
        }));
        conditions.extend(self.action.map(|v| Condition::text("t.action", v.as_str())));
        conditions.extend(self.from.map(|at| Condition::AtOrAfter {
            column: "t.at",
            at: Bind::Timestamp(at.0),
        }));
        conditions.extend(self.to.map(|at| Condition::Before {
            column: "t.at",
            at: Bind::Timestamp(at.0),
        }));
        Ok(conditions)
    }
}

/// List the audit trail (admin): every write, newest first.
///
/// Sortable fields: `at` (default: `-at`, newest first). Entries are never changed nor
/// deleted, through the API or otherwise.
#[utoipa::path(tag = "audit", operation_id = "list_audit_entries", security(("bearer" = [])),
    extensions(("x-roles" = json!(["admin"]))),
    params(Paging, AuditFilters),
    responses((status = 200, description = "A page of the audit trail", body = Page<AuditEntry>), AdminListErrors))]
#[get("/audit")]
pub async fn list_audit_entries(
    state: web::Data<AppState>,
    admin: Admin,
    query: ListQuery<AuditFilters>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Plan::new(&AUDIT, admin.0.role, &query, Vec::new())?
        .run::<AuditEntry>(&mut conn, &state.counts)
        .await?
        .respond(&query, |entry| entry)
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_audit_entries);
}
