//! イベント: events written and moved on, invitations (announcements of kind イベントのご案内), the replies,
//! the door (check-in by list, QR code and walk-in), the people to talk to, 会計, the しおり and the
//! attendee list; the invited person's own page (a signed link, no sign-in) and the portal's.

use crate::AppState;
use crate::auth::{Alumnus, Signed, Visitor};
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Id, Ids, Nothing, Posted};
use crate::routes::{choices, download, form_status, label, owned, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::events::{self as app, Accounts, Mail, TalkTo};
use kaeru_domain::event::{EventInput, EventKind, EventStatus, RsvpInput, RsvpState, WalkInInput};
use kaeru_domain::{EventId, FieldErrors, Permission, RsvpId};
use kaeru_store::Scope;
use kaeru_store::events::{self as store, CheckInRefusal, Counts, Event, Rsvp};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/events", get(list).post(create))
        .route("/events/new", get(new_form))
        .route("/events/{id}", get(show).post(update))
        .route("/events/{id}/edit", get(edit_form))
        .route("/events/{id}/status", post(move_status))
        .route("/events/{id}/invite", get(invite))
        .route("/events/{id}/door", get(door))
        .route("/events/{id}/checkin", post(checkin_code))
        .route("/events/{id}/checkin/{code}", get(scan).post(scan_confirm))
        .route("/events/{id}/walk-in", post(walk_in))
        .route("/events/{id}/rsvps/{rsvp}/checkin", post(checkin_tap))
        .route("/events/{id}/rsvps/{rsvp}/undo", post(checkin_undo))
        .route("/events/{id}/rsvps/{rsvp}/paid", post(paid))
        .route("/events/{id}/rsvps/{rsvp}/no-show", post(no_show))
        .route("/events/{id}/rsvps/{rsvp}/reply", post(reply_for))
        .route("/events/{id}/attendees.csv", get(export_csv))
        .route("/events/{id}/attendees.xlsx", get(export_xlsx))
        .route("/events/{id}/booklet.pdf", get(booklet))
        .route("/events/{id}/event.ics", get(ics_staff))
        .route("/r/{token}", get(rsvp_page).post(rsvp_reply))
        .route("/r/{token}/event.ics", get(rsvp_ics))
        .route("/me/events", get(portal_list))
        .route("/me/events/{id}", get(portal_event).post(portal_reply))
}

async fn mail(state: &AppState, scope: &Scope) -> AppResult<Mail> {
    Ok(Mail::load(&state.db, scope, &state.delivery()).await?)
}

/// A page shown again with a refusal answers `refused`, else 200.
fn refused_with(refused: bool, status: StatusCode) -> StatusCode {
    if refused { status } else { StatusCode::OK }
}

fn message(f: &Failure, t: &'static kaeru_i18n::Catalog) -> Option<String> {
    match f {
        Failure::Refused(why) => Some(crate::forms::message(why, t)),
        Failure::Invalid(e) => e.0.values().next().map(|i| crate::forms::message(i, t)),
        Failure::Store(_) => None,
    }
}

// ---- the list ----

