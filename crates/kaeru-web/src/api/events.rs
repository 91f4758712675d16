//! `/api/v1/events`: events written, published, cancelled; their replies listed and recorded (a reply taken
//! by phone), and attendees checked in by their code — the same use cases as the pages.

use super::{Body, Caller, Id, overlay, whole_number};
use crate::AppState;
use crate::api::ApiError;
use crate::api::error::ApiErrorBody;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kaeru_app::events::{self as app, Mail};
use kaeru_domain::event::{EventInput, EventStatus, RsvpInput};
use kaeru_domain::{EventId, FieldErrors, Invalid, PersonId};
use kaeru_store::events::{self as store, Counts, Event, Rsvp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub fn router() -> axum::Router<AppState> {
    Router::new()
        .route("/events", get(list).post(create))
        .route("/events/{id}", get(get_one).patch(update))
        .route("/events/{id}/status", post(set_status))
        .route("/events/{id}/rsvps", get(rsvps).post(reply))
        .route("/events/{id}/checkin", post(check_in))
}

/// Replies counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountsOut {
    pub attending: i64,
    /// Places taken (attending and offered, with companions).
    pub places: i64,
    pub waitlisted: i64,
    pub offered: i64,
    pub declined: i64,
    pub undecided: i64,
    /// Invited, no reply yet.
    pub no_reply: i64,
    pub checked_in: i64,
    pub walk_ins: i64,
    pub no_shows: i64,
}

fn counts_out(c: Counts) -> CountsOut {
    CountsOut {
        attending: c.attending,
        places: c.places,
        waitlisted: c.waitlisted,
        offered: c.offered,
        declined: c.declined,
        undecided: c.undecided,
        no_reply: c.no_reply,
        checked_in: c.checked_in,
        walk_ins: c.walk_ins,
        no_shows: c.no_shows,
    }
}

/// An event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: Uuid,
    /// `reunion`, `tour`, `study`, `social`.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub address: Option<String>,
    pub map_url: Option<String>,
    pub online_url: Option<String>,
    /// Absent: no limit.
    pub capacity: Option<i32>,
    /// 会費 in yen; 0 is free.
    pub fee: i64,
    pub reply_by: Option<DateTime<Utc>>,
    pub max_companions: i32,
    pub questions: Vec<String>,
    pub organiser: Option<String>,
    /// Hours a freed place is held for the next on the waitlist.
    pub offer_hours: i32,
    /// `draft`, `published`, `closed`, `held`, `cancelled`.
    pub status: String,
    /// The calendar file's SEQUENCE: raised on every change.
    pub sequence: i32,
    /// The calendar file's UID.
    pub uid: String,
    pub cancelled_reason: Option<String>,
    pub counts: CountsOut,
}

fn event_out(e: Event, c: Counts) -> EventOut {
    EventOut {
        uid: e.uid(),
        id: e.id.0,
        kind: e.kind.code().into(),
        title: e.title,
        description: e.description,
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        place: e.place,
        address: e.address,
        map_url: e.map_url,
        online_url: e.online_url,
        capacity: e.capacity,
        fee: e.fee,
        reply_by: e.reply_by,
        max_companions: e.max_companions,
        questions: e.questions,
        organiser: e.organiser,
        offer_hours: e.offer_hours,
        status: e.status.code().into(),
        sequence: e.sequence,
        cancelled_reason: e.cancelled_reason,
        counts: counts_out(c),
    }
}

/// An event as sent: every field optional on a change (PATCH); `title`, `starts_at`, `ends_at` and a
/// `place` or `online_url` required on creation.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EventWrite {
    /// `reunion` (default), `tour`, `study`, `social`.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub address: Option<String>,
    pub map_url: Option<String>,
    pub online_url: Option<String>,
    /// 1–100,000; 0 or absent on creation: no limit.
    #[serde(deserialize_with = "whole_number")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<i64>,
    /// Yen, 0–1,000,000.
    #[serde(deserialize_with = "whole_number")]
    #[schema(value_type = Option<i64>)]
    pub fee: Option<i64>,
    pub reply_by: Option<DateTime<Utc>>,
    /// 0–5.
    #[serde(deserialize_with = "whole_number")]
    #[schema(value_type = Option<i64>)]
    pub max_companions: Option<i64>,
    /// Up to 5.
    pub questions: Option<Vec<String>>,
    pub organiser: Option<String>,
    /// 1–336.
    #[serde(deserialize_with = "whole_number")]
    #[schema(value_type = Option<i64>)]
    pub offer_hours: Option<i64>,
}

