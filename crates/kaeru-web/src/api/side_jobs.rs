//! `/api/v1/side-jobs`: applications for side jobs (副業) by people employed now, checked against the
//! company's clients and competitors, and one decision on each.

use super::{Body, Caller, Id, ListOf, Paging, Params, overlay, whole_number};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use kaeru_domain::side_job::{Conflict, DecisionInput, SideJob, SideJobInput};
use kaeru_domain::{PersonId, SideJobId};
use kaeru_store::side_jobs;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/side-jobs", get(list))
        .route("/side-jobs/{id}", get(get_one))
        .route("/side-jobs/{id}/decision", post(decide))
        .route("/people/{id}/side-jobs", get(for_person).post(apply))
}

/// An application for a side job, and its decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct SideJobOut {
    pub id: Uuid,
    pub person_id: Uuid,
    pub employer: String,
    pub industry: Option<String>,
    pub work: String,
    pub hours_per_week: i64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub note: Option<String>,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub applied_by: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    /// The approved side job this application renews.
    pub renews: Option<Uuid>,
    /// Clients or competitors of the company it may conflict with (their names).
    pub conflicts: Vec<String>,
}

fn out(j: SideJob, conflicts: Vec<String>) -> SideJobOut {
    SideJobOut {
        id: j.id.0,
        person_id: j.person_id.0,
        employer: j.employer,
        industry: j.industry,
        work: j.work,
        hours_per_week: j.hours_per_week,
        start_date: j.start_date,
        end_date: j.end_date,
        note: j.note,
        status: j.status.code().into(),
        applied_by: j.applied_by,
        decided_by: j.decided_by,
        decided_at: j.decided_at,
        reason: j.reason,
        renews: j.renews.map(|r| r.0),
        conflicts,
    }
}

async fn with_conflicts(
    state: &AppState,
    caller: &Caller,
    jobs: Vec<SideJob>,
) -> Result<Vec<SideJobOut>, ApiError> {
    let base = side_jobs::check_base(&state.db, &caller.scope).await?;
    Ok(jobs
        .into_iter()
        .map(|j| {
            let names = side_jobs::conflicts_of(&j, &base)
                .into_iter()
                .map(|c| match c {
                    Conflict::SameCompany { name, .. } | Conflict::SameIndustry { name, .. } => {
                        name
                    }
                })
                .collect();
            out(j, names)
        })
        .collect())
}

/// An application as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SideJobWrite {
    /// Required.
    pub employer: Option<String>,
    pub industry: Option<String>,
    /// Required: what the work is.
    pub work: Option<String>,
    /// Required.
    #[serde(deserialize_with = "whole_number")]
    pub hours_per_week: Option<i64>,
    /// Required: YYYY-MM-DD.
    pub start_date: Option<String>,
    /// Required: YYYY-MM-DD (approval is for a period).
    pub end_date: Option<String>,
    pub note: Option<String>,
    /// The id of the approved side job this renews.
    pub renews: Option<Uuid>,
}

/// A decision as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionWrite {
    /// Required: `approve` or `reject`.
    pub decision: Option<String>,
    /// Required for a rejection, and for approving an application that may conflict with a client or
    /// competitor (the condition under which it is allowed).
    pub reason: Option<String>,
}

/// Every application of the company, the newest first.
#[utoipa::path(get, operation_id = "list_side_jobs", path = "/api/v1/side-jobs", tag = "side_jobs",
    params(Paging),
    responses(
        (status = 200, description = "A page of applications", body = ListOf<SideJobOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<SideJobOut>>, ApiError> {
    paging.checked()?;
    let all: Vec<SideJob> = side_jobs::all(&state.db, &caller.scope)
        .await?
        .into_iter()
        .map(|(j, _)| j)
        .collect();
    Ok(Json(
        paging.slice(with_conflicts(&state, &caller, all).await?)?,
    ))
}

/// One application.
#[utoipa::path(get, operation_id = "get_side_job", path = "/api/v1/side-jobs/{id}", tag = "side_jobs",
    params(("id" = Uuid, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = SideJobOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such application in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<SideJobId>,
) -> Result<Json<SideJobOut>, ApiError> {
    let j = side_jobs::get(&state.db, &caller.scope, id).await?;
    let mut one = with_conflicts(&state, &caller, vec![j]).await?;
    one.pop().map(Json).ok_or(ApiError::NotFound)
}

/// A person's applications, the newest first.
#[utoipa::path(get, operation_id = "list_side_jobs_of_person", path = "/api/v1/people/{id}/side-jobs", tag = "side_jobs",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The applications", body = Vec<SideJobOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<SideJobOut>>, ApiError> {
    super::people::live(&state, &caller.scope, id).await?;
    let all = side_jobs::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(with_conflicts(&state, &caller, all).await?))
}

/// Applies for a side job on behalf of a person employed now.
#[utoipa::path(post, operation_id = "apply_side_job", path = "/api/v1/people/{id}/side-jobs", tag = "side_jobs",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = SideJobWrite,
    responses(
        (status = 201, description = "Applied; pending a decision", body = SideJobOut,
            links(("GetSideJob" = (operation_id = "get_side_job", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused (or the person is not employed now); nothing written", body = ApiErrorBody),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
    Body(body): Body<SideJobWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    super::people::live(&state, &caller.scope, id).await?;
    let mut input = SideJobInput::default();
    overlay(&mut input.employer, body.employer);
    overlay(&mut input.industry, body.industry);
    overlay(&mut input.work, body.work);
    overlay(
        &mut input.hours_per_week,
        body.hours_per_week.map(|n| n.to_string()),
    );
    overlay(&mut input.start_date, body.start_date);
    overlay(&mut input.end_date, body.end_date);
    overlay(&mut input.note, body.note);
    let j = kaeru_app::side_jobs::apply(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        body.renews.map(SideJobId),
    )
    .await?;
    let location = format!("/api/v1/side-jobs/{}", j.id.0);
    let mut one = with_conflicts(&state, &caller, vec![j]).await?;
    let j = one.pop().ok_or(ApiError::NotFound)?;
    Ok(super::created(location, j))
}

/// Approves or rejects a pending application; a second decision is refused (409).
#[utoipa::path(post, operation_id = "decide_side_job", path = "/api/v1/side-jobs/{id}/decision", tag = "side_jobs",
    params(("id" = Uuid, Path, description = "The application's id")),
    request_body = DecisionWrite,
    responses(
        (status = 200, description = "Decided", body = SideJobOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such application in the company", body = ApiErrorBody),
        (status = 409, description = "Already decided", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<SideJobId>,
    Body(body): Body<DecisionWrite>,
) -> Result<Json<SideJobOut>, ApiError> {
    caller.require_write()?;
    let mut input = DecisionInput::default();
    overlay(&mut input.decision, body.decision);
    overlay(&mut input.reason, body.reason);
    let j =
        kaeru_app::side_jobs::decide(&state.db, &caller.scope, &caller.actor(), id, &input).await?;
    let mut one = with_conflicts(&state, &caller, vec![j]).await?;
    one.pop().map(Json).ok_or(ApiError::NotFound)
}
