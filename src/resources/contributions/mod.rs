//! Contributions: members write documents (retours d'expérience, comptes rendus…) and propose
//! events that stay visible to their authors and administrators only until an administrator
//! publishes them or rejects them with a reason, through explicit operations rather than a
//! status patch. The rules are written once here for every contributed collection.
//!
//! The life of a contribution: `draft` ⇄ `submitted` (its authors), then `published` or
//! `rejected` (an administrator, `/publication` or `/rejection`). Its authors edit it until
//! it is published; an edit of a rejected contribution submits it again. Once published, it
//! is the centre's: its authors' edits are refused (409), and administrators edit it.

pub mod api;
pub mod model;

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::audit::{self, Action};
use super::{Resource, crud};
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{Preconditions, updated_response};
use crate::msg;
use crate::query::sql::{Bind, Sql};
use crate::state::AppState;

/// The statuses of a contributed collection that moderation knows.
pub trait Moderated: Copy + Eq + Send + Sync + 'static {
    const DRAFT: Self;
    const SUBMITTED: Self;
    const PUBLISHED: Self;
    const REJECTED: Self;
    fn name(self) -> &'static str;
}

/// What the rules read of an item.
pub struct Submission<'a, S> {
    pub status: S,
    pub submitted_by: Option<Uuid>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The actor profiles named as its co-authors.
    pub coauthors: &'a [Uuid],
}

/// What the rules set on an input.
pub struct Submitting<'a, S> {
    pub status: &'a mut Option<S>,
    pub submitted_by: &'a mut Option<Uuid>,
    pub submitted_at: &'a mut Option<DateTime<Utc>>,
}

/// A collection that members contribute to.
pub trait Contributed: Resource {
    type Status: Moderated;
    /// One item, as messages name it.
    const ITEM: &'static str;
    /// What publishing sets besides the status, as SQL assignments (`, published_on = …`).
    const ON_PUBLICATION: &'static str = "";
    fn submission(item: &Self::Item) -> Submission<'_, Self::Status>;
    fn submitting(input: &mut Self::Input) -> Submitting<'_, Self::Status>;
}

/// Whether `caller` reads who submitted an item: administrators, and that member.
pub fn sees_submitter(caller: &Caller, submitted_by: Option<Uuid>) -> bool {
    caller.role == Role::Admin || (submitted_by.is_some() && submitted_by == caller.user_id)
}

/// Whether `caller` is one of the item's authors: the member who submitted it, or one named
/// among its co-authors through its actor profile.
pub fn is_author<R: Contributed>(caller: &Caller, item: &R::Item) -> bool {
    let submission = R::submission(item);
    (caller.user_id.is_some() && submission.submitted_by == caller.user_id)
        || caller
            .actor_id
            .is_some_and(|actor| submission.coauthors.contains(&actor))
}

/// Whether `caller` may change the item (its content, or a document's file) now.
pub fn may_edit<R: Contributed>(caller: &Caller, item: &R::Item) -> ApiResult<()> {
    let status = R::submission(item).status;
    let open = [R::Status::DRAFT, R::Status::SUBMITTED, R::Status::REJECTED];
    match caller.role {
        Role::Admin => Ok(()),
        Role::Member if !is_author::<R>(caller, item) => Err(ApiError::forbidden_because(msg!(
            "authors-only",
            item = R::ITEM
        ))),
        Role::Member if !open.contains(&status) => Err(ApiError::refused(
            "not-editable",
            msg!("not-editable", item = R::ITEM, status = status.name()),
        )),
        Role::Member => Ok(()),
        Role::Public => Err(ApiError::credentials_required()),
    }
}

/// The rules of a write, once [`may_edit`] let the caller change the item: who may set which
/// status, and the bookkeeping of submissions. `current` is `None` for a creation.
pub fn admit<R: Contributed>(
    caller: &Caller,
    current: Option<&R::Item>,
    input: &mut R::Input,
) -> ApiResult<()> {
    let current = current.map(R::submission);
    let before = current.as_ref().map(|submission| submission.status);
    let submitting = R::submitting(input);
    let member = caller.role != Role::Admin;
    let mut status = submitting.status.or(before).unwrap_or(match member {
        true => R::Status::SUBMITTED,
        false => R::Status::DRAFT,
    });
    if member {
        if before == Some(R::Status::REJECTED) && status == R::Status::REJECTED {
            status = R::Status::SUBMITTED;
        }
        if status != R::Status::DRAFT && status != R::Status::SUBMITTED {
            return Err(ApiError::forbidden_because(msg!(
                "member-status",
                item = R::ITEM,
                status = status.name()
            )));
        }
        if current.is_none() {
            *submitting.submitted_by = caller.user_id;
        }
    } else if let Some(before) = before
        && before != status
        && (moderated(before) || moderated(status))
    {
        return Err(ApiError::refused(
            "moderated-status",
            msg!("moderated-status", item = R::ITEM, status = before.name()),
        ));
    }
    *submitting.status = Some(status);
    *submitting.submitted_at = if status == R::Status::SUBMITTED && before != Some(status) {
        Some(Utc::now())
    } else {
        current.and_then(|submission| submission.submitted_at)
    };
    Ok(())
}

/// The statuses that only moderation sets or leaves.
fn moderated<S: Moderated>(status: S) -> bool {
    status == S::SUBMITTED || status == S::REJECTED
}

/// An administrator's reason for rejecting a contribution, for its authors.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    #[validate(length(min = 1, max = 2000))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Merci de préciser les références du protocole de suivi."
    )]
    pub reason: String,
}

/// Publishes (`reason` is `None`) or rejects a submitted item, in one transaction with its
/// audit entry.
pub async fn decide<R: Contributed>(
    req: &HttpRequest,
    state: &AppState,
    admin: &Caller,
    key: &str,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let preconditions = Preconditions::of(req);
    let (status, action) = match reason {
        None => (R::Status::PUBLISHED, Action::Publish),
        Some(_) => (R::Status::REJECTED, Action::Reject),
    };
    let mut conn = state.conn().await?;
    let item = conn
        .transaction(async |c| {
            audit::begin(c, admin).await?;
            let current = crud::find_for_update::<R>(c, admin, key, &[]).await?;
            preconditions.check(&current)?;
            let now = R::submission(&current).status;
            if now != R::Status::SUBMITTED {
                return Err(ApiError::refused(
                    "not-submitted",
                    msg!("not-submitted", item = R::ITEM, status = now.name()),
                ));
            }
            let id = R::id(&current);
            let mut sql = Sql::from("UPDATE ");
            sql.push(R::COLLECTION.table).push(" SET status = ");
            sql.bind(Bind::Text(status.name().to_string()))
                .push(", decided_at = now(), updated_at = now(), rejection_reason = ");
            match &reason {
                Some(reason) => sql.bind(Bind::Text(reason.clone())),
                None => sql.push("NULL").push(R::ON_PUBLICATION),
            };
            sql.push(" WHERE id = ").bind(Bind::Uuid(id));
            sql.execute(c).await?;
            let item = crud::find::<R>(c, admin, &id.to_string(), Vec::new()).await?;
            audit::record(c, R::NAME, id, action, Some(&current), Some(&item)).await?;
            Ok::<_, ApiError>(item)
        })
        .await?;
    updated_response(&item)
}

/// The errors of a moderation decision.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum DecisionErrors {
    /// Missing or invalid bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// Not an administrator.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such item.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The item is not submitted (`not-submitted`): `detail` names its status.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// `If-Match` does not match the current ETag.
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
}
