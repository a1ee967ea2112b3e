//! INSEE regions and departments: the reference list (`GET /territories`) and the rule that
//! keeps an item's region in step with its department.

use actix_web::{HttpRequest, HttpResponse, get, web};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, ListErrors};
use crate::http::item_response;
use crate::msg;
use crate::query::NoParams;
use crate::query::sql::{Bind, Sql};
use crate::schema::{departments, regions};
use crate::state::AppState;

#[derive(QueryableByName)]
struct Placed {
    /// The region of the department given.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    of_department: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    stored_region: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    stored_department: Option<String>,
}

/// The region and department an item of `table` is saved with. The region follows from the
/// department, so it may be left out; a region that contradicts the department given with it
/// is a 422. A patch that only moves the department carries the old region along: the
/// department's region then replaces it.
pub async fn place(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    existing: Option<Uuid>,
    region: Option<String>,
    department: Option<String>,
) -> ApiResult<(Option<String>, Option<String>)> {
    let Some(department) = department.map(|code| code.to_ascii_uppercase()) else {
        return Ok((region, None));
    };
    let mut sql = Sql::from("SELECT (SELECT region_code FROM departments WHERE code = ");
    sql.bind(Bind::Text(department.clone()))
        .push(
            ") AS of_department, s.region_code AS stored_region, \
             s.department_code AS stored_department FROM (SELECT 1) one LEFT JOIN ",
        )
        .push(table)
        .push(" s ON s.id = ")
        .bind(Bind::Uuid(existing.unwrap_or_default()));
    let placed: Placed = sql.get_result(conn).await?;
    let Some(of_department) = placed.of_department else {
        return Err(ApiError::invalid_field(
            "department_code",
            "unknown_reference",
            msg!("department-unknown", department = department.to_string()),
        ));
    };
    let carried = placed.stored_department.as_deref() != Some(department.as_str())
        && region.is_some()
        && region == placed.stored_region;
    match region {
        Some(region) if region != of_department && !carried => Err(ApiError::invalid_field(
            "region_code",
            "not_region_of_department",
            msg!(
                "region-of-department",
                department = department.to_string(),
                actual = of_department.to_string(),
                region = region.to_string()
            ),
        )),
        _ => Ok((Some(of_department), Some(department))),
    }
}

/// A department (INSEE code and name).
#[derive(Debug, Serialize, ToSchema)]
pub struct Department {
    #[schema(example = "34")]
    pub code: String,
    #[schema(example = "Hérault")]
    pub name: String,
}

/// A region (INSEE code and name) with its departments.
#[derive(Debug, Serialize, ToSchema)]
pub struct Region {
    #[schema(example = "76")]
    pub code: String,
    #[schema(example = "Occitanie")]
    pub name: String,
    pub departments: Vec<Department>,
}

/// Every region with its departments.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub data: Vec<Region>,
}

/// The INSEE regions and departments that `region_code`, `department_code` and `territory=`
/// use, by code.
#[utoipa::path(tag = "territories", operation_id = "list_territories", security((), ("bearer" = [])),
    extensions(("x-roles" = json!(["public", "member", "admin"]))),
    responses(
        (status = 200, description = "Regions and their departments", body = RegionList, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        ListErrors,
    ))]
#[get("/territories")]
pub async fn list_territories(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: NoParams,
) -> ApiResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let rows: Vec<(String, String, String, String)> = departments::table
        .inner_join(regions::table)
        .select((
            regions::code,
            regions::name,
            departments::code,
            departments::name,
        ))
        .order((regions::code, departments::code))
        .load(&mut conn)
        .await?;
    let mut data: Vec<Region> = Vec::new();
    for (region_code, region_name, code, name) in rows {
        if data.last().is_none_or(|r| r.code != region_code) {
            data.push(Region {
                code: region_code,
                name: region_name,
                departments: Vec::new(),
            });
        }
        if let Some(region) = data.last_mut() {
            region.departments.push(Department { code, name });
        }
    }
    item_response(&req, &RegionList { data })
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list_territories);
}
