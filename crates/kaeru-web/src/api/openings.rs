//! `/api/v1/openings`: openings (募集) with the skills they ask for, and the alumni who match one, ranked
//! with the reasons the opening page shows.

use super::{Body, Caller, Id, ListOf, Paging, Params, overlay};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kaeru_app::openings::{Words, detail_text, rank};
use kaeru_domain::opening::OpeningInput;
use kaeru_domain::{FieldErrors, Invalid, Opening, OpeningId, OpeningStatus, PersonId, SkillId};
use kaeru_search::Match;
use kaeru_store::{openings, people, skills};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/openings", get(list).post(create))
        .route("/openings/{id}", get(get_one).patch(update))
        .route("/openings/{id}/matches", get(matches))
        .merge(super::job_board::router())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillAsked {
    pub skill_id: Uuid,
    pub name: String,
    /// 1–5; for a nice-to-have skill always 1.
    pub min_level: i32,
}

/// An opening the company wants to fill.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningOut {
    pub id: Uuid,
    pub title: String,
    pub department: Option<String>,
    /// `full_time`, `part_week`, `contract` (業務委託) or `side_job` (副業); the last three may name
    /// `days_per_week`.
    pub work_style: String,
    pub days_per_week: Option<i32>,
    pub place: Option<String>,
    pub description: Option<String>,
    /// `public` (the public page and the portal), `alumni` (the portal) or `invited` (only the people
    /// invited).
    pub audience: String,
    /// Shown on the company's public page (`audience` is `public`).
    pub is_public: bool,
    /// `onsite`, `hybrid` or `full`.
    pub remote: Option<String>,
    /// Pay in yen per `pay_unit`.
    pub pay_yen: Option<i64>,
    /// `hour`, `day`, `month` or `year`.
    pub pay_unit: Option<String>,
    /// The last day it takes responses; it closes by itself the day after.
    pub closes_on: Option<chrono::NaiveDate>,
    /// `open` or `closed`.
    pub status: String,
    pub required: Vec<SkillAsked>,
    pub nice_to_have: Vec<SkillAsked>,
    pub created_at: DateTime<Utc>,
}

fn opening_out(o: Opening, names: &HashMap<SkillId, String>) -> OpeningOut {
    let asked = |required: bool| {
        o.requirements
            .iter()
            .filter(|r| r.required == required)
            .map(|r| SkillAsked {
                skill_id: r.skill_id.0,
                name: names.get(&r.skill_id).cloned().unwrap_or_default(),
                min_level: r.min_level,
            })
            .collect()
    };
    let is_public = o.is_public();
    OpeningOut {
        required: asked(true),
        nice_to_have: asked(false),
        id: o.id.0,
        title: o.title,
        department: o.department,
        work_style: o.work_style.code().into(),
        days_per_week: o.days_per_week,
        place: o.place,
        description: o.description,
        is_public,
        audience: o.audience.code().into(),
        remote: o.remote.map(|r| r.code().into()),
        pay_yen: o.pay_yen,
        pay_unit: o.pay_unit.map(|u| u.code().into()),
        closes_on: o.closes_on,
        status: o.status.code().into(),
        created_at: o.created_at,
    }
}

async fn skill_names(
    state: &AppState,
    caller: &Caller,
) -> Result<HashMap<SkillId, String>, ApiError> {
    Ok(skills::catalogue(&state.db, &caller.scope)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OpeningStatus)]
pub enum StatusParam {
    Open,
    Closed,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpeningsQuery {
    /// Only open or only closed openings.
    #[param(inline)]
    pub status: Option<StatusParam>,
    /// Only the openings shown on the public page (true) or only the others (false).
    pub public: Option<bool>,
    /// Only the openings for this audience.
    #[param(inline)]
    pub audience: Option<AudienceParam>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OpeningAudience)]
pub enum AudienceParam {
    Public,
    Alumni,
    Invited,
}

