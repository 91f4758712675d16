//! The comeback pipeline: the board by stage, the list, and moving a comeback along (復職 adds the stint).

use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::i18n::Catalog;
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_domain::comeback::MoveInput;
use kaeru_domain::{ComebackId, ComebackStage, EmploymentType, FieldErrors, Permission, PersonId};
use kaeru_store::offers::TransitionError;
use kaeru_store::{Clash, StoreError, comebacks, people, stints};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comebacks", get(board))
        .route("/people/{id}/comebacks", post(open))
        .route("/comebacks/{id}", get(show))
        .route("/comebacks/{id}/stage", post(move_stage))
}

pub struct Card {
    id: ComebackId,
    name: String,
    kana: String,
    offer_number: String,
    since: String,
    stage_label: String,
    stage_code: &'static str,
}

pub struct Column {
    code: &'static str,
    label: String,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "comebacks.html")]
struct BoardPage {
    s: Shell,
    list_view: bool,
    columns: Vec<Column>,
    cards: Vec<Card>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    view: String,
}

async fn board(
    State(state): State<AppState>,
    signed: Signed,
    Query(q): Query<BoardQuery>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let items = comebacks::list(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::Comebacks, "/comebacks");
    let cards: Vec<Card> = items
        .into_iter()
        .map(|i| Card {
            id: i.comeback.id,
            name: i.person_name,
            kana: i.person_kana,
            offer_number: i.offer_number.unwrap_or_default(),
            since: s.datetime(&i.comeback.stage_changed_at),
            stage_label: label(s.t, "stage", i.comeback.stage.code()),
            stage_code: i.comeback.stage.code(),
        })
        .collect();
    let list_view = q.view == "list";
    let mut columns: Vec<Column> = ComebackStage::BOARD
        .iter()
        .map(|st| Column {
            code: st.code(),
            label: label(s.t, "stage", st.code()),
            cards: Vec::new(),
        })
        .collect();
    let cards = if list_view {
        cards
    } else {
        for card in cards {
            if let Some(col) = columns.iter_mut().find(|c| c.code == card.stage_code) {
                col.cards.push(card);
            }
        }
        Vec::new()
    };
    Ok(render(&BoardPage {
        s,
        list_view,
        columns,
        cards,
    })?
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenForm {
    note: String,
}

async fn open(
    State(state): State<AppState>,
    signed: Signed,
    Id(pid): Id<PersonId>,
    posted: Posted<OpenForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let note = kaeru_domain::validation::optional_text(&posted.fields.note, 2000)
        .ok()
        .flatten();
    match comebacks::open(
        &state.db,
        signed.scope(),
        &signed.actor(),
        pid,
        note,
        signed.today(),
    )
    .await
    {
        Ok(c) => Ok(redirect_with_flash(
            &format!("/comebacks/{}", c.id),
            "flash.comeback_opened",
        )),
        Err(StoreError::Conflict(Clash::OpenComeback)) => Ok(redirect_with_flash(
            &format!("/people/{pid}"),
            "flash.comeback_exists",
        )),
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(Template)]
#[template(path = "comeback_show.html")]
struct ShowPage {
    s: Shell,
    id: ComebackId,
    person_id: PersonId,
    person_name: String,
    person_kana: String,
    stage_code: &'static str,
    stage_label: String,
    facts: Vec<(String, String)>,
    offer_id: String,
    offer_number: String,
    /// The opening it started from (job board), as (id, title).
    opening: Option<(String, String)>,
    is_open: bool,
    can_manage: bool,
    targets: Vec<(&'static str, String)>,
    employment_types: Vec<(&'static str, String)>,
    form: MoveInput,
    errors: FormErrors,
}

async fn show_page(
    state: &AppState,
    signed: &Signed,
    id: ComebackId,
    form: MoveInput,
    errors: &FieldErrors,
) -> AppResult<ShowPage> {
    let c = comebacks::get(&state.db, signed.scope(), id).await?;
    let person = people::get(&state.db, signed.scope(), c.person_id).await?;
    let offer = match c.offer_id {
        Some(o) => Some(kaeru_store::offers::get(&state.db, signed.scope(), o).await?),
        None => None,
    };
    let opening = match c.opening_id {
        Some(o) => kaeru_store::openings::get(&state.db, signed.scope(), o)
            .await
            .ok()
            .map(|o| (o.id.to_string(), o.title)),
        None => None,
    };
    let s = Shell::signed(signed, Section::Comebacks, &format!("/comebacks/{id}"));
    let mut facts = vec![
        (s.t("comeback.opened_on").to_string(), s.date(&c.opened_on)),
        (
            s.t("comeback.since").to_string(),
            s.datetime(&c.stage_changed_at),
        ),
    ];
    if let Some(n) = &c.note {
        facts.push((s.t("comeback.note").to_string(), n.clone()));
    }
    if let Some(d) = c.start_date {
        facts.push((s.t("comeback.start_date").to_string(), s.date(&d)));
    }
    if let Some(days) = c.days_away {
        let months = (days as f64 / 30.44).round() as i64;
        facts.push((
            s.t("comeback.time_away").to_string(),
            s.t.format(
                "comeback.time_away_value",
                &[("days", days.to_string()), ("months", months.to_string())],
            ),
        ));
    }
    if let Some(sk) = &c.skills_gained {
        facts.push((s.t("comeback.skills_gained").to_string(), sk.clone()));
    }
    if let Some(r) = &c.dropped_reason {
        facts.push((s.t("comeback.dropped_reason").to_string(), r.clone()));
    }
    let targets = ComebackStage::BOARD
        .iter()
        .filter(|st| **st != c.stage)
        .map(|st| (st.code(), label(s.t, "stage", st.code())))
        .collect();
    let mut form = form;
    if form.employment_type.is_empty() {
        form.employment_type = EmploymentType::FullTime.code().into();
    }
    Ok(ShowPage {
        id,
        person_id: person.id,
        person_name: person.full_name(),
        person_kana: person.full_kana(),
        stage_code: c.stage.code(),
        stage_label: label(s.t, "stage", c.stage.code()),
        facts,
        offer_id: offer.as_ref().map(|o| o.id.to_string()).unwrap_or_default(),
        offer_number: offer.map(|o| o.number).unwrap_or_default(),
        opening,
        is_open: c.stage.is_open(),
        can_manage: signed.can(Permission::ManageOffers),
        targets,
        employment_types: choices(s.t, "employment", EmploymentType::ALL, EmploymentType::code),
        form,
        errors: FormErrors::from(errors, Catalog::get(signed.lang)),
        s,
    })
}

async fn refuse(
    state: &AppState,
    signed: &Signed,
    id: ComebackId,
    input: MoveInput,
    e: FieldErrors,
) -> AppResult<Response> {
    tracing::info!(fields = ?e.0.keys().collect::<Vec<_>>(), "comeback move refused");
    let page = show_page(state, signed, id, input, &e).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<ComebackId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let page = show_page(
        &state,
        &signed,
        id,
        MoveInput::default(),
        &FieldErrors::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn move_stage(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<ComebackId>,
    posted: Posted<MoveInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let current = comebacks::get(&state.db, signed.scope(), id).await?;
    let st = stints::for_person(&state.db, signed.scope(), current.person_id).await?;
    let input = posted.fields;
    let mv = match input.parse(current.stage, &st, signed.today()) {
        Ok(m) => m,
        Err(e) => return refuse(&state, &signed, id, input, e).await,
    };
    match comebacks::move_to(
        &state.db,
        signed.scope(),
        &signed.actor(),
        id,
        &mv,
        signed.today(),
    )
    .await
    {
        Ok(c) if c.stage == ComebackStage::Returned => Ok(redirect_with_flash(
            &format!("/people/{}", c.person_id),
            "flash.comeback_returned",
        )),
        Ok(_) => Ok(redirect_with_flash(
            &format!("/comebacks/{id}"),
            "flash.comeback_moved",
        )),
        Err(TransitionError::Refused(inv)) => {
            let mut e = FieldErrors::new();
            e.add("stage", inv);
            refuse(&state, &signed, id, input, e).await
        }
        Err(TransitionError::Store(e)) => Err(AppError::from(e)),
    }
}
