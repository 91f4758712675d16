//! `/api/v1/openings/{id}/…`: the job board seen by HR: quiet interests and applications (and starting
//! the comeback from one), recording a response on a person's behalf, the figures of an opening, and who
//! is invited to an invitation-only one.

use super::{Body, Caller, Id};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kaeru_domain::job_board::{ResponseInput, ResponseKind, Via};
use kaeru_domain::{FieldErrors, Invalid, OpeningId, PersonId, ResponseId};
use kaeru_store::job_board as store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openings/{id}/responses", get(responses).post(respond))
        .route(
            "/openings/{id}/responses/{response}/comeback",
            post(start_comeback),
        )
        .route("/openings/{id}/figures", get(figures))
        .route("/openings/{id}/invites", get(invites).post(invite))
        .route("/openings/{id}/invites/{person}", delete(uninvite))
}

/// A quiet interest (こっそり興味あり) or an application (応募).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseOut {
    pub id: Uuid,
    pub opening_id: Uuid,
    pub person_id: Uuid,
    pub name: String,
    /// `interest` or `application`.
    pub kind: String,
    /// The person took the interest back.
    pub withdrawn: bool,
    pub note: Option<String>,
    /// When they could start, in their words.
    pub available_from: Option<String>,
    /// Where they came from: `portal`, `email`, `line` or `api`.
    pub via: String,
    /// The comeback started from it, if any.
    pub comeback_id: Option<Uuid>,
    /// The person's last stint says 再雇用不可.
    pub not_eligible: bool,
    pub updated_at: DateTime<Utc>,
}

async fn response_outs(
    state: &AppState,
    caller: &Caller,
    list: Vec<store::Response>,
) -> Result<Vec<ResponseOut>, ApiError> {
    let ids: Vec<PersonId> = list.iter().map(|r| r.person_id).collect();
    let names: HashMap<PersonId, String> =
        kaeru_store::people::get_many(&state.db, &caller.scope, &ids)
            .await?
            .into_iter()
            .map(|i| (i.person.id, i.person.full_name()))
            .collect();
    let not_eligible = kaeru_store::stints::not_eligible(&state.db, &caller.scope, &ids).await?;
    Ok(list
        .into_iter()
        .map(|r| ResponseOut {
            id: r.id.0,
            opening_id: r.opening_id.0,
            person_id: r.person_id.0,
            name: names.get(&r.person_id).cloned().unwrap_or_default(),
            kind: r.kind.code().into(),
            withdrawn: r.withdrawn,
            note: r.note,
            available_from: r.available_from,
            via: r.via.code().into(),
            comeback_id: r.comeback_id.map(|c| c.0),
            not_eligible: not_eligible.contains(&r.person_id),
            updated_at: r.updated_at,
        })
        .collect())
}

/// The interests and applications for an opening, newest first (withdrawn ones marked).
#[utoipa::path(get, operation_id = "list_opening_responses", path = "/api/v1/openings/{id}/responses", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    responses(
        (status = 200, description = "The responses", body = Vec<ResponseOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such opening in the company", body = ApiErrorBody),
    ))]
pub async fn responses(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
) -> Result<Json<Vec<ResponseOut>>, ApiError> {
    kaeru_store::openings::get(&state.db, &caller.scope, id).await?;
    let list = store::for_opening(&state.db, &caller.scope, id).await?;
    Ok(Json(response_outs(&state, &caller, list).await?))
}

/// A response recorded on a person's behalf (told by phone, or from another system).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ResponseWrite {
    pub person_id: String,
    /// `interest` or `application` (an application starts the comeback).
    pub kind: String,
    pub note: Option<String>,
    pub available_from: Option<String>,
}