fn local(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl EventWrite {
    fn onto(self, input: &mut EventInput, tz: chrono_tz::Tz) {
        overlay(&mut input.kind, self.kind);
        overlay(&mut input.title, self.title);
        overlay(&mut input.description, self.description);
        overlay(&mut input.starts_at, self.starts_at.map(|t| local(t, tz)));
        overlay(&mut input.ends_at, self.ends_at.map(|t| local(t, tz)));
        overlay(&mut input.place, self.place);
        overlay(&mut input.address, self.address);
        overlay(&mut input.map_url, self.map_url);
        overlay(&mut input.online_url, self.online_url);
        overlay(
            &mut input.capacity,
            self.capacity
                .map(|c| if c == 0 { String::new() } else { c.to_string() }),
        );
        overlay(&mut input.fee, self.fee.map(|f| f.to_string()));
        overlay(&mut input.reply_by, self.reply_by.map(|t| local(t, tz)));
        overlay(
            &mut input.max_companions,
            self.max_companions.map(|c| c.to_string()),
        );
        overlay(&mut input.questions, self.questions.map(|q| q.join("\n")));
        overlay(&mut input.organiser, self.organiser);
        overlay(
            &mut input.offer_hours,
            self.offer_hours.map(|h| h.to_string()),
        );
    }
}

fn tz_of(caller: &Caller) -> chrono_tz::Tz {
    caller
        .company
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Tokyo)
}

async fn mail(state: &AppState, caller: &Caller) -> Result<Mail, ApiError> {
    Ok(Mail::load(&state.db, &caller.scope, &state.delivery()).await?)
}

/// The company's events: upcoming first (soonest first), then past ones (newest first).
#[utoipa::path(get, operation_id = "list_events", path = "/api/v1/events", tag = "events",
    responses(
        (status = 200, description = "The events, each with its replies counted", body = Vec<EventOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<EventOut>>, ApiError> {
    Ok(Json(
        store::list(&state.db, &caller.scope)
            .await?
            .into_iter()
            .map(|(e, c)| event_out(e, c))
            .collect(),
    ))
}

/// One event with its replies counted.
#[utoipa::path(get, operation_id = "get_event", path = "/api/v1/events/{id}", tag = "events",
    params(("id" = Uuid, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The event", body = EventOut),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such event in the company", body = ApiErrorBody),
    ))]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EventId>,
) -> Result<Json<EventOut>, ApiError> {
    let e = store::get(&state.db, &caller.scope, id).await?;
    let c = store::counts(&state.db, &caller.scope, id).await?;
    Ok(Json(event_out(e, c)))
}

/// Creates an event as a draft (publish it with `/status`).
#[utoipa::path(post, operation_id = "create_event", path = "/api/v1/events", tag = "events",
    request_body = EventWrite,
    responses(
        (status = 201, description = "Saved", body = EventOut,
            links(("GetEvent" = (operation_id = "get_event", parameters(("id" = "$response.body#/id")))))),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 422, description = "Values refused (an end before the start, …); nothing written", body = ApiErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(body): Body<EventWrite>,
) -> Result<Response, ApiError> {
    caller.require_write()?;
    let mut input = EventInput::default();
    body.onto(&mut input, tz_of(&caller));
    let m = mail(&state, &caller).await?;
    let e = app::save(&state.db, &caller.scope, &caller.actor(), &m, None, &input).await?;
    let c = store::counts(&state.db, &caller.scope, e.id).await?;
    Ok(super::created(
        format!("/api/v1/events/{}", e.id.0),
        event_out(e, c),
    ))
}

