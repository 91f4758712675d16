//! The job board of the portal (`/me/openings`): the openings a former employee may see, best fit first,
//! each with the reasons it fits them and their standing return offer beside it; a quiet interest
//! (こっそり興味あり), an application (応募), a referral, and the weekly job alert.

use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Alumnus;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Id, Posted};
use crate::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::job_board::{self as app, Card};
use kaeru_domain::job_board::{
    AlertInput, BoardFilter, FitBand, ReferralInput, ResponseInput, ResponseKind, Via,
};
use kaeru_domain::{FieldErrors, OpeningId, SkillId, WorkStyle};
use kaeru_store::{job_board as store, skills};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/openings", get(list))
        .route("/me/openings/{id}", get(show))
        .route("/me/openings/{id}/interest", post(interest))
        .route("/me/openings/{id}/apply", post(apply))
        .route("/me/openings/{id}/withdraw", post(withdraw))
        .route("/me/openings/{id}/refer", post(refer))
        .route("/me/alerts", post(save_alert))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ViaQuery {
    via: String,
}

/// The standing offer shown beside the openings.
pub struct OfferBox {
    number: String,
    window: String,
    terms: Vec<String>,
    note: String,
}

pub struct CardView {
    id: String,
    title: String,
    terms: String,
    department: String,
    place: String,
    band: String,
    band_code: &'static str,
    reasons: Vec<String>,
    invited: bool,
    /// `interest`, `application` or empty.
    response: &'static str,
    closes_on: String,
}

#[derive(Template)]
#[template(path = "portal_openings.html")]
struct ListPage {
    s: Shell,
    cards: Vec<CardView>,
    offer: Option<OfferBox>,
    filter: BoardFilter,
    styles: Vec<(String, String)>,
    departments: Vec<String>,
    places: Vec<String>,
    filtered: bool,
    via: String,
    alert_on: bool,
    alert_fit: String,
    fits: Vec<(String, String)>,
    alerts_allowed: bool,
    alert_errors: FormErrors,
}

async fn name_of(state: &AppState, a: &Alumnus) -> AppResult<String> {
    Ok(kaeru_store::people::get(&state.db, a.scope(), a.person())
        .await?
        .full_name())
}

async fn skill_names(state: &AppState, a: &Alumnus) -> AppResult<HashMap<SkillId, String>> {
    Ok(skills::catalogue(&state.db, a.scope())
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect())
}

async fn offer_box(state: &AppState, a: &Alumnus, s: &Shell) -> AppResult<Option<OfferBox>> {
    Ok(
        app::standing_offer(&state.db, a.scope(), a.person(), a.today())
            .await?
            .map(|o| OfferBox {
                number: o.number.clone(),
                window: s.t.format(
                    "board.offer_window",
                    &[
                        ("from", s.date(&o.valid_from)),
                        ("until", s.date(&o.valid_until)),
                    ],
                ),
                terms: o
                    .terms
                    .iter()
                    .map(|t| match (t, o.salary_floor_yen) {
                        (kaeru_domain::OfferTerm::SalaryFloor, Some(y)) => format!(
                            "{}：{}",
                            label(s.t, "term", t.code()),
                            kaeru_domain::validation::yen(y)
                        ),
                        _ => label(s.t, "term", t.code()),
                    })
                    .collect(),
                note: o.terms_note.clone().unwrap_or_default(),
            }),
    )
}

fn card_view(s: &Shell, names: &HashMap<SkillId, String>, c: &Card, keep: usize) -> CardView {
    let o = &c.visible.opening;
    let band = c.band();
    let mut reasons = c
        .fit
        .as_ref()
        .map(|m| app::reasons(s.t, names, m))
        .unwrap_or_default();
    reasons.truncate(keep);
    CardView {
        id: o.id.to_string(),
        title: o.title.clone(),
        terms: app::terms_line(s.t, o),
        department: o.department.clone().unwrap_or_default(),
        place: o.place.clone().unwrap_or_default(),
        band: app::band_label(s.t, band).to_string(),
        band_code: band.code(),
        reasons,
        invited: c.visible.invited,
        response: match &c.response {
            Some(r) if !r.withdrawn => r.kind.code(),
            _ => "",
        },
        closes_on: o.closes_on.map(|d| s.date(&d)).unwrap_or_default(),
    }
}

