//! Openings and matching: the list, the form (required skills with a minimum level, nice-to-have skills, way
//! of working), the opening page with its ranked alumni and their reasons, and the company's weights.

use super::skills::{level_choices, skill_choices};
use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Posted};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use axum_extra::extract::Form as HtmlForm;
use kaeru_domain::skill::{OpeningInput, WeightsInput};
use kaeru_domain::{
    FieldErrors, MatchWeights, Opening, OpeningId, OpeningStatus, Permission, PersonId, Skill,
    SkillId, WorkStyle,
};
use kaeru_search::matching::{Detail, MatchError};
use kaeru_search::{Match, MatchQuery};
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

/// The words of a catalogue, as the match explanations use them (the page's shell, or the API's language).
pub(crate) struct Words {
    pub t: &'static crate::i18n::Catalog,
}

impl Words {
    pub fn of(s: &Shell) -> Self {
        Self { t: s.t }
    }

    fn t(&self, key: &str) -> &'static str {
        self.t.lookup(key).unwrap_or("⚠")
    }

    fn tf(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.t.format(key, &[(name, value.to_string())])
    }
}

pub(crate) fn work_label(s: &Words, style: WorkStyle, days: Option<i32>) -> String {
    match (style, days) {
        (WorkStyle::PartWeek, Some(d)) => s.tf("work.days", "n", d),
        _ => label(s.t, "work", style.code()),
    }
}

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
    let err = |e| AppError::from_store(signed.lang, e);
    let all = openings::list(&state.db, signed.scope(), false)
        .await
        .map_err(err)?;
    let names = skill_names(
        &skills::catalogue(&state.db, signed.scope())
            .await
            .map_err(err)?,
    );
    let s = Shell::signed(&signed, Section::Openings, "/openings");
    let rows = all
        .into_iter()
        .map(|o| OpeningRow {
            id: o.id,
            work: work_label(&Words::of(&s), o.work_style, o.days_per_week),
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
    Ok(render(signed.lang, &tpl)?.into_response())
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
    let cat = skills::catalogue(&state.db, signed.scope())
        .await
        .map_err(|e| AppError::from_store(signed.lang, e))?;
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
    Ok((status, render(signed.lang, &tpl)?).into_response())
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

fn parse_id(signed: &Signed, id: &str) -> AppResult<OpeningId> {
    id.parse().map_err(|_| AppError::NotFound(signed.lang))
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let id = parse_id(&signed, &id)?;
    let o = openings::get(&state.db, signed.scope(), id)
        .await
        .map_err(|e| AppError::from_store(signed.lang, e))?;
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
    let cat = skills::catalogue(&state.db, signed.scope())
        .await
        .map_err(|e| AppError::from_store(signed.lang, e))?;
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
        Err(e) => Err(AppError::from_store(signed.lang, e)),
    }
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    HtmlForm(posted): HtmlForm<Posted<OpeningInput>>,
) -> AppResult<Response> {
    signed.check_csrf(&posted.csrf)?;
    signed.require(Permission::ManageOffers)?;
    save(&state, &signed, None, posted.fields).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
    HtmlForm(posted): HtmlForm<Posted<OpeningInput>>,
) -> AppResult<Response> {
    signed.check_csrf(&posted.csrf)?;
    signed.require(Permission::ManageOffers)?;
    let id = parse_id(&signed, &id)?;
    openings::get(&state.db, signed.scope(), id)
        .await
        .map_err(|e| AppError::from_store(signed.lang, e))?;
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

pub(crate) fn detail_text(s: &Words, names: &HashMap<SkillId, String>, d: &Detail) -> String {
    let name = |k: &SkillId| names.get(k).cloned().unwrap_or_default();
    let args = |pairs: &[(&'static str, String)]| pairs.to_vec();
    match d {
        Detail::SkillMet {
            skill,
            level,
            min,
            years,
            after_leaving,
        } => {
            let mut t = s.t.format(
                "match.skill_met",
                &args(&[
                    ("skill", name(skill)),
                    ("level", level.to_string()),
                    ("min", min.to_string()),
                ]),
            );
            if *after_leaving {
                t.push_str(s.t("match.after_leaving"));
            }
            if *years >= 2 {
                t.push_str(&s.tf("match.years_ago", "n", years));
            }
            t
        }
        Detail::SkillBelow { skill, level, min } => s.t.format(
            "match.skill_below",
            &args(&[
                ("skill", name(skill)),
                ("level", level.to_string()),
                ("min", min.to_string()),
            ]),
        ),
        Detail::SkillMissing { skill } => s.tf("match.skill_missing", "skill", name(skill)),
        Detail::NiceHeld {
            skill,
            level,
            after_leaving,
        } => {
            let mut t = s.t.format(
                "match.nice_held",
                &args(&[("skill", name(skill)), ("level", level.to_string())]),
            );
            if *after_leaving {
                t.push_str(s.t("match.after_leaving"));
            }
            t
        }
        Detail::Intent(i) => match i {
            Some(i) => s.tf("match.intent", "intent", label(s.t, "intent", i.code())),
            None => s.t("match.intent_unknown").into(),
        },
        Detail::Offer(true) => s.t("match.offer_yes").into(),
        Detail::Offer(false) => s.t("match.offer_no").into(),
        Detail::Mission(true) => s.t("match.mission_yes").into(),
        Detail::Mission(false) => s.t("match.mission_no").into(),
        Detail::Rehire(r, exception) => match (r, exception) {
            (Some(kaeru_domain::RehireEligibility::NotEligible), true) => {
                s.t("match.rehire_exception").into()
            }
            (Some(r), _) => s.tf("match.rehire", "value", label(s.t, "rehire", r.code())),
            (None, _) => s.t("match.rehire_unknown").into(),
        },
        Detail::Contact(Some(days)) => s.tf("match.contact_days", "n", days),
        Detail::Contact(None) => s.t("match.contact_none").into(),
        Detail::Work(Some(w), days) => s.tf("match.work", "work", work_label(s, *w, *days)),
        Detail::Work(None, _) => s.t("match.work_unknown").into(),
    }
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
                    .map(|d| detail_text(&Words::of(s), names, d))
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

/// Ranks the company's alumni for an opening (the same index and weights for the page and the API);
/// `None` when the opening names no skill to match on.
pub(crate) async fn rank(
    state: &AppState,
    scope: &kaeru_store::Scope,
    o: &Opening,
    today: chrono::NaiveDate,
    limit: usize,
) -> Result<Option<kaeru_search::matching::MatchResult>, StoreError> {
    let weights = openings::weights(&state.db, scope).await?;
    let index = state
        .search
        .match_index_for(&state.db, scope, today)
        .await?;
    let query = MatchQuery {
        skills: o
            .requirements
            .iter()
            .map(|r| {
                (
                    r.skill_id,
                    r.required,
                    u8::try_from(r.min_level).unwrap_or(1),
                )
            })
            .collect(),
        work_style: o.work_style,
        days_per_week: o.days_per_week,
        weights,
        today,
        limit,
    };
    match index.index.rank(&query) {
        Ok(r) => Ok(Some(r)),
        Err(MatchError::NoSkills) => Ok(None),
    }
}

async fn show(
    State(state): State<AppState>,
    signed: Signed,
    Path(id): Path<String>,
) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let id = parse_id(&signed, &id)?;
    let err = |e| AppError::from_store(signed.lang, e);
    let o: Opening = openings::get(&state.db, signed.scope(), id)
        .await
        .map_err(err)?;
    let cat = skills::catalogue(&state.db, signed.scope())
        .await
        .map_err(err)?;
    let names = skill_names(&cat);
    let (result, no_skills) = match rank(&state, signed.scope(), &o, signed.today(), SHOWN)
        .await
        .map_err(err)?
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
    let current = kaeru_store::careers::current_for(&state.db, signed.scope(), &ids)
        .await
        .map_err(err)?;
    let people: HashMap<PersonId, (String, String, String)> =
        people::get_many(&state.db, signed.scope(), &ids)
            .await
            .map_err(err)?
            .into_iter()
            .map(|i| {
                let now_at = current
                    .get(&i.person.id)
                    .map(|c| match &c.role {
                        Some(r) => format!("{}（{r}）", c.employer),
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
        work_label(&Words::of(&s), o.work_style, o.days_per_week),
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
    Ok(render(signed.lang, &tpl)?.into_response())
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
    Ok((status, render(signed.lang, &tpl)?).into_response())
}

async fn weights_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let w = openings::weights(&state.db, signed.scope())
        .await
        .map_err(|e| AppError::from_store(signed.lang, e))?;
    weights_page(&signed, WeightsInput::from_weights(&w), &FieldErrors::new())
}

async fn save_weights(
    State(state): State<AppState>,
    signed: Signed,
    Form(posted): Form<Posted<WeightsInput>>,
) -> AppResult<Response> {
    signed.check_csrf(&posted.csrf)?;
    signed.require(Permission::ManageOffers)?;
    let input = posted.fields;
    let w = match input.parse() {
        Ok(w) => w,
        Err(e) => return weights_page(&signed, input, &e),
    };
    openings::set_weights(&state.db, signed.scope(), &signed.actor(), &w)
        .await
        .map_err(|e| AppError::from_store(signed.lang, e))?;
    Ok(redirect_with_flash("/settings/matching", "flash.saved"))
}
