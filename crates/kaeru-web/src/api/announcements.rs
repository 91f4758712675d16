//! `/api/v1/segments` and `/api/v1/announcements`: segments saved and counted for a purpose of use,
//! announcements written, scheduled, sent and followed up, as on the pages.

use super::{Body, Caller, Id, ListOf, Paging, Params, overlay};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kaeru_app::announcements as app;
use kaeru_domain::announcement::{
    AnnouncementInput, DeliveryChannel, LeftOut, SegmentFilter, SegmentInput,
};
use kaeru_domain::{AnnouncementId, FieldErrors, Invalid, SkillId};
use kaeru_store::announcements::{self as store, Announcement, Totals};
use kaeru_store::segments::{self, Audience, Segment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/segments", get(list_segments).post(create_segment))
        .route("/segments/count", post(count))
        .route("/announcements", get(list).post(create))
        .route("/announcements/{id}", get(get_one))
        .route("/announcements/{id}/send", post(send))
        .route("/announcements/{id}/cancel", post(cancel))
}

/// A skill held at a level or above.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillAtLeast {
    pub skill_id: Uuid,
    /// 1–5.
    pub level: i64,
}

/// A segment's query: every part left out matches everyone; parts combine with AND, values in a part with OR.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FilterJson {
    /// `employee`, `alumnus`, `returner`, `contractor`, `unregistered`.
    pub statuses: Vec<String>,
    /// Left (a stint ended) in this year or later.
    pub left_from: Option<i32>,
    /// Left in this year or earlier.
    pub left_to: Option<i32>,
    pub departments: Vec<String>,
    pub leave_reasons: Vec<String>,
    /// `welcome`, `case_by_case`, `not_eligible`.
    pub rehire: Vec<String>,
    /// `now`, `within_year`, `someday`, `not_now`.
    pub intents: Vec<String>,
    pub skills: Vec<SkillAtLeast>,
    /// 都道府県, as written (東京都, 静岡県…).
    pub prefectures: Vec<String>,
    /// `warm`, `normal`, `distant`.
    pub warmth: Vec<String>,
    /// Holds a standing return offer (true) or not (false).
    pub offer_active: Option<bool>,
    /// Came to an event (checked in) held in this year or later.
    pub attended_from: Option<i32>,
}

impl FilterJson {
    fn input(&self, name: &str) -> SegmentInput {
        SegmentInput {
            name: name.to_string(),
            statuses: self.statuses.clone(),
            left_from: self.left_from.map(|y| y.to_string()).unwrap_or_default(),
            left_to: self.left_to.map(|y| y.to_string()).unwrap_or_default(),
            departments: self.departments.join("、"),
            leave_reasons: self.leave_reasons.clone(),
            rehire: self.rehire.clone(),
            intents: self.intents.clone(),
            skill: String::new(),
            skill_level: String::new(),
            prefectures: self.prefectures.clone(),
            warmth: self.warmth.clone(),
            offer_active: match self.offer_active {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            attended_from: self
                .attended_from
                .map(|y| y.to_string())
                .unwrap_or_default(),
        }
    }

    fn skills(&self, e: &mut FieldErrors) -> Vec<(SkillId, u8)> {
        let mut out = Vec::new();
        for s in &self.skills {
            match u8::try_from(s.level) {
                Ok(l @ 1..=5) => out.push((SkillId(s.skill_id), l)),
                _ => e.add("skills", Invalid::new("error.level")),
            }
        }
        out
    }

    fn filter(&self) -> Result<SegmentFilter, ApiError> {
        let mut e = FieldErrors::new();
        let skills = self.skills(&mut e);
        let mut f = match self.input("").filter() {
            Ok(f) => f,
            Err(fe) => {
                for (k, p) in fe.0 {
                    e.add(k, p);
                }
                SegmentFilter::default()
            }
        };
        if !e.is_empty() {
            return Err(ApiError::Invalid(e));
        }
        f.skills = skills;
        Ok(f)
    }

    fn of(f: &SegmentFilter) -> Self {
        Self {
            statuses: f.statuses.iter().map(|s| s.code().into()).collect(),
            left_from: f.left_from,
            left_to: f.left_to,
            departments: f.departments.clone(),
            leave_reasons: f.leave_reasons.iter().map(|s| s.code().into()).collect(),
            rehire: f.rehire.iter().map(|s| s.code().into()).collect(),
            intents: f.intents.iter().map(|s| s.code().into()).collect(),
            skills: f
                .skills
                .iter()
                .map(|(s, l)| SkillAtLeast {
                    skill_id: s.0,
                    level: i64::from(*l),
                })
                .collect(),
            prefectures: f.prefectures.clone(),
            warmth: f.warmth.iter().map(|s| s.code().into()).collect(),
            offer_active: f.offer_active,
            attended_from: f.attended_from,
        }
    }
}

/// A saved segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentOut {
    pub id: Uuid,
    pub name: String,
    pub filter: FilterJson,
    pub updated_at: DateTime<Utc>,
}

