//! The skill catalogue, the company's needs and the skill-gap view, and on each person: skills, careers after
//! leaving and their outlook on coming back.

use super::{choices, label, redirect_with_flash, render};
use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::profile::{self, Editor};
use kaeru_domain::outlook::OutlookInput;
use kaeru_domain::skill::{NeedInput, PersonSkillInput, SkillInput};
use kaeru_domain::{
    CareerId, CareerInput, FieldErrors, Invalid, NeedPriority, Permission, PersonId, PersonSkillId,
    ReturnIntent, Skill, SkillId, SkillOrigin, SkillSource, WorkStyle,
};
use kaeru_store::{Clash, StoreError, careers, people, skills};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/skills", get(catalogue).post(create))
        .route("/skills/new", get(new_form))
        .route("/skills/gaps", get(gaps))
        .route("/skills/needs", post(set_need))
        .route("/skills/needs/{id}/delete", post(remove_need))
        .route("/skills/{id}", post(update))
        .route("/skills/{id}/edit", get(edit_form))
        .route("/skills/{id}/delete", get(delete_confirm).post(delete))
        .route(
            "/people/{id}/skills",
            get(person_skill_form).post(add_person_skill),
        )
        .route(
            "/people/{id}/skills/{held}/delete",
            post(remove_person_skill),
        )
        .route(
            "/people/{id}/skills/{held}/confirm",
            post(confirm_person_skill),
        )
        .route("/people/{id}/careers", get(career_form).post(add_career))
        .route("/people/{id}/careers/{cid}/delete", post(remove_career))
        .route("/people/{id}/outlook", get(outlook_form).post(save_outlook))
}

/// Level choices with their plain descriptions: (value, "3 — 一人で任せられる").
pub(crate) fn level_choices(s: &Shell) -> Vec<(String, String)> {
    kaeru_domain::skill::LEVELS
        .iter()
        .map(|l| {
            (
                l.to_string(),
                format!("{l} — {}", s.t(&format!("skill.level_{l}"))),
            )
        })
        .collect()
}

/// (id, "name（category）") for a select, in catalogue order.
pub(crate) fn skill_choices(catalogue: &[Skill]) -> Vec<(String, String)> {
    catalogue
        .iter()
        .map(|k| {
            let l = match &k.category {
                Some(c) => format!("{}（{c}）", k.name),
                None => k.name.clone(),
            };
            (k.id.to_string(), l)
        })
        .collect()
}

// ---- the catalogue ----

pub struct CatalogueRow {
    id: SkillId,
    name: String,
    aliases: String,
    description: String,
    holders: u64,
}

pub struct CategoryGroup {
    name: String,
    skills: Vec<CatalogueRow>,
}

#[derive(Template)]
#[template(path = "skills.html")]
struct CataloguePage {
    s: Shell,
    groups: Vec<CategoryGroup>,
    levels: Vec<(String, String)>,
    can_manage: bool,
}

async fn catalogue(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let holders = skills::holder_counts(&state.db, signed.scope()).await?;
    let s = Shell::signed(&signed, Section::Skills, "/skills");
    let mut groups: Vec<CategoryGroup> = Vec::new();
    for k in cat {
        let name = k
            .category
            .clone()
            .unwrap_or_else(|| s.t("skill.no_category").to_string());
        if groups.last().is_none_or(|g| g.name != name) {
            groups.push(CategoryGroup {
                name,
                skills: Vec::new(),
            });
        }
        if let Some(g) = groups.last_mut() {
            g.skills.push(CatalogueRow {
                id: k.id,
                holders: holders.get(&k.id).copied().unwrap_or(0),
                name: k.name,
                aliases: k.aliases.join("、"),
                description: k.description.unwrap_or_default(),
            });
        }
    }
    let tpl = CataloguePage {
        levels: level_choices(&s),
        can_manage: signed.can(Permission::ManageOffers),
        groups,
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Template)]
#[template(path = "skill_form.html")]
struct SkillFormPage {
    s: Shell,
    title: String,
    action: String,
    form: SkillInput,
    errors: FormErrors,
    categories: Vec<String>,
}

