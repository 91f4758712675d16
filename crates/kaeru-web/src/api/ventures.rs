//! `/api/v1/ventures`: businesses started by former employees, the support the company gave them (funding,
//! client introductions, technical guidance, equipment) and the business done with them since — with the
//! forms' rules.

use super::people::live;
use super::{Body, Caller, Id, Ids, ListOf, Paging, Params, overlay, whole_number};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_domain::venture::{
    Deal, DealInput, Support, SupportInput, Venture, VentureInput, VentureTotals,
};
use kaeru_domain::{PersonId, VentureId};
use kaeru_store::ventures;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/ventures", get(list))
        .route("/ventures/{id}", get(get_one).patch(update))
        .route("/ventures/{id}/support", post(add_support))
        .route("/ventures/{id}/deals", post(add_deal))
        .route("/ventures/{id}/entries/{eid}", delete(remove_entry))
        .route("/people/{id}/ventures", post(create))
}

/// A business a former employee started.
#[derive(Debug, Serialize, ToSchema)]
pub struct VentureOut {
    pub id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    pub field: Option<String>,
    pub founded_on: Option<NaiveDate>,
    /// `preparing`, `founded`, `growing` or `withdrawn`.
    pub stage: String,
    pub website: Option<String>,
    pub note: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub totals: TotalsOut,
}

/// What the company gave and what came back.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsOut {
    pub funding_yen: i64,
    pub introductions: u64,
    pub guidance_hours: i64,
    pub equipment: u64,
    /// Deals as client or partner.
    pub received_yen: i64,
    /// Deals as supplier.
    pub purchased_yen: i64,
}

impl From<VentureTotals> for TotalsOut {
    fn from(t: VentureTotals) -> Self {
        Self {
            funding_yen: t.funding_yen,
            introductions: t.introductions as u64,
            guidance_hours: t.guidance_hours,
            equipment: t.equipment as u64,
            received_yen: t.received_yen,
            purchased_yen: t.purchased_yen,
        }
    }
}

fn venture_out(v: Venture, totals: VentureTotals) -> VentureOut {
    VentureOut {
        id: v.id.0,
        person_id: v.person_id.0,
        name: v.name,
        field: v.field,
        founded_on: v.founded_on,
        stage: v.stage.code().into(),
        website: v.website,
        note: v.note,
        closed_on: v.closed_on,
        totals: totals.into(),
    }
}

/// A venture with its support and deals.
#[derive(Debug, Serialize, ToSchema)]
pub struct VentureDetailOut {
    #[serde(flatten)]
    pub venture: VentureOut,
    pub support: Vec<SupportOut>,
    pub deals: Vec<DealOut>,
}

/// Support the company gave.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportOut {
    pub id: Uuid,
    pub venture_id: Uuid,
    /// `funding`, `client_intro`, `guidance` or `equipment`.
    pub kind: String,
    pub on: NaiveDate,
    pub amount_yen: Option<i64>,
    pub hours: Option<i64>,
    pub client: Option<String>,
    pub outcome: Option<String>,
    pub by: Option<String>,
    pub description: Option<String>,
}

impl From<Support> for SupportOut {
    fn from(s: Support) -> Self {
        Self {
            id: s.id.0,
            venture_id: s.venture_id.0,
            kind: s.kind.code().into(),
            on: s.on,
            amount_yen: s.amount_yen,
            hours: s.hours,
            client: s.client,
            outcome: s.outcome,
            by: s.by,
            description: s.description,
        }
    }
}

/// Business done with the venture.
#[derive(Debug, Serialize, ToSchema)]
pub struct DealOut {
    pub id: Uuid,
    pub venture_id: Uuid,
    /// `client` (it buys from us), `supplier` (we buy from it) or `partner`.
    pub relation: String,
    pub on: NaiveDate,
    pub amount_yen: i64,
    pub description: Option<String>,
}