fn segment_out(s: Segment) -> SegmentOut {
    SegmentOut {
        id: s.id.0,
        name: s.name,
        filter: FilterJson::of(&s.filter),
        updated_at: s.updated_at,
    }
}

/// A segment as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentWrite {
    /// Required, unique in the company.
    pub name: Option<String>,
    pub filter: FilterJson,
}

/// The company's segments, by name.
#[utoipa::path(get, operation_id = "list_segments", path = "/api/v1/segments", tag = "announcements",
    params(Paging),
    responses(
        (status = 200, description = "A page of segments", body = ListOf<SegmentOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list_segments(
    State(state): State<AppState>,
    caller: Caller,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<SegmentOut>>, ApiError> {
    paging.checked()?;
    let all = segments::list(&state.db, &caller.scope)
        .await?
        .into_iter()
        .map(segment_out)
        .collect();
    Ok(Json(paging.slice(all)?))
}

/// Saves a segment.
#[utoipa::path(post, operation_id = "create_segment", path = "/api/v1/segments", tag = "announcements",
    request_body = SegmentWrite,
    responses(
        (status = 201, description = "Saved", body = SegmentOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 422, description = "Values refused (or the name is taken); nothing written", body = ApiErrorBody),
    ))]
pub async fn create_segment(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<SegmentWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let filter = body.filter.filter()?;
    let mut input = SegmentInput::default();
    overlay(&mut input.name, body.name);
    let (name, _) = SegmentInput {
        name: input.name,
        ..Default::default()
    }
    .parse()
    .map_err(ApiError::Invalid)?;
    let s = segments::save(
        &state.db,
        &caller.scope,
        &caller.actor(),
        None,
        &name,
        &filter,
    )
    .await
    .map_err(|e| match e {
        kaeru_store::StoreError::Conflict(kaeru_store::Clash::SegmentNameTaken) => {
            let mut f = FieldErrors::new();
            f.add("name", Invalid::new("conflict.segment_name_taken"));
            ApiError::Invalid(f)
        }
        other => other.into(),
    })?;
    Ok(super::created(
        format!("/api/v1/segments/{}", s.id.0),
        segment_out(s),
    ))
}

/// A count as asked for.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CountWrite {
    /// The purpose of use whose consent counts (e.g. `rehire`); required.
    pub purpose: Option<String>,
    pub filter: FilterJson,
}

/// Who a filter reaches for a purpose.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    /// People the filter matches.
    pub matched: u64,
    /// Of them, reachable by e-mail.
    pub email: u64,
    /// Of them, reachable by LINE.
    pub line: u64,
    /// Left out, by reason: `contact_stopped`, `withdrawn`, `no_consent`, `no_address`, `bounced`.
    pub left_out: std::collections::BTreeMap<String, u64>,
}

fn count_out(a: &Audience) -> CountOut {
    CountOut {
        matched: a.matched,
        email: a.by(DeliveryChannel::Email),
        line: a.by(DeliveryChannel::Line),
        left_out: LeftOut::ALL
            .iter()
            .filter_map(|w| a.left_out.get(w).map(|n| (w.code().to_string(), *n)))
            .collect(),
    }
}