async fn form_page(
    state: &AppState,
    signed: &Signed,
    id: Option<SkillId>,
    form: SkillInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let mut categories: Vec<String> = cat.into_iter().filter_map(|k| k.category).collect();
    categories.dedup();
    let (path, title_key) = match id {
        Some(id) => (format!("/skills/{id}"), "skill.edit"),
        None => ("/skills".to_string(), "skill.new"),
    };
    let s = Shell::signed(signed, Section::Skills, &path);
    let tpl = SkillFormPage {
        title: s.t(title_key).to_string(),
        action: path,
        errors: FormErrors::from(errors, s.t),
        form,
        categories,
        s,
    };
    let status = super::form_status(errors);
    Ok((status, render(&tpl)?).into_response())
}

async fn new_form(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    form_page(
        &state,
        &signed,
        None,
        SkillInput::default(),
        &FieldErrors::new(),
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SkillId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let k = skills::get(&state.db, signed.scope(), id).await?;
    form_page(
        &state,
        &signed,
        Some(id),
        SkillInput::from_skill(&k),
        &FieldErrors::new(),
    )
    .await
}

async fn save_skill(
    state: &AppState,
    signed: &Signed,
    id: Option<SkillId>,
    input: SkillInput,
) -> AppResult<Response> {
    let draft = match input.parse() {
        Ok(d) => d,
        Err(e) => return form_page(state, signed, id, input, &e).await,
    };
    let result = match id {
        Some(id) => skills::update(&state.db, signed.scope(), &signed.actor(), id, &draft).await,
        None => skills::create(&state.db, signed.scope(), &signed.actor(), &draft).await,
    };
    match result {
        Ok(_) => Ok(redirect_with_flash("/skills", "flash.skill_saved")),
        Err(StoreError::Conflict(Clash::SkillNameTaken)) => {
            let mut e = FieldErrors::new();
            e.add("name", Invalid::new("error.skill_name_taken"));
            form_page(state, signed, id, input, &e).await
        }
        Err(e) => Err(AppError::from(e)),
    }
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<SkillInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    save_skill(&state, &signed, None, posted.fields).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SkillId>,
    posted: Posted<SkillInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    skills::get(&state.db, signed.scope(), id).await?;
    save_skill(&state, &signed, Some(id), posted.fields).await
}

#[derive(Template)]
#[template(path = "skill_delete.html")]
struct DeletePage {
    s: Shell,
    id: SkillId,
    name: String,
    usage: Vec<String>,
}

async fn delete_confirm(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SkillId>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let k = skills::get(&state.db, signed.scope(), id).await?;
    let u = skills::usage(&state.db, signed.scope(), id).await?;
    let s = Shell::signed(&signed, Section::Skills, &format!("/skills/{id}/delete"));
    let mut usage = Vec::new();
    if u.people > 0 {
        usage.push(s.tf("skill.used_by_people", "n", u.people));
    }
    if u.openings > 0 {
        usage.push(s.tf("skill.used_by_openings", "n", u.openings));
    }
    if u.needs > 0 {
        usage.push(s.t("skill.used_by_need").to_string());
    }
    let tpl = DeletePage {
        id,
        name: k.name,
        usage,
        s,
    };
    Ok(render(&tpl)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

async fn delete(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SkillId>,
    posted: Posted<DeleteForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let confirmed = posted.fields.confirm == "yes";
    match skills::delete(&state.db, signed.scope(), &signed.actor(), id, confirmed).await {
        Ok(_) => Ok(redirect_with_flash("/skills", "flash.skill_deleted")),
        // Used meanwhile: show what uses it and ask again.
        Err(StoreError::Conflict(Clash::SkillInUse)) => {
            Ok(axum::response::Redirect::to(&format!("/skills/{id}/delete")).into_response())
        }
        Err(e) => Err(AppError::from(e)),
    }
}

// ---- needs and gaps ----

pub struct HolderView {
    id: PersonId,
    name: String,
    level: i32,
    after_leaving: bool,
}

pub struct GapRow {
    skill_id: SkillId,
    skill: String,
    priority_code: &'static str,
    priority: String,
    min_level: i32,
    employees: usize,
    is_gap: bool,
    alumni: Vec<HolderView>,
    note: String,
}

#[derive(Template)]
#[template(path = "gaps.html")]
struct GapsPage {
    s: Shell,
    headline: String,
    rows: Vec<GapRow>,
    skill_options: Vec<(String, String)>,
    priorities: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    form: NeedInput,
    errors: FormErrors,
    can_manage: bool,
    catalogue_empty: bool,
}

async fn gaps_page(
    state: &AppState,
    signed: &Signed,
    form: NeedInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let list = skills::gaps(&state.db, signed.scope()).await?;
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let s = Shell::signed(signed, Section::Skills, "/skills/gaps");
    let gap_count = list.iter().filter(|g| g.is_gap()).count();
    let covered = list
        .iter()
        .filter(|g| g.is_gap() && !g.alumni.is_empty())
        .count();
    let headline = if list.is_empty() {
        String::new()
    } else if gap_count == 0 {
        s.t("gap.headline_none").to_string()
    } else {
        s.t.format(
            "gap.headline",
            &[("n", covered.to_string()), ("m", gap_count.to_string())],
        )
    };
    let rows = list
        .into_iter()
        .map(|g| GapRow {
            skill_id: g.skill.id,
            skill: g.skill.name.clone(),
            priority_code: g.need.priority.code(),
            priority: label(s.t, "priority", g.need.priority.code()),
            min_level: g.need.min_level,
            employees: g.employees,
            is_gap: g.is_gap(),
            note: g.need.note.clone().unwrap_or_default(),
            alumni: g
                .alumni
                .into_iter()
                .map(|h| HolderView {
                    id: h.person_id,
                    name: h.name,
                    level: h.level,
                    after_leaving: h.origin == SkillOrigin::AfterLeaving,
                })
                .collect(),
        })
        .collect();
    let status = super::form_status(errors);
    let tpl = GapsPage {
        headline,
        rows,
        skill_options: skill_choices(&cat),
        catalogue_empty: cat.is_empty(),
        priorities: super::owned(choices(
            s.t,
            "priority",
            NeedPriority::ALL,
            NeedPriority::code,
        )),
        levels: level_choices(&s),
        errors: FormErrors::from(errors, s.t),
        form,
        can_manage: signed.can(Permission::ManageOffers),
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn gaps(State(state): State<AppState>, signed: Signed) -> AppResult<Response> {
    signed.require(Permission::ViewPeople)?;
    let form = NeedInput {
        priority: NeedPriority::High.code().into(),
        min_level: "3".into(),
        ..Default::default()
    };
    gaps_page(&state, &signed, form, &FieldErrors::new()).await
}

async fn set_need(
    State(state): State<AppState>,
    signed: Signed,
    posted: Posted<NeedInput>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let input = posted.fields;
    let need = match input.parse(|id| cat.iter().any(|k| k.id == id)) {
        Ok(n) => n,
        Err(e) => return gaps_page(&state, &signed, input, &e).await,
    };
    match skills::set_need(&state.db, signed.scope(), &signed.actor(), &need).await {
        Ok(()) => Ok(redirect_with_flash("/skills/gaps", "flash.need_saved")),
        Err(StoreError::NotFound) => {
            let mut e = FieldErrors::new();
            e.add("skill", Invalid::new("error.skill_unknown"));
            gaps_page(&state, &signed, input, &e).await
        }
        Err(e) => Err(AppError::from(e)),
    }
}

async fn remove_need(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<SkillId>,
    _: Posted<DeleteForm>,
) -> AppResult<Response> {
    signed.require(Permission::ManageOffers)?;
    skills::remove_need(&state.db, signed.scope(), &signed.actor(), id).await?;
    Ok(redirect_with_flash("/skills/gaps", "flash.need_removed"))
}

// ---- on a person ----

pub struct HeldRow {
    pub id: PersonSkillId,
    pub name: String,
    pub level: i32,
    pub level_label: String,
    pub origin: String,
    pub after_leaving: bool,
    pub source: String,
    pub self_reported: bool,
    pub assessed_on: String,
    pub note: String,
}

pub struct CareerRow {
    pub id: CareerId,
    pub employer: String,
    pub detail: String,
    pub period: String,
    pub current: bool,
}

/// The skills, careers and outlook shown on the person page.
pub struct PersonPanel {
    pub skills: Vec<HeldRow>,
    pub careers: Vec<CareerRow>,
    pub outlook: Vec<(String, String)>,
}

pub(crate) async fn person_panel(
    state: &AppState,
    signed: &Signed,
    s: &Shell,
    id: PersonId,
) -> AppResult<PersonPanel> {
    let cat: HashMap<SkillId, String> = skills::catalogue(&state.db, signed.scope())
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    let held = skills::for_person(&state.db, signed.scope(), id).await?;
    let list = careers::for_person(&state.db, signed.scope(), id).await?;
    let o = people::outlook(&state.db, signed.scope(), id).await?;
    let mut outlook = Vec::new();
    if let Some(i) = o.intent {
        outlook.push((
            s.t("outlook.intent").to_string(),
            label(s.t, "intent", i.code()),
        ));
    }
    if let Some(w) = o.work_style {
        let mut v = label(s.t, "work", w.code());
        if let Some(d) = o.days_per_week {
            v = s.tf("work.days", "n", d);
        }
        outlook.push((s.t("outlook.work_style").to_string(), v));
    }
    if let Some(d) = o.last_contact_on {
        outlook.push((s.t("outlook.last_contact_on").to_string(), s.date(&d)));
    }
    Ok(PersonPanel {
        skills: held
            .into_iter()
            .map(|h| HeldRow {
                id: h.id,
                name: cat.get(&h.skill_id).cloned().unwrap_or_default(),
                level: h.level,
                level_label: s
                    .t(&format!("skill.level_{}", h.level.clamp(1, 5)))
                    .to_string(),
                origin: label(s.t, "origin", h.origin.code()),
                after_leaving: h.origin == SkillOrigin::AfterLeaving,
                source: label(s.t, "source", h.source.code()),
                self_reported: h.source == SkillSource::SelfReported,
                assessed_on: s.date(&h.assessed_on),
                note: h.note.unwrap_or_default(),
            })
            .collect(),
        careers: list
            .into_iter()
            .map(|c| CareerRow {
                id: c.id,
                current: c.is_current(),
                detail: [c.role.clone(), c.industry.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                period: format!(
                    "{} – {}",
                    s.opt_date(&c.from_date),
                    c.to_date
                        .map(|d| s.date(&d))
                        .unwrap_or_else(|| s.t("stint.present").to_string())
                ),
                employer: c.employer,
            })
            .collect(),
        outlook,
    })
}

#[derive(Template)]
#[template(path = "person_skill_form.html")]
struct PersonSkillPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    form: PersonSkillInput,
    errors: FormErrors,
    skill_options: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    origins: Vec<(String, String)>,
    sources: Vec<(String, String)>,
}

async fn person_name(
    state: &AppState,
    signed: &Signed,
    pid: PersonId,
) -> AppResult<(PersonId, String)> {
    let p = people::get(&state.db, signed.scope(), pid).await?;
    Ok((pid, p.full_name()))
}

async fn person_skill_page(
    state: &AppState,
    signed: &Signed,
    (person_id, person_name): (PersonId, String),
    form: PersonSkillInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let cat = skills::catalogue(&state.db, signed.scope()).await?;
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/{person_id}/skills"),
    );
    let status = super::form_status(errors);
    let tpl = PersonSkillPage {
        person_id,
        person_name,
        form,
        errors: FormErrors::from(errors, s.t),
        skill_options: skill_choices(&cat),
        levels: level_choices(&s),
        origins: super::owned(choices(s.t, "origin", SkillOrigin::ALL, SkillOrigin::code)),
        sources: super::owned(choices(s.t, "source", SkillSource::ALL, SkillSource::code)),
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn person_skill_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let who = person_name(&state, &signed, id).await?;
    let person = people::get(&state.db, signed.scope(), who.0).await?;
    // Employees' skills are held here; an alumnus's new skill is most likely gained since.
    let origin = match person.status {
        kaeru_domain::PersonStatus::Alumnus
        | kaeru_domain::PersonStatus::Contractor
        | kaeru_domain::PersonStatus::Unregistered => SkillOrigin::AfterLeaving,
        _ => SkillOrigin::Employment,
    };
    let form = PersonSkillInput {
        level: "3".into(),
        origin: origin.code().into(),
        source: SkillSource::Hr.code().into(),
        assessed_on: signed.today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    person_skill_page(&state, &signed, who, form, &FieldErrors::new()).await
}

async fn add_person_skill(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<PersonSkillInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let who = person_name(&state, &signed, id).await?;
    let input = posted.fields;
    let editor = Editor::Staff(signed.actor());
    let held = profile::hold_skill(
        &state.db,
        signed.scope(),
        &editor,
        who.0,
        input.clone(),
        signed.today(),
    )
    .await;
    match held {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/people/{}#skills-h", who.0),
            "flash.person_skill_saved",
        )),
        Err(Failure::Invalid(e)) => person_skill_page(&state, &signed, who, input, &e).await,
        Err(other) => Err(other.into()),
    }
}

async fn confirm_person_skill(
    State(state): State<AppState>,
    signed: Signed,
    Ids(pid, hid): Ids<PersonId, PersonSkillId>,
    _: Posted<DeleteForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    skills::confirm(&state.db, signed.scope(), &signed.actor(), pid, hid).await?;
    Ok(redirect_with_flash(
        &format!("/people/{pid}#skills-h"),
        "flash.person_skill_confirmed",
    ))
}

async fn remove_person_skill(
    State(state): State<AppState>,
    signed: Signed,
    Ids(pid, hid): Ids<PersonId, PersonSkillId>,
    _: Posted<DeleteForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    profile::drop_skill(
        &state.db,
        signed.scope(),
        &Editor::Staff(signed.actor()),
        pid,
        hid,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/people/{pid}#skills-h"),
        "flash.person_skill_removed",
    ))
}

#[derive(Template)]
#[template(path = "career_form.html")]
struct CareerPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    form: CareerInput,
    errors: FormErrors,
}

fn career_page(
    signed: &Signed,
    who: (PersonId, String),
    form: CareerInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/{}/careers", who.0),
    );
    let status = super::form_status(errors);
    let tpl = CareerPage {
        person_id: who.0,
        person_name: who.1,
        form,
        errors: FormErrors::from(errors, s.t),
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn career_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let who = person_name(&state, &signed, id).await?;
    career_page(&signed, who, CareerInput::default(), &FieldErrors::new())
}

async fn add_career(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<CareerInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let who = person_name(&state, &signed, id).await?;
    let input = posted.fields;
    let editor = Editor::Staff(signed.actor());
    let added = profile::add_career(
        &state.db,
        signed.scope(),
        &editor,
        who.0,
        &input,
        signed.today(),
    )
    .await;
    match added {
        Ok(_) => {}
        Err(Failure::Invalid(e)) => return career_page(&signed, who, input, &e),
        Err(other) => return Err(other.into()),
    }
    Ok(redirect_with_flash(
        &format!("/people/{}#careers-h", who.0),
        "flash.career_saved",
    ))
}

async fn remove_career(
    State(state): State<AppState>,
    signed: Signed,
    Ids(pid, cid): Ids<PersonId, CareerId>,
    _: Posted<DeleteForm>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    profile::remove_career(
        &state.db,
        signed.scope(),
        &Editor::Staff(signed.actor()),
        pid,
        cid,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/people/{pid}#careers-h"),
        "flash.career_removed",
    ))
}

#[derive(Template)]
#[template(path = "outlook_form.html")]
struct OutlookPage {
    s: Shell,
    person_id: PersonId,
    person_name: String,
    form: OutlookInput,
    errors: FormErrors,
    intents: Vec<(String, String)>,
    styles: Vec<(String, String)>,
}

fn outlook_page(
    signed: &Signed,
    who: (PersonId, String),
    form: OutlookInput,
    errors: &FieldErrors,
) -> AppResult<Response> {
    let s = Shell::signed(
        signed,
        Section::People,
        &format!("/people/{}/outlook", who.0),
    );
    let status = super::form_status(errors);
    let tpl = OutlookPage {
        person_id: who.0,
        person_name: who.1,
        form,
        errors: FormErrors::from(errors, s.t),
        intents: super::owned(choices(
            s.t,
            "intent",
            ReturnIntent::ALL,
            ReturnIntent::code,
        )),
        styles: super::owned(choices(s.t, "work", WorkStyle::ALL, WorkStyle::code)),
        s,
    };
    Ok((status, render(&tpl)?).into_response())
}

async fn outlook_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let who = person_name(&state, &signed, id).await?;
    let o = people::outlook(&state.db, signed.scope(), who.0).await?;
    outlook_page(
        &signed,
        who,
        OutlookInput::from_outlook(&o),
        &FieldErrors::new(),
    )
}

async fn save_outlook(
    State(state): State<AppState>,
    signed: Signed,
    Id(id): Id<PersonId>,
    posted: Posted<OutlookInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let who = person_name(&state, &signed, id).await?;
    let input = posted.fields;
    let o = match input.parse(signed.today()) {
        Ok(o) => o,
        Err(e) => return outlook_page(&signed, who, input, &e),
    };
    people::set_outlook(&state.db, signed.scope(), &signed.actor(), who.0, &o).await?;
    Ok(redirect_with_flash(
        &format!("/people/{}#outlook-h", who.0),
        "flash.outlook_saved",
    ))
}
