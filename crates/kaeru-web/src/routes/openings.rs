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
use axum::routing::{get, post};

use kaeru_app::openings::{Words, detail_text, rank, work_label};
use kaeru_domain::opening::OpeningInput;
use kaeru_domain::weights::WeightsInput;
use kaeru_domain::{
    FieldErrors, MatchWeights, Opening, OpeningAudience, OpeningId, OpeningStatus, PayUnit,
    Permission, PersonId, Remote, ResponseId, Skill, SkillId, WorkStyle,
};
use kaeru_search::Match;
use kaeru_store::{StoreError, job_board, openings, people, skills};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openings", get(list).post(create))
        .route("/openings/new", get(new_form))
        .route("/openings/{id}", get(show).post(update))
        .route("/openings/{id}/edit", get(edit_form))
        .route(
            "/openings/{id}/responses/{response}/comeback",
            post(start_comeback),
        )
        .route("/openings/{id}/invites", post(invite))
        .route("/openings/{id}/invites/{person}/delete", post(uninvite))
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
    audience: String,
    audience_code: &'static str,
    is_open: bool,
    status: String,
    /// 見た・興味あり・応募 (only for those who may see interest).
    figures: String,
}

#[derive(Template)]
#[template(path = "openings.html")]
struct ListPage {
    s: Shell,
    rows: Vec<OpeningRow>,
    can_manage: bool,
    see_interest: bool,
}

fn skill_names(cat: &[Skill]) -> HashMap<SkillId, String> {
    cat.iter().map(|k| (k.id, k.name.clone())).collect()
}