/// Counts a filter for a purpose, without saving anything.
#[utoipa::path(post, operation_id = "count_segment", path = "/api/v1/segments/count", tag = "announcements",
    request_body = CountWrite,
    responses(
        (status = 200, description = "The count", body = CountOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 422, description = "Values refused", body = ApiErrorBody),
    ))]
pub async fn count(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<CountWrite>,
) -> Result<Json<CountOut>, ApiError> {
    let filter = body.filter.filter()?;
    let purpose = body.purpose.unwrap_or_default();
    let purposes = kaeru_store::consent::purposes(&state.db, &caller.scope).await?;
    if !purposes
        .iter()
        .any(|p| p.code == purpose.trim() && p.active)
    {
        let mut f = FieldErrors::new();
        f.add("purpose", Invalid::new("error.choice"));
        return Err(ApiError::Invalid(f));
    }
    let plan = app::plan(
        &state.db,
        &caller.scope,
        &state.delivery(),
        &filter,
        purpose.trim(),
        caller.today(),
        false,
    )
    .await?;
    Ok(Json(count_out(&plan.audience)))
}

/// An announcement, with its deliveries counted by state and channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementOut {
    pub id: Uuid,
    /// `notice`, `newsletter`, `openings`, `invitation`.
    pub kind: String,
    pub subject: String,
    /// Markdown.
    pub body: String,
    pub purpose: String,
    pub segment_id: Option<Uuid>,
    /// `draft`, `scheduled`, `sending`, `sent`, `paused`, `cancelled`.
    pub status: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub paused_reason: Option<String>,
    pub recipients: i32,
    pub left_out: i32,
    pub deliveries: DeliveryTotalsOut,
    /// The event an invitation (`kind` `invitation`) is for.
    pub event_id: Option<Uuid>,
}

/// Deliveries by state and channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryTotalsOut {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub unsubscribed: i64,
    pub refused: i64,
    pub email: i64,
    pub line: i64,
}

fn out(a: Announcement, t: Totals) -> AnnouncementOut {
    AnnouncementOut {
        id: a.id.0,
        kind: a.kind.code().into(),
        subject: a.subject,
        body: a.body,
        purpose: a.purpose,
        segment_id: a.segment.map(|s| s.0),
        status: a.status.code().into(),
        scheduled_at: a.scheduled_at,
        started_at: a.started_at,
        finished_at: a.finished_at,
        paused_reason: a.paused_reason,
        recipients: a.recipients,
        left_out: a.left_out,
        event_id: a.event.map(|e| e.0),
        deliveries: DeliveryTotalsOut {
            queued: t.queued,
            sent: t.sent,
            failed: t.failed,
            bounced: t.bounced,
            unsubscribed: t.unsubscribed,
            refused: t.refused,
            email: t.email,
            line: t.line,
        },
    }
}

/// An announcement as sent.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AnnouncementWrite {
    /// `notice` (default), `newsletter`, `openings` or `invitation` (with `event_id` and purpose `events`).
    pub kind: Option<String>,
    /// Required.
    pub subject: Option<String>,
    /// Required, Markdown.
    pub body: Option<String>,
    /// Required: a purpose of use's code (e.g. `rehire`, `events`, `newsletter`).
    pub purpose: Option<String>,
    /// Required.
    pub segment_id: Option<Uuid>,
    /// When to send (RFC 3339, in the future); absent: send with `/send`.
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The event an invitation is for; each recipient's link opens their reply.
    pub event_id: Option<Uuid>,
}