async fn list_page(
    state: &AppState,
    a: &Alumnus,
    filter: BoardFilter,
    via: String,
    alert_form: Option<(AlertInput, FieldErrors)>,
) -> AppResult<Response> {
    let name = name_of(state, a).await?;
    let s = Shell::portal(a, &name, "/me/openings");
    let names = skill_names(state, a).await?;
    // The filter's choices come from every opening the person may see, not only the filtered ones.
    let everything = app::board(
        &state.db,
        &state.search,
        a.scope(),
        a.person(),
        &BoardFilter::default(),
        a.today(),
    )
    .await?;
    let mut departments: Vec<String> = everything
        .iter()
        .filter_map(|c| c.visible.opening.department.clone())
        .collect();
    departments.sort();
    departments.dedup();
    let mut places: Vec<String> = everything
        .iter()
        .filter_map(|c| c.visible.opening.place.clone())
        .collect();
    places.sort();
    places.dedup();
    let cards = everything
        .iter()
        .filter(|c| filter.admits(&c.visible.opening))
        .map(|c| card_view(&s, &names, c, 3))
        .collect();
    let alert = store::alert_of(&state.db, a.scope(), a.person()).await?;
    let (alert_on, alert_fit, alert_errors) = match alert_form {
        Some((input, e)) => (
            input.on == "on",
            input.min_fit.clone(),
            FormErrors::from(&e, s.t),
        ),
        None => (
            alert.is_some(),
            alert
                .map_or(FitBand::Good, |x| x.min_fit)
                .code()
                .to_string(),
            FormErrors::none(),
        ),
    };
    let status = if alert_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let tpl = ListPage {
        offer: offer_box(state, a, &s).await?,
        cards,
        filtered: !filter.is_empty(),
        filter,
        styles: super::owned(choices(s.t, "work", WorkStyle::ALL, WorkStyle::code)),
        departments,
        places,
        via,
        alert_on,
        alert_fit,
        fits: super::owned(choices(s.t, "fit_band", FitBand::ALL, FitBand::code)),
        alerts_allowed: app::alerts_allowed(&state.db, a.scope(), a.person()).await?,
        alert_errors,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn list(
    State(state): State<AppState>,
    a: Alumnus,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let raw = q.as_deref().unwrap_or("");
    let filter: BoardFilter = serde_html_form::from_str(raw).unwrap_or_default();
    let via: ViaQuery = serde_html_form::from_str(raw).unwrap_or_default();
    let via = Via::from_param(&via.via);
    let via = if via == Via::Portal {
        String::new()
    } else {
        via.code().to_string()
    };
    list_page(&state, &a, filter, via, None).await
}

#[derive(Template)]
#[template(path = "portal_opening.html")]
struct ShowPage {
    s: Shell,
    card: CardView,
    description: String,
    required: Vec<String>,
    nice: Vec<String>,
    offer: Option<OfferBox>,
    no_fit: bool,
    via: String,
    form: ResponseInput,
    errors: FormErrors,
    refusal: String,
    referral: ReferralInput,
    referral_errors: FormErrors,
    referral_open: bool,
    available_from: String,
}

/// What a refused submission shows again.
#[derive(Default)]
enum Retry {
    #[default]
    None,
    Response(ResponseInput, FieldErrors),
    Referral(ReferralInput, FieldErrors),
    Refused(String),
}

async fn show_page(
    state: &AppState,
    a: &Alumnus,
    id: OpeningId,
    via: Via,
    retry: Retry,
) -> AppResult<Response> {
    let c = app::card(
        &state.db,
        &state.search,
        a.scope(),
        a.person(),
        id,
        a.today(),
    )
    .await?;
    let name = name_of(state, a).await?;
    let s = Shell::portal(a, &name, "/me/openings");
    let names = skill_names(state, a).await?;
    let o = &c.visible.opening;
    let skill = |k: &SkillId| names.get(k).cloned().unwrap_or_default();
    let required = o
        .requirements
        .iter()
        .filter(|r| r.required)
        .map(|r| {
            s.t.format(
                "opening.required_item",
                &[
                    ("skill", skill(&r.skill_id)),
                    ("n", r.min_level.to_string()),
                ],
            )
        })
        .collect();
    let nice = o
        .requirements
        .iter()
        .filter(|r| !r.required)
        .map(|r| skill(&r.skill_id))
        .collect();
    let current = c.response.as_ref().filter(|r| !r.withdrawn);
    let mut status = StatusCode::OK;
    let (form, errors, referral, referral_errors, refusal) = match retry {
        Retry::None => (
            ResponseInput {
                note: current.and_then(|r| r.note.clone()).unwrap_or_default(),
                available_from: current
                    .and_then(|r| r.available_from.clone())
                    .unwrap_or_default(),
            },
            FormErrors::none(),
            ReferralInput::default(),
            FormErrors::none(),
            String::new(),
        ),
        Retry::Response(f, e) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            (
                f,
                FormErrors::from(&e, s.t),
                ReferralInput::default(),
                FormErrors::none(),
                String::new(),
            )
        }
        Retry::Referral(f, e) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            (
                ResponseInput::default(),
                FormErrors::none(),
                f,
                FormErrors::from(&e, s.t),
                String::new(),
            )
        }
        Retry::Refused(m) => {
            status = StatusCode::CONFLICT;
            (
                ResponseInput::default(),
                FormErrors::none(),
                ReferralInput::default(),
                FormErrors::none(),
                m,
            )
        }
    };
    if via != Via::Portal || c.response.is_none() {
        // Seeing the page is what HR counts; a view from a message's link keeps where it came from.
        store::record_view(&state.db, a.scope(), id, a.person(), via).await?;
    }
    let tpl = ShowPage {
        description: o.description.clone().unwrap_or_default(),
        required,
        nice,
        offer: offer_box(state, a, &s).await?,
        no_fit: c.fit.is_none(),
        via: if via == Via::Portal {
            String::new()
        } else {
            via.code().to_string()
        },
        available_from: current
            .and_then(|r| r.available_from.clone())
            .unwrap_or_default(),
        card: card_view(&s, &names, &c, usize::MAX),
        form,
        errors,
        refusal,
        referral_open: !referral_errors.is_empty(),
        referral,
        referral_errors,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<OpeningId>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let via: ViaQuery = serde_html_form::from_str(q.as_deref().unwrap_or("")).unwrap_or_default();
    show_page(&state, &a, id, Via::from_param(&via.via), Retry::None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResponseForm {
    note: String,
    available_from: String,
    via: String,
}

async fn respond(
    state: &AppState,
    a: &Alumnus,
    id: OpeningId,
    kind: ResponseKind,
    form: ResponseForm,
) -> AppResult<Response> {
    let input = ResponseInput {
        note: form.note,
        available_from: form.available_from,
    };
    let via = Via::from_param(&form.via);
    let draft = match input.parse() {
        Ok(d) => d,
        Err(e) => return show_page(state, a, id, via, Retry::Response(input, e)).await,
    };
    match app::respond(
        &state.db,
        a.scope(),
        a.person(),
        id,
        kind,
        &draft,
        via,
        a.today(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/me/openings/{id}"),
            match kind {
                ResponseKind::Interest => "flash.interest_raised",
                ResponseKind::Application => "flash.applied",
            },
        )),
        Err(Failure::Refused(why)) => {
            let m = crate::forms::message(&why, kaeru_i18n::Catalog::get(a.lang));
            refusal_page(state, a, id, via, m).await
        }
        Err(Failure::Invalid(e)) => show_page(state, a, id, via, Retry::Response(input, e)).await,
        Err(Failure::Store(e)) => Err(AppError::from(e)),
    }
}

/// A refusal on an opening the person can no longer see (closed meanwhile) goes back to the board.
async fn refusal_page(
    state: &AppState,
    a: &Alumnus,
    id: OpeningId,
    via: Via,
    message: String,
) -> AppResult<Response> {
    match show_page(state, a, id, via, Retry::Refused(message)).await {
        Err(AppError::NotFound) => Ok(redirect_with_flash("/me/openings", "flash.opening_gone")),
        other => other,
    }
}

async fn interest(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<OpeningId>,
    posted: Posted<ResponseForm>,
) -> AppResult<Response> {
    respond(&state, &a, id, ResponseKind::Interest, posted.fields).await
}

async fn apply(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<OpeningId>,
    posted: Posted<ResponseForm>,
) -> AppResult<Response> {
    respond(&state, &a, id, ResponseKind::Application, posted.fields).await
}

async fn withdraw(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<OpeningId>,
    _: Posted<()>,
) -> AppResult<Response> {
    match app::withdraw(&state.db, a.scope(), a.person(), id).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/me/openings/{id}"),
            "flash.interest_withdrawn",
        )),
        Err(Failure::Refused(why)) => {
            let m = crate::forms::message(&why, kaeru_i18n::Catalog::get(a.lang));
            refusal_page(&state, &a, id, Via::Portal, m).await
        }
        Err(Failure::Store(kaeru_store::StoreError::NotFound)) => Ok(redirect_with_flash(
            &format!("/me/openings/{id}"),
            "flash.interest_withdrawn",
        )),
        Err(Failure::Invalid(_)) => Err(AppError::NotFound),
        Err(Failure::Store(e)) => Err(AppError::from(e)),
    }
}