pub struct ListRow {
    id: String,
    title: String,
    kind: String,
    status: String,
    status_code: &'static str,
    when: String,
    counts: Counts,
    capacity: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct ListPage {
    s: Shell,
    rows: Vec<ListRow>,
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let s = Shell::signed(&signed, Section::People, "/events");
    let rows = store::list(&state.db, signed.scope())
        .await?
        .into_iter()
        .map(|(e, counts)| ListRow {
            id: e.id.to_string(),
            kind: label(s.t, "event_kind", e.kind.code()),
            status: label(s.t, "event_status", e.status.code()),
            status_code: e.status.code(),
            when: app::when(&e, s.time_zone, s.lang),
            capacity: e
                .capacity
                .map(|c| c.to_string())
                .unwrap_or_else(|| "—".into()),
            title: e.title,
            counts,
        })
        .collect();
    Ok(render(&ListPage { s, rows })?.into_response())
}

// ---- the form ----

#[derive(Template)]
#[template(path = "event_form.html")]
struct FormPage {
    s: Shell,
    id: Option<String>,
    form: EventInput,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    refused: Option<String>,
}

fn form_view(
    signed: &Signed,
    id: Option<EventId>,
    form: EventInput,
    errors: &FieldErrors,
    refused: Option<String>,
) -> AppResult<Response> {
    let s = Shell::signed(signed, Section::People, "/events");
    let tpl = FormPage {
        kinds: owned(choices(s.t, "event_kind", EventKind::ALL, EventKind::code)),
        id: id.map(|i| i.to_string()),
        errors: FormErrors::from(errors, s.t),
        form,
        refused,
        s,
    };
    Ok((form_status(errors), render(&tpl)?).into_response())
}

async fn new_form(signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let form = EventInput {
        max_companions: "0".into(),
        offer_hours: "48".into(),
        questions: signed.t().t("event.default_question").to_string(),
        organiser: signed.info.user.display_name.clone(),
        ..Default::default()
    };
    form_view(&signed, None, form, &FieldErrors::new(), None)
}

fn local(t: &chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
}

fn input_of(e: &Event, tz: chrono_tz::Tz) -> EventInput {
    EventInput {
        kind: e.kind.code().into(),
        title: e.title.clone(),
        description: e.description.clone(),
        starts_at: local(&e.starts_at, tz),
        ends_at: local(&e.ends_at, tz),
        place: e.place.clone().unwrap_or_default(),
        address: e.address.clone().unwrap_or_default(),
        map_url: e.map_url.clone().unwrap_or_default(),
        online_url: e.online_url.clone().unwrap_or_default(),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        fee: if e.fee == 0 {
            String::new()
        } else {
            e.fee.to_string()
        },
        reply_by: e.reply_by.map(|d| local(&d, tz)).unwrap_or_default(),
        max_companions: e.max_companions.to_string(),
        questions: e.questions.join("\n"),
        organiser: e.organiser.clone().unwrap_or_default(),
        offer_hours: e.offer_hours.to_string(),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(&signed, Section::People, "/events");
    form_view(
        &signed,
        Some(id),
        input_of(&e, s.time_zone),
        &FieldErrors::new(),
        None,
    )
}

async fn saved(
    state: &AppState,
    signed: &Signed,
    id: Option<EventId>,
    form: EventInput,
) -> AppResult<Response> {
    let m = mail(state, signed.scope()).await?;
    match app::save(&state.db, signed.scope(), &signed.actor(), &m, id, &form).await {
        Ok(e) => Ok(redirect_with_flash(
            &format!("/events/{}", e.id),
            "flash.saved",
        )),
        Err(Failure::Invalid(e)) => {
            tracing::info!(errors = ?e, "event not saved");
            form_view(signed, id, form, &e, None)
        }
        Err(Failure::Refused(why)) => {
            let msg = crate::forms::message(&why, signed.t());
            form_view(signed, id, form, &FieldErrors::new(), Some(msg))
        }
        Err(other) => Err(other.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<EventInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    saved(&state, &signed, None, posted.fields).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
    posted: Posted<EventInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    saved(&state, &signed, Some(id), posted.fields).await
}

// ---- the event page ----

pub struct ReplyRow {
    id: String,
    person: Option<String>,
    name: String,
    reading: String,
    state: String,
    state_code: &'static str,
    companions: i32,
    answers: Vec<(String, String)>,
    news: String,
    checked_in: String,
    walk_in: bool,
    no_show: bool,
    paid: i64,
    owes: i64,
    offer_until: String,
}

pub struct TalkRow {
    person: String,
    name: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "event_show.html")]
struct ShowPage {
    s: Shell,
    e: Event,
    kind: String,
    status: String,
    when: String,
    fee: String,
    reply_by: String,
    counts: Counts,
    accounts: Accounts,
    rows: Vec<ReplyRow>,
    waitlist: Vec<ReplyRow>,
    talk: Vec<TalkRow>,
    error: Option<String>,
    description_html: String,
    can_manage: bool,
    started: bool,
    /// Replies are taken now (HR may record one taken by phone).
    open: bool,
}

fn reply_row(r: &Rsvp, e: &Event, s: &Shell) -> ReplyRow {
    ReplyRow {
        id: r.id.to_string(),
        person: r.person.map(|p| p.to_string()),
        name: r.name.clone(),
        reading: r.reading.clone(),
        state: label(s.t, "rsvp_state", r.state.code()),
        state_code: r.state.code(),
        companions: r.companions,
        answers: e
            .questions
            .iter()
            .zip(r.answers.iter())
            .filter(|(_, a)| !a.is_empty())
            .map(|(q, a)| (q.clone(), a.clone()))
            .collect(),
        news: r.news.clone().unwrap_or_default(),
        checked_in: r.checked_in_at.map(|t| s.datetime(&t)).unwrap_or_default(),
        walk_in: r.walk_in,
        no_show: r.no_show,
        paid: r.paid,
        owes: (i64::from(r.seats()) * e.fee - r.paid).max(0),
        offer_until: r
            .offer_expires_at
            .map(|t| s.datetime(&t))
            .unwrap_or_default(),
    }
}

async fn show_view(
    state: &AppState,
    signed: &Signed,
    id: EventId,
    error: Option<String>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let scope = signed.scope();
    let e = store::get(&state.db, scope, id).await?;
    let s = Shell::signed(signed, Section::People, &format!("/events/{id}"));
    let rsvps = store::rsvps(&state.db, scope, id).await?;
    let counts = Counts::of(&rsvps);
    let can_manage = signed.can(Permission::ManageEvents);
    let talk = if can_manage {
        app::talk_to(
            &state.db,
            &state.search,
            scope,
            &e,
            signed.today(),
            s.time_zone,
        )
        .await?
        .into_iter()
        .map(|t: TalkTo| {
            let mut reasons = Vec::new();
            if t.was_cold {
                reasons.push(s.t("event.talk_cold").to_string());
            }
            if let Some(n) = &t.offer {
                reasons.push(s.tf("event.talk_offer", "number", n));
            }
            for o in &t.openings {
                reasons.push(s.tf("event.talk_opening", "title", o));
            }
            TalkRow {
                person: t.rsvp.person.map(|p| p.to_string()).unwrap_or_default(),
                name: t.rsvp.name,
                reasons,
            }
        })
        .collect()
    } else {
        Vec::new()
    };
    let mut waitlisted: Vec<&Rsvp> = rsvps
        .iter()
        .filter(|r| r.state == RsvpState::Waitlisted)
        .collect();
    waitlisted.sort_by_key(|r| (r.waitlisted_at, r.id));
    let tpl = ShowPage {
        kind: label(s.t, "event_kind", e.kind.code()),
        status: label(s.t, "event_status", e.status.code()),
        when: app::when(&e, s.time_zone, s.lang),
        fee: app::fee_text(e.fee, s.lang),
        reply_by: e.reply_by.map(|d| s.datetime(&d)).unwrap_or_default(),
        counts,
        accounts: app::accounts(&e, &rsvps),
        waitlist: waitlisted.iter().map(|r| reply_row(r, &e, &s)).collect(),
        rows: rsvps
            .iter()
            .filter(|r| r.state != RsvpState::Waitlisted)
            .map(|r| reply_row(r, &e, &s))
            .collect(),
        talk,
        error,
        description_html: kaeru_messaging::markdown::to_html(&e.description),
        can_manage,
        started: e.starts_at <= chrono::Utc::now(),
        open: e.open_for_replies(chrono::Utc::now()).is_ok(),
        e,
        s,
    };
    let status = refused_with(tpl.error.is_some(), StatusCode::UNPROCESSABLE_ENTITY);
    Ok((status, render(&tpl)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    show_view(&state, &signed, id, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct StatusForm {
    to: String,
    reason: String,
}

async fn move_status(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
    posted: Posted<StatusForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let to = EventStatus::parse(&posted.fields.to).ok_or(AppError::BadForm)?;
    let m = mail(&state, signed.scope()).await?;
    match app::set_status(
        &state.db,
        signed.scope(),
        &signed.actor(),
        &m,
        id,
        to,
        &posted.fields.reason,
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(&format!("/events/{id}"), "flash.saved")),
        Err(f @ (Failure::Refused(_) | Failure::Invalid(_))) => {
            let msg = message(&f, signed.t());
            tracing::info!(event = %id, failure = ?f, "event status not changed");
            show_view(&state, &signed, id, msg).await
        }
        Err(other) => Err(other.into()),
    }
}

/// An invitation: a new announcement of kind イベントのご案内, written from the event.
async fn invite(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    if !e.status.can_invite() {
        let msg = signed.t().t("error.event_invite_unpublished").to_string();
        return show_view(&state, &signed, id, Some(msg)).await;
    }
    Ok(Redirect::to(&format!("/announcements/new?event={id}")).into_response())
}

// ---- the door ----

pub struct DoorRow {
    id: String,
    name: String,
    reading: String,
    companions: i32,
    state: String,
    checked_in: String,
    owes: i64,
}

pub struct Candidate {
    id: String,
    name: String,
    reading: String,
}

#[derive(Template)]
#[template(path = "event_door.html")]
struct DoorPage {
    s: Shell,
    e: Event,
    q: String,
    rows: Vec<DoorRow>,
    candidates: Vec<Candidate>,
    counts: Counts,
    message: Option<String>,
    ok: Option<String>,
    walk: WalkInInput,
    walk_errors: FormErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct DoorQuery {
    q: String,
}

fn matches_query(r: &Rsvp, q: &str) -> bool {
    let fold = |s: &str| kaeru_domain::event::gojuon_key(None, s).to_lowercase();
    let q = fold(q);
    q.is_empty() || fold(&r.name).contains(&q) || fold(&r.reading).contains(&q)
}

/// What the door page says besides its list: the search, the outcome of the last tap, a walk-in form kept.
#[derive(Default)]
struct DoorSays {
    q: String,
    message: Option<String>,
    ok: Option<String>,
    walk: WalkInInput,
    walk_errors: FieldErrors,
}

async fn door_view(
    state: &AppState,
    signed: &Signed,
    id: EventId,
    says: DoorSays,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let scope = signed.scope();
    let e = store::get(&state.db, scope, id).await?;
    let s = Shell::signed(signed, Section::People, &format!("/events/{id}/door"));
    let all = store::rsvps(&state.db, scope, id).await?;
    let DoorSays {
        q,
        message,
        ok,
        walk,
        walk_errors,
    } = says;
    let q = q.trim();
    let rows: Vec<DoorRow> = all
        .iter()
        .filter(|r| r.state.holds_place() || r.checked_in_at.is_some())
        .filter(|r| matches_query(r, q))
        .map(|r| DoorRow {
            id: r.id.to_string(),
            name: r.name.clone(),
            reading: r.reading.clone(),
            companions: r.companions,
            state: label(s.t, "rsvp_state", r.state.code()),
            checked_in: r.checked_in_at.map(|t| s.datetime(&t)).unwrap_or_default(),
            owes: (i64::from(r.seats()) * e.fee - r.paid).max(0),
        })
        .collect();
    // People not on the list, to receive as walk-ins: found through the search index by name or reading.
    let mut candidates = Vec::new();
    if q.chars().count() >= 2 {
        let on_list: std::collections::HashSet<_> = all
            .iter()
            .filter(|r| r.state.holds_place() || r.checked_in_at.is_some())
            .filter_map(|r| r.person)
            .collect();
        let cached = state.search.index_for(&state.db, scope).await?;
        let ids: Vec<kaeru_domain::PersonId> = cached
            .read()
            .search(q, 20)
            .iter()
            .map(|h| kaeru_domain::PersonId(h.id))
            .filter(|p| !on_list.contains(p))
            .take(10)
            .collect();
        for item in kaeru_store::people::get_many(&state.db, scope, &ids).await? {
            candidates.push(Candidate {
                id: item.person.id.to_string(),
                name: item.person.full_name(),
                reading: item.person.full_kana(),
            });
        }
    }
    let counts = Counts::of(&all);
    let status = refused_with(
        message.is_some() || !walk_errors.is_empty(),
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let tpl = DoorPage {
        walk_errors: FormErrors::from(&walk_errors, s.t),
        q: q.to_string(),
        rows,
        candidates,
        counts,
        message,
        ok,
        walk,
        e,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn door(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let q: DoorQuery = serde_html_form::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    door_view(
        &state,
        &signed,
        id,
        DoorSays {
            q: q.q,
            ..Default::default()
        },
    )
    .await
}

fn tz_of(signed: &Signed) -> chrono_tz::Tz {
    signed
        .info
        .company
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Tokyo)
}

/// The outcome of a check-in, shown on the door page.
async fn checked(
    state: &AppState,
    signed: &Signed,
    id: EventId,
    result: Result<Rsvp, CheckInRefusal>,
) -> AppResult<Response> {
    match result {
        Ok(r) => {
            tracing::info!(event = %id, rsvp = %r.id, "checked in");
            let ok = signed.t().format(
                "checkin_door.done",
                &[("name", r.name.clone()), ("n", r.seats().to_string())],
            );
            door_view(
                state,
                signed,
                id,
                DoorSays {
                    ok: Some(ok),
                    ..Default::default()
                },
            )
            .await
        }
        Err(why) => {
            tracing::info!(event = %id, refusal = ?why, "check-in refused");
            let msg = app::refusal_text(&why, signed.t(), tz_of(signed), signed.lang);
            door_view(
                state,
                signed,
                id,
                DoorSays {
                    message: Some(msg),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

async fn checkin_tap(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, rsvp): Ids<EventId, RsvpId>,
    _posted: Posted<Nothing>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let r = app::check_in(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        None,
        Some(rsvp),
        signed.today(),
    )
    .await?;
    checked(&state, &signed, id, r).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
}

/// A code typed in (or a QR link pasted) when the camera cannot read it.
async fn checkin_code(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
    posted: Posted<CodeForm>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let raw = posted.fields.code.trim();
    let code = raw
        .rsplit('/')
        .next()
        .unwrap_or(raw)
        .trim()
        .to_ascii_lowercase();
    if code.is_empty() || code.len() > 64 {
        let msg = signed.t().t("checkin_door.unknown").to_string();
        return door_view(
            &state,
            &signed,
            id,
            DoorSays {
                message: Some(msg),
                ..Default::default()
            },
        )
        .await;
    }
    let r = app::check_in(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        Some(&code),
        None,
        signed.today(),
    )
    .await?;
    checked(&state, &signed, id, r).await
}

#[derive(Template)]
#[template(path = "event_scan.html")]
struct ScanPage {
    s: Shell,
    e: Event,
    code: String,
    who: Option<Rsvp>,
    state: String,
    refusal: Option<String>,
}

/// Where a phone's camera lands from an attendee's QR code: who it is, and one tap to receive them (a GET
/// changes nothing). A used code, another event's or an unknown one is refused here already.
async fn scan(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, code): Ids<EventId, String>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let scope = signed.scope();
    let e = store::get(&state.db, scope, id).await?;
    let s = Shell::signed(&signed, Section::People, &format!("/events/{id}/door"));
    let code = code.trim().to_ascii_lowercase();
    let found = if code.len() <= 64 {
        store::rsvps_by_code(&state.db, scope, &code).await?
    } else {
        None
    };
    let refusal = match &found {
        None => Some(CheckInRefusal::Unknown),
        Some((other, _)) if other.id != id => Some(CheckInRefusal::OtherEvent(other.title.clone())),
        Some((_, r)) => match r.checked_in_at {
            Some(t) => Some(CheckInRefusal::AlreadyUsed(
                t,
                r.checked_in_by.clone().unwrap_or_default(),
            )),
            None if !r.state.holds_place() => Some(CheckInRefusal::NoPlace(r.state)),
            None => None,
        },
    };
    let refusal_text = refusal
        .as_ref()
        .map(|r| app::refusal_text(r, s.t, s.time_zone, s.lang));
    let who = found.map(|(_, r)| r);
    let tpl = ScanPage {
        state: who
            .as_ref()
            .map(|r| label(s.t, "rsvp_state", r.state.code()))
            .unwrap_or_default(),
        who,
        refusal: refusal_text,
        code,
        e,
        s,
    };
    let status = refused_with(tpl.refusal.is_some(), StatusCode::CONFLICT);
    Ok((status, render(&tpl)?).into_response())
}

async fn scan_confirm(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, code): Ids<EventId, String>,
    _posted: Posted<Nothing>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let code = code.trim().to_ascii_lowercase();
    let r = app::check_in(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        Some(&code),
        None,
        signed.today(),
    )
    .await?;
    checked(&state, &signed, id, r).await
}

async fn checkin_undo(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, rsvp): Ids<EventId, RsvpId>,
    _posted: Posted<Nothing>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    store::undo_check_in(&state.db, signed.scope(), &signed.actor(), id, rsvp).await?;
    Ok(redirect_with_flash(
        &format!("/events/{id}/door"),
        "flash.checkin_undone",
    ))
}

async fn walk_in(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
    posted: Posted<WalkInInput>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let form = posted.fields;
    match app::walk_in(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &form,
        signed.today(),
    )
    .await
    {
        Ok(r) => {
            let ok = signed
                .t()
                .format("checkin_door.walk_in_done", &[("name", r.name.clone())]);
            door_view(
                &state,
                &signed,
                id,
                DoorSays {
                    ok: Some(ok),
                    ..Default::default()
                },
            )
            .await
        }
        Err(Failure::Invalid(e)) => {
            door_view(
                &state,
                &signed,
                id,
                DoorSays {
                    walk: form,
                    walk_errors: e,
                    ..Default::default()
                },
            )
            .await
        }
        Err(Failure::Refused(why)) => {
            let msg = crate::forms::message(&why, signed.t());
            door_view(
                &state,
                &signed,
                id,
                DoorSays {
                    message: Some(msg),
                    walk: form,
                    ..Default::default()
                },
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PaidForm {
    amount: String,
    back: String,
}

fn back_to(id: EventId, back: &str) -> String {
    if back == "door" {
        format!("/events/{id}/door")
    } else {
        format!("/events/{id}#accounts")
    }
}

async fn paid(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, rsvp): Ids<EventId, RsvpId>,
    posted: Posted<PaidForm>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let amount = match kaeru_domain::validation::optional_yen(&posted.fields.amount, 10_000_000) {
        Ok(a) => a.unwrap_or(0),
        Err(why) => {
            let msg = crate::forms::message(&why, signed.t());
            return show_view(&state, &signed, id, Some(msg)).await;
        }
    };
    store::set_paid(&state.db, signed.scope(), &signed.actor(), id, rsvp, amount).await?;
    Ok(redirect_with_flash(
        &back_to(id, &posted.fields.back),
        "flash.saved",
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct NoShowForm {
    no_show: String,
}

async fn no_show(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, rsvp): Ids<EventId, RsvpId>,
    posted: Posted<NoShowForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    if e.starts_at > chrono::Utc::now() {
        let msg = signed.t().t("error.event_not_started").to_string();
        return show_view(&state, &signed, id, Some(msg)).await;
    }
    let flag = posted.fields.no_show == "true";
    store::set_no_show(&state.db, signed.scope(), &signed.actor(), id, rsvp, flag).await?;
    Ok(redirect_with_flash(&format!("/events/{id}"), "flash.saved"))
}

/// A reply HR took by phone (or at the office) for someone invited: the same rules as their own page.
async fn reply_for(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, rsvp): Ids<EventId, RsvpId>,
    posted: Posted<RsvpInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let r = store::rsvp(&state.db, signed.scope(), rsvp).await?;
    if r.event != id {
        return Err(AppError::NotFound);
    }
    let m = mail(&state, signed.scope()).await?;
    let mut input = posted.fields;
    // Answers, news and contacts are the person's to give; HR records the answer and companions only.
    input.answers = r.answers.clone();
    input.news = r.news.clone().unwrap_or_default();
    input.news_consent = if r.news_consent {
        "on".into()
    } else {
        String::new()
    };
    input.update_contacts = String::new();
    match app::reply(
        &state.db,
        signed.scope(),
        &signed.actor(),
        &m,
        rsvp,
        &input,
        signed.today(),
    )
    .await
    {
        Ok(done) => {
            tracing::info!(event = %id, rsvp = %rsvp, state = done.rsvp.state.code(), "reply recorded by staff");
            Ok(redirect_with_flash(
                &format!("/events/{id}"),
                "flash.rsvp_recorded",
            ))
        }
        Err(f @ (Failure::Refused(_) | Failure::Invalid(_))) => {
            let msg = message(&f, signed.t()).map(|m| format!("{}: {m}", r.name));
            show_view(&state, &signed, id, msg).await
        }
        Err(other) => Err(other.into()),
    }
}

// ---- files ----

fn file_stem(e: &Event) -> String {
    format!("event-{}", e.starts_at.format("%Y%m%d"))
}

async fn export_csv(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    let rsvps = store::rsvps(&state.db, signed.scope(), id).await?;
    let sheet = app::attendee_sheet(&e, &rsvps, signed.t(), tz_of(&signed));
    tracing::info!(event = %id, rows = sheet.rows.len(), "attendee list exported (csv)");
    Ok(download(
        "text/csv; charset=utf-8",
        format!("{}.csv", file_stem(&e)),
        kaeru_exchange::export::csv_utf8(&sheet),
    ))
}

async fn export_xlsx(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    let rsvps = store::rsvps(&state.db, signed.scope(), id).await?;
    let sheet = app::attendee_sheet(&e, &rsvps, signed.t(), tz_of(&signed));
    let bytes = kaeru_exchange::export::xlsx(&sheet, signed.t().t("event.sheet_name"))
        .map_err(|err| AppError::Internal(anyhow::anyhow!(err.to_string())))?;
    tracing::info!(event = %id, rows = sheet.rows.len(), "attendee list exported (xlsx)");
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}.xlsx", file_stem(&e)),
        bytes,
    ))
}

async fn booklet(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageEvents)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    let m = mail(&state, signed.scope()).await?;
    let db = state.db.clone();
    let scope = *signed.scope();
    let pdf = app::booklet(&db, &scope, &m, &e).await?;
    Ok(download(
        "application/pdf",
        format!("{}-booklet.pdf", file_stem(&e)),
        pdf,
    ))
}

fn ics_response(body: String) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8; method=PUBLISH".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"event.ics\"".to_string(),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn ics_staff(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    signed.require(Permission::CheckInAttendees)?;
    let e = store::get(&state.db, signed.scope(), id).await?;
    let m = mail(&state, signed.scope()).await?;
    Ok(ics_response(m.ics(&e, &m.event_url(id))))
}

// ---- the invited person's page ----

#[derive(Template)]
#[template(path = "rsvp_page.html")]
struct RsvpPage {
    s: Shell,
    company: String,
    e: Event,
    r: Rsvp,
    when: String,
    fee: String,
    reply_by: String,
    description_html: String,
    form: RsvpInput,
    errors: FormErrors,
    refused: Option<String>,
    open: bool,
    offer_open: bool,
    action: String,
    ics_url: String,
    google: String,
    outlook: String,
    qr: Option<String>,
    position: Option<usize>,
    state_label: String,
    /// Each question with the answer in the form.
    questions: Vec<(String, String)>,
}

fn form_of(r: &Rsvp) -> RsvpInput {
    RsvpInput {
        answer: match r.state {
            RsvpState::Attending | RsvpState::Waitlisted | RsvpState::Offered => "attending".into(),
            RsvpState::Declined | RsvpState::Lapsed => "declined".into(),
            RsvpState::Undecided => "undecided".into(),
            RsvpState::Invited => String::new(),
        },
        companions: r.companions.to_string(),
        answers: r.answers.clone(),
        news: r.news.clone().unwrap_or_default(),
        news_consent: if r.news_consent {
            "on".into()
        } else {
            String::new()
        },
        ..Default::default()
    }
}

/// Where a reply page lives: the company's scope and words (loaded once a request), the page's own address
/// and its calendar file's.
struct ReplyPage {
    scope: Scope,
    mail: Mail,
    action: String,
    ics_url: String,
}

async fn rsvp_view(
    state: &AppState,
    s: Shell,
    page: &ReplyPage,
    r: Rsvp,
    form: Option<RsvpInput>,
    errors: &FieldErrors,
    refused: Option<String>,
) -> AppResult<Response> {
    let (scope, m) = (&page.scope, &page.mail);
    let e = store::get(&state.db, scope, r.event).await?;
    if e.status == EventStatus::Draft {
        return Err(AppError::NotFound);
    }
    let page_url = m.rsvp_url(r.id);
    let now = chrono::Utc::now();
    let offer_open = r.state == RsvpState::Offered && r.offer_expires_at.is_some_and(|t| t > now);
    let open = e.open_for_replies(now).is_ok() || offer_open;
    let qr = (r.state == RsvpState::Attending
        && r.checked_in_at.is_none()
        && e.status != EventStatus::Cancelled)
        .then(|| {
            kaeru_messaging::qr::svg(
                &m.checkin_url(e.id, &r.checkin_code),
                s.t("rsvp.qr_title"),
                220,
            )
        })
        .flatten();
    let position = if r.state == RsvpState::Waitlisted {
        let all = store::rsvps(&state.db, scope, e.id).await?;
        let mut w: Vec<&Rsvp> = all
            .iter()
            .filter(|x| x.state == RsvpState::Waitlisted)
            .collect();
        w.sort_by_key(|x| (x.waitlisted_at, x.id));
        w.iter().position(|x| x.id == r.id).map(|p| p + 1)
    } else {
        None
    };
    let status = refused_with(
        !errors.is_empty() || refused.is_some(),
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let form = form.unwrap_or_else(|| form_of(&r));
    let questions = e
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| (q.clone(), form.answers.get(i).cloned().unwrap_or_default()))
        .collect();
    let tpl = RsvpPage {
        questions,
        company: m.company.clone(),
        when: m.when(&e),
        fee: app::fee_text(e.fee, s.lang),
        reply_by: e
            .reply_by
            .map(|d| app::datetime(&d, m.tz, s.lang))
            .unwrap_or_default(),
        description_html: kaeru_messaging::markdown::to_html(&e.description),
        form,
        errors: FormErrors::from(errors, s.t),
        refused,
        open,
        offer_open,
        action: page.action.clone(),
        ics_url: page.ics_url.clone(),
        google: m.google_link(&e, &page_url),
        outlook: m.outlook_link(&e, &page_url),
        qr,
        position,
        state_label: label(s.t, "rsvp_state", r.state.code()),
        e,
        r,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

fn anonymous_shell(v: &Visitor, tz: chrono_tz::Tz) -> Shell {
    let mut s = Shell::anonymous(v, "/r");
    s.time_zone = tz;
    s
}

async fn rsvp_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (page, r) = signed_page(&state, &token).await?;
    let s = anonymous_shell(&v, page.mail.tz);
    rsvp_view(&state, s, &page, r, None, &FieldErrors::new(), None).await
}

/// The reply a signed link names and its page.
async fn signed_page(state: &AppState, token: &str) -> AppResult<(ReplyPage, Rsvp)> {
    let (scope, r) = app::open_rsvp(&state.db, token).await?;
    let page = ReplyPage {
        mail: mail(state, &scope).await?,
        scope,
        action: format!("/r/{token}"),
        ics_url: format!("/r/{token}/event.ics"),
    };
    Ok((page, r))
}

fn person_actor(name: &str) -> kaeru_store::Actor {
    kaeru_store::Actor::system(name)
}

/// Saves a reply; shown again with its problems, or the page with what it decided.
async fn replied(
    state: &AppState,
    s: Shell,
    page: &ReplyPage,
    r: Rsvp,
    form: RsvpInput,
    today: chrono::NaiveDate,
) -> AppResult<Response> {
    let actor = person_actor(&r.name);
    match app::reply(
        &state.db,
        &page.scope,
        &actor,
        &page.mail,
        r.id,
        &form,
        today,
    )
    .await
    {
        Ok(done) => {
            tracing::info!(rsvp = %r.id, from = done.before.code(), to = done.rsvp.state.code(), "reply saved");
            let key = match done.rsvp.state {
                RsvpState::Attending => "flash.rsvp_attending",
                RsvpState::Waitlisted => "flash.rsvp_waitlisted",
                _ => "flash.rsvp_saved",
            };
            Ok(redirect_with_flash(&page.action, key))
        }
        Err(Failure::Invalid(e)) => {
            tracing::info!(rsvp = %r.id, errors = ?e, "reply refused");
            rsvp_view(state, s, page, r, Some(form), &e, None).await
        }
        Err(Failure::Refused(why)) => {
            tracing::info!(rsvp = %r.id, why = why.key, "reply refused");
            let msg = crate::forms::message(&why, s.t);
            rsvp_view(
                state,
                s,
                page,
                r,
                Some(form),
                &FieldErrors::new(),
                Some(msg),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

fn today_in(tz: chrono_tz::Tz) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

async fn rsvp_reply(
    State(state): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    posted: Posted<RsvpInput>,
) -> AppResult<Response> {
    let (page, r) = signed_page(&state, &token).await?;
    let s = anonymous_shell(&v, page.mail.tz);
    let today = today_in(page.mail.tz);
    replied(&state, s, &page, r, posted.fields, today).await
}

async fn rsvp_ics(State(state): State<AppState>, Path(token): Path<String>) -> AppResult<Response> {
    let (scope, r) = app::open_rsvp(&state.db, &token).await?;
    let e = store::get(&state.db, &scope, r.event).await?;
    if e.status == EventStatus::Draft {
        return Err(AppError::NotFound);
    }
    let m = mail(&state, &scope).await?;
    Ok(ics_response(m.ics(&e, &m.rsvp_url(r.id))))
}

// ---- the portal ----

pub struct PortalRow {
    id: String,
    title: String,
    when: String,
    state: String,
    state_code: &'static str,
}

#[derive(Template)]
#[template(path = "portal_events.html")]
struct PortalList {
    s: Shell,
    rows: Vec<PortalRow>,
}

async fn portal_name(state: &AppState, a: &Alumnus) -> AppResult<String> {
    Ok(kaeru_store::people::get(&state.db, a.scope(), a.person())
        .await?
        .full_name())
}

async fn portal_list(State(state): State<AppState>, a: Alumnus) -> AppResult<Response> {
    let name = portal_name(&state, &a).await?;
    let s = Shell::portal(&a, &name, "/me/events");
    let rows = store::for_person(&state.db, a.scope(), a.person())
        .await?
        .into_iter()
        .map(|(e, r)| PortalRow {
            id: e.id.to_string(),
            when: app::when(&e, s.time_zone, s.lang),
            state: if e.status == EventStatus::Cancelled {
                label(s.t, "event_status", "cancelled")
            } else {
                label(s.t, "rsvp_state", r.state.code())
            },
            state_code: r.state.code(),
            title: e.title,
        })
        .collect();
    Ok(render(&PortalList { s, rows })?.into_response())
}

/// The signed-in alumna's reply to an event, her page's shell and the page.
async fn portal_context(
    state: &AppState,
    a: &Alumnus,
    id: EventId,
) -> AppResult<(Rsvp, Shell, ReplyPage)> {
    let r = store::rsvp_for(&state.db, a.scope(), id, a.person(), false)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = portal_name(state, a).await?;
    let s = Shell::portal(a, &name, "/me/events");
    let m = mail(state, a.scope()).await?;
    let page = ReplyPage {
        scope: *a.scope(),
        ics_url: format!("{}/event.ics", m.rsvp_path(r.id)),
        mail: m,
        action: format!("/me/events/{id}"),
    };
    Ok((r, s, page))
}

async fn portal_event(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<EventId>,
) -> AppResult<Response> {
    let (r, s, page) = portal_context(&state, &a, id).await?;
    rsvp_view(&state, s, &page, r, None, &FieldErrors::new(), None).await
}

async fn portal_reply(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<EventId>,
    posted: Posted<RsvpInput>,
) -> AppResult<Response> {
    let (r, s, page) = portal_context(&state, &a, id).await?;
    replied(&state, s, &page, r, posted.fields, a.today()).await
}
