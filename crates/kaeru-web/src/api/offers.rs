//! `/api/v1/offers`: return offers (リターンオファー), read, created as drafts with the offer form's rules, and
//! moved along their lifecycle (issue, withdraw, mark exercised) with the same rules as the offer's page.

use super::people::live;
use super::{Body, Caller, Id, ListOf, Paging, Params};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use kaeru_domain::{OfferId, OfferInput, OfferStatus, PersonId, ReturnOffer};
use kaeru_store::offers;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/offers", get(list))
        .route("/offers/{id}", get(get_one))
        .route("/people/{id}/offers", get(for_person).post(create))
        .route("/offers/{id}/issue", post(issue))
        .route("/offers/{id}/withdraw", post(withdraw))
        .route("/offers/{id}/exercise", post(exercise))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OfferStatus)]
pub enum Status {
    Draft,
    Issued,
    Acknowledged,
    Exercised,
    Expired,
    Withdrawn,
    Declined,
}

impl Status {
    fn domain(self) -> OfferStatus {
        match self {
            Self::Draft => OfferStatus::Draft,
            Self::Issued => OfferStatus::Issued,
            Self::Acknowledged => OfferStatus::Acknowledged,
            Self::Exercised => OfferStatus::Exercised,
            Self::Expired => OfferStatus::Expired,
            Self::Withdrawn => OfferStatus::Withdrawn,
            Self::Declined => OfferStatus::Declined,
        }
    }
}

