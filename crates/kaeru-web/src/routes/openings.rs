//! Openings and matching: the list, the form (required skills with a minimum level, nice-to-have skills, way
//! of working), the opening page with its ranked alumni and their reasons, and the company's weights.

use super::skills::{level_choices, skill_choices};
use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::Id;
use crate::forms::{FormErrors, Posted};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use kaeru_app::openings::{Words, detail_text, rank, work_label};
use kaeru_domain::opening::OpeningInput;
use kaeru_domain::weights::WeightsInput;
use kaeru_domain::{
    FieldErrors, MatchWeights, Opening, OpeningId, OpeningStatus, Permission, PersonId, Skill,
    SkillId, WorkStyle,
};
use kaeru_search::Match;
use kaeru_store::{StoreError, openings, people, skills};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openings", get(list).post(create))
        .route("/openings/new", get(new_form))
        .route("/openings/{id}", get(show).post(update))
        .route("/openings/{id}/edit", get(edit_form))
        .route("/settings/matching", get(weights_form).post(save_weights))
}

/// How many alumni an opening page ranks.
const SHOWN: usize = 20;

pub struct OpeningRow {
    id: OpeningId,
    title: String,
    department: String,
    work: String,
    place: String,
    skills: String,
    is_public: bool,
    is_open: bool,
    status: String,
}

#[derive(Template)]
#[template(path = "openings.html")]
struct ListPage {
    s: Shell,
    rows: Vec<OpeningRow>,
    can_manage: bool,
}