async fn refer(
    State(state): State<AppState>,
    a: Alumnus,
    Id(id): Id<OpeningId>,
    posted: Posted<ReferralInput>,
) -> AppResult<Response> {
    let input = posted.fields;
    let draft = match input.parse() {
        Ok(d) => d,
        Err(e) => return show_page(&state, &a, id, Via::Portal, Retry::Referral(input, e)).await,
    };
    match app::refer(&state.db, a.scope(), a.person(), id, &draft, a.today()).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/me/openings/{id}"),
            "flash.referred",
        )),
        Err(Failure::Refused(why)) => {
            let m = crate::forms::message(&why, kaeru_i18n::Catalog::get(a.lang));
            refusal_page(&state, &a, id, Via::Portal, m).await
        }
        Err(Failure::Invalid(e)) => {
            show_page(&state, &a, id, Via::Portal, Retry::Referral(input, e)).await
        }
        Err(Failure::Store(e)) => Err(AppError::from(e)),
    }
}

async fn save_alert(
    State(state): State<AppState>,
    a: Alumnus,
    posted: Posted<AlertInput>,
) -> AppResult<Response> {
    let input = posted.fields;
    let fit = match input.parse() {
        Ok(f) => f,
        Err(e) => {
            return list_page(
                &state,
                &a,
                BoardFilter::default(),
                String::new(),
                Some((input, e)),
            )
            .await;
        }
    };
    store::set_alert(&state.db, a.scope(), a.person(), fit).await?;
    Ok(redirect_with_flash(
        "/me/openings#alerts",
        if fit.is_some() {
            "flash.alert_on"
        } else {
            "flash.alert_off"
        },
    ))
}