/// The company's announcements, the newest first.
#[utoipa::path(get, operation_id = "list_announcements", path = "/api/v1/announcements", tag = "announcements",
    params(Paging),
    responses(
        (status = 200, description = "A page of announcements", body = ListOf<AnnouncementOut>),
        (status = 400, description = "A parameter is out of range", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(paging): Params<Paging>,
) -> Result<Json<ListOf<AnnouncementOut>>, ApiError> {
    let (page, per_page) = paging.checked()?;
    // Pages of 30 in the store; the API's page size is applied over them.
    let mut all = Vec::new();
    let mut p = 1;
    loop {
        let chunk = store::list(&state.db, &caller.scope, p).await?;
        let done = chunk.items.len() < chunk.per_page as usize;
        all.extend(chunk.items);
        if done || all.len() as u64 >= page * per_page {
            break;
        }
        p += 1;
    }
    let mut items = Vec::new();
    for a in all
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
    {
        let t = store::totals(&state.db, &caller.scope, a.id).await?;
        items.push(out(a, t));
    }
    let total = store::list(&state.db, &caller.scope, 1).await?.total;
    Ok(Json(ListOf::new(items, total, page, per_page)))
}

/// One announcement and its deliveries by state.
#[utoipa::path(get, operation_id = "get_announcement", path = "/api/v1/announcements/{id}", tag = "announcements",
    params(("id" = Uuid, Path, description = "The announcement's id")),
    responses(
        (status = 200, description = "The announcement", body = AnnouncementOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such announcement in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<AnnouncementId>,
) -> Result<Json<AnnouncementOut>, ApiError> {
    let a = store::get(&state.db, &caller.scope, id).await?;
    let t = store::totals(&state.db, &caller.scope, id).await?;
    Ok(Json(out(a, t)))
}

/// Writes an announcement (a draft, or scheduled when `scheduled_at` is given).
#[utoipa::path(post, operation_id = "create_announcement", path = "/api/v1/announcements", tag = "announcements",
    request_body = AnnouncementWrite,
    responses(
        (status = 201, description = "Saved", body = AnnouncementOut,
            links(("GetAnnouncement" = (operation_id = "get_announcement", parameters(("id" = "$response.body#/id")))))),
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
    Body(body): Body<AnnouncementWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let tz: chrono_tz::Tz = caller
        .company
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Tokyo);
    let mut input = AnnouncementInput::default();
    overlay(&mut input.kind, body.kind);
    overlay(&mut input.subject, body.subject);
    overlay(&mut input.body, body.body);
    overlay(&mut input.purpose, body.purpose);
    overlay(&mut input.segment, body.segment_id.map(|s| s.to_string()));
    overlay(&mut input.event, body.event_id.map(|e| e.to_string()));
    overlay(
        &mut input.scheduled_at,
        body.scheduled_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S").to_string()),
    );
    let a = app::save(&state.db, &caller.scope, &caller.actor(), None, &input).await?;
    let t = store::totals(&state.db, &caller.scope, a.id).await?;
    Ok(super::created(
        format!("/api/v1/announcements/{}", a.id.0),
        out(a, t),
    ))
}

/// Sends now: consent is checked per person, LINE's quota is read first; a second send is refused (409).
#[utoipa::path(post, operation_id = "send_announcement", path = "/api/v1/announcements/{id}/send", tag = "announcements",
    params(("id" = Uuid, Path, description = "The announcement's id")),
    responses(
        (status = 202, description = "Queued; the worker sends it", body = CountOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such announcement in the company", body = ApiErrorBody),
        (status = 409, description = "Already sent or being sent", body = ApiErrorBody),
        (status = 422, description = "Nobody to send to, LINE not set up, or LINE's quota too small", body = ApiErrorBody),
    ))]
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<AnnouncementId>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let plan = app::send_now(
        &state.db,
        &caller.scope,
        &caller.actor(),
        &state.delivery(),
        id,
    )
    .await?;
    Ok((
        axum::http::StatusCode::ACCEPTED,
        Json(count_out(&plan.audience)),
    )
        .into_response())
}

/// Cancels an announcement not yet sent (or stops one being sent).
#[utoipa::path(post, operation_id = "cancel_announcement", path = "/api/v1/announcements/{id}/cancel", tag = "announcements",
    params(("id" = Uuid, Path, description = "The announcement's id")),
    responses(
        (status = 200, description = "Cancelled", body = AnnouncementOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such announcement in the company", body = ApiErrorBody),
        (status = 409, description = "Already sent or cancelled", body = ApiErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<AnnouncementId>,
) -> Result<Json<AnnouncementOut>, ApiError> {
    caller.require_write()?;
    store::cancel(&state.db, &caller.scope, &caller.actor(), id).await?;
    let a = store::get(&state.db, &caller.scope, id).await?;
    let t = store::totals(&state.db, &caller.scope, id).await?;
    Ok(Json(out(a, t)))
}
