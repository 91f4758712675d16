//! `/api/v1/people/{id}/touchpoints`: contacts with a person (飲み会, LINE, 電話, …) logged by the company,
//! with the contact form's rules (not in the future, a channel from the list). Warmth is derived from them.

use super::people::live;
use super::{Body, Caller, Id, Ids, overlay};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_domain::touchpoint::{Touchpoint, TouchpointInput};
use kaeru_domain::{PersonId, TouchpointId};
use kaeru_store::touchpoints;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/people/{id}/touchpoints", get(for_person).post(create))
        .route("/people/{id}/touchpoints/{tid}", delete(remove))
}

/// A contact with the person.
#[derive(Debug, Serialize, ToSchema)]
pub struct TouchpointOut {
    pub id: Uuid,
    pub person_id: Uuid,
    pub on: NaiveDate,
    /// `drinks`, `chamber`, `line`, `facebook`, `phone`, `email`, `event` or `chance`.
    pub channel: String,
    /// Who from the company.
    pub by: String,
    pub note: Option<String>,
}

impl From<Touchpoint> for TouchpointOut {
    fn from(t: Touchpoint) -> Self {
        Self {
            id: t.id.0,
            person_id: t.person_id.0,
            on: t.on,
            channel: t.channel.code().into(),
            by: t.by,
            note: t.note,
        }
    }
}

/// A contact as sent. `on` defaults to today and `by` to the token's name.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TouchpointWrite {
    /// YYYY-MM-DD, not in the future.
    pub on: Option<String>,
    /// Required; a code as in `TouchpointOut`.
    pub channel: Option<String>,
    pub by: Option<String>,
    pub note: Option<String>,
}

/// The person's contacts, newest first.
#[utoipa::path(get, operation_id = "list_touchpoints", path = "/api/v1/people/{id}/touchpoints", tag = "touchpoints",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The contacts", body = Vec<TouchpointOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<TouchpointOut>>, ApiError> {
    live(&state, &caller.scope, id).await?;
    let all = touchpoints::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Logs a contact with the person.
#[utoipa::path(post, operation_id = "create_touchpoint", path = "/api/v1/people/{id}/touchpoints", tag = "touchpoints",
    params(("id" = Uuid, Path, description = "The person's id")),
    request_body = TouchpointWrite,
    responses(
        (status = 201, description = "Logged", body = TouchpointOut),
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
    Body(body): Body<TouchpointWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    live(&state, &caller.scope, id).await?;
    let mut input = TouchpointInput::default();
    overlay(&mut input.on, body.on);
    overlay(&mut input.channel, body.channel);
    overlay(&mut input.by, body.by);
    overlay(&mut input.note, body.note);
    let t = kaeru_app::contacts::log(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        &input,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/people/{}/touchpoints", id.0);
    Ok(super::created(location, TouchpointOut::from(t)))
}

/// Removes a contact logged by mistake.
#[utoipa::path(delete, operation_id = "delete_touchpoint", path = "/api/v1/people/{id}/touchpoints/{tid}", tag = "touchpoints",
    params(("id" = Uuid, Path, description = "The person's id"), ("tid" = Uuid, Path, description = "The contact's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such contact of the person in the company", body = ApiErrorBody),
    ))]
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Ids(id, tid): Ids<PersonId, TouchpointId>,
) -> Result<StatusCode, ApiError> {
    caller.require_write()?;
    kaeru_app::contacts::remove(&state.db, &caller.scope, &caller.actor(), id, tid).await?;
    Ok(StatusCode::NO_CONTENT)
}