/// A written promise that the person may come back, with priority, within a window.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferOut {
    pub id: Uuid,
    pub person_id: Uuid,
    /// e.g. RO-2026-0003.
    pub number: String,
    /// `draft`, `issued`, `acknowledged`, `exercised`, `expired`, `withdrawn` or `declined`.
    pub status: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// `priority_interview`, `equal_or_higher_position`, `salary_floor`, `continuous_service`,
    /// `paid_leave_carryover`, `probation_waived`.
    pub terms: Vec<String>,
    pub salary_floor_yen: Option<i64>,
    pub terms_note: Option<String>,
    pub signer_name: String,
    pub signer_title: Option<String>,
    pub status_reason: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<ReturnOffer> for OfferOut {
    fn from(o: ReturnOffer) -> Self {
        Self {
            id: o.id.0,
            person_id: o.person_id.0,
            number: o.number,
            status: o.status.code().into(),
            valid_from: o.valid_from,
            valid_until: o.valid_until,
            terms: o.terms.iter().map(|t| t.code().to_string()).collect(),
            salary_floor_yen: o.salary_floor_yen,
            terms_note: o.terms_note,
            signer_name: o.signer_name,
            signer_title: o.signer_title,
            status_reason: o.status_reason,
            issued_on: o.issued_on,
            acknowledged_at: o.acknowledged_at,
            created_at: o.created_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OffersQuery {
    /// Only offers in this state.
    #[param(inline)]
    pub status: Option<Status>,
}

/// The company's offers, soonest window end first.
#[utoipa::path(get, operation_id = "list_offers", path = "/api/v1/offers", tag = "offers",
    params(OffersQuery, Paging),
    responses(
        (status = 200, description = "A page of offers", body = ListOf<OfferOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<OffersQuery>,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<OfferOut>>, ApiError> {
    let (page, per_page) = paging.checked()?;
    let found = offers::list_page(
        &state.db,
        &caller.scope,
        q.status.map(Status::domain),
        page,
        per_page,
    )
    .await?;
    Ok(Json(ListOf::new(
        found.items.into_iter().map(|i| i.offer.into()).collect(),
        found.total,
        found.page,
        found.per_page,
    )))
}

/// One offer.
#[utoipa::path(get, operation_id = "get_offer", path = "/api/v1/offers/{id}", tag = "offers",
    params(("id" = Uuid, Path, description = "The offer's id")),
    responses(
        (status = 200, description = "The offer", body = OfferOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such offer in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OfferId>,
) -> Result<Json<OfferOut>, ApiError> {
    Ok(Json(
        offers::get(&state.db, &caller.scope, id).await?.into(),
    ))
}

/// A person's offers, newest first.
#[utoipa::path(get, operation_id = "list_offers_of_person", path = "/api/v1/people/{id}/offers", tag = "offers",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The offers", body = Vec<OfferOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<OfferOut>>, ApiError> {
    live(&state, &caller.scope, id).await?;
    let all = offers::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// A draft offer as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OfferWrite {
    /// YYYY-MM-DD; required.
    pub valid_from: String,
    /// YYYY-MM-DD, after `valid_from`; required.
    pub valid_until: String,
    /// Codes as in `OfferOut.terms`.
    pub terms: Vec<String>,
    /// Required with the term `salary_floor`; 1–100,000,000.
    #[serde(deserialize_with = "super::whole_number")]
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub salary_floor_yen: Option<i64>,
    pub terms_note: String,
    /// Who signs the letter; required.
    pub signer_name: String,
    pub signer_title: String,
    /// Required (with a reason) to offer a return to someone marked 再雇用不可.
    pub override_reason: String,
}

/// Makes a draft offer for a person who has left (or has a planned leaving date).
#[utoipa::path(post, operation_id = "create_offer", path = "/api/v1/people/{id}/offers", tag = "offers",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = OfferWrite,
    responses(
        (status = 201, description = "Created as a draft", body = OfferOut,
            links(("GetOffer" = (operation_id = "get_offer", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
        (status = 409, description = "The person already has a standing offer", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Id(person): Id<PersonId>,
    Body(body): Body<OfferWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    live(&state, &caller.scope, person).await?;
    let today = caller.today();
    let input = OfferInput {
        valid_from: body.valid_from,
        valid_until: body.valid_until,
        terms: body.terms,
        salary_floor_yen: body
            .salary_floor_yen
            .map(|n| n.to_string())
            .unwrap_or_default(),
        terms_note: body.terms_note,
        signer_name: body.signer_name,
        signer_title: body.signer_title,
        override_not_eligible: if body.override_reason.trim().is_empty() {
            String::new()
        } else {
            "on".into()
        },
        override_reason: body.override_reason,
    };
    let o = kaeru_app::offers::save_draft(
        &state.db,
        &caller.scope,
        &caller.actor(),
        person,
        None,
        &input,
        today,
    )
    .await?;
    let location = format!("/api/v1/offers/{}", o.id.0);
    Ok(super::created(location, OfferOut::from(o)))
}

/// Why an offer moves (kept with the offer; shown to the person for a withdrawal).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TransitionWrite {
    /// At most 2,000 characters.
    pub reason: Option<String>,
}

async fn transition(
    state: &AppState,
    caller: &Caller,
    id: OfferId,
    action: kaeru_domain::OfferAction,
    reason: Option<String>,
) -> Result<Json<OfferOut>, ApiError> {
    caller.require_write()?;
    let o = kaeru_app::offers::change_status(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        action,
        reason.as_deref().unwrap_or(""),
        caller.today(),
    )
    .await?;
    Ok(Json(o.into()))
}

/// Issues a draft offer: it gets its window and the person can see it in the portal.
#[utoipa::path(post, operation_id = "issue_offer", path = "/api/v1/offers/{id}/issue", tag = "offers",
    params(("id" = Uuid, Path, description = "The offer's id")),
    request_body = TransitionWrite,
    responses(
        (status = 200, description = "Issued", body = OfferOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such offer in the company", body = ApiErrorBody),
        (status = 409, description = "The offer's status does not allow it, or the person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OfferId>,
    Body(body): Body<TransitionWrite>,
) -> Result<Json<OfferOut>, ApiError> {
    transition(
        &state,
        &caller,
        id,
        kaeru_domain::OfferAction::Issue,
        body.reason,
    )
    .await
}

/// Withdraws an offer.
#[utoipa::path(post, operation_id = "withdraw_offer", path = "/api/v1/offers/{id}/withdraw", tag = "offers",
    params(("id" = Uuid, Path, description = "The offer's id")),
    request_body = TransitionWrite,
    responses(
        (status = 200, description = "Withdrawn", body = OfferOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such offer in the company", body = ApiErrorBody),
        (status = 409, description = "The offer's status does not allow it, or the person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OfferId>,
    Body(body): Body<TransitionWrite>,
) -> Result<Json<OfferOut>, ApiError> {
    transition(
        &state,
        &caller,
        id,
        kaeru_domain::OfferAction::Withdraw,
        body.reason,
    )
    .await
}

/// Marks an issued offer exercised: the person came back under it.
#[utoipa::path(post, operation_id = "exercise_offer", path = "/api/v1/offers/{id}/exercise", tag = "offers",
    params(("id" = Uuid, Path, description = "The offer's id")),
    request_body = TransitionWrite,
    responses(
        (status = 200, description = "Marked exercised", body = OfferOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such offer in the company", body = ApiErrorBody),
        (status = 409, description = "The offer's status does not allow it, or the person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn exercise(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OfferId>,
    Body(body): Body<TransitionWrite>,
) -> Result<Json<OfferOut>, ApiError> {
    transition(
        &state,
        &caller,
        id,
        kaeru_domain::OfferAction::Exercise,
        body.reason,
    )
    .await
}
