//! A person's skills, career since leaving and outlook (what they said about coming back), on their page:
//! `/people/{id}/skills`, `/people/{id}/careers`, `/people/{id}/outlook`.

use crate::AppState;
use crate::auth::Signed;
use crate::error::AppResult;
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::routes::skills::{DeleteForm, level_choices, skill_choices};
use crate::routes::{choices, label, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_app::profile::{self, Editor};
use kaeru_domain::outlook::OutlookInput;
use kaeru_domain::skill::PersonSkillInput;
use kaeru_domain::{
    CareerId, CareerInput, FieldErrors, Permission, PersonId, PersonSkillId, ReturnIntent, SkillId,
    SkillOrigin, SkillSource, WorkStyle,
};
use kaeru_store::{careers, people, skills};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
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
    let status = crate::routes::form_status(errors);
    let tpl = PersonSkillPage {
        person_id,
        person_name,
        form,
        errors: FormErrors::from(errors, s.t),
        skill_options: skill_choices(&cat),
        levels: level_choices(&s),
        origins: crate::routes::owned(choices(s.t, "origin", SkillOrigin::ALL, SkillOrigin::code)),
        sources: crate::routes::owned(choices(s.t, "source", SkillSource::ALL, SkillSource::code)),
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
    let status = crate::routes::form_status(errors);
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
    let status = crate::routes::form_status(errors);
    let tpl = OutlookPage {
        person_id: who.0,
        person_name: who.1,
        form,
        errors: FormErrors::from(errors, s.t),
        intents: crate::routes::owned(choices(
            s.t,
            "intent",
            ReturnIntent::ALL,
            ReturnIntent::code,
        )),
        styles: crate::routes::owned(choices(s.t, "work", WorkStyle::ALL, WorkStyle::code)),
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