/// Changes an event: the fields sent replace those stored. A capacity below the places taken is refused;
/// a change of time, place or title sends those coming the updated calendar file (SEQUENCE raised).
#[utoipa::path(patch, operation_id = "update_event", path = "/api/v1/events/{id}", tag = "events",
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = EventWrite,
    responses(
        (status = 200, description = "Saved", body = EventOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such event in the company", body = ApiErrorBody),
        (status = 409, description = "The event was held or cancelled", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EventId>,
    Body(body): Body<EventWrite>,
) -> Result<Json<EventOut>, ApiError> {
    caller.require_write()?;
    let tz = tz_of(&caller);
    let current = store::get(&state.db, &caller.scope, id).await?;
    let mut input = EventInput {
        kind: current.kind.code().into(),
        title: current.title.clone(),
        description: current.description.clone(),
        starts_at: local(current.starts_at, tz),
        ends_at: local(current.ends_at, tz),
        place: current.place.clone().unwrap_or_default(),
        address: current.address.clone().unwrap_or_default(),
        map_url: current.map_url.clone().unwrap_or_default(),
        online_url: current.online_url.clone().unwrap_or_default(),
        capacity: current.capacity.map(|c| c.to_string()).unwrap_or_default(),
        fee: current.fee.to_string(),
        reply_by: current.reply_by.map(|t| local(t, tz)).unwrap_or_default(),
        max_companions: current.max_companions.to_string(),
        questions: current.questions.join("\n"),
        organiser: current.organiser.clone().unwrap_or_default(),
        offer_hours: current.offer_hours.to_string(),
    };
    body.onto(&mut input, tz);
    let m = mail(&state, &caller).await?;
    let e = app::save(
        &state.db,
        &caller.scope,
        &caller.actor(),
        &m,
        Some(id),
        &input,
    )
    .await?;
    let c = store::counts(&state.db, &caller.scope, id).await?;
    Ok(Json(event_out(e, c)))
}

/// A move of an event's state.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StatusWrite {
    /// `published`, `closed`, `held` (after the start; attendees not checked in become no-shows) or
    /// `cancelled` (those coming get the cancelled calendar file).
    pub status: Option<String>,
    /// Why it was cancelled (sent to those coming).
    pub reason: Option<String>,
}

/// Publishes, closes, reopens, marks held or cancels an event.
#[utoipa::path(post, operation_id = "set_event_status", path = "/api/v1/events/{id}/status", tag = "events",
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = StatusWrite,
    responses(
        (status = 200, description = "Moved", body = EventOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such event in the company", body = ApiErrorBody),
        (status = 409, description = "Not possible from the event's state", body = ApiErrorBody),
        (status = 422, description = "Values refused", body = ApiErrorBody),
    ))]
pub async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EventId>,
    Body(body): Body<StatusWrite>,
) -> Result<Json<EventOut>, ApiError> {
    caller.require_write()?;
    let to = body
        .status
        .as_deref()
        .and_then(EventStatus::parse)
        .filter(|s| *s != EventStatus::Draft)
        .ok_or_else(|| {
            let mut f = FieldErrors::new();
            f.add("status", Invalid::new("error.choice"));
            ApiError::Invalid(f)
        })?;
    let m = mail(&state, &caller).await?;
    let e = app::set_status(
        &state.db,
        &caller.scope,
        &caller.actor(),
        &m,
        id,
        to,
        body.reason.as_deref().unwrap_or(""),
    )
    .await?;
    let c = store::counts(&state.db, &caller.scope, id).await?;
    Ok(Json(event_out(e, c)))
}

/// One person's reply (or a guest received at the door).
#[derive(Debug, Serialize, ToSchema)]
pub struct RsvpOut {
    pub id: Uuid,
    /// Absent for a guest not on the roster.
    pub person_id: Option<Uuid>,
    pub name: String,
    pub reading: String,
    /// `invited`, `attending`, `waitlisted`, `offered`, `declined`, `undecided`, `lapsed`.
    pub state: String,
    pub companions: i32,
    /// One per question, in order.
    pub answers: Vec<String>,
    /// 近況 (only when the person agreed to share it).
    pub news: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub waitlisted_at: Option<DateTime<Utc>>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub walk_in: bool,
    pub no_show: bool,
    /// 会費 received, in yen.
    pub paid: i64,
}

fn rsvp_out(r: Rsvp) -> RsvpOut {
    RsvpOut {
        id: r.id.0,
        person_id: r.person.map(|p| p.0),
        name: r.name,
        reading: r.reading,
        state: r.state.code().into(),
        companions: r.companions,
        answers: r.answers,
        news: r.news.filter(|_| r.news_consent),
        replied_at: r.replied_at,
        waitlisted_at: r.waitlisted_at,
        offer_expires_at: r.offer_expires_at,
        checked_in_at: r.checked_in_at,
        walk_in: r.walk_in,
        no_show: r.no_show,
        paid: r.paid,
    }
}

/// Everyone invited to, replying to or received at an event, in 五十音順.
#[utoipa::path(get, operation_id = "list_event_rsvps", path = "/api/v1/events/{id}/rsvps", tag = "events",
    params(("id" = Uuid, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The replies", body = Vec<RsvpOut>),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 404, description = "No such event in the company", body = ApiErrorBody),
    ))]
pub async fn rsvps(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EventId>,
) -> Result<Json<Vec<RsvpOut>>, ApiError> {
    store::get(&state.db, &caller.scope, id).await?;
    Ok(Json(
        store::rsvps(&state.db, &caller.scope, id)
            .await?
            .into_iter()
            .map(rsvp_out)
            .collect(),
    ))
}

/// A reply recorded for a person (taken by phone, or from another system).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReplyWrite {
    /// Required.
    pub person_id: Option<Uuid>,
    /// Required: `attending`, `declined`, `undecided`.
    pub answer: Option<String>,
    /// 0 up to the event's limit.
    #[serde(deserialize_with = "whole_number")]
    #[schema(value_type = Option<i64>)]
    pub companions: Option<i64>,
    /// One per question, in order.
    pub answers: Option<Vec<String>>,
    /// 近況, up to 400 characters.
    pub news: Option<String>,
    /// The news may go into the しおり.
    pub news_consent: Option<bool>,
}

