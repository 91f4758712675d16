//! `/api/v1/people/{id}/stints` and `/api/v1/stints/{id}`: employment stints, read and written with the
//! stint form's rules (no overlap with the person's other stints, leaving details only with an end date);
//! every change recomputes the person's status.

use super::people::live;
use super::{Body, Caller, Id, overlay};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_domain::stint::StintInput;
use kaeru_domain::{EmploymentStint, PersonId, StintId};
use kaeru_store::stints;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/people/{id}/stints", get(for_person).post(create))
        .route("/stints/{id}", get(get_one).patch(update).delete(delete))
}

/// One continuous employment at the company.
#[derive(Debug, Serialize, ToSchema)]
pub struct StintOut {
    pub id: Uuid,
    pub person_id: Uuid,
    pub start_date: NaiveDate,
    /// Empty while employed; a future date is a planned leaving.
    pub end_date: Option<NaiveDate>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    /// `full_time`, `fixed_term`, `part_time`, `reemployed`, `dispatched`, `contractor` or `executive`.
    pub employment_type: String,
    /// `career_change`, `started_business`, `family`, `caregiving`, `study`, `spouse_transfer`, `health`,
    /// `retirement`, `company_reasons` or `other`.
    pub leave_reason: Option<String>,
    pub leave_reason_detail: Option<String>,
    pub exit_interview_notes: Option<String>,
    /// `welcome`, `case_by_case` or `not_eligible`.
    pub rehire_eligibility: Option<String>,
    pub rehire_reason: Option<String>,
}

impl From<EmploymentStint> for StintOut {
    fn from(s: EmploymentStint) -> Self {
        Self {
            id: s.id.0,
            person_id: s.person_id.0,
            start_date: s.start_date,
            end_date: s.end_date,
            department: s.department,
            job_title: s.job_title,
            employment_type: s.employment_type.code().into(),
            leave_reason: s.leave_reason.map(|r| r.code().into()),
            leave_reason_detail: s.leave_reason_detail,
            exit_interview_notes: s.exit_interview_notes,
            rehire_eligibility: s.rehire_eligibility.map(|r| r.code().into()),
            rehire_reason: s.rehire_reason,
        }
    }
}

/// A stint as sent. On create a missing field is empty; on change a missing field keeps its value and an
/// empty string clears it. Dates as YYYY-MM-DD; codes as in `StintOut`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StintWrite {
    /// Required.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    /// Required.
    pub employment_type: Option<String>,
    pub leave_reason: Option<String>,
    pub leave_reason_detail: Option<String>,
    pub exit_interview_notes: Option<String>,
    pub rehire_eligibility: Option<String>,
    pub rehire_reason: Option<String>,
}

impl StintWrite {
    fn apply(self, i: &mut StintInput) {
        overlay(&mut i.start_date, self.start_date);
        overlay(&mut i.end_date, self.end_date);
        overlay(&mut i.department, self.department);
        overlay(&mut i.job_title, self.job_title);
        overlay(&mut i.employment_type, self.employment_type);
        overlay(&mut i.leave_reason, self.leave_reason);
        overlay(&mut i.leave_reason_detail, self.leave_reason_detail);
        overlay(&mut i.exit_interview_notes, self.exit_interview_notes);
        overlay(&mut i.rehire_eligibility, self.rehire_eligibility);
        overlay(&mut i.rehire_reason, self.rehire_reason);
    }
}

/// A person's stints, oldest first.
#[utoipa::path(get, operation_id = "list_stints_of_person", path = "/api/v1/people/{id}/stints", tag = "stints",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The stints", body = Vec<StintOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<StintOut>>, ApiError> {
    live(&state, &caller.scope, id).await?;
    let all = stints::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Adds a stint to a person.
#[utoipa::path(post, operation_id = "create_stint", path = "/api/v1/people/{id}/stints", tag = "stints",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = StintWrite,
    responses(
        (status = 201, description = "Created", body = StintOut,
            links(("GetStint" = (operation_id = "get_stint", parameters(("id" = "$response.body#/id")))), ("UpdateStint" = (operation_id = "update_stint", parameters(("id" = "$response.body#/id")))), ("DeleteStint" = (operation_id = "delete_stint", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Id(person): Id<PersonId>,
    Body(body): Body<StintWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    live(&state, &caller.scope, person).await?;
    let mut input = StintInput::default();
    body.apply(&mut input);
    let s = kaeru_app::stints::save(
        &state.db,
        &caller.scope,
        &caller.actor(),
        person,
        None,
        input,
        true,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/stints/{}", s.id.0);
    Ok(super::created(location, StintOut::from(s)))
}

/// One stint.
#[utoipa::path(get, operation_id = "get_stint", path = "/api/v1/stints/{id}", tag = "stints",
    params(("id" = Uuid, Path, description = "The stint's id")),
    responses(
        (status = 200, description = "The stint", body = StintOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such stint in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<StintId>,
) -> Result<Json<StintOut>, ApiError> {
    Ok(Json(
        stints::get(&state.db, &caller.scope, id).await?.into(),
    ))
}

/// Changes a stint: only the fields sent.
#[utoipa::path(patch, operation_id = "update_stint", path = "/api/v1/stints/{id}", tag = "stints",
    params(("id" = Uuid, Path, description = "The stint's id")),
    request_body = StintWrite,
    responses(
        (status = 200, description = "Changed", body = StintOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such stint in the company", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<StintId>,
    Body(body): Body<StintWrite>,
) -> Result<Json<StintOut>, ApiError> {
    caller.require_write()?;
    let current = stints::get(&state.db, &caller.scope, id).await?;
    let mut input = StintInput::from_stint(&current);
    body.apply(&mut input);
    let s = kaeru_app::stints::save(
        &state.db,
        &caller.scope,
        &caller.actor(),
        current.person_id,
        Some(id),
        input,
        true,
        caller.today(),
    )
    .await?;
    Ok(Json(s.into()))
}

/// Removes a stint (a mistake in the record; leaving is an end date, not a deletion).
#[utoipa::path(delete, operation_id = "delete_stint", path = "/api/v1/stints/{id}", tag = "stints",
    params(("id" = Uuid, Path, description = "The stint's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such stint in the company", body = ApiErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<StintId>,
) -> Result<StatusCode, ApiError> {
    caller.require_write()?;
    kaeru_app::stints::delete(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        caller.today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
