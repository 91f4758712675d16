//! `/api/v1/skills`: the company's skill catalogue (with how many people hold each skill), new skills, and
//! the skills a person holds.

use super::people::live;
use super::{Body, Caller, Id, ListOf, Paging, Params};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use kaeru_domain::skill::SkillInput;
use kaeru_domain::{FieldErrors, Invalid, PersonId, Skill, SkillId};
use kaeru_store::{Clash, StoreError, skills};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/skills", get(list).post(create))
        .route("/skills/{id}", get(get_one))
        .route("/people/{id}/skills", get(for_person))
}

/// A skill of the company's catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillOut {
    pub id: Uuid,
    pub name: String,
    pub category: Option<String>,
    /// Other names the skill goes by (matched in search and import).
    pub aliases: Vec<String>,
    pub description: Option<String>,
    /// How many people hold it.
    pub holders: u64,
}

fn skill_out(s: Skill, holders: &HashMap<SkillId, u64>) -> SkillOut {
    SkillOut {
        holders: holders.get(&s.id).copied().unwrap_or(0),
        id: s.id.0,
        name: s.name,
        category: s.category,
        aliases: s.aliases,
        description: s.description,
    }
}

/// The catalogue, in its order (category, then name).
#[utoipa::path(get, operation_id = "list_skills", path = "/api/v1/skills", tag = "skills",
    params(Paging),
    responses(
        (status = 200, description = "A page of skills", body = ListOf<SkillOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<SkillOut>>, ApiError> {
    paging.checked()?;
    let holders = skills::holder_counts(&state.db, &caller.scope).await?;
    let all = skills::catalogue(&state.db, &caller.scope).await?;
    Ok(Json(paging.slice(
        all.into_iter().map(|s| skill_out(s, &holders)).collect(),
    )?))
}

/// One skill.
#[utoipa::path(get, operation_id = "get_skill", path = "/api/v1/skills/{id}", tag = "skills",
    params(("id" = Uuid, Path, description = "The skill's id")),
    responses(
        (status = 200, description = "The skill", body = SkillOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such skill in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<SkillId>,
) -> Result<Json<SkillOut>, ApiError> {
    let s = skills::get(&state.db, &caller.scope, id).await?;
    let holders = skills::holder_counts(&state.db, &caller.scope).await?;
    Ok(Json(skill_out(s, &holders)))
}

/// A new skill as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SkillWrite {
    /// Required; unique in the catalogue (aliases included).
    pub name: String,
    pub category: String,
    pub aliases: Vec<String>,
    pub description: String,
}

/// Adds a skill to the catalogue.
#[utoipa::path(post, operation_id = "create_skill", path = "/api/v1/skills", tag = "skills",
    request_body = SkillWrite,
    responses(
        (status = 201, description = "Created", body = SkillOut,
            links(("GetSkill" = (operation_id = "get_skill", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 422, description = "Values refused (e.g. the name is taken); nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<SkillWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    if body.aliases.iter().any(|a| a.contains(['\n', '\r', ','])) {
        let mut e = FieldErrors::new();
        e.add("aliases", Invalid::new("error.single_line"));
        return Err(ApiError::Invalid(e));
    }
    let input = SkillInput {
        name: body.name,
        category: body.category,
        aliases: body.aliases.join("\n"),
        description: body.description,
    };
    let draft = input.parse().map_err(ApiError::Invalid)?;
    let s = match skills::create(&state.db, &caller.scope, &caller.actor(), &draft).await {
        Ok(s) => s,
        Err(StoreError::Conflict(Clash::SkillNameTaken)) => {
            let mut e = FieldErrors::new();
            e.add("name", Invalid::new("error.skill_name_taken"));
            return Err(ApiError::Invalid(e));
        }
        Err(e) => return Err(e.into()),
    };
    let location = format!("/api/v1/skills/{}", s.id.0);
    Ok(super::created(location, skill_out(s, &HashMap::new())))
}

/// A skill a person holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldSkill {
    pub skill_id: Uuid,
    pub name: String,
    /// 1–5.
    pub level: i32,
    /// `employment` (while here) or `after_leaving`.
    pub origin: String,
    /// `hr` or `self` (told by the person in the portal).
    pub source: String,
    pub assessed_on: NaiveDate,
    pub note: Option<String>,
}

/// The skills a person holds.
#[utoipa::path(get, operation_id = "list_skills_of_person", path = "/api/v1/people/{id}/skills", tag = "skills",
    params(("id" = Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The skills", body = Vec<HeldSkill>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such person in the company", body = ApiErrorBody),
    ))]
pub async fn for_person(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<PersonId>,
) -> Result<Json<Vec<HeldSkill>>, ApiError> {
    live(&state, &caller.scope, id).await?;
    let names: HashMap<SkillId, String> = skills::catalogue(&state.db, &caller.scope)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let held = skills::for_person(&state.db, &caller.scope, id).await?;
    Ok(Json(
        held.into_iter()
            .map(|h| HeldSkill {
                skill_id: h.skill_id.0,
                name: names.get(&h.skill_id).cloned().unwrap_or_default(),
                level: h.level,
                origin: h.origin.code().into(),
                source: h.source.code().into(),
                assessed_on: h.assessed_on,
                note: h.note,
            })
            .collect(),
    ))
}
