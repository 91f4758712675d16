//! Adding, editing and removing a person's employment stints.

use crate::AppState;
use crate::auth::Signed;
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, Posted};
use crate::forms::{Id, Ids};
use crate::routes::{choices, redirect_with_flash, render};
use crate::shell::{Section, Shell};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kaeru_app::Failure;
use kaeru_domain::{
    EmploymentType, LeaveReason, Permission, PersonId, RehireEligibility, StintId, StintInput,
};
use kaeru_store::{people, stints};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/stints", post(create))
        .route("/people/{id}/stints/new", get(new_form))
        .route("/people/{id}/stints/{stint}", post(update))
        .route("/people/{id}/stints/{stint}/edit", get(edit_form))
        .route("/people/{id}/stints/{stint}/delete", post(delete))
}

#[derive(Template)]
#[template(path = "stint_form.html")]
struct FormPage {
    s: Shell,
    title: String,
    action: String,
    submit: String,
    person_id: PersonId,
    person_name: String,
    form: StintInput,
    errors: FormErrors,
    employment_types: Vec<(&'static str, String)>,
    leave_reasons: Vec<(&'static str, String)>,
    rehire_choices: Vec<(&'static str, String)>,
    can_see_reason: bool,
}

fn page(
    signed: &Signed,
    person: &kaeru_domain::Person,
    stint: Option<StintId>,
    form: StintInput,
    errors: FormErrors,
) -> FormPage {
    let s = Shell::signed(signed, Section::People, &format!("/people/{}", person.id));
    let (title, action, submit) = match stint {
        None => (
            s.t("stint.new_title"),
            format!("/people/{}/stints", person.id),
            s.t("stint.create"),
        ),
        Some(sid) => (
            s.t("stint.edit_title"),
            format!("/people/{}/stints/{sid}", person.id),
            s.t("common.save"),
        ),
    };
    FormPage {
        title: title.into(),
        action,
        submit: submit.into(),
        person_id: person.id,
        person_name: person.full_name(),
        form,
        errors,
        employment_types: choices(s.t, "employment", EmploymentType::ALL, EmploymentType::code),
        leave_reasons: choices(s.t, "leave", LeaveReason::ALL, LeaveReason::code),
        rehire_choices: choices(
            s.t,
            "rehire",
            RehireEligibility::ALL,
            RehireEligibility::code,
        ),
        can_see_reason: signed.can(Permission::SeeRehireReason),
        s,
    }
}

async fn new_form(
    State(state): State<AppState>,
    signed: Signed,
    Id(pid): Id<PersonId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let person = people::get(&state.db, signed.scope(), pid).await?;
    let form = StintInput {
        employment_type: EmploymentType::FullTime.code().into(),
        ..Default::default()
    };
    Ok(render(&page(&signed, &person, None, form, FormErrors::none()))?.into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    signed: Signed,
    Ids(pid, sid): Ids<PersonId, StintId>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let person = people::get(&state.db, signed.scope(), pid).await?;
    let current = stints::get(&state.db, signed.scope(), sid).await?;
    if current.person_id != pid {
        return Err(AppError::NotFound);
    }
    let mut form = StintInput::from_stint(&current);
    if !signed.can(Permission::SeeRehireReason) {
        form.rehire_reason.clear();
    }
    Ok(render(&page(&signed, &person, Some(sid), form, FormErrors::none()))?.into_response())
}

/// Shared by create and update: parse against the person's other stints, save, or show the form again.
async fn save(
    state: &AppState,
    signed: &Signed,
    pid: PersonId,
    sid: Option<StintId>,
    mut input: StintInput,
) -> AppResult<Response> {
    let person = people::get(&state.db, signed.scope(), pid).await?;
    let may_see = signed.can(Permission::SeeRehireReason);
    let saved = kaeru_app::stints::save(
        &state.db,
        signed.scope(),
        &signed.actor(),
        pid,
        sid,
        input.clone(),
        may_see,
        signed.today(),
    )
    .await;
    match saved {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/people/{pid}"),
            "flash.saved",
        )),
        Err(Failure::Invalid(e)) => {
            tracing::info!(fields = ?e.0.keys().collect::<Vec<_>>(), "stint form refused");
            if !may_see {
                input.rehire_reason.clear();
            }
            let errors = FormErrors::from(&e, crate::i18n::Catalog::get(signed.lang));
            let html = render(&page(signed, &person, sid, input, errors))?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn create(
    State(state): State<AppState>,
    signed: Signed,
    Id(pid): Id<PersonId>,
    posted: Posted<StintInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    save(&state, &signed, pid, None, posted.fields).await
}

async fn update(
    State(state): State<AppState>,
    signed: Signed,
    Ids(pid, sid): Ids<PersonId, StintId>,
    posted: Posted<StintInput>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    save(&state, &signed, pid, Some(sid), posted.fields).await
}

async fn delete(
    State(state): State<AppState>,
    signed: Signed,
    Ids(pid, sid): Ids<PersonId, StintId>,
    _: Posted<()>,
) -> AppResult<Response> {
    signed.require(Permission::EditPeople)?;
    let current = stints::get(&state.db, signed.scope(), sid).await?;
    if current.person_id != pid {
        return Err(AppError::NotFound);
    }
    kaeru_app::stints::delete(
        &state.db,
        signed.scope(),
        &signed.actor(),
        current.id,
        signed.today(),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/people/{pid}"),
        "flash.stint_deleted",
    ))
}
