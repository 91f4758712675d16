//! `/api/v1/people/{id}/contributions`: what a former employee brought back — candidates referred (紹介) and
//! business introduced (取引) — with the form's rules.

use super::people::live;
use super::{Body, Caller, Id, Ids, overlay, whole_number};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_domain::network::{Contribution, ContributionInput};
use kaeru_domain::{ContributionId, PersonId};
use kaeru_store::network;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/people/{id}/contributions", get(for_person).post(create))
        .route("/people/{id}/contributions/{cid}", delete(remove))
}

/// A referral or a piece of business.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContributionOut {
    pub id: Uuid,
    pub person_id: Uuid,
    /// `referral` or `business`.
    pub kind: String,
    pub on: NaiveDate,
    /// For a referral: who was referred, for which opening, and where they got to (`introduced`,
    /// `interviewing`, `hired`, `not_hired`).
    pub candidate: Option<String>,
    pub opening: Option<String>,
    pub outcome: Option<String>,
    /// For business: the client and the amount in yen.
    pub client: Option<String>,
    pub amount_yen: Option<i64>,
    pub note: Option<String>,
}

impl From<Contribution> for ContributionOut {
    fn from(c: Contribution) -> Self {
        Self {
            id: c.id.0,
            person_id: c.person_id.0,
            kind: c.kind.code().into(),
            on: c.on,
            candidate: c.candidate,
            opening: c.opening,
            outcome: c.outcome.map(|o| o.code().into()),
            client: c.client,
            amount_yen: c.amount_yen,
            note: c.note,
        }
    }
}

/// A contribution as sent: a referral needs `candidate`, business needs `client`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ContributionWrite {
    /// Required: `referral` or `business`.
    pub kind: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub on: Option<String>,
    pub candidate: Option<String>,
    pub opening: Option<String>,
    pub outcome: Option<String>,
    pub client: Option<String>,
    #[serde(deserialize_with = "whole_number")]
    pub amount_yen: Option<i64>,
    pub note: Option<String>,
}

/// The person's referrals and business, newest first.
#[utoipa::path(get, operation_id = "list_contributions", path = "/api/v1/people/{id}/contributions", tag = "contributions",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The contributions", body = Vec<ContributionOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<ContributionOut>>, ApiError> {
    live(&state, &caller.scope, id).await?;
    let all = network::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Records a referral or business the person brought.
#[utoipa::path(post, operation_id = "create_contribution", path = "/api/v1/people/{id}/contributions", tag = "contributions",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = ContributionWrite,
    responses(
        (status = 201, description = "Recorded", body = ContributionOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
    Body(body): Body<ContributionWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    live(&state, &caller.scope, id).await?;
    let mut input = ContributionInput::default();
    overlay(&mut input.kind, body.kind);
    overlay(&mut input.on, body.on);
    overlay(&mut input.candidate, body.candidate);
    overlay(&mut input.opening, body.opening);
    overlay(&mut input.outcome, body.outcome);
    overlay(&mut input.client, body.client);
    overlay(
        &mut input.amount_yen,
        body.amount_yen.map(|n| n.to_string()),
    );
    overlay(&mut input.note, body.note);
    let c = kaeru_app::network::add(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/people/{}/contributions", id.0);
    Ok(super::created(location, ContributionOut::from(c)))
}

/// Removes a contribution recorded by mistake.
#[utoipa::path(delete, operation_id = "delete_contribution", path = "/api/v1/people/{id}/contributions/{cid}", tag = "contributions",
    params(("id" = Uuid, Path, description = "The person's id"), ("cid" = Uuid, Path, description = "The contribution's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such contribution of the person in the company", body = ApiErrorBody),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, cid): Ids<PersonId, ContributionId>,
) -> Result<StatusCode, ApiError> {
    caller.require_write()?;
    kaeru_app::network::remove(&state.db, &caller.scope, &caller.actor(), id, cid).await?;
    Ok(StatusCode::NO_CONTENT)
}