/// The company's openings.
#[utoipa::path(get, operation_id = "list_openings", path = "/api/v1/openings", tag = "openings",
    params(OpeningsQuery, Paging),
    responses(
        (status = 200, description = "A page of openings", body = ListOf<OpeningOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<OpeningsQuery>,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<OpeningOut>>, ApiError> {
    paging.checked()?;
    let names = skill_names(&state, &caller).await?;
    let all = openings::list(&state.db, &caller.scope, None).await?;
    let audience = q.audience.map(|a| match a {
        AudienceParam::Public => kaeru_domain::OpeningAudience::Public,
        AudienceParam::Alumni => kaeru_domain::OpeningAudience::Alumni,
        AudienceParam::Invited => kaeru_domain::OpeningAudience::Invited,
    });
    let wanted = q.status.map(|s| match s {
        StatusParam::Open => OpeningStatus::Open,
        StatusParam::Closed => OpeningStatus::Closed,
    });
    Ok(Json(
        paging.slice(
            all.into_iter()
                .filter(|o| wanted.is_none_or(|w| o.status == w))
                .filter(|o| q.public.is_none_or(|p| p == o.is_public()))
                .filter(|o| audience.is_none_or(|a| a == o.audience))
                .map(|o| opening_out(o, &names))
                .collect(),
        )?,
    ))
}

/// One opening.
#[utoipa::path(get, operation_id = "get_opening", path = "/api/v1/openings/{id}", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    responses(
        (status = 200, description = "The opening", body = OpeningOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such opening in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
) -> Result<Json<OpeningOut>, ApiError> {
    let o = openings::get(&state.db, &caller.scope, id).await?;
    Ok(Json(opening_out(o, &skill_names(&state, &caller).await?)))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredWrite {
    /// A skill of the catalogue.
    pub skill_id: String,
    /// 1–5; 1 when left out.
    #[serde(default, deserialize_with = "super::whole_number")]
    #[schema(minimum = 1, maximum = 5)]
    pub min_level: Option<i32>,
}

/// An opening as sent. On create a missing field is empty; on change a missing field keeps its value.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OpeningWrite {
    /// Required.
    pub title: Option<String>,
    pub department: Option<String>,
    /// `full_time`, `part_week` or `contract`; required.
    pub work_style: Option<String>,
    /// 1–5, required with `part_week`.
    #[serde(deserialize_with = "super::whole_number")]
    #[schema(minimum = 1, maximum = 5)]
    pub days_per_week: Option<i32>,
    pub place: Option<String>,
    pub description: Option<String>,
    /// `public`, `alumni` (the default) or `invited`.
    pub audience: Option<String>,
    /// Older form of `audience`: true is `public`, false `alumni`.
    pub is_public: Option<bool>,
    /// `onsite`, `hybrid` or `full`; an empty string clears it.
    pub remote: Option<String>,
    /// Pay in yen per `pay_unit` (a whole number; 「3万円」 is not read here).
    #[serde(deserialize_with = "super::whole_number")]
    pub pay_yen: Option<i64>,
    /// `hour`, `day`, `month` or `year`; required with `pay_yen`.
    pub pay_unit: Option<String>,
    /// YYYY-MM-DD; an empty string clears it.
    pub closes_on: Option<String>,
    /// `open` (default) or `closed`.
    pub status: Option<String>,
    /// Replaces the required skills when sent.
    pub required: Option<Vec<RequiredWrite>>,
    /// Replaces the nice-to-have skills when sent (skill ids).
    pub nice_to_have: Option<Vec<String>>,
}

impl OpeningWrite {
    fn apply(self, i: &mut OpeningInput) -> Result<(), FieldErrors> {
        overlay(&mut i.title, self.title);
        overlay(&mut i.department, self.department);
        overlay(&mut i.work_style, self.work_style);
        if let Some(d) = self.days_per_week {
            i.days_per_week = d.to_string();
        }
        overlay(&mut i.place, self.place);
        overlay(&mut i.description, self.description);
        if let Some(p) = self.is_public {
            i.audience = if p { "public" } else { "alumni" }.into();
        }
        overlay(&mut i.audience, self.audience);
        overlay(&mut i.remote, self.remote);
        if let Some(y) = self.pay_yen {
            i.pay_yen = y.to_string();
        }
        overlay(&mut i.pay_unit, self.pay_unit);
        overlay(&mut i.closes_on, self.closes_on);
        if let Some(s) = self.status {
            if OpeningStatus::parse(&s).is_none() {
                let mut e = FieldErrors::new();
                e.add("status", Invalid::new("error.choice"));
                return Err(e);
            }
            i.status = s;
        }
        if let Some(req) = self.required {
            i.req_level = req
                .iter()
                .map(|r| r.min_level.map(|n| n.to_string()).unwrap_or_default())
                .collect();
            i.req_skill = req.into_iter().map(|r| r.skill_id).collect();
        }
        if let Some(nice) = self.nice_to_have {
            i.nice_skill = nice;
        }
        Ok(())
    }
}

async fn parse(
    state: &AppState,
    caller: &Caller,
    input: &OpeningInput,
) -> Result<kaeru_domain::OpeningDraft, ApiError> {
    let cat = skills::catalogue(&state.db, &caller.scope).await?;
    input
        .parse(|k| cat.iter().any(|x| x.id == k))
        .map_err(ApiError::Invalid)
}

/// Adds an opening.
#[utoipa::path(post, operation_id = "create_opening", path = "/api/v1/openings", tag = "openings",
    request_body = OpeningWrite,
    responses(
        (status = 201, description = "Created", body = OpeningOut,
            links(("GetOpening" = (operation_id = "get_opening", parameters(("id" = "$response.body#/id")))), ("UpdateOpening" = (operation_id = "update_opening", parameters(("id" = "$response.body#/id")))), ("Matches" = (operation_id = "list_matches", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<OpeningWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let mut input = OpeningInput {
        status: "open".into(),
        ..Default::default()
    };
    body.apply(&mut input).map_err(ApiError::Invalid)?;
    let draft = parse(&state, &caller, &input).await?;
    let o = openings::create(&state.db, &caller.scope, &caller.actor(), &draft).await?;
    let location = format!("/api/v1/openings/{}", o.id.0);
    let names = skill_names(&state, &caller).await?;
    Ok(super::created(location, opening_out(o, &names)))
}

/// Changes an opening: only the fields sent.
#[utoipa::path(patch, operation_id = "update_opening", path = "/api/v1/openings/{id}", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id")),
    request_body = OpeningWrite,
    responses(
        (status = 200, description = "Changed", body = OpeningOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such opening in the company", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
    Body(body): Body<OpeningWrite>,
) -> Result<Json<OpeningOut>, ApiError> {
    caller.require_write()?;
    let current = openings::get(&state.db, &caller.scope, id).await?;
    let mut input = OpeningInput::from_opening(&current);
    body.apply(&mut input).map_err(ApiError::Invalid)?;
    let draft = parse(&state, &caller, &input).await?;
    let o = openings::update(&state.db, &caller.scope, &caller.actor(), id, &draft).await?;
    Ok(Json(opening_out(o, &skill_names(&state, &caller).await?)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchesQuery {
    /// How many to rank, 1–100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
}

/// One part of a score and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonOut {
    /// `skill`, `intent`, `offer`, `mission`, `rehire`, `contact` or `work_style`.
    pub part: String,
    pub points: f32,
    pub max: f32,
    /// The reason in words, in the language asked for.
    pub text: String,
}

/// A person and how well they match.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchOut {
    pub rank: u32,
    pub person_id: Uuid,
    pub name: String,
    pub kana: String,
    /// 0–100.
    pub score: f32,
    /// Required skills met, out of `required_total`.
    pub required_met: u32,
    pub required_total: u32,
    /// Why the person is listed apart: `not_eligible` (再雇用不可) or `no_consent`.
    pub excluded: Option<String>,
    pub reasons: Vec<ReasonOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchesOut {
    pub opening_id: Uuid,
    /// People holding at least one of the skills.
    pub considered: u64,
    /// True when the opening names no skill, so nobody can be ranked.
    pub no_skills: bool,
    pub matches: Vec<MatchOut>,
    /// People who would rank but are left out, best first.
    pub excluded: Vec<MatchOut>,
}

/// The alumni who match an opening, best first, with the reasons for each score.
#[utoipa::path(get, operation_id = "list_matches", path = "/api/v1/openings/{id}/matches", tag = "openings",
    params(("id" = Uuid, Path, description = "The opening's id"), MatchesQuery),
    responses(
        (status = 200, description = "The ranking", body = MatchesOut),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such opening in the company", body = ApiErrorBody),
    ))]
pub async fn matches(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<OpeningId>,
    Params(q): Params<MatchesQuery>,
) -> Result<Json<MatchesOut>, ApiError> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        let mut e = FieldErrors::new();
        e.add("limit", Invalid::new("api.error.limit").with("max", 100));
        return Err(ApiError::BadParams(e));
    }
    let o = openings::get(&state.db, &caller.scope, id).await?;
    let names = skill_names(&state, &caller).await?;
    let ranked = rank(
        &state.db,
        &state.search,
        &caller.scope,
        &o,
        caller.today(),
        limit as usize,
    )
    .await?;
    let no_skills = ranked.is_none();
    let result = ranked.unwrap_or_default();
    let ids: Vec<PersonId> = result
        .ranked
        .iter()
        .chain(result.excluded.iter())
        .map(|m| PersonId(m.id))
        .collect();
    let who: HashMap<PersonId, (String, String)> = people::get_many(&state.db, &caller.scope, &ids)
        .await?
        .into_iter()
        .map(|i| (i.person.id, (i.person.full_name(), i.person.full_kana())))
        .collect();
    let words = Words {
        t: crate::i18n::Catalog::get(caller.lang),
    };
    let required_total = o.requirements.iter().filter(|r| r.required).count() as u32;
    let out = |list: &[Match]| -> Vec<MatchOut> {
        list.iter()
            .enumerate()
            .map(|(i, m)| {
                let (name, kana) = who.get(&PersonId(m.id)).cloned().unwrap_or_default();
                MatchOut {
                    rank: i as u32 + 1,
                    person_id: m.id,
                    name,
                    kana,
                    score: (m.score * 10.0).round() / 10.0,
                    required_met: m.required_met as u32,
                    required_total,
                    excluded: m.excluded.map(str::to_string),
                    reasons: m
                        .reasons
                        .iter()
                        .map(|r| ReasonOut {
                            part: r.part.into(),
                            points: (r.points * 10.0).round() / 10.0,
                            max: (r.max * 10.0).round() / 10.0,
                            text: r
                                .details
                                .iter()
                                .map(|d| detail_text(&words, &names, d))
                                .collect::<Vec<_>>()
                                .join(if caller.lang == kaeru_domain::Language::Ja {
                                    "、"
                                } else {
                                    "; "
                                }),
                        })
                        .collect(),
                }
            })
            .collect()
    };
    Ok(Json(MatchesOut {
        opening_id: o.id.0,
        considered: result.considered as u64,
        no_skills,
        matches: out(&result.ranked),
        excluded: out(&result.excluded),
    }))
}