/// Records a person's reply under the event's rules: a full event puts 出席 on the waitlist; the deadline
/// and a cancelled event refuse it (409).
#[utoipa::path(post, operation_id = "reply_to_event", path = "/api/v1/events/{id}/rsvps", tag = "events",
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = ReplyWrite,
    responses(
        (status = 200, description = "Recorded: where the reply put the person", body = RsvpOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such event or person in the company", body = ApiErrorBody),
        (status = 409, description = "The event does not take replies now (deadline, cancelled, closed)", body = ApiErrorBody),
        (status = 410, description = "The person's record was erased", body = ApiErrorBody),
        (status = 422, description = "Values refused; nothing written", body = ApiErrorBody),
    ))]
pub async fn reply(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EventId>,
    Body(body): Body<ReplyWrite>,
) -> Result<Json<RsvpOut>, ApiError> {
    caller.require_write()?;
    let Some(person) = body.person_id else {
        let mut f = FieldErrors::new();
        f.add("person_id", Invalid::new("error.required"));
        return Err(ApiError::Invalid(f));
    };
    let e = store::get(&state.db, &caller.scope, id).await?;
    if e.status == EventStatus::Draft {
        return Err(ApiError::Refused(Invalid::new("error.event_not_open")));
    }
    let r = store::rsvp_for(&state.db, &caller.scope, id, PersonId(person), true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let input = RsvpInput {
        answer: body.answer.unwrap_or_default(),
        companions: body.companions.map(|c| c.to_string()).unwrap_or_default(),
        answers: body.answers.unwrap_or_default(),
        news: body.news.unwrap_or_default(),
        news_consent: if body.news_consent.unwrap_or(false) {
            "on".into()
        } else {
            String::new()
        },
        ..Default::default()
    };
    let m = mail(&state, &caller).await?;
    let tz = tz_of(&caller);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let done = app::reply(
        &state.db,
        &caller.scope,
        &caller.actor(),
        &m,
        r.id,
        &input,
        today,
    )
    .await?;
    Ok(Json(rsvp_out(done.rsvp)))
}

/// A check-in code (from an attendee's QR code).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CheckInWrite {
    /// Required.
    pub code: Option<String>,
}

/// Checks an attendee in by their code; attendance is logged as a touchpoint (イベント). A used code,
/// another event's or an unknown one is refused (409) with why.
#[utoipa::path(post, operation_id = "check_in_to_event", path = "/api/v1/events/{id}/checkin", tag = "events",
    params(("id" = Uuid, Path, description = "The event's id")),
    request_body = CheckInWrite,
    responses(
        (status = 200, description = "Checked in", body = RsvpOut),
        (status = 400, description = "The body is not JSON of this shape", body = ApiErrorBody),
        (status = 413, description = "The body is too large", body = ApiErrorBody),
        (status = 415, description = "The body is not sent as application/json", body = ApiErrorBody),
        (status = 401, description = "No valid token", body = ApiErrorBody),
        (status = 403, description = "The token is read-only", body = ApiErrorBody),
        (status = 404, description = "No such event in the company", body = ApiErrorBody),
        (status = 409, description = "Refused: used, another event's, unknown, or no place", body = ApiErrorBody),
        (status = 422, description = "Values refused", body = ApiErrorBody),
    ))]
pub async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id<EventId>,
    Body(body): Body<CheckInWrite>,
) -> Result<Json<RsvpOut>, ApiError> {
    caller.require_write()?;
    let code = body.code.unwrap_or_default().trim().to_ascii_lowercase();
    if code.is_empty() || code.len() > 64 {
        let mut f = FieldErrors::new();
        f.add("code", Invalid::new("error.required"));
        return Err(ApiError::Invalid(f));
    }
    store::get(&state.db, &caller.scope, id).await?;
    let tz = tz_of(&caller);
    let today = Utc::now().with_timezone(&tz).date_naive();
    match app::check_in(
        &state.db,
        &caller.scope,
        &caller.actor(),
        id,
        Some(&code),
        None,
        today,
    )
    .await?
    {
        Ok(r) => Ok(Json(rsvp_out(r))),
        Err(why) => {
            let t = crate::i18n::Catalog::get(caller.lang);
            let text = app::refusal_text(&why, t, tz, caller.lang);
            Err(ApiError::Refused(
                Invalid::new("checkin_door.refused").with("why", text),
            ))
        }
    }
}