impl From<Deal> for DealOut {
    fn from(d: Deal) -> Self {
        Self {
            id: d.id.0,
            venture_id: d.venture_id.0,
            relation: d.relation.code().into(),
            on: d.on,
            amount_yen: d.amount_yen,
            description: d.description,
        }
    }
}

/// A venture as sent. On create a missing field is empty; on change a missing field keeps its value.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VentureWrite {
    /// Required.
    pub name: Option<String>,
    pub field: Option<String>,
    pub founded_on: Option<String>,
    /// Required: a code as in `VentureOut`.
    pub stage: Option<String>,
    pub website: Option<String>,
    pub note: Option<String>,
}

impl VentureWrite {
    fn apply(self, i: &mut VentureInput) {
        overlay(&mut i.name, self.name);
        overlay(&mut i.field, self.field);
        overlay(&mut i.founded_on, self.founded_on);
        overlay(&mut i.stage, self.stage);
        overlay(&mut i.website, self.website);
        overlay(&mut i.note, self.note);
    }
}

/// Support as sent: funding needs `amount_yen`, an introduction `client`, guidance `hours`, equipment a
/// `description`.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SupportWrite {
    /// Required: a code as in `SupportOut`.
    pub kind: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub on: Option<String>,
    #[serde(deserialize_with = "whole_number")]
    pub amount_yen: Option<i64>,
    #[serde(deserialize_with = "whole_number")]
    pub hours: Option<i64>,
    pub client: Option<String>,
    pub outcome: Option<String>,
    pub by: Option<String>,
    pub description: Option<String>,
}

/// A deal as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DealWrite {
    /// Required: a code as in `DealOut`.
    pub relation: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub on: Option<String>,
    /// Required: yen.
    #[serde(deserialize_with = "whole_number")]
    pub amount_yen: Option<i64>,
    pub description: Option<String>,
}

