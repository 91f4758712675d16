//! お知らせ: announcements written, previewed and sent to a segment; segments built with a live count.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Id, Posted};
use crate::routes::{choices, form_status, label, owned, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::announcements::{self as app, Plan};
use kaeru_domain::announcement::{
    AnnouncementInput, AnnouncementKind, DeliveryChannel, DeliveryStatus, LeftOut, SegmentInput,
};
use kaeru_domain::outlook::ReturnIntent;
use kaeru_domain::person::{PREFECTURES, PersonStatus};
use kaeru_domain::stint::{LeaveReason, RehireEligibility};
use kaeru_domain::touchpoint::WarmthLabel;
use kaeru_domain::{AnnouncementId, FieldErrors, Permission, SegmentId};
use kaeru_store::announcements::{self as store, Announcement, Totals};
use kaeru_store::{consent, segments, skills};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/announcements", get(list).post(create))
        .route("/announcements/new", get(new_form))
        .route("/announcements/{id}", get(show).post(update))
        .route("/announcements/{id}/edit", get(edit_form))
        .route("/announcements/{id}/send", post(send))
        .route("/announcements/{id}/cancel", post(cancel))
        .route("/announcements/{id}/pause", post(pause))
        .route("/announcements/{id}/resume", post(resume))
        .route("/segments", get(segment_list).post(segment_create))
        .route("/segments/new", get(segment_new))
        .route("/segments/count", get(segment_count))
        .route("/segments/{id}", get(segment_edit).post(segment_update))
        .route("/segments/{id}/delete", post(segment_delete))
}

// ---- announcements ----

pub struct Row {
    id: String,
    subject: String,
    kind: String,
    status: String,
    status_code: &'static str,
    when: String,
    recipients: i32,
}

#[derive(Template)]
#[template(path = "announcements.html")]
struct ListPage {
    s: Shell,
    rows: Vec<Row>,
    segments: usize,
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let s = Shell::signed(&signed, Section::People, "/announcements");
    let page = store::list(&state.db, signed.scope(), 1).await?;
    let rows = page
        .items
        .iter()
        .map(|a| Row {
            id: a.id.to_string(),
            subject: a.subject.clone(),
            kind: label(s.t, "announcement_kind", a.kind.code()),
            status: label(s.t, "announcement_status", a.status.code()),
            status_code: a.status.code(),
            when: a
                .finished_at
                .or(a.started_at)
                .or(a.scheduled_at)
                .map(|t| s.datetime(&t))
                .unwrap_or_default(),
            recipients: a.recipients,
        })
        .collect();
    let segments = segments::list(&state.db, signed.scope()).await?.len();
    Ok(render(&ListPage { s, rows, segments })?.into_response())
}

#[derive(Template)]
#[template(path = "announcement_form.html")]
struct FormPage {
    s: Shell,
    id: Option<String>,
    form: AnnouncementInput,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    purposes: Vec<(String, String)>,
    segments: Vec<(String, String)>,
    refused: Option<String>,
}

