//! `/api/v1/people/{id}/contracts` and `/api/v1/contracts/{id}`: 業務委託 contracts with former employees
//! (e.g. two days a week here), with the contract form's rules — with the person's other contracts of the
//! same period at most five days a week.

use super::people::live;
use super::{Body, Caller, Id, ListOf, Paging, Params, overlay, whole_number};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_domain::engagement::{Engagement, EngagementInput, EngagementStatus, Weekday};
use kaeru_domain::{EngagementId, PersonId};
use kaeru_store::engagements::{self, EngagementFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/contracts", get(list))
        .route("/contracts/{id}", get(get_one).patch(update))
        .route("/contracts/{id}/end", post(end))
        .route("/people/{id}/contracts", get(for_person).post(create))
}

/// A 業務委託 contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractOut {
    pub id: Uuid,
    pub person_id: Uuid,
    pub title: String,
    /// Working days: `mon` … `sat`.
    pub weekdays: Vec<String>,
    /// `day` (日額) or `month` (月額).
    pub rate_kind: String,
    pub rate_yen: i64,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub manager: Option<String>,
    pub note: Option<String>,
}

impl From<Engagement> for ContractOut {
    fn from(e: Engagement) -> Self {
        Self {
            id: e.id.0,
            person_id: e.person_id.0,
            title: e.title,
            weekdays: e.weekdays.iter().map(|w| w.code().to_string()).collect(),
            rate_kind: e.rate_kind.code().into(),
            rate_yen: e.rate_yen,
            start_date: e.start_date,
            end_date: e.end_date,
            manager: e.manager,
            note: e.note,
        }
    }
}

/// A contract as sent. On create a missing field is empty; on change a missing field keeps its value.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContractWrite {
    /// Required.
    pub title: Option<String>,
    /// Required: one to five of `mon` … `sat`.
    pub weekdays: Option<Vec<String>>,
    /// Required: `day` or `month`.
    pub rate_kind: Option<String>,
    /// Required: yen.
    #[serde(deserialize_with = "whole_number")]
    pub rate_yen: Option<i64>,
    /// Required: YYYY-MM-DD.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub manager: Option<String>,
    pub note: Option<String>,
}

impl ContractWrite {
    fn apply(self, i: &mut EngagementInput) {
        overlay(&mut i.title, self.title);
        if let Some(days) = self.weekdays {
            i.weekdays = days;
        }
        overlay(&mut i.rate_kind, self.rate_kind);
        overlay(&mut i.rate_yen, self.rate_yen.map(|n| n.to_string()));
        overlay(&mut i.start_date, self.start_date);
        overlay(&mut i.end_date, self.end_date);
        overlay(&mut i.manager, self.manager);
        overlay(&mut i.note, self.note);
    }
}

/// When a contract ends.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EndWrite {
    /// YYYY-MM-DD, not before the contract started; today when absent.
    pub on: Option<String>,
}

/// Where a contract stands today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ContractStatus)]
pub enum Standing {
    Planned,
    Active,
    Ended,
}

/// A working day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ContractDay)]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractsQuery {
    /// Only contracts that stand so today (the company's date).
    #[param(inline)]
    pub status: Option<Standing>,
    /// Only contracts with this working day.
    #[param(inline)]
    pub day: Option<Day>,
}

impl ContractsQuery {
    fn filter(&self) -> EngagementFilter {
        EngagementFilter {
            status: self.status.map(|s| match s {
                Standing::Planned => EngagementStatus::Planned,
                Standing::Active => EngagementStatus::Active,
                Standing::Ended => EngagementStatus::Ended,
            }),
            day: self.day.map(|d| match d {
                Day::Mon => Weekday::Mon,
                Day::Tue => Weekday::Tue,
                Day::Wed => Weekday::Wed,
                Day::Thu => Weekday::Thu,
                Day::Fri => Weekday::Fri,
                Day::Sat => Weekday::Sat,
            }),
        }
    }
}