async fn list(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let all = openings::list(&state.db, signed.scope(), None).await?;
    let names = skill_names(&skills::catalogue(&state.db, signed.scope()).await?);
    let s = Shell::signed(&signed, Section::Openings, "/openings");
    let see_interest = signed.can(Permission::SeeInterest);
    let figures = if see_interest {
        job_board::figures(&state.db, signed.scope()).await?
    } else {
        HashMap::new()
    };
    let today = signed.today();
    let rows = all
        .into_iter()
        .map(|o| OpeningRow {
            id: o.id,
            work: work_label(&Words { t: s.t }, o.work_style, o.days_per_week),
            department: o.department.clone().unwrap_or_default(),
            place: o.place.clone().unwrap_or_default(),
            skills: o
                .requirements
                .iter()
                .filter_map(|r| names.get(&r.skill_id).cloned())
                .collect::<Vec<_>>()
                .join("、"),
            audience: label(s.t, "audience", o.audience.code()),
            audience_code: o.audience.code(),
            is_open: o.takes_responses(today),
            status: if o.status == OpeningStatus::Open && !o.takes_responses(today) {
                s.t("opening.past_closing").to_string()
            } else {
                label(s.t, "opening_status", o.status.code())
            },
            figures: if see_interest {
                let f = figures.get(&o.id).cloned().unwrap_or_default();
                s.t.format(
                    "opening.figures",
                    &[
                        ("saw", f.saw.to_string()),
                        ("interested", f.interested.to_string()),
                        ("applied", f.applied.to_string()),
                    ],
                )
            } else {
                String::new()
            },
            title: o.title,
        })
        .collect();
    let tpl = ListPage {
        rows,
        can_manage: signed.can(Permission::ManageOffers),
        see_interest,
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
    audiences: Vec<(String, String)>,
    remotes: Vec<(String, String)>,
    pay_units: Vec<(String, String)>,
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
        audiences: super::owned(choices(
            s.t,
            "audience",
            OpeningAudience::ALL,
            OpeningAudience::code,
        )),
        remotes: super::owned(choices(s.t, "remote", Remote::ALL, Remote::code)),
        pay_units: super::owned(choices(s.t, "pay_unit", PayUnit::ALL, PayUnit::code)),
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
        audience: OpeningAudience::Alumni.code().into(),
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

impl ShowPage {
    fn is_invited(&self, p: &PersonId) -> bool {
        self.invited_ids.contains(p)
    }
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
    audience: String,
    audience_code: &'static str,
    is_open: bool,
    no_skills: bool,
    see_interest: bool,
    responses: Vec<ResponseRow>,
    viewers: Vec<ViewerRow>,
    by_via: Vec<(String, u64, u64, u64)>,
    invited: Vec<(PersonId, String)>,
    invited_ids: Vec<PersonId>,
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
    let interest = interest_block(&state, &signed, &s, &o).await?;
    let mut facts = vec![(
        s.t("opening.work_style").to_string(),
        kaeru_app::job_board::terms_line(s.t, &o),
    )];
    if let Some(d) = o.closes_on {
        facts.push((s.t("opening.closes_on").to_string(), s.date(&d)));
    }
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
        audience: label(s.t, "audience", o.audience.code()),
        audience_code: o.audience.code(),
        is_open: o.takes_responses(signed.today()),
        see_interest: interest.see,
        responses: interest.responses,
        viewers: interest.viewers,
        by_via: interest.by_via,
        invited: interest.invited,
        invited_ids: interest.invited_ids,
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

/// One interest or application on the opening page (owner and HR only).
pub struct ResponseRow {
    id: ResponseId,
    person_id: PersonId,
    name: String,
    kind: String,
    kind_code: &'static str,
    withdrawn: bool,
    note: String,
    available_from: String,
    via: String,
    at: String,
    /// 再雇用不可 on the last stint: shown to HR beside the interest.
    not_eligible: bool,
    comeback: Option<String>,
}

pub struct ViewerRow {
    person_id: PersonId,
    name: String,
    via: String,
    times: i32,
    last_at: String,
}

#[derive(Default)]
struct InterestBlock {
    see: bool,
    responses: Vec<ResponseRow>,
    viewers: Vec<ViewerRow>,
    by_via: Vec<(String, u64, u64, u64)>,
    invited: Vec<(PersonId, String)>,
    invited_ids: Vec<PersonId>,
}

/// Who saw the opening, raised a hand or applied, and who is invited: for owner and HR only.
async fn interest_block(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    o: &Opening,
) -> AppResult<InterestBlock> {
    if !signed.can(Permission::SeeInterest) {
        return Ok(InterestBlock::default());
    }
    let scope = signed.scope();
    let responses = job_board::for_opening(&state.db, scope, o.id).await?;
    let views = job_board::views(&state.db, scope, o.id).await?;
    let invited_ids = job_board::invited(&state.db, scope, o.id).await?;
    let ids: Vec<PersonId> = responses
        .iter()
        .map(|r| r.person_id)
        .chain(views.iter().map(|v| v.person_id))
        .chain(invited_ids.iter().copied())
        .collect();
    let names: HashMap<PersonId, String> = people::get_many(&state.db, scope, &ids)
        .await?
        .into_iter()
        .map(|i| (i.person.id, i.person.full_name()))
        .collect();
    let not_eligible = kaeru_store::stints::not_eligible(&state.db, scope, &ids).await?;
    let figures = job_board::figures(&state.db, scope)
        .await?
        .remove(&o.id)
        .unwrap_or_default();
    Ok(InterestBlock {
        see: true,
        responses: responses
            .into_iter()
            .map(|r| ResponseRow {
                id: r.id,
                person_id: r.person_id,
                name: names.get(&r.person_id).cloned().unwrap_or_default(),
                kind: label(s.t, "response_kind", r.kind.code()),
                kind_code: r.kind.code(),
                withdrawn: r.withdrawn,
                note: r.note.unwrap_or_default(),
                available_from: r.available_from.unwrap_or_default(),
                via: label(s.t, "via", r.via.code()),
                at: s.datetime(&r.updated_at),
                not_eligible: not_eligible.contains(&r.person_id),
                comeback: r.comeback_id.map(|c| c.to_string()),
            })
            .collect(),
        viewers: views
            .into_iter()
            .map(|v| ViewerRow {
                person_id: v.person_id,
                name: names.get(&v.person_id).cloned().unwrap_or_default(),
                via: label(s.t, "via", v.via.code()),
                times: v.times,
                last_at: s.datetime(&v.last_at),
            })
            .collect(),
        by_via: figures
            .by_via
            .into_iter()
            .map(|(via, (a, b, c))| (label(s.t, "via", &via), a, b, c))
            .collect(),
        invited: invited_ids
            .iter()
            .map(|p| (*p, names.get(p).cloned().unwrap_or_default()))
            .collect(),
        invited_ids,
    })
}

async fn start_comeback(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Path((id, response)): axum::extract::Path<(String, String)>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::SeeInterest)?;
    let id: OpeningId = super::parse_id(&id)?;
    let response: ResponseId = super::parse_id(&response)?;
    let r = job_board::response(&state.db, signed.scope(), response).await?;
    if r.opening_id != id {
        return Err(AppError::NotFound);
    }
    match job_board::start_comeback(
        &state.db,
        signed.scope(),
        &signed.actor(),
        response,
        signed.today(),
    )
    .await
    {
        Ok((cb, joined)) => Ok(redirect_with_flash(
            &format!("/comebacks/{}", cb.id),
            if joined {
                "flash.comeback_joined"
            } else {
                "flash.comeback_opened"
            },
        )),
        Err(StoreError::Conflict(_)) => Ok(redirect_with_flash(
            &format!("/openings/{id}#responses"),
            "flash.response_changed",
        )),
        Err(e) => Err(AppError::from(e)),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    person_id: String,
}

async fn invite(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<OpeningId>,
    posted: Posted<InviteForm>,
) -> AppResult<Response> {
    signed.require(Permission::SeeInterest)?;
    let person: PersonId = super::parse_id(&posted.fields.person_id)?;
    job_board::invite(&state.db, signed.scope(), &signed.actor(), id, &[person]).await?;
    Ok(redirect_with_flash(
        &format!("/openings/{id}#invited"),
        "flash.invited_to_opening",
    ))
}

async fn uninvite(
    State(state): State<AppState>,
    signed: Signed,
    axum::extract::Path((id, person)): axum::extract::Path<(String, String)>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::SeeInterest)?;
    let id: OpeningId = super::parse_id(&id)?;
    let person: PersonId = super::parse_id(&person)?;
    job_board::uninvite(&state.db, signed.scope(), &signed.actor(), id, person).await?;
    Ok(redirect_with_flash(
        &format!("/openings/{id}#invited"),
        "flash.uninvited",
    ))
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
