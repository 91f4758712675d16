//! Touchpoints and warmth: log a contact in a few seconds (a phone-sized form), see how warm each
//! relationship is, and the list of valued alumni to reconnect with.

use super::{label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::{Failure, contacts};
use kaeru_domain::TouchpointId;
use kaeru_domain::touchpoint::{Channel, TouchpointInput, Warmth};
use kaeru_domain::{FieldErrors, Invalid, Permission, PersonId};
use kaeru_store::{people, touchpoints};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/touchpoints", post(add))
        .route("/people/{id}/touchpoints/new", get(new_form))
        .route("/people/{id}/touchpoints/{tid}/delete", post(remove))
        .route("/reconnect", get(reconnect))
        .route("/reconnect/interval", post(save_interval))
}

/// The warmth label and last contact, as the person page and lists show them.
pub struct WarmthView {
    pub code: &'static str,
    pub label: String,
    pub last: String,
}

pub(crate) fn warmth_view(s: &Shell, w: &Warmth) -> WarmthView {
    WarmthView {
        code: w.label.code(),
        label: label(s.t, "warmth", w.label.code()),
        last: w
            .last_contact
            .map(|d| s.date(&d))
            .unwrap_or_else(|| s.t("warmth.never").to_string()),
    }
}

pub struct TouchpointRow {
    pub id: String,
    pub on: String,
    pub channel: String,
    pub by: String,
    pub note: String,
}

/// What the person page shows of the relationship.
pub struct TouchpointPanel {
    pub warmth: WarmthView,
    pub recent: Vec<TouchpointRow>,
    pub more: usize,
}

pub(crate) async fn panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<TouchpointPanel> {
    let all = touchpoints::for_person(&state.db, signed.scope(), id).await?;
    let w = touchpoints::warmth_of(&state.db, signed.scope(), id, signed.today()).await?;
    let shown = 5;
    Ok(TouchpointPanel {
        warmth: warmth_view(s, &w),
        more: all.len().saturating_sub(shown),
        recent: all
            .into_iter()
            .take(shown)
            .map(|t| TouchpointRow {
                id: t.id.to_string(),
                on: s.date(&t.on),
                channel: label(s.t, "channel", t.channel.code()),
                by: t.by,
                note: t.note.unwrap_or_default(),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "touchpoint_form.html")]
struct FormPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    warmth: WarmthView,
    form: TouchpointInput,
    errors: FormErrors,
    channels: Vec<(String, String)>,
    today: String,
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    id: PersonId,
    form: TouchpointInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let p = people::get(&state.db, signed.scope(), id).await?;
    let w = touchpoints::warmth_of(&state.db, signed.scope(), id, signed.today()).await?;
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/{id}/touchpoints/new"),
    );
    let tpl = FormPage {
        person_id: id,
        person_name: p.full_name(),
        warmth: warmth_view(&s, &w),
        channels: Channel::ALL
            .iter()
            .map(|c| (c.code().to_string(), label(s.t, "channel", c.code())))
            .collect(),
        today: signed.today().format("%Y-%m-%d").to_string(),
        form,
        errors: FormErrors::from(errors, s.t),
        s,
    };
    Ok((super::form_status(errors), render(&tpl)?).into_response())
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    form_page(
        &state,
        &signed,
        id,
        TouchpointInput::default(),
        &FieldErrors::new(),
    )
    .await
}

async fn add(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<TouchpointInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let f = posted.fields;
    let logged = contacts::log(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &f,
        signed.today(),
    )
    .await;
    match logged {
        Ok(_) => {}
        Err(Failure::Invalid(e)) => return form_page(&state, &signed, id, f, &e).await,
        Err(other) => return Err(other.into()),
    }
    Ok(redirect_with_flash(
        &format!("/people/{id}#touchpoints-h"),
        "flash.touchpoint_saved",
    ))
}

async fn remove(
    State(state): State<AppState>,
    signed: Signed,
    Ids(id, tid): Ids<PersonId, TouchpointId>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    contacts::remove(&state.db, signed.scope(), &signed.actor(), id, tid).await?;
    Ok(redirect_with_flash(
        &format!("/people/{id}#touchpoints-h"),
        "flash.removed",
    ))
}

pub struct ReconnectRow {
    person_id: String,
    name: String,
    kana: String,
    warmth: WarmthView,
    why: String,
}

#[derive(Template)]
#[template(path = "reconnect.html")]
struct ReconnectPage {
    s: Shell,
    rows: Vec<ReconnectRow>,
    total: usize,
    page: usize,
    pages: usize,
    days: String,
    errors: FormErrors,
    can_set: bool,
}

/// People per page of the reconnect list.
const RECONNECT_PER_PAGE: usize = 25;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    page: String,
}

async fn reconnect_page(
    state: &AppState,
    signed: &Signed,
    days: Option<String>,
    errors: &FieldErrors,
    page: usize,
) -> AppResult<Response> {
    let cached = state
        .search
        .reconnect
        .list(
            &state.db,
            signed.scope(),
            Some(signed.info.revision),
            signed.today(),
        )
        .await?;
    let list = &cached.2;
    let total = list.len();
    let pages = total.div_ceil(RECONNECT_PER_PAGE).max(1);
    let page = page.clamp(1, pages);
    let current = touchpoints::reconnect_days(&state.db, signed.scope()).await?;
    let s = Shell::signed(signed, Section::People, "/reconnect");
    let rows = list
        .iter()
        .skip((page - 1) * RECONNECT_PER_PAGE)
        .take(RECONNECT_PER_PAGE)
        .map(|r| ReconnectRow {
            person_id: r.person.to_string(),
            name: r.name.clone(),
            kana: r.kana.clone(),
            warmth: warmth_view(&s, &r.warmth),
            why: r
                .why
                .iter()
                .map(|w| {
                    s.t(match w {
                        touchpoints::Valued::Welcome => "reconnect.why_welcome",
                        touchpoints::Valued::NeededSkill => "reconnect.why_skill",
                        touchpoints::Valued::ActiveOffer => "reconnect.why_offer",
                    })
                })
                .collect::<Vec<_>>()
                .join(s.t.t("punct.list_sep")),
        })
        .collect();
    let tpl = ReconnectPage {
        rows,
        total,
        page,
        pages,
        days: days.unwrap_or_else(|| current.to_string()),
        errors: FormErrors::from(errors, s.t),
        can_set: signed.can(Permission::ManageCompany),
        s,
    };
    Ok((super::form_status(errors), render(&tpl)?).into_response())
}

async fn reconnect(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let page = q.page.trim().parse().unwrap_or(1);
    reconnect_page(&state, &signed, None, &FieldErrors::new(), page).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IntervalForm {
    days: String,
}

async fn save_interval(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<IntervalForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageCompany)?;
    let typed = posted.fields.days;
    match typed.trim().parse::<i32>() {
        Ok(n) if (7..=1825).contains(&n) => {
            touchpoints::set_reconnect_days(&state.db, signed.scope(), &signed.actor(), n).await?;
            Ok(redirect_with_flash("/reconnect", "flash.saved"))
        }
        _ => {
            let mut e = FieldErrors::new();
            e.add("days", Invalid::new("error.reconnect_days"));
            reconnect_page(&state, &signed, Some(typed), &e, 1).await
        }
    }
}