/// The company's contracts: active ones first, then planned, then ended, each the latest start first.
#[utoipa::path(get, operation_id = "list_contracts", path = "/api/v1/contracts", tag = "contracts",
    params(ContractsQuery, Paging),
    responses(
        (status = 200, description = "A page of contracts", body = ListOf<ContractOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ContractsQuery>,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<ContractOut>>, ApiError> {
    let (page, per_page) = paging.checked()?;
    let (found, _) = kaeru_app::contracts::list(
        &state.db,
        &state.search.contracts,
        &caller.scope,
        None,
        q.filter(),
        caller.today(),
        page,
        per_page,
    )
    .await?;
    Ok(Json(ListOf::new(
        found.items.iter().map(|(e, _)| e.clone().into()).collect(),
        found.total,
        found.page,
        found.per_page,
    )))
}

/// One contract.
#[utoipa::path(get, operation_id = "get_contract", path = "/api/v1/contracts/{id}", tag = "contracts",
    params(("id" = Uuid, Path, description = "The contract's id")),
    responses(
        (status = 200, description = "The contract", body = ContractOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such contract in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EngagementId>,
) -> Result<Json<ContractOut>, ApiError> {
    Ok(Json(
        engagements::get(&state.db, &caller.scope, id).await?.into(),
    ))
}

/// A person's contracts, the newest first.
#[utoipa::path(get, operation_id = "list_contracts_of_person", path = "/api/v1/people/{id}/contracts", tag = "contracts",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The contracts", body = Vec<ContractOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<ContractOut>>, ApiError> {
    live(&state, &caller.scope, id).await?;
    let all = engagements::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Makes a contract with a person; their status becomes 業務委託 while it runs.
#[utoipa::path(post, operation_id = "create_contract", path = "/api/v1/people/{id}/contracts", tag = "contracts",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = ContractWrite,
    responses(
        (status = 201, description = "Created", body = ContractOut,
            links(("GetContract" = (operation_id = "get_contract", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused (more than five days a week with the others); nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
    Body(body): Body<ContractWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    live(&state, &caller.scope, id).await?;
    let mut input = EngagementInput::default();
    body.apply(&mut input);
    let e = kaeru_app::contracts::add(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/contracts/{}", e.id.0);
    Ok(super::created(location, ContractOut::from(e)))
}

/// Changes a contract: only the fields sent.
#[utoipa::path(patch, operation_id = "update_contract", path = "/api/v1/contracts/{id}", tag = "contracts",
    params(("id" = Uuid, Path, description = "The contract's id")),
    request_body = ContractWrite,
    responses(
        (status = 200, description = "Changed", body = ContractOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such contract in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EngagementId>,
    Body(body): Body<ContractWrite>,
) -> Result<Json<ContractOut>, ApiError> {
    caller.require_write()?;
    let current = engagements::get(&state.db, &caller.scope, id).await?;
    let mut input = EngagementInput::from_engagement(&current);
    body.apply(&mut input);
    let e = kaeru_app::contracts::update(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await?;
    Ok(Json(e.into()))
}

/// Ends a contract.
#[utoipa::path(post, operation_id = "end_contract", path = "/api/v1/contracts/{id}/end", tag = "contracts",
    params(("id" = Uuid, Path, description = "The contract's id")),
    request_body = EndWrite,
    responses(
        (status = 200, description = "Ended", body = ContractOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such contract in the company", body = ApiErrorBody),
        (status = 422, description = "The date is refused", body = ApiErrorBody),
    ))]
pub async fn end(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EngagementId>,
    Body(body): Body<EndWrite>,
) -> Result<Json<ContractOut>, ApiError> {
    caller.require_write()?;
    let today = caller.today();
    let on = match body.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(raw) => match kaeru_domain::validation::optional_date(raw) {
            Ok(Some(d)) => d,
            Ok(None) => today,
            Err(inv) => {
                let mut e = kaeru_domain::FieldErrors::new();
                e.add("on", inv);
                return Err(ApiError::Invalid(e));
            }
        },
    };
    let e =
        kaeru_app::contracts::end(&state.db, &caller.scope, &caller.actor(), id, on, today).await?;
    Ok(Json(e.into()))
}