fn skill_names(cat: &[Skill]) -> HashMap<SkillId, String> {
    cat.iter().map(|k| (k.id, k.name.clone())).collect()
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let all = openings::list(&state.db, signed.scope(), false).await?;
    let names = skill_names(&skills::catalogue(&state.db, signed.scope()).await?);
    let s = Shell::signed(&signed, Section::Openings, "/openings");
    let rows = all
        .into_iter()
        .map(|o| OpeningRow {
            id: o.id,
            work: work_label(&Words { t: s.t }, o.work_style, o.days_per_week),
            department: o.department.unwrap_or_default(),
            place: o.place.unwrap_or_default(),
            skills: o
                .requirements
                .iter()
                .filter_map(|r| names.get(&r.skill_id).cloned())
                .collect::<Vec<_>>()
                .join("、"),
            is_public: o.is_public,
            is_open: o.status == OpeningStatus::Open,
            status: label(s.t, "opening_status", o.status.code()),
            title: o.title,
        })
        .collect();
    let tpl = ListPage {
        rows,
        can_manage: signed.can(Permission::ManageOffers),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

/// One row of required skills on the form.
pub struct ReqRow {
    skill: String,
    level: String,
}

#[derive(Template)]
#[template(path = "opening_form.html")]
struct FormPage {
    s: Shell,
    title: String,
    action: String,
    cancel: String,
    form: OpeningInput,
    req_rows: Vec<ReqRow>,
    errors: FormErrors,
    skill_options: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    styles: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
}

impl FormPage {
    fn nice_checked(&self, id: &str) -> bool {
        self.form.nice_skill.iter().any(|x| x == id)
    }
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    id: Option<OpeningId>,
    form: OpeningInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let (action, cancel, title_key) = match id {
        Some(id) => (
            format!("/openings/{id}"),
            format!("/openings/{id}"),
            "opening.edit",
        ),
        None => ("/openings".into(), "/openings".into(), "opening.new"),
    };
    let s = Shell::signed(signed, Section::Openings, &action);
    // The rows typed so far, then empty ones up to five (at least one spare).
    let mut req_rows: Vec<ReqRow> = form
        .req_skill
        .iter()
        .enumerate()
        .filter(|(_, k)| !k.trim().is_empty())
        .map(|(i, k)| ReqRow {
            skill: k.clone(),
            level: form.req_level.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let spare = 5usize.saturating_sub(req_rows.len()).max(1);
    for _ in 0..spare {
        req_rows.push(ReqRow {
            skill: String::new(),
            level: "3".into(),
        });
    }
    let status = super::form_status(errors);
    let tpl = FormPage {
        title: s.t(title_key).to_string(),
        action,
        cancel,
        req_rows,
        errors: FormErrors::from(errors, s.t),
        skill_options: skill_choices(&cat),
        levels: level_choices(&s),
        styles: super::owned(choices(s.t, "work", WorkStyle::ALL, WorkStyle::code)),
        statuses: super::owned(choices(
            s.t,
            "opening_status",
            OpeningStatus::ALL,
            OpeningStatus::code,
        )),
        form,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn new_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let form = OpeningInput {
        work_style: WorkStyle::FullTime.code().into(),
        status: OpeningStatus::Open.code().into(),
        ..Default::default()
    };
    form_page(&state, &signed, None, form, &FieldErrors::new()).await
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<OpeningId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let o = openings::get(&state.db, signed.scope(), id).await?;
    form_page(
        &state,
        &signed,
        Some(id),
        OpeningInput::from_opening(&o),
        &FieldErrors::new(),
    )
    .await
}

async fn save(
    state: &AppState,
    signed: &Signed,
    id: Option<OpeningId>,
    input: OpeningInput,
) -> AppResult<Response> {
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let draft = match input.parse(|k| cat.iter().any(|x| x.id == k)) {
        Ok(d) => d,
        Err(e) => return form_page(state, signed, id, input, &e).await,
    };
    let result = match id {
        Some(id) => openings::update(&state.db, signed.scope(), &signed.actor(), id, &draft).await,
        None => openings::create(&state.db, signed.scope(), &signed.actor(), &draft).await,
    };
    match result {
        Ok(o) => Ok(redirect_with_flash(
            &format!("/openings/{}", o.id),
            "flash.opening_saved",
        )),
        // A skill was deleted while the form was open.
        Err(StoreError::NotFound) if id.is_none() => {
            let mut e = FieldErrors::new();
            e.add(
                "requirements",
                kaeru_domain::Invalid::new("error.skill_unknown"),
            );
            form_page(state, signed, id, input, &e).await
        }
        Err(e) => Err(AppError::from(e)),
    }
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<OpeningInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    save(&state, &signed, None, posted.fields).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<OpeningId>,
    posted: Posted<OpeningInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    openings::get(&state.db, signed.scope(), id).await?;
    save(&state, &signed, Some(id), posted.fields).await
}

pub struct ReasonView {
    part: String,
    points: String,
    full: bool,
    text: String,
}

pub struct MatchView {
    rank: usize,
    person_id: PersonId,
    name: String,
    kana: String,
    /// Where they work now, if known.
    now_at: String,
    score: String,
    score_value: f32,
    required: String,
    reasons: Vec<ReasonView>,
    excluded: String,
}

#[derive(Template)]
#[template(path = "opening_show.html")]
struct ShowPage {
    s: Shell,
    id: OpeningId,
    title: String,
    facts: Vec<(String, String)>,
    required: Vec<String>,
    nice: Vec<String>,
    description: String,
    is_public: bool,
    is_open: bool,
    no_skills: bool,
    considered: usize,
    matches: Vec<MatchView>,
    excluded: Vec<MatchView>,
    can_manage: bool,
    can_start: bool,
    comeback_note: String,
}

fn view(
    s: &Shell,
    names: &HashMap<SkillId, String>,
    people: &HashMap<PersonId, (String, String, String)>,
    required_total: usize,
    rank: usize,
    m: &Match,
) -> MatchView {
    let pid = PersonId(m.id);
    let (name, kana, now_at) = people.get(&pid).cloned().unwrap_or_default();
    MatchView {
        rank,
        person_id: pid,
        name,
        kana,
        now_at,
        score: format!("{:.0}", m.score),
        score_value: m.score,
        required: if required_total > 0 {
            s.t.format(
                "match.required_met",
                &[
                    ("n", m.required_met.to_string()),
                    ("m", required_total.to_string()),
                ],
            )
        } else {
            String::new()
        },
        reasons: m
            .reasons
            .iter()
            .map(|r| ReasonView {
                part: s.t(&format!("match.part.{}", r.part)).to_string(),
                points: format!("{:.0}/{:.0}", r.points, r.max),
                full: r.points >= r.max - 0.05,
                text: r
                    .details
                    .iter()
                    .map(|d| detail_text(&Words { t: s.t }, names, d))
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        excluded: m
            .excluded
            .map(|e| s.t(&format!("match.excluded.{e}")).to_string())
            .unwrap_or_default(),
    }
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<OpeningId>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let o: Opening = openings::get(&state.db, signed.scope(), id).await?;
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let names = skill_names(&cat);
    let (result, no_skills) = match rank(
        &state.db,
        &state.search,
        signed.scope(),
        &o,
        signed.today(),
        SHOWN,
    )
    .await?
    {
        Some(r) => (r, false),
        None => (Default::default(), true),
    };
    let ids: Vec<PersonId> = result
        .ranked
        .iter()
        .chain(result.excluded.iter())
        .map(|m| PersonId(m.id))
        .collect();
    let current = kaeru_store::careers::current_for(&state.db, signed.scope(), &ids).await?;
    let people: HashMap<PersonId, (String, String, String)> =
        people::get_many(&state.db, signed.scope(), &ids)
            .await?
            .into_iter()
            .map(|i| {
                let now_at = current
                    .get(&i.person.id)
                    .map(|c| match &c.role {
                        Some(r) => kaeru_i18n::Catalog::get(signed.lang).aside(&c.employer, r),
                        None => c.employer.clone(),
                    })
                    .unwrap_or_default();
                (
                    i.person.id,
                    (i.person.full_name(), i.person.full_kana(), now_at),
                )
            })
            .collect();
    let s = Shell::signed(&signed, Section::Openings, &format!("/openings/{id}"));
    let required_total = o.requirements.iter().filter(|r| r.required).count();
    let matches = result
        .ranked
        .iter()
        .enumerate()
        .map(|(i, m)| view(&s, &names, &people, required_total, i + 1, m))
        .collect();
    let excluded = result
        .excluded
        .iter()
        .enumerate()
        .map(|(i, m)| view(&s, &names, &people, required_total, i + 1, m))
        .collect();
    let mut facts = vec![(
        s.t("opening.work_style").to_string(),
        work_label(&Words { t: s.t }, o.work_style, o.days_per_week),
    )];
    if let Some(d) = &o.department {
        facts.push((s.t("opening.department").to_string(), d.clone()));
    }
    if let Some(p) = &o.place {
        facts.push((s.t("opening.place").to_string(), p.clone()));
    }
    facts.push((
        s.t("opening.status").to_string(),
        label(s.t, "opening_status", o.status.code()),
    ));
    let tpl = ShowPage {
        id,
        comeback_note: s.tf("opening.comeback_note", "title", &o.title),
        title: o.title.clone(),
        facts,
        required: o
            .requirements
            .iter()
            .filter(|r| r.required)
            .map(|r| {
                s.t.format(
                    "opening.required_item",
                    &[
                        ("skill", names.get(&r.skill_id).cloned().unwrap_or_default()),
                        ("n", r.min_level.to_string()),
                    ],
                )
            })
            .collect(),
        nice: o
            .requirements
            .iter()
            .filter(|r| !r.required)
            .filter_map(|r| names.get(&r.skill_id).cloned())
            .collect(),
        description: o.description.clone().unwrap_or_default(),
        is_public: o.is_public,
        is_open: o.status == OpeningStatus::Open,
        no_skills,
        considered: result.considered,
        matches,
        excluded,
        can_manage: signed.can(Permission::ManageOffers),
        can_start: signed.can(Permission::ManageOffers),
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Template)]
#[template(path = "match_weights.html")]
struct WeightsPage {
    s: Shell,
    form: WeightsInput,
    errors: FormErrors,
    fields: Vec<(&'static str, String, String)>,
}

fn weights_page(signed: &Signed, form: WeightsInput, errors: &FieldErrors) -> AppResult<Response> {
    let s = Shell::signed(signed, Section::Settings, "/settings/matching");
    let fields = MatchWeights::FIELDS
        .iter()
        .map(|f| {
            (
                *f,
                s.t(&format!("match.part.{f}")).to_string(),
                s.t(&format!("match.weight_help.{f}")).to_string(),
            )
        })
        .collect();
    let status = super::form_status(errors);
    let tpl = WeightsPage {
        errors: FormErrors::from(errors, s.t),
        form,
        fields,
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn weights_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let w = openings::weights(&state.db, signed.scope()).await?;
    weights_page(&signed, WeightsInput::from_weights(&w), &FieldErrors::new())
}

async fn save_weights(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<WeightsInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let input = posted.fields;
    let w = match input.parse() {
        Ok(w) => w,
        Err(e) => return weights_page(&signed, input, &e),
    };
    openings::set_weights(&state.db, signed.scope(), &signed.actor(), &w).await?;
    Ok(redirect_with_flash("/settings/matching", "flash.saved"))
}