/// Records a quiet interest or an application for a person (where from: `api`).
#[utoipa::path(post, operation_id = "create_opening_response", path = "/api/v1/openings/{id}/responses", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    request_body = ResponseWrite,
    responses(
        (status = 201, description = "Recorded", body = ResponseOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such opening or person in the company", body = ApiErrorBody),
        (status = 409, description = "Closed, by invitation only, or already applied", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn respond(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
    Body(body): Body<ResponseWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let mut e = FieldErrors::new();
    let person: Option<PersonId> = body.person_id.trim().parse().ok();
    if person.is_none() {
        e.add("person_id", Invalid::new("error.choice"));
    }
    let kind = ResponseKind::parse(body.kind.trim());
    if kind.is_none() {
        e.add("kind", Invalid::new("error.choice"));
    }
    let input = ResponseInput {
        note: body.note.unwrap_or_default(),
        available_from: body.available_from.unwrap_or_default(),
    };
    let draft = match input.parse() {
        Ok(d) => Some(d),
        Err(x) => {
            for (f, i) in x.0 {
                e.add(f, i);
            }
            None
        }
    };
    let (Some(person), Some(kind), Some(draft)) = (person, kind, draft) else {
        return Err(ApiError::Invalid(e));
    };
    kaeru_store::openings::get(&state.db, &caller.scope, id).await?;
    let r = kaeru_app::job_board::respond(
        &state.db,
        &caller.scope,
        person,
        id,
        kind,
        &draft,
        Via::Api,
        caller.today(),
    )
    .await?;
    let location = format!("/api/v1/openings/{id}/responses");
    let out = response_outs(&state, &caller, vec![r]).await?;
    Ok(super::created(location, out.into_iter().next()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComebackStarted {
    pub comeback_id: Uuid,
    pub opening_id: Uuid,
    pub response_id: Uuid,
}

/// Starts the comeback (復帰までの流れ) from a quiet interest; the comeback links back to the opening and
/// the interest.
#[utoipa::path(post, operation_id = "start_comeback_from_response", path = "/api/v1/openings/{id}/responses/{response}/comeback", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id"), ("response" = Uuid, Path, description = "The response's id")),
    responses(
        (status = 201, description = "Started", body = ComebackStarted),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such opening or response in the company", body = ApiErrorBody),
        (status = 409, description = "Withdrawn, already started, or the person has an open comeback", body = ApiErrorBody),
    ))]
pub async fn start_comeback(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, response)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let id: OpeningId = id.parse().map_err(|_| ApiError::NotFound)?;
    let response: ResponseId = response.parse().map_err(|_| ApiError::NotFound)?;
    let r = store::response(&state.db, &caller.scope, response).await?;
    if r.opening_id != id {
        return Err(ApiError::NotFound);
    }
    let (cb, _) = store::start_comeback(
        &state.db,
        &caller.scope,
        &caller.actor(),
        response,
        caller.today(),
    )
    .await?;
    Ok(super::created(
        format!("/api/v1/openings/{id}/responses"),
        ComebackStarted {
            comeback_id: cb.id.0,
            opening_id: id.0,
            response_id: response.0,
        },
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelFigures {
    /// `portal`, `email`, `line` or `api`.
    pub via: String,
    pub saw: u64,
    pub interested: u64,
    pub applied: u64,
}

/// Who saw an opening, raised a hand quietly and applied, in all and by where they came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct FiguresOut {
    pub opening_id: Uuid,
    pub saw: u64,
    pub interested: u64,
    pub applied: u64,
    pub by_channel: Vec<ChannelFigures>,
}

/// The figures of an opening.
#[utoipa::path(get, operation_id = "get_opening_figures", path = "/api/v1/openings/{id}/figures", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    responses(
        (status = 200, description = "The figures", body = FiguresOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such opening in the company", body = ApiErrorBody),
    ))]
pub async fn figures(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
) -> Result<Json<FiguresOut>, ApiError> {
    kaeru_store::openings::get(&state.db, &caller.scope, id).await?;
    let f = store::figures(&state.db, &caller.scope)
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Json(FiguresOut {
        opening_id: id.0,
        saw: f.saw,
        interested: f.interested,
        applied: f.applied,
        by_channel: f
            .by_via
            .into_iter()
            .map(|(via, (saw, interested, applied))| ChannelFigures {
                via,
                saw,
                interested,
                applied,
            })
            .collect(),
    }))
}

/// The people invited to an opening (ids, in the order invited).
#[utoipa::path(get, operation_id = "list_opening_invites", path = "/api/v1/openings/{id}/invites", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    responses(
        (status = 200, description = "The people invited", body = Vec<Uuid>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such opening in the company", body = ApiErrorBody),
    ))]
pub async fn invites(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
) -> Result<Json<Vec<Uuid>>, ApiError> {
    kaeru_store::openings::get(&state.db, &caller.scope, id).await?;
    Ok(Json(
        store::invited(&state.db, &caller.scope, id)
            .await?
            .into_iter()
            .map(|p| p.0)
            .collect(),
    ))
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct InviteWrite {
    /// At most 500 people of the company.
    pub person_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitedOut {
    /// How many were newly invited (the others already were).
    pub added: u64,
}

/// Invites people to an opening: an invitation-only opening shows in their portal.
#[utoipa::path(post, operation_id = "invite_to_opening", path = "/api/v1/openings/{id}/invites", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    request_body = InviteWrite,
    responses(
        (status = 200, description = "Invited", body = InvitedOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such opening or person in the company", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
    Body(body): Body<InviteWrite>,
) -> Result<Json<InvitedOut>, ApiError> {
    caller.require_write()?;
    let mut e = FieldErrors::new();
    if body.person_ids.is_empty() || body.person_ids.len() > 500 {
        e.add(
            "person_ids",
            Invalid::new("error.too_many").with("max", 500),
        );
        return Err(ApiError::Invalid(e));
    }
    let mut people = Vec::with_capacity(body.person_ids.len());
    for p in &body.person_ids {
        match p.trim().parse::<PersonId>() {
            Ok(p) => people.push(p),
            Err(_) => {
                e.add("person_ids", Invalid::new("error.choice"));
                return Err(ApiError::Invalid(e));
            }
        }
    }
    let added = store::invite(&state.db, &caller.scope, &caller.actor(), id, &people).await?;
    Ok(Json(InvitedOut { added }))
}

/// Takes an invitation back.
#[utoipa::path(delete, operation_id = "uninvite_from_opening", path = "/api/v1/openings/{id}/invites/{person}", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id"), ("person" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 204, description = "Taken back"),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such opening or invitation in the company", body = ApiErrorBody),
    ))]
pub async fn uninvite(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, person)): Path<(String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    caller.require_write()?;
    let id: OpeningId = id.parse().map_err(|_| ApiError::NotFound)?;
    let person: PersonId = person.parse().map_err(|_| ApiError::NotFound)?;
    store::uninvite(&state.db, &caller.scope, &caller.actor(), id, person).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
