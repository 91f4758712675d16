//! The skill catalogue, the company's needs and the skill-gap view, and on each person: skills, careers after
//! leaving and their outlook on coming back.

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
use kaeru_domain::skill::{NeedInput, SkillInput};
use kaeru_domain::{
    FieldErrors, Invalid, NeedPriority, Permission, PersonId, Skill, SkillId, SkillOrigin,
};
use kaeru_store::{Clash, StoreError, skills};
use serde::Deserialize;

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
    let holders = state
        .search
        .skill_holders
        .counts(
            &state.db,
            signed.scope(),
            Some(signed.info.revision),
            signed.today(),
        )
        .await?;
    let holders = &holders.2;
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