async fn form_view(
    state: &AppState,
    signed: &Signed,
    id: Option<AnnouncementId>,
    form: AnnouncementInput,
    errors: &FieldErrors,
    refused: Option<String>,
) -> AppResult<Response> {
    let path = match id {
        Some(id) => format!("/announcements/{id}/edit"),
        None => "/announcements/new".into(),
    };
    let s = Shell::signed(signed, Section::People, &path);
    let purposes = consent::purposes(&state.db, signed.scope())
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| (p.code.clone(), p.name(s.lang).to_string()))
        .collect();
    let segments = segments::list(&state.db, signed.scope())
        .await?
        .into_iter()
        .map(|g| (g.id.to_string(), g.name))
        .collect();
    let tpl = FormPage {
        kinds: owned(choices(
            s.t,
            "announcement_kind",
            AnnouncementKind::ALL,
            AnnouncementKind::code,
        )),
        id: id.map(|i| i.to_string()),
        errors: FormErrors::from(errors, s.t),
        form,
        purposes,
        segments,
        refused,
        s,
    };
    Ok((form_status(errors), render(&tpl)?).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct NewQuery {
    event: String,
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let q: NewQuery = serde_html_form::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    let form = match q.event.trim().parse::<kaeru_domain::EventId>() {
        // An invitation written from the event: its details and the reply link's wording filled in.
        Ok(id) => {
            let e = kaeru_store::events::get(&state.db, signed.scope(), id).await?;
            let m =
                kaeru_app::events::Mail::load(&state.db, signed.scope(), &state.delivery()).await?;
            let t = signed.t();
            let args = [
                ("title", e.title.clone()),
                ("when", m.when(&e)),
                ("place", kaeru_app::events::place_line(&e)),
                ("fee", kaeru_app::events::fee_text(e.fee, signed.lang)),
                (
                    "deadline",
                    e.reply_by
                        .map(|d| kaeru_app::events::datetime(&d, m.tz, signed.lang))
                        .unwrap_or_else(|| t.t("event.no_deadline").to_string()),
                ),
                ("description", e.description.clone()),
            ];
            AnnouncementInput {
                kind: AnnouncementKind::Invitation.code().into(),
                purpose: kaeru_domain::announcement::INVITATION_PURPOSE.into(),
                subject: t.format("event.invitation_subject", &args),
                body: t.format("event.invitation_body", &args),
                event: id.to_string(),
                ..Default::default()
            }
        }
        Err(_) => AnnouncementInput {
            purpose: "newsletter".into(),
            ..Default::default()
        },
    };
    form_view(&state, &signed, None, form, &FieldErrors::new(), None).await
}

fn input_of(a: &Announcement, s: &Shell) -> AnnouncementInput {
    AnnouncementInput {
        kind: a.kind.code().into(),
        subject: a.subject.clone(),
        body: a.body.clone(),
        purpose: a.purpose.clone(),
        segment: a.segment.map(|g| g.to_string()).unwrap_or_default(),
        scheduled_at: a
            .scheduled_at
            .map(|t| {
                t.with_timezone(&s.time_zone)
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
        event: a.event.map(|e| e.to_string()).unwrap_or_default(),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let a = store::get(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(&signed, Section::People, "/announcements");
    let form = input_of(&a, &s);
    form_view(&state, &signed, Some(id), form, &FieldErrors::new(), None).await
}

async fn saved(
    state: &AppState,
    signed: &Signed,
    id: Option<AnnouncementId>,
    form: AnnouncementInput,
) -> AppResult<Response> {
    match app::save(&state.db, signed.scope(), &signed.actor(), id, &form).await {
        Ok(a) => Ok(redirect_with_flash(
            &format!("/announcements/{}", a.id),
            "flash.saved",
        )),
        Err(Failure::Invalid(e)) => form_view(state, signed, id, form, &e, None).await,
        Err(Failure::Refused(why)) => {
            let s = Shell::signed(signed, Section::People, "/announcements");
            let msg = crate::forms::message(&why, s.t);
            form_view(state, signed, id, form, &FieldErrors::new(), Some(msg)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<AnnouncementInput>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    saved(&state, &signed, None, posted.fields).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
    posted: Posted<AnnouncementInput>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    saved(&state, &signed, Some(id), posted.fields).await
}

pub struct DeliveryRow {
    person: String,
    name: String,
    channel: String,
    status: String,
    status_code: &'static str,
    error: String,
    sent: String,
}

#[derive(Template)]
#[template(path = "announcement_show.html")]
struct ShowPage {
    s: Shell,
    a: Announcement,
    kind: String,
    status: String,
    purpose: String,
    segment: String,
    plan: Option<Plan>,
    left_out: Vec<(String, u64)>,
    plan_error: Option<String>,
    /// 「LINEで340通必要です。今月の残りは120通です。」
    quota_line: Option<String>,
    preview_html: String,
    preview_text: String,
    preview_line: String,
    totals: Totals,
    rows: Vec<DeliveryRow>,
    total_rows: u64,
    send_error: Option<String>,
    filter_status: String,
    page: u64,
    pages: u64,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ShowQuery {
    status: String,
    page: String,
}

async fn show_view(
    state: &AppState,
    signed: &Signed,
    id: AnnouncementId,
    filter: &str,
    page_no: u64,
    send_error: Option<String>,
) -> AppResult<Response> {
    let a = store::get(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(signed, Section::People, &format!("/announcements/{id}"));
    let d = state.delivery();
    let purposes = consent::purposes(&state.db, signed.scope()).await?;
    let purpose = purposes
        .iter()
        .find(|p| p.code == a.purpose)
        .map(|p| p.name(s.lang).to_string())
        .unwrap_or_else(|| a.purpose.clone());
    let segment = match a.segment {
        Some(g) => segments::get(&state.db, signed.scope(), g)
            .await
            .map(|g| g.name)
            .unwrap_or_else(|_| s.t("announcement.segment_gone").to_string()),
        None => String::new(),
    };
    let (plan, plan_error) = if a.status.is_editable() {
        match app::plan_for(&state.db, signed.scope(), &d, &a, true).await {
            Ok(p) => (Some(p), None),
            Err(Failure::Invalid(e)) => (
                None,
                e.0.values()
                    .next()
                    .map(|inv| crate::forms::message(inv, s.t)),
            ),
            Err(other) => return Err(other.into()),
        }
    } else {
        (None, None)
    };
    let left_out = plan
        .as_ref()
        .map(|p| {
            p.audience
                .left_out
                .iter()
                .map(|(why, n)| (label(s.t, "left_out", why.code()), *n))
                .collect()
        })
        .unwrap_or_default();
    let quota_line = plan.as_ref().and_then(|p| {
        let remaining = p.quota?.remaining()?;
        (p.line_needed() > 0).then(|| {
            s.t.format(
                "announcement.quota",
                &[
                    ("needed", p.line_needed().to_string()),
                    ("remaining", remaining.to_string()),
                ],
            )
        })
    });
    let name = s.t("announcement.sample_name").to_string();
    let letter = app::preview(&state.db, signed.scope(), &d, &a, &name).await?;
    let totals = store::totals(&state.db, signed.scope(), id).await?;
    let status_filter = DeliveryStatus::parse(filter);
    let page = store::deliveries(&state.db, signed.scope(), id, status_filter, page_no).await?;
    let rows = page
        .items
        .iter()
        .map(|r| DeliveryRow {
            person: r.person.to_string(),
            name: r.name.clone(),
            channel: label(s.t, "delivery_channel", r.channel.code()),
            status: label(s.t, "delivery_status", r.status.code()),
            status_code: r.status.code(),
            error: r.last_error.clone().unwrap_or_default(),
            sent: r.sent_at.map(|t| s.datetime(&t)).unwrap_or_default(),
        })
        .collect();
    let tpl = ShowPage {
        kind: label(s.t, "announcement_kind", a.kind.code()),
        status: label(s.t, "announcement_status", a.status.code()),
        purpose,
        segment,
        plan,
        left_out,
        plan_error,
        quota_line,
        preview_html: kaeru_messaging::markdown::to_html(&a.body),
        preview_text: letter.text,
        preview_line: letter.line,
        totals,
        rows,
        total_rows: page.total,
        page: page.page,
        pages: page.pages(),
        send_error,
        filter_status: filter.to_string(),
        a,
        s,
    };
    let status = if tpl.send_error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let q: ShowQuery = serde_html_form::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    let page_no = q
        .page
        .trim()
        .parse::<u64>()
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    show_view(&state, &signed, id, &q.status, page_no, None).await
}

async fn send(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
    _posted: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let d = state.delivery();
    match app::send_now(&state.db, signed.scope(), &signed.actor(), &d, id).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/announcements/{id}"),
            "flash.announcement_sending",
        )),
        Err(Failure::Invalid(e)) => {
            let t = Shell::signed(&signed, Section::People, "/").t;
            let msg = e.0.values().next().map(|inv| crate::forms::message(inv, t));
            tracing::info!(announcement = %id, errors = ?e, "announcement not sent");
            show_view(&state, &signed, id, "", 1, msg).await
        }
        Err(Failure::Refused(why)) => {
            let t = Shell::signed(&signed, Section::People, "/").t;
            let msg = crate::forms::message(&why, t);
            show_view(&state, &signed, id, "", 1, Some(msg)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn change(
    state: &AppState,
    signed: &Signed,
    id: AnnouncementId,
    what: &str,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let (db, scope, actor) = (&state.db, signed.scope(), signed.actor());
    let r = match what {
        "cancel" => store::cancel(db, scope, &actor, id).await,
        "pause" => store::pause(db, scope, &actor, id, "paused by staff").await,
        _ => store::resume(db, scope, &actor, id).await,
    };
    match r {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/announcements/{id}"),
            "flash.saved",
        )),
        Err(e) => Err(AppError::from(e)),
    }
}

async fn cancel(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    change(&state, &signed, id, "cancel").await
}

async fn pause(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    change(&state, &signed, id, "pause").await
}

async fn resume(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<AnnouncementId>,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    change(&state, &signed, id, "resume").await
}

// ---- segments ----

#[derive(Template)]
#[template(path = "segments.html")]
struct SegmentsPage {
    s: Shell,
    rows: Vec<(String, String, String)>,
}

async fn segment_list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let s = Shell::signed(&signed, Section::People, "/segments");
    let rows = segments::list(&state.db, signed.scope())
        .await?
        .into_iter()
        .map(|g| (g.id.to_string(), g.name, s.datetime(&g.updated_at)))
        .collect();
    Ok(render(&SegmentsPage { s, rows })?.into_response())
}

#[derive(Template)]
#[template(path = "segment_form.html")]
struct SegmentForm {
    s: Shell,
    id: Option<String>,
    form: SegmentInput,
    errors: FormErrors,
    statuses: Vec<(String, String)>,
    reasons: Vec<(String, String)>,
    rehire: Vec<(String, String)>,
    intents: Vec<(String, String)>,
    warmth: Vec<(String, String)>,
    prefectures: Vec<String>,
    skills: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    purposes: Vec<(String, String)>,
    count_html: String,
}

/// The live count beside the form (also returned alone to htmx).
#[derive(Template)]
#[template(path = "_segment_count.html")]
pub struct CountBox {
    s: Shell,
    ok: bool,
    matched: u64,
    email: u64,
    line: u64,
    left_out: Vec<(String, u64)>,
    purpose: String,
}

async fn count_box(
    state: &AppState,
    signed: &Signed,
    form: &SegmentInput,
    purpose: &str,
) -> AppResult<CountBox> {
    let s = Shell::signed(signed, Section::People, "/segments");
    let purposes = consent::purposes(&state.db, signed.scope()).await?;
    let purpose = purposes
        .iter()
        .find(|p| p.code == purpose && p.active)
        .or_else(|| purposes.iter().find(|p| p.active))
        .map(|p| (p.code.clone(), p.name(s.lang).to_string()))
        .unwrap_or_default();
    let Ok(filter) = form.filter() else {
        return Ok(CountBox {
            s,
            ok: false,
            matched: 0,
            email: 0,
            line: 0,
            left_out: Vec::new(),
            purpose: purpose.1,
        });
    };
    let today = chrono::Utc::now().with_timezone(&s.time_zone).date_naive();
    let plan = app::plan(
        &state.db,
        signed.scope(),
        &state.delivery(),
        &filter,
        &purpose.0,
        today,
        false,
    )
    .await?;
    let a = &plan.audience;
    Ok(CountBox {
        ok: true,
        matched: a.matched,
        email: a.by(DeliveryChannel::Email),
        line: a.by(DeliveryChannel::Line),
        left_out: LeftOut::ALL
            .iter()
            .filter_map(|w| {
                a.left_out
                    .get(w)
                    .map(|n| (label(s.t, "left_out", w.code()), *n))
            })
            .collect(),
        purpose: purpose.1,
        s,
    })
}

async fn segment_view(
    state: &AppState,
    signed: &Signed,
    id: Option<SegmentId>,
    form: SegmentInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let s = Shell::signed(signed, Section::People, "/segments");
    let count = count_box(state, signed, &form, "rehire").await?;
    let codes = |all: &[&'static str], prefix: &str| -> Vec<(String, String)> {
        all.iter()
            .map(|c| ((*c).to_string(), label(s.t, prefix, c)))
            .collect()
    };
    let skills = skills::catalogue(&state.db, signed.scope())
        .await?
        .into_iter()
        .map(|k| (k.id.to_string(), k.name))
        .collect();
    let purposes = consent::purposes(&state.db, signed.scope())
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| (p.code.clone(), p.name(s.lang).to_string()))
        .collect();
    let tpl = SegmentForm {
        statuses: codes(&PersonStatus::ALL.map(PersonStatus::code), "status"),
        reasons: codes(
            &LeaveReason::ALL
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>(),
            "leave",
        ),
        rehire: codes(
            &RehireEligibility::ALL
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>(),
            "rehire",
        ),
        intents: codes(
            &ReturnIntent::ALL
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>(),
            "intent",
        ),
        warmth: codes(
            &WarmthLabel::ALL
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>(),
            "warmth",
        ),
        prefectures: PREFECTURES.iter().map(|p| (*p).to_string()).collect(),
        skills,
        levels: (1..=5).map(|l| (l.to_string(), l.to_string())).collect(),
        purposes,
        id: id.map(|i| i.to_string()),
        errors: FormErrors::from(errors, s.t),
        form,
        count_html: count.render()?,
        s,
    };
    Ok((form_status(errors), render(&tpl)?).into_response())
}

async fn segment_new(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    segment_view(
        &state,
        &signed,
        None,
        SegmentInput::default(),
        &FieldErrors::new(),
    )
    .await
}

async fn segment_edit(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SegmentId>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let g = segments::get(&state.db, signed.scope(), id).await?;
    let form = SegmentInput::from_filter(&g.name, &g.filter);
    segment_view(&state, &signed, Some(id), form, &FieldErrors::new()).await
}

async fn segment_saved(
    state: &AppState,
    signed: &Signed,
    id: Option<SegmentId>,
    form: SegmentInput,
) -> AppResult<Response> {
    match app::save_segment(&state.db, signed.scope(), &signed.actor(), id, &form).await {
        Ok(_) => Ok(redirect_with_flash("/segments", "flash.saved")),
        Err(Failure::Invalid(e)) => segment_view(state, signed, id, form, &e).await,
        Err(other) => Err(other.into()),
    }
}

async fn segment_create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<SegmentInput>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    segment_saved(&state, &signed, None, posted.fields).await
}

async fn segment_update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SegmentId>,
    posted: Posted<SegmentInput>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    segment_saved(&state, &signed, Some(id), posted.fields).await
}

async fn segment_delete(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SegmentId>,
    _p: Posted<crate::forms::Nothing>,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    segments::delete(&state.db, signed.scope(), &signed.actor(), id).await?;
    Ok(redirect_with_flash("/segments", "flash.deleted"))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct CountQuery {
    #[serde(flatten)]
    form: SegmentInput,
    count_purpose: String,
}

/// The live count as the segment is built (htmx swaps the box; without JavaScript the form's 「数える」
/// button shows the same page with the count).
async fn segment_count(
    State(state): State<AppState>,
    signed: Signed,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    signed.require(Permission::SendAnnouncements)?;
    let q: CountQuery = serde_html_form::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    let purpose = if q.count_purpose.is_empty() {
        "rehire".to_string()
    } else {
        q.count_purpose
    };
    let b = count_box(&state, &signed, &q.form, &purpose).await?;
    Ok(render(&b)?.into_response())
}