/// The company's ventures.
#[utoipa::path(get, operation_id = "list_ventures", path = "/api/v1/ventures", tag = "ventures",
    params(Paging),
    responses(
        (status = 200, description = "A page of ventures", body = ListOf<VentureOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<VentureOut>>, ApiError> {
    paging.checked()?;
    let all = ventures::summaries(&state.db, &caller.scope, None).await?;
    Ok(Json(
        paging.slice(
            all.into_iter()
                .map(|s| venture_out(s.venture, s.totals))
                .collect(),
        )?,
    ))
}

async fn detail(
    state: &AppState,
    caller: &Caller,
    id: VentureId,
) -> Result<VentureDetailOut, ApiError> {
    let d = ventures::get(&state.db, &caller.scope, id).await?;
    Ok(VentureDetailOut {
        venture: venture_out(d.venture, d.totals),
        support: d.support.into_iter().map(Into::into).collect(),
        deals: d.deals.into_iter().map(Into::into).collect(),
    })
}

/// One venture with its support and deals.
#[utoipa::path(get, operation_id = "get_venture", path = "/api/v1/ventures/{id}", tag = "ventures",
    params(("id" = Uuid, Path, description = "The venture's id")),
    responses(
        (status = 200, description = "The venture", body = VentureDetailOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such venture in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<VentureId>,
) -> Result<Json<VentureDetailOut>, ApiError> {
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Records a business a person started.
#[utoipa::path(post, operation_id = "create_venture", path = "/api/v1/people/{id}/ventures", tag = "ventures",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = VentureWrite,
    responses(
        (status = 201, description = "Created", body = VentureDetailOut,
            links(("GetVenture" = (operation_id = "get_venture", parameters(("id" = "$response.body#/id")))))),
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
    Id(person): Id<PersonId>,
    Body(body): Body<VentureWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    live(&state, &caller.scope, person).await?;
    let mut input = VentureInput::default();
    body.apply(&mut input);
    let v = kaeru_app::ventures::create(
        &state.db,
        &caller.scope,
        &caller.actor(),
        person,
        &input,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/ventures/{}", v.id.0);
    Ok(super::created(
        location,
        detail(&state, &caller, v.id).await?,
    ))
}

/// Changes a venture: only the fields sent. Moving it to `withdrawn` records the day it closed.
#[utoipa::path(patch, operation_id = "update_venture", path = "/api/v1/ventures/{id}", tag = "ventures",
    params(("id" = Uuid, Path, description = "The venture's id")),
    request_body = VentureWrite,
    responses(
        (status = 200, description = "Changed", body = VentureDetailOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such venture in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<VentureId>,
    Body(body): Body<VentureWrite>,
) -> Result<Json<VentureDetailOut>, ApiError> {
    caller.require_write()?;
    let current = ventures::get(&state.db, &caller.scope, id).await?;
    let mut input = VentureInput::from_venture(&current.venture);
    body.apply(&mut input);
    kaeru_app::ventures::update(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await?;
    Ok(Json(detail(&state, &caller, id).await?))
}

/// Records support the company gave the venture.
#[utoipa::path(post, operation_id = "add_venture_support", path = "/api/v1/ventures/{id}/support", tag = "ventures",
    params(("id" = Uuid, Path, description = "The venture's id")),
    request_body = SupportWrite,
    responses(
        (status = 201, description = "Recorded", body = SupportOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such venture in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn add_support(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<VentureId>,
    Body(body): Body<SupportWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let mut input = SupportInput::default();
    overlay(&mut input.kind, body.kind);
    overlay(&mut input.on, body.on);
    overlay(
        &mut input.amount_yen,
        body.amount_yen.map(|n| n.to_string()),
    );
    overlay(&mut input.hours, body.hours.map(|n| n.to_string()));
    overlay(&mut input.client, body.client);
    overlay(&mut input.outcome, body.outcome);
    overlay(&mut input.by, body.by);
    overlay(&mut input.description, body.description);
    let s = kaeru_app::ventures::add_support(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/ventures/{}", id.0);
    Ok(super::created(location, SupportOut::from(s)))
}

/// Records business done with the venture.
#[utoipa::path(post, operation_id = "add_venture_deal", path = "/api/v1/ventures/{id}/deals", tag = "ventures",
    params(("id" = Uuid, Path, description = "The venture's id")),
    request_body = DealWrite,
    responses(
        (status = 201, description = "Recorded", body = DealOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such venture in the company", body = ApiErrorBody),
        (status = 409, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn add_deal(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<VentureId>,
    Body(body): Body<DealWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let mut input = DealInput::default();
    overlay(&mut input.relation, body.relation);
    overlay(&mut input.deal_on, body.on);
    overlay(
        &mut input.deal_amount,
        body.amount_yen.map(|n| n.to_string()),
    );
    overlay(&mut input.deal_description, body.description);
    let d = kaeru_app::ventures::add_deal(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await
    .map_err(|f| match f {
        // The form's field names are prefixed; the API's are not.
        kaeru_app::Failure::Invalid(e) => ApiError::Invalid(kaeru_domain::FieldErrors(
            e.0.into_iter()
                .map(|(f, i)| (f.strip_prefix("deal_").unwrap_or(f), i))
                .map(|(f, i)| (if f == "amount" { "amount_yen" } else { f }, i))
                .collect(),
        )),
        other => other.into(),
    })?;
    let location = format!("/api/v1/ventures/{}", id.0);
    Ok(super::created(location, DealOut::from(d)))
}

/// Removes a support entry or a deal recorded by mistake.
#[utoipa::path(delete, operation_id = "delete_venture_entry", path = "/api/v1/ventures/{id}/entries/{eid}", tag = "ventures",
    params(("id" = Uuid, Path, description = "The venture's id"), ("eid" = Uuid, Path, description = "The support entry's or deal's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such entry of the venture in the company", body = ApiErrorBody),
    ))]
pub async fn remove_entry(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, eid): Ids<VentureId, Uuid>,
) -> Result<StatusCode, ApiError> {
    caller.require_write()?;
    kaeru_app::ventures::remove_entry(&state.db, &caller.scope, &caller.actor(), id, eid).await?;
    Ok(StatusCode::NO_CONTENT)
}
